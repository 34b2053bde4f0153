"""The decision flowchart: the B12 work-up and the separate ESR work-up, this case's two paths highlighted.

The layout (boxes, edges, panels) is built once per set of thresholds (`decision_static`) and shared by
the Plotly chart here and the SVG picture in decision_svg.py, so both draw the same geometry.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import plotly.graph_objects as go

from b12logic.engine import Assessment, graph_for
from b12logic.figures.boxes import (
    Box,
    EdgeGeom,
    LabelPlace,
    box_annotation,
    box_for,
    edge_geom,
    edge_label_annotation,
    edge_trace,
    hover_text,
    node_trace,
)
from b12logic.figures.style import (
    BLACK,
    BLUE,
    GREY,
    LIGHT_GREY,
    MID_GREY,
    ORANGE,
    TEXT_ON,
    ReadyFigure,
    base_layout,
    build_figure,
    diagram_axes,
    legend_key,
    on_white,
    wrap_text,
)
from b12logic.graphs import Graph
from b12logic.guidelines import GuidelineProfile

B12_AXES = ("x", "y")
ESR_AXES = ("x2", "y2")
_TREE_AXES = {"b12": B12_AXES, "esr": ESR_AXES}
TREE_COLOUR = {"b12": BLUE, "esr": ORANGE}
TREE_NAME = {"b12": "B12 work-up", "esr": "ESR work-up"}
_DECISION_WRAP = {"b12": 18, "esr": 13}  # the ESR panel is narrower
B12_X = (-0.4, 10.9)
ESR_X = (10.9, 15.9)
DECISION_Y = (1.45, 10.45)
# Where along an edge its label sits (fraction from the source); a few edges share space with a box.
_LABEL_PLACES = {
    ("mma_borderline", "st_functional"): LabelPlace(at=0.72, xanchor="right", dx=-0.08),
    ("mma_borderline", "out_not_confirmed"): LabelPlace(at=0.5),
    ("mma_borderline", "st_treat_lasting_cause"): LabelPlace(at=0.75, xanchor="left", dx=0.08, wrap=14),
    ("neuro_above", "st_lasting_in_range"): LabelPlace(at=0.88, xanchor="left", dx=0.08, wrap=14),
    ("mma_above", "st_lasting_in_range"): LabelPlace(at=0.88, xanchor="right", dx=-0.08, wrap=14),
    ("mma_above", "st_treat_lasting_cause"): LabelPlace(at=0.55, xanchor="right", dx=-0.08, wrap=10),
    ("mma_above", "st_treat_awaiting_hcy"): LabelPlace(at=0.3, xanchor="left", dx=0.05, wrap=14),
    ("mma_above", "st_functional"): LabelPlace(at=0.6),
    ("mma_above", "out_needs_mma_hcy"): LabelPlace(at=0.5, wrap=8),
    ("mma_borderline", "borderline_wait"): LabelPlace(at=0.4, xanchor="right", dx=-0.2, wrap=22),
    ("borderline_wait", "out_indeterminate"): LabelPlace(at=0.5, xanchor="right", dx=-0.05),
    ("borderline_wait", "out_active_unlikely"): LabelPlace(at=0.5, xanchor="left", dx=0.05),
    ("borderline_wait", "st_treat_awaiting"): LabelPlace(at=0.5, xanchor="left", dx=0.05),
    ("mma_above", "out_treat_awaiting_hcy"): LabelPlace(at=0.4, xanchor="left", dx=0.08, wrap=10),
    ("mma_above", "out_normal_after_mma"): LabelPlace(at=0.5, wrap=10),
}


@dataclass(frozen=True)
class DecisionStatic:
    graph: Graph
    boxes: dict[str, Box]
    edges: dict[tuple[str, str], EdgeGeom]
    layout: dict[str, Any]


def _decision_layout() -> dict[str, Any]:
    layout = base_layout(
        "Decision path for this case",
        "No arrow joins the two flowcharts: the ESR never changes the B12 plan. Bold, filled boxes = this case's path.",
        height=780,
    )
    # Two panels side by side, their width in proportion to the x range each tree needs.
    b12_span, esr_span = B12_X[1] - B12_X[0], ESR_X[1] - ESR_X[0]
    gap = 0.03
    split = (1 - gap) * b12_span / (b12_span + esr_span)
    layout.update(
        xaxis={**diagram_axes(*B12_X), "domain": [0.0, split]},
        yaxis={**diagram_axes(*DECISION_Y), "domain": [0.0, 0.95]},
        xaxis2={**diagram_axes(*ESR_X), "domain": [split + gap, 1.0]},
        yaxis2={**diagram_axes(*DECISION_Y), "domain": [0.0, 0.95], "anchor": "x2"},
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
                "text": f"<b>{TREE_NAME[tree]}</b>",
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
            "text": wrap_text(
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
def decision_static(profile: GuidelineProfile) -> DecisionStatic:
    """Everything about the flowchart that does not depend on the case, once per profile (on the engine's graph)."""
    graph, _ = graph_for(profile)
    boxes = {n.id: box_for(n, _DECISION_WRAP[n.tree]) for n in graph.nodes}
    edges = {
        (e.source, e.target): edge_geom(boxes[e.source], boxes[e.target], e, _LABEL_PLACES.get((e.source, e.target)))
        for e in graph.edges
    }
    return DecisionStatic(graph, boxes, edges, _decision_layout())


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
    static = decision_static(profile)
    why = _why_by_node(assessment, static.graph)
    paths = {"b12": assessment.decision_path, "esr": assessment.esr_path}
    traces: list[dict[str, Any]] = []
    annotations = list(static.layout["annotations"])
    node_annotations: list[dict[str, Any]] = []
    label_annotations: list[dict[str, Any]] = []
    for tree, path in paths.items():
        axes, colour = _TREE_AXES[tree], TREE_COLOUR[tree]
        on_path = set(path)
        path_edges = set(itertools.pairwise(path))
        tree_edges = [g for key, g in static.edges.items() if static.boxes[key[0]].node.tree == tree]
        faded_edges = [g for g in tree_edges if (g.edge.source, g.edge.target) not in path_edges]
        taken = [static.edges[p] for p in itertools.pairwise(path) if p in static.edges]
        traces.append(
            edge_trace(
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
            edge_trace(
                taken,
                f"{TREE_NAME[tree]}: this case's path",
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
            hover_text(
                b.node,
                (
                    f"<i>Step {i} of this case's {TREE_NAME[tree]} path</i>",
                    f"This case: {wrap_text(why[b.node.id], 60)}" if b.node.id in why else "",
                ),
            )
            for i, b in enumerate(path_boxes, start=1)
        ]
        faded_hover = [hover_text(b.node, ("<i>Not on this case's path</i>",)) for b in faded_boxes]
        traces.append(
            node_trace(
                path_boxes,
                f"{TREE_NAME[tree]} path",
                axes,
                {"role": "node", "tree": tree, "state": "path"},
                path_hover,
            )
        )
        traces.append(
            node_trace(
                faded_boxes,
                f"{TREE_NAME[tree]}: not taken",
                axes,
                {"role": "node", "tree": tree, "state": "faded"},
                faded_hover,
            )
        )
        node_annotations += [
            box_annotation(b, axes, colour, TEXT_ON[colour], BLACK, 3, True, h)
            for b, h in zip(path_boxes, path_hover, strict=True)
        ]
        node_annotations += [
            box_annotation(b, axes, LIGHT_GREY, GREY, MID_GREY, 1, False, h)
            for b, h in zip(faded_boxes, faded_hover, strict=True)
        ]
        label_annotations += [
            edge_label_annotation(g, axes, (g.edge.source, g.edge.target) in path_edges)
            for g in tree_edges
            if g.edge.label
        ]
    traces += [
        legend_key("B12 path (this case)", BLUE, BLACK, 3),
        legend_key("ESR path (this case)", ORANGE, BLACK, 3),
        legend_key("Step not taken", LIGHT_GREY, MID_GREY, 1),
    ]
    layout = on_white({**static.layout, "annotations": annotations + label_annotations + node_annotations})
    return {"data": traces, "layout": layout}


def decision_figure(assessment: Assessment, profile: GuidelineProfile) -> go.Figure:
    """The decision chart as a `go.Figure` (see `decision_figure_spec`), for tests and inspection."""
    spec = decision_figure_spec(assessment, profile)
    return build_figure(spec["data"], spec["layout"])


def decision_chart(assessment: Assessment, profile: GuidelineProfile) -> ReadyFigure:
    """The decision chart for `st.plotly_chart`: the same JSON as `decision_figure`, without plotly's copies."""
    return ReadyFigure(decision_figure_spec(assessment, profile))


class CasePaths(NamedTuple):
    """All a flowchart picture reads of an assessment: its two paths (a key for keeping pictures already drawn)."""

    decision_path: tuple[str, ...]
    esr_path: tuple[str, ...]


def case_paths(assessment: Assessment) -> CasePaths:
    return CasePaths(tuple(assessment.decision_path), tuple(assessment.esr_path))


def decision_alt_text(assessment: Assessment | CasePaths, profile: GuidelineProfile) -> str:
    """The decision figure in words, for screen readers (st.plotly_chart's `alt`).

    >>> from b12logic import Case, evaluate, get_profile
    >>> decision_alt_text(evaluate(Case(age=30, sex="male", b12=400, esr=5)), get_profile("source"))
    'B12 work-up path: Suspected B12 deficiency, then Total B12?, then Above range: neurological symptoms?, then No B12 deficiency. ESR work-up path, separate: ESR measured, then Above age/sex limit?, then Normal for age and sex.'
    """
    graph = decision_static(profile).graph

    def words(path: Sequence[str]) -> str:
        return ", then ".join(graph.node(n).label for n in path)

    return (
        f"B12 work-up path: {words(assessment.decision_path)}. "
        f"ESR work-up path, separate: {words(assessment.esr_path)}."
    )
