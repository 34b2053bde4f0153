"""Figure builders: the pictures show exactly what the engine decided, in an accessible style."""

from __future__ import annotations

import copy
import itertools
import json

import pytest

from b12logic import B12_STATUSES, Case, evaluate, get_profile
from b12logic import figures as F
from b12logic.engine import graph_for
from b12logic.graphs import MECHANISM_GRAPH
from b12logic.guidelines import PROFILES, custom_profile
from b12logic.pathways import PATHWAY_TEACHING
from b12logic.references import REFERENCES


@pytest.fixture(autouse=True)
def validate_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let plotly validate every property here, so a bad attribute fails a test rather than the browser."""
    monkeypatch.setattr(F, "VALIDATE_FIGURES", True)


CASES = {  # one per b12_status, with different ESR flags
    "deficient": Case(age=68, sex="female", b12=150, esr=30),
    "deficient_severe_neuro": Case(age=40, sex="male", b12=90, esr=120, neuro_symptoms=True),
    "deficient_severe_hb": Case(age=40, sex="female", b12=170, esr=10, hb=7.5),
    "functional_deficiency": Case(age=71, sex="male", b12=250, mma=340, esr=36),
    "functional_above_range": Case(age=50, sex="male", b12=400, mma=300, esr=60, neuro_symptoms=True),
    "indeterminate_needs_mma": Case(age=30, sex="female", b12=250, esr=25),
    "not_confirmed": Case(age=55, sex="female", b12=300, mma=200, esr=10),
    "normal_needs_mma_hcy": Case(age=80, sex="male", b12=500, esr=45, neuro_symptoms=True),
    "normal": Case(age=25, sex="male", b12=600, esr=5),
    "normal_after_mma": Case(age=60, sex="female", b12=500, mma=150, esr=101, neuro_symptoms=True),
}
PROFILE_IDS = [*PROFILES, "custom"]


def _profile(pid: str):  # type: ignore[no-untyped-def]
    return custom_profile(145, 250, 300) if pid == "custom" else get_profile(pid)


def test_cases_cover_every_status() -> None:
    assert {evaluate(c).b12_status for c in CASES.values()} == set(B12_STATUSES)


@pytest.mark.parametrize("pid", PROFILE_IDS)
@pytest.mark.parametrize("name", CASES)
def test_decision_figure_highlights_exactly_the_paths(name: str, pid: str) -> None:
    profile = _profile(pid)
    a = evaluate(CASES[name], profile)
    fig = F.decision_figure(a, profile)
    graph, _ = graph_for(profile)
    # Highlighted nodes, read back from the figure's traces, in path order.
    assert F.nodes_of(fig, "path") == [*a.decision_path, *a.esr_path]
    # Faded nodes are all the rest, each drawn once.
    faded = F.nodes_of(fig, "faded")
    assert set(faded) == {n.id for n in graph.nodes} - set(a.decision_path) - set(a.esr_path)
    assert len(faded) == len(set(faded))
    # Highlighted edges are exactly the consecutive pairs of each path; every other edge is faded.
    taken = [*itertools.pairwise(a.decision_path), *itertools.pairwise(a.esr_path)]
    assert F.decision_edges_of(fig, "path") == taken
    assert set(F.decision_edges_of(fig, "faded")) == {(e.source, e.target) for e in graph.edges} - set(taken)


def test_highlight_is_not_colour_alone() -> None:
    a = evaluate(CASES["functional_deficiency"])
    fig = F.decision_figure(a, get_profile("source"))
    boxes = {ann.name.split(":", 1)[1]: ann for ann in fig.layout.annotations if (ann.name or "").startswith("node:")}
    on_path = {*a.decision_path, *a.esr_path}
    assert set(boxes) == {n.id for n in graph_for(get_profile("source"))[0].nodes}
    for node_id, ann in boxes.items():
        if node_id in on_path:
            assert ann.text.startswith("<b>") and ann.borderwidth == 3, node_id
        else:
            assert not ann.text.startswith("<b>") and ann.borderwidth == 1, node_id
    # The path's edges are thicker than the faded ones.
    widths = {t.meta["state"]: t.line.width for t in fig.data if (t.meta or {}).get("role") == "edge"}
    assert widths["path"] > widths["faded"] * 2


def test_decision_figure_has_two_titled_panels_and_hover_text() -> None:
    a = evaluate(CASES["deficient"])
    fig = F.decision_figure(a, get_profile("source"))
    assert fig.layout.title.text
    panels = [ann.text for ann in fig.layout.annotations if (ann.name or "").startswith("panel:")]
    assert panels == ["<b>B12 work-up</b>", "<b>ESR work-up</b>"]
    # Separate panels: the two trees live on different axes whose domains do not overlap.
    assert fig.layout.xaxis.domain[1] < fig.layout.xaxis2.domain[0]
    for axis in (fig.layout.xaxis, fig.layout.yaxis, fig.layout.xaxis2, fig.layout.yaxis2):
        assert axis.visible is False
    nodes = [t for t in fig.data if (t.meta or {}).get("role") == "node"]
    assert all(t.xaxis == ("x2" if t.meta["tree"] == "esr" else "x") for t in nodes)
    for t in nodes:
        assert all(h and "<b>" in h for h in t.hovertext)
    # On the path, hover says what the node saw for this case.
    path_b12 = next(t for t in nodes if (t.meta["tree"], t.meta["state"]) == ("b12", "path"))
    assert any("B12 150 pg/mL" in h for h in path_b12.hovertext)


def test_edge_labels_show_thresholds_escaped_and_bold_on_the_path() -> None:
    profile = custom_profile(145, 250, 300)
    a = evaluate(Case(age=40, sex="female", b12=140, esr=10), profile)
    fig = F.decision_figure(a, profile)
    labels = {ann.name: ann.text for ann in fig.layout.annotations if (ann.name or "").startswith("edge:")}
    # '<' would be read as markup by plotly: it is escaped, and this profile's numbers are used.
    assert labels["edge:b12_band->st_deficient"] == "<b>&lt; 145 pg/mL or active &lt; 25</b>"
    assert labels["edge:b12_band->neuro_above"] == "&gt; 250"
    assert labels["edge:mma_borderline->st_functional"].startswith("&gt; 300 nmol/L")


def test_static_part_is_built_once_per_profile_and_not_mutated() -> None:
    profile = get_profile("source")
    F.decision_static.cache_clear()
    first = F.decision_figure(evaluate(CASES["deficient"]), profile)
    first_texts = [ann.text for ann in first.layout.annotations]
    for case in CASES.values():
        F.decision_figure(evaluate(case), profile)
    info = F.decision_static.cache_info()
    assert info.misses == 1 and info.hits == len(CASES)
    # Building later figures did not change the first one, nor the cached layout.
    assert [ann.text for ann in first.layout.annotations] == first_texts
    again = F.decision_figure(evaluate(CASES["deficient"]), profile)
    assert [ann.text for ann in again.layout.annotations] == first_texts


@pytest.mark.parametrize("template", ["plotly", "streamlit", "none"])
@pytest.mark.parametrize("pid", PROFILE_IDS)
def test_decision_chart_sends_the_same_json_as_the_figure(
    pid: str, template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page sends a ReadyFigure; st.plotly_chart must get exactly what the go.Figure would give."""
    import plotly.io as pio
    import plotly.tools
    import streamlit  # noqa: F401  (registers the "streamlit" template, as in the app)

    monkeypatch.setattr(pio.templates, "default", template)
    profile = _profile(pid)
    for case in CASES.values():
        a = evaluate(case, profile)
        expected = json.loads(pio.to_json(F.decision_figure(a, profile), validate=False))
        # What st.plotly_chart does with whatever it is given (streamlit/elements/plotly_chart.py).
        sent = plotly.tools.return_figure_from_figure_or_data(F.decision_chart(a, profile), validate_figure=True)
        assert json.loads(pio.to_json(sent, validate=False)) == expected


def test_decision_chart_leaves_the_cached_parts_alone() -> None:
    import plotly.io as pio

    profile = get_profile("source")
    static = F.decision_static(profile)
    before = copy.deepcopy(static.layout)
    for case in CASES.values():
        chart = F.decision_chart(evaluate(case), profile)
        pio.to_json(chart.to_dict(), validate=False)
        chart.to_dict()["layout"]["annotations"].append({"text": "added by a caller"})
    assert static.layout == before
    assert "ReadyFigure(" in repr(F.decision_chart(evaluate(CASES["normal"]), profile))


def test_colours_are_okabe_ito_or_neutral() -> None:
    allowed = {c.upper() for c in (*F.OKABE_ITO, F.WHITE, F.GREY, F.LIGHT_GREY, F.MID_GREY, "#333333")}
    for fig in (
        F.decision_figure(evaluate(CASES["functional_deficiency"]), get_profile("source")),
        F.mechanism_figure(evaluate(CASES["functional_deficiency"])),
    ):
        used = {t.line.color for t in fig.data if t.line and t.line.color}
        used |= {ann.bgcolor for ann in fig.layout.annotations if ann.bgcolor}
        used |= {ann.bordercolor for ann in fig.layout.annotations if ann.bordercolor}
        assert {c.upper() for c in used} <= allowed


MECHANISM_CASES = {
    "m_mma": Case(age=71, sex="male", b12=250, mma=340, esr=10),
    "m_mcv": Case(age=60, sex="female", b12=150, mcv=108, esr=10),
    "m_anaemia": Case(age=60, sex="male", b12=500, hb=11, esr=10),
    "m_esr": Case(age=40, sex="female", b12=500, esr=60),
    "m_folic": Case(age=40, sex="female", b12=500, esr=10, on_folic_acid=True),
}


@pytest.mark.parametrize("node", MECHANISM_CASES)
@pytest.mark.parametrize("step", [None, *F.MECHANISM_STEPS])
def test_lit_mechanism_nodes_match_the_engine(node: str, step: str | None) -> None:
    a = evaluate(MECHANISM_CASES[node])
    assert node in a.mechanism_lit
    fig = F.mechanism_figure(a, step)
    lit = F.nodes_of(fig, "lit")
    assert set(lit) == set(a.mechanism_lit) and len(lit) == len(set(lit))
    assert set(F.nodes_of(fig, "unlit")) == {n.id for n in MECHANISM_GRAPH.nodes} - set(a.mechanism_lit)
    boxes = {ann.name: ann for ann in fig.layout.annotations if (ann.name or "").startswith("node:")}
    assert boxes[f"node:{node}"].text.startswith("<b>") and boxes[f"node:{node}"].borderwidth == 3
    # Each lit node's hover says why it is lit, with this case's numbers.
    lit_trace = next(t for t in fig.data if (t.meta or {}).get("state") == "lit")
    hover = dict(zip(lit_trace.customdata, lit_trace.hovertext, strict=True))
    assert "Lit in this case" in hover[node]


def test_nothing_lit_for_a_normal_case() -> None:
    a = evaluate(Case(age=40, sex="female", b12=500, esr=10))
    assert F.nodes_of(F.mechanism_figure(a), "lit") == []
    assert F.lit_reasons(a) == {}


def test_lit_reasons_name_the_value_and_the_threshold() -> None:
    a = evaluate(Case(age=71, sex="male", b12=150, mma=340, mcv=104, hb=11, esr=36, neuro_symptoms=True))
    reasons = F.lit_reasons(a)
    assert set(reasons) == set(a.mechanism_lit)
    assert "MMA 340 nmol/L > 271" in reasons["m_mma"]
    assert "MCV 104 fL > 100" in reasons["m_mcv"]
    assert "Hb 11 g/dL < 13" in reasons["m_anaemia"]
    assert "ESR 36 mm/h > 35.5" in reasons["m_esr"]
    assert "B12 150 pg/mL < 180" in reasons["m_b12"]
    # A laboratory's own MMA cut-off is the one quoted.
    lab = custom_profile(180, 350, 300)
    assert (
        "> 300 nmol/L" in F.lit_reasons(evaluate(Case(age=71, sex="male", b12=250, mma=340, esr=10), lab), lab)["m_mma"]
    )


def test_confounding_edge_is_dashed_labelled_and_the_bypass_dotted() -> None:
    fig = F.mechanism_figure(evaluate(MECHANISM_CASES["m_anaemia"]))
    edges = {t.meta["kind"]: t for t in fig.data if (t.meta or {}).get("role") == "edge"}
    assert edges["confounding"].line.dash == "dash"
    assert [tuple(e) for e in edges["confounding"].meta["edges"]] == [("m_anaemia", "m_esr")]
    assert edges["bypass"].line.dash == "dot"
    assert [tuple(e) for e in edges["bypass"].meta["edges"]] == [("m_folic", "m_dna")]
    assert edges["causal"].line.dash == "solid"
    label = next(ann for ann in fig.layout.annotations if ann.name == "edge:m_anaemia->m_esr")
    assert "confounder" in label.text and "not inflammation" in label.text.replace("<br>", " ")
    # Exactly one edge joins the B12 side to the inflammation side, and it is the confounder.
    crossing = [
        e
        for e in MECHANISM_GRAPH.edges
        if {MECHANISM_GRAPH.node(e.source).tree, MECHANISM_GRAPH.node(e.target).tree} == {"b12", "inflammation"}
    ]
    assert [(e.source, e.target, e.kind) for e in crossing] == [("m_anaemia", "m_esr", "confounding")]


@pytest.mark.parametrize("step", F.MECHANISM_STEPS)
def test_step_shows_one_pathway_and_fades_the_rest(step: str) -> None:
    fig = F.mechanism_figure(evaluate(MECHANISM_CASES["m_esr"]), step)
    assert F.MECHANISM_STEPS[step] in fig.layout.title.text
    opacity = {ann.name.split(":", 1)[1]: ann.opacity for ann in fig.layout.annotations if ann.name.startswith("node:")}
    strong = {n for n, o in opacity.items() if o == 1}
    assert strong == F.step_nodes(step, MECHANISM_GRAPH)
    assert all(o < 0.3 for n, o in opacity.items() if n not in strong)
    if step != "confounding":
        assert {n.id for n in MECHANISM_GRAPH.nodes if n.tree == step} <= strong
    shown_edges = [t for t in fig.data if (t.meta or {}).get("role") == "edge" and t.meta["state"] == "shown"]
    assert shown_edges and all(
        F.edge_step(next(e for e in MECHANISM_GRAPH.edges if (e.source, e.target) == tuple(pair)), MECHANISM_GRAPH)
        == step
        for t in shown_edges
        for pair in t.meta["edges"]
    )


def test_unknown_step_is_refused() -> None:
    with pytest.raises(ValueError, match="step"):
        F.mechanism_figure(evaluate(MECHANISM_CASES["m_esr"]), "kidney")


def test_figures_have_titles_and_hidden_axes() -> None:
    a = evaluate(CASES["deficient"])
    for fig in (F.decision_figure(a, get_profile("source")), F.mechanism_figure(a)):
        assert fig.layout.title.text and fig.layout.title.subtitle.text
        assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert F.base_layout("ESR <by> age")["title"]["text"] == "ESR &lt;by&gt; age"


def test_alt_text_follows_both_paths() -> None:
    a = evaluate(CASES["functional_deficiency"])
    text = F.decision_alt_text(a, get_profile("source"))
    assert "Functional B12 deficiency" in text and "Above age/sex limit?" in text
    assert text.index("B12 work-up path") < text.index("ESR work-up path")


def test_teaching_text_cites_known_references_for_every_step() -> None:
    assert set(PATHWAY_TEACHING) == set(F.MECHANISM_STEPS)
    for statements in PATHWAY_TEACHING.values():
        assert statements
        for s in statements:
            assert s.citations and set(s.citations) <= set(REFERENCES)


# --- The still decision picture (the Explorer's default) ------------------------------------------


def _svg_states(svg: str, attr: str) -> dict[str, str]:
    import xml.etree.ElementTree as ET

    return {el.get(attr): el.get("data-state") for el in ET.fromstring(svg).iter() if el.get(attr)}


@pytest.mark.parametrize("pid", PROFILE_IDS)
def test_decision_svg_draws_every_node_once_and_lights_exactly_the_paths(pid: str) -> None:
    import xml.etree.ElementTree as ET

    profile = _profile(pid)
    graph = F.decision_static(profile).graph
    for case in CASES.values():
        a = evaluate(case, profile)
        svg = F.decision_svg(a, profile)
        root = ET.fromstring(svg)  # well-formed XML, or the browser shows a broken image
        nodes = [el.get("data-node") for el in root.iter() if el.get("data-node")]
        assert sorted(nodes) == sorted(n.id for n in graph.nodes)
        states = _svg_states(svg, "data-node")
        assert {n for n, s in states.items() if s == "path"} == {*a.decision_path, *a.esr_path}
        edges = _svg_states(svg, "data-edge")
        taken = {f"{s}->{t}" for path in (a.decision_path, a.esr_path) for s, t in itertools.pairwise(path)}
        assert {e for e, s in edges.items() if s == "path"} == taken
        # No arrow joins the two flowcharts.
        tree = {n.id: n.tree for n in graph.nodes}
        assert all(tree[e.split("->")[0]] == tree[e.split("->")[1]] for e in edges)
        assert root.find("{http://www.w3.org/2000/svg}desc").text == F.decision_alt_text(a, profile)


def test_decision_svg_shows_thresholds_as_written_and_uses_the_palette() -> None:
    import re
    import xml.etree.ElementTree as ET

    profile = custom_profile(145, 250, 300)
    svg = F.decision_svg(evaluate(Case(age=40, sex="female", b12=140, esr=10), profile), profile)
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    joined = " ".join(texts)  # long edge labels may wrap over two lines
    assert "< 145 pg/mL" in joined and "> 250" in texts and "> 300 nmol/L" in joined
    allowed = {c.upper() for c in (*F.OKABE_ITO, F.WHITE, F.GREY, F.LIGHT_GREY, F.MID_GREY)}
    used = {c.upper() for c in re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', svg)}
    assert used and used <= allowed
