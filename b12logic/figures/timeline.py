"""The treatment timeline: loading, maintenance, the oral alternative and monitoring, in days then months.

Drawn from `b12logic.treatment.treatment_events`, the list the Treatment page's table shows, so the
picture and the table agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from b12logic.engine import Assessment
from b12logic.figures.style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    PURPLE,
    VERMILLION,
    WHITE,
    base_layout,
    on_white,
    plotly_text,
    wrap_text,
)
from b12logic.guidelines import Regimen
from b12logic.treatment import (
    DAYS_PER_MONTH,
    ILLUSTRATIVE_NEURO_LOADING_WEEKS,
    comparison_monitoring,
    profile_name,
    treatment_events,
)

# Lanes from top to bottom; y positions are fixed so every case's timeline reads the same way.
_LANE_ORDER = ("loading", "maintenance", "oral", "monitoring", "monitoring_compare")
_TIMELINE_STYLE = {  # kind -> (colour, marker symbol)
    "loading": (VERMILLION, "diamond"),
    "maintenance": (BLUE, "circle"),
    "monitoring": (BLACK, "square"),
    "monitoring_compare": (PURPLE, "triangle-up"),
}
_LOADING_PANEL_MIN_DAYS = 21
_OPEN_END_DAYS = 10  # how far the hatched "until no further improvement" continuation reaches


def _band(x0: float, x1: float, y: float, half: float) -> tuple[list[float | None], list[float | None]]:
    """A closed rectangle (for a filled scatter trace), followed by a break."""
    return [x0, x1, x1, x0, x0, None], [y - half, y - half, y + half, y + half, y - half, None]


def _event_hover(e: dict[str, Any]) -> str:
    when = "throughout" if e["day"] is None else f"day {e['day']} (month {e['month']:g})"
    return "<br>".join(
        [
            f"<b>{plotly_text(e['event'])}</b>",
            plotly_text(when),
            wrap_text(e["detail"], 60),
            plotly_text(f"[{e['citation']}]"),
        ]
    )


def treatment_timeline_figure(
    assessment: Assessment, months: float = 14, neuro_loading_weeks: float = ILLUSTRATIVE_NEURO_LOADING_WEEKS
) -> go.Figure:
    """The treatment plan on a timeline: the first weeks in days (left), the first `months` in months (right).

    Drawn from `treatment_events` (the page's table uses the same list), so picture and table agree.
    Traces carry `meta = {"role": kind}`: loading (one marker per injection), loading_open (the
    open-ended band), maintenance, maintenance_window (2–3 month due windows), oral (the daily band),
    monitoring and monitoring_compare. With no treatment regimen the figure says so and draws no events.

    >>> from b12logic import Case, evaluate
    >>> fig = treatment_timeline_figure(evaluate(Case(age=68, sex="female", b12=90, esr=30)))
    >>> [len(t.x) for t in fig.data if t.meta and t.meta.get("role") == "loading"]
    [6, 6]
    """
    events = treatment_events(assessment, months=months, neuro_loading_weeks=neuro_loading_weeks)
    regimen = assessment.regimen_detail
    if not events or regimen is None:
        return _nothing_to_draw(assessment)
    own = profile_name(assessment.guideline)
    other = comparison_monitoring(assessment.guideline).name
    lanes = _Lanes.of(events)
    # Built from plain dicts and validated once by go.Figure: quick enough to redraw on every slider move.
    data = [
        *_band_traces(lanes, neuro_loading_weeks),
        *_point_traces(lanes, regimen, own, other),
    ]
    annotations = _lane_words(lanes, assessment, regimen, own, months)
    layout = _timeline_layout(lanes, regimen, own, other, months, annotations)
    return go.Figure(data=data, layout=on_white(layout))


_TITLE = "Treatment and monitoring timeline"


def _nothing_to_draw(assessment: Assessment) -> go.Figure:
    """No treatment regimen: the figure says so in words."""
    layout = base_layout(_TITLE, f"{assessment.status_label}: {assessment.regimen_label}", height=320)
    layout.update(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": wrap_text(
                    f"No B12 treatment for this case ({assessment.status_label}), so there is nothing to draw.", 70
                ),
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": 15},
            }
        ],
    )
    return go.Figure(layout=on_white(layout))


@dataclass(frozen=True)
class _Lanes:
    """The events by kind, the lanes drawn (top to bottom) and how many days the left panel shows."""

    by_kind: dict[str, list[dict[str, Any]]]
    y: dict[str, float]
    panel_days: float

    @classmethod
    def of(cls, events: list[dict[str, Any]]) -> _Lanes:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for e in events:
            by_kind.setdefault(e["kind"], []).append(e)
        open_end = by_kind.get("loading_open", [])
        last_loading_day = max([e["day"] for e in by_kind.get("loading", []) + open_end] or [0])
        shown = [k for k in _LANE_ORDER if k != "oral" or by_kind.get("oral")]
        panel_days = max(_LOADING_PANEL_MIN_DAYS, last_loading_day + (_OPEN_END_DAYS + 2 if open_end else 7))
        return cls(by_kind, {k: float(len(shown) - 1 - i) for i, k in enumerate(shown)}, panel_days)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return self.by_kind.get(kind, [])


def _in_panels(
    trace: dict[str, Any], in_days: bool = True, in_months: bool = True, legend: bool = True
) -> list[dict[str, Any]]:
    """A trace given in days, in the left panel (days) and the right panel (months)."""
    out = []
    if in_days:
        out.append({"type": "scatter", **trace, "xaxis": "x", "yaxis": "y", "showlegend": legend})
    if in_months:
        month_x = [None if x is None else x / DAYS_PER_MONTH for x in trace["x"]]
        out.append(
            {
                "type": "scatter",
                **trace,
                "x": month_x,
                "xaxis": "x2",
                "yaxis": "y",
                "showlegend": legend and not in_days,
            }
        )
    return out


def _band_traces(lanes: _Lanes, neuro_loading_weeks: float) -> list[dict[str, Any]]:
    """The bands: the daily oral alternative, open-ended loading, and maintenance due windows."""
    data: list[dict[str, Any]] = []
    for e in lanes.of_kind("oral"):
        xs, ys = _band(e["day"], e["until_day"], lanes.y["oral"], 0.28)
        data += _in_panels(
            {
                "x": xs,
                "y": ys,
                "mode": "lines",
                "fill": "toself",
                "fillcolor": "rgba(0,158,115,0.30)",
                "line": {"color": GREEN, "width": 1.5},
                "name": "Or instead: oral tablets every day",
                "legendgroup": "oral",
                "hoverinfo": "text",
                "hoveron": "fills",
                "text": _event_hover(e),
                "meta": {"role": "oral"},
            }
        )
    # Open-ended loading (neurological regimen): a band from the first dose to the review, continued by a dotted arrow.
    for e in lanes.of_kind("loading_open"):
        xs, ys = _band(e["day"], e["day"] + _OPEN_END_DAYS, lanes.y["loading"], 0.3)
        data += _in_panels(
            {
                "x": xs,
                "y": ys,
                "mode": "lines",
                "fill": "toself",
                "fillcolor": "rgba(255,255,255,0)",
                "fillpattern": {"shape": "/", "fgcolor": VERMILLION, "size": 8, "solidity": 0.25},
                "line": {"color": VERMILLION, "width": 1, "dash": "dot"},
                "name": "... continuing until no further improvement (length not fixed)",
                "legendgroup": "loading_open_end",
                "hoverinfo": "text",
                "hoveron": "fills",
                "text": _event_hover(e),
                "meta": {"role": "loading_open_end"},
            }
        )
        xs, ys = _band(0, e["day"], lanes.y["loading"], 0.3)
        data += _in_panels(
            {
                "x": xs,
                "y": ys,
                "mode": "lines",
                "fill": "toself",
                "fillcolor": "rgba(213,94,0,0.15)",
                "line": {"color": VERMILLION, "width": 1, "dash": "dot"},
                "name": f"Alternate-day injections, drawn for {neuro_loading_weeks:g} weeks",
                "legendgroup": "loading_open",
                "hoverinfo": "text",
                "hoveron": "fills",
                "text": _event_hover(e),
                "meta": {"role": "loading_open"},
            }
        )
    # Due windows of 2–3-monthly maintenance.
    windows = [e for e in lanes.of_kind("maintenance") if e["until_day"] is not None]
    if windows:
        window_x: list[float | None] = []
        window_y: list[float | None] = []
        for e in windows:
            bx, by = _band(e["day"], e["until_day"], lanes.y["maintenance"], 0.22)
            window_x += bx
            window_y += by
        data += _in_panels(
            {
                "x": window_x,
                "y": window_y,
                "mode": "lines",
                "fill": "toself",
                "fillcolor": "rgba(0,114,178,0.18)",
                "line": {"color": BLUE, "width": 1},
                "name": "Window in which each maintenance dose is due (2–3 months)",
                "legendgroup": "maintenance_window",
                "hoverinfo": "skip",
                "meta": {"role": "maintenance_window"},
            },
            in_days=False,
        )
    return data


def _point_traces(lanes: _Lanes, regimen: Regimen, own: str, other: str) -> list[dict[str, Any]]:
    """Point events: injections and checks, one trace per kind."""
    names = {
        "loading": f"Loading injection ({regimen.dose} {regimen.route})",
        "maintenance": "Maintenance injection",
        "monitoring": f"Check advised by {own}",
        "monitoring_compare": f"Check advised by {other} (for comparison)",
    }
    data: list[dict[str, Any]] = []
    for kind, (colour, symbol) in _TIMELINE_STYLE.items():
        timed = [e for e in lanes.of_kind(kind) if e["day"] is not None]
        if not timed:
            continue
        labels = [_short_label(e) if kind.startswith("monitoring") else "" for e in timed]
        trace = {
            "x": [e["day"] for e in timed],
            "y": [lanes.y[kind]] * len(timed),
            "mode": "markers+text" if kind.startswith("monitoring") else "markers",
            "marker": {"color": colour, "symbol": symbol, "size": 13, "line": {"color": WHITE, "width": 1}},
            "text": labels,
            "textposition": "top center",
            "textfont": {"size": 11},
            "name": names[kind],
            "legendgroup": kind,
            "hovertext": [_event_hover(e) for e in timed],
            "hoverinfo": "text",
            "meta": {"role": kind},
        }
        data += _in_panels(trace, in_days=kind == "loading")
    return data


def _lane_words(
    lanes: _Lanes, assessment: Assessment, regimen: Regimen, own: str, months: float
) -> list[dict[str, Any]]:
    """Words beside the shapes: "for life", the oral alternative, the open end, untimed checks."""
    right = {"xref": "x2", "yref": "y", "showarrow": False, "xanchor": "right", "font": {"size": 12}}
    annotations: list[dict[str, Any]] = []
    if regimen.duration:
        annotations.append(
            {
                **right,
                "x": months,
                "y": lanes.y["maintenance"] + 0.42,
                "text": f"<b>→ {plotly_text(_short_duration(regimen.duration))}</b>",
            }
        )
    oral = assessment.oral_regimen
    oral_words = f"{oral.drug.lower()} {oral.dose} {oral.route}, every day" if oral else ""
    for _ in lanes.of_kind("oral"):
        annotations.append(
            {
                **right,
                "x": months,
                "y": lanes.y["oral"] + 0.42,
                "text": f"<b>→ {plotly_text(_short_duration(oral.duration if oral else ''))}</b>",
            }
        )
        annotations.append(
            {
                **right,
                "x": 0.2,
                "xanchor": "left",
                "y": lanes.y["oral"],
                "text": plotly_text(f"OR, instead of injections: {oral_words}"),
            }
        )
    for e in lanes.of_kind("loading_open"):
        annotations.append(
            {
                "xref": "x",
                "yref": "y",
                "x": e["day"] + _OPEN_END_DAYS,
                "y": lanes.y["loading"] - 0.42,
                "xanchor": "right",
                "showarrow": False,
                "font": {"size": 11, "color": BLACK},
                "text": "until no further improvement →",
            }
        )
    for kind in ("monitoring", "monitoring_compare"):
        untimed = [e for e in lanes.of_kind(kind) if e["day"] is None]
        if untimed:
            # Each note by its own label (its words before the first colon), wrapped: the full words are in the
            # table below; a lane of two notes ran off the chart's left edge (session 14, the source's homocysteine
            # target beside its nitrous oxide correction).
            notes = "; ".join(e["event"].removeprefix("Throughout: ").split(": ", 1)[0] for e in untimed)
            annotations.append(
                {
                    **right,
                    "x": months,
                    "y": lanes.y[kind] - 0.38,
                    "text": wrap_text(f"Throughout: {notes}", 110),
                    "align": "right",
                    "font": {"size": 11, "color": GREY},
                }
            )
    if not lanes.of_kind("monitoring"):
        annotations.append(
            {**right, "x": months, "y": lanes.y["monitoring"], "text": plotly_text(f"{own}: no schedule given")}
        )
    return annotations


def _timeline_layout(
    lanes: _Lanes, regimen: Regimen, own: str, other: str, months: float, annotations: list[dict[str, Any]]
) -> dict[str, Any]:
    """Two panels side by side sharing the lanes; the schedule as the subtitle (the duration ends its lane)."""
    names = {
        "loading": "Loading injections",
        "maintenance": "Maintenance injections",
        "oral": "Oral alternative",
        "monitoring": f"Checks: {_short_profile(own)}",
        "monitoring_compare": f"Checks: {_short_profile(other)}",
    }
    if not lanes.of_kind("oral"):
        names.pop("oral")
    panel_titles = [
        {"text": "First weeks (days)", "x": 0.14, "y": 1.0, "xref": "paper", "yref": "paper", "yanchor": "bottom"},
        {
            "text": f"First {months:g} months",
            "x": 0.655,
            "y": 1.0,
            "xref": "paper",
            "yref": "paper",
            "yanchor": "bottom",
        },
    ]
    for panel in panel_titles:
        panel.update(showarrow=False, font={"size": 15})
    schedule = "; ".join(
        p for p in (f"{regimen.drug} {regimen.dose} {regimen.route}", regimen.loading, regimen.maintenance) if p
    )
    shown = len(lanes.y)
    layout = base_layout(_TITLE, schedule, height=170 + 75 * shown)
    layout.update(
        annotations=[*panel_titles, *annotations],
        hovermode="closest",
        yaxis={
            "tickvals": [lanes.y[k] for k in names],
            "ticktext": list(names.values()),
            "range": [-0.7, shown - 0.3],
            "fixedrange": True,
            "showgrid": True,
            "gridcolor": "#E5E5E5",
            "anchor": "x",
        },
        xaxis={
            "title": {"text": "Days since the first dose"},
            "range": [-1, lanes.panel_days],
            "dtick": 7,
            "zeroline": False,
            "domain": [0.0, 0.28],
            "anchor": "y",
        },
        xaxis2={
            "title": {"text": "Months since the first dose"},
            "range": [-0.3, months + 0.2],
            "dtick": 1,
            "zeroline": False,
            "domain": [0.31, 1.0],
            "anchor": "y",
        },
        margin={"l": 10, "r": 10, "t": 100, "b": 10},
        legend={**layout["legend"], "y": -80 / (layout["height"] - 110)},  # below the axis titles
    )
    return layout


def _short_label(e: dict[str, Any], limit: int = 30) -> str:
    """A few words for a checkpoint marker: 'B12 + FBC', 'Review symptoms and response'."""
    what = e["event"].split(": ", 1)[-1]
    short = what.replace("Serum B12 and full blood count", "B12 + FBC").replace("Serum B12", "B12")
    short = short.split(";")[0].split("(")[0].strip()
    if len(short) > limit:
        short = short[:limit].rsplit(" ", 1)[0] + "…"
    return plotly_text(short)


def _short_profile(name: str) -> str:
    return name.replace(" (default)", "").replace(" (2024)", "")


def _short_duration(duration: str) -> str:
    """The duration's first clause, for a label at the end of a lane (the full words are on the page).

    >>> _short_duration("lifelong, because the recorded cause cannot be reversed (NICE reassures ...)")
    'lifelong'
    >>> _short_duration("for life unless a reversible cause is fixed (NICE NG239)")
    'for life unless a reversible cause is fixed (NICE NG239)'
    """
    for stop in (", because", ":", ";"):
        duration = duration.split(stop, 1)[0]
    head, paren, rest = duration.partition(" (")
    if paren and len(rest) > 16:  # a long aside goes; a short citation such as "(NICE NG239)" stays
        duration = head
    return duration.strip()
