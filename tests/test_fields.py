"""b12logic.fields: one spec per input, with the fixed valid ranges of DESIGN.md."""

from __future__ import annotations

import math

import pytest

from b12logic import Case
from b12logic.fields import (
    CSV_COLUMNS,
    FALSE_WORDS,
    FIELDS,
    REQUIRED_COLUMNS,
    RISK_FACTORS,
    SEX_ALIASES,
    TRUE_WORDS,
    UNIT_FIELDS,
    Limits,
    format_value,
)

# DESIGN.md "Valid input ranges (fixed)": (field, unit, lowest valid, highest valid, is the low end inclusive).
DESIGN_RANGES = [
    ("age", "years", 16, 110, True),
    ("b12", "pg/mL", 0, 10000, False),
    ("b12", "pmol/L", 0, 10000 * 0.738, False),
    ("mma", "nmol/L", 0, 100000, False),
    ("mma", "µmol/L", 0, 100, False),
    ("homocysteine", "µmol/L", 0, 500, False),
    ("esr", "mm/h", 0, 200, True),
    ("mcv", "fL", 50, 150, True),
    ("hb", "g/dL", 3, 25, True),
    ("hb", "g/L", 30, 250, True),
    ("active_b12", "pmol/L", 0, 1000, False),
    ("crp", "mg/L", 0, 500, True),
    ("crp", "mg/dL", 0, 50, True),
]


def test_csv_columns_are_the_contract() -> None:
    """DESIGN.md's columns, in order; inputs added later come after them (columns are added, never renamed)."""
    assert CSV_COLUMNS[:18] == (
        "id",
        "age",
        "sex",
        "b12",
        "b12_unit",
        "mma",
        "mma_unit",
        "homocysteine",
        "esr",
        "mcv",
        "hb",
        "hb_unit",
        "neuro_symptoms",
        "on_folic_acid",
        "active_b12",
        "crp",
        "crp_unit",
        "pregnant",
    )
    assert set(REQUIRED_COLUMNS) == {"age", "sex", "b12", "esr"}


def test_every_csv_column_has_a_spec_or_is_a_unit_column() -> None:
    assert UNIT_FIELDS == {"b12_unit": "b12", "mma_unit": "mma", "hb_unit": "hb", "crp_unit": "crp"}
    for column in CSV_COLUMNS:
        assert column == "id" or column in FIELDS or column in UNIT_FIELDS
    for name, spec in FIELDS.items():
        assert spec.name == name
        assert spec.label.strip()
        assert spec.help.strip()
        assert spec.kind in ("number", "choice", "flag")


@pytest.mark.parametrize(("name", "unit", "low", "high", "low_inclusive"), DESIGN_RANGES)
def test_hard_limits_match_design(name: str, unit: str, low: float, high: float, low_inclusive: bool) -> None:
    lim = FIELDS[name].limits[unit]
    assert lim.low == pytest.approx(low)
    assert lim.high == pytest.approx(high)
    assert lim.low_inclusive is low_inclusive
    assert lim.contains(high)
    assert not lim.contains(math.nextafter(high, math.inf))
    assert lim.contains(low) is low_inclusive
    assert lim.contains(math.nextafter(low, math.inf))
    assert not lim.contains(math.nextafter(low, -math.inf))


def test_every_number_field_has_limits_and_sliders_for_every_unit() -> None:
    for spec in FIELDS.values():
        if spec.kind != "number":
            continue
        assert spec.units, spec.name
        assert set(spec.limits) == set(spec.units)
        assert set(spec.slider) == set(spec.units)


def test_default_units() -> None:
    assert FIELDS["b12"].default_unit == "pg/mL"
    assert FIELDS["mma"].default_unit == "nmol/L"
    assert FIELDS["hb"].default_unit == "g/dL"
    assert FIELDS["sex"].default_unit == ""


def test_sliders_sit_inside_the_hard_limits() -> None:
    for spec in FIELDS.values():
        for unit, slider in spec.slider.items():
            lim = spec.limits[unit]
            assert lim.contains(slider.low), (spec.name, unit)
            assert lim.contains(slider.high), (spec.name, unit)
            assert slider.low < slider.high
            assert 0 < slider.step <= slider.high - slider.low


@pytest.mark.parametrize(
    ("name", "unit", "thresholds"),
    [
        # Sliders must let a student cross every threshold of the default profile.
        ("b12", "pg/mL", (99, 100, 179, 180, 350, 351)),
        ("b12", "pmol/L", (99 * 0.738, 180 * 0.738, 351 * 0.738)),
        ("mma", "nmol/L", (271, 272)),
        ("mma", "µmol/L", (0.271, 0.272)),
        ("esr", "mm/h", (35.5, 100, 101)),
        ("hb", "g/dL", (7.9, 8, 12, 13)),
        ("hb", "g/L", (79, 80, 120, 130)),
    ],
)
def test_sliders_cross_every_threshold(name: str, unit: str, thresholds: tuple[float, ...]) -> None:
    slider = FIELDS[name].slider[unit]
    for value in thresholds:
        assert slider.low <= value <= slider.high, (name, unit, value)


def test_defaults_make_a_valid_case() -> None:
    defaults = {name: spec.default for name, spec in FIELDS.items()}
    case = Case(**defaults)  # type: ignore[arg-type]
    assert case.age == FIELDS["age"].default
    assert case.mma is None
    assert case.hb is None
    for spec in FIELDS.values():
        if spec.kind == "number" and spec.default is not None:
            assert spec.limits[spec.default_unit].contains(spec.default)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "unit", "text"),
    [
        ("age", None, "16 to 110 years"),
        ("b12", None, "above 0 up to 10000 pg/mL"),
        ("b12", "pmol/L", "above 0 up to 7380 pmol/L"),
        ("mma", None, "above 0 up to 100000 nmol/L"),
        ("mma", "µmol/L", "above 0 up to 100 µmol/L"),
        ("homocysteine", None, "above 0 up to 500 µmol/L"),
        ("esr", None, "0 to 200 mm/h"),
        ("mcv", None, "50 to 150 fL"),
        ("hb", None, "3 to 25 g/dL"),
        ("hb", "g/L", "30 to 250 g/L"),
        ("sex", None, "one of female, male"),
        ("neuro_symptoms", None, "yes or no"),
    ],
)
def test_allowed_range_text(name: str, unit: str | None, text: str) -> None:
    assert FIELDS[name].allowed_range(unit) == text


def test_limits_contains_respects_exclusive_low() -> None:
    assert not Limits(0, 10, low_inclusive=False).contains(0)
    assert Limits(0, 10).contains(0)
    assert not Limits(0, 10).contains(math.nan)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (12.0, "12"),
        (12, "12"),
        (7.9, "7.9"),
        (-5.0, "-5"),
        (math.nan, "nan"),
        (math.inf, "inf"),
        ("abc", "'abc'"),
        ("x" * 100, repr("x" * 37 + "...")),
        (None, "'None'"),
    ],
)
def test_format_value(value: object, text: str) -> None:
    assert format_value(value) == text


def test_format_value_of_a_huge_integer_does_not_raise() -> None:
    # An int too large for a float must still be quoted back in a message, not crash the validator.
    assert isinstance(format_value(10**400), str)
    assert format_value(10**400)


def test_words_accepted_for_sex_and_flags() -> None:
    # DESIGN.md: sex accepts female/male/F/M; booleans accept yes/no/true/false/y/n/1/0 (blank = no).
    for word in ("female", "f"):
        assert SEX_ALIASES[word] == "female"
    for word in ("male", "m"):
        assert SEX_ALIASES[word] == "male"
    assert {"yes", "true", "y", "1"} <= TRUE_WORDS
    assert {"no", "false", "n", "0", ""} <= FALSE_WORDS
    assert not TRUE_WORDS & FALSE_WORDS
    assert FIELDS["sex"].choices == ("female", "male")


def test_risk_factors_named() -> None:
    assert {"metformin", "vegan_diet", "nitrous_oxide", "pernicious_anaemia"} <= set(RISK_FACTORS)
    assert all(text.strip() for text in RISK_FACTORS.values())


def test_the_case_and_the_cli_take_every_field() -> None:
    """FIELDS is the roster: the Case has a keyword for each input and unit, and the CLI an option with its unit
    and range in the help."""
    from b12logic.case import Case
    from b12logic.cli import _parser

    assert set(FIELDS) | set(UNIT_FIELDS) <= set(Case.__dataclass_fields__)
    evaluate = _parser()._subparsers._group_actions[0].choices["evaluate"]  # type: ignore[union-attr]
    options = {o: a for a in evaluate._actions for o in a.option_strings}
    for spec in FIELDS.values():
        assert options[spec.option].dest == spec.name
        if spec.kind == "number":
            assert spec.allowed_range() in (options[spec.option].help or "")
    assert "--neuro" in options and "--b12-unit" in options  # the fixed contract's names


def test_added_inputs_are_typed_beside_their_specs() -> None:
    """Each added input (FieldSpec added=True) has its typed line in fields.AddedInputs, with its spec's default
    (and its unit's, the spec's first unit), and AddedInputs holds nothing else: the Case inherits exactly these."""
    from dataclasses import MISSING, fields

    from b12logic.case import Case
    from b12logic.fields import AddedInputs

    typed = {f.name: f for f in fields(AddedInputs)}
    added = [spec for spec in FIELDS.values() if spec.added]
    expected = {spec.name for spec in added} | {spec.unit_field for spec in added if spec.unit_field}
    assert set(typed) == expected
    for spec in added:
        assert typed[spec.name].default == spec.default and typed[spec.name].default is not MISSING
        if spec.unit_field:
            assert typed[spec.unit_field].default == spec.units[0]
    assert issubclass(Case, AddedInputs)
    assert all(f.kw_only for f in fields(Case) if f.name in typed)
