"""b12logic.batch: the CSV contract of DESIGN.md, round trips, and evaluate_frame's shape.

Expected answers are DESIGN.md's (e.g. B12 179 pg/mL, no neuro, not severe -> deficient / oral_or_im).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from b12logic import Case, CaseError, evaluate
from b12logic.batch import (
    EXTRA_COLUMNS,
    RESULT_COLUMNS,
    assessment_cells,
    evaluate_frame,
    read_cases_csv,
    results_for_csv,
    row_to_case_kwargs,
    spreadsheet_safe,
    template_csv,
    write_results_csv,
)
from b12logic.fields import CSV_COLUMNS

# The columns CSV_TEXT has: the contract's first fourteen (the added optional ones are absent, as in old files).
FILE_COLUMNS = list(CSV_COLUMNS[: CSV_COLUMNS.index("on_folic_acid") + 1])

CONTRACT_RESULT_COLUMNS = [
    "b12_status",
    "regimen",
    "oral_alternative",
    "severe",
    "esr_flag",
    "esr_upper_limit",
    "next_steps",
    "pitfalls",
    "error",
]

CSV_TEXT = """id,age,sex,b12,b12_unit,mma,mma_unit,homocysteine,esr,mcv,hb,hb_unit,neuro_symptoms,on_folic_acid
r1,68,female,179,pg/mL,,,,30,,,,no,no
r2,71,M,260,,340,nmol/L,,36,,11.2,g/dL,yes,
r3,15,F,200,,,,,10,,,,,
r4,70,m,99,,,,,101,,,,,yes
r5,68,f,abc,,,,,30,,,,,
r6,68,f,132.102,pmol/L,0.271,µmol/L,,39,,,,,
r7,68,f,150,,,,,40,,79,g/L,,
r8,50,x,200,,,,,10,,,,,
"""


def read(text: str) -> pd.DataFrame:
    return read_cases_csv(text.encode("utf-8"))


def written_rows(results: pd.DataFrame) -> list[dict[str, str]]:
    text = write_results_csv(results)
    assert isinstance(text, str)
    return list(csv.DictReader(io.StringIO(text)))


def test_result_columns_are_the_contract() -> None:
    assert list(RESULT_COLUMNS) == CONTRACT_RESULT_COLUMNS
    assert EXTRA_COLUMNS == ("decision_path",)


def test_read_evaluate_write_keeps_every_row_in_order() -> None:
    df = read(CSV_TEXT)
    results = evaluate_frame(df)
    rows = written_rows(results)
    assert [r["id"] for r in rows] == ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"]
    assert list(rows[0]) == FILE_COLUMNS + CONTRACT_RESULT_COLUMNS
    by_id = {r["id"]: r for r in rows}

    # r1: B12 179 < 180 -> deficient; no neuro, not severe -> oral_or_im; woman 68: limit 39, ESR 30 normal.
    r1 = by_id["r1"]
    assert (r1["b12_status"], r1["regimen"], r1["oral_alternative"], r1["severe"]) == (
        "deficient",
        "oral_or_im",
        "true",
        "false",
    )
    assert (r1["esr_flag"], float(r1["esr_upper_limit"]), r1["error"]) == ("normal", 39.0, "")
    assert "do_not_stop_therapy" in r1["pitfalls"].split(";")
    assert "Find the cause" in r1["next_steps"]

    # r2: borderline B12, MMA 340 > 271 -> functional; neuro -> im_neuro; man 71: limit 35.5, ESR 36 elevated;
    # Hb 11.2 < 13 with ESR elevated -> anaemia_can_raise_esr.
    r2 = by_id["r2"]
    assert (r2["b12_status"], r2["regimen"], r2["oral_alternative"]) == ("functional_deficiency", "im_neuro", "false")
    assert (r2["esr_flag"], float(r2["esr_upper_limit"])) == ("elevated", 35.5)
    assert {"esr_needs_own_workup", "anaemia_can_raise_esr"} <= set(r2["pitfalls"].split(";"))

    # r4: B12 99 -> deficient and severe -> im_standard; ESR 101 -> markedly elevated; folic acid.
    r4 = by_id["r4"]
    assert (r4["b12_status"], r4["regimen"], r4["severe"], r4["esr_flag"]) == (
        "deficient",
        "im_standard",
        "true",
        "markedly_elevated",
    )
    assert "folate_before_b12" in r4["pitfalls"].split(";")

    # r6: 132.102 pmol/L = 179 pg/mL -> deficient; MMA 0.271 µmol/L irrelevant once deficient.
    assert by_id["r6"]["b12_status"] == "deficient"
    # r7: Hb 79 g/L = 7.9 g/dL < 8 -> severe -> im_standard.
    assert (by_id["r7"]["regimen"], by_id["r7"]["severe"]) == ("im_standard", "true")


def test_bad_rows_keep_their_place_with_error_and_blank_results() -> None:
    rows = written_rows(evaluate_frame(read(CSV_TEXT)))
    bad = {r["id"]: r for r in rows if r["error"]}
    assert set(bad) == {"r3", "r5", "r8"}
    assert bad["r3"]["error"].startswith("age: 15")
    assert "16 to 110 years" in bad["r3"]["error"]
    assert bad["r5"]["error"].startswith("b12: 'abc' is not a number")
    assert bad["r8"]["error"].startswith("sex: 'x'")
    for row in bad.values():
        for column in CONTRACT_RESULT_COLUMNS:
            if column != "error":
                assert row[column] == "", (row["id"], column)
    assert [r["id"] for r in rows].index("r3") == 2  # still in its place


def test_error_message_is_the_one_case_gives() -> None:
    df = read(CSV_TEXT)
    results = evaluate_frame(df)
    for i in range(len(df)):
        record = {k: v for k, v in df.iloc[i].items()}
        try:
            Case(**row_to_case_kwargs(record))
        except CaseError as err:
            assert results["error"].iloc[i] == str(err)
        else:
            assert results["error"].iloc[i] == ""


def test_input_columns_are_written_unchanged() -> None:
    text = 'ID,Age,Sex,B12,ESR,note\n 7 , 68 ,F,179, 30 ,"a, b"\nx-1,70,m,0179.0,35,=1+1\n'
    df = read(text)
    rows = written_rows(evaluate_frame(df))
    assert rows[0]["ID"] == " 7 "
    assert rows[0]["Age"] == " 68 "
    assert rows[0]["ESR"] == " 30 "
    assert rows[0]["note"] == "a, b"
    assert rows[1]["B12"] == "0179.0"
    assert rows[1]["note"] == "'=1+1"  # only formula-like text gains the quote
    assert rows[0]["b12_status"] == rows[1]["b12_status"] == "deficient"


def test_headers_any_case_any_order_extra_columns_kept() -> None:
    text = "ESR,notes,SEX,B12,Age,MMA,Neuro_Symptoms\n36,first,Male,260,71,340,YES\n30,second,female,179,68,,\n"
    df = read(text)
    results = evaluate_frame(df)
    assert list(results.columns[: len(df.columns)]) == ["ESR", "notes", "SEX", "B12", "Age", "MMA", "Neuro_Symptoms"]
    assert results["notes"].tolist() == ["first", "second"]
    assert results["b12_status"].astype(str).tolist() == ["functional_deficiency", "deficient"]
    assert results["regimen"].astype(str).tolist() == ["im_neuro", "oral_or_im"]
    assert results["esr_flag"].astype(str).tolist() == ["elevated", "normal"]


def test_semicolon_csv_with_decimal_commas() -> None:
    df = read("age;sex;b12;esr;hb\n68;F;179,5;30;7,9\n")
    results = evaluate_frame(df)
    assert results["b12_status"].iloc[0] == "deficient"
    assert bool(results["severe"].iloc[0]) is True  # Hb 7.9 < 8


@pytest.mark.parametrize("missing", ["age", "sex", "b12", "esr"])
def test_missing_required_column(missing: str) -> None:
    columns = [c for c in ("age", "sex", "b12", "esr") if c != missing]
    df = pd.DataFrame({c: ["1"] for c in columns})
    with pytest.raises(CaseError) as info:
        evaluate_frame(df)
    assert info.value.field == "columns"
    assert missing in str(info.value)


def test_duplicate_header_is_an_error() -> None:
    with pytest.raises(CaseError, match=r"^columns: 'b12' appears more than once"):
        read("age,sex,b12,B12,esr\n68,F,179,180,30\n")


@pytest.mark.parametrize(
    ("raw", "field"),
    [(b"", "file"), (b"   \n", "file"), (b"\x00\x01binary", "file"), (b"age,sex\n1,2,3,4,5\n", "file")],
)
def test_unreadable_files(raw: bytes, field: str) -> None:
    with pytest.raises(CaseError) as info:
        read_cases_csv(raw)
    assert info.value.field == field
    assert str(info.value).startswith("file: ")


def test_size_cap() -> None:
    with pytest.raises(CaseError, match=r"^file: .* over the limit"):
        read_cases_csv(CSV_TEXT.encode(), max_bytes=10)


def test_read_from_path_and_handles(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    from_path = read_cases_csv(str(path))
    from_bytes_handle = read_cases_csv(io.BytesIO(CSV_TEXT.encode()))
    from_text_handle = read_cases_csv(io.StringIO(CSV_TEXT))
    pd.testing.assert_frame_equal(from_path, from_bytes_handle)
    pd.testing.assert_frame_equal(from_path, from_text_handle)
    assert len(from_path) == 8


def test_keeps_na_like_text_as_text() -> None:
    df = read("id,age,sex,b12,esr\nNA,68,F,179,30\nnull,68,F,179,30\n")
    assert df["id"].tolist() == ["NA", "null"]
    rows = written_rows(evaluate_frame(df))
    assert [r["id"] for r in rows] == ["NA", "null"]


def test_write_to_path(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert write_results_csv(evaluate_frame(read(CSV_TEXT)), str(out)) is None
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 8


# --- Spreadsheet safety


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd", "'+cmd"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("-inf", "'-inf"),  # not a number in the reader's sense
        ("-5", "-5"),
        ("-5.5", "-5.5"),
        ("+3", "+3"),
        ("-1e3", "-1e3"),
        ("ok", "ok"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_safe_cells(cell: str, written: str) -> None:
    assert spreadsheet_safe(pd.Series([cell], dtype=object)).tolist() == [written]
    assert spreadsheet_safe(pd.Series([cell], dtype="string")).tolist() == [written]
    assert spreadsheet_safe(pd.Series([cell], dtype="category")).astype(object).tolist() == [written]
    for storage in ("python", "pyarrow"):  # Arrow text prefixes only the rows to fix (csv_cells._prefixed_arrow)
        text = pd.StringDtype(storage, na_value=np.nan)
        assert spreadsheet_safe(pd.Series([cell], dtype=text)).tolist() == [written]


def test_spreadsheet_safe_arrow_text_keeps_every_other_row_its_dtype_and_index() -> None:
    cells = ["ok", "=1+1", None, "-5", "@x", "", "-x", "plain"] * 3
    index = pd.RangeIndex(100, 100 + len(cells))
    arrow = pd.Series(cells, dtype=pd.StringDtype("pyarrow", na_value=np.nan), index=index, name="note")
    python = pd.Series(cells, dtype=pd.StringDtype("python", na_value=np.nan), index=index, name="note")
    safe = spreadsheet_safe(arrow)
    assert safe.dtype == arrow.dtype and safe.name == "note" and safe.index.equals(index)
    assert safe.tolist() == spreadsheet_safe(python).tolist()
    assert safe.iloc[:8].fillna("<NA>").tolist() == ["ok", "'=1+1", "<NA>", "-5", "'@x", "", "'-x", "plain"]


def test_spreadsheet_safety_in_written_csv() -> None:
    text = "id,age,sex,b12,esr,note\n=cmd|' /C calc'!A0,68,F,179,30,-5\n@x,68,F,179,30,\"\t=1\"\n"
    rows = written_rows(evaluate_frame(read(text)))
    assert rows[0]["id"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["note"] == "-5"
    assert rows[1]["id"] == "'@x"
    assert rows[1]["note"] == "'\t=1"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value


def test_error_cells_are_safe_too() -> None:
    # A junk value that starts like a formula is quoted back in the error message; the cell must stay text.
    rows = written_rows(evaluate_frame(read("age,sex,b12,esr\n68,=1+1,179,30\n")))
    assert rows[0]["sex"] == "'=1+1"
    assert rows[0]["error"].startswith("sex: ")


def test_results_for_csv_booleans_and_columns() -> None:
    out = results_for_csv(evaluate_frame(read(CSV_TEXT)))
    assert "decision_path" not in out.columns
    assert set(out["oral_alternative"].dropna()) <= {"true", "false"}
    assert out["severe"].isna().sum() == 3  # the three bad rows


# --- evaluate_frame


def test_evaluate_frame_matches_evaluate_on_the_sample() -> None:
    df = read(CSV_TEXT)
    results = evaluate_frame(df, guideline="bsh-2014")
    for i in range(len(df)):
        try:
            case = Case(**row_to_case_kwargs(dict(df.iloc[i].items())))
        except CaseError:
            continue
        expected = assessment_cells(evaluate(case, "bsh-2014"))
        for name, value in expected.items():
            got = results[name].iloc[i]
            assert (bool(got) if isinstance(value, bool) else got) == value, (i, name)


def test_evaluate_frame_keeps_index_and_does_not_modify_input() -> None:
    df = pd.DataFrame(
        {"age": [68, 71, 15], "sex": ["F", "M", "F"], "b12": [179.0, 400.0, 200.0], "esr": [30, 36, 10]},
        index=[10, 5, 7],
    )
    before = df.copy()
    results = evaluate_frame(df)
    pd.testing.assert_frame_equal(df, before)
    assert results.index.tolist() == [10, 5, 7]
    assert results["b12_status"].astype(object).tolist()[:2] == ["deficient", "normal"]
    assert str(results.loc[7, "error"]).startswith("age: 15")


def test_evaluate_frame_on_numeric_and_bool_columns() -> None:
    df = pd.DataFrame(
        {
            "age": [68, 68],
            "sex": ["F", "F"],
            "b12": [179.0, np.nan],
            "esr": [30, 30],
            "neuro_symptoms": [True, False],
            "mma": [np.nan, np.nan],
        }
    )
    results = evaluate_frame(df)
    assert results["regimen"].iloc[0] == "im_neuro"
    assert results["error"].iloc[1].startswith("b12: missing")


def test_bool_in_a_number_column_is_an_error() -> None:
    df = pd.DataFrame({"age": [68], "sex": ["F"], "b12": [True], "esr": [30]})
    results = evaluate_frame(df)
    assert results["error"].iloc[0].startswith("b12: true is not a number")


def test_empty_frame() -> None:
    df = read("age,sex,b12,esr\n")
    results = evaluate_frame(df)
    assert len(results) == 0
    assert set(CONTRACT_RESULT_COLUMNS) <= set(results.columns)
    assert written_rows(results) == []


def test_unknown_guideline() -> None:
    with pytest.raises(CaseError, match=r"^guideline:"):
        evaluate_frame(read(CSV_TEXT), guideline="who")


def test_row_to_case_kwargs_defaults() -> None:
    kwargs = row_to_case_kwargs({"age": "68", "sex": "F", "b12": "179", "esr": "30", "mma": " ", "b12_unit": ""})
    assert kwargs["mma"] is None
    assert (kwargs["b12_unit"], kwargs["mma_unit"], kwargs["hb_unit"]) == ("pg/mL", "nmol/L", "g/dL")
    assert kwargs["neuro_symptoms"] is False and kwargs["on_folic_acid"] is False
    assert kwargs["id"] is None


# --- Template


def test_template_has_the_contract_columns_and_round_trips() -> None:
    text = template_csv()
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(CSV_COLUMNS)
    df = read(text)
    assert len(df) >= 2
    results = evaluate_frame(df)
    assert (results["error"] == "").all()
    rows = written_rows(results)
    assert [r["id"] for r in rows] == df["id"].tolist()
    for column in CSV_COLUMNS:
        assert [r[column] for r in rows] == df[column].tolist()
    # Example 1 is DESIGN.md's example: woman 68, B12 179, ESR 30 -> deficient, oral_or_im, ESR normal (limit 39).
    assert (rows[0]["b12_status"], rows[0]["regimen"], rows[0]["esr_flag"]) == ("deficient", "oral_or_im", "normal")
    # Example 2: man 71, B12 260 + MMA 340 + neuro -> functional deficiency, im_neuro; ESR 36 > 35.5 elevated.
    assert (rows[1]["b12_status"], rows[1]["regimen"], rows[1]["esr_flag"]) == (
        "functional_deficiency",
        "im_neuro",
        "elevated",
    )


def test_output_reads_back_as_the_same_input() -> None:
    # Round trip: the written CSV, read again as cases, evaluates to the same results.
    first = evaluate_frame(read(CSV_TEXT))
    text = write_results_csv(first)
    assert isinstance(text, str)
    again = read_cases_csv(text.encode())
    pd.testing.assert_frame_equal(again[FILE_COLUMNS], read(CSV_TEXT)[FILE_COLUMNS])
    assert again["b12_status"].tolist() == [str(x) if isinstance(x, str) else "" for x in first["b12_status"]]
