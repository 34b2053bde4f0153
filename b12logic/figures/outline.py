"""Phone layouts of the two diagrams: each graph drawn top to bottom as an indented outline, as SVG.

A phone's screen is 390 CSS px wide: the flowchart (1,185 px) and the mechanism diagram (three pathways side
by side) drawn to that width put their text at 5 px. Here every box takes the full width less its indent,
children sit under their parent, the edge's words above the child, so the whole graph reads at 13 px text in
a picture 358 px wide. A node reached a second time (a graph that joins) or one in another section (the
mechanism's bridges) is a dashed "→ see" box rather than a second copy. The layout follows the same graph
data the engine walks (b12logic.graphs), so the phone picture cannot disagree with the logic either.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from b12logic.figures.style import BLACK, GREY, MID_GREY, TEXT_ON, WHITE
from b12logic.graphs import Edge, Graph, Node

PHONE_WIDTH = 358.0  # a 390 px phone's content width: drawn 1:1 there, text at its drawn size
BOX_FONT = 13.0
LABEL_FONT = 12.0
TITLE_FONT = 15.0
_LINE = 16.0  # px per text line
_CHAR = 6.9  # average px per character of BOX_FONT in the common sans fonts (bold is wider: below)
_BOLD_CHAR = 7.5
_INDENT = 16.0
_SIDE = 4.0
_PAD = 6.0
_GAP = 8.0
_FONT = "Arial, Liberation Sans, DejaVu Sans, sans-serif"


@dataclass(frozen=True)
class Section:
    """One part of the outline: a heading and the roots drawn under it (nodes of `trees` stay in it)."""

    title: str
    roots: tuple[str, ...]
    trees: frozenset[str]


@dataclass(frozen=True)
class Look:
    """How a box is drawn: highlighted (on this case's path, or lit) or not."""

    on_nodes: Collection[str]
    on_edges: Collection[tuple[str, str]]
    colour: Callable[[Node], str]  # the highlight colour of a node (its tree's)
    off_fill: Callable[[Node], str]
    off_border: Callable[[Node], str]
    off_text: str = "#333333"


def _lines(text: str, width_px: float, bold: bool) -> list[str]:
    chars = max(8, int(width_px / (_BOLD_CHAR if bold else _CHAR)))
    return textwrap.wrap(text, chars, break_on_hyphens=False) or [""]


def _text(
    lines: Sequence[str], x: float, top: float, size: float, colour: str, bold: bool, italic: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    style = ' font-style="italic"' if italic else ""
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{top + (i + 0.5) * _LINE:.1f}">{html.escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text font-size="{size:g}" fill="{colour}" dominant-baseline="central"{weight}{style}>{spans}</text>'


def outline_svg(
    graph: Graph,
    sections: Sequence[Section],
    look: Look,
    title: str,
    subtitle: str,
    description: str,
    width: float = PHONE_WIDTH,
) -> str:
    """The graph as an indented outline, top to bottom. Node groups carry `data-node` and `data-state`
    ("on" or "off"); a "see" box carries `data-see` (the node it points to).

    >>> from b12logic.graphs import MECHANISM_GRAPH
    >>> look = Look({"m_b12"}, set(), lambda n: "#0072B2", lambda n: "#FFFFFF", lambda n: "#0072B2")
    >>> svg = outline_svg(MECHANISM_GRAPH, [Section("B12", ("m_b12",), frozenset({"b12"}))], look, "T", "", "")
    >>> 'data-node="m_b12" data-state="on"' in svg and 'font-size="13"' in svg
    True
    """
    # Each node is drawn in full once, under its "home" parent: the one on this case's path if any (so the path
    # reads straight down), else the first in its own section; every other way in is a "see" box.
    home: dict[str, tuple[str, str]] = {}
    for node in graph.nodes:
        ins = [e for e in graph.edges if e.target == node.id and graph.node(e.source).tree == node.tree]
        if ins:
            taken = [e for e in ins if (e.source, e.target) in look.on_edges]
            first = (taken or ins)[0]
            home[node.id] = (first.source, first.target)
    body: list[str] = []
    connectors: list[str] = []
    drawn: dict[str, str] = {}  # node id -> section title where it is drawn
    section_of = {tree: s.title for s in sections for tree in s.trees}
    y = _SIDE
    head = [_text([title], _SIDE, y, TITLE_FONT, BLACK, True)]
    y += _LINE + 4
    if subtitle:
        sub = _lines(subtitle, width - 2 * _SIDE, False)
        head.append(_text(sub, _SIDE, y, LABEL_FONT, GREY, False))
        y += len(sub) * _LINE + 6

    def box(node: Node, depth: int, edge: Edge | None, parent_anchor: tuple[float, float] | None) -> None:
        nonlocal y
        x = _SIDE + depth * _INDENT
        box_w = width - x - _SIDE
        taken = edge is not None and (edge.source, edge.target) in look.on_edges
        if edge is not None and edge.label:
            label = _lines(edge.label, box_w, taken)
            body.append(_text(label, x, y, LABEL_FONT, BLACK if taken else GREY, taken, italic=not taken))
            y += len(label) * _LINE + 2
        at_home = edge is None or home.get(node.id) == (edge.source, edge.target)
        see = node.id in drawn or not at_home
        # A "see" box is on this case's path only when the edge into it is taken.
        on = taken if see else node.id in look.on_nodes
        colour = look.colour(node)
        if see:
            where = drawn.get(node.id) or section_of.get(node.tree, "")
            where_words = ("above" if node.id in drawn else "below") if where == current else f"in {where}"
            text = f"→ {node.label} ({where_words})"
        else:
            text = node.label
        lines = _lines(text, box_w - 2 * _PAD, on)
        height = len(lines) * _LINE + 2 * _PAD - 4
        fill, text_colour, border, border_w = (
            (colour, TEXT_ON.get(colour, BLACK), BLACK, 2.5)
            if on
            else (look.off_fill(node), look.off_text, look.off_border(node), 1.2)
        )
        dash = ' stroke-dasharray="5 3"' if see else ""
        attrs = f'data-see="{node.id}"' if see else f'data-node="{node.id}"'
        body.append(
            f'<g {attrs} data-state="{"on" if on else "off"}"><rect x="{x:.1f}" y="{y:.1f}" width="{box_w:.1f}" '
            f'height="{height:.1f}" rx="4" fill="{fill}" stroke="{border}" stroke-width="{border_w}"{dash}/>'
            f"{_text(lines, x + _PAD, y + _PAD - 2, BOX_FONT, text_colour, on)}</g>"
        )
        if parent_anchor is not None and edge is not None:
            px, py = parent_anchor
            mid = y + min(height / 2, _LINE)
            stroke, stroke_w = (colour, 3.0) if taken else (MID_GREY, 1.5)
            dashes = {"dashed": ' stroke-dasharray="6 4"', "dotted": ' stroke-dasharray="2 3"'}.get(edge.style, "")
            connectors.append(
                f'<path data-edge="{edge.source}->{edge.target}" data-state="{"on" if taken else "off"}" '
                f'd="M{px:.1f},{py:.1f} V{mid:.1f} H{x:.1f}" fill="none" stroke="{stroke}" '
                f'stroke-width="{stroke_w}"{dashes}/>'
            )
        anchor = (x + _INDENT / 2, y + height)
        y += height + _GAP
        if see:
            return
        drawn[node.id] = current
        for child_edge in graph.out_edges(node.id):
            box(graph.node(child_edge.target), depth + 1, child_edge, anchor)

    current = ""
    for section in sections:
        current = section.title
        y += 4
        heading = _lines(section.title, width - 2 * _SIDE, True)
        body.append(_text(heading, _SIDE, y, LABEL_FONT + 1, BLACK, True))
        y += len(heading) * _LINE + 4
        for root in section.roots:
            box(graph.node(root), 0, None, None)
    total_h = y + _SIDE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {total_h:.0f}" width="{width:.0f}" '
        f'height="{total_h:.0f}" role="img" font-family="{_FONT}">'
        f"<title>{html.escape(title)}</title><desc>{html.escape(description)}</desc>"
        f'<rect width="{width:.0f}" height="{total_h:.0f}" fill="{WHITE}"/>'
        + "".join(head)
        + "".join(connectors)
        + "".join(body)
        + "</svg>"
    )
