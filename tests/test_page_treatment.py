"""AppTest: the Treatment & monitoring page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from b12logic import Case, evaluate
from b12logic.guidelines import PROFILES
from b12logic.treatment import TABLE_COLUMNS, treatment_events

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/treatment.py"

# Links covering every regimen of the source profile (and the expected regimen, checked against the engine).
LINKS = {
    "im_neuro": {"b12": "150", "neuro_symptoms": "yes"},
    "im_standard": {"b12": "90"},
    "oral_or_im": {"b12": "150"},
    "pending_tests": {"b12": "250"},
    "none": {"b12": "500"},
}
BASE = {"age": "70", "sex": "female", "esr": "30"}


def run_page(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [s.value for s in at.subheader] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [c.value for c in at.caption] + [h.value for h in at.header]
    return "\n".join(parts).replace("\\", "")


def table_of(at: AppTest) -> pd.DataFrame:
    (frame,) = at.table  # the wide form; the narrow one (phones) is a Markdown list
    return frame.value.rename(columns={shown: name for name, shown in TABLE_COLUMNS.items()})


@pytest.fixture(scope="module")
def pages() -> dict[str, AppTest]:
    return {regimen: run_page({**BASE, **link}) for regimen, link in LINKS.items()}


def case_of(regimen: str) -> Case:
    link = LINKS[regimen]
    return Case(age=70, sex="female", esr=30, b12=float(link["b12"]), neuro_symptoms="neuro_symptoms" in link)


@pytest.mark.parametrize("regimen", list(LINKS))
def test_links_really_cover_every_regimen(regimen: str) -> None:
    assert evaluate(case_of(regimen)).regimen == regimen


def test_default_case_runs() -> None:
    at = run_page({})
    assert at.title[0].value == "Treatment & monitoring"
    assert at.get("download_button")  # the default case is pending tests: the illustration still has a table


@pytest.mark.parametrize("regimen", ["im_neuro", "im_standard", "oral_or_im"])
def test_treated_cases_show_their_regimen_timeline_and_table(pages: dict[str, AppTest], regimen: str) -> None:
    at = pages[regimen]
    text = text_of(at)
    assert "What would happen if treated" not in text
    detail = evaluate(case_of(regimen)).regimen_detail
    assert detail is not None and detail.title in text
    assert len(at.get("plotly_chart")) == 1
    table = table_of(at)
    expected = [e["event"] for e in treatment_events(evaluate(case_of(regimen)), months=12)]
    assert table["event"].tolist() == expected
    assert ("Or by mouth, instead of injections" in text) == (regimen == "oral_or_im")


def test_standard_regimen_table_has_six_loading_injections(pages: dict[str, AppTest]) -> None:
    table = table_of(pages["im_standard"])
    assert table["event"].str.startswith("Loading injection").sum() == 6


def test_neuro_case_has_the_loading_slider_and_specialist_warning(pages: dict[str, AppTest]) -> None:
    at = pages["im_neuro"]
    (slider,) = [s for s in at.slider if s.label == "Assume improvement stops after (weeks)"]
    before = table_of(at)["event"].str.startswith("Loading injection").sum()
    slider.set_value(2).run()
    assert not at.exception
    after = table_of(at)["event"].str.startswith("Loading injection").sum()
    assert (before, after) == (14, 7)
    assert any("urgent specialist advice" in w.value for w in at.warning)
    assert not [s for s in pages["im_standard"].slider if s.label.startswith("Assume improvement")]


@pytest.mark.parametrize("regimen", ["pending_tests", "none"])
def test_untreated_cases_say_so_and_show_the_plan_if_treated(pages: dict[str, AppTest], regimen: str) -> None:
    at = pages[regimen]
    text = text_of(at)
    heading = "No treatment decision yet" if regimen == "pending_tests" else "This case needs no B12 treatment"
    assert heading in text
    assert "What would happen if treated" in text
    assert "(if treated)" in text
    if regimen == "pending_tests":
        assert "MMA is measured next" in text  # the pending test is named
    assert table_of(at)["event"].str.startswith("Loading injection").any()


@pytest.mark.parametrize("regimen", list(LINKS))
def test_download_button_present_with_a_csv(pages: dict[str, AppTest], regimen: str) -> None:
    (button,) = pages[regimen].get("download_button")
    assert button.proto.label == "Download the first-year events (CSV)"
    assert button.proto.url.endswith(".csv")  # the file is attached to the button as text/csv
    assert button.proto.ignore_rerun  # downloading does not rerun the page


def test_for_life_nuance_and_monitoring_side_by_side(pages: dict[str, AppTest]) -> None:
    text = text_of(pages["oral_or_im"])
    assert "For life" in text
    assert "reversible cause" in text and "pernicious anaemia" in text
    assert "bariatric surgery guidance" in text
    assert "Source answer (default)** (the profile in use)" in text
    assert "NICE NG239 (2024)** (for comparison)" in text
    assert "Month 3: Review symptoms and response" in text


def test_nice_profile_puts_the_source_schedule_beside_it() -> None:
    at = run_page({**BASE, "b12": "150", "guideline": "nice-ng239"})
    text = text_of(at)
    assert "NICE NG239 (2024)** (the profile in use)" in text
    assert "Source answer (default)** (for comparison)" in text
    assert "at least 1 mg (1000 µg)" in text  # NICE's oral dose


def test_esr_never_changes_the_plan(pages: dict[str, AppTest]) -> None:
    low = table_of(pages["oral_or_im"])
    high = table_of(run_page({**BASE, **LINKS["oral_or_im"], "esr": "140"}))
    assert low.equals(high)
    assert "never changes the B12 plan" in text_of(pages["oral_or_im"])


@pytest.mark.parametrize("regimen", ["im_neuro", "im_standard", "oral_or_im"])
def test_rows_without_a_day_say_throughout(pages: dict[str, AppTest], regimen: str) -> None:
    table = table_of(pages[regimen])
    cells = {str(v) for column in ("day", "month") for v in table[column]}
    assert "throughout" in cells
    assert not cells & {"nan", "None", "<NA>", ""}


@pytest.mark.parametrize("guideline", [p.id for p in PROFILES.values() if not p.follows_source])
def test_other_profiles_give_their_own_duration_not_the_sources_words(guideline: str) -> None:
    at = run_page({**BASE, "b12": "150", "guideline": guideline, "risk_factors": "pernicious_anaemia"})
    text = text_of(at)
    assert "in the source's words" not in text
    assert "lifelong, because the recorded cause (autoimmune gastritis) cannot be reversed" in text
    assert "Monitoring: the source's schedule" not in text
    if guideline == "bsh-2014":  # neither column is the source's: no bariatric note
        assert "bariatric" not in text


def test_the_sources_for_life_comes_with_the_correction() -> None:
    text = text_of(run_page({**BASE, "b12": "150"}))
    assert "in the source's words. The correction" in text
    assert "can stop or change once the cause has been dealt with" in text


def test_pending_tests_with_neuro_symptoms_show_the_urgent_steps() -> None:
    at = run_page({**BASE, "b12": "250", "neuro_symptoms": "yes"})
    assert any("Urgent:" in e.value and "urgent specialist" in e.value for e in at.error)


def test_monitoring_speaks_of_pregnancy_only_for_a_pregnant_case() -> None:
    """Issue 19: the page said "(1 month in pregnancy)" for a 74-year-old man."""
    old_man = {"age": "74", "sex": "male", "b12": "150", "esr": "30", "guideline": "nice-ng239"}
    at = run_page(old_man)
    lines = [m.value for m in at.markdown if "Review symptoms and response" in m.value]
    assert lines and not any("pregnan" in line for line in lines)
    pregnant = run_page(
        {"age": "30", "sex": "female", "b12": "150", "esr": "30", "pregnant": "yes"} | {"guideline": "nice-ng239"}
    )
    assert "pregnant: 1 month" in text_of(pregnant)


@pytest.mark.parametrize("regimen", ["im_neuro", "oral_or_im"])
def test_phone_list_holds_every_event_of_the_table(pages: dict[str, AppTest], regimen: str) -> None:
    at = pages[regimen]
    table = table_of(at)
    (phone,) = [m.value for m in at.markdown if m.value.startswith("- **Day ") or m.value.startswith("- **Throughout")]
    assert phone.count("\n- ") + 1 == len(table)
    for event in table["event"]:
        assert event.replace("(", "\\(") in phone or event in phone.replace("\\", "")
    assert "throughout" in set(table["day"]) or "Throughout" not in phone
