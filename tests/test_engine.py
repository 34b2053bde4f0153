"""b12logic.engine: every threshold boundary and every status/regimen, against DESIGN.md.

The expected values below are written from DESIGN.md's rules and tables (the oracle), not copied
from the engine: "<" and ">" are strict; B12 < 180 low, 180–350 borderline, > 350 above range (pg/mL);
MMA > 271 nmol/L confirms; severe = B12 < 100 pg/mL or Hb < 8 g/dL; ESR limit men age/2, women
(age+10)/2, elevated iff ESR > limit, markedly elevated iff ESR > 100 mm/h.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from b12logic import B12_STATUSES, ESR_FLAGS, REGIMENS, Case, CaseError, evaluate
from b12logic.engine import (
    ESR_FLAG_LABELS,
    REGIMEN_LABELS,
    STATUS_LABELS,
    STATUS_SEVERITY,
    Pitfall,
)
from b12logic.graphs import MECHANISM_GRAPH, decision_graph
from b12logic.guidelines import PROFILES
from b12logic.references import REFERENCES

PMOL = 0.738

# Decision paths, node by node, as DESIGN.md's rules walk the flowchart.
P_DEF_ORAL = ("b12_start", "b12_band", "st_deficient", "treat_neuro", "treat_severe", "rx_oral_or_im")
P_DEF_STD = ("b12_start", "b12_band", "st_deficient", "treat_neuro", "treat_severe", "rx_im_standard")
P_DEF_NEURO = ("b12_start", "b12_band", "st_deficient", "treat_neuro", "rx_im_neuro")
_FB = ("b12_start", "b12_band", "mma_borderline", "st_functional", "treat_neuro")
P_FUN_ORAL = (*_FB, "treat_severe", "rx_oral_or_im")
P_FUN_STD = (*_FB, "treat_severe", "rx_im_standard")
P_FUN_NEURO = (*_FB, "rx_im_neuro")
P_FUN_ABOVE_NEURO = ("b12_start", "b12_band", "neuro_above", "mma_above", "st_functional", "treat_neuro", "rx_im_neuro")
P_INDET = ("b12_start", "b12_band", "mma_borderline", "out_indeterminate")
P_NOT_CONFIRMED = ("b12_start", "b12_band", "mma_borderline", "out_not_confirmed")
P_NEEDS_MMA_HCY = ("b12_start", "b12_band", "neuro_above", "mma_above", "out_needs_mma_hcy")
P_NORMAL = ("b12_start", "b12_band", "neuro_above", "out_normal")
P_NORMAL_AFTER_MMA = ("b12_start", "b12_band", "neuro_above", "mma_above", "out_normal_after_mma")

ESR_NORMAL = ("esr_start", "esr_limit", "esr_out_normal")
ESR_ELEVATED = ("esr_start", "esr_limit", "esr_marked", "esr_out_elevated")
ESR_MARKED = ("esr_start", "esr_limit", "esr_marked", "esr_out_marked")

BASE: dict[str, Any] = {"age": 68, "sex": "female", "b12": 250, "esr": 30}


def case(**changes: Any) -> Case:
    return Case(**{**BASE, **changes})


# (id, case changes, status, regimen, oral_alternative, severe, decision_path)
B12Case = tuple[str, dict[str, Any], str, str, bool, bool, tuple[str, ...]]
B12_CASES: list[B12Case] = [
    # Total B12 boundaries, pg/mL.
    ("b12-99-severe", {"b12": 99}, "deficient", "im_standard", False, True, P_DEF_STD),
    ("b12-100-not-severe", {"b12": 100}, "deficient", "oral_or_im", True, False, P_DEF_ORAL),
    ("b12-179-low", {"b12": 179}, "deficient", "oral_or_im", True, False, P_DEF_ORAL),
    ("b12-180-borderline", {"b12": 180}, "indeterminate_needs_mma", "pending_tests", False, False, P_INDET),
    ("b12-350-borderline", {"b12": 350}, "indeterminate_needs_mma", "pending_tests", False, False, P_INDET),
    ("b12-351-above", {"b12": 351}, "normal", "none", False, False, P_NORMAL),
    ("b12-99.9", {"b12": 99.9}, "deficient", "im_standard", False, True, P_DEF_STD),
    ("b12-179.9", {"b12": 179.9}, "deficient", "oral_or_im", True, False, P_DEF_ORAL),
    ("b12-350.1", {"b12": 350.1}, "normal", "none", False, False, P_NORMAL),
    # The same values given in pmol/L land on the same side.
    ("pmol-99", {"b12": 99 * PMOL, "b12_unit": "pmol/L"}, "deficient", "im_standard", False, True, P_DEF_STD),
    ("pmol-100", {"b12": 100 * PMOL, "b12_unit": "pmol/L"}, "deficient", "oral_or_im", True, False, P_DEF_ORAL),
    ("pmol-179", {"b12": 179 * PMOL, "b12_unit": "pmol/L"}, "deficient", "oral_or_im", True, False, P_DEF_ORAL),
    (
        "pmol-180",
        {"b12": 180 * PMOL, "b12_unit": "pmol/L"},
        "indeterminate_needs_mma",
        "pending_tests",
        False,
        False,
        P_INDET,
    ),
    (
        "pmol-350",
        {"b12": 350 * PMOL, "b12_unit": "pmol/L"},
        "indeterminate_needs_mma",
        "pending_tests",
        False,
        False,
        P_INDET,
    ),
    ("pmol-351", {"b12": 351 * PMOL, "b12_unit": "pmol/L"}, "normal", "none", False, False, P_NORMAL),
    # The source's wrong pair: 150 pmol/L is about 203 pg/mL, borderline, not low.
    ("pmol-150", {"b12": 150, "b12_unit": "pmol/L"}, "indeterminate_needs_mma", "pending_tests", False, False, P_INDET),
    # MMA boundaries with borderline B12.
    ("mma-271", {"mma": 271}, "not_confirmed", "none", False, False, P_NOT_CONFIRMED),
    ("mma-272", {"mma": 272}, "functional_deficiency", "oral_or_im", True, False, P_FUN_ORAL),
    ("mma-0.271-umol", {"mma": 0.271, "mma_unit": "µmol/L"}, "not_confirmed", "none", False, False, P_NOT_CONFIRMED),
    (
        "mma-0.272-umol",
        {"mma": 0.272, "mma_unit": "µmol/L"},
        "functional_deficiency",
        "oral_or_im",
        True,
        False,
        P_FUN_ORAL,
    ),
    ("mma-271.5", {"mma": 271.5}, "functional_deficiency", "oral_or_im", True, False, P_FUN_ORAL),
    ("mma-at-180", {"b12": 180, "mma": 272}, "functional_deficiency", "oral_or_im", True, False, P_FUN_ORAL),
    ("mma-at-350", {"b12": 350, "mma": 271}, "not_confirmed", "none", False, False, P_NOT_CONFIRMED),
    # Functional deficiency, neuro symptoms / severe by Hb.
    (
        "functional-neuro",
        {"mma": 300, "neuro_symptoms": True},
        "functional_deficiency",
        "im_neuro",
        False,
        False,
        P_FUN_NEURO,
    ),
    ("functional-hb-7.9", {"mma": 300, "hb": 7.9}, "functional_deficiency", "im_standard", False, True, P_FUN_STD),
    ("functional-hb-8", {"mma": 300, "hb": 8}, "functional_deficiency", "oral_or_im", True, False, P_FUN_ORAL),
    # Borderline with neuro symptoms and no MMA: still MMA first (the source's rule).
    (
        "borderline-neuro",
        {"neuro_symptoms": True},
        "indeterminate_needs_mma",
        "pending_tests",
        False,
        False,
        P_INDET,
    ),
    # Above range with neuro symptoms: MMA and homocysteine, then MMA decides.
    (
        "above-neuro-no-mma",
        {"b12": 351, "neuro_symptoms": True},
        "normal_needs_mma_hcy",
        "pending_tests",
        False,
        False,
        P_NEEDS_MMA_HCY,
    ),
    (
        "above-neuro-mma-271",
        {"b12": 351, "neuro_symptoms": True, "mma": 271},
        "normal",
        "none",
        False,
        False,
        P_NORMAL_AFTER_MMA,
    ),
    (
        "above-neuro-mma-272",
        {"b12": 351, "neuro_symptoms": True, "mma": 272},
        "functional_deficiency",
        "im_neuro",
        False,
        False,
        P_FUN_ABOVE_NEURO,
    ),
    # Above range, no neuro symptoms: normal whatever the MMA (the rules; a caveat flags the raised MMA).
    ("above-mma-raised", {"b12": 400, "mma": 500}, "normal", "none", False, False, P_NORMAL),
    # Deficient with neuro symptoms: IM neuro, severe or not.
    ("low-neuro", {"b12": 179, "neuro_symptoms": True}, "deficient", "im_neuro", False, False, P_DEF_NEURO),
    ("low-neuro-severe", {"b12": 99, "neuro_symptoms": True}, "deficient", "im_neuro", False, True, P_DEF_NEURO),
    # Hb decides severity: < 8 g/dL (= 80 g/L) severe.
    ("hb-7.9", {"b12": 150, "hb": 7.9}, "deficient", "im_standard", False, True, P_DEF_STD),
    ("hb-8", {"b12": 150, "hb": 8}, "deficient", "oral_or_im", True, False, P_DEF_ORAL),
    ("hb-79-g/L", {"b12": 150, "hb": 79, "hb_unit": "g/L"}, "deficient", "im_standard", False, True, P_DEF_STD),
    ("hb-80-g/L", {"b12": 150, "hb": 80, "hb_unit": "g/L"}, "deficient", "oral_or_im", True, False, P_DEF_ORAL),
    # Severe describes a deficiency: an indeterminate or normal case is never "severe".
    ("borderline-hb-5", {"hb": 5}, "indeterminate_needs_mma", "pending_tests", False, False, P_INDET),
    ("normal-hb-5", {"b12": 600, "hb": 5}, "normal", "none", False, False, P_NORMAL),
]


@pytest.mark.parametrize(
    ("changes", "status", "regimen", "oral", "severe", "path"),
    [c[1:] for c in B12_CASES],
    ids=[c[0] for c in B12_CASES],
)
def test_b12_rules_under_source(
    changes: dict[str, Any], status: str, regimen: str, oral: bool, severe: bool, path: tuple[str, ...]
) -> None:
    a = evaluate(case(**changes), guideline="source")
    assert a.b12_status == status
    assert a.regimen == regimen
    assert a.oral_alternative is oral
    assert a.severe is severe
    assert a.decision_path == path
    assert a.guideline == "source"


def test_every_status_and_regimen_is_reached() -> None:
    statuses = {c[2] for c in B12_CASES}
    regimens = {c[3] for c in B12_CASES}
    assert statuses == set(B12_STATUSES)
    assert regimens == set(REGIMENS)
    reached = set()
    for _, changes, *_ in B12_CASES:
        a = evaluate(case(**changes))
        reached.add((a.b12_status, a.regimen))
    # DESIGN.md regimen-by-status: every allowed pair is reached by a concrete case.
    assert reached == {
        ("deficient", "im_neuro"),
        ("deficient", "im_standard"),
        ("deficient", "oral_or_im"),
        ("functional_deficiency", "im_neuro"),
        ("functional_deficiency", "im_standard"),
        ("functional_deficiency", "oral_or_im"),
        ("indeterminate_needs_mma", "pending_tests"),
        ("normal_needs_mma_hcy", "pending_tests"),
        ("not_confirmed", "none"),
        ("normal", "none"),
    }


def test_default_guideline_is_source() -> None:
    assert evaluate(case(b12=179)).guideline == "source"


def test_the_design_example() -> None:
    a = evaluate(Case(age=68, sex="female", b12=179, esr=30, neuro_symptoms=False), guideline="source")
    assert (a.b12_status, a.regimen, a.esr_flag, a.esr_upper_limit) == ("deficient", "oral_or_im", "normal", 39.0)


# (id, age, sex, esr, flag, limit, esr_path)
ESR_CASES = [
    ("man-70-at-limit", 70, "male", 35, "normal", 35.0, ESR_NORMAL),
    ("man-70-one-above", 70, "male", 36, "elevated", 35.0, ESR_ELEVATED),
    ("man-71-35", 71, "male", 35, "normal", 35.5, ESR_NORMAL),
    ("man-71-35.5", 71, "male", 35.5, "normal", 35.5, ESR_NORMAL),
    ("man-71-36", 71, "male", 36, "elevated", 35.5, ESR_ELEVATED),
    ("woman-68-at-limit", 68, "female", 39, "normal", 39.0, ESR_NORMAL),
    ("woman-68-one-above", 68, "female", 40, "elevated", 39.0, ESR_ELEVATED),
    ("woman-71-40", 71, "female", 40, "normal", 40.5, ESR_NORMAL),
    ("woman-71-41", 71, "female", 41, "elevated", 40.5, ESR_ELEVATED),
    ("woman-20-15", 20, "female", 15, "normal", 15.0, ESR_NORMAL),
    ("woman-20-16", 20, "female", 16, "elevated", 15.0, ESR_ELEVATED),
    ("esr-100", 80, "male", 100, "markedly_elevated", 40.0, ESR_MARKED),  # Fincher 1986: 100 or more
    ("esr-99.9", 80, "male", 99.9, "elevated", 40.0, ESR_ELEVATED),
    ("esr-101", 80, "male", 101, "markedly_elevated", 40.0, ESR_MARKED),
    ("esr-100.5", 110, "female", 100.5, "markedly_elevated", 60.0, ESR_MARKED),
    ("esr-0", 16, "male", 0, "normal", 8.0, ESR_NORMAL),
    ("esr-200", 16, "male", 200, "markedly_elevated", 8.0, ESR_MARKED),
]


@pytest.mark.parametrize(
    ("age", "sex", "esr", "flag", "limit", "path"), [c[1:] for c in ESR_CASES], ids=[c[0] for c in ESR_CASES]
)
def test_esr_rules(age: float, sex: str, esr: float, flag: str, limit: float, path: tuple[str, ...]) -> None:
    a = evaluate(Case(age=age, sex=sex, b12=250, esr=esr))
    assert a.esr_flag == flag
    assert a.esr_upper_limit == limit
    assert a.esr_path == path
    # The ESR never moves the B12 plan.
    assert (a.b12_status, a.regimen) == ("indeterminate_needs_mma", "pending_tests")


def test_every_esr_flag_is_reached() -> None:
    assert {c[4] for c in ESR_CASES} == set(ESR_FLAGS)


def test_naive_cutoff_is_reported_separately() -> None:
    # 21 mm/h is above the 20 mm/h people remember, but normal for a woman of 68 (limit 39).
    a = evaluate(case(esr=21))
    assert a.esr_flag == "normal"
    assert a.esr_above_naive_cutoff is True
    assert evaluate(case(esr=20)).esr_above_naive_cutoff is False


# --- Other profiles


@pytest.mark.parametrize(
    ("guideline", "b12", "status"),
    [
        ("source", 190, "indeterminate_needs_mma"),
        ("nice-ng239", 190, "indeterminate_needs_mma"),
        ("bsh-2014", 190, "deficient"),  # BSH: < 200 ng/L
        ("bsh-2014", 199, "deficient"),
        ("bsh-2014", 200, "indeterminate_needs_mma"),
        ("nice-ng239", 179, "deficient"),
        ("nice-ng239", 351, "normal"),
    ],
)
def test_profiles_move_the_b12_band(guideline: str, b12: float, status: str) -> None:
    assert evaluate(case(b12=b12), guideline).b12_status == status


def test_unknown_guideline() -> None:
    with pytest.raises(CaseError) as info:
        evaluate(case(), guideline="who")
    assert info.value.field == "guideline"


def test_bsh_and_nice_treat_borderline_neuro_while_awaiting_mma() -> None:
    for profile in ("bsh-2014", "nice-ng239"):
        a = evaluate(case(neuro_symptoms=True), profile)
        assert (a.b12_status, a.regimen) == ("indeterminate_needs_mma", "im_neuro")
        assert "st_treat_awaiting" in a.decision_path and a.decision_path[-1] == "rx_im_neuro"
        text = _texts(a.next_steps)
        assert "while MMA is awaited" in text and "urgent specialist" in text
    assert any("superseded" in c.text for c in evaluate(case(neuro_symptoms=True), "bsh-2014").caveats)


def test_source_keeps_test_first_but_shows_the_correction_in_the_verdict() -> None:
    source = evaluate(case(neuro_symptoms=True), "source")
    assert (source.b12_status, source.regimen) == ("indeterminate_needs_mma", "pending_tests")  # fixed rules
    text = _texts(source.next_steps)
    # The headline itself says the source's rule differs, with NICE NG239's reading beside it.
    assert source.headline.endswith("(the source's rule; guidelines differ)")
    assert "Under NICE NG239" in source.correction and "neurological regimen" in source.correction
    assert "urgent specialist" in text
    assert any("BSH 2014" in c.citations for c in source.caveats)  # the disagreement is shown, not hidden


def test_nice_offers_active_b12() -> None:
    nice = evaluate(case(), "nice-ng239")
    assert any("holotranscobalamin" in s.text for s in nice.next_steps)
    assert not any("holotranscobalamin" in s.text for s in evaluate(case(), "source").next_steps)


# --- Next steps, pitfalls, monitoring, caveats, warnings


def _texts(statements: Any) -> str:
    return " ".join(s.text for s in statements)


@pytest.mark.parametrize("changes", [{"b12": 179}, {"b12": 99}, {"b12": 179, "neuro_symptoms": True}, {"mma": 300}])
def test_deficiency_next_steps_include_treatment_and_finding_the_cause(changes: dict[str, Any]) -> None:
    a = evaluate(case(**changes))
    text = _texts(a.next_steps)
    assert "Under the source answer, the regimen for this case is" in text  # teaching, not a prescription
    assert "Find the cause" in text
    assert "intrinsic factor" in text


def test_oral_alternative_only_when_not_severe_and_no_neuro() -> None:
    oral = evaluate(case(b12=179))
    assert oral.oral_regimen is not None and "1000–2000 µg" in oral.oral_regimen.text
    assert "cyanocobalamin 1000–2000 µg" in _texts(oral.next_steps).lower()
    for changes in ({"b12": 99}, {"b12": 179, "neuro_symptoms": True}, {"b12": 179, "hb": 7}):
        a = evaluate(case(**changes))
        assert a.oral_alternative is False
        assert a.oral_regimen is None
        assert "cyanocobalamin" not in _texts(a.next_steps).lower()


def test_neuro_regimen_text_and_urgent_advice() -> None:
    a = evaluate(case(b12=179, neuro_symptoms=True))
    assert a.regimen_detail is not None and a.regimen_detail.id == "im_neuro"
    assert "alternate days" in a.regimen_detail.text
    assert "specialist" in _texts(a.next_steps)


def test_risk_factors_are_named_in_the_next_steps() -> None:
    a = evaluate(case(b12=179, risk_factors="metformin"))
    assert "Metformin" in _texts(a.next_steps)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({}, "MMA is measured next"),
        ({"b12": 400, "neuro_symptoms": True}, "Measure MMA and homocysteine"),
        ({"mma": 200}, "not confirmed"),
        ({"b12": 400}, "no B12 treatment"),
        ({"b12": 400, "neuro_symptoms": True, "mma": 200}, "other causes"),
    ],
)
def test_next_steps_without_deficiency(changes: dict[str, Any], words: str) -> None:
    a = evaluate(case(**changes))
    text = _texts(a.next_steps)
    assert words in text
    if a.corrected_regimen in ("im_neuro", "im_standard", "oral_or_im"):
        # The source waits where NICE NG239 treats (neuro, no MMA yet): NICE's regimen is shown, the source's none.
        assert "Under NICE NG239, the regimen for this case is" in text
        assert "Under the source answer, the regimen" not in text
    else:
        assert "the regimen for this case is" not in text
    assert "Find the cause" not in text


def test_every_statement_is_cited_with_known_references() -> None:
    for _, changes, *_ in B12_CASES:
        extra = {"esr": 120, "on_folic_acid": True, "hb": 7.5, "renal_impairment": True}
        a = evaluate(case(**{**extra, **changes}))
        for s in (*a.next_steps, *a.esr_workup, *a.caveats, *a.why):
            assert s.citations, s.text
        for p in a.pitfalls:
            assert p.citations and p.text and p.heading
        for short in a.citations:
            assert short in REFERENCES, short


def _pitfalls(**changes: Any) -> list[str]:
    return list(evaluate(case(**changes)).pitfalls)


def test_folate_before_b12() -> None:
    # On folic acid and B12 status not normal.
    assert "folate_before_b12" in _pitfalls(b12=179, on_folic_acid=True)
    assert "folate_before_b12" in _pitfalls(on_folic_acid=True)  # indeterminate
    assert "folate_before_b12" in _pitfalls(b12=400, neuro_symptoms=True, on_folic_acid=True)  # needs MMA + Hcy
    assert "folate_before_b12" not in _pitfalls(b12=400, on_folic_acid=True)  # normal
    assert "folate_before_b12" not in _pitfalls(b12=179)


def test_neuro_with_normal_b12() -> None:
    assert "neuro_with_normal_b12" in _pitfalls(b12=400, neuro_symptoms=True)
    assert "neuro_with_normal_b12" not in _pitfalls(b12=400)
    assert "neuro_with_normal_b12" not in _pitfalls(b12=150, neuro_symptoms=True)  # B12 is low, not normal


@pytest.mark.parametrize(
    ("changes", "present"),
    [
        ({"b12": 179}, True),
        ({"b12": 99}, True),
        ({"b12": 179, "neuro_symptoms": True}, True),
        ({"mma": 300}, True),
        ({}, False),
        ({"mma": 200}, False),
        ({"b12": 400}, False),
        ({"b12": 400, "neuro_symptoms": True}, False),
    ],
)
def test_do_not_stop_therapy_with_any_treatment(changes: dict[str, Any], present: bool) -> None:
    assert ("do_not_stop_therapy" in _pitfalls(**changes)) is present


@pytest.mark.parametrize(("esr", "present"), [(39, False), (40, True), (101, True)])
def test_esr_needs_own_workup(esr: float, present: bool) -> None:
    assert ("esr_needs_own_workup" in _pitfalls(esr=esr)) is present


@pytest.mark.parametrize(
    ("sex", "hb", "hb_unit", "esr", "present"),
    [
        ("male", 12.9, "g/dL", 40, True),  # man 68: limit 34
        ("male", 13, "g/dL", 40, False),
        ("male", 129, "g/L", 40, True),
        ("male", 130, "g/L", 40, False),
        ("female", 11.9, "g/dL", 40, True),  # woman 68: limit 39
        ("female", 12, "g/dL", 40, False),
        ("female", 11.9, "g/dL", 39, False),  # ESR normal
        ("female", 11.9, "g/dL", 150, True),  # markedly elevated is elevated too
        ("female", None, "g/dL", 150, False),  # Hb not measured
    ],
)
def test_anaemia_can_raise_esr(sex: str, hb: float | None, hb_unit: str, esr: float, present: bool) -> None:
    assert ("anaemia_can_raise_esr" in _pitfalls(sex=sex, hb=hb, hb_unit=hb_unit, esr=esr)) is present


def test_pitfall_objects() -> None:
    a = evaluate(case(b12=179, esr=60, on_folic_acid=True))
    assert a.pitfalls[0] == "folate_before_b12"
    for p in a.pitfalls:
        assert isinstance(p, Pitfall) and isinstance(p, str)
        assert p.id == str(p)
        assert p.to_dict()["id"] == p.id


def test_renal_impairment_caveat_on_mma() -> None:
    assert "renal_impairment_raises_mma" in _pitfalls(mma=300, renal_impairment=True)
    assert "renal_impairment_raises_mma" in _pitfalls(renal_impairment=True)  # MMA about to be measured
    assert "renal_impairment_raises_mma" not in _pitfalls(mma=300)


def test_unit_caveat_for_pmol() -> None:
    a = evaluate(case(b12=150, b12_unit="pmol/L"))
    text = _texts(a.caveats)
    assert "133 pmol/L" in text and "203 pg/mL" in text
    assert not any("pmol/L =" in c.text for c in evaluate(case()).caveats)


def test_monitoring_only_with_treatment() -> None:
    assert evaluate(case(b12=179)).monitoring == PROFILES["source"].monitoring
    assert evaluate(case(b12=179), "nice-ng239").monitoring == PROFILES["nice-ng239"].monitoring
    assert evaluate(case()).monitoring == ()
    assert evaluate(case(b12=400)).monitoring == ()


@pytest.mark.parametrize(
    ("changes", "warned"),
    [({"b12": 2000}, False), ({"b12": 2001}, True), ({"esr": 150}, False), ({"esr": 151}, True)],
)
def test_unusual_values_warn(changes: dict[str, Any], warned: bool) -> None:
    a = evaluate(case(**changes))
    assert bool(a.warnings) is warned


def test_mechanism_nodes_lit() -> None:
    ids = {n.id for n in MECHANISM_GRAPH.nodes}
    a = evaluate(case(b12=150, esr=80, on_folic_acid=True, neuro_symptoms=True, mcv=110, hb=9, homocysteine=30))
    assert {"m_b12", "m_esr", "m_folic", "m_neuro", "m_mcv", "m_anaemia", "m_hcy"} <= a.mechanism_lit
    assert a.mechanism_lit <= ids
    quiet = evaluate(case(b12=600))
    assert quiet.mechanism_lit == frozenset()


def test_decision_and_esr_paths_are_graph_paths() -> None:
    graph = decision_graph(PROFILES["source"])
    for _, changes, *_ in B12_CASES:
        a = evaluate(case(**changes))
        assert graph.is_path(a.decision_path)
        assert graph.is_path(a.esr_path)
        assert not graph.out_edges(a.decision_path[-1])
        assert not graph.out_edges(a.esr_path[-1])


def test_why_explains_each_decision() -> None:
    a = evaluate(case(b12=179))
    text = _texts(a.why)
    assert "B12 179 pg/mL" in text
    assert len(a.why) == (len(a.decision_path) - 1) + (len(a.esr_path) - 1)


def test_labels_exist_for_every_value() -> None:
    assert set(STATUS_LABELS) == set(B12_STATUSES)
    assert set(REGIMEN_LABELS) == set(REGIMENS)
    assert set(ESR_FLAG_LABELS) == set(ESR_FLAGS)
    assert set(STATUS_SEVERITY) == set(B12_STATUSES)
    # Deficiency is the most severe, then functional deficiency; normal the least.
    assert STATUS_SEVERITY["deficient"] > STATUS_SEVERITY["functional_deficiency"] > STATUS_SEVERITY["not_confirmed"]
    assert min(STATUS_SEVERITY, key=STATUS_SEVERITY.__getitem__) == "normal"


def test_to_dict_is_json_with_the_fixed_keys() -> None:
    a = evaluate(case(b12=250, esr=60, mma=300))
    data = json.loads(json.dumps(a.to_dict()))
    for key in ("b12_status", "regimen", "esr_flag", "esr_upper_limit", "pitfalls", "decision_path"):
        assert key in data
    assert data["b12_status"] == "functional_deficiency"
    assert data["esr_flag"] == "elevated"
    assert data["esr_upper_limit"] == 39.0
    assert data["decision_path"] == list(a.decision_path)
    assert [p["id"] for p in data["pitfalls"]] == list(a.pitfalls)
