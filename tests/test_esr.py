"""b12logic.esr: the Miller 1983 upper limit, the flags, and the ESR's own work-up."""

from __future__ import annotations

import numpy as np
import pytest

from b12logic.esr import (
    ESR_FLAGS,
    MARKED_ESR,
    Statement,
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
        (100.0, 40.0, "elevated"),  # 100 is not markedly elevated (strict >)
        (100.5, 40.0, "markedly_elevated"),
        (101.0, 40.0, "markedly_elevated"),
        (200.0, 60.0, "markedly_elevated"),
    ],
)
def test_flag_boundaries(esr: float, limit: float, flag: str) -> None:
    assert esr_flag(esr, limit) == flag


def _texts(steps: tuple[Statement, ...]) -> str:
    return " ".join(s.text for s in steps)


def test_normal_esr_needs_no_workup() -> None:
    steps = esr_workup("normal", 70)
    assert len(steps) == 1
    assert "CRP" not in _texts(steps)


def test_elevated_esr_workup() -> None:
    text = _texts(esr_workup("elevated", 40))
    assert "CRP" in text
    for cause in ("infection", "malignancy", "myeloma", "autoimmune"):
        assert cause in text
    assert "giant cell arteritis" not in text  # under 50
    assert "100 mm/h" not in text


def test_older_patients_are_asked_about_gca_and_pmr() -> None:
    text = _texts(esr_workup("elevated", 50))
    assert "giant cell arteritis" in text and "polymyalgia" in text


def test_markedly_elevated_is_urgent_and_first() -> None:
    steps = esr_workup("markedly_elevated", 30)
    assert "100 mm/h" in steps[0].text and "urgent" in steps[0].text.lower()
    assert "Fincher 1986" in steps[0].citations
    assert len(steps) == len(esr_workup("elevated", 30)) + 1


@pytest.mark.parametrize("flag", ESR_FLAGS)
def test_every_workup_statement_is_cited(flag: str) -> None:
    for step in esr_workup(flag, 75):
        assert step.citations
        for short in step.citations:
            assert short in REFERENCES


def test_statement_brief() -> None:
    assert Statement("long text", ("source",), "short").brief == "short"
    assert Statement("long text").brief == "long text"
