"""The engine: evaluate(case, guideline) -> Assessment.

One judgment per case and profile (rules/judgment.py) gives the headline (status, regimen) and every
statement the verdict makes (rules/next_steps.py); the ESR is read on its own tree and can never reach the
B12 plan: b12_status, regimen and next_steps are computed from the B12 inputs only (property-tested).

>>> a = evaluate(Case(age=68, sex="female", b12=179, esr=30))
>>> a.b12_status, a.regimen, a.esr_flag, a.esr_upper_limit
('deficient', 'oral_or_im', 'normal', 39.0)
>>> a.decision_path
('b12_start', 'b12_band', 'st_deficient', 'treat_neuro', 'treat_severe', 'rx_oral_or_im')
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from b12logic.case import Case
from b12logic.esr import (
    DEFAULT_CRP_LIMIT_MG_L,
    FIRST_TRIMESTER_TOP,
    GCA_AGE,
    MYELOMA_TEST_AGE,
    NAIVE_ESR_CUTOFF,
    SECOND_TRIMESTER_TOP,
    crp_above_marked,
    crp_state,
    esr_flag,
    esr_upper_limit,
    esr_urgent_steps,
    esr_workup,
)
from b12logic.graphs import ESR_ROOT
from b12logic.guidelines import (
    DEFAULT_PROFILE,
    IRREVERSIBLE_CAUSES,
    PROFILES,
    SEVERE_B12_PG_ML,
    SEVERE_HB_G_DL,
    GuidelineProfile,
    MonitoringItem,
    Regimen,
    get_profile,
    regimen_for,
)
from b12logic.labels import (
    ANAEMIA_GRADE_LABELS,
    ANAEMIC_GRADES,
    ESR_FLAG_LABELS,
    PREGNANCY_ESR_NORMAL,
    PREGNANCY_ESR_NOT_SECOND,
    PREGNANCY_ESR_RAISED,
    PREGNANCY_ESR_THIRD_ONLY,
    REGIMEN_LABELS,
    SOURCE_DIFFERS,
    STATUS_LABELS,
)
from b12logic.references import SOURCE_CITATION
from b12logic.rules.explain import caveats, mechanism_lit, warnings, why, why_lookups
from b12logic.rules.facts import (
    HOMOCYSTEINE_SUGGESTS_B12,
    HOMOCYSTEINE_TARGET,
    HOMOCYSTEINE_UPPER,
    MACROCYTOSIS_MCV,
    UNUSUAL_B12,
    PlanFacts,
    b12_pitfall_facts,
    view_of,
)
from b12logic.rules.facts import anaemic as anaemic_hb
from b12logic.rules.judgment import (
    ACTION_LEVEL,
    DEFICIENT_STATUSES,
    GUIDELINE_ACTS,
    TREATMENT_REGIMENS,
    case_facts,
    graph_for,
    headline_label,
    judge,
    nodes_for,
    status_of_path,
    walk,
)
from b12logic.rules.next_steps import (
    ANAEMIA_OWN_WORKUP,
    b12_next_steps,
    is_response_check,
    is_workup_bloods,
    regimen_statement,
    with_samples,
)
from b12logic.rules.pitfalls import PITFALL_IDS, Pitfall, PitfallFacts, pitfalls_for, remembered_pitfalls
from b12logic.statement import Statement, ranked_do_now

B12_STATUSES = (
    "deficient",
    "functional_deficiency",
    "indeterminate_needs_mma",
    "not_confirmed",
    "normal_needs_mma_hcy",
    "normal",
)
REGIMENS = ("im_neuro", "im_standard", "oral_or_im", "pending_tests", "none")
# Higher = more severe; lowering B12 never lowers this (property-tested).
STATUS_SEVERITY = {
    "normal": 0,
    "not_confirmed": 1,
    "indeterminate_needs_mma": 2,
    "normal_needs_mma_hcy": 2,
    "functional_deficiency": 3,
    "deficient": 4,
}
# The guideline that corrects the default profile's fixed rule (the batch's frame path reads it; the engine asks
# each profile, GuidelineProfile.correcting).
CORRECTING_PROFILE = PROFILES[DEFAULT_PROFILE].corrected_by


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
    anaemia_grade: str = "unknown"  # WHO, by sex and pregnancy: none, mild, moderate, severe, unknown
    # Under `source`: where a guideline would act more on this case, what it would do (the headline says so).
    correction: str = ""
    corrected_regimen: str = ""  # under `source`, with a correction: the guideline's regimen for this case
    status_headline: str = ""  # the status as the headline says it (rules.judgment.headline_label)
    crp_state: str = "not_measured"  # against the laboratory's limit: not_measured, normal or raised
    crp_limit: float = DEFAULT_CRP_LIMIT_MG_L  # that limit, mg/L

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.b12_status]

    @property
    def headline(self) -> str:
        """The status as the verdict's headline says it: under `source`, marked where guidelines differ."""
        label = self.status_headline or self.status_label
        return f"{label} ({SOURCE_DIFFERS})" if self.correction else label

    @property
    def regimen_headline(self) -> str:
        """The regimen as the headline says it: under `source`, marked too, so "tests first" never stands alone
        beside a Do-now step that starts treatment (independent read, session 5)."""
        if not self.correction or self.corrected_regimen == self.regimen:  # the same regimen: only the label differs
            return self.regimen_label
        if ACTION_LEVEL.get(self.corrected_regimen, 0) > ACTION_LEVEL[self.regimen]:
            # The source's rule would delay or withhold treatment the guideline starts: the safe action leads, the
            # source's rule follows as what it is (second independent read, session 6: nitrous oxide with neuro).
            would = "would delay it" if self.regimen == "pending_tests" else "would withhold it"
            if self.corrected_regimen not in TREATMENT_REGIMENS:  # the guideline tests first: nothing is withheld
                would = "would skip the tests"
            now = "" if self.corrected_regimen not in TREATMENT_REGIMENS else ", now"
            return (
                f"{REGIMEN_LABELS[self.corrected_regimen]}{now} under {PROFILES[CORRECTING_PROFILE].teaching_name} "
                f'(the source\'s rule, "{self.regimen_label}", {would})'
            )
        return f"{self.regimen_label} ({SOURCE_DIFFERS})"

    @property
    def anaemia_grade_label(self) -> str:
        return ANAEMIA_GRADE_LABELS[self.anaemia_grade]

    @property
    def do_now(self) -> tuple[Statement, ...]:
        """The urgent steps, most urgent first, each once: the first block of every page."""
        return ranked_do_now(self.next_steps, self.esr_workup)

    @property
    def acting_regimen(self) -> str:
        """The regimen that acts more: the profile's, or under the source the correcting guideline's (as the
        headline leads with it)."""
        return max(self.regimen, self.corrected_regimen or self.regimen, key=lambda r: ACTION_LEVEL.get(r, 0))

    @property
    def first_step(self) -> str:
        """What comes first when there is no urgent step: the Do-now block says it, so "nothing urgent" never
        reads as "nothing to do" beside a plan that treats or tests (session 9's code-blind read). The regimen
        that acts more leads, as in the headline (under the source, the correcting guideline's)."""
        acting = self.acting_regimen
        lasting_in_range = self.b12_status not in DEFICIENT_STATUSES and bool(
            self.case.risk_factors & IRREVERSIBLE_CAUSES
        )
        if acting in TREATMENT_REGIMENS and lasting_in_range:  # likely on replacement already (code-blind read s11)
            b12 = (
                "B12 replacement for the recorded cause that cannot be reversed, as the B12 plan below says: if it "
                "is already given, the maintenance doses go on; if not, it starts once the work-up bloods are taken"
            )
        elif acting in TREATMENT_REGIMENS:
            b12 = "take the work-up bloods, then B12 as the B12 plan below says"
        elif acting == "pending_tests":
            b12 = "the tests the work-up below asks for; the B12 plan waits for their results"
        elif self.case.mcv is not None and self.case.mcv > MACROCYTOSIS_MCV:  # code-blind read s11: an action
            b12 = "look for the other causes of the macrocytosis (the work-up below); no B12 treatment"
        elif self.anaemia_unexplained:  # code-blind read s12: an anaemia with a normal B12 had no work-up
            b12 = "work up the anaemia on its own (the work-up below); B12 does not explain it, no B12 treatment"
        else:
            b12 = "no B12 treatment (the B12 plan below says why)"
        if self.pregnancy_esr_to_place and self.esr_flag == "normal" and self.crp_state != "raised":
            # In range only for some trimesters: the ESR reading says which (code-blind read s11, sixth, F2).
            return f"{b12}. The ESR reading below places the ESR against the trimester."
        if self.esr_flag != "normal" or self.crp_state == "raised":  # a raised CRP alone is worked up too
            if acting in TREATMENT_REGIMENS or acting == "pending_tests":
                return f"{b12}. The ESR reading has its own work-up (below)."
            # No B12 plan to act on: the inflammation's work-up is the first step (code-blind read s11, F1).
            marker = "raised ESR" if self.esr_flag != "normal" else "raised CRP"
            # An anaemia B12 does not explain is named too: it may be what raises the ESR (code-blind read s12).
            anaemia = (
                ", and work up the anaemia on its own (anaemia itself raises the ESR)"
                if self.anaemia_unexplained
                else ""
            )
            return (
                f"the ESR reading's work-up below: look for the cause of the {marker}{anaemia}; no B12 treatment "
                "(the B12 plan says why)."
            )
        return f"{b12}."

    @property
    def severe_by_hb_only(self) -> str:
        """Beside "severe" by the working definition when only the Hb makes it so and the MCV does not show a
        megaloblastic anaemia: what the label does not show (code-blind reads s14, third to fifth: "severe
        deficiency: yes" beside MCV 68, 88 or none, where B12 does not explain the anaemia on its own); "" otherwise."""
        case = self.case
        if not self.severe or case.b12_pg_ml < SEVERE_B12_PG_ML:
            return ""
        if case.mcv is not None and case.mcv > MACROCYTOSIS_MCV:
            return ""
        mcv = "the MCV is not known" if case.mcv is None else f"an MCV of {case.mcv:g} fL is not raised"
        return f"by the Hb alone, and {mcv}: the anaemia is not shown to be B12's"

    @property
    def b12_after_do_now(self) -> str:
        """Beside urgent steps that do not start B12, the B12 plan that treats is said at the end of Do now, so a
        student reading only that block does not defer it (code-blind read s14, second: ESR and giant cell
        arteritis steps filled Do now beside a confirmed pernicious anaemia, with no word of B12); "" otherwise."""
        acting = self.acting_regimen
        do_now = self.do_now
        if not do_now or acting not in TREATMENT_REGIMENS or any(s.starts_b12 for s in do_now):
            return ""
        return (
            "Then, for the B12: take the work-up bloods, then B12 as the B12 plan below says; the steps above do not "
            "delay it."
        )

    @property
    def pregnancy_esr_to_place(self) -> bool:
        """Pregnant, ESR above the second trimester's range: raised unless the trimester says otherwise."""
        return self.case.pregnant and self.case.esr > SECOND_TRIMESTER_TOP

    @property
    def all_clear(self) -> bool:
        """Nothing urgent, nothing to start or test for B12, and no inflammation to work up: the only case the
        Do-now block may show as an all-clear (green)."""
        return (
            not self.do_now
            and self.regimen == "none"
            and self.corrected_regimen in ("", "none")
            and self.esr_flag == "normal"
            and self.crp_state != "raised"
            and not (self.case.mcv is not None and self.case.mcv > MACROCYTOSIS_MCV)  # its causes to look for
            and not self.anaemia_unexplained
            and not self.pregnancy_esr_to_place
        )

    @property
    def anaemia_unexplained(self) -> bool:
        """A mild or moderate anaemia beside a B12 plan that gives no treatment: the plan gives it its own work-up
        (b12logic.rules.next_steps decides; a severe one has its urgent step)."""
        return ANAEMIA_OWN_WORKUP in self.next_steps

    def statements(self, kind: str) -> tuple[Statement, ...]:
        """The B12 plan's and the ESR's statements of one kind (do_now: ranked), each said once."""
        if kind == "do_now":
            return self.do_now
        seen: dict[str, Statement] = {}
        for s in (*self.next_steps, *self.esr_workup, *self.caveats):
            if s.kind == kind:
                seen.setdefault(s.text, s)
        return tuple(seen.values())

    @property
    def regimen_label(self) -> str:
        return REGIMEN_LABELS[self.regimen]

    @property
    def esr_flag_label(self) -> str:
        if self.case.pregnant and self.esr_flag == "elevated":  # code-blind read s11: "for age and sex" in pregnancy
            return PREGNANCY_ESR_RAISED
        if self.case.pregnant and self.esr_flag == "normal":  # the age/sex limit does not apply in pregnancy
            if self.case.esr > FIRST_TRIMESTER_TOP:
                return PREGNANCY_ESR_THIRD_ONLY
            return PREGNANCY_ESR_NOT_SECOND if self.case.esr > SECOND_TRIMESTER_TOP else PREGNANCY_ESR_NORMAL
        return ESR_FLAG_LABELS[self.esr_flag]

    @property
    def safety_steps(self) -> tuple[Statement, ...]:
        """The urgent steps of the B12 plan and the ESR reading (shown first, in the verdict itself)."""
        return self.do_now

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
            return [s.to_dict() for s in items]

        return {
            "case": self.case.to_dict(),
            "guideline": self.guideline,
            "b12_status": self.b12_status,
            "b12_status_label": self.status_label,
            "headline": self.headline,
            "source_rule_differs": bool(self.correction),
            "correction": self.correction,
            "regimen": self.regimen,
            "regimen_text": self.regimen_detail.text if self.regimen_detail else self.regimen_headline,
            "oral_alternative": self.oral_alternative,
            "oral_regimen_text": self.oral_regimen.text if self.oral_regimen else None,
            "severe": self.severe,
            "anaemia_grade": self.anaemia_grade,
            "anaemia_grade_label": self.anaemia_grade_label,
            "do_now": statements(self.do_now),
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


def evaluate(
    case: Case, guideline: str | GuidelineProfile = DEFAULT_PROFILE, crp_limit: float = DEFAULT_CRP_LIMIT_MG_L
) -> Assessment:
    """Assess one case. Raises CaseError only for an unknown guideline (the Case is valid by construction).

    `crp_limit` is the laboratory's CRP upper limit in mg/L (5 by default): it only shapes the ESR reading.
    """
    profile = get_profile(guideline)
    b12 = case.b12_pg_ml
    hb = case.hb_g_dl
    limit = esr_upper_limit(case.age, case.sex, case.pregnant)
    view = view_of(case, limit)
    of_case = case_facts(case, view)
    judgment = judge(case, profile, view, of_case)
    path, status, regimen = judgment.path, judgment.status, judgment.regimen
    _, adjacency = graph_for(profile)
    esr_path = walk(adjacency, ESR_ROOT, view, profile)
    flag = esr_flag(case.esr, limit)
    oral = regimen == "oral_or_im"
    risks = case.risk_factors
    correction, corrected_regimen, guideline_acts = "", "", False
    if profile.reads_context:
        steps = b12_next_steps(profile, judgment.facts)
    else:
        corrector = judge(case, profile.correcting, view, of_case).facts
        steps, correction = source_steps(profile, judgment.facts, corrector)
        corrected_regimen = corrector.regimen if correction else ""
        guideline_acts = corrector.regimen in GUIDELINE_ACTS
    pitfalls = remembered_pitfalls(
        PitfallFacts(
            on_folic_acid=case.on_folic_acid,
            neuro=case.neuro_symptoms,
            status=status,
            regimen=regimen,
            esr_flag=flag,
            anaemic=anaemic_hb(view.hb, case.sex == "female", case.pregnant),
            renal_impairment=case.renal_impairment,
            mma_measured=case.mma_read_nmol_l is not None,
            nitrous_oxide="nitrous_oxide" in risks,
            lasting_cause=view.lasting_cause,
            **b12_pitfall_facts(b12, profile),
            duration_rule=profile.duration_rule,
            guideline_acts=guideline_acts,
            pregnant=case.pregnant,
        )
    )
    treated = regimen if regimen in ("im_neuro", "im_standard") else ("im_standard" if oral else None)
    follow_up = (
        profile
        if regimen in TREATMENT_REGIMENS
        else profile.correcting
        if corrected_regimen in TREATMENT_REGIMENS
        else None
    )
    crp = crp_state(case.crp_mg_l, crp_limit)
    _, why_parts = why_lookups(profile)
    return Assessment(
        case=case,
        guideline=profile.id,
        b12_status=status,
        regimen=regimen,
        regimen_detail=regimen_for(profile, treated, risks) if treated else None,
        oral_alternative=oral,
        oral_regimen=regimen_for(profile, "oral", risks) if oral else None,
        severe=judgment.severe,
        esr_flag=flag,
        esr_upper_limit=limit,
        esr_above_naive_cutoff=case.esr > NAIVE_ESR_CUTOFF,
        next_steps=steps,
        esr_workup=_esr_workup(
            flag,
            case.age,
            crp,
            case.pregnant,
            crp_limit,
            case.esr if case.pregnant else 0.0,
            crp_above_marked(case.crp_mg_l),
            judgment.anaemia_grade in ANAEMIC_GRADES,
        ),
        pitfalls=pitfalls,
        caveats=caveats(case, profile, status, b12, path[-1]),
        warnings=warnings(case, b12),
        # A treatment the source's correction starts is followed up as the correcting guideline says (s12).
        monitoring=_monitoring(follow_up, case.pregnant, "nitrous_oxide" in case.risk_factors) if follow_up else (),
        monitoring_caveat=follow_up.monitoring_caveat if follow_up else "",
        decision_path=path,
        esr_path=esr_path,
        why=why(why_parts, path + esr_path, case, b12, hb, limit),
        mechanism_lit=mechanism_lit(case, profile, status, flag, hb),
        anaemia_grade=judgment.anaemia_grade,
        status_headline=headline_label(profile, judgment.facts),
        correction=correction,
        corrected_regimen=corrected_regimen,
        crp_state=crp,
        crp_limit=crp_limit,
    )


@lru_cache(maxsize=4096)
def source_steps(profile: GuidelineProfile, own: PlanFacts, guideline: PlanFacts) -> tuple[tuple[Statement, ...], str]:
    """The source's statements with the correcting guideline's urgent steps beside them, and the correction the
    headline carries when that guideline would act otherwise on this case (treat, test first, or not treat).
    Remembered: the profile and the two judgments' facts decide every word."""
    return _corrected(b12_next_steps(profile, own), own, guideline, profile.correcting)


def _corrected(
    steps: tuple[Statement, ...], own: PlanFacts, guideline: PlanFacts, correcting: GuidelineProfile
) -> tuple[tuple[Statement, ...], str]:
    guideline_steps = b12_next_steps(correcting, guideline)
    # One step per rank: the judgment that acts more speaks for it, so a step worded for "not deficient" never
    # stands beside a source headline that treats (the guideline's other urgent steps still join).
    own_acts_more = ACTION_LEVEL[own.regimen] > ACTION_LEVEL[guideline.regimen]
    if not own_acts_more:  # a source step the guideline's own step already says (s11: "Stop the nitrous oxide.")
        said_urgently = [g.text for g in guideline_steps if g.kind == "do_now"]
        steps = tuple(
            s
            for s in steps
            if not (s.kind == "do_now" and any(t.startswith(s.text.rstrip(".")) for t in said_urgently))
        )
    do_now = ranked_do_now(steps, guideline_steps) if own_acts_more else ranked_do_now(guideline_steps, steps)
    rest = tuple(s for s in steps if s.kind != "do_now")
    if ACTION_LEVEL[guideline.regimen] > ACTION_LEVEL[own.regimen]:
        # The guideline acts where the source does not: the source's plan lines are marked as its rule, the
        # guideline's regimen opens the plan, and the work-up its plan depends on joins (independent read s7, F3).
        rest = tuple(
            replace(s, text=f"The source's rule: {s.text}", short=f"The source's rule: {s.brief}")
            if s.kind == "plan" and SOURCE_CITATION in s.citations
            else s
            for s in rest
        )
        # "B12 does not explain this anaemia" is the source's reading: not said where the guideline tests or treats.
        rest = tuple(s for s in rest if s != ANAEMIA_OWN_WORKUP)
        if guideline.regimen in TREATMENT_REGIMENS:
            # The treatment it starts comes with its follow-up (code-blind read s12: no response check at all).
            response = tuple(
                g for g in guideline_steps if is_response_check(g) and g.text not in {s.text for s in rest}
            )
            rest = (regimen_statement(correcting, guideline), *response, *rest)
        # A test the source's lines already ask for is asked once (independent read s8b, F5: "Measure MMA" twice).
        said = {s.text for s in rest}
        asked = {m for s in rest for m in s.measures}
        # The guideline's bloods line always joins: only it says "before the first dose" (code-blind read s11,
        # finding 5: the source's "with the tests" stood beside a Do-now step that starts B12).
        joined = tuple(
            s
            for s in guideline_steps
            if s.kind == "workup"
            and s.text not in said
            and (is_workup_bloods(s) or not (s.measures and set(s.measures) <= asked))
        )
        if any(is_workup_bloods(s) for s in joined):  # one bloods line, the guideline's "before the first dose"
            rest = tuple(s for s in rest if not is_workup_bloods(s))
            # A test the source's own lines still ask for goes with those bloods too (code-blind read s11, fifth:
            # "Measure MMA" under the source beside a Do-now step that starts B12, MMA not in the pre-dose list).
            source_asks = [m for m in ("mma", "homocysteine", "active_b12") if m in asked]
            if guideline.regimen in TREATMENT_REGIMENS and source_asks:
                joined = tuple(with_samples(s, source_asks) if is_workup_bloods(s) else s for s in joined)
        rest = (*rest, *joined)
    merged = (*do_now, *rest)
    # The same action can still rest on a diagnosis the guideline does not make (s8c, F1: "functional deficiency"
    # from a raised MMA beside renal impairment): the source's label is marked then too.
    # So is a headline the guideline words otherwise for what decides (s8d, S7: pregnancy reads active B12 first).
    same_diagnosis = (own.status in DEFICIENT_STATUSES) == (guideline.status in DEFICIENT_STATUSES)
    same_words = (
        headline_label(correcting, guideline) == STATUS_LABELS[guideline.status] or own.status != guideline.status
    )
    if ACTION_LEVEL[guideline.regimen] == ACTION_LEVEL[own.regimen] and same_diagnosis and same_words:
        return merged, ""
    correction = (
        f"Under {correcting.teaching_name}: {headline_label(correcting, guideline)}; "
        f"{REGIMEN_LABELS[guideline.regimen]}"
        + (" now, while the tests are awaited" if guideline.awaiting else "")
        + "."
        + (
            " In pregnancy NICE NG239 reads active B12 first, because total B12 falls in normal pregnancy."
            if guideline.pregnant
            else ""
        )
    )
    return merged, correction


def esr_urgency(assessment: Assessment) -> tuple[Statement, ...]:
    """The ESR's urgent steps, for exports that carry one next-steps cell (the batch CSV). The B12 next steps
    never include them, so the ESR cannot change the B12 plan."""
    return esr_urgent_steps(
        assessment.esr_flag,
        assessment.case.age >= GCA_AGE,
        assessment.crp_state,
        crp_above_marked(assessment.case.crp_mg_l),
        assessment.crp_limit,
        assessment.case.pregnant,
        assessment.case.age >= MYELOMA_TEST_AGE,
        assessment.anaemia_grade in ANAEMIC_GRADES,
    )


# The source's schedule says nothing of pregnancy: NICE NG239's 1-month review is said before it, as a correction
# (code-blind reads s13, second and third: a pregnant woman with Hb 6.4 had "at 3 months" as her first review).
_PREGNANCY_REVIEW_CORRECTION = MonitoringItem(
    1,
    # Its first words are the timeline's marker label ("Pregnancy review"): short, so it does not overlap month 3's.
    "Pregnancy review (a correction, NICE NG239: symptoms and response at 1 month; the source gives no pregnancy "
    "review). Total B12 falls in normal pregnancy, so the source's serum B12 rechecks below do not measure "
    "deficiency during it",
    ("NICE NG239",),
)


# The source's serum B12 rechecks cannot follow a deficiency that a normal total B12 hid (code-blind read s14,
# first: "Serum B12 and full blood count" at 3, 6 and 12 months beside nitrous oxide, with no word on it).
_NITROUS_OXIDE_RECHECK_CORRECTION = MonitoringItem(
    None,
    "Nitrous oxide (a correction): total B12 is often in range with it, so the source's serum B12 rechecks do not "
    "follow this deficiency; homocysteine or MMA was its test, and the symptoms are followed",
    ("NICE NG239", "Practical Neurology 2023"),
)


def _monitoring(profile: GuidelineProfile, pregnant: bool, nitrous_oxide: bool = False) -> tuple[MonitoringItem, ...]:
    """The profile's follow-up; NICE NG239 reviews at 1 month instead of 3 in pregnancy. Under the source, the
    corrections its schedule needs for pregnancy and nitrous oxide come with it."""
    if profile.follows_source:
        n2o = (_NITROUS_OXIDE_RECHECK_CORRECTION,) if nitrous_oxide else ()
        return (*((_PREGNANCY_REVIEW_CORRECTION,) if pregnant else ()), *profile.monitoring, *n2o)
    if not pregnant:
        return profile.monitoring
    return tuple(
        MonitoringItem(1, "Review symptoms and response (pregnant: 1 month, not 3)", m.citations) if m.month == 3 else m
        for m in profile.monitoring
    )


# Remembered answers: the same few combinations recur (the slider, a batch's bad rows).
_esr_workup = lru_cache(maxsize=1024)(esr_workup)


__all__ = [
    "B12_STATUSES",
    "DEFICIENT_STATUSES",
    "ESR_FLAG_LABELS",
    "HOMOCYSTEINE_SUGGESTS_B12",
    "HOMOCYSTEINE_TARGET",
    "HOMOCYSTEINE_UPPER",
    "MACROCYTOSIS_MCV",
    "PITFALL_IDS",
    "REGIMENS",
    "REGIMEN_LABELS",
    "SEVERE_B12_PG_ML",
    "SEVERE_HB_G_DL",
    "STATUS_LABELS",
    "TREATMENT_REGIMENS",
    "UNUSUAL_B12",
    "Assessment",
    "Pitfall",
    "PitfallFacts",
    "PlanFacts",
    "b12_next_steps",
    "esr_urgency",
    "evaluate",
    "graph_for",
    "nodes_for",
    "pitfalls_for",
    "source_steps",
    "status_of_path",
]
