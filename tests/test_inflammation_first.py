"""The second code-blind read of session 11: a markedly raised CRP, a raised CRP from 50, NICE NG12's myeloma tests
from 60, one referral beside neurological symptoms, the awaited sample before the first dose, the transfusion
caution for megaloblastic anaemia only, and the pregnancy ESR label. Each at its boundary; each failed before."""

from __future__ import annotations

from dataclasses import replace

import pytest

from b12logic import Case, evaluate
from b12logic.esr import GCA_AGE, HIGH_CRP, MARKED_CRP_MG_L, MYELOMA_TEST_AGE
from b12logic.guidelines import PROFILES
from b12logic.labels import PREGNANCY_ESR_NORMAL, PREGNANCY_ESR_NOT_SECOND, PREGNANCY_ESR_THIRD_ONLY
from b12logic.references import REFERENCES

EVERY = tuple(PROFILES)


def _texts(case: Case, profile: str = "nice-ng239") -> list[str]:
    a = evaluate(case, profile)
    return [s.text for s in (*a.next_steps, *a.esr_workup, *a.caveats)]


@pytest.mark.parametrize(
    ("crp", "unit", "urgent"),
    [(100.0, "mg/L", False), (100.1, "mg/L", True), (10.0, "mg/dL", False), (10.01, "mg/dL", True)],
)
def test_a_crp_above_100_is_an_urgent_step_of_its_own(crp: float, unit: str, urgent: bool) -> None:
    """Code-blind read s11, U-1: CRP 150 with an ESR in range read "nothing urgent"."""
    case = Case(age=45, sex="male", b12=520, esr=15, crp=crp, crp_unit=unit)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert (HIGH_CRP in a.do_now) is urgent, profile
        if urgent:
            assert a.do_now[0] is HIGH_CRP and {"Landry 2017", "NICE NG51"} <= set(REFERENCES)
            assert "NEWS2 score, which sets how soon antibiotics are given" in HIGH_CRP.text
    assert MARKED_CRP_MG_L == 100.0


def test_a_crp_above_100_comes_before_the_giant_cell_arteritis_questions_and_never_changes_the_b12_plan() -> None:
    case = Case(age=70, sex="male", b12=1400, esr=85, crp=150, hb=10.8)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert a.do_now[0] is HIGH_CRP and a.do_now[1].text.startswith("Ask now about new headache"), profile
        low = evaluate(replace(case, crp=2, esr=5), profile)
        assert (a.b12_status, a.regimen, a.next_steps) == (low.b12_status, low.regimen, low.next_steps), profile


@pytest.mark.parametrize(("age", "asked"), [(GCA_AGE - 1, False), (GCA_AGE, True)])
def test_from_50_a_raised_crp_with_an_esr_in_range_asks_the_gca_questions(age: int, asked: bool) -> None:
    case = Case(age=age, sex="female", b12=400, esr=10, crp=40)
    a = evaluate(case)
    assert a.esr_flag == "normal"
    gca = [s for s in a.do_now if "giant cell arteritis" in s.text]
    assert bool(gca) is asked
    if asked:
        assert "a raised CRP raises the question" in gca[0].text and "ESR in range does not exclude it" in gca[0].text
    # With a normal CRP the ESR in range asks nothing now: a background line says it does not exclude GCA.
    assert not any("giant cell" in s.text for s in evaluate(replace(case, crp=2)).do_now)


@pytest.mark.parametrize(("age", "named"), [(MYELOMA_TEST_AGE - 1, False), (MYELOMA_TEST_AGE, True)])
def test_nice_ng12_myeloma_tests_are_named_from_60(age: int, named: bool) -> None:
    """Code-blind read s11, U-7: NG12's myeloma advice was shown to people aged 22–40."""
    texts = _texts(Case(age=age, sex="male", b12=400, esr=60, crp=2))
    reading = next(t for t in texts if t.startswith("Raised ESR with a normal CRP"))
    assert ("serum protein electrophoresis" in reading) is named


def test_neurological_symptoms_with_a_high_mcv_ask_for_urgent_advice_once() -> None:
    """Code-blind read s11, U-2: three referrals in one Do-now block."""
    case = Case(age=66, sex="male", b12=250, esr=60, crp=3, hb=7.5, mcv=112, neuro_symptoms=True)
    for profile in EVERY:
        a = evaluate(case, profile)
        referrals = [s for s in a.do_now if s.text.startswith("Seek urgent")]
        assert len(referrals) == 1, (profile, [s.text for s in a.do_now])
    without = evaluate(replace(case, neuro_symptoms=False), "nice-ng239")
    assert any("suggests megaloblastic anaemia" in s.text for s in without.do_now)


def test_the_awaited_sample_is_taken_with_the_bloods_before_the_first_dose() -> None:
    """Code-blind read s11, U-3: "start now while MMA is awaited" never said to draw it first."""
    cases = {
        "MMA": Case(age=68, sex="male", b12=190, hb=11, mcv=103, esr=42, on_folic_acid=True),
        "active B12": Case(age=29, sex="female", pregnant=True, on_folic_acid=True, b12=220, hb=11.4, esr=30),
    }
    for tests, case in cases.items():
        for profile in ("nice-ng239", "source"):
            (bloods,) = [t for t in _texts(case, profile) if t.startswith("Take the work-up bloods before the first")]
            # The awaited sample is named (under the source, beside the test the source's own rule asks for).
            assert f"and the sample for {tests}" in bloods, (profile, bloods)
            assert bloods.endswith("which the plan does not wait for."), (profile, bloods)
    # Nothing awaited: the bloods line names no extra sample.
    done = Case(age=60, sex="female", b12=120, esr=12, hb=10.5, mcv=104)
    (bloods,) = [t for t in _texts(done) if t.startswith("Take the work-up bloods")]
    assert "sample for" not in bloods


def test_the_transfusion_caution_is_for_megaloblastic_anaemia() -> None:
    # MCV not measured: the anaemia can be megaloblastic, so the caution is said with its condition.
    a = evaluate(Case(age=74, sex="male", b12=450, hb=7.8, esr=112, crp=6), "nice-ng239")
    first = a.do_now[0].text
    assert first.startswith("Assess the severe anaemia now")
    assert "if it is megaloblastic, avoid transfusion wherever possible" in first
    # MCV 92: transfusion is still only if essential, and a second cause is sought (code-blind reads s14).
    normocytic = evaluate(Case(age=74, sex="male", b12=450, hb=7.8, mcv=92, esr=112, crp=6), "nice-ng239")
    first = normocytic.do_now[0].text
    assert "Transfuse only if an immediate rise is essential" in first and "look for its cause now too" in first


@pytest.mark.parametrize(
    ("esr", "label", "above"),
    [
        (47.0, PREGNANCY_ESR_NORMAL, ""),
        (48.0, PREGNANCY_ESR_NOT_SECOND, "This ESR is above the second-trimester range"),
        (57.0, PREGNANCY_ESR_NOT_SECOND, "This ESR is above the second-trimester range"),
        (58.0, PREGNANCY_ESR_THIRD_ONLY, "This ESR is above the first- and second-trimester ranges"),
    ],
)
def test_the_pregnancy_esr_label_agrees_with_its_trimester_reading(esr: float, label: str, above: str) -> None:
    """Code-blind reads s11: "within the pregnancy range" beside "read it as raised in the second trimester"
    (U-4), then "only in a later trimester" for an ESR inside the first trimester's range (finding 2)."""
    a = evaluate(Case(age=29, sex="female", pregnant=True, b12=400, esr=esr))
    assert a.esr_flag == "normal" and a.esr_flag_label == label
    readings = [s.text for s in a.esr_workup if s.text.startswith("This ESR is above the")]
    assert readings[0].startswith(above) if above else not readings, readings


def test_the_batch_cell_opens_with_the_urgent_steps_as_the_do_now_block_ranks_them() -> None:
    """Code-blind read s11, finding 3: in the batch the urgent steps came last, the myeloma step was lost, and the
    giant cell arteritis step lost "ask now"."""
    import pandas as pd

    from b12logic.batch import evaluate_frame
    from b12logic.frame_columns import STEP_SEPARATOR

    rows = [
        {"age": 72, "sex": "male", "b12": 150, "esr": 85, "crp": 150, "hb": 11.5, "mcv": 101},
        {"age": 74, "sex": "female", "b12": 130, "esr": 110, "crp": 4, "hb": 9.5, "mcv": 96},
        {"age": 50, "sex": "male", "b12": 450, "esr": 40, "hb": 7.2, "mcv": 88},
    ]
    out = evaluate_frame(pd.DataFrame(rows), "nice-ng239")
    for i, row in enumerate(rows):
        a = evaluate(Case(**row), "nice-ng239")  # type: ignore[arg-type]
        cell = out["next_steps"].iloc[i].split(STEP_SEPARATOR)
        assert cell[: len(a.do_now)] == [s.brief for s in a.do_now], (cell, [s.brief for s in a.do_now])
    first = out["next_steps"].iloc[0].split(STEP_SEPARATOR)
    assert first[0] == HIGH_CRP.brief and first[1].startswith("From 50, raised ESR: ask now about GCA symptoms (")
    assert "exclude myeloma" in out["next_steps"].iloc[1]
    assert "its cause sought, urgent haematology" in out["next_steps"].iloc[2]


def test_a_crp_above_100_comes_before_the_neurological_step_and_after_a_severe_anaemia() -> None:
    """Code-blind reads s11 (4th, 5th, 8th): the sepsis check came after the neurological step."""
    neuro = Case(age=78, sex="female", b12=150, esr=95, crp=150, hb=9.8, mcv=108, neuro_symptoms=True)
    for profile in EVERY:
        texts = [s.text for s in evaluate(neuro, profile).do_now]
        assert texts[0] == HIGH_CRP.text and texts[1].startswith("Seek urgent specialist"), profile
    severe = evaluate(replace(neuro, hb=6.0), "nice-ng239")
    assert severe.do_now[0].text.startswith("Assess the severe anaemia now") and severe.do_now[1] is HIGH_CRP


def test_in_pregnancy_the_sepsis_check_does_not_use_news2() -> None:
    """Code-blind read s11 (8th), F1: NEWS2 is not for pregnancy; NICE NG51 has criteria of its own there."""
    from b12logic.esr import HIGH_CRP_PREGNANT

    case = Case(age=28, sex="female", pregnant=True, b12=160, esr=60, crp=130, hb=9.5, mcv=104)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert HIGH_CRP_PREGNANT in a.do_now and HIGH_CRP not in a.do_now, profile
        assert "NEWS2" not in HIGH_CRP_PREGNANT.text.replace("(not NEWS2)", "")
    assert HIGH_CRP in evaluate(replace(case, pregnant=False, age=40)).do_now
