"""b12logic.labs.loinc: every code read, every UCUM unit it may come in, and the units that do not fit.

The table below is written out here, from DESIGN.md's "Laboratory exports", rather than taken from the
module: a code or unit dropped from the module fails these tests.
"""

from __future__ import annotations

import pytest

from b12logic.fields import FIELDS
from b12logic.labs.loinc import ANALYTES, analyte, codes_for, field_units, fits, ucum_to_unit, ucum_unit, unit_column

# code -> (wide column, {UCUM unit as exported: the project's unit name})
EXPECTED = {
    "2132-9": ("b12", {"pg/mL": "pg/mL", "ng/L": "pg/mL", "pmol/L": "pmol/L"}),
    "14685-2": ("b12", {"pmol/L": "pmol/L"}),
    "13964-2": ("mma", {"nmol/L": "nmol/L", "umol/L": "µmol/L"}),
    "13965-9": ("homocysteine", {"umol/L": "µmol/L"}),
    "72160-5": ("active_b12", {"pmol/L": "pmol/L"}),
    "4537-7": ("esr", {"mm/h": "mm/h"}),
    "30341-2": ("esr", {"mm/h": "mm/h"}),
    "1988-5": ("crp", {"mg/L": "mg/L", "mg/dL": "mg/dL"}),
    "718-7": ("hb", {"g/dL": "g/dL", "g/L": "g/L"}),
    "787-2": ("mcv", {"fL": "fL"}),
}
ALL_UNITS = sorted({u for _, units in EXPECTED.values() for u in units})
PAIRS = [(code, unit, project) for code, (_, units) in EXPECTED.items() for unit, project in units.items()]
MISFITS = [(code, unit) for code, (_, units) in EXPECTED.items() for unit in ALL_UNITS if unit not in units]


def test_the_table_is_the_design_table() -> None:
    assert set(ANALYTES) == set(EXPECTED)
    assert {code: a.field for code, a in ANALYTES.items()} == {code: f for code, (f, _) in EXPECTED.items()}


@pytest.mark.parametrize(("code", "unit", "project"), PAIRS)
def test_each_code_in_each_of_its_units(code: str, unit: str, project: str) -> None:
    assert fits(code, unit) == project
    assert fits(f" {code} ", unit.upper()) == project  # exports vary in case and spacing
    assert project in analyte(code).units  # type: ignore[union-attr]


@pytest.mark.parametrize(("code", "unit"), MISFITS)
def test_a_unit_that_does_not_fit_its_code(code: str, unit: str) -> None:
    assert fits(code, unit) is None


def test_units_come_from_the_field_specs() -> None:
    for name in ("b12", "mma", "hb", "esr", "mcv", "homocysteine"):
        assert field_units(name) == FIELDS[name].units
    assert ucum_to_unit("b12", "ng/L") == "pg/mL"  # 1 ng/L = 1 pg/mL: no conversion, the same number
    assert ucum_to_unit("esr", "mg/L") is None


def test_micro_spellings_and_unknown_units() -> None:
    assert ucum_unit("umol/L") == ucum_unit("µmol/L") == ucum_unit("μmol/L") == "µmol/L"
    assert ucum_unit("mmol/L") is None and ucum_unit("") is None and fits("9999-9", "mg/L") is None


def test_unit_columns_and_codes_per_field() -> None:
    assert {f: unit_column(f) for f in ("b12", "mma", "hb", "crp", "esr", "mcv", "homocysteine", "active_b12")} == {
        "b12": "b12_unit",
        "mma": "mma_unit",
        "hb": "hb_unit",
        "crp": "crp_unit",
        "esr": None,
        "mcv": None,
        "homocysteine": None,
        "active_b12": None,
    }
    assert codes_for("b12") == ("2132-9", "14685-2")
