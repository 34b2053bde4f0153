"""AppTest: the Batch check page, driving st.file_uploader (AppTest supports it in Streamlit 1.67).

A file with another extension (e.g. .png) is refused by the browser's file picker before it reaches the
app, so it is covered by the browser tests; here a binary file *named* .csv stands in for "not a CSV".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from b12logic import B12_STATUSES
from b12logic.batch import evaluate_frame, read_cases_csv, template_csv
from b12logic.engine import REGIMEN_LABELS, STATUS_LABELS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/batch.py"
TEMPLATES = ["Download the CSV template", "Download the laboratory (long) template"]
BAD_ROWS = (
    b"id,age,sex,b12,esr\nok1,68,F,150,30\nyoung,15,F,150,30\ntext,70,M,abc,30\nyoung2,12,M,400,20\nok2,71,M,480,112\n"
)


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def _upload(at: AppTest, name: str, content: bytes, mime: str = "text/csv") -> AppTest:
    at.get("file_uploader")[0].set_value((name, content, mime))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _downloads(at: AppTest) -> list[str]:
    return [d.label for d in at.get("download_button")]


def _problem_shown(at: AppTest) -> str:
    (error,) = at.error
    assert error.value.startswith("This file could not be checked: ")
    assert "Download the results CSV" not in _downloads(at)
    assert not at.get("plotly_chart") and not at.metric
    return error.value


def test_before_upload_template_and_uploader() -> None:
    at = _open()
    assert at.title[0].value == "Batch check"
    assert _downloads(at) == TEMPLATES
    (uploader,) = at.get("file_uploader")
    assert uploader.label == "CSV or FHIR JSON file of cases (up to 50 MB)"
    assert uploader.allowed_type == [".csv", ".json", ".ndjson"]
    assert uploader.proto.max_upload_size_mb == 50
    assert any("Limit 50 MB" in c.value for c in at.caption)
    assert any("No file yet" in i.value for i in at.info)


def test_valid_file() -> None:
    """The template (one example of every status): the verdict first, in the Explorer's words; codes on request;
    six rows are too few for a chart, so the counts are said in words."""
    at = _upload(_open(), "cases.csv", template_csv().encode())
    n = len(B12_STATUSES)
    assert _metrics(at) == {"Rows in the file": str(n), "Rows checked": str(n), "Rows with errors": "0"}
    assert any(f"All {n} rows were read and checked" in s.value for s in at.success)
    assert not at.get("plotly_chart") and any("Rows by B12 status:" in m.value for m in at.markdown)
    results = at.dataframe[-1].value
    assert list(results.columns[:3]) == ["B12 status", "Treatment", "ESR"]
    expected = evaluate_frame(read_cases_csv(template_csv().encode()))
    assert results["B12 status"].tolist() == [STATUS_LABELS[s] for s in expected["b12_status"]]
    assert results["Treatment"].tolist() == [REGIMEN_LABELS[r] for r in expected["regimen"]]
    assert results["id"].tolist() == expected["id"].tolist()
    assert not any(c.endswith("(code)") for c in results.columns)
    at.toggle(key="batch_show_codes").set_value(True).run()
    coded = at.dataframe[-1].value
    assert coded["b12_status (code)"].astype(str).tolist() == expected["b12_status"].astype(str).tolist()
    assert _downloads(at) == [*TEMPLATES, "Download the results CSV"]
    assert at.toggle(key="batch_only_errors").disabled  # no error rows to filter to


def test_charts_appear_once_there_are_enough_rows() -> None:
    body = "".join(template_csv().splitlines(keepends=True)[1:])
    many = template_csv() + body  # twelve rows
    at = _upload(_open(), "cases.csv", many.encode())
    assert len(at.get("plotly_chart")) == 2


def test_file_with_bad_rows() -> None:
    at = _upload(_open(), "ward 7 list.csv", BAD_ROWS)
    assert _metrics(at) == {"Rows in the file": "5", "Rows checked": "2", "Rows with errors": "3"}
    assert any("3 of 5 rows could not be checked" in w.value for w in at.warning)
    errors = at.dataframe[0].value
    assert errors["Column"].tolist() == ["age", "b12"]
    assert errors["Rows affected"].tolist() == [2, 1]
    assert errors["Row numbers"].tolist() == ["2, 4", "3"]
    assert "Download the results CSV" in _downloads(at)
    assert len(at.dataframe[-1].value) == 5  # nothing dropped
    at.toggle(key="batch_only_errors").set_value(True).run()
    shown = at.dataframe[-1].value
    assert shown["id"].tolist() == ["young", "text", "young2"]
    assert shown["B12 status"].tolist() == ["", "", ""] and all(shown["Problem with this row"])


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "The file is empty"),
        ("header.csv", b"age,sex,b12,esr\n", "The file has a header row but no rows"),
        ("other.csv", b"name,dob\nAnn,1950\n", "Column problem: missing required column(s) age, sex, b12, esr"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This looks like a binary file"),
        (
            "sheet.csv",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
            "This looks like a binary",
        ),
    ],
)
def test_file_problems_are_plain_messages(name: str, content: bytes, expected: str) -> None:
    at = _upload(_open(), name, content)
    assert expected in _problem_shown(at)


def test_size_cap_is_enforced_by_the_page() -> None:
    old = config.get_option("server.maxUploadSize")
    config.set_option("server.maxUploadSize", 1)
    try:
        at = _open()
        assert at.get("file_uploader")[0].label == "CSV or FHIR JSON file of cases (up to 1 MB)"
        big = b"age,sex,b12,esr\n" + b"68,F,150,30\n" * 100_000  # 1.1 MB
        _upload(at, "big.csv", big)
        message = _problem_shown(at)
        assert "The file is 1.2 MB; the limit is 1 MB" in message, message
    finally:
        config.set_option("server.maxUploadSize", old)


def test_uploaded_text_is_never_rendered_as_markup() -> None:
    hostile = b'id,age,sex,b12,esr\n"<script>alert(1)</script> **x**",68,F,150,30\n<img src=x>,15,F,150,30\n'
    at = _upload(_open(), "x.csv", hostile)
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    assert not any("<script" in text or "<img" in text for text in rendered)
    assert at.dataframe[-1].value["id"].tolist()[0] == "<script>alert(1)</script> **x**"  # shown as data


def test_new_upload_replaces_the_previous_answer() -> None:
    at = _upload(_open(), "a.csv", template_csv().encode())
    assert _metrics(at)["Rows in the file"] == str(len(B12_STATUSES))
    _upload(at, "b.csv", BAD_ROWS)
    assert _metrics(at)["Rows in the file"] == "5"


def test_results_are_built_once_and_let_go_with_the_upload() -> None:
    """Issue 22: the download sends the bytes built when the file was checked (the page no longer rebuilds the
    results CSV on every click), and removing the file lets the results go."""
    at = _upload(_open(), "a.csv", BAD_ROWS)
    check = at.session_state["_batch_check"][1]
    assert check.results_csv_bytes() is check.results_csv_bytes()
    assert check.results_csv_bytes().startswith(b"id,age,sex,b12,esr,b12_status,")
    at.get("file_uploader")[0].set_value(None)
    at.run()
    assert not at.exception
    assert "_batch_check" not in at.session_state
