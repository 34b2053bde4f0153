"""Why a wrong quiz answer is wrong: the misconception it shows, in the clinic's words, with its sources.

The right answer is never written here: it comes from the engine at run time (`TeachingCase.answer()`), and the
explanation of a wrong option is worked out from that answer and the case's own findings. So when the engine's
rules change, the "why wrong" follows them; an option the engine accepts never gets one.

Each question has a table keyed by the chosen option: a list of rules (situation -> explanation), tried in order;
the first whose situation holds explains the choice, and a last, general rule always holds.

>>> from b12logic.teaching_cases import TEACHING_CASES
>>> tc = TEACHING_CASES["very_high_esr"]
>>> why_wrong_for(tc, "next_step", "measure_mma").misconception
'the ESR changes the B12 plan'
>>> why_wrong_for(tc, "next_step", "no_b12_treatment") is None  # the engine's answer
True
>>> why_wrong_for(TEACHING_CASES["folic_acid_masking"], "next_step", "no_b12_treatment").misconception
'folic acid first'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from b12logic.case import Case
from b12logic.engine import STATUS_SEVERITY
from b12logic.guidelines import DEFAULT_PROFILE, PROFILES, SEVERE_B12_PG_ML, SEVERE_HB_G_DL, GuidelineProfile
from b12logic.teaching_cases import (
    ESR_CHOICES,
    NEXT_STEPS,
    QUIZ_STATUS_LABELS,
    QuizAnswer,
    TeachingCase,
)
from b12logic.units import PMOL_PER_PG

# The quiz's questions, named as the QuizAnswer fields that hold their right answers.
QUESTIONS: tuple[str, ...] = ("b12_status", "next_step", "esr_changes_plan")
OPTIONS: dict[str, tuple[str | bool, ...]] = {
    "b12_status": tuple(QUIZ_STATUS_LABELS),
    "next_step": tuple(NEXT_STEPS),
    "esr_changes_plan": tuple(ESR_CHOICES),
}

# How far each next step goes (treat > test > nothing): a wrong step that goes further than the engine's, in a
# case with a raised ESR, is read as the ESR pushing the B12 plan.
STEP_REACH: dict[str, int] = {
    "no_b12_treatment": 0,
    "measure_mma": 1,
    "measure_mma_hcy": 1,
    "measure_active_b12": 1,  # the quiz's choice once the engine reads active B12 (issue 18)
    "oral_or_im": 2,
    "im_standard": 3,
    "im_neuro": 3,
}
TREATMENT_STEPS = frozenset({"oral_or_im", "im_standard", "im_neuro"})
TEST_STEPS = frozenset({"measure_mma", "measure_mma_hcy", "measure_active_b12"})
_TEST_NAMES = {"measure_mma": "MMA", "measure_mma_hcy": "MMA and homocysteine", "measure_active_b12": "active B12"}

# The misconceptions by short name (what a class sees beside the wrong option).
ESR_CHANGES_PLAN = "the ESR changes the B12 plan"
FOLIC_ACID_FIRST = "folic acid first"
NITROUS_NORMAL_B12 = "a normal total B12 excludes deficiency with nitrous oxide"
NEURO_NORMAL_B12 = "a normal total B12 excludes deficiency with nerve symptoms"
TEST_FIRST_NEURO = "test first when neurological features are strong"
LOW_B12_NEEDS_MMA = "a low B12 still needs MMA to confirm it"
LOW_B12_MISREAD = "a B12 below the low cut-off read as not deficient"
IN_RANGE_AS_DEFICIENT = "a B12 in range read as deficient"
BANDS_MISREAD = "the B12 bands misread"
DIAGNOSIS_BEFORE_TEST = "deficiency called before the deciding test"
BORDERLINE_IS_DEFICIENT = "a borderline B12 is deficiency"
UNTESTED_IS_NORMAL = "an untested borderline B12 counts as normal"
MMA_IGNORED = "the MMA result is ignored"
SOURCE_PMOL_PAIR = "the source's '< 150 pmol/L' is the low cut-off"
TABLETS_WITH_NERVES = "tablets despite nerve symptoms"
TABLETS_WHEN_SEVERE = "tablets for a severe deficiency"
NEURO_REGIMEN_WITHOUT_NERVES = "the neurological regimen without nerve symptoms"
STANDARD_REGIMEN_WITH_NERVES = "nerve symptoms treated like anaemia alone"
TREAT_BEFORE_DIAGNOSIS = "treating before the deciding test"
TREAT_WITHOUT_DEFICIENCY = "B12 treatment without a deficiency"
JUST_IN_CASE = "B12 'just in case' for nerve symptoms it does not explain"
DEFICIENCY_UNTREATED = "a diagnosed deficiency left untreated"
TESTS_WITHOUT_QUESTION = "more tests when the B12 has answered"
HOMOCYSTEINE_FOR_EVERY_BORDERLINE = "homocysteine for every borderline B12"
MMA_ALONE_WITH_NERVES = "MMA alone for nerve symptoms with a B12 in range"
ACTIVE_B12_OUTSIDE_PREGNANCY = "active B12 first when the total B12 is already back"
OTHER_READING = "a different reading of the rules"


@dataclass(frozen=True)
class WhyWrong:
    """Why one option is wrong for one case: the misconception's short name, the reason, and its sources."""

    question: str
    option: str | bool
    misconception: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class _Situation:
    """The findings the explanations read, in the units of the rules (pg/mL, nmol/L)."""

    answer: QuizAnswer
    profile: GuidelineProfile

    @property
    def case(self) -> Case:
        return self.answer.assessment.case

    @property
    def b12(self) -> float:
        return float(self.case.b12_pg_ml)

    @property
    def b12_band(self) -> str:
        if self.b12 < self.profile.b12_low:
            return "low"
        return "borderline" if self.b12 <= self.profile.b12_upper else "above"

    @property
    def mma(self) -> float | None:
        value = self.case.mma_read_nmol_l
        return None if value is None else float(value)

    @property
    def mma_raised(self) -> bool:
        return self.mma is not None and self.mma > self.profile.mma_upper

    @property
    def neuro(self) -> bool:
        return bool(self.case.neuro_symptoms)

    @property
    def nitrous(self) -> bool:
        return "nitrous_oxide" in self.case.risk_factors

    @property
    def esr_raised(self) -> bool:
        return self.answer.esr_flag != "normal"

    # Phrases the texts share.
    @property
    def b12_text(self) -> str:
        if self.case.b12_unit == "pg/mL":
            return f"{self.b12:g} pg/mL"
        return f"{self.case.b12:g} {self.case.b12_unit} ({self.b12:.0f} pg/mL)"

    @property
    def rules(self) -> tuple[str, ...]:
        return self.profile.citations or ("source",)


_Rule = tuple[Callable[[_Situation], bool], Callable[[_Situation], tuple[str, str, tuple[str, ...]]]]


def _always(_: _Situation) -> bool:
    return True


# --- explanations shared by the questions --------------------------------------------------------------------------


def _esr_pushes(s: _Situation, reason: str) -> tuple[str, str, tuple[str, ...]]:
    a = s.answer.assessment
    return (
        ESR_CHANGES_PLAN,
        f"The ESR of {a.case.esr:g} mm/h is above this patient's limit of {a.esr_upper_limit:g} mm/h, but it measures "
        f"inflammation, not B12: it gets its own work-up and leaves the B12 plan as it is. {reason}",
        ("source",),
    )


def _low_b12(s: _Situation) -> str:
    return f"A total B12 of {s.b12_text} is below {s.profile.b12_low:g} pg/mL: that is deficiency on its own."


def _why_engine(s: _Situation, question: str) -> tuple[str, str, tuple[str, ...]]:
    right = {
        "b12_status": s.answer.status_label,
        "next_step": s.answer.next_step_label,
        "esr_changes_plan": ESR_CHOICES[s.answer.esr_changes_plan],
    }[question]
    return OTHER_READING, f"Under {s.profile.teaching_name} the answer for this case is: {right}.", s.rules


# --- question 1: the B12 status --------------------------------------------------------------------------------------


def _status_band_text(s: _Situation) -> str:
    if s.b12_band == "low":
        return _low_b12(s)
    if s.b12_band == "borderline":
        return (
            f"A total B12 of {s.b12_text} is in the borderline band ({s.profile.b12_low:g}–{s.profile.b12_upper:g} "
            "pg/mL): MMA decides."
        )
    return f"A total B12 of {s.b12_text} is above {s.profile.b12_upper:g} pg/mL, in range."


def _pmol_pair(s: _Situation) -> bool:
    return s.case.b12_unit == "pmol/L" and s.case.b12 < 150 and s.b12_band != "low"


def _mma_text(s: _Situation) -> str:
    assert s.mma is not None
    if s.mma_raised:
        return (
            f"MMA {s.mma:g} nmol/L is above the laboratory's limit of {s.profile.mma_upper:g}: it supports deficiency."
        )
    return f"MMA {s.mma:g} nmol/L is not above the laboratory's limit of {s.profile.mma_upper:g}."


_STATUS_RULES: dict[str, list[_Rule]] = {
    "deficient": [
        (
            _pmol_pair,
            lambda s: (
                SOURCE_PMOL_PAIR,
                f"{s.case.b12:g} pmol/L is {s.b12:.0f} pg/mL (1 pg/mL = {PMOL_PER_PG} pmol/L), so it is not below "
                f"{s.profile.b12_low:g} pg/mL ({s.profile.b12_low * PMOL_PER_PG:.0f} pmol/L). The source's pair "
                "'< 180 pg/mL (< 150 pmol/L)' is a unit error: convert with the factor.",
                ("source", "NICE NG239"),
            ),
        ),
        (
            lambda s: s.b12_band == "borderline",
            lambda s: (
                BORDERLINE_IS_DEFICIENT,
                f"{_status_band_text(s)} A total B12 shows deficiency by itself only below {s.profile.b12_low:g} pg/mL.",
                s.rules,
            ),
        ),
        (
            lambda s: s.mma_raised,
            lambda s: (
                MMA_IGNORED,
                f"{_status_band_text(s)} {_mma_text(s)} Deficiency shown by MMA with a total B12 that is not low is "
                "functional deficiency.",
                s.rules,
            ),
        ),
        (
            lambda s: s.neuro and s.mma is None,
            lambda s: (
                IN_RANGE_AS_DEFICIENT,
                f"{_status_band_text(s)} With nerve symptoms that does not exclude deficiency, but it does not show "
                "it either: MMA and homocysteine decide.",
                ("source", "AFP 2017"),
            ),
        ),
        (
            _always,
            lambda s: (
                IN_RANGE_AS_DEFICIENT,
                f"{_status_band_text(s)} A total B12 shows deficiency by itself only below {s.profile.b12_low:g} pg/mL.",
                s.rules,
            ),
        ),
    ],
    "functional_deficiency": [
        (
            lambda s: s.b12_band == "low",
            lambda s: (
                LOW_B12_NEEDS_MMA,
                f"{_low_b12(s)} 'Functional' is the name for deficiency shown by a raised MMA when the total B12 "
                "is not low.",
                s.rules,
            ),
        ),
        (
            lambda s: s.mma is None,
            lambda s: (
                DIAGNOSIS_BEFORE_TEST,
                "Functional deficiency needs a raised MMA, and MMA has not been measured yet.",
                s.rules,
            ),
        ),
        (
            lambda s: not s.mma_raised,
            lambda s: (
                MMA_IGNORED,
                f"{_mma_text(s)} It does not support functional deficiency (271 nmol/L is one laboratory's limit: "
                "read the MMA against your own).",
                (*s.rules, "Mayo"),
            ),
        ),
    ],
    "indeterminate_needs_mma": [
        (
            lambda s: s.b12_band == "low",
            lambda s: (LOW_B12_NEEDS_MMA, _low_b12(s) + " MMA is for a borderline B12.", s.rules),
        ),
        (
            lambda s: s.mma is not None,
            lambda s: (MMA_IGNORED, f"The MMA is already back and decides: {_mma_text(s)}", s.rules),
        ),
        (lambda s: s.b12_band == "above", lambda s: _above_not_borderline(s)),
    ],
    "not_confirmed": [
        (lambda s: s.b12_band == "low", lambda s: (LOW_B12_MISREAD, _low_b12(s), s.rules)),
        (
            lambda s: s.mma is None and s.b12_band == "borderline",
            lambda s: (
                UNTESTED_IS_NORMAL,
                f"'Not confirmed' needs an MMA back within the limit; here MMA has not been measured, so the "
                f"borderline B12 of {s.b12_text} is still an open question.",
                s.rules,
            ),
        ),
        (lambda s: s.mma_raised, lambda s: (MMA_IGNORED, _mma_text(s), (*s.rules, "Mayo"))),
        (lambda s: s.b12_band == "above", lambda s: _above_not_borderline(s)),
    ],
    "normal_needs_mma_hcy": [
        (lambda s: s.b12_band == "low", lambda s: (LOW_B12_MISREAD, _low_b12(s), s.rules)),
        (
            lambda s: s.b12_band == "borderline",
            lambda s: (BANDS_MISREAD, f"{_status_band_text(s)} It is not in range.", s.rules),
        ),
        (lambda s: s.mma is not None, lambda s: (MMA_IGNORED, f"The MMA is already back: {_mma_text(s)}", s.rules)),
        (
            lambda s: not s.neuro,
            lambda s: (
                TESTS_WITHOUT_QUESTION,
                f"{_status_band_text(s)} MMA and homocysteine are added for nerve symptoms, and there are none.",
                s.rules,
            ),
        ),
    ],
    "normal": [
        (
            lambda s: s.nitrous and s.neuro and s.b12_band == "above" and s.mma is None,
            lambda s: (
                NITROUS_NORMAL_B12,
                "Nitrous oxide inactivates B12, so the total B12 often looks normal: it detects only a minority of "
                "nitrous oxide myeloneuropathy. Homocysteine or MMA is the first test.",
                ("NICE NG239", "Practical Neurology 2023"),
            ),
        ),
        (
            lambda s: s.neuro and s.b12_band == "above" and s.mma is None,
            lambda s: (
                NEURO_NORMAL_B12,
                f"{_status_band_text(s)} With nerve symptoms that does not exclude deficiency: measure MMA and "
                "homocysteine.",
                ("source", "AFP 2017"),
            ),
        ),
        (
            lambda s: s.b12_band == "low" and s.case.on_folic_acid,
            lambda s: (
                FOLIC_ACID_FIRST,
                f"{_low_b12(s)} Folic acid can correct the anaemia while the deficiency and its nerve damage go on.",
                ("source", "BNF / NICE CKS"),
            ),
        ),
        (lambda s: s.b12_band == "low", lambda s: (LOW_B12_MISREAD, _low_b12(s), s.rules)),
        (lambda s: s.mma_raised, lambda s: (MMA_IGNORED, _mma_text(s), (*s.rules, "Mayo"))),
        (
            lambda s: s.b12_band == "borderline" and s.mma is None,
            lambda s: (UNTESTED_IS_NORMAL, f"{_status_band_text(s)} Until then it is not normal.", s.rules),
        ),
        (
            lambda s: s.b12_band == "borderline",
            lambda s: (
                BANDS_MISREAD,
                f"{_status_band_text(s)} {_mma_text(s)} The rules call this 'not confirmed' rather than normal.",
                s.rules,
            ),
        ),
    ],
}


def _above_not_borderline(s: _Situation) -> tuple[str, str, tuple[str, ...]]:
    if s.neuro and s.mma is None:
        then = " With nerve symptoms, MMA and homocysteine are measured."
        return BANDS_MISREAD, f"{_status_band_text(s)} It is not borderline.{then}", ("source", "AFP 2017")
    return BANDS_MISREAD, f"{_status_band_text(s)} It is not borderline.", s.rules


def _status_rules(option: str) -> list[_Rule]:
    def esr_first(s: _Situation) -> bool:
        right = s.answer.b12_status
        return s.esr_raised and STATUS_SEVERITY.get(option, 0) > STATUS_SEVERITY.get(right, 0)

    esr_rule: _Rule = (esr_first, lambda s: _esr_pushes(s, _status_band_text(s)))
    return [esr_rule, *_STATUS_RULES.get(option, [])]


# --- question 2: the next step for the B12 plan ---------------------------------------------------------------------


def _neuro_regimen_text(s: _Situation) -> str:
    return (
        "With nerve symptoms the plan is the neurological regimen (hydroxocobalamin 1 mg IM on alternate days) "
        "with urgent specialist advice."
    )


def _severe(s: _Situation) -> bool:
    return bool(s.answer.assessment.severe)


def _no_treatment_reason(s: _Situation) -> tuple[str, str, tuple[str, ...]]:
    if s.neuro:
        return (
            JUST_IN_CASE,
            f"{_status_band_text(s)} {_mma_text(s) if s.mma is not None else ''} B12 deficiency is unlikely to "
            "explain the symptoms: look for their other causes.".replace("  ", " "),
            ("source", "AFP 2017"),
        )
    return TREAT_WITHOUT_DEFICIENCY, f"{s.answer.status_label}: there is nothing for B12 to treat.", s.rules


def _wait_for_test(s: _Situation) -> tuple[str, str, tuple[str, ...]]:
    test = _TEST_NAMES.get(s.answer.next_step, "the deciding test")
    return (
        TREAT_BEFORE_DIAGNOSIS,
        f"{_status_band_text(s)} The diagnosis waits for {test}; take the diagnostic bloods before any treatment.",
        (*s.rules, "NICE NG239"),
    )


def _treat_now_neuro(s: _Situation) -> tuple[str, str, tuple[str, ...]]:
    if s.nitrous:
        return (
            TEST_FIRST_NEURO,
            "With nitrous oxide and nerve symptoms: stop the nitrous oxide and start B12 (the neurological regimen) "
            "before the results return; treated early the damage can recover.",
            ("NICE NG239", "Practical Neurology 2023", "RCEM 2024"),
        )
    reason = _low_b12(s) if s.b12_band == "low" else (_mma_text(s) if s.mma is not None else "")
    return (
        TEST_FIRST_NEURO,
        f"{reason} Treatment is not delayed when neurological features are strong. {_neuro_regimen_text(s)}".strip(),
        ("BSH 2014", "BNF / NICE CKS", "source"),
    )


# Why "test first" is wrong, whichever test was chosen: treat now, the B12 already decides, or MMA is back.
_TEST_STEP_RULES: list[_Rule] = [
    (lambda s: s.answer.next_step == "im_neuro", _treat_now_neuro),
    (
        lambda s: s.answer.next_step in TREATMENT_STEPS and s.b12_band == "low",
        lambda s: (LOW_B12_NEEDS_MMA, _low_b12(s) + " MMA is for a borderline B12.", s.rules),
    ),
    (
        lambda s: s.mma is not None,
        lambda s: (MMA_IGNORED, f"The MMA is already back and decides: {_mma_text(s)}", s.rules),
    ),
]

_STEP_RULES: dict[str, list[_Rule]] = {
    "im_neuro": [
        (lambda s: s.answer.next_step == "no_b12_treatment", _no_treatment_reason),
        (lambda s: s.answer.next_step in TEST_STEPS, _wait_for_test),
        (
            _always,
            lambda s: (
                NEURO_REGIMEN_WITHOUT_NERVES,
                "The alternate-day regimen is for neurological involvement, and this patient has no nerve symptoms.",
                ("BNF / NICE CKS", "source"),
            ),
        ),
    ],
    "im_standard": [
        (
            lambda s: s.neuro and s.answer.next_step == "im_neuro",
            lambda s: (STANDARD_REGIMEN_WITH_NERVES, _neuro_regimen_text(s), ("BNF / NICE CKS", "source")),
        ),
        (lambda s: s.answer.next_step == "no_b12_treatment", _no_treatment_reason),
        (lambda s: s.answer.next_step in TEST_STEPS, _wait_for_test),
    ],
    "oral_or_im": [
        (
            lambda s: s.neuro and s.answer.next_step == "im_neuro",
            lambda s: (
                TABLETS_WITH_NERVES,
                f"Oral B12 is an option only without nerve symptoms. {_neuro_regimen_text(s)}",
                ("source", "AFP 2025", "BNF / NICE CKS"),
            ),
        ),
        (
            _severe,
            lambda s: (
                TABLETS_WHEN_SEVERE,
                f"This deficiency is severe (the app's working definition: B12 below {SEVERE_B12_PG_ML:g} pg/mL or "
                f"Hb below {SEVERE_HB_G_DL:g} g/dL): the plan is IM, not tablets.",
                ("source", "WHO", "AFP 2025"),
            ),
        ),
        (lambda s: s.answer.next_step == "no_b12_treatment", _no_treatment_reason),
        (lambda s: s.answer.next_step in TEST_STEPS, _wait_for_test),
    ],
    "measure_mma": [
        *_TEST_STEP_RULES,
        (
            lambda s: s.answer.next_step == "measure_mma_hcy",
            lambda s: (
                MMA_ALONE_WITH_NERVES,
                f"{_status_band_text(s)} With nerve symptoms and a B12 in range, both MMA and homocysteine are "
                "measured.",
                ("source", "AFP 2017"),
            ),
        ),
        (
            lambda s: s.answer.next_step == "no_b12_treatment",
            lambda s: (
                TESTS_WITHOUT_QUESTION,
                f"{_status_band_text(s)} There is nothing left for MMA to decide.",
                s.rules,
            ),
        ),
    ],
    "measure_mma_hcy": [
        *_TEST_STEP_RULES,
        (
            lambda s: s.answer.next_step == "measure_mma",
            lambda s: (
                HOMOCYSTEINE_FOR_EVERY_BORDERLINE,
                f"{_status_band_text(s)} Homocysteine is added for nerve symptoms with a B12 in range (or nitrous "
                "oxide); here MMA alone decides.",
                (*s.rules, "NICE NG239"),
            ),
        ),
        (
            lambda s: s.answer.next_step == "no_b12_treatment",
            lambda s: (
                TESTS_WITHOUT_QUESTION,
                f"{_status_band_text(s)} Without nerve symptoms there is nothing for MMA and homocysteine to decide.",
                s.rules,
            ),
        ),
    ],
    # Offered only where the quiz lists it (the engine of issue 18 reads active B12, first in pregnancy).
    "measure_active_b12": [
        *_TEST_STEP_RULES,
        (
            lambda s: s.answer.next_step in TEST_STEPS and not s.case.pregnant,
            lambda s: (
                ACTIVE_B12_OUTSIDE_PREGNANCY,
                f"{_status_band_text(s)} The total B12 is already back; active B12 comes first in pregnancy, where "
                "the total B12 falls.",
                (*s.rules, "NICE NG239"),
            ),
        ),
        (
            lambda s: s.answer.next_step == "no_b12_treatment",
            lambda s: (TESTS_WITHOUT_QUESTION, f"{_status_band_text(s)} There is nothing left to decide.", s.rules),
        ),
    ],
    "no_b12_treatment": [
        (
            lambda s: s.case.on_folic_acid and s.answer.next_step in TREATMENT_STEPS,
            lambda s: (
                FOLIC_ACID_FIRST,
                "Folic acid corrects the anaemia but not the nerve damage: B12 deficiency is treated, never left to "
                "folic acid alone.",
                ("source", "BNF / NICE CKS"),
            ),
        ),
        (
            lambda s: s.nitrous and s.neuro,
            lambda s: (
                NITROUS_NORMAL_B12,
                "Nitrous oxide inactivates B12 while the total B12 often looks normal. Stop the nitrous oxide and "
                "start B12 (the neurological regimen) before the results return.",
                ("NICE NG239", "Practical Neurology 2023", "RCEM 2024"),
            ),
        ),
        (
            lambda s: s.answer.next_step == "measure_mma_hcy",
            lambda s: (
                NEURO_NORMAL_B12,
                f"{_status_band_text(s)} With nerve symptoms that does not exclude deficiency: measure MMA and "
                "homocysteine.",
                ("source", "AFP 2017"),
            ),
        ),
        (
            lambda s: s.answer.next_step == "measure_mma",
            lambda s: (UNTESTED_IS_NORMAL, f"{_status_band_text(s)} Until then it is not normal.", s.rules),
        ),
        (
            lambda s: s.answer.next_step in TREATMENT_STEPS,
            lambda s: (
                DEFICIENCY_UNTREATED,
                f"{_low_b12(s) if s.b12_band == 'low' else _mma_text(s) if s.mma is not None else ''} "
                "A diagnosed deficiency is treated.".strip(),
                s.rules,
            ),
        ),
    ],
}


def _step_rules(option: str) -> list[_Rule]:
    def esr_first(s: _Situation) -> bool:
        return s.esr_raised and STEP_REACH.get(option, 0) > STEP_REACH.get(s.answer.next_step, 0)

    # The reason names the B12 finding, not the right step: the quiz shows this before a second try.
    esr_rule: _Rule = (
        esr_first,
        lambda s: _esr_pushes(s, f"{_status_band_text(s)} The B12 plan follows from that alone."),
    )
    return [esr_rule, *_STEP_RULES.get(option, [])]


# --- question 3: does the ESR change the B12 plan? -----------------------------------------------------------------


def _esr_rules(option: bool) -> list[_Rule]:
    if not option:
        return []
    return [
        (
            _always,
            lambda s: (
                ESR_CHANGES_PLAN,
                "The ESR measures inflammation (infection, malignancy, autoimmune disease); B12 deficiency works "
                "through DNA synthesis, not inflammation. The ESR is worked up on its own and never changes the "
                "B12 status, the regimen or the B12 next steps.",
                ("source",),
            ),
        )
    ]


# --- the public functions ----------------------------------------------------------------------------------------


def _option(question: str, option: object) -> str | bool:
    """The option as the quiz holds it; an unknown question or option is a ValueError naming what is allowed."""
    if question not in OPTIONS:
        raise ValueError(f"question {question!r} is not one of {', '.join(QUESTIONS)}")
    if question == "esr_changes_plan" and isinstance(option, str):
        lowered = option.strip().lower()
        if lowered in ("true", "yes"):
            option = True
        elif lowered in ("false", "no"):
            option = False
    if option not in OPTIONS[question] or (question == "esr_changes_plan") != isinstance(option, bool):
        allowed = ", ".join(str(o) for o in OPTIONS[question])
        raise ValueError(f"option {option!r} of question {question!r} is not one of: {allowed}")
    return option


def is_right(answer: QuizAnswer, question: str, option: object) -> bool:
    """Whether the engine accepts this option (the next step may have more than one right answer)."""
    choice = _option(question, option)
    if question == "b12_status":
        return choice == answer.b12_status
    if question == "next_step":
        return choice in (answer.accepted_next_steps or {answer.next_step})
    return choice == answer.esr_changes_plan


def why_wrong(
    answer: QuizAnswer, question: str, option: object, guideline: str | GuidelineProfile | None = None
) -> WhyWrong | None:
    """Why `option` is wrong for the case behind `answer`; None when the engine accepts it.

    `guideline` gives the cut-offs quoted in the text (default: the profile the answer was worked out under).
    """
    choice = _option(question, option)
    if is_right(answer, question, choice):
        return None
    s = _Situation(answer, _profile(answer, guideline))
    if question == "b12_status":
        rules = _status_rules(str(choice))
    elif question == "next_step":
        rules = _step_rules(str(choice))
    else:
        rules = _esr_rules(bool(choice))
    for holds, explain in rules:
        if holds(s):
            misconception, text, sources = explain(s)
            return WhyWrong(question, choice, misconception, " ".join(text.split()), tuple(dict.fromkeys(sources)))
    misconception, text, sources = _why_engine(s, question)
    return WhyWrong(question, choice, misconception, text, tuple(dict.fromkeys(sources)))


def why_wrong_for(
    tc: TeachingCase, question: str, option: object, guideline: str | GuidelineProfile = DEFAULT_PROFILE
) -> WhyWrong | None:
    """`why_wrong` for a teaching case, its answer worked out by the engine under `guideline`."""
    return why_wrong(tc.answer(guideline), question, option, guideline)


def wrong_options(answer: QuizAnswer, question: str) -> dict[str | bool, WhyWrong]:
    """Every wrong option of one question, with why (the options the engine accepts are left out)."""
    found: dict[str | bool, WhyWrong] = {}
    for option in OPTIONS.get(question, ()):
        explanation = why_wrong(answer, question, option)
        if explanation is not None:
            found[option] = explanation
    return found


def _profile(answer: QuizAnswer, guideline: str | GuidelineProfile | None) -> GuidelineProfile:
    if isinstance(guideline, GuidelineProfile):
        return guideline
    name = guideline or answer.assessment.guideline
    return PROFILES.get(name, PROFILES[DEFAULT_PROFILE])


__all__ = [
    "OPTIONS",
    "QUESTIONS",
    "WhyWrong",
    "is_right",
    "why_wrong",
    "why_wrong_for",
    "wrong_options",
]
