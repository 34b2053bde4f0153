"""The facts a case gives the rules, in one shape for one case and for a whole batch.

`CaseView` holds numbers (B12 pg/mL, MMA nmol/L, Hb g/dL, NaN = not measured) and yes/no facts; the decision
graph's predicates read it, so `evaluate` and `evaluate_frame` judge from the same facts.

>>> anaemia_grade(7.5, "female", pregnant=False), anaemia_grade(7.5, "female", pregnant=True)
('severe', 'moderate')
>>> anaemia_grade(None, "male"), anaemia_grade(12.9, "male"), anaemia_grade(13.0, "male")
('unknown', 'mild', 'none')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from b12logic.case import Case
from b12logic.columnwise import first_match, pick
from b12logic.graphs import HOMOCYSTEINE_SUGGESTS_B12, HOMOCYSTEINE_UPPER, VERY_HIGH_MCV
from b12logic.guidelines import (
    ANAEMIA_HB_G_DL,
    IRREVERSIBLE_CAUSES,
    SEVERE_HB_G_DL,
    WHO_ANAEMIA_GRADES_G_DL,
    GuidelineProfile,
)
from b12logic.labels import ANAEMIA_GRADES

HOMOCYSTEINE_TARGET = 10.0  # µmol/L: the source's target, from bariatric guidance (not a reference limit)
MACROCYTOSIS_MCV = 100.0  # fL
MICROCYTOSIS_MCV = 80.0  # fL: below most laboratories' ranges (NHS Lothian reads "below the normal range")
VERY_HIGH_B12 = 1000.0  # pg/mL, AFP 2025
UNUSUAL_B12 = 2000.0  # pg/mL: valid, but worth a second look


class CaseView:
    """What the predicates read; each attribute a scalar (one case) or an array (a batch)."""

    __slots__ = (
        "active_b12",
        "anaemic",
        "b12",
        "esr",
        "esr_limit",
        "hb",
        "hcy",
        "lasting_cause",
        "mcv",
        "mma",
        "neuro",
        "nitrous_oxide",
        "on_folic_acid",
        "pregnant",
        "renal",
        "severe_anaemia",
    )

    def __init__(
        self,
        *,
        active_b12: Any,
        b12: Any,
        esr: Any,
        esr_limit: Any,
        hb: Any,
        hcy: Any,
        lasting_cause: Any,
        mcv: Any,
        mma: Any,
        neuro: Any,
        nitrous_oxide: Any,
        pregnant: Any,
        on_folic_acid: Any = False,
        renal: Any = False,
        severe_anaemia: Any,
        anaemic: Any = False,
    ) -> None:
        # Spelled out, not a loop of setattr: evaluate builds one per call (hot path).
        self.active_b12, self.b12, self.esr, self.esr_limit = active_b12, b12, esr, esr_limit
        self.hb, self.hcy, self.mcv, self.mma = hb, hcy, mcv, mma
        self.renal = renal  # renal impairment: it raises MMA on its own (Ann Clin Biochem 2018)
        self.anaemic = anaemic  # Hb below the WHO threshold for sex and pregnancy
        self.lasting_cause, self.on_folic_acid = (
            lasting_cause,
            on_folic_acid,
        )  # a recorded cause that cannot be reversed (guidelines.IRREVERSIBLE_CAUSES)
        self.neuro, self.nitrous_oxide, self.pregnant, self.severe_anaemia = (
            neuro,
            nitrous_oxide,
            pregnant,
            severe_anaemia,
        )


def _num(value: float | None) -> float:
    return math.nan if value is None else value


def view_of(case: Case, esr_limit: float) -> CaseView:
    """One case's view."""
    return CaseView(
        b12=case.b12_pg_ml,
        mma=_num(case.mma_read_nmol_l),
        hb=_num(case.hb_g_dl),
        neuro=case.neuro_symptoms,
        esr=case.esr,
        esr_limit=esr_limit,
        active_b12=_num(case.active_b12),
        nitrous_oxide="nitrous_oxide" in case.risk_factors,
        lasting_cause=not case.risk_factors.isdisjoint(IRREVERSIBLE_CAUSES),
        on_folic_acid=case.on_folic_acid,
        hcy=_num(case.homocysteine),
        mcv=_num(case.mcv),
        pregnant=case.pregnant,
        renal=case.renal_impairment,
        severe_anaemia=anaemia_grade(case.hb_g_dl, case.sex, case.pregnant) == "severe",
        anaemic=bool(anaemic(_num(case.hb_g_dl), case.sex == "female", case.pregnant)),
    )


def anaemia_grade(hb_g_dl: float | None, sex: str, pregnant: bool = False) -> str:
    """The WHO grade of anaemia for sex and pregnancy: none, mild, moderate, severe, or unknown (Hb not measured)."""
    return ANAEMIA_GRADES[anaemia_grade_codes(_num(hb_g_dl), sex == "female", pregnant)]


def anaemia_grade_codes(hb: Any, female: Any, pregnant: Any) -> Any:
    """anaemia_grade as an index into ANAEMIA_GRADES, for one case (Hb NaN = not measured) or a batch of arrays."""
    if isinstance(hb, float):  # one case: remembered (the column-wise form costs ~25 µs a call, evaluate's hot path)
        return _one_grade_code(hb, bool(female), bool(pregnant))
    return _grade_codes(hb, female, pregnant)


@lru_cache(maxsize=4096)
def _one_grade_code(hb: float, female: bool, pregnant: bool) -> int:
    return int(_grade_codes(hb, female, pregnant))


def _grade_codes(hb: Any, female: Any, pregnant: Any) -> Any:
    who = WHO_ANAEMIA_GRADES_G_DL

    def limit(i: int) -> Any:
        return pick(pregnant, who["pregnant"][i], pick(female, who["female"][i], who["male"][i]))

    return first_match(
        [hb != hb, hb < limit(2), hb < limit(1), hb < limit(0)],  # hb != hb: NaN, not measured
        [ANAEMIA_GRADES.index(g) for g in ("unknown", "severe", "moderate", "mild")],
        ANAEMIA_GRADES.index("none"),
    )


def anaemic(hb: Any, female: Any, pregnant: Any = False) -> Any:
    """Hb below the WHO anaemia threshold for sex and pregnancy (13 g/dL men, 12 g/dL women, 11 g/dL in
    pregnancy: code-blind read s12, Hb 11.8 in pregnancy read as anaemic); False when not measured (NaN)."""
    return hb < pick(
        pregnant,
        WHO_ANAEMIA_GRADES_G_DL["pregnant"][0],
        pick(female, ANAEMIA_HB_G_DL["female"], ANAEMIA_HB_G_DL["male"]),
    )


def b12_pitfall_facts(b12_pg_ml: Any, profile: GuidelineProfile) -> dict[str, Any]:
    """What the pitfalls read of the B12 value (pg/mL), for one case or a batch: very high (AFP 2025), and not
    above the profile's upper cut-off."""
    return {"b12_very_high": b12_pg_ml > VERY_HIGH_B12, "b12_not_above": b12_pg_ml <= profile.b12_upper}


def severe_anaemia(hb: Any) -> Any:
    """Hb below 8 g/dL (WHO severe anaemia); False when not measured (NaN)."""
    return hb < SEVERE_HB_G_DL


__all__ = [
    "HOMOCYSTEINE_SUGGESTS_B12",
    "HOMOCYSTEINE_TARGET",
    "HOMOCYSTEINE_UPPER",
    "MACROCYTOSIS_MCV",
    "UNUSUAL_B12",
    "VERY_HIGH_B12",
    "VERY_HIGH_MCV",
    "CaseView",
    "PlanFacts",
    "anaemia_grade",
    "anaemia_grade_codes",
    "anaemic",
    "b12_pitfall_facts",
    "severe_anaemia",
    "view_of",
]


@dataclass(frozen=True)
class PlanFacts:
    """Everything the B12 statements depend on: yes/no facts and labels, no ESR (so the ESR cannot change them)
    and no raw values (so a batch builds each distinct text once)."""

    outcome: str  # the last node of the B12 path
    status: str
    regimen: str
    neuro: bool
    hb_measured: bool = True
    severe_anaemia: bool = False  # Hb below 8 g/dL (potassium, transfusion)
    anaemia_grade: str = "unknown"  # WHO, by sex and pregnancy
    pregnant: bool = False
    risk_factors: frozenset[str] = frozenset()
    mma_measured: bool = False
    hcy_measured: bool = False
    active_measured: bool = False
    very_high_mcv: bool = False  # a megaloblastic picture: MCV above 120 fL, or severe anaemia with MCV above 100
    on_folic_acid: bool = False
    macrocytic: bool = False  # MCV above 100 fL
    microcytic: bool = False  # MCV below 80 fL
    mcv_measured: bool = False  # the severe anaemia's transfusion caution: only while it can be megaloblastic
    awaiting: bool = False  # treatment starts while the tests are awaited (strong features)
    mma_undecided: bool = False  # MMA measured but read as no answer: raised beside renal impairment

    @property
    def nitrous_oxide(self) -> bool:
        return "nitrous_oxide" in self.risk_factors

    @property
    def lasting_cause(self) -> bool:
        """A recorded cause that cannot be reversed: replacement is lifelong whatever the level (NICE NG239)."""
        return not self.risk_factors.isdisjoint(IRREVERSIBLE_CAUSES)
