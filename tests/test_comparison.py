"""b12logic.comparison: one case under every profile, differences named."""

from __future__ import annotations

from b12logic import Case, evaluate
from b12logic.comparison import ASPECTS, comparison_rows, differences, evaluate_all
from b12logic.guidelines import PROFILE_CHOICES, PROFILES, custom_profile

ALL = [*PROFILES.values(), custom_profile(b12_low=145, b12_upper=250, mma_upper=300)]


def row(rows: list[dict[str, object]], aspect: str) -> dict[str, object]:
    return next(r for r in rows if r["aspect"] == aspect)


def test_rows_have_one_column_per_profile_and_every_aspect() -> None:
    rows = comparison_rows(Case(age=70, sex="female", b12=190, esr=30), ALL)
    assert [r["aspect"] for r in rows] == [a for a, _ in ASPECTS]
    for r in rows:
        assert set(r) == {"aspect", "differs", *(p.name for p in ALL)}


def test_cells_are_the_engines_answers() -> None:
    case = Case(age=70, sex="female", b12=190, esr=30)
    status = row(comparison_rows(case, ALL), "B12 status")
    for p in ALL:
        assert status[p.name] == evaluate(case, p).status_label
    # 190 pg/mL: borderline for source, NICE and the lab (145-250), low for BSH (< 200)
    assert status["differs"] is True
    assert status["BSH 2014 (superseded)"] == "B12 deficient"


def test_esr_reading_never_differs_between_profiles() -> None:
    for esr in (5, 45, 120):
        esr_row = row(comparison_rows(Case(age=70, sex="female", b12=190, esr=esr), ALL), "ESR reading")
        assert esr_row["differs"] is False


def test_differences_name_the_changed_decisions_only() -> None:
    agreed = Case(age=40, sex="male", b12=90, esr=5)  # deficient everywhere
    agreed_changes = differences(agreed, ALL[:2])
    # The status agrees; how long treatment lasts (the source: for life; NICE: by cause), the first step that
    # says so, and the monitoring differ.
    assert [s.split(":")[0] for s in agreed_changes] == ["Treatment", "First next step", "Monitoring"]
    changed = differences(Case(age=70, sex="female", b12=190, esr=30), ALL)
    (status,) = [s for s in changed if s.startswith("B12 status:")]
    assert "B12 deficient (BSH 2014 (superseded))" in status
    assert "Indeterminate: MMA decides (Source answer (default), NICE NG239 (2024), Laboratory custom)" in status
    assert not any(s.startswith("Cut-offs") for s in changed)


def test_evaluate_all_keeps_the_order() -> None:
    results = evaluate_all(Case(age=70, sex="female", b12=190, esr=30), ALL)
    assert tuple(r.profile.id for r in results) == PROFILE_CHOICES


def test_bsh_and_nice_treat_borderline_neuro_while_awaiting_mma_and_the_comparison_says_so() -> None:
    case = Case(age=70, sex="female", b12=250, esr=30, neuro_symptoms=True)
    changed = differences(case, ALL)
    (treatment,) = [s for s in changed if s.startswith("Treatment:")]
    assert "No treatment decision yet" in treatment and "Source answer (default)" in treatment
    assert "neurological regimen" in treatment.lower() or "alternate days" in treatment


def test_the_source_monitoring_schedule_carries_its_bariatric_caveat() -> None:
    rows = comparison_rows(Case(age=40, sex="male", b12=90, esr=5), ALL)
    monitoring = row(rows, "Monitoring")
    assert "bariatric" in str(monitoring["Source answer (default)"])
    # The laboratory profile reads a case as NICE NG239 does, with NICE's review, not the bariatric schedule.
    assert "bariatric" not in str(monitoring["Laboratory custom"])
    assert "bariatric" not in str(monitoring["NICE NG239 (2024)"])
