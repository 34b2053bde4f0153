"""b12logic.case: a Case is validated and normalised when it is built, and frozen afterwards."""

from __future__ import annotations

import dataclasses
import math

import pytest

from b12logic import Case, CaseError
from b12logic.fields import CSV_COLUMNS, FIELDS

BASE: dict[str, object] = {"age": 68, "sex": "female", "b12": 250, "esr": 30}


def make(**changes: object) -> Case:
    return Case(**{**BASE, **changes})  # type: ignore[arg-type]


def test_normalises_inputs() -> None:
    case = Case(
        age="68",  # type: ignore[arg-type]
        sex=" F ",
        b12="133,5",  # type: ignore[arg-type]
        b12_unit="pmol/l",
        esr=" 30 ",  # type: ignore[arg-type]
        mma="",  # type: ignore[arg-type]
        mma_unit="umol/l",
        hb="120",  # type: ignore[arg-type]
        hb_unit="G/L",
        neuro_symptoms="yes",  # type: ignore[arg-type]
        on_folic_acid="0",  # type: ignore[arg-type]
        id=7,  # type: ignore[arg-type]
    )
    assert case.age == 68.0
    assert case.sex == "female"
    assert case.b12 == 133.5
    assert case.b12_unit == "pmol/L"
    assert case.esr == 30.0
    assert case.mma is None
    assert case.mma_unit == "µmol/L"
    assert case.hb == 120.0
    assert case.hb_unit == "g/L"
    assert case.neuro_symptoms is True
    assert case.on_folic_acid is False
    assert case.id == "7"


def test_defaults() -> None:
    case = make()
    assert (case.b12_unit, case.mma_unit, case.hb_unit) == ("pg/mL", "nmol/L", "g/dL")
    assert case.mma is None and case.homocysteine is None and case.mcv is None and case.hb is None
    assert case.neuro_symptoms is False and case.on_folic_acid is False and case.renal_impairment is False
    assert case.risk_factors == frozenset()
    assert case.id is None


def test_frozen() -> None:
    case = make()
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.b12 = 100  # type: ignore[misc]


def test_values_in_the_engine_units() -> None:
    case = make(b12=132.84, b12_unit="pmol/L", mma=0.3, mma_unit="µmol/L", hb=79, hb_unit="g/L")
    assert case.b12_pg_ml == pytest.approx(180)
    assert case.mma_nmol_l == pytest.approx(300)
    assert case.hb_g_dl == pytest.approx(7.9)
    plain = make(b12=179, mma=271, hb=12.5)
    assert (plain.b12_pg_ml, plain.mma_nmol_l, plain.hb_g_dl) == (179, 271, 12.5)
    missing = make()
    assert missing.mma_nmol_l is None and missing.hb_g_dl is None


def test_to_dict_has_every_csv_column() -> None:
    data = make(risk_factors="vegan_diet,metformin").to_dict()
    assert set(CSV_COLUMNS) <= set(data)
    assert data["risk_factors"] == ["metformin", "vegan_diet"]
    assert data["sex"] == "female"


def test_limits_depend_on_the_unit() -> None:
    # 8000 is fine in pg/mL but above 10000 pg/mL (= 7380 pmol/L) in pmol/L.
    assert make(b12=8000).b12 == 8000
    with pytest.raises(
        CaseError, match=r"^b12: 8000 pmol/L is outside the allowed range \(above 0 up to 7380 pmol/L\)"
    ):
        make(b12=8000, b12_unit="pmol/L")
    assert make(b12=7380, b12_unit="pmol/L").b12_pg_ml == pytest.approx(10000)
    assert make(hb=120, hb_unit="g/L").hb == 120
    with pytest.raises(CaseError, match=r"^hb: 120 g/dL .*3 to 25 g/dL.*did you mean g/L\?"):
        make(hb=120)


def test_the_unit_is_checked_before_the_number() -> None:
    with pytest.raises(CaseError) as info:
        make(b12=-5, b12_unit="mg/dL")
    assert info.value.field == "b12_unit"


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("age", 15),
        ("age", 111),
        ("age", "abc"),
        ("age", math.nan),
        ("age", True),
        ("sex", "unknown"),
        ("sex", None),
        ("b12", 0),
        ("b12", -1),
        ("b12", 10001),
        ("b12", math.inf),
        ("b12", None),
        ("esr", -0.5),
        ("esr", 200.5),
        ("esr", "fast"),
        ("mma", 0),
        ("mma", 100001),
        ("homocysteine", 0),
        ("homocysteine", 600),
        ("mcv", 49),
        ("mcv", 151),
        ("hb", 2),
        ("hb", 26),
        ("hb", False),
        ("neuro_symptoms", "perhaps"),
        ("on_folic_acid", 3),
        ("renal_impairment", "x"),
        ("risk_factors", "smoking"),
        ("b12_unit", "mmol/L"),
        ("mma_unit", "mg/L"),
        ("hb_unit", "mmol/L"),
    ],
)
def test_bad_values_raise_case_error_naming_the_field(field: str, bad: object) -> None:
    with pytest.raises(CaseError) as info:
        make(**{field: bad})
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    spec = FIELDS.get(field)
    if spec is not None and spec.kind == "number":
        assert spec.allowed_range() in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age", 16),
        ("age", 110),
        ("esr", 0),
        ("esr", 200),
        ("b12", 10000),
        ("b12", 0.001),
        ("mma", 100000),
        ("homocysteine", 500),
        ("mcv", 50),
        ("mcv", 150),
        ("hb", 3),
        ("hb", 25),
    ],
)
def test_range_ends_are_valid(field: str, value: float) -> None:
    assert getattr(make(**{field: value}), field) == value


def test_unusual_but_valid_values_are_not_errors() -> None:
    # DESIGN.md: B12 above 2000 pg/mL or ESR above 150 mm/h may warn, never fail.
    case = make(b12=2500, esr=160)
    assert case.b12 == 2500 and case.esr == 160
