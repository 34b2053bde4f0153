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
from b12logic.esr import (
    DEFAULT_CRP_LIMIT_MG_L,
    GCA_AGE,
    NAIVE_ESR_CUTOFF,
    UNUSUAL_ESR,
    Statement,
    crp_state,
    esr_flag,
    esr_upper_limit,
    esr_urgent_steps,
    esr_workup,
)
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
    regimen_for,
)
from b12logic.labels import ESR_FLAG_LABELS, REGIMEN_LABELS, STATUS_LABELS
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
HOMOCYSTEINE_TARGET = 10.0  # µmol/L: the source's target, from bariatric guidance (not a reference limit)
HOMOCYSTEINE_UPPER = 15.0  # µmol/L: adult upper reference limit (NHS laboratories: 0–15)
HOMOCYSTEINE_SUGGESTS_B12 = 20.0  # µmol/L: above this suggests B12 deficiency if folate is replete (Harrington 2017)
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
    monitoring_caveat: str = ""  # said beside the monitoring wherever it is shown (the source's bariatric schedule)

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
    def safety_steps(self) -> tuple[Statement, ...]:
        """The urgent steps of the B12 plan and the ESR reading (shown first, in the verdict itself)."""
        return tuple(s for s in (*self.next_steps, *self.esr_workup) if s.safety)

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
            "monitoring_caveat": self.monitoring_caveat,
            "decision_path": list(self.decision_path),
            "esr_path": list(self.esr_path),
            "why": statements(self.why),
            "mechanism_lit": sorted(self.mechanism_lit),
            "citations": list(self.citations),
        }


class _View:
    """The numbers the predicates read: B12 in pg/mL, MMA in nmol/L and Hb in g/dL, NaN = not measured."""

    __slots__ = ("active_b12", "b12", "esr", "esr_limit", "hb", "mma", "neuro", "nitrous_oxide")

    def __init__(
        self, b12: Any, mma: Any, hb: Any, neuro: Any, esr: Any, esr_limit: Any, active_b12: Any, nitrous_oxide: Any
    ) -> None:
        self.b12, self.mma, self.hb, self.neuro, self.esr, self.esr_limit = b12, mma, hb, neuro, esr, esr_limit
        self.active_b12, self.nitrous_oxide = active_b12, nitrous_oxide


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
    from b12logic.guidelines import PROFILES, custom_profile

    graph, _ = _graph_for(b12_low, b12_upper, mma_upper, profile_id)
    profile = PROFILES.get(profile_id) or custom_profile(b12_low, b12_upper, mma_upper)
    nodes = {n.id: n for n in graph.nodes}
    why_parts: dict[tuple[str, str], tuple[str, str, str, tuple[str, ...]]] = {}
    for e in graph.edges:
        node, nxt = nodes[e.source], nodes[e.target]
        # Outcomes and statuses explain themselves; a decision is named as the next question.
        tail = nxt.hover if nxt.kind in ("outcome", "status") else f"next, {nxt.label}"
        why_parts[(e.source, e.target)] = (node.label, e.label, tail, _why_citations(node, nxt, profile))
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


def evaluate(
    case: Case, guideline: str | GuidelineProfile = DEFAULT_PROFILE, crp_limit: float = DEFAULT_CRP_LIMIT_MG_L
) -> Assessment:
    """Assess one case. Raises CaseError only for an unknown guideline (the Case is valid by construction).

    `crp_limit` is the laboratory's CRP upper limit in mg/L (5 by default): it only shapes the ESR reading.
    """
    profile = get_profile(guideline)
    _, adjacency = graph_for(profile)
    nodes, why_parts = _lookups(profile.b12_low, profile.b12_upper, profile.mma_upper, profile.id)
    b12 = case.b12_pg_ml
    hb = case.hb_g_dl
    limit = esr_upper_limit(case.age, case.sex, case.pregnant)
    view = _View(
        b12,
        _num(case.mma_nmol_l),
        _num(hb),
        case.neuro_symptoms,
        case.esr,
        limit,
        _num(case.active_b12),
        "nitrous_oxide" in case.risk_factors,
    )

    path = _walk(adjacency, B12_ROOT, view, profile)
    status = _status_from(nodes, path)
    regimen = nodes[path[-1]].regimen or "none"
    esr_path = _walk(adjacency, ESR_ROOT, view, profile)
    flag = esr_flag(case.esr, limit)

    deficient = status in DEFICIENT_STATUSES
    severe = deficient and bool(PREDICATES["severe"](view, profile))
    oral = regimen == "oral_or_im"
    risks = case.risk_factors
    plan = PlanFacts(
        outcome=path[-1],
        status=status,
        regimen=regimen,
        neuro=case.neuro_symptoms,
        hb_measured=hb is not None,
        severe_anaemia=hb is not None and hb < SEVERE_HB_G_DL,
        pregnant=case.pregnant,
        risk_factors=risks,
    )
    pitfalls = _pitfalls(
        PitfallFacts(
            on_folic_acid=case.on_folic_acid,
            neuro=case.neuro_symptoms,
            status=status,
            regimen=regimen,
            esr_flag=flag,
            anaemic=hb is not None and hb < ANAEMIA_HB_G_DL[case.sex],
            renal_impairment=case.renal_impairment,
            mma_measured=case.mma is not None,
            b12_very_high=b12 > VERY_HIGH_B12,
            nitrous_oxide="nitrous_oxide" in risks,
            duration_rule=profile.duration_rule,
        )
    )
    treated = regimen if regimen in ("im_neuro", "im_standard") else ("im_standard" if oral else None)
    return Assessment(
        case=case,
        guideline=profile.id,
        b12_status=status,
        regimen=regimen,
        regimen_detail=regimen_for(profile, treated, risks) if treated else None,
        oral_alternative=oral,
        oral_regimen=regimen_for(profile, "oral", risks) if oral else None,
        severe=severe,
        esr_flag=flag,
        esr_upper_limit=limit,
        esr_above_naive_cutoff=case.esr > NAIVE_ESR_CUTOFF,
        next_steps=_next_steps(profile, plan),
        esr_workup=_esr_workup(flag, case.age, crp_state(case.crp_mg_l, crp_limit), case.pregnant, crp_limit),
        pitfalls=pitfalls,
        caveats=_caveats(case, profile, status, b12),
        warnings=_warnings(case, b12),
        monitoring=_monitoring(profile, case.pregnant) if regimen in TREATMENT_REGIMENS else (),
        monitoring_caveat=profile.monitoring_caveat if regimen in TREATMENT_REGIMENS else "",
        decision_path=path,
        esr_path=esr_path,
        why=_why(why_parts, path + esr_path, case, b12, hb, limit),
        mechanism_lit=_mechanism_lit(case, profile, status, flag, hb),
    )


def esr_urgency(assessment: Assessment) -> tuple[Statement, ...]:
    """The ESR's urgent steps, for exports that carry one next-steps cell (the batch CSV). The B12 next steps
    never include them, so the ESR cannot change the B12 plan."""
    return esr_urgent_steps(assessment.esr_flag, assessment.case.age >= GCA_AGE)


def _monitoring(profile: GuidelineProfile, pregnant: bool) -> tuple[MonitoringItem, ...]:
    """The profile's follow-up; NICE NG239 reviews at 1 month instead of 3 in pregnancy."""
    if not pregnant or profile.follows_source:
        return profile.monitoring
    return tuple(
        MonitoringItem(1, "Review symptoms and response (pregnant: 1 month, not 3)", m.citations) if m.month == 3 else m
        for m in profile.monitoring
    )


# Remembered answers for the parts of evaluate that depend only on a few labels and yes/no facts, so the
# same few combinations recur (the slider, a batch's bad rows): each was 4-7 µs of building Statements.
_esr_workup = lru_cache(maxsize=1024)(esr_workup)


@dataclass(frozen=True)
class PlanFacts:
    """Everything the B12 next steps depend on. There is no ESR in it, so the ESR cannot change them."""

    outcome: str  # the last node of the B12 path
    status: str
    regimen: str
    neuro: bool
    hb_measured: bool = True
    severe_anaemia: bool = False  # Hb below 8 g/dL
    pregnant: bool = False
    risk_factors: frozenset[str] = frozenset()


def _next_steps(profile: GuidelineProfile, facts: PlanFacts) -> tuple[Statement, ...]:
    if PROFILES.get(profile.id) is profile:  # a named profile: its id says everything (custom ones may not)
        return _named_next_steps(profile.id, facts)
    return b12_next_steps(profile, facts)


@lru_cache(maxsize=4096)
def _named_next_steps(profile_id: str, facts: PlanFacts) -> tuple[Statement, ...]:
    return b12_next_steps(PROFILES[profile_id], facts)


def _cite(*names: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


# Safety steps: they sit in the verdict (next steps), never only in a collapsed note.
_NEURO_URGENT = Statement(
    "Neurological involvement: seek urgent specialist (haematology) advice; if that advice is not at hand, the "
    "alternate-day regimen is started without waiting for it. Symptoms of spinal cord or optic nerve damage mean "
    "same-day emergency admission.",
    ("BNF / NICE CKS", "NHS Lothian"),
    "Neuro: urgent specialist advice",
    safety=True,
)
_NITROUS_OXIDE = Statement(
    "Nitrous oxide: homocysteine or MMA is the first test (total B12 is often in range: it detects only 20–50% of "
    "nitrous oxide myeloneuropathy, MMA or homocysteine 80–90%). Stop the nitrous oxide and start B12 before the "
    "results return; seek urgent neurological input. Treated early, the damage can recover; late, it can leave "
    "permanent disability.",
    ("NICE NG239", "Practical Neurology 2023", "RCEM 2024"),
    "Nitrous oxide: stop it, start B12 without waiting, urgent neurology",
    safety=True,
)
_PREGNANT = Statement(
    "Pregnant: active B12 is the first test, because total B12 falls in normal pregnancy; seek urgent haematology "
    "advice, and review at 1 month rather than 3.",
    ("NICE NG239", "BNF / NICE CKS"),
    "Pregnant: active B12 first; urgent haematology advice",
    safety=True,
)
_WORKUP_BLOODS = Statement(
    "Work-up bloods, taken before the first dose: full blood count and blood film, reticulocytes (if anaemic or "
    "macrocytic), serum folate, ferritin and intrinsic factor antibodies.",
    ("NHS Lothian", "NICE NG239"),
    "Before the first dose: FBC and film, reticulocytes, folate, ferritin, IF antibodies",
)
_INTRINSIC_FACTOR = Statement(
    "A negative intrinsic factor antibody test does not exclude autoimmune gastritis (sensitivity 40–60%; a "
    "positive result has a predictive value of about 95%). Pernicious anaemia carries about three times the "
    "general population's risk of stomach cancer.",
    ("NHS Lothian", "Cyanocobalamin label"),
    "Negative IF antibodies do not exclude autoimmune gastritis",
)
_FIND_CAUSE = Statement(
    "Find the cause: diet, metformin, acid suppression, gastric or ileal surgery, Crohn's or coeliac disease, "
    "nitrous oxide. If no cause is evident, test for H. pylori and autoimmune gastritis.",
    ("AFP 2025", "AFP 2017"),
    "Find the cause (IF antibodies, drugs, diet, surgery)",
)
_SEVERE_ANAEMIA = (
    Statement(
        "Hb below 8 g/dL: potassium can fall sharply when treatment starts (hypokalaemia, with sudden deaths "
        "reported): check it (U&E) over the first 48 hours.",
        ("Cyanocobalamin label", "NHS Lothian"),
        "Severe anaemia: watch potassium in the first 48 h",
        safety=True,
    ),
    Statement(
        "Avoid red-cell transfusion where possible: in severe megaloblastic anaemia it can cause fatal circulatory "
        "overload.",
        ("UK Transfusion Handbook",),
        "Avoid transfusion (circulatory overload)",
    ),
)
_RESPONSE = Statement(
    "Follow the response with the full blood count: reticulocytes at 7–10 days if Hb and reticulocytes were low, "
    "then FBC and reticulocytes at 8 weeks, when the MCV should be normalising. If the response is poor, check "
    "iron and folate.",
    ("NHS Lothian",),
    "FBC and reticulocytes at 7–10 days and 8 weeks",
)
_ETHNICITY = Statement(
    "People of Black ethnicity have higher B12 reference ranges (Black 166–805 pmol/L, White and Asian 134–511 in "
    "one London laboratory), so a value read as in range can hide deficiency.",
    ("NICE NG239", "Clin Biochem 2023"),
    "B12 ranges are higher in people of Black ethnicity",
)
_HB_UNKNOWN = Statement(
    "Hb not measured: severity is unknown. Check the full blood count before choosing oral treatment.",
    ("source", "WHO"),
    "Severity unknown: check FBC before choosing oral",
)


def _mma_meaning(profile: GuidelineProfile) -> Statement:
    """How a raised MMA is read: always with the laboratory's limit and what else raises it."""
    mma = f"{profile.mma_upper:g} nmol/L"
    if profile.id == "nice-ng239":
        first = "Under NICE NG239, MMA is second line: consider it for people with symptoms or signs and an "
        first += "indeterminate total or active B12."
        cites = _cite("NICE NG239", "Mayo")
    elif profile.id == "bsh-2014":
        first = "Under BSH 2014, MMA is a second-line test for a borderline B12."
        cites = _cite("BSH 2014", "Mayo")
    else:
        first = "Under the source answer, MMA is measured next."
        cites = _cite(*profile.citations, "Mayo")
    return Statement(
        f"{first} A result above the laboratory's upper limit supports functional deficiency: the app uses "
        f"{mma}, Mayo Clinic Laboratories' limit for one assay (range 73–271 nmol/L); other laboratories differ. "
        "Renal impairment, low blood volume and small-bowel bacterial overgrowth raise MMA too.",
        cites,
        f"Measure MMA (above the lab's limit, here {mma}, supports deficiency)",
    )


def b12_next_steps(profile: GuidelineProfile, facts: PlanFacts) -> tuple[Statement, ...]:
    """The B12 plan's next steps, phrased as teaching. It takes no ESR argument, so the ESR cannot change them."""
    under = profile.teaching_name
    status, regimen, neuro = facts.status, facts.regimen, facts.neuro
    mma = f"{profile.mma_upper:g}"
    steps: list[Statement] = []
    if "nitrous_oxide" in facts.risk_factors:
        steps.append(_NITROUS_OXIDE)
    if facts.pregnant:
        steps.append(_PREGNANT)
    if regimen in TREATMENT_REGIMENS:
        plan = regimen_for(profile, "im_standard" if regimen == "oral_or_im" else regimen, facts.risk_factors)
        why = ""
        if facts.outcome == "out_treat_awaiting":
            why = " while MMA is awaited, because neurological features are not a reason to wait"
        elif facts.outcome == "out_treat_nitrous":
            why = " from now, while homocysteine or MMA is awaited (nitrous oxide with neurological features)"
        steps.append(
            Statement(
                f"Under {under}, the regimen for this case is {plan.text}{why}.",
                _cite(*plan.citations, *(("BSH 2014",) if profile.id == "bsh-2014" else ())),
                f"Regimen under {under}: {plan.title}",
            )
        )
        if regimen == "oral_or_im":
            oral = regimen_for(profile, "oral", facts.risk_factors)
            steps.append(
                Statement(
                    f"Or, as an alternative (not severe, no neurological symptoms): {oral.text}.",
                    oral.citations,
                    f"Or oral {oral.drug.lower()} {oral.dose} daily",
                )
            )
            if not facts.hb_measured:
                steps.append(_HB_UNKNOWN)
        if profile.follows_source:
            steps.append(
                Statement(
                    "Correction beside the source's 'for life': NICE NG239 makes treatment lifelong when the cause "
                    "cannot be reversed (autoimmune gastritis, gastrectomy, ileal resection); for a reversible cause "
                    "(diet, a drug, nitrous oxide) treatment follows the cause.",
                    ("NICE NG239",),
                    "Correction: duration follows the cause (NICE NG239)",
                )
            )
    if neuro and status not in ("normal", "not_confirmed"):
        steps.append(_NEURO_URGENT)
    if facts.severe_anaemia and status in DEFICIENT_STATUSES:
        steps.extend(_SEVERE_ANAEMIA)
    if status in DEFICIENT_STATUSES or status == "indeterminate_needs_mma":
        steps.append(_WORKUP_BLOODS)
    if status in DEFICIENT_STATUSES:
        steps.append(_FIND_CAUSE)
        steps.append(_INTRINSIC_FACTOR)
        if facts.risk_factors:
            named = "; ".join(RISK_FACTORS[r] for r in sorted(facts.risk_factors))
            steps.append(Statement(f"Recorded risk factors to address: {named}.", ("AFP 2025",), f"Address: {named}"))
        steps.append(_RESPONSE)
    elif status == "indeterminate_needs_mma":
        steps.append(_mma_meaning(profile))
        if profile.holotc_pmol_l:
            low, high = profile.holotc_pmol_l
            steps.append(
                Statement(
                    f"Active B12 (holotranscobalamin) is a first-line alternative under NICE NG239: below {low:g} "
                    f"pmol/L confirms deficiency, {low:g}–{high:g} is indeterminate, above {high:g} makes deficiency "
                    "unlikely.",
                    ("NICE NG239",),
                    "Or active B12 (holoTC)",
                )
            )
        if neuro and regimen == "pending_tests":
            steps.append(
                Statement(
                    "The source says test first. Guidelines say: with neurological symptoms, seek urgent specialist "
                    "advice, and do not delay treatment while awaiting MMA when the features are strong.",
                    ("BNF / NICE CKS", "BSH 2014"),
                    "Correction: do not delay treatment for MMA when neuro features are strong",
                    safety=True,
                )
            )
    elif status == "normal_needs_mma_hcy":
        steps.append(
            Statement(
                "Measure MMA and homocysteine: a B12 in range does not exclude deficiency when there are "
                f"neurological symptoms (MMA above the laboratory's limit, here {mma} nmol/L, supports it; "
                "homocysteine above about 20 µmol/L suggests it when folate is replete).",
                ("source", "AFP 2017", "Harrington 2017"),
                "Measure MMA and homocysteine",
            )
        )
        if "nitrous_oxide" not in facts.risk_factors:
            steps.append(
                Statement(
                    "Ask about nitrous oxide: it causes functional deficiency with a normal B12.",
                    ("NICE NG239",),
                    "Ask about nitrous oxide",
                )
            )
        steps.append(
            Statement(
                ("The source says test first. Guidelines say: " if profile.follows_source else "")
                + "if the clinical features are strong, do not delay treatment for the tests.",
                ("BSH 2014", "BNF / NICE CKS"),
                "Strong features: do not delay treatment",
                safety=True,
            )
        )
        steps.append(_ETHNICITY)
    elif status == "not_confirmed":
        if facts.outcome == "out_active_unlikely" and profile.holotc_pmol_l:
            text = f"Active B12 above {profile.holotc_pmol_l[1]:g} pmol/L: deficiency unlikely, no B12 treatment."
            cites: tuple[str, ...] = ("NICE NG239",)
        else:
            text = (
                f"MMA at or below the laboratory's limit (here {mma} nmol/L): deficiency not confirmed, no B12 "
                "treatment. Re-test if symptoms develop; look for other causes of the findings."
            )
            cites = _cite(*profile.citations, "Mayo")
        steps.append(Statement(text, cites, "Not confirmed: no B12 treatment; re-test if symptoms"))
        steps.append(_ETHNICITY)
    elif neuro:
        steps.append(
            Statement(
                f"MMA at or below the laboratory's limit (here {mma} nmol/L): B12 deficiency is unlikely to explain "
                "the neurological symptoms; look for other causes.",
                _cite(*profile.citations, "AFP 2017"),
                "Look for other causes of the neurological symptoms",
            )
        )
    else:
        steps.append(
            Statement(
                "B12 above the borderline range and no neurological symptoms: no B12 treatment.",
                profile.citations,
                "No B12 treatment",
            )
        )
        steps.append(_ETHNICITY)
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
    duration_rule: str = "source"  # the profile's: "source" or "cause"


@lru_cache(maxsize=4096)
def _pitfalls(facts: PitfallFacts) -> tuple[Pitfall, ...]:
    """pitfalls_for, remembered per combination of facts."""
    return pitfalls_for(facts)


def pitfalls_for(f: PitfallFacts) -> tuple[Pitfall, ...]:
    """The pitfalls whose rule holds; a pitfall whose text follows the profile is looked up by its duration rule."""
    return tuple(p if isinstance(p, Pitfall) else p[f.duration_rule] for rule, p in _PITFALL_RULES if rule(f))


_STOP_SOURCE = Pitfall(
    "do_not_stop_therapy",
    "Do not stop when symptoms or levels improve",
    "The source says never stop: most patients with malabsorption need lifelong therapy. Correction: NICE NG239 "
    "makes treatment lifelong when the cause cannot be reversed (autoimmune gastritis, gastrectomy, ileal "
    "resection); for a reversible cause (diet, a drug, nitrous oxide) it can stop or change once the cause is dealt "
    "with.",
    ("source", "NICE NG239"),
)
_STOP_CAUSE = Pitfall(
    "do_not_stop_therapy",
    "Improvement alone is not a reason to stop: the cause decides",
    "Symptoms or levels getting better do not end treatment. When the cause cannot be reversed, treatment is "
    "lifelong and NICE reassures these patients it will not be stopped; dose, form or route can change if symptoms "
    "persist. When the cause is reversible and has been dealt with, treatment can stop or change.",
    ("NICE NG239",),
)

_PITFALL_RULES: tuple[tuple[Any, Any], ...] = (
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
        # Only while MMA is unknown: once it is measured, its result answers the question.
        lambda f: f.neuro and f.status != "deficient" and not f.mma_measured,
        Pitfall(
            "neuro_with_normal_b12",
            "Neurological symptoms with a B12 that is not low",
            "A B12 that is not low does not exclude deficiency: measure MMA and homocysteine, seek urgent "
            "specialist advice, and do not delay treatment when the features are strong. Over 25% of neurological "
            "cases have a normal haematocrit or MCV.",
            ("source", "BSH 2014", "BNF / NICE CKS", "Lindenbaum 1988"),
        ),
    ),
    (
        lambda f: f.regimen in TREATMENT_REGIMENS,
        {"source": _STOP_SOURCE, "cause": _STOP_CAUSE},
    ),
    (
        lambda f: f.esr_flag != "normal",
        Pitfall(
            "esr_needs_own_workup",
            "The raised ESR needs its own work-up",
            "B12 deficiency does not raise the ESR through inflammation, and the ESR does not change the B12 "
            "plan. Look for infection, malignancy or inflammatory disease on the ESR's own criteria.",
            ("source",),
        ),
    ),
    (
        lambda f: f.esr_flag != "normal" and f.anaemic,
        Pitfall(
            "anaemia_can_raise_esr",
            "Anaemia by itself raises the ESR",
            "A lower haematocrit raises the ESR: about 2.3 mm/h per 1 g/dL lower haemoglobin in 20,926 screening "
            "records. Published corrections for haematocrit are not validated: keep it in mind, do not 'correct' "
            "the number.",
            ("Health Eval Promot 28(3)", "WHO"),
        ),
    ),
    (
        lambda f: (
            f.renal_impairment and (f.mma_measured or f.status in ("indeterminate_needs_mma", "normal_needs_mma_hcy"))
        ),
        Pitfall(
            "renal_impairment_raises_mma",
            "Renal impairment raises MMA",
            "Impaired renal function raises MMA on its own: in people with a low-normal B12, MMA not adjusted for "
            "eGFR overestimated deficiency by 40%. Read a raised MMA with the eGFR.",
            ("Ann Clin Biochem 2018",),
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
            "Nitrous oxide inactivates cobalamin, so total B12 is often in range: homocysteine or MMA is the first "
            "test. Stop the nitrous oxide and start B12 before the results return.",
            ("NICE NG239", "Practical Neurology 2023", "RCEM 2024"),
        ),
    ),
)
PITFALL_IDS = tuple(p.id if isinstance(p, Pitfall) else next(iter(p.values())).id for _, p in _PITFALL_RULES)


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
    if case.active_b12 is not None and not profile.holotc_pmol_l:
        caveats.append(
            Statement(
                f"Active B12 {case.active_b12:g} pmol/L is shown but does not change this profile's rules, which "
                "do not use it. Under NICE NG239: below 25 pmol/L deficiency, 25–70 indeterminate, above 70 unlikely.",
                ("NICE NG239",),
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
    if case.homocysteine is not None:
        caveats.append(_homocysteine_reading(case.homocysteine))
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


def _homocysteine_reading(hcy: float) -> Statement:
    """Homocysteine against the reference limit (about 15 µmol/L), not the source's bariatric target of 10."""
    if hcy > HOMOCYSTEINE_SUGGESTS_B12:
        words = "above 20 µmol/L: this suggests B12 deficiency when folate is replete"
    elif hcy > HOMOCYSTEINE_UPPER:
        words = "above the adult reference limit of about 15 µmol/L (it rises in B12 and in folate deficiency)"
    else:
        words = "within the adult reference range (up to about 15 µmol/L); the source's 'target below 10' is a bariatric target"
    return Statement(f"Homocysteine {hcy:g} µmol/L is {words}.", ("NHS homocysteine range", "Harrington 2017"))


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
    if node_id == "active_borderline":
        return "active B12 not measured" if case.active_b12 is None else f"active B12 {case.active_b12:g} pmol/L"
    if node_id in ("neuro_above", "treat_neuro"):
        return f"neurological symptoms: {'yes' if case.neuro_symptoms else 'no'}"
    if node_id == "treat_severe":
        if hb is None:
            return (
                f"B12 {b12:.0f} pg/mL, Hb not measured, so severity is unknown: check the full blood count before "
                "choosing oral"
            )
        return f"B12 {b12:.0f} pg/mL, Hb {hb:g} g/dL"
    if node_id == "esr_limit":
        if case.pregnant:
            return f"ESR {case.esr:g} mm/h vs {limit:g} mm/h, the top of the pregnancy ranges"
        return f"ESR {case.esr:g} mm/h vs limit {limit:g} mm/h"
    if node_id == "esr_marked":
        return f"ESR {case.esr:g} mm/h"
    return ""


# Who says what a step's outcome text adds (the hover of the node it leads to).
_OUTCOME_CITATIONS = {
    "esr_out_normal": ("BSR 2020",),
    "esr_out_elevated": ("BSR 2020",),
    "esr_out_marked": ("Fincher 1986",),
    "out_treat_awaiting": ("BNF / NICE CKS", "BSH 2014"),
    "out_treat_nitrous": ("NICE NG239", "RCEM 2024"),
    "st_functional": ("Mayo",),
    "out_not_confirmed": ("Mayo",),
    "out_normal_after_mma": ("Mayo",),
    "treat_severe": ("WHO",),
}


def _why_citations(node: Node, nxt: Node, profile: GuidelineProfile) -> tuple[str, ...]:
    """Each step cites who says it: the profile's own guideline for its B12 numbers, Miller or Fincher for the
    ESR, and the source of what the step leads to."""
    if node.tree == "esr":
        own: tuple[str, ...] = ("Fincher 1986",) if node.id == "esr_marked" else ("Miller 1983",)
    else:
        own = profile.citations
    return _cite(*own, *_OUTCOME_CITATIONS.get(nxt.id, ()))


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
    if case.homocysteine is not None and case.homocysteine > HOMOCYSTEINE_UPPER:
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
    "PlanFacts",
    "b12_next_steps",
    "esr_urgency",
    "evaluate",
]
