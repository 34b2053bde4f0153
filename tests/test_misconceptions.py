"""Why a wrong quiz answer is wrong: explanations follow the engine's answer, name a misconception and cite sources."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b12logic.guidelines import PROFILES
from b12logic.misconceptions import (
    ESR_CHANGES_PLAN,
    FOLIC_ACID_FIRST,
    NITROUS_NORMAL_B12,
    OPTIONS,
    OTHER_READING,
    QUESTIONS,
    TEST_FIRST_NEURO,
    UNTESTED_IS_NORMAL,
    is_right,
    why_wrong,
    why_wrong_for,
    wrong_options,
)
from b12logic.references import REFERENCES
from b12logic.teaching_cases import NEXT_STEPS, QUIZ_STATUS_LABELS, TEACHING_CASES, TeachingCase

CASES = list(TEACHING_CASES.values())
IDS = [tc.id for tc in CASES]


@pytest.mark.parametrize("tc", CASES, ids=IDS)
def test_every_wrong_option_of_every_case_is_explained_and_every_right_one_is_not(tc: TeachingCase) -> None:
    answer = tc.answer()
    for question in QUESTIONS:
        for option in OPTIONS[question]:
            explanation = why_wrong(answer, question, option)
            right = {
                "b12_status": option == answer.b12_status,
                "next_step": option in answer.accepted_next_steps,
                "esr_changes_plan": option == answer.esr_changes_plan,
            }[question]
            assert (explanation is None) == right == is_right(answer, question, option), (question, option)
            if explanation is None:
                continue
            assert explanation.question == question and explanation.option == option
            assert len(explanation.text) > 30 and "  " not in explanation.text
            assert explanation.sources and set(explanation.sources) <= set(REFERENCES), explanation.sources
            # The teaching cases' wrong options each name a real misconception, not the general fallback.
            assert explanation.misconception != OTHER_READING, (tc.id, question, option, explanation.text)
            # The quiz shows this before a second try: it must not quote the right answer's wording.
            right_label = {
                "b12_status": QUIZ_STATUS_LABELS[answer.b12_status],
                "next_step": NEXT_STEPS[answer.next_step],
            }
            if question in right_label:
                assert right_label[question].lower() not in explanation.text.lower(), (tc.id, question, option)


@pytest.mark.parametrize(
    ("case_id", "question", "option", "misconception", "words"),
    [
        ("very_high_esr", "next_step", "measure_mma", ESR_CHANGES_PLAN, "112 mm/h"),
        ("very_high_esr", "b12_status", "deficient", ESR_CHANGES_PLAN, "own work-up"),
        ("gca_headache", "next_step", "im_standard", ESR_CHANGES_PLAN, "64 mm/h"),
        ("folic_acid_masking", "next_step", "no_b12_treatment", FOLIC_ACID_FIRST, "never left to folic acid"),
        ("folic_acid_masking", "b12_status", "normal", FOLIC_ACID_FIRST, "150 pg/mL"),
        ("nitrous_oxide", "b12_status", "normal", NITROUS_NORMAL_B12, "inactivates B12"),
        ("nitrous_oxide", "next_step", "no_b12_treatment", NITROUS_NORMAL_B12, "Stop the nitrous oxide"),
        ("nitrous_oxide", "next_step", "measure_mma_hcy", TEST_FIRST_NEURO, "before the results"),
        ("vegan_paraesthesia", "next_step", "measure_mma", TEST_FIRST_NEURO, "120 pg/mL is below 180"),
        ("vegan_paraesthesia", "next_step", "oral_or_im", "tablets despite nerve symptoms", "alternate days"),
        ("severe_anaemia", "next_step", "oral_or_im", "tablets for a severe deficiency", "Hb below 8 g/dL"),
        ("pmol_lab", "b12_status", "deficient", "the source's '< 150 pmol/L' is the low cut-off", "190 pg/mL"),
        ("borderline_no_mma", "next_step", "no_b12_treatment", UNTESTED_IS_NORMAL, "240 pg/mL"),
        ("renal_mma", "b12_status", "not_confirmed", "the MMA result is ignored", "420 nmol/L"),
        ("neuro_mma_normal", "next_step", "im_neuro", "B12 'just in case' for nerve symptoms it does not explain", ""),
        (
            "neuro_b12_in_range",
            "b12_status",
            "normal",
            "a normal total B12 excludes deficiency with nerve symptoms",
            "",
        ),
        ("metformin_fatigue", "esr_changes_plan", True, ESR_CHANGES_PLAN, "inflammation"),
    ],
)
def test_named_misconceptions(case_id: str, question: str, option: Any, misconception: str, words: str) -> None:
    explanation = why_wrong_for(TEACHING_CASES[case_id], question, option)
    assert explanation is not None
    assert explanation.misconception == misconception
    assert words in explanation.text


def test_the_explanation_follows_the_engine_not_a_written_key() -> None:
    """If the engine's answer changes (issue 18 rewrites it), the right option loses its "why wrong" and the old
    right one gains one: nothing here holds an answer key."""
    answer = TEACHING_CASES["older_woman_esr"].answer()
    assert why_wrong(answer, "next_step", "no_b12_treatment") is None
    assert why_wrong(answer, "next_step", "measure_mma") is not None
    changed = replace(answer, next_step="measure_mma", accepted_next_steps=frozenset({"measure_mma"}))
    assert why_wrong(changed, "next_step", "measure_mma") is None
    moved = why_wrong(changed, "next_step", "no_b12_treatment")
    assert moved is not None and moved.misconception == UNTESTED_IS_NORMAL


def test_boundaries_follow_the_profile_cut_offs() -> None:
    def case(**values: Any) -> TeachingCase:
        return TeachingCase(
            id="t",
            title="t",
            story="t",
            values={"age": 50, "sex": "male", "esr": 5, **values},
            teaching_point="t",
            citations=("source",),
        )

    at_low = why_wrong_for(case(b12=180), "b12_status", "deficient")  # 180 itself is borderline (strict <)
    assert at_low is not None and at_low.misconception == "a borderline B12 is deficiency"
    assert why_wrong_for(case(b12=179.9), "b12_status", "deficient") is None
    just_low = why_wrong_for(case(b12=179.9), "b12_status", "indeterminate_needs_mma")
    assert just_low is not None and "179.9 pg/mL is below 180" in just_low.text
    # BSH 2014 puts the low cut-off at 200: the text quotes the profile's number, not the source's.
    bsh = why_wrong_for(case(b12=190), "b12_status", "indeterminate_needs_mma", "bsh-2014")
    assert bsh is not None and "below 200 pg/mL" in bsh.text
    mma_at_limit = why_wrong_for(case(b12=250, mma=271), "b12_status", "functional_deficiency")
    assert mma_at_limit is not None and "271 nmol/L is not above" in mma_at_limit.text


def test_options_are_checked() -> None:
    answer = TEACHING_CASES["metformin_fatigue"].answer()
    with pytest.raises(ValueError, match="'maybe' of question 'b12_status' is not one of: deficient"):
        why_wrong(answer, "b12_status", "maybe")
    with pytest.raises(ValueError, match="question 'dose'"):
        why_wrong(answer, "dose", "x")
    with pytest.raises(ValueError, match="esr_changes_plan"):
        why_wrong(answer, "esr_changes_plan", 1)  # 1 == True, but it is not one of the choices
    explained = why_wrong(answer, "esr_changes_plan", "yes")
    assert explained is not None and explained.option is True
    assert why_wrong(answer, "esr_changes_plan", "No") is None
    assert set(wrong_options(answer, "next_step")) == set(OPTIONS["next_step"]) - answer.accepted_next_steps


@settings(max_examples=150, deadline=None)
@given(
    age=st.integers(16, 110),
    sex=st.sampled_from(["female", "male"]),
    b12=st.floats(1, 3000, allow_nan=False),
    esr=st.integers(0, 200),
    mma=st.none() | st.floats(1, 3000, allow_nan=False),
    hb=st.none() | st.floats(3, 25, allow_nan=False),
    neuro=st.booleans(),
    folic=st.booleans(),
    nitrous=st.booleans(),
    guideline=st.sampled_from(list(PROFILES)),
)
def test_any_case_any_option_gets_an_answer_or_none(
    age: int,
    sex: str,
    b12: float,
    esr: int,
    mma: float | None,
    hb: float | None,
    neuro: bool,
    folic: bool,
    nitrous: bool,
    guideline: str,
) -> None:
    """Total: for any valid case under any profile, every option is either accepted (None) or explained."""
    values = {
        "age": age,
        "sex": sex,
        "b12": b12,
        "esr": esr,
        "mma": mma,
        "hb": hb,
        "neuro_symptoms": neuro,
        "on_folic_acid": folic,
        "risk_factors": {"nitrous_oxide"} if nitrous else set(),
    }
    tc = TeachingCase(id="h", title="h", story="h", values=values, teaching_point="h", citations=("source",))
    answer = tc.answer(guideline)
    for question in QUESTIONS:
        explained = wrong_options(answer, question)
        assert len(explained) >= 1  # every question has at least one wrong option
        for option in OPTIONS[question]:
            why = why_wrong(answer, question, option)
            assert (why is None) == is_right(answer, question, option)
            if why is not None:
                assert why.text and why.misconception
                assert set(why.sources) <= set(REFERENCES)
    # The ESR question's wrong answer is always the same misconception.
    assert why_wrong(answer, "esr_changes_plan", not answer.esr_changes_plan) is not None


def test_an_active_b12_choice_is_explained_once_the_quiz_offers_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18's engine adds "measure active B12" to the next steps: its wrong uses are explained already."""
    monkeypatch.setitem(OPTIONS, "next_step", (*OPTIONS["next_step"], "measure_active_b12"))
    borderline = why_wrong_for(TEACHING_CASES["borderline_no_mma"], "next_step", "measure_active_b12")
    assert borderline is not None
    assert borderline.misconception == "active B12 first when the total B12 is already back"
    assert "NICE NG239" in borderline.sources
    low = why_wrong_for(TEACHING_CASES["vegan_paraesthesia"], "next_step", "measure_active_b12")
    assert low is not None and low.misconception == TEST_FIRST_NEURO
