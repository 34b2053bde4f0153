"""The decision flowchart and the mechanism diagram, as data.

The engine walks DECISION_GRAPH (engine.py, batch.py) and figures.py draws it, so the picture
cannot disagree with the logic. Edge conditions are named predicates that work on scalars and on
numpy arrays alike; an edge with `when=None` is the "otherwise" branch.

The B12 tree and the ESR tree are separate: no edge joins them (tested).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from b12logic.esr import MARKED_ESR
from b12logic.guidelines import SEVERE_B12_PG_ML, SEVERE_HB_G_DL, GuidelineProfile


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str  # start, decision, status, outcome (flowchart); measure, process, finding (mechanism)
    tree: str  # "b12" or "esr" (flowchart); pathway name (mechanism)
    x: float
    y: float
    hover: str = ""
    status: str | None = None  # the b12_status this node establishes
    regimen: str | None = None  # the regimen an outcome leads to


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    when: str | None = None  # predicate name; None = otherwise
    style: str = "solid"  # solid, dashed (weak / confounding), dotted (bypass)
    kind: str = "causal"  # causal, bypass, confounding (mechanism)


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return self._index()[node_id]

    def _index(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    def out_edges(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]

    def roots(self) -> list[str]:
        targets = {e.target for e in self.edges}
        return [n.id for n in self.nodes if n.id not in targets]

    def is_path(self, path: tuple[str, ...] | list[str]) -> bool:
        pairs = {(e.source, e.target) for e in self.edges}
        return all((a, b) in pairs for a, b in itertools.pairwise(path))


# --- Predicates: v has b12 (pg/mL), mma (nmol/L, NaN = not measured), hb (g/dL, NaN), neuro, esr, esr_limit.
def _missing(x: Any) -> Any:
    return x != x  # NaN test that works on floats and arrays


Predicate = Callable[[Any, GuidelineProfile], Any]
PREDICATES: dict[str, Predicate] = {
    "b12_low": lambda v, p: v.b12 < p.b12_low,
    # Active B12 (holotranscobalamin) bands, for profiles that give them (NICE NG239); NaN = not measured.
    "active_low": lambda v, p: (v.active_b12 < p.holotc_pmol_l[0]) if p.holotc_pmol_l else False,
    # A high active B12 settles it only without neurological features: with them, strong features outweigh
    # the test (BSH 2014), so the case goes on to urgent advice and treatment while MMA is awaited.
    "active_high_no_neuro": lambda v, p: (
        (v.active_b12 > p.holotc_pmol_l[1]) & np.logical_not(v.neuro) if p.holotc_pmol_l else False
    ),
    "mma_missing_neuro": lambda v, p: _missing(v.mma) & v.neuro,
    # Nitrous oxide with neurological features: start B12 before the results return (RCEM 2024).
    "nitrous_oxide_neuro": lambda v, p: _missing(v.mma) & v.neuro & v.nitrous_oxide,
    "b12_borderline": lambda v, p: (v.b12 >= p.b12_low) & (v.b12 <= p.b12_upper),
    "mma_missing": lambda v, p: _missing(v.mma),
    "mma_raised": lambda v, p: v.mma > p.mma_upper,
    "neuro": lambda v, p: v.neuro,
    "severe": lambda v, p: (v.b12 < SEVERE_B12_PG_ML) | (v.hb < SEVERE_HB_G_DL),
    "esr_above_limit": lambda v, p: v.esr > v.esr_limit,
    "esr_marked": lambda v, p: v.esr >= MARKED_ESR,
}


def _b12_nodes(profile: GuidelineProfile) -> tuple[Node, ...]:
    oral = f"oral {profile.oral.drug.lower()} {profile.oral.dose} daily"
    mma = f"{profile.mma_upper:g} nmol/L"
    return (
        Node("b12_start", "Suspected B12 deficiency", "start", "b12", 5, 10, "Start: measure total serum B12."),
        Node("b12_band", "Total B12?", "decision", "b12", 5, 9, "Compare total B12 with the profile's cut-offs."),
        Node(
            "st_deficient",
            "Deficient",
            "status",
            "b12",
            0.5,
            8,
            "Total B12 below the low cut-off"
            + (" (or active B12 below the profile's band)" if profile.holotc_pmol_l else "")
            + ": deficiency is diagnosed.",
            status="deficient",
        ),
        Node(
            "mma_borderline",
            "Borderline: MMA?",
            "decision",
            "b12",
            4.4,
            8,
            f"Borderline B12: a raised MMA supports deficiency ({mma} is one laboratory's upper limit).",
        ),
        Node(
            "neuro_above",
            "Above range: neurological symptoms?",
            "decision",
            "b12",
            8.4,
            8,
            "B12 above range does not exclude deficiency when there are neurological symptoms.",
        ),
        Node(
            "out_indeterminate",
            "Indeterminate: measure MMA",
            "outcome",
            "b12",
            1.6,
            6,
            "Borderline B12 and no MMA yet: measure MMA before deciding.",
            status="indeterminate_needs_mma",
            regimen="pending_tests",
        ),
        Node(
            "active_borderline",
            "MMA not measured: active B12?",
            "decision",
            "b12",
            3,
            7,
            "Active B12 (holotranscobalamin) can settle a borderline total B12.",
        ),
        Node(
            "out_active_unlikely",
            "Deficiency unlikely (active B12)",
            "outcome",
            "b12",
            4.1,
            6,
            "Active B12 above the profile's band: deficiency unlikely.",
            status="not_confirmed",
            regimen="none",
        ),
        Node(
            "out_treat_awaiting",
            "Treat now, MMA pending",
            "outcome",
            "b12",
            2.4,
            5.1,
            "Neurological features with a borderline B12: urgent specialist advice, and the neurological "
            "regimen starts without waiting for MMA.",
            status="indeterminate_needs_mma",
            regimen="im_neuro",
        ),
        Node(
            "out_not_confirmed",
            "Not confirmed",
            "outcome",
            "b12",
            5.4,
            7,
            "Borderline B12 with MMA at or below the cut-off: deficiency not confirmed.",
            status="not_confirmed",
            regimen="none",
        ),
        Node(
            "mma_above",
            "Neurological symptoms: MMA?",
            "decision",
            "b12",
            7.8,
            7,
            "Neurological symptoms with B12 in range: MMA decides.",
        ),
        Node(
            "out_treat_nitrous",
            "Nitrous oxide: treat now",
            "outcome",
            "b12",
            9.4,
            5,
            "Nitrous oxide with neurological features: stop it, start B12 before the results return, urgent "
            "neurological input; homocysteine or MMA is the test.",
            status="normal_needs_mma_hcy",
            regimen="im_neuro",
        ),
        Node(
            "out_normal",
            "Normal: no B12 treatment",
            "outcome",
            "b12",
            10,
            7,
            "B12 above range and no neurological symptoms.",
            status="normal",
            regimen="none",
        ),
        Node(
            "st_functional",
            "Functional deficiency",
            "status",
            "b12",
            6.2,
            6,
            f"MMA above {mma} (the laboratory's upper limit) supports functional deficiency.",
            status="functional_deficiency",
        ),
        Node(
            "out_needs_mma_hcy",
            "Measure MMA + homocysteine",
            "outcome",
            "b12",
            7.4,
            5,
            "Neurological symptoms with B12 in range: measure MMA and homocysteine.",
            status="normal_needs_mma_hcy",
            regimen="pending_tests",
        ),
        Node(
            "out_normal_after_mma",
            "Normal (MMA not raised)",
            "outcome",
            "b12",
            9.8,
            6,
            "Neurological symptoms but MMA at or below the cut-off: B12 deficiency is not supported; look elsewhere.",
            status="normal",
            regimen="none",
        ),
        Node(
            "treat_neuro",
            "Neurological symptoms?",
            "decision",
            "b12",
            0.7,
            3.9,
            "Neurological involvement sets the regimen.",
        ),
        Node(
            "treat_severe",
            "Severe?",
            "decision",
            "b12",
            2.3,
            3,
            "Working definition: B12 < 100 pg/mL or Hb < 8 g/dL (WHO severe anaemia).",
        ),
        Node(
            "rx_im_neuro",
            "IM alternate days, then every 2 months",
            "outcome",
            "b12",
            0.7,
            2.9,
            "Hydroxocobalamin 1 mg IM alternate days until no further improvement, then every 2 months; "
            + _duration_words(profile),
            regimen="im_neuro",
        ),
        Node(
            "rx_im_standard",
            "IM 3×/week for 2 weeks, then every 2–3 months",
            "outcome",
            "b12",
            1.6,
            2,
            "Hydroxocobalamin 1 mg IM three times weekly for 2 weeks, then every 2–3 months; "
            + _duration_words(profile),
            regimen="im_standard",
        ),
        Node(
            "rx_oral_or_im",
            "Oral 1–2 mg daily or IM",
            "outcome",
            "b12",
            3.4,
            2,
            f"Not severe, no neurological symptoms: {oral} is an alternative to IM.",
            regimen="oral_or_im",
        ),
    )


def _esr_nodes() -> tuple[Node, ...]:
    return (
        Node("esr_start", "ESR measured", "start", "esr", 13, 10, "ESR is read on its own criteria."),
        Node(
            "esr_limit",
            "Above age/sex limit?",
            "decision",
            "esr",
            13,
            9,
            "Miller 1983: men age/2, women (age+10)/2 mm/h.",
        ),
        Node(
            "esr_out_normal",
            "Normal for age and sex",
            "outcome",
            "esr",
            11.8,
            8,
            "The ESR itself needs no work-up; a normal ESR does not exclude giant cell arteritis if the picture fits.",
        ),
        Node(
            "esr_marked",
            "100 mm/h or more?",
            "decision",
            "esr",
            14.2,
            8,
            "About 90% of ESRs of 100 mm/h or more have an identifiable cause.",
        ),
        Node(
            "esr_out_elevated",
            "Own work-up: CRP, history, exam",
            "outcome",
            "esr",
            13.4,
            7,
            "Look for infection, malignancy, inflammatory disease; from 50, suspected GCA is an emergency. "
            "The B12 plan is unchanged.",
        ),
        Node(
            "esr_out_marked",
            "Urgent work-up",
            "outcome",
            "esr",
            15,
            7,
            "Of the 4.2% of 1,006 outpatients with an ESR of 100 or more: infection 33%, malignancy 17%, renal "
            "17%, inflammatory 14% (Fincher 1986). Think of myeloma.",
        ),
    )


def decision_graph(profile: GuidelineProfile) -> Graph:
    """The flowchart with this profile's numbers in its edge labels."""
    low, upper, mma = f"{profile.b12_low:g}", f"{profile.b12_upper:g}", f"{profile.mma_upper:g}"
    edges = (
        Edge("b12_start", "b12_band"),
        Edge("b12_band", "st_deficient", f"< {low} pg/mL", "b12_low"),
        Edge("b12_band", "mma_borderline", f"{low}–{upper}", "b12_borderline"),
        Edge("b12_band", "neuro_above", f"> {upper}"),
        *_borderline_without_mma(profile),
        Edge("mma_borderline", "st_functional", f"> {mma} nmol/L", "mma_raised"),
        Edge("mma_borderline", "out_not_confirmed", f"≤ {mma}"),
        Edge("neuro_above", "mma_above", "yes", "neuro"),
        Edge("neuro_above", "out_normal", "no"),
        *(
            (Edge("mma_above", "out_treat_nitrous", "nitrous oxide", "nitrous_oxide_neuro"),)
            if profile.treat_borderline_neuro_now
            else ()
        ),
        Edge("mma_above", "out_needs_mma_hcy", "not measured", "mma_missing"),
        Edge("mma_above", "st_functional", f"> {mma} nmol/L", "mma_raised"),
        Edge("mma_above", "out_normal_after_mma", f"≤ {mma}"),
        Edge("st_deficient", "treat_neuro"),
        Edge("st_functional", "treat_neuro"),
        Edge("treat_neuro", "rx_im_neuro", "yes", "neuro"),
        Edge("treat_neuro", "treat_severe", "no"),
        Edge("treat_severe", "rx_im_standard", "yes", "severe"),
        Edge("treat_severe", "rx_oral_or_im", "no"),
        Edge("esr_start", "esr_limit"),
        Edge("esr_limit", "esr_marked", "yes", "esr_above_limit"),
        Edge("esr_limit", "esr_out_normal", "no"),
        Edge("esr_marked", "esr_out_marked", "≥ 100", "esr_marked"),
        Edge("esr_marked", "esr_out_elevated", "no"),
    )
    used = {e.source for e in edges} | {e.target for e in edges}
    nodes = tuple(n for n in _b12_nodes(profile) + _esr_nodes() if n.id in used)
    return Graph(nodes, edges)


def _borderline_without_mma(profile: GuidelineProfile) -> tuple[Edge, ...]:
    """What a borderline B12 without MMA leads to: the profile decides (active B12 bands; treating
    neurological features while MMA is awaited)."""
    treat_now = profile.treat_borderline_neuro_now
    if profile.holotc_pmol_l:
        low, high = (f"{x:g}" for x in profile.holotc_pmol_l)
        return (
            Edge("mma_borderline", "active_borderline", "not measured", "mma_missing"),
            Edge("active_borderline", "st_deficient", f"< {low} pmol/L", "active_low"),
            Edge("active_borderline", "out_active_unlikely", f"> {high}, no neuro", "active_high_no_neuro"),
            *((Edge("active_borderline", "out_treat_awaiting", "neuro", "neuro"),) if treat_now else ()),
            Edge("active_borderline", "out_indeterminate", f"{low}–{high} or none"),
        )
    return (
        *(
            (Edge("mma_borderline", "out_treat_awaiting", "not measured, neuro", "mma_missing_neuro"),)
            if treat_now
            else ()
        ),
        Edge("mma_borderline", "out_indeterminate", "not measured", "mma_missing"),
    )


def _duration_words(profile: GuidelineProfile) -> str:
    return "for life." if profile.follows_source else "lifelong if the cause cannot be reversed, else as the cause."


B12_ROOT = "b12_start"
ESR_ROOT = "esr_start"


# --- Mechanism diagram
def _m(id_: str, label: str, kind: str, pathway: str, x: float, y: float, hover: str) -> Node:
    return Node(id_, label, kind, pathway, x, y, hover)


MECHANISM_GRAPH = Graph(
    nodes=(
        _m(
            "m_b12",
            "Low vitamin B12",
            "measure",
            "b12",
            2.2,
            10,
            "Total B12 below the low cut-off, or functional deficiency.",
        ),
        _m(
            "m_methylcbl",
            "Methionine synthase",
            "process",
            "b12",
            0.8,
            9,
            "Methylcobalamin is its cofactor: homocysteine + 5-methyl-THF → methionine + THF.",
        ),
        _m("m_adocbl", "Methylmalonyl-CoA mutase", "process", "b12", 3.8, 9, "Adenosylcobalamin is its cofactor."),
        _m(
            "m_folate_trap",
            "Methyl-folate trap",
            "process",
            "b12",
            0.3,
            8,
            "Folate is stuck as 5-methyl-THF; thymidylate and purine synthesis fail.",
        ),
        _m("m_hcy", "Homocysteine rises", "measure", "b12", 1.9, 8, "Homocysteine cannot be remethylated."),
        _m("m_mma", "MMA accumulates", "measure", "b12", 3.8, 8, "Methylmalonyl-CoA backs up; MMA rises."),
        _m("m_dna", "Impaired DNA synthesis", "process", "b12", 0.3, 7, "Cells cannot divide normally."),
        _m(
            "m_myelin",
            "Myelin damage",
            "process",
            "b12",
            3.8,
            7,
            "Dorsal and lateral columns: subacute combined degeneration of the cord.",
        ),
        _m("m_megaloblastic", "Megaloblastic marrow", "process", "b12", 0.3, 6, "Large, immature red-cell precursors."),
        _m(
            "m_neuro",
            "Neurological symptoms",
            "finding",
            "b12",
            3.8,
            6,
            "Over 25% of neurological cases have a normal haematocrit or MCV (Lindenbaum 1988).",
        ),
        _m(
            "m_mcv",
            "Macrocytosis (MCV > 100 fL)",
            "measure",
            "b12",
            -0.6,
            5,
            "Raised MCV, hypersegmented neutrophils; iron deficiency can hide it.",
        ),
        _m("m_anaemia", "Anaemia (low Hb)", "measure", "b12", 1.4, 5, "Megaloblastic anaemia."),
        _m(
            "m_folic",
            "Folic acid given",
            "measure",
            "folate_bypass",
            -1.4,
            8.5,
            "Bypasses the trap: the anaemia improves, but MMA and the nerves do not. It masks deficiency.",
        ),
        _m(
            "m_trigger",
            "Infection, malignancy, autoimmune disease",
            "process",
            "inflammation",
            10,
            10,
            "The causes an ESR work-up looks for.",
        ),
        _m("m_cytokines", "IL-6 (with IL-1, TNF)", "process", "inflammation", 10, 9, "Inflammatory cytokines."),
        _m(
            "m_liver",
            "Acute-phase proteins",
            "process",
            "inflammation",
            10,
            8,
            "The liver makes fibrinogen and CRP; albumin falls.",
        ),
        _m(
            "m_charge",
            "Red cells lose surface charge",
            "process",
            "inflammation",
            10,
            7,
            "Fibrinogen neutralises the charge that keeps red cells apart.",
        ),
        _m("m_rouleaux", "Rouleaux", "process", "inflammation", 10, 6, "Red cells stack like coins."),
        _m("m_esr", "ESR raised", "measure", "inflammation", 10, 5, "Stacks fall faster: a higher ESR."),
    ),
    edges=(
        Edge("m_b12", "m_methylcbl"),
        Edge("m_b12", "m_adocbl"),
        Edge("m_methylcbl", "m_folate_trap"),
        Edge("m_methylcbl", "m_hcy"),
        Edge("m_folate_trap", "m_dna"),
        Edge("m_dna", "m_megaloblastic"),
        Edge("m_megaloblastic", "m_mcv"),
        Edge("m_megaloblastic", "m_anaemia"),
        Edge("m_adocbl", "m_mma"),
        Edge("m_mma", "m_myelin"),
        Edge("m_methylcbl", "m_myelin", "methylation"),
        Edge("m_myelin", "m_neuro"),
        Edge("m_folic", "m_dna", "bypasses the trap (anaemia improves, nerves do not)", style="dotted", kind="bypass"),
        Edge("m_trigger", "m_cytokines"),
        Edge("m_cytokines", "m_liver"),
        Edge("m_liver", "m_charge"),
        Edge("m_charge", "m_rouleaux"),
        Edge("m_rouleaux", "m_esr"),
        Edge(
            "m_anaemia",
            "m_esr",
            "weak confounder: lower haematocrit raises ESR about 2.3 mm/h per 1 g/dL Hb (not inflammation)",
            style="dashed",
            kind="confounding",
        ),
    ),
)

MECHANISM_PATHWAYS = {
    "b12": "B12 pathway: DNA synthesis and methylation",
    "folate_bypass": "Folic acid bypass",
    "inflammation": "Inflammation pathway: acute-phase response",
}
