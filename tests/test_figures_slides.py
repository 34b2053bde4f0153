"""Presenter-mode figures: the case's own path, every label 20 px or larger, the mechanism's lit nodes kept."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from b12logic import get_profile
from b12logic.figures import (
    PRESENTER_SCALE,
    at_presenter_scale,
    mechanism_figure,
    mechanism_slide_spec,
    nodes_of,
    path_slide_spec,
)
from b12logic.graphs import MECHANISM_GRAPH, decision_graph
from b12logic.teaching_cases import TEACHING_CASES

SOURCE = get_profile("source")
CASES = list(TEACHING_CASES.values())
IDS = [tc.id for tc in CASES]


def _shown(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in spec["layout"]["annotations"] if a.get("visible", True) and a.get("text")]


def _named(spec: dict[str, Any], prefix: str) -> list[str]:
    return [a["name"][len(prefix) :] for a in spec["layout"]["annotations"] if a.get("name", "").startswith(prefix)]


@pytest.mark.parametrize("tc", CASES, ids=IDS)
def test_path_slide_draws_exactly_the_case_paths_with_large_labels(tc: Any) -> None:
    assessment = tc.assess(SOURCE)
    spec = path_slide_spec(assessment, SOURCE)
    assert _named(spec, "node:") == [*assessment.decision_path, *assessment.esr_path]
    arrows = _named(spec, "edge:")
    paths = (assessment.decision_path, assessment.esr_path)
    expected = [f"{a}->{b}" for path in paths for a, b in itertools.pairwise(path)]
    assert arrows == expected  # no arrow joins the ESR path to the B12 path
    assert min(a["font"]["size"] for a in _shown(spec)) >= 20
    graph = decision_graph(SOURCE)
    labels = {f"{e.source}->{e.target}": e.label for e in graph.edges if e.label}
    assert set(_named(spec, "edge_label:")) == {k for k in expected if k in labels}
    # Boxes of one row never overlap: centres at least a box apart (four boxes across at most).
    rows: dict[float, list[float]] = {}
    for a in spec["layout"]["annotations"]:
        if a.get("name", "").startswith("node:"):
            rows.setdefault(a["y"], []).append(a["x"])
    assert all(len(xs) <= 4 for xs in rows.values())
    assert spec["layout"]["height"] <= 560  # leaves room for the slide heading and the bar at 720 px


def test_presenter_scale_turns_the_smallest_desk_label_into_20_px() -> None:
    assert round(11 * PRESENTER_SCALE) == 20
    spec = {"layout": {"annotations": [{"font": {"size": 12}}, {"text": "no font"}], "title": {"font": {"size": 18}}}}
    scaled = at_presenter_scale(spec)
    assert scaled["layout"]["annotations"][0]["font"]["size"] == round(12 * PRESENTER_SCALE, 1)
    assert scaled["layout"]["title"]["font"]["size"] == round(18 * PRESENTER_SCALE, 1)
    assert spec["layout"]["annotations"][0]["font"]["size"] == 12  # a copy: the input is left as it was


@pytest.mark.parametrize("case_id", ["folic_acid_masking", "very_high_esr", "severe_anaemia"])
def test_mechanism_slide_keeps_the_diagram_and_its_lit_nodes(case_id: str) -> None:
    assessment = TEACHING_CASES[case_id].assess(SOURCE)
    desk = mechanism_figure(assessment)
    spec = mechanism_slide_spec(assessment)
    assert sorted(_named(spec, "node:")) == sorted(n.id for n in MECHANISM_GRAPH.nodes)
    lit = [t for t in spec["data"] if (t.get("meta") or {}).get("state") == "lit"]
    assert sorted(lit[0]["customdata"]) == sorted(nodes_of(desk, "lit"))
    assert min(a["font"]["size"] for a in _shown(spec)) >= 20
    xs = [x for t in spec["data"] for x in t.get("x", []) if x is not None]
    assert min(xs) >= 0.0 and max(xs) <= 1.0  # every point mapped onto the slide's width
    assert spec["layout"]["showlegend"] is False and spec["layout"]["height"] <= 560
