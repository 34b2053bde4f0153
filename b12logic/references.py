"""References by short name, and the places where the source answer is wrong or simplified.

Every statement the engine makes carries short names from REFERENCES, so the app can show the
full citation beside it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    short: str
    full: str
    note: str = ""


REFERENCES: dict[str, Reference] = {
    ref.short: ref
    for ref in (
        Reference(
            "source",
            "The source answer: recommended treatment for elevated ESR and suspected vitamin B12 deficiency, 2025.",
            "Educational, pending human review. Sets the default rules of this app.",
        ),
        Reference(
            "AFP 2025",
            "Patel & McGuirk. Vitamin B12 Deficiency: Common Questions and Answers. Am Fam Physician 2025;112(3):294.",
        ),
        Reference(
            "AFP 2017",
            "Langan & Goodbred. Vitamin B12 Deficiency: Recognition and Management. Am Fam Physician 2017;96(6):384.",
        ),
        Reference(
            "NICE NG239", "NICE guideline NG239. Vitamin B12 deficiency in over 16s: diagnosis and management, 2024."
        ),
        Reference(
            "BSH 2014",
            "Devalia et al. Guidelines for the diagnosis and treatment of cobalamin and folate disorders. "
            "Br J Haematol 2014;166:496.",
            "Superseded by NICE NG239 in 2024; kept here for comparison.",
        ),
        Reference(
            "BNF / NICE CKS",
            "British National Formulary: hydroxocobalamin; NICE Clinical Knowledge Summary: anaemia, B12 and folate deficiency.",
        ),
        Reference(
            "Miller 1983",
            "Miller, Green, Robinson. Simple rule for calculating normal erythrocyte sedimentation rate. BMJ 1983;286:266.",
        ),
        Reference(
            "ICSH 2011",
            "Jou et al. ICSH review of the measurement of the erythrocyte sedimentation rate. Int J Lab Hematol 2011.",
        ),
        Reference(
            "Wetteland 1996",
            "Wetteland et al. Population-based erythrocyte sedimentation rates in 3910 subjectively healthy "
            "Norwegian adults. J Intern Med 1996.",
        ),
        Reference(
            "Fincher 1986",
            "Fincher & Page. Clinical significance of extreme elevation of the erythrocyte sedimentation rate. "
            "Arch Intern Med 1986.",
        ),
        Reference(
            "Lindenbaum 1988",
            "Lindenbaum et al. Neuropsychiatric disorders caused by cobalamin deficiency in the absence of anemia "
            "or macrocytosis. N Engl J Med 1988.",
        ),
        Reference(
            "Cochrane 2018",
            "Wang et al. Oral vitamin B12 versus intramuscular vitamin B12 for vitamin B12 deficiency. "
            "Cochrane Database Syst Rev 2018.",
        ),
        Reference(
            "Mayo",
            "Mayo Clinic Laboratories: methylmalonic acid, serum; reference interval 73–271 nmol/L.",
            "One laboratory's upper reference limit, not a universal cut-off.",
        ),
        Reference(
            "Ann Clin Biochem 2018",
            "Renal function and MMA: unadjusted MMA overstated B12 deficiency by about 40% in one study. "
            "Ann Clin Biochem 2018.",
        ),
        Reference(
            "WHO",
            "World Health Organization. Haemoglobin concentrations for the diagnosis of anaemia and assessment "
            "of severity (anaemia below 13 g/dL in men and 12 g/dL in women; severe below 8 g/dL).",
        ),
        Reference(
            "ESR screening cohort",
            "Screening cohort of 20,926 people: ESR rose about 2–2.5 mm/h per 1 g/dL lower haemoglobin.",
        ),
        Reference(
            "Practical Neurology 2016",
            "The difficulties with vitamin B12. Pract Neurol 2016.",
            "Cited by the source; could not be verified.",
        ),
    )
}


@dataclass(frozen=True)
class SourceIssue:
    """A place where the source answer is wrong or simplified, in plain words."""

    id: str
    title: str
    text: str
    citations: tuple[str, ...]


SOURCE_ISSUES: tuple[SourceIssue, ...] = (
    SourceIssue(
        "unit_error",
        "Unit pair is wrong",
        "The source writes '< 180 pg/mL (< 150 pmol/L)'. With 1 pg/mL = 0.738 pmol/L, 180 pg/mL is 133 pmol/L, "
        "and 150 pmol/L is about 203 pg/mL. This app always converts with the factor.",
        ("source", "NICE NG239"),
    ),
    SourceIssue(
        "mma_cutoff_is_one_lab",
        "MMA 271 nmol/L is one laboratory's limit",
        "271 nmol/L is the upper reference limit of one laboratory (Mayo: 73–271 nmol/L), not a universal cut-off. "
        "Impaired renal function raises MMA: unadjusted MMA overstated deficiency by about 40% in one study.",
        ("Mayo", "Ann Clin Biochem 2018"),
    ),
    SourceIssue(
        "lifelong_for_everyone",
        "Not every patient needs lifelong therapy",
        "NICE NG239 allows oral treatment to stop once a reversible cause has been fixed; IM treatment is lifelong "
        "when the cause is irreversible, such as pernicious anaemia.",
        ("NICE NG239",),
    ),
    SourceIssue(
        "monitoring_schedule",
        "The monitoring schedule is bariatric guidance",
        "Rechecking B12 at 3, 6 and 12 months then yearly, with a homocysteine target below 10 µmol/L, matches "
        "bariatric surgery guidance rather than a general guideline. NICE NG239 advises a review at 3 months "
        "(1 month in pregnancy) and found no studies on how often to follow up; many NHS pathways advise not "
        "rechecking B12 during injections.",
        ("NICE NG239", "source"),
    ),
    SourceIssue(
        "borderline_with_neuro",
        "Borderline B12 with neurological symptoms",
        "The source sends borderline B12 to MMA testing. BSH 2014 says not to delay treatment when strong clinical "
        "features disagree with the test result.",
        ("BSH 2014",),
    ),
    SourceIssue(
        "not_mentioned",
        "What the source leaves out",
        "Assay differences between laboratories; higher reference ranges reported in people of Black ethnicity "
        "(NICE); nitrous oxide, which causes functional deficiency with a normal B12; and interference from "
        "intrinsic factor antibodies in some assays.",
        ("NICE NG239",),
    ),
    SourceIssue(
        "severe_undefined",
        "'Severe deficiency' is never defined",
        "The source offers oral therapy only 'without severe deficiency' but never says what severe means. This app "
        "states a working definition and shows it: B12 below 100 pg/mL or Hb below 8 g/dL (WHO severe anaemia).",
        ("source", "WHO"),
    ),
    SourceIssue(
        "unverified_reference",
        "One cited paper could not be verified",
        "'The difficulties with vitamin B12' (Practical Neurology 2016) is cited by the source but could not be "
        "verified; it is listed as cited by the source, unverified.",
        ("Practical Neurology 2016",),
    ),
)
