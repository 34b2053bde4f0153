"""One judgment per case and profile: the decision graph walked with every marker the profile reads.

The graph (graphs.py) is data and its predicates work on one case or on arrays, so `evaluate` and
`evaluate_frame` reach the same path; status and regimen come from the path, and every statement the
verdict makes is derived from this one judgment (next_steps.py), so the headline and the safety steps
cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from b12logic.case import Case
from b12logic.graphs import B12_ROOT, PREDICATES, WAITS_FOR_MMA, Edge, Graph, Node, decision_graph, megaloblastic
from b12logic.guidelines import GuidelineProfile
from b12logic.labels import (
    ANAEMIA_GRADES,
    INDETERMINATE_LASTING,
    INDETERMINATE_PREGNANT,
    INDETERMINATE_RENAL_BOTH,
    INDETERMINATE_RENAL_MMA,
    NORMAL_LASTING,
    STATUS_LABELS,
)
from b12logic.rules.facts import (
    MACROCYTOSIS_MCV,
    MICROCYTOSIS_MCV,
    CaseView,
    PlanFacts,
    anaemia_grade_codes,
    severe_anaemia,
)

DEFICIENT_STATUSES = frozenset({"deficient", "functional_deficiency"})
TREATMENT_REGIMENS = frozenset({"im_neuro", "im_standard", "oral_or_im"})
# A regimen that treats or tests: B12 deficiency is still possible (the "no folic acid alone" pitfall).
GUIDELINE_ACTS = TREATMENT_REGIMENS | {"pending_tests"}
# Nodes after which treatment starts while the tests are awaited (strong clinical features).
AWAITING_NODES = frozenset({"st_treat_awaiting", "out_treat_awaiting_hcy", "st_treat_awaiting_hcy"})
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


CaseFacts = tuple[bool, bool, bool, str, bool, frozenset[str], bool, bool, bool, bool, bool, bool, bool, bool]


def case_fact_columns(view: CaseView, female: Any) -> tuple[Any, ...]:
    """The PlanFacts fields a case decides under any profile, but its risk factors, for one case (values) or a
    batch (arrays, evaluate_frame): neuro, Hb measured, severe anaemia, anaemia grade (an index into
    ANAEMIA_GRADES), pregnant, MMA, homocysteine and active B12 measured, megaloblastic picture, on folic acid,
    macrocytic, microcytic, MCV measured. Not measured is NaN in the view, so `x == x` says measured."""
    hb = view.hb
    return (
        view.neuro,
        hb == hb,
        severe_anaemia(hb),
        anaemia_grade_codes(hb, female, view.pregnant),
        view.pregnant,
        view.mma == view.mma,
        view.hcy == view.hcy,
        view.active_b12 == view.active_b12,
        megaloblastic(view),
        view.on_folic_acid,
        view.mcv > MACROCYTOSIS_MCV,
        view.mcv < MICROCYTOSIS_MCV,
        view.mcv == view.mcv,
    )


def case_facts(case: Case, view: CaseView) -> CaseFacts:
    """case_fact_columns of one case, in PlanFacts' order (neuro to very_high_mcv, risk factors in their place):
    worked out once when a case is judged twice (the source's rules and the guideline beside them)."""
    return with_risk_factors(case_fact_columns(view, case.sex == "female"), case.risk_factors)


def with_risk_factors(columns: tuple[Any, ...], risk_factors: frozenset[str]) -> CaseFacts:
    """One case's (or one batch combination's) case_fact_columns as CaseFacts: the grade named, the risk factors in."""
    (
        neuro,
        hb_measured,
        severe,
        grade,
        pregnant,
        *measured,
        megaloblastic_picture,
        folic,
        macrocytic,
        microcytic,
        mcv,
    ) = columns
    return (
        bool(neuro),
        bool(hb_measured),
        bool(severe),
        ANAEMIA_GRADES[grade],
        bool(pregnant),
        risk_factors,
        *(bool(m) for m in measured),
        bool(megaloblastic_picture),
        bool(folic),
        bool(macrocytic),
        bool(microcytic),
        bool(mcv),
    )  # type: ignore[return-value]


def plan_facts(profile: GuidelineProfile, path: tuple[str, ...], of_case: CaseFacts) -> PlanFacts:
    """The facts every statement follows: the path's outcome and the case's facts (one PlanFacts per combination)."""
    status, regimen, awaiting = path_outcome(profile, path)
    # MMA in, yet the path waits for an MMA answer: a raised MMA beside renal impairment (graphs._mma_raised_renal).
    undecided = of_case[6] and not WAITS_FOR_MMA.isdisjoint(path)
    return _plan_facts(path[-1], status, regimen, *of_case, awaiting, undecided)


def judge(case: Case, profile: GuidelineProfile, view: CaseView, of_case: CaseFacts | None = None) -> Judgment:
    """Status and regimen from the path, anaemia graded on its own axis, and the facts for the statements."""
    of_case = of_case or case_facts(case, view)
    _, adjacency, _ = graph_index(profile)
    path = walk(adjacency, B12_ROOT, view, profile)
    facts = plan_facts(profile, path, of_case)
    return Judgment(
        path=path,
        status=facts.status,
        regimen=facts.regimen,
        severe=facts.status in DEFICIENT_STATUSES and bool(PREDICATES["severe"](view, profile)),
        anaemia_grade=of_case[3],
        facts=facts,
    )


@lru_cache(maxsize=1024)
def path_outcome(profile: GuidelineProfile, path: tuple[str, ...]) -> tuple[str, str, bool]:
    """Status, regimen and whether treatment starts while the tests are awaited: the path decides them.
    Remembered: a graph has a few dozen paths."""
    nodes = graph_index(profile)[2]
    return _status_from(nodes, path), nodes[path[-1]].regimen or "none", not AWAITING_NODES.isdisjoint(path)


# The same few combinations of yes/no facts recur: one PlanFacts each, so the statements' caches hash it once.
_plan_facts = lru_cache(maxsize=4096)(PlanFacts)


def headline_label(profile: GuidelineProfile, f: PlanFacts) -> str:
    """The status as the verdict's headline says it. The status value is fixed (DESIGN.md); where its label would
    contradict the plan, the headline says what decides instead (independent reads s8b F2, s8c F5, F7, F8)."""
    treats = f.regimen in TREATMENT_REGIMENS
    lasting = f.lasting_cause
    if f.status == "normal" and treats and lasting:
        return NORMAL_LASTING
    if f.status != "indeterminate_needs_mma":
        return STATUS_LABELS[f.status]
    if treats and lasting:
        return INDETERMINATE_LASTING
    if profile.holotc_pmol_l and not f.active_measured and f.pregnant:
        return INDETERMINATE_PREGNANT
    if f.mma_undecided:
        return INDETERMINATE_RENAL_BOTH if f.active_measured else INDETERMINATE_RENAL_MMA
    return STATUS_LABELS[f.status]
