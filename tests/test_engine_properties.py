"""Property-based tests of the engine (hypothesis, 2000 examples each).

- The ESR never changes b12_status, regimen, oral_alternative, severe or the B12 next steps.
- Lowering B12 never makes the status less severe.
- The engine agrees with DESIGN.md's rules, written out independently below, under every profile.
- Every decision_path / esr_path is a path in the graph from its root to a node with no out-edges.
- Every valid Case evaluates under every profile; every invalid input raises CaseError naming the field.
- evaluate_frame equals evaluate row by row on random frames (units, blanks, strings, junk included).
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from b12logic import B12_STATUSES, ESR_FLAGS, REGIMENS, Case, CaseError, evaluate
from b12logic.batch import RESULT_COLUMNS, assessment_cells, evaluate_frame
from b12logic.engine import STATUS_SEVERITY
from b12logic.fields import (
    CSV_COLUMNS,
    FALSE_WORDS,
    FIELDS,
    FLAG_FIELDS,
    LINK_ONLY_FIELDS,
    NUMBER_FIELDS,
    REQUIRED_COLUMNS,
    SEX_ALIASES,
    TRUE_WORDS,
    UNIT_FIELDS,
)
from b12logic.graphs import B12_ROOT, ESR_ROOT, decision_graph
from b12logic.guidelines import PROFILES, GuidelineProfile, custom_profile
from b12logic.units import PMOL_PER_PG, canonical_unit
from b12logic.validate import NUMBER_PATTERN, normalise_decimal_comma

SETTINGS = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMED_PROFILES = [PROFILES["source"], PROFILES["nice-ng239"], PROFILES["bsh-2014"]]

# --- Strategies
# Built once at import, and mostly one draw per input (sampled_from over a precomputed list of values that
# includes every threshold, one ulp either side, and a dense grid), with a random-float branch beside it:
# hypothesis's per-draw cost, not the engine, is what 2000 examples spend their time on.


def _grid(low: float, high: float, step: float, extra: tuple[float, ...] = ()) -> list[float]:
    """Values on a grid from low to high, plus each extra value and its neighbours one ulp away, inside [low, high]."""
    count = round((high - low) / step)
    values = {round(low + i * step, 9) for i in range(count + 1)}
    for v in extra:
        values |= {v, math.nextafter(v, -math.inf), math.nextafter(v, math.inf)}
    return sorted(v for v in values if low <= v <= high)


def _inside(spec_name: str, unit: str, values: list[float]) -> list[float]:
    lim = FIELDS[spec_name].limits[unit]
    return [v for v in values if lim.contains(v)]


B12_NEAR_PG = (99.0, 99.5, 100.0, 145.0, 179.0, 179.9, 180.0, 199.0, 200.0, 250.0, 350.0, 350.1, 351.0, 1000.0, 2001.0)
MMA_NEAR_NMOL = (100.0, 270.0, 271.0, 271.5, 272.0, 300.0, 1000.0)
HB_NEAR_G_DL = (7.9, 8.0, 11.9, 12.0, 12.9, 13.0)
ESR_NEAR = (0.0, 35.0, 35.5, 36.0, 100.0, 101.0, 200.0)

_B12_PG = _inside("b12", "pg/mL", _grid(1, 1200, 1, (*B12_NEAR_PG, 0.001, 5000.0, 10000.0)))
_B12_PMOL = _inside("b12", "pmol/L", [v * PMOL_PER_PG for v in _B12_PG] + [0.001, 7380.0, math.nextafter(7380.0, 0)])
_MMA_NMOL = _inside("mma", "nmol/L", _grid(10, 1000, 1, (*MMA_NEAR_NMOL, 0.5, 100000.0)))
_MMA_UMOL = _inside("mma", "µmol/L", [v / 1000 for v in _MMA_NMOL])
_HB_G_DL = _grid(3, 25, 0.1, HB_NEAR_G_DL)
_HB_G_L = _grid(30, 250, 1, tuple(v * 10 for v in HB_NEAR_G_DL))

# Each input: threshold values (in every unit) drawn as often as the whole grid, so boundaries are hit often.
b12_values = st.one_of(
    st.sampled_from([(v, "pg/mL") for v in B12_NEAR_PG] + [(v * PMOL_PER_PG, "pmol/L") for v in B12_NEAR_PG]),
    st.sampled_from([(v, "pg/mL") for v in _B12_PG] + [(v, "pmol/L") for v in _B12_PMOL]),
    st.builds(lambda v: (v, "pg/mL"), st.floats(0, 10000, exclude_min=True)),
)
mma_values = st.one_of(
    st.sampled_from([(None, "nmol/L"), (None, "µmol/L")]),
    st.sampled_from([(v, "nmol/L") for v in MMA_NEAR_NMOL] + [(v / 1000, "µmol/L") for v in MMA_NEAR_NMOL]),
    st.sampled_from([(v, "nmol/L") for v in _MMA_NMOL] + [(v, "µmol/L") for v in _MMA_UMOL]),
)
hb_values = st.one_of(
    st.sampled_from([(None, "g/dL"), (None, "g/L")]),
    st.sampled_from([(v, "g/dL") for v in HB_NEAR_G_DL] + [(v * 10, "g/L") for v in HB_NEAR_G_DL]),
    st.sampled_from([(v, "g/dL") for v in _HB_G_DL] + [(v, "g/L") for v in _HB_G_L]),
)
ages = st.sampled_from(_grid(16, 110, 0.5, (50.0,)))
# ESR: an absolute value, or the case's own Miller limit plus an offset (at the limit, just above, one above).
esr_values = st.one_of(
    st.sampled_from(_grid(0, 200, 0.5, ESR_NEAR)).map(lambda v: ("mm/h", v)),
    st.sampled_from([-0.5, 0.0, 1e-9, 0.5, 1.0]).map(lambda d: ("above limit", d)),
)
_FLAGS = st.sampled_from([(n, f, r) for n in (False, True) for f in (False, True) for r in (False, True)])
_RISKS = st.sampled_from(
    [frozenset(), frozenset({"metformin"}), frozenset({"nitrous_oxide"}), frozenset({"nitrous_oxide", "vegan_diet"})]
)
# Added inputs: active B12 around NICE's bands, CRP in both units, pregnancy (kept only where it is valid).
ACTIVE_NEAR = (None, None, 10.0, 24.9, 25.0, 50.0, 70.0, 70.1, 200.0)
_EXTRAS = st.tuples(
    st.sampled_from(ACTIVE_NEAR),
    st.sampled_from(
        [
            (None, "mg/L"),
            (3.0, "mg/L"),
            (5.0, "mg/L"),
            (5.1, "mg/L"),
            (2.0, "mg/dL"),
            (0.3, "mg/dL"),
            # The CRP above 100 mg/L boundary (an urgent step of its own), in both units.
            (100.0, "mg/L"),
            (100.1, "mg/L"),
            (10.0, "mg/dL"),
            (10.1, "mg/dL"),
        ]
    ),
    st.booleans(),
)


def _assemble(
    b12: tuple[float, str],
    mma: tuple[float | None, str],
    hb: tuple[float | None, str],
    age: float,
    sex: str,
    esr: tuple[str, float],
    homocysteine: float | None,
    mcv: float | None,
    flags: tuple[bool, bool, bool],
    risks: frozenset[str],
    extras: tuple[float | None, tuple[float | None, str], bool] = (None, (None, "mg/L"), False),
) -> dict[str, Any]:
    female = sex.lower().startswith("f")
    pregnant = extras[2] and female and age <= 55
    limit = 70.0 if pregnant else ((age + 10) / 2 if female else age / 2)
    return {
        "age": age,
        "sex": sex,
        "b12": b12[0],
        "b12_unit": b12[1],
        "esr": esr[1] if esr[0] == "mm/h" else limit + esr[1],
        "mma": mma[0],
        "mma_unit": mma[1],
        "homocysteine": homocysteine,
        "mcv": mcv,
        "hb": hb[0],
        "hb_unit": hb[1],
        "neuro_symptoms": flags[0],
        "on_folic_acid": flags[1],
        "renal_impairment": flags[2],
        "risk_factors": risks,
        "active_b12": extras[0],
        "crp": extras[1][0],
        "crp_unit": extras[1][1],
        "pregnant": pregnant,
    }


case_kwargs = st.builds(
    _assemble,
    b12_values,
    mma_values,
    hb_values,
    ages,
    st.sampled_from(["female", "male", "F", "M", "f", "m"]),
    esr_values,
    st.sampled_from([None, 0.1, 5.0, 9.9, 10.0, 15.0, 15.1, 30.0, 500.0]),
    st.sampled_from([None, 50.0, 90.0, 100.0, 100.5, 120.0, 120.1, 150.0]),
    _FLAGS,
    _RISKS,
    _EXTRAS,
)
valid_cases = case_kwargs.map(lambda kw: Case(**kw))


def _custom(low: float, upper_fraction: float | None, mma: float) -> GuidelineProfile:
    upper = low if upper_fraction is None else low + upper_fraction * (5000 - low)
    return custom_profile(b12_low=low, b12_upper=upper, mma_upper=mma)


custom_profiles = st.builds(
    _custom,
    st.sampled_from([1.0, 99.0, 100.0, 145.0, 180.0, 200.0, 350.0, 2000.0]) | st.floats(1, 2000),
    st.sampled_from([None, 0.0, 0.01, 0.05, 0.1, 0.5, 1.0]),
    st.sampled_from([1.0, 100.0, 271.0, 300.0, 1000.0, 5000.0]),
)
profiles = st.sampled_from(NAMED_PROFILES) | custom_profiles


# --- DESIGN.md's rules, written out independently of the engine (the oracle)


def _source_status(b12: float, mma: float | None, neuro: bool, profile: GuidelineProfile) -> str:
    """DESIGN.md's fixed rules (the source profile)."""
    if b12 < profile.b12_low:
        return "deficient"
    if b12 <= profile.b12_upper:
        if mma is None:
            return "indeterminate_needs_mma"
        return "functional_deficiency" if mma > profile.mma_upper else "not_confirmed"
    if not neuro:
        return "normal"
    if mma is None:
        return "normal_needs_mma_hcy"
    return "functional_deficiency" if mma > profile.mma_upper else "normal"


def _judged(case: Case, b12: float, mma: float | None, profile: GuidelineProfile) -> tuple[str, bool]:
    """DESIGN.md "One judgment per case", written out: (status, treat although the tests do not show deficiency)."""
    neuro, n2o, hcy = case.neuro_symptoms, "nitrous_oxide" in case.risk_factors, case.homocysteine
    # A recorded cause that cannot be reversed: replacement is lifelong (NICE NG239); folic acid must not go on alone.
    lasting = bool(case.risk_factors & {"pernicious_anaemia", "gastric_surgery"})
    hb = None if case.hb is None else (case.hb / 10 if case.hb_unit == "g/L" else case.hb)
    severe_hb = 7.0 if case.pregnant else 8.0  # WHO severe anaemia
    severe_anaemia = hb is not None and hb < severe_hb
    # A megaloblastic picture: MCV above 120, or MCV above 100 with severe anaemia, or with anaemia (WHO: 13 g/dL men,
    # 12 women, 11 in pregnancy) and homocysteine above 20 (s14).
    threshold = 11.0 if case.pregnant else 12.0 if case.sex == "female" else 13.0
    anaemic = case.hb_g_dl is not None and case.hb_g_dl < threshold
    hcy_raised = anaemic and case.homocysteine is not None and case.homocysteine > 20
    very_high_mcv = case.mcv is not None and (case.mcv > 120 or ((severe_anaemia or hcy_raised) and case.mcv > 100))
    active, bands = case.active_b12, profile.holotc_pmol_l
    act_low = bool(bands and active is not None and active < bands[0])
    act_high = bool(bands and active is not None and active > bands[1])
    act_mid = bool(bands and active is not None and not act_low and not act_high)
    governs = bool(bands and active is not None and case.pregnant)  # active B12 first in pregnancy
    # The first-line reading: low, above range, or (otherwise) borderline / indeterminate / discordant.
    pregnant_reads_active = bool(bands and case.pregnant)
    if act_low or (b12 < profile.b12_low and not act_high and not pregnant_reads_active):
        band = "low"
    elif b12 > profile.b12_upper and not act_mid:
        band = "above"
    else:
        band = "middle"
    # Renal impairment raises MMA on its own: a raised MMA beside it is no answer, so active B12, homocysteine
    # (with nitrous oxide) and the clinical features decide, as when MMA is not back.
    mma_raised = mma is not None and mma > profile.mma_upper
    renal_mma = case.renal_impairment and mma_raised
    raised = (mma_raised and not renal_mma) or (n2o and hcy is not None and hcy > 15)
    measured = (mma is not None and not renal_mma) or (n2o and hcy is not None)
    if band == "low":
        return "deficient", False
    if band == "middle":
        if raised:
            return "functional_deficiency", False
        if measured:
            return "not_confirmed", lasting or (n2o and neuro)
        if act_high and (governs or b12 >= profile.b12_low) and not (neuro or n2o or very_high_mcv):
            return "not_confirmed", False
        return "indeterminate_needs_mma", neuro or very_high_mcv or lasting or case.on_folic_acid
    if not (neuro or n2o or very_high_mcv):
        return "normal", lasting
    if raised:
        return "functional_deficiency", False
    if measured:
        # Nitrous oxide with neurological symptoms: normal tests do not exclude it (they miss 10-20%).
        if n2o and neuro:
            return "not_confirmed", True
        return "normal", lasting
    return "normal_needs_mma_hcy", neuro or very_high_mcv


def design_answer(case: Case, profile: GuidelineProfile) -> dict[str, Any]:
    b12 = case.b12 if case.b12_unit == "pg/mL" else case.b12 / 0.738
    mma = None if case.mma is None else (case.mma * 1000 if case.mma_unit == "µmol/L" else case.mma)
    if mma is not None and mma < 10:  # below any reference range: a unit slip, read as not measured
        mma = None
    hb = None if case.hb is None else (case.hb / 10 if case.hb_unit == "g/L" else case.hb)
    neuro = case.neuro_symptoms
    lasting_cause = bool(case.risk_factors & {"pernicious_anaemia", "gastric_surgery"})
    if profile.reads_context:
        status, awaiting = _judged(case, b12, mma, profile)
    else:
        status, awaiting = _source_status(b12, mma, neuro, profile), False
    severe_values = b12 < 100 or (hb is not None and hb < 8)
    if status in ("deficient", "functional_deficiency") or awaiting:
        regimen = "im_neuro" if neuro else ("im_standard" if severe_values else "oral_or_im")
    elif status in ("indeterminate_needs_mma", "normal_needs_mma_hcy"):
        regimen = "pending_tests"
    else:
        regimen = "none"
    limit = 70.0 if case.pregnant else (case.age / 2 if case.sex == "male" else (case.age + 10) / 2)
    flag = "markedly_elevated" if case.esr >= 100 else ("elevated" if case.esr > limit else "normal")
    anaemic = hb is not None and hb < (11 if case.pregnant else 13 if case.sex == "male" else 12)  # WHO
    pitfalls = {
        # Beside a plan that treats a B12 in range (a lasting cause) too: never folic acid alone.
        "folate_before_b12": case.on_folic_acid
        and (status != "normal" or regimen in ("im_neuro", "im_standard", "oral_or_im") or lasting_cause),
        "do_not_stop_therapy": regimen in ("im_neuro", "im_standard", "oral_or_im"),
        "esr_needs_own_workup": flag != "normal",
        "anaemia_can_raise_esr": flag != "normal" and anaemic,
        # Only while MMA is unknown: once measured, its result answers the question (as does an active B12
        # that confirms deficiency under NICE NG239; under the source this is exactly "B12 not low").
        "neuro_with_normal_b12": neuro and status != "deficient" and mma is None,
    }
    return {
        "b12_status": status,
        "regimen": regimen,
        "oral_alternative": regimen == "oral_or_im",
        # "Severe" qualifies a deficiency (DESIGN.md: "Severe deficiency ... B12 < 100 or Hb < 8").
        "severe": status in ("deficient", "functional_deficiency") and severe_values,
        "esr_flag": flag,
        "esr_upper_limit": limit,
        "pitfalls": pitfalls,
    }


ESR_OUTCOME = {"normal": "esr_out_normal", "elevated": "esr_out_elevated", "markedly_elevated": "esr_out_marked"}


@SETTINGS
@given(valid_cases, profiles)
def test_engine_follows_design_rules(case: Case, profile: GuidelineProfile) -> None:
    a = evaluate(case, profile)
    expected = design_answer(case, profile)
    assert a.b12_status == expected["b12_status"]
    assert a.regimen == expected["regimen"]
    assert a.oral_alternative is expected["oral_alternative"]
    assert a.severe is expected["severe"]
    assert a.esr_flag == expected["esr_flag"]
    assert a.esr_upper_limit == expected["esr_upper_limit"]
    # The ESR flowchart's walk ends at the outcome of that flag (the picture agrees with the verdict).
    assert a.esr_path[-1] == ESR_OUTCOME[expected["esr_flag"]]
    for pitfall, present in expected["pitfalls"].items():
        assert (pitfall in a.pitfalls) is present, pitfall


# --- ESR never changes the B12 plan


@SETTINGS
@given(case_kwargs, st.sampled_from(_grid(0, 200, 0.5, ESR_NEAR)) | st.floats(0, 200), profiles)
def test_esr_never_changes_the_b12_plan(kwargs: dict[str, Any], other_esr: float, profile: GuidelineProfile) -> None:
    a = evaluate(Case(**kwargs), profile)
    b = evaluate(Case(**{**kwargs, "esr": other_esr}), profile)
    assert a.b12_status == b.b12_status
    assert a.regimen == b.regimen
    assert a.oral_alternative == b.oral_alternative
    assert a.severe == b.severe
    assert [s.text for s in a.next_steps] == [s.text for s in b.next_steps]
    assert a.decision_path == b.decision_path
    assert a.regimen_detail == b.regimen_detail and a.oral_regimen == b.oral_regimen
    assert a.monitoring == b.monitoring


# --- Lowering B12 never makes the status less severe


# The other B12 value: a fraction of the case's (anywhere below it), or a threshold value in pg/mL.
_OTHER_B12 = st.one_of(
    st.sampled_from([0.5, 0.9, 0.99, 0.999]).map(lambda f: ("times", f)),
    st.floats(0, 1, exclude_min=True).map(lambda f: ("times", f)),
    st.sampled_from(B12_NEAR_PG).map(lambda v: ("pg/mL", v)),
)


@SETTINGS
@given(case_kwargs, _OTHER_B12, profiles)
def test_lowering_b12_never_lowers_severity(
    kwargs: dict[str, Any], other: tuple[str, float], profile: GuidelineProfile
) -> None:
    kind, x = other
    in_unit = kwargs["b12"] * x if kind == "times" else x * (PMOL_PER_PG if kwargs["b12_unit"] == "pmol/L" else 1.0)
    assume(in_unit > 0)
    higher, lower = max(kwargs["b12"], in_unit), min(kwargs["b12"], in_unit)
    high = evaluate(Case(**{**kwargs, "b12": higher}), profile)
    low = evaluate(Case(**{**kwargs, "b12": lower}), profile)
    assert STATUS_SEVERITY[low.b12_status] >= STATUS_SEVERITY[high.b12_status], (
        higher,
        high.b12_status,
        lower,
        low.b12_status,
    )


# --- Paths


@SETTINGS
@given(valid_cases, profiles)
def test_paths_are_root_to_leaf_paths_in_the_graph(case: Case, profile: GuidelineProfile) -> None:
    a = evaluate(case, profile)
    graph = decision_graph(profile)
    for path, root in ((a.decision_path, B12_ROOT), (a.esr_path, ESR_ROOT)):
        assert path[0] == root
        assert graph.is_path(path)
        assert not graph.out_edges(path[-1])
        assert len(set(path)) == len(path)
        tree = graph.node(root).tree
        assert all(graph.node(n).tree == tree for n in path)
    assert graph.node(a.decision_path[-1]).regimen == a.regimen
    on_path = [graph.node(n).status for n in a.decision_path if graph.node(n).status]
    assert on_path and on_path[-1] == a.b12_status


# --- Every valid case evaluates under every profile


@SETTINGS
@given(valid_cases, custom_profiles)
def test_every_valid_case_evaluates_under_every_profile(case: Case, custom: GuidelineProfile) -> None:
    for profile in (*NAMED_PROFILES, custom):
        a = evaluate(case, profile)
        assert a.b12_status in B12_STATUSES
        assert a.regimen in REGIMENS
        assert a.esr_flag in ESR_FLAGS
        assert math.isfinite(a.esr_upper_limit)
        assert a.next_steps and a.esr_workup and a.why
        assert a.to_dict()["b12_status"] == a.b12_status


# --- Every invalid input raises CaseError naming the field


def _is_number_text(text: str) -> bool:
    return re.fullmatch(NUMBER_PATTERN, normalise_decimal_comma(text.strip())) is not None


junk_text = st.text(min_size=1, max_size=12).filter(lambda t: t.strip() != "" and not _is_number_text(t))
UNIT_OF = {name: unit_field for unit_field, name in UNIT_FIELDS.items()}


def _out_of_range(name: str, unit: str) -> st.SearchStrategy[tuple[str, object, str]]:
    lim = FIELDS[name].limits[unit]
    below = st.floats(-1e12, lim.low, exclude_max=lim.low_inclusive, allow_nan=False)
    above = st.floats(lim.high, 1e12, exclude_min=True, allow_nan=False)
    values = (below | above | st.sampled_from([lim.high + 1, lim.low - 1])).filter(lambda v: not lim.contains(v))
    as_text_or_not = st.tuples(values, st.booleans()).map(lambda t: str(t[0]) if t[1] else t[0])
    return st.tuples(st.just(name), as_text_or_not, st.just(unit))


_NOT_NUMBERS = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, True, False, "nan", "inf", "-inf", "1_000", "12 mg", [1]]),
    junk_text,
    st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),  # negative: below every range
)
_FIELD_UNITS = [(name, unit) for name in NUMBER_FIELDS for unit in FIELDS[name].units]
OUT_OF_RANGE = st.one_of(*[_out_of_range(name, unit) for name, unit in _FIELD_UNITS])
NOT_A_NUMBER = st.sampled_from(_FIELD_UNITS).flatmap(lambda nu: st.tuples(st.just(nu[0]), _NOT_NUMBERS, st.just(nu[1])))


def _unknown_units(name: str) -> st.SearchStrategy[object]:
    known = FIELDS[name].units
    samples = [u for u in ("mg/dL", "mmol/L", "", "pg", None, 5, True) if not isinstance(u, str) or u not in known]
    return st.sampled_from(samples) | st.text(max_size=8).filter(lambda t: canonical_unit(t) not in known)


BAD_UNITS = st.one_of(*[st.tuples(st.just(name), _unknown_units(name)) for name in sorted(UNIT_OF)])
BAD_SEX = st.sampled_from(["", "x", "fem", "other", None, 1, 0.0, True]) | st.text(max_size=8).filter(
    lambda t: t.strip().lower() not in SEX_ALIASES
)
BAD_FLAGS = st.tuples(
    st.sampled_from(["neuro_symptoms", "on_folic_acid", "pregnant", "renal_impairment"]),
    st.sampled_from(["maybe", 2, -1, 0.5, math.nan, "2", "yes please"])
    | st.text(max_size=8).filter(lambda t: t.strip().lower() not in TRUE_WORDS | FALSE_WORDS),
)
MISSING = st.tuples(st.sampled_from(["age", "b12", "esr"]), st.sampled_from([None, "", "  "]))

Invalid = tuple[dict[str, Any], str, "str | None"]


def _bad_number(kwargs: dict[str, Any], bad: tuple[str, object, str]) -> Invalid:
    name, value, unit = bad
    kwargs[name] = value
    if name in UNIT_OF:
        kwargs[UNIT_OF[name]] = unit
    return kwargs, name, FIELDS[name].allowed_range(unit)


def _bad_unit(kwargs: dict[str, Any], bad: tuple[str, object]) -> Invalid:
    name, value = bad
    kwargs[UNIT_OF[name]] = value
    return kwargs, UNIT_OF[name], None


def _bad_sex(kwargs: dict[str, Any], value: object) -> Invalid:
    kwargs["sex"] = value
    return kwargs, "sex", None


def _bad_flag(kwargs: dict[str, Any], bad: tuple[str, object]) -> Invalid:
    kwargs[bad[0]] = bad[1]
    return kwargs, bad[0], None


def _bad_pregnancy(kwargs: dict[str, Any], who: tuple[str, float]) -> Invalid:
    """Pregnant, but a man or a woman outside 16 to 55: an error naming `pregnant`."""
    kwargs["sex"], kwargs["age"], kwargs["pregnant"] = who[0], who[1], True
    return kwargs, "pregnant", "only for women aged 16 to 55"


BAD_PREGNANCY = st.sampled_from([("male", 30.0), ("M", 16.0), ("female", 55.5), ("F", 90.0), ("male", 70.0)])


def _missing(kwargs: dict[str, Any], bad: tuple[str, object]) -> Invalid:
    name, value = bad
    kwargs[name] = value
    unit = kwargs.get(UNIT_OF.get(name, ""))
    return kwargs, name, FIELDS[name].allowed_range(unit)


# Case keywords with exactly one bad input; the field the error must name; the range text it must show.
invalid_inputs = st.one_of(
    st.builds(_bad_number, case_kwargs, NOT_A_NUMBER),
    st.builds(_bad_number, case_kwargs, OUT_OF_RANGE),
    st.builds(_bad_unit, case_kwargs, BAD_UNITS),
    st.builds(_bad_sex, case_kwargs, BAD_SEX),
    st.builds(_bad_flag, case_kwargs, BAD_FLAGS),
    st.builds(_bad_pregnancy, case_kwargs, BAD_PREGNANCY),
    st.builds(_missing, case_kwargs, MISSING),
)


@SETTINGS
@given(invalid_inputs)
def test_every_invalid_input_raises_case_error(example: tuple[dict[str, Any], str, str | None]) -> None:
    kwargs, field, range_text = example
    try:
        Case(**kwargs)
    except CaseError as err:
        message = str(err)
        assert err.field == field
        assert message.startswith(f"{field}: ")
        assert "\n" not in message
        if range_text is not None:
            assert range_text in message
    else:
        raise AssertionError(f"no CaseError for {field}={kwargs.get(field)!r}")


# --- evaluate_frame equals evaluate, row by row

# Every column the batch reads (the CSV's, the link-only inputs, the risk factors), its header in a few spellings.
HEADERS = {
    name: list(dict.fromkeys((name, name.upper(), name.title())))
    for name in (*CSV_COLUMNS, *LINK_ONLY_FIELDS, "risk_factors")
}
# Spellings a laboratory writes for a unit, beyond each unit in upper case and padded.
_UNIT_ALIASES = {"b12_unit": ["ng/L", "pg/ml"], "mma_unit": ["umol/l", "μmol/L"]}
UNIT_CELLS = {
    unit_field: [
        *FIELDS[name].units,
        *(f" {unit.upper()} " for unit in FIELDS[name].units),
        *_UNIT_ALIASES.get(unit_field, []),
        "",
        None,
        "mmol/mL",  # no field's unit
    ]
    for unit_field, name in UNIT_FIELDS.items()
}
FLAG_CELLS = [True, False, None, math.nan, "", "yes", "No", " y ", "TRUE", "false", "1", "0", 1, 0, 1.0, "maybe", 2]
SEX_CELLS = ["female", "male", "F", "m", " Female ", "woman", "MAN", "x", "", None, 1]
BLANKS = [None, math.nan, "", "   "]


def _number_cell(value: float, style: int) -> object:
    """One number as a cell: a float, an int, or one of the strings a laboratory export writes."""
    text = repr(value)
    options: list[object] = [value, text, f" {text} ", f"{value:e}"]
    if value.is_integer():
        options += [int(value), str(int(value)), "+" + str(int(value)), "00" + str(int(value))]
    if "." in text and "e" not in text:
        options.append(text.replace(".", ","))
    return options[style % len(options)]


_NEAR_CELLS = {
    "age": (16.0, 70.0, 71.0, 110.0),
    "b12": B12_NEAR_PG + tuple(v * PMOL_PER_PG for v in B12_NEAR_PG),
    "mma": MMA_NEAR_NMOL + tuple(v / 1000 for v in MMA_NEAR_NMOL),
    "esr": ESR_NEAR,
    "hb": HB_NEAR_G_DL + tuple(v * 10 for v in HB_NEAR_G_DL),
    "homocysteine": (10.0, 15.0, 15.1, 20.0, 20.1, 70.0),
    "mcv": (100.0, 100.1, 120.0, 120.1, 122.0),
    "active_b12": (24.9, 25.0, 70.0, 70.1),
    "crp": (5.0, 5.1, 0.5),
}  # values beside the thresholds; a field without any is drawn across its range


def _number_cells(name: str) -> list[object]:
    """Every cell a number column may hold, as one list: one draw per cell (see the note on strategies).

    Threshold values and seeded random floats and integers, each written in every style _number_cell knows,
    values out of range for some unit, and blanks and junk at about a tenth of the cells each.
    """
    spec = FIELDS[name]
    low = min(lim.low for lim in spec.limits.values())
    high = max(lim.high for lim in spec.limits.values())
    rng = random.Random(name)
    values = [
        *_NEAR_CELLS.get(name, ()),
        *(rng.uniform(low, high) for _ in range(150)),
        *(float(rng.randint(math.ceil(low), math.floor(high))) for _ in range(60)),
        *(rng.uniform(low, min(high, 400.0)) for _ in range(60)),
        -1.0,
        0.0,
        float(high) + 1,
        1e6,
        7381.0,
    ]
    cells = [_number_cell(v, style) for v in values for style in range(9)]
    junk: list[object] = ["abc", "nan", "inf", "-inf", "1_000", "12 mg", "٣٠٠", "１２", "1e400", True, False]
    blanks = BLANKS * (len(cells) // (10 * len(BLANKS)))
    return cells + blanks + junk * (len(cells) // (10 * len(junk)))


def _numeric_column_cells(name: str) -> st.SearchStrategy[object]:
    low = FIELDS[name].limits[FIELDS[name].default_unit].low
    rng = random.Random(name)
    return st.sampled_from([math.nan, low, 300.0, *(rng.uniform(low, 300) for _ in range(200))])


NUMBER_KEYS = NUMBER_FIELDS
CELLS: dict[str, st.SearchStrategy[object]] = {
    **{key: st.sampled_from(_number_cells(key)) for key in NUMBER_KEYS},
    **{key: st.sampled_from(values) for key, values in UNIT_CELLS.items()},
    "sex": st.sampled_from(SEX_CELLS),
    "id": st.sampled_from(["a", "=cmd", "", "7"]),
    "risk_factors": st.sampled_from(
        ["", None, "nitrous_oxide", "nitrous_oxide", "vegan_diet;metformin", "nitrous_oxide,pernicious_anaemia", "x"]
    ),
    **{flag: st.sampled_from(FLAG_CELLS) for flag in FLAG_FIELDS if flag != "pregnant"},
    # Pregnancy mostly "no", so that most rows stay valid (it is only for women aged 16 to 55).
    "pregnant": st.sampled_from(["", "no", "yes", None, 0, True, "maybe"]),
}
NUMERIC_COLUMN_CELLS = {key: _numeric_column_cells(key) for key in NUMBER_KEYS}
OPTIONAL_KEYS = [key for key in HEADERS if key not in REQUIRED_COLUMNS]


@st.composite
def case_frames(draw: st.DrawFn) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """A frame with headers in any case and order, and the same rows as plain Python values, keyed by column."""
    n = draw(st.integers(1, 6))
    present = draw(st.integers(0, 2 ** len(OPTIONAL_KEYS) - 1))  # which optional columns, as bits
    numeric = draw(st.integers(0, 2 ** len(NUMBER_KEYS) - 1))  # which number columns have float dtype
    layout = random.Random(draw(st.integers(0, 2**32)))  # column order and header spelling
    keys = [*REQUIRED_COLUMNS] + [k for i, k in enumerate(OPTIONAL_KEYS) if present >> i & 1]
    layout.shuffle(keys)
    data: dict[str, list[object]] = {}
    for key in keys:
        as_floats = key in NUMBER_KEYS and numeric >> NUMBER_KEYS.index(key) & 1 and numeric % 3 == 0
        cells = NUMERIC_COLUMN_CELLS[key] if as_floats else CELLS[key]
        data[key] = [draw(cells) for _ in range(n)]
    frame = {layout.choice(HEADERS[key]): values for key, values in data.items()}
    if present % 5 == 0:
        frame["note"] = ["extra"] * n
    rows = [{key: values[i] for key, values in data.items()} for i in range(n)]
    return pd.DataFrame(frame), rows


def _blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and value.strip() == "")
    )


def case_from_row(row: dict[str, object]) -> Case:
    """DESIGN.md's CSV reading, written out here: blank number = not measured, blank unit = default, blank flag = no."""
    kwargs: dict[str, Any] = {}
    for name in NUMBER_KEYS:
        kwargs[name] = None if _blank(row.get(name)) else row[name]
    for unit_field, name in UNIT_FIELDS.items():
        default = FIELDS[name].default_unit
        kwargs[unit_field] = default if _blank(row.get(unit_field)) else row[unit_field]
    kwargs["sex"] = row.get("sex")
    for flag in FLAG_FIELDS:
        kwargs[flag] = False if _blank(row.get(flag)) else row[flag]
    risks = row.get("risk_factors")
    if not _blank(risks):  # the optional column: ids separated by ";" or ","
        kwargs["risk_factors"] = str(risks).replace(";", ",")
    return Case(**kwargs)


@SETTINGS
@given(case_frames(), profiles)
def test_evaluate_frame_equals_evaluate_row_by_row(
    frame: tuple[pd.DataFrame, list[dict[str, object]]], profile: GuidelineProfile
) -> None:
    df, rows = frame
    original = df.copy()
    out = evaluate_frame(df, guideline=profile)
    assert df.equals(original)  # the input frame is not modified
    assert len(out) == len(df)
    assert list(out.columns[: len(df.columns)]) == list(df.columns)
    assert out[list(df.columns)].equals(df)  # input columns unchanged
    names = (*RESULT_COLUMNS, "decision_path")
    columns = {name: out[name].tolist() for name in names}  # one pass per column, not per cell
    for i, row in enumerate(rows):
        try:
            case = case_from_row(row)
        except CaseError as err:
            assert columns["error"][i] == str(err)
            for name in names:
                if name != "error":
                    assert pd.isna(columns[name][i]), (name, columns[name][i])
            continue
        expected = assessment_cells(evaluate(case, profile))
        for name, value in expected.items():
            cell = columns[name][i]
            if name in ("oral_alternative", "severe"):
                assert bool(cell) is value, (name, cell, value)
            elif name == "esr_upper_limit":
                assert float(cell) == value
            else:
                assert str(cell) == value, (name, cell, value)


def test_frame_example_with_every_unit() -> None:
    # A worked example of the property, with the expected answers from DESIGN.md.
    df = pd.DataFrame(
        {
            "AGE": ["71", "68", "68", "68", "15"],
            "Sex": ["M", "female", "female", "f", "m"],
            "B12": [str(179 * 0.738), "180", "250", "150", "200"],
            "b12_unit": ["pmol/L", "", "pg/mL", "pg/mL", ""],
            "mma": ["", "", "0.272", "", ""],
            "mma_unit": ["", "", "µmol/L", "", ""],
            "esr": ["36", "39", "101", "30", "10"],
            "hb": ["", "", "", "79", ""],
            "hb_unit": ["", "", "", "g/L", ""],
        }
    )
    out = evaluate_frame(df)
    assert out["b12_status"].astype(object).tolist()[:4] == [
        "deficient",
        "indeterminate_needs_mma",
        "functional_deficiency",
        "deficient",
    ]
    assert out["regimen"].astype(object).tolist()[:4] == ["oral_or_im", "pending_tests", "oral_or_im", "im_standard"]
    assert out["esr_flag"].astype(object).tolist()[:4] == ["elevated", "normal", "markedly_elevated", "normal"]
    assert out["esr_upper_limit"].tolist()[:4] == [35.5, 39.0, 39.0, 39.0]
    assert out["severe"].tolist()[:4] == [False, False, False, True]
    assert out["error"].iloc[4].startswith("age: 15")
    assert np.all(out.iloc[4][["b12_status", "regimen", "esr_flag", "esr_upper_limit"]].isna())
