"""The questions a class answers about one teaching case, with their options and the engine's right answers.

Nothing here is written by hand per case: the options are the quiz's (b12logic.teaching_cases) and the right
answers come from the engine at run time, under the source profile the teaching cases are written for. Computed
once per case per process (the student page asks on every rerun).

>>> qs = questions_for("metformin_fatigue")
>>> [q.id for q in qs]
['b12_status', 'next_step']
>>> sorted(qs[0].right)
['deficient']
>>> sorted(qs[1].right)
['im_standard', 'oral_or_im']
>>> why_wrong_in("metformin_fatigue")["b12_status"]["normal"].misconception
'a B12 below the low cut-off read as not deficient'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from b12logic.engine import B12_STATUSES
from b12logic.misconceptions import WhyWrong, wrong_options
from b12logic.teaching_cases import NEXT_STEPS, QUIZ_STATUS_LABELS, TEACHING_CASES

PROFILE_ID = "source"  # the teaching cases and their points are written for the source's rules
QUESTION_IDS = ("b12_status", "next_step")


@dataclass(frozen=True)
class Question:
    """One question of a room: its id (a tally key), the question in words, its options (id -> words) in the
    order shown, and every option the engine accepts as right."""

    id: str
    text: str
    options: dict[str, str]
    right: frozenset[str]

    def label(self, option: str) -> str:
        return self.options.get(option, option)


@lru_cache(maxsize=64)
def questions_for(case_id: str) -> tuple[Question, ...]:
    """The room's questions for a teaching case (KeyError for an unknown case id)."""
    answer = TEACHING_CASES[case_id].answer(PROFILE_ID)
    return (
        Question(
            id="b12_status",
            text="What is the B12 status?",
            options={s: QUIZ_STATUS_LABELS[s] for s in B12_STATUSES},
            right=frozenset({answer.b12_status}),
        ),
        Question(
            id="next_step",
            text="What is the next step for the B12 plan?",
            options=dict(NEXT_STEPS),
            right=answer.accepted_next_steps,
        ),
    )


def question_of(case_id: str, question_id: str) -> Question | None:
    return next((q for q in questions_for(case_id) if q.id == question_id), None)


@lru_cache(maxsize=64)
def why_wrong_in(case_id: str) -> dict[str, dict[str, WhyWrong]]:
    """For each question of the case, every wrong option with the misconception it shows (b12logic.misconceptions)."""
    answer = TEACHING_CASES[case_id].answer(PROFILE_ID)
    return {qid: {str(o): why for o, why in wrong_options(answer, qid).items()} for qid in QUESTION_IDS}
