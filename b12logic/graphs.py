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
from b12logic.labels import STATUS_LABELS


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

# The clinical context each judgment reads (profiles with `reads_context`): thresholds with their source.
VERY_HIGH_MCV = 120.0  # fL: a strong clinical feature with a B12 that is not low (BSH 2014: do not delay treatment)
HOMOCYSTEINE_UPPER = 15.0  # µmol/L: adult upper reference limit (NHS laboratories: 0–15)
HOMOCYSTEINE_SUGGESTS_B12 = 20.0  # µmol/L: above this suggests B12 deficiency if folate is replete (Harrington 2017)
MACROCYTIC_MCV = 100.0  # fL


def _present(x: Any) -> Any:
    return x == x


def _not(x: Any) -> Any:
    """Logical not of one case's bool or of a batch's array (np.logical_not on a bool costs ~1 µs: hot path)."""
    return not x if type(x) is bool else np.logical_not(x)


def _active_bands(v: Any, p: GuidelineProfile) -> tuple[Any, Any, Any]:
    """Active B12 (holotranscobalamin) low, high, and whether it governs (pregnancy: NICE NG239's first test)."""
    if not p.holotc_pmol_l:
        return False, False, False
    low, high = p.holotc_pmol_l
    return v.active_b12 < low, v.active_b12 > high, _present(v.active_b12) & v.pregnant


def _reading_low(v: Any, p: GuidelineProfile) -> Any:
    """Deficiency on the first-line tests: a low active B12 settles it (whatever the total); a low total B12
    does unless a high active B12 disagrees (then MMA decides) or the case is pregnant under a profile that reads
    active B12 (total B12 falls in normal pregnancy: active B12 is the first test)."""
    act_low, act_high, _ = _active_bands(v, p)
    pregnant_reads_active = v.pregnant if p.holotc_pmol_l else False
    return act_low | ((v.b12 < p.b12_low) & _not(act_high) & _not(pregnant_reads_active))


def _reading_above(v: Any, p: GuidelineProfile) -> Any:
    """Above range on the first-line tests: total B12 above range, and active B12 (if measured) above its band."""
    if not p.holotc_pmol_l:
        return v.b12 > p.b12_upper
    act_low, act_high, _ = _active_bands(v, p)
    act_indeterminate = _present(v.active_b12) & _not(act_low) & _not(act_high)
    return (v.b12 > p.b12_upper) & _not(act_indeterminate)


def megaloblastic(v: Any) -> Any:
    """A megaloblastic picture, a strong clinical feature: MCV above 120 fL, severe anaemia (WHO) with MCV above
    100 fL, or a macrocytic anaemia (Hb below WHO's threshold) with homocysteine above 20 µmol/L (NICE CKS: functional
    deficiency is suspected from strong features such as megaloblastic anaemia despite a normal B12; code-blind read
    s14, third, UNSAFE: MCV 114, Hb 9, homocysteine 28 and B12 450 read "nothing urgent, no B12 treatment"; fourth,
    WRONG: without anaemia, Hb 13.5, it is not a megaloblastic anaemia)."""
    macrocytic = v.mcv > MACROCYTIC_MCV
    hcy_anaemia = v.anaemic & (v.hcy > HOMOCYSTEINE_SUGGESTS_B12)
    return (v.mcv > VERY_HIGH_MCV) | (macrocytic & (v.severe_anaemia | hcy_anaemia))


def _active_unlikely(v: Any, p: GuidelineProfile) -> Any:
    """Active B12 above its band makes deficiency unlikely, for a borderline total B12 or in pregnancy (where a
    low total B12 is expected); no neurological features, no very high MCV and no nitrous oxide, which a normal
    active B12 does not answer."""
    _, act_high, governs = _active_bands(v, p)
    quiet = _not(v.neuro | v.nitrous_oxide | megaloblastic(v))
    return act_high & (governs | (v.b12 >= p.b12_low)) & quiet


def _mma_raised_renal(v: Any, p: GuidelineProfile) -> Any:
    """A raised MMA beside renal impairment, which raises MMA on its own (unadjusted MMA overstated deficiency by
    about 40%, Ann Clin Biochem 2018): under the judging profiles it is read as no answer, so active B12 and the
    clinical features decide, as when MMA is not back (independent reads s7 F5, s8b F4)."""
    return v.renal & (v.mma > p.mma_upper)


def _functional_raised(v: Any, p: GuidelineProfile) -> Any:
    """MMA above the laboratory's limit (not beside renal impairment); with nitrous oxide a raised homocysteine too
    (NICE NG239)."""
    raised = v.mma > p.mma_upper
    if not p.reads_context:
        return raised
    return (raised & _not(v.renal)) | (v.nitrous_oxide & (v.hcy > HOMOCYSTEINE_UPPER))


def _functional_measured(v: Any, p: GuidelineProfile) -> Any:
    """The functional test has answered: MMA (a raised MMA beside renal impairment does not), or homocysteine where
    nitrous oxide makes it the first test."""
    measured = _present(v.mma)
    if not p.reads_context:
        return measured
    return (measured & _not(_mma_raised_renal(v, p))) | (v.nitrous_oxide & _present(v.hcy))


# The nodes a path reaches while the functional test has not answered (through "not measured" edges).
WAITS_FOR_MMA = frozenset({"borderline_wait", "out_needs_mma_hcy", "out_treat_awaiting_hcy", "st_treat_awaiting_hcy"})

PREDICATES: dict[str, Predicate] = {
    "b12_low": lambda v, p: v.b12 < p.b12_low,
    "b12_borderline": lambda v, p: (v.b12 >= p.b12_low) & (v.b12 <= p.b12_upper),
    "reading_low": _reading_low,
    "reading_above": _reading_above,
    "active_unlikely": _active_unlikely,
    "mma_missing": lambda v, p: _missing(v.mma),
    "mma_raised": lambda v, p: v.mma > p.mma_upper,
    "functional_raised": _functional_raised,
    "functional_measured": _functional_measured,
    "neuro": lambda v, p: v.neuro,
    # A normal MMA beside a recorded cause that cannot be reversed (gastrectomy, autoimmune gastritis): replacement
    # for such a cause is lifelong (NICE NG239), so the test does not withhold it.
    # Nitrous oxide with neurological symptoms, too: MMA and homocysteine miss 10–20% of its myeloneuropathy, and
    # B12 starts without waiting (NICE NG239, RCEM), so normal tests do not withhold it (independent read s7d, I3).
    "lasting_cause_measured": lambda v, p: _functional_measured(v, p) & (v.lasting_cause | (v.nitrous_oxide & v.neuro)),
    # Above the band, a lasting cause keeps the status "normal" (the level is in range); nitrous oxide with
    # neurological symptoms does not: deficiency is not excluded (independent read s7e, I3 under a laboratory).
    "lasting_cause_only_measured": lambda v, p: _functional_measured(v, p) & v.lasting_cause,
    "nitrous_neuro_measured": lambda v, p: _functional_measured(v, p) & v.nitrous_oxide & v.neuro,
    "lasting_cause": lambda v, p: v.lasting_cause,
    "megaloblastic": lambda v, p: megaloblastic(v),
    # Strong features with a borderline B12: treat once bloods are taken (BSH 2014; BNF / NICE CKS).
    # A recorded cause that cannot be reversed, and folic acid already taken (it must not go on alone), too.
    "strong_features": lambda v, p: v.neuro | megaloblastic(v) | v.lasting_cause | v.on_folic_acid,
    # With B12 above range, deficiency is not excluded: neuro features, nitrous oxide, a megaloblastic picture.
    "not_excluded": lambda v, p: v.neuro | v.nitrous_oxide | megaloblastic(v),
    "severe": lambda v, p: (v.b12 < SEVERE_B12_PG_ML) | (v.hb < SEVERE_HB_G_DL),
    "esr_above_limit": lambda v, p: v.esr > v.esr_limit,
    "esr_marked": lambda v, p: v.esr >= MARKED_ESR,
}


def _b12_nodes(profile: GuidelineProfile) -> tuple[Node, ...]:
    oral = f"oral {profile.oral.drug.lower()} {profile.oral.dose} daily"
    mma = f"{profile.mma_upper:g} nmol/L"
    return (
        Node("b12_start", "Suspected B12 deficiency", "start", "b12", 5, 10, "Start: measure total serum B12."),
        Node(
            "b12_band",
            "Total and active B12?" if profile.holotc_pmol_l else "Total B12?",
            "decision",
            "b12",
            5,
            9,
            "Compare total B12 with the profile's cut-offs"
            + (
                "; a measured active B12 is read with its bands (< 25 confirms, > 70 unlikely), and governs in "
                "pregnancy, when total B12 falls."
                if profile.holotc_pmol_l
                else "."
            ),
        ),
        Node(
            "st_deficient",
            STATUS_LABELS["deficient"],
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
            "Borderline: MMA?" if not profile.reads_context else "Borderline: MMA (or Hcy with N₂O)?",
            "decision",
            "b12",
            4.4,
            8,
            f"Borderline B12: a raised MMA supports deficiency ({mma} is one laboratory's upper limit).",
        ),
        Node(
            "neuro_above",
            "Above range: neurological symptoms, N₂O or MCV > 120?"
            if profile.reads_context
            else "Above range: neurological symptoms?",
            "decision",
            "b12",
            8.4,
            8,
            "B12 above range does not exclude deficiency when there are neurological symptoms"
            + (", nitrous oxide use or a very high MCV." if profile.reads_context else "."),
        ),
        Node(
            "out_indeterminate",
            STATUS_LABELS["indeterminate_needs_mma"],
            "outcome",
            "b12",
            1.6,
            6,
            "Borderline B12 and no MMA yet: measure MMA before deciding.",
            status="indeterminate_needs_mma",
            regimen="pending_tests",
        ),
        Node(
            "borderline_wait",
            "No MMA answer yet: strong features?",
            "decision",
            "b12",
            3,
            7,
            "Borderline or indeterminate B12 and no MMA yet (or a raised MMA beside renal impairment, which raises "
            "MMA on its own): neurological features, a megaloblastic picture (MCV "
            "above 120 fL, or severe anaemia with MCV above 100), a recorded cause that cannot be reversed or folic "
            "acid already taken are not a reason to wait; a high active B12 without the first two makes deficiency "
            "unlikely.",
        ),
        Node(
            "out_active_unlikely",
            f"{STATUS_LABELS['not_confirmed']} (active B12)",
            "outcome",
            "b12",
            4.1,
            6,
            "Active B12 above the profile's band: deficiency unlikely.",
            status="not_confirmed",
            regimen="none",
        ),
        Node(
            "st_treat_awaiting",
            f"{STATUS_LABELS['indeterminate_needs_mma']}; treat now",
            "status",
            "b12",
            2.4,
            5.1,
            "Strong clinical features with a borderline B12: bloods taken, treatment starts without waiting for "
            "MMA (BSH 2014).",
            status="indeterminate_needs_mma",
        ),
        Node(
            "out_not_confirmed",
            STATUS_LABELS["not_confirmed"],
            "outcome",
            "b12",
            5.4,
            7,
            "Borderline B12 with MMA at or below the cut-off: deficiency not confirmed.",
            status="not_confirmed",
            regimen="none",
        ),
        Node(
            "st_treat_lasting_cause",
            f"{STATUS_LABELS['not_confirmed']}; lasting cause or N₂O: treat",
            "status",
            "b12",
            5.6,
            4.0,
            "MMA not raised, but a recorded cause that cannot be reversed (gastrectomy, autoimmune gastritis): "
            "replacement for it is lifelong (NICE NG239), and with neurological symptoms strong features that "
            "disagree with the test do not delay treatment (BSH 2014).",
            status="not_confirmed",
        ),
        Node(
            "st_treat_awaiting_hcy",
            f"{STATUS_LABELS['normal_needs_mma_hcy']}; megaloblastic: treat now",
            "status",
            "b12",
            10.0,
            3.15,
            "A megaloblastic picture (MCV above 120 fL, or severe anaemia with MCV above 100) with a B12 in range: "
            "deficiency is suspected, so treatment starts once bloods for MMA and homocysteine are taken (BSH 2014: "
            "strong features that disagree with the tests do not delay treatment), with urgent haematology advice.",
            status="normal_needs_mma_hcy",
        ),
        Node(
            "st_lasting_in_range",
            f"{STATUS_LABELS['normal']}; lasting cause: treat",
            "status",
            "b12",
            8.3,
            1.95,
            "B12 above the borderline range, but a recorded cause that cannot be reversed (gastrectomy, autoimmune "
            "gastritis): replacement for it is lifelong (NICE NG239) and is not stopped because a level is in range.",
            status="normal",
        ),
        Node(
            "mma_above",
            "MMA or homocysteine?" if profile.reads_context else "Neurological symptoms: MMA?",
            "decision",
            "b12",
            7.8,
            7,
            "B12 in range with neurological symptoms, nitrous oxide or a very high MCV: MMA (homocysteine with nitrous "
            "oxide) decides."
            if profile.reads_context
            else "Neurological symptoms with B12 in range: MMA decides.",
        ),
        Node(
            "out_treat_awaiting_hcy",
            f"{STATUS_LABELS['normal_needs_mma_hcy']}; treat now",
            "outcome",
            "b12",
            9.4,
            5,
            "Neurological features with a B12 in range: deficiency is not excluded, so the neurological regimen "
            "starts once bloods for MMA and homocysteine are taken, with urgent specialist advice.",
            status="normal_needs_mma_hcy",
            regimen="im_neuro",
        ),
        Node(
            "out_normal",
            STATUS_LABELS["normal"],
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
            STATUS_LABELS["functional_deficiency"],
            "status",
            "b12",
            6.2,
            6,
            f"MMA above {mma} (the laboratory's upper limit) supports functional deficiency.",
            status="functional_deficiency",
        ),
        Node(
            "out_needs_mma_hcy",
            STATUS_LABELS["normal_needs_mma_hcy"],
            "outcome",
            "b12",
            7.4,
            5,
            "B12 in range with neurological symptoms, nitrous oxide or a megaloblastic picture: measure MMA and "
            "homocysteine."
            if profile.reads_context
            else "Neurological symptoms with B12 in range: measure MMA and homocysteine.",
            status="normal_needs_mma_hcy",
            regimen="pending_tests",
        ),
        Node(
            "out_normal_after_mma",
            STATUS_LABELS["normal"],
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
            "Oral daily or IM",
            "outcome",
            "b12",
            3.4,
            2,
            f"Not severe, no neurological symptoms: {oral} is an alternative to IM"
            + ("" if profile.follows_source else " (50–150 µg for a diet cause)")
            + ".",
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
    edges = (
        Edge("b12_start", "b12_band"),
        *(_judgment_edges(profile) if profile.reads_context else _source_edges(profile)),
        Edge("st_deficient", "treat_neuro"),
        Edge("st_functional", "treat_neuro"),
        *((Edge("st_treat_awaiting", "treat_neuro"),) if profile.reads_context else ()),
        *((Edge("st_treat_lasting_cause", "treat_neuro"),) if profile.reads_context else ()),
        *((Edge("st_lasting_in_range", "treat_neuro"),) if profile.reads_context else ()),
        *((Edge("st_treat_awaiting_hcy", "treat_severe"),) if profile.reads_context else ()),  # no neuro: its own edge
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


def _source_edges(profile: GuidelineProfile) -> tuple[Edge, ...]:
    """The source's fixed rules (DESIGN.md), with a laboratory's cut-offs in the labels."""
    low, upper, mma = f"{profile.b12_low:g}", f"{profile.b12_upper:g}", f"{profile.mma_upper:g}"
    return (
        Edge("b12_band", "st_deficient", f"< {low} pg/mL", "b12_low"),
        Edge("b12_band", "mma_borderline", f"{low}–{upper}", "b12_borderline"),
        Edge("b12_band", "neuro_above", f"> {upper}"),
        Edge("mma_borderline", "out_indeterminate", "not measured", "mma_missing"),
        Edge("mma_borderline", "st_functional", f"> {mma} nmol/L", "mma_raised"),
        Edge("mma_borderline", "out_not_confirmed", f"≤ {mma}"),
        Edge("neuro_above", "mma_above", "yes", "neuro"),
        Edge("neuro_above", "out_normal", "no"),
        Edge("mma_above", "out_needs_mma_hcy", "not measured", "mma_missing"),
        Edge("mma_above", "st_functional", f"> {mma} nmol/L", "mma_raised"),
        Edge("mma_above", "out_normal_after_mma", f"≤ {mma}"),
    )


def _judgment_edges(profile: GuidelineProfile) -> tuple[Edge, ...]:
    """One judgment from every marker the profile reads (DESIGN.md, "One judgment per case"): total and active
    B12, MMA, homocysteine with nitrous oxide, and the clinical context. Edges are tried in order."""
    low, upper, mma = f"{profile.b12_low:g}", f"{profile.b12_upper:g}", f"{profile.mma_upper:g}"
    active = profile.holotc_pmol_l is not None
    return (
        Edge("b12_band", "st_deficient", f"< {low} pg/mL" + (" or active < 25" if active else ""), "reading_low"),
        Edge("b12_band", "neuro_above", f"> {upper}", "reading_above"),
        Edge("b12_band", "mma_borderline", f"{low}–{upper}" + (" or discordant" if active else "")),
        Edge("mma_borderline", "st_functional", f"> {mma} nmol/L", "functional_raised"),
        Edge("mma_borderline", "st_treat_lasting_cause", f"≤ {mma}, lasting cause or N₂O", "lasting_cause_measured"),
        Edge("mma_borderline", "out_not_confirmed", f"≤ {mma}", "functional_measured"),
        Edge("mma_borderline", "borderline_wait", "not measured (or raised, renal)"),
        *((Edge("borderline_wait", "out_active_unlikely", "active > 70", "active_unlikely"),) if active else ()),
        Edge("borderline_wait", "st_treat_awaiting", "strong", "strong_features"),
        Edge("borderline_wait", "out_indeterminate", "no"),
        Edge("neuro_above", "mma_above", "yes", "not_excluded"),
        Edge("neuro_above", "st_lasting_in_range", "lasting cause", "lasting_cause"),
        Edge("neuro_above", "out_normal", "no"),
        Edge("mma_above", "st_functional", f"> {mma} nmol/L", "functional_raised"),
        Edge("mma_above", "st_treat_lasting_cause", "N₂O, not raised", "nitrous_neuro_measured"),
        Edge("mma_above", "st_lasting_in_range", "lasting cause", "lasting_cause_only_measured"),
        Edge("mma_above", "out_normal_after_mma", "not raised", "functional_measured"),
        Edge("mma_above", "out_treat_awaiting_hcy", "neurological", "neuro"),
        Edge("mma_above", "st_treat_awaiting_hcy", "megaloblastic", "megaloblastic"),
        Edge("mma_above", "out_needs_mma_hcy", "not measured"),
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
