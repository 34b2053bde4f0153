"""The mechanism diagram: the B12 pathway, the folic acid bypass and the inflammation pathway, abnormal nodes lit.

Also the words for why each node is lit (`lit_reasons`), and the teaching steps (`MECHANISM_STEPS`) that
keep one pathway at full strength.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go

from b12logic.engine import DEFICIENT_STATUSES, HOMOCYSTEINE_UPPER, MACROCYTOSIS_MCV, Assessment
from b12logic.esr import MARKED_ESR
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
from b12logic.figures.outline import Look, Section, outline_svg
from b12logic.figures.style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    PURPLE,
    TEXT_ON,
    VERMILLION,
    WHITE,
    base_layout,
    build_figure,
    diagram_axes,
    legend_key,
    plotly_text,
    wrap_text,
)
from b12logic.graphs import MECHANISM_GRAPH, MECHANISM_PATHWAYS, Edge, Graph
from b12logic.guidelines import ANAEMIA_HB_G_DL, DEFAULT_PROFILE, PROFILES, GuidelineProfile

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
    ("m_anaemia", "m_esr"): LabelPlace(at=0.5),
    ("m_methylcbl", "m_myelin"): LabelPlace(segment=0, at=0.5),
    ("m_folic", "m_dna"): LabelPlace(at=0.55, xanchor="right", dx=-0.12, wrap=20),
}
# Edges routed around a box they would otherwise cross.
_MECH_VIA = {("m_methylcbl", "m_myelin"): ((2.85, 9.0), (2.85, 7.3))}
_FADED_OPACITY = 0.18


def edge_step(edge: Edge, graph: Graph) -> str:
    """The teaching step an edge belongs to: its kind for the bypass and confounder, else its source's pathway."""
    if edge.kind == "bypass":
        return "folate_bypass"
    if edge.kind == "confounding":
        return CONFOUNDING_STEP
    return graph.node(edge.source).tree


def step_nodes(step: str, graph: Graph) -> frozenset[str]:
    """Nodes shown at full strength for a step: the pathway's own and the ends of its edges."""
    ids = {n.id for n in graph.nodes if n.tree == step}
    for e in graph.edges:
        if edge_step(e, graph) == step:
            ids |= {e.source, e.target}
    return frozenset(ids)


@dataclass(frozen=True)
class _MechanismStatic:
    boxes: dict[str, Box]
    edges: tuple[EdgeGeom, ...]
    layout: dict[str, Any]


@lru_cache(maxsize=1)
def _mechanism_static() -> _MechanismStatic:
    graph = MECHANISM_GRAPH
    boxes = {n.id: box_for(n, _MECH_WRAP) for n in graph.nodes}
    edges = tuple(
        edge_geom(
            boxes[e.source],
            boxes[e.target],
            e,
            _MECH_LABEL_PLACES.get((e.source, e.target)),
            _MECH_VIA.get((e.source, e.target), ()),
        )
        for e in graph.edges
    )
    layout = base_layout(
        "How B12 deficiency and a raised ESR arise",
        "Lit boxes (filled, bold, thick outline) are abnormal in this case. Dotted = bypass; dashed = weak confounder.",
        height=640,
    )
    layout.update(xaxis=diagram_axes(*_MECH_X), yaxis=diagram_axes(*_MECH_Y), hovermode="closest", dragmode=False)
    headers = []
    for pathway, (x, y) in {"b12": (1.6, 10.5), "inflammation": (10.0, 10.5), "folate_bypass": (-1.4, 9.05)}.items():
        headers.append(
            {
                "text": f"<b>{wrap_text(MECHANISM_PATHWAYS[pathway], 30)}</b>",
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
            + wrap_text(
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


def mechanism_figure(
    assessment: Assessment, step: str | None = None, profile: GuidelineProfile | None = None
) -> go.Figure:
    """The mechanism diagram with the nodes this case makes abnormal lit (`assessment.mechanism_lit`).

    `step` (a key of MECHANISM_STEPS) keeps one pathway at full strength and fades the rest, for
    stepping through in teaching. Node traces carry `meta["state"]` "lit" or "unlit".

    >>> from b12logic import Case, evaluate
    >>> from b12logic.figures import nodes_of
    >>> fig = mechanism_figure(evaluate(Case(age=68, sex="female", b12=150, esr=60)))
    >>> sorted(nodes_of(fig, "lit"))
    ['m_b12', 'm_esr']
    """
    if step is not None and step not in MECHANISM_STEPS:
        raise ValueError(f"step: {step!r} is not one of {', '.join(MECHANISM_STEPS)}")
    static = _mechanism_static()
    graph = MECHANISM_GRAPH
    shown = step_nodes(step, graph) if step else frozenset(static.boxes)
    reasons = lit_reasons(assessment, profile)
    lit = assessment.mechanism_lit
    traces: list[dict[str, Any]] = []
    label_annotations: list[dict[str, Any]] = []
    for kind, (name, colour, width, dash) in _EDGE_STYLE.items():
        geoms = [g for g in static.edges if g.edge.kind == kind]
        for strong in (True, False):
            chosen = [g for g in geoms if (step is None or edge_step(g.edge, graph) == step) == strong]
            if not chosen and not strong:
                continue
            traces.append(
                edge_trace(
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
                strong = step is None or edge_step(g.edge, graph) == step
                label = edge_label_annotation(g, _MECH_AXES, strong, 1.0 if strong else _FADED_OPACITY)
                if kind == "confounding":
                    label.update(bordercolor=PURPLE, borderwidth=1.5, borderpad=3)
                label_annotations.append(label)
    node_annotations: list[dict[str, Any]] = []
    for state in ("lit", "unlit"):
        boxes = [b for b in static.boxes.values() if (b.node.id in lit) == (state == "lit")]
        hover = [
            hover_text(
                b.node,
                (f"<b>Lit in this case:</b> {wrap_text(reasons[b.node.id], 60)}",) if b.node.id in reasons else (),
            )
            for b in boxes
        ]
        traces.append(node_trace(boxes, f"{state} nodes", _MECH_AXES, {"role": "node", "state": state}, hover))
        for b, h in zip(boxes, hover, strict=True):
            colour = PATHWAY_COLOUR[b.node.tree]
            opacity = 1.0 if b.node.id in shown else _FADED_OPACITY
            if state == "lit":
                node_annotations.append(
                    box_annotation(b, _MECH_AXES, colour, TEXT_ON[colour], BLACK, 3, True, h, opacity)
                )
            else:
                node_annotations.append(box_annotation(b, _MECH_AXES, WHITE, "#333333", colour, 1.5, False, h, opacity))
    traces.append(legend_key("Abnormal in this case (lit)", BLUE, BLACK, 3))
    traces.append(legend_key("Not abnormal / not measured", WHITE, BLUE, 1.5))
    layout = {**static.layout, "annotations": [*static.layout["annotations"], *label_annotations, *node_annotations]}
    if step:
        layout["title"] = {
            **layout["title"],
            "text": plotly_text(f"How B12 deficiency and a raised ESR arise: {MECHANISM_STEPS[step]}"),
        }
    return build_figure(traces, layout)


def lit_reasons(assessment: Assessment, profile: GuidelineProfile | None = None) -> dict[str, str]:
    """Why each lit mechanism node is lit, in words with this case's numbers.

    >>> from b12logic import Case, evaluate
    >>> a = evaluate(Case(age=71, sex="male", b12=250, mma=340, esr=36))
    >>> lit_reasons(a)["m_mma"][:62]
    "MMA 340 nmol/L > 271 nmol/L (the laboratory's upper limit; one"
    """
    case = assessment.case
    if profile is None:
        profile = PROFILES.get(assessment.guideline, PROFILES[DEFAULT_PROFILE])
    b12 = case.b12_pg_ml
    mma = case.mma_read_nmol_l
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
            f"MMA {mma:g} nmol/L > {profile.mma_upper:g} nmol/L (the laboratory's upper limit; one assay's, others "
            "differ): methylmalonyl-CoA mutase is short of its cofactor, or the kidneys clear less MMA."
        )
    elif "m_mma" in lit:
        out["m_mma"] = "Functional deficiency: MMA above the laboratory's upper limit."
    if "m_hcy" in lit and case.homocysteine is not None:
        out["m_hcy"] = (
            f"Homocysteine {case.homocysteine:g} µmol/L > {HOMOCYSTEINE_UPPER:g} µmol/L (the adult reference limit); "
            "it rises in folate deficiency too."
        )
    if "m_mcv" in lit and case.mcv is not None:
        out["m_mcv"] = (
            f"MCV {case.mcv:g} fL > {MACROCYTOSIS_MCV:g} fL: macrocytosis. Not by itself megaloblastic: alcohol, "
            "liver disease, drugs, hypothyroidism, myelodysplasia and reticulocytosis raise the MCV too."
        )
    if "m_anaemia" in lit and hb is not None:
        out["m_anaemia"] = (
            f"Hb {hb:g} g/dL < {ANAEMIA_HB_G_DL[case.sex]:g} g/dL (WHO anaemia threshold for {case.sex}s), of "
            "whatever cause: a low Hb is not by itself evidence of megaloblastic anaemia."
        )
    if "m_neuro" in lit:
        out["m_neuro"] = "neurological symptoms are recorded for this case."
    if "m_folic" in lit:
        out["m_folic"] = "this case is taking folic acid, which can hide the anaemia while nerve damage goes on."
    if "m_esr" in lit:
        limit = assessment.esr_upper_limit
        if case.esr >= MARKED_ESR:
            out["m_esr"] = (
                f"ESR {case.esr:g} mm/h ≥ {MARKED_ESR:g} mm/h: markedly raised (the limit for this age and sex is "
                f"{limit:g} mm/h)."
            )
        else:
            out["m_esr"] = f"ESR {case.esr:g} mm/h > {limit:g} mm/h, the upper limit for this age and sex."
    return out


def mechanism_svg_phone(assessment: Assessment, step: str | None = None) -> str:
    """The mechanism for a phone: each pathway top to bottom at 358 px wide (outline.py), lit boxes filled.
    The bridges between pathways (the folic acid bypass, the weak confounder) are dashed "see" boxes. With a
    teaching `step` only its pathways are drawn (the confounder: both pathways it joins).

    >>> from b12logic import Case, evaluate
    >>> svg = mechanism_svg_phone(evaluate(Case(age=68, sex="female", b12=150, esr=60)))
    >>> 'data-node="m_esr" data-state="on"' in svg and 'data-see="m_esr"' in svg
    True
    """
    graph = MECHANISM_GRAPH
    lit = assessment.mechanism_lit
    look = Look(
        on_nodes=lit,
        on_edges={(e.source, e.target) for e in graph.edges if e.source in lit and e.target in lit},
        colour=lambda node: PATHWAY_COLOUR[node.tree],
        off_fill=lambda node: WHITE,
        off_border=lambda node: PATHWAY_COLOUR[node.tree],
    )
    if step is not None and step not in MECHANISM_STEPS:
        raise ValueError(f"step: {step!r} is not one of {', '.join(MECHANISM_STEPS)}")
    trees = {None: ("b12", "folate_bypass", "inflammation"), CONFOUNDING_STEP: ("b12", "inflammation")}.get(
        step, (step,)
    )
    roots = graph.roots()
    sections = [
        Section(MECHANISM_PATHWAYS[tree], tuple(r for r in roots if graph.node(r).tree == tree), frozenset({tree}))
        for tree in trees
        if tree is not None
    ]
    return outline_svg(
        graph,
        sections,
        look,
        "How B12 deficiency and a raised ESR arise",
        "Filled, bold boxes are abnormal in this case. No causal arrow joins the B12 and inflammation pathways; "
        "dashed boxes point to a box drawn in another pathway.",
        "Mechanism diagram, drawn top to bottom: the B12 pathway, the folic acid bypass and the inflammation "
        "pathway, joined only by a weak confounding link from anaemia to the ESR.",
    )
