"""Bad-input catalogue, single values: what a person sees for each odd value they can type.

Each case states the exact message (field, value, allowed range) or the exact plausibility warning.
The same value read from a one-row CSV must give the same message in the row's `error` cell, so the
slider page, the batch page and the command line all say one thing.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from b12logic import Case, CaseError, evaluate
from b12logic.batch import evaluate_frame, read_cases_csv

BASE: dict[str, Any] = {"age": 68, "sex": "female", "b12": 179, "esr": 30}

# (id, overrides, field named by the error, exact message)
REJECTED: list[tuple[str, dict[str, Any], str, str]] = [
    ("age-nan", {"age": math.nan}, "age", "age: nan is not a finite number (16 to 110 years)"),
    ("age-plus-inf", {"age": math.inf}, "age", "age: inf is not a finite number (16 to 110 years)"),
    ("esr-minus-inf", {"esr": -math.inf}, "esr", "esr: -inf is not a finite number (0 to 200 mm/h)"),
    ("mcv-nan", {"mcv": math.nan}, "mcv", "mcv: nan is not a finite number (50 to 150 fL)"),
    ("b12-text-nan", {"b12": "nan"}, "b12", "b12: 'nan' is not a number (above 0 up to 10000 pg/mL)"),
    ("b12-text-inf", {"b12": "inf"}, "b12", "b12: 'inf' is not a number (above 0 up to 10000 pg/mL)"),
    ("age-overflowing-text", {"age": "1e999"}, "age", "age: inf is not a finite number (16 to 110 years)"),
    ("age-negative", {"age": -5}, "age", "age: -5 years is outside the allowed range (16 to 110 years)"),
    ("esr-negative", {"esr": -1}, "esr", "esr: -1 mm/h is outside the allowed range (0 to 200 mm/h)"),
    ("b12-zero", {"b12": 0}, "b12", "b12: 0 pg/mL is outside the allowed range (above 0 up to 10000 pg/mL)"),
    ("mma-zero", {"mma": 0}, "mma", "mma: 0 nmol/L is outside the allowed range (above 0 up to 100000 nmol/L)"),
    (
        "homocysteine-zero",
        {"homocysteine": 0},
        "homocysteine",
        "homocysteine: 0 µmol/L is outside the allowed range (above 0 up to 500 µmol/L)",
    ),
    (
        "b12-absurdly-large",
        {"b12": 1e300},
        "b12",
        "b12: 1e+300 pg/mL is outside the allowed range (above 0 up to 10000 pg/mL)",
    ),
    (
        "b12-huge-integer",
        {"b12": 10**400},
        "b12",
        "b12: 1e400 is outside the allowed range (above 0 up to 10000 pg/mL)",
    ),
    ("esr-just-above", {"esr": 200.5}, "esr", "esr: 200.5 mm/h is outside the allowed range (0 to 200 mm/h)"),
    ("b12-word", {"b12": "abc"}, "b12", "b12: 'abc' is not a number (above 0 up to 10000 pg/mL)"),
    (
        "b12-with-unit-typed",
        {"b12": "179 pg/mL"},
        "b12",
        "b12: '179 pg/mL' is not a number (above 0 up to 10000 pg/mL)",
    ),
    ("b12-underscore", {"b12": "1_000"}, "b12", "b12: '1_000' is not a number (above 0 up to 10000 pg/mL)"),
    ("b12-arabic-digits", {"b12": "١٧٩"}, "b12", "b12: '١٧٩' is not a number (above 0 up to 10000 pg/mL)"),
    ("b12-boolean", {"b12": True}, "b12", "b12: true is not a number (above 0 up to 10000 pg/mL)"),
    ("age-list", {"age": [68]}, "age", "age: '[68]' is not a number (16 to 110 years)"),
    ("b12-empty", {"b12": ""}, "b12", "b12: missing; it is required (above 0 up to 10000 pg/mL)"),
    ("esr-blank", {"esr": "   "}, "esr", "esr: missing; it is required (0 to 200 mm/h)"),
    ("b12-none", {"b12": None}, "b12", "b12: missing; it is required (above 0 up to 10000 pg/mL)"),
    (
        "b12-unit-unknown",
        {"b12_unit": "mg/dL"},
        "b12_unit",
        "b12_unit: 'mg/dL' is not a known unit (one of pg/mL, pmol/L)",
    ),
    (
        "mma-unit-unknown",
        {"mma": 300, "mma_unit": "mmol/L"},
        "mma_unit",
        "mma_unit: 'mmol/L' is not a known unit (one of nmol/L, µmol/L)",
    ),
    ("hb-unit-unknown", {"hb": 12, "hb_unit": "%"}, "hb_unit", "hb_unit: '%' is not a known unit (one of g/dL, g/L)"),
    ("sex-unknown", {"sex": "x"}, "sex", "sex: 'x' is not accepted (one of female, male, F, M)"),
    ("sex-other-word", {"sex": "unknown"}, "sex", "sex: 'unknown' is not accepted (one of female, male, F, M)"),
    ("sex-empty", {"sex": ""}, "sex", "sex: missing; it is required (one of female, male, F, M)"),
    ("age-15", {"age": 15}, "age", "age: 15 years is outside the allowed range (16 to 110 years)"),
    ("age-15.9", {"age": 15.9}, "age", "age: 15.9 years is outside the allowed range (16 to 110 years)"),
    ("age-111", {"age": 111}, "age", "age: 111 years is outside the allowed range (16 to 110 years)"),
    (
        "hb-120-in-g-dl",
        {"hb": 120, "hb_unit": "g/dL"},
        "hb",
        "hb: 120 g/dL is outside the allowed range (3 to 25 g/dL); did you mean g/L?",
    ),
    (
        "hb-12-in-g-l",
        {"hb": 12, "hb_unit": "g/L"},
        "hb",
        "hb: 12 g/L is outside the allowed range (30 to 250 g/L); did you mean g/dL?",
    ),
    (
        "mma-300-in-umol",
        {"mma": 300, "mma_unit": "µmol/L"},
        "mma",
        "mma: 300 µmol/L is outside the allowed range (above 0 up to 100 µmol/L); did you mean nmol/L?",
    ),
    (
        "b12-pg-value-labelled-pmol",
        {"b12": 8000, "b12_unit": "pmol/L"},
        "b12",
        "b12: 8000 pmol/L is outside the allowed range (above 0 up to 7380 pmol/L); did you mean pg/mL?",
    ),
    ("mcv-200", {"mcv": 200}, "mcv", "mcv: 200 fL is outside the allowed range (50 to 150 fL)"),
    (
        "homocysteine-600",
        {"homocysteine": 600},
        "homocysteine",
        "homocysteine: 600 µmol/L is outside the allowed range (above 0 up to 500 µmol/L)",
    ),
    (
        "neuro-maybe",
        {"neuro_symptoms": "maybe"},
        "neuro_symptoms",
        "neuro_symptoms: 'maybe' is not yes or no (yes/no/true/false/y/n/1/0)",
    ),
    (
        "folic-2",
        {"on_folic_acid": 2},
        "on_folic_acid",
        "on_folic_acid: 2 is not yes or no (yes/no/true/false/y/n/1/0)",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED])
def test_rejected_value_names_field_value_and_range(overrides: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(CaseError) as info:
        Case(**{**BASE, **overrides})
    assert str(info.value) == message
    assert info.value.field == field


# The same values as a laboratory export writes them: text cells in a one-row CSV.
AS_CSV_CELLS = [r for r in REJECTED if all(isinstance(v, str) for v in r[1].values())] + [
    ("age-nan-cell", {"age": "NaN"}, "age", "age: 'NaN' is not a number (16 to 110 years)"),
    ("b12-minus-inf-cell", {"b12": "-inf"}, "b12", "b12: '-inf' is not a number (above 0 up to 10000 pg/mL)"),
    ("b12-zero-cell", {"b12": "0"}, "b12", "b12: 0 pg/mL is outside the allowed range (above 0 up to 10000 pg/mL)"),
    ("age-15-cell", {"age": "15"}, "age", "age: 15 years is outside the allowed range (16 to 110 years)"),
    (
        "hb-120-cell",
        {"hb": "120"},
        "hb",
        "hb: 120 g/dL is outside the allowed range (3 to 25 g/dL); did you mean g/L?",
    ),
    (
        "b12-huge-cell",
        {"b12": "9" * 30},
        "b12",
        "b12: 1e+30 pg/mL is outside the allowed range (above 0 up to 10000 pg/mL)",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "message"), [(r[1], r[3]) for r in AS_CSV_CELLS], ids=[r[0] for r in AS_CSV_CELLS]
)
def test_same_message_in_a_csv_rows_error_cell(overrides: dict[str, str], message: str) -> None:
    row = {**{k: str(v) for k, v in BASE.items()}, **overrides}
    header = ",".join(row)
    line = ",".join(f'"{v}"' for v in row.values())
    out = evaluate_frame(read_cases_csv(f"{header}\n{line}\n".encode()))
    assert len(out) == 1
    assert out.loc[0, "error"] == message
    assert out[["b12_status", "regimen", "esr_flag"]].isna().all(axis=None)


@pytest.mark.parametrize(
    ("overrides", "value"),
    [
        ({"esr": "12,5"}, 12.5),  # a decimal comma, as European laboratory exports write it
        ({"age": " 68 "}, 68.0),  # spaces around a number
        ({"age": 16}, 16.0),  # boundaries are inclusive where DESIGN.md says "16–110"
        ({"age": 110}, 110.0),
        ({"esr": 0}, 0.0),
        ({"esr": 200}, 200.0),
        ({"b12": 10000}, 10000.0),
        ({"b12": "+179"}, 179.0),
    ],
)
def test_odd_but_valid_spellings_are_accepted(overrides: dict[str, Any], value: float) -> None:
    case = Case(**{**BASE, **overrides})
    (name,) = overrides
    assert getattr(case, name) == value


# (id, overrides, exact warnings beside the verdict)
WARNED: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("ordinary-case", {}, ()),
    # A B12 result in pmol/L typed as pg/mL is 26% too low: only at the extremes is that visibly wrong.
    ("b12-20-pg", {"b12": 20}, ("B12 20 pg/mL is implausibly low: check the unit and the result.",)),
    (
        "b12-15-pmol",
        {"b12": 15, "b12_unit": "pmol/L"},
        ("B12 15 pmol/L is implausibly low: check the unit and the result.",),
    ),
    (
        "b12-2500-pg",
        {"b12": 2500},
        ("B12 2500 pg/mL is unusually high: check for recent injections or a unit slip.",),
    ),
    (
        "pg-value-labelled-pmol",
        {"b12": 2500, "b12_unit": "pmol/L"},
        ("B12 3388 pg/mL is unusually high: check for recent injections or a unit slip.",),
    ),
    ("esr-180", {"esr": 180}, ("ESR 180 mm/h is unusually high: confirm the result with the laboratory.",)),
    (
        "mma-umol-value-in-nmol",
        {"mma": 0.3},
        (
            "MMA 0.3 nmol/L is implausibly low: was it reported in µmol/L? (0.3 µmol/L is 300 nmol/L.) This verdict "
            "reads the MMA as not measured until the unit is checked.",
        ),
    ),
    (
        "mma-nmol-value-in-umol",
        {"mma": 0.005, "mma_unit": "µmol/L"},
        (
            "MMA 0.005 µmol/L is implausibly low: check the unit and the result. This verdict reads the MMA as not "
            "measured until the unit is checked.",
        ),
    ),
    ("mma-at-10-nmol-is-read", {"mma": 10}, ()),
    (
        "two-at-once",
        {"b12": 5000, "esr": 190},
        (
            "B12 5000 pg/mL is unusually high: check for recent injections or a unit slip.",
            "ESR 190 mm/h is unusually high: confirm the result with the laboratory.",
        ),
    ),
]


@pytest.mark.parametrize(("overrides", "warnings"), [r[1:] for r in WARNED], ids=[r[0] for r in WARNED])
def test_plausibility_warnings(overrides: dict[str, Any], warnings: tuple[str, ...]) -> None:
    assessment = evaluate(Case(**{**BASE, **overrides}))
    assert assessment.warnings == warnings


def test_unknown_guideline_is_a_named_error() -> None:
    with pytest.raises(CaseError) as info:
        evaluate(Case(**BASE), guideline="who-1999")
    assert str(info.value) == "guideline: 'who-1999' is not a known profile (one of source, nice-ng239, bsh-2014)"
    assert info.value.field == "guideline"


def test_long_bad_text_is_quoted_back_shortened() -> None:
    with pytest.raises(CaseError) as info:
        Case(**{**BASE, "sex": "x" * 10_000})
    assert str(info.value) == f"sex: {'x' * 37 + '...'!r} is not accepted (one of female, male, F, M)"
