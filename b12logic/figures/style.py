"""Shared style of every figure: the Okabe-Ito palette, fonts, escaped and wrapped text, the base layout.

Also how a figure is built (`build_figure`, validated only when `b12logic.figures.VALIDATE_FIGURES` is set) and
`ReadyFigure`, the finished chart that `st.plotly_chart` sends without plotly's copies.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"  # Okabe-Ito "reddish purple"
SKY_BLUE = "#56B4E9"
BLACK = "#000000"
WHITE = "#FFFFFF"
GREY = "#6B6B6B"  # faded text: still 5:1 on LIGHT_GREY, so it stays readable
LIGHT_GREY = "#F2F2F2"
MID_GREY = "#B0B0B0"
OKABE_ITO = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, BLACK)
# Text colour that keeps contrast on each palette fill (white on blue; black on the lighter ones).
TEXT_ON = {BLUE: WHITE, ORANGE: BLACK, GREEN: BLACK, VERMILLION: BLACK, PURPLE: BLACK, SKY_BLUE: BLACK, BLACK: WHITE}

FONT_FAMILY = "Source Sans Pro, Arial, sans-serif"


_AXIS_GRID = "#DDDDDD"
_AXIS_NAME = re.compile(r"[xy]axis\d*")


def on_white(layout: dict[str, Any]) -> dict[str, Any]:
    """The layout with black axes, tick labels, axis titles and legend text on light grey grid lines.

    Streamlit's own chart theme (st.plotly_chart's default) recolours what a figure leaves unset for the
    page's theme: light grey text in the dark theme, which is unreadable on the figures' white ground.
    Setting these explicitly keeps every figure the same card in both themes.

    >>> on_white({"xaxis": {"visible": False}, "legend": {"x": 0}})["xaxis"]["color"]
    '#000000'
    """
    out = {**layout}
    for name in [key for key in out if _AXIS_NAME.fullmatch(key)] or ["xaxis", "yaxis"]:
        axis = {"color": BLACK, "gridcolor": _AXIS_GRID, "linecolor": MID_GREY, **out.get(name, {})}
        # Streamlit sets tick and title fonts one level down, so `color` alone does not reach them.
        axis["tickfont"] = {"color": BLACK, **axis.get("tickfont", {})}
        title = axis.get("title", {})
        title = {"text": title} if isinstance(title, str) else title
        axis["title"] = {**title, "font": {"color": BLACK, **title.get("font", {})}}
        out[name] = axis
    legend = {**out.get("legend", {})}
    legend["font"] = {"color": BLACK, **legend.get("font", {})}
    out["legend"] = legend
    return out


def build_figure(traces: Sequence[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A Figure from trace and layout dicts (validated only when VALIDATE_FIGURES is set), black on white."""
    from b12logic import figures  # the switch is the package's, b12logic.figures.VALIDATE_FIGURES (tests set it)

    return go.Figure(data=list(traces), layout=on_white(layout), _validate=figures.VALIDATE_FIGURES)


@lru_cache(maxsize=4)
def _template_json(name: str) -> dict[str, Any]:
    """The named plotly template as plain JSON (what `Figure.to_dict()` puts under layout.template)."""
    return pio.templates[name].to_plotly_json()


class ReadyFigure(go.Figure):
    """A finished figure, as plain JSON-ready dicts, that `st.plotly_chart` sends without rebuilding it.

    `st.plotly_chart` turns any Figure into a dict with `to_dict()`; for a real `go.Figure` that is a
    deep copy of every property, and building the Figure is another (about 14 ms per rerun for the
    decision chart, half of the Explorer's server time: bench/HISTORY.md). This subclass skips both:
    it holds the spec and hands it over as it is, with the default template that a Figure would add,
    so the chart sent is the same JSON (tests/test_figures.py checks this, and tests/test_app.py the
    spec that reaches the page). It is for display only: use the `go.Figure` builders to inspect a
    figure's traces. The spec holds lists, never numpy arrays (plotly.io would rewrite those in place).
    """

    def __init__(self, spec: dict[str, Any]) -> None:  # no super().__init__: that is the copy we avoid
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        layout = {**self._spec.get("layout", {})}
        layout.setdefault("template", _template_json(pio.templates.default))
        return {"data": list(self._spec.get("data", [])), "layout": layout}

    def to_plotly_json(self) -> dict[str, Any]:
        return self.to_dict()

    def __repr__(self) -> str:
        return f"ReadyFigure({len(self._spec.get('data', []))} traces)"


def plotly_text(text: str) -> str:
    """Escape characters plotly reads as markup ('<b>'), so 'B12 < 180 and > 350' shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wrap_text(text: str, width: int) -> str:
    """Escaped text with '<br>' line breaks every `width` characters (plotly does not wrap)."""
    return "<br>".join(
        plotly_text(line) for line in textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
    )


def base_layout(title: str, subtitle: str = "", height: int = 520) -> dict[str, Any]:
    """Layout every figure starts from: a title (the chart's accessible name), quiet margins, one font, black on
    white whatever the app's theme."""
    title_spec: dict[str, Any] = {
        "text": plotly_text(title),
        "x": 0.0,
        "xanchor": "left",
        "font": {"size": 18, "color": BLACK},
    }
    top = 60
    if subtitle:
        wrapped = wrap_text(subtitle, 120)
        title_spec["subtitle"] = {"text": wrapped, "font": {"size": 13, "color": GREY}}
        top = 68 + 18 * (wrapped.count("<br>") + 1)  # room for every subtitle line, so none sits on the plot
    return {
        "title": title_spec,
        "height": height + top - 60,
        "margin": {"l": 10, "r": 10, "t": top, "b": 10},
        "font": {"family": FONT_FAMILY, "size": 13, "color": BLACK},
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 13}, "align": "left"},
        # A white card in both of the app's themes: the figures' colours (Okabe-Ito fills, black and grey text,
        # white outlines behind labels) are chosen for a white ground, so on a dark page they keep it with them.
        "plot_bgcolor": WHITE,
        "paper_bgcolor": WHITE,
        "showlegend": True,
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.01, "xanchor": "left", "x": 0.0},
    }


def diagram_axes(lo: float, hi: float) -> dict[str, Any]:
    """An axis for a diagram: fixed range, no ticks, grid or zero line, no zooming by accident."""
    return {"range": [lo, hi], "visible": False, "fixedrange": True}


def legend_key(name: str, fill: str, line: str, line_width: float, symbol: str = "square") -> dict[str, Any]:
    """A legend-only entry (a trace with no points) explaining a style used by annotations."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "name": name,
        "marker": {"symbol": symbol, "size": 14, "color": fill, "line": {"color": line, "width": line_width}},
        "hoverinfo": "skip",
        "meta": {"role": "legend"},
    }
