"""The decision flowchart as an SVG picture: the Explorer's default, drawn by the browser in milliseconds.

It draws decision.py's layout (the same boxes, edges, colours and path as `decision_figure`).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from functools import lru_cache

from b12logic.engine import Assessment
from b12logic.figures.boxes import LINE_PX, PX_PER_UNIT
from b12logic.figures.decision import (
    B12_X,
    DECISION_Y,
    ESR_X,
    TREE_COLOUR,
    TREE_NAME,
    CasePaths,
    case_paths,
    decision_alt_text,
    decision_static,
)
from b12logic.figures.outline import Look, Section, outline_svg
from b12logic.figures.style import (
    BLACK,
    BLUE,
    GREY,
    LIGHT_GREY,
    MID_GREY,
    ORANGE,
    TEXT_ON,
    WHITE,
    plotly_text,
    wrap_text,
)
from b12logic.guidelines import GuidelineProfile

# The Explorer shows this by default: an image the browser draws in a few milliseconds. A Plotly chart
# whose data changes is rebuilt from scratch in the browser (Streamlit gives it a new identity), which
# cost ~430 ms of browser CPU per slider move (bench/HISTORY.md). Same geometry, colours and path as
# `decision_figure`, which stays available as the interactive chart (hover for details).
_SVG_SCALE = PX_PER_UNIT  # pixels per data unit: the boxes were sized in these pixels
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
    top = y - (len(lines) - 1) * LINE_PX / 2
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(f'<tspan x="{x:.1f}" y="{top + i * LINE_PX:.1f}">{line}</tspan>' for i, line in enumerate(lines))
    return (
        f'<text font-size="{size:g}" fill="{colour}" text-anchor="{anchor}" dominant-baseline="central"'
        f"{weight}>{spans}</text>"
    )


def _svg_lines(text: str) -> list[str]:
    """Plotly-style text ('<br>' breaks, '<b>' bold) to XML-safe lines; `plotly_text` already escaped it."""
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
    return _decision_svg(case_paths(assessment), profile)


# Every slider move redraws the Explorer, and most moves keep both paths: the pictures are drawn once per
# (paths, profile) and kept (a profile has a few dozen paths; the phone's outline the same).
@lru_cache(maxsize=256)
def _decision_svg(assessment: CasePaths, profile: GuidelineProfile) -> str:
    static = decision_static(profile)
    x_ranges = {"b12": B12_X, "esr": ESR_X}
    widths = {tree: (hi - lo) * _SVG_SCALE for tree, (lo, hi) in x_ranges.items()}
    lefts = {"b12": _SVG_SIDE, "esr": _SVG_SIDE + widths["b12"] + _SVG_GAP}
    height = (DECISION_Y[1] - DECISION_Y[0]) * _SVG_SCALE
    total_w = lefts["esr"] + widths["esr"] + _SVG_SIDE
    total_h = _SVG_TOP + height + _SVG_BOTTOM

    def px(tree: str, x: float, y: float) -> tuple[float, float]:
        return lefts[tree] + (x - x_ranges[tree][0]) * _SVG_SCALE, _SVG_TOP + (DECISION_Y[1] - y) * _SVG_SCALE

    alt = plotly_text(decision_alt_text(assessment, profile))
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
        out.append(_svg_text_lines([TREE_NAME[tree]], lefts[tree] + 6, _SVG_TOP - 14, 15, BLACK, "start", True))
    note = _svg_lines(
        wrap_text(
            "The ESR is read against its own age- and sex-specific limit and worked up on its own. "
            "Nothing on this side feeds into the B12 flowchart.",
            34,
        )
    )
    out.append(_svg_text_lines(note, *px("esr", 13.4, 4.6), 12, GREY))

    paths = {"b12": assessment.decision_path, "esr": assessment.esr_path}
    labels: list[str] = []
    for tree, path in paths.items():
        colour = TREE_COLOUR[tree]
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
                    _svg_lines(wrap_text(g.edge.label, g.place.wrap)),
                    lx,
                    ly,
                    11,
                    BLACK if taken else GREY,
                    anchor,
                    taken,
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


def decision_svg_phone(assessment: Assessment, profile: GuidelineProfile) -> str:
    """The same two flowcharts for a phone: drawn top to bottom at 358 px wide, text 12-13 px (outline.py).

    >>> from b12logic import Case, evaluate, get_profile
    >>> svg = decision_svg_phone(evaluate(Case(age=68, sex="female", b12=179, esr=30)), get_profile("source"))
    >>> 'data-node="st_deficient" data-state="on"' in svg and 'data-node="esr_start" data-state="on"' in svg
    True
    """
    return _decision_svg_phone(case_paths(assessment), profile)


@lru_cache(maxsize=256)
def _decision_svg_phone(assessment: CasePaths, profile: GuidelineProfile) -> str:
    graph = decision_static(profile).graph
    paths = (assessment.decision_path, assessment.esr_path)
    look = Look(
        on_nodes={n for path in paths for n in path},
        on_edges={pair for path in paths for pair in itertools.pairwise(path)},
        colour=lambda node: TREE_COLOUR[node.tree],
        off_fill=lambda node: LIGHT_GREY,
        off_border=lambda node: MID_GREY,
        off_text=GREY,
    )
    sections = [
        Section(TREE_NAME["b12"], ("b12_start",), frozenset({"b12"})),
        Section(
            TREE_NAME["esr"] + ": on its own, nothing joins it to the B12 flowchart",
            ("esr_start",),
            frozenset({"esr"}),
        ),
    ]
    return outline_svg(
        graph,
        sections,
        look,
        "Decision path for this case",
        "Filled, bold boxes: this case's path (blue B12, orange ESR). The ESR never changes the B12 plan.",
        decision_alt_text(assessment, profile),
    )
