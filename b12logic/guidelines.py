"""Guideline profiles as data: thresholds, regimens, monitoring and citations.

A profile never invents a number silently: where its guideline gives none, `laboratory_values`
says which laboratory value it borrows, and the app shows that.

>>> PROFILES["source"].b12_low, PROFILES["source"].b12_upper, PROFILES["source"].mma_upper
(180.0, 350.0, 271.0)
>>> custom_profile(b12_low=145, b12_upper=250, mma_upper=300).id
'custom'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from b12logic.validate import CaseError

# The app's stated working definition of "severe" (the source uses the word without defining it).
SEVERE_B12_PG_ML = 100.0
SEVERE_HB_G_DL = 8.0  # WHO severe anaemia
# WHO anaemia thresholds, used for the "anaemia can raise ESR" pitfall.
ANAEMIA_HB_G_DL = {"male": 13.0, "female": 12.0}
# WHO grades (WHO/NMH/NHD/MNM/11.1, 2011), g/dL: anaemia below, moderate below, severe below.
WHO_ANAEMIA_GRADES_G_DL = {"male": (13.0, 11.0, 8.0), "female": (12.0, 11.0, 8.0), "pregnant": (11.0, 10.0, 7.0)}


@dataclass(frozen=True)
class Regimen:
    """A treatment plan in words and as a schedule the timeline can draw."""

    id: str
    title: str
    drug: str
    dose: str
    route: str
    loading: str
    maintenance: str
    duration: str
    citations: tuple[str, ...]
    # Schedule, for the treatment timeline: loading doses then maintenance.
    loading_every_days: float | None = None  # 2 = alternate days
    loading_per_week: int | None = None  # 3 = three times weekly
    loading_weeks: float | None = None  # None with loading_every_days = "until no further improvement"
    maintenance_every_months: tuple[float, float] | None = None  # (2, 3) = every 2–3 months
    daily: bool = False

    @property
    def text(self) -> str:
        parts = [f"{self.drug} {self.dose} {self.route}", self.loading, self.maintenance, self.duration]
        return "; ".join(p for p in parts if p)


@dataclass(frozen=True)
class MonitoringItem:
    month: float | None  # None = not tied to a month (e.g. "when symptoms change")
    what: str
    citations: tuple[str, ...]


_IM_NEURO = Regimen(
    id="im_neuro",
    title="Hydroxocobalamin IM, neurological regimen",
    drug="Hydroxocobalamin",
    dose="1 mg",
    route="intramuscular",
    loading="on alternate days until no further improvement",
    maintenance="then 1 mg every 2 months",
    duration="for life",
    citations=("source", "BNF / NICE CKS"),
    loading_every_days=2,
    maintenance_every_months=(2, 2),
)
_IM_STANDARD = Regimen(
    id="im_standard",
    title="Hydroxocobalamin IM, standard regimen",
    drug="Hydroxocobalamin",
    dose="1 mg",
    route="intramuscular",
    loading="three times weekly for 2 weeks",
    maintenance="then 1 mg every 2–3 months",
    duration="for life",
    citations=("source", "BNF / NICE CKS"),
    loading_per_week=3,
    loading_weeks=2,
    maintenance_every_months=(2, 3),
)
_ORAL_SOURCE = Regimen(
    id="oral",
    title="Oral cyanocobalamin",
    drug="Cyanocobalamin",
    dose="1000–2000 µg",
    route="by mouth",
    loading="daily",
    maintenance="",
    duration="for life unless a reversible cause is fixed (NICE NG239)",
    citations=("source", "AFP 2017", "AFP 2025", "Cochrane 2018"),
    daily=True,
)
_ORAL_NICE = replace(
    _ORAL_SOURCE,
    dose="at least 1 mg (1000 µg)",
    duration="",  # set from the recorded cause (regimen_for)
    citations=("NICE NG239",),
)
# Diet-related deficiency needs far less than malabsorption (BNF / NICE CKS).
_ORAL_DIET = replace(
    _ORAL_SOURCE,
    dose="50–150 µg",
    duration="",
    citations=("BNF / NICE CKS",),
)

# Causes by whether they can be reversed (NICE NG239 rationale): the duration of treatment follows them.
IRREVERSIBLE_CAUSES = frozenset({"pernicious_anaemia", "gastric_surgery"})
_CAUSE_WORDS = {"pernicious_anaemia": "autoimmune gastritis", "gastric_surgery": "gastric or ileal surgery"}
REVERSIBLE_CAUSES = frozenset({"vegan_diet", "metformin", "acid_suppression", "nitrous_oxide"})
DIET_CAUSES = frozenset({"vegan_diet"})
# Crohn's or coeliac disease may or may not be reversed: beside it the duration stays the general rule, so a PPI
# recorded with it does not make treatment "as long as the cause lasts" (code-blind read s11, seventh, F9).
UNSETTLED_CAUSES = frozenset({"bowel_disease"})

_SOURCE_MONITORING = (
    MonitoringItem(3, "Serum B12 and full blood count", ("source",)),
    MonitoringItem(6, "Serum B12", ("source",)),
    MonitoringItem(12, "Serum B12; then yearly once stable", ("source",)),
    MonitoringItem(
        None,
        "Homocysteine below 10 µmol/L (a bariatric target; the reference limit is about 15)",
        ("source", "NHS homocysteine range"),
    ),
)
_NICE_MONITORING = (
    # The month-1 review in pregnancy is added by the engine for a pregnant case (engine._monitoring), so a
    # case that cannot be pregnant never reads about pregnancy (issue 19: a 74-year-old did).
    MonitoringItem(3, "Review symptoms and response", ("NICE NG239",)),
    MonitoringItem(
        None,
        "No routine B12 recheck during injections; the full blood count follows the response",
        ("Essex B12 pathway 2019",),
    ),
)
# Said wherever the source's schedule is shown (clinical-facts, source error 4).
SOURCE_MONITORING_CAVEAT = (
    "This schedule is the source's: it matches bariatric-surgery guidance, not a general guideline. NICE NG239 "
    "advises a review at 3 months (1 month in pregnancy) and found no studies on how often to follow up."
)


@dataclass(frozen=True)
class GuidelineProfile:
    """Thresholds in pg/mL (= ng/L) and nmol/L; `<` for low and `>` for MMA are strict, as the texts write them."""

    id: str
    name: str
    citations: tuple[str, ...]
    b12_low: float
    b12_upper: float
    mma_upper: float
    summary: str
    regimens: tuple[Regimen, ...] = ()  # im_neuro and im_standard (regimen() finds one by id)
    oral: Regimen = _ORAL_SOURCE
    monitoring: tuple[MonitoringItem, ...] = ()
    # (which value, why the app uses it) for each number the guideline does not give
    laboratory_values: tuple[tuple[str, str], ...] = ()
    holotc_pmol_l: tuple[float, float] | None = None  # active B12: low below, above range above
    treat_borderline_neuro_now: bool = False
    superseded_by: str | None = None
    # How the profile is named in teaching sentences ("Under NICE NG239 the regimen for this case is ...").
    teaching_name: str = "the source answer"
    short_name: str = "Source"  # where space is short: the region map's cut-off lines
    # "lifelong": for everyone, as the source writes it (shown with the correction beside it);
    # "cause": the duration follows the recorded cause (NICE NG239).
    duration_rule: str = "lifelong"
    monitoring_caveat: str = ""
    # One judgment from every marker and the clinical context (DESIGN.md); False: the source's fixed rules.
    reads_context: bool = False
    # How the profile places MMA, and whose limit the app uses (said every time the limit is shown).
    mma_role: str = "Under the source answer, MMA is measured next."
    mma_limit_words: str = "Mayo Clinic Laboratories' limit for one assay (range 73–271 nmol/L)"
    mma_limit_citation: str = "Mayo"
    # Said beside the regimen when strong features start treatment before the tests return.
    treat_now_citations: tuple[str, ...] = ("BSH 2014", "BNF / NICE CKS")
    # For a profile that does not read the context: the guideline whose judgment is shown beside the source's
    # fixed rule where that rule is unsafe for a case (the headline's correction, the Do-now steps).
    corrected_by: str = "nice-ng239"
    # The profile whose monitoring schedule the Treatment page shows beside this one's.
    monitoring_beside: str = "nice-ng239"
    line_dash: str = "longdash"  # the region map draws this profile's cut-offs with it

    def __hash__(self) -> int:
        # Hashed once: caches key on the profile itself, and every case looks it up.
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, f.name) for f in fields(self)))
            object.__setattr__(self, "_hash", cached)
        return int(cached)

    def regimen(self, regimen_id: str) -> Regimen:
        """One of the profile's IM regimens by id (im_neuro, im_standard)."""
        return next(r for r in self.regimens if r.id == regimen_id)

    @property
    def correcting(self) -> GuidelineProfile:
        """The guideline shown beside this profile's fixed rule where that rule is unsafe for a case."""
        return PROFILES[self.corrected_by]

    @property
    def monitoring_compared(self) -> GuidelineProfile:
        """The profile whose schedule is shown beside this one's."""
        return PROFILES[self.monitoring_beside]

    @property
    def follows_source(self) -> bool:
        """Whether this profile's rules are the source answer's (the source itself, or lab cut-offs on it)."""
        return self.duration_rule == "lifelong"

    def threshold_rows(self) -> list[dict[str, str]]:
        """The profile's thresholds as table rows for the References page."""
        rows = [
            {"threshold": "Total B12 low", "value": f"< {self.b12_low:g} pg/mL ({self.b12_low * 0.738:.0f} pmol/L)"},
            {
                "threshold": "Total B12 borderline",
                "value": f"{self.b12_low:g}–{self.b12_upper:g} pg/mL "
                f"({self.b12_low * 0.738:.0f}–{self.b12_upper * 0.738:.0f} pmol/L)",
            },
            {"threshold": "MMA raised", "value": f"> {self.mma_upper:g} nmol/L"},
            {"threshold": "Severe (working definition)", "value": "B12 < 100 pg/mL or Hb < 8 g/dL"},
        ]
        if self.holotc_pmol_l:
            low, high = self.holotc_pmol_l
            rows.append({"threshold": "Active B12 (holoTC)", "value": f"< {low:g} low; {low:g}–{high:g} indeterminate"})
        for name, why in self.laboratory_values:
            rows.append({"threshold": f"{name} (laboratory value)", "value": why})
        return rows


_REGIMENS = (_IM_NEURO, _IM_STANDARD)

PROFILES: dict[str, GuidelineProfile] = {
    p.id: p
    for p in (
        GuidelineProfile(
            id="source",
            name="Source answer (default)",
            citations=("source",),
            b12_low=180.0,
            b12_upper=350.0,
            mma_upper=271.0,
            summary="The rules of the source answer, with boundaries exactly as it writes them.",
            regimens=_REGIMENS,
            oral=_ORAL_SOURCE,
            monitoring=_SOURCE_MONITORING,
            monitoring_caveat=SOURCE_MONITORING_CAVEAT,
            laboratory_values=(("MMA 271 nmol/L", "Mayo's upper reference limit (73–271 nmol/L), used by the source"),),
        ),
        GuidelineProfile(
            id="nice-ng239",
            name="NICE NG239 (2024)",
            citations=("NICE NG239",),
            b12_low=180.0,
            b12_upper=350.0,
            mma_upper=271.0,
            summary="Total B12 < 180 pg/mL low, 180–350 indeterminate; active B12 < 25 / 25–70 / > 70 pmol/L; MMA "
            "second line with symptoms or signs and an indeterminate result; neurological features: urgent "
            "specialist advice, treatment not delayed; duration follows the cause; review at 3 months.",
            regimens=_REGIMENS,
            oral=_ORAL_NICE,
            monitoring=_NICE_MONITORING,
            laboratory_values=(
                (
                    "MMA 271 nmol/L",
                    "NICE gives no numeric MMA cut-off; the app uses the example laboratory's upper limit (Mayo 271 "
                    "nmol/L). Use your laboratory's.",
                ),
            ),
            holotc_pmol_l=(25.0, 70.0),
            treat_borderline_neuro_now=True,
            teaching_name="NICE NG239",
            short_name="NICE",
            duration_rule="cause",
            reads_context=True,
            monitoring_beside="source",
            line_dash="dash",
            mma_role="Under NICE NG239, MMA is second line: consider it for people with symptoms or signs and an "
            "indeterminate total or active B12.",
        ),
        GuidelineProfile(
            id="bsh-2014",
            name="BSH 2014 (superseded)",
            citations=("BSH 2014",),
            b12_low=200.0,
            b12_upper=350.0,
            mma_upper=271.0,
            summary="Total B12 < 200 pg/mL gives 97% sensitivity; otherwise local ranges. Do not delay treatment "
            "when clinical features are strong.",
            regimens=_REGIMENS,
            oral=_ORAL_SOURCE,
            monitoring=(),
            # Said where a treated case's follow-up would be (code-blind read s12: no review line at all).
            monitoring_caveat="BSH 2014 gives no follow-up schedule; NICE NG239, which superseded it, advises a "
            "review of symptoms and response at 3 months (1 month in pregnancy).",
            laboratory_values=(
                (
                    "B12 borderline upper 350 pg/mL",
                    "BSH defers to local ranges; the app uses 350 pg/mL as the example laboratory's",
                ),
                ("MMA 271 nmol/L", "BSH gives no numeric MMA cut-off; the app uses Mayo's 271 nmol/L"),
                ("Monitoring", "BSH 2014 gives no schedule in the app's checked facts; none is shown"),
                (
                    "Active B12 25 / 70 pmol/L",
                    "BSH 2014 names active B12 a possible first-line test without bands; the app reads it with NICE "
                    "NG239's bands",
                ),
            ),
            holotc_pmol_l=(25.0, 70.0),
            treat_borderline_neuro_now=True,
            superseded_by="nice-ng239",
            teaching_name="BSH 2014",
            short_name="BSH",
            duration_rule="cause",
            reads_context=True,
            line_dash="dot",
            mma_role="Under BSH 2014, MMA is a second-line test for a borderline B12.",
        ),
    )
}

DEFAULT_PROFILE = "source"


CUSTOM_PROFILE_NAME = "Laboratory custom"  # the one name of the laboratory profile, wherever it is shown
# The laboratory profile's id in links, the CLI and the sidebar: it is built from cut-offs, so not in PROFILES.
LAB_PROFILE_ID = "custom"
PROFILE_CHOICES = (*PROFILES, LAB_PROFILE_ID)


def takes_lab_cutoffs(guideline: str) -> bool:
    """Whether a chosen profile id is the laboratory's own cut-offs (custom_profile builds it).

    >>> takes_lab_cutoffs(" Custom"), takes_lab_cutoffs("source")
    (True, False)
    """
    return str(guideline).strip().lower() == LAB_PROFILE_ID


def custom_profile(
    b12_low: float, b12_upper: float, mma_upper: float, name: str = CUSTOM_PROFILE_NAME
) -> GuidelineProfile:
    """A laboratory's own cut-offs (pg/mL and nmol/L), read as NICE NG239 reads a case (one judgment from every
    marker and the clinical context; active B12 with NICE's bands).

    >>> custom_profile(b12_low=300, b12_upper=200, mma_upper=271)
    Traceback (most recent call last):
    ...
    b12logic.validate.CaseError: b12_upper: 200 must be at least b12_low (300) pg/mL
    """
    values = {"b12_low": b12_low, "b12_upper": b12_upper, "mma_upper": mma_upper}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise CaseError(key, value, f"{key}: {value!r} must be a positive finite number")
        if value > 100000:
            raise CaseError(key, value, f"{key}: {value:g} is outside the allowed range (above 0 up to 100000)")
    if b12_upper < b12_low:
        raise CaseError(
            "b12_upper", b12_upper, f"b12_upper: {b12_upper:g} must be at least b12_low ({b12_low:g}) pg/mL"
        )
    base = PROFILES["nice-ng239"]
    return replace(
        base,
        id=LAB_PROFILE_ID,
        name=name,
        b12_low=float(b12_low),
        b12_upper=float(b12_upper),
        mma_upper=float(mma_upper),
        summary=f"User-set cut-offs: B12 < {b12_low:g} low, {b12_low:g}–{b12_upper:g} borderline pg/mL; "
        f"MMA > {mma_upper:g} nmol/L raised; read as NICE NG239 reads a case. Labs differ: assay-specific "
        "cut-offs move cases.",
        laboratory_values=(("All cut-offs", "set by the user for their laboratory"),),
        teaching_name="your laboratory's cut-offs (read as NICE NG239 does)",
        mma_role="With your laboratory's cut-offs, MMA is second line, as under NICE NG239.",
        # Until a limit is entered the profile holds the app's default, which is no laboratory's own.
        mma_limit_words=(
            "the app's default (enter your laboratory's own if it differs)"
            if float(mma_upper) == base.mma_upper
            else "your laboratory's upper limit"
        ),
        mma_limit_citation="laboratory",
        short_name="Lab",
        monitoring_beside="nice-ng239",
        line_dash="dashdot",
    )


# Every laboratory profile shares its words and choices; only its cut-offs are the user's.
_LAB_PROFILE = custom_profile(180.0, 350.0, 271.0)


def profile_of(guideline: str) -> GuidelineProfile:
    """The profile an assessment names by its id, for its words and choices (name, schedules): a laboratory
    profile (id custom) answers with the laboratory profile's, whatever its cut-offs.

    >>> profile_of("custom").name == CUSTOM_PROFILE_NAME, profile_of("bsh-2014").short_name
    (True, 'BSH')
    """
    return PROFILES.get(guideline, _LAB_PROFILE)


def _duration(risk_factors: frozenset[str]) -> str:
    """How long treatment goes on under NICE NG239, in words, for the recorded causes."""
    if risk_factors & IRREVERSIBLE_CAUSES:
        named = " and ".join(_CAUSE_WORDS[r] for r in sorted(risk_factors & IRREVERSIBLE_CAUSES))
        return (
            f"lifelong, because the recorded cause ({named}) cannot be reversed (NICE reassures these patients that "
            "it will not be stopped; dose, form or route can change if symptoms persist)"
        )
    if risk_factors & REVERSIBLE_CAUSES and not risk_factors & UNSETTLED_CAUSES:
        # Only once the work-up finds no other cause: a diet or a drug can sit beside autoimmune gastritis (code-blind
        # read s13, third: a recorded diet was read as the cause before pernicious anaemia was excluded); not before the
        # course is complete (s14, sixth: nitrous oxide is "dealt with" the day it stops, before the nerves recover).
        return (
            "for as long as the recorded cause lasts, if the work-up finds no other (such as autoimmune gastritis): "
            "once it is dealt with and the course above is complete, treatment can stop or change"
        )
    return (
        "lifelong if the cause cannot be reversed (autoimmune gastritis, gastrectomy, ileal resection); if it can "
        "(diet, a drug, nitrous oxide), treatment follows the cause"
    )


def regimen_for(profile: GuidelineProfile, regimen_id: str, risk_factors: frozenset[str] = frozenset()) -> Regimen:
    """A profile's regimen (im_neuro, im_standard or oral) with its duration for this case's recorded causes.

    The source's rules keep its own words ("for life"); other profiles take the duration from the cause.

    >>> regimen_for(PROFILES["source"], "im_standard").duration
    'for life'
    >>> regimen_for(PROFILES["nice-ng239"], "im_standard", frozenset({"pernicious_anaemia"})).duration[:8]
    'lifelong'
    >>> regimen_for(PROFILES["nice-ng239"], "oral", frozenset({"vegan_diet"})).dose
    '50–150 µg'
    """
    base = profile.oral if regimen_id == "oral" else profile.regimen(regimen_id)
    if profile.follows_source:
        return base
    if regimen_id == "oral" and risk_factors and risk_factors <= DIET_CAUSES:
        base = _ORAL_DIET
    cited = (*(c for c in base.citations if c != "source"), "NICE NG239")
    duration = _duration(risk_factors)
    if profile.superseded_by:  # BSH 2014 gives no duration by cause: say whose it is (code-blind read s13, third)
        newer = PROFILES[profile.superseded_by].teaching_name
        duration = f"under {newer} (which superseded {profile.teaching_name}), {duration}"
    return replace(base, duration=duration, citations=tuple(dict.fromkeys(cited)))


def get_profile(guideline: str | GuidelineProfile) -> GuidelineProfile:
    """A profile by id (or the profile itself); CaseError naming the allowed ids otherwise."""
    if isinstance(guideline, GuidelineProfile):
        return guideline
    profile = PROFILES.get(str(guideline).strip().lower())
    if profile is None:
        raise CaseError(
            "guideline", guideline, f"guideline: {guideline!r} is not a known profile (one of {', '.join(PROFILES)})"
        )
    return profile
