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

from dataclasses import asdict, dataclass, field

from b12logic.units import b12_to_pg_ml, crp_to_mg_l, hb_to_g_dl, mma_to_nmol_l
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
class Case:
    """One patient. Keywords are the CSV column names; None means "not measured"."""

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
    active_b12: float | None = None
    crp: float | None = None
    crp_unit: str = "mg/L"
    pregnant: bool = False
    renal_impairment: bool = False
    risk_factors: frozenset[str] = field(default_factory=frozenset)
    id: str | None = None

    def __post_init__(self) -> None:
        # Units first: the numeric limits depend on them.
        put = object.__setattr__
        put(self, "b12_unit", check_unit("b12", self.b12_unit))
        put(self, "mma_unit", check_unit("mma", self.mma_unit))
        put(self, "hb_unit", check_unit("hb", self.hb_unit))
        put(self, "crp_unit", check_unit("crp", self.crp_unit))
        put(self, "age", check_number("age", self.age))
        put(self, "sex", check_sex(self.sex))
        put(self, "b12", check_number("b12", self.b12, self.b12_unit))
        put(self, "esr", check_number("esr", self.esr))
        put(self, "mma", check_optional_number("mma", self.mma, self.mma_unit))
        put(self, "homocysteine", check_optional_number("homocysteine", self.homocysteine))
        put(self, "mcv", check_optional_number("mcv", self.mcv))
        put(self, "hb", check_optional_number("hb", self.hb, self.hb_unit))
        put(self, "active_b12", check_optional_number("active_b12", self.active_b12))
        put(self, "crp", check_optional_number("crp", self.crp, self.crp_unit))
        for flag in ("neuro_symptoms", "on_folic_acid", "pregnant", "renal_impairment"):
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
    def crp_mg_l(self) -> float | None:
        return None if self.crp is None else crp_to_mg_l(self.crp, self.crp_unit)

    @property
    def hb_g_dl(self) -> float | None:
        return None if self.hb is None else hb_to_g_dl(self.hb, self.hb_unit)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["risk_factors"] = sorted(self.risk_factors)
        return data
