"""The Batch check page's two charts: rows by B12 status and rows by ESR flag."""

from __future__ import annotations

import plotly.graph_objects as go

from b12logic.figures.style import (
    BLACK,
    BLUE,
    GREY,
    LIGHT_GREY,
    ORANGE,
    SKY_BLUE,
    VERMILLION,
    base_layout,
    on_white,
    plotly_text,
    wrap_text,
)

# Severity order and colour agree with the app's badges; the bar labels and counts carry the meaning.
_BATCH_STATUS_COLOUR = {
    "deficient": VERMILLION,
    "functional_deficiency": VERMILLION,
    "indeterminate_needs_mma": ORANGE,
    "normal_needs_mma_hcy": ORANGE,
    "not_confirmed": SKY_BLUE,
    "normal": BLUE,
}
_BATCH_FLAG_COLOUR = {"normal": BLUE, "elevated": ORANGE, "markedly_elevated": VERMILLION}


def _count_bars(
    counts: dict[str, int], labels: dict[str, str], colours: dict[str, str], title: str, axis_title: str
) -> go.Figure:
    """Horizontal bars, one per category in the given order (zeros kept), each labelled with count and share."""
    names = list(counts)
    values = [int(counts[n]) for n in names]
    total = sum(values)
    shares = [f"{v:,} ({v / total:.0%})" if total else "0" for v in values]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=[wrap_text(labels.get(n, n), 30) for n in names],
            orientation="h",
            marker={"color": [colours.get(n, GREY) for n in names], "line": {"color": BLACK, "width": 1}},
            text=shares,
            textposition="outside",
            cliponaxis=False,
            customdata=names,
            hovertemplate="%{y}<br>%{x:,} rows<br>value: %{customdata}<extra></extra>",
            name=axis_title,
        )
    )
    layout = base_layout(title, f"{total:,} rows checked", height=90 + 62 * max(len(names), 1))
    layout["showlegend"] = False
    layout["margin"] = {**layout["margin"], "r": 70}
    layout = {
        **layout,
        # Whole rows only: with small counts plotly would put ticks at 0.5 and 1.5 rows.
        "xaxis": {
            "title": {"text": "Number of rows"},
            "rangemode": "tozero",
            "tickformat": ",d",
            "dtick": 1 if max(values, default=0) <= 10 else None,
            "gridcolor": LIGHT_GREY,
            "fixedrange": True,
        },
        "yaxis": {"title": {"text": plotly_text(axis_title)}, "autorange": "reversed", "fixedrange": True},
    }
    fig.update_layout(**on_white(layout))
    return fig


def batch_status_figure(status_counts: dict[str, int]) -> go.Figure:
    """Rows of a batch by b12_status (in the order given, e.g. B12_STATUSES, zeros included)."""
    from b12logic.labels import STATUS_LABELS

    return _count_bars(status_counts, STATUS_LABELS, _BATCH_STATUS_COLOUR, "Rows by B12 status", "B12 status")


def batch_esr_flag_figure(flag_counts: dict[str, int]) -> go.Figure:
    """Rows of a batch by esr_flag (normal, elevated, markedly_elevated)."""
    from b12logic.labels import ESR_FLAG_LABELS

    return _count_bars(flag_counts, ESR_FLAG_LABELS, _BATCH_FLAG_COLOUR, "Rows by ESR flag", "ESR flag")
