"""AppTest: the References & method page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from b12logic.guidelines import PROFILES
from b12logic.references import REFERENCES, SOURCE_ISSUES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/references.py"


def run_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def page() -> AppTest:
    return run_page()


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    return "\n".join(parts).replace("\\", "")


def test_title(page: AppTest) -> None:
    assert page.title[0].value == "References & method"


def test_unit_error_shows_the_correct_conversion(page: AppTest) -> None:
    text = page_text(page)
    assert "180 pg/mL × 0.738 = 133 pmol/L" in text
    assert "150 pmol/L ÷ 0.738 ≈ 203 pg/mL" in text


def test_every_source_issue_is_listed(page: AppTest) -> None:
    text = page_text(page)
    for issue in SOURCE_ISSUES:
        assert issue.title in text


def test_every_reference_is_listed_and_the_unverified_one_is_marked(page: AppTest) -> None:
    lines = page_text(page).splitlines()
    for short in REFERENCES:
        assert any(f"**{short}**" in line for line in lines), short
    (pn,) = [line for line in lines if "**Practical Neurology 2016**" in line]
    assert "unverified" in pn
    (afp,) = [line for line in lines if "**AFP 2017**" in line]
    assert "unverified" not in afp


def test_threshold_tables_for_every_profile(page: AppTest) -> None:
    assert [t.label for t in page.tabs] == [*(p.name for p in PROFILES.values()), "Laboratory custom"]
    tables = [df.value for df in page.dataframe]
    assert len(tables) == len(PROFILES) + 1
    bsh = tables[list(PROFILES).index("bsh-2014")]
    assert "< 200 pg/mL (148 pmol/L)" in set(bsh["value"])


def test_custom_table_uses_the_links_laboratory_cut_offs() -> None:
    at = run_page({"guideline": "custom", "lab_b12_low": "145", "lab_b12_upper": "250", "lab_mma_upper": "300"})
    custom = at.dataframe[-1].value
    assert "< 145 pg/mL (107 pmol/L)" in set(custom["value"])
    assert "> 300 nmol/L" in set(custom["value"])


def test_definitions_privacy_and_educational_statements(page: AppTest) -> None:
    text = page_text(page)
    assert "B12 below 100 pg/mL, or haemoglobin below 8 g/dL (WHO" in text
    assert "writes no case data to disk" in text and "logs no laboratory values" in text
    assert "Educational only" in text
    headers = [h.value for h in page.header]
    assert {"Working definitions", "Limitations", "Privacy", "References"} <= set(headers)
