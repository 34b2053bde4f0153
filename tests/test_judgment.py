"""One clinical judgment per case (issue 18): an example per class of error the clinical read found (each failed
before the judgment was rebuilt), and invariants over every profile (hypothesis)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b12logic import Case, custom_profile, evaluate, evaluate_frame
from b12logic.cli import main as cli_main
from b12logic.cli import verdict_lines
from b12logic.engine import TREATMENT_REGIMENS, Assessment
from b12logic.guidelines import PROFILE_CHOICES, PROFILES, GuidelineProfile, regimen_for
from b12logic.labels import (
    INDETERMINATE_LASTING,
    INDETERMINATE_PREGNANT,
    INDETERMINATE_RENAL_BOTH,
    INDETERMINATE_RENAL_MMA,
    NORMAL_LASTING,
    REGIMEN_LABELS,
    SOURCE_DIFFERS,
    STATUS_LABELS,
)
from b12logic.statement import KINDS
from tests.test_engine_properties import SETTINGS, custom_profiles, valid_cases

JUDGING = tuple(p.id for p in PROFILES.values() if p.reads_context)
EVERY = tuple(PROFILES)
N2O = frozenset({"nitrous_oxide"})


def _all_statements(a: Assessment) -> list[Any]:
    return [*a.next_steps, *a.esr_workup, *a.caveats]


def _text(a: Assessment) -> str:
    return " ".join(s.text for s in _all_statements(a)) + " " + " ".join(p.text for p in a.pitfalls)


def _lab() -> GuidelineProfile:
    return custom_profile(180, 350, 271)


# --- Class 1: homocysteine and MMA in nitrous oxide use


def test_class1_nitrous_oxide_raised_homocysteine_is_functional_deficiency_treated_now() -> None:
    case = Case(age=21, sex="male", b12=410, esr=10, mma=230, homocysteine=70, neuro_symptoms=True, risk_factors=N2O)
    for profile in (*JUDGING, _lab()):
        a = evaluate(case, profile)
        assert (a.b12_status, a.regimen) == ("functional_deficiency", "im_neuro")
        assert any("Stop the nitrous oxide" in s.text and s.starts_b12 for s in a.do_now)
    source = evaluate(case, "source")
    assert source.b12_status == "normal"  # the source's fixed rule stands...
    assert source.headline == f"No B12 deficiency ({SOURCE_DIFFERS})"  # ...and says so in the headline
    assert "Functional B12 deficiency" in source.correction


def test_class1_nitrous_oxide_without_neuro_or_tests_is_never_no_deficiency() -> None:
    case = Case(age=21, sex="male", b12=410, esr=10, risk_factors=N2O)
    for profile in (*JUDGING, _lab()):
        a = evaluate(case, profile)
        assert (a.b12_status, a.regimen) == ("normal_needs_mma_hcy", "pending_tests")
        assert any("measure homocysteine or MMA" in s.text for s in a.do_now)
    assert SOURCE_DIFFERS in evaluate(case, "source").headline


# --- Class 2: active B12 read in every case it is measured, first in pregnancy


def test_class2_pregnant_with_a_high_active_b12_is_not_deficient() -> None:
    a = evaluate(Case(age=30, sex="female", b12=165, esr=20, active_b12=90, pregnant=True), "nice-ng239")
    assert (a.b12_status, a.regimen) == ("not_confirmed", "none")
    # Said once, in the plan (independent read s8c, F3: not again in a caveat).
    assert [s.text for s in (*a.next_steps, *a.caveats) if "active B12 governs" in s.text] == [
        s.text for s in a.next_steps if s.text.startswith("Active B12 above 70 pmol/L")
    ]


def test_class2_low_active_b12_with_total_in_range_is_deficiency() -> None:
    a = evaluate(Case(age=50, sex="female", b12=400, esr=20, active_b12=20), "nice-ng239")
    assert a.b12_status == "deficient" and a.regimen in TREATMENT_REGIMENS
    assert any("disagree" in c.text for c in a.caveats)
    # The source does not read active B12: its "no deficiency" carries NICE's reading beside it.
    assert "B12 deficient" in evaluate(Case(age=50, sex="female", b12=400, esr=20, active_b12=20)).correction


def test_class2_pregnant_without_active_b12_measures_it_first() -> None:
    a = evaluate(Case(age=31, sex="female", b12=170, esr=45, hb=11.4, pregnant=True), "nice-ng239")
    assert a.regimen == "pending_tests"
    assert any("active_b12" in s.measures for s in a.next_steps)


# --- Class 3: severe anaemia on its own axis


def test_class3_severe_anaemia_with_very_high_mcv_and_borderline_b12() -> None:
    case = Case(age=60, sex="female", b12=250, esr=20, hb=6.1, mcv=122)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert a.anaemia_grade == "severe"
        assert a.do_now and a.do_now[0].text.startswith("Assess the severe anaemia now")
    for profile in JUDGING:
        a = evaluate(case, profile)
        assert a.regimen == "im_standard"  # strong features: treated once bloods are taken (BSH 2014)
    assert SOURCE_DIFFERS in evaluate(case, "source").headline


def test_class3_who_grades_by_sex_and_pregnancy() -> None:
    def grade(hb: float, sex: str = "female", pregnant: bool = False) -> str:
        return evaluate(Case(age=30, sex=sex, b12=500, esr=5, hb=hb, pregnant=pregnant)).anaemia_grade

    assert [grade(7.9), grade(8.0), grade(10.9), grade(11.0), grade(11.9), grade(12.0)] == [
        "severe", "moderate", "moderate", "mild", "mild", "none",
    ]  # fmt: skip
    assert [grade(12.9, "male"), grade(13.0, "male")] == ["mild", "none"]
    assert [grade(6.9, pregnant=True), grade(7.0, pregnant=True), grade(10.9, pregnant=True)] == [
        "severe", "moderate", "mild",
    ]  # fmt: skip
    assert evaluate(Case(age=30, sex="female", b12=500, esr=5)).anaemia_grade == "unknown"


# --- Class 4: neuro symptoms with MMA at the limit


def test_class4_mma_at_the_limit_with_neuro_keeps_specialist_advice() -> None:
    case = Case(age=60, sex="female", b12=250, esr=20, mma=271, neuro_symptoms=True)
    for profile in (*EVERY, _lab()):
        a = evaluate(case, profile)
        assert a.b12_status == "not_confirmed"
        assert any("specialist (neurology or haematology) advice" in s.text for s in a.do_now)
        assert "if symptoms develop" not in _text(a)


@pytest.mark.parametrize(("mma", "unit"), [(0.6, "nmol/L"), (9.99, "nmol/L"), (0.005, "µmol/L")])
def test_class4_an_implausible_mma_never_withholds_treatment(mma: float, unit: str) -> None:
    """A µmol/L result typed as nmol/L (0.6 for 600) is not a normal MMA: with neuro symptoms the case is treated
    as if the MMA were not back (the same verdict as without it), and the unit is questioned first."""
    for risks in (frozenset(), frozenset({"nitrous_oxide"})):
        slip = Case(
            age=60, sex="male", b12=250, esr=15, mma=mma, mma_unit=unit, neuro_symptoms=True, risk_factors=risks
        )
        without = Case(age=60, sex="male", b12=250, esr=15, neuro_symptoms=True, risk_factors=risks)
        for profile in (*EVERY, _lab()):
            a, b = evaluate(slip, profile), evaluate(without, profile)
            assert (a.b12_status, a.regimen, a.corrected_regimen) == (b.b12_status, b.regimen, b.corrected_regimen)
            assert any(s.starts_b12 for s in a.do_now)
            assert "less likely" not in " ".join(s.text for s in a.do_now)
            assert a.warnings and "implausibly low" in a.warnings[0]


def test_class4_an_mma_of_10_nmol_is_read() -> None:
    case = Case(age=60, sex="male", b12=250, esr=15, mma=10, neuro_symptoms=True)
    assert evaluate(case, "source").b12_status == "not_confirmed"


# --- Class 5: unknown severity never shown as known


def test_class5_hb_not_measured_reads_as_unknown_everywhere() -> None:
    a = evaluate(Case(age=60, sex="female", b12=150, esr=20))
    assert a.regimen == "oral_or_im" and a.anaemia_grade == "unknown"
    assert "not severe" not in _text(a)
    lines = verdict_lines(a)
    assert not any(line.endswith(": no") and "Severe" in line for line in lines)
    assert "Severe deficiency (working definition): unknown (Severity unknown: check the full blood count" in "\n".join(
        lines
    )
    assert a.to_dict()["anaemia_grade"] == "unknown"


# --- Class 6: the headline never against the urgent box


@pytest.mark.parametrize("pmol", [257.0, 258.0, 259.0])
def test_class6_no_cliff_at_258_pmol_with_neuro_symptoms(pmol: float) -> None:
    case = Case(age=60, sex="female", b12=pmol, b12_unit="pmol/L", esr=20, neuro_symptoms=True)
    for profile in JUDGING:
        a = evaluate(case, profile)
        assert a.regimen == "im_neuro"  # treated while the tests are awaited on both sides of 350 pg/mL
        assert any(s.starts_b12 for s in a.do_now)


def test_class6_source_badge_carries_the_marker_beside_a_start_now_step() -> None:
    a = evaluate(Case(age=60, sex="female", b12=250, esr=20, neuro_symptoms=True), "source")
    assert a.regimen == "pending_tests"
    assert any(s.starts_b12 for s in a.do_now)
    assert a.headline.endswith(f"({SOURCE_DIFFERS})") and a.correction


def test_class6_homocysteine_entered_is_not_asked_for_again() -> None:
    case = Case(age=60, sex="female", b12=400, esr=20, homocysteine=12, neuro_symptoms=True)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert "homocysteine" not in {m for s in _all_statements(a) for m in s.measures}
        assert "Measure MMA and homocysteine" not in _text(a)


# --- Class 7: words and citations


def test_class7_thyroid_or_vitiligo_is_a_risk_marker_not_a_lifelong_cause() -> None:
    plan = regimen_for(PROFILES["nice-ng239"], "im_standard", frozenset({"autoimmune_disease"}))
    assert "cannot be reversed (NICE" not in plan.duration and not plan.duration.startswith("lifelong, because")
    from b12logic.fields import RISK_FACTORS

    assert "thyroid" not in RISK_FACTORS["pernicious_anaemia"]


def test_class7_quiz_status_labels_do_not_say_mma_confirms() -> None:
    from b12logic.teaching_cases import QUIZ_STATUS_LABELS

    assert not any("confirms" in label for label in QUIZ_STATUS_LABELS.values())


def test_class7_laboratory_profile_does_not_call_its_limit_mayos() -> None:
    lab = custom_profile(180, 350, 300)
    a = evaluate(Case(age=60, sex="female", b12=250, esr=20), lab)
    mma = [s for s in a.next_steps if "MMA" in s.text and "limit" in s.text]
    assert mma and all("Mayo" not in s.text and "Mayo" not in s.citations for s in mma)


@pytest.mark.parametrize(("mma_upper", "words"), [(271, "the app's default"), (300, "your laboratory's upper limit")])
def test_laboratory_profile_calls_the_default_mma_limit_the_apps_not_the_laboratorys(
    mma_upper: int, words: str
) -> None:
    """With no MMA limit entered the laboratory profile holds the app's default: it never calls that the lab's own."""
    a = evaluate(Case(age=60, sex="female", b12=250, esr=20), custom_profile(180, 350, mma_upper))
    mma = [s.text for s in a.next_steps if f"{mma_upper} nmol/L" in s.text]
    assert mma and all(words in text for text in mma), mma
    if mma_upper == 271:
        assert all("your laboratory's upper limit" not in text for text in mma)


def test_class7_vegan_flowchart_node_does_not_say_1_to_2_mg() -> None:
    from b12logic.graphs import decision_graph

    for profile in PROFILES.values():
        assert "1–2 mg" not in decision_graph(profile).node("rx_oral_or_im").label


def test_class7_citations_say_their_statement() -> None:
    a = evaluate(Case(age=70, sex="female", b12=150, esr=120))
    for s in (*a.esr_workup,):
        assert not ("electrophoresis" in s.text and "Fincher 1986" in s.citations)
    nice = evaluate(Case(age=60, sex="female", b12=250, esr=20, mma=200), "nice-ng239")
    for s in nice.next_steps:
        if "271" in s.text:
            assert "Mayo" in s.citations  # the cut-off is one laboratory's, not NICE's
    bsh = evaluate(Case(age=60, sex="female", b12=150, esr=20, risk_factors=frozenset({"vegan_diet"})), "bsh-2014")
    assert not any("Under BSH 2014" in s.text and "follows the cause" in s.text for s in bsh.next_steps)


def test_class7_pregnancy_esr_why_cites_the_pregnancy_ranges_and_no_gca_at_29() -> None:
    a = evaluate(Case(age=29, sex="female", b12=400, esr=60, pregnant=True))
    esr_steps = [w for w in a.why if "ESR" in w.text]
    assert esr_steps and all("Miller 1983" not in w.citations for w in esr_steps)
    assert not any("giant cell" in w.text for w in a.why)
    assert any("first- and second-trimester ranges" in s.text for s in a.esr_workup)  # 60: above 57 and 47


# --- Statement kinds, JSON and CLI


def test_every_statement_has_a_kind_in_json_and_cli(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["evaluate", "--age", "74", "--sex", "female", "--b12", "140", "--hb", "7.2", "--neuro", "--esr", "80"]
    for guideline in PROFILE_CHOICES:
        assert cli_main([*argv, "--guideline", guideline, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        for group in ("next_steps", "esr_workup", "caveats", "pitfalls", "do_now"):
            assert all(item["kind"] in KINDS for item in data[group]), group
        assert data["anaemia_grade"] == "severe"
        assert cli_main([*argv, "--guideline", guideline]) == 0
        text = capsys.readouterr().out
        assert text.index("Do now:") < text.index("B12 plan:") < text.index("ESR reading:")


# --- Invariants over every profile


PROFILES_ALL = st.sampled_from(list(PROFILES.values())) | custom_profiles


def _measured(case: Case) -> set[str]:
    fields = ("mma", "homocysteine", "hb", "active_b12", "crp")
    measured = {f for f in fields if getattr(case, f) is not None}
    # An implausibly low MMA (a unit slip) is read as not measured: asking for it again is right.
    return measured - {"mma"} if case.mma_implausible else measured


@SETTINGS
@given(valid_cases, PROFILES_ALL)
def test_invariants_of_one_judgment(case: Case, profile: GuidelineProfile) -> None:
    a = evaluate(case, profile)
    treats = a.regimen in TREATMENT_REGIMENS
    starts = any(s.starts_b12 for s in a.do_now)
    # 6: the headline never contradicts a do_now step; under the source the headline carries the marker.
    if profile.reads_context:
        assert not starts or treats
        assert not a.correction
    elif starts and not treats:
        assert a.correction and SOURCE_DIFFERS in a.headline
        # ... and the regimen line and the plan lead with the treatment the Do-now step starts, not "tests first".
        assert a.regimen_headline.startswith(REGIMEN_LABELS[a.corrected_regimen]), a.regimen_headline
        assert a.corrected_regimen in TREATMENT_REGIMENS
        assert any(s.text.startswith("Under NICE NG239, the regimen for this case is") for s in a.statements("plan"))
    # 5: Hb unknown never reads as not severe.
    if case.hb is None:
        assert a.anaemia_grade == "unknown"
        assert "not severe" not in _text(a)
        assert "Severe deficiency (working definition): no" not in verdict_lines(a)
    # 3: severe anaemia always has a do_now step, first.
    if a.anaemia_grade == "severe":
        assert a.do_now and "severe anaemia" in a.do_now[0].text
    # 1: nitrous oxide with neuro symptoms is never untreated under a judging profile while tests are pending.
    n2o_neuro = "nitrous_oxide" in case.risk_factors and case.neuro_symptoms
    if profile.reads_context and n2o_neuro and case.mma is None and case.homocysteine is None:
        assert treats
    # 2: a measured active B12 is always read under a profile with its bands.
    if profile.holotc_pmol_l and case.active_b12 is not None and case.active_b12 < profile.holotc_pmol_l[0]:
        assert a.b12_status == "deficient"
    if profile.holotc_pmol_l and case.active_b12 is not None:
        assert any("active B12" in w.text for w in a.why)
    # 4: never "if symptoms develop" when they are present.
    if case.neuro_symptoms:
        assert "if symptoms develop" not in _text(a)
        assert a.do_now  # specialist advice stays in the verdict
        # ... urgent, with the same-day rule for cord or optic symptoms, whatever the MMA (independent read s6, F6)
        urgent = " ".join(s.text for s in a.do_now)
        assert "urgent" in urgent and "same-day emergency admission" in urgent, urgent
    # 6: no statement asks to measure what was measured.
    measured = _measured(case)
    for s in _all_statements(a):
        assert not set(s.measures) & measured, (s.text, measured)
    # 7: words and citations: a raised MMA supports, never "confirms"; a laboratory's own limit is never
    # called Mayo's; an MMA limit is never cited to NICE alone (NICE gives no cut-off).
    for s in _all_statements(a):
        assert "MMA confirms" not in s.text and "271 confirms" not in s.text
        if profile.id == "custom":
            assert "Mayo" not in s.text and "Mayo" not in s.citations, s.text
        if f"{profile.mma_upper:g} nmol/L" in s.text and profile.id != "custom":
            assert "Mayo" in s.citations or "source" in s.citations, s.text
    # 8: a headline that reads the B12 as deficient never sits beside a step that calls the same B12 not low
    # (under the source, NICE NG239's urgent steps are shown beside its fixed rule).
    if a.b12_status == "deficient":
        assert all("B12 that is not low" not in s.text for s in a.do_now), [s.text for s in a.do_now]
    # Every statement has a kind, and each is said once on the page.
    texts = [s.text for s in (*a.next_steps, *a.esr_workup)]
    assert len(texts) == len(set(texts))
    assert all(s.kind in KINDS for s in _all_statements(a)) and all(p.kind in KINDS for p in a.pitfalls)


@settings(max_examples=300, deadline=None)
@given(st.lists(valid_cases, min_size=1, max_size=6), PROFILES_ALL)
def test_frame_agrees_with_evaluate_with_risk_factors(cases: list[Case], profile: GuidelineProfile) -> None:
    import pandas as pd

    rows = []
    for c in cases:
        row = {k: v for k, v in c.to_dict().items() if k not in ("id",)}
        row["risk_factors"] = ";".join(sorted(c.risk_factors))
        rows.append(row)
    out = evaluate_frame(pd.DataFrame(rows), guideline=profile)
    for i, c in enumerate(cases):
        a = evaluate(c, profile)
        assert out["b12_status"].iloc[i] == a.b12_status
        assert out["regimen"].iloc[i] == a.regimen
        assert bool(out["severe"].iloc[i]) is a.severe
        assert out["pitfalls"].iloc[i] == ";".join(p.id for p in a.pitfalls)
        from b12logic.batch import assessment_cells

        assert out["next_steps"].iloc[i] == assessment_cells(a)["next_steps"]


def test_severity_line_in_a_neurological_case_says_the_symptoms_decide() -> None:
    """Independent read s6 (F13): "check the full blood count before choosing oral" beside the IM neurological
    regimen, where oral is never offered."""
    for hb, word in ((None, "unknown"), (12.0, "no")):
        a = evaluate(Case(age=63, sex="male", b12=150, esr=20, neuro_symptoms=True, hb=hb), "nice-ng239")
        assert a.regimen == "im_neuro"
        (line,) = [x for x in verdict_lines(a) if x.startswith("Severe deficiency")]
        assert line.endswith(f": {word} (the neurological symptoms decide the regimen (IM), whatever the severity)")
        assert "before choosing oral" not in line


# --- Read s7: recorded causes and converted units are never silent


@pytest.mark.parametrize("risk", ["gastric_surgery", "pernicious_anaemia"])
def test_an_irreversible_cause_is_said_while_the_tests_decide(risk: str) -> None:
    """Indeterminate B12 with a recorded cause that cannot be reversed: the plan names it and says that a
    deficiency shown would be treated for life (independent read s6, NF3 and F1)."""
    case = Case(age=60, sex="male", b12=230, esr=20, risk_factors=frozenset({risk}))
    for profile in (*EVERY, _lab()):
        a = evaluate(case, profile)
        if a.regimen != "pending_tests":
            continue
        said = [s for s in a.next_steps if s.text.startswith("Recorded risk factors for B12 deficiency")]
        assert len(said) == 1 and "lifelong" in said[0].text, profile.id


def test_a_reversible_risk_factor_is_named_without_lifelong() -> None:
    a = evaluate(Case(age=60, sex="male", b12=230, esr=20, risk_factors=frozenset({"metformin"})), "nice-ng239")
    assert a.regimen == "pending_tests"
    said = [s.text for s in a.next_steps if s.text.startswith("Recorded risk factors")]
    assert said == ["Recorded risk factors for B12 deficiency: Metformin."]


def test_bowel_disease_can_be_recorded() -> None:
    a = evaluate(Case(age=35, sex="female", b12=160, esr=40, risk_factors=frozenset({"bowel_disease"})), "nice-ng239")
    assert any("Crohn's disease or coeliac disease" in s.text for s in a.next_steps)


def test_an_mma_in_micromol_is_shown_converted() -> None:
    a = evaluate(Case(age=55, sex="male", b12=250, esr=15, mma=0.5, mma_unit="µmol/L"), "nice-ng239")
    assert any("MMA 0.5 µmol/L = 500 nmol/L" in s.text for s in a.caveats)
    plain = evaluate(Case(age=55, sex="male", b12=250, esr=15, mma=500), "nice-ng239")
    assert not any("Converted: MMA" in s.text for s in plain.caveats)


def test_a_lasting_cause_with_neuro_symptoms_is_treated_despite_a_normal_mma() -> None:
    """Gastric surgery, neurological symptoms, borderline B12, MMA within the limit: strong features against the
    test (BSH 2014), so the neurological regimen starts (independent read s7, F1: 'No B12 treatment' before)."""
    case = Case(
        age=45, sex="female", b12=200, mma=200, esr=30, neuro_symptoms=True, risk_factors=frozenset({"gastric_surgery"})
    )
    for profile in (*JUDGING, _lab()):
        a = evaluate(case, profile)
        assert (a.b12_status, a.regimen) == ("not_confirmed", "im_neuro"), getattr(profile, "id", profile)
        assert any(s.starts_b12 for s in a.do_now)
        assert "gastric or ileal surgery" in _text(a)
        assert "no B12 treatment" not in _text(a)
    source = evaluate(case, "source")
    assert source.regimen == "none" and source.corrected_regimen == "im_neuro" and source.correction
    # Without the lasting cause the normal MMA stands (with urgent advice for the symptoms); without the symptoms
    # the lasting cause still keeps replacement lifelong (independent read s7b, G1), without the neurological regimen.
    assert evaluate(replace(case, risk_factors=frozenset()), "nice-ng239").regimen == "none"
    quiet = evaluate(replace(case, neuro_symptoms=False), "nice-ng239")
    assert quiet.regimen == "oral_or_im" and "not stopped because a level is in range" in _text(quiet)


def test_a_lasting_cause_above_the_laboratorys_band_is_treated() -> None:
    """Pernicious anaemia, neurological symptoms, B12 260 above a laboratory's band of 250, MMA normal: the
    neurological regimen, never 'unlikely to explain the symptoms' (independent read s7c, H1, UNSAFE before)."""
    case = Case(
        age=60,
        sex="female",
        b12=260,
        mma=150,
        esr=20,
        neuro_symptoms=True,
        risk_factors=frozenset({"pernicious_anaemia"}),
    )
    for profile in (*JUDGING, _lab()):
        a = evaluate(case, profile)
        assert a.regimen == "im_neuro" and any(s.starts_b12 for s in a.do_now), profile
        assert "unlikely to explain" not in _text(a)
    above = evaluate(replace(case, b12=600, neuro_symptoms=False, mma=None), "nice-ng239")
    assert (above.b12_status, above.regimen) == ("normal", "oral_or_im")
    assert "the maintenance doses go on" in _text(above)


@pytest.mark.parametrize("risk", ["pernicious_anaemia", "gastric_surgery"])
def test_a_lasting_cause_is_never_told_no_treatment_without_its_lifelong_rule(risk: str) -> None:
    """Recorded pernicious anaemia with levels in range (often a patient on injections): the plan never teaches
    stopping lifelong replacement (independent read s7b, G1)."""
    for b12, mma in ((280, 200), (280, None), (400, None), (400, 200)):
        case = Case(age=60, sex="female", b12=b12, mma=mma, esr=20, risk_factors=frozenset({risk}))
        for profile in (*JUDGING, _lab()):
            a = evaluate(case, profile)
            if a.regimen not in TREATMENT_REGIMENS:
                assert "is not stopped because a level is in range" in _text(a), (b12, mma, profile)


def test_folic_acid_with_a_borderline_b12_starts_b12_while_mma_is_awaited() -> None:
    """On folic acid, borderline B12, no MMA: folic acid must not go on alone (independent read s7b, G2)."""
    case = Case(age=58, sex="female", b12=190, mcv=92, hb=12.5, esr=40, on_folic_acid=True)
    for profile in JUDGING:
        a = evaluate(case, profile)
        if a.b12_status == "indeterminate_needs_mma":
            assert a.regimen in TREATMENT_REGIMENS, profile
            assert "folic acid already taken must not go on alone" in _text(a)
    assert evaluate(replace(case, on_folic_acid=False), "nice-ng239").regimen == "pending_tests"


def test_a_very_high_esr_with_a_normal_crp_asks_for_myeloma_after_the_gca_questions() -> None:
    """Independent read s7, F2: exclude myeloma, in the Do-now block; s8c, F9: after the giant cell arteritis
    questions (asked now, acted on the same day; the myeloma tests within 48 hours), and said once."""
    case = Case(age=74, sex="male", b12=150, mcv=106, hb=9.5, crp=2, esr=110)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert a.do_now[0].text.startswith("Ask now about new headache"), profile
        assert a.do_now[1].text.startswith("ESR of 100 mm/h or more with a normal CRP"), profile
        assert "NICE NG12" in a.do_now[1].citations
        assert not any(s.text.startswith("Investigate the ESR of 100") for s in a.do_now)
    young = evaluate(replace(case, age=40), "nice-ng239")
    assert young.do_now[0].text.startswith("ESR of 100 mm/h or more with a normal CRP")
    raised = evaluate(replace(case, crp=60), "nice-ng239")
    assert not any("normal CRP" in s.text for s in raised.do_now)
    below = evaluate(replace(case, esr=99), "nice-ng239")
    assert not any("normal CRP" in s.text for s in below.do_now)


def test_a_source_correction_brings_the_guidelines_work_up_and_marks_the_source_rule() -> None:
    """Source says no treatment; NICE treats (low active B12) or tests first: the student gets the work-up that the
    corrected plan depends on, and the source's own plan line is labelled as its rule (independent read s7, F3)."""
    for case, wanted in (
        (Case(age=72, sex="female", b12=420, active_b12=20, mcv=108, hb=10.8, esr=45), "Take the work-up bloods"),
        (Case(age=66, sex="female", b12=450, hb=7.5, mcv=124, esr=104, crp=120), "Measure MMA and homocysteine"),
    ):
        a = evaluate(case, "source")
        assert a.regimen == "none" and a.correction
        assert any(s.text.startswith(wanted) for s in a.next_steps), wanted
        plain = [s.text for s in a.next_steps if s.kind == "plan" and "no B12 treatment" in s.text]
        assert plain and all(t.startswith("The source's rule: ") for t in plain)


def test_risk_factors_are_named_when_nothing_is_treated() -> None:
    case = Case(age=71, sex="male", b12=190, mma=250, homocysteine=14, esr=42, risk_factors=frozenset({"metformin"}))
    a = evaluate(case, "nice-ng239")
    assert a.regimen == "none"
    assert "Recorded risk factors for B12 deficiency: Metformin." in [s.text for s in a.next_steps]


def test_a_recorded_lasting_cause_is_not_asked_for_again_nor_told_to_be_addressed() -> None:
    case = Case(age=62, sex="female", b12=140, mcv=110, hb=10.5, esr=38, risk_factors=frozenset({"pernicious_anaemia"}))
    text = _text(evaluate(case, "nice-ng239"))
    assert "If no cause is evident" not in text and "to address: Pernicious" not in text
    assert "recorded cause (autoimmune gastritis) cannot be reversed" in text


def test_a_megaloblastic_picture_with_a_b12_above_the_band_is_treated_while_tests_are_awaited() -> None:
    """Hb 6.5, MCV 128, B12 260 above a laboratory's band of 250: not 'tests first' beside 'deficiency is
    suspected' (independent read s7c, H2); the potassium step comes with the treatment."""
    case = Case(age=70, sex="female", b12=260, hb=6.5, mcv=128, esr=40)
    lab = custom_profile(145, 250, 400)
    a = evaluate(case, lab)
    assert (a.b12_status, a.regimen) == ("normal_needs_mma_hcy", "im_standard")
    assert any("potassium" in s.text for s in a.do_now)
    assert "while MMA and homocysteine are awaited" in _text(a)
    assert evaluate(replace(case, b12=400), "nice-ng239").regimen == "im_standard"
    quiet = evaluate(replace(case, hb=13.0, mcv=95), lab)
    assert quiet.regimen == "none"


def test_nitrous_oxide_with_neuro_symptoms_is_treated_whatever_the_tests() -> None:
    """MMA and homocysteine in range do not withhold B12 from nitrous oxide myeloneuropathy (independent read s7d,
    I3): the do-now never calls treatment 'the specialist's call' beside a step that starts it."""
    case = Case(
        age=24,
        sex="male",
        b12=300,
        mma=150,
        homocysteine=12,
        esr=10,
        neuro_symptoms=True,
        risk_factors=frozenset({"nitrous_oxide"}),
    )
    for profile in (*JUDGING, _lab()):
        a = evaluate(case, profile)
        assert a.regimen == "im_neuro", profile
        assert any(s.starts_b12 for s in a.do_now)
        assert not any("specialist's call" in s.text for s in a.do_now)
    assert evaluate(replace(case, neuro_symptoms=False), "nice-ng239").regimen == "none"


def test_an_unexplained_macrocytosis_asks_for_its_other_causes() -> None:
    case = Case(age=63, sex="female", b12=400, hb=9.8, mcv=112, esr=30, on_folic_acid=True)
    a = evaluate(case, "nice-ng239")
    assert a.regimen == "none"
    assert any(
        s.text.startswith("Macrocytosis (MCV above 100 fL)") and "Savage 2000" in s.citations for s in a.next_steps
    )
    assert not any(s.text.startswith("Macrocytosis") for s in evaluate(replace(case, mcv=95), "nice-ng239").next_steps)


def test_nitrous_oxide_with_neuro_above_the_band_is_never_called_no_deficiency() -> None:
    """Independent read s7e: above a laboratory's band, normal tests beside nitrous oxide with neurological symptoms
    read "Deficiency not confirmed" (it is not excluded), never "No B12 deficiency" beside a regimen that treats."""
    case = Case(
        age=24,
        sex="male",
        b12=280,
        mma=200,
        homocysteine=12,
        esr=8,
        neuro_symptoms=True,
        risk_factors=frozenset({"nitrous_oxide"}),
    )
    a = evaluate(case, custom_profile(145, 250, 400))
    assert (a.b12_status, a.regimen) == ("not_confirmed", "im_neuro")
    text = "\n".join(verdict_lines(a))
    assert "No B12 deficiency" not in text and "no deficiency diagnosed" not in text
    assert "treated on clinical grounds" in text
    # A lasting cause above the band keeps "normal" (the level is in range) and is treated for the cause.
    gastrectomy = replace(case, risk_factors=frozenset({"gastric_surgery"}))
    assert evaluate(gastrectomy, custom_profile(145, 250, 400)).b12_status == "normal"


@settings(SETTINGS)
@given(valid_cases, PROFILES_ALL)
def test_nitrous_oxide_with_neuro_symptoms_never_reads_normal(case: Case, profile: GuidelineProfile) -> None:
    case = replace(case, neuro_symptoms=True, risk_factors=case.risk_factors | {"nitrous_oxide"})
    a = evaluate(case, profile)
    if profile.reads_context:
        assert a.b12_status != "normal"
        assert a.regimen == "im_neuro"


def test_a_raised_mma_beside_renal_impairment_does_not_settle_deficiency() -> None:
    """Independent read s8b, F3/F4: renal impairment raises MMA on its own (Ann Clin Biochem 2018), so a raised MMA
    with a borderline B12 asks for active B12; the source's "functional deficiency" is marked as its rule."""
    case = Case(age=80, sex="male", b12=240, mma=380, esr=40, hb=12.4, mcv=99, renal_impairment=True)
    for profile in JUDGING:
        a = evaluate(case, profile)
        assert (a.b12_status, a.regimen) == ("indeterminate_needs_mma", "pending_tests"), profile
        assert "active B12 decides" in a.headline
        assert not any("mma" in s.measures for s in a.next_steps)
        assert any("active_b12" in s.measures and "Ann Clin Biochem 2018" in s.citations for s in a.next_steps)
    source = evaluate(case, "source")
    assert source.b12_status == "functional_deficiency" and SOURCE_DIFFERS in source.headline
    # Without renal impairment the raised MMA answers; with it, active B12 does.
    assert evaluate(replace(case, renal_impairment=False), "nice-ng239").b12_status == "functional_deficiency"
    assert evaluate(replace(case, active_b12=20), "nice-ng239").b12_status == "deficient"
    assert evaluate(replace(case, active_b12=90), "nice-ng239").b12_status == "not_confirmed"
    # Strong features still start treatment while active B12 is awaited.
    assert evaluate(replace(case, neuro_symptoms=True), "nice-ng239").regimen == "im_neuro"


def test_pregnancy_headline_names_active_b12_first_and_mma_only_after_it() -> None:
    """Independent read s8b, F2: in pregnancy active B12 is the first test (NICE NG239); the headline says so and
    MMA is asked for only if active B12 is indeterminate."""
    case = Case(age=33, sex="female", pregnant=True, b12=170, hb=10.5, mcv=99, esr=38)
    for profile in JUDGING:
        a = evaluate(case, profile)
        assert a.headline.startswith("Indeterminate: in pregnancy active B12 decides first"), a.headline
        mma_steps = [s for s in a.next_steps if "mma" in s.measures]
        assert mma_steps and all(s.text.startswith("Measure MMA if active B12 is indeterminate") for s in mma_steps)
    measured = evaluate(replace(case, active_b12=50), "nice-ng239")
    assert measured.headline == STATUS_LABELS[measured.b12_status]


def test_severity_line_never_says_treated_when_tests_come_first() -> None:
    """Independent read s8b, F1."""
    a = evaluate(Case(age=78, sex="female", b12=210, hb=11.2, mcv=101, esr=88, crp=62), "nice-ng239")
    assert a.regimen == "pending_tests"
    text = "\n".join(verdict_lines(a))
    assert "deficiency not yet confirmed" in text and "treated on clinical grounds" not in text


def test_the_source_correction_asks_for_a_test_once() -> None:
    """Independent read s8b, F5: "Measure MMA" once, not in the source's and the guideline's words both."""
    case = Case(age=45, sex="female", b12=195, on_folic_acid=True, neuro_symptoms=True, hb=11.5, mcv=102, esr=35)
    a = evaluate(case, "source")
    asks = [m for s in a.next_steps for m in s.measures]
    assert asks.count("mma") == 1, [s.text for s in a.next_steps]


def test_active_b12_making_deficiency_unlikely_is_said_once() -> None:
    """Independent read s8a, c07: "deficiency unlikely" once in the plan, not three times."""
    case = Case(age=35, sex="male", b12=120, active_b12=90, hb=13.5, mcv=96, esr=25, crp=30)
    a = evaluate(case, custom_profile(100, 180, 271))
    assert a.b12_status == "not_confirmed"
    said = [s.text for s in (*a.next_steps, *a.caveats) if "unlikely" in s.text]
    assert len(said) == 1, said
    # On the renal path too (independent read s8c, F3).
    renal = Case(age=75, sex="male", b12=300, mma=420, active_b12=95, esr=20, hb=13.5, mcv=92, renal_impairment=True)
    r = evaluate(renal, "nice-ng239")
    assert len([s for s in (*r.next_steps, *r.caveats) if "unlikely" in s.text]) == 1
    # With MMA in, the plan speaks of MMA, so the active B12 reading is still said beside it.
    with_mma = evaluate(replace(case, mma=200), custom_profile(100, 180, 271))
    assert any(s.text.startswith("Active B12 90 pmol/L") for s in with_mma.caveats)


def test_a_lasting_cause_treated_while_tests_are_awaited_calls_them_optional() -> None:
    """Independent read s8a, c04: lifelong replacement for gastrectomy does not wait on MMA, and MMA cannot change it."""
    case = Case(
        age=55, sex="male", b12=179, hb=11.5, mcv=101, esr=30, crp=2, risk_factors=frozenset({"gastric_surgery"})
    )
    a = evaluate(case, custom_profile(145, 250, 378))
    assert a.b12_status == "indeterminate_needs_mma" and a.regimen in TREATMENT_REGIMENS
    assert not any(s.measures for s in a.next_steps if s.kind == "workup" and "mma" in s.measures)
    assert any("will not change the plan" in s.text for s in a.next_steps)


def test_the_bloods_are_asked_for_once_and_a_recorded_cause_is_checked_not_sought() -> None:
    """Independent reads s8a/s8b: the severe-anaemia step already asks for folate, ferritin and reticulocytes; with
    a risk factor recorded the work-up checks it and looks for another instead of "find the cause"."""
    case = Case(
        age=62, sex="male", b12=110, hb=72, hb_unit="g/L", mcv=118, esr=45, risk_factors=frozenset({"metformin"})
    )
    a = evaluate(case, "nice-ng239")
    folate = [s for s in (*a.do_now, *a.next_steps) if "folate, ferritin" in s.text]
    assert len({s.text for s in folate}) == 1, [s.text for s in folate]
    assert any(s.text.startswith("Check that the recorded risk factor") for s in a.next_steps)
    assert not any(s.text.startswith("Find the cause") for s in a.next_steps)
    plain = evaluate(replace(case, hb=None, risk_factors=frozenset()), "nice-ng239")
    assert any(s.text.startswith("Find the cause") for s in plain.next_steps)
    assert any(s.text.startswith("Take the work-up bloods before the first dose") for s in plain.next_steps)
    waiting = evaluate(Case(age=50, sex="female", b12=250, esr=10), "nice-ng239")
    assert any(s.text.startswith("Take the work-up bloods with the tests") for s in waiting.next_steps)


def test_a_lasting_cause_in_range_on_folic_acid_is_never_told_no_deficiency() -> None:
    """Independent read s8c, F8 (UNSAFE): pernicious anaemia with a B12 above the laboratory's band, on folic acid:
    the headline says replacement is lifelong whatever the level, and the folic-acid pitfall stays."""
    case = Case(
        age=58,
        sex="female",
        b12=260,
        hb=11.8,
        mcv=97,
        esr=40,
        crp=2,
        on_folic_acid=True,
        risk_factors=frozenset({"pernicious_anaemia"}),
    )
    for a in (evaluate(case, custom_profile(145, 250, 400)), evaluate(replace(case, b12=400), "nice-ng239")):
        assert (a.b12_status, a.regimen in TREATMENT_REGIMENS) == ("normal", True)
        assert a.headline == NORMAL_LASTING and "No B12 deficiency" not in "\n".join(verdict_lines(a))
        assert "folate_before_b12" in {p.id for p in a.pitfalls}
    nice = evaluate(case, "nice-ng239")  # borderline: treated while the tests are awaited, and said so
    assert nice.headline == INDETERMINATE_LASTING


def test_the_source_marks_a_renal_mma_diagnosis_even_when_the_regimen_agrees() -> None:
    """Independent read s8c, F1: the same regimen on a diagnosis the guideline does not make is still marked, and
    the correction beside it names what decides (not "MMA decides")."""
    case = Case(
        age=72, sex="male", b12=220, mma=450, esr=30, hb=12.0, mcv=103, neuro_symptoms=True, renal_impairment=True
    )
    a = evaluate(case, "source")
    assert a.b12_status == "functional_deficiency" and SOURCE_DIFFERS in a.headline
    assert a.regimen == a.corrected_regimen == "im_neuro" and a.regimen_headline == REGIMEN_LABELS["im_neuro"]
    assert INDETERMINATE_RENAL_MMA in a.correction and "MMA decides" not in a.correction
    pregnant = evaluate(Case(age=33, sex="female", pregnant=True, b12=200, esr=30), "source")
    assert "MMA decides" not in pregnant.correction


def test_renal_impairment_with_an_indeterminate_active_b12_says_the_picture_decides() -> None:
    """Independent read s8c, F5: neither test settles it; the source's 'no treatment' skips tests, withholds nothing."""
    case = Case(
        age=82, sex="female", b12=400, active_b12=45, mma=350, esr=55, crp=40, hb=10.2, mcv=88, renal_impairment=True
    )
    a = evaluate(case, "nice-ng239")
    assert a.headline == INDETERMINATE_RENAL_BOTH
    assert not any(s.text.endswith("MMA decides.") for s in a.caveats)
    source = evaluate(case, "source")
    assert "would skip the tests" in source.regimen_headline and "withhold" not in source.regimen_headline


@settings(SETTINGS)
@given(valid_cases, PROFILES_ALL)
def test_a_headline_never_says_no_deficiency_beside_a_treatment(case: Case, profile: GuidelineProfile) -> None:
    a = evaluate(case, profile)
    if a.regimen in TREATMENT_REGIMENS and not a.correction:
        assert not a.headline.startswith(STATUS_LABELS["normal"]), a.headline
    if case.on_folic_acid and a.regimen in TREATMENT_REGIMENS:
        assert "folate_before_b12" in {p.id for p in a.pitfalls}


def test_independent_read_s8d_leftovers() -> None:
    """s8d: the source's pernicious anaemia on folic acid keeps the folic-acid pitfall (S1); a lasting cause treated
    while indeterminate waits for nothing (S4); pregnancy with neuro symptoms awaits active B12, not MMA (C04); the
    source's pregnant indeterminate headline is marked (S7); a treated megaloblastic picture with B12 in range
    looks for the other causes of macrocytosis (C06)."""
    pa = Case(
        age=58,
        sex="female",
        b12=400,
        hb=11.8,
        mcv=97,
        esr=40,
        on_folic_acid=True,
        risk_factors=frozenset({"pernicious_anaemia"}),
    )
    assert "folate_before_b12" in {p.id for p in evaluate(pa, "source").pitfalls}
    borderline = evaluate(replace(pa, b12=210, on_folic_acid=False), "nice-ng239")
    assert borderline.regimen in TREATMENT_REGIMENS and not any("awaited" in s.text for s in borderline.next_steps)
    pregnant_neuro = evaluate(
        Case(age=30, sex="female", pregnant=True, b12=200, esr=30, neuro_symptoms=True), "nice-ng239"
    )
    plan = " ".join(s.text for s in pregnant_neuro.next_steps)
    assert "while active B12 is awaited" in plan and "while MMA is awaited" not in plan
    source_pregnant = evaluate(Case(age=33, sex="female", pregnant=True, b12=200, esr=30), "source")
    assert SOURCE_DIFFERS in source_pregnant.headline and INDETERMINATE_PREGNANT in source_pregnant.correction
    megaloblastic = evaluate(Case(age=70, sex="male", b12=520, hb=6.9, mcv=118, esr=30), "nice-ng239")
    assert megaloblastic.regimen in TREATMENT_REGIMENS
    assert any(s.text.startswith("Macrocytosis (MCV above 100 fL)") for s in megaloblastic.next_steps)
