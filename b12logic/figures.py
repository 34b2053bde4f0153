"""Plotly figure builders: pure functions from an assessment (or case data) to a `go.Figure`.

No streamlit here: the pages call these and hand the figure to `st.plotly_chart`. The diagrams are
drawn from the graph data in graphs.py (coordinates, labels, hover text), so a picture cannot
disagree with the engine that walks the same graphs.

Conventions every builder in this module follows (colleagues append more builders below; reuse
the helpers rather than re-inventing them):

- Colours come from the Okabe-Ito palette (colour-blind safe): use the constants `BLUE`, `ORANGE`,
  `GREEN`, `VERMILLION`, `PURPLE`, `SKY_BLUE`, `BLACK` (and `GREY` / `LIGHT_GREY` for faded items).
- Never colour alone: anything that is highlighted is also bold, thicker or a different symbol,
  and every figure has a title (`_base_layout(title)`), which is also its accessible name.
- Diagrams hide their axes (`_diagram_axes()`); charts keep labelled axes with units.
- Text that reaches plotly goes through `_plotly_text()` (escapes `<`, `>` and `&`, which plotly
  would otherwise read as markup) and `_wrap()` for line breaks.
- Whatever does not depend on the case is built once and cached (`functools.lru_cache` keyed on
  plain values such as the profile's thresholds); only the per-case styling is done per call,
  because every slider move reruns the page.

Builders:
- `decision_figure(assessment, profile)`: the B12 and ESR flowcharts, this case's path highlighted
  (`decision_chart` gives the same chart as a `ReadyFigure` for the page: no per-rerun copies).
- `mechanism_figure(assessment, step=None, profile=None)`: the mechanism diagram, abnormal nodes lit.
- `lit_reasons(assessment, profile=None)`: why each lit mechanism node is lit, in words.
"""

from __future__ import annotations

import html
import itertools
import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from b12logic.case import Case
from b12logic.engine import (
    B12_STATUSES,
    DEFICIENT_STATUSES,
    HOMOCYSTEINE_TARGET,
    MACROCYTOSIS_MCV,
    STATUS_LABELS,
    Assessment,
)
from b12logic.esr import MARKED_ESR, NAIVE_ESR_CUTOFF, WETTELAND_CENTILES, esr_upper_limit
from b12logic.graphs import MECHANISM_GRAPH, MECHANISM_PATHWAYS, Edge, Graph, Node, decision_graph
from b12logic.guidelines import ANAEMIA_HB_G_DL, PROFILES, GuidelineProfile, custom_profile
from b12logic.treatment import (
    DAYS_PER_MONTH,
    ILLUSTRATIVE_NEURO_LOADING_WEEKS,
    comparison_monitoring,
    profile_name,
    treatment_events,
)

if TYPE_CHECKING:
    import pandas as pd

# --- Shared palette (Okabe-Ito) and helpers --------------------------------------------------------
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
# Plotly validates every property on construction, which costs ~10x the build itself. The figures here
# are assembled from a fixed set of property dicts, so validation runs in the tests (which set this
# to True) and the app skips it on each slider move.
VALIDATE_FIGURES = False


def _figure(traces: Sequence[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A Figure from trace and layout dicts (validated only when VALIDATE_FIGURES is set)."""
    return go.Figure(data=list(traces), layout=layout, _validate=VALIDATE_FIGURES)


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


def _plotly_text(text: str) -> str:
    """Escape characters plotly reads as markup ('<b>'), so 'B12 < 180 and > 350' shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrap(text: str, width: int) -> str:
    """Escaped text with '<br>' line breaks every `width` characters (plotly does not wrap)."""
    return "<br>".join(
        _plotly_text(line) for line in textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
    )


def _base_layout(title: str, subtitle: str = "", height: int = 520) -> dict[str, Any]:
    """Layout every figure starts from: a title (the chart's accessible name), quiet margins, one font."""
    title_spec: dict[str, Any] = {"text": _plotly_text(title), "x": 0.0, "xanchor": "left", "font": {"size": 18}}
    if subtitle:
        title_spec["subtitle"] = {"text": _wrap(subtitle, 120), "font": {"size": 13, "color": GREY}}
    return {
        "title": title_spec,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 86 if subtitle else 60, "b": 10},
        "font": {"family": FONT_FAMILY, "size": 13},
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 13}, "align": "left"},
        "plot_bgcolor": "rgba(0,0,0,0)",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "showlegend": True,
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.01, "xanchor": "left", "x": 0.0},
    }


def _diagram_axes(lo: float, hi: float) -> dict[str, Any]:
    """An axis for a diagram: fixed range, no ticks, grid or zero line, no zooming by accident."""
    return {"range": [lo, hi], "visible": False, "fixedrange": True}


def _legend_key(name: str, fill: str, line: str, line_width: float, symbol: str = "square") -> dict[str, Any]:
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


# --- Flowchart and mechanism geometry ---------------------------------------------------------------
# Approximate pixel scales used only to stop arrowheads at the edge of a label box.
_PX_PER_UNIT = 70.0
_CHAR_PX = 6.2
_LINE_PX = 16.0
_BOX_PAD_PX = 5.0


@dataclass(frozen=True)
class _Box:
    """A node drawn as a labelled box: centre, wrapped label, half-size in data units."""

    node: Node
    text: str
    half_w: float
    half_h: float


def _box(node: Node, wrap_at: int) -> _Box:
    lines = textwrap.wrap(node.label, wrap_at, break_on_hyphens=False, break_long_words=False) or [""]
    half_w = (max(len(line) for line in lines) * _CHAR_PX / 2 + _BOX_PAD_PX) / _PX_PER_UNIT
    half_h = (len(lines) * _LINE_PX / 2 + _BOX_PAD_PX) / _PX_PER_UNIT
    return _Box(node, "<br>".join(_plotly_text(line) for line in lines), half_w, half_h)


def _arrow_tip(src: tuple[float, float], dst: _Box) -> tuple[float, float]:
    """Where the segment from `src` meets dst's box (just outside it), for the arrowhead."""
    dx, dy = dst.node.x - src[0], dst.node.y - src[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return dst.node.x, dst.node.y
    ux, uy = dx / length, dy / length
    to_edge = min(
        dst.half_w / abs(ux) if ux else math.inf,
        dst.half_h / abs(uy) if uy else math.inf,
    )
    back = to_edge + 0.03
    return dst.node.x - ux * back, dst.node.y - uy * back


@dataclass(frozen=True)
class _LabelPlace:
    """Where an edge label sits: a fraction along one segment of the edge, optionally nudged or turned."""

    at: float = 0.5
    segment: int = 0
    xanchor: str = "center"
    dx: float = 0.0
    angle: float = 0.0
    wrap: int = 40


@dataclass(frozen=True)
class _EdgeGeom:
    edge: Edge
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    label_x: float
    label_y: float
    place: _LabelPlace


def _edge_geom(
    src: _Box, dst: _Box, edge: Edge, place: _LabelPlace | None = None, via: Sequence[tuple[float, float]] = ()
) -> _EdgeGeom:
    """An edge as a polyline from src's centre through `via` to just outside dst's box."""
    place = place or _LabelPlace()
    points = [(src.node.x, src.node.y), *via]
    points.append(_arrow_tip(points[-1], dst))
    seg = min(place.segment, len(points) - 2)
    (x0, y0), (x1, y1) = points[seg], (points[seg + 1] if seg + 2 < len(points) else (dst.node.x, dst.node.y))
    return _EdgeGeom(
        edge,
        tuple(p[0] for p in points),
        tuple(p[1] for p in points),
        x0 + (x1 - x0) * place.at + place.dx,
        y0 + (y1 - y0) * place.at,
        place,
    )


def _edge_trace(
    geoms: Sequence[_EdgeGeom],
    name: str,
    colour: str,
    width: float,
    dash: str,
    axes: tuple[str, str],
    meta: dict[str, Any],
    showlegend: bool = True,
    opacity: float = 1.0,
) -> dict[str, Any]:
    """All given edges as one line trace; each segment ends in an arrowhead pointing at its target."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    sizes: list[float] = []
    for g in geoms:
        xs += [*g.xs, None]
        ys += [*g.ys, None]
        sizes += [0] * (len(g.xs) - 1) + [9 + width, 0]
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "xaxis": axes[0],
        "yaxis": axes[1],
        "mode": "lines+markers",
        "name": name,
        "line": {"color": colour, "width": width, "dash": dash},
        "marker": {"symbol": "arrow", "angleref": "previous", "size": sizes, "color": colour},
        "hoverinfo": "skip",
        "showlegend": showlegend,
        "opacity": opacity,
        "meta": {**meta, "edges": [[g.edge.source, g.edge.target] for g in geoms]},
    }


def _node_trace(
    boxes: Sequence[_Box], name: str, axes: tuple[str, str], meta: dict[str, Any], hover: Sequence[str]
) -> dict[str, Any]:
    """The nodes as data: one transparent marker per node carrying its id (customdata) and hover text.

    The visible box is an annotation; this trace is what tests and selections read back.
    """
    return {
        "type": "scatter",
        "x": [b.node.x for b in boxes],
        "y": [b.node.y for b in boxes],
        "xaxis": axes[0],
        "yaxis": axes[1],
        "mode": "markers",
        "name": name,
        "customdata": [b.node.id for b in boxes],
        "hovertext": list(hover),
        "hoverinfo": "skip",  # the box (annotation) shows this text on hover; one label, not two
        "marker": {"size": 26, "opacity": 0, "symbol": "square"},
        "showlegend": False,
        "meta": {**meta, "ids": [b.node.id for b in boxes]},
    }


def _box_annotation(
    box: _Box,
    axes: tuple[str, str],
    fill: str,
    text_colour: str,
    border: str,
    border_width: float,
    bold: bool,
    hover: str,
    opacity: float = 1.0,
) -> dict[str, Any]:
    text = f"<b>{box.text}</b>" if bold else box.text
    return {
        "x": box.node.x,
        "y": box.node.y,
        "xref": axes[0],
        "yref": axes[1],
        "text": text,
        "showarrow": False,
        "bgcolor": fill,
        "bordercolor": border,
        "borderwidth": border_width,
        "borderpad": 4,
        "font": {"size": 12, "color": text_colour},
        "hovertext": hover,
        "hoverlabel": {"bgcolor": WHITE, "bordercolor": BLACK, "font": {"color": BLACK, "size": 13}},
        "opacity": opacity,
        "name": f"node:{box.node.id}",
    }


def _edge_label_annotation(g: _EdgeGeom, axes: tuple[str, str], strong: bool, opacity: float = 1.0) -> dict[str, Any]:
    text = _wrap(g.edge.label, g.place.wrap)
    return {
        "x": g.label_x,
        "y": g.label_y,
        "xanchor": g.place.xanchor,
        "textangle": g.place.angle,
        "xref": axes[0],
        "yref": axes[1],
        "text": f"<b>{text}</b>" if strong else text,
        "showarrow": False,
        "bgcolor": WHITE,
        "borderpad": 1,
        "font": {"size": 11, "color": BLACK if strong else GREY},
        "opacity": opacity,
        "name": f"edge:{g.edge.source}->{g.edge.target}",
    }


@lru_cache(maxsize=512)
def _node_hover(node: Node) -> str:
    """A node's own hover text (label and what it checks): fixed, so wrapped once, not on every rerun."""
    return "<br>".join(p for p in (f"<b>{_plotly_text(node.label)}</b>", _wrap(node.hover, 60)) if p)


def _hover(node: Node, extra: Iterable[str] = ()) -> str:
    return "<br>".join(p for p in (_node_hover(node), *extra) if p)


# --- Decision flowchart ----------------------------------------------------------------------------
B12_AXES = ("x", "y")
ESR_AXES = ("x2", "y2")
_TREE_AXES = {"b12": B12_AXES, "esr": ESR_AXES}
_TREE_COLOUR = {"b12": BLUE, "esr": ORANGE}
_TREE_NAME = {"b12": "B12 work-up", "esr": "ESR work-up"}
_DECISION_WRAP = {"b12": 18, "esr": 13}  # the ESR panel is narrower
_B12_X = (0.3, 10.9)
_ESR_X = (10.9, 15.9)
_DECISION_Y = (2.45, 10.45)
# Where along an edge its label sits (fraction from the source); a few edges share space with a box.
_LABEL_PLACES = {
    ("mma_borderline", "st_functional"): _LabelPlace(at=0.72, xanchor="right", dx=-0.08),
    ("mma_borderline", "out_not_confirmed"): _LabelPlace(at=0.5),
    ("mma_above", "st_functional"): _LabelPlace(at=0.6),
    ("mma_above", "out_needs_mma_hcy"): _LabelPlace(at=0.5, wrap=8),
}


@dataclass(frozen=True)
class _DecisionStatic:
    graph: Graph
    boxes: dict[str, _Box]
    edges: dict[tuple[str, str], _EdgeGeom]
    layout: dict[str, Any]


def _decision_layout() -> dict[str, Any]:
    layout = _base_layout(
        "Decision path for this case",
        "No arrow joins the two flowcharts: the ESR never changes the B12 plan. Bold, filled boxes = this case's path.",
        height=700,
    )
    # Two panels side by side, their width in proportion to the x range each tree needs.
    b12_span, esr_span = _B12_X[1] - _B12_X[0], _ESR_X[1] - _ESR_X[0]
    gap = 0.03
    split = (1 - gap) * b12_span / (b12_span + esr_span)
    layout.update(
        xaxis={**_diagram_axes(*_B12_X), "domain": [0.0, split]},
        yaxis={**_diagram_axes(*_DECISION_Y), "domain": [0.0, 0.95]},
        xaxis2={**_diagram_axes(*_ESR_X), "domain": [split + gap, 1.0]},
        yaxis2={**_diagram_axes(*_DECISION_Y), "domain": [0.0, 0.95], "anchor": "x2"},
        hovermode="closest",
        dragmode=False,
    )
    # Each tree sits in its own framed panel with its title, so the separation is visible.
    shapes, titles = [], []
    for tree, (xa, ya) in _TREE_AXES.items():
        shapes.append(
            {
                "type": "rect",
                "xref": f"{xa} domain",
                "yref": f"{ya} domain",
                "x0": 0,
                "x1": 1,
                "y0": 0,
                "y1": 1,
                "line": {"color": MID_GREY, "width": 1},
                "fillcolor": "rgba(242,242,242,0.35)",
                "layer": "below",
            }
        )
        titles.append(
            {
                "text": f"<b>{_TREE_NAME[tree]}</b>",
                "xref": f"{xa} domain",
                "yref": f"{ya} domain",
                "x": 0.01,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 15, "color": BLACK},
                "name": f"panel:{tree}",
            }
        )
    titles.append(
        {
            "text": _wrap(
                "The ESR is read against its own age- and sex-specific limit and worked up on its own. "
                "Nothing on this side feeds into the B12 flowchart.",
                34,
            ),
            "xref": "x2",
            "yref": "y2",
            "x": 13.4,
            "y": 4.6,
            "showarrow": False,
            "font": {"size": 12, "color": GREY},
            "align": "left",
            "name": "note:separate",
        }
    )
    layout["shapes"] = shapes
    layout["annotations"] = titles
    return layout


@lru_cache(maxsize=16)
def _decision_static(b12_low: float, b12_upper: float, mma_upper: float, profile_id: str) -> _DecisionStatic:
    """Everything about the flowchart that does not depend on the case, once per set of thresholds."""
    profile = PROFILES.get(profile_id) or custom_profile(b12_low, b12_upper, mma_upper)
    graph = decision_graph(profile)
    boxes = {n.id: _box(n, _DECISION_WRAP[n.tree]) for n in graph.nodes}
    edges = {
        (e.source, e.target): _edge_geom(boxes[e.source], boxes[e.target], e, _LABEL_PLACES.get((e.source, e.target)))
        for e in graph.edges
    }
    return _DecisionStatic(graph, boxes, edges, _decision_layout())


def _why_by_node(assessment: Assessment, graph: Graph) -> dict[str, str]:
    """The engine's 'why' sentence for each decision taken, keyed by the node it was taken at."""
    edges = {(e.source, e.target) for e in graph.edges}
    pairs = [
        p for path in (assessment.decision_path, assessment.esr_path) for p in itertools.pairwise(path) if p in edges
    ]
    if len(pairs) != len(assessment.why):
        return {}
    return {source: s.text for (source, _), s in zip(pairs, assessment.why, strict=True)}


def decision_figure_spec(assessment: Assessment, profile: GuidelineProfile) -> dict[str, Any]:
    """The B12 flowchart and the separate ESR flowchart, with this case's two paths highlighted.

    Node traces carry the node ids in `customdata` and `meta = {"role": "node", "tree": ..., "state":
    "path" | "faded", "ids": [...]}`; edge traces carry `meta["edges"]`. The highlighted nodes are
    exactly `assessment.decision_path + assessment.esr_path`.

    >>> from b12logic import Case, evaluate, get_profile
    >>> a = evaluate(Case(age=68, sex="female", b12=179, esr=30))
    >>> spec = decision_figure_spec(a, get_profile("source"))
    >>> [t["meta"]["ids"] for t in spec["data"] if t["meta"].get("role") == "node" and t["meta"]["state"] == "path"][0][:3]
    ['b12_start', 'b12_band', 'st_deficient']
    """
    static = _decision_static(profile.b12_low, profile.b12_upper, profile.mma_upper, profile.id)
    why = _why_by_node(assessment, static.graph)
    paths = {"b12": assessment.decision_path, "esr": assessment.esr_path}
    traces: list[dict[str, Any]] = []
    annotations = list(static.layout["annotations"])
    node_annotations: list[dict[str, Any]] = []
    label_annotations: list[dict[str, Any]] = []
    for tree, path in paths.items():
        axes, colour = _TREE_AXES[tree], _TREE_COLOUR[tree]
        on_path = set(path)
        path_edges = set(itertools.pairwise(path))
        tree_edges = [g for key, g in static.edges.items() if static.boxes[key[0]].node.tree == tree]
        faded_edges = [g for g in tree_edges if (g.edge.source, g.edge.target) not in path_edges]
        taken = [static.edges[p] for p in itertools.pairwise(path) if p in static.edges]
        traces.append(
            _edge_trace(
                faded_edges,
                "Branch not taken",
                MID_GREY,
                1.5,
                "solid",
                axes,
                {"role": "edge", "tree": tree, "state": "faded"},
                showlegend=False,
            )
        )
        traces.append(
            _edge_trace(
                taken,
                f"{_TREE_NAME[tree]}: this case's path",
                colour,
                4.5,
                "solid",
                axes,
                {"role": "edge", "tree": tree, "state": "path"},
                showlegend=False,
            )
        )
        path_boxes = [static.boxes[n] for n in path]
        faded_boxes = [b for b in static.boxes.values() if b.node.tree == tree and b.node.id not in on_path]
        path_hover = [
            _hover(
                b.node,
                (
                    f"<i>Step {i} of this case's {_TREE_NAME[tree]} path</i>",
                    f"This case: {_wrap(why[b.node.id], 60)}" if b.node.id in why else "",
                ),
            )
            for i, b in enumerate(path_boxes, start=1)
        ]
        faded_hover = [_hover(b.node, ("<i>Not on this case's path</i>",)) for b in faded_boxes]
        traces.append(
            _node_trace(
                path_boxes,
                f"{_TREE_NAME[tree]} path",
                axes,
                {"role": "node", "tree": tree, "state": "path"},
                path_hover,
            )
        )
        traces.append(
            _node_trace(
                faded_boxes,
                f"{_TREE_NAME[tree]}: not taken",
                axes,
                {"role": "node", "tree": tree, "state": "faded"},
                faded_hover,
            )
        )
        node_annotations += [
            _box_annotation(b, axes, colour, TEXT_ON[colour], BLACK, 3, True, h)
            for b, h in zip(path_boxes, path_hover, strict=True)
        ]
        node_annotations += [
            _box_annotation(b, axes, LIGHT_GREY, GREY, MID_GREY, 1, False, h)
            for b, h in zip(faded_boxes, faded_hover, strict=True)
        ]
        label_annotations += [
            _edge_label_annotation(g, axes, (g.edge.source, g.edge.target) in path_edges)
            for g in tree_edges
            if g.edge.label
        ]
    traces += [
        _legend_key("B12 path (this case)", BLUE, BLACK, 3),
        _legend_key("ESR path (this case)", ORANGE, BLACK, 3),
        _legend_key("Step not taken", LIGHT_GREY, MID_GREY, 1),
    ]
    layout = {**static.layout, "annotations": annotations + label_annotations + node_annotations}
    return {"data": traces, "layout": layout}


def decision_figure(assessment: Assessment, profile: GuidelineProfile) -> go.Figure:
    """The decision chart as a `go.Figure` (see `decision_figure_spec`), for tests and inspection."""
    spec = decision_figure_spec(assessment, profile)
    return _figure(spec["data"], spec["layout"])


def decision_chart(assessment: Assessment, profile: GuidelineProfile) -> ReadyFigure:
    """The decision chart for `st.plotly_chart`: the same JSON as `decision_figure`, without plotly's copies."""
    return ReadyFigure(decision_figure_spec(assessment, profile))


# --- Mechanism diagram -----------------------------------------------------------------------------
CONFOUNDING_STEP = "confounding"
MECHANISM_STEPS: dict[str, str] = {
    **MECHANISM_PATHWAYS,
    CONFOUNDING_STEP: "The only bridge: anaemia and the ESR (weak confounder)",
}
PATHWAY_COLOUR = {"b12": BLUE, "folate_bypass": GREEN, "inflammation": VERMILLION, CONFOUNDING_STEP: PURPLE}
_EDGE_STYLE = {  # kind -> (legend name, colour, width, dash)
    "causal": ("Causes / leads to", GREY, 2.0, "solid"),
    "bypass": ("Folic acid bypass (dotted)", GREEN, 2.5, "dot"),
    "confounding": ("Weak confounder, not causal (dashed)", PURPLE, 2.5, "dash"),
}
_MECH_WRAP = 16
_MECH_X = (-2.9, 11.3)
_MECH_Y = (4.4, 11.0)
_MECH_AXES = ("x", "y")
_MECH_LABEL_PLACES = {
    ("m_anaemia", "m_esr"): _LabelPlace(at=0.5),
    ("m_methylcbl", "m_myelin"): _LabelPlace(segment=0, at=0.5),
    ("m_folic", "m_dna"): _LabelPlace(at=0.55, xanchor="right", dx=-0.12, wrap=20),
}
# Edges routed around a box they would otherwise cross.
_MECH_VIA = {("m_methylcbl", "m_myelin"): ((2.85, 9.0), (2.85, 7.3))}
_FADED_OPACITY = 0.18


def _edge_step(edge: Edge, graph: Graph) -> str:
    """The teaching step an edge belongs to: its kind for the bypass and confounder, else its source's pathway."""
    if edge.kind == "bypass":
        return "folate_bypass"
    if edge.kind == "confounding":
        return CONFOUNDING_STEP
    return graph.node(edge.source).tree


def _step_nodes(step: str, graph: Graph) -> frozenset[str]:
    """Nodes shown at full strength for a step: the pathway's own and the ends of its edges."""
    ids = {n.id for n in graph.nodes if n.tree == step}
    for e in graph.edges:
        if _edge_step(e, graph) == step:
            ids |= {e.source, e.target}
    return frozenset(ids)


@dataclass(frozen=True)
class _MechanismStatic:
    boxes: dict[str, _Box]
    edges: tuple[_EdgeGeom, ...]
    layout: dict[str, Any]


@lru_cache(maxsize=1)
def _mechanism_static() -> _MechanismStatic:
    graph = MECHANISM_GRAPH
    boxes = {n.id: _box(n, _MECH_WRAP) for n in graph.nodes}
    edges = tuple(
        _edge_geom(
            boxes[e.source],
            boxes[e.target],
            e,
            _MECH_LABEL_PLACES.get((e.source, e.target)),
            _MECH_VIA.get((e.source, e.target), ()),
        )
        for e in graph.edges
    )
    layout = _base_layout(
        "How B12 deficiency and a raised ESR arise",
        "Lit boxes (filled, bold, thick outline) are abnormal in this case. Dotted = bypass; dashed = weak confounder.",
        height=640,
    )
    layout.update(xaxis=_diagram_axes(*_MECH_X), yaxis=_diagram_axes(*_MECH_Y), hovermode="closest", dragmode=False)
    headers = []
    for pathway, (x, y) in {"b12": (1.6, 10.5), "inflammation": (10.0, 10.5), "folate_bypass": (-1.4, 9.05)}.items():
        headers.append(
            {
                "text": f"<b>{_wrap(MECHANISM_PATHWAYS[pathway], 30)}</b>",
                "x": x,
                "y": y,
                "xref": "x",
                "yref": "y",
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 13, "color": BLACK},
                "name": f"header:{pathway}",
            }
        )
    headers.append(
        {
            "text": "<i>"
            + _wrap(
                "No causal arrow joins the two pathways: B12 deficiency does not cause inflammation, and "
                "inflammation does not cause B12 deficiency.",
                28,
            )
            + "</i>",
            "x": 7.0,
            "y": 8.3,
            "xref": "x",
            "yref": "y",
            "showarrow": False,
            "font": {"size": 12, "color": GREY},
            "name": "note:separate",
        }
    )
    layout["annotations"] = headers
    return _MechanismStatic(boxes, edges, layout)


def decision_alt_text(assessment: Assessment, profile: GuidelineProfile) -> str:
    """The decision figure in words, for screen readers (st.plotly_chart's `alt`).

    >>> from b12logic import Case, evaluate, get_profile
    >>> decision_alt_text(evaluate(Case(age=30, sex="male", b12=400, esr=5)), get_profile("source"))
    'B12 work-up path: Suspected B12 deficiency, then Total B12?, then Above range: neuro symptoms?, then Normal: no B12 treatment. ESR work-up path, separate: ESR measured, then Above age/sex limit?, then Normal for age and sex.'
    """
    graph = _decision_static(profile.b12_low, profile.b12_upper, profile.mma_upper, profile.id).graph

    def words(path: Sequence[str]) -> str:
        return ", then ".join(graph.node(n).label for n in path)

    return (
        f"B12 work-up path: {words(assessment.decision_path)}. "
        f"ESR work-up path, separate: {words(assessment.esr_path)}."
    )


# --- Decision flowchart as a still picture (SVG) ------------------------------------------------------
# The Explorer shows this by default: an image the browser draws in a few milliseconds. A Plotly chart
# whose data changes is rebuilt from scratch in the browser (Streamlit gives it a new identity), which
# cost ~430 ms of browser CPU per slider move (bench/HISTORY.md). Same geometry, colours and path as
# `decision_figure`, which stays available as the interactive chart (hover for details).
_SVG_SCALE = _PX_PER_UNIT  # pixels per data unit: the boxes were sized in these pixels
_SVG_GAP = 24.0  # between the two panels
_SVG_TOP = 96.0  # title, subtitle and the panel titles
_SVG_BOTTOM = 44.0  # the legend
_SVG_SIDE = 10.0
# An SVG shown as an image cannot use the page's web font: name common system fonts, and size the boxes
# for them (wider than Source Sans; bold wider still), so labels stay inside their boxes.
_SVG_FONT = "Arial, Liberation Sans, DejaVu Sans, sans-serif"
_SVG_CHAR_PX = {False: 6.6, True: 7.3}


def _svg_text_lines(
    lines: Sequence[str], x: float, y: float, size: float, colour: str, anchor: str = "middle", bold: bool = False
) -> str:
    """Lines of already XML-escaped text, centred vertically on y."""
    top = y - (len(lines) - 1) * _LINE_PX / 2
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(f'<tspan x="{x:.1f}" y="{top + i * _LINE_PX:.1f}">{line}</tspan>' for i, line in enumerate(lines))
    return (
        f'<text font-size="{size:g}" fill="{colour}" text-anchor="{anchor}" dominant-baseline="central"'
        f"{weight}>{spans}</text>"
    )


def _svg_lines(text: str) -> list[str]:
    """Plotly-style text ('<br>' breaks, '<b>' bold) to XML-safe lines; `_plotly_text` already escaped it."""
    return [line for line in text.replace("<b>", "").replace("</b>", "").split("<br>")]


def decision_svg(assessment: Assessment, profile: GuidelineProfile) -> str:
    """The decision flowchart as an SVG picture: both flowcharts, this case's two paths highlighted.

    Node groups carry `data-node` (the node id) and `data-state` ("path" or "faded"); edges carry
    `data-edge` ("source->target") and `data-state`. Highlighted nodes are exactly
    `assessment.decision_path + assessment.esr_path`; as in `decision_figure`, no arrow joins the trees.

    >>> from b12logic import Case, evaluate, get_profile
    >>> svg = decision_svg(evaluate(Case(age=68, sex="female", b12=179, esr=30)), get_profile("source"))
    >>> svg.startswith("<svg") and 'data-node="st_deficient" data-state="path"' in svg
    True
    """
    static = _decision_static(profile.b12_low, profile.b12_upper, profile.mma_upper, profile.id)
    x_ranges = {"b12": _B12_X, "esr": _ESR_X}
    widths = {tree: (hi - lo) * _SVG_SCALE for tree, (lo, hi) in x_ranges.items()}
    lefts = {"b12": _SVG_SIDE, "esr": _SVG_SIDE + widths["b12"] + _SVG_GAP}
    height = (_DECISION_Y[1] - _DECISION_Y[0]) * _SVG_SCALE
    total_w = lefts["esr"] + widths["esr"] + _SVG_SIDE
    total_h = _SVG_TOP + height + _SVG_BOTTOM

    def px(tree: str, x: float, y: float) -> tuple[float, float]:
        return lefts[tree] + (x - x_ranges[tree][0]) * _SVG_SCALE, _SVG_TOP + (_DECISION_Y[1] - y) * _SVG_SCALE

    alt = _plotly_text(decision_alt_text(assessment, profile))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:.0f} {total_h:.0f}" '
        f'width="{total_w:.0f}" height="{total_h:.0f}" role="img" font-family="{_SVG_FONT}">',
        f"<title>Decision path for this case</title><desc>{alt}</desc>",
        "<defs>",
        *(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="{size}" '
            f'markerHeight="{size}" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{colour}"/></marker>'
            for name, colour, size in (("b12", BLUE, 16), ("esr", ORANGE, 16), ("faded", MID_GREY, 11))
        ),
        "</defs>",
        f'<rect width="{total_w:.0f}" height="{total_h:.0f}" fill="{WHITE}"/>',
        _svg_text_lines(["Decision path for this case"], _SVG_SIDE, 20, 18, BLACK, "start"),
        _svg_text_lines(
            [
                "No arrow joins the two flowcharts: the ESR never changes the B12 plan. "
                "Bold, filled boxes = this case's path."
            ],
            _SVG_SIDE,
            46,
            13,
            GREY,
            "start",
        ),
    ]
    for tree in ("b12", "esr"):
        out.append(
            f'<rect x="{lefts[tree]:.1f}" y="{_SVG_TOP:.1f}" width="{widths[tree]:.1f}" height="{height:.1f}" '
            f'fill="{LIGHT_GREY}" fill-opacity="0.35" stroke="{MID_GREY}" stroke-width="1"/>'
        )
        out.append(_svg_text_lines([_TREE_NAME[tree]], lefts[tree] + 6, _SVG_TOP - 14, 15, BLACK, "start", True))
    note = _svg_lines(
        _wrap(
            "The ESR is read against its own age- and sex-specific limit and worked up on its own. "
            "Nothing on this side feeds into the B12 flowchart.",
            34,
        )
    )
    out.append(_svg_text_lines(note, *px("esr", 13.4, 4.6), 12, GREY))

    paths = {"b12": assessment.decision_path, "esr": assessment.esr_path}
    labels: list[str] = []
    for tree, path in paths.items():
        colour = _TREE_COLOUR[tree]
        on_path, path_edges = set(path), set(itertools.pairwise(path))
        tree_edges = [g for key, g in static.edges.items() if static.boxes[key[0]].node.tree == tree]
        # Faded edges first, so the path is drawn over them.
        for g in sorted(tree_edges, key=lambda g: (g.edge.source, g.edge.target) in path_edges):
            taken = (g.edge.source, g.edge.target) in path_edges
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in (px(tree, x, y) for x, y in zip(g.xs, g.ys, strict=True)))
            stroke, width, marker = (colour, 4.5, tree) if taken else (MID_GREY, 1.5, "faded")
            out.append(
                f'<polyline data-edge="{g.edge.source}->{g.edge.target}" data-state="{"path" if taken else "faded"}" '
                f'points="{points}" fill="none" stroke="{stroke}" stroke-width="{width}" '
                f'marker-end="url(#arrow-{marker})"/>'
            )
            if g.edge.label:
                lx, ly = px(tree, g.label_x, g.label_y)
                anchor = {"left": "start", "right": "end"}.get(g.place.xanchor, "middle")
                text = _svg_text_lines(
                    _svg_lines(_wrap(g.edge.label, g.place.wrap)), lx, ly, 11, BLACK if taken else GREY, anchor, taken
                )
                turn = f' transform="rotate({g.place.angle:g} {lx:.1f} {ly:.1f})"' if g.place.angle else ""
                # A white outline behind the letters keeps a label readable where it crosses a line.
                labels.append(
                    f'<g stroke="{WHITE}" stroke-width="4" paint-order="stroke" stroke-linejoin="round"{turn}>'
                    f"{text}</g>"
                )
        for box in (b for b in static.boxes.values() if b.node.tree == tree):
            taken = box.node.id in on_path
            fill, text_colour, border, border_w = (
                (colour, TEXT_ON[colour], BLACK, 3) if taken else (LIGHT_GREY, GREY, MID_GREY, 1)
            )
            cx, cy = px(tree, box.node.x, box.node.y)
            lines = _svg_lines(box.text)
            longest = max(len(html.unescape(line)) for line in lines)
            w = max(box.half_w * _SVG_SCALE, longest * _SVG_CHAR_PX[taken] / 2 + 6)
            h = box.half_h * _SVG_SCALE
            labels.append(
                f'<g data-node="{box.node.id}" data-state="{"path" if taken else "faded"}">'
                f'<rect x="{cx - w:.1f}" y="{cy - h:.1f}" width="{2 * w:.1f}" height="{2 * h:.1f}" rx="3" '
                f'fill="{fill}" stroke="{border}" stroke-width="{border_w}"/>'
                f"{_svg_text_lines(lines, cx, cy, 12, text_colour, 'middle', taken)}</g>"
            )
    out += labels
    legend_y = _SVG_TOP + height + 24
    x = _SVG_SIDE
    for name, fill, border, border_w in (
        ("B12 path (this case)", BLUE, BLACK, 3),
        ("ESR path (this case)", ORANGE, BLACK, 3),
        ("Step not taken", LIGHT_GREY, MID_GREY, 1),
    ):
        out.append(
            f'<rect x="{x:.1f}" y="{legend_y - 7:.1f}" width="14" height="14" fill="{fill}" stroke="{border}" '
            f'stroke-width="{border_w}"/>'
        )
        out.append(_svg_text_lines([name], x + 22, legend_y, 13, BLACK, "start"))
        x += 30 + len(name) * 7.2
    out.append("</svg>")
    return "".join(out)


def decision_edges_of(fig: go.Figure, state: str) -> list[tuple[str, str]]:
    """The (source, target) edges a figure draws in a given state ("path" or "faded"); for tests and tools."""
    return [
        (a, b)
        for t in fig.data
        if (t.meta or {}).get("role") == "edge" and t.meta.get("state") == state
        for a, b in t.meta["edges"]
    ]


def nodes_of(fig: go.Figure, state: str) -> list[str]:
    """The node ids a figure draws in a given state ("path"/"faded" or "lit"/"unlit"), read from its traces."""
    return [
        node_id
        for t in fig.data
        if (t.meta or {}).get("role") == "node" and t.meta.get("state") == state
        for node_id in t.customdata
    ]


def mechanism_figure(
    assessment: Assessment, step: str | None = None, profile: GuidelineProfile | None = None
) -> go.Figure:
    """The mechanism diagram with the nodes this case makes abnormal lit (`assessment.mechanism_lit`).

    `step` (a key of MECHANISM_STEPS) keeps one pathway at full strength and fades the rest, for
    stepping through in teaching. Node traces carry `meta["state"]` "lit" or "unlit".

    >>> from b12logic import Case, evaluate
    >>> fig = mechanism_figure(evaluate(Case(age=68, sex="female", b12=150, esr=60)))
    >>> sorted(nodes_of(fig, "lit"))
    ['m_b12', 'm_esr']
    """
    if step is not None and step not in MECHANISM_STEPS:
        raise ValueError(f"step: {step!r} is not one of {', '.join(MECHANISM_STEPS)}")
    static = _mechanism_static()
    graph = MECHANISM_GRAPH
    shown = _step_nodes(step, graph) if step else frozenset(static.boxes)
    reasons = lit_reasons(assessment, profile)
    lit = assessment.mechanism_lit
    traces: list[dict[str, Any]] = []
    label_annotations: list[dict[str, Any]] = []
    for kind, (name, colour, width, dash) in _EDGE_STYLE.items():
        geoms = [g for g in static.edges if g.edge.kind == kind]
        for strong in (True, False):
            chosen = [g for g in geoms if (step is None or _edge_step(g.edge, graph) == step) == strong]
            if not chosen and not strong:
                continue
            traces.append(
                _edge_trace(
                    chosen,
                    name,
                    colour,
                    width,
                    dash,
                    _MECH_AXES,
                    {"role": "edge", "kind": kind, "state": "shown" if strong else "faded"},
                    showlegend=strong,
                    opacity=1.0 if strong else _FADED_OPACITY,
                )
            )
        for g in geoms:
            if g.edge.label:
                strong = step is None or _edge_step(g.edge, graph) == step
                label = _edge_label_annotation(g, _MECH_AXES, strong, 1.0 if strong else _FADED_OPACITY)
                if kind == "confounding":
                    label.update(bordercolor=PURPLE, borderwidth=1.5, borderpad=3)
                label_annotations.append(label)
    node_annotations: list[dict[str, Any]] = []
    for state in ("lit", "unlit"):
        boxes = [b for b in static.boxes.values() if (b.node.id in lit) == (state == "lit")]
        hover = [
            _hover(
                b.node,
                (f"<b>Lit in this case:</b> {_wrap(reasons[b.node.id], 60)}",) if b.node.id in reasons else (),
            )
            for b in boxes
        ]
        traces.append(_node_trace(boxes, f"{state} nodes", _MECH_AXES, {"role": "node", "state": state}, hover))
        for b, h in zip(boxes, hover, strict=True):
            colour = PATHWAY_COLOUR[b.node.tree]
            opacity = 1.0 if b.node.id in shown else _FADED_OPACITY
            if state == "lit":
                node_annotations.append(
                    _box_annotation(b, _MECH_AXES, colour, TEXT_ON[colour], BLACK, 3, True, h, opacity)
                )
            else:
                node_annotations.append(
                    _box_annotation(b, _MECH_AXES, WHITE, "#333333", colour, 1.5, False, h, opacity)
                )
    traces.append(_legend_key("Abnormal in this case (lit)", BLUE, BLACK, 3))
    traces.append(_legend_key("Not abnormal / not measured", WHITE, BLUE, 1.5))
    layout = {**static.layout, "annotations": [*static.layout["annotations"], *label_annotations, *node_annotations]}
    if step:
        layout["title"] = {
            **layout["title"],
            "text": _plotly_text(f"How B12 deficiency and a raised ESR arise: {MECHANISM_STEPS[step]}"),
        }
    return _figure(traces, layout)


def lit_reasons(assessment: Assessment, profile: GuidelineProfile | None = None) -> dict[str, str]:
    """Why each lit mechanism node is lit, in words with this case's numbers.

    >>> from b12logic import Case, evaluate
    >>> a = evaluate(Case(age=71, sex="male", b12=250, mma=340, esr=36))
    >>> lit_reasons(a)["m_mma"]
    'MMA 340 nmol/L > 271 nmol/L (the cut-off): methylmalonyl-CoA mutase is short of its cofactor.'
    """
    case = assessment.case
    if profile is None:
        profile = PROFILES.get(assessment.guideline, PROFILES["source"])
    b12 = case.b12_pg_ml
    mma = case.mma_nmol_l
    hb = case.hb_g_dl
    out: dict[str, str] = {}
    lit = assessment.mechanism_lit
    if "m_b12" in lit:
        if assessment.b12_status in DEFICIENT_STATUSES and b12 < profile.b12_low:
            out["m_b12"] = f"B12 {b12:.0f} pg/mL < {profile.b12_low:g} pg/mL (the low cut-off)."
        else:
            out["m_b12"] = f"B12 {b12:.0f} pg/mL is not low, but a raised MMA shows functional deficiency."
    if "m_mma" in lit and mma is not None:
        out["m_mma"] = (
            f"MMA {mma:g} nmol/L > {profile.mma_upper:g} nmol/L (the cut-off): methylmalonyl-CoA mutase is short "
            "of its cofactor."
        )
    elif "m_mma" in lit:
        out["m_mma"] = "Functional deficiency: MMA above the cut-off."
    if "m_hcy" in lit and case.homocysteine is not None:
        out["m_hcy"] = f"Homocysteine {case.homocysteine:g} µmol/L ≥ {HOMOCYSTEINE_TARGET:g} µmol/L (the target)."
    if "m_mcv" in lit and case.mcv is not None:
        out["m_mcv"] = f"MCV {case.mcv:g} fL > {MACROCYTOSIS_MCV:g} fL: macrocytosis."
    if "m_anaemia" in lit and hb is not None:
        out["m_anaemia"] = (
            f"Hb {hb:g} g/dL < {ANAEMIA_HB_G_DL[case.sex]:g} g/dL (WHO anaemia threshold for {case.sex}s)."
        )
    if "m_neuro" in lit:
        out["m_neuro"] = "neurological symptoms are recorded for this case."
    if "m_folic" in lit:
        out["m_folic"] = "this case is taking folic acid, which can hide the anaemia while nerve damage goes on."
    if "m_esr" in lit:
        limit = assessment.esr_upper_limit
        if case.esr > MARKED_ESR:
            out["m_esr"] = (
                f"ESR {case.esr:g} mm/h > {MARKED_ESR:g} mm/h: markedly raised (the limit for this age and sex is "
                f"{limit:g} mm/h)."
            )
        else:
            out["m_esr"] = f"ESR {case.esr:g} mm/h > {limit:g} mm/h, the upper limit for this age and sex."
    return out


# --- Batch check: rows by B12 status and by ESR flag ------------------------------------------------
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
            y=[_wrap(labels.get(n, n), 30) for n in names],
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
    layout = _base_layout(title, f"{total:,} rows checked", height=90 + 62 * max(len(names), 1))
    layout["showlegend"] = False
    layout["margin"] = {**layout["margin"], "r": 70}
    fig.update_layout(
        **layout,
        # Whole rows only: with small counts plotly would put ticks at 0.5 and 1.5 rows.
        xaxis={
            "title": {"text": "Number of rows"},
            "rangemode": "tozero",
            "tickformat": ",d",
            "dtick": 1 if max(values, default=0) <= 10 else None,
            "gridcolor": LIGHT_GREY,
            "fixedrange": True,
        },
        yaxis={"title": {"text": _plotly_text(axis_title)}, "autorange": "reversed", "fixedrange": True},
    )
    return fig


def batch_status_figure(status_counts: dict[str, int]) -> go.Figure:
    """Rows of a batch by b12_status (in the order given, e.g. B12_STATUSES, zeros included)."""
    from b12logic.engine import STATUS_LABELS

    return _count_bars(status_counts, STATUS_LABELS, _BATCH_STATUS_COLOUR, "Rows by B12 status", "B12 status")


def batch_esr_flag_figure(flag_counts: dict[str, int]) -> go.Figure:
    """Rows of a batch by esr_flag (normal, elevated, markedly_elevated)."""
    from b12logic.engine import ESR_FLAG_LABELS

    return _count_bars(flag_counts, ESR_FLAG_LABELS, _BATCH_FLAG_COLOUR, "Rows by ESR flag", "ESR flag")


# --- Treatment timeline ------------------------------------------------------------------------------
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
            f"<b>{_plotly_text(e['event'])}</b>",
            _plotly_text(when),
            _wrap(e["detail"], 60),
            _plotly_text(f"[{e['citation']}]"),
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
    own = profile_name(assessment.guideline)
    other, _ = comparison_monitoring(assessment.guideline)
    title = "Treatment and monitoring timeline"
    if not events or regimen is None:
        layout = _base_layout(title, f"{assessment.status_label}: {assessment.regimen_label}", height=320)
        layout.update(
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[
                {
                    "text": _wrap(
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
        return go.Figure(layout=layout)
    # Built from plain dicts and validated once by go.Figure: quick enough to redraw on every slider move.
    data: list[dict[str, Any]] = []

    by_kind: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        by_kind.setdefault(e["kind"], []).append(e)
    loading = by_kind.get("loading", [])
    open_end = by_kind.get("loading_open", [])
    last_loading_day = max([e["day"] for e in loading + open_end] or [0])
    shown = [k for k in _LANE_ORDER if k != "oral" or by_kind.get("oral")]
    lane_y = {k: float(len(shown) - 1 - i) for i, k in enumerate(shown)}
    panel_days = max(_LOADING_PANEL_MIN_DAYS, last_loading_day + (_OPEN_END_DAYS + 2 if open_end else 7))
    horizon_months = months

    def both(trace: dict[str, Any], in_days: bool = True, in_months: bool = True, legend: bool = True) -> None:
        """Add a trace given in days to the left panel (days) and the right panel (months)."""
        if in_days:
            data.append({"type": "scatter", **trace, "xaxis": "x", "yaxis": "y", "showlegend": legend})
        if in_months:
            month_x = [None if x is None else x / DAYS_PER_MONTH for x in trace["x"]]
            data.append(
                {
                    "type": "scatter",
                    **trace,
                    "x": month_x,
                    "xaxis": "x2",
                    "yaxis": "y",
                    "showlegend": legend and not in_days,
                }
            )

    # Oral alternative: a daily band.
    for e in by_kind.get("oral", []):
        xs, ys = _band(e["day"], e["until_day"], lane_y["oral"], 0.28)
        both(
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
    for e in open_end:
        xs, ys = _band(e["day"], e["day"] + _OPEN_END_DAYS, lane_y["loading"], 0.3)
        both(
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
        xs, ys = _band(0, e["day"], lane_y["loading"], 0.3)
        both(
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
    windows = [e for e in by_kind.get("maintenance", []) if e["until_day"] is not None]
    if windows:
        window_x: list[float | None] = []
        window_y: list[float | None] = []
        for e in windows:
            bx, by = _band(e["day"], e["until_day"], lane_y["maintenance"], 0.22)
            window_x += bx
            window_y += by
        both(
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
    # Point events: injections and checks.
    names = {
        "loading": f"Loading injection ({regimen.dose} {regimen.route})" if regimen else "Loading injection",
        "maintenance": "Maintenance injection",
        "monitoring": f"Check advised by {own}",
        "monitoring_compare": f"Check advised by {other} (for comparison)",
    }
    for kind, (colour, symbol) in _TIMELINE_STYLE.items():
        timed = [e for e in by_kind.get(kind, []) if e["day"] is not None]
        if not timed:
            continue
        labels = [_short_label(e) if kind.startswith("monitoring") else "" for e in timed]
        trace = {
            "x": [e["day"] for e in timed],
            "y": [lane_y[kind]] * len(timed),
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
        both(trace, in_days=kind == "loading")

    # Words beside the shapes: "for life", the open end, untimed checks.
    right = {"xref": "x2", "yref": "y", "showarrow": False, "xanchor": "right", "font": {"size": 12}}
    annotations: list[dict[str, Any]] = []
    if regimen.duration:
        annotations.append(
            {
                **right,
                "x": horizon_months,
                "y": lane_y["maintenance"] + 0.42,
                "text": f"<b>→ {_plotly_text(regimen.duration)}</b>",
            }
        )
    oral = assessment.oral_regimen
    oral_words = f"{oral.drug.lower()} {oral.dose} {oral.route}, every day" if oral else ""
    for _ in by_kind.get("oral", []):
        annotations.append(
            {
                **right,
                "x": horizon_months,
                "y": lane_y["oral"] + 0.42,
                "text": "<b>→ for life, unless a reversible cause is fixed (NICE NG239)</b>",
            }
        )
        annotations.append(
            {
                **right,
                "x": 0.2,
                "xanchor": "left",
                "y": lane_y["oral"],
                "text": _plotly_text(f"OR, instead of injections: {oral_words}"),
            }
        )
    for e in open_end:
        annotations.append(
            {
                "xref": "x",
                "yref": "y",
                "x": e["day"] + _OPEN_END_DAYS,
                "y": lane_y["loading"] - 0.42,
                "xanchor": "right",
                "showarrow": False,
                "font": {"size": 11, "color": BLACK},
                "text": "until no further improvement →",
            }
        )
    for kind in ("monitoring", "monitoring_compare"):
        untimed = [e for e in by_kind.get(kind, []) if e["day"] is None]
        if untimed:
            annotations.append(
                {
                    **right,
                    "x": horizon_months,
                    "y": lane_y[kind] - 0.38,
                    "text": _plotly_text("; ".join(e["event"] for e in untimed)),
                    "font": {"size": 11, "color": GREY},
                }
            )
    if not by_kind.get("monitoring"):
        annotations.append(
            {**right, "x": horizon_months, "y": lane_y["monitoring"], "text": _plotly_text(f"{own}: no schedule given")}
        )

    lanes = {
        "loading": "Loading injections",
        "maintenance": "Maintenance injections",
        "oral": "Oral alternative",
        "monitoring": f"Checks: {_short_profile(own)}",
        "monitoring_compare": f"Checks: {_short_profile(other)}",
    }
    if not by_kind.get("oral"):
        lanes.pop("oral")
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
    layout = _base_layout(title, regimen.text, height=170 + 75 * len(shown))
    layout.update(
        annotations=[*panel_titles, *annotations],
        hovermode="closest",
        yaxis={
            "tickvals": [lane_y[k] for k in lanes],
            "ticktext": list(lanes.values()),
            "range": [-0.7, len(shown) - 0.3],
            "fixedrange": True,
            "showgrid": True,
            "gridcolor": "#E5E5E5",
            "anchor": "x",
        },
        xaxis={
            "title": {"text": "Days since the first dose"},
            "range": [-1, panel_days],
            "dtick": 7,
            "zeroline": False,
            "domain": [0.0, 0.28],
            "anchor": "y",
        },
        xaxis2={
            "title": {"text": "Months since the first dose"},
            "range": [-0.3, horizon_months + 0.2],
            "dtick": 1,
            "zeroline": False,
            "domain": [0.31, 1.0],
            "anchor": "y",
        },
        margin={"l": 10, "r": 10, "t": 100, "b": 10},
        legend={**layout["legend"], "y": -80 / (layout["height"] - 110)},  # below the axis titles
    )
    return go.Figure(data=data, layout=layout)


def _short_label(e: dict[str, Any], limit: int = 30) -> str:
    """A few words for a checkpoint marker: 'B12 + FBC', 'Review symptoms and response'."""
    what = e["event"].split(": ", 1)[-1]
    short = what.replace("Serum B12 and full blood count", "B12 + FBC").replace("Serum B12", "B12")
    short = short.split(";")[0].split("(")[0].strip()
    if len(short) > limit:
        short = short[:limit].rsplit(" ", 1)[0] + "…"
    return _plotly_text(short)


def _short_profile(name: str) -> str:
    return name.replace(" (default)", "").replace(" (2024)", "")


# --- Decision regions: B12 × MMA ----------------------------------------------------------------------
# One colour per b12_status (Okabe-Ito); the region label and the legend say the same in words.
STATUS_COLOURS = {
    "deficient": VERMILLION,
    "functional_deficiency": ORANGE,
    "indeterminate_needs_mma": SKY_BLUE,
    "not_confirmed": BLUE,
    "normal_needs_mma_hcy": PURPLE,
    "normal": GREEN,
}
PROFILE_DASH = {"source": "longdash", "nice-ng239": "dash", "bsh-2014": "dot", "custom": "dashdot"}
PROFILE_SHORT = {"source": "Source", "nice-ng239": "NICE", "bsh-2014": "BSH", "custom": "Lab"}
NOT_MEASURED = "MMA not measured"
_GRID_STEPS = (120, 90)


def _status_colorscale() -> list[list[Any]]:
    """A stepped colour scale: z = index of the status in B12_STATUSES picks exactly its colour."""
    n = len(B12_STATUSES)
    scale: list[list[Any]] = []
    for i, status in enumerate(B12_STATUSES):
        scale += [[i / n, STATUS_COLOURS[status]], [(i + 1) / n, STATUS_COLOURS[status]]]
    return scale


def _edges(lo: float, hi: float, steps: int, cuts: Sequence[float]) -> np.ndarray:
    """Cell edges: an even grid plus every cut-off, so region boundaries fall exactly on the threshold lines."""
    grid = np.linspace(lo, hi, steps + 1)
    extra = [c for c in cuts if lo < c < hi]
    return np.unique(np.concatenate([grid, np.asarray(extra, dtype=float)]))


def region_grid(profile: GuidelineProfile, neuro: bool, b12_edges: np.ndarray, mma_edges: np.ndarray) -> pd.DataFrame:
    """b12_status at each cell centre, from the vectorised engine (evaluate_frame), never re-implemented here.

    Rows: one per (b12, mma) cell centre, plus one per B12 centre with MMA not measured (mma = NaN).
    """
    import pandas as pd

    from b12logic.batch import evaluate_frame

    b12 = (b12_edges[:-1] + b12_edges[1:]) / 2
    mma = (mma_edges[:-1] + mma_edges[1:]) / 2
    bb, mm = np.meshgrid(b12, mma)
    frame = pd.DataFrame(
        {
            "b12": np.concatenate([bb.ravel(), b12]),
            "mma": np.concatenate([mm.ravel(), np.full(b12.size, np.nan)]),
        }
    )
    # Age, sex and ESR cannot reach b12_status (the ESR invariant), so any valid values do.
    frame = frame.assign(age=50, sex="female", esr=10, neuro_symptoms=bool(neuro))
    out = evaluate_frame(frame, profile)
    return frame.assign(b12_status=out["b12_status"].to_numpy())


@lru_cache(maxsize=32)
def _region_codes(
    b12_low: float,
    b12_upper: float,
    mma_upper: float,
    profile_id: str,
    neuro: bool,
    b12_edges: tuple[float, ...],
    mma_edges: tuple[float, ...],
) -> np.ndarray:
    """Status indices (into B12_STATUSES) of `region_grid`'s rows, cached on plain values: slider moves are cheap."""
    profile = PROFILES.get(profile_id)
    if profile is None or (profile.b12_low, profile.b12_upper, profile.mma_upper) != (b12_low, b12_upper, mma_upper):
        profile = custom_profile(b12_low, b12_upper, mma_upper)
    grid = region_grid(profile, neuro, np.asarray(b12_edges), np.asarray(mma_edges))
    index = {s: i for i, s in enumerate(B12_STATUSES)}
    codes = np.fromiter((index[s] for s in grid["b12_status"].to_numpy(dtype=object)), dtype=np.int8)
    codes.flags.writeable = False
    return codes


def _case_values(case_point: Case | tuple[float, float | None] | None) -> tuple[float, float | None] | None:
    if case_point is None:
        return None
    if isinstance(case_point, Case):
        return case_point.b12_pg_ml, case_point.mma_nmol_l
    b12, mma = case_point
    return float(b12), None if mma is None or mma != mma else float(mma)


def region_map_figure(
    profile: GuidelineProfile,
    neuro: bool,
    case_point: Case | tuple[float, float | None] | None,
    all_profiles: Sequence[GuidelineProfile],
) -> go.Figure:
    """Where each B12 × MMA result lands under `profile`, with every profile's cut-offs drawn as lines.

    Colours come from evaluate_frame on a grid (`region_grid`); the bottom strip is MMA not measured.
    The heatmap traces carry `meta = {"role": "regions" | "regions_not_measured"}` and cell edges as x/y;
    the case is the trace with `meta = {"role": "case"}` (in the strip when its MMA was not measured).
    The figure is built in one go from plain dicts: plotly validates once, so a slider move stays quick.

    >>> from b12logic.guidelines import PROFILES
    >>> fig = region_map_figure(PROFILES["source"], False, (150.0, None), list(PROFILES.values()))
    >>> [(t.x[0], t.yaxis) for t in fig.data if t.meta and t.meta.get("role") == "case"]
    [(150.0, 'y2')]
    """
    point = _case_values(case_point)
    profiles = list(all_profiles) or [profile]
    if profile.id not in {p.id for p in profiles}:
        profiles.append(profile)
    b12_cuts = sorted({c for p in profiles for c in (p.b12_low, p.b12_upper)})
    mma_cuts = sorted({p.mma_upper for p in profiles})
    b12_hi = min(10000.0, max(600.0, 1.25 * max(b12_cuts)))
    mma_hi = min(100000.0, max(700.0, 1.6 * max(mma_cuts)))
    if point is not None:
        b12_hi = max(b12_hi, min(10000.0, point[0] * 1.1))
        if point[1] is not None:
            mma_hi = max(mma_hi, min(100000.0, point[1] * 1.1))
    b12_edges = _edges(0.0, b12_hi, _GRID_STEPS[0], b12_cuts)
    mma_edges = _edges(0.0, mma_hi, _GRID_STEPS[1], mma_cuts)
    codes = _region_codes(
        profile.b12_low,
        profile.b12_upper,
        profile.mma_upper,
        profile.id,
        bool(neuro),
        tuple(b12_edges.tolist()),
        tuple(mma_edges.tolist()),
    )
    index = {s: i for i, s in enumerate(B12_STATUSES)}
    labels = np.asarray([STATUS_LABELS[s] for s in B12_STATUSES], dtype=object)[codes]
    nx, ny = b12_edges.size - 1, mma_edges.size - 1
    main_z, strip_z = codes[: nx * ny].reshape(ny, nx), codes[nx * ny :].reshape(1, nx)
    main_text, strip_text = labels[: nx * ny].reshape(ny, nx), labels[nx * ny :].reshape(1, nx)
    top, strip = {"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"}

    heat = {
        "type": "heatmap",
        "x": b12_edges,
        "colorscale": _status_colorscale(),
        "zmin": -0.5,
        "zmax": len(B12_STATUSES) - 0.5,
        "showscale": False,
        "opacity": 0.55,
        "hoverongaps": False,
    }
    data: list[dict[str, Any]] = [
        {
            **heat,
            **top,
            "y": mma_edges,
            "z": main_z,
            "customdata": main_text,
            "hovertemplate": "B12 %{x:.0f} pg/mL, MMA %{y:.0f} nmol/L<br><b>%{customdata}</b><extra></extra>",
            "name": "B12 status",
            "meta": {"role": "regions"},
        },
        {
            **heat,
            **strip,
            "y": [0.0, 1.0],
            "z": strip_z,
            "customdata": strip_text,
            "hovertemplate": "B12 %{x:.0f} pg/mL, MMA not measured<br><b>%{customdata}</b><extra></extra>",
            "name": "B12 status, MMA not measured",
            "meta": {"role": "regions_not_measured"},
        },
    ]
    # Legend entries and in-region labels: the words carry what the colours show.
    present = [B12_STATUSES[i] for i in sorted(set(codes.tolist()))]
    for status in present:
        data.append(
            {
                "type": "scatter",
                **top,
                "x": [None],
                "y": [None],
                "mode": "markers",
                "marker": {"symbol": "square", "size": 14, "color": STATUS_COLOURS[status], "opacity": 0.7},
                "name": STATUS_LABELS[status],
                "legendgroup": "status",
                "hoverinfo": "skip",
                "meta": {"role": "legend"},
            }
        )
    centres_b12 = (b12_edges[:-1] + b12_edges[1:]) / 2
    centres_mma = (mma_edges[:-1] + mma_edges[1:]) / 2
    annotations: list[dict[str, Any]] = []
    for status in present:
        rows, cols = np.nonzero(main_z == index[status])
        if rows.size:
            weight = (b12_edges[cols + 1] - b12_edges[cols]) * (mma_edges[rows + 1] - mma_edges[rows])
            cx = float(np.average(centres_b12[cols], weights=weight))
            cy = float(np.average(centres_mma[rows], weights=weight))
            distance = (centres_b12[cols] - cx) ** 2 / b12_hi**2 + (centres_mma[rows] - cy) ** 2 / mma_hi**2
            nearest = int(np.argmin(distance))
            annotations.append(
                {
                    "x": float(centres_b12[cols[nearest]]),
                    "y": float(centres_mma[rows[nearest]]),
                    "xref": "x",
                    "yref": "y",
                    "text": f"<b>{_wrap(STATUS_LABELS[status], 16)}</b>",
                    "showarrow": False,
                    "font": {"size": 12, "color": BLACK},
                    "bgcolor": "rgba(255,255,255,0.75)",
                }
            )
    # Labels in the not-measured strip: one per run of the same status.
    strip_codes = strip_z[0]
    starts = [0, *[i for i in range(1, nx) if strip_codes[i] != strip_codes[i - 1]]]
    for a, b in itertools.pairwise([*starts, nx]):
        status = B12_STATUSES[int(strip_codes[a])]
        wide = b12_edges[b] - b12_edges[a] > b12_hi / 6
        annotations.append(
            {
                "x": float((b12_edges[a] + b12_edges[b]) / 2),
                "y": 0.5,
                "xref": "x2",
                "yref": "y2",
                "text": _plotly_text(STATUS_LABELS[status] if wide else "…"),
                "hovertext": _plotly_text(STATUS_LABELS[status]),
                "showarrow": False,
                "font": {"size": 11, "color": BLACK},
                "bgcolor": "rgba(255,255,255,0.75)",
            }
        )
    # Cut-off lines, one trace per profile; the chosen profile's are solid and thick.
    for p in profiles:
        chosen = p.id == profile.id
        line = {
            "color": BLACK if chosen else GREY,
            "width": 3.0 if chosen else 1.5,
            "dash": "solid" if chosen else PROFILE_DASH.get(p.id, "dash"),
        }
        name = f"{p.name} cut-offs" + (" (shown)" if chosen else "")
        xs: list[float | None] = []
        ys: list[float | None] = []
        for cut in (p.b12_low, p.b12_upper):
            xs += [cut, cut, None]
            ys += [0, mma_hi, None]
        xs += [0, b12_hi, None]
        ys += [p.mma_upper, p.mma_upper, None]
        hover = _plotly_text(
            f"{p.name}: B12 < {p.b12_low:g} low, {p.b12_low:g}–{p.b12_upper:g} borderline; MMA > {p.mma_upper:g} raised"
        )
        data.append(
            {
                "type": "scatter",
                **top,
                "x": xs,
                "y": ys,
                "mode": "lines",
                "line": line,
                "name": name,
                "legendgroup": f"cuts-{p.id}",
                "hoverinfo": "text",
                "text": hover,
                "meta": {"role": "cutoffs", "profile": p.id, "chosen": chosen},
            }
        )
        data.append(
            {
                "type": "scatter",
                **strip,
                "x": [p.b12_low, p.b12_low, None, p.b12_upper, p.b12_upper],
                "y": [0.0, 1.0, None, 0.0, 1.0],
                "mode": "lines",
                "line": line,
                "name": name,
                "legendgroup": f"cuts-{p.id}",
                "showlegend": False,
                "hoverinfo": "skip",
                "meta": {"role": "cutoffs_strip", "profile": p.id},
            }
        )
    # Labels for the cut-off values, naming the profiles that share each one.
    for value, axis in [(c, "b12") for c in b12_cuts] + [(c, "mma") for c in mma_cuts]:
        owners = [
            PROFILE_SHORT.get(p.id, p.name)
            for p in profiles
            if (axis == "b12" and value in (p.b12_low, p.b12_upper)) or (axis == "mma" and value == p.mma_upper)
        ]
        common = {"text": _plotly_text(f"{value:g}: {', '.join(owners)}"), "showarrow": False}
        if axis == "b12":
            annotations.append(
                {
                    **common,
                    "x": value,
                    "y": 1.0,
                    "xref": "x",
                    "yref": "y domain",
                    "textangle": -90,
                    "xanchor": "right",
                    "yanchor": "top",
                    "font": {"size": 10, "color": BLACK},
                }
            )
        else:
            annotations.append(
                {
                    **common,
                    "x": 1.0,
                    "y": value,
                    "xref": "x domain",
                    "yref": "y",
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "font": {"size": 10, "color": BLACK},
                }
            )
    if point is not None:
        b12, mma = point
        measured = mma is not None
        label = f"This case: B12 {b12:.0f} pg/mL, " + (f"MMA {mma:g} nmol/L" if measured else "MMA not measured")
        data.append(
            {
                "type": "scatter",
                **(top if measured else strip),
                "x": [b12],
                "y": [mma if measured else 0.5],
                "mode": "markers",
                "marker": {"symbol": "star", "size": 20, "color": BLACK, "line": {"color": WHITE, "width": 2}},
                "name": "This case",
                "hoverinfo": "text",
                "hovertext": _plotly_text(label),
                "meta": {"role": "case", "mma_measured": measured},
                "cliponaxis": False,
            }
        )
        left_half = b12 < b12_hi * 0.6
        annotations.append(
            {
                "x": b12,
                "y": mma if measured else 1.0,
                "xref": "x" if measured else "x2",
                "yref": "y" if measured else "y2",
                "text": f"<b>{_plotly_text(label)}</b>",
                "showarrow": True,
                "arrowhead": 2,
                "ax": 40 if left_half else -40,
                "ay": -40,
                "xanchor": "left" if left_half else "right",
                "bgcolor": "rgba(255,255,255,0.9)",
                "bordercolor": BLACK,
                "font": {"size": 12, "color": BLACK},
            }
        )
    neuro_text = "with" if neuro else "without"
    layout = _base_layout(
        f"B12 status by total B12 and MMA: {profile.name}",
        f"Cases {neuro_text} neurological symptoms. Lines: each profile's cut-offs; thick solid = the profile shown.",
        height=640,
    )
    plain = {"showgrid": False, "zeroline": False}
    layout.update(
        xaxis={**plain, "range": [0, b12_hi], "anchor": "y", "matches": "x2", "showticklabels": False},
        yaxis={**plain, "title": {"text": "MMA (nmol/L)"}, "range": [0, mma_hi], "domain": [0.2, 1.0]},
        xaxis2={**plain, "title": {"text": "Total B12 (pg/mL)"}, "range": [0, b12_hi], "anchor": "y2"},
        yaxis2={
            **plain,
            "range": [0, 1],
            "domain": [0.0, 0.12],
            "anchor": "x2",
            "tickvals": [0.5],
            "ticktext": [NOT_MEASURED],
            "fixedrange": True,
        },
        annotations=annotations,
        legend={**layout["legend"], "y": -0.17},
    )
    return go.Figure(data=data, layout=layout)


# --- ESR limit by age ------------------------------------------------------------------------------------
ESR_AGES = (16, 100)
SEX_COLOURS = {"female": PURPLE, "male": BLUE}
SEX_WORDS = {"female": "women", "male": "men"}


def esr_by_age_figure(case: Case | None) -> go.Figure:
    """Miller 1983 upper limits for women and men by age, the naive 20 mm/h line, Wetteland 1996 centiles, the case.

    Line traces carry `meta = {"role": "miller", "sex": ...}`, the naive line `{"role": "naive"}`, the centiles
    `{"role": "centiles", "sex": ...}` and the case `{"role": "case"}`.

    >>> fig = esr_by_age_figure(Case(age=70, sex="female", b12=150, esr=30))
    >>> [t.y[-1] for t in fig.data if t.meta["role"] == "miller"]
    [55.0, 50.0]
    """
    ages = [float(a) for a in range(ESR_AGES[0], ESR_AGES[1] + 1)]
    oldest = ages[-1]
    data: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    end_label = {"showarrow": False, "xanchor": "left", "x": oldest}
    for sex, formula, dash in (("female", "(age + 10) ÷ 2", "solid"), ("male", "age ÷ 2", "dash")):
        limits = [esr_upper_limit(a, sex) for a in ages]
        data.append(
            {
                "type": "scatter",
                "x": ages,
                "y": limits,
                "mode": "lines",
                "line": {"color": SEX_COLOURS[sex], "width": 3, "dash": dash},
                "name": f"Upper limit, {SEX_WORDS[sex]}: {formula} (Miller 1983)",
                "hovertemplate": f"{SEX_WORDS[sex].capitalize()}, age %{{x:.0f}}: limit %{{y:.1f}} mm/h<extra></extra>",
                "meta": {"role": "miller", "sex": sex},
            }
        )
        annotations.append(
            {
                **end_label,
                "y": limits[-1],
                "text": f"<b>{SEX_WORDS[sex]}</b>",
                "font": {"color": SEX_COLOURS[sex], "size": 13},
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": [ages[0], oldest],
            "y": [NAIVE_ESR_CUTOFF, NAIVE_ESR_CUTOFF],
            "mode": "lines",
            "line": {"color": BLACK, "width": 2, "dash": "dot"},
            "name": f"Fixed {NAIVE_ESR_CUTOFF:g} mm/h cut-off (flags many healthy older women)",
            "hovertemplate": f"Fixed cut-off {NAIVE_ESR_CUTOFF:g} mm/h<extra></extra>",
            "meta": {"role": "naive"},
        }
    )
    annotations.append(
        {**end_label, "y": NAIVE_ESR_CUTOFF, "text": f"<b>{NAIVE_ESR_CUTOFF:g} mm/h</b>", "font": {"size": 13}}
    )
    for sex, symbol in (("female", "diamond"), ("male", "square")):
        points = WETTELAND_CENTILES[sex]
        data.append(
            {
                "type": "scatter",
                "x": [a for a, _ in points],
                "y": [v for _, v in points],
                "mode": "markers+text",
                "marker": {
                    "symbol": symbol,
                    "size": 11,
                    "color": SEX_COLOURS[sex],
                    "line": {"color": BLACK, "width": 1},
                },
                "text": [f"{v:g}" for _, v in points],
                "textposition": "middle right",
                "name": f"95th centile, healthy {SEX_WORDS[sex]} (Wetteland 1996)",
                "hovertemplate": f"Healthy {SEX_WORDS[sex]}, age %{{x}}: 95th centile %{{y}} mm/h<extra></extra>",
                "meta": {"role": "centiles", "sex": sex},
            }
        )
    top = 70.0
    if case is not None:
        limit = esr_upper_limit(case.age, case.sex)
        verdict = "above" if case.esr > limit else "within"
        person = "woman" if case.sex == "female" else "man"
        label = (
            f"This case: {case.esr:g} mm/h, {verdict} the limit of {limit:g} mm/h for a {case.age:g}-year-old {person}"
        )
        data.append(
            {
                "type": "scatter",
                "x": [case.age],
                "y": [case.esr],
                "mode": "markers",
                "marker": {"symbol": "star", "size": 20, "color": VERMILLION, "line": {"color": BLACK, "width": 1.5}},
                "name": "This case",
                "hoverinfo": "text",
                "hovertext": _plotly_text(label),
                "meta": {"role": "case"},
                "cliponaxis": False,
            }
        )
        top = max(top, case.esr * 1.2 + 10)
        annotations.append(
            {
                "x": case.age,
                "y": case.esr,
                "text": f"<b>{_wrap(label, 34)}</b>",
                "showarrow": True,
                "arrowhead": 2,
                "ax": -60 if case.age > 55 else 60,
                "ay": -50 if case.esr < top * 0.7 else 50,
                "xanchor": "right" if case.age > 55 else "left",
                "align": "left",
                "bgcolor": "rgba(255,255,255,0.9)",
                "bordercolor": BLACK,
                "font": {"size": 12, "color": BLACK},
            }
        )
    if top > MARKED_ESR:
        data.append(
            {
                "type": "scatter",
                "x": [ages[0], oldest],
                "y": [MARKED_ESR, MARKED_ESR],
                "mode": "lines",
                "line": {"color": VERMILLION, "width": 1.5, "dash": "dashdot"},
                "name": f"Markedly elevated: above {MARKED_ESR:g} mm/h (any age)",
                "hovertemplate": f"Markedly elevated above {MARKED_ESR:g} mm/h<extra></extra>",
                "meta": {"role": "marked"},
            }
        )
        annotations.append({**end_label, "y": MARKED_ESR, "text": f"<b>{MARKED_ESR:g} mm/h</b>", "font": {"size": 13}})
    layout = _base_layout(
        "ESR upper limit of normal by age and sex",
        "Westergren method. The limit rises with age; a fixed 20 mm/h line flags many healthy older women.",
        height=520,
    )
    grid = {"showgrid": True, "gridcolor": "#E5E5E5"}
    layout.update(
        margin={"l": 10, "r": 70, "t": 86, "b": 10},
        legend={**layout["legend"], "y": -0.14},
        annotations=annotations,
        xaxis={**grid, "title": {"text": "Age (years)"}, "range": [ESR_AGES[0] - 2, ESR_AGES[1] + 2]},
        yaxis={**grid, "title": {"text": "ESR (mm/h)"}, "range": [0, top], "zeroline": False},
    )
    return go.Figure(data=data, layout=layout)
