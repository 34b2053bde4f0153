"""One specification per case input: the single roster of the case's inputs, and the one place their ranges,
units and defaults are written.

FIELDS drives the Case's checks (case.py), the CLI's `evaluate` arguments and their help (cli.py), the link
parameters (urlstate.py), the sidebar's widget keys and its "More labs" inputs (ui/state.py), the CSV columns
and template, validation messages and the tests' field lists. A new optional lab input is one FieldSpec here
(added=True, at the end) with its typed line in AddedInputs (the Case inherits it), and the rule that reads it.

>>> FIELDS["esr"].allowed_range("mm/h")
'0 to 200 mm/h'
>>> FIELDS["b12"].allowed_range("pmol/L")
'above 0 up to 7380 pmol/L'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from b12logic.units import B12_UNITS, CRP_UNITS, HB_UNITS, HOLOTC_UNITS, MMA_UNITS, PMOL_PER_PG


@dataclass(frozen=True)
class Limits:
    """The hard valid range of a number in one unit; `low_inclusive=False` means "above low"."""

    low: float
    high: float
    low_inclusive: bool = True

    def contains(self, value: float) -> bool:
        above_low = value >= self.low if self.low_inclusive else value > self.low
        return above_low and value <= self.high


@dataclass(frozen=True)
class SliderRange:
    """The range a slider offers: narrower than the hard limits, wide enough to cross every threshold."""

    low: float
    high: float
    step: float


@dataclass(frozen=True)
class FieldSpec:
    """Everything the project knows about one input."""

    name: str
    label: str
    kind: str  # "number", "choice" or "flag"
    help: str
    default: object
    required: bool = False
    units: tuple[str, ...] = ()
    unit_field: str | None = None  # the CSV column that names this field's unit
    limits: dict[str, Limits] = field(default_factory=dict)
    slider: dict[str, SliderRange] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    csv: bool = True  # a CSV column (and so a link parameter); False: a link parameter and CLI option only
    added: bool = False  # added after the first contract (DESIGN.md): a link carries it only when set
    short: str = ""  # the name where space is short ("Hb")
    cli: str = ""  # the CLI option when it is not --name-with-dashes (a fixed contract: --neuro)
    key: str = ""  # the sidebar widget's key when it is not in_<name> (keys kept as the browser tests know them)
    sidebar_more: bool = True  # drawn by the loop in the sidebar's "More labs and context" (False: by hand)

    @property
    def option(self) -> str:
        """The CLI option for this input."""
        return self.cli or "--" + self.name.replace("_", "-")

    @property
    def short_label(self) -> str:
        """Where space is short (the sidebar's "Hb unit")."""
        return self.short or self.label

    @property
    def widget_key(self) -> str:
        return self.key or f"in_{self.name}"

    def cli_help(self) -> str:
        """The CLI's help line: what it is, its unit and the allowed range."""
        if self.kind == "flag":
            return f"{self.label.lower()}: {self.help}"
        units = f"; unit {self.default_unit} unless {self.unit_option} says otherwise" if self.unit_field else ""
        blank = "" if self.required or self.kind != "number" else "; omit when not measured"
        return f"{self.label}: {self.allowed_range()}{units}{blank}"

    @property
    def unit_option(self) -> str:
        return "--" + (self.unit_field or "").replace("_", "-")

    @property
    def default_unit(self) -> str:
        return self.units[0] if self.units else ""

    def allowed_range(self, unit: str | None = None) -> str:
        """The allowed range in words, as every validation message states it."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "flag":
            return "yes or no"
        unit = unit or self.default_unit
        lim = self.limits[unit]
        suffix = f" {unit}" if unit else ""
        if lim.low_inclusive:
            return f"{_fmt(lim.low)} to {_fmt(lim.high)}{suffix}"
        return f"above {_fmt(lim.low)} up to {_fmt(lim.high)}{suffix}"

    def widget_range(self, unit: str | None = None) -> tuple[float, float]:
        """The lowest and highest value the page's input takes, which is also what a link may set: the hard
        limits, with an exclusive low ("above 0") raised to the smallest step an input offers.

        >>> FIELDS["b12"].widget_range("pg/mL"), FIELDS["esr"].widget_range()
        ((0.01, 10000.0), (0.0, 200.0))
        """
        lim = self.limits[unit or self.default_unit]
        low = float(lim.low) if lim.low_inclusive else float(lim.low) + WIDGET_RESOLUTION
        return low, float(lim.high)


def _fmt(value: float) -> str:
    """A number as people write it: no trailing .0, no exponent for ordinary lab values."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    try:
        integral = float(value).is_integer()
    except OverflowError:  # an int too large for a float (10**400): its order of magnitude is enough
        return ("-" if value < 0 else "") + f"1e{int(abs(int(value)).bit_length() * math.log10(2))}"
    if integral and abs(value) < 1e15:  # 1e300 is quoted back as "1e+300", not as 301 digits
        return str(int(value))
    return f"{value:g}"


def format_value(value: object) -> str:
    """How a bad value is quoted back in a message."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return _fmt(value)
    text = str(value)
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


_B12_MAX_PG = 10000.0
# The finest step a number input offers: a value "above 0" starts here on the page, and so in a link.
WIDGET_RESOLUTION = 0.01

FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec(
            name="age",
            sidebar_more=False,
            label="Age",
            kind="number",
            required=True,
            units=("years",),
            default=68.0,
            help="Adults only (16 to 110 years). The ESR upper limit rises with age.",
            limits={"years": Limits(16, 110)},
            slider={"years": SliderRange(16, 110, 1)},
        ),
        FieldSpec(
            name="sex",
            sidebar_more=False,
            label="Sex",
            kind="choice",
            required=True,
            default="female",
            choices=("female", "male"),
            help="Sets the ESR upper limit (women (age+10)/2, men age/2) and the anaemia threshold.",
        ),
        FieldSpec(
            name="b12",
            sidebar_more=False,
            label="Total serum B12",
            kind="number",
            required=True,
            units=B12_UNITS,
            unit_field="b12_unit",
            default=250.0,
            help="Total serum cobalamin. 1 pg/mL = 1 ng/L = 0.738 pmol/L.",
            limits={
                "pg/mL": Limits(0, _B12_MAX_PG, low_inclusive=False),
                "pmol/L": Limits(0, round(_B12_MAX_PG * PMOL_PER_PG, 6), low_inclusive=False),
            },
            slider={"pg/mL": SliderRange(20, 1500, 1), "pmol/L": SliderRange(15, 1100, 1)},
        ),
        FieldSpec(
            name="mma",
            short="MMA",
            sidebar_more=False,
            label="Methylmalonic acid (MMA)",
            kind="number",
            units=MMA_UNITS,
            unit_field="mma_unit",
            default=None,
            help="Leave blank when not measured. Rises in B12 deficiency and in renal impairment.",
            limits={
                "nmol/L": Limits(0, 100000, low_inclusive=False),
                "µmol/L": Limits(0, 100, low_inclusive=False),
            },
            slider={"nmol/L": SliderRange(50, 2000, 1), "µmol/L": SliderRange(0.05, 2.0, 0.01)},
        ),
        FieldSpec(
            name="homocysteine",
            label="Total homocysteine",
            kind="number",
            units=("µmol/L",),
            default=None,
            help="Leave blank when not measured. Rises in both B12 and folate deficiency.",
            limits={"µmol/L": Limits(0, 500, low_inclusive=False)},
            slider={"µmol/L": SliderRange(2, 100, 0.5)},
        ),
        FieldSpec(
            name="esr",
            sidebar_more=False,
            label="ESR (Westergren)",
            kind="number",
            required=True,
            units=("mm/h",),
            default=30.0,
            help="Erythrocyte sedimentation rate in mm in the first hour.",
            limits={"mm/h": Limits(0, 200)},
            slider={"mm/h": SliderRange(0, 160, 1)},
        ),
        FieldSpec(
            name="mcv",
            short="MCV",
            label="Mean corpuscular volume (MCV)",
            kind="number",
            units=("fL",),
            default=None,
            help="Leave blank when not measured. Above 100 fL is macrocytosis.",
            limits={"fL": Limits(50, 150)},
            slider={"fL": SliderRange(60, 130, 1)},
        ),
        FieldSpec(
            name="hb",
            short="Hb",
            label="Haemoglobin (Hb)",
            kind="number",
            units=HB_UNITS,
            unit_field="hb_unit",
            default=None,
            help="Leave blank when not measured. Below 8 g/dL counts as severe (WHO).",
            limits={"g/dL": Limits(3, 25), "g/L": Limits(30, 250)},
            slider={"g/dL": SliderRange(4, 18, 0.1), "g/L": SliderRange(40, 180, 1)},
        ),
        FieldSpec(
            name="neuro_symptoms",
            label="Neurological symptoms",
            kind="flag",
            cli="--neuro",
            key="in_neuro",
            sidebar_more=False,
            default=False,
            help="Paraesthesia, numbness, ataxia, cognitive change: changes the regimen and the work-up.",
        ),
        FieldSpec(
            name="on_folic_acid",
            label="Taking folic acid",
            kind="flag",
            key="in_folic",
            sidebar_more=False,
            default=False,
            help="Folic acid before B12 can hide the anaemia while nerve damage goes on.",
        ),
        FieldSpec(
            name="active_b12",
            label="Active B12 (holotranscobalamin)",
            kind="number",
            added=True,
            units=HOLOTC_UNITS,
            default=None,
            help="Leave blank when not measured. A first-line alternative to total B12 under NICE NG239 "
            "(below 25 pmol/L deficiency, 25–70 indeterminate, above 70 unlikely); the first test in pregnancy.",
            limits={"pmol/L": Limits(0, 1000, low_inclusive=False)},
            slider={"pmol/L": SliderRange(5, 200, 1)},
        ),
        FieldSpec(
            name="crp",
            short="CRP",
            label="C-reactive protein (CRP)",
            kind="number",
            added=True,
            units=CRP_UNITS,
            unit_field="crp_unit",
            default=None,
            help="Leave blank when not measured. Read beside the ESR: CRP follows inflammation within hours, "
            "the ESR lags days behind.",
            limits={"mg/L": Limits(0, 500), "mg/dL": Limits(0, 50)},
            slider={"mg/L": SliderRange(0, 300, 1), "mg/dL": SliderRange(0, 30, 0.1)},
        ),
        FieldSpec(
            name="pregnant",
            label="Pregnant",
            kind="flag",
            added=True,
            sidebar_more=False,
            default=False,
            help="Women aged 16 to 55 only. Total B12 falls in normal pregnancy and the ESR rises, so the "
            "age/sex ESR limit does not apply.",
        ),
        FieldSpec(
            name="renal_impairment",
            label="Renal impairment",
            kind="flag",
            default=False,
            added=True,
            csv=False,
            key="in_renal",
            sidebar_more=False,
            help="Impaired renal function raises MMA on its own.",
        ),
    )
}


@dataclass(frozen=True)
class LabSetting:
    """A laboratory cut-off the user may set (a link parameter and a number input): one range for both."""

    name: str
    label: str
    unit: str
    default: float
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def allowed_range(self) -> str:
        return f"{_fmt(self.low)} to {_fmt(self.high)} {self.unit}"


LAB_SETTINGS: dict[str, LabSetting] = {
    setting.name: setting
    for setting in (
        # A B12 cut-off lies within the B12 field's own range: a cut-off no valid B12 can reach is not one.
        LabSetting("lab_b12_low", "B12 low below", "pg/mL", 180.0, 1.0, _B12_MAX_PG),
        LabSetting("lab_b12_upper", "B12 borderline up to", "pg/mL", 350.0, 1.0, _B12_MAX_PG),
        LabSetting("lab_mma_upper", "MMA raised above", "nmol/L", 271.0, 1.0, 100000.0),
        # The laboratory's CRP upper limit: a setting of the ESR reading under every profile, not a case value.
        LabSetting("lab_crp_upper", "CRP upper limit", "mg/L", 5.0, 0.5, 50.0),
    )
}
# Pregnancy is only meaningful for women of these ages (DESIGN.md: otherwise a validation error).
PREGNANCY_AGES = (16.0, 55.0)


@dataclass(frozen=True, kw_only=True)
class AddedInputs:
    """The Case's inputs added after the first contract (FieldSpec added=True), typed here beside their specs:
    the Case inherits them as keywords. Each line's default is its spec's (tests/test_fields.py checks both
    ways), so an added input is its FieldSpec, its line here, and the rule that reads it."""

    active_b12: float | None = None
    crp: float | None = None
    crp_unit: str = "mg/L"
    pregnant: bool = False
    renal_impairment: bool = False


# Rosters derived from FIELDS, in its order.
NUMBER_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.kind == "number")
OPTIONAL_NUMBERS = tuple(name for name in NUMBER_FIELDS if not FIELDS[name].required)
FLAG_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.kind == "flag")
# The optional numbers the sidebar draws in its "More labs and context" loop.
MORE_LABS = tuple(name for name in OPTIONAL_NUMBERS if FIELDS[name].sidebar_more)
# The CSV columns of DESIGN.md, in template order (units sit beside their values; added inputs at the end).
CSV_COLUMNS = (
    "id",
    *(
        column
        for spec in FIELDS.values()
        if spec.csv
        for column in (spec.name, *((spec.unit_field,) if spec.unit_field else ()))
    ),
)
# Case inputs that are link parameters and CLI options but not CSV columns of the contract.
LINK_ONLY_FIELDS = tuple(name for name, spec in FIELDS.items() if not spec.csv)
REQUIRED_COLUMNS = tuple(name for name, spec in FIELDS.items() if spec.required)
UNIT_FIELDS = {spec.unit_field: spec.name for spec in FIELDS.values() if spec.unit_field}

SEX_ALIASES = {"female": "female", "f": "female", "woman": "female", "male": "male", "m": "male", "man": "male"}
TRUE_WORDS = frozenset({"yes", "true", "y", "1"})
FALSE_WORDS = frozenset({"no", "false", "n", "0", ""})

# Optional context that shapes caveats and the "find the cause" step (not CSV columns of the contract).
RISK_FACTORS: dict[str, str] = {
    "pernicious_anaemia": "Pernicious anaemia (autoimmune gastritis)",
    # A risk marker, not a cause: it clusters with pernicious anaemia but does not make treatment lifelong.
    "autoimmune_disease": "Autoimmune disease (thyroid, type 1 diabetes, vitiligo): a risk marker, not a cause",
    "gastric_surgery": "Gastrectomy, bariatric surgery or ileal resection",
    "bowel_disease": "Crohn's disease or coeliac disease",
    "metformin": "Metformin",
    "acid_suppression": "Proton-pump inhibitor or H2 blocker",
    "vegan_diet": "Vegan diet",
    "nitrous_oxide": "Nitrous oxide exposure",
}


def risk_factor_names(risk_factors: frozenset[str] | set[str]) -> str:
    """Recorded risk factors in words, in a fixed order ("" when none)."""
    return "; ".join(RISK_FACTORS[r] for r in sorted(risk_factors))
