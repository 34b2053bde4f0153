"""b12logic.treatment: the dated events of the first year match the regimen the engine chose."""

from __future__ import annotations

import csv
import io
import itertools

import pytest

from b12logic import Case, evaluate
from b12logic.guidelines import PROFILES, custom_profile
from b12logic.treatment import (
    DURATION_NOTES,
    EVENT_COLUMNS,
    EVENT_KINDS,
    ILLUSTRATIVE_NEURO_LOADING_WEEKS,
    TABLE_COLUMNS,
    comparison_monitoring,
    day_of_month,
    events_csv,
    if_confirmed,
    loading_days,
    treatment_events,
)

# One case per regimen (source profile).
CASES = {
    "im_neuro": Case(age=70, sex="female", b12=150, esr=30, neuro_symptoms=True),
    "im_standard": Case(age=70, sex="female", b12=90, esr=30),
    "oral_or_im": Case(age=70, sex="female", b12=150, esr=30),
    "pending_tests": Case(age=70, sex="female", b12=250, esr=30),
    "none": Case(age=40, sex="male", b12=500, esr=5),
}


def events_for(regimen: str, guideline: str = "source", **kwargs: float) -> list[dict]:
    assessment = evaluate(CASES[regimen], guideline)
    assert assessment.regimen == regimen  # the fixture really is that regimen
    return treatment_events(assessment, **kwargs)


def of_kind(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["kind"] == kind]


def test_every_event_has_the_columns_and_a_known_kind() -> None:
    for regimen in ("im_neuro", "im_standard", "oral_or_im"):
        events = events_for(regimen)
        assert events
        for e in events:
            assert tuple(e) == EVENT_COLUMNS
            assert e["kind"] in EVENT_KINDS
            assert e["event"] and e["citation"]


def test_im_standard_gives_six_loading_injections_in_two_weeks() -> None:
    loading = of_kind(events_for("im_standard"), "loading")
    days = [e["day"] for e in loading]
    assert len(days) == 6
    assert max(days) < 14
    # three in each week
    assert sum(d < 7 for d in days) == 3 and sum(7 <= d < 14 for d in days) == 3
    assert "of 6" in loading[-1]["event"]


def test_im_neuro_loading_is_on_alternate_days_and_open_ended() -> None:
    events = events_for("im_neuro")
    days = [e["day"] for e in of_kind(events, "loading")]
    assert days[0] == 0
    assert all(b - a == 2 for a, b in itertools.pairwise(days))
    assert len(days) == ILLUSTRATIVE_NEURO_LOADING_WEEKS * 7 // 2
    (open_end,) = of_kind(events, "loading_open")
    assert "no further improvement" in open_end["event"]
    assert open_end["day"] == days[-1] + 2
    assert of_kind(events, "advice"), "neuro involvement: urgent specialist advice"


def test_neuro_loading_length_is_a_parameter() -> None:
    short = of_kind(events_for("im_neuro", neuro_loading_weeks=2), "loading")
    long = of_kind(events_for("im_neuro", neuro_loading_weeks=8), "loading")
    assert len(short) == 7 and len(long) == 28


def test_maintenance_intervals() -> None:
    neuro = of_kind(events_for("im_neuro"), "maintenance")
    gaps = {b["day"] - a["day"] for a, b in itertools.pairwise(neuro)}
    assert gaps == {day_of_month(2)}  # every 2 months
    assert all(e["until_day"] is None for e in neuro)  # a fixed interval has no window
    standard_events = events_for("im_standard")
    standard = of_kind(standard_events, "maintenance")
    last_loading = max(e["day"] for e in of_kind(standard_events, "loading"))
    assert standard[0]["day"] == last_loading + day_of_month(2)
    for e in standard:  # every 2-3 months: each dose is due in a window one month wide
        assert e["until_day"] - e["day"] == day_of_month(3) - day_of_month(2)
        assert "every 2–3 months" in e["detail"] and "for life" in e["detail"]
    assert all(e["day"] <= day_of_month(12) for e in standard)


def test_oral_band_only_when_oral_or_im() -> None:
    (oral,) = of_kind(events_for("oral_or_im"), "oral")
    assert oral["day"] == 0 and oral["until_day"] == day_of_month(12)
    assert "1000–2000 µg" in oral["detail"]
    for regimen in ("im_neuro", "im_standard"):
        assert not of_kind(events_for(regimen), "oral")


@pytest.mark.parametrize("regimen", ["none", "pending_tests"])
def test_no_events_without_treatment(regimen: str) -> None:
    assert events_for(regimen) == []


def test_monitoring_follows_the_profile_with_the_other_schedule_beside_it() -> None:
    source = events_for("im_standard")
    assert [e["month"] for e in of_kind(source, "monitoring") if e["day"] is not None] == [3, 6, 12]
    compare = of_kind(source, "monitoring_compare")
    assert any("Review" in e["event"] and e["month"] == 3 for e in compare)
    assert all(e["citation"] in ("NICE NG239", "Essex B12 pathway 2019") for e in compare)
    nice = events_for("im_standard", guideline="nice-ng239")
    assert all(e["citation"] in ("NICE NG239", "Essex B12 pathway 2019") for e in of_kind(nice, "monitoring"))
    assert {e["citation"].split("; ")[0] for e in of_kind(nice, "monitoring_compare")} == {"source"}
    assert comparison_monitoring("bsh-2014") is PROFILES["nice-ng239"]
    assert comparison_monitoring("nice-ng239") is PROFILES["source"]
    assert comparison_monitoring("custom") is PROFILES["nice-ng239"]  # as before profiles held the choice
    assert not of_kind(events_for("im_standard", guideline="bsh-2014"), "monitoring")  # BSH gives no schedule


def test_horizon_limits_the_events() -> None:
    six = events_for("im_standard", months=6)
    assert all(e["day"] is None or e["day"] <= day_of_month(6) for e in six)
    assert len(of_kind(six, "maintenance")) < len(of_kind(events_for("im_standard"), "maintenance"))


def test_events_are_sorted_by_day_with_untimed_notes_last() -> None:
    events = events_for("oral_or_im")
    timed = [e["day"] for e in events if e["day"] is not None]
    assert timed == sorted(timed)
    first_untimed = next(i for i, e in enumerate(events) if e["day"] is None)
    assert all(e["day"] is None for e in events[first_untimed:])


def test_loading_days_of_the_shipped_regimens() -> None:
    source = PROFILES["source"]
    assert loading_days(source.regimen("im_standard")) == [0, 2, 4, 7, 9, 11]
    assert loading_days(source.regimen("im_neuro"), neuro_loading_weeks=1) == [0, 2, 4]


def test_if_confirmed_shows_the_plan_for_an_untreated_case() -> None:
    profile = PROFILES["source"]
    pending = if_confirmed(CASES["pending_tests"], profile)
    assert pending is not None and pending.assessment.b12_status == "functional_deficiency"
    assert "MMA" in pending.assumption
    normal = if_confirmed(CASES["none"], profile)
    assert normal is not None and normal.assessment.b12_status == "deficient"
    assert "below 180 pg/mL" in normal.assumption
    assert if_confirmed(CASES["im_standard"], profile) is None
    lab = custom_profile(b12_low=145, b12_upper=250, mma_upper=300)
    lab_case = if_confirmed(CASES["none"], lab)
    assert lab_case is not None and "below 145 pg/mL" in lab_case.assumption


def test_duration_notes_carry_the_nice_nuance() -> None:
    text = " ".join(n.text for n in DURATION_NOTES)
    assert "reversible cause" in text and "pernicious anaemia" in text
    assert all(n.citations for n in DURATION_NOTES)


def test_events_csv_has_one_row_per_event_with_the_table_headings() -> None:
    events = events_for("oral_or_im")
    rows = list(csv.reader(io.StringIO(events_csv(events))))
    assert rows[0] == list(TABLE_COLUMNS.values())
    assert len(rows) == len(events) + 1
    for row, e in zip(rows[1:], events, strict=True):
        assert row[2] == e["event"]
        assert row[0] == ("" if e["day"] is None else str(e["day"]))
    assert not any(cell[:1] in ("=", "+", "-", "@") for row in rows for cell in row)  # spreadsheet-safe
