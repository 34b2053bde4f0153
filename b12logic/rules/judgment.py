"""One judgment per case and profile: the decision graph walked with every marker the profile reads.

The graph (graphs.py) is data and its predicates work on one case or on arrays, so `evaluate` and
`evaluate_frame` reach the same path; status and regimen come from the path, and every statement the
verdict makes is derived from this one judgment (next_steps.py), so the headline and the safety steps
cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from b12logic.case import Case
from b12logic.graphs import B12_ROOT, PREDICATES, Edge, Graph, Node, decision_graph, megaloblastic
from b12logic.guidelines import SEVERE_HB_G_DL, GuidelineProfile
from b12logic.rules.facts import CaseView, PlanFacts, anaemia_grade

DEFICIENT_STATUSES = frozenset({"deficient", "functional_deficiency"})
TREATMENT_REGIMENS = frozenset({"im_neuro", "im_standard", "oral_or_im"})
# Nodes after which treatment starts while the tests are awaited (strong clinical features).
AWAITING_NODES = frozenset({"st_treat_awaiting", "out_treat_awaiting_hcy"})
# How much a regimen does: the source's headline is marked when a guideline would do more.
ACTION_LEVEL = {"none": 0, "pending_tests": 1, "oral_or_im": 2, "im_standard": 2, "im_neuro": 2}


@lru_cache(maxsize=64)
def graph_index(profile: GuidelineProfile) -> tuple[Graph, dict[str, list[Edge]], dict[str, Node]]:
    """The decision graph of a profile, its adjacency and its node index, built once per profile."""
    graph = decision_graph(profile)
    adjacency: dict[str, list[Edge]] = {n.id: [] for n in graph.nodes}
    for edge in graph.edges:
        adjacency[edge.source].append(edge)
    return graph, adjacency, {n.id: n for n in graph.nodes}


def graph_for(profile: GuidelineProfile) -> tuple[Graph, dict[str, list[Edge]]]:
    graph, adjacency, _ = graph_index(profile)
    return graph, adjacency


def nodes_for(profile: GuidelineProfile) -> dict[str, Node]:
    return graph_index(profile)[2]


def status_of_path(graph: Graph, path: tuple[str, ...]) -> str:
    """The b12_status of a path: set by the last node on it that establishes one."""
    for node_id in reversed(path):
        status = graph.node(node_id).status
        if status:
            return status
    raise AssertionError(f"path {path} establishes no status")  # every outcome is reached through one


def _status_from(nodes: dict[str, Node], path: tuple[str, ...]) -> str:
    for node_id in reversed(path):
        status = nodes[node_id].status
        if status:
            return status
    raise AssertionError(f"path {path} establishes no status")


def walk(adjacency: dict[str, list[Edge]], root: str, view: CaseView, profile: GuidelineProfile) -> tuple[str, ...]:
    """The path from `root`: at each node the first edge whose predicate holds (None = otherwise)."""
    path = [root]
    node = root
    while adjacency[node]:
        for edge in adjacency[node]:
            if edge.when is None or PREDICATES[edge.when](view, profile):
                node = edge.target
                break
        path.append(node)
    return tuple(path)


@dataclass(frozen=True)
class Judgment:
    """The B12 judgment of one case under one profile: the headline and the facts every statement follows."""

    path: tuple[str, ...]
    status: str
    regimen: str
    severe: bool
    anaemia_grade: str
    facts: PlanFacts


CaseFacts = tuple[bool, bool, bool, str, bool, frozenset[str], bool, bool, bool, bool]


def case_facts(case: Case, view: CaseView) -> CaseFacts:
    """The PlanFacts fields the case decides under any profile, in PlanFacts' order (neuro to very_high_mcv):
    worked out once when a case is judged twice (the source's rules and the guideline beside them)."""
    hb = case.hb_g_dl
    return (
        case.neuro_symptoms,
        hb is not None,
        hb is not None and hb < SEVERE_HB_G_DL,
        anaemia_grade(hb, case.sex, case.pregnant),
        case.pregnant,
        case.risk_factors,
        case.mma is not None,
        case.homocysteine is not None,
        case.active_b12 is not None,
        bool(megaloblastic(view)),
    )


def judge(case: Case, profile: GuidelineProfile, view: CaseView, of_case: CaseFacts | None = None) -> Judgment:
    """Status and regimen from the path, anaemia graded on its own axis, and the facts for the statements."""
    of_case = of_case or case_facts(case, view)
    _, adjacency, _ = graph_index(profile)
    path = walk(adjacency, B12_ROOT, view, profile)
    status, regimen, awaiting = path_outcome(profile, path)
    return Judgment(
        path=path,
        status=status,
        regimen=regimen,
        severe=status in DEFICIENT_STATUSES and bool(PREDICATES["severe"](view, profile)),
        anaemia_grade=of_case[3],
        facts=_plan_facts(path[-1], status, regimen, *of_case, awaiting),
    )


@lru_cache(maxsize=1024)
def path_outcome(profile: GuidelineProfile, path: tuple[str, ...]) -> tuple[str, str, bool]:
    """Status, regimen and whether treatment starts while the tests are awaited: the path decides them.
    Remembered: a graph has a few dozen paths."""
    nodes = graph_index(profile)[2]
    return _status_from(nodes, path), nodes[path[-1]].regimen or "none", not AWAITING_NODES.isdisjoint(path)


# The same few combinations of yes/no facts recur: one PlanFacts each, so the statements' caches hash it once.
_plan_facts = lru_cache(maxsize=4096)(PlanFacts)
