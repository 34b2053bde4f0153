"""AppTest: the Guideline comparison page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from b12logic import Case, evaluate
from b12logic.comparison import DIFFERS_MARK
from b12logic.guidelines import PROFILES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/compare.py"
BASE = {"age": "70", "sex": "female", "esr": "30"}
LAB_LOW = "Your lab: B12 low below (pg/mL)"
LAB_UPPER = "Your lab: B12 borderline up to (pg/mL)"
LAB_MMA = "Your lab: MMA raised above (nmol/L)"
# One link per b12_status of the source profile.
STATUS_LINKS = {
    "deficient": {"b12": "150"},
    "functional_deficiency": {"b12": "250", "mma": "400"},
    "indeterminate_needs_mma": {"b12": "250"},
    "not_confirmed": {"b12": "250", "mma": "200"},
    "normal_needs_mma_hcy": {"b12": "500", "neuro_symptoms": "yes"},
    "normal": {"b12": "500"},
}


def run_page(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def number_input(at: AppTest, label: str):
    (widget,) = [n for n in at.number_input if n.label == label]
    return widget


def comparison_table(at: AppTest):
    (table,) = at.table
    return table.value


def row(at: AppTest, aspect: str) -> dict[str, str]:
    frame = comparison_table(at)
    return frame[frame["Aspect"] == aspect].iloc[0].to_dict()


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def title(fig: dict) -> str:
    return fig["layout"]["title"]["text"]


@pytest.fixture(scope="module")
def borderline() -> AppTest:
    return run_page({**BASE, "b12": "190"})


def test_default_case_runs() -> None:
    at = run_page({})
    assert at.title[0].value == "Guideline comparison"
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("status", list(STATUS_LINKS))
def test_every_status_runs_and_the_table_says_what_the_engine_says(status: str) -> None:
    link = STATUS_LINKS[status]
    at = run_page({**BASE, **link})
    case = Case(
        age=70,
        sex="female",
        esr=30,
        b12=float(link["b12"]),
        mma=float(link["mma"]) if "mma" in link else None,
        neuro_symptoms="neuro_symptoms" in link,
    )
    assert evaluate(case).b12_status == status
    status_row = row(at, "B12 status")
    for profile in PROFILES.values():
        assert status_row[profile.name] == evaluate(case, profile).status_label


def test_every_profile_side_by_side(borderline: AppTest) -> None:
    columns = list(comparison_table(borderline).columns)
    assert columns == ["Aspect", "Differs?", *(p.name for p in PROFILES.values()), "Laboratory custom"]
    markdown = [m.value for m in borderline.main.markdown]  # the sidebar's live summary has badges of its own
    for profile in PROFILES.values():
        assert f"**{profile.name}**" in markdown  # one card per profile, with its verdict as a badge
    badges = [m for m in markdown if "-badge[" in m]
    assert len(badges) == len(PROFILES) + 1
    assert sum("B12 deficient" in b for b in badges) == 1  # BSH only


def test_differences_are_marked_in_text(borderline: AppTest) -> None:
    # 190 pg/mL: borderline for the source and NICE, low for BSH 2014 (< 200).
    status = row(borderline, "B12 status")
    assert status["Differs?"] == DIFFERS_MARK
    assert status["BSH 2014 (superseded)"] == "B12 deficient"
    assert row(borderline, "ESR reading")["Differs?"] == "same"
    bullets = [m.value for m in borderline.markdown if DIFFERS_MARK in m.value]
    assert any("B12 status:" in b and "BSH 2014" in b for b in bullets)


def test_custom_cut_offs_change_the_verdict() -> None:
    at = run_page({**BASE, "b12": "250"})
    assert row(at, "B12 status")["Laboratory custom"] == "Indeterminate: MMA decides"
    number_input(at, LAB_LOW).set_value(260).run()
    assert not at.exception
    assert row(at, "B12 status")["Laboratory custom"] == "B12 deficient"
    number_input(at, LAB_LOW).set_value(100).run()
    number_input(at, LAB_UPPER).set_value(240).run()
    assert row(at, "B12 status")["Laboratory custom"] == "No B12 deficiency"
    # the other profiles do not move
    assert row(at, "B12 status")["Source answer (default)"] == "Indeterminate: MMA decides"


def test_custom_mma_cut_off_changes_the_verdict() -> None:
    at = run_page({**BASE, "b12": "250", "mma": "300"})
    assert row(at, "B12 status")["Laboratory custom"] == "Functional B12 deficiency"
    number_input(at, LAB_MMA).set_value(350).run()
    assert row(at, "B12 status")["Laboratory custom"] == "Deficiency not confirmed"


def test_crossed_custom_cut_offs_warn_and_drop_the_lab_column() -> None:
    at = run_page({**BASE, "b12": "250"})
    number_input(at, LAB_UPPER).set_value(150).run()
    assert not at.exception
    assert any("Laboratory cut-offs not used" in w.value for w in at.warning)
    assert "Laboratory custom" not in comparison_table(at).columns


def test_link_cut_offs_fill_the_inputs() -> None:
    at = run_page({**BASE, "guideline": "custom", "lab_b12_low": "145", "lab_b12_upper": "250"})
    assert number_input(at, LAB_LOW).value == 145
    assert number_input(at, LAB_UPPER).value == 250


def test_region_map_has_a_labelled_profile_selector_and_the_case_point(borderline: AppTest) -> None:
    (selector,) = [s for s in borderline.selectbox if s.label == "Profile shown on the map"]
    assert selector.value == "source"
    region = figures(borderline)[0]
    assert "Source answer" in title(region)
    (case,) = [t for t in region["data"] if t.get("meta", {}).get("role") == "case"]
    assert case["x"] == [190.0] and case["yaxis"] == "y2"  # MMA not measured: on the strip
    selector.set_value("bsh-2014").run()
    moved = figures(borderline)[0]
    assert "BSH 2014" in title(moved)
    (chosen,) = [t for t in moved["data"] if t.get("meta", {}).get("role") == "cutoffs" and t["meta"]["chosen"]]
    assert 200 in chosen["x"]


def test_region_map_follows_the_neuro_toggle() -> None:
    at = run_page({**BASE, "b12": "500"})
    (toggle,) = [t for t in at.toggle if t.label == "Map for a patient with neurological symptoms"]
    assert toggle.value is False
    toggle.set_value(True).run()
    region = figures(at)[0]
    assert "with neurological symptoms" in region["layout"]["title"]["subtitle"]["text"]


def test_esr_chart_shows_the_case(borderline: AppTest) -> None:
    esr = figures(borderline)[1]
    assert title(esr) == "ESR upper limit of normal by age and sex"
    (case,) = [t for t in esr["data"] if t.get("meta", {}).get("role") == "case"]
    assert case["x"] == [70] and case["y"] == [30]


def test_phone_form_of_the_table_holds_every_aspect_and_profile() -> None:
    """At 640 px and below the six-column table becomes one block per aspect (ui/layout.py): same content."""
    at = run_page({**BASE, **STATUS_LINKS["deficient"], "neuro_symptoms": "yes"})
    frame = comparison_table(at)
    (phone,) = [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("**Cut-offs**")]
    for _, table_row in frame.iterrows():
        assert f"**{table_row['Aspect']}**" in phone
        for name in PROFILES.values():
            if name.name in frame.columns:
                assert f"*{name.name}:* {table_row[name.name]}" in phone
    assert phone.count(DIFFERS_MARK) == (frame["Differs?"] == DIFFERS_MARK).sum()
