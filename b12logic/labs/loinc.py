"""LOINC codes to the case's inputs, and UCUM units to the project's unit names.

Laboratories code each result by LOINC and give its unit in UCUM. Which units a field accepts is the
field spec's (b12logic.fields); here is only which code means which field, and how a UCUM code is
spelled in the project. Ranges are never restated: the batch checks values against the field specs.

>>> analyte("2132-9").field, ucum_to_unit("b12", "ng/L")
('b12', 'pg/mL')
>>> ucum_to_unit("b12", "mg/dL") is None
True
>>> analyte("14685-2").units
('pmol/L',)
>>> analyte("9999-9") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

from b12logic.fields import FIELDS
from b12logic.units import canonical_unit

LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Analyte:
    """What one LOINC code measures, in the case's words."""

    code: str
    field: str  # the wide CSV column the result goes to
    name: str  # the LOINC short name, shown in messages
    only_units: tuple[str, ...] = ()  # a narrower set than the field's own (a molar code takes molar units)

    @property
    def units(self) -> tuple[str, ...]:
        """The project's units this code may be reported in."""
        return self.only_units or field_units(self.field)


def field_units(field: str) -> tuple[str, ...]:
    """The units a field accepts, its default first (the field spec's).

    >>> field_units("hb"), field_units("crp")
    (('g/dL', 'g/L'), ('mg/L', 'mg/dL'))
    """
    return FIELDS[field].units


ANALYTES: dict[str, Analyte] = {
    a.code: a
    for a in (
        Analyte("2132-9", "b12", "Cobalamin [Mass/volume] in Serum or Plasma"),
        Analyte("14685-2", "b12", "Cobalamin [Moles/volume] in Serum or Plasma", only_units=("pmol/L",)),
        Analyte("13964-2", "mma", "Methylmalonate [Moles/volume] in Serum or Plasma"),
        Analyte("13965-9", "homocysteine", "Homocysteine [Moles/volume] in Serum or Plasma"),
        Analyte("72160-5", "active_b12", "Holotranscobalamin [Moles/volume] in Serum or Plasma"),
        Analyte("4537-7", "esr", "Erythrocyte sedimentation rate by Westergren method"),
        Analyte("30341-2", "esr", "Erythrocyte sedimentation rate"),
        Analyte("1988-5", "crp", "C reactive protein [Mass/volume] in Serum or Plasma"),
        Analyte("718-7", "hb", "Hemoglobin [Mass/volume] in Blood"),
        Analyte("787-2", "mcv", "MCV [Entitic volume] by Automated count"),
    )
}

# UCUM codes (and the spellings exports use for them) of the units without a converter in units.py:
# one unit per field, or CRP's two. Their canonical names are the field specs' own.
_OTHER_UCUM = {
    "mm/h": "mm/h",
    "mm/hr": "mm/h",
    "mm/(1.h)": "mm/h",
    "fl": "fL",
    "mg/l": "mg/L",
    "mg/dl": "mg/dL",
}


def analyte(code: str) -> Analyte | None:
    """The analyte a LOINC code measures, or None for a code this app does not read."""
    return ANALYTES.get(code.strip())


def ucum_unit(text: str) -> str | None:
    """The project's spelling of a UCUM unit (any case; µ, μ or u), or None when it is not one we know.

    >>> ucum_unit("umol/L"), ucum_unit("MM/H"), ucum_unit("10*3/uL")
    ('µmol/L', 'mm/h', None)
    """
    word = text.strip()
    return canonical_unit(word) or _OTHER_UCUM.get(word.lower())


def ucum_to_unit(field: str, text: str) -> str | None:
    """The unit a field's column takes for this UCUM unit, or None when the field is not reported in it.

    >>> ucum_to_unit("hb", "g/L"), ucum_to_unit("homocysteine", "umol/L"), ucum_to_unit("esr", "mm/h")
    ('g/L', 'µmol/L', 'mm/h')
    """
    unit = ucum_unit(text)
    return unit if unit is not None and unit in field_units(field) else None


def fits(code: str, text: str) -> str | None:
    """The project's unit for a result of this code in this UCUM unit, or None when the unit does not fit.

    >>> fits("2132-9", "pmol/L"), fits("14685-2", "pg/mL")
    ('pmol/L', None)
    """
    found = ANALYTES.get(code.strip())
    unit = ucum_unit(text)
    return unit if found is not None and unit is not None and unit in found.units else None


def unit_column(field: str) -> str | None:
    """The wide column naming this field's unit, or None for a field with one unit (ESR is always mm/h).

    >>> unit_column("b12"), unit_column("crp"), unit_column("esr")
    ('b12_unit', 'crp_unit', None)
    """
    return FIELDS[field].unit_field


def codes_for(field: str) -> tuple[str, ...]:
    """The LOINC codes that report a field, in table order.

    >>> codes_for("esr")
    ('4537-7', '30341-2')
    """
    return tuple(code for code, a in ANALYTES.items() if a.field == field)


ANALYTE_FIELDS = tuple(dict.fromkeys(a.field for a in ANALYTES.values()))  # b12, mma, ... in table order
