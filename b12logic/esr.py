"""ESR read against its age- and sex-specific upper limit (Miller 1983), and the work-up it calls for.

>>> esr_upper_limit(71, "male"), esr_flag(35, 35.5), esr_flag(36, 35.5), esr_flag(101, 40.0)
(35.5, 'normal', 'elevated', 'markedly_elevated')
>>> esr_upper_limit(68, "female")
39.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MARKED_ESR = 100.0  # mm/h; above this about 90% have an identifiable cause (Fincher 1986)
NAIVE_ESR_CUTOFF = 20.0  # the fixed cut-off many people remember; wrong for older adults
UNUSUAL_ESR = 150.0
ESR_FLAGS = ("normal", "elevated", "markedly_elevated")

# Population 95th centiles (Wetteland 1996), ages 20/55/90.
WETTELAND_CENTILES = {"male": ((20, 12), (55, 14), (90, 19)), "female": ((20, 18), (55, 21), (90, 23))}


def esr_upper_limit(age: float, sex: str) -> float:
    """Miller 1983 (Westergren): men age/2, women (age + 10)/2 mm/h."""
    return (age + 10) / 2 if sex == "female" else age / 2


def esr_upper_limit_array(age: np.ndarray, is_female: np.ndarray) -> np.ndarray:
    """The same rule over arrays (batch)."""
    return (age + np.where(is_female, 10.0, 0.0)) / 2


def esr_flag(esr: float, upper_limit: float) -> str:
    """normal, elevated (above the limit) or markedly_elevated (above 100 mm/h); both are strict."""
    if esr > MARKED_ESR:
        return "markedly_elevated"
    if esr > upper_limit:
        return "elevated"
    return "normal"


@dataclass(frozen=True)
class Statement:
    """One sentence the app shows, with the short names of its sources."""

    text: str
    citations: tuple[str, ...] = ()
    short: str = ""  # a few words for CSV cells; the text is used when empty

    @property
    def brief(self) -> str:
        return self.short or self.text


def esr_workup(flag: str, age: float) -> tuple[Statement, ...]:
    """What an ESR result calls for, on its own criteria; never a change to the B12 plan."""
    if flag == "normal":
        return (Statement("ESR is within the age- and sex-specific limit: no ESR work-up needed.", ("Miller 1983",)),)
    steps = [
        Statement(
            "Work up the ESR on its own: it is non-specific, so look for the cause, not for B12.",
            ("source", "ICSH 2011"),
        ),
        Statement(
            "Check CRP (rises within 6–12 h, half-life about 18 h; ESR lags days behind).",
            ("ICSH 2011",),
        ),
        Statement(
            "History and examination for infection, malignancy (including myeloma: serum protein "
            "electrophoresis) and autoimmune disease.",
            ("source", "Fincher 1986"),
        ),
    ]
    if age >= 50:
        steps.append(
            Statement(
                "Over 50: ask about headache, jaw claudication, visual symptoms and shoulder or hip girdle "
                "stiffness (giant cell arteritis, polymyalgia rheumatica).",
                ("ICSH 2011",),
            )
        )
    if flag == "markedly_elevated":
        steps.insert(
            0,
            Statement(
                "ESR above 100 mm/h: investigate urgently. In 1006 outpatients: infection 33%, malignancy 17%, "
                "renal disease 17%, inflammatory disease 14%; about 90% had an identifiable cause.",
                ("Fincher 1986",),
            ),
        )
    return tuple(steps)
