"""The first months of treatment as dated events: what the timeline draws and the page's table lists.

Pure data (no plotly, no streamlit). Day 0 is the first dose. A month is 365.25 / 12 days, so
"3 months" is day 91 and "12 months" is day 365.

>>> from b12logic import Case, evaluate
>>> a = evaluate(Case(age=68, sex="female", b12=90, esr=30))
>>> a.regimen
'im_standard'
>>> [e["day"] for e in treatment_events(a) if e["kind"] == "loading"]
[0, 2, 4, 7, 9, 11]
>>> [e["day"] for e in treatment_events(a) if e["kind"] == "maintenance"]
[72, 133, 194, 255, 316]
>>> treatment_events(evaluate(Case(age=40, sex="male", b12=500, esr=5)))
[]
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any

from b12logic.case import Case
from b12logic.engine import TREATMENT_REGIMENS, Assessment, evaluate
from b12logic.esr import Statement
from b12logic.guidelines import GuidelineProfile, MonitoringItem, Regimen, profile_of
from b12logic.labels import SEVERITY_UNKNOWN, profile_label
from b12logic.validate import CaseError

DAYS_PER_MONTH = 365.25 / 12
# Within a week, "three times weekly" is drawn as days 0, 2 and 4 (e.g. Monday, Wednesday, Friday).
THREE_A_WEEK_OFFSETS = (0, 2, 4)
# "Alternate days until no further improvement" has no fixed length: the timeline needs one to draw the
# first doses, so it uses this, says so, and lets the page change it.
ILLUSTRATIVE_NEURO_LOADING_WEEKS = 4
EVENT_COLUMNS = ("day", "month", "event", "detail", "citation", "schedule", "kind", "until_day")
# The downloadable first-year table: event keys and their column headings, in order.
TABLE_COLUMNS = {
    "day": "Day",
    "month": "Month",
    "event": "Event",
    "schedule": "Whose advice",
    "citation": "Sources",
    "detail": "Detail",
}
EVENT_KINDS = (
    "advice",
    "loading",
    "loading_open",
    "maintenance",
    "oral",
    "monitoring",
    "monitoring_compare",
)

DURATION_NOTES = (
    Statement(
        "The source says every patient continues for life, because most deficiency comes from malabsorption.",
        ("source",),
    ),
    Statement(
        "NICE NG239: for a reversible cause (a restricted diet, a medicine, nitrous oxide) treatment follows the "
        "cause, and can stop or change once the cause has been dealt with.",
        ("NICE NG239",),
    ),
    Statement(
        "When the cause cannot be reversed (autoimmune gastritis or pernicious anaemia, gastrectomy, ileal "
        "resection) treatment is lifelong: NICE reassures these patients that it will not be stopped, and dose, "
        "form or route can change if symptoms persist.",
        ("NICE NG239",),
    ),
)


def day_of_month(month: float) -> int:
    """The day number of a month mark.

    >>> day_of_month(3), day_of_month(12)
    (91, 365)
    """
    return round(month * DAYS_PER_MONTH)


def _cite(citations: tuple[str, ...]) -> str:
    return "; ".join(citations)


def _event(
    day: int | None,
    event: str,
    detail: str,
    citations: tuple[str, ...],
    schedule: str,
    kind: str,
    until_day: int | None = None,
) -> dict[str, Any]:
    return {
        "day": day,
        "month": None if day is None else round(day / DAYS_PER_MONTH, 1),
        "event": event,
        "detail": detail,
        "citation": _cite(citations),
        "schedule": schedule,
        "kind": kind,
        "until_day": until_day,
    }


def loading_days(regimen: Regimen, neuro_loading_weeks: float = ILLUSTRATIVE_NEURO_LOADING_WEEKS) -> list[int]:
    """Days of the loading injections: three times weekly for N weeks, or every k days for the drawn weeks.

    >>> from b12logic.guidelines import PROFILES
    >>> loading_days(PROFILES["source"].regimen("im_neuro"), neuro_loading_weeks=2)
    [0, 2, 4, 6, 8, 10, 12]
    """
    if regimen.loading_per_week:
        n = regimen.loading_per_week
        per_week = THREE_A_WEEK_OFFSETS if n == 3 else tuple(round(i * 7 / n) for i in range(n))
        return [7 * week + offset for week in range(int(regimen.loading_weeks or 1)) for offset in per_week]
    if regimen.loading_every_days:
        step = regimen.loading_every_days
        drawn_weeks = regimen.loading_weeks if regimen.loading_weeks is not None else neuro_loading_weeks
        count = max(1, int(drawn_weeks * 7 // step))
        return [round(i * step) for i in range(count)]
    return []


def is_open_ended(regimen: Regimen) -> bool:
    """True when loading goes on "until no further improvement" rather than for a set time."""
    return bool(regimen.loading_every_days) and regimen.loading_weeks is None


def profile_name(guideline: str) -> str:
    """A profile's display name from an assessment's guideline id ("custom" is the laboratory profile)."""
    return profile_label(guideline)


def comparison_monitoring(guideline: str) -> GuidelineProfile:
    """The profile whose schedule is shown beside the profile's own (each profile names it)."""
    return profile_of(guideline).monitoring_compared


def treatment_events(
    assessment: Assessment, months: float = 12, neuro_loading_weeks: float = ILLUSTRATIVE_NEURO_LOADING_WEEKS
) -> list[dict[str, Any]]:
    """Dated events of the first `months` of treatment, sorted by day (untimed notes last).

    Each event has day, month, event, detail, citation (short names joined by "; "), schedule (whose
    advice), kind (one of EVENT_KINDS) and until_day (the end of a band or a due window, else None).
    No treatment regimen (pending tests, none): no events.
    """
    if assessment.regimen not in TREATMENT_REGIMENS or assessment.regimen_detail is None:
        return []
    regimen = assessment.regimen_detail
    horizon = day_of_month(months)
    plan = profile_name(assessment.guideline)
    events: list[dict[str, Any]] = []

    if assessment.regimen == "im_neuro":
        events.append(
            _event(
                0,
                "Seek urgent specialist advice",
                "Neurological involvement: start injections without delay and involve a specialist.",
                ("BNF / NICE CKS",),
                plan,
                "advice",
            )
        )
    days = [d for d in loading_days(regimen, neuro_loading_weeks) if d <= horizon]
    how = regimen.loading
    for i, day in enumerate(days, start=1):
        of = "" if is_open_ended(regimen) else f" of {len(days)}"
        events.append(
            _event(
                day,
                f"Loading injection {i}{of}",
                f"{regimen.drug} {regimen.dose} {regimen.route}, {how}",
                regimen.citations,
                plan,
                "loading",
            )
        )
    last_loading = days[-1] if days else 0
    if is_open_ended(regimen):
        review_day = last_loading + round(regimen.loading_every_days or 2)
        events.append(
            _event(
                review_day,
                "Keep going on alternate days until no further improvement",
                f"Open-ended: the length depends on the response. Drawn as {neuro_loading_weeks:g} weeks for "
                "illustration only; no guideline fixes it.",
                regimen.citations,
                plan,
                "loading_open",
            )
        )
    if regimen.maintenance_every_months:
        low, high = regimen.maintenance_every_months
        every = f"every {low:g} months" if low == high else f"every {low:g}–{high:g} months"
        day = last_loading + day_of_month(low)
        n = 1
        while day <= horizon:
            due_until = day - day_of_month(low) + day_of_month(high)
            window = "" if low == high else f"; due between day {day} and day {due_until} (drawn at the earliest)"
            events.append(
                _event(
                    day,
                    f"Maintenance injection {n}",
                    f"{regimen.drug} {regimen.dose} {regimen.route}, {every}, {regimen.duration}{window}",
                    regimen.citations,
                    plan,
                    "maintenance",
                    until_day=None if low == high else due_until,
                )
            )
            day += day_of_month(low)
            n += 1
    if assessment.oral_alternative and assessment.oral_regimen is not None:
        oral = assessment.oral_regimen
        events.append(
            _event(
                0,
                f"Or instead: oral {oral.drug.lower()} daily",
                f"{oral.text}. An alternative to the injections, "
                + (
                    "offered because the deficiency is not severe and there are no neurological symptoms."
                    if assessment.case.hb is not None
                    else f"without neurological symptoms. {SEVERITY_UNKNOWN}."
                ),
                oral.citations,
                plan,
                "oral",
                until_day=horizon,
            )
        )
    own_name = profile_name(assessment.guideline)
    events.extend(_monitoring_events(assessment.monitoring, own_name, "monitoring", horizon))
    other = comparison_monitoring(assessment.guideline)
    events.extend(_monitoring_events(other.monitoring, f"{other.name} (for comparison)", "monitoring_compare", horizon))
    return sorted(events, key=lambda e: (e["day"] is None, e["day"] or 0, EVENT_KINDS.index(e["kind"])))


def _monitoring_events(
    items: tuple[MonitoringItem, ...], schedule: str, kind: str, horizon: int
) -> list[dict[str, Any]]:
    out = []
    for item in items:
        day = None if item.month is None else day_of_month(item.month)
        if day is not None and day > horizon:
            continue
        when = "Throughout" if day is None else f"Month {item.month:g}"
        out.append(
            _event(day, f"{when}: {item.what}", f"Monitoring advised by {schedule}", item.citations, schedule, kind)
        )
    return out


def events_csv(events: list[dict[str, Any]]) -> str:
    """The events as CSV with the table's headings; untimed events have blank Day and Month.

    >>> print(events_csv([_event(0, "Loading injection 1 of 6", "1 mg IM", ("source",), "Source", "loading")]))
    Day,Month,Event,Whose advice,Sources,Detail
    0,0.0,Loading injection 1 of 6,Source,source,1 mg IM
    <BLANKLINE>
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS.values())
    for e in events:
        writer.writerow(["" if e[key] is None else e[key] for key in TABLE_COLUMNS])
    return out.getvalue()


@dataclass(frozen=True)
class Hypothetical:
    """What the plan would be if deficiency were confirmed, and the assumption that makes it so."""

    assessment: Assessment
    assumption: str


def if_confirmed(case: Case, profile: GuidelineProfile) -> Hypothetical | None:
    """For a case with no treatment yet: the plan if deficiency were confirmed (None if it already is).

    It first raises MMA above the profile's cut-off (keeping the B12); if that is not enough (B12 above
    range without neurological symptoms), it lowers B12 just below the low cut-off instead.

    >>> from b12logic.guidelines import PROFILES
    >>> h = if_confirmed(Case(age=70, sex="female", b12=250, esr=30), PROFILES["source"])
    >>> h.assessment.b12_status, h.assumption
    ('functional_deficiency', 'if MMA were above 271 nmol/L (for example 325 nmol/L)')
    """
    if evaluate(case, profile).regimen in TREATMENT_REGIMENS:
        return None
    mma = round(min(profile.mma_upper * 1.2, 100000.0))
    if mma > profile.mma_upper:
        trial = evaluate(replace(case, mma=mma, mma_unit="nmol/L"), profile)
        if trial.regimen in TREATMENT_REGIMENS:
            return Hypothetical(trial, f"if MMA were above {profile.mma_upper:g} nmol/L (for example {mma:g} nmol/L)")
    b12 = round(profile.b12_low * 0.9, 1)
    try:  # a laboratory's cut-off can sit above the range a B12 value may take
        lowered = replace(case, b12=b12, b12_unit="pg/mL", active_b12=None)  # a total B12 alone, read as low
    except CaseError:
        return None
    trial = evaluate(lowered, profile)
    if trial.regimen in TREATMENT_REGIMENS:
        return Hypothetical(trial, f"if B12 were below {profile.b12_low:g} pg/mL (for example {b12:g} pg/mL)")
    return None  # not reachable with the shipped rules; kept for custom rule sets


__all__ = [
    "DAYS_PER_MONTH",
    "DURATION_NOTES",
    "EVENT_COLUMNS",
    "ILLUSTRATIVE_NEURO_LOADING_WEEKS",
    "TABLE_COLUMNS",
    "Hypothetical",
    "comparison_monitoring",
    "day_of_month",
    "events_csv",
    "if_confirmed",
    "is_open_ended",
    "loading_days",
    "profile_name",
    "treatment_events",
]
