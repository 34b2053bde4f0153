"""The independent haematology read of issue 18 (20 cases, all profiles): one test per finding, on the reviewer's
own inputs (/work/review/findings.md, first read of engine c065fae)."""

from __future__ import annotations

from b12logic import Case, evaluate
from b12logic.cli import verdict_lines
from b12logic.engine import TREATMENT_REGIMENS
from b12logic.guidelines import PROFILES
from b12logic.labels import SOURCE_DIFFERS

# The profiles that read every marker and the clinical context (one judgment per case).
JUDGING = tuple(p.id for p in PROFILES.values() if p.reads_context)

N2O = frozenset({"nitrous_oxide"})


def _all_text(a) -> str:  # type: ignore[no-untyped-def]
    return " ".join(s.text for s in (*a.next_steps, *a.esr_workup, *a.caveats))


def test_x1_monitoring_lines_say_the_month() -> None:
    a = evaluate(Case(age=45, sex="female", b12=160, active_b12=45, esr=20, mcv=101, hb=12.5, neuro_symptoms=True))
    text = "\n".join(verdict_lines(a))
    assert "Monitoring, at 3 months: Serum B12 and full blood count" in text
    assert "Monitoring, at 12 months:" in text
    nice = "\n".join(verdict_lines(evaluate(Case(age=45, sex="female", b12=160, esr=20), "nice-ng239")))
    assert "Monitoring, at 3 months: Review symptoms and response" in nice


def test_x2_severe_deficiency_is_not_assessed_beside_a_severe_anaemia() -> None:
    a = evaluate(Case(age=38, sex="female", b12=210, esr=60, crp=2, mcv=118, hb=6.5), "nice-ng239")
    text = "\n".join(verdict_lines(a))
    assert "\nSevere: no" not in text and "working definition): no\n" not in text
    assert (
        "not assessed: deficiency not confirmed, treated on clinical grounds (the anaemia itself is severe, WHO)"
        in text
    )


def test_x3_f04_bsh_reads_active_b12_first_in_pregnancy() -> None:
    case = Case(age=29, sex="female", pregnant=True, b12=260, active_b12=20, esr=40, mcv=94, hb=6.8)
    a = evaluate(case, "bsh-2014")
    assert (a.b12_status, a.regimen) == ("deficient", "im_standard")
    assert a.anaemia_grade == "severe" and a.do_now[0].text.startswith("Assess the severe anaemia")
    assert "Active B12 20 pmol/L is below 25" in _all_text(a)
    c05 = evaluate(
        Case(age=33, sex="female", pregnant=True, b12=150, active_b12=85, esr=55, mcv=88, hb=11.5), "bsh-2014"
    )
    assert c05.b12_status == "not_confirmed"
    c06 = Case(
        age=60, sex="male", b12=420, active_b12=18, esr=50, crp=2, mcv=104, risk_factors=frozenset({"metformin"})
    )
    assert evaluate(c06, "bsh-2014").b12_status == "deficient"


def test_x4_f08_a_measured_active_b12_is_always_read_under_nice() -> None:
    c07 = evaluate(Case(age=45, sex="female", b12=160, active_b12=45, esr=20, neuro_symptoms=True), "nice-ng239")
    assert "Active B12 45 pmol/L is 25–70 pmol/L: indeterminate; total B12 160 pg/mL is low" in _all_text(c07)
    c08 = evaluate(Case(age=50, sex="male", b12=230, active_b12=95, esr=20, neuro_symptoms=True), "nice-ng239")
    assert "Active B12 95 pmol/L is above 70 pmol/L: deficiency unlikely" in _all_text(c08)
    assert "look for another cause" in _all_text(c08)
    c09 = evaluate(
        Case(age=72, sex="female", b12=133, b12_unit="pmol/L", active_b12=25, mma=271, esr=40, mcv=98, hb=11.0),
        "nice-ng239",
    )
    assert "Active B12 25 pmol/L is 25–70 pmol/L: indeterminate" in _all_text(c09)


def test_x5_f11_severe_macrocytic_anaemia_is_a_strong_feature_with_haematinics_first() -> None:
    case = Case(age=38, sex="female", b12=210, esr=60, crp=2, mcv=118, hb=6.5)
    for profile in JUDGING:
        a = evaluate(case, profile)
        assert a.regimen in TREATMENT_REGIMENS  # do not delay treatment when features are strong (BSH 2014)
        first = a.do_now[0].text
        assert "before any treatment or transfusion" in first and "circulatory overload" in first
        assert "if it is megaloblastic, avoid transfusion wherever possible" in first
        assert any("suggests megaloblastic anaemia" in s.text for s in a.do_now)  # urgent haematology (NICE CKS)
    assert SOURCE_DIFFERS in evaluate(case, "source").headline


def test_x6_myeloma_pitfall_follows_the_b12_value_or_anaemia() -> None:
    c12 = evaluate(Case(age=70, sex="male", b12=600, esr=110, crp=8, mcv=128, hb=7.2), "bsh-2014")
    (pitfall,) = [p for p in c12.pitfalls if p.id == "myeloma_high_esr_low_b12"]
    # B12 600 is above the range: the anaemia is the reason, and a "spuriously low B12" is not said (s13, second).
    assert "anaemia" in pitfall.heading and "spuriously low B12" not in pitfall.text
    low = evaluate(Case(age=70, sex="male", b12=150, esr=110, crp=8, mcv=128, hb=7.2), "bsh-2014")
    assert any("spuriously low B12" in p.text for p in low.pitfalls if p.id == "myeloma_high_esr_low_b12")
    no_anaemia = evaluate(Case(age=70, sex="male", b12=600, esr=110, hb=14.0), "nice-ng239")
    assert "myeloma_high_esr_low_b12" not in no_anaemia.pitfalls


def test_x7_why_trail_never_says_not_severe_when_hb_is_unknown() -> None:
    a = evaluate(Case(age=50, sex="female", b12=150, esr=35, risk_factors=frozenset({"vegan_diet"})), "nice-ng239")
    trail = " ".join(w.text for w in a.why)
    assert "→ unknown: severity is unknown until the full blood count is seen" in trail
    assert "Not severe" not in trail


def test_f01_nitrous_oxide_with_tests_in_does_not_wait_for_them() -> None:
    case = Case(
        age=22, sex="male", b12=420, esr=8, mma=600, homocysteine=45, mcv=92, hb=13.8, neuro_symptoms=True,
        risk_factors=N2O,
    )  # fmt: skip
    a = evaluate(case, "nice-ng239")
    assert not any("without waiting for homocysteine or MMA" in s.text for s in a.do_now)
    assert any("already shows functional deficiency" in s.text for s in a.do_now)


def test_f03_nitrous_oxide_asks_for_homocysteine_or_mma_never_active_b12() -> None:
    case = Case(age=24, sex="male", b12=290, esr=5, mcv=95, hb=14.5, neuro_symptoms=True, risk_factors=N2O)
    for profile in JUDGING:
        text = _all_text(evaluate(case, profile))
        assert "holotranscobalamin" not in text
        assert "Send homocysteine or MMA" in text


def test_f05_source_pregnant_with_high_active_b12_is_marked() -> None:
    a = evaluate(Case(age=33, sex="female", pregnant=True, b12=150, active_b12=85, esr=55, mcv=88, hb=11.5))
    assert a.b12_status == "deficient" and SOURCE_DIFFERS in a.headline
    assert "Deficiency not confirmed" in a.correction


def test_f09_low_total_with_mma_in_range_states_the_disagreement() -> None:
    case = Case(age=72, sex="female", b12=133, b12_unit="pmol/L", active_b12=25, mma=271, esr=40, mcv=98, hb=11.0)
    a = evaluate(case, "bsh-2014")
    assert "the markers disagree" in _all_text(a) and "MMA 271 nmol/L is within the laboratory's limit" in _all_text(a)


def test_f10_homocysteine_entered_is_not_awaited() -> None:
    case = Case(age=80, sex="male", b12=259, b12_unit="pmol/L", homocysteine=18, esr=45, crp=40, mcv=108, hb=12.0,
                neuro_symptoms=True)  # fmt: skip
    for profile in JUDGING:
        text = _all_text(evaluate(case, profile))
        assert "MMA and homocysteine are awaited" not in text and "while MMA is awaited" in text


def test_f12_megaloblastic_advice_before_gca_and_no_neuro_wording_without_neuro() -> None:
    a = evaluate(Case(age=70, sex="male", b12=600, esr=110, crp=8, mcv=128, hb=7.2), "bsh-2014")
    ranks = [s.text[:30] for s in a.do_now]
    gca = next(i for i, t in enumerate(ranks) if t.startswith("Ask now about new headache"))
    mcv = next(i for i, t in enumerate(ranks) if t.startswith("Seek urgent haematology advice"))
    assert mcv < gca
    assert not any("Neuro symptoms with B12 in range" in w.text for w in a.why)


def test_notes_autoimmune_disease_and_first_trimester_are_said() -> None:
    a = evaluate(
        Case(age=50, sex="female", b12=250, esr=20, risk_factors=frozenset({"autoimmune_disease"})), "nice-ng239"
    )
    assert "risk marker, not itself a cause" in _all_text(a)
    p = evaluate(Case(age=29, sex="female", b12=400, esr=30, pregnant=True))
    assert "an ESR above 47 is raised in the second trimester, above 57 in the first" in _all_text(p)


# --- Re-check (second read)


def test_r1_severe_anaemia_step_does_not_ask_for_the_b12_already_measured() -> None:
    a = evaluate(Case(age=38, sex="female", b12=210, esr=60, crp=2, mcv=118, hb=6.5), "nice-ng239")
    first = a.do_now[0].text
    assert "for pancytopenia; folate, ferritin and reticulocytes" in first and "take B12" not in first


def test_r3_source_names_its_test_and_the_nitrous_oxide_correction() -> None:
    case = Case(age=24, sex="male", b12=290, esr=5, mcv=95, hb=14.5, neuro_symptoms=True, risk_factors=N2O)
    a = evaluate(case)
    assert a.regimen == "pending_tests" and SOURCE_DIFFERS in a.headline
    text = _all_text(a)
    assert "Measure MMA. Under the source answer" in text and "Send homocysteine or MMA" in text


def test_n3_the_trail_shows_the_mcv_that_answered_yes() -> None:
    a = evaluate(Case(age=70, sex="male", b12=600, esr=110, crp=8, mcv=128, hb=7.2), "bsh-2014")
    assert any("(neurological symptoms: no; MCV 128 fL) → yes" in w.text for w in a.why)


def test_notes_renal_pitfall_sits_beside_the_verdict_and_the_source_correction_beside_for_life() -> None:
    c18 = evaluate(Case(age=76, sex="male", b12=260, mma=420, renal_impairment=True, esr=50, crp=4, mcv=97, hb=10.5))
    lines = verdict_lines(c18)
    plan_at, pitfalls_at = lines.index("B12 plan:"), lines.index("ESR reading:")
    renal = next(i for i, line in enumerate(lines) if "renal_impairment_raises_mma" in line)
    assert plan_at < renal < pitfalls_at
    c14 = evaluate(Case(age=50, sex="female", b12=150, esr=35, risk_factors=frozenset({"vegan_diet"})))
    plan = [s.text for s in c14.statements("plan")]
    assert any(t.startswith("Correction beside the source's 'for life'") for t in plan)


def test_notes_pregnancy_reason_said_once() -> None:
    a = evaluate(
        Case(age=33, sex="female", pregnant=True, b12=150, active_b12=85, esr=55, mcv=88, hb=11.5), "nice-ng239"
    )
    assert _all_text(a).count("total B12 falls in normal pregnancy") == 1


def test_folic_acid_pitfall_speaks_to_a_patient_already_taking_it() -> None:
    """Independent read, re-check 2 (C15): the pitfall fires because folic acid is being taken, so it must not
    read as advice about giving folic acid later."""
    case = Case(
        age=62, sex="female", b12=200, esr=28, homocysteine=25, mcv=96, hb=12.5, neuro_symptoms=True, on_folic_acid=True
    )
    for guideline in PROFILES:
        (pitfall,) = [p for p in evaluate(case, guideline=guideline).pitfalls if p == "folate_before_b12"]
        assert "folic acid already" in pitfall.text and "before giving folic acid" not in pitfall.text


def test_source_regimen_carries_the_marker_beside_a_start_now_step() -> None:
    """Second independent read (C15, C18): under `source`, "tests first" stood unmarked beside a Do-now step that
    starts the alternate-day regimen. Third read (session 6, F1/F2): a marker was not enough; the regimen line and
    the plan now lead with the treatment the Do-now step starts, the source's "tests first" named as what delays it."""
    for case in (
        Case(age=72, sex="female", b12=200, esr=60, neuro_symptoms=True),
        Case(age=25, sex="female", b12=200, esr=30, pregnant=True, neuro_symptoms=True, hb=10.5),
    ):
        a = evaluate(case, guideline="source")
        assert any(s.starts_b12 for s in a.do_now) and a.regimen == "pending_tests"
        assert a.regimen_headline.startswith("Hydroxocobalamin IM, neurological regimen, now under NICE NG239")
        assert "tests first" in a.regimen_headline and "would delay it" in a.regimen_headline
        lines = verdict_lines(a)
        assert any(line.startswith("Regimen:") and "now under NICE NG239" in line for line in lines)
        plan = lines[lines.index("B12 plan:") + 1]
        assert plan.startswith("  - Hydroxocobalamin IM, neurological regimen, now under NICE NG239"), plan
