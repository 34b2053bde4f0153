"""Figures whole on a phone (issue 19): the outline drawings of the two diagrams, and region-map labels that fit."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b12logic import Case, evaluate, get_profile
from b12logic.figures import decision_svg_phone, mechanism_svg_phone, region_map_figure
from b12logic.figures.outline import BOX_FONT, PHONE_WIDTH
from b12logic.graphs import MECHANISM_GRAPH, decision_graph
from b12logic.guidelines import PROFILES

SVG = "{http://www.w3.org/2000/svg}"

cases = st.builds(
    Case,
    age=st.integers(16, 110),
    sex=st.sampled_from(["female", "male"]),
    b12=st.integers(20, 1500),
    esr=st.integers(0, 160),
    mma=st.none() | st.integers(50, 2000),
    neuro_symptoms=st.booleans(),
    on_folic_acid=st.booleans(),
    hb=st.none() | st.floats(5, 17),
    mcv=st.none() | st.integers(60, 130),
)


def boxes(svg: str) -> tuple[list[ET.Element], list[ET.Element]]:
    root = ET.fromstring(svg)
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("data-node")]
    sees = [g for g in root.iter(f"{SVG}g") if g.get("data-see")]
    return nodes, sees


def check_fits(svg: str) -> None:
    """Every box inside the 358 px picture, its text at 12 px or more, each line short enough for its box."""
    root = ET.fromstring(svg)
    assert root.get("width") == f"{PHONE_WIDTH:.0f}"
    for text in root.iter(f"{SVG}text"):
        assert float(text.get("font-size", "0")) >= 12
    for group in root.iter(f"{SVG}g"):
        rect = group.find(f"{SVG}rect")
        if rect is None:
            continue
        left, width = float(rect.get("x", "0")), float(rect.get("width", "0"))
        assert left >= 0 and left + width <= PHONE_WIDTH
        for span in group.iter(f"{SVG}tspan"):
            bold = group.find(f"{SVG}text").get("font-weight") == "bold"  # type: ignore[union-attr]
            # Conservative glyph widths of Arial / Liberation Sans at 13 px: 0.55 em, bold 0.6 em.
            assert len(span.text or "") * BOX_FONT * (0.6 if bold else 0.55) <= width, span.text


@settings(max_examples=40, deadline=None)
@given(cases, st.sampled_from(list(PROFILES)))
def test_phone_flowchart_draws_every_node_once_and_the_whole_path(case: Case, profile_id: str) -> None:
    profile = get_profile(profile_id)
    a = evaluate(case, profile)
    svg = decision_svg_phone(a, profile)
    nodes, sees = boxes(svg)
    graph = decision_graph(profile)
    assert sorted(g.get("data-node") for g in nodes) == sorted(n.id for n in graph.nodes)  # each exactly once
    on = [g.get("data-node") for g in nodes if g.get("data-state") == "on"]
    assert on == [*a.decision_path, *a.esr_path]  # drawn straight down, in the path's order
    joins = {e.target for e in graph.edges} - {t for t, n in _in_degree(graph).items() if n == 1}
    assert {g.get("data-see") for g in sees} <= joins
    check_fits(svg)


def _in_degree(graph) -> dict[str, int]:  # type: ignore[no-untyped-def]
    count: dict[str, int] = {}
    for e in graph.edges:
        count[e.target] = count.get(e.target, 0) + 1
    return count


@settings(max_examples=40, deadline=None)
@given(cases)
def test_phone_mechanism_lights_exactly_the_lit_nodes(case: Case) -> None:
    a = evaluate(case)
    svg = mechanism_svg_phone(a)
    nodes, sees = boxes(svg)
    assert sorted(g.get("data-node") for g in nodes) == sorted(n.id for n in MECHANISM_GRAPH.nodes)
    assert {g.get("data-node") for g in nodes if g.get("data-state") == "on"} == set(a.mechanism_lit)
    # The bridges between pathways are "see" boxes, never a second copy: the ESR under the B12 pathway.
    assert {g.get("data-see") for g in sees} == {"m_esr", "m_dna", "m_myelin"}
    check_fits(svg)


def _b12_cut_labels(fig) -> list[dict]:  # type: ignore[no-untyped-def]
    return [a for a in fig.layout.annotations if a.textangle == -90]


@pytest.mark.parametrize("neuro", [False, True])
def test_region_map_labels_do_not_overlap(neuro: bool) -> None:
    """Issue 19: "180: Source, NICE, Lab" and "200: BSH" overlapped; strip labels ran past their run."""
    profiles = list(PROFILES.values())
    fig = region_map_figure(PROFILES["source"], neuro, Case(age=70, sex="female", b12=150, esr=30), profiles)
    labels = sorted(_b12_cut_labels(fig), key=lambda a: a.x)
    for left, right in itertools.pairwise(labels):
        if right.x - left.x < 60:  # close lines: labels on either side of them
            assert (left.xanchor, right.xanchor) == ("right", "left")
    for annotation in fig.layout.annotations:
        assert annotation.font.size is None or annotation.font.size >= 11
    strip = [a for a in fig.layout.annotations if a.yref == "y2" and a.text != "…" and a.hovertext]
    for label in strip:
        longest = max(len(line) for line in label.text.split("<br>"))
        assert longest <= 70  # characters across the whole axis at 640 px: never more than the axis holds
    texts = " ".join(a.text for a in strip)
    if neuro:  # the long neuro strip label is wrapped onto two lines, not cut off or spilled
        assert "<br>" in texts


def test_phone_mechanism_draws_only_the_chosen_pathway() -> None:
    a = evaluate(Case(age=68, sex="female", b12=150, esr=60, hb=10))
    inflammation = boxes(mechanism_svg_phone(a, "inflammation"))[0]
    assert {g.get("data-node") for g in inflammation} == {
        n.id for n in MECHANISM_GRAPH.nodes if n.tree == "inflammation"
    }
    bridge = boxes(mechanism_svg_phone(a, "confounding"))[0]
    assert {"m_anaemia", "m_esr"} <= {g.get("data-node") for g in bridge}
    with pytest.raises(ValueError, match="step"):
        mechanism_svg_phone(a, "nonsense")


def test_kept_flowchart_pictures_are_the_ones_drawn_afresh() -> None:
    """The Explorer's flowchart pictures are kept per (paths, profile) (figures/decision_svg.py): a kept picture is
    byte for byte the one drawn afresh, for cases met in any order, under every profile and two laboratories'
    own cut-offs that share paths but not labels."""
    import itertools

    from b12logic import Case, evaluate
    from b12logic.figures.decision import case_paths
    from b12logic.figures.decision_svg import (
        _decision_svg,
        _decision_svg_phone,
        decision_svg,
        decision_svg_phone,
    )
    from b12logic.guidelines import PROFILES, custom_profile

    profiles = [*PROFILES.values(), custom_profile(150, 400, 350), custom_profile(200, 500, 280)]
    cases = [
        Case(age=age, sex="female", b12=b12, mma=mma, esr=esr, neuro_symptoms=neuro)
        for age, b12, mma, esr, neuro in itertools.product(
            (40, 75), (120, 190, 260, 450), (None, 250, 600), (15, 70), (False, True)
        )
    ]
    _decision_svg.cache_clear()
    _decision_svg_phone.cache_clear()
    for profile in profiles:
        for case in (*cases, *reversed(cases)):  # the second pass is served from what the first kept
            a = evaluate(case, profile)
            assert decision_svg(a, profile) == _decision_svg.__wrapped__(case_paths(a), profile)
            assert decision_svg_phone(a, profile) == _decision_svg_phone.__wrapped__(case_paths(a), profile)
    assert _decision_svg.cache_info().hits > 0
