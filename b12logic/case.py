"""The Case: one patient's inputs, validated and normalised when it is built.

>>> case = Case(age=68, sex="F", b12=133, b12_unit="pmol/l", esr=30)
>>> case.sex, case.b12_unit, round(case.b12_pg_ml)
('female', 'pmol/L', 180)
>>> Case(age=15, sex="female", b12=200, esr=10)
Traceback (most recent call last):
...
b12logic.validate.CaseError: age: 15 years is outside the allowed range (16 to 110 years)
>>> Case(age=70, sex="female", b12=200, esr=10, pregnant=True)
Traceback (most recent call last):
...
b12logic.validate.CaseError: pregnant: yes is not accepted for a woman aged 70 (only for women aged 16 to 55)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from b12logic.fields import FIELDS, FLAG_FIELDS, OPTIONAL_NUMBERS, REQUIRED_COLUMNS, UNIT_FIELDS, AddedInputs
from b12logic.units import b12_to_pg_ml, crp_to_mg_l, hb_to_g_dl, mma_readable, mma_to_nmol_l
from b12logic.validate import (
    check_flag,
    check_number,
    check_optional_number,
    check_pregnancy,
    check_risk_factors,
    check_sex,
    check_unit,
)


@dataclass(frozen=True)
class Case(AddedInputs):
    """One patient. Keywords are the CSV column names; None means "not measured". The inputs added after the
    first contract (active B12, CRP, pregnancy, renal impairment) are declared in fields.AddedInputs."""

    age: float
    sex: str
    b12: float
    esr: float
    b12_unit: str = "pg/mL"
    mma: float | None = None
    mma_unit: str = "nmol/L"
    homocysteine: float | None = None
    mcv: float | None = None
    hb: float | None = None
    hb_unit: str = "g/dL"
    neuro_symptoms: bool = False
    on_folic_acid: bool = False
    risk_factors: frozenset[str] = field(default_factory=frozenset)
    id: str | None = None

    def __post_init__(self) -> None:
        # Every input is checked as its spec says (b12logic.fields): units first, as the numeric limits depend
        # on them; then the required values, the optional ones and the flags, so the field a message names
        # first is the same wherever a case is checked.
        put = object.__setattr__
        for unit_field, name in UNIT_FIELDS.items():
            put(self, unit_field, check_unit(name, getattr(self, unit_field)))
        for name in REQUIRED_COLUMNS:
            unit = getattr(self, FIELDS[name].unit_field or "", None)
            put(
                self,
                name,
                check_sex(self.sex) if FIELDS[name].kind == "choice" else check_number(name, getattr(self, name), unit),
            )
        for name in OPTIONAL_NUMBERS:
            unit = getattr(self, FIELDS[name].unit_field or "", None)
            put(self, name, check_optional_number(name, getattr(self, name), unit))
        for flag in FLAG_FIELDS:
            put(self, flag, check_flag(flag, getattr(self, flag)))
        check_pregnancy(self.pregnant, self.sex, self.age)
        put(self, "risk_factors", check_risk_factors(self.risk_factors))
        if self.id is not None:
            put(self, "id", str(self.id))

    @property
    def b12_pg_ml(self) -> float:
        return b12_to_pg_ml(self.b12, self.b12_unit)

    @property
    def mma_nmol_l(self) -> float | None:
        return None if self.mma is None else mma_to_nmol_l(self.mma, self.mma_unit)

    @property
    def mma_read_nmol_l(self) -> float | None:
        """The MMA the judgment reads: None when not measured or implausibly low (units.mma_readable)."""
        mma = self.mma_nmol_l
        return mma if mma is not None and mma_readable(mma) else None

    @property
    def mma_implausible(self) -> bool:
        return self.mma is not None and self.mma_read_nmol_l is None

    @property
    def crp_mg_l(self) -> float | None:
        return None if self.crp is None else crp_to_mg_l(self.crp, self.crp_unit)

    @property
    def hb_g_dl(self) -> float | None:
        return None if self.hb is None else hb_to_g_dl(self.hb, self.hb_unit)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["risk_factors"] = sorted(self.risk_factors)
        return {name: data[name] for name in _DICT_ORDER}


# to_dict's keys: the first contract's inputs, the added ones after them, then risk factors and id, as the CSV
# columns run (asdict alone would put the inherited added inputs first).
_ADDED = tuple(f.name for f in fields(AddedInputs))
_DICT_ORDER = (
    *(f.name for f in fields(Case) if f.name not in (*_ADDED, "risk_factors", "id")),
    *_ADDED,
    "risk_factors",
    "id",
)
