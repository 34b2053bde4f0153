"""One case under several guideline profiles, side by side, with the differences named.

>>> from b12logic import Case
>>> from b12logic.guidelines import PROFILES
>>> case = Case(age=70, sex="female", b12=190, esr=30)
>>> rows = comparison_rows(case, [PROFILES["source"], PROFILES["bsh-2014"]])
>>> row = next(r for r in rows if r["aspect"] == "B12 status")
>>> row["Source answer (default)"], row["BSH 2014 (superseded)"], row["differs"]
('Indeterminate: MMA decides', 'B12 deficient', True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from b12logic.case import Case
from b12logic.engine import Assessment, evaluate
from b12logic.guidelines import GuidelineProfile

# Beside the source's schedule wherever it is shown (clinical-facts, source error 4).
MONITORING_CAVEAT_SHORT = "the source's schedule: bariatric-surgery guidance, not a general guideline"

DIFFERS_MARK = "◆ differs"
SAME_MARK = "same"


@dataclass(frozen=True)
class ProfileResult:
    profile: GuidelineProfile
    assessment: Assessment


def evaluate_all(case: Case, profiles: Sequence[GuidelineProfile]) -> list[ProfileResult]:
    """The case under each profile, in the order given."""
    return [ProfileResult(p, evaluate(case, p)) for p in profiles]


def _thresholds(p: GuidelineProfile) -> str:
    return f"B12 < {p.b12_low:g} low, {p.b12_low:g}–{p.b12_upper:g} borderline (pg/mL); MMA > {p.mma_upper:g} nmol/L"


def _regimen(a: Assessment) -> str:
    return a.regimen_detail.text if a.regimen_detail and a.regimen != "oral_or_im" else a.regimen_label


def _oral(a: Assessment) -> str:
    return a.oral_regimen.text if a.oral_regimen else "not offered"


def _first_step(a: Assessment) -> str:
    return a.next_steps[0].brief if a.next_steps else "none"


def _monitoring(a: Assessment) -> str:
    if not a.monitoring:
        return "none (no treatment)" if a.regimen in ("none", "pending_tests") else "no schedule given"
    schedule = "; ".join((f"month {m.month:g}: " if m.month is not None else "") + m.what for m in a.monitoring)
    return f"{schedule} ({MONITORING_CAVEAT_SHORT})" if a.monitoring_caveat else schedule


ASPECTS = (
    ("Cut-offs", lambda r: _thresholds(r.profile)),
    ("B12 status", lambda r: r.assessment.status_label),
    ("Treatment", lambda r: _regimen(r.assessment)),
    ("Oral alternative", lambda r: _oral(r.assessment)),
    ("Severe (working definition)", lambda r: "yes" if r.assessment.severe else "no"),
    ("First next step", lambda r: _first_step(r.assessment)),
    ("Monitoring", lambda r: _monitoring(r.assessment)),
    ("ESR reading", lambda r: f"{r.assessment.esr_flag_label} (limit {r.assessment.esr_upper_limit:g} mm/h)"),
)


def comparison_rows(case: Case, profiles: Sequence[GuidelineProfile]) -> list[dict[str, object]]:
    """One row per aspect: the aspect, one column per profile name, and `differs` (True when they disagree)."""
    results = evaluate_all(case, profiles)
    rows: list[dict[str, object]] = []
    for aspect, describe in ASPECTS:
        row: dict[str, object] = {"aspect": aspect}
        cells = [describe(r) for r in results]
        row.update({r.profile.name: cell for r, cell in zip(results, cells, strict=True)})
        row["differs"] = len(set(cells)) > 1
        rows.append(row)
    return rows


def differences(case: Case, profiles: Sequence[GuidelineProfile]) -> list[str]:
    """One sentence per decision that changes with the profile (cut-offs excepted), grouping profiles that agree.

    >>> from b12logic.guidelines import PROFILES
    >>> differences(Case(age=70, sex="female", b12=190, esr=30), list(PROFILES.values()))[0]
    'B12 status: Indeterminate: MMA decides (Source answer (default), NICE NG239 (2024)) · B12 deficient (BSH 2014 (superseded)).'
    """
    results = evaluate_all(case, profiles)
    out = []
    for aspect, describe in ASPECTS[1:]:
        groups: dict[str, list[str]] = {}
        for r in results:
            groups.setdefault(describe(r), []).append(r.profile.name)
        if len(groups) > 1:
            parts = " · ".join(f"{cell} ({', '.join(names)})" for cell, names in groups.items())
            out.append(f"{aspect}: {parts}.")
    return out


__all__ = ["DIFFERS_MARK", "SAME_MARK", "ProfileResult", "comparison_rows", "differences", "evaluate_all"]
