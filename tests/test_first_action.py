"""The Do-now block opens with the first action (session 11): folic acid beside a plan that gives B12 is an urgent
step, and a case with no urgent step is told what comes first, never "nothing urgent" alone beside a plan that
treats. Examples from session 9's code-blind read, boundaries, and invariants over every profile (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given

from b12logic import Case, __version__, evaluate
from b12logic.cli import main as cli_main
from b12logic.engine import ACTION_LEVEL, TREATMENT_REGIMENS, Assessment
from b12logic.frame_columns import STEP_SEPARATOR
from b12logic.guidelines import PROFILES, GuidelineProfile, get_profile
from b12logic.report import report_sections
from b12logic.rules.next_steps import RANK_FOLIC_ACID
from tests.test_engine_properties import SETTINGS, custom_profiles, valid_cases
from tests.test_judgment import PROFILES_ALL

EVERY = tuple(PROFILES)
FOLIC_START = "Start B12 now, once the bloods are taken, so that folic acid is never taken alone"
FOLIC_WITH_B12 = "Folic acid is never taken alone: B12 starts now, as above"


def _acting(a: Assessment) -> str:
    """The regimen that acts more: the headline's lead (under the source, the correcting guideline's)."""
    return max(a.regimen, a.corrected_regimen or a.regimen, key=lambda r: ACTION_LEVEL[r])


def _folic_steps(a: Assessment) -> list[str]:
    return [s.text for s in a.do_now if s.rank == RANK_FOLIC_ACID]


# --- Examples


def test_folic_acid_with_a_low_b12_is_an_urgent_step_under_every_profile() -> None:
    """Session 9's read: B12 160 on folic acid got "Do now: nothing urgent"; start B12 sat only in the plan."""
    case = Case(age=60, sex="female", b12=160, esr=12, hb=10.5, mcv=104, on_folic_acid=True)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert a.regimen in TREATMENT_REGIMENS, profile
        (step,) = [s for s in a.do_now if s.text.startswith(FOLIC_START)]
        assert step.starts_b12 and "BNF / NICE CKS" in step.citations, profile
        assert a.do_now[0] is step, profile  # nothing else is urgent here: it leads
        # The pitfall that explains it still sits beside the plan.
        assert "folate_before_b12" in {p.id for p in a.pitfalls}, profile


def test_without_folic_acid_the_same_case_has_no_folic_acid_step() -> None:
    case = Case(age=60, sex="female", b12=160, esr=12, hb=10.5, mcv=104)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert not _folic_steps(a), profile
        assert not a.do_now, profile
        assert a.first_step.startswith("take the work-up bloods, then B12"), profile


def test_folic_acid_beside_the_neurological_regimen_says_start_once() -> None:
    case = Case(age=40, sex="male", b12=150, esr=10, neuro_symptoms=True, on_folic_acid=True)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert a.do_now[0].text.startswith("Seek urgent specialist"), profile
        assert _folic_steps(a) == [next(s.text for s in a.do_now if s.text.startswith(FOLIC_WITH_B12))], profile
        assert sum(s.starts_b12 for s in a.do_now) == 1, profile  # one step starts B12, the other refers to it


def test_folic_acid_comes_after_the_giant_cell_arteritis_questions() -> None:
    """From 50 a raised ESR asks the GCA questions now (a possible emergency); folic acid's step follows."""
    case = Case(age=60, sex="female", b12=160, esr=40, hb=10.5, mcv=104, on_folic_acid=True)
    for profile in EVERY:
        texts = [s.text for s in evaluate(case, profile).do_now]
        assert texts[0].startswith("Ask now about new headache"), profile
        assert texts[1].startswith(FOLIC_START), profile


def test_folic_acid_with_a_normal_b12_and_no_lasting_cause_is_not_urgent() -> None:
    case = Case(age=45, sex="female", b12=600, esr=10, hb=13, on_folic_acid=True)
    for profile in EVERY:
        a = evaluate(case, profile)
        assert a.regimen == "none" and not a.do_now, profile
        assert a.first_step.startswith("no B12 treatment"), profile


def test_folic_acid_with_a_borderline_b12_under_the_source_is_started_by_the_guideline() -> None:
    """The source waits for MMA; NICE NG239 treats (folic acid must not go on alone): the headline is marked."""
    a = evaluate(Case(age=58, sex="female", b12=190, mcv=92, hb=12.5, esr=10, on_folic_acid=True), "source")
    assert a.regimen == "pending_tests" and a.corrected_regimen in TREATMENT_REGIMENS
    assert a.correction and [s.text[:40] for s in a.do_now] == [FOLIC_START[:40]]


def test_the_first_step_follows_the_plan_and_names_the_esr() -> None:
    treat = evaluate(
        Case(age=45, sex="female", b12=150, esr=10, hb=11, mcv=104, risk_factors=frozenset({"pernicious_anaemia"}))
    )
    assert not treat.do_now
    assert treat.first_step == "take the work-up bloods, then B12 as the B12 plan below says."
    tests = evaluate(Case(age=45, sex="female", b12=250, esr=40))
    assert not tests.do_now and tests.regimen == "pending_tests"
    assert tests.first_step.startswith("the tests the work-up below asks for")
    assert tests.first_step.endswith("The ESR reading has its own work-up (below).")
    # ESR at its limit is normal; one above it is not (the boundary of the ESR sentence).
    limit = tests.esr_upper_limit
    at_limit = evaluate(Case(age=45, sex="female", b12=250, esr=limit))
    above = evaluate(Case(age=45, sex="female", b12=250, esr=limit + 1))
    assert "ESR" not in at_limit.first_step and "ESR" in above.first_step
    # A raised CRP with an ESR in range has its work-up too; CRP at the laboratory's limit is normal.
    assert "ESR reading has its own work-up" in evaluate(Case(age=45, sex="male", b12=150, esr=10, crp=180)).first_step
    assert "ESR" not in evaluate(Case(age=45, sex="male", b12=150, esr=10, crp=5)).first_step
    assert "ESR" in evaluate(Case(age=45, sex="male", b12=150, esr=10, crp=5.1)).first_step


def test_no_b12_plan_beside_a_raised_esr_puts_the_esr_work_up_first() -> None:
    """Code-blind read s11, F1: "First step: no B12 treatment" is not an action when the ESR needs its work-up."""
    a = evaluate(Case(age=45, sex="male", b12=1400, esr=70, crp=40))
    assert a.regimen == "none" and not a.do_now
    assert a.first_step.startswith("the ESR reading's work-up below: look for the cause of the raised ESR;")
    assert evaluate(Case(age=45, sex="male", b12=1400, esr=10)).first_step.startswith("no B12 treatment")


def test_severe_anaemia_beside_a_plan_that_treats_says_start_b12_after_the_samples() -> None:
    """Code-blind read s11, F2: Hb 6.9, MCV 124 never said start in Do-now while a milder case on folic acid did."""
    case = Case(
        age=64, sex="female", b12=110, esr=60, crp=4, hb=6.9, mcv=124, risk_factors=frozenset({"pernicious_anaemia"})
    )
    for profile in EVERY:
        a = evaluate(case, profile)
        first = a.do_now[0]
        assert first.text.startswith("Assess the severe anaemia now"), profile
        assert first.starts_b12 and "then start B12 as the B12 plan says, once those samples are taken" in first.text
        assert any("potassium" in s.text for s in a.do_now), profile
    # Not beside a plan that waits or does not treat: severe anaemia with a normal B12 assesses, never starts.
    normal = evaluate(Case(age=64, sex="female", b12=600, esr=20, hb=6.9, mcv=90), "nice-ng239")
    assert normal.do_now[0].text.startswith("Assess the severe anaemia now")
    assert not any(s.starts_b12 for s in normal.do_now)
    # With neurological symptoms the neurological step starts B12: said once.
    neuro = evaluate(replace(case, neuro_symptoms=True), "nice-ng239")
    assert [s.starts_b12 for s in neuro.do_now[:2]] == [False, True]


def test_nitrous_oxide_with_neurological_symptoms_acts_first_refers_once_and_keeps_the_sample() -> None:
    """Code-blind reads s11 (F4, then finding 6): the referral came first and twice, the action second, and the
    step that starts B12 did not say to take the homocysteine or MMA sample first."""
    case = Case(age=22, sex="male", b12=380, esr=8, neuro_symptoms=True, risk_factors=frozenset({"nitrous_oxide"}))
    for profile in EVERY:
        a = evaluate(case, profile)
        texts = [s.text for s in a.do_now]
        assert texts[0].startswith("Stop the nitrous oxide and start B12 now (neurological regimen), once the bloods")
        assert a.do_now[0].starts_b12 and "without waiting for test results or for specialist advice" in texts[0]
        assert texts[1].startswith("Send homocysteine or MMA with the bloods taken before that first dose")
        assert sum("urgent" in t for t in texts) == 1, texts  # one referral
    # With homocysteine or MMA already raised, no sample step: the first step says the deficiency is shown.
    shown = evaluate(replace(case, mma=900, homocysteine=45), "nice-ng239")
    assert "already shows functional deficiency" in shown.do_now[0].text
    assert not any(s.text.startswith("Send homocysteine or MMA") for s in shown.do_now)


def test_under_the_source_the_bloods_line_is_the_guidelines_before_the_first_dose() -> None:
    """Code-blind read s11, finding 5: the source's "with the tests" stood beside a Do-now step that starts B12."""
    cases = [
        Case(age=68, sex="female", b12=300, esr=18, crp=105, neuro_symptoms=True),
        Case(age=30, sex="female", pregnant=True, on_folic_acid=True, b12=220, esr=40),
    ]
    for case in cases:
        a = evaluate(case, "source")
        assert any(s.starts_b12 for s in a.do_now)
        bloods = [s.text for s in a.next_steps if s.text.startswith("Take the work-up bloods")]
        assert len(bloods) == 1 and bloods[0].startswith("Take the work-up bloods before the first dose"), bloods


def test_the_cli_and_the_teaching_summary_say_the_first_step(capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["evaluate", "--age", "45", "--sex", "female", "--b12", "150", "--esr", "10", "--hb", "11"]
    assert cli_main(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(
        "Do now: nothing urgent for this case. First step: take the work-up bloods, then B12"
    )
    a = evaluate(Case(age=45, sex="female", b12=150, esr=10, hb=11))
    (do_now,) = [s for s in report_sections(a, get_profile("source"), __version__) if s.title == "Do now"]
    assert [b.text for b in do_now.bullets] == [f"Nothing urgent for this case. First step: {a.first_step}"]


def test_the_cli_text_opens_with_do_now_then_the_headline(capsys) -> None:  # type: ignore[no-untyped-def]
    """Code-blind read s11: the CLI printed six headline lines before the urgent step; DESIGN.md puts Do now first
    in the CLI text, as on the Explorer and in the teaching summary."""
    args = ["evaluate", "--age", "60", "--sex", "female", "--b12", "160", "--esr", "40", "--neuro"]
    assert cli_main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    a = evaluate(Case(age=60, sex="female", b12=160, esr=40, neuro_symptoms=True))
    assert lines[0] == "Do now:" and lines[1].startswith(f"  1. {a.do_now[0].text}")
    assert lines[1 + len(a.do_now)].startswith("B12 status: deficient")
    # A unit slip is said before anything it may make wrong, Do now included.
    assert cli_main(["evaluate", "--age", "60", "--sex", "female", "--b12", "160", "--esr", "40", "--mma", "0.9"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0].startswith("Check first:") and first[1].startswith("Do now")


# --- Invariants


@SETTINGS
@given(valid_cases, PROFILES_ALL)
def test_the_do_now_block_never_leaves_folic_acid_or_the_first_step_unsaid(
    case: Case, profile: GuidelineProfile
) -> None:
    a = evaluate(case, profile)
    acting = _acting(a)
    folic = _folic_steps(a)
    # Folic acid beside a plan that gives B12 (or a guideline that would): exactly one urgent step says so, and
    # B12 is started by it or by a step above it.
    if case.on_folic_acid and acting in TREATMENT_REGIMENS:
        assert len(folic) == 1, [s.text for s in a.do_now]
        index = next(i for i, s in enumerate(a.do_now) if s.text == folic[0])
        assert any(s.starts_b12 for s in a.do_now[: index + 1])
    else:
        assert not folic
    # With no urgent step, the first step matches the plan: never "no B12 treatment" beside one that treats.
    inflamed = a.esr_flag != "normal" or a.crp_state == "raised"
    macrocytic = case.mcv is not None and case.mcv > 100
    if not a.do_now:
        if acting in TREATMENT_REGIMENS:
            assert a.first_step.startswith(
                ("take the work-up bloods, then B12", "B12 replacement for the recorded cause that cannot be reversed")
            )
        elif acting == "pending_tests":
            assert a.first_step.startswith("the tests the work-up below asks for")
        elif inflamed:  # nothing to do for B12: the inflammation's work-up comes first
            assert a.first_step.startswith("the ESR reading's work-up below: look for the cause of the raised")
        elif macrocytic:  # its other causes are the first step
            assert a.first_step.startswith("look for the other causes of the macrocytosis")
        elif a.anaemia_grade in ("mild", "moderate"):  # code-blind read s12: the anaemia's own work-up
            assert a.first_step.startswith("work up the anaemia on its own")
        else:
            assert a.first_step.startswith("no B12 treatment")
        placed = a.pregnancy_esr_to_place and not inflamed
        assert ("ESR reading" in a.first_step) == (inflamed or placed)
        assert ("against the trimester" in a.first_step) == placed
    # Green (all clear) only with nothing urgent, nothing to start or test, and no inflammation to work up.
    unexplained = acting == "none" and a.anaemia_grade in ("mild", "moderate")
    assert a.all_clear == (
        not a.do_now
        and acting == "none"
        and not inflamed
        and not macrocytic
        and not unexplained
        and not a.pregnancy_esr_to_place
    )
    # A plan that treats says "start" in the Do-now block whenever that block has a severe-anaemia step.
    if a.anaemia_grade == "severe" and acting in TREATMENT_REGIMENS:
        assert any(s.starts_b12 for s in a.do_now)
    # A referral is said once: no two urgent steps both ask for urgent specialist or neurological input.
    asks = [s for s in a.do_now if "urgent specialist" in s.text or "urgent neurological input" in s.text]
    assert len(asks) <= 1, [s.text for s in asks]
    # The batch's one cell splits back into its statements: no brief holds the separator.
    assert not any(STEP_SEPARATOR in s.brief for s in (*a.next_steps, *a.esr_workup)), [
        s.brief for s in (*a.next_steps, *a.esr_workup) if STEP_SEPARATOR in s.brief
    ]
    # Whenever the Do-now block starts B12, any work-up bloods line says "before the first dose".
    if any(s.starts_b12 for s in a.do_now):
        bloods = [s.text for s in a.next_steps if s.text.startswith("Take the work-up bloods")]
        assert all(b.startswith("Take the work-up bloods before the first dose") for b in bloods), bloods


@SETTINGS
@given(valid_cases, custom_profiles)
def test_folic_acid_never_starts_b12_in_a_plan_that_does_not_treat(case: Case, profile: GuidelineProfile) -> None:
    a = evaluate(replace(case, on_folic_acid=True), profile)
    starts = [s for s in a.do_now if s.starts_b12]
    if starts:
        assert _acting(a) in TREATMENT_REGIMENS


# --- The Explorer's Do-now block (AppTest)


def test_the_explorer_says_the_first_step_and_is_not_green_beside_a_plan_that_treats() -> None:
    from tests.test_app import run_app, urgent_boxes

    treat = run_app({"age": "45", "sex": "female", "b12": "150", "esr": "10", "hb": "11"}, background_open=False)
    assert not treat.exception and not urgent_boxes(treat)
    assert not any("nothing urgent" in s.value for s in treat.success)
    (quiet,) = [i.value for i in treat.info if "nothing urgent" in i.value]
    assert "**First step:** take the work-up bloods, then B12 as the B12 plan below says." in quiet
    none = run_app({"age": "45", "sex": "female", "b12": "600", "esr": "10", "hb": "13"}, background_open=False)
    (clear,) = [s.value for s in none.success if "nothing urgent" in s.value]
    assert "**First step:** no B12 treatment" in clear
    # No B12 plan, but a raised ESR to work up: not green either.
    esr = run_app({"age": "45", "sex": "male", "b12": "1400", "esr": "70", "crp": "40"}, background_open=False)
    assert not any("nothing urgent" in s.value for s in esr.success)
    (work_up,) = [i.value for i in esr.info if "nothing urgent" in i.value]
    assert "**First step:** the ESR reading's work-up below: look for the cause of the raised ESR" in work_up
    folic = run_app(
        {"age": "60", "sex": "female", "b12": "160", "esr": "12", "hb": "10.5", "on_folic_acid": "yes"},
        background_open=False,
    )
    (box,) = urgent_boxes(folic)
    assert FOLIC_START in box


def test_the_quiz_answer_for_folic_acid_started_by_the_guideline_is_its_regimen_not_the_neurological_one() -> None:
    """The quiz's model answer follows the Do-now step that starts B12: under the source, folic acid with a
    borderline B12 starts NICE NG239's standard regimen, not the neurological one (no neurological symptoms)."""
    from b12logic.teaching_cases import next_step_of

    case = Case(age=58, sex="female", b12=190, mcv=92, hb=12.5, esr=10, on_folic_acid=True)
    source = evaluate(case, "source")
    assert source.regimen == "pending_tests" and any(s.starts_b12 for s in source.do_now)
    assert next_step_of(source) == source.corrected_regimen != "im_neuro"
    neuro = evaluate(replace(case, on_folic_acid=False, neuro_symptoms=True), "source")
    assert next_step_of(neuro) == "im_neuro"


def test_in_pregnancy_total_b12_is_read_against_the_non_pregnant_range() -> None:
    """Code-blind read s11, F3: "total B12 170 is low" beside "total B12 falls in normal pregnancy"."""
    case = Case(age=31, sex="female", pregnant=True, b12=170, active_b12=45, esr=48)
    a = evaluate(case, "nice-ng239")
    line = next(s.text for s in (*a.caveats, *a.why, *a.next_steps) if s.text.startswith("Active B12 45"))
    assert "total B12 170 pg/mL is low against the non-pregnant range. In pregnancy active B12 governs" in line
    not_pregnant = evaluate(replace(case, pregnant=False), "nice-ng239")
    assert "non-pregnant" not in " ".join(s.text for s in (*not_pregnant.caveats, *not_pregnant.why))


def test_in_pregnancy_folic_acid_is_kept_beside_b12_not_stopped() -> None:
    """Code-blind read s11, U6: "never taken alone" could be read as "stop the folic acid" in pregnancy."""
    case = Case(age=31, sex="female", pregnant=True, on_folic_acid=True, b12=150, active_b12=20, esr=45, hb=10.4)
    for profile in EVERY:
        (step,) = _folic_steps(evaluate(case, profile))
        assert "need not stop because of B12" in step and "must not go on without B12" in step, profile
    not_pregnant = evaluate(replace(case, pregnant=False, active_b12=None), "nice-ng239")
    assert "pregnancy" not in _folic_steps(not_pregnant)[0]


def test_pregnancy_with_neurological_symptoms_asks_for_urgent_advice_once() -> None:
    """Code-blind read s11, U1: "Seek urgent specialist (haematology) advice" and "Seek urgent haematology advice:
    B12 deficiency is suspected in pregnancy" in one block."""
    case = Case(age=28, sex="female", pregnant=True, neuro_symptoms=True, b12=200, esr=52, crp=7)
    for profile in EVERY:
        texts = [s.text for s in evaluate(case, profile).do_now]
        assert sum(t.startswith("Seek urgent") for t in texts) == 1, (profile, texts)
    assert any("suspected in pregnancy" in s.text for s in evaluate(replace(case, neuro_symptoms=False)).do_now)


def test_a_lasting_cause_with_b12_in_range_keeps_the_replacement_going_first() -> None:
    """Code-blind read s11, U2: pernicious anaemia with B12 450 was told "take the work-up bloods, then B12"."""
    a = evaluate(Case(age=52, sex="female", b12=450, esr=30, crp=3, risk_factors=frozenset({"pernicious_anaemia"})))
    assert _acting(a) in TREATMENT_REGIMENS and not a.do_now
    assert a.first_step.startswith("B12 replacement for the recorded cause that cannot be reversed")
    assert "if it is already given, the maintenance doses go on" in a.first_step
    deficient = evaluate(Case(age=52, sex="female", b12=120, esr=30, risk_factors=frozenset({"pernicious_anaemia"})))
    assert deficient.first_step.startswith("take the work-up bloods, then B12")


def test_the_source_batch_cell_marks_the_sources_rule_beside_the_guidelines_regimen() -> None:
    """Code-blind read s11, W1: "Regimen under NICE NG239: ...; No B12 treatment" side by side in the batch."""
    from b12logic.frame_fallback import assessment_cells

    a = evaluate(Case(age=52, sex="female", b12=450, esr=30, crp=3, risk_factors=frozenset({"pernicious_anaemia"})))
    cell = assessment_cells(a)["next_steps"].split(STEP_SEPARATOR)
    assert any(c.startswith("Regimen under NICE NG239") for c in cell), cell
    assert "No B12 treatment" not in cell and "The source's rule: No B12 treatment" in cell, cell


def test_macrocytosis_without_b12_deficiency_names_its_work_up_first() -> None:
    """Code-blind read s11 (fifth), finding 6: MCV 108 with a normal B12 got "First step: no B12 treatment"."""
    a = evaluate(Case(age=55, sex="male", b12=450, mcv=108, hb=13.8, esr=12, crp=3), "nice-ng239")
    assert not a.do_now and not a.all_clear
    assert a.first_step.startswith("look for the other causes of the macrocytosis (the work-up below)")
    assert any(s.text.startswith("Macrocytosis (MCV above 100 fL)") for s in a.next_steps)
    at_limit = evaluate(Case(age=55, sex="male", b12=450, mcv=100, hb=13.8, esr=12, crp=3), "nice-ng239")
    assert at_limit.all_clear and at_limit.first_step.startswith("no B12 treatment")


def test_a_pregnant_esr_above_its_range_is_not_called_raised_for_age_and_sex() -> None:
    """Code-blind read s11 (fifth), finding 3: "ESR elevated for age and sex" beside "the age/sex limit does not
    apply"."""
    a = evaluate(Case(age=33, sex="female", pregnant=True, b12=400, esr=72))
    assert a.esr_flag == "elevated" and a.esr_flag_label == "ESR above the pregnancy range"
    assert evaluate(Case(age=33, sex="female", b12=400, esr=72)).esr_flag_label == "ESR elevated for age and sex"


def test_under_the_source_a_step_the_guideline_already_says_is_not_said_again() -> None:
    """Code-blind read s11 (fifth), finding 1: "Stop the nitrous oxide and start B12 now ..." then "Stop the
    nitrous oxide."."""
    case = Case(
        age=19,
        sex="female",
        b12=600,
        homocysteine=45,
        esr=10,
        neuro_symptoms=True,
        risk_factors=frozenset({"nitrous_oxide"}),
    )
    texts = [s.text for s in evaluate(case, "source").do_now]
    assert texts[0].startswith("Stop the nitrous oxide and start B12 now")
    assert "Stop the nitrous oxide." not in texts, texts


def test_under_the_source_a_test_it_still_asks_for_is_sampled_before_the_first_dose() -> None:
    """Code-blind read s11 (fifth), finding 2: "Measure MMA" under the source while Do now starts B12, and the
    pre-dose bloods named no MMA."""
    case = Case(age=36, sex="female", pregnant=True, on_folic_acid=True, b12=200, active_b12=22, esr=30, hb=10.6)
    a = evaluate(case, "source")
    assert any(s.starts_b12 for s in a.do_now)
    assert any(s.text.startswith("Measure MMA") for s in a.next_steps)
    (bloods,) = [s.text for s in a.next_steps if s.text.startswith("Take the work-up bloods")]
    assert bloods.endswith("and the sample for MMA, which the plan does not wait for."), bloods
    # Under NICE NG239 active B12 has settled it: no MMA is asked for, and none is sampled.
    nice = evaluate(case, "nice-ng239")
    assert not any("MMA" in s.text for s in nice.next_steps if s.text.startswith("Take the work-up bloods"))


@pytest.mark.parametrize(("esr", "placed"), [(47.0, False), (48.0, True), (58.0, True)])
def test_a_pregnant_esr_above_the_second_trimester_range_is_named_in_the_first_step(esr: float, placed: bool) -> None:
    """Code-blind read s11 (sixth), F2: ESR 58 in pregnancy, "nothing urgent ... First step: no B12 treatment"."""
    a = evaluate(Case(age=33, sex="female", pregnant=True, b12=400, esr=esr))
    assert not a.do_now and a.esr_flag == "normal"
    assert ("The ESR reading below places the ESR against the trimester." in a.first_step) is placed
    assert a.all_clear is (not placed)


def test_severe_anaemia_in_pregnancy_takes_the_active_b12_sample_before_treatment() -> None:
    """Code-blind read s11 (sixth), F1: active B12 awaited, but the samples before treatment named only MMA or
    homocysteine."""
    a = evaluate(Case(age=30, sex="female", pregnant=True, b12=150, hb=6.9, mcv=112, esr=40), "nice-ng239")
    assert a.do_now[0].text.startswith("Assess the severe anaemia now")
    assert "(and MMA, homocysteine or active B12 if they are to be measured) before any treatment" in a.do_now[0].text


def test_crohns_or_coeliac_disease_keeps_the_general_duration_beside_a_reversible_cause() -> None:
    """Code-blind read s11 (seventh), F9: Crohn's with a PPI read "for as long as the recorded cause lasts"."""
    from b12logic.guidelines import regimen_for

    nice = PROFILES["nice-ng239"]
    both = regimen_for(nice, "im_standard", frozenset({"bowel_disease", "acid_suppression"})).text
    assert "lifelong if the cause cannot be reversed" in both and "as long as the recorded cause lasts" not in both
    ppi = regimen_for(nice, "im_standard", frozenset({"acid_suppression"})).text
    assert "for as long as the recorded cause lasts" in ppi


def test_the_explorer_esr_panel_does_not_say_no_work_up_for_a_pregnant_esr_above_the_second_trimester() -> None:
    from tests.test_app import run_app

    def badges(params: dict[str, str]) -> str:
        at = run_app(params, background_open=False)
        assert not at.exception
        return " ".join(m.value for m in at.markdown)

    placed = badges({"age": "33", "sex": "female", "b12": "400", "esr": "58", "pregnant": "yes"})
    assert "Read against the trimester" in placed and "No ESR work-up" not in placed
    in_range = badges({"age": "33", "sex": "female", "b12": "400", "esr": "40", "pregnant": "yes"})
    assert "No ESR work-up" in in_range and "Read against the trimester" not in in_range


def test_pregnancy_with_nitrous_oxide_and_neurological_symptoms_keeps_the_haematology_referral() -> None:
    """Code-blind read s11 (ninth): the nitrous oxide step seeks neurological advice, so the pregnancy step's
    haematology advice must stay (it was dropped with every neurological case)."""
    case = Case(
        age=38,
        sex="female",
        pregnant=True,
        neuro_symptoms=True,
        on_folic_acid=True,
        b12=250,
        esr=30,
        risk_factors=frozenset({"nitrous_oxide"}),
    )
    for profile in EVERY:
        texts = [s.text for s in evaluate(case, profile).do_now]
        assert any(
            t.startswith("Seek urgent haematology advice: B12 deficiency is suspected in pregnancy") for t in texts
        ), (
            profile,
            texts,
        )
        assert texts[0].startswith("Stop the nitrous oxide and start B12 now")


def test_nitrous_oxide_with_neurological_symptoms_names_haematology_among_the_specialists() -> None:
    """Code-blind read s11 (tenth), F3: "Seek urgent neurological advice as well" and no haematology anywhere."""
    case = Case(age=30, sex="female", b12=400, esr=40, neuro_symptoms=True, risk_factors=frozenset({"nitrous_oxide"}))
    for profile in EVERY:
        first = evaluate(case, profile).do_now[0].text
        assert "Seek urgent specialist (neurology or haematology) advice as well" in first, profile


def test_pregnancy_nitrous_oxide_and_neurological_symptoms_refer_each_specialty_once_and_sample_active_b12() -> None:
    """Code-blind read s11 (11th): haematology advice twice (the nitrous oxide step and the pregnancy step), and the
    active B12 the plan awaits was not among the samples before the first dose."""
    case = Case(
        age=24,
        sex="female",
        pregnant=True,
        neuro_symptoms=True,
        b12=250,
        hb=10.8,
        esr=40,
        risk_factors=frozenset({"nitrous_oxide"}),
    )
    for profile in EVERY:
        a = evaluate(case, profile)
        texts = [s.text for s in a.do_now]
        asks = [t for t in texts if "urgent haematology advice" in t or "(neurology or haematology)" in t]
        assert len(asks) == 1, (profile, texts)
        assert "Seek urgent neurological advice as well" in texts[0], profile
    nice = evaluate(case, "nice-ng239")
    (bloods,) = [s.text for s in nice.next_steps if s.text.startswith("Take the work-up bloods")]
    assert bloods.endswith("and the sample for active B12, which the plan does not wait for."), bloods
    not_pregnant = evaluate(replace(case, pregnant=False), "nice-ng239")
    assert "neurology or haematology" in not_pregnant.do_now[0].text


def test_a_raised_mma_beside_renal_impairment_with_b12_in_range_awaits_and_samples_homocysteine() -> None:
    """Code-blind read s11 (12th): "while active B12 is awaited" and its sample, while the work-up asked for
    homocysteine and never for active B12."""
    case = Case(age=72, sex="male", b12=400, esr=105, crp=3, neuro_symptoms=True, mma=450, renal_impairment=True)
    a = evaluate(case, "nice-ng239")
    plan = " ".join(s.text for s in a.next_steps)
    assert "while homocysteine is awaited" in plan and "active B12 is awaited" not in plan
    (bloods,) = [s.text for s in a.next_steps if s.text.startswith("Take the work-up bloods")]
    assert bloods.endswith("and the sample for homocysteine, which the plan does not wait for."), bloods
    assert any(s.text.startswith("Measure homocysteine") for s in a.next_steps)


def test_under_the_source_in_pregnancy_the_mma_it_asks_for_joins_the_active_b12_sample() -> None:
    """Code-blind read s11 (13th), F2: "Measure MMA" under the source, and the pre-dose line named only active B12."""
    case = Case(age=30, sex="female", pregnant=True, on_folic_acid=True, b12=220, esr=30)
    a = evaluate(case, "source")
    assert any(s.text.startswith("Measure MMA") for s in a.next_steps)
    (bloods,) = [s.text for s in a.next_steps if s.text.startswith("Take the work-up bloods")]
    assert bloods.endswith("and the sample for active B12 and for MMA, which the plan does not wait for."), bloods
