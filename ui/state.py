"""The shared case: sidebar inputs defined once, kept in session state and mirrored in the URL."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import ui.pages_mode
from b12logic import Assessment, Case, CaseError, evaluate
from b12logic.fields import FIELDS, LAB_SETTINGS, MORE_LABS, PREGNANCY_AGES, RISK_FACTORS, UNIT_FIELDS
from b12logic.guidelines import (
    DEFAULT_PROFILE,
    PROFILE_CHOICES,
    GuidelineProfile,
    custom_profile,
    get_profile,
    profile_of,
    takes_lab_cutoffs,
)
from b12logic.units import b12_convert, crp_to_mg_l, hb_convert, mma_convert
from b12logic.urlstate import (
    CRP_LIMIT_RANGE,
    LAB_DEFAULTS,
    PAGE_PARAMS,
    default_values,
    parse_query,
    query_from_values,
)
from ui import browser, layout, render

# Widget keys, by case value name: each input's from its spec (b12logic.fields), its unit's beside it, then the
# context, the profile and the laboratory settings.
KEYS = {
    **{name: spec.widget_key for name, spec in FIELDS.items()},
    **{unit_field: f"in_{unit_field}" for unit_field in UNIT_FIELDS},
    "risk_factors": "in_risks",
    "guideline": "in_guideline",
    **{name: f"in_{name}" for name in LAB_SETTINGS},
}
MMA_MEASURED_KEY = "in_mma_measured"
MORE_LABS_KEY = "more_labs_open"  # the sidebar's "More labs and context" expander: open or not
# The number boxes beside the B12, MMA and ESR sliders, for an exact value. The slider's key holds the case
# value (the one source of truth); each box is a mirror, refilled from it before it is drawn on every run and
# copied back into it when the user types (`_typed`).
TYPED_KEYS = {"b12": "in_b12_typed", "mma": "in_mma_typed", "esr": "in_esr_typed"}
UNDO_KEY = "_undo"  # the case values before each change, most recent last
_LAST_KEY = "_last_values"  # the case values of the previous run, to notice a change
_LINK_KEY = "_link_values"  # the case of the link this session was opened with
UNDO_DEPTH = 30
GUIDELINE_CHOICES = list(PROFILE_CHOICES)
GUIDELINE_NAMES = {gid: profile_of(gid).name for gid in PROFILE_CHOICES}
# Said where the profile's name is first shown (the sidebar), so "Source answer (default)" is never a riddle.
PROFILE_NOTE = (
    "**Source answer**: the worked answer to this case that the app teaches, its rules exactly as written. "
    "The other profiles apply a guideline's or your laboratory's cut-offs; where they differ, the app shows both."
)
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
    for unit_field, name in UNIT_FIELDS.items():
        st.session_state[f"_prev_{name}_unit"] = values[unit_field]


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
    st.session_state[_LINK_KEY] = dict(parsed.values)
    st.session_state["_has_link_case"] = any(name in KEYS for name in params)
    st.session_state["_url_warnings"] = parsed.warnings
    st.session_state["_case_ready"] = True


def load_values(values: dict[str, Any]) -> None:
    """Callback: replace the shared case (teaching cases, reset). Missing names take defaults."""
    merged = {**default_values(), **values}
    _store(merged)
    st.session_state["_url_warnings"] = []


def reset_case() -> None:
    """Callback: back to the case of the link this session was opened with (the default case without one)."""
    load_values(st.session_state.get(_LINK_KEY) or {})


def undo() -> None:
    """Callback: the case as it was before the last change."""
    history = st.session_state.get(UNDO_KEY) or []
    if history:
        previous = history.pop()
        _store(previous)
        st.session_state[_LAST_KEY] = previous  # so the next run does not record the undo as a change


def _remember(values: dict[str, Any]) -> None:
    """Record the previous case when this run's case differs from it (each change, whatever made it)."""
    last = st.session_state.get(_LAST_KEY)
    if last is not None and last != values:
        history = st.session_state.setdefault(UNDO_KEY, [])
        history.append(last)
        del history[:-UNDO_DEPTH]
    st.session_state[_LAST_KEY] = values


def _convert_unit(name: str) -> None:
    """Callback for a unit switch: keep the same amount, expressed in the new unit."""
    unit_key = KEYS[f"{name}_unit"]
    old, new = st.session_state[f"_prev_{name}_unit"], st.session_state[unit_key]
    value = st.session_state.get(KEYS[name])
    if value is not None and old != new:
        converted = round(
            _CONVERTERS[name](value, old, new), _ROUNDING[name] if name != "mma" or new == "µmol/L" else 0
        )
        low, high = FIELDS[name].widget_range(new)
        st.session_state[KEYS[name]] = min(max(converted, low), high)
    st.session_state[f"_prev_{name}_unit"] = new


def _slider(name: str, unit: str, label: str) -> float:
    """A slider whose range comes from the field spec, widened to hold a value from a link or a typed one.

    B12, MMA and ESR also get a number box under the slider for an exact value: on a phone the B12 slider
    moves about 6 pg/mL per pixel, too coarse to set 182 (issue 19)."""
    spec = FIELDS[name]
    rng = spec.slider[unit]
    value = float(st.session_state[KEYS[name]])
    text = f"{label} ({unit})" if unit else label
    # `value=` as well as the key (the key's state wins): without it Streamlit builds the whole filtered session
    # state on every run to learn whether the slider is a range one (streamlit/elements/widgets/slider.py:914-926),
    # 1-2 ms a slider move (bench/RESULTS.md, issue 20). The value is not part of a keyed slider's id
    # (key_as_main_identity, slider.py:896-911), so this does not remount it.
    chosen = st.slider(
        text,
        value=value,
        min_value=float(min(rng.low, value)),
        max_value=float(max(rng.high, value)),
        step=float(rng.step),
        format=_number_format(rng.step),
        key=KEYS[name],
        help=spec.help,
    )
    if name in TYPED_KEYS:
        _typed_box(name, unit, text)
    return chosen


def _typed_box(name: str, unit: str, text: str) -> None:
    """The exact-value box under a slider: a mirror of the case value (see TYPED_KEYS)."""
    lim = FIELDS[name].limits[unit]
    step = FIELDS[name].slider[unit].step
    # Before the box is drawn in this run, so Streamlit lets the app set it (widget keys may be written
    # before their widget is created, or in a callback: streamlit/runtime/state/session_state.py,
    # _check_widget_state_set).
    st.session_state[TYPED_KEYS[name]] = float(st.session_state[KEYS[name]])
    st.number_input(
        f"{text}, exact value",
        min_value=float(lim.low) if lim.low_inclusive else float(step),
        max_value=float(lim.high),
        step=float(step),
        format=_number_format(step),
        key=TYPED_KEYS[name],
        on_change=_typed,
        args=(name,),
        label_visibility="collapsed",
        help=f"Type an exact value ({FIELDS[name].allowed_range(unit)}).",
    )


def _typed(name: str) -> None:
    """Callback: a typed value becomes the case value (the slider follows on the rerun)."""
    typed = st.session_state.get(TYPED_KEYS[name])
    if typed is not None:
        st.session_state[KEYS[name]] = float(typed)


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
    low, high = spec.widget_range(unit)  # the range a link may set, too
    return st.number_input(
        f"{spec.label} ({unit})",
        min_value=low,
        max_value=high,
        key=KEYS[name],
        help=spec.help + " Empty = not measured.",
        placeholder="not measured",
    )


CASE_HEADING = "The case"


def case_heading() -> None:
    """The inputs' heading. The Explorer draws it outside its fragment, so a slider move does not resend it."""
    st.sidebar.header(CASE_HEADING)


def sidebar(lazy_labs: bool = False) -> dict[str, Any]:
    """Draw the case inputs in the sidebar; return the case values. `lazy_labs`: the Explorer's inputs, where a
    crowd moves sliders: "More labs and context" draws its inputs only when open, and the heading is the page's
    (`case_heading`, drawn once per full run)."""
    sb = st.sidebar
    if not lazy_labs:
        case_heading()
    with sb:
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
        if lazy_labs:  # drawn only when opened: 11 inputs fewer on every slider move (their values stay, init_state)
            more = layout.lazy_expander("More labs and context", key=MORE_LABS_KEY)
            if more.open:
                _more_labs(more)
        else:  # other pages: eager (a stateful expander there left Chromium's first load unsettled, e2e a11y test)
            _more_labs(st.expander("More labs and context"))
        st.selectbox(
            "Guideline profile",
            GUIDELINE_CHOICES,
            key=KEYS["guideline"],
            format_func=GUIDELINE_NAMES.__getitem__,
            help="Whose thresholds and regimens to apply. Default: the source answer.",
        )
        st.caption(PROFILE_NOTE)
        if takes_lab_cutoffs(st.session_state[KEYS["guideline"]]):
            for name in LAB_DEFAULTS:  # each input's range is the one a link may set (b12logic.fields)
                lab = LAB_SETTINGS[name]
                st.number_input(f"Lab: {lab.label} ({lab.unit})", lab.low, lab.high, key=KEYS[name])
        from_link = st.session_state.get("_has_link_case", False)
        st.button(
            "Reset to this link's case" if from_link else "Reset to the default case",
            key="reset_case",
            on_click=reset_case,
            help=(
                "Back to the case in the link you opened this page with."
                if from_link
                else "Back to the default case (this page was opened without a case in its link)."
            ),
            width="stretch",
        )
    values = {name: st.session_state[key] for name, key in KEYS.items()}
    values["risk_factors"] = frozenset(values["risk_factors"] or ())
    # A pregnancy switched on, then a change of sex or age: the switch is hidden and no longer applies.
    values["pregnant"] = bool(values["pregnant"]) and _can_be_pregnant()
    if not st.session_state[MMA_MEASURED_KEY]:
        values["mma"] = None
    return values


def _more_labs(more: DeltaGenerator) -> None:
    """The optional labs and context, in the sidebar's "More labs and context" expander."""
    with more:
        for name in MORE_LABS:
            spec = FIELDS[name]
            unit = _unit_choice(name, f"{spec.short_label} unit") if spec.unit_field else spec.default_unit
            _optional_number(name, unit)
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
        st.toggle("Renal impairment", key=KEYS["renal_impairment"], help=FIELDS["renal_impairment"].help)
        st.multiselect(
            "Risk factors",
            list(RISK_FACTORS),
            key=KEYS["risk_factors"],
            format_func=RISK_FACTORS.__getitem__,
            help="Used for the 'find the cause' step and the caveats.",
        )


def _can_be_pregnant() -> bool:
    low, high = PREGNANCY_AGES
    return st.session_state[KEYS["sex"]] == "female" and low <= float(st.session_state[KEYS["age"]]) <= high


def profile_for(values: dict[str, Any]) -> tuple[GuidelineProfile, str | None]:
    """The chosen profile; a bad custom cut-off falls back to the source profile with a message."""
    if not takes_lab_cutoffs(values["guideline"]):
        return get_profile(values["guideline"]), None
    try:
        return custom_profile(values["lab_b12_low"], values["lab_b12_upper"], values["lab_mma_upper"]), None
    except CaseError as err:
        return get_profile(DEFAULT_PROFILE), f"Laboratory cut-offs not used: {err}. Showing the source profile."


@dataclass(frozen=True)
class SummarySlots:
    """The case summary on top of the sidebar (phones see it while a slider moves): the live answer and the Undo
    button, filled by every run of the case inputs, with the copy-link button beside them drawn by app.py's full
    run only. The Explorer's slider moves rerun its fragment alone, which writes into these slots as into its
    `top` (ui/explorer.py `page`); the copy-link component cost ~2.5 ms of server CPU a move (bench/RESULTS.md,
    issue 20) and its link is read from the address bar when it is clicked, so it never needs redrawing."""

    answer: DeltaGenerator
    undo: DeltaGenerator


_SLOTS = threading.local()  # per script run, like render's page top: app.py's summary slots


def make_summary_slots() -> SummarySlots:
    """Draw the summary's frame at the top of the sidebar, with the copy-link button; return the two slots."""
    summary = st.sidebar.container(key="case_summary")
    answer = summary.container()
    with summary.container(horizontal=True, gap="small", key="case_actions"):
        undo = st.container(width="content")
        browser.copy_link_button()
    slots = SummarySlots(answer, undo)
    _SLOTS.slots = slots
    return slots


def summary_slots() -> SummarySlots:
    """app.py's slots of this run, or new ones (a page run on its own: AppTest, Streamlit's old pages mode)."""
    return getattr(_SLOTS, "slots", None) or make_summary_slots()


def build(lazy_labs: bool = False, slots: SummarySlots | None = None) -> Current:
    """Entry-point work on every run: inputs, URL, case, assessment. Pages then call current(). `slots`: where
    the live summary goes (a fragment passes the ones of the full run it reruns)."""
    init_state()
    slots = slots or summary_slots()
    values = sidebar(lazy_labs)
    _remember(values)
    profile, profile_problem = profile_for(values)
    case = Case(**{k: values[k] for k in Case.__dataclass_fields__ if k != "id"})
    assessment = evaluate(case, profile, crp_limit=float(values["lab_crp_upper"]))
    params = query_from_values(values if takes_lab_cutoffs(values["guideline"]) else {**values, **LAB_DEFAULTS})
    params.update({name: st.query_params[name] for name in PAGE_PARAMS if name in st.query_params})
    if {k: st.query_params.get_all(k) for k in st.query_params} != {k: [v] for k, v in params.items()}:
        st.query_params.from_dict(params)
    with slots.answer:
        render.case_summary(assessment)
    with slots.undo:
        undo_button()
    current = Current(case=case, profile=profile, assessment=assessment, values=values)
    st.session_state["_current"] = current
    if profile_problem:
        st.warning(profile_problem, icon=":material/warning:")
    return current


def undo_button() -> None:
    """Undo, beside the copy-link button in the summary that stays at the top of the open inputs."""
    st.button(
        "Undo",
        key="undo_case",
        on_click=undo,
        icon=":material/undo:",
        disabled=not st.session_state.get(UNDO_KEY),
        help="Put the case back as it was before the last change.",
    )


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
