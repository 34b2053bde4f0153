"""What the verdict says around its judgment: caveats, warnings, the "why" trace and the mechanism lighting."""

from __future__ import annotations

import itertools
from functools import lru_cache

from b12logic.case import Case
from b12logic.esr import GCA_AGE, UNUSUAL_ESR
from b12logic.graphs import Node
from b12logic.guidelines import ANAEMIA_HB_G_DL, IRREVERSIBLE_CAUSES, LAB_PROFILE_ID, PROFILES, GuidelineProfile
from b12logic.rules.facts import (
    HOMOCYSTEINE_SUGGESTS_B12,
    HOMOCYSTEINE_UPPER,
    MACROCYTOSIS_MCV,
    UNUSUAL_B12,
)
from b12logic.rules.judgment import DEFICIENT_STATUSES, graph_index
from b12logic.rules.next_steps import cite
from b12logic.statement import Statement
from b12logic.units import PMOL_PER_PG


@lru_cache(maxsize=64)
def why_lookups(
    profile: GuidelineProfile,
) -> tuple[dict[str, Node], dict[tuple[str, str], tuple[str, str, str, tuple[str, ...]]]]:
    """Built once per profile (Graph.node rebuilds its index on every call, a third of evaluate's time):
    node by id, and per edge the fixed parts of its "why" sentence (node label, branch, tail, citations)."""
    graph, _, nodes = graph_index(profile)
    why_parts: dict[tuple[str, str], tuple[str, str, str, tuple[str, ...]]] = {}
    for e in graph.edges:
        node, nxt = nodes[e.source], nodes[e.target]
        # Outcomes and statuses explain themselves; a decision is named as the next question.
        tail = nxt.hover if nxt.kind in ("outcome", "status") else f"next, {nxt.label}"
        why_parts[(e.source, e.target)] = (node.label, e.label, tail, _why_citations(node, nxt, profile))
    return nodes, why_parts


def _discordance(case: Case, profile: GuidelineProfile, b12: float, outcome: str) -> Statement | None:
    """A measured active B12 read with the profile's bands, every time, beside total B12 and MMA: what it says,
    whether the markers disagree, and how the profile resolves it."""
    if not profile.holotc_pmol_l or case.active_b12 is None or outcome == "out_active_unlikely":
        return None  # there the plan's "Active B12 above 70: deficiency unlikely" says it (s8a c07, s8c F3)
    low, high = profile.holotc_pmol_l
    active = case.active_b12
    total_low, total_above = b12 < profile.b12_low, b12 > profile.b12_upper
    # The active B12 bands are NICE NG239's; the total B12 cut-off is the profile's (code-blind read s12: BSH 2014's
    # "below 200 is low" was cited to NICE NG239 alone).
    cites = tuple(dict.fromkeys((*profile.citations, "NICE NG239")))
    if active < low:
        reads = f"below {low:g} pmol/L: deficiency confirmed"
    elif active > high:
        reads = f"above {high:g} pmol/L: deficiency unlikely"
    else:
        reads = f"{low:g}–{high:g} pmol/L: indeterminate"
    # "above the borderline band", not "above range" (code-blind read s13: it read as a raised B12)
    total = "low" if total_low else ("above the borderline band" if total_above else "borderline")
    if case.pregnant:  # its bands are not pregnancy's (code-blind read s11, F3: "low" beside "falls in pregnancy")
        total += " against the non-pregnant range"
    text = f"Active B12 {active:g} pmol/L is {reads}; total B12 {b12:.0f} pg/mL is {total}."
    if case.pregnant:
        text += " In pregnancy active B12 governs, because total B12 falls in normal pregnancy."
    elif active < low and not total_low:
        text += " The markers disagree: a low active B12 confirms deficiency although total B12 is not low."
    elif total_low and active > high:
        text += " The markers disagree: MMA, the second-line test, decides."
    elif total_low and active < low:  # both low: they agree (code-blind read s14: "total B12 decides" read as a rank)
        text += " Both markers agree: deficiency."
    elif total_low:
        text += " Total B12 decides: it is low."
    elif active > high and not total_above:
        if not (case.neuro_symptoms or (case.mcv is not None and case.mcv > 120)):
            return Statement(text, cites, kind="plan")
        text += (
            " With neurological symptoms or a megaloblastic picture the features outweigh it: look for another "
            "cause too, and MMA can settle it."
        )
    elif low <= active <= high:
        mma = case.mma_read_nmol_l
        renal_mma = case.renal_impairment and mma is not None and mma > profile.mma_upper
        # A raised MMA beside renal impairment does not decide (independent read s8c, F5).
        if not case.risk_factors.isdisjoint(IRREVERSIBLE_CAUSES):
            # A lasting cause already sets the plan (code-blind read s14, fifth: "MMA decides" beside "treated now
            # and for life; MMA optional").
            text += " The recorded cause that cannot be reversed sets the plan; MMA would only document the deficiency."
        else:
            text += " A raised MMA with renal impairment does not settle it either." if renal_mma else " MMA decides."
    return Statement(text, cites, kind="plan")


def _low_total_normal_mma(case: Case, profile: GuidelineProfile, b12: float) -> Statement | None:
    """A low total B12 with an MMA within the laboratory's limit: the markers disagree, said beside the verdict."""
    mma = case.mma_read_nmol_l
    if not profile.reads_context or mma is None or b12 >= profile.b12_low or mma > profile.mma_upper:
        return None
    return Statement(
        f"Total B12 {b12:.0f} pg/mL is below the cut-off, but MMA {mma:g} nmol/L is within the laboratory's limit: "
        "the markers disagree. A total B12 cut-off is chosen for sensitivity, and MMA is the second-line test: "
        "read the low B12 with the clinical picture.",
        (*profile.citations, profile.mma_limit_citation),
        kind="plan",
    )


MARGINAL_MMA_NMOL_L = 400.0  # Mayo's plasma MMA test (MMAP): 0.40 µmol/L or less (clinical-facts #12)


def caveats(case: Case, profile: GuidelineProfile, status: str, b12: float, outcome: str) -> tuple[Statement, ...]:
    caveats: list[Statement] = []
    if case.b12_unit == "pmol/L":
        caveats.append(
            Statement(
                f"Converted: {case.b12:g} pmol/L = {b12:.0f} pg/mL (1 pg/mL = {PMOL_PER_PG} pmol/L). The source's "
                "pair '< 180 pg/mL (< 150 pmol/L)' is wrong: 180 pg/mL is 133 pmol/L.",
                ("source", "NICE NG239"),
            )
        )
    if profile.id == LAB_PROFILE_ID:
        # The laboratory's own bands beside its status: how the cut-offs move the case is the profile's lesson
        # (code-blind reads s14, third and sixth: "Functional deficiency" under custom with no band named).
        place = "low" if b12 < profile.b12_low else "above the band" if b12 > profile.b12_upper else "borderline"
        caveats.append(
            Statement(
                f"Total B12 {b12:.0f} pg/mL is {place} against your laboratory's cut-offs (low below "
                f"{profile.b12_low:g}, borderline {profile.b12_low:g}–{profile.b12_upper:g} pg/mL), read as NICE "
                "NG239 reads a case.",
                ("laboratory", "NICE NG239"),
                kind="plan",
            )
        )
    if case.mma is not None:
        converted = (
            f"Converted: MMA {case.mma:g} {case.mma_unit} = {case.mma_nmol_l:g} nmol/L (1 µmol/L = 1000 nmol/L). "
            if case.mma_unit != "nmol/L"
            else ""
        )
        # A rise just above Mayo's serum limit is within its own plasma test's (code-blind read s14, first: MMA 300
        # with a normal homocysteine read as a functional deficiency with no word that the rise is marginal).
        read = case.mma_read_nmol_l  # None when the unit is implausible (warnings)
        marginal = (
            f" MMA {read:g} nmol/L is above it but within {MARGINAL_MMA_NMOL_L:g} nmol/L (0.40 µmol/L), "
            "the limit of Mayo's plasma MMA test: a rise this small supports deficiency only against the limit of "
            "the laboratory that measured it."
            if read is not None
            and profile.mma_limit_citation == "Mayo"
            and profile.mma_upper < read <= MARGINAL_MMA_NMOL_L
            else ""
        )
        caveats.append(
            Statement(
                f"{converted}The MMA limit {profile.mma_upper:g} nmol/L is {profile.mma_limit_words}, not a universal one: "
                f"laboratories differ.{marginal}",
                (profile.mma_limit_citation,),
            )
        )
    if case.active_b12 is not None and not profile.holotc_pmol_l:
        caveats.append(
            Statement(
                f"Active B12 {case.active_b12:g} pmol/L is shown but does not change this profile's rules, which "
                "do not use it"
                # Under the source's rules the NICE NG239 correction beside the plan does read it (code-blind read
                # s13, fourth: "does not change" beside a correction that it moved).
                + (
                    "; NICE NG239, which corrects the source where they differ, reads it"
                    if not profile.reads_context
                    else ""
                )
                + ". Under NICE NG239: below 25 pmol/L deficiency, 25–70 indeterminate, above 70 unlikely.",
                ("NICE NG239",),
            )
        )
    for said in (_discordance(case, profile, b12, outcome), _low_total_normal_mma(case, profile, b12)):
        if said:
            caveats.append(said)
    if status == "indeterminate_needs_mma" and case.neuro_symptoms and not profile.treat_borderline_neuro_now:
        caveats.append(
            Statement(
                "The source sends borderline B12 with neurological symptoms to MMA testing; BSH 2014 says not to "
                "delay treatment when strong clinical features disagree with the test.",
                ("BSH 2014",),
                kind="plan",
            )
        )
    if case.homocysteine is not None:
        caveats.append(homocysteine_reading(case.homocysteine, beside_normal=status == "normal"))
    mma = case.mma_read_nmol_l
    if status == "normal" and not case.neuro_symptoms and mma is not None and mma > profile.mma_upper:
        caveats.append(
            Statement(
                "MMA is raised although B12 is above range and there are no neurological symptoms: the rules call "
                "this normal; "
                + (
                    "the recorded renal impairment can explain it (it raises MMA on its own)."
                    if case.renal_impairment
                    else "check renal function and consider repeating."
                ),
                ("source", "Ann Clin Biochem 2018"),
                kind="workup",
            )
        )
    if profile.superseded_by:
        newer = PROFILES[profile.superseded_by]
        caveats.append(
            Statement(
                f"{profile.teaching_name} has been superseded by {newer.teaching_name} (2024): read it as "
                "history, and the current guideline beside it.",
                newer.citations,
            )
        )
    return tuple(caveats)


def homocysteine_reading(hcy: float, beside_normal: bool = False) -> Statement:
    """Homocysteine against the reference limit (about 15 µmol/L), not the source's bariatric target of 10; beside a
    B12 read as normal, a raised one says what settles the disagreement (code-blind read s14, first: "no B12
    deficiency" stood beside "suggests B12 deficiency" with nothing between them)."""
    if hcy > HOMOCYSTEINE_SUGGESTS_B12 and beside_normal:
        return Statement(
            f"Homocysteine {hcy:g} µmol/L is above 20 µmol/L, which suggests B12 deficiency when folate is replete, "
            "yet the B12 reads as normal: homocysteine is less specific than MMA, so check the folate and ask about "
            "nitrous oxide (it causes functional deficiency with a normal B12); where strong clinical features "
            "disagree with the tests, do not delay treatment.",
            ("NHS homocysteine range", "Harrington 2017", "NICE NG239", "BSH 2014"),
            kind="workup",
        )
    if hcy > HOMOCYSTEINE_SUGGESTS_B12:
        words = "above 20 µmol/L: this suggests B12 deficiency when folate is replete"
    elif hcy > HOMOCYSTEINE_UPPER:
        words = "above the adult reference limit of about 15 µmol/L (it rises in B12 and in folate deficiency)"
    else:
        words = "within the adult reference range (up to about 15 µmol/L); the source's 'target below 10' is a bariatric target"
    return Statement(
        f"Homocysteine {hcy:g} µmol/L is {words}.", ("NHS homocysteine range", "Harrington 2017"), kind="workup"
    )


def warnings(case: Case, b12: float) -> tuple[str, ...]:
    """Valid but unusual values: shown beside the verdict, never an error."""
    warnings: list[str] = []
    if b12 > UNUSUAL_B12:
        warnings.append(f"B12 {b12:.0f} pg/mL is unusually high: check for recent injections or a unit slip.")
    if case.esr > UNUSUAL_ESR:
        warnings.append(f"ESR {case.esr:g} mm/h is unusually high: confirm the result with the laboratory.")
    if case.mma is not None and case.mma_implausible:
        slip = (
            f" was it reported in µmol/L? ({case.mma:g} µmol/L is {case.mma * 1000:g} nmol/L.)"
            if case.mma_unit == "nmol/L"
            else " check the unit and the result."
        )
        warnings.append(
            f"MMA {case.mma:g} {case.mma_unit} is implausibly low:{slip} This verdict reads the MMA as not measured "
            "until the unit is checked."
        )
    if b12 < 30:  # below 30 pg/mL (22 pmol/L) in either unit: more likely a unit slip than a result
        warnings.append(f"B12 {case.b12:g} {case.b12_unit} is implausibly low: check the unit and the result.")
    return tuple(warnings)


def describe(node_id: str, case: Case, b12: float, hb: float | None, limit: float) -> str:
    """The case's value that a decision node looks at, in words (only that one is formatted: hot path)."""
    if node_id == "b12_band":
        active = "" if case.active_b12 is None else f", active B12 {case.active_b12:g} pmol/L"
        return f"B12 {b12:.0f} pg/mL{active}" + (", pregnant" if case.pregnant and active else "")
    if node_id in ("mma_borderline", "mma_above"):
        mma = case.mma_read_nmol_l
        return "MMA not measured" if mma is None else f"MMA {mma:g} nmol/L"
    if node_id == "borderline_wait":
        return f"neurological symptoms: {'yes' if case.neuro_symptoms else 'no'}" + (
            f", MCV {case.mcv:g} fL" if case.mcv is not None else ""
        )
    if node_id == "treat_neuro":
        return f"neurological symptoms: {'yes' if case.neuro_symptoms else 'no'}"
    if node_id == "neuro_above":
        words = f"neurological symptoms: {'yes' if case.neuro_symptoms else 'no'}"
        if "nitrous_oxide" in case.risk_factors:
            words += ", nitrous oxide"
        if case.mcv is not None:
            words += f"; MCV {case.mcv:g} fL"
        return words
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
    "st_treat_awaiting": ("BNF / NICE CKS", "BSH 2014"),
    "out_treat_awaiting_hcy": ("BNF / NICE CKS", "BSH 2014"),
    "treat_severe": ("WHO",),
}


# Outcomes that read an MMA result cite whose limit it is.
_MMA_OUTCOMES = frozenset({"st_functional", "out_not_confirmed", "out_normal_after_mma"})


def _why_citations(node: Node, nxt: Node, profile: GuidelineProfile) -> tuple[str, ...]:
    """Each step cites who says it: the profile's own guideline for its B12 numbers, Miller or Fincher for the
    ESR, and the source of what the step leads to."""
    if node.tree == "esr":
        own: tuple[str, ...] = ("Fincher 1986",) if node.id == "esr_marked" else ("Miller 1983",)
    else:
        own = profile.citations
    mma = (profile.mma_limit_citation,) if nxt.id in _MMA_OUTCOMES else ()
    return cite(*own, *_OUTCOME_CITATIONS.get(nxt.id, ()), *mma)


def why(
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
        if source in ("esr_start", "esr_limit") and case.pregnant:  # the pregnancy ranges, not Miller's rule
            citations = ("Abbassi-Ghanavati 2009",)
        if target == "esr_out_normal" and case.age < GCA_AGE:  # giant cell arteritis is a question from 50
            tail = "the ESR itself needs no work-up."
        if source == "treat_severe" and target == "rx_oral_or_im" and hb is None:  # unknown, never "no"
            branch = "unknown"
            tail = "severity is unknown until the full blood count is seen; oral only once it rules out severe anaemia"
        out.append(_sentence(label, branch, tail, citations, describe(source, case, b12, hb, limit)))
    return tuple(out)


# Small on purpose: it holds one case's sentences across reruns, not a whole batch's values.
@lru_cache(maxsize=256)
def _sentence(label: str, branch: str, tail: str, citations: tuple[str, ...], seen: str) -> Statement:
    """One decision's sentence, remembered: most recur from rerun to rerun (a slider moves one value)."""
    head = f"{label} ({seen}) → {branch}" if seen and branch else label
    return Statement(f"{head}: {tail}", citations)


def mechanism_lit(case: Case, profile: GuidelineProfile, status: str, flag: str, hb: float | None) -> frozenset[str]:
    """Mechanism nodes this case's values make abnormal."""
    lit: set[str] = set()
    if status in DEFICIENT_STATUSES:
        lit.add("m_b12")
    mma = case.mma_read_nmol_l
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
