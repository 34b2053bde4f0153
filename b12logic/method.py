"""The method in words: working definitions, limitations, privacy, and the unit error worked through.

The References & method page shows these; keeping them here (not in the page) lets tests and the
case report reuse the same sentences.

>>> unit_error_worked().forward
'180 pg/mL × 0.738 = 133 pmol/L'
>>> unit_error_worked().backward
'150 pmol/L ÷ 0.738 ≈ 203 pg/mL'
"""

from __future__ import annotations

from dataclasses import dataclass

from b12logic.esr import MARKED_ESR, NAIVE_ESR_CUTOFF, Statement
from b12logic.guidelines import ANAEMIA_HB_G_DL, SEVERE_B12_PG_ML, SEVERE_HB_G_DL
from b12logic.units import PMOL_PER_PG, b12_to_pg_ml, b12_to_pmol_l

# What the source writes, and the number it pairs with it.
SOURCE_LOW_PG_ML = 180.0
SOURCE_PAIRED_PMOL_L = 150.0


@dataclass(frozen=True)
class UnitErrorWorked:
    """The source's unit pair and the correct conversions, as numbers and as sentences."""

    source_pair: str
    correct_pmol_l: float
    paired_in_pg_ml: float
    forward: str
    backward: str
    explanation: str


def unit_error_worked() -> UnitErrorWorked:
    """180 pg/mL in pmol/L, and the source's 150 pmol/L in pg/mL, with the factor shown."""
    pmol = b12_to_pmol_l(SOURCE_LOW_PG_ML)
    pg = b12_to_pg_ml(SOURCE_PAIRED_PMOL_L)
    forward = f"{SOURCE_LOW_PG_ML:g} pg/mL × {PMOL_PER_PG} = {pmol:.0f} pmol/L"
    backward = f"{SOURCE_PAIRED_PMOL_L:g} pmol/L ÷ {PMOL_PER_PG} ≈ {pg:.0f} pg/mL"
    return UnitErrorWorked(
        source_pair=f"< {SOURCE_LOW_PG_ML:g} pg/mL (< {SOURCE_PAIRED_PMOL_L:g} pmol/L)",
        correct_pmol_l=pmol,
        paired_in_pg_ml=pg,
        forward=forward,
        backward=backward,
        explanation=(
            f"One pg/mL (the same as one ng/L) of B12 is {PMOL_PER_PG} pmol/L. So the source's low cut-off, "
            f"{SOURCE_LOW_PG_ML:g} pg/mL, is {pmol:.0f} pmol/L, not {SOURCE_PAIRED_PMOL_L:g}; and a laboratory "
            f"reporting {SOURCE_PAIRED_PMOL_L:g} pmol/L means about {pg:.0f} pg/mL. A patient at 140 pmol/L "
            f"is deficient by the pmol/L figure the source prints but not by its pg/mL cut-off: the two halves "
            "of the pair disagree. The app converts with the factor and never copies the pair."
        ),
    )


WORKING_DEFINITIONS: tuple[Statement, ...] = (
    Statement(
        f"Severe deficiency (the app's working definition; the source uses the word without defining it): "
        f"B12 below {SEVERE_B12_PG_ML:g} pg/mL, or haemoglobin below {SEVERE_HB_G_DL:g} g/dL (WHO severe "
        "anaemia). Oral treatment is offered only when the deficiency is not severe and there are no "
        "neurological symptoms.",
        ("source", "WHO"),
    ),
    Statement(
        f"Anaemia: haemoglobin below {ANAEMIA_HB_G_DL['male']:g} g/dL in men and "
        f"{ANAEMIA_HB_G_DL['female']:g} g/dL in women. Used only for the warning that anaemia by itself "
        "raises the ESR.",
        ("WHO", "Health Eval Promot 28(3)"),
    ),
    Statement(
        "ESR upper limit of normal (Westergren): age ÷ 2 for men, (age + 10) ÷ 2 for women, in mm/h. "
        "Elevated means above that limit.",
        ("Miller 1983",),
    ),
    Statement(
        f"Markedly elevated means {MARKED_ESR:g} mm/h or more: the group Fincher and Page studied (4.2% of "
        "1,006 outpatients, about 90% with an identifiable cause).",
        ("Fincher 1986",),
    ),
    Statement(
        "In pregnancy the age/sex rule does not apply: the ESR is read against 70 mm/h, the top of the "
        "trimester reference ranges (4–57, 7–47, 13–70 mm/h).",
        ("Abbassi-Ghanavati 2009",),
    ),
    Statement(
        f"The fixed {NAIVE_ESR_CUTOFF:g} mm/h line is drawn only to show why age and sex matter: the normal ESR "
        "rises with age and is higher in women, which a fixed line ignores.",
        ("Miller 1983",),
    ),
    Statement(
        "Miller's rule is the permissive one in old age: healthy-population 95th centiles are slightly higher "
        "than it at 20 years but about half of it at 55 and 90 (women 21 and 23 mm/h, men 14 and 19).",
        ("Wetteland 1996", "Miller 1983"),
    ),
    Statement(
        "Boundaries are applied exactly as written: B12 'below 180' is strict, 180 to 350 is borderline "
        "including both ends, and a raised MMA (strictly above the laboratory's limit, 271 nmol/L in the "
        "example laboratory) supports deficiency.",
        ("source", "Mayo"),
    ),
    Statement(
        "Homocysteine is read against the adult reference limit of about 15 µmol/L; above 20 µmol/L suggests B12 "
        "deficiency when folate is replete. The source's 'target below 10' is a bariatric-surgery target.",
        ("NHS homocysteine range", "Harrington 2017"),
    ),
    Statement(
        "CRP is read against your laboratory's limit (5 mg/L by default, editable in the sidebar).",
        ("laboratory",),
    ),
)

LIMITATIONS: tuple[Statement, ...] = (
    Statement(
        "The rules are a teaching model of one source answer and three comparison profiles. They leave out "
        "clinical judgement, the history and the examination, which outrank any cut-off.",
        ("source",),
    ),
    Statement(
        "Laboratories use different assays and reference ranges. The cut-offs here are examples: use your "
        "own laboratory's (the Guideline comparison page lets you type them in).",
        ("NICE NG239", "Mayo"),
    ),
    Statement(
        "MMA rises with impaired renal function; the app warns about this but does not adjust the value.",
        ("Ann Clin Biochem 2018",),
    ),
    Statement(
        "Active B12 (holotranscobalamin) changes the rules only under NICE NG239, which gives its bands; "
        "intrinsic factor antibodies are described but are not an input.",
        ("NICE NG239",),
    ),
    Statement(
        "Adults only (16 and over). Pregnancy is modelled only as NICE's advice (active B12 first, urgent "
        "haematology advice, review at 1 month) and the pregnancy ESR range; children and people who have had "
        "bariatric surgery need their own guidance, which the app does not model.",
        ("NICE NG239", "Abbassi-Ghanavati 2009"),
    ),
    Statement(
        "Doses follow UK practice (hydroxocobalamin). Other countries often use cyanocobalamin injections on "
        "different schedules.",
        ("BNF / NICE CKS", "AFP 2017"),
    ),
    Statement(
        "The ESR rule applies to the Westergren method. Published corrections of the ESR for anaemia are not "
        "validated, so the app shows the caveat and never a corrected number.",
        ("ICSH 2011", "Health Eval Promot 28(3)"),
    ),
    Statement(
        "The evidence that oral treatment works as well as injections is of low certainty (three small trials).",
        ("Cochrane 2018",),
    ),
)

PRIVACY_STATEMENT = (
    "The app writes no case data to disk and logs no laboratory values. A case lives only in your browser "
    "session and in the page's address (its query parameters), so anyone you send the link to sees the same "
    "numbers: do not put names or other identifiers in it. Uploaded CSV files are read in memory for that "
    "session and not stored. A class room keeps only the teaching case, a hash of the teacher's key and each "
    "anonymous student's chosen answers, for 12 hours."
)

EDUCATIONAL_STATEMENT = (
    "Educational only: this app teaches how one source answer and three guidelines reason about an elevated "
    "ESR and suspected B12 deficiency. It is not a prescription or a substitute for clinical judgement. Every "
    "recommendation carries its citation; check your local guideline, your laboratory's reference ranges and "
    "a current formulary before treating anyone."
)

__all__ = [
    "EDUCATIONAL_STATEMENT",
    "LIMITATIONS",
    "PRIVACY_STATEMENT",
    "WORKING_DEFINITIONS",
    "UnitErrorWorked",
    "unit_error_worked",
]
