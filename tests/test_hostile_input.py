"""Issue 22: hostile and oversized files give the normal one-line file error, never an exception.

Every file here is made by the test. Each goes through every reader (read_cases from bytes and from a path,
the Batch page's check_csv) and the command line (exit 2, one line on stderr, no traceback).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from b12logic import budget
from b12logic.batch_check import check_csv
from b12logic.cli import main
from b12logic.labs import detect_layout, read_cases
from b12logic.validate import CaseError

ROOT = Path(__file__).resolve().parents[1]


def _observation(extra: dict | None = None, value: object = 179) -> dict:
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "2132-9"}]},
        "effectiveDateTime": "2024-05-01",
        "valueQuantity": {"value": value, "system": "http://unitsofmeasure.org", "code": "pg/mL"},
    }
    obs.update(extra or {})
    return obs


def _bundle(*resources: dict) -> bytes:
    entries = [{"resource": {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1956-03-02"}}]
    entries += [{"resource": r} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


def _nested_extension(depth: int) -> list:
    extension: list = [{"url": "http://example.org/leaf", "valueString": "x"}]
    for _ in range(depth):
        extension = [{"url": "http://example.org/x", "extension": extension}]
    return extension


LONG_ROWS = "patient_id,age,sex,loinc,value,unit\r\nP1,68,F,2132-9,179,pg/mL\r\nP1,68,F,4537-7,30,mm/h\r\n"
# (id, file bytes, words the one-line message must hold)
HOSTILE: list[tuple[str, bytes, str]] = [
    (
        "json-nested-10000",
        b'{"resourceType": "Bundle", "type": "collection", "entry": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        "nested more than 64 levels",
    ),
    (
        "fhir-extension-200-deep",
        _bundle(_observation({"extension": _nested_extension(200)})),
        "nested more than 64 levels",
    ),
    (
        "fhir-value-5000-digits",
        _bundle(_observation()).replace(b'"value": 179', b'"value": ' + b"9" * 5000),
        "a number in the JSON is too long",
    ),
    ("ndjson-nested", b'{"resourceType": "Patient"}\n' + b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}\n", "nested"),
    ("csv-200000-columns", b",".join(b"c%d" % i for i in range(200_000)) + b"\n" + b"1," * 199_999 + b"1\n", "columns"),
    ("csv-unterminated-quote", b'id,age,sex,b12,esr,note\nA,68,F,179,30,"open\n' + b"B,68,F,179,30,x\n" * 50, "quote"),
    ("csv-nul-bytes", b"age,sex,b12,esr\n68,F,\x00179,30\n", "binary"),
    ("utf16-odd-length", "age,sex,b12,esr\r\n68,F,179,30\r\n".encode("utf-16") + b"\x00", ""),
]


def _one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("name,data,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_every_reader_gives_one_line(name: str, data: bytes, words: str, tmp_path: Path) -> None:
    with pytest.raises(CaseError) as raised:
        read_cases(data)
    _one_line(str(raised.value))
    assert words in str(raised.value)
    path = tmp_path / ("f.json" if data.lstrip().startswith(b"{") else "f.csv")
    path.write_bytes(data)
    with pytest.raises(CaseError) as from_path:
        read_cases(str(path))
    assert words in str(from_path.value)
    check = check_csv(data)
    assert check.problem is not None and check.results is None
    _one_line(check.problem)


@pytest.mark.parametrize("name,data,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_cli_exit_2_and_one_line(
    name: str, data: bytes, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    with pytest.raises(SystemExit) as stopped:
        main(["batch", str(path), "-o", str(tmp_path / "out.csv")])
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip()
    _one_line(err)
    assert words in err
    assert not (tmp_path / "out.csv").exists() or words == "quote"


def test_cli_in_a_real_process_shows_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(HOSTILE[1][1])
    done = subprocess.run(
        [sys.executable, "-m", "b12logic", "batch", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stdout == ""


def test_utf16_crlf_long_csv_is_read_as_long(tmp_path: Path) -> None:
    """Excel's "Unicode text" is UTF-16 with CRLF; the long layout must be found in it (the CLI read it as wide)."""
    for text in (LONG_ROWS, LONG_ROWS.replace(",", "\t")):
        data = text.encode("utf-16")
        assert detect_layout(data) == "long"
        read = read_cases(data)
        assert read.report is not None and read.frame.loc[0, "b12"] == "179" and read.frame.loc[0, "esr"] == "30"
        path = tmp_path / "utf16.csv"
        path.write_bytes(data)
        assert read_cases(str(path)).frame.loc[0, "b12"] == "179"
        assert main(["batch", str(path), "-o", str(tmp_path / "out.csv")]) == 0
        out = (tmp_path / "out.csv").read_text().splitlines()
        assert len(out) == 2 and ",deficient," in out[1]


def test_fhir_resources_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "MAX_FHIR_RESOURCES", 3)
    fine = _bundle(_observation(), _observation())
    assert read_cases(fine).report is not None
    with pytest.raises(CaseError, match="5 FHIR resources is over the limit of 3"):
        read_cases(_bundle(_observation(), _observation(), _observation()))


def test_rows_and_cells_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = b"age,sex,b12,esr\n" + b"68,F,179,30\n" * 10
    monkeypatch.setattr(budget, "MAX_CASES", 10)
    assert len(read_cases(rows).frame) == 10
    with pytest.raises(CaseError, match="11 rows is over the limit of 10 rows"):
        read_cases(rows + b"68,F,179,30\n")
    monkeypatch.setattr(budget, "MAX_CELLS", 40)
    with pytest.raises(CaseError, match="over the limit of 40 cells"):
        read_cases(rows)


def test_columns_at_the_limit_are_read() -> None:
    names = ["age", "sex", "b12", "esr"] + [f"x{i}" for i in range(budget.MAX_COLUMNS - 4)]
    data = (",".join(names) + "\n" + ",".join(["68", "F", "179", "30"] + [""] * (len(names) - 4)) + "\n").encode()
    assert read_cases(data).frame.shape == (1, budget.MAX_COLUMNS)
    with pytest.raises(CaseError, match="257 columns is over the limit of 256"):
        read_cases(data.replace(b"\n", b",y\n", 1))


# --- Finding 4: a quote left open, or a cell swallowing many rows, is reported (row, column), not written


def _issue_quote_file(rows: int = 200_000) -> bytes:
    return b'id,age,sex,b12,esr,note\nA,68,F,179,30,"unterminated\n' + b"B,68,F,179,30,fine\n" * rows


@pytest.mark.parametrize("to_stdout", [False, True])
def test_unterminated_quote_is_reported_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], to_stdout: bool
) -> None:
    path = tmp_path / "quote.csv"
    path.write_bytes(_issue_quote_file())
    out = tmp_path / "out.csv"
    with pytest.raises(SystemExit) as stopped:
        main(["batch", str(path)] if to_stdout else ["batch", str(path), "-o", str(out)])
    captured = capsys.readouterr()
    assert stopped.value.code == 2
    assert captured.err.strip() == (
        "error: file: row 1, column note: a quote opens a cell that never closes (the rest of the file would be "
        "one cell); close or remove the quote"
    )
    assert captured.out == "" and not out.exists()
    assert (check_csv(path.read_bytes()).problem or "").startswith("Row 1, column note: a quote opens a cell")


def test_a_cell_swallowing_many_rows_is_reported() -> None:
    swallowed = b'id,age,sex,b12,esr,note\nA,68,F,179,30,x\nB,68,F,179,30,"starts here\n' + b"C,68,F,179,30,x\n" * 40
    with pytest.raises(CaseError, match=r"row 2, column note: a quoted cell runs over 42 lines"):
        read_cases(swallowed + b'D,68,F,179,30,ends here"\n')


def test_a_note_with_a_few_line_breaks_is_still_one_cell(tmp_path: Path) -> None:
    data = b'id,age,sex,b12,esr,note\nA,68,F,179,30,"line one\nline two\nline three"\nB,68,F,179,30,x\n'
    assert read_cases(data).frame["note"].tolist() == ["line one\nline two\nline three", "x"]


# --- Finding 5: a short or long row keeps the stream going (it no longer sends the file the whole-file way)


def _whole_file_refused(*_: object, **__: object) -> None:
    raise AssertionError("the whole-file path was taken")


@pytest.mark.parametrize(
    "odd_row,expected_error",
    [
        (b"Z,68,F\n", "b12: missing"),  # short: the missing cells are blank, as the whole-file reader reads them
        (b"Z,68,F,179,30,,\n", ""),  # long, with blank cells only: dropped, as the whole-file reader drops them
    ],
)
def test_an_odd_row_at_the_end_keeps_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd_row: bytes, expected_error: str
) -> None:
    import io

    import b12logic.batch_stream as batch_stream
    import b12logic.labs as labs

    path = tmp_path / "cases.csv"
    path.write_bytes(b"id,age,sex,b12,esr\n" + b"A,68,F,179,30\n" * 50_000 + odd_row)
    monkeypatch.setattr(labs, "read_cases_csv", _whole_file_refused)  # the whole-file way reads there
    out = io.StringIO()
    assert batch_stream.stream_batch(str(path), out, block_bytes=1 << 16)[0] == 50_001
    last = out.getvalue().splitlines()[-1]
    assert last.startswith("Z,68,F,") and (expected_error in last if expected_error else last.endswith(","))


def test_a_long_row_with_filled_cells_is_refused_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(b"id,age,sex,b12,esr\n" + b"A,68,F,179,30\n" * 10 + b"Z,68,F,179,30,oops\n" + b"A,68,F,179,30\n")
    out = tmp_path / "out.csv"
    with pytest.raises(SystemExit):
        main(["batch", str(path), "-o", str(out)])
    assert "row 11 has more cells than the 5 named in the header row" in capsys.readouterr().err
    assert not out.exists()


def test_a_header_past_64_kib_is_counted_in_full(tmp_path: Path) -> None:
    data = HOSTILE[4][1]  # 200,000 columns: the header alone is about 1.3 MB
    assert b"\n" not in data[: 1 << 16]
    with pytest.raises(CaseError, match="200,000 columns is over the limit of 256"):
        read_cases(data)
    assert (check_csv(data).problem or "").startswith("200,000 columns is over the limit of 256 columns")
