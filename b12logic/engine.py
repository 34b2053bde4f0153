"""The engine: evaluate(case, guideline) -> Assessment.

It walks the decision graph (graphs.py) for the B12 plan and, separately, for the ESR, so the
ESR can never reach the B12 plan: b12_status, regimen and next_steps are computed from the B12 tree
and B12 inputs only (property-tested).

>>> a = evaluate(Case(age=68, sex="female", b12=179, esr=30))
>>> a.b12_status, a.regimen, a.esr_flag, a.esr_upper_limit
('deficient', 'oral_or_im', 'normal', 39.0)
>>> a.decision_path
('b12_start', 'b12_band', 'st_deficient', 'treat_neuro', 'treat_severe', 'rx_oral_or_im')
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from b12logic.case import Case
from b12logic.esr import NAIVE_ESR_CUTOFF, UNUSUAL_ESR, Statement, esr_flag, esr_upper_limit, esr_workup
from b12logic.fields import RISK_FACTORS
from b12logic.graphs import B12_ROOT, ESR_ROOT, PREDICATES, Edge, Graph, Node, decision_graph
from b12logic.guidelines import (
    ANAEMIA_HB_G_DL,
    DEFAULT_PROFILE,
    PROFILES,
    SEVERE_B12_PG_ML,
    SEVERE_HB_G_DL,
    GuidelineProfile,
    MonitoringItem,
    Regimen,
    get_profile,
)
from b12logic.units import PMOL_PER_PG

B12_STATUSES = (
    "deficient",
    "functional_deficiency",
    "indeterminate_needs_mma",
    "not_confirmed",
    "normal_needs_mma_hcy",
    "normal",
)
REGIMENS = ("im_neuro", "im_standard", "oral_or_im", "pending_tests", "none")
TREATMENT_REGIMENS = frozenset({"im_neuro", "im_standard", "oral_or_im"})
DEFICIENT_STATUSES = frozenset({"deficient", "functional_deficiency"})
# Higher = more severe; lowering B12 never lowers this (property-tested).
STATUS_SEVERITY = {
    "normal": 0,
    "not_confirmed": 1,
    "indeterminate_needs_mma": 2,
    "normal_needs_mma_hcy": 2,
    "functional_deficiency": 3,
    "deficient": 4,
}
STATUS_LABELS = {
    "deficient": "B12 deficient",
    "functional_deficiency": "Functional B12 deficiency",
    "indeterminate_needs_mma": "Indeterminate: measure MMA",
    "not_confirmed": "Deficiency not confirmed",
    "normal_needs_mma_hcy": "B12 in range, but neuro symptoms: measure MMA and homocysteine",
    "normal": "No B12 deficiency",
}
REGIMEN_LABELS = {
    "im_neuro": "Hydroxocobalamin IM, neurological regimen",
    "im_standard": "Hydroxocobalamin IM, standard regimen",
    "oral_or_im": "IM standard regimen, or oral cyanocobalamin daily",
    "pending_tests": "No treatment decision yet: tests first",
    "none": "No B12 treatment",
}
ESR_FLAG_LABELS = {
    "normal": "ESR normal for age and sex",
    "elevated": "ESR elevated for age and sex",
    "markedly_elevated": "ESR markedly elevated (> 100 mm/h)",
}
HOMOCYSTEINE_TARGET = 10.0  # µmol/L, the source's target
MACROCYTOSIS_MCV = 100.0  # fL
VERY_HIGH_B12 = 1000.0  # pg/mL, AFP 2025
UNUSUAL_B12 = 2000.0  # pg/mL: valid, but worth a second look


class Pitfall(str):
    """A pitfall id (compares equal to its id string) carrying its title, text and citations."""

    heading: str
    text: str
    citations: tuple[str, ...]

    def __new__(cls, id_: str, heading: str, text: str, citations: tuple[str, ...]) -> Pitfall:
        obj = super().__new__(cls, id_)
        obj.heading, obj.text, obj.citations = heading, text, citations
        return obj

    @property
    def id(self) -> str:
        return str.__str__(self)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "heading": self.heading, "text": self.text, "citations": list(self.citations)}


@dataclass(frozen=True)
class Assessment:
    """What the engine concludes for one case under one guideline profile."""

    case: Case
    guideline: str
    b12_status: str
    regimen: str
    regimen_detail: Regimen | None
    oral_alternative: bool
    oral_regimen: Regimen | None
    severe: bool
    esr_flag: str
    esr_upper_limit: float
    esr_above_naive_cutoff: bool
    next_steps: tuple[Statement, ...]
    esr_workup: tuple[Statement, ...]
    pitfalls: tuple[Pitfall, ...]
    caveats: tuple[Statement, ...]
    warnings: tuple[str, ...]
    monitoring: tuple[MonitoringItem, ...]
    decision_path: tuple[str, ...]
    esr_path: tuple[str, ...]
    why: tuple[Statement, ...]
    mechanism_lit: frozenset[str] = field(default_factory=frozenset)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.b12_status]

    @property
    def regimen_label(self) -> str:
        return REGIMEN_LABELS[self.regimen]

    @property
    def esr_flag_label(self) -> str:
        return ESR_FLAG_LABELS[self.esr_flag]

    @property
    def citations(self) -> tuple[str, ...]:
        """Every short reference this assessment cites, in first-use order."""
        seen: dict[str, None] = {}
        groups = [self.next_steps, self.esr_workup, self.caveats, self.why]
        for group in groups:
            for s in group:
                seen.update(dict.fromkeys(s.citations))
        for p in self.pitfalls:
            seen.update(dict.fromkeys(p.citations))
        for r in (self.regimen_detail, self.oral_regimen):
            if r is not None:
                seen.update(dict.fromkeys(r.citations))
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the CLI's --json)."""

        def statements(items: tuple[Statement, ...]) -> list[dict[str, Any]]:
            return [{"text": s.text, "citations": list(s.citations)} for s in items]

        return {
            "case": self.case.to_dict(),
            "guideline": self.guideline,
            "b12_status": self.b12_status,
            "b12_status_label": self.status_label,
            "regimen": self.regimen,
            "regimen_text": self.regimen_detail.text if self.regimen_detail else self.regimen_label,
            "oral_alternative": self.oral_alternative,
            "oral_regimen_text": self.oral_regimen.text if self.oral_regimen else None,
            "severe": self.severe,
            "esr_flag": self.esr_flag,
            "esr_upper_limit": self.esr_upper_limit,
            "next_steps": statements(self.next_steps),
            "esr_workup": statements(self.esr_workup),
            "pitfalls": [p.to_dict() for p in self.pitfalls],
            "caveats": statements(self.caveats),
            "warnings": list(self.warnings),
            "monitoring": [{"month": m.month, "what": m.what, "citations": list(m.citations)} for m in self.monitoring],
            "decision_path": list(self.decision_path),
            "esr_path": list(self.esr_path),
            "why": statements(self.why),
            "mechanism_lit": sorted(self.mechanism_lit),
            "citations": list(self.citations),
        }


class _View:
    """The numbers the predicates read: B12 in pg/mL, MMA in nmol/L and Hb in g/dL, NaN = not measured."""

    __slots__ = ("b12", "esr", "esr_limit", "hb", "mma", "neuro")

    def __init__(self, b12: Any, mma: Any, hb: Any, neuro: Any, esr: Any, esr_limit: Any) -> None:
        self.b12, self.mma, self.hb, self.neuro, self.esr, self.esr_limit = b12, mma, hb, neuro, esr, esr_limit


@lru_cache(maxsize=64)
def _graph_for(
    b12_low: float, b12_upper: float, mma_upper: float, profile_id: str
) -> tuple[Graph, dict[str, list[Edge]]]:
    """The decision graph of a profile and its adjacency, built once per set of thresholds."""
    from b12logic.guidelines import PROFILES, custom_profile

    profile = PROFILES.get(profile_id) or custom_profile(b12_low, b12_upper, mma_upper)
    graph = decision_graph(profile)
    adjacency: dict[str, list[Edge]] = {n.id: [] for n in graph.nodes}
    for edge in graph.edges:
        adjacency[edge.source].append(edge)
    return graph, adjacency


def graph_for(profile: GuidelineProfile) -> tuple[Graph, dict[str, list[Edge]]]:
    return _graph_for(profile.b12_low, profile.b12_upper, profile.mma_upper, profile.id)


@lru_cache(maxsize=64)
def _lookups(
    b12_low: float, b12_upper: float, mma_upper: float, profile_id: str
) -> tuple[dict[str, Node], dict[tuple[str, str], tuple[str, str, str, tuple[str, ...]]]]:
    """Built once per graph (Graph.node rebuilds its index on every call, a third of evaluate's time):
    node by id, and per edge the fixed parts of its "why" sentence (node label, branch, tail, citations)."""
    graph, _ = _graph_for(b12_low, b12_upper, mma_upper, profile_id)
    nodes = {n.id: n for n in graph.nodes}
    why_parts: dict[tuple[str, str], tuple[str, str, str, tuple[str, ...]]] = {}
    for e in graph.edges:
        node, nxt = nodes[e.source], nodes[e.target]
        # Outcomes and statuses explain themselves; a decision is named as the next question.
        tail = nxt.hover if nxt.kind in ("outcome", "status") else f"next, {nxt.label}"
        why_parts[(e.source, e.target)] = (node.label, e.label, tail, _WHY_CITATIONS[node.tree])
    return nodes, why_parts


def status_of_path(graph: Graph, path: tuple[str, ...]) -> str:
    """The b12_status of a path: set by the last node on it that establishes one."""
    for node_id in reversed(path):
        status = graph.node(node_id).status
        if status:
            return status
    raise AssertionError(f"path {path} establishes no status")  # every outcome is reached through one


def _status_from(nodes: dict[str, Node], path: tuple[str, ...]) -> str:
    """status_of_path with the cached node index."""
    for node_id in reversed(path):
        status = nodes[node_id].status
        if status:
            return status
    raise AssertionError(f"path {path} establishes no status")


def _walk(adjacency: dict[str, list[Edge]], root: str, view: _View, profile: GuidelineProfile) -> tuple[str, ...]:
    path = [root]
    node = root
    while adjacency[node]:
        for edge in adjacency[node]:
            if edge.when is None or PREDICATES[edge.when](view, profile):
                node = edge.target
                break
        path.append(node)
    return tuple(path)


def _num(value: float | None) -> float:
    return math.nan if value is None else value


def evaluate(case: Case, guideline: str | GuidelineProfile = DEFAULT_PROFILE) -> Assessment:
    """Assess one case. Raises CaseError only for an unknown guideline (the Case is valid by construction)."""
    profile = get_profile(guideline)
    _, adjacency = graph_for(profile)
    nodes, why_parts = _lookups(profile.b12_low, profile.b12_upper, profile.mma_upper, profile.id)
    b12 = case.b12_pg_ml
    hb = case.hb_g_dl
    limit = esr_upper_limit(case.age, case.sex)
    view = _View(b12, _num(case.mma_nmol_l), _num(hb), case.neuro_symptoms, case.esr, limit)

    path = _walk(adjacency, B12_ROOT, view, profile)
    status = _status_from(nodes, path)
    regimen = nodes[path[-1]].regimen or "none"
    esr_path = _walk(adjacency, ESR_ROOT, view, profile)
    flag = esr_flag(case.esr, limit)

    deficient = status in DEFICIENT_STATUSES
    severe = deficient and bool(PREDICATES["severe"](view, profile))
    regimen_detail = profile.regimens.get(regimen)
    oral = regimen == "oral_or_im"

    pitfalls = _pitfalls(
        case.on_folic_acid,
        case.neuro_symptoms,
        status,
        regimen,
        flag,
        hb is not None and hb < ANAEMIA_HB_G_DL[case.sex],
        case.renal_impairment,
        case.mma is not None,
        b12 > VERY_HIGH_B12,
        "nitrous_oxide" in case.risk_factors,
    )
    return Assessment(
        case=case,
        guideline=profile.id,
        b12_status=status,
        regimen=regimen,
        regimen_detail=regimen_detail if regimen_detail else (profile.regimens["im_standard"] if oral else None),
        oral_alternative=oral,
        oral_regimen=profile.oral if oral else None,
        severe=severe,
        esr_flag=flag,
        esr_upper_limit=limit,
        esr_above_naive_cutoff=case.esr > NAIVE_ESR_CUTOFF,
        next_steps=_next_steps(profile, status, regimen, case.neuro_symptoms, case.risk_factors),
        esr_workup=_esr_workup(flag, case.age),
        pitfalls=pitfalls,
        caveats=_caveats(case, profile, status, b12),
        warnings=_warnings(case, b12),
        monitoring=profile.monitoring if regimen in TREATMENT_REGIMENS else (),
        decision_path=path,
        esr_path=esr_path,
        why=_why(why_parts, path + esr_path, case, b12, hb, limit),
        mechanism_lit=_mechanism_lit(case, profile, status, flag, hb),
    )


# Remembered answers for the parts of evaluate that depend only on a few labels and yes/no facts, so the
# same few combinations recur (the slider, a batch's bad rows): each was 4-7 µs of building Statements.
_esr_workup = lru_cache(maxsize=1024)(esr_workup)


def _next_steps(
    profile: GuidelineProfile, status: str, regimen: str, neuro: bool, risk_factors: frozenset[str]
) -> tuple[Statement, ...]:
    if PROFILES.get(profile.id) is profile:  # a named profile: its id says everything (custom ones may not)
        return _named_next_steps(profile.id, status, regimen, neuro, risk_factors)
    return b12_next_steps(profile, status, regimen, neuro, risk_factors)


@lru_cache(maxsize=1024)
def _named_next_steps(
    profile_id: str, status: str, regimen: str, neuro: bool, risk_factors: frozenset[str]
) -> tuple[Statement, ...]:
    return b12_next_steps(PROFILES[profile_id], status, regimen, neuro, risk_factors)


def b12_next_steps(
    profile: GuidelineProfile, status: str, regimen: str, neuro: bool, risk_factors: frozenset[str] = frozenset()
) -> tuple[Statement, ...]:
    """The B12 plan's next steps. It takes no ESR argument, so the ESR cannot change them."""
    mma = f"{profile.mma_upper:g}"
    steps: list[Statement] = []
    if status in DEFICIENT_STATUSES:
        detail = profile.regimens["im_standard" if regimen == "oral_or_im" else regimen]
        steps.append(Statement(f"Start treatment: {detail.text}.", detail.citations, f"Start {detail.title}"))
        if regimen == "oral_or_im":
            steps.append(
                Statement(
                    f"Or, as an alternative (not severe, no neurological symptoms): {profile.oral.text}.",
                    profile.oral.citations,
                    f"Or oral {profile.oral.drug.lower()} {profile.oral.dose} daily",
                )
            )
        if neuro:
            steps.append(
                Statement(
                    "Neurological involvement: seek urgent specialist advice.",
                    ("BNF / NICE CKS",),
                    "Urgent specialist advice",
                )
            )
        steps.append(
            Statement(
                "Find the cause: diet, metformin, acid suppression, gastric or ileal surgery, Crohn's or coeliac "
                "disease, nitrous oxide; test intrinsic factor antibodies (positive predictive value about 95%, "
                "sensitivity 40–60%). If no cause is evident, test for H. pylori and autoimmune gastritis.",
                ("AFP 2025", "AFP 2017"),
                "Find the cause (intrinsic factor antibodies, drugs, diet, surgery)",
            )
        )
        if risk_factors:
            named = "; ".join(RISK_FACTORS[r] for r in sorted(risk_factors))
            steps.append(Statement(f"Recorded risk factors to address: {named}.", ("AFP 2025",), f"Address: {named}"))
        steps.append(Statement("Check the full blood count response to treatment.", ("source",), "Check FBC response"))
    elif status == "indeterminate_needs_mma":
        steps.append(
            Statement(
                f"Measure MMA: above {mma} nmol/L confirms functional deficiency.",
                tuple(dict.fromkeys(("source", *profile.citations))),
                "Measure MMA",
            )
        )
        if profile.holotc_pmol_l:
            low, high = profile.holotc_pmol_l
            steps.append(
                Statement(
                    f"Active B12 (holoTC) may be used: below {low:g} pmol/L low, above {high:g} normal.",
                    profile.citations,
                    "Or active B12 (holoTC)",
                )
            )
        if neuro and profile.treat_borderline_neuro_now:
            steps.append(
                Statement(
                    "Strong neurological features: do not delay treatment while awaiting MMA; start "
                    "hydroxocobalamin (neurological regimen) and seek specialist advice.",
                    ("BSH 2014",),
                    "Neuro features: do not delay treatment",
                )
            )
    elif status == "normal_needs_mma_hcy":
        steps.append(
            Statement(
                "Measure MMA and homocysteine: a B12 in range does not exclude deficiency when there are "
                "neurological symptoms.",
                ("source", "AFP 2017"),
                "Measure MMA and homocysteine",
            )
        )
        steps.append(
            Statement(
                "Ask about nitrous oxide: it causes functional deficiency with a normal B12.",
                ("NICE NG239",),
                "Ask about nitrous oxide",
            )
        )
        if profile.treat_borderline_neuro_now:
            steps.append(
                Statement(
                    "If clinical features are strong, do not delay treatment for the tests.",
                    ("BSH 2014",),
                    "Strong features: do not delay treatment",
                )
            )
    elif status == "not_confirmed":
        steps.append(
            Statement(
                f"MMA at or below {mma} nmol/L: deficiency not confirmed, no B12 treatment. Re-test if symptoms "
                "develop; look for other causes of the findings.",
                ("source",),
                "Not confirmed: no B12 treatment; re-test if symptoms",
            )
        )
    elif neuro:
        steps.append(
            Statement(
                f"MMA at or below {mma} nmol/L: B12 deficiency is unlikely to explain the neurological symptoms; "
                "look for other causes.",
                ("source", "AFP 2017"),
                "Look for other causes of the neurological symptoms",
            )
        )
    else:
        steps.append(
            Statement(
                "B12 above the borderline range and no neurological symptoms: no B12 treatment.",
                ("source",),
                "No B12 treatment",
            )
        )
    return tuple(steps)


@dataclass(frozen=True)
class PitfallFacts:
    """The yes/no facts that decide which pitfalls apply: computed per case, or per group in a batch."""

    on_folic_acid: bool
    neuro: bool
    status: str
    regimen: str
    esr_flag: str
    anaemic: bool
    renal_impairment: bool
    mma_measured: bool
    b12_very_high: bool
    nitrous_oxide: bool


@lru_cache(maxsize=4096)
def _pitfalls(
    on_folic_acid: bool,
    neuro: bool,
    status: str,
    regimen: str,
    esr_flag: str,
    anaemic: bool,
    renal_impairment: bool,
    mma_measured: bool,
    b12_very_high: bool,
    nitrous_oxide: bool,
) -> tuple[Pitfall, ...]:
    """pitfalls_for, remembered per combination of facts (ten labels and yes/no answers)."""
    return pitfalls_for(
        PitfallFacts(
            on_folic_acid=on_folic_acid,
            neuro=neuro,
            status=status,
            regimen=regimen,
            esr_flag=esr_flag,
            anaemic=anaemic,
            renal_impairment=renal_impairment,
            mma_measured=mma_measured,
            b12_very_high=b12_very_high,
            nitrous_oxide=nitrous_oxide,
        )
    )


def pitfalls_for(f: PitfallFacts) -> tuple[Pitfall, ...]:
    found = [p for rule, p in _PITFALL_RULES if rule(f)]
    return tuple(found)


_PITFALL_RULES: tuple[tuple[Any, Pitfall], ...] = (
    (
        lambda f: f.on_folic_acid and f.status != "normal",
        Pitfall(
            "folate_before_b12",
            "Folic acid before B12",
            "Folic acid can correct the anaemia while subacute combined degeneration of the cord goes on. "
            "Confirm adequate B12 status, or start B12, before giving folic acid.",
            ("source", "BNF / NICE CKS"),
        ),
    ),
    (
        lambda f: f.neuro and f.status != "deficient",
        Pitfall(
            "neuro_with_normal_b12",
            "Neurological symptoms with a B12 that is not low",
            "A normal-looking B12 does not exclude deficiency: measure MMA and homocysteine. Over 25% of "
            "neurological cases have a normal haematocrit or MCV.",
            ("source", "Lindenbaum 1988"),
        ),
    ),
    (
        lambda f: f.regimen in TREATMENT_REGIMENS,
        Pitfall(
            "do_not_stop_therapy",
            "Do not stop when symptoms or levels improve",
            "Most patients with malabsorption need lifelong therapy. NICE NG239 allows oral treatment to stop "
            "once a reversible cause has been fixed; IM treatment for pernicious anaemia is for life.",
            ("source", "NICE NG239"),
        ),
    ),
    (
        lambda f: f.esr_flag != "normal",
        Pitfall(
            "esr_needs_own_workup",
            "The raised ESR needs its own work-up",
            "B12 deficiency does not raise the ESR through inflammation, and the ESR does not change the B12 "
            "plan. Look for infection, malignancy or autoimmune disease on the ESR's own criteria.",
            ("source", "Miller 1983"),
        ),
    ),
    (
        lambda f: f.esr_flag != "normal" and f.anaemic,
        Pitfall(
            "anaemia_can_raise_esr",
            "Anaemia by itself raises the ESR",
            "A lower haematocrit raises the ESR about 2–2.5 mm/h per 1 g/dL lower haemoglobin. Published "
            "corrections for haematocrit are not validated: keep it in mind, do not 'correct' the number.",
            ("ESR screening cohort", "WHO"),
        ),
    ),
    (
        lambda f: (
            f.renal_impairment and (f.mma_measured or f.status in ("indeterminate_needs_mma", "normal_needs_mma_hcy"))
        ),
        Pitfall(
            "renal_impairment_raises_mma",
            "Renal impairment raises MMA",
            "Impaired renal function raises MMA on its own: unadjusted MMA overstated deficiency by about 40% "
            "in one study. Read a raised MMA with the eGFR.",
            ("Ann Clin Biochem 2018", "Mayo"),
        ),
    ),
    (
        lambda f: f.esr_flag == "markedly_elevated" and f.status != "normal",
        Pitfall(
            "myeloma_high_esr_low_b12",
            "Very high ESR with a B12 that is not normal: think of myeloma",
            "Myeloma can give both a very high ESR and a spuriously low B12; consider protein electrophoresis.",
            ("Fincher 1986",),
        ),
    ),
    (
        lambda f: f.b12_very_high,
        Pitfall(
            "very_high_b12",
            "A very high B12 is not reassuring by itself",
            "A persistently very high B12 (above 1000 pg/mL) is associated with cancers and should prompt "
            "thought, unless explained by supplements or injections.",
            ("AFP 2025",),
        ),
    ),
    (
        lambda f: f.nitrous_oxide,
        Pitfall(
            "nitrous_oxide",
            "Nitrous oxide: functional deficiency with a normal B12",
            "Nitrous oxide inactivates cobalamin; the total B12 can be normal. MMA and homocysteine show it.",
            ("NICE NG239",),
        ),
    ),
)
PITFALL_IDS = tuple(p.id for _, p in _PITFALL_RULES)


def _caveats(case: Case, profile: GuidelineProfile, status: str, b12: float) -> tuple[Statement, ...]:
    caveats: list[Statement] = []
    if case.b12_unit == "pmol/L":
        caveats.append(
            Statement(
                f"Converted: {case.b12:g} pmol/L = {b12:.0f} pg/mL (1 pg/mL = {PMOL_PER_PG} pmol/L). The source's "
                "pair '< 180 pg/mL (< 150 pmol/L)' is wrong: 180 pg/mL is 133 pmol/L.",
                ("source", "NICE NG239"),
            )
        )
    if case.mma is not None:
        caveats.append(
            Statement(
                f"The MMA cut-off {profile.mma_upper:g} nmol/L is one laboratory's upper reference limit, not a "
                "universal one: use your laboratory's.",
                ("Mayo",),
            )
        )
    if status == "indeterminate_needs_mma" and case.neuro_symptoms and not profile.treat_borderline_neuro_now:
        caveats.append(
            Statement(
                "The source sends borderline B12 with neurological symptoms to MMA testing; BSH 2014 says not to "
                "delay treatment when strong clinical features disagree with the test.",
                ("BSH 2014",),
            )
        )
    mma = case.mma_nmol_l
    if status == "normal" and not case.neuro_symptoms and mma is not None and mma > profile.mma_upper:
        caveats.append(
            Statement(
                "MMA is raised although B12 is above range and there are no neurological symptoms: the rules call "
                "this normal; check renal function and consider repeating.",
                ("source", "Ann Clin Biochem 2018"),
            )
        )
    if profile.superseded_by:
        caveats.append(Statement(f"{profile.name} has been superseded by NICE NG239 (2024).", profile.citations))
    return tuple(caveats)


def _warnings(case: Case, b12: float) -> tuple[str, ...]:
    """Valid but unusual values: shown beside the verdict, never an error."""
    warnings: list[str] = []
    if b12 > UNUSUAL_B12:
        warnings.append(f"B12 {b12:.0f} pg/mL is unusually high: check for recent injections or a unit slip.")
    if case.esr > UNUSUAL_ESR:
        warnings.append(f"ESR {case.esr:g} mm/h is unusually high: confirm the result with the laboratory.")
    if case.mma is not None and case.mma_unit == "nmol/L" and case.mma < 10:
        warnings.append(f"MMA {case.mma:g} nmol/L is implausibly low: was it reported in µmol/L?")
    if b12 < 30:  # below 30 pg/mL (22 pmol/L) in either unit: more likely a unit slip than a result
        warnings.append(f"B12 {case.b12:g} {case.b12_unit} is implausibly low: check the unit and the result.")
    return tuple(warnings)


def _describe(node_id: str, case: Case, b12: float, hb: float | None, limit: float) -> str:
    """The case's value that a decision node looks at, in words (only that one is formatted: hot path)."""
    if node_id == "b12_band":
        return f"B12 {b12:.0f} pg/mL"
    if node_id in ("mma_borderline", "mma_above"):
        mma = case.mma_nmol_l
        return "MMA not measured" if mma is None else f"MMA {mma:g} nmol/L"
    if node_id in ("neuro_above", "treat_neuro"):
        return f"neurological symptoms: {'yes' if case.neuro_symptoms else 'no'}"
    if node_id == "treat_severe":
        return f"B12 {b12:.0f} pg/mL, Hb {'not measured' if hb is None else f'{hb:g} g/dL'}"
    if node_id == "esr_limit":
        return f"ESR {case.esr:g} mm/h vs limit {limit:g} mm/h"
    if node_id == "esr_marked":
        return f"ESR {case.esr:g} mm/h"
    return ""


_WHY_CITATIONS = {"esr": ("Miller 1983",), "b12": ("source",)}


def _why(
    why_parts: dict[tuple[str, str], tuple[str, str, str, tuple[str, ...]]],
    path: tuple[str, ...],
    case: Case,
    b12: float,
    hb: float | None,
    limit: float,
) -> tuple[Statement, ...]:
    """One sentence per decision taken, in order (the fixed parts come from _lookups)."""
    out: list[Statement] = []
    for source, target in itertools.pairwise(path):
        parts = why_parts.get((source, target))
        if parts is None:
            continue  # the jump from the B12 tree's outcome to the ESR root is not an edge
        label, branch, tail, citations = parts
        seen = _describe(source, case, b12, hb, limit)
        head = f"{label} ({seen}) → {branch}" if seen and branch else label
        out.append(Statement(f"{head}: {tail}", citations))
    return tuple(out)


def _mechanism_lit(case: Case, profile: GuidelineProfile, status: str, flag: str, hb: float | None) -> frozenset[str]:
    """Mechanism nodes this case's values make abnormal."""
    lit: set[str] = set()
    if status in DEFICIENT_STATUSES:
        lit.add("m_b12")
    mma = case.mma_nmol_l
    if status == "functional_deficiency" or (mma is not None and mma > profile.mma_upper):
        lit.add("m_mma")
    if case.homocysteine is not None and case.homocysteine >= HOMOCYSTEINE_TARGET:
        lit.add("m_hcy")
    if case.mcv is not None and case.mcv > MACROCYTOSIS_MCV:
        lit.add("m_mcv")
    if hb is not None and hb < ANAEMIA_HB_G_DL[case.sex]:
        lit.add("m_anaemia")
    if case.neuro_symptoms:
        lit.add("m_neuro")
    if case.on_folic_acid:
        lit.add("m_folic")
    if flag != "normal":
        lit.add("m_esr")
    return frozenset(lit)


__all__ = [
    "B12_STATUSES",
    "REGIMENS",
    "SEVERE_B12_PG_ML",
    "SEVERE_HB_G_DL",
    "Assessment",
    "Pitfall",
    "b12_next_steps",
    "evaluate",
]
