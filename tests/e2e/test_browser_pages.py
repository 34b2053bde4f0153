"""Every page in a real browser: no exception, a screenshot each; teaching case -> Explorer; batch upload and
results download; the Explorer's case report download.

Expected answers come from b12logic (the engine, the teaching cases, the CLI), never from numbers typed here.
"""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_support import (
    EXCEPTION_BOX,
    GENERIC_ERROR_TEXT,
    PAGE_PATHS,
    ROOT,
    SHOWCASE_QUERY,
    PageViews,
    assert_page_found,
    assessment_from_url,
    assessment_of,
    click_and_wait,
    go_to_page,
    open_expander,
    open_page,
    open_url,
    query_params,
    runs_done,
    screenshot,
    slider_value,
    wait_for_app,
    wait_for_verdict,
)
from playwright.sync_api import FilePayload, Page, expect

from b12logic.teaching_cases import TEACHING_CASES

pytestmark = pytest.mark.browser

# A teaching case whose values differ from the app's defaults in every slider.
TEACHING_CASE_ID = "older_woman_esr"
FORMULA_CELL = '=HYPERLINK("http://example.invalid","open me")'


def _assert_no_error(page: Page, where: str) -> None:
    expect(page.locator(EXCEPTION_BOX), f"exception box on {where}").to_have_count(0)
    body = page.locator("body").inner_text()
    assert GENERIC_ERROR_TEXT not in body, f"Streamlit's generic error message on {where}"


@pytest.mark.parametrize("name", list(PAGE_PATHS))
def test_page_opens_without_error(page_view: PageViews, name: str) -> None:
    """Each page opens with a shared case, shows no exception, and keeps the disclaimer; saved as a screenshot."""
    page = page_view(name)
    _assert_no_error(page, name)
    expect(page.get_by_test_id("stMainBlockContainer")).to_contain_text("Educational only")
    expect(page.get_by_test_id("stMainBlockContainer").locator("h1").first).to_be_visible()
    screenshot(page, name)


def _choose_teaching_case(page: Page, case_id: str) -> None:
    """Pick a case in the Teaching page's selectbox by its shown label ("<n>. <title>")."""
    number = list(TEACHING_CASES).index(case_id) + 1
    label = f"{number}. {TEACHING_CASES[case_id].title}"
    page.locator(".st-key-teaching_case").get_by_role("combobox").click()
    click_and_wait(page, page.get_by_role("option", name=label, exact=True))
    expect(page.locator(".st-key-teaching_case").get_by_role("combobox")).to_have_value(label)


def test_teaching_case_loads_into_explorer(page: Page) -> None:
    """'Load this case' on the Teaching page sets the shared case: the Explorer then shows it, as the engine says."""
    teaching_case = TEACHING_CASES[TEACHING_CASE_ID]
    values = teaching_case.full_values()
    expected = teaching_case.assess()
    open_page(page, "teaching")
    _choose_teaching_case(page, TEACHING_CASE_ID)
    click_and_wait(page, page.get_by_role("button", name="Load this case"))
    _assert_no_error(page, "teaching after loading a case")
    screenshot(page, "teaching-loaded")

    go_to_page(page, "explorer")
    wait_for_verdict(page, expected.status_label)
    for name in ("age", "b12", "esr"):
        assert slider_value(page, name) == pytest.approx(float(values[name])), name
    assert assessment_from_url(page).status_label == expected.status_label, "the URL carries the loaded case"
    assert float(query_params(page)["age"][0]) == pytest.approx(float(values["age"]))


def test_teaching_case_link_opens_the_case(page: Page) -> None:
    """The link the Teaching page offers for slides opens that case on its own, with no 'Page not found'."""
    teaching_case = TEACHING_CASES[TEACHING_CASE_ID]
    open_page(page, "teaching")
    _choose_teaching_case(page, TEACHING_CASE_ID)
    page.get_by_test_id("stExpander").filter(has_text="Link to this case").locator("summary").click()
    link = page.get_by_test_id("stCode").filter(has_text="?").first.inner_text().strip()
    assert "age=" in link, link
    open_url(page, link)
    assert_page_found(page)
    wait_for_verdict(page, teaching_case.assess().status_label)


def _template_csv() -> str:
    """The CSV template, as the command line prints it."""
    result = subprocess.run(
        [sys.executable, "-m", "b12logic", "template"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _batch_input() -> tuple[str, list[dict[str, str]]]:
    """The template's rows, plus a row with an out-of-range age and a valid row whose id is a formula."""
    template = _rows(_template_csv())
    columns = list(template[0])
    good = template[0]
    bad = {**good, "id": "bad-age", "age": "15"}
    formula = {**good, "id": FORMULA_CELL, "b12": "420"}
    rows = [*template, bad, formula]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), rows


def _cli_results(csv_text: str, tmp_path: Path) -> list[dict[str, str]]:
    """What `python -m b12logic batch` writes for the same file (the same engine, the source profile)."""
    path = tmp_path / "cases.csv"
    path.write_text(csv_text)
    result = subprocess.run(
        [sys.executable, "-m", "b12logic", "batch", str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return _rows(result.stdout)


def test_batch_upload_and_results_download(page: Page, tmp_path: Path) -> None:
    """Upload template rows + a bad row + a formula cell; see the summary; the results CSV keeps every row in
    order, neutralises the formula, and agrees with the command line."""
    csv_text, rows = _batch_input()
    open_page(page, "batch")
    before = runs_done(page)
    page.locator(".st-key-batch_upload").locator('input[type="file"]').set_input_files(
        files=[FilePayload(name="cases.csv", mimeType="text/csv", buffer=csv_text.encode())]
    )
    wait_for_app(page, after=before)
    _assert_no_error(page, "batch after upload")

    def metric(label: str) -> str:
        box = page.get_by_test_id("stMetric").filter(has_text=label)
        return box.get_by_test_id("stMetricValue").inner_text().strip()

    assert metric("Rows in the file") == str(len(rows))
    assert metric("Rows checked") == str(len(rows) - 1)
    assert metric("Rows with errors") == "1"
    expect(page.get_by_test_id("stAlert").filter(has_text="could not be checked")).to_be_visible()
    screenshot(page, "batch-results")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the results CSV").click()
    download = download_info.value
    downloaded = Path(download.path()).read_text(encoding="utf-8-sig")
    (tmp_path / download.suggested_filename).write_text(downloaded)
    results = _rows(downloaded)

    assert [r["id"] for r in results] == [r["id"] if r["id"] != FORMULA_CELL else "'" + FORMULA_CELL for r in rows]
    for source, result in zip(rows, results, strict=True):
        for column, value in source.items():
            if column == "id" and value == FORMULA_CELL:
                assert result[column] == "'" + FORMULA_CELL, "formula cell gets a leading quote"
            else:
                assert result[column] == value, f"input cell {column} changed in row {source['id']}"
    bad = next(r for r in results if r["id"] == "bad-age")
    assert "age" in bad["error"] and bad["b12_status"] == "", bad
    assert all(r["error"] == "" and r["b12_status"] for r in results if r["id"] != "bad-age")
    assert results == _cli_results(csv_text, tmp_path), "the page's results differ from the command line's"


REPORT_BUTTON = re.compile(r"summary.*html|html.*summary", re.IGNORECASE)


def test_case_report_download_contains_the_verdict(page: Page, tmp_path: Path) -> None:
    """The Explorer's HTML case report carries this case's verdict, regimen, ESR reading and the disclaimer."""
    open_page(page, "explorer", SHOWCASE_QUERY)
    expected = assessment_of(query_params(page))
    wait_for_verdict(page, expected.status_label)
    # The buttons are drawn once the section is opened (ui/explorer.py report_downloads: not on every move).
    open_expander(
        page, page.get_by_test_id("stExpander").filter(has_text="Download a teaching summary").locator("summary")
    )
    button = page.get_by_test_id("stDownloadButton").filter(has_text=REPORT_BUTTON)
    expect(button, "a download button for the HTML case report on the Explorer").to_have_count(1)
    with page.expect_download() as download_info:
        button.get_by_role("button").click()
    download = download_info.value
    assert download.suggested_filename.endswith((".html", ".htm")), download.suggested_filename
    report = Path(download.path()).read_text(encoding="utf-8")
    (tmp_path / download.suggested_filename).write_text(report)
    text = html.unescape(re.sub(r"<[^>]+>", " ", report))
    text = re.sub(r"\s+", " ", text)
    for needed in (expected.status_label, expected.regimen_label, expected.esr_flag_label, "Educational only"):
        assert needed in text, f"report lacks {needed!r}"
