"""Box-and-arrow geometry shared by the graph diagrams (the decision flowchart and the mechanism diagram).

A node is a labelled box sized from its wrapped label; an edge is a polyline from a box's centre to just
outside the target's box, with its label placed along one segment. The traces and annotations built here
carry the node ids and edges in `meta`, which `nodes_of` and `decision_edges_of` read back.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go

from b12logic.figures.style import BLACK, GREY, WHITE, plotly_text, wrap_text
from b12logic.graphs import Edge, Node

# Approximate pixel scales used only to stop arrowheads at the edge of a label box.
PX_PER_UNIT = 70.0
_CHAR_PX = 6.2
LINE_PX = 16.0
_BOX_PAD_PX = 5.0


@dataclass(frozen=True)
class Box:
    """A node drawn as a labelled box: centre, wrapped label, half-size in data units."""

    node: Node
    text: str
    half_w: float
    half_h: float


def box_for(node: Node, wrap_at: int) -> Box:
    lines = textwrap.wrap(node.label, wrap_at, break_on_hyphens=False, break_long_words=False) or [""]
    half_w = (max(len(line) for line in lines) * _CHAR_PX / 2 + _BOX_PAD_PX) / PX_PER_UNIT
    half_h = (len(lines) * LINE_PX / 2 + _BOX_PAD_PX) / PX_PER_UNIT
    return Box(node, "<br>".join(plotly_text(line) for line in lines), half_w, half_h)


def _arrow_tip(src: tuple[float, float], dst: Box) -> tuple[float, float]:
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
class LabelPlace:
    """Where an edge label sits: a fraction along one segment of the edge, optionally nudged or turned."""

    at: float = 0.5
    segment: int = 0
    xanchor: str = "center"
    dx: float = 0.0
    angle: float = 0.0
    wrap: int = 40


@dataclass(frozen=True)
class EdgeGeom:
    edge: Edge
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    label_x: float
    label_y: float
    place: LabelPlace


def edge_geom(
    src: Box, dst: Box, edge: Edge, place: LabelPlace | None = None, via: Sequence[tuple[float, float]] = ()
) -> EdgeGeom:
    """An edge as a polyline from src's centre through `via` to just outside dst's box."""
    place = place or LabelPlace()
    points = [(src.node.x, src.node.y), *via]
    points.append(_arrow_tip(points[-1], dst))
    seg = min(place.segment, len(points) - 2)
    (x0, y0), (x1, y1) = points[seg], (points[seg + 1] if seg + 2 < len(points) else (dst.node.x, dst.node.y))
    return EdgeGeom(
        edge,
        tuple(p[0] for p in points),
        tuple(p[1] for p in points),
        x0 + (x1 - x0) * place.at + place.dx,
        y0 + (y1 - y0) * place.at,
        place,
    )


def edge_trace(
    geoms: Sequence[EdgeGeom],
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


def node_trace(
    boxes: Sequence[Box], name: str, axes: tuple[str, str], meta: dict[str, Any], hover: Sequence[str]
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


def box_annotation(
    box: Box,
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


def edge_label_annotation(g: EdgeGeom, axes: tuple[str, str], strong: bool, opacity: float = 1.0) -> dict[str, Any]:
    text = wrap_text(g.edge.label, g.place.wrap)
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
    return "<br>".join(p for p in (f"<b>{plotly_text(node.label)}</b>", wrap_text(node.hover, 60)) if p)


def hover_text(node: Node, extra: Iterable[str] = ()) -> str:
    return "<br>".join(p for p in (_node_hover(node), *extra) if p)


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
