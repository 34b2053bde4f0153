"""b12logic.graphs: the flowchart and the mechanism diagram as data.

The B12 tree and the ESR tree are separate; every outcome is reachable; the mechanism graph has its
two pathways, the folic-acid bypass, and exactly one (dashed, labelled) confounding link between them.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import pytest

from b12logic.engine import B12_STATUSES, REGIMENS
from b12logic.graphs import (
    B12_ROOT,
    ESR_ROOT,
    MECHANISM_GRAPH,
    MECHANISM_PATHWAYS,
    PREDICATES,
    Graph,
    decision_graph,
)
from b12logic.guidelines import PROFILES, custom_profile

PROFILE_LIST = [*PROFILES.values(), custom_profile(145, 250, 300)]
PROFILE_IDS = [p.id for p in PROFILE_LIST]


def reachable(graph: Graph, root: str) -> set[str]:
    seen = {root}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for edge in graph.out_edges(node):
            if edge.target not in seen:
                seen.add(edge.target)
                queue.append(edge.target)
    return seen


def is_acyclic(graph: Graph) -> bool:
    indegree = {n.id: 0 for n in graph.nodes}
    for e in graph.edges:
        indegree[e.target] += 1
    queue = deque(n for n, d in indegree.items() if d == 0)
    done = 0
    while queue:
        node = queue.popleft()
        done += 1
        for e in graph.out_edges(node):
            indegree[e.target] -= 1
            if indegree[e.target] == 0:
                queue.append(e.target)
    return done == len(indegree)


def check_well_formed(graph: Graph) -> None:
    ids = [n.id for n in graph.nodes]
    assert len(ids) == len(set(ids)), "duplicate node ids"
    for edge in graph.edges:
        assert edge.source in ids and edge.target in ids, edge
        assert edge.source != edge.target
    pairs = [(e.source, e.target) for e in graph.edges]
    assert len(pairs) == len(set(pairs)), "duplicate edges"
    for node in graph.nodes:
        assert node.label.strip(), node.id
        assert math.isfinite(node.x) and math.isfinite(node.y), node.id
    assert is_acyclic(graph)


@pytest.fixture(params=PROFILE_LIST, ids=PROFILE_IDS)
def graph(request: pytest.FixtureRequest) -> Graph:
    return decision_graph(request.param)


def test_decision_graph_is_well_formed(graph: Graph) -> None:
    check_well_formed(graph)
    assert {n.tree for n in graph.nodes} == {"b12", "esr"}


def test_the_two_roots(graph: Graph) -> None:
    assert sorted(graph.roots()) == sorted([B12_ROOT, ESR_ROOT])
    assert graph.node(B12_ROOT).tree == "b12" and graph.node(B12_ROOT).kind == "start"
    assert graph.node(ESR_ROOT).tree == "esr" and graph.node(ESR_ROOT).kind == "start"


def test_b12_and_esr_trees_are_separate(graph: Graph) -> None:
    tree = {n.id: n.tree for n in graph.nodes}
    for edge in graph.edges:
        assert tree[edge.source] == tree[edge.target], f"{edge.source} -> {edge.target} joins the trees"
    # Each root reaches exactly its own tree.
    assert reachable(graph, B12_ROOT) == {n for n, t in tree.items() if t == "b12"}
    assert reachable(graph, ESR_ROOT) == {n for n, t in tree.items() if t == "esr"}


def test_every_node_and_outcome_is_reachable(graph: Graph) -> None:
    seen = reachable(graph, B12_ROOT) | reachable(graph, ESR_ROOT)
    assert seen == {n.id for n in graph.nodes}
    leaves = [n for n in graph.nodes if not graph.out_edges(n.id)]
    assert leaves
    for leaf in leaves:
        assert leaf.kind == "outcome", leaf.id
        assert leaf.id in seen
    # And every node called an outcome is a leaf.
    assert {n.id for n in graph.nodes if n.kind == "outcome"} == {n.id for n in leaves}


def test_decision_nodes_have_one_otherwise_branch_last(graph: Graph) -> None:
    for node in graph.nodes:
        edges = graph.out_edges(node.id)
        if not edges:
            continue
        otherwise = [e for e in edges if e.when is None]
        assert len(otherwise) == 1, node.id
        assert edges[-1].when is None, node.id
        for edge in edges:
            assert edge.when is None or edge.when in PREDICATES
        if len(edges) > 1:
            assert node.kind == "decision", node.id
            assert all(e.label for e in edges), node.id


def test_b12_outcomes_cover_every_status_and_regimen(graph: Graph) -> None:
    b12_leaves = [n for n in graph.nodes if n.tree == "b12" and not graph.out_edges(n.id)]
    assert {n.regimen for n in b12_leaves} == set(REGIMENS)
    statuses = {n.status for n in graph.nodes if n.status}
    assert statuses == set(B12_STATUSES)
    for node in graph.nodes:
        if node.tree == "esr":
            assert node.status is None and node.regimen is None


def test_treatment_outcomes_only_follow_a_deficiency_status(graph: Graph) -> None:
    # im_neuro / im_standard / oral_or_im must only be reachable through deficient or functional_deficiency,
    # except the one outcome that treats neurological features while MMA is awaited (BSH 2014, NICE NG239).
    # st_treat_awaiting: strong features with a borderline B12, treated while MMA is awaited (BSH 2014).
    deficiency = {n.id for n in graph.nodes if n.status in ("deficient", "functional_deficiency")}
    deficiency |= {"st_treat_awaiting"}
    # st_treat_awaiting_hcy: a megaloblastic picture with a B12 in range, treated while MMA and homocysteine are
    # awaited (independent read s7c, H2): reached only through that predicate.
    if "st_treat_awaiting_hcy" in {n.id for n in graph.nodes}:
        assert {e.when for e in graph.edges if e.target == "st_treat_awaiting_hcy"} == {"megaloblastic"}
        deficiency |= {"st_treat_awaiting_hcy"}
    # st_treat_lasting_cause: a normal MMA beside neurological symptoms and a cause that cannot be reversed
    # (independent read s7): reached only through that predicate, and it leads to the neurological regimen.
    if "st_treat_lasting_cause" in {n.id for n in graph.nodes}:
        whens = {e.when for e in graph.edges if e.target == "st_treat_lasting_cause"}
        # Above the band, nitrous oxide with neurological symptoms and normal tests also lands here (not excluded).
        assert whens == {"lasting_cause_measured", "nitrous_neuro_measured"}, whens
        deficiency |= {"st_treat_lasting_cause"}
    if "st_lasting_in_range" in {n.id for n in graph.nodes}:
        whens = {e.when for e in graph.edges if e.target == "st_lasting_in_range"}
        assert whens == {"lasting_cause", "lasting_cause_only_measured"}, whens
        deficiency |= {"st_lasting_in_range"}
    for leaf in graph.nodes:
        if leaf.regimen in ("im_neuro", "im_standard", "oral_or_im"):
            parents = {e.source for e in graph.edges if e.target == leaf.id}
            assert parents, leaf.id
            if leaf.id == "out_treat_awaiting_hcy":
                # Treated while the tests are awaited: always the neurological regimen, only for neuro features.
                assert leaf.regimen == "im_neuro"
                assert leaf.status == "normal_needs_mma_hcy"
                whens = {e.when for e in graph.edges if e.target == leaf.id}
                assert whens == {"neuro"}, whens
                continue
            # Walk back: every path from the root to the leaf passes a deficiency status node.
            stripped = Graph(
                tuple(n for n in graph.nodes if n.id not in deficiency),
                tuple(e for e in graph.edges if e.source not in deficiency and e.target not in deficiency),
            )
            assert leaf.id not in reachable(stripped, B12_ROOT)


def test_only_profiles_that_say_so_treat_while_awaiting_mma() -> None:
    for profile in PROFILE_LIST:
        graph = decision_graph(profile)
        has = any(n.id == "st_treat_awaiting" for n in graph.nodes)
        assert has is profile.reads_context, profile.id
        if has:  # only for strong features: neurological symptoms or a very high MCV
            assert {e.when for e in graph.edges if e.target == "st_treat_awaiting"} == {"strong_features"}


def test_edge_labels_carry_the_profiles_numbers() -> None:
    labels = {p.id: {e.label for e in decision_graph(p).edges} for p in PROFILE_LIST}
    assert "< 180 pg/mL" in labels["source"]
    assert "180–350" in labels["source"]
    assert "> 350" in labels["source"]
    assert "> 271 nmol/L" in labels["source"]
    assert "≤ 271" in labels["source"]
    assert "< 200 pg/mL or active < 25" in labels["bsh-2014"]  # BSH reads active B12 with NICE's bands
    assert "< 180 pg/mL or active < 25" in labels["nice-ng239"]
    assert "< 145 pg/mL or active < 25" in labels["custom"] and "> 300 nmol/L" in labels["custom"]


def test_is_path() -> None:
    g = decision_graph(PROFILES["source"])
    assert g.is_path(("b12_start", "b12_band", "st_deficient", "treat_neuro", "rx_im_neuro"))
    assert not g.is_path(("b12_start", "st_deficient"))
    assert not g.is_path(("b12_start", "esr_start"))


class _View:
    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)


def test_predicates_give_the_same_answer_on_scalars_and_arrays() -> None:
    rng = np.random.default_rng(7)
    n = 400
    cols = {
        "b12": rng.choice([50.0, 99.0, 100.0, 179.0, 180.0, 250.0, 350.0, 351.0, 800.0], n),
        "mma": rng.choice([np.nan, 100.0, 271.0, 272.0, 900.0], n),
        "hb": rng.choice([np.nan, 7.9, 8.0, 12.0], n),
        "neuro": rng.choice([True, False], n),
        "esr": rng.choice([0.0, 35.0, 36.0, 100.0, 101.0], n),
        "esr_limit": rng.choice([35.0, 35.5, 39.0], n),
        "active_b12": rng.choice([np.nan, 24.9, 25.0, 70.0, 70.1], n),
        "nitrous_oxide": rng.choice([True, False], n),
        "lasting_cause": rng.choice([True, False], n),
        "on_folic_acid": rng.choice([True, False], n),
        "pregnant": rng.choice([True, False], n),
        "hcy": rng.choice([np.nan, 15.0, 15.1, 20.0, 20.1, 70.0], n),
        "mcv": rng.choice([np.nan, 100.0, 100.1, 120.0, 120.1], n),
        "severe_anaemia": rng.choice([True, False], n),
        "anaemic": rng.choice([True, False], n),
        "renal": rng.choice([True, False], n),
    }
    for profile in PROFILE_LIST:
        for name, predicate in PREDICATES.items():
            vector = np.broadcast_to(np.asarray(predicate(_View(**cols), profile), dtype=bool), (n,))
            for i in range(n):
                row = _View(
                    **{
                        k: (
                            bool(v[i])
                            if k
                            in (
                                "neuro",
                                "nitrous_oxide",
                                "lasting_cause",
                                "on_folic_acid",
                                "pregnant",
                                "severe_anaemia",
                                "anaemic",
                                "renal",
                            )
                            else float(v[i])
                        )
                        for k, v in cols.items()
                    }
                )
                assert bool(predicate(row, profile)) == bool(vector[i]), (name, profile.id, i)


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("b12_low", {"b12": 179.0}, True),
        ("b12_low", {"b12": 180.0}, False),
        ("b12_borderline", {"b12": 180.0}, True),
        ("b12_borderline", {"b12": 350.0}, True),
        ("b12_borderline", {"b12": 351.0}, False),
        ("mma_raised", {"mma": 271.0}, False),
        ("mma_raised", {"mma": 272.0}, True),
        ("mma_raised", {"mma": math.nan}, False),
        ("mma_missing", {"mma": math.nan}, True),
        ("mma_missing", {"mma": 100.0}, False),
        ("severe", {"b12": 99.0, "hb": math.nan}, True),
        ("severe", {"b12": 100.0, "hb": math.nan}, False),
        ("severe", {"b12": 150.0, "hb": 7.9}, True),
        ("severe", {"b12": 150.0, "hb": 8.0}, False),
        ("esr_above_limit", {"esr": 35.5, "esr_limit": 35.5}, False),
        ("esr_above_limit", {"esr": 36.0, "esr_limit": 35.5}, True),
        ("esr_marked", {"esr": 99.9, "esr_limit": 40.0}, False),
        ("esr_marked", {"esr": 100.0}, True),  # 100 or more (Fincher 1986)
    ],
)
def test_predicate_boundaries_under_source(name: str, values: dict[str, float], expected: bool) -> None:
    assert bool(PREDICATES[name](_View(**values), PROFILES["source"])) is expected


_QUIET = {
    "neuro": False,
    "nitrous_oxide": False,
    "mcv": math.nan,
    "pregnant": False,
    "hcy": math.nan,
    "severe_anaemia": False,
    "anaemic": False,
    "lasting_cause": False,
    "on_folic_acid": False,
    "renal": False,
}


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        # A low active B12 settles it whatever the total; a high one overrides a low total only in pregnancy.
        ("reading_low", {"b12": 400.0, "active_b12": 24.9}, True),
        ("reading_low", {"b12": 400.0, "active_b12": 25.0}, False),
        ("reading_low", {"b12": 179.0, "active_b12": math.nan}, True),
        ("reading_low", {"b12": 179.0, "active_b12": 70.0}, True),
        ("reading_low", {"b12": 179.0, "active_b12": 70.1}, False),  # discordant: MMA decides
        ("reading_low", {"b12": 165.0, "active_b12": 50.0, "pregnant": True}, False),  # active governs
        ("reading_low", {"b12": 165.0, "active_b12": math.nan, "pregnant": True}, False),  # active B12 first
        ("reading_above", {"b12": 351.0, "active_b12": math.nan}, True),
        ("reading_above", {"b12": 351.0, "active_b12": 70.0}, False),  # indeterminate active: MMA decides
        ("reading_above", {"b12": 351.0, "active_b12": 70.1}, True),
        ("active_unlikely", {"b12": 250.0, "active_b12": 70.1}, True),
        ("active_unlikely", {"b12": 250.0, "active_b12": 70.0}, False),
        ("active_unlikely", {"b12": 250.0, "active_b12": 90.0, "neuro": True}, False),
        ("active_unlikely", {"b12": 250.0, "active_b12": 90.0, "nitrous_oxide": True}, False),
        ("active_unlikely", {"b12": 250.0, "active_b12": 90.0, "mcv": 120.1}, False),
        ("active_unlikely", {"b12": 165.0, "active_b12": 90.0, "pregnant": True}, True),
        ("active_unlikely", {"b12": 165.0, "active_b12": 90.0}, False),
        ("functional_raised", {"mma": 271.0}, False),
        ("functional_raised", {"mma": 272.0}, True),
        ("functional_raised", {"mma": math.nan, "hcy": 15.1, "nitrous_oxide": True}, True),
        ("functional_raised", {"mma": math.nan, "hcy": 15.0, "nitrous_oxide": True}, False),
        ("functional_raised", {"mma": math.nan, "hcy": 70.0}, False),  # without nitrous oxide: MMA decides
        ("functional_measured", {"mma": math.nan, "hcy": 10.0, "nitrous_oxide": True}, True),
        ("functional_measured", {"mma": math.nan, "hcy": 10.0}, False),
        ("strong_features", {"mcv": 120.0}, False),
        ("strong_features", {"mcv": 120.1}, True),
        ("strong_features", {"neuro": True}, True),
        ("strong_features", {"mcv": 100.1, "severe_anaemia": True}, True),  # severe macrocytic anaemia
        ("strong_features", {"mcv": 100.0, "severe_anaemia": True}, False),
        ("strong_features", {"mcv": 118.0, "severe_anaemia": False}, False),
        # A macrocytic anaemia with homocysteine above 20 (code-blind reads s14, third and fourth).
        ("strong_features", {"mcv": 100.1, "anaemic": True, "hcy": 20.1}, True),
        ("strong_features", {"mcv": 100.1, "anaemic": True, "hcy": 20.0}, False),
        ("strong_features", {"mcv": 100.0, "anaemic": True, "hcy": 28.0}, False),
        ("strong_features", {"mcv": 106.0, "anaemic": False, "hcy": 28.0}, False),
        ("strong_features", {"lasting_cause": True}, True),  # independent read s7b, G4
        ("strong_features", {"on_folic_acid": True}, True),  # independent read s7b, G2
        ("lasting_cause_measured", {"lasting_cause": True, "mma": 271.0}, True),
        ("lasting_cause_measured", {"lasting_cause": True}, False),
        ("lasting_cause_measured", {"mma": 271.0}, False),
        # Renal impairment raises MMA on its own: in the borderline band a raised MMA is no answer (s8b, F4).
        ("functional_raised", {"mma": 271.1}, True),
        ("functional_raised", {"mma": 271.1, "renal": True}, False),
        ("functional_raised", {"mma": 400.0, "hcy": 15.1, "nitrous_oxide": True, "renal": True}, True),
        ("functional_measured", {"mma": 271.1, "renal": True}, False),
        ("functional_measured", {"mma": 271.0, "renal": True}, True),  # a normal MMA answers even so
        ("functional_measured", {"mma": 400.0, "hcy": 12.0, "nitrous_oxide": True, "renal": True}, True),
        ("lasting_cause_measured", {"lasting_cause": True, "mma": 400.0, "renal": True}, False),
        ("not_excluded", {"nitrous_oxide": True}, True),
        ("not_excluded", {}, False),
    ],
)
def test_judgment_boundaries_under_nice(name: str, values: dict[str, float], expected: bool) -> None:
    view = _View(**{"b12": 250.0, "mma": math.nan, "active_b12": math.nan, **_QUIET, **values})
    assert bool(PREDICATES[name](view, PROFILES["nice-ng239"])) is expected


def test_active_b12_bands_mean_nothing_without_them() -> None:
    view = _View(b12=250.0, active_b12=1.0, **_QUIET)
    assert not bool(PREDICATES["reading_low"](view, PROFILES["source"]))
    assert not bool(PREDICATES["active_unlikely"](_View(b12=250.0, active_b12=500.0, **_QUIET), PROFILES["source"]))


# --- The mechanism diagram

B12_PATHWAY = {
    "m_b12",
    "m_methylcbl",
    "m_adocbl",
    "m_folate_trap",
    "m_hcy",
    "m_mma",
    "m_dna",
    "m_megaloblastic",
    "m_mcv",
    "m_anaemia",
    "m_myelin",
    "m_neuro",
}
INFLAMMATION = {"m_trigger", "m_cytokines", "m_liver", "m_charge", "m_rouleaux", "m_esr"}


def test_mechanism_graph_is_well_formed() -> None:
    check_well_formed(MECHANISM_GRAPH)
    assert {n.tree for n in MECHANISM_GRAPH.nodes} == set(MECHANISM_PATHWAYS)
    assert set(MECHANISM_PATHWAYS) == {"b12", "folate_bypass", "inflammation"}
    for edge in MECHANISM_GRAPH.edges:
        assert edge.when is None  # the mechanism graph is not walked by predicates
        assert edge.kind in ("causal", "bypass", "confounding")
        assert edge.style in ("solid", "dashed", "dotted")


def test_mechanism_pathways_have_their_nodes() -> None:
    trees = {n.id: n.tree for n in MECHANISM_GRAPH.nodes}
    assert {n for n, t in trees.items() if t == "b12"} == B12_PATHWAY
    assert {n for n, t in trees.items() if t == "inflammation"} == INFLAMMATION
    assert {n for n, t in trees.items() if t == "folate_bypass"} == {"m_folic"}


def test_b12_pathway_chains() -> None:
    seen = reachable(MECHANISM_GRAPH, "m_b12")
    # Methionine synthase side: folate trap, DNA, megaloblastic marrow, MCV and anaemia, homocysteine.
    # Mutase side: MMA; both lead to myelin damage and neurological symptoms.
    assert B12_PATHWAY - {"m_b12"} <= seen
    assert MECHANISM_GRAPH.is_path(("m_b12", "m_methylcbl", "m_folate_trap", "m_dna", "m_megaloblastic", "m_mcv"))
    assert MECHANISM_GRAPH.is_path(("m_b12", "m_adocbl", "m_mma", "m_myelin", "m_neuro"))
    assert MECHANISM_GRAPH.is_path(("m_b12", "m_methylcbl", "m_hcy"))


def test_inflammation_pathway_chain() -> None:
    assert MECHANISM_GRAPH.is_path(("m_trigger", "m_cytokines", "m_liver", "m_charge", "m_rouleaux", "m_esr"))
    # The inflammation pathway never leads into the B12 pathway.
    assert not reachable(MECHANISM_GRAPH, "m_trigger") & B12_PATHWAY


def test_folic_acid_bypass() -> None:
    bypass = [e for e in MECHANISM_GRAPH.edges if e.kind == "bypass"]
    assert len(bypass) == 1
    edge = bypass[0]
    assert (edge.source, edge.target) == ("m_folic", "m_dna")  # it skips the trap, not the MMA side
    assert edge.label and edge.style == "dotted"
    assert "m_mma" not in reachable(MECHANISM_GRAPH, "m_folic")
    assert "m_myelin" not in reachable(MECHANISM_GRAPH, "m_folic")


def test_exactly_one_confounding_link_and_it_is_the_only_bridge() -> None:
    confounding = [e for e in MECHANISM_GRAPH.edges if e.kind == "confounding"]
    assert len(confounding) == 1
    link = confounding[0]
    assert link.style == "dashed"
    assert link.label.strip()
    assert "haematocrit" in link.label
    assert (link.source, link.target) == ("m_anaemia", "m_esr")
    bridges = [
        e
        for e in MECHANISM_GRAPH.edges
        if (e.source in B12_PATHWAY and e.target in INFLAMMATION)
        or (e.source in INFLAMMATION and e.target in B12_PATHWAY)
    ]
    assert bridges == [link]
    # Low B12 reaches the ESR only through that weak link.
    assert "m_esr" in reachable(MECHANISM_GRAPH, "m_b12")
    without = Graph(MECHANISM_GRAPH.nodes, tuple(e for e in MECHANISM_GRAPH.edges if e is not link))
    assert "m_esr" not in reachable(without, "m_b12")
