"""The shared case: sidebar inputs defined once, kept in session state and mirrored in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

import ui.pages_mode
from b12logic import Assessment, Case, CaseError, evaluate
from b12logic.fields import FIELDS, PREGNANCY_AGES, RISK_FACTORS
from b12logic.guidelines import PROFILES, GuidelineProfile, custom_profile, get_profile
from b12logic.units import b12_convert, crp_to_mg_l, hb_convert, mma_convert
from b12logic.urlstate import (
    CRP_LIMIT_RANGE,
    LAB_DEFAULTS,
    PAGE_PARAMS,
    default_values,
    parse_query,
    query_from_values,
)
from ui import render

# Widget keys, by case value name.
KEYS = {
    "age": "in_age",
    "sex": "in_sex",
    "b12": "in_b12",
    "b12_unit": "in_b12_unit",
    "mma": "in_mma",
    "mma_unit": "in_mma_unit",
    "homocysteine": "in_homocysteine",
    "esr": "in_esr",
    "mcv": "in_mcv",
    "hb": "in_hb",
    "hb_unit": "in_hb_unit",
    "neuro_symptoms": "in_neuro",
    "on_folic_acid": "in_folic",
    "active_b12": "in_active_b12",
    "crp": "in_crp",
    "crp_unit": "in_crp_unit",
    "pregnant": "in_pregnant",
    "renal_impairment": "in_renal",
    "risk_factors": "in_risks",
    "guideline": "in_guideline",
    "lab_b12_low": "in_lab_b12_low",
    "lab_b12_upper": "in_lab_b12_upper",
    "lab_mma_upper": "in_lab_mma_upper",
    "lab_crp_upper": "in_lab_crp_upper",
}
MMA_MEASURED_KEY = "in_mma_measured"
GUIDELINE_CHOICES = [*PROFILES, "custom"]
GUIDELINE_NAMES = {**{p.id: p.name for p in PROFILES.values()}, "custom": "Laboratory custom cut-offs"}
_DEFAULT_MMA = {"nmol/L": 300.0, "µmol/L": 0.3}


def _crp_convert(value: float, from_unit: str, to_unit: str) -> float:
    mg_l = crp_to_mg_l(value, from_unit)
    return mg_l if to_unit == "mg/L" else mg_l / 10.0


_CONVERTERS = {"b12": b12_convert, "mma": mma_convert, "hb": hb_convert, "crp": _crp_convert}
_ROUNDING = {"b12": 0, "mma": 3, "hb": 1, "crp": 2}


@dataclass(frozen=True)
class Current:
    """What every page reads: the case, its profile and its assessment."""

    case: Case
    profile: GuidelineProfile
    assessment: Assessment
    values: dict[str, Any]


def _store(values: dict[str, Any]) -> None:
    """Write case values into the widget keys (only before the widgets are drawn, or from a callback)."""
    for name, key in KEYS.items():
        value = values[name]
        st.session_state[key] = sorted(value) if name == "risk_factors" else value
    measured = values["mma"] is not None
    st.session_state[MMA_MEASURED_KEY] = measured
    if not measured:
        st.session_state[KEYS["mma"]] = _DEFAULT_MMA[values["mma_unit"]]
    for name in ("b12", "mma", "hb", "crp"):
        st.session_state[f"_prev_{name}_unit"] = values[f"{name}_unit"]


def init_state() -> None:
    """Once per session: the case from the link's query parameters, or the defaults."""
    if st.session_state.get("_case_ready"):
        # Streamlit drops a widget's value after a run that does not draw it (the lab cut-offs outside
        # "custom", the MMA slider when MMA is off), and sidebar() would then fail reading it (found by
        # bench/soak.py): re-assert every case key each run so its value outlives the hidden widget.
        for key in (*KEYS.values(), MMA_MEASURED_KEY):
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
        return
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    parsed = parse_query(params)
    _store(parsed.values)
    st.session_state["_url_warnings"] = parsed.warnings
    st.session_state["_case_ready"] = True


def load_values(values: dict[str, Any]) -> None:
    """Callback: replace the shared case (teaching cases, reset). Missing names take defaults."""
    merged = {**default_values(), **values}
    _store(merged)
    st.session_state["_url_warnings"] = []


def reset_case() -> None:
    load_values({})


def _convert_unit(name: str) -> None:
    """Callback for a unit switch: keep the same amount, expressed in the new unit."""
    unit_key = KEYS[f"{name}_unit"]
    old, new = st.session_state[f"_prev_{name}_unit"], st.session_state[unit_key]
    value = st.session_state.get(KEYS[name])
    if value is not None and old != new:
        converted = round(
            _CONVERTERS[name](value, old, new), _ROUNDING[name] if name != "mma" or new == "µmol/L" else 0
        )
        spec = FIELDS[name].limits[new]
        st.session_state[KEYS[name]] = min(max(converted, spec.low if spec.low_inclusive else 0.01), spec.high)
    st.session_state[f"_prev_{name}_unit"] = new


def _slider(name: str, unit: str, label: str) -> float:
    """A slider whose range comes from the field spec, widened to hold a value from a link."""
    spec = FIELDS[name]
    rng = spec.slider[unit]
    value = float(st.session_state[KEYS[name]])
    return st.slider(
        f"{label} ({unit})" if unit else label,
        min_value=float(min(rng.low, value)),
        max_value=float(max(rng.high, value)),
        step=float(rng.step),
        format=_number_format(rng.step),
        key=KEYS[name],
        help=spec.help,
    )


def _number_format(step: float) -> str:
    """Show as many decimals as the step has: '250', not '250.00'."""
    decimals = 0 if step >= 1 else len(f"{step:g}".split(".")[1])
    return f"%.{decimals}f"


def _unit_choice(name: str, label: str) -> str:
    """A unit switch that converts the current value when it changes; returns the chosen unit."""
    st.radio(
        label,
        list(FIELDS[name].units),
        key=KEYS[f"{name}_unit"],
        horizontal=True,
        on_change=_convert_unit,
        args=(name,),
    )
    return str(st.session_state[KEYS[f"{name}_unit"]])


def _optional_number(name: str, unit: str) -> float | None:
    spec = FIELDS[name]
    lim = spec.limits[unit]
    return st.number_input(
        f"{spec.label} ({unit})",
        min_value=float(lim.low) if lim.low_inclusive else float(lim.low) + 0.01,
        max_value=float(lim.high),
        key=KEYS[name],
        help=spec.help + " Empty = not measured.",
        placeholder="not measured",
    )


def sidebar() -> dict[str, Any]:
    """Draw the case inputs in the sidebar; return the case values."""
    sb = st.sidebar
    with sb:
        st.header("The case")
        sex_options = list(FIELDS["sex"].choices)
        st.radio("Sex", sex_options, key=KEYS["sex"], horizontal=True, help=FIELDS["sex"].help)
        _slider("age", "years", "Age")
        st.radio(
            "B12 unit",
            list(FIELDS["b12"].units),
            key=KEYS["b12_unit"],
            horizontal=True,
            on_change=_convert_unit,
            args=("b12",),
            help="Switching converts the current value (1 pg/mL = 0.738 pmol/L).",
        )
        _slider("b12", st.session_state[KEYS["b12_unit"]], "Total B12")
        st.toggle("MMA measured", key=MMA_MEASURED_KEY, help="Methylmalonic acid: the second-line test.")
        if st.session_state[MMA_MEASURED_KEY]:
            st.radio(
                "MMA unit",
                list(FIELDS["mma"].units),
                key=KEYS["mma_unit"],
                horizontal=True,
                on_change=_convert_unit,
                args=("mma",),
            )
            _slider("mma", st.session_state[KEYS["mma_unit"]], "MMA")
        _slider("esr", "mm/h", "ESR")
        st.toggle("Neurological symptoms", key=KEYS["neuro_symptoms"], help=FIELDS["neuro_symptoms"].help)
        st.toggle("Taking folic acid", key=KEYS["on_folic_acid"], help=FIELDS["on_folic_acid"].help)
        with st.expander("More labs and context"):
            _optional_number("homocysteine", "µmol/L")
            _optional_number("mcv", "fL")
            _optional_number("hb", _unit_choice("hb", "Hb unit"))
            _optional_number("active_b12", "pmol/L")
            _optional_number("crp", _unit_choice("crp", "CRP unit"))
            low, high = CRP_LIMIT_RANGE
            st.number_input(
                "Lab: CRP upper limit (mg/L)",
                low,
                high,
                key=KEYS["lab_crp_upper"],
                help="Your laboratory's CRP limit: 5 mg/L by default; laboratories commonly use 5 or 10.",
            )
            if _can_be_pregnant():
                st.toggle("Pregnant", key=KEYS["pregnant"], help=FIELDS["pregnant"].help)
            else:
                st.caption("Pregnancy applies to women aged 16 to 55 only.")
            st.toggle(
                "Renal impairment",
                key=KEYS["renal_impairment"],
                help="Impaired renal function raises MMA on its own.",
            )
            st.multiselect(
                "Risk factors",
                list(RISK_FACTORS),
                key=KEYS["risk_factors"],
                format_func=RISK_FACTORS.__getitem__,
                help="Used for the 'find the cause' step and the caveats.",
            )
        st.selectbox(
            "Guideline profile",
            GUIDELINE_CHOICES,
            key=KEYS["guideline"],
            format_func=GUIDELINE_NAMES.__getitem__,
            help="Whose thresholds and regimens to apply. Default: the source answer.",
        )
        if st.session_state[KEYS["guideline"]] == "custom":
            st.number_input("Lab: B12 low below (pg/mL)", 1.0, 100000.0, key=KEYS["lab_b12_low"])
            st.number_input("Lab: B12 borderline up to (pg/mL)", 1.0, 100000.0, key=KEYS["lab_b12_upper"])
            st.number_input("Lab: MMA raised above (nmol/L)", 1.0, 100000.0, key=KEYS["lab_mma_upper"])
        st.button("Reset case", on_click=reset_case, help="Back to the default case.", width="stretch")
    values = {name: st.session_state[key] for name, key in KEYS.items()}
    values["risk_factors"] = frozenset(values["risk_factors"] or ())
    # A pregnancy switched on, then a change of sex or age: the switch is hidden and no longer applies.
    values["pregnant"] = bool(values["pregnant"]) and _can_be_pregnant()
    if not st.session_state[MMA_MEASURED_KEY]:
        values["mma"] = None
    return values


def _can_be_pregnant() -> bool:
    low, high = PREGNANCY_AGES
    return st.session_state[KEYS["sex"]] == "female" and low <= float(st.session_state[KEYS["age"]]) <= high


def profile_for(values: dict[str, Any]) -> tuple[GuidelineProfile, str | None]:
    """The chosen profile; a bad custom cut-off falls back to the source profile with a message."""
    if values["guideline"] != "custom":
        return get_profile(values["guideline"]), None
    try:
        return custom_profile(values["lab_b12_low"], values["lab_b12_upper"], values["lab_mma_upper"]), None
    except CaseError as err:
        return get_profile("source"), f"Laboratory cut-offs not used: {err}. Showing the source profile."


def build() -> Current:
    """Entry-point work on every run: inputs, URL, case, assessment. Pages then call current()."""
    init_state()
    # First in the sidebar, filled once the case is assessed: the live answer above the inputs (phones).
    summary = st.sidebar.container(key="case_summary")
    values = sidebar()
    profile, profile_problem = profile_for(values)
    case = Case(**{k: values[k] for k in Case.__dataclass_fields__ if k != "id"})
    assessment = evaluate(case, profile, crp_limit=float(values["lab_crp_upper"]))
    params = query_from_values(values if values["guideline"] == "custom" else {**values, **LAB_DEFAULTS})
    params.update({name: st.query_params[name] for name in PAGE_PARAMS if name in st.query_params})
    if {k: st.query_params.get_all(k) for k in st.query_params} != {k: [v] for k, v in params.items()}:
        st.query_params.from_dict(params)
    with summary:
        render.case_summary(assessment)
    current = Current(case=case, profile=profile, assessment=assessment, values=values)
    st.session_state["_current"] = current
    if profile_problem:
        st.warning(profile_problem, icon=":material/warning:")
    return current


def show_url_warnings() -> None:
    """Warnings about a hand-edited link: shown until the user dismisses them."""
    warnings = st.session_state.get("_url_warnings") or []
    if not warnings:
        return
    with st.container(border=True):
        st.warning("This link had values the app could not use; it shows defaults for them:", icon=":material/warning:")
        for text in warnings[:10]:
            st.text(text)
        if len(warnings) > 10:
            st.text(f"... and {len(warnings) - 10} more.")
        if st.button("Dismiss", key="dismiss_url_warnings"):
            st.session_state["_url_warnings"] = []
            st.rerun()


def current() -> Current:
    """The current case and assessment (computed by app.py before the page runs)."""
    cur = st.session_state.get("_current")
    if cur is None:  # a page run on its own: Streamlit's old pages mode (fresh server), or tests
        ui.pages_mode.leave_old_pages_mode()  # reruns through app.py in the first case
        cur = build()
    return cur
