"""One human label for each status, regimen, ESR flag, anaemia grade and profile.

Every place that names one of these in words (the verdict, the flowchart, the quiz, the comparison, the CLI
text, the teaching summary) takes the words from here, so a page can never call a case by another name.

>>> STATUS_LABELS["deficient"], ANAEMIA_GRADE_LABELS["unknown"]
('B12 deficient', 'Anaemia not graded: Hb not measured')
>>> profile_label("nice-ng239")
'NICE NG239 (2024)'
"""

from __future__ import annotations

STATUS_LABELS: dict[str, str] = {
    "deficient": "B12 deficient",
    "functional_deficiency": "Functional B12 deficiency",
    "indeterminate_needs_mma": "Indeterminate: MMA decides",
    "not_confirmed": "Deficiency not confirmed",
    "normal_needs_mma_hcy": "B12 in range, deficiency not excluded: MMA and homocysteine decide",
    "normal": "No B12 deficiency",
}
# The indeterminate headline where active B12 comes before MMA (the status stays indeterminate_needs_mma).
INDETERMINATE_PREGNANT = "Indeterminate: in pregnancy active B12 decides first, then MMA if needed"
INDETERMINATE_RENAL_MMA = "Indeterminate: active B12 decides (a raised MMA with renal impairment does not)"
INDETERMINATE_RENAL_BOTH = (
    "Indeterminate: neither active B12 nor a raised MMA with renal impairment settles it; the clinical picture decides"
)
# A recorded cause that cannot be reversed is treated for life whatever the tests show (NICE NG239).
INDETERMINATE_LASTING = "Indeterminate, but a lasting cause is recorded: treated now and for life; MMA optional"
NORMAL_LASTING = "B12 in range, but a lasting cause is recorded: replacement is lifelong whatever the level"
REGIMEN_LABELS: dict[str, str] = {
    "im_neuro": "Hydroxocobalamin IM, neurological regimen",
    "im_standard": "Hydroxocobalamin IM, standard regimen",
    "oral_or_im": "IM standard regimen, or oral cyanocobalamin daily",
    "pending_tests": "No treatment decision yet: tests first",
    "none": "No B12 treatment",
}
ESR_FLAG_LABELS: dict[str, str] = {
    "normal": "ESR normal for age and sex",
    "elevated": "ESR elevated for age and sex",
    "markedly_elevated": "ESR markedly elevated (≥ 100 mm/h)",
}
# In pregnancy the ESR is read against the top of the trimester ranges, not an age/sex limit.
PREGNANCY_ESR_NORMAL = "ESR within the pregnancy range"
# Above a trimester's range the label says in which trimesters it is raised (code-blind reads s11, U-4 and finding
# 2; s12: "within the range only in the third trimester" read as normal, beside a text that reads it as raised).
PREGNANCY_ESR_NOT_SECOND = "ESR raised if in the second trimester"
PREGNANCY_ESR_THIRD_ONLY = "ESR raised unless in the third trimester"
PREGNANCY_ESR_RAISED = "ESR above the pregnancy range"  # not "for age and sex": that limit does not apply
# WHO grades by sex and pregnancy (guidelines.anaemia_grade); "unknown" when Hb is not measured.
ANAEMIA_GRADES = ("none", "mild", "moderate", "severe", "unknown")
ANAEMIC_GRADES = ("mild", "moderate", "severe")  # Hb below the WHO threshold
ANAEMIA_GRADE_LABELS: dict[str, str] = {
    "none": "No anaemia",
    "mild": "Mild anaemia",
    "moderate": "Moderate anaemia",
    "severe": "Severe anaemia",
    "unknown": "Anaemia not graded: Hb not measured",
}
# Said wherever severity would otherwise be shown as known (CLI, Explorer, timeline, summary).
SEVERITY_UNKNOWN = "Severity unknown: check the full blood count before choosing oral"
# With neurological symptoms the regimen is the IM neurological one whatever the severity (independent read s6, F13).
NEURO_DECIDES = "the neurological symptoms decide the regimen (IM), whatever the severity"
# The kinds of statement, in the order every page shows them, with their headings.
STATEMENT_KINDS = ("do_now", "plan", "workup", "background")
KIND_HEADINGS: dict[str, str] = {
    "do_now": "Do now",
    "plan": "B12 plan",
    "workup": "Work-up",
    "background": "Background",
}
# The marker a `source` headline carries when a guideline would act differently on the case.
SOURCE_DIFFERS = "the source's rule; guidelines differ"


def profile_label(profile_id: str) -> str:
    """The profile's name as every page shows it (held by the profile in guidelines.py)."""
    from b12logic.guidelines import profile_of

    return profile_of(profile_id).name


__all__ = [
    "ANAEMIA_GRADES",
    "ANAEMIA_GRADE_LABELS",
    "ESR_FLAG_LABELS",
    "KIND_HEADINGS",
    "REGIMEN_LABELS",
    "SEVERITY_UNKNOWN",
    "SOURCE_DIFFERS",
    "STATEMENT_KINDS",
    "STATUS_LABELS",
    "profile_label",
]
