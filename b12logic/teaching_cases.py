"""Curated teaching cases: short stories with labs, a teaching point and citations.

The quiz answers are never written here: `TeachingCase.answer()` asks the engine, so a case can
never teach something the rules do not say. Values use the shareable-link names of urlstate.py,
so loading a case into the app, its link and its Case all agree.

>>> tc = TEACHING_CASES["older_woman_esr"]
>>> tc.case().esr > 20, tc.answer().esr_flag
(True, 'normal')
>>> tc.answer().esr_changes_plan
False
>>> teaching_case_link(tc)[:24]
'?age=82&sex=female&b12=4'
>>> teaching_case_link(tc, page="treatment")[:13]
'treatment?age'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from b12logic.case import Case
from b12logic.engine import TREATMENT_REGIMENS, Assessment, evaluate
from b12logic.fields import risk_factor_names
from b12logic.guidelines import DEFAULT_PROFILE, GuidelineProfile
from b12logic.labels import REGIMEN_LABELS, STATUS_LABELS
from b12logic.urlstate import default_values, query_from_case

# The six statuses in the app's one vocabulary (labels.py): the quiz says them as the verdict does.
QUIZ_STATUS_LABELS: dict[str, str] = STATUS_LABELS

# Next step for the B12 plan: one choice per regimen, plus the two kinds of "test first".
NEXT_STEPS: dict[str, str] = {
    # The three treatment regimens in the app's one vocabulary (the verdict says the same words).
    **{regimen: REGIMEN_LABELS[regimen] for regimen in ("im_neuro", "im_standard", "oral_or_im")},
    "measure_mma": "No treatment decision yet: measure MMA",
    "measure_mma_hcy": "No treatment decision yet: measure MMA and homocysteine",
    "measure_active_b12": "No treatment decision yet: measure active B12 (the first test in pregnancy)",
    "no_b12_treatment": f"{REGIMEN_LABELS['none']} (look for another cause of any symptoms)",
}

ESR_CHOICES: dict[bool, str] = {
    False: "No: the ESR is worked up on its own; the B12 plan stays the same",
    True: "Yes: the ESR result changes the B12 status or treatment",
}


def _start_now(assessment: Assessment) -> bool:
    """The verdict's own urgent steps say to start B12 now (its Do-now block), even where the profile's fixed
    rule still says test first (the source; its headline then says guidelines differ): the quiz teaches the
    safe step."""
    return assessment.regimen not in TREATMENT_REGIMENS and any(s.starts_b12 for s in assessment.do_now)


def _active_b12_first(assessment: Assessment) -> bool:
    """Pregnant, active B12 not measured, deficiency not excluded: active B12 is the first test (NICE NG239)."""
    case = assessment.case
    return case.pregnant and case.active_b12 is None and assessment.b12_status not in ("normal", "not_confirmed")


def next_step_of(assessment: Assessment) -> str:
    """The NEXT_STEPS key of the engine's answer (the one the quiz shows as the model answer)."""
    if _start_now(assessment):  # the guideline's regimen that the Do-now step starts (folic acid: not neuro)
        corrected = assessment.corrected_regimen
        return corrected if corrected in TREATMENT_REGIMENS else "im_neuro"
    if assessment.regimen in ("im_neuro", "im_standard", "oral_or_im"):
        return assessment.regimen
    if assessment.b12_status == "indeterminate_needs_mma":
        return "measure_active_b12" if _active_b12_first(assessment) else "measure_mma"
    if assessment.b12_status == "normal_needs_mma_hcy":
        return "measure_mma_hcy"
    return "no_b12_treatment"


def accepted_next_steps(assessment: Assessment) -> frozenset[str]:
    """Every NEXT_STEPS answer the engine allows for this case.

    The oral-or-IM plan allows the standard IM regimen too; with neurological symptoms and tests pending, the
    verdict says not to delay treatment when the features are strong, so starting the neurological regimen is
    right as well (and, with nitrous oxide, the only right answer).
    """
    primary = next_step_of(assessment)
    accepted = {primary}
    if assessment.regimen == "oral_or_im":
        accepted.add("im_standard")
    if assessment.regimen == "pending_tests" and assessment.case.neuro_symptoms:
        accepted.add("im_neuro")
    nitrous_neuro = "nitrous_oxide" in assessment.case.risk_factors and assessment.case.neuro_symptoms
    if assessment.regimen == "pending_tests" and not nitrous_neuro:  # the rule's tests are right too (not with N2O)
        accepted.add("measure_mma" if assessment.b12_status == "indeterminate_needs_mma" else "measure_mma_hcy")
    if _active_b12_first(assessment):  # whatever the profile's rule, NICE NG239's first test is right too
        accepted.add("measure_active_b12")
    return frozenset(accepted)


def _b12_plan(a: Assessment) -> tuple[Any, ...]:
    return (a.b12_status, a.regimen, a.severe, tuple(s.text for s in a.next_steps))


@dataclass(frozen=True)
class QuizAnswer:
    """The engine's answers to the three quiz questions, with the assessment behind them."""

    b12_status: str
    next_step: str
    esr_changes_plan: bool
    esr_flag: str
    assessment: Assessment
    accepted_next_steps: frozenset[str] = frozenset()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.b12_status]  # the verdict's words (issue 19: the quiz had its own)

    @property
    def next_step_label(self) -> str:
        return NEXT_STEPS[self.next_step]


@dataclass(frozen=True)
class TeachingCase:
    """One curated case. `values` uses the link/CSV names; anything missing takes the app's default."""

    id: str
    title: str
    story: str
    values: Mapping[str, Any]
    teaching_point: str
    citations: tuple[str, ...]
    # What this case is there to show (checked against the engine by tests/test_teaching_cases.py).
    features: frozenset[str] = field(default_factory=frozenset)

    def full_values(self) -> dict[str, Any]:
        """Every shared-case value: this case's, over the app's defaults (source profile, nothing measured)."""
        merged = default_values()
        for name in ("mma", "homocysteine", "mcv", "hb", "active_b12", "crp"):
            merged[name] = None
        merged.update(self.values)
        merged["risk_factors"] = frozenset(merged.get("risk_factors") or ())
        return merged

    def case(self) -> Case:
        values = self.full_values()
        names = [n for n in Case.__dataclass_fields__ if n != "id"]
        return Case(**{n: values[n] for n in names}, id=self.id)

    def assess(self, guideline: str | GuidelineProfile = DEFAULT_PROFILE) -> Assessment:
        return evaluate(self.case(), guideline)

    def answer(self, guideline: str | GuidelineProfile = DEFAULT_PROFILE) -> QuizAnswer:
        """The quiz answers, from the engine. "Does the ESR change the plan?" is answered by
        re-evaluating the case with an ESR of 0 and comparing the B12 plans."""
        assessment = self.assess(guideline)
        calm = evaluate(Case(**{**_case_kwargs(self.case()), "esr": 0.0}), guideline)
        return QuizAnswer(
            b12_status=assessment.b12_status,
            next_step=next_step_of(assessment),
            esr_changes_plan=_b12_plan(calm) != _b12_plan(assessment),
            esr_flag=assessment.esr_flag,
            assessment=assessment,
            accepted_next_steps=accepted_next_steps(assessment),
        )


@dataclass(frozen=True)
class Grade:
    """How one set of quiz answers scored: one point per question right."""

    status_right: bool
    next_step_right: bool
    esr_right: bool

    @property
    def points(self) -> int:
        return int(self.status_right) + int(self.next_step_right) + int(self.esr_right)

    POSSIBLE = 3


def grade(
    tc: TeachingCase,
    status: str,
    next_step: str,
    esr_changes_plan: bool,
    guideline: str | GuidelineProfile = DEFAULT_PROFILE,
) -> Grade:
    """Mark the three answers against the engine's.

    >>> g = grade(TEACHING_CASES["very_high_esr"], "normal", "no_b12_treatment", True)
    >>> g.points, g.esr_right
    (2, False)
    """
    right = tc.answer(guideline)
    return Grade(
        status_right=status == right.b12_status,
        next_step_right=next_step in right.accepted_next_steps,
        esr_right=esr_changes_plan == right.esr_changes_plan,
    )


def lab_lines(tc: TeachingCase) -> list[tuple[str, str]]:
    """The case's findings as (label, value with unit) lines, for the quiz card and the presenter."""
    case = tc.case()
    lines = [
        ("Patient", f"{case.age:g}-year-old {'woman' if case.sex == 'female' else 'man'}"),
        ("Total B12", f"{case.b12:g} {case.b12_unit}"),
        ("MMA", "not measured" if case.mma is None else f"{case.mma:g} {case.mma_unit}"),
    ]
    if case.homocysteine is not None:
        lines.append(("Homocysteine", f"{case.homocysteine:g} µmol/L"))
    lines.append(("ESR", f"{case.esr:g} mm/h"))
    if case.hb is not None:
        lines.append(("Haemoglobin", f"{case.hb:g} {case.hb_unit}"))
    if case.mcv is not None:
        lines.append(("MCV", f"{case.mcv:g} fL"))
    lines.append(("Neurological symptoms", "yes" if case.neuro_symptoms else "no"))
    lines.append(("Taking folic acid", "yes" if case.on_folic_acid else "no"))
    if case.active_b12 is not None:
        lines.append(("Active B12", f"{case.active_b12:g} pmol/L"))
    if case.crp is not None:
        lines.append(("CRP", f"{case.crp:g} {case.crp_unit}"))
    if case.pregnant:
        lines.append(("Pregnant", "yes"))
    if case.renal_impairment:
        lines.append(("Renal impairment", "yes"))
    if case.risk_factors:
        lines.append(("Risk factors", risk_factor_names(case.risk_factors)))
    return lines


def _case_kwargs(case: Case) -> dict[str, Any]:
    return {n: getattr(case, n) for n in Case.__dataclass_fields__}


def teaching_case_query(tc: TeachingCase, guideline: str = DEFAULT_PROFILE) -> dict[str, str]:
    """The case's query parameters (names as in DESIGN.md's shareable links)."""
    return query_from_case(tc.case(), guideline)


def teaching_case_link(tc: TeachingCase, page: str = "", guideline: str = DEFAULT_PROFILE) -> str:
    """A relative link that opens the case, e.g. for slides: '?age=68&sex=female&...' opens it in the Explorer
    (the app's default page, served at its root URL); page="treatment" gives 'treatment?age=68&...'."""
    return f"{page.strip('/')}?{urlencode(teaching_case_query(tc, guideline))}"


_CASES: tuple[TeachingCase, ...] = (
    TeachingCase(
        id="metformin_fatigue",
        title="Tired on metformin",
        story="A 68-year-old woman with type 2 diabetes, on metformin for nine years, has felt tired for months. "
        "No numbness, no unsteadiness. Her GP also sent an ESR.",
        values={
            "age": 68,
            "sex": "female",
            "b12": 150,
            "esr": 30,
            "hb": 11.6,
            "mcv": 104,
            "risk_factors": {"metformin"},
        },
        teaching_point="A total B12 below 180 pg/mL is deficiency. Without nerve symptoms or severe disease, daily "
        "oral cyanocobalamin is a fair alternative to injections. Her ESR of 30 mm/h looks high only by the "
        "old 20 mm/h rule: for a 68-year-old woman the limit is 39.",
        citations=("source", "AFP 2025", "Cochrane 2018", "Miller 1983"),
        features=frozenset({"non_neuro", "oral_option"}),
    ),
    TeachingCase(
        id="vegan_paraesthesia",
        title="Pins and needles on a vegan diet",
        story="A 45-year-old man, vegan for twelve years without supplements, has tingling feet and has started "
        "to stumble in the dark. His blood count is normal.",
        values={
            "age": 45,
            "sex": "male",
            "b12": 120,
            "esr": 8,
            "hb": 13.9,
            "mcv": 96,
            "neuro_symptoms": True,
            "risk_factors": {"vegan_diet"},
        },
        teaching_point="Nerve damage can come before anaemia: over a quarter of neurological cases have a normal "
        "haematocrit or MCV. Neurological involvement means the alternate-day IM regimen and urgent "
        "specialist advice, not tablets.",
        citations=("source", "Lindenbaum 1988", "BNF / NICE CKS"),
        features=frozenset({"neuro", "normal_blood_count"}),
    ),
    TeachingCase(
        id="severe_anaemia",
        title="Breathless with a haemoglobin of 7.2",
        story="A 74-year-old woman with vitiligo and hypothyroidism is breathless walking upstairs. Her tongue is "
        "sore. No nerve symptoms.",
        values={
            "age": 74,
            "sex": "female",
            "b12": 140,
            "esr": 48,
            "hb": 7.2,
            "mcv": 118,
            "risk_factors": {"pernicious_anaemia"},
        },
        teaching_point="Hb below 8 g/dL is severe anaemia (WHO): by the app's working definition the deficiency is "
        "severe, so IM, not oral. Bloods before the first dose; potassium can fall sharply once treatment starts "
        "(check it over 48 hours); avoid transfusion where possible (circulatory overload); chest pain or heart "
        "failure would mean hospital care. Her ESR is above her limit of 42 mm/h and anaemia alone raises it: it still "
        "gets its own work-up, and at 74 giant cell arteritis is asked about.",
        citations=(
            "source",
            "WHO",
            "BNF / NICE CKS",
            "Cyanocobalamin label",
            "UK Transfusion Handbook",
            "Health Eval Promot 28(3)",
            "BSR 2020",
        ),
        features=frozenset({"non_neuro", "severe_hb", "anaemia_raises_esr", "autoimmune"}),
    ),
    TeachingCase(
        id="anaemia_and_esr",
        title="Anaemia and a raised ESR",
        story="A 58-year-old man is found to be anaemic at a routine check. His MCV is high and his ESR is "
        "38 mm/h. He feels well apart from tiredness.",
        values={"age": 58, "sex": "male", "b12": 165, "esr": 38, "hb": 10.4, "mcv": 108},
        teaching_point="Anaemia of any cause modestly raises the ESR (about 2.3 mm/h per g/dL of haemoglobin "
        "lost, in 20,926 screening records). That is a weak, confounding link, not a reason to skip the ESR's own work-up, and never a reason "
        "to change the B12 plan. Do not 'correct' the ESR for the anaemia: those formulas are not validated.",
        citations=("source", "Health Eval Promot 28(3)", "Miller 1983"),
        features=frozenset({"non_neuro", "anaemia_raises_esr", "oral_option"}),
    ),
    TeachingCase(
        id="borderline_no_mma",
        title="A borderline result",
        story="A 52-year-old woman on long-term omeprazole had a B12 checked during a review of her tiredness. "
        "It comes back at 240 pg/mL. No nerve symptoms.",
        values={"age": 52, "sex": "female", "b12": 240, "esr": 14, "risk_factors": {"acid_suppression"}},
        teaching_point="Between 180 and 350 pg/mL the total B12 cannot decide. The source sends this grey zone to "
        "MMA; NICE NG239 also allows active B12 (holotranscobalamin: below 25 pmol/L deficiency, above 70 "
        "unlikely) and keeps MMA second line for people with symptoms or signs.",
        citations=("source", "NICE NG239"),
        features=frozenset({"non_neuro", "borderline"}),
    ),
    TeachingCase(
        id="borderline_mma_normal",
        title="Borderline B12, MMA back",
        story="A 39-year-old woman with a borderline B12 of 290 pg/mL had an MMA measured. It is 190 nmol/L. She "
        "has no nerve symptoms.",
        values={"age": 39, "sex": "female", "b12": 290, "mma": 190, "esr": 12},
        teaching_point="MMA at or below the laboratory's upper limit means deficiency is not confirmed: no B12 "
        "treatment. The app's 271 nmol/L is Mayo Clinic Laboratories' limit for one assay (73–271), not a "
        "universal cut-off; read the MMA against your own laboratory's.",
        citations=("source", "Mayo"),
        features=frozenset({"non_neuro", "borderline"}),
    ),
    TeachingCase(
        id="renal_mma",
        title="Raised MMA and kidney disease",
        story="A 79-year-old man with stage 4 chronic kidney disease has a B12 of 230 pg/mL. His MMA is "
        "420 nmol/L. He has no nerve symptoms.",
        values={"age": 79, "sex": "male", "b12": 230, "mma": 420, "esr": 35, "hb": 12.2, "renal_impairment": True},
        teaching_point="By the rule, an MMA above the laboratory's limit (here 271 nmol/L) with a borderline B12 "
        "supports functional deficiency. But impaired kidneys raise MMA by themselves: in people with a low-normal "
        "B12, MMA not adjusted for eGFR overestimated deficiency by 40%. Read the MMA with the eGFR before "
        "committing to lifelong treatment.",
        citations=("source", "Ann Clin Biochem 2018", "Mayo"),
        features=frozenset({"non_neuro", "borderline", "renal_mma"}),
    ),
    TeachingCase(
        id="nitrous_oxide",
        title="Numb hands after festival season",
        story="A 34-year-old man has had numb hands and a wide-based gait for three weeks. He mentions inhaling "
        "'balloons' most weekends this summer. His B12 is 410 pg/mL.",
        values={
            "age": 34,
            "sex": "male",
            "b12": 410,
            "esr": 6,
            "neuro_symptoms": True,
            "risk_factors": {"nitrous_oxide"},
        },
        teaching_point="Nitrous oxide inactivates cobalamin, so the total B12 often looks normal: homocysteine or "
        "MMA is the first test (total B12 detects only 20–50% of nitrous oxide myeloneuropathy, MMA or "
        "homocysteine 80–90%). The safe step is to stop the nitrous oxide and start B12 (the neurological "
        "regimen) before the results return, with urgent neurological input: treated early it can recover. The "
        "source's rule, test and decide later, is the unsafe delay here.",
        citations=("NICE NG239", "Practical Neurology 2023", "RCEM 2024", "source"),
        features=frozenset({"neuro"}),
    ),
    TeachingCase(
        id="neuro_functional",
        title="Normal B12, raised MMA, unsteady",
        story="A 61-year-old woman on a proton-pump inhibitor for ten years has burning feet and falls. Her B12 is "
        "380 pg/mL, MMA 650 nmol/L and homocysteine 28 µmol/L.",
        values={
            "age": 61,
            "sex": "female",
            "b12": 380,
            "mma": 650,
            "homocysteine": 28,
            "esr": 20,
            "neuro_symptoms": True,
            "risk_factors": {"acid_suppression"},
        },
        teaching_point="With nerve symptoms, a raised MMA supports functional deficiency even though the total B12 "
        "is above range (homocysteine above 20 µmol/L points the same way when folate is replete). The "
        "neurological IM regimen, and urgent specialist advice.",
        citations=("source", "AFP 2017", "Harrington 2017", "BNF / NICE CKS"),
        features=frozenset({"neuro"}),
    ),
    TeachingCase(
        id="neuro_mma_normal",
        title="Neuropathy, B12 not the cause",
        story="A 55-year-old woman with long-standing diabetes has numb feet in a stocking pattern. Her B12 is "
        "520 pg/mL and her MMA is 180 nmol/L.",
        values={"age": 55, "sex": "female", "b12": 520, "mma": 180, "esr": 25, "neuro_symptoms": True},
        teaching_point="B12 above range and MMA not raised: B12 deficiency is unlikely to explain the symptoms. "
        "Look for other causes of the neuropathy instead of giving B12 'just in case'.",
        citations=("source", "AFP 2017"),
        features=frozenset({"neuro"}),
    ),
    TeachingCase(
        id="very_high_esr",
        title="ESR 112, B12 fine",
        story="A 71-year-old man has lost 6 kg and has back pain. His ESR is 112 mm/h. Someone has also sent a "
        "B12, which is 480 pg/mL. No nerve symptoms.",
        values={"age": 71, "sex": "male", "b12": 480, "esr": 112, "hb": 13.4},
        teaching_point="The B12 plan is simple (no deficiency, no treatment) and the ESR does not change it. The "
        "ESR of 100 mm/h or more is the urgent problem: in Fincher's series about 90% of such results had a "
        "cause, most often infection, malignancy (think of myeloma) or renal disease. At 71 with a raised ESR, ask "
        "about giant cell arteritis too.",
        citations=("source", "Fincher 1986", "BSR 2020"),
        features=frozenset({"non_neuro", "very_high_esr_normal_b12"}),
    ),
    TeachingCase(
        id="older_woman_esr",
        title="An 82-year-old woman with an ESR of 38",
        story="An 82-year-old woman, well and active, had bloods at a health check. Her ESR is 38 mm/h and her B12 "
        "410 pg/mL. A student says the ESR is 'high'.",
        values={"age": 82, "sex": "female", "b12": 410, "esr": 38},
        teaching_point="The ESR rises with age and is higher in women, which is why a fixed 20 mm/h cut-off misleads "
        "and Miller's age-adjusted rule exists: her limit is (82 + 10) / 2 = 46 mm/h, so 38 is within it. Miller's "
        "rule is the permissive one in old age: in 3,910 healthy Norwegians the 95th centile for women was only 21 "
        "mm/h at 55 and 23 at 90. So 38 is not a finding by the rule, but not proof of health either: the "
        "clinical picture decides.",
        citations=("Miller 1983", "Wetteland 1996"),
        features=frozenset({"non_neuro", "older_woman_normal_for_age"}),
    ),
    TeachingCase(
        id="folic_acid_masking",
        title="Anaemia better, walking worse",
        story="A 70-year-old woman was started on folic acid for a macrocytic anaemia a few months ago. Her "
        "haemoglobin is now nearly normal, but her legs feel numb and she is unsteady. B12 was never checked; "
        "it is 150 pg/mL.",
        values={
            "age": 70,
            "sex": "female",
            "b12": 150,
            "esr": 22,
            "hb": 12.8,
            "mcv": 98,
            "neuro_symptoms": True,
            "on_folic_acid": True,
        },
        teaching_point="Folic acid bypasses the methyl-folate trap, so the anaemia improves, but it does nothing for "
        "the myelin: subacute combined degeneration can progress. Never give folic acid alone before B12 "
        "deficiency is excluded or treated.",
        citations=("source", "BNF / NICE CKS"),
        features=frozenset({"neuro", "on_folic_acid"}),
    ),
    TeachingCase(
        id="pmol_lab",
        title="A laboratory that reports pmol/L",
        story="A 48-year-old woman's laboratory reports her B12 as 140 pmol/L. A colleague quotes the source: "
        "'< 150 pmol/L is deficient'. No nerve symptoms.",
        values={"age": 48, "sex": "female", "b12": 140, "b12_unit": "pmol/L", "esr": 18},
        teaching_point="1 pg/mL = 0.738 pmol/L, so 140 pmol/L is 190 pg/mL: borderline, not deficient. The "
        "source's pair '< 180 pg/mL (< 150 pmol/L)' is wrong; 180 pg/mL is 133 pmol/L. Always convert with "
        "the factor.",
        citations=("source", "NICE NG239"),
        features=frozenset({"non_neuro", "pmol_l", "borderline"}),
    ),
    TeachingCase(
        id="myeloma_clue",
        title="ESR 118 and a low B12",
        story="A 67-year-old man has bone pain and recurrent chest infections. His ESR is 118 mm/h, haemoglobin "
        "9.8 g/dL and B12 170 pg/mL.",
        values={"age": 67, "sex": "male", "b12": 170, "esr": 118, "hb": 9.8, "mcv": 99},
        teaching_point="Treat the low B12 on its own criteria, but do not let it explain everything: an ESR of "
        "100 mm/h or more needs urgent work-up, and myeloma can give both a very high ESR and a spuriously low B12. "
        "Protein electrophoresis belongs on the list.",
        citations=("source", "Fincher 1986"),
        features=frozenset({"non_neuro", "anaemia_raises_esr", "oral_option"}),
    ),
)

_CASES += (
    TeachingCase(
        id="neuro_b12_in_range",
        title="Numb feet, B12 in range",
        story="A 66-year-old man on metformin for years has numb feet and is unsteady in the dark. His B12 is "
        "420 pg/mL; no MMA or homocysteine yet. No nitrous oxide.",
        values={
            "age": 66,
            "sex": "male",
            "b12": 420,
            "esr": 18,
            "neuro_symptoms": True,
            "risk_factors": {"metformin"},
        },
        teaching_point="A B12 in range does not exclude deficiency when there are nerve symptoms: measure MMA and "
        "homocysteine. Seek urgent specialist advice; if the features are strong, treatment is not delayed for "
        "the results (the source would only test). People of Black ethnicity have higher B12 ranges, so 'in range' "
        "reassures even less.",
        citations=("source", "AFP 2017", "BSH 2014", "BNF / NICE CKS", "NICE NG239"),
        features=frozenset({"neuro"}),
    ),
    TeachingCase(
        id="pregnant_borderline",
        title="Tired in the second trimester",
        story="A 31-year-old woman, 22 weeks pregnant, is tired. Her total B12 is 170 pg/mL and her ESR is 45 mm/h. "
        "No nerve symptoms; haemoglobin 11.4 g/dL.",
        values={"age": 31, "sex": "female", "b12": 170, "esr": 45, "hb": 11.4, "pregnant": True},
        teaching_point="Total B12 falls in normal pregnancy, so under NICE NG239 active B12 is the first test; seek "
        "urgent haematology advice and review at 1 month. The ESR rises in pregnancy too: the age/sex limit does "
        "not apply (second-trimester range 7–47 mm/h), so 45 is not a finding here.",
        citations=("NICE NG239", "BNF / NICE CKS", "Abbassi-Ghanavati 2009"),
        features=frozenset({"non_neuro", "pregnant"}),
    ),
    TeachingCase(
        id="gca_headache",
        title="New headache at 76, borderline B12",
        story="A 76-year-old woman has a new temporal headache and pain in her jaw when she chews. Her ESR is "
        "64 mm/h and CRP 48 mg/L. Her B12 is 260 pg/mL. No nerve symptoms.",
        values={"age": 76, "sex": "female", "b12": 260, "esr": 64, "crp": 48},
        teaching_point="Two separate questions. The B12 is borderline: MMA (or active B12) decides, calmly. The ESR "
        "and CRP are both raised in a woman over 50 with a new headache and jaw claudication: suspected giant cell "
        "arteritis is a medical emergency, with high-dose glucocorticoid at once, before any result, and a "
        "specialist the same working day. The B12 plan does not change either way.",
        citations=("BSR 2020", "Vigushin 1993", "source"),
        features=frozenset({"non_neuro", "borderline", "gca"}),
    ),
)

TEACHING_CASES: dict[str, TeachingCase] = {tc.id: tc for tc in _CASES}

__all__ = [
    "ESR_CHOICES",
    "NEXT_STEPS",
    "QUIZ_STATUS_LABELS",
    "TEACHING_CASES",
    "Grade",
    "QuizAnswer",
    "TeachingCase",
    "accepted_next_steps",
    "grade",
    "lab_lines",
    "next_step_of",
    "teaching_case_link",
    "teaching_case_query",
]
