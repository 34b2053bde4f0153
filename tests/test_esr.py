"""b12logic.esr: the Miller 1983 upper limit, the flags, and the ESR's own work-up."""

from __future__ import annotations

import numpy as np
import pytest

from b12logic import Case, evaluate
from b12logic.esr import (
    ESR_FLAGS,
    MARKED_ESR,
    Statement,
    crp_state,
    esr_flag,
    esr_upper_limit,
    esr_upper_limit_array,
    esr_workup,
)
from b12logic.references import REFERENCES


def test_flag_values_are_the_contract() -> None:
    assert ESR_FLAGS == ("normal", "elevated", "markedly_elevated")
    assert MARKED_ESR == 100.0


@pytest.mark.parametrize(
    ("age", "sex", "limit"),
    [
        (70, "male", 35.0),
        (71, "male", 35.5),  # half-integer limit
        (16, "male", 8.0),
        (110, "male", 55.0),
        (68, "female", 39.0),  # (68 + 10) / 2
        (71, "female", 40.5),
        (16, "female", 13.0),
        (110, "female", 60.0),
    ],
)
def test_miller_upper_limit(age: float, sex: str, limit: float) -> None:
    assert esr_upper_limit(age, sex) == limit


def test_array_limit_matches_scalar() -> None:
    ages = np.array([16.0, 45.5, 71.0, 110.0, 68.0])
    female = np.array([True, False, False, True, True])
    expected = [esr_upper_limit(a, "female" if f else "male") for a, f in zip(ages, female, strict=True)]
    assert esr_upper_limit_array(ages, female).tolist() == expected


@pytest.mark.parametrize(
    ("esr", "limit", "flag"),
    [
        (35.0, 35.0, "normal"),  # at the limit: not elevated (strict >)
        (36.0, 35.0, "elevated"),
        (35.0, 35.5, "normal"),
        (36.0, 35.5, "elevated"),
        (35.5, 35.5, "normal"),
        (0.0, 8.0, "normal"),
        (100.0, 40.0, "markedly_elevated"),  # 100 or more (Fincher 1986 studied ESR >= 100)
        (99.99, 40.0, "elevated"),
        (100.5, 40.0, "markedly_elevated"),
        (101.0, 40.0, "markedly_elevated"),
        (200.0, 60.0, "markedly_elevated"),
    ],
)
def test_flag_boundaries(esr: float, limit: float, flag: str) -> None:
    assert esr_flag(esr, limit) == flag


def _texts(steps: tuple[Statement, ...]) -> str:
    return " ".join(s.text for s in steps)


def test_normal_esr_needs_no_workup_but_does_not_exclude_gca_from_50() -> None:
    young = esr_workup("normal", 40)
    assert len(young) == 1 and "CRP" not in _texts(young)
    older = _texts(esr_workup("normal", 70))
    assert "does not exclude giant cell arteritis" in older
    assert "emergency" not in older  # the emergency text is for a raised ESR


def test_elevated_esr_workup() -> None:
    steps = esr_workup("elevated", 40)
    text = _texts(steps)
    assert "CRP" in text and "19 hours" in text
    assert any("Vigushin 1993" in s.citations for s in steps if "CRP" in s.text)
    assert not any(c == "ICSH 2011" for s in steps if "giant cell" in s.text for c in s.citations)
    for cause in ("infection", "malignancy", "myeloma", "inflammatory disease"):
        assert cause in text
    assert "giant cell arteritis" not in text  # under 50
    assert "100 mm/h" not in text


def test_older_patients_with_a_raised_esr_get_the_gca_emergency_steps() -> None:
    steps = esr_workup("elevated", 50)
    (gca,) = [s for s in steps if "giant cell arteritis" in s.text]
    assert "polymyalgia" in gca.text
    assert "emergency" in gca.text and "without waiting for results" in gca.text and "same working day" in gca.text
    assert gca.citations == ("BSR 2020",)
    assert steps[0] is gca  # a safety step comes first


@pytest.mark.parametrize(
    ("crp", "flag", "words"),
    [
        ("raised", "elevated", "active inflammation"),
        ("normal", "elevated", "points away from active inflammation"),
        ("normal", "markedly_elevated", "paraprotein"),
        ("raised", "normal", "early inflammation; find its cause"),
    ],
)
def test_esr_and_crp_are_read_together(crp: str, flag: str, words: str) -> None:
    steps = esr_workup(flag, 40, crp=crp, crp_limit_mg_l=10)
    text = _texts(steps)
    assert words in text
    assert "10 mg/L" in text  # the laboratory's own limit, named
    assert "Check CRP" not in text


def test_pregnancy_uses_the_pregnancy_ranges_not_the_age_rule() -> None:
    assert esr_upper_limit(30, "female", pregnant=True) == 70.0
    text = _texts(esr_workup("normal", 30, pregnant=True))
    assert "does not apply" in text and "13–70" in text


def test_crp_state_boundaries() -> None:
    assert crp_state(None) == "not_measured"
    assert crp_state(5.0) == "normal" and crp_state(5.0001) == "raised"
    assert crp_state(9.0, limit_mg_l=10) == "normal"


def test_markedly_elevated_is_urgent_and_first() -> None:
    steps = esr_workup("markedly_elevated", 30)
    assert "100 mm/h" in steps[0].text and "urgent" in steps[0].text.lower()
    assert steps[0].citations == ("Fincher 1986",)
    assert steps[0].kind == "do_now" and steps[0].text.startswith("Investigate")  # an instruction
    # The figures follow once, as background: the percentages are of the >= 100 group, not of the 1,006.
    (figures,) = [s for s in steps if "4.2%" in s.text]
    assert figures.kind == "background" and "among those" in figures.text
    assert len(steps) == len(esr_workup("elevated", 30)) + 2


@pytest.mark.parametrize("flag", ESR_FLAGS)
def test_every_workup_statement_is_cited(flag: str) -> None:
    for step in esr_workup(flag, 75):
        assert step.citations
        for short in step.citations:
            assert short in REFERENCES


def test_statement_brief() -> None:
    assert Statement("long text", ("source",), "short").brief == "short"
    assert Statement("long text").brief == "long text"


@pytest.mark.parametrize(
    ("esr", "above"),
    [(47.0, ""), (47.1, "second"), (57.0, "second"), (57.1, "first and second"), (70.0, "first and second")],
)
def test_pregnant_esr_is_placed_against_each_trimesters_range(esr: float, above: str) -> None:
    """No trimester is recorded, so an ESR within 70 mm/h is placed against the second trimester's top (47, the
    lowest) and the first's (57) too (independent read, session 6: 48–70 was read as 'no work-up')."""
    steps = esr_workup("normal", 30, pregnant=True, esr=esr)
    text = " ".join(s.text for s in steps)
    assert ("above the second-trimester range" in text) is (above == "second")
    assert ("above the first- and second-trimester ranges" in text) is (above == "first and second")
    assert ("in the third trimester the ESR itself calls for no work-up" in text) is bool(above)
    assert ("ESR within the limit: the ESR itself calls for no work-up" in text) is (not above)
    a = evaluate(Case(age=30, sex="female", b12=300, esr=esr, pregnant=True))
    # The label agrees with the reading, and says when it is raised: above 47 mm/h it is in range only in a later
    # trimester (s11, U-4; s12: "within the range only in the third trimester" was read as normal).
    label = {
        "": "ESR within the pregnancy range",
        "second": "ESR raised if in the second trimester",
        "first and second": "ESR raised unless in the third trimester",
    }[above]
    assert a.esr_flag == "normal" and a.esr_flag_label == label
    assert tuple(a.esr_workup) == tuple(steps)
