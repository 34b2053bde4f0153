"""b12logic.units: the conversion factors of clinical-facts.md, aliases, and round trips."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from b12logic import units
from b12logic.units import (
    B12_UNITS,
    HB_UNITS,
    MMA_UNITS,
    PMOL_PER_PG,
    b12_convert,
    b12_to_pg_ml,
    b12_to_pmol_l,
    canonical_unit,
    hb_convert,
    hb_to_g_dl,
    mma_convert,
    mma_to_nmol_l,
)


def test_factor_is_the_one_in_clinical_facts() -> None:
    # 1 pg/mL = 1 ng/L = 0.738 pmol/L; pmol/L × 1.355 = pg/mL.
    assert PMOL_PER_PG == 0.738
    assert abs(1 / PMOL_PER_PG - 1.355) < 0.001


def test_default_units_come_first() -> None:
    # DESIGN.md: units default to pg/mL, nmol/L and g/dL.
    assert B12_UNITS == ("pg/mL", "pmol/L")
    assert MMA_UNITS == ("nmol/L", "µmol/L")
    assert HB_UNITS == ("g/dL", "g/L")


def test_the_sources_unit_pair_is_wrong() -> None:
    # "< 180 pg/mL (< 150 pmol/L)": 180 pg/mL is 133 pmol/L, and 150 pmol/L is about 203 pg/mL.
    assert b12_to_pmol_l(180) == pytest.approx(132.84)
    assert round(b12_to_pmol_l(180)) == 133
    assert round(b12_to_pg_ml(150)) == 203
    assert round(b12_to_pmol_l(180)) != 150


@pytest.mark.parametrize("pg_ml", [99, 100, 179, 180, 350, 351])
def test_threshold_values_survive_a_round_trip_exactly(pg_ml: int) -> None:
    # The boundary cases of the engine tests are given in pmol/L as pg/mL × 0.738: they must land back exactly.
    assert b12_to_pg_ml(pg_ml * PMOL_PER_PG, "pmol/L") == pg_ml


def test_same_unit_is_identity() -> None:
    assert b12_to_pg_ml(250.5, "pg/mL") == 250.5
    assert b12_to_pmol_l(250.5, "pmol/L") == 250.5
    assert b12_convert(250.5, "pmol/L", "pmol/L") == 250.5
    assert mma_to_nmol_l(300.0, "nmol/L") == 300.0
    assert hb_to_g_dl(12.5, "g/dL") == 12.5
    assert hb_convert(125.0, "g/L", "g/L") == 125.0


def test_mma_and_hb_factors() -> None:
    assert mma_to_nmol_l(0.271, "µmol/L") == 271.0
    assert mma_to_nmol_l(0.272, "µmol/L") == 272.0
    assert mma_convert(300, "nmol/L", "µmol/L") == pytest.approx(0.3)
    assert mma_convert(0.3, "µmol/L", "nmol/L") == pytest.approx(300)
    assert hb_to_g_dl(79, "g/L") == pytest.approx(7.9)
    assert hb_to_g_dl(79, "g/L") < 8
    assert hb_convert(12, "g/dL", "g/L") == 120
    assert hb_convert(120, "g/L", "g/dL") == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pg/mL", "pg/mL"),
        ("PG/ML", "pg/mL"),
        (" ng/L ", "pg/mL"),  # ng/L equals pg/mL
        ("pmol/l", "pmol/L"),
        ("nmol/L", "nmol/L"),
        ("µmol/L", "µmol/L"),  # micro sign
        ("μmol/L", "µmol/L"),  # Greek mu
        ("umol/l", "µmol/L"),
        ("mcmol/L", "µmol/L"),
        ("g/DL", "g/dL"),
        ("G/L", "g/L"),
    ],
)
def test_aliases_map_to_the_canonical_unit(text: str, expected: str) -> None:
    assert canonical_unit(text) == expected


@pytest.mark.parametrize("text", ["", "mmol/dL", "mmol/L", "pg", "g", "pg/mL/L", "nan"])
def test_unknown_units_are_none(text: str) -> None:
    assert canonical_unit(text) is None


def test_every_alias_maps_to_a_unit_some_field_accepts() -> None:
    known = units.B12_UNITS + units.MMA_UNITS + units.HB_UNITS + units.CRP_UNITS
    assert set(units.UNIT_ALIASES.values()) <= set(known)
    for unit in known:
        assert canonical_unit(unit) == unit


_positive = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(_positive, st.sampled_from(B12_UNITS), st.sampled_from(B12_UNITS))
def test_b12_round_trip(value: float, a: str, b: str) -> None:
    assert b12_convert(b12_convert(value, a, b), b, a) == pytest.approx(value, rel=1e-12)


@given(_positive, st.sampled_from(MMA_UNITS), st.sampled_from(MMA_UNITS))
def test_mma_round_trip(value: float, a: str, b: str) -> None:
    assert mma_convert(mma_convert(value, a, b), b, a) == pytest.approx(value, rel=1e-12)


@given(_positive, st.sampled_from(HB_UNITS), st.sampled_from(HB_UNITS))
def test_hb_round_trip(value: float, a: str, b: str) -> None:
    assert hb_convert(hb_convert(value, a, b), b, a) == pytest.approx(value, rel=1e-12)


@given(_positive)
def test_conversions_are_monotonic_and_in_the_right_direction(value: float) -> None:
    # pmol/L numbers are smaller than pg/mL numbers; µmol/L smaller than nmol/L; g/dL smaller than g/L.
    assert b12_to_pmol_l(value) < value
    assert b12_to_pg_ml(value) > value
    assert mma_to_nmol_l(value) > value
    assert hb_to_g_dl(value) < value
    assert math.isclose(b12_to_pmol_l(value), value * 0.738)


@pytest.mark.parametrize(("value", "unit", "mg_l"), [(1.2, "mg/dL", 12.0), (12.0, "mg/L", 12.0), (0.0, "mg/dL", 0.0)])
def test_crp_converts_to_mg_per_litre(value: float, unit: str, mg_l: float) -> None:
    assert units.crp_to_mg_l(value, unit) == pytest.approx(mg_l)
    assert canonical_unit(unit.upper()) == unit
