"""b12logic.validate: one exception type; messages name the field, the bad value and what is allowed."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from b12logic.fields import FIELDS
from b12logic.validate import (
    NUMBER_PATTERN,
    CaseError,
    check_flag,
    check_number,
    check_optional_number,
    check_risk_factors,
    check_sex,
    check_unit,
    normalise_decimal_comma,
    range_message,
)


def test_case_error_is_a_value_error_that_names_the_field() -> None:
    err = CaseError("esr", 250, "esr: 250 mm/h is outside the allowed range (0 to 200 mm/h)")
    assert isinstance(err, ValueError)
    assert err.field == "esr"
    assert err.value == 250
    assert str(err).startswith("esr:")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (68, 68.0),
        (68.5, 68.5),
        ("68", 68.0),
        (" 68 ", 68.0),
        ("68.5", 68.5),
        ("68,5", 68.5),  # decimal comma
        ("+70", 70.0),
        ("1.1e2", 110.0),
        (".5e2", 50.0),
    ],
)
def test_check_number_accepts_plain_numbers(raw: object, expected: float) -> None:
    assert check_number("age", raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1_00", "nan", "NaN", "inf", "-inf", "0x20", "20 years", "1,000.5", "6 8"])
def test_check_number_rejects_junk_strings(raw: str) -> None:
    with pytest.raises(CaseError) as info:
        check_number("age", raw)
    assert info.value.field == "age"
    message = str(info.value)
    assert message.startswith("age:")
    assert "16 to 110 years" in message


@pytest.mark.parametrize("raw", [math.nan, math.inf, -math.inf, float("nan")])
def test_check_number_rejects_non_finite(raw: float) -> None:
    with pytest.raises(CaseError, match=r"^esr: .* is not a finite number \(0 to 200 mm/h\)"):
        check_number("esr", raw)


@pytest.mark.parametrize("raw", [True, False])
def test_check_number_rejects_bools(raw: bool) -> None:
    # True would otherwise pass as 1 mm/h.
    with pytest.raises(CaseError, match=r"^esr: (true|false) is not a number"):
        check_number("esr", raw)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_check_number_missing(raw: object) -> None:
    with pytest.raises(CaseError, match=r"^b12: missing; it is required \(above 0 up to 10000 pg/mL\)"):
        check_number("b12", raw)


@pytest.mark.parametrize("raw", [[1], {"a": 1}, object(), 3j])
def test_check_number_rejects_other_types(raw: object) -> None:
    with pytest.raises(CaseError, match=r"^mcv: .* is not a number \(50 to 150 fL\)"):
        check_number("mcv", raw)


@pytest.mark.parametrize("raw", [10**400, -(10**400), "1" + "0" * 400], ids=["huge", "minus-huge", "huge-text"])
def test_check_number_huge_values_are_case_errors(raw: object) -> None:
    # An int too large for a float used to escape as OverflowError.
    with pytest.raises(CaseError) as info:
        check_number("age", raw)
    assert str(info.value).startswith("age:")
    assert "16 to 110 years" in str(info.value)


def test_range_message_names_field_value_and_range() -> None:
    with pytest.raises(CaseError) as info:
        check_number("age", 15)
    assert str(info.value) == "age: 15 years is outside the allowed range (16 to 110 years)"
    assert str(info.value) == range_message("age", 15.0)


def test_range_message_suggests_the_other_unit() -> None:
    # 120 is a plausible Hb in g/L, typed with the default g/dL.
    with pytest.raises(CaseError) as info:
        check_number("hb", 120, "g/dL")
    message = str(info.value)
    assert message.startswith("hb: 120 g/dL is outside the allowed range (3 to 25 g/dL)")
    assert "did you mean g/L?" in message
    # No hint when the number fits no unit.
    assert "did you mean" not in range_message("hb", 1000.0, "g/dL")


@pytest.mark.parametrize(
    ("name", "unit", "bad"),
    [
        ("b12", "pg/mL", 0),
        ("b12", "pg/mL", 10000.5),
        ("b12", "pmol/L", 7381),
        ("mma", "nmol/L", 0),
        ("mma", "µmol/L", 101),
        ("homocysteine", "µmol/L", 501),
        ("esr", "mm/h", -1),
        ("esr", "mm/h", 201),
        ("mcv", "fL", 49.9),
        ("hb", "g/dL", 2.9),
        ("hb", "g/L", 251),
        ("age", "years", 110.5),
    ],
)
def test_out_of_range_message_contains_allowed_range(name: str, unit: str, bad: float) -> None:
    with pytest.raises(CaseError) as info:
        check_number(name, bad, unit)
    assert info.value.field == name
    assert str(info.value).startswith(f"{name}: ")
    assert FIELDS[name].allowed_range(unit) in str(info.value)


def test_check_optional_number() -> None:
    assert check_optional_number("mma", None) is None
    assert check_optional_number("mma", "  ") is None
    assert check_optional_number("mma", "300") == 300.0
    with pytest.raises(CaseError, match=r"^mma:"):
        check_optional_number("mma", -1)


@pytest.mark.parametrize(
    ("name", "raw", "unit"),
    [("b12", "pmol/l", "pmol/L"), ("b12", "ng/L", "pg/mL"), ("mma", "umol/L", "µmol/L"), ("hb", "G/L", "g/L")],
)
def test_check_unit(name: str, raw: str, unit: str) -> None:
    assert check_unit(name, raw) == unit


@pytest.mark.parametrize(("name", "raw"), [("b12", "mg/dL"), ("b12", "nmol/L"), ("mma", "pg/mL"), ("hb", None)])
def test_check_unit_rejects_units_of_other_fields(name: str, raw: object) -> None:
    with pytest.raises(CaseError) as info:
        check_unit(name, raw)
    assert info.value.field == f"{name}_unit"
    assert str(info.value).startswith(f"{name}_unit: ")
    for unit in FIELDS[name].units:
        assert unit in str(info.value)


@pytest.mark.parametrize(
    ("raw", "sex"), [("female", "female"), ("F", "female"), (" f ", "female"), ("MALE", "male"), ("m", "male")]
)
def test_check_sex(raw: str, sex: str) -> None:
    assert check_sex(raw) == sex


@pytest.mark.parametrize("raw", ["x", "", "fem", None, 1, True])
def test_check_sex_rejects(raw: object) -> None:
    with pytest.raises(CaseError, match=r"^sex: .*female, male, F, M"):
        check_sex(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        (None, False),
        ("", False),
        ("yes", True),
        ("Y", True),
        ("true", True),
        ("1", True),
        (1, True),
        (1.0, True),
        ("no", False),
        ("N", False),
        ("FALSE", False),
        ("0", False),
        (0, False),
    ],
)
def test_check_flag(raw: object, expected: bool) -> None:
    assert check_flag("neuro_symptoms", raw) is expected


@pytest.mark.parametrize(
    "raw", ["maybe", 2, -1, 0.5, "2", [True], 10**400], ids=["maybe", "2", "-1", "0.5", "text-2", "list", "huge"]
)
def test_check_flag_rejects(raw: object) -> None:
    with pytest.raises(CaseError, match=r"^on_folic_acid: .* is not yes or no"):
        check_flag("on_folic_acid", raw)


def test_check_risk_factors() -> None:
    assert check_risk_factors(None) == frozenset()
    assert check_risk_factors("metformin, vegan_diet") == {"metformin", "vegan_diet"}
    assert check_risk_factors(["nitrous_oxide"]) == {"nitrous_oxide"}
    with pytest.raises(CaseError, match=r"^risk_factors: 'smoking' is not known"):
        check_risk_factors("metformin,smoking")
    with pytest.raises(CaseError, match=r"^risk_factors:"):
        check_risk_factors(42)


def test_number_pattern_and_decimal_comma() -> None:
    pattern = re.compile(NUMBER_PATTERN)
    for ok in ("1", "-1", "+1.5", ".5", "5.", "1e3", "1E-3"):
        assert pattern.fullmatch(ok), ok
    for bad in ("", ".", "e3", "1e", "nan", "inf", "1_0", "1.2.3", "--1"):
        assert not pattern.fullmatch(bad), bad
    assert normalise_decimal_comma("12,5") == "12.5"
    assert normalise_decimal_comma("1,000.5") == "1,000.5"
    assert normalise_decimal_comma("1,2,3") == "1,2,3"


def test_numpy_bools_are_bools() -> None:
    # A cell read from a pandas frame is numpy's bool: not a number (True is not 1 mm/h), but a fine yes/no.
    with pytest.raises(CaseError, match=r"^esr: .* is not a number \(0 to 200 mm/h\)"):
        check_number("esr", np.True_)
    assert check_flag("neuro_symptoms", np.True_) is True
    assert check_flag("neuro_symptoms", np.False_) is False


def test_numpy_numbers_are_numbers() -> None:
    assert check_number("esr", np.float64(30.5)) == 30.5
    assert check_number("esr", np.int64(30)) == 30.0
    with pytest.raises(CaseError, match=r"^esr: nan is not a finite number"):
        check_number("esr", np.float64("nan"))
