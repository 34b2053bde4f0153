"""Shareable links: a case as query parameters, and back, never failing on what a person typed.

Parameter names are the CSV column names plus `guideline` (and, additively, `renal_impairment`,
`risk_factors` and the laboratory cut-offs `lab_b12_low`, `lab_b12_upper`, `lab_mma_upper`).
Links put in teaching material must keep working: parameters are added, never renamed.

>>> state = parse_query({"age": "71", "sex": "M", "b12": "abc", "esr": "36"})
>>> state.values["b12"], state.values["sex"]
(250.0, 'male')
>>> state.warnings[0]
"Link parameter b12 ignored: b12: 'abc' is not a number (above 0 up to 10000 pg/mL). Using 250 pg/mL."
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from b12logic.case import Case
from b12logic.fields import (
    CSV_COLUMNS,
    FIELDS,
    FLAG_FIELDS,
    LAB_SETTINGS,
    LINK_ONLY_FIELDS,
    OPTIONAL_NUMBERS,
    REQUIRED_COLUMNS,
    RISK_FACTORS,
    UNIT_FIELDS,
    format_value,
)
from b12logic.guidelines import DEFAULT_PROFILE, PROFILE_CHOICES, takes_lab_cutoffs
from b12logic.units import b12_convert
from b12logic.validate import (
    NUMBER_PATTERN,
    CaseError,
    check_flag,
    check_number,
    check_pregnancy,
    check_risk_factors,
    check_sex,
    check_unit,
)

# Link parameters are the CSV columns (DESIGN.md: shareable links), less the row id.
CASE_PARAMS = tuple(column for column in CSV_COLUMNS if column != "id")
EXTRA_PARAMS = (*LINK_ONLY_FIELDS, "risk_factors", "guideline", *LAB_SETTINGS)
# Parameters Streamlit itself may add to a URL: never warn about these.
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})
# Parameters a page owns (not case values): the Teaching page's case, slide and presenter switch, so a
# teacher's link opens the same slide. The shared case keeps them in the URL as they are and never warns.
PAGE_PARAMS = frozenset({"teaching_case", "slide", "present"})
# The laboratory settings' defaults and ranges are their widgets' (b12logic.fields.LAB_SETTINGS).
LAB_DEFAULTS = {name: LAB_SETTINGS[name].default for name in ("lab_b12_low", "lab_b12_upper", "lab_mma_upper")}
# The laboratory's CRP upper limit (mg/L): a setting of the ESR reading under every profile, not a case value.
CRP_LIMIT_DEFAULT = LAB_SETTINGS["lab_crp_upper"].default
CRP_LIMIT_RANGE = (LAB_SETTINGS["lab_crp_upper"].low, LAB_SETTINGS["lab_crp_upper"].high)
MAX_PARAM_LENGTH = 64


def default_values() -> dict[str, Any]:
    """The case a fresh page shows: field-spec defaults, source profile."""
    values: dict[str, Any] = {name: spec.default for name, spec in FIELDS.items()}
    values.update({unit_field: FIELDS[name].default_unit for unit_field, name in UNIT_FIELDS.items()})
    values.update({"risk_factors": frozenset(), "guideline": DEFAULT_PROFILE})
    values.update(LAB_DEFAULTS)
    values["lab_crp_upper"] = CRP_LIMIT_DEFAULT
    return values


@dataclass
class QueryState:
    values: dict[str, Any] = field(default_factory=default_values)
    warnings: list[str] = field(default_factory=list)

    def case(self) -> Case:
        """The Case these values describe (each was validated on its own, so this does not fail)."""
        return Case(**{k: self.values[k] for k in (*CASE_PARAMS, *LINK_ONLY_FIELDS, "risk_factors")})

    @property
    def crp_limit(self) -> float:
        return float(self.values.get("lab_crp_upper", CRP_LIMIT_DEFAULT))


def _single(name: str, raw: Any, warnings: list[str]) -> str | None:
    """One string per parameter: a repeated parameter uses its last value, with a warning."""
    if isinstance(raw, (list, tuple)):
        if not raw:
            return None
        if len(raw) > 1:
            warnings.append(f"Link parameter {name} appears {len(raw)} times; using the last value.")
        raw = raw[-1]
    text = str(raw)
    if len(text) > MAX_PARAM_LENGTH:
        warnings.append(f"Link parameter {name} ignored: value is {len(text)} characters long.")
        return None
    return text


def _shown_default(name: str, values: Mapping[str, Any]) -> str:
    value = values[name]
    if value is None:
        return "not measured"
    unit = values.get(f"{name}_unit") or (FIELDS[name].default_unit if name in FIELDS else "")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) or "none"
    return f"{format_value(value)} {unit}".strip()


def parse_query(params: Mapping[str, Any]) -> QueryState:
    """Read query parameters into case values; a bad one falls back to its default with a warning naming it."""
    state = QueryState()
    values, warnings = state.values, state.warnings
    texts: dict[str, str] = {}
    for name, raw in params.items():
        if name in STREAMLIT_PARAMS or name in PAGE_PARAMS:
            continue
        if name not in CASE_PARAMS and name not in EXTRA_PARAMS:
            warnings.append(f"Unknown link parameter {format_value(str(name))} ignored.")
            continue
        text = _single(name, raw, warnings)
        if text is not None:
            texts[name] = text

    def fallback(name: str, err: CaseError) -> None:
        stop = "" if str(err).endswith("?") else "."  # "did you mean g/L?" needs no full stop after it
        warnings.append(f"Link parameter {name} ignored: {err}{stop} Using {_shown_default(name, values)}.")

    # Units first: numbers are checked in their own unit.
    for unit_param, measured in UNIT_FIELDS.items():
        if unit_param in texts:
            try:
                values[unit_param] = check_unit(measured, texts[unit_param])
            except CaseError as err:
                fallback(unit_param, err)
    if values["b12_unit"] != FIELDS["b12"].default_unit:
        # The default B12 is written in pg/mL: show the same amount in the link's unit.
        values["b12"] = round(b12_convert(values["b12"], FIELDS["b12"].default_unit, values["b12_unit"]), 1)
    if "sex" in texts:
        try:
            values["sex"] = check_sex(texts["sex"])
        except CaseError as err:
            fallback("sex", err)
    for name in (*(n for n in REQUIRED_COLUMNS if FIELDS[n].kind == "number"), *OPTIONAL_NUMBERS):
        if name not in texts:
            continue
        text = texts[name].strip()
        if name in OPTIONAL_NUMBERS and text.lower() in ("", "none", "not_measured"):
            values[name] = None
            continue
        try:
            number = check_number(name, text, values.get(f"{name}_unit"))
        except CaseError as err:
            fallback(name, err)
            continue
        unit = values.get(f"{name}_unit") or FIELDS[name].default_unit
        low, high = FIELDS[name].widget_range(unit)
        if number is not None and not low <= number <= high:  # valid, but finer than the page's input can show
            warnings.append(
                f"Link parameter {name} ignored: {format_value(text)} is outside what the page's input takes "
                f"({format_value(low)} to {format_value(high)} {unit}). Using {_shown_default(name, values)}."
            )
            continue
        values[name] = number
    for name in FLAG_FIELDS:
        if name in texts:
            try:
                values[name] = check_flag(name, texts[name])
            except CaseError as err:
                fallback(name, err)
    try:
        check_pregnancy(values["pregnant"], values["sex"], values["age"])
    except CaseError as err:
        values["pregnant"] = False
        fallback("pregnant", err)
    if "risk_factors" in texts:
        try:
            values["risk_factors"] = check_risk_factors(texts["risk_factors"])
        except CaseError as err:
            fallback("risk_factors", err)
    if "guideline" in texts:
        gid = texts["guideline"].strip().lower()
        if gid in PROFILE_CHOICES:
            values["guideline"] = gid
        else:
            warnings.append(
                f"Link parameter guideline ignored: {format_value(texts['guideline'])} is not one of "
                f"{', '.join(PROFILE_CHOICES)}. Using {DEFAULT_PROFILE}."
            )
    for name, setting in LAB_SETTINGS.items():
        if name not in texts:
            continue
        text = texts[name].strip()
        # float() alone would also take "1_000" or "nan"; the range is the page's number input's.
        limit = float(text) if re.fullmatch(NUMBER_PATTERN, text) else None
        if limit is not None and setting.contains(limit):
            values[name] = limit
        else:
            warnings.append(
                f"Link parameter {name} ignored: {format_value(texts[name])} is not a number from "
                f"{setting.allowed_range()}. Using {format_value(setting.default)}."
            )
    if values["lab_b12_upper"] < values["lab_b12_low"]:
        warnings.append(
            "Link parameters lab_b12_low and lab_b12_upper ignored: the upper cut-off is below the low one. "
            "Using 180 and 350."
        )
        values["lab_b12_low"], values["lab_b12_upper"] = LAB_DEFAULTS["lab_b12_low"], LAB_DEFAULTS["lab_b12_upper"]
    return state


def _text(value: float) -> str:
    return format_value(round(value, 4))


def query_from_values(values: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters for a case: core fields always, optional ones only when set (short, stable links)."""
    params: dict[str, str] = {}
    # In the order links have always had: the required values and the first contract's flags, then the
    # measured optional numbers, then the added flags that are set.
    always = [n for n, spec in FIELDS.items() if spec.required or (spec.kind == "flag" and not spec.added)]
    added_flags = [n for n in FLAG_FIELDS if FIELDS[n].added and values.get(n)]
    for name in (*always, *(n for n in OPTIONAL_NUMBERS if values.get(n) is not None), *added_flags):
        spec, value = FIELDS[name], values[name]
        if spec.kind == "flag":
            params[name] = "yes" if value else "no"
        else:
            params[name] = value if spec.kind == "choice" else _text(value)
            if spec.unit_field:
                params[spec.unit_field] = values[spec.unit_field]
    crp_limit = values.get("lab_crp_upper", CRP_LIMIT_DEFAULT)
    if crp_limit != CRP_LIMIT_DEFAULT:
        params["lab_crp_upper"] = _text(crp_limit)
    risks = values.get("risk_factors") or ()
    if risks:
        params["risk_factors"] = ",".join(r for r in RISK_FACTORS if r in risks)
    params["guideline"] = values.get("guideline", DEFAULT_PROFILE)
    if takes_lab_cutoffs(params["guideline"]):
        for name in LAB_DEFAULTS:
            params[name] = _text(values[name])
    return params


def query_from_case(case: Case, guideline: str = DEFAULT_PROFILE, **lab_cutoffs: float) -> dict[str, str]:
    """Query parameters for a Case (e.g. a teaching case's link)."""
    values: dict[str, Any] = case.to_dict()
    values["guideline"] = guideline
    values.update({**LAB_DEFAULTS, **lab_cutoffs})
    return query_from_values(values)
