"""Figures for presenter mode: a lecture hall's projector at 1280 × 720, every label 20 px or larger.

The Explorer's diagrams are drawn for a desk: 11–13 px labels over a 780 px flowchart. Zooming them with CSS
would blur them and overflow the slide, so the slides draw their own, from the same graph data:
- `path_slide_spec`: only this case's two paths (the B12 work-up and, apart, the ESR work-up), as rows of
  boxes, with the node and edge labels of the decision graph.
- `mechanism_slide_spec`: the mechanism diagram of mechanism.py at presenter scale: fonts scaled by
  `PRESENTER_SCALE`, labels re-wrapped for the larger type, no legend (the slide says what lit means).
"""

from __future__ import annotations

import copy
import itertools
import math
import textwrap
from typing import Any

from b12logic.engine import Assessment
from b12logic.figures.mechanism import mechanism_figure
from b12logic.figures.style import (
    BLACK,
    BLUE,
    FONT_FAMILY,
    ORANGE,
    TEXT_ON,
    WHITE,
    diagram_axes,
    on_white,
    plotly_text,
    wrap_text,
)
from b12logic.graphs import MECHANISM_GRAPH, MECHANISM_PATHWAYS, Graph, decision_graph
from b12logic.guidelines import GuidelineProfile

# The builders' smallest label is 11 px (edge labels): at this scale it is 20 px on the slide.
PRESENTER_SCALE = 20 / 11
_LABEL_PX = 22  # box labels on the path slide
_EDGE_LABEL_PX = 20  # edge labels ("< 180 pg/mL", "yes")
_TITLE_PX = 24
_BOXES_PER_ROW = 4
_ROW_PX = 120  # one row of boxes, its edge labels included
_HEADER_PX = 40  # a row title ("B12 work-up")
_CHAR_PX = 0.56  # average glyph width of the font, as a fraction of its size (bold Source Sans)


def _box_text(label: str, wrap_at: int = 16) -> tuple[str, int, int]:
    """A label wrapped for the slide: its plotly text, its longest line in characters, its number of lines."""
    lines = textwrap.wrap(label, wrap_at, break_on_hyphens=False, break_long_words=False) or [""]
    return "<br>".join(plotly_text(line) for line in lines), max(len(line) for line in lines), len(lines)


def _path_row(
    graph: Graph,
    path: tuple[str, ...],
    tree: str,
    top: float,
    width: float,
    colour: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float]:
    """One work-up's path as boxes in rows of four, snaking (left to right, then right to left) so every
    arrow is short. Returns the box annotations, the arrows and edge labels, and the bottom of the rows."""
    column_px = width / _BOXES_PER_ROW
    centres: list[tuple[float, float]] = []
    boxes: list[dict[str, Any]] = []
    half_widths: list[float] = []
    for i, node_id in enumerate(path):
        row, col = divmod(i, _BOXES_PER_ROW)
        if row % 2:
            col = _BOXES_PER_ROW - 1 - col
        x, y = (col + 0.5) * column_px, top - (row + 0.5) * _ROW_PX
        centres.append((x, y))
        text, chars, _ = _box_text(graph.node(node_id).label)
        half_widths.append(chars * _LABEL_PX * _CHAR_PX / 2 + 10)
        last = i == len(path) - 1
        boxes.append(
            {
                "x": x,
                "y": y,
                "xref": "x",
                "yref": "y",
                "text": f"<b>{text}</b>",
                "showarrow": False,
                "bgcolor": colour,
                "bordercolor": BLACK,
                "borderwidth": 4 if last else 2,
                "borderpad": 6,
                "font": {"size": _LABEL_PX, "color": TEXT_ON[colour]},
                "name": f"node:{node_id}",
            }
        )
    labels = {(e.source, e.target): e.label for e in graph.edges}
    arrows: list[dict[str, Any]] = []
    for i in range(1, len(path)):
        (x0, y0), (x1, y1) = centres[i - 1], centres[i]
        vertical = math.isclose(x0, x1)
        # Start and stop the arrow at the boxes' edges (about half a box away from each centre).
        start = _ROW_PX * 0.36 if vertical else half_widths[i - 1]
        stop = _ROW_PX * 0.36 if vertical else half_widths[i]
        arrows.append(
            {
                "x": x1,
                "y": y1,
                "ax": x0,
                "ay": y0,
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "text": "",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1.2,
                "arrowwidth": 3,
                "arrowcolor": BLACK,
                "standoff": stop,
                "startstandoff": start,
                "name": f"edge:{path[i - 1]}->{path[i]}",
            }
        )
        label = labels.get((path[i - 1], path[i]), "")
        if label:
            arrows.append(
                {
                    "x": x0 + 12 if vertical else (x0 + x1) / 2,
                    "y": (y0 + y1) / 2,
                    "xanchor": "left" if vertical else "center",
                    "xref": "x",
                    "yref": "y",
                    "text": f"<b>{wrap_text(label, 9)}</b>",
                    "showarrow": False,
                    "bgcolor": WHITE,
                    "borderpad": 2,
                    "font": {"size": _EDGE_LABEL_PX, "color": BLACK},
                    "name": f"edge_label:{path[i - 1]}->{path[i]}",
                }
            )
    rows = math.ceil(len(path) / _BOXES_PER_ROW)
    return boxes, arrows, top - rows * _ROW_PX


def path_slide_spec(assessment: Assessment, profile: GuidelineProfile, width: float = 1200) -> dict[str, Any]:
    """This case's B12 path and, apart and below it, its ESR path, at presenter size (labels 20–22 px).

    `width` is the drawing's width in pixels (the slide's, about 1200 at 1280 × 720); the height follows from
    the number of rows. Box annotations are named "node:<id>", so tests can read the path back.

    >>> from b12logic import Case, evaluate, get_profile
    >>> spec = path_slide_spec(evaluate(Case(age=68, sex="female", b12=150, esr=30)), get_profile("source"))
    >>> [a["name"] for a in spec["layout"]["annotations"] if a["name"].startswith("node:")][:3]
    ['node:b12_start', 'node:b12_band', 'node:st_deficient']
    >>> min(a["font"]["size"] for a in spec["layout"]["annotations"] if "font" in a)
    20
    """
    graph = decision_graph(profile)
    b12_rows = math.ceil(len(assessment.decision_path) / _BOXES_PER_ROW)
    esr_rows = math.ceil(len(assessment.esr_path) / _BOXES_PER_ROW)
    height = 2 * _HEADER_PX + (b12_rows + esr_rows) * _ROW_PX + 20
    annotations: list[dict[str, Any]] = []
    top = float(height)
    for tree, path, colour, heading in (
        ("b12", assessment.decision_path, BLUE, "B12 work-up: this case's path"),
        ("esr", assessment.esr_path, ORANGE, "ESR work-up, on its own: no arrow joins it to the B12 path"),
    ):
        annotations.append(
            {
                "x": 0,
                "y": top,
                "xref": "x",
                "yref": "y",
                "xanchor": "left",
                "yanchor": "top",
                "text": f"<b>{plotly_text(heading)}</b>",
                "showarrow": False,
                "font": {"size": _TITLE_PX, "color": BLACK},
                "name": f"panel:{tree}",
            }
        )
        boxes, arrows, top = _path_row(graph, path, tree, top - _HEADER_PX, width, colour)
        annotations += arrows + boxes  # boxes last: drawn over the arrows' ends
        top -= 10
    layout = {
        "title": {"text": "", "font": {"size": _TITLE_PX}},
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "font": {"family": FONT_FAMILY, "size": _LABEL_PX, "color": BLACK},
        "plot_bgcolor": WHITE,
        "paper_bgcolor": WHITE,
        "showlegend": False,
        "xaxis": diagram_axes(0, width),
        "yaxis": diagram_axes(0, height),
        "hovermode": False,
        "dragmode": False,
        "annotations": annotations,
    }
    return {"data": [], "layout": on_white(layout)}


def at_presenter_scale(spec: dict[str, Any], scale: float = PRESENTER_SCALE) -> dict[str, Any]:
    """A copy of a figure spec with every font (labels, title, legend, hover) `scale` times larger.

    >>> at_presenter_scale({"layout": {"annotations": [{"font": {"size": 11}}]}})["layout"]["annotations"][0]["font"]
    {'size': 20.0}
    """
    out = copy.deepcopy(spec)
    layout = out.setdefault("layout", {})

    def grow(holder: dict[str, Any], key: str = "font") -> None:
        font = holder.get(key)
        if isinstance(font, dict) and isinstance(font.get("size"), (int, float)):
            font["size"] = round(font["size"] * scale, 1)

    for annotation in layout.get("annotations", []):
        grow(annotation)
    for holder in (layout, layout.get("title", {}), layout.get("legend", {}), layout.get("hoverlabel", {})):
        grow(holder)
    return out


# Wrap widths at presenter scale (characters): narrow in the crowded B12 pathway, wide in the lone column.
_MECH_SLIDE_WRAP = {"b12": 14, "folate_bypass": 12, "inflammation": 24}
_MECH_HEADER_WRAP = 26
_MECH_EDGE_WRAP = 26
# Edge labels that need their own place at this size: wrap width, then x, y (diagram units) and anchor, or None
# to keep the desk diagram's. The bypass label sits under the folic acid box, the methylation label at the bend
# of its edge (clear of the box it leaves), the confounder under its dashed line, in the band between the two pathways.
_MECH_SLIDE_LABELS: dict[str, tuple[int, float | None, float | None, str | None]] = {
    "edge:m_folic->m_dna": (16, -1.5, 7.2, "center"),
    "edge:m_methylcbl->m_myelin": (26, 2.7, None, "right"),
    "edge:m_anaemia->m_esr": (34, 5.6, 4.72, "center"),
}
# The desk diagram leaves a wide empty band between the pathways (for a note the slide says in words): on the
# slide that band shrinks and the B12 pathway gets the width its larger labels need. Data x -> paper fraction.
_MECH_SLIDE_X = ((-2.9, 0.0), (4.9, 0.62), (8.4, 0.72), (11.6, 1.0))
_MECHANISM_SLIDE_HEIGHT = 520
_MECH_SLIDE_Y = (3.55, 11.0)  # the desk diagram's, with room under the bottom row for the confounder's label


def _slide_x(x: float) -> float:
    """Piecewise-linear map of the mechanism diagram's x onto the slide's width (0 to 1).

    >>> _slide_x(-2.9), _slide_x(4.9), _slide_x(50.0)
    (0.0, 0.62, 1.0)
    """
    points = _MECH_SLIDE_X
    if x <= points[0][0]:
        return points[0][1]
    for (x0, f0), (x1, f1) in itertools.pairwise(points):
        if x <= x1:
            return f0 + (x - x0) * (f1 - f0) / (x1 - x0)
    return points[-1][1]


def mechanism_slide_spec(assessment: Assessment, profile: GuidelineProfile | None = None) -> dict[str, Any]:
    """The mechanism diagram with this case's abnormal nodes lit, at presenter scale (labels 20 px and up).

    The same nodes, edges and lit boxes as `mechanism_figure`, its fonts scaled by PRESENTER_SCALE, its labels
    re-wrapped for the larger type and its x squeezed where the desk diagram leaves room for a note. No title or
    legend: the slide's heading and one line of text say them.

    >>> from b12logic import Case, evaluate
    >>> spec = mechanism_slide_spec(evaluate(Case(age=68, sex="female", b12=150, esr=60)))
    >>> min(a["font"]["size"] for a in spec["layout"]["annotations"] if a.get("visible", True)) >= 20
    True
    """
    spec = at_presenter_scale(mechanism_figure(assessment, profile=profile).to_dict())
    layout = spec["layout"]
    nodes = {n.id: n for n in MECHANISM_GRAPH.nodes}
    edges = {f"edge:{e.source}->{e.target}": e for e in MECHANISM_GRAPH.edges}
    for annotation in layout.get("annotations", []):
        name = str(annotation.get("name", ""))
        bold = str(annotation.get("text", "")).startswith("<b>")
        text = None
        if name.startswith("node:") and name[5:] in nodes:
            node = nodes[name[5:]]
            text = _box_text(node.label, _MECH_SLIDE_WRAP.get(node.tree, 14))[0]
        elif name.startswith("header:"):
            text = _box_text(MECHANISM_PATHWAYS.get(name[7:], ""), _MECH_HEADER_WRAP)[0]
        elif name in edges:
            wrap_at, x, y, anchor = _MECH_SLIDE_LABELS.get(name, (_MECH_EDGE_WRAP, None, None, None))
            text = _box_text(edges[name].label, wrap_at)[0]
            moved = {"x": x, "y": y, "xanchor": anchor}
            annotation.update({key: value for key, value in moved.items() if value is not None})
        elif name == "note:separate":
            annotation["visible"] = False  # the slide says it in words; at this size it would crowd the bridge
        if text is not None:
            annotation["text"] = f"<b>{text}</b>" if bold else text
        if annotation.get("xref") == "x" and isinstance(annotation.get("x"), (int, float)):
            annotation["x"] = _slide_x(float(annotation["x"]))
    for trace in spec.get("data", []):
        if isinstance(trace.get("x"), (list, tuple)):
            trace["x"] = [None if x is None else _slide_x(float(x)) for x in trace["x"]]
    layout["xaxis"] = {**layout.get("xaxis", {}), "range": [-0.01, 1.01]}
    layout["yaxis"] = {**layout.get("yaxis", {}), "range": list(_MECH_SLIDE_Y)}
    layout["title"] = {"text": ""}
    layout.update(
        showlegend=False, height=_MECHANISM_SLIDE_HEIGHT, margin={"l": 0, "r": 0, "t": 24, "b": 0}, hovermode=False
    )
    return spec


__all__ = ["PRESENTER_SCALE", "at_presenter_scale", "mechanism_slide_spec", "path_slide_spec"]
