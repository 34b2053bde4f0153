"""The B12 plan's statements, each with its kind, derived from one judgment (PlanFacts).

The urgent steps (`do_now`) are instructions and follow the same judgment as the headline: a step that
says to start B12 appears only beside a treatment regimen. There is no ESR here, so the ESR cannot change
the B12 plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from b12logic.fields import risk_factor_names
from b12logic.guidelines import IRREVERSIBLE_CAUSES, GuidelineProfile, regimen_for
from b12logic.labels import ANAEMIC_GRADES
from b12logic.rules.facts import PlanFacts
from b12logic.rules.judgment import DEFICIENT_STATUSES, TREATMENT_REGIMENS
from b12logic.statement import Statement
from b12logic.units import PMOL_PER_PG

# Ranks of the do_now topics (higher is shown first). One statement per topic.
RANK_SEVERE_ANAEMIA = 100
RANK_NEURO = 90
RISK_MARKERS = frozenset({"autoimmune_disease"})  # clusters with pernicious anaemia; not a cause to address
RANK_NITROUS_OXIDE = 85
RANK_PREGNANT = 80
RANK_VERY_HIGH_MCV = 82  # before the ESR's giant cell arteritis questions (75)
RANK_FOLIC_ACID = 70  # after the ESR's giant cell arteritis questions (75, 74), before ESR >= 100 (65)
RANK_POTASSIUM = 60


def cite(*names: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


_SEVERE_SAMPLES = (
    "Assess the severe anaemia now: full blood count and film for pancytopenia; folate, ferritin and reticulocytes "
    "(and MMA, homocysteine or active B12 if they are to be measured) before any treatment or transfusion"
)
# Acute blood loss is the Handbook's other path (8.1.1 speaks of patients "without acute blood loss"): code-blind read
# s14, fifth (Hb 6.9, MCV 68 at 82 named no bleeding).
_SEVERE_HOSPITAL = "Chest pain, heart failure or active bleeding: hospital care now."
# UK Transfusion Handbook 8.1, for any haematinic deficiency: transfuse only if an immediate rise is essential, the
# fewest units with careful monitoring (circulatory overload); megaloblastic: avoid it wherever possible, bed rest and
# high-concentration oxygen while B12 or folate acts, said here as "oxygen as needed" (code-blind read s14, sixth:
# routine high-concentration oxygen without hypoxaemia is not targeted practice). Code-blind reads: s13, fifth,
# UNSAFE: Hb 4.5 had no hospital care; s14, first and second, UNSAFE: the megaloblastic caution alone read as holding
# blood back beside MCV 72 and 92, and "the caution does not apply" beside them read as transfusing freely.
_SEVERE_TRANSFUSION = (
    "Transfuse only if an immediate rise is essential, the fewest units with careful monitoring (circulatory "
    "overload can be fatal)"
)
# Not beside small cells (MCV below 80 fL), which are not megaloblastic (code-blind read s14, fifth: the clause read as
# discouraging a transfusion an 82-year-old with Hb 6.9 and MCV 68 may need).
_SEVERE_MEGALOBLASTIC = (
    "; if it is megaloblastic, avoid transfusion wherever possible: bed rest, and oxygen as needed, while the "
    "vitamin replacement acts"
)
# A low B12 does not explain a severe anaemia whose cells are not large on its own (code-blind read s14, first).
_SEVERE_NOT_MACROCYTIC = (
    "With an MCV that is not raised, B12 or folate deficiency does not explain it on its own: look for its cause "
    "now too (iron deficiency, blood loss, chronic disease; the film and ferritin show a mixed picture)."
)
_SEVERE_HAEMATOLOGY = "Pancytopenia or a suspected blood cancer: urgent haematology advice."
_SEVERE_CITES = ("WHO", "NHS Lothian", "UK Transfusion Handbook", "BNF / NICE CKS")


@lru_cache(maxsize=16)
def _severe_anaemia(treats: bool, macrocytic_or_unknown: bool, microcytic: bool = False) -> Statement:
    """The severe anaemia's first step: samples first, then B12 beside a plan that treats (code-blind read s11, F2: a
    milder case on folic acid said "start B12 now" while Hb 6.9 with MCV 124 never did); with an MCV that is not
    raised, a second cause is sought too."""
    start = "; then start B12 as the B12 plan says, once those samples are taken" if treats else ""
    second = "" if macrocytic_or_unknown else f" {_SEVERE_NOT_MACROCYTIC}"
    return Statement(
        f"{_SEVERE_SAMPLES}{start}. {_SEVERE_HOSPITAL} {_SEVERE_TRANSFUSION}"
        f"{'' if microcytic else _SEVERE_MEGALOBLASTIC}.{second} {_SEVERE_HAEMATOLOGY}",
        _SEVERE_CITES,
        f"Severe anaemia: FBC, film, haematinics{', then start B12' if treats else ' before treatment'}, hospital "
        "care if chest pain, heart failure or bleeding (transfuse only if essential, fewest units), "
        f"{'' if macrocytic_or_unknown else 'its cause sought, '}urgent haematology if pancytopenia",
        kind="do_now",
        rank=RANK_SEVERE_ANAEMIA,
        starts_b12=treats,
    )


_NEURO_TREAT = Statement(
    "Seek urgent specialist (haematology or neurology) advice for the neurological symptoms, and start the "
    "alternate-day regimen now, once the bloods are taken, rather than wait for that advice or the tests. "
    "Symptoms of a spinal cord lesion or peripheral neuropathy, or visual symptoms: same-day emergency "
    "admission.",
    ("BNF / NICE CKS", "BSH 2014", "NHS Lothian"),
    "Neurological symptoms: urgent specialist advice, start the alternate-day regimen now",
    kind="do_now",
    rank=RANK_NEURO,
    starts_b12=True,
)
_NEURO_ADVICE = Statement(
    "Seek urgent specialist (haematology or neurology) advice for the neurological symptoms. Symptoms of a spinal "
    "cord lesion or peripheral neuropathy, or visual symptoms: same-day emergency admission.",
    ("BNF / NICE CKS", "NHS Lothian"),
    "Neurological symptoms: urgent specialist advice",
    kind="do_now",
    rank=RANK_NEURO,
)
# Code-blind read s12 (UNSAFE): "treatment is the specialist's call then" left strong features untreated while the
# advice was awaited. BNF / NICE CKS: start the alternate-day regimen if that advice is not at hand; BSH 2014: do not
# delay treatment when strong clinical features disagree with the tests.
_NEURO_NOT_EXCLUDED = Statement(
    "Seek urgent specialist (neurology or haematology) advice for the neurological symptoms. B12 tests that do not "
    "show deficiency (a B12 that is not low, or an MMA at or below the laboratory's limit) make it less likely but "
    "do not exclude it: if the clinical features are strong and that advice is not at hand, start the alternate-day "
    "regimen once the bloods are taken rather than wait, since treatment is not delayed when strong features "
    "disagree with the tests. Look for other causes as well. Symptoms of a spinal cord "
    "lesion or peripheral neuropathy, or visual symptoms: same-day emergency admission.",
    ("BSH 2014", "BNF / NICE CKS", "NHS Lothian"),
    "Neurological symptoms: urgent specialist advice (strong features are treated even with a normal result)",
    kind="do_now",
    rank=RANK_NEURO,
)
# B12 above the range and a normal functional test: deficiency unlikely, the symptoms' cause is looked for elsewhere
# (code-blind read s13, W2: "start the alternate-day regimen" beside B12 600, MMA 200 and "no B12 treatment").
_NEURO_OTHER_CAUSE = Statement(
    "Seek urgent advice from a neurologist for the neurological symptoms: with a B12 above the borderline band and "
    "a normal functional test, B12 deficiency is unlikely, so their cause is looked for elsewhere. Symptoms of a "
    "spinal cord lesion or peripheral neuropathy, or visual symptoms: same-day emergency admission.",
    ("NICE NG239", "BNF / NICE CKS", "NHS Lothian"),
    "Neurological symptoms, B12 tests normal: urgent neurology advice for another cause",
    kind="do_now",
    rank=RANK_NEURO,
)
# Nitrous oxide with neurological symptoms: one step acts and refers, the action first (code-blind reads s11: the
# referral came first and was said twice, and the action second).
_N2O_ACT = (
    "Stop the nitrous oxide and start B12 now (neurological regimen), once the bloods are taken, without waiting "
    "for test results or for specialist advice"
)
_N2O_AFTER = (
    "Symptoms of a spinal cord lesion or peripheral neuropathy, or visual symptoms: same-day emergency admission. "
    "Treated early, the damage can recover; late, it can leave permanent disability."
)
# In pregnancy the pregnancy step below gives the haematology advice: each referral once (code-blind read s11, 11th).
_N2O_REFER = {
    False: "Seek urgent specialist (neurology or haematology) advice as well.",
    True: "Seek urgent neurological advice as well (the haematology advice for the pregnancy is below).",
}
_N2O_CITES = ("NICE NG239", "RCEM 2024", "Practical Neurology 2023", "BNF / NICE CKS", "NHS Lothian")


@lru_cache(maxsize=4)
def _n2o_treat(shown: bool, pregnant: bool) -> Statement:
    """Nitrous oxide with neurological symptoms: stop it and start B12 now; `shown`: homocysteine or MMA already
    raised."""
    why = ": the raised homocysteine or MMA already shows functional deficiency" if shown else ""
    return Statement(
        f"{_N2O_ACT}{why}. {_N2O_REFER[pregnant]} {_N2O_AFTER}",
        _N2O_CITES,
        "Nitrous oxide with neurological symptoms: stop it, start B12 now"
        + (" (functional deficiency shown)" if shown else "")
        + ", urgent specialist advice",
        kind="do_now",
        rank=RANK_NEURO,
        starts_b12=True,
    )


# Its topic's place (rank) holds the sample the treatment must not spoil, so no "measure first" step can take it.
_N2O_SAMPLE = Statement(
    "Send homocysteine or MMA with the bloods taken before that first dose: with nitrous oxide they are the first "
    "tests, and a sample taken once treatment has started no longer shows the deficiency.",
    ("NICE NG239", "Practical Neurology 2023", "NHS Lothian"),
    "Nitrous oxide: homocysteine or MMA sample before the first dose",
    kind="do_now",
    rank=RANK_NITROUS_OXIDE,
    measures=("homocysteine", "mma"),
)
_N2O_TEST = Statement(
    "Stop the nitrous oxide and measure homocysteine or MMA: with nitrous oxide they are the first test, because "
    "total B12 is often in range (it finds only 20–50% of nitrous oxide myeloneuropathy, MMA or homocysteine "
    "80–90%).",
    ("NICE NG239", "Practical Neurology 2023"),
    "Nitrous oxide: stop it, measure homocysteine or MMA",
    kind="do_now",
    rank=RANK_NITROUS_OXIDE,
    measures=("homocysteine", "mma"),
)
_N2O_STOP = Statement(
    "Stop the nitrous oxide.",
    ("NICE NG239", "Practical Neurology 2023"),
    "Nitrous oxide: stop it",
    kind="do_now",
    rank=RANK_NITROUS_OXIDE,
)
# Beside a plan that treats, stopping it is not the whole step: B12 starts now (RCEM 2024; code-blind read s14,
# first: "Stop the nitrous oxide" stood alone in Do now beside a functional deficiency with no neurological symptoms).
_N2O_STOP_TREAT = Statement(
    "Stop the nitrous oxide and start B12 now, as the B12 plan says, once the bloods are taken: the myeloneuropathy "
    "responds when treated early but can leave permanent disability. Ask about and examine for numbness, tingling "
    "or an unsteady gait: any of them makes it the neurological regimen, with urgent specialist advice.",
    ("RCEM 2024", "NICE NG239", "Practical Neurology 2023"),
    "Nitrous oxide: stop it, start B12 now, examine for early nerve damage",
    kind="do_now",
    rank=RANK_NITROUS_OXIDE,
    starts_b12=True,
)
_PREGNANT = Statement(
    "Seek urgent haematology advice: B12 deficiency is suspected in pregnancy.",
    ("BNF / NICE CKS",),
    "Pregnant: urgent haematology advice",
    kind="do_now",
    rank=RANK_PREGNANT,
)
_VERY_HIGH_MCV = Statement(
    "Seek urgent haematology advice: a picture that suggests megaloblastic anaemia (MCV above 120 fL, or a "
    "macrocytic anaemia that is severe or has a homocysteine above 20 µmol/L; the blood film shows whether it is) is "
    "a strong clinical feature, so deficiency is suspected whatever the B12 tests still have to settle.",
    ("BNF / NICE CKS", "BSH 2014"),
    "Megaloblastic picture: urgent haematology advice",
    kind="do_now",
    rank=RANK_VERY_HIGH_MCV,
)
_PREGNANT_VERY_HIGH_MCV = Statement(  # one urgent haematology step, not two in a row (independent read s6, NF1)
    "Seek urgent haematology advice: B12 deficiency is suspected in pregnancy, and a picture that suggests "
    "megaloblastic anaemia (MCV above 120 fL, or a macrocytic anaemia that is severe or has a homocysteine above 20 "
    "µmol/L; the blood film shows whether it is) is a strong clinical feature.",
    ("BNF / NICE CKS", "BSH 2014"),
    "Pregnant, megaloblastic picture: urgent haematology advice",
    kind="do_now",
    rank=RANK_VERY_HIGH_MCV,
)
# Folic acid already taken beside a plan that gives B12: the safety step leads the page, not only the pitfall
# beside the plan (session 9's code-blind read: "Do now: nothing urgent" beside folic acid and a B12 of 160).
# Why folic acid never goes on alone, and what pregnancy adds: said the same in each wording below.
_FOLIC_MASKS = (
    "folic acid can correct the anaemia while the nerve damage of B12 deficiency (subacute combined degeneration of "
    "the cord) goes on"
)
_FOLIC_MASKS_BRIEFLY = "(folic acid alone can correct the anaemia while the nerve damage goes on)"
_FOLIC_PREGNANCY = (
    "folic acid taken for the pregnancy need not stop because of B12 (NICE advises 400 micrograms daily until 12 weeks)"
)
_FOLIC_ACID_START = Statement(
    f"Start B12 now, once the bloods are taken, so that folic acid is never taken alone: {_FOLIC_MASKS}.",
    ("source", "BNF / NICE CKS"),
    "On folic acid: start B12 now, never folic acid alone",
    kind="do_now",
    rank=RANK_FOLIC_ACID,
    starts_b12=True,
)
# In pregnancy folic acid is not stopped: B12 joins it (code-blind read s11, U6: "never taken alone" read as "stop").
_FOLIC_ACID_START_PREGNANT = Statement(
    f"Start B12 now, once the bloods are taken, beside the folic acid: {_FOLIC_PREGNANCY}, but it must not go on "
    f"without B12 here, since it {_FOLIC_MASKS.removeprefix('folic acid ')}.",
    ("source", "BNF / NICE CKS", "NICE NG247"),
    "Pregnant, on folic acid: start B12 now beside it, never folic acid alone",
    kind="do_now",
    rank=RANK_FOLIC_ACID,
    starts_b12=True,
)
_FOLIC_ACID_WITH_B12_PREGNANT = Statement(
    f"F{_FOLIC_PREGNANCY[1:]}, and it never goes on without B12: B12 starts now, as above {_FOLIC_MASKS_BRIEFLY}.",
    ("source", "BNF / NICE CKS", "NICE NG247"),
    "Pregnant, on folic acid: keep it, never without B12 (B12 starts now, above)",
    kind="do_now",
    rank=RANK_FOLIC_ACID,
)
_FOLIC_ACID_WITH_B12 = Statement(  # another urgent step already starts B12: said once
    f"Folic acid is never taken alone: B12 starts now, as above {_FOLIC_MASKS_BRIEFLY}.",
    ("source", "BNF / NICE CKS"),
    "On folic acid: never folic acid alone (B12 starts now, above)",
    kind="do_now",
    rank=RANK_FOLIC_ACID,
)
_OTHER_MACROCYTOSIS = Statement(  # independent read s7d, I4: an unexplained macrocytosis is never left silent
    "Macrocytosis (MCV above 100 fL) with B12 deficiency not shown, or not yet: look for its other causes as "
    "well: folate deficiency (check the serum folate), alcohol, liver disease, drugs (methotrexate, "
    "hydroxycarbamide, azathioprine, zidovudine, trimethoprim), hypothyroidism, myelodysplasia, reticulocytosis "
    "(haemolysis, bleeding) and pregnancy. An MCV that stays above 105 fL with its cause unclear: non-urgent "
    "haematology advice.",
    ("Savage 2000", "NHS Lothian", "BNF / NICE CKS"),
    "Macrocytosis, B12 not low: other causes",
    kind="workup",
)
_AUTOIMMUNE = Statement(
    "Autoimmune disease recorded (thyroid disease, vitiligo, type 1 diabetes): pernicious anaemia clusters with "
    "these, so autoimmune gastritis is more likely; the autoimmune disease is a risk marker, not itself a cause.",
    ("Cyanocobalamin label",),
    "Autoimmune disease: a risk marker for pernicious anaemia",
    kind="background",
)
_N2O_FIRST_TESTS = Statement(
    "Send homocysteine or MMA: with nitrous oxide they are the first tests; do not rely on total or active B12, "
    "which are often in range.",
    ("NICE NG239", "Practical Neurology 2023"),
    "Nitrous oxide: homocysteine or MMA, not total or active B12",
    kind="workup",
    measures=("homocysteine", "mma"),
)
_MMA_OPTIONAL = Statement(
    "MMA or active B12 can document the deficiency, but they will not change the plan: replacement for a recorded "
    "cause that cannot be reversed is lifelong.",
    ("NICE NG239",),
    "Lasting cause: MMA optional, the plan is lifelong",
    kind="workup",
)
_N2O_HCY_RENAL = Statement(
    "Send homocysteine: with nitrous oxide it is a first test, and a raised MMA beside renal impairment does not "
    "settle deficiency, because renal impairment raises MMA on its own.",
    ("NICE NG239", "Ann Clin Biochem 2018"),
    "Nitrous oxide, renal impairment: homocysteine",
    kind="workup",
    measures=("homocysteine",),
)
_POTASSIUM = Statement(
    "Once treatment starts, check potassium (U&E) over the first 48 hours: with Hb below 8 g/dL it can fall "
    "sharply (hypokalaemia, with sudden deaths reported).",
    ("Cyanocobalamin label", "NHS Lothian"),
    "Severe anaemia: watch potassium in the first 48 h",
    kind="do_now",
    rank=RANK_POTASSIUM,
)
_TRANSFUSION = Statement(
    "Avoid red-cell transfusion where possible: in severe megaloblastic anaemia it can cause fatal circulatory "
    "overload.",
    ("UK Transfusion Handbook",),
    "Avoid transfusion (circulatory overload)",
    kind="plan",
)
_INTRINSIC_FACTOR = Statement(
    "A negative intrinsic factor antibody test does not exclude autoimmune gastritis (sensitivity 40–60%; a "
    "positive result has a predictive value of about 95%). Pernicious anaemia carries about three times the "
    "general population's risk of stomach cancer.",
    ("NHS Lothian", "Cyanocobalamin label"),
    "Negative IF antibodies do not exclude autoimmune gastritis",
    kind="background",
)
_CAUSES = (
    "diet, metformin, acid suppression, gastric or ileal surgery, Crohn's or coeliac disease, nitrous oxide. If no "
    "cause is evident, test for H. pylori and autoimmune gastritis."
)
_FIND_CAUSE = Statement(
    f"Find the cause: {_CAUSES}",
    ("AFP 2025", "AFP 2017"),
    "Find the cause (IF antibodies, drugs, diet, surgery)",
    kind="workup",
)
# A recorded risk factor may be the cause, or one of two (independent reads s8a, s8b: "find the cause" beside it).
_CHECK_CAUSE = Statement(
    f"Check that the recorded risk factor explains the deficiency, and look for another: {_CAUSES}",
    ("AFP 2025", "AFP 2017"),
    "Check the recorded cause, look for another",
    kind="workup",
)
_FOLLOW_RESPONSE = (
    "Follow the response with the full blood count: reticulocytes at 7–10 days if Hb and reticulocytes were low, "
    "then FBC and reticulocytes at 8 weeks"
)
_RESPONSE = Statement(
    f"{_FOLLOW_RESPONSE}, when the MCV should be normalising. If the response is poor, check iron and folate.",
    ("NHS Lothian",),
    "FBC and reticulocytes at 7–10 days and 8 weeks",
    kind="plan",
)
# A microcytic start: B12 does not bring a low MCV into range (code-blind read s13, U13: "the MCV should be
# normalising" beside MCV 66-72).
_RESPONSE_MICROCYTIC = Statement(
    f"{_FOLLOW_RESPONSE}. The MCV was low before treatment, and B12 deficiency does not make it low, so B12 alone "
    "will not bring it into range: the ferritin settles iron deficiency, and if the response is poor, check iron "
    "and folate.",
    ("NHS Lothian", "NHS Lothian microcytic"),
    "FBC and reticulocytes at 7–10 days and 8 weeks (low MCV: check iron)",
    kind="plan",
)
# An anaemia that B12 does not explain is worked up on its own (code-blind read s12: Hb 10.5 with a normal B12 had
# no work-up at all). Its first tests are the ones the B12 work-up already lists.
ANAEMIA_OWN_WORKUP = Statement(
    "B12 deficiency is not shown by these tests, so it cannot be taken to explain this anaemia: the anaemia needs "
    "its own work-up, starting with the blood film, reticulocytes, ferritin and serum folate.",
    ("WHO", "NHS Lothian"),
    "Anaemia not explained by B12: its own work-up",
    kind="workup",
)
# A microcytic anaemia beside a B12 result is not B12's picture (code-blind read s12, fourth, UNSAFE: microcytic
# anaemia beside a low B12 was treated as B12's, iron "checked if the response is poor").
# After folic acid's "start B12 now" (70), before myeloma's tests (68): the commoner cause of the anaemia first.
RANK_ANAEMIA_CAUSE = 69
_MICROCYTIC = (
    "Microcytic anaemia (MCV below the laboratory's range; this app reads below 80 fL): B12 deficiency makes red "
    "cells larger, not smaller, so look for another cause as well: iron deficiency, the anaemia of chronic disease "
    "(which also raises the ESR) or thalassaemia."
)
_MICROCYTIC_ANAEMIA = Statement(
    f"{_MICROCYTIC} Under BSG 2021 iron deficiency anaemia starts with a detailed history (menstrual and "
    "gastrointestinal blood loss among it) and a screen for coeliac disease, itself a cause of B12 deficiency too; "
    "about a third of men and postmenopausal women presenting with it have an underlying cause, most often in the "
    "gut.",
    ("NHS Lothian microcytic", "BSG 2021", "AFP 2025"),
    "Microcytic anaemia: not B12's picture (iron, chronic disease, thalassaemia), history, coeliac screen",
    kind="workup",
)
# Its first action leads the page (code-blind read s13, second, UNSAFE: at 67 with Hb 9.5 and MCV 68, bowel
# investigation was only a work-up line, below giant cell arteritis and myeloma).
_MICROCYTIC_NOW = Statement(
    # Ferritin is an acute-phase protein (code-blind read s14, first: CRP 60 with Crohn's read "below 30 establishes"
    # alone); NHS Lothian: with a normal ferritin, a fasting low serum iron and transferrin of 3.0 g/L or more settle
    # it.
    "Check the ferritin now for the microcytic anaemia: below 30 µg/L it establishes iron deficiency anaemia; a "
    "normal ferritin does not exclude it (ferritin rises with inflammation), and then a fasting serum iron and "
    "transferrin settle it. Iron deficiency anaemia's cause is sought urgently: under NICE NG12 a quantitative "
    "faecal immunochemical test (FIT) guides referral for suspected colorectal cancer in adults with iron "
    "deficiency anaemia, and under BSG 2021 a new iron deficiency anaemia without an obvious explanation is "
    "considered for urgent gastrointestinal investigation.",
    ("NHS Lothian microcytic", "NICE NG12", "BSG 2021"),
    "Microcytic anaemia: ferritin now, if iron deficient FIT and urgent GI investigation considered",
    kind="do_now",
    rank=RANK_ANAEMIA_CAUSE,
)
_MICROCYTIC_ANAEMIA_PREGNANT = Statement(  # the pregnancy's own step says what follows (BSH 2020)
    f"{_MICROCYTIC} In pregnancy the pregnancy's anaemia step (Do now) says what follows.",
    ("NHS Lothian microcytic",),
    "Microcytic anaemia: not B12's picture (iron, chronic disease, thalassaemia)",
    kind="workup",
)
# Anaemia in pregnancy: iron first where no other cause is obvious (code-blind read s12, fourth, UNSAFE: severe anaemia
# in pregnancy with a normal B12 had no obstetric line). "Without delay": a Do-now step (s13, second, W4).
_PREGNANCY_ANAEMIA = Statement(
    "Anaemia in pregnancy: under BSH 2020, where no other cause is obvious, a diagnostic trial of oral iron starts "
    "without delay, with a full blood count 2–3 weeks later; a ferritin below 30 µg/L indicates iron deficiency in "
    "pregnancy, and a poor response calls for the other causes. With iron deficiency anaemia and Hb below 10 g/dL, "
    "birth is planned in an obstetrician-led unit.",
    ("BSH 2020",),
    "Anaemia in pregnancy: trial of oral iron without delay, FBC at 2–3 weeks (BSH 2020)",
    kind="do_now",
    rank=RANK_ANAEMIA_CAUSE,
)
_SEVERE_IN_PREGNANCY = (
    " In pregnancy, involve the obstetric team now, as well as haematology: the anaemia decides how it is treated "
    "before the birth and where the birth is planned (under BSH 2020, with iron deficiency anaemia and Hb below "
    "10 g/dL, intravenous iron is considered from 34 weeks and the birth is planned in an obstetrician-led unit)."
)
BLACK_RANGE_LOW_PG_ML = 166 / PMOL_PER_PG  # the lower limit in people of Black ethnicity (Clin Biochem 2023), in pg/mL
_ETHNICITY = Statement(
    "People of Black ethnicity have higher B12 reference ranges (Black 166–805 pmol/L, White and Asian 134–511 in "
    "one London laboratory), so a value read as in range can hide deficiency.",
    ("NICE NG239", "Clin Biochem 2023"),
    "B12 ranges are higher in people of Black ethnicity",
    kind="background",
)
_HB_UNKNOWN = Statement(
    "Hb not measured: severity is unknown. Check the full blood count before choosing oral treatment.",
    ("source", "WHO"),
    "Severity unknown: check FBC before choosing oral",
    kind="plan",
    measures=("hb",),
)
_ASK_NITROUS = Statement(
    "Ask about nitrous oxide: it causes functional deficiency with a normal B12.",
    ("NICE NG239",),
    "Ask about nitrous oxide",
    kind="workup",
)
_SOURCE_DURATION = Statement(
    "Correction beside the source's 'for life': NICE NG239 makes treatment lifelong when the cause cannot be "
    "reversed (autoimmune gastritis, gastrectomy, ileal resection); for a reversible cause (diet, a drug, nitrous "
    "oxide) treatment follows the cause.",
    ("NICE NG239",),
    "Correction: duration follows the cause (NICE NG239)",
    kind="plan",
)
_PREGNANCY_TOTAL = Statement(
    "Total B12 falls in normal pregnancy, so a low total B12 may not mean deficiency: under NICE NG239 active B12 "
    "is the first test in pregnancy.",
    ("NICE NG239",),
    "Pregnancy: total B12 falls, active B12 is NICE's first test",
    kind="background",
)


_BEFORE_ANY_DOSE = "now, before any B12 is given"
_BLOODS_OPENINGS = ("Take the work-up bloods", "Add intrinsic factor antibodies to the bloods")


def _workup_bloods(
    hb_measured: bool, severe_anaemia: bool, treats: bool, pending: str = "", when: str = ""
) -> Statement:
    """The bloods beside B12, asked for once: the severe-anaemia step already asks for folate, ferritin and
    reticulocytes (independent read s8b); before a first dose only when one is given (s8a, c07). `pending`: the
    tests a treatment started now does not wait for, whose sample is taken before that dose too (code-blind read
    s11, U-3: "inject first" would lose the diagnosis)."""
    when = when or ("before the first dose" if treats else "with the tests")
    if severe_anaemia:
        return Statement(
            f"Add intrinsic factor antibodies to the bloods taken {when}.",
            ("NHS Lothian", "NICE NG239"),
            f"{when.capitalize()}: IF antibodies",
            kind="workup",
        )
    fbc = "blood film" if hb_measured else "full blood count and blood film"
    return Statement(
        f"Take the work-up bloods {when}: {fbc}, reticulocytes (if anaemic or macrocytic), serum "
        "folate, ferritin and intrinsic factor antibodies"
        + (f", and the sample for {pending}, which the plan does not wait for." if pending else "."),
        ("NHS Lothian", "NICE NG239"),
        f"{when.capitalize()}: {'film' if hb_measured else 'FBC and film'}, reticulocytes, folate, ferritin, "
        "IF antibodies" + (f", {pending}" if pending else ""),
        kind="workup",
        measures=() if hb_measured else ("hb",),
    )


_SAMPLE_NAMES = {"mma": "MMA", "homocysteine": "homocysteine", "active_b12": "active B12"}


def with_samples(bloods: Statement, measures: Sequence[str]) -> Statement:
    """A bloods line "before the first dose" that also takes the samples another line still asks for (the source's
    own tests beside a guideline that treats now), beside any sample it already names (code-blind read s11, 13th:
    the source's "Measure MMA" in pregnancy beside "the sample for active B12" only); unchanged otherwise."""
    missing = [_SAMPLE_NAMES[m] for m in measures if _SAMPLE_NAMES[m] not in bloods.text]
    if "before the first dose" not in bloods.text or not missing:
        return bloods
    names = " and ".join(missing)
    if "the sample for " in bloods.text:  # one sample named already: the others join it
        return replace(
            bloods,
            text=bloods.text.replace(
                ", which the plan does not wait for", f" and for {names}, which the plan does not wait for"
            ),
            short=f"{bloods.brief}, {names}",
        )
    return replace(
        bloods,
        text=f"{bloods.text.removesuffix('.')}, and the sample for {names}, which the plan does not wait for.",
        short=f"{bloods.brief}, {names}",
    )


def is_response_check(s: Statement) -> bool:
    """The follow-up of a treatment's response (full blood count and reticulocytes)."""
    return s.text in (_RESPONSE.text, _RESPONSE_MICROCYTIC.text)


def is_workup_bloods(s: Statement) -> bool:
    """The bloods line of _workup_bloods, in either wording."""
    return s.kind == "workup" and s.text.startswith(_BLOODS_OPENINGS)


def _mma_meaning(profile: GuidelineProfile, after_active: bool = False) -> Statement:
    """How a raised MMA is read: always with the laboratory's limit, whose it is, and what else raises it.
    `after_active`: active B12 comes first (pregnancy), so MMA is asked for only if it is indeterminate."""
    mma = f"{profile.mma_upper:g} nmol/L"
    ask = "Measure MMA."
    if after_active and profile.holotc_pmol_l:
        low, high = profile.holotc_pmol_l
        ask = f"Measure MMA if active B12 is indeterminate ({low:g}–{high:g} pmol/L), not beside it."
    return Statement(
        f"{ask} {profile.mma_role} A result above the laboratory's upper limit supports functional "
        f"deficiency: the app uses {mma}, {profile.mma_limit_words}; other laboratories differ. Renal "
        "impairment, low blood volume and small-bowel bacterial overgrowth raise MMA too.",
        cite(*profile.citations, profile.mma_limit_citation),
        f"Measure MMA (above the lab's limit, here {mma}, supports deficiency)",
        kind="workup",
        measures=("mma",),
    )


def _in_range_tests(profile: GuidelineProfile, f: PlanFacts) -> list[Statement]:
    """B12 in range, deficiency not excluded: the functional tests not yet in (a raised MMA beside renal impairment
    is in, but does not answer: said so, with the eGFR)."""
    mma = f"{profile.mma_upper:g}"
    steps = [_renal_mma_step(profile, active_measured=True)] if f.mma_undecided else []
    wanted = [name for name, measured in (("MMA", f.mma_measured), ("homocysteine", f.hcy_measured)) if not measured]
    if wanted:
        steps.append(
            Statement(
                f"Measure {' and '.join(wanted)}: a B12 in range does not exclude deficiency here (MMA above the "
                f"laboratory's limit, here {mma} nmol/L, supports it; homocysteine above about 20 µmol/L suggests "
                "it when folate is replete"
                + (
                    "; with nitrous oxide, homocysteine above the reference limit of about 15 µmol/L)."
                    if f.nitrous_oxide
                    else ")."
                ),
                ("source", "AFP 2017", "Harrington 2017", *(("NICE NG239",) if f.nitrous_oxide else ())),
                f"Measure {' and '.join(wanted)}",
                kind="workup",
                measures=tuple("mma" if w == "MMA" else w for w in wanted),
            )
        )
    return steps


def _renal_mma_step(profile: GuidelineProfile, active_measured: bool) -> Statement:
    """A raised MMA beside renal impairment does not settle deficiency (independent reads s7 F5, s8b F4): active
    B12 does, or, once it is in and indeterminate, the clinical picture read with the eGFR."""
    said = (
        "The MMA is above the laboratory's limit, but renal impairment raises MMA on its own (unadjusted for eGFR it "
        "overstated deficiency by about 40% in people with a low-normal B12), so it does not settle deficiency here"
    )
    if active_measured or not profile.holotc_pmol_l:
        return Statement(
            f"{said}: read it with the eGFR and the clinical picture.",
            ("Ann Clin Biochem 2018",),
            "Raised MMA with renal impairment: read with the eGFR",
            kind="workup",
        )
    low, high = profile.holotc_pmol_l
    return Statement(
        f"{said}: measure active B12 (holotranscobalamin): below {low:g} pmol/L confirms deficiency, {low:g}–{high:g} "
        f"is indeterminate, above {high:g} makes deficiency unlikely.",
        ("Ann Clin Biochem 2018", "NICE NG239"),
        "Raised MMA with renal impairment: measure active B12",
        kind="workup",
        measures=("active_b12",),
    )


@lru_cache(maxsize=4)
def _severe_in_pregnancy(severe: Statement) -> Statement:
    """The severe-anaemia step with the obstetric team named (code-blind read s12, fourth, UNSAFE)."""
    return replace(
        severe,
        text=severe.text + _SEVERE_IN_PREGNANCY,
        citations=(*severe.citations, "BSH 2020"),
        short=f"{severe.brief}, pregnant: obstetric team and haematology now",
    )


def _do_now(profile: GuidelineProfile, f: PlanFacts) -> list[Statement]:
    """The urgent steps of this judgment, each an instruction; "start B12" only beside a treatment regimen."""
    treats = f.regimen in TREATMENT_REGIMENS
    steps: list[Statement] = []
    n2o_treat = f.nitrous_oxide and treats and f.neuro
    neuro_treat = f.neuro and f.regimen == "im_neuro" and not n2o_treat  # with nitrous oxide its own step starts
    if f.anaemia_grade == "severe":  # it starts B12 unless a neurological step below does
        severe = _severe_anaemia(
            treats and not (neuro_treat or n2o_treat), f.macrocytic or not f.mcv_measured, f.microcytic
        )
        steps.append(_severe_in_pregnancy(severe) if f.pregnant else severe)
    functional_test_in = f.mma_measured or f.hcy_measured
    if f.neuro:
        if neuro_treat:
            steps.append(_NEURO_TREAT)
        elif n2o_treat:
            steps.append(_n2o_treat(f.status == "functional_deficiency", f.pregnant))
        elif f.status == "normal" and not treats:
            steps.append(_NEURO_OTHER_CAUSE)
        elif f.status in ("not_confirmed", "normal") and not treats:
            steps.append(_NEURO_NOT_EXCLUDED)
        else:
            steps.append(_NEURO_ADVICE)
    if f.nitrous_oxide:
        if n2o_treat:  # the step above stops it and starts B12
            if not functional_test_in:
                steps.append(_N2O_SAMPLE)
        elif treats:
            steps.append(_N2O_STOP_TREAT)
        elif functional_test_in:
            steps.append(_N2O_STOP)
        else:
            steps.append(_N2O_TEST)
    # With neurological symptoms their step already seeks urgent (haematology) advice: one referral (code-blind read
    # s11, U1); not with nitrous oxide, whose step seeks neurological advice (ninth read: no haematology in pregnancy).
    pregnant_step = f.pregnant and f.status not in ("normal", "not_confirmed") and not (f.neuro and not n2o_treat)
    # With neurological symptoms their step already seeks urgent advice: one referral (code-blind read s11, U-2).
    mcv_step = f.very_high_mcv and f.status != "deficient" and not f.neuro
    if pregnant_step and mcv_step:
        steps.append(_PREGNANT_VERY_HIGH_MCV)
    elif pregnant_step:
        steps.append(_PREGNANT)
    elif mcv_step:
        steps.append(_VERY_HIGH_MCV)
    if f.on_folic_acid and treats:
        started = any(s.starts_b12 for s in steps)
        if f.pregnant:
            steps.append(_FOLIC_ACID_WITH_B12_PREGNANT if started else _FOLIC_ACID_START_PREGNANT)
        else:
            steps.append(_FOLIC_ACID_WITH_B12 if started else _FOLIC_ACID_START)
    if f.severe_anaemia and treats and not f.microcytic:  # a microcytic anaemia is not the megaloblastic one (s13, W4)
        steps.append(_POTASSIUM)
    if f.microcytic and f.anaemia_grade in ANAEMIC_GRADES and not f.pregnant:  # pregnancy: the step below
        steps.append(_MICROCYTIC_NOW)
    # A diagnostic trial of oral iron: not for a severe anaemia (its urgent step) or a macrocytic one (B12 or folate
    # is the obvious cause to settle first): code-blind read s13, U1 and W5. Nor beside a B12 deficiency the tests
    # show, the obvious cause BSH 2020's "where no other cause is obvious" leaves out, unless the cells are small,
    # which B12 does not explain (code-blind read s14, second).
    explained = f.status in DEFICIENT_STATUSES and not f.microcytic
    if f.pregnant and f.anaemia_grade in ("mild", "moderate") and not f.macrocytic and not explained:
        steps.append(_PREGNANCY_ANAEMIA)
    return steps


def regimen_statement(profile: GuidelineProfile, f: PlanFacts) -> Statement:
    """The plan's first line for a treating regimen: under this profile, the regimen for this case (and, with tests
    pending, that it starts now). Also shown under the source where the guideline treats and the source waits."""
    under = profile.teaching_name
    plan = regimen_for(profile, "im_standard" if f.regimen == "oral_or_im" else f.regimen, f.risk_factors)
    why = ""
    if f.awaiting:
        tests = _awaited(profile, f)
        waiting = f", while {tests} awaited" if tests else ""
        why = f", started now once the bloods are taken{waiting}: {_reason_not_to_wait(f)}"
    return Statement(
        f"Under {under}, the regimen for this case is {plan.text}{why}.",
        cite(*plan.citations, *(profile.treat_now_citations if f.awaiting else ())),
        f"Regimen under {under}: {plan.title}" + (" (now, tests pending)" if f.awaiting else ""),
        kind="plan",
    )


def _lasting_cause_treated(profile: GuidelineProfile, f: PlanFacts) -> Statement:
    """Treated although the tests do not show deficiency: a recorded cause that cannot be reversed, or nitrous
    oxide with neurological symptoms."""
    if f.nitrous_oxide and f.neuro and not f.lasting_cause:
        return Statement(
            "MMA or homocysteine not raised, but nitrous oxide with neurological symptoms: they miss 10–20% of "
            "nitrous oxide myeloneuropathy, so the nitrous oxide stops and B12 starts without waiting, with urgent "
            "neurological input.",
            ("NICE NG239", "RCEM 2024", "Practical Neurology 2023"),
            "Nitrous oxide with neurological symptoms: treat whatever the tests",
            kind="plan",
        )
    if f.mma_measured:
        reading = f"MMA at or below the laboratory's limit (here {profile.mma_upper:g} nmol/L)"
    else:
        reading = "B12 above the borderline range"
    return Statement(
        f"{reading}, but a recorded cause that cannot be reversed: replacement for it is lifelong and is not "
        "stopped because a level is in range; if it is already given, the maintenance doses go on"
        + (
            "; with the neurological symptoms, strong features that disagree with the tests do not delay "
            "treatment, and the specialist advice above follows it."
            if f.neuro
            else "."
        ),
        ("NICE NG239", *(("BSH 2014", "BNF / NICE CKS") if f.neuro else ())),
        "Lasting cause: lifelong replacement whatever the level",
        kind="plan",
    )


def _pending_samples(profile: GuidelineProfile, f: PlanFacts) -> str:
    """The tests whose sample goes with the bloods before a first dose given while they are awaited ("" if none)."""
    if f.regimen not in TREATMENT_REGIMENS:
        return ""
    if f.nitrous_oxide and f.neuro:  # its urgent step asks for homocysteine or MMA (_N2O_SAMPLE); pregnancy adds
        # active B12, its first test (code-blind read s11, 11th)
        return "active B12" if f.pregnant and profile.holotc_pmol_l and not f.active_measured else ""
    if not f.awaiting:
        return ""
    return _awaited(profile, f).removesuffix(" is").removesuffix(" are")


def _awaited(profile: GuidelineProfile, f: PlanFacts) -> str:
    """What treatment started now does not wait for ("" when nothing: a lifelong plan, or every test in)."""
    if f.status == "indeterminate_needs_mma" and f.lasting_cause:
        return ""  # lifelong whatever the tests show (independent read s8d, S4)
    renal_indeterminate = f.mma_undecided and f.status == "indeterminate_needs_mma"
    if profile.holotc_pmol_l and not f.active_measured and (f.pregnant or renal_indeterminate):
        return "active B12 is"  # first in pregnancy; the answer a renal MMA cannot give (s8d, s8c F2)
    if f.mma_undecided:  # B12 in range: its work-up asks for homocysteine, not active B12 (code-blind read s11, 12th)
        return "homocysteine is" if f.status == "normal_needs_mma_hcy" and not f.hcy_measured else ""
    return "MMA and homocysteine are" if f.status == "normal_needs_mma_hcy" and not f.hcy_measured else "MMA is"


def _reason_not_to_wait(f: PlanFacts) -> str:
    """Why treatment starts before the tests are back, in the words of what this case has."""
    if f.neuro or f.very_high_mcv:
        return "strong clinical features are not a reason to wait"
    if f.lasting_cause:
        return "replacement for a recorded cause that cannot be reversed is lifelong"
    return "folic acid already taken must not go on alone, since it can hide the anaemia while nerve damage goes on"


def _regimen_steps(profile: GuidelineProfile, f: PlanFacts) -> list[Statement]:
    steps = [regimen_statement(profile, f)]
    if f.regimen == "oral_or_im":
        oral = regimen_for(profile, "oral", f.risk_factors)
        severity = (
            "not severe" if f.hb_measured else "severity unknown: only once the full blood count rules out severe"
        )
        steps.append(
            Statement(
                f"Or, as an alternative ({severity}, no neurological symptoms): {oral.text}.",
                oral.citations,
                f"Or oral {oral.drug.lower()} {oral.dose} daily",
                kind="plan",
            )
        )
        if not f.hb_measured:
            steps.append(_HB_UNKNOWN)
    if profile.follows_source:
        steps.append(_SOURCE_DURATION)
    if f.severe_anaemia and f.anaemia_grade != "severe":  # a severe grade says it in its urgent step
        steps.append(_TRANSFUSION)
    return steps


def _not_treated_steps(profile: GuidelineProfile, f: PlanFacts) -> list[Statement]:
    """What a status without treatment leads to: the tests still needed, or why there is no treatment."""
    mma = f"{profile.mma_upper:g}"
    steps: list[Statement] = []
    treats_lasting_cause = f.regimen in TREATMENT_REGIMENS and f.lasting_cause
    if f.status == "indeterminate_needs_mma" and f.nitrous_oxide and profile.follows_source:
        steps.append(_mma_meaning(profile))  # the source's rule, with the nitrous oxide correction beside it
        if not f.hcy_measured:
            steps.append(_N2O_FIRST_TESTS)
    elif f.status == "indeterminate_needs_mma" and f.nitrous_oxide:
        if f.mma_undecided:  # a raised MMA beside renal impairment: homocysteine answers, active B12 does not
            steps.append(_renal_mma_step(profile, active_measured=True) if f.hcy_measured else _N2O_HCY_RENAL)
        elif f.regimen in TREATMENT_REGIMENS and not f.neuro:  # otherwise an urgent step already asks for them
            steps.append(_N2O_FIRST_TESTS)
    elif f.status == "indeterminate_needs_mma" and f.mma_undecided:
        steps.append(_renal_mma_step(profile, f.active_measured))
    elif f.status == "indeterminate_needs_mma" and treats_lasting_cause:
        steps.append(_MMA_OPTIONAL)  # independent read s8a, c04: the tests cannot change a lifelong plan
    elif f.status == "indeterminate_needs_mma":
        steps.append(_mma_meaning(profile, after_active=f.pregnant and not f.active_measured))
        if profile.holotc_pmol_l and not f.active_measured and not f.pregnant:  # pregnancy: its own step
            low, high = profile.holotc_pmol_l
            steps.append(
                Statement(
                    f"Or measure active B12 (holotranscobalamin), a first-line test under NICE NG239: below {low:g} "
                    f"pmol/L confirms deficiency, {low:g}–{high:g} is indeterminate, above {high:g} makes "
                    "deficiency unlikely.",
                    ("NICE NG239",),
                    "Or measure active B12 (holoTC)",
                    kind="workup",
                    measures=("active_b12",),
                )
            )
    elif f.status == "normal_needs_mma_hcy":
        steps += _in_range_tests(profile, f)
        steps.append(_ETHNICITY)
    elif f.regimen in TREATMENT_REGIMENS:  # graphs: st_treat_lasting_cause, st_lasting_in_range
        steps.append(_lasting_cause_treated(profile, f))
    elif f.status == "not_confirmed":
        if f.outcome == "out_active_unlikely" and profile.holotc_pmol_l:
            text = f"Active B12 above {profile.holotc_pmol_l[1]:g} pmol/L: deficiency unlikely, no B12 treatment."
            if f.pregnant:
                text += " In pregnancy active B12 governs, because total B12 falls in normal pregnancy."
            cites: tuple[str, ...] = ("NICE NG239",)
        else:
            test = "MMA" if f.mma_measured else "Homocysteine"
            limit = f" (here {mma} nmol/L)" if f.mma_measured else " (about 15 µmol/L)"
            text = f"{test} at or below the laboratory's limit{limit}: deficiency not confirmed, no B12 treatment."
            if f.neuro:
                text += " The neurological symptoms still need the specialist advice above, which says when to treat."
            elif f.nitrous_oxide:  # code-blind read s12: "re-test" for a nitrous oxide user who develops symptoms
                text += (
                    " If neurological symptoms develop: start B12 at once, once the bloods are taken, with urgent "
                    "specialist advice; do not wait for a re-test."
                )
            else:
                text += " Re-test if symptoms develop; look for other causes of the findings."
            # The homocysteine limit is the NHS laboratories' range, not the MMA assay's (code-blind read s12).
            limit_cite = profile.mma_limit_citation if f.mma_measured else "NHS homocysteine range"
            extra = ("BSH 2014",) if f.neuro else ("RCEM 2024",) if f.nitrous_oxide else ()
            cites = cite(*profile.citations, limit_cite, *extra)
        steps.append(Statement(text, cites, "Not confirmed: no B12 treatment", kind="plan"))
        steps.append(_ETHNICITY)
    elif f.outcome == "out_normal_after_mma":
        test = "MMA" if f.mma_measured else "Homocysteine"
        steps.append(
            Statement(
                f"{test} not raised (MMA limit here {mma} nmol/L): B12 deficiency is not shown"
                + ("; it is unlikely to explain the neurological symptoms: look for other causes." if f.neuro else "."),
                cite(*profile.citations, profile.mma_limit_citation, "AFP 2017"),
                "B12 deficiency not shown: look for other causes" if f.neuro else "B12 deficiency not shown",
                kind="plan",
            )
        )
    else:
        context = "no neurological symptoms" + (", nitrous oxide or very high MCV" if profile.reads_context else "")
        steps.append(
            Statement(
                f"B12 above the borderline range and {context}: no B12 treatment.",
                profile.citations,
                "No B12 treatment",
                kind="plan",
            )
        )
        # Above the borderline range a B12 is in range under the higher range of people of Black ethnicity too
        # (from 166 pmol/L, about 225 pg/mL), unless a laboratory's borderline range ends below that (code-blind read
        # s12: the note stood beside a B12 of 1500).
        if profile.b12_upper < BLACK_RANGE_LOW_PG_ML:
            steps.append(_ETHNICITY)
    if f.status in ("indeterminate_needs_mma", "normal_needs_mma_hcy") and not f.nitrous_oxide:
        steps.append(_ASK_NITROUS)
    return steps


def _in_a_cell(names: str) -> str:
    """Risk factor names for a brief: the batch's next-steps cell separates statements with "; " (STEP_SEPARATOR)."""
    return names.replace("; ", " + ")


def _risk_factors_untreated(risk_factors: frozenset[str], lifelong_if_shown: bool) -> Statement:
    """Recorded risk factors said when there is no treatment (yet): never silent. While the tests decide, a cause
    that cannot be reversed changes what a positive result means for the plan (lifelong)."""
    named = risk_factor_names(risk_factors)
    text = f"Recorded risk factors for B12 deficiency: {named}."
    if lifelong_if_shown and not risk_factors.isdisjoint(IRREVERSIBLE_CAUSES):
        text += " If the tests show deficiency, treatment is lifelong: this cause cannot be reversed."
    elif not risk_factors.isdisjoint(IRREVERSIBLE_CAUSES):
        text += (
            " Replacement for a cause that cannot be reversed is lifelong: if it has been started, it is not stopped "
            "because a level is in range."
        )
    return Statement(text, ("NICE NG239",), f"Risk factors recorded: {_in_a_cell(named)}", kind="plan")


@lru_cache(maxsize=4096)
def b12_next_steps(profile: GuidelineProfile, f: PlanFacts) -> tuple[Statement, ...]:
    """The B12 plan's statements, do_now first. It takes no ESR argument, so the ESR cannot change them.
    Remembered: the profile and the plan's facts decide every word."""
    steps = _do_now(profile, f)
    treats = f.regimen in TREATMENT_REGIMENS
    if treats:
        steps += _regimen_steps(profile, f)
    if treats or f.status == "indeterminate_needs_mma":
        steps.append(_workup_bloods(f.hb_measured, f.anaemia_grade == "severe", treats, _pending_samples(profile, f)))
    # The urgent step may start B12: bloods first (s12). Not where every test is normal: that step starts none (s13).
    elif f.neuro and f.status == "not_confirmed":
        steps.append(_workup_bloods(f.hb_measured, f.anaemia_grade == "severe", False, when=_BEFORE_ANY_DOSE))
    if treats:
        if f.status in DEFICIENT_STATUSES:
            if not f.lasting_cause:  # a recorded lasting cause is the cause found
                steps.append(_CHECK_CAUSE if f.risk_factors else _FIND_CAUSE)
            steps.append(_INTRINSIC_FACTOR)
        # A risk marker is not something to address (code-blind read s14, first: "to address: Autoimmune disease …
        # a risk marker, not a cause"); its own background line says what it means.
        if f.risk_factors - IRREVERSIBLE_CAUSES - RISK_MARKERS:
            named = risk_factor_names(f.risk_factors - IRREVERSIBLE_CAUSES - RISK_MARKERS)
            steps.append(
                Statement(
                    f"Recorded risk factors to review (each on its own merits): {named}.",
                    ("AFP 2025",),
                    f"Review: {_in_a_cell(named)}",
                    kind="plan",
                )
            )
        steps.append(_RESPONSE_MICROCYTIC if f.microcytic else _RESPONSE)
    if f.pregnant and not f.active_measured and f.status not in ("normal", "not_confirmed"):
        if profile.holotc_pmol_l:
            steps.append(
                Statement(
                    "Measure active B12: it is the first test in pregnancy, because total B12 falls in normal "
                    "pregnancy.",
                    ("NICE NG239",),
                    "Pregnancy: measure active B12 (first test)",
                    kind="workup",
                    measures=("active_b12",),
                )
            )
        else:
            steps.append(_PREGNANCY_TOTAL)
    if f.status not in DEFICIENT_STATUSES:
        steps += _not_treated_steps(profile, f)
    if f.risk_factors and not treats:
        steps.append(_risk_factors_untreated(f.risk_factors, lifelong_if_shown=f.regimen == "pending_tests"))
    # Deficiency not shown: the other causes too, also while a megaloblastic picture is treated (s8d, C06).
    # Indeterminate too: "or not yet" covers it (code-blind read s13, third, W5: MCV 104 beside Crohn's or ESR 110).
    if f.macrocytic and (
        f.status in ("normal_needs_mma_hcy", "indeterminate_needs_mma")
        or (not treats and f.status in ("normal", "not_confirmed"))
    ):
        steps.append(_OTHER_MACROCYTOSIS)
    if f.regimen == "none" and f.anaemia_grade in ("mild", "moderate"):  # severe: its urgent step assesses it
        steps.append(ANAEMIA_OWN_WORKUP)
    if f.microcytic and f.anaemia_grade in ANAEMIC_GRADES:
        steps.append(_MICROCYTIC_ANAEMIA_PREGNANT if f.pregnant else _MICROCYTIC_ANAEMIA)
    if "autoimmune_disease" in f.risk_factors and f.status != "normal":
        steps.append(_AUTOIMMUNE)
    return tuple(steps)
