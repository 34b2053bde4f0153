"""ESR read against its age- and sex-specific upper limit (Miller 1983), and the work-up it calls for.

>>> esr_upper_limit(71, "male"), esr_flag(35, 35.5), esr_flag(36, 35.5), esr_flag(100, 40.0)
(35.5, 'normal', 'elevated', 'markedly_elevated')
>>> esr_upper_limit(68, "female")
39.0
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from b12logic.columnwise import pick
from b12logic.statement import Statement

MARKED_ESR = 100.0  # mm/h; "100 or more": the group Fincher 1986 studied (about 90% had an identifiable cause)
NAIVE_ESR_CUTOFF = 20.0  # the fixed cut-off many people remember; wrong for older adults
UNUSUAL_ESR = 150.0
ESR_FLAGS = ("normal", "elevated", "markedly_elevated")
# In pregnancy the age/sex rule does not apply: the trimester reference ranges are 4–57, 7–47 and 13–70 mm/h
# (Abbassi-Ghanavati 2009), so the app reads the ESR against the top of them.
PREGNANCY_ESR_LIMIT = 70.0
PREGNANCY_ESR_RANGES = ((1, 4, 57), (2, 7, 47), (3, 13, 70))
GCA_AGE = 50  # giant cell arteritis is a question from 50 years (BSR 2020)
DEFAULT_CRP_LIMIT_MG_L = 5.0  # a common laboratory upper limit; labs use 5 or 10 mg/L
CRP_STATES = ("not_measured", "normal", "raised")

# Population 95th centiles (Wetteland 1996), ages 20/55/90.
WETTELAND_CENTILES = {"male": ((20, 12), (55, 14), (90, 19)), "female": ((20, 18), (55, 21), (90, 23))}


def esr_upper_limit(age: float, sex: str, pregnant: bool = False) -> float:
    """Miller 1983 (Westergren): men age/2, women (age + 10)/2 mm/h; in pregnancy the top of the trimester ranges.

    >>> esr_upper_limit(30, "female", pregnant=True)
    70.0
    """
    return float(esr_upper_limit_array(age, sex == "female", pregnant))


def esr_upper_limit_array(age: Any, is_female: Any, pregnant: Any = False) -> Any:
    """The same rule for one case (numbers) or a batch (arrays): the one copy of it."""
    return pick(pregnant, PREGNANCY_ESR_LIMIT, (age + pick(is_female, 10.0, 0.0)) / 2)


def esr_flag_code(esr: Any, upper_limit: Any) -> Any:
    """The index into ESR_FLAGS, for one case or a batch: markedly elevated at MARKED_ESR or more, elevated above
    the limit (strict), else normal."""
    marked = esr >= MARKED_ESR
    return marked * 1 + (marked | (esr > upper_limit))


def esr_flag(esr: float, upper_limit: float) -> str:
    """markedly_elevated at 100 mm/h or more; elevated above the limit (strict); otherwise normal.

    >>> esr_flag(100, 40.0), esr_flag(99.9, 40.0)
    ('markedly_elevated', 'elevated')
    """
    return ESR_FLAGS[esr_flag_code(esr, upper_limit)]


def crp_state(crp_mg_l: float | None, limit_mg_l: float = DEFAULT_CRP_LIMIT_MG_L) -> str:
    """not_measured, normal (at or below the laboratory's limit) or raised (above it).

    >>> crp_state(None), crp_state(5.0), crp_state(5.1)
    ('not_measured', 'normal', 'raised')
    """
    if crp_mg_l is None:
        return "not_measured"
    return "raised" if crp_mg_l > limit_mg_l else "normal"


# The giant cell arteritis questions and what follows a suspicion, said the same whichever marker raised them.
_GCA_ASK = (
    "Ask now about new headache, jaw claudication, scalp tenderness, visual symptoms and shoulder or hip girdle "
    "stiffness (polymyalgia rheumatica): from 50, {why}. If it is suspected, treat it as a medical emergency: "
    "high-dose glucocorticoid at once, without waiting for results, and specialist review the same working day "
    "(within 3 working days at most); new visual loss or double vision: ophthalmology the same day."
)
_GCA_SHORT = (
    "From 50, raised {marker}: ask now about GCA symptoms (if suspected: emergency, steroid at once, same-day review)"
)
_GCA_EMERGENCY = Statement(
    _GCA_ASK.format(why="a raised ESR raises the question of giant cell arteritis"),
    ("BSR 2020",),
    _GCA_SHORT.format(marker="ESR"),
    kind="do_now",
    rank=75,
)
# From 50 a raised CRP asks the same questions when the ESR is in range (code-blind read s11: CRP 150 with a normal
# ESR got no GCA question, although a normal ESR does not exclude it).
_GCA_EMERGENCY_CRP = Statement(
    _GCA_ASK.format(
        why="a raised CRP raises the question of giant cell arteritis, and an ESR in range does not exclude it"
    ),
    ("BSR 2020",),
    _GCA_SHORT.format(marker="CRP"),
    kind="do_now",
    rank=75,
)
MYELOMA_TEST_AGE = 60  # NICE NG12 writes its myeloma recommendations for people aged 60 and over
MARKED_CRP_MG_L = 100.0  # Landry 2017 studied CRPs above 100 mg/L


def crp_above_marked(crp_mg_l: float | None) -> bool:
    """A CRP above MARKED_CRP_MG_L: an urgent step of its own (HIGH_CRP)."""
    return crp_mg_l is not None and crp_mg_l > MARKED_CRP_MG_L


# A CRP above 100 mg/L is its own urgent question, whatever the ESR (code-blind read s11, U-1: "nothing urgent").
_HIGH_CRP_TEXT = (
    "Assess now for infection: it was the cause in 55% of 839 patients with a CRP above 100 mg/L, and in 89% of "
    "those with a CRP above 350 (then inflammatory disease, malignancy, drugs; 8.6% died). If sepsis is suspected, "
    "{grade}. This is done on its own criteria, beside the B12 plan, which it does not change."
)
# Ranked before the B12 plan's neurological step (90): a sepsis check takes minutes and sepsis kills fastest (code-
# blind reads s11, 4th, 5th and 8th); after a severe anaemia's assessment (100), which is the same visit's bloods.
HIGH_CRP = Statement(
    _HIGH_CRP_TEXT.format(
        grade="grade its risk from the history, the examination and the NEWS2 score, which sets how soon "
        "antibiotics are given"
    ),
    ("Landry 2017", "NICE NG51"),
    "CRP above 100 mg/L: assess now for infection (NEWS2 if sepsis suspected)",
    kind="do_now",
    rank=95,
)
# NEWS2 is not for pregnancy: NICE NG51 grades pregnant or recently pregnant people on criteria of their own
# (code-blind read s11, 8th, F1).
HIGH_CRP_PREGNANT = Statement(
    _HIGH_CRP_TEXT.format(
        grade="grade its risk with NICE NG51's criteria for pregnant or recently pregnant people (not NEWS2), with "
        "obstetric input"
    ),
    ("Landry 2017", "NICE NG51"),
    "CRP above 100 mg/L, pregnant: assess now for infection (NG51's pregnancy criteria, not NEWS2)",
    kind="do_now",
    rank=95,
)
_PREGNANCY = Statement(
    "Pregnant: the age/sex limit does not apply, because the ESR rises in normal pregnancy (reference ranges of "
    "one study: 4–57, 7–47 and 13–70 mm/h in the first, second and third trimesters). With no trimester recorded "
    "the app reads the ESR against 70 mm/h, the top of those ranges; against that study's ranges an ESR above 47 is "
    "raised in the second trimester, above 57 in the first. Ranges differ between studies and rise with anaemia.",
    ("Abbassi-Ghanavati 2009", "van den Broek 2001"),
    "Pregnancy: age/sex ESR limit not applicable",
    kind="background",
)
_ABOVE_FIRST_AND_SECOND = Statement(
    "This ESR is above the first- and second-trimester ranges (4–57 and 7–47 mm/h): read it as raised unless "
    "the pregnancy is in its third trimester (13–70 mm/h).",
    ("Abbassi-Ghanavati 2009",),
    "Above the first- and second-trimester ranges (57 and 47 mm/h)",
    kind="workup",
)
_ABOVE_SECOND = Statement(
    "This ESR is above the second-trimester range (7–47 mm/h): in the second trimester read it as raised.",
    ("Abbassi-Ghanavati 2009",),
    "Above the second-trimester range (47 mm/h)",
    kind="workup",
)
FIRST_TRIMESTER_TOP = 57.0
SECOND_TRIMESTER_TOP = 47.0  # the lowest top of the three ranges (independent read, session 6)


_MARKED = Statement(
    "Investigate the ESR of 100 mm/h or more urgently: about 90% of such ESRs have an identifiable cause "
    "(infection, malignancy, renal or inflammatory disease).",
    ("Fincher 1986",),
    "ESR ≥ 100: investigate urgently",
    kind="do_now",
    rank=65,
)


# A very high ESR without inflammation on the CRP: a paraprotein is the first thing to exclude (independent read s7).
def _marked_normal_crp(limit_mg_l: float) -> Statement:
    return Statement(
        f"ESR of 100 mm/h or more with a normal CRP (at or below {limit_mg_l:g} mg/L): this points away from active "
        "inflammation, and a paraprotein (myeloma) is among the causes, so exclude it: under NICE NG12, consider very "
        "urgent (within 48 hours) serum protein electrophoresis and a Bence-Jones protein urine test.",
        ("NICE NG12", "ICSH 2011"),
        "ESR ≥ 100, normal CRP: exclude myeloma (electrophoresis, Bence-Jones)",
        kind="do_now",
        # Below the giant cell arteritis questions (75): those are asked now and act the same day, this test within
        # 48 hours (independent read s8c, F9; s7 F2 had put it first).
        rank=74,
    )


# The figures behind it: background, said once.
MARKED_FIGURES = Statement(
    "Fincher 1986 reviewed 1,006 outpatients: 4.2% had an ESR of 100 mm/h or more, and among those the cause was "
    "infection in 33%, malignancy in 17%, renal disease in 17% and inflammatory disease in 14%.",
    ("Fincher 1986",),
    "ESR ≥ 100: infection 33%, malignancy 17%, renal 17%, inflammatory 14%",
    kind="background",
)


# From 60, a raised ESR beside anaemia, whatever the CRP: myeloma's tests (code-blind read s12: at 76-80 with ESR
# 110-120 and anaemia, myeloma was only a background pitfall because the CRP was raised too). A very urgent test (within 48
# hours) is a Do-now step, as for an ESR of 100 or more with a normal CRP (code-blind reads s12, third and fourth:
# the work-up said "within 48 hours" while Do now did not name it). Ranked below that step (74) and below folic
# acid's "start B12 now" (70), above "investigate urgently" for an ESR of 100 or more (65).
_MYELOMA_WITH_ANAEMIA = Statement(
    "A raised ESR with anaemia from 60: consider myeloma. In UK primary care a raised ESR made myeloma about twice "
    "as likely, and a normal haemoglobin with a normal ESR largely ruled it out; NICE NG12 advises considering very "
    "urgent (within 48 hours) serum protein electrophoresis and a Bence-Jones protein urine test when the ESR and "
    "the presentation are consistent with possible myeloma.",
    ("Koshiaris 2018", "NICE NG12"),
    "Raised ESR with anaemia from 60: consider myeloma (electrophoresis, Bence-Jones)",
    kind="do_now",
    rank=68,
)


def esr_urgent_steps(
    flag: str,
    gca_age: bool,
    crp: str = "not_measured",
    crp_above_100: bool = False,
    crp_limit_mg_l: float = DEFAULT_CRP_LIMIT_MG_L,
    pregnant: bool = False,
    myeloma_age: bool = False,
    anaemic: bool = False,
) -> tuple[Statement, ...]:
    """The ESR reading's urgent steps: a CRP above 100 mg/L, an ESR of 100 or more (with a normal CRP: exclude
    myeloma), from 60 a raised ESR with anaemia (myeloma's tests), and from 50 a raised ESR, or a raised CRP beside
    an ESR in range (giant cell arteritis). The batch's one next-steps cell uses them too, so it says what the
    Do-now block says."""
    steps = [HIGH_CRP_PREGNANT if pregnant else HIGH_CRP] if crp_above_100 else []
    marked_normal_crp = flag == "markedly_elevated" and crp == "normal"
    if marked_normal_crp:
        # Its own urgent step names what to investigate: the general "investigate urgently" is not said as well.
        steps.append(_marked_normal_crp(crp_limit_mg_l))
    elif flag == "markedly_elevated":
        steps.append(_MARKED)
    if flag != "normal" and myeloma_age and anaemic and not marked_normal_crp:  # that step names the same tests
        steps.append(_MYELOMA_WITH_ANAEMIA)
    if flag != "normal" and gca_age:
        steps.append(_GCA_EMERGENCY)
    elif crp == "raised" and gca_age:
        steps.append(_GCA_EMERGENCY_CRP)
    return tuple(steps)


def esr_workup(
    flag: str,
    age: float,
    crp: str = "not_measured",
    pregnant: bool = False,
    crp_limit_mg_l: float = DEFAULT_CRP_LIMIT_MG_L,
    esr: float = 0.0,
    crp_above_100: bool = False,
    anaemic: bool = False,
) -> tuple[Statement, ...]:
    """What an ESR result calls for, on its own criteria; never a change to the B12 plan. `esr` (mm/h) places a
    pregnant woman's ESR against each trimester's range, since no trimester is recorded. `crp_above_100`: the CRP
    is above MARKED_CRP_MG_L, an urgent step of its own. `anaemic`: Hb below the WHO threshold (from 60, with a
    raised ESR, myeloma's tests are named whatever the CRP)."""
    steps: list[Statement] = []
    above_second = pregnant and flag == "normal" and esr > SECOND_TRIMESTER_TOP
    if pregnant:
        steps.append(_PREGNANCY)
        if above_second:
            steps.append(_ABOVE_FIRST_AND_SECOND if esr > FIRST_TRIMESTER_TOP else _ABOVE_SECOND)
    if flag == "normal":
        steps.append(
            Statement(
                "ESR within the third-trimester range: in the third trimester the ESR itself calls for no work-up."
                if above_second
                else "ESR within the limit: the ESR itself calls for no work-up.",
                ("Abbassi-Ghanavati 2009",) if pregnant else ("Miller 1983",),
                "ESR within limit",
                kind="workup",
            )
        )
        steps.extend(esr_urgent_steps(flag, age >= GCA_AGE, crp, crp_above_100, crp_limit_mg_l, pregnant))
        if age >= GCA_AGE and crp != "raised":  # with a raised CRP its urgent step says so
            steps.append(
                Statement(
                    "A normal ESR does not exclude giant cell arteritis when the clinical picture fits: the "
                    "picture decides, not the number.",
                    ("BSR 2020",),
                    "Normal ESR does not exclude GCA",
                    kind="background",
                )
            )
        if crp == "raised":
            steps.append(
                _crp_by_trimester(crp_limit_mg_l)
                if above_second
                else _crp_reading(flag, crp, crp_limit_mg_l, age >= MYELOMA_TEST_AGE)
            )
        return tuple(steps)
    myeloma_age = age >= MYELOMA_TEST_AGE
    steps.extend(
        esr_urgent_steps(flag, age >= GCA_AGE, crp, crp_above_100, crp_limit_mg_l, pregnant, myeloma_age, anaemic)
    )
    if flag == "markedly_elevated":
        steps.append(MARKED_FIGURES)
    steps.append(
        Statement(
            "Work up the ESR on its own: it is non-specific, so look for its cause, not for B12.",
            ("source",),
            "ESR: own work-up",
            kind="workup",
        )
    )
    if crp == "not_measured":
        steps.append(
            Statement(
                "Check CRP: its plasma half-life is about 19 hours and its level is set by how fast the liver makes "
                "it, so it follows inflammation closely, while the ESR changes slowly.",
                ("Vigushin 1993", "ICSH 2011"),
                "Check CRP",
                kind="workup",
                measures=("crp",),
            )
        )
    elif not (flag == "markedly_elevated" and crp == "normal"):  # else its urgent step says it (_marked_normal_crp)
        # With anaemia the urgent step names myeloma's tests: the CRP reading does not say them again.
        steps.append(_crp_reading(flag, crp, crp_limit_mg_l, myeloma_age and not anaemic))
    # Fincher 1986 studied ESRs of 100 mm/h or more: cited for those only (independent read, session 6).
    marked = flag == "markedly_elevated"
    steps.append(
        Statement(
            "History and examination for infection, malignancy (including myeloma) and inflammatory disease"
            + (", the causes found for most ESRs of 100 mm/h or more." if marked else "."),
            ("source", "Fincher 1986") if marked else ("source",),
            "History and examination: infection, malignancy, inflammation",
            kind="workup",
        )
    )
    return tuple(steps)


@lru_cache(maxsize=64)
def _crp_by_trimester(limit: float) -> Statement:
    """A raised CRP beside a pregnancy ESR that the trimester decides (code-blind read s14, second: "with an ESR in
    range" stood beside "read it as raised unless … third trimester")."""
    return Statement(
        f"CRP raised (above the laboratory's limit of {limit:g} mg/L): before the third trimester, with the ESR raised "
        "too, this points to active inflammation; in the third, with the ESR in range, it can be early inflammation "
        "(the ESR lags days behind the CRP). Either way, find its cause.",
        ("Vigushin 1993", "laboratory", "Abbassi-Ghanavati 2009"),
        "CRP raised: inflammation, whatever the trimester",
        kind="workup",
    )


def _crp_reading(flag: str, crp: str, limit: float, myeloma_age: bool = False) -> Statement:
    """ESR and CRP read together (CRP follows production within hours; the ESR lags days behind). `myeloma_age`:
    from 60, NICE NG12's myeloma tests are named beside a raised ESR with a normal CRP."""
    where = f"above the laboratory's limit of {limit:g} mg/L" if crp == "raised" else f"at or below {limit:g} mg/L"
    if crp == "raised" and flag != "normal":
        return Statement(
            f"ESR and CRP both raised (CRP {where}): this points to active inflammation; find its cause.",
            ("Vigushin 1993", "laboratory"),
            "ESR and CRP raised: active inflammation",
            kind="workup",
        )
    if crp == "raised":
        return Statement(
            f"CRP raised ({where}) with an ESR in range: CRP rises within hours and the ESR lags days behind, "
            "so this can be early inflammation; find its cause.",
            ("Vigushin 1993", "laboratory"),
            "CRP raised, ESR not yet",
            kind="workup",
        )
    return Statement(
        f"Raised ESR with a normal CRP ({where}): this points away from active inflammation. Think of anaemia, a "
        "paraprotein (myeloma), high immunoglobulins, renal disease, pregnancy or older age, or inflammation that "
        "is settling (CRP falls within days, with a half-life of about 19 hours; the ESR lags)."
        + (
            " From 60, if the ESR and the presentation are consistent with possible myeloma, NICE NG12 advises "
            "considering very urgent (within 48 hours) serum protein electrophoresis and a Bence-Jones protein urine "
            "test."
            if myeloma_age
            else ""
        ),
        ("ICSH 2011", "Vigushin 1993", "laboratory", *(("NICE NG12",) if myeloma_age else ())),
        "Raised ESR, normal CRP: think anaemia, paraprotein, renal disease",
        kind="workup",
    )
