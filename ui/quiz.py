"""The self-marking quiz of the Teaching page: three questions, two tries, then the answers.

A first check marks each answer right or wrong (colour, icon and word) and says why a wrong one is wrong (the
misconception it shows, from b12logic.misconceptions) without giving the answer away; the student can try
again. The answers show after the second check, when every answer is right, or on request; the long
explanation sits folded under them. Only a case's first check counts towards the session score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from b12logic import B12_STATUSES
from b12logic.guidelines import GuidelineProfile
from b12logic.misconceptions import WhyWrong, why_wrong
from b12logic.references import REFERENCES
from b12logic.teaching_cases import (
    ESR_CHOICES,
    NEXT_STEPS,
    QUIZ_STATUS_LABELS,
    TEACHING_CASES,
    Grade,
    QuizAnswer,
    TeachingCase,
    grade,
    lab_lines,
)
from ui import render

SCORES_KEY = "quiz_scores"  # case id -> Grade of the first check of that case
TRIES = 2  # checks before the answers show by themselves
# Colour-blind-safe pair (blue / orange, as the figures' Okabe-Ito palette), always with an icon and a word.
RIGHT_MARK = ":blue[:material/check_circle: **Right**]"
WRONG_MARK = ":orange[:material/cancel: **Not quite**]"
QUESTIONS = (
    ("b12_status", "1. What is the B12 status?", "B12 status"),
    ("next_step", "2. What is the next step for the B12 plan?", "Next step"),
    ("esr_changes_plan", "3. Does the ESR change the B12 plan?", "Does the ESR change the plan"),
)

# Each question's widget key part, options and their words (in the order of QUESTIONS).
_CHOICES: tuple[tuple[str, list[Any], Mapping[Any, str]], ...] = (
    ("status", list(B12_STATUSES), QUIZ_STATUS_LABELS),
    ("step", list(NEXT_STEPS), NEXT_STEPS),
    ("esr", [False, True], ESR_CHOICES),
)

e = render.escape


@dataclass(frozen=True)
class Check:
    """One check of the form: the choices and how they scored."""

    choices: dict[str, object]
    grade: Grade


def _tries_key(case_id: str) -> str:
    return f"_quiz_tries_{case_id}"


def _reveal_key(case_id: str) -> str:
    return f"_quiz_reveal_{case_id}"


def _reset_scores() -> None:
    st.session_state[SCORES_KEY] = {}


def _reveal(case_id: str) -> None:
    st.session_state[_reveal_key(case_id)] = True


def _forget_other_cases(case_id: str) -> None:
    """A newly picked case starts with a fresh form and no tries."""
    if st.session_state.get("_quiz_case") == case_id:
        return
    for key in [k for k in st.session_state if str(k).startswith(("_quiz_tries_", "_quiz_reveal_"))]:
        del st.session_state[key]
    st.session_state["_quiz_case"] = case_id


def score_bar() -> None:
    scores: dict[str, Grade] = st.session_state.setdefault(SCORES_KEY, {})
    points = sum(g.points for g in scores.values())
    score_col, reset_col = st.columns([3, 1], vertical_alignment="bottom")
    score_col.metric(
        "Your score this session",
        f"{points} / {Grade.POSSIBLE * len(scores)}",
        help="One point per question; only your first check of each case counts. Kept until you close the tab.",
    )
    score_col.caption(f"Cases answered: {len(scores)} of {len(TEACHING_CASES)}.")
    reset_col.button("Reset score", on_click=_reset_scores, key="quiz_reset", width="stretch")


def _answer_text(answer: QuizAnswer, question: str) -> str:
    if question == "b12_status":
        return answer.status_label
    if question == "esr_changes_plan":
        return ESR_CHOICES[answer.esr_changes_plan]
    others = [NEXT_STEPS[k] for k in NEXT_STEPS if k in answer.accepted_next_steps and k != answer.next_step]
    return answer.next_step_label + "".join(f" (also right: {other})" for other in others)


def _why_wrong_text(why: WhyWrong) -> str:
    return f"*Misconception: {e(why.misconception)}.* {e(why.text)} :gray[{e(render.cite(why.sources))}]"


def quiz(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    """The case card, the form, and the marks of the latest check."""
    _forget_other_cases(tc.id)
    st.subheader(tc.title)
    st.markdown(e(tc.story))
    lines = lab_lines(tc)
    st.table({"Finding": [k for k, _ in lines], "Value": [v for _, v in lines]}, hide_index=True, width="content")

    tries: list[Check] = st.session_state.setdefault(_tries_key(tc.id), [])
    with st.form(f"quiz_{tc.id}"):
        choices = {
            question: st.radio(label, options, format_func=words.__getitem__, index=None, key=f"quiz_{key}_{tc.id}")
            for (question, label, _), (key, options, words) in zip(QUESTIONS, _CHOICES, strict=True)
        }
        label = "Check my answers" if not tries else "Check again"
        submitted = st.form_submit_button(label, type="primary", key=f"quiz_check_{tc.id}")

    if submitted:
        if any(choice is None for choice in choices.values()):
            st.warning("Answer all three questions, then check.", icon=":material/edit:")
        else:
            status, step, esr = (choices[question] for question, _, _ in QUESTIONS)
            result = grade(tc, str(status), str(step), bool(esr), profile)
            tries.append(Check(choices, result))
            scores: dict[str, Grade] = st.session_state.setdefault(SCORES_KEY, {})
            if tc.id not in scores:
                scores[tc.id] = result
                st.rerun()  # redraw the score above with this check counted
    if tries:
        _marks(tc, answer, profile, tries)


def _marks(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile, tries: list[Check]) -> None:
    latest = tries[-1]
    revealed = (
        len(tries) >= TRIES or latest.grade.points == Grade.POSSIBLE or bool(st.session_state.get(_reveal_key(tc.id)))
    )
    with st.container(border=True, key="quiz_marks"):
        st.markdown(f"#### Try {len(tries)}: {latest.grade.points} of {Grade.POSSIBLE} right")
        for question, _, short in QUESTIONS:
            choice = latest.choices[question]
            why = why_wrong(answer, question, choice)
            if why is None:
                st.markdown(f"{RIGHT_MARK} — {e(short)}.")
            else:
                st.markdown(f"{WRONG_MARK} — {e(short)}. {_why_wrong_text(why)}")
            if revealed:
                st.markdown(f"The answer: *{e(_answer_text(answer, question))}*.")
        if not revealed:
            st.caption(f"Change the answers marked 'Not quite' and check again ({TRIES - len(tries)} try left).")
            st.button("Show the answers now", key=f"quiz_reveal_{tc.id}", on_click=_reveal, args=(tc.id,))
        if len(tries) > 1:
            st.caption("Only your first check of a case counts towards the score.")
    if revealed:
        _explanation(tc, answer, profile)


def _explanation(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    """The long explanation, folded: the teaching point, the verdict's steps, the engine's reasoning, the ESR."""
    assessment = answer.assessment
    st.markdown(f"**Teaching point:** {e(tc.teaching_point)} :gray[{e(render.cite(tc.citations))}]")
    with st.expander("Why: the verdict's next steps, the engine's reasoning and the ESR"):
        st.markdown(f"**The verdict's next steps (under {e(profile.name)})**")
        render.statements(assessment.next_steps)
        st.markdown("**How the engine decides, step by step**")
        render.statements(assessment.why)
        pregnant = assessment.case.pregnant
        basis = "in pregnancy (the top of the trimester ranges)" if pregnant else "for this age and sex"
        limit_source = "Abbassi-Ghanavati 2009" if pregnant else "Miller 1983"
        st.markdown(
            f"**ESR:** {assessment.case.esr:g} mm/h against an upper limit of {assessment.esr_upper_limit:g} mm/h "
            f"{basis}. {e(assessment.esr_flag_label)}. It is worked up on its own criteria and does not change the "
            f"B12 plan. :gray[{e(render.cite((limit_source, 'source')))}]"
        )
        render.statements(assessment.esr_workup)
        if assessment.pitfalls:
            st.markdown("**Pitfalls in this case**")
            for pitfall in assessment.pitfalls:
                st.markdown(f"- **{e(pitfall.heading)}**: {e(pitfall.text)} :gray[{e(render.cite(pitfall.citations))}]")
    with st.expander("References for this case"):
        for short in tc.citations:
            ref = REFERENCES.get(short)
            st.markdown(f"- **{e(short)}**: {e(ref.full if ref else short)}")
