"""Session 12's code-blind read: strong neurological features beside a normal result, a nitrous oxide user who
develops symptoms, myeloma beside anaemia whatever the CRP, a treated case's follow-up under every profile, and
notes said only where they bear on the case. Each example failed on the code before the fix."""

from __future__ import annotations

import pandas as pd
from hypothesis import given

from b12logic import Case, custom_profile, evaluate
from b12logic.cli import verdict_lines
from b12logic.engine import TREATMENT_REGIMENS
from b12logic.frame import evaluate_frame
from b12logic.guidelines import PROFILES, GuidelineProfile
from b12logic.rules.next_steps import ANAEMIA_OWN_WORKUP
from tests.test_engine_properties import SETTINGS, valid_cases
from tests.test_judgment import PROFILES_ALL

JUDGING = tuple(p.id for p in PROFILES.values() if p.reads_context)
N2O = frozenset({"nitrous_oxide"})
MYELOMA_TESTS = "serum protein electrophoresis and a Bence-Jones protein urine test"


def _text(a) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(verdict_lines(a))


# --- Neurological symptoms beside a result at or below the limit


def test_strong_features_beside_a_normal_mma_are_treated_when_advice_is_not_at_hand() -> None:
    """Read s12 (UNSAFE): 58, neurological symptoms, B12 250, MMA 271 (the limit) read "treatment is the specialist's
    call then" and the plan "no B12 treatment"; BNF / NICE CKS and BSH 2014 say not to wait."""
    case = Case(age=58, sex="male", b12=250, mma=0.271, mma_unit="µmol/L", esr=30, neuro_symptoms=True)
    for profile in (*PROFILES, custom_profile(180, 350, 271)):
        a = evaluate(case, profile)
        assert a.b12_status == "not_confirmed" and a.regimen == "none"  # the result itself is read as before
        (neuro,) = [s for s in a.do_now if "neurological symptoms" in s.text]
        assert "specialist's call" not in neuro.text
        assert "if the clinical features are strong and that advice is not at hand, start the alternate-day " in (
            neuro.text
        )
        assert "BSH 2014" in neuro.citations and "BNF / NICE CKS" in neuro.citations
        assert not neuro.starts_b12  # conditional: the headline's "no B12 treatment" is the result's reading
        plan = [s.text for s in a.statements("plan") if s.text.startswith("MMA at or below")]
        assert plan and plan[0].endswith("the specialist advice above, which says when to treat.")
        # Second read s12, W1-W2: the bloods to take before any dose, and neurology named (every marker normal).
        assert neuro.text.startswith("Seek urgent specialist (neurology or haematology) advice")
        bloods = [s.text for s in a.next_steps if s.text.startswith("Take the work-up bloods")]
        assert bloods == [s for s in bloods if s.startswith("Take the work-up bloods now, before any B12 is given")]
        assert len(bloods) == 1


# --- A nitrous oxide user with tests in range


def test_a_nitrous_oxide_user_who_develops_symptoms_is_treated_at_once_not_retested() -> None:
    """Read s12, W7: "Re-test if symptoms develop" for a nitrous oxide user; the homocysteine limit cited Mayo."""
    case = Case(age=23, sex="male", b12=260, homocysteine=14, esr=5, risk_factors=N2O)
    for profile in JUDGING:
        a = evaluate(case, profile)
        (line,) = [s for s in a.statements("plan") if s.text.startswith("Homocysteine at or below")]
        assert "If neurological symptoms develop: start B12 at once" in line.text
        assert "Re-test" not in line.text
        assert "RCEM 2024" in line.citations
        assert "NHS homocysteine range" in line.citations and "Mayo" not in line.citations
    # Without nitrous oxide the re-test stays, and an MMA result still cites the assay's limit.
    by_mma = evaluate(Case(age=23, sex="male", b12=250, mma=200, esr=5), "nice-ng239")
    (mma_line,) = [s for s in by_mma.statements("plan") if s.text.startswith("MMA at or below")]
    assert "Re-test if symptoms develop" in mma_line.text and "Mayo" in mma_line.citations


# --- Myeloma beside anaemia, whatever the CRP


def test_from_60_a_raised_esr_with_anaemia_names_the_myeloma_tests_even_with_a_raised_crp() -> None:
    """Read s12, W5: 80, ESR 110, CRP 120, Hb 11, renal impairment: myeloma was only a background pitfall."""
    case = Case(age=80, sex="male", b12=300, mma=450, esr=110, crp=120, hb=11, renal_impairment=True)
    for profile in PROFILES:
        a = evaluate(case, profile)
        steps = [s for s in a.esr_workup if MYELOMA_TESTS in s.text]
        assert len(steps) == 1 and "Koshiaris 2018" in steps[0].citations and "NICE NG12" in steps[0].citations


def test_the_myeloma_line_boundaries_age_anaemia_esr_and_crp() -> None:
    def named(**changes: object) -> int:
        values: dict[str, object] = {"age": 60, "sex": "male", "b12": 300, "esr": 60, "crp": 30, "hb": 12.9}
        values.update(changes)
        a = evaluate(Case(**values), "nice-ng239")  # type: ignore[arg-type]
        urgent = sum(MYELOMA_TESTS in s.text for s in a.do_now)
        assert urgent == sum(MYELOMA_TESTS in s.text for s in a.esr_workup if s.kind == "do_now")
        return urgent

    assert named() == 1  # 60, Hb 12.9 (anaemic for a man below 13), ESR above 30, CRP raised
    assert named(age=59) == 0  # NICE NG12 writes for people aged 60 and over
    assert named(hb=13.0) == 0  # not anaemic
    assert named(hb=None) == 0  # Hb not measured
    assert named(esr=30) == 0  # ESR at the limit (60 / 2): not raised
    assert named(crp=None) == 1  # CRP not measured: the line still names the tests
    assert named(crp=3) == 1  # a normal CRP: named once, in Do now (the CRP reading does not repeat them)
    assert named(esr=100, crp=3) == 1  # ESR 100 or more with a normal CRP: that urgent step names them instead
    assert named(esr=100, crp=3, hb=14) == 1  # ... with or without anaemia


def test_myeloma_tests_within_48_hours_are_in_do_now_and_in_the_batch_cell() -> None:
    """Code-blind reads s12 (third, fourth): the work-up said "within 48 hours" while Do now did not name it."""
    row = {"age": 72, "sex": "female", "b12": 350, "esr": 60, "hb": 10.5}  # CRP not measured
    for profile in PROFILES:
        a = evaluate(Case(**row), profile)  # type: ignore[arg-type]
        assert any(MYELOMA_TESTS in s.text for s in a.do_now), profile
        assert sum(MYELOMA_TESTS in s.text for s in (*a.esr_workup, *a.next_steps)) == 1
        cells = evaluate_frame(pd.DataFrame([row, {**row, "age": 59}, {**row, "hb": 12}]), profile)["next_steps"]
        assert "consider myeloma (electrophoresis, Bence-Jones)" in cells[0], profile
        assert "consider myeloma" not in cells[1] and "consider myeloma" not in cells[2]
    # Not anaemic, from 60, a normal CRP: the CRP reading names the tests as a work-up step, not in Do now.
    calm = evaluate(Case(age=72, sex="female", b12=350, esr=60, hb=13, crp=2), "nice-ng239")
    assert not any(MYELOMA_TESTS in s.text for s in calm.do_now)
    assert any(MYELOMA_TESTS in s.text and s.kind == "workup" for s in calm.esr_workup)


# --- Follow-up of a treated case


def test_bsh_2014_treated_case_says_where_the_follow_up_comes_from() -> None:
    """Read s12, W3: under BSH 2014 no treated case had any review line."""
    a = evaluate(Case(age=60, sex="female", b12=120, esr=20, hb=12), "bsh-2014")
    assert a.regimen in TREATMENT_REGIMENS and a.monitoring == ()
    assert "NICE NG239, which superseded it, advises a review of symptoms and response at 3 months" in (
        a.monitoring_caveat
    )
    assert any(
        line.startswith("  - Monitoring caveat: BSH 2014 gives no follow-up schedule") for line in verdict_lines(a)
    )


def test_a_treatment_the_source_correction_starts_comes_with_its_follow_up() -> None:
    """Read s12, W4: under the source, "start now under NICE NG239" had no response check and no monitoring."""
    a = evaluate(Case(age=60, sex="female", b12=250, esr=20, neuro_symptoms=True), "source")
    assert a.regimen == "pending_tests" and a.corrected_regimen == "im_neuro"
    plan = [s.text for s in a.statements("plan")]
    assert plan[0].startswith("Under NICE NG239, the regimen for this case is")
    assert plan[1].startswith("Follow the response with the full blood count")
    assert [m.what for m in a.monitoring] == [m.what for m in PROFILES["nice-ng239"].monitoring]
    # Where the source itself treats, its own schedule stays, with its caveat.
    own = evaluate(Case(age=60, sex="female", b12=150, esr=20, hb=12), "source")
    assert own.monitoring == PROFILES["source"].monitoring and own.monitoring_caveat


@SETTINGS
@given(valid_cases, PROFILES_ALL)
def test_every_treatment_comes_with_a_follow_up(case: Case, profile: GuidelineProfile) -> None:
    a = evaluate(case, profile)
    treats = a.regimen in TREATMENT_REGIMENS or a.corrected_regimen in TREATMENT_REGIMENS
    assert bool(a.monitoring or a.monitoring_caveat) is treats
    if treats:
        assert any(s.text.startswith("Follow the response with the full blood count") for s in a.statements("plan"))
    # Nowhere is treatment "the specialist's call" in the urgent steps (read s12, UNSAFE).
    assert not any("specialist's call" in s.text for s in a.do_now)


# --- Notes said where they bear on the case


def test_the_ethnicity_note_is_not_said_beside_a_b12_above_the_borderline_range() -> None:
    """Read s12, N7: "a value read as in range can hide deficiency" beside a B12 of 1500 pg/mL."""
    for b12 in (600, 1500):
        a = evaluate(Case(age=55, sex="male", b12=b12, esr=20), "nice-ng239")
        assert "Black ethnicity" not in _text(a)
    # Still said where it bears: a B12 in the borderline range, and a laboratory whose borderline range ends low.
    assert "Black ethnicity" in _text(evaluate(Case(age=55, sex="male", b12=300, mma=150, esr=20), "nice-ng239"))
    low_lab = custom_profile(150, 200, 271)
    assert "Black ethnicity" in _text(evaluate(Case(age=55, sex="male", b12=210, esr=20), low_lab))


# --- An anaemia that B12 does not explain


def test_an_anaemia_with_a_normal_b12_has_its_own_work_up_and_is_never_an_all_clear() -> None:
    """Read s12, W8: 70, B12 600, Hb 10.5 (moderate): "No B12 treatment" and no work-up for the anaemia."""
    for hb, grade in ((11.9, "mild"), (10.5, "moderate")):
        case = Case(age=40, sex="female", b12=600, esr=10, hb=hb)
        for profile in (*PROFILES, custom_profile(180, 350, 271)):
            a = evaluate(case, profile)
            assert a.anaemia_grade == grade and a.regimen == "none"
            assert ANAEMIA_OWN_WORKUP in a.next_steps
            assert not a.all_clear
            assert a.first_step.startswith("work up the anaemia on its own")
    # Not anaemic (Hb 12 for a woman), Hb not measured, or anaemia beside a plan that treats: no such line.
    for hb in (12.0, None):
        a = evaluate(Case(age=40, sex="female", b12=600, esr=10, hb=hb), "nice-ng239")
        assert a.all_clear and not any(s == ANAEMIA_OWN_WORKUP for s in a.next_steps)
    treated = evaluate(Case(age=40, sex="female", b12=120, esr=10, hb=10.5), "nice-ng239")
    assert treated.regimen in TREATMENT_REGIMENS
    assert not any(s == ANAEMIA_OWN_WORKUP for s in treated.next_steps)


@SETTINGS
@given(valid_cases, PROFILES_ALL)
def test_the_anaemia_line_never_stands_beside_a_treatment(case: Case, profile: GuidelineProfile) -> None:
    a = evaluate(case, profile)
    said = any(s == ANAEMIA_OWN_WORKUP for s in a.next_steps)
    treats = a.regimen in TREATMENT_REGIMENS or a.corrected_regimen in TREATMENT_REGIMENS
    assert not (said and treats)
    assert said is a.anaemia_unexplained


# --- Citations that say what the statement rests on


def test_bsh_2014_low_total_b12_beside_active_b12_cites_bsh() -> None:
    """Second read s12, W3: under BSH 2014 "total B12 190 pg/mL is low ... Total B12 decides" cited NICE NG239 alone,
    though below 200 pg/mL is BSH 2014's cut-off (NICE NG239's is 180)."""
    case = Case(age=38, sex="male", b12=190, active_b12=40, esr=10)
    bsh = [s for s in evaluate(case, "bsh-2014").statements("plan") if s.text.startswith("Active B12 40 pmol/L")]
    assert bsh and bsh[0].citations == ("BSH 2014", "NICE NG239")
    nice = [s for s in evaluate(case, "nice-ng239").statements("plan") if s.text.startswith("Active B12 40 pmol/L")]
    assert nice and nice[0].citations == ("NICE NG239",)


def test_the_pregnancy_esr_ranges_are_one_studys() -> None:
    """Second read s12, W6: the trimester tops (47, 57, 70 mm/h) are one study's ranges; another found 30-70 mm/h
    in the second half of pregnancy, higher with anaemia."""
    a = evaluate(Case(age=30, sex="female", b12=300, esr=55, pregnant=True), "nice-ng239")
    (note,) = [s for s in a.esr_workup if s.text.startswith("Pregnant: the age/sex limit does not apply")]
    assert "one study" in note.text and "rise with anaemia" in note.text
    assert note.citations == ("Abbassi-Ghanavati 2009", "van den Broek 2001")


def test_in_pregnancy_anaemia_is_read_below_11_g_dl_for_the_esr_pitfall_too() -> None:
    """Third read s12, W8: Hb 11.8 in pregnancy graded "none" (WHO: below 11) beside "Anaemia by itself raises the
    ESR", which read it against the non-pregnant threshold of 12."""

    def pitfall(hb: float, pregnant: bool) -> bool:
        a = evaluate(Case(age=28, sex="female", b12=300, esr=120, hb=hb, pregnant=pregnant), "nice-ng239")
        return "anaemia_can_raise_esr" in a.pitfalls

    assert not pitfall(11.8, pregnant=True) and not pitfall(11.0, pregnant=True)
    assert pitfall(10.9, pregnant=True)
    assert pitfall(11.8, pregnant=False)  # not pregnant: below 12 is anaemia


def test_no_folic_acid_alone_wherever_the_correction_says_deficiency_is_possible() -> None:
    """Fourth read s12, UNSAFE 2: under the source, B12 500 with neurological symptoms and nitrous oxide (the
    correction: treat now) and MCV 125 with B12 400 had no folic acid warning; NICE NG239 had it."""
    import pandas as pd

    from b12logic import evaluate_frame

    cases = [
        Case(age=23, sex="male", b12=500, esr=10, neuro_symptoms=True, risk_factors=N2O),
        Case(age=50, sex="male", b12=400, esr=10, mcv=125, hb=10),
    ]
    for case in cases:
        source = evaluate(case, "source")
        assert source.b12_status == "normal_needs_mma_hcy" or source.regimen == "none"
        assert source.corrected_regimen or source.b12_status != "normal"
        assert "no_folic_acid_alone" in source.pitfalls
        assert "no_folic_acid_alone" in evaluate(case, "nice-ng239").pitfalls
    rows = pd.DataFrame(
        [
            {"age": 23, "sex": "male", "b12": 500, "esr": 10, "neuro_symptoms": True, "risk_factors": "nitrous_oxide"},
            {"age": 50, "sex": "male", "b12": 600, "esr": 10},  # no deficiency anywhere: no warning
        ]
    )
    cells = evaluate_frame(rows, guideline="source")["pitfalls"].tolist()
    assert "no_folic_acid_alone" in cells[0].split(";") and "no_folic_acid_alone" not in cells[1].split(";")
    assert "no_folic_acid_alone" not in evaluate(Case(age=50, sex="male", b12=600, esr=10), "source").pitfalls


def test_in_pregnancy_the_folic_acid_warning_never_reads_as_withhold_it() -> None:
    """Fifth read s12 (UNSAFE): a pregnant woman not on folic acid, tests pending, read "never folic acid alone
    before B12 deficiency is excluded or treated", which reads as "withhold the pregnancy's folic acid"."""
    import pandas as pd

    from b12logic import evaluate_frame

    case = Case(age=28, sex="female", pregnant=True, b12=250, active_b12=40, esr=20)
    for profile in PROFILES:
        (warning,) = [p for p in evaluate(case, profile).pitfalls if p == "no_folic_acid_alone"]
        assert warning.text.startswith("Folic acid taken for the pregnancy need not stop because of B12")
        assert "NICE NG247" in warning.citations and "before B12 deficiency is excluded" not in warning.text
    not_pregnant = evaluate(Case(age=28, sex="female", b12=250, esr=20), "nice-ng239")
    (plain,) = [p for p in not_pregnant.pitfalls if p == "no_folic_acid_alone"]
    assert plain.text.startswith("Never folic acid alone before B12 deficiency is excluded or treated")
    rows = pd.DataFrame([{"age": 28, "sex": "female", "pregnant": True, "b12": 250, "active_b12": 40, "esr": 20}])
    assert "no_folic_acid_alone" in evaluate_frame(rows, guideline="nice-ng239")["pitfalls"].iloc[0].split(";")


# --- Folic acid already taken: worded for a plan that gives B12 or none, and for pregnancy


def _folic_pitfall(case: Case, profile: str | GuidelineProfile) -> str:
    (pitfall,) = [p for p in evaluate(case, profile).pitfalls if p == "folate_before_b12"]
    return pitfall.text


def test_the_folic_acid_warning_says_only_the_b12_step_the_plan_has() -> None:
    """Code-blind read s12 (fourth): a pregnant woman on folic acid with active B12 90 (deficiency not confirmed, no
    B12 in the plan) read "then B12 as the plan says" (a step that does not exist) and not "need not stop"."""
    unconfirmed = {"age": 30, "sex": "female", "b12": 250, "esr": 20, "active_b12": 90, "on_folic_acid": True}
    for pregnant in (True, False):
        a = evaluate(Case(**unconfirmed, pregnant=pregnant), "nice-ng239")  # type: ignore[arg-type]
        assert a.b12_status == "not_confirmed" and a.regimen == "none"
        text = _folic_pitfall(Case(**unconfirmed, pregnant=pregnant), "nice-ng239")  # type: ignore[arg-type]
        assert "as the plan says" not in text and "when a test shows B12 deficiency, now or later" in text
        assert ("need not stop" in text) is pregnant
    # A plan that gives B12 to a B12 in range (a cause that cannot be reversed): B12 "as the plan says".
    lasting = Case(
        age=50, sex="female", b12=400, esr=10, on_folic_acid=True, risk_factors=frozenset({"pernicious_anaemia"})
    )
    assert evaluate(lasting, "nice-ng239").regimen in TREATMENT_REGIMENS
    assert "then B12 as the plan says" in _folic_pitfall(lasting, "nice-ng239")
    # Deficient and pregnant: B12 starts beside the folic acid, which need not stop (NICE NG247).
    for profile in PROFILES:
        text = _folic_pitfall(Case(age=30, sex="female", b12=90, esr=20, pregnant=True, on_folic_acid=True), profile)
        assert "need not stop" in text and "never goes on without B12" in text, profile
        text = _folic_pitfall(Case(age=30, sex="female", b12=90, esr=20, on_folic_acid=True), profile)
        assert "never folic acid alone" in text and "pregnancy" not in text, profile


@SETTINGS
@given(valid_cases, PROFILES_ALL)
def test_the_folic_acid_warning_in_pregnancy_never_reads_as_stop(case: Case, profile: GuidelineProfile) -> None:
    """Whatever the plan, in pregnancy every folic acid warning keeps the pregnancy's folic acid."""
    for p in evaluate(case, profile).pitfalls:
        if p.id in ("folate_before_b12", "no_folic_acid_alone"):
            assert ("need not stop" in p.text) is case.pregnant, p.text
            assert ("NICE NG247" in p.citations) is case.pregnant


# --- Microcytic anaemia and anaemia in pregnancy (code-blind read s12, fourth: two UNSAFE findings)

MICROCYTIC = "Microcytic anaemia (MCV below the laboratory's range"


def _said(a, start: str) -> int:  # type: ignore[no-untyped-def]
    return sum(text.startswith(start) for text in {s.text for s in (*a.next_steps, *a.do_now, *a.esr_workup)})


def test_a_microcytic_anaemia_beside_a_low_b12_names_iron_deficiency_and_its_cause() -> None:
    """Read s12 (fourth, UNSAFE 1): a man with B12 120, Hb 10 and MCV 72 was treated for B12 alone; iron was "checked
    if the response is poor"."""
    for profile in (*PROFILES, custom_profile(180, 350, 271)):
        a = evaluate(Case(age=45, sex="male", b12=120, esr=20, hb=10, mcv=72), profile)
        (line,) = [s for s in a.next_steps if s.text.startswith(MICROCYTIC)]
        assert "BSG 2021" in line.citations and "coeliac" in line.text, profile
        (now,) = [s for s in a.do_now if s.text.startswith("Check the ferritin now for the microcytic anaemia")]
        assert "NICE NG12" in now.citations and "FIT" in now.text, profile

    # Boundaries: MCV 80 is not microcytic, 79.9 is; not anaemic (Hb 13 for a man) or Hb not measured: no line.
    def said(**changes: object) -> int:
        values: dict[str, object] = {"age": 45, "sex": "male", "b12": 120, "esr": 20, "hb": 10, "mcv": 79.9}
        values.update(changes)
        return _said(evaluate(Case(**values), "nice-ng239"), MICROCYTIC)  # type: ignore[arg-type]

    assert said() == 1 and said(mcv=80) == 0 and said(hb=13) == 0 and said(hb=None) == 0 and said(mcv=None) == 0
    assert said(b12=600) == 1  # whatever the B12


def test_anaemia_in_pregnancy_has_its_own_line_and_severe_anaemia_names_the_obstetric_team() -> None:
    """Read s12 (fourth, UNSAFE 3): a pregnant woman with Hb 6.5 and a normal B12 had no obstetric line."""
    for profile in PROFILES:
        a = evaluate(Case(age=30, sex="female", b12=400, esr=40, hb=6.5, mcv=75, pregnant=True), profile)
        (severe,) = [s for s in a.do_now if s.text.startswith("Assess the severe anaemia now")]
        assert "involve the obstetric team now" in severe.text and "BSH 2020" in severe.citations, profile
        assert _said(a, "Anaemia in pregnancy: under BSH 2020") == 0  # not an oral iron trial (read s13, U1)
        (micro,) = [s for s in a.next_steps if s.text.startswith(MICROCYTIC)]
        assert "BSG 2021" not in micro.citations  # men and postmenopausal women: the pregnancy line says what follows
    # WHO in pregnancy: anaemic below 11 g/dL; severe below 7.
    for hb, line in ((11.0, 0), (10.9, 1)):
        a = evaluate(Case(age=30, sex="female", b12=400, esr=40, hb=hb, pregnant=True), "nice-ng239")
        assert _said(a, "Anaemia in pregnancy: under BSH 2020") == line
    not_pregnant = evaluate(Case(age=30, sex="female", b12=400, esr=40, hb=6.5), "nice-ng239")
    assert not any("obstetric" in s.text for s in (*not_pregnant.do_now, *not_pregnant.next_steps))


def test_the_batch_cell_carries_the_new_anaemia_lines() -> None:
    rows = [
        {"age": 45, "sex": "male", "b12": 120, "esr": 20, "hb": 10, "mcv": 72},
        {"age": 30, "sex": "female", "b12": 400, "esr": 40, "hb": 6.5, "mcv": 75, "pregnant": True},
        {"age": 45, "sex": "male", "b12": 120, "esr": 20, "hb": 10, "mcv": 85},
        {"age": 30, "sex": "female", "b12": 400, "esr": 40, "hb": 10, "mcv": 85, "pregnant": True},
    ]
    cells = evaluate_frame(pd.DataFrame(rows), "nice-ng239")["next_steps"]
    assert "Microcytic anaemia: not B12's picture" in cells[0]
    assert ", pregnant: obstetric team and haematology now" in cells[1] and "Anaemia in pregnancy" not in cells[1]
    assert "Microcytic" not in cells[2] and "Anaemia in pregnancy" in cells[3]


# --- Code-blind read s13: each finding as an example that failed before the fix


def test_neurological_symptoms_with_every_test_normal_look_for_another_cause() -> None:
    """s13, W2: B12 600, MMA 200, homocysteine 9, active B12 90: Do now said "start the alternate-day regimen" beside
    "no B12 treatment"."""
    case = Case(
        age=55, sex="female", neuro_symptoms=True, b12=600, mma=200, homocysteine=9, active_b12=90, hb=13.5, esr=12
    )
    for profile in PROFILES:
        a = evaluate(case, profile)
        assert a.b12_status == "normal" and a.regimen == "none", profile
        (neuro,) = [s for s in a.do_now if "neurological symptoms" in s.text]
        assert "urgent advice from a neurologist" in neuro.text and "is looked for elsewhere" in neuro.text
        assert "alternate-day" not in neuro.text and not any(s.starts_b12 for s in a.do_now)
    # At the limit (B12 250, MMA 271): not excluded, so the conditional start stays (read s12, UNSAFE).
    limit = evaluate(Case(age=58, sex="female", neuro_symptoms=True, b12=250, mma=271, esr=12), "nice-ng239")
    assert limit.b12_status == "not_confirmed"
    assert any("start the alternate-day regimen once the bloods are taken" in s.text for s in limit.do_now)


def test_severe_or_macrocytic_anaemia_in_pregnancy_is_not_taught_as_an_oral_iron_trial() -> None:
    """s13, U1 and W5: Hb 6.5 and Hb 9.8 with MCV 102 read "a diagnostic trial of oral iron starts without delay"."""
    trial = "Anaemia in pregnancy: under BSH 2020"
    for profile in PROFILES:
        severe = evaluate(Case(age=34, sex="female", pregnant=True, b12=150, hb=6.5, mcv=78, esr=55), profile)
        assert _said(severe, trial) == 0, profile
        (step,) = [s for s in severe.do_now if s.text.startswith("Assess the severe anaemia now")]
        assert "obstetric team now, as well as haematology" in step.text
        macro = evaluate(Case(age=28, sex="female", pregnant=True, b12=230, hb=9.8, mcv=102, esr=60), profile)
        assert _said(macro, trial) == 0, profile
        mild = evaluate(Case(age=28, sex="female", pregnant=True, b12=400, hb=10.2, mcv=84, esr=30), profile)
        assert _said(mild, trial) == 1, profile


def test_potassium_and_the_response_check_follow_the_mcv() -> None:
    """s13, W4 and U13: the potassium warning (megaloblastic marrow) beside a microcytic anaemia; "the MCV should be
    normalising" beside MCV 66."""
    micro = evaluate(Case(age=50, sex="male", b12=90, hb=7.5, mcv=70, esr=20), "nice-ng239")
    assert micro.regimen in TREATMENT_REGIMENS
    assert not any("check potassium" in s.text for s in micro.do_now)
    (response,) = [s for s in micro.next_steps if s.text.startswith("Follow the response")]
    assert "will not bring it into range" in response.text and "normalising" not in response.text
    macro = evaluate(Case(age=50, sex="male", b12=90, hb=7.5, mcv=110, esr=20), "nice-ng239")
    assert any("check potassium" in s.text for s in macro.do_now)
    assert any("the MCV should be normalising" in s.text for s in macro.next_steps)


def test_a_high_b12_is_not_called_spuriously_low_nor_above_range() -> None:
    """s13, U10 and U12: B12 1500 beside "a spuriously low B12"; B12 600 read "is above range"."""
    high = evaluate(Case(age=88, sex="male", b12=1500, hb=9.5, mcv=96, esr=120, crp=150), "nice-ng239")
    (myeloma,) = [p for p in high.pitfalls if p == "myeloma_high_esr_low_b12"]
    assert "spuriously low" not in myeloma.text and "very high ESR with anaemia" in myeloma.text
    assert myeloma.heading == "ESR of 100 or more with anaemia: think of myeloma"
    low = evaluate(Case(age=88, sex="male", b12=150, hb=9.5, mcv=96, esr=120, crp=150), "nice-ng239")
    assert any("spuriously low B12" in p.text for p in low.pitfalls)
    assert not any(s.text.endswith("Apart from the B12 plan.") for s in high.do_now)
    active = evaluate(Case(age=55, sex="female", b12=600, active_b12=90, esr=12), "nice-ng239")
    text = _text(active)
    assert "is above range" not in text and "total B12 600 pg/mL is above the borderline band" in text


def test_iron_deficiency_s_first_test_and_the_pregnancy_iron_trial_are_do_now_steps() -> None:
    """s13 (second read), UNSAFE 1 and W3/W4: at 67, Hb 9.5, MCV 68, bowel investigation was a work-up line below
    giant cell arteritis and myeloma; a man of 45 with MCV 70 and a pregnant woman with Hb 9 read "nothing urgent"."""
    older = evaluate(Case(age=67, sex="male", b12=500, hb=9.5, mcv=68, esr=55, crp=2), "nice-ng239")
    texts = [s.text for s in older.do_now]
    ferritin = next(i for i, t in enumerate(texts) if t.startswith("Check the ferritin now"))
    myeloma = next(i for i, t in enumerate(texts) if MYELOMA_TESTS in t)
    assert texts[0].startswith("Ask now about new headache") and ferritin < myeloma
    for profile in PROFILES:
        younger = evaluate(Case(age=45, sex="male", b12=150, hb=10, mcv=70, esr=30, crp=4), profile)
        assert any(s.text.startswith("Check the ferritin now") for s in younger.do_now), profile
        pregnant = evaluate(Case(age=35, sex="female", pregnant=True, b12=400, hb=9, mcv=72, esr=50), profile)
        assert pregnant.do_now and pregnant.do_now[0].text.startswith("Anaemia in pregnancy: under BSH 2020")
        assert not any(s.text.startswith("Check the ferritin now") for s in pregnant.do_now)  # its own step


@SETTINGS
@given(valid_cases, PROFILES_ALL)
def test_the_anaemia_s_own_steps_follow_its_grade_mcv_and_pregnancy(case: Case, profile: GuidelineProfile) -> None:
    """Invariants behind reads s12 and s13: a microcytic anaemia outside pregnancy asks for the ferritin in Do now;
    the oral iron trial is said only in pregnancy, for a mild or moderate anaemia that is not macrocytic nor
    explained by a B12 deficiency shown (unless microcytic), and in Do now; a severe anaemia in pregnancy names the obstetric team; nothing says "normalising" beside a low MCV."""
    a = evaluate(case, profile)
    now = [s.text for s in a.do_now]
    anaemic = a.anaemia_grade in ("mild", "moderate", "severe")
    microcytic = case.mcv is not None and case.mcv < 80
    macrocytic = case.mcv is not None and case.mcv > 100
    ferritin = sum(t.startswith("Check the ferritin now") for t in now)
    assert ferritin == (anaemic and microcytic and not case.pregnant)
    trial = sum(t.startswith("Anaemia in pregnancy: under BSH 2020") for t in now)
    # Not beside a B12 deficiency the tests show, unless the cells are small (s14, second read); under the source,
    # the correcting guideline's urgent steps stand beside its own, so either judgment can say it.
    statuses = {a.b12_status} if profile.reads_context else {a.b12_status, evaluate(case, "nice-ng239").b12_status}
    unexplained = any(st not in ("deficient", "functional_deficiency") for st in statuses) or microcytic
    assert trial == (case.pregnant and a.anaemia_grade in ("mild", "moderate") and not macrocytic and unexplained)
    if trial:  # said once, in Do now
        assert not any("oral iron" in s.text for s in a.next_steps if s.kind != "do_now")
    if case.pregnant and a.anaemia_grade == "severe":
        assert any("involve the obstetric team now" in t for t in now)
    if microcytic:
        assert not any("the MCV should be normalising" in s.text for s in a.next_steps)


def test_an_indeterminate_b12_beside_a_macrocytosis_keeps_the_other_causes() -> None:
    """s13 (third read), W5: MCV 104 with active B12 30 (indeterminate) had no "other causes" line, which its own
    "or not yet" covers; B12 480 with normal tests was "above the range" (it is above the borderline band)."""
    case = Case(age=30, sex="female", b12=300, esr=12, hb=11.8, mcv=104, crp=1, active_b12=30)
    a = evaluate(case, "nice-ng239")
    assert a.b12_status == "indeterminate_needs_mma"
    assert any(s.text.startswith("Macrocytosis (MCV above 100 fL)") for s in a.next_steps)
    calm = evaluate(
        Case(
            age=22,
            sex="male",
            b12=480,
            esr=5,
            hb=15,
            mcv=90,
            mma=180,
            homocysteine=9,
            active_b12=90,
            neuro_symptoms=True,
        ),
        "nice-ng239",
    )
    assert any("above the borderline band and a normal functional test" in s.text for s in calm.do_now)


def test_the_source_s_schedule_in_pregnancy_opens_with_nice_s_1_month_review() -> None:
    """s13 (second and third reads): under the source, a pregnant woman with Hb 6.4 had "at 3 months" as her first
    review, while a case the correction treats had NICE's 1 month."""
    pregnant = evaluate(Case(age=24, sex="female", b12=120, esr=60, hb=6.4, mcv=118, pregnant=True), "source")
    assert pregnant.regimen in TREATMENT_REGIMENS
    first = pregnant.monitoring[0]
    assert (
        first.month == 1
        and first.what.startswith("Pregnancy review (a correction, NICE NG239")
        and first.citations == ("NICE NG239",)
    )
    assert pregnant.monitoring[1:] == PROFILES["source"].monitoring
    assert "serum B12 rechecks below do not measure deficiency" in first.what
    not_pregnant = evaluate(Case(age=24, sex="female", b12=120, esr=60, hb=6.4, mcv=118), "source")
    assert not_pregnant.monitoring == PROFILES["source"].monitoring


def test_under_the_source_active_b12_is_said_to_move_the_correction_not_the_source() -> None:
    """s13 (fourth read), W2: "does not change this profile's rules" beside a NICE correction that it moved."""
    a = evaluate(Case(age=34, sex="female", pregnant=True, b12=380, active_b12=22, hb=10.4, mcv=92, esr=55), "source")
    (line,) = [s for s in a.caveats if s.text.startswith("Active B12 22 pmol/L is shown")]
    assert "NICE NG239, which corrects the source where they differ, reads it" in line.text
    # A profile that reads active B12 says what it reads instead (no "is shown but" line).
    nice = evaluate(Case(age=34, sex="female", b12=380, active_b12=22, esr=20), "nice-ng239")
    assert not any(s.text.startswith("Active B12 22 pmol/L is shown") for s in nice.caveats)
    assert any("Active B12 22 pmol/L is below 25 pmol/L" in s.text for s in (*nice.next_steps, *nice.caveats))


def test_a_symptomatic_severe_anaemia_is_cared_for_in_hospital_and_transfusion_is_qualified() -> None:
    """s13 (fifth read), UNSAFE: Hb 4.5 with MCV 140 read "assess now … avoid red-cell transfusion where possible"
    with no hospital care and no case for transfusion (UK Transfusion Handbook 8.1). s14 (first read), UNSAFE: the
    caution stood beside MCV 72 and 92, where B12 or folate will not correct the anaemia; s14 (second read),
    UNSAFE: "the caution does not apply" beside MCV 88 read as transfusing freely (UK Transfusion Handbook 8.1:
    transfuse any haematinic deficiency only if an immediate rise is essential)."""
    for profile in PROFILES:
        for b12 in (90, 170, 600):  # low, borderline or indeterminate, and normal: the step is the anaemia's own
            for mcv, megaloblastic_possible in ((140, True), (None, True), (100, False), (92, False), (72, False)):
                case = Case(age=50, sex="male", b12=b12, hb=4.5, mcv=mcv, esr=90, crp=2)
                a = evaluate(case, profile)
                (severe,) = [s for s in a.do_now if s.text.startswith("Assess the severe anaemia now")]
                assert a.do_now[0] == severe and "UK Transfusion Handbook" in severe.citations, (profile, b12, mcv)
                assert "Chest pain, heart failure or active bleeding: hospital care now" in severe.text, (profile, mcv)
                assert "hospital care if chest pain, heart failure or bleeding" in severe.short, (profile, b12, mcv)
                # Every MCV: transfusion only if essential, the fewest units (s14, second read: "the caution does
                # not apply" beside MCV 88 read as transfusing freely); megaloblastic: avoided wherever possible.
                assert "Transfuse only if an immediate rise is essential, the fewest units" in severe.text, mcv
                # Small cells are not megaloblastic: no clause that reads as holding blood back (s14, fifth read).
                megaloblastic_clause = "if it is megaloblastic, avoid transfusion wherever possible" in severe.text
                assert megaloblastic_clause == (mcv is None or mcv >= 80), mcv
                # Oxygen as needed, not routinely at high concentration (s14, sixth read).
                assert "high-concentration" not in severe.text
                assert ("bed rest, and oxygen as needed" in severe.text) == megaloblastic_clause, mcv
                assert "does not apply" not in severe.text
                assert ("does not explain it on its own: look for its cause" in severe.text) == (
                    not megaloblastic_possible
                ), mcv
    # A moderate anaemia has no severe step, so no hospital sentence.
    moderate = evaluate(Case(age=50, sex="male", b12=170, hb=9.5, mcv=110, esr=90, crp=2), "nice-ng239")
    assert not any("hospital care now" in s.text for s in moderate.do_now)


def test_nitrous_oxide_beside_a_plan_that_treats_starts_b12_in_do_now() -> None:
    """s14 (first read): "Stop the nitrous oxide." stood alone in Do now beside a functional deficiency with no
    neurological symptoms; RCEM: start B12 without waiting (clinical-facts #9)."""
    case = Case(age=55, sex="male", b12=500, homocysteine=35, esr=10, hb=14, mcv=101, risk_factors={"nitrous_oxide"})
    for profile in PROFILES:
        a = evaluate(case, profile)
        (step,) = [s for s in a.do_now if s.text.startswith("Stop the nitrous oxide")]
        assert step.starts_b12 and "start B12 now" in step.text and "RCEM 2024" in step.citations, profile
        assert "unsteady gait" in step.text, profile
    # A normal homocysteine: no deficiency shown, so stopping it is the step, with no B12 started.
    normal = evaluate(Case(age=55, sex="male", b12=500, homocysteine=9, esr=10, risk_factors={"nitrous_oxide"}))
    assert [s.text for s in normal.do_now if s.text.startswith("Stop the nitrous oxide")] == ["Stop the nitrous oxide."]


def test_a_marginal_mma_above_mayo_s_serum_limit_is_said_to_be_marginal() -> None:
    """s14 (first read): MMA 300 with homocysteine 14 read as a functional deficiency with no word that the rise is
    within Mayo's own plasma test's limit (0.40 µmol/L; clinical-facts #12). Boundaries: 271 (not above), 271.5,
    400 (still within), 400.5 (above both)."""
    said = "within 400 nmol/L (0.40 µmol/L), the limit of Mayo's plasma MMA test"
    for mma, marginal in ((271, False), (271.5, True), (300, True), (400, True), (400.5, False), (900, False)):
        for profile in ("source", "nice-ng239", "bsh-2014"):
            a = evaluate(Case(age=70, sex="female", b12=300, mma=mma, homocysteine=14, esr=40), profile)
            assert any(said in s.text for s in a.caveats) == marginal, (mma, profile)
    # A laboratory's own limit is the user's: no word about Mayo's other test.
    lab = evaluate(Case(age=70, sex="female", b12=300, mma=300, esr=40), custom_profile(180, 350, 280))
    assert not any(said in s.text for s in lab.caveats)


def test_a_raised_homocysteine_beside_a_normal_b12_says_what_settles_it() -> None:
    """s14 (first read): "No B12 deficiency" stood beside "suggests B12 deficiency" with nothing between them."""
    for profile in PROFILES:
        a = evaluate(Case(age=95, sex="female", b12=400, homocysteine=28, esr=60), profile)
        assert a.b12_status == "normal", profile
        (line,) = [s for s in a.caveats if s.text.startswith("Homocysteine 28")]
        assert "yet the B12 reads as normal" in line.text and "do not delay treatment" in line.text, profile
        assert "BSH 2014" in line.citations
    # Beside a deficiency it is read as before, and 20 itself is not "above 20".
    low = evaluate(Case(age=60, sex="female", b12=120, homocysteine=28, esr=20), "nice-ng239")
    assert any(s.text.endswith("suggests B12 deficiency when folate is replete.") for s in low.caveats)
    edge = evaluate(Case(age=95, sex="female", b12=400, homocysteine=20, esr=60), "nice-ng239")
    assert not any("yet the B12 reads as normal" in s.text for s in edge.caveats)


def test_a_reversible_cause_sets_the_duration_only_once_no_other_is_found_and_bsh_names_nice() -> None:
    """s13 (third read): a recorded diet was read as the cause for the duration before autoimmune gastritis was
    excluded; under BSH 2014 the duration (NICE NG239's) read as BSH 2014's."""
    for profile in (PROFILES["nice-ng239"], PROFILES["bsh-2014"], custom_profile(180, 350, 271)):
        for risk in ("vegan_diet", "metformin", "acid_suppression"):
            a = evaluate(Case(age=60, sex="female", b12=120, esr=30, risk_factors={risk}), profile)
            plan = next(s.text for s in a.next_steps if "the regimen for this case is" in s.text)
            assert "if the work-up finds no other (such as autoimmune gastritis)" in plan, (profile.id, risk)
            # Not the day the cause stops (s14, sixth read: nitrous oxide is "dealt with" before the nerves recover).
            assert "once it is dealt with and the course above is complete" in plan, (profile.id, risk)
            assert ("under NICE NG239 (which superseded BSH 2014)" in plan) == (profile.id == "bsh-2014"), profile.id
    lifelong = evaluate(Case(age=60, sex="female", b12=120, esr=30, risk_factors={"pernicious_anaemia"}), "bsh-2014")
    plan = next(s.text for s in lifelong.next_steps if "the regimen for this case is" in s.text)
    assert "under NICE NG239 (which superseded BSH 2014), lifelong" in plan
    source = evaluate(Case(age=60, sex="female", b12=120, esr=30, risk_factors={"vegan_diet"}), "source")
    plan = next(s.text for s in source.next_steps if "the regimen for this case is" in s.text)
    assert "for life" in plan and "finds no other" not in plan  # the source's own words, corrected beside them


def test_a_low_total_and_a_low_active_b12_are_said_to_agree() -> None:
    """s14 (first read): "Total B12 decides: it is low" beside an active B12 that confirmed deficiency itself."""
    for profile in ("nice-ng239", "bsh-2014"):
        both = evaluate(Case(age=16, sex="female", b12=175, active_b12=22, esr=8), profile)
        line = next(s.text for s in both.caveats if s.text.startswith("Active B12 22"))
        assert line.endswith("Both markers agree: deficiency.") and "decides" not in line, profile
        # An indeterminate active B12 beside a low total: the total still decides (boundary 25 is indeterminate).
        grey = evaluate(Case(age=16, sex="female", b12=175, active_b12=25, esr=8), profile)
        assert next(s.text for s in grey.caveats if s.text.startswith("Active B12 25")).endswith(
            "Total B12 decides: it is low."
        ), profile


def test_the_source_s_serum_b12_rechecks_carry_a_nitrous_oxide_correction() -> None:
    """s14 (first read): under the source, serum B12 rechecks at 3, 6 and 12 months stood beside nitrous oxide, where
    total B12 is often in range (clinical-facts #9)."""
    n2o = Case(age=19, sex="male", b12=320, mma=900, esr=8, neuro_symptoms=True, risk_factors={"nitrous_oxide"})
    a = evaluate(n2o, "source")
    assert a.monitoring[: len(PROFILES["source"].monitoring)] == PROFILES["source"].monitoring
    (last,) = [m for m in a.monitoring if m.what.startswith("Nitrous oxide (a correction)")]
    assert last is a.monitoring[-1] and last.month is None and "do not follow this deficiency" in last.what
    pregnant = evaluate(
        Case(age=24, sex="female", b12=120, esr=30, pregnant=True, risk_factors={"nitrous_oxide"}), "source"
    )
    assert pregnant.monitoring[0].what.startswith("Pregnancy review") and pregnant.monitoring[-1] == last
    without = evaluate(Case(age=19, sex="male", b12=320, mma=900, esr=8, neuro_symptoms=True), "source")
    assert not any(m.what.startswith("Nitrous oxide") for m in without.monitoring)
    nice = evaluate(n2o, "nice-ng239")  # NICE's own schedule has no serum B12 rechecks to correct
    assert not any(m.what.startswith("Nitrous oxide") for m in nice.monitoring)


def test_a_risk_marker_is_not_listed_as_a_risk_factor_to_address() -> None:
    """s14 (first read): "Recorded risk factors to address: Autoimmune disease …: a risk marker, not a cause"."""
    for profile in PROFILES:
        marker = evaluate(Case(age=52, sex="female", b12=110, esr=50, risk_factors={"autoimmune_disease"}), profile)
        assert not any("risk factors to review" in s.text for s in marker.next_steps), profile
        assert any("risk marker, not itself a cause" in s.text for s in (*marker.next_steps, *marker.caveats))
        both = evaluate(
            Case(age=52, sex="female", b12=110, esr=50, risk_factors={"autoimmune_disease", "metformin"}), profile
        )
        assert [s.text for s in both.next_steps if "to review" in s.text] == [
            "Recorded risk factors to review (each on its own merits): Metformin."
        ], profile


def test_the_microcytic_step_says_a_normal_ferritin_does_not_exclude_iron_deficiency() -> None:
    """s14 (first read): with CRP 60 and Crohn's the ferritin step read "below 30 establishes" alone, though ferritin
    rises with inflammation (NHS Lothian)."""
    case = Case(age=29, sex="male", b12=199, esr=95, crp=60, hb=10.4, mcv=78, risk_factors={"bowel_disease"})
    for profile in PROFILES:
        (step,) = [s for s in evaluate(case, profile).do_now if s.text.startswith("Check the ferritin now")]
        assert "a normal ferritin does not exclude it (ferritin rises with inflammation)" in step.text, profile
        assert "fasting serum iron and transferrin" in step.text and "NHS Lothian microcytic" in step.citations
    assert not any(
        s.text.startswith("Check the ferritin now") for s in evaluate(Case(**{**case.__dict__, "mcv": 80})).do_now
    )


def test_a_raised_crp_beside_a_pregnancy_esr_the_trimester_decides_reads_both_trimesters() -> None:
    """s14 (second read): "CRP raised … with an ESR in range" stood beside "read it as raised unless … third
    trimester". Boundaries: ESR 47 is within the second trimester's range (no trimester wording), 48 is above it."""
    for profile in PROFILES:
        for esr, by_trimester in ((40, False), (47, False), (48, True), (65, True)):
            a = evaluate(Case(age=33, sex="female", pregnant=True, b12=400, esr=esr, crp=8), profile)
            texts = [s.text for s in a.esr_workup]
            assert any("before the third trimester, with the ESR raised too" in t for t in texts) == by_trimester
            assert any("with an ESR in range" in t for t in texts) == (not by_trimester), (profile, esr)


@SETTINGS
@given(valid_cases, PROFILES_ALL)
def test_do_now_never_leaves_a_treating_plan_unsaid(case: Case, profile: GuidelineProfile) -> None:
    """s14 (second read): ESR steps filled Do now beside a confirmed pernicious anaemia with no word of B12. Wherever
    the plan (or under the source, its correction) treats, Do now either starts B12 in a step or closes with it."""
    a = evaluate(case, profile)
    acting = {a.regimen, a.corrected_regimen} & set(TREATMENT_REGIMENS)
    closes = bool(a.b12_after_do_now)
    if not a.do_now:
        assert not closes
    else:
        assert closes == (bool(acting) and not any(s.starts_b12 for s in a.do_now))
    if closes:  # said once, after the list, in the CLI text and the teaching summary
        text = "\n".join(verdict_lines(a))
        assert text.count(a.b12_after_do_now) == 1 and text.index(a.b12_after_do_now) > text.index(a.do_now[-1].text)


def test_the_b12_start_closes_do_now_in_the_teaching_summary() -> None:
    from datetime import datetime

    from b12logic import __version__, get_profile
    from b12logic.report import report_html, report_markdown

    a = evaluate(
        Case(age=72, sex="female", b12=120, esr=110, crp=85, hb=10.5, mcv=108, risk_factors={"pernicious_anaemia"}),
        "nice-ng239",
    )
    assert a.do_now and a.b12_after_do_now.startswith("Then, for the B12")
    html = report_html(a, get_profile("nice-ng239"), __version__, datetime(2026, 1, 1))
    assert html.index("</ol>") < html.index("Then, for the B12") < html.index("Verdict")
    md = report_markdown(a, get_profile("nice-ng239"), __version__, datetime(2026, 1, 1))
    assert md.index(a.do_now[-1].text[:40]) < md.index("Then, for the B12") < md.index("## Verdict")


def test_a_raised_mcv_with_homocysteine_above_20_is_a_megaloblastic_picture() -> None:
    """s14 (third read), UNSAFE: MCV 114 with homocysteine 28, Hb 9 and B12 450 read "nothing urgent, no B12
    treatment" (NICE CKS: urgent haematology advice when functional deficiency is suspected from strong features
    despite a normal B12). Boundaries: MCV 100 is not raised, 100.1 is; homocysteine 20 is not above 20, 20.1 is."""
    urgent = "Seek urgent haematology advice: a picture that suggests megaloblastic anaemia"
    # s14 (fourth read), WRONG: without anaemia (Hb 13.5; 12.9 is below the men's 13) it is not megaloblastic anaemia.
    cells = ((114, 28, 9.0, True), (100.1, 20.1, 9.0, True), (100, 28, 9.0, False), (114, 20, 9.0, False))
    cells += ((114, None, 9.0, False), (106, 28, 13.5, False), (106, 28, 13.0, False), (106, 28, 12.9, True))
    for mcv, hcy, hb, picture in cells:
        case = Case(age=60, sex="male", b12=450, homocysteine=hcy, esr=25, hb=hb, mcv=mcv)
        for profile in PROFILES:
            a = evaluate(case, profile)
            assert any(s.text.startswith(urgent) for s in a.do_now) == picture, (mcv, hcy, hb, profile)
            if picture:  # B12 starts (or, under the source, its correction does) and folic acid never alone
                assert {a.regimen, a.corrected_regimen} & set(TREATMENT_REGIMENS), profile
                assert a.b12_after_do_now or any(s.starts_b12 for s in a.do_now), profile
                assert "no_folic_acid_alone" in {p.id for p in a.pitfalls}, profile


def test_every_neurological_step_names_peripheral_neuropathy_for_same_day_admission() -> None:
    """s14 (fourth read), WRONG: "spinal cord or optic nerve damage" left out peripheral neuropathy, which NHS Lothian
    names beside a spinal cord lesion and visual symptoms for same-day emergency admission."""
    cases = (
        Case(
            age=24,
            sex="male",
            b12=320,
            homocysteine=45,
            mma=900,
            esr=8,
            neuro_symptoms=True,
            risk_factors={"nitrous_oxide"},
        ),
        Case(age=72, sex="female", b12=260, esr=35, neuro_symptoms=True, on_folic_acid=True),
        Case(age=72, sex="female", b12=120, esr=35, neuro_symptoms=True),
        Case(age=50, sex="male", b12=600, mma=200, homocysteine=9, esr=10, neuro_symptoms=True),
    )
    for case in cases:
        for profile in PROFILES:
            said = [s.text for s in evaluate(case, profile).do_now if "same-day emergency admission" in s.text]
            assert said, (case, profile)
            assert all("spinal cord lesion or peripheral neuropathy, or visual symptoms" in t for t in said), said


def test_severe_by_the_hb_alone_says_the_anaemia_is_not_shown_to_be_b12_s() -> None:
    """s14 (third to fifth reads): "Severe deficiency: yes" beside MCV 68, 88 or none, where B12 does not explain the
    anaemia on its own. The working definition (the CSV's `severe`) is unchanged; the words beside it say so."""
    for mcv, said in ((None, "the MCV is not known"), (88, "an MCV of 88 fL is not raised"), (100, "of 100 fL")):
        a = evaluate(Case(age=45, sex="male", b12=170, hb=7.2, esr=30, mcv=mcv), "nice-ng239")
        assert a.severe and said in a.severe_by_hb_only, mcv
        assert f"yes (by the Hb alone, and {a.severe_by_hb_only.split('and ', 1)[1]})" in "\n".join(verdict_lines(a))
    for quiet in (
        Case(age=45, sex="male", b12=170, hb=7.2, esr=30, mcv=100.1),
        Case(age=45, sex="male", b12=90, esr=30),
    ):
        a = evaluate(quiet, "nice-ng239")
        assert a.severe and a.severe_by_hb_only == ""  # macrocytic, or severe by the B12 itself


def test_a_lasting_cause_beside_an_indeterminate_active_b12_does_not_say_mma_decides() -> None:
    """s14 (fifth read): "MMA decides" beside "treated now and for life; MMA optional"."""
    lasting = Case(age=58, sex="female", b12=200, active_b12=50, esr=35, risk_factors={"pernicious_anaemia"})
    for profile in ("nice-ng239", "bsh-2014"):
        line = next(s.text for s in evaluate(lasting, profile).caveats if s.text.startswith("Active B12 50"))
        assert "MMA would only document the deficiency" in line and "MMA decides" not in line, profile
        plain = evaluate(Case(age=58, sex="female", b12=200, active_b12=50, esr=35), profile)
        assert next(s.text for s in plain.caveats if s.text.startswith("Active B12 50")).endswith("MMA decides.")


def test_macrocytosis_with_a_normal_b12_names_non_urgent_advice_and_nitrous_oxide() -> None:
    """s14 (fifth read): MCV 106 with homocysteine 28 and B12 420 (no anaemia) named neither the non-urgent
    haematology advice for an MCV above 105 (NICE CKS) nor nitrous oxide."""
    a = evaluate(Case(age=60, sex="male", b12=420, homocysteine=28, hb=14.2, mcv=106, esr=12), "nice-ng239")
    texts = [s.text for s in (*a.next_steps, *a.caveats)]
    assert any("stays above 105 fL with its cause unclear: non-urgent haematology advice" in t for t in texts)
    assert any("ask about nitrous oxide" in t for t in texts if t.startswith("Homocysteine 28"))


def test_a_laboratory_profile_names_its_bands_beside_the_b12() -> None:
    """s14 (third and sixth reads): under custom cut-offs the status moved with no band named. Boundaries: the
    laboratory's low cut-off itself is borderline, its upper cut-off is still borderline, above it is not."""
    lab = custom_profile(145, 250, 350)
    for b12, place in ((144, "low"), (145, "borderline"), (250, "borderline"), (251, "above the band")):
        a = evaluate(Case(age=60, sex="male", b12=b12, esr=20), lab)
        line = next(s.text for s in a.caveats if s.text.startswith(f"Total B12 {b12} pg/mL is"))
        assert f"is {place} against your laboratory's cut-offs (low below 145, borderline 145–250 pg/mL)" in line
    for profile in ("source", "nice-ng239", "bsh-2014"):  # a guideline's own cut-offs are said by its profile
        a = evaluate(Case(age=60, sex="male", b12=160, esr=20), profile)
        assert not any("against your laboratory's cut-offs" in s.text for s in a.caveats), profile
