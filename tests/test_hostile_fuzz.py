"""Issue 22: random and adversarial bytes and JSON fed to every reader, the CLI, the Batch page and the
Explorer's lab-file dialog. None raises: a file is read, or refused with one line (a CaseError naming
"file" or "columns"; exit 2 in the CLI; the page's file error)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from b12logic.batch_check import check_csv
from b12logic.cli import main
from b12logic.labs import detect_layout, read_cases
from b12logic.labs.choose import case_choices
from b12logic.validate import CaseError

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# --- adversarial CSV: the contract's words, quotes, delimiters and line ends in any order, any encoding
_cells = st.sampled_from(
    [
        "id", "age", "sex", "b12", "esr", "patient_id", "loinc", "value", "unit", "collected", "note",
        "68", "F", "179", "30", "2132-9", "4537-7", "pg/mL", "mm/h", "2024-05-01", "",
        '"', '""', '"a\nb"', '"open', "\r", "\t", ";", "\x00", "é", "9" * 5000, "=1+1", "\ufeff",
    ]
)  # fmt: skip
_csv_text = st.lists(st.lists(_cells, max_size=8).map(",".join), min_size=1, max_size=12).map("\n".join)
_encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])
csv_bytes = st.builds(lambda text, enc: text.encode(enc, "replace"), _csv_text, _encodings)

# --- adversarial FHIR JSON: resources with the right keys and wrong shapes, deep nesting, huge numbers
_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.text(max_size=10),
    st.sampled_from(["Patient", "Observation", "Bundle", "final", "http://loinc.org", "2132-9", "pg/mL"]),
)
_json = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                ["resourceType", "entry", "resource", "valueQuantity", "value", "code", "coding", "system",
                 "status", "subject", "reference", "extension", "url", "birthDate", "gender", "effectiveDateTime"]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=30,
)  # fmt: skip


def _fhir_like(document: Any, depth: int, digits: int) -> bytes:
    text = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": document}]})
    if depth:
        text = text[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    if digits:
        text = text.replace('"value": 0', '"value": ' + "9" * digits, 1)
    return text.encode()


fhir_bytes = st.builds(_fhir_like, _json, st.sampled_from([0, 0, 70, 3000]), st.sampled_from([0, 5000]))
any_file = st.one_of(st.binary(max_size=3000), csv_bytes, fhir_bytes, _json.map(lambda j: json.dumps(j).encode()))


def _read_or_refuse(data: bytes) -> None:
    detect_layout(data)
    try:
        read = read_cases(data)
        case_choices(read)  # the Explorer's dialog lists the cases of whatever was read (its column check too)
    except CaseError as err:
        assert err.field in ("file", "columns") and "\n" not in str(err), str(err)
        return
    check = check_csv(data)
    assert (check.problem is None) == (check.results is not None)


@settings(max_examples=300, deadline=None)
@given(data=any_file)
def test_every_reader_reads_or_refuses_in_one_line(data: bytes) -> None:
    _read_or_refuse(data)
    check = check_csv(data)
    assert check.problem is None or "\n" not in check.problem


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=any_file)
def test_the_cli_exits_0_or_2_with_one_line(data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    try:
        code = main(["batch", str(path), "-o", str(tmp_path / "out.csv")])
    except SystemExit as stop:
        code = int(stop.code or 0)
    err = capsys.readouterr().err
    assert code in (0, 2)
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("error: ")


@pytest.fixture(scope="module")
def batch_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/batch.py").run()
    return at


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=any_file)
def test_the_batch_page_never_raises(batch_page: AppTest, data: bytes) -> None:
    batch_page.get("file_uploader")[0].set_value(("x.csv", data, "text/csv"))
    batch_page.run()
    assert not batch_page.exception, [e.value for e in batch_page.exception]
    assert len(batch_page.error) <= 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=any_file)
def test_the_explorers_lab_file_dialog_never_raises(data: bytes) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.button(key="lab_case_button").click().run()
    at.get("file_uploader")[0].set_value(("x.json", data, "application/json"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
