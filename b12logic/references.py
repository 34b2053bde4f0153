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


# The source answer's short name as a citation (it is also the default profile's id: this is the citation).
SOURCE_CITATION = "source"

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
            "Norwegian adults. J Intern Med 1996;240(3):125–131.",
        ),
        Reference(
            "Fincher 1986",
            "Fincher & Page. Clinical significance of extreme elevation of the erythrocyte sedimentation rate. "
            "Arch Intern Med 1986;146(8):1581–1583.",
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
            "Mayo Clinic Laboratories: methylmalonic acid, serum (test FB12V); reference interval 73–271 nmol/L. Its "
            "plasma test (MMAP): 0.40 µmol/L or less.",
            "One laboratory's upper reference limit, not a universal cut-off.",
        ),
        Reference(
            "Ann Clin Biochem 2018",
            "Adjusting methylmalonic acid for eGFR in people with low-normal B12 (90–300 pmol/L): unadjusted MMA "
            "overestimated B12 deficiency by 40%. Ann Clin Biochem 2018; doi:10.1177/0004563218778300.",
            "Authors, volume and pages could not be checked here; cited by its DOI.",
        ),
        Reference(
            "WHO",
            "World Health Organization. Haemoglobin concentrations for the diagnosis of anaemia and assessment "
            "of severity (anaemia below 13 g/dL in men and 12 g/dL in women; severe below 8 g/dL).",
        ),
        Reference(
            "Health Eval Promot 28(3)",
            "Health-screening records of 20,926 people in Japan: ESR = −2.25 × Hb (g/dL) + 9.62 × globulin (g/dL) "
            "+ 15.7, about 2.3 mm/h higher per 1 g/dL lower haemoglobin. Health Evaluation and Promotion "
            "(Sogo Kenshin) 28(3):311.",
            "Authors and year could not be checked here; cited by journal, volume and page.",
        ),
        Reference(
            "NHS Lothian",
            "NHS Lothian RefHelp. Vitamin B12 deficiency; Vitamin B12: initial tests and monitoring (2025).",
        ),
        Reference(
            "Essex B12 pathway 2019",
            "Mid Essex Hospital Services NHS Trust and Colchester Hospital University NHS Foundation Trust. Guideline "
            "for the management of B12 deficiency (for adults), version 2.0, 2019.",
            "No need to recheck B12 in a patient on intramuscular treatment: the full blood count monitors the "
            "response.",
        ),
        Reference(
            "RCEM 2024",
            "Royal College of Emergency Medicine (RCEM Learning). Suspected nitrous oxide toxicity in the ED, 2024: "
            "start treatment before the results of homocysteine and MMA return.",
        ),
        Reference(
            "Practical Neurology 2023",
            "Paris A, Lake L, Joseph A, et al. Nitrous oxide-induced subacute combined degeneration of the cord: "
            "diagnosis and treatment. Pract Neurol 2023;23(3):222–228.",
        ),
        Reference(
            "Harrington 2017",
            "Harrington DJ. Laboratory assessment of vitamin B12 status. J Clin Pathol 2017;70(2):168–173.",
        ),
        Reference(
            "NHS homocysteine range",
            "Gloucestershire Hospitals NHS Foundation Trust, Chemical Pathology: Homocysteine (blood), adult "
            "reference range 0–15 µmol/L (South Tees Hospitals: 5–15 µmol/L).",
        ),
        Reference(
            "NICE NG12",
            "NICE guideline NG12. Suspected cancer: recognition and referral, 2015 (updated).",
            "Myeloma: consider very urgent (within 48 hours) serum protein electrophoresis and a Bence-Jones protein "
            "urine test when plasma viscosity or ESR and the presentation are consistent with possible myeloma.",
        ),
        Reference(
            "Koshiaris 2018",
            "Koshiaris C, Van den Bruel A, Oke JL, et al. Early detection of multiple myeloma in primary care using "
            "blood tests: a case-control study in primary care. Br J Gen Pract 2018;68(674):e586–e593.",
            "2,703 people with myeloma and 12,157 controls: a raised ESR had a positive likelihood ratio of 1.9; a "
            "normal haemoglobin with a normal ESR or plasma viscosity had a negative likelihood ratio of 0.12.",
        ),
        Reference(
            "BSR 2020",
            "Mackie SL, Dejaco C, Appenzeller S, et al. British Society for Rheumatology guideline on diagnosis and "
            "treatment of giant cell arteritis. Rheumatology 2020;59(3):e1–e23.",
        ),
        Reference(
            "NICE NG247",
            "NICE guideline NG247. Maternal and child nutrition: nutrition and weight management in pregnancy, and "
            "nutrition in children up to 5 years, 2025.",
            "Folic acid 400 micrograms daily before conception and until 12 weeks of pregnancy.",
        ),
        Reference(
            "NICE NG51",
            "NICE guideline NG51. Suspected sepsis: recognition, diagnosis and early management, 2016 (updated 2024).",
            "Over 16s in hospital: grade the risk of severe illness or death from sepsis with the history, the "
            "examination and the NEWS2 score; the risk level sets the time window for antibiotics.",
        ),
        Reference(
            "Landry 2017",
            "Landry A, Docherty P, Ouellette S, Cartier LJ. Causes and outcomes of markedly elevated C-reactive "
            "protein levels. Can Fam Physician 2017;63(6):e316–e323.",
            "839 adults with a CRP above 100 mg/L: infection 55.1%, rheumatological 7.5%, malignancy 5.1%, drug "
            "reactions 1.7%, no diagnosis 17.6%; infection in 88.9% above 350 mg/L; overall mortality 8.6%.",
        ),
        Reference(
            "Vigushin 1993",
            "Vigushin DM, Pepys MB, Hawkins PN. Metabolic and scintigraphic studies of radioiodinated human "
            "C-reactive protein in health and disease. J Clin Invest 1993;91(4):1351–1357.",
        ),
        Reference(
            "Abbassi-Ghanavati 2009",
            "Abbassi-Ghanavati M, Greer LG, Cunningham FG. Pregnancy and laboratory studies: a reference table for "
            "clinicians. Obstet Gynecol 2009;114(6):1326–1331.",
        ),
        Reference(
            "BSG 2021",
            "Snook J, Bhala N, Beales ILP, et al. British Society of Gastroenterology guidelines for the management of "
            "iron deficiency anaemia in adults. Gut 2021;70(11):2030–2051.",
            "About a third of men and postmenopausal women presenting with iron deficiency anaemia have an underlying "
            "cause, most often in the gut; a new iron deficiency anaemia without obvious explanation is considered for "
            "urgent gastrointestinal investigation.",
        ),
        Reference(
            "NHS Lothian microcytic",
            "NHS Lothian RefHelp. Anaemia-microcytic; Anaemia-normocytic; Iron deficiency anaemia (Haematology).",
            "Microcytic anaemia: iron deficiency, the anaemia of chronic disease (with a raised ESR) and thalassaemia; "
            "a ferritin below 30 µg/L establishes iron deficiency.",
        ),
        Reference(
            "BSH 2020",
            "Pavord S, Daru J, Prasannan N, et al. UK guidelines on the management of iron deficiency in pregnancy. "
            "Br J Haematol 2020;188(6):819–830.",
            "Anaemia without an obvious other cause: a diagnostic trial of oral iron without delay and a full blood "
            "count in 2–3 weeks; ferritin below 30 µg/L indicates iron deficiency; with iron deficiency anaemia and Hb "
            "below 100 g/L, birth in an obstetrician-led unit.",
        ),
        Reference(
            "van den Broek 2001",
            "van den Broek NR, Letsky EA. Pregnancy and the erythrocyte sedimentation rate. BJOG 2001;108(11):"
            "1164–1167.",
            "Over 1,000 healthy pregnant women in London: the 95% range rose from 18–48 mm/h in the first half of "
            "pregnancy to 30–70 in the second, higher with anaemia.",
        ),
        Reference(
            "Clin Biochem 2023",
            "Sobczyńska-Malefora A, Katayev A, Steed D, et al. Age- and ethnicity-related reference intervals for "
            "serum vitamin B12. Clin Biochem 2023;111:66–71 (Black 166–805 pmol/L; White and Asian 134–511).",
        ),
        Reference(
            "Savage 2000",
            "Savage DG, et al. Etiology and diagnostic evaluation of macrocytosis. Am J Med Sci 2000;319(6):343–352.",
        ),
        Reference(
            "Cyanocobalamin label",
            "US prescribing information (DailyMed): cyanocobalamin injection, warnings and precautions.",
        ),
        Reference(
            "UK Transfusion Handbook",
            "JPAC Handbook of Transfusion Medicine, 8.1 Haematinic deficiencies.",
        ),
        Reference(
            "laboratory",
            "Your laboratory's own reference limit, as entered in the app (CRP: 5 mg/L by default; laboratories "
            "commonly use 5 or 10 mg/L).",
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
        "Impaired renal function raises MMA: in people with a low-normal B12, MMA not adjusted for eGFR "
        "overestimated deficiency by 40%.",
        ("Mayo", "Ann Clin Biochem 2018"),
    ),
    SourceIssue(
        "lifelong_for_everyone",
        "Not every patient needs lifelong therapy",
        "NICE NG239: for a reversible cause (diet, a drug, nitrous oxide) treatment follows the cause and can stop "
        "once it is dealt with; when the cause cannot be reversed (pernicious anaemia, gastrectomy, ileal "
        "resection) treatment is lifelong.",
        ("NICE NG239",),
    ),
    SourceIssue(
        "monitoring_schedule",
        "The monitoring schedule is bariatric guidance",
        "Rechecking B12 at 3, 6 and 12 months then yearly, with a homocysteine target below 10 µmol/L, matches "
        "bariatric surgery guidance rather than a general guideline. NICE NG239 advises a review at 3 months "
        "(1 month in pregnancy) and found no studies on how often to follow up; an NHS pathway advises not "
        "rechecking B12 during injections and following the response with the full blood count.",
        ("NICE NG239", "Essex B12 pathway 2019", "source"),
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
        "Assay differences between laboratories; higher reference ranges in people of Black ethnicity (Black "
        "166–805 pmol/L, White and Asian 134–511 in one London laboratory); nitrous oxide, which causes "
        "functional deficiency with a normal B12; and interference from intrinsic factor antibodies in some "
        "assays.",
        ("NICE NG239", "Clin Biochem 2023"),
    ),
    SourceIssue(
        "severe_undefined",
        "'Severe deficiency' is never defined",
        "The source offers oral therapy only 'without severe deficiency' but never says what severe means. This app "
        "states a working definition and shows it: B12 below 100 pg/mL or Hb below 8 g/dL (WHO severe anaemia).",
        ("source", "WHO"),
    ),
    SourceIssue(
        "neuro_only_tests",
        "Neurological symptoms: tests are not the only step",
        "With neurological symptoms and a B12 that is not low, the source only says to measure MMA and "
        "homocysteine. Guidelines say to seek urgent specialist advice and not to delay treatment when the "
        "features are strong; the app puts this in the verdict wherever neurological symptoms are recorded.",
        ("source", "BNF / NICE CKS", "BSH 2014"),
    ),
    SourceIssue(
        "nitrous_oxide",
        "Nitrous oxide is not mentioned",
        "Nitrous oxide can cause myeloneuropathy with a normal total B12: homocysteine or MMA is the first test, "
        "the nitrous oxide is stopped and B12 started before the results return, with urgent neurological input.",
        ("NICE NG239", "Practical Neurology 2023", "RCEM 2024"),
    ),
    SourceIssue(
        "pregnancy",
        "Pregnancy is not mentioned",
        "Total B12 falls in normal pregnancy, so NICE NG239 makes active B12 the first test and reviews at 1 month; "
        "the ESR rises in normal pregnancy, so the age/sex limit does not apply.",
        ("NICE NG239", "Abbassi-Ghanavati 2009"),
    ),
    SourceIssue(
        "homocysteine_target",
        "Homocysteine below 10 is a target, not a reference limit",
        "The source's 'target below 10 µmol/L' comes from bariatric guidance. Adult reference limits are about "
        "15 µmol/L, and above 20 suggests B12 deficiency when folate is replete; 10–15 is not abnormal.",
        ("NHS homocysteine range", "Harrington 2017"),
    ),
    SourceIssue(
        "mma_confirms",
        "A raised MMA supports, it does not confirm",
        "'MMA above 271 confirms' treats one assay's upper limit (Mayo Clinic Laboratories, 73–271 nmol/L) as "
        "universal; other laboratories differ. Renal impairment, low blood volume and small-bowel bacterial "
        "overgrowth raise MMA without B12 deficiency.",
        ("Mayo", "Ann Clin Biochem 2018"),
    ),
    SourceIssue(
        "unverified_reference",
        "One cited paper could not be verified",
        "'The difficulties with vitamin B12' (Practical Neurology 2016) is cited by the source but could not be "
        "verified; it is listed as cited by the source, unverified.",
        ("Practical Neurology 2016",),
    ),
)
