"""b12logic.labs.long_csv (and b12logic.labs): a long LOINC-coded CSV read into cases, then evaluated."""

from __future__ import annotations

import io
import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b12logic.batch import RESULT_COLUMNS, evaluate_frame, read_cases_csv, template_csv
from b12logic.labs import detect_layout, evaluate_cases, read_cases, wide_to_long
from b12logic.labs.long_csv import WIDE_COLUMNS, collection_date, long_template_csv
from b12logic.validate import CaseError
from tests.test_labs_loinc import PAIRS

HEAD = "patient_id,collected,age,sex,loinc,value,unit\n"
BASE = "P1,2024-05-01,68,F,2132-9,179,pg/mL\nP1,2024-05-01,68,F,4537-7,30,mm/h\n"


def read(text: str):  # type: ignore[no-untyped-def]
    return read_cases(text.encode("utf-8"))


def one_case(text: str) -> dict[str, str]:
    frame = read(text).frame
    assert len(frame) == 1, frame
    return {k: str(v) for k, v in frame.iloc[0].to_dict().items()}


@pytest.mark.parametrize(("code", "unit", "project"), PAIRS)
def test_each_code_and_unit_fills_its_column(code: str, unit: str, project: str) -> None:
    row = one_case(
        HEAD + BASE.replace("2132-9,179,pg/mL", "2132-9,179,pg/mL") + f"P1,2024-05-01,68,F,{code},7.5,{unit}\n"
    )
    field = {"2132-9": "b12", "14685-2": "b12", "4537-7": "esr", "30341-2": "esr"}.get(code)
    if field is not None:  # a second B12 or ESR: two different results, named both
        assert f"{field}: 2 different results in one case" in row["error"]
        return
    column = {
        "13964-2": "mma",
        "13965-9": "homocysteine",
        "72160-5": "active_b12",
        "1988-5": "crp",
        "718-7": "hb",
        "787-2": "mcv",
    }[code]
    assert row[column] == "7.5" and row["error"] == ""
    if f"{column}_unit" in row:
        assert row[f"{column}_unit"] == project


@pytest.mark.parametrize(("code", "unit", "project"), [p for p in PAIRS if p[0] in ("2132-9", "14685-2")])
def test_b12_codes_and_units_reach_the_engine(code: str, unit: str, project: str) -> None:
    value = "150" if project == "pg/mL" else "110.7"  # 150 pg/mL = 110.7 pmol/L: deficient either way
    results = evaluate_cases(
        read(HEAD + f"P1,2024-05-01,68,F,{code},{value},{unit}\nP1,2024-05-01,68,F,4537-7,30,mm/h\n")
    )
    assert results.loc[0, "b12_unit"] == project
    assert results.loc[0, "b12_status"] == "deficient" and results.loc[0, "error"] == ""


def test_rows_are_grouped_by_patient_and_collection_day() -> None:
    text = HEAD + (
        "P1,2024-05-01T08:10,68,F,2132-9,179,pg/mL\n"
        "P2,2024-05-01,71,M,2132-9,600,pg/mL\n"
        "P1,2024-05-01 16:45,68,F,4537-7,30,mm/h\n"  # same day, later: the same case
        "P1,20240901,68,F,2132-9,400,pg/mL\n"  # another day: another case
        "P2,2024-05-01,71,M,4537-7,12,mm/h\n"
        "P1,2024-09-01,68,F,4537-7,45,mm/h\n"
    )
    lab = read(text)
    frame = lab.frame
    assert frame["id"].tolist() == ["P1/2024-05-01", "P2/2024-05-01", "P1/2024-09-01"]  # first appearance
    assert frame["b12"].tolist() == ["179", "600", "400"] and frame["esr"].tolist() == ["30", "12", "45"]
    assert frame["collected"].tolist() == ["2024-05-01", "2024-05-01", "2024-09-01"]
    assert (lab.report.patients, lab.report.cases, lab.report.observations) == (2, 3, 6)  # type: ignore[union-attr]
    results = evaluate_cases(lab)
    assert results["b12_status"].astype(str).tolist() == ["deficient", "normal", "normal"]


def test_without_a_date_column_one_case_per_patient() -> None:
    frame = read("patient_id,loinc,value,unit\nA,2132-9,179,pg/mL\nA,4537-7,30,mm/h\nB,2132-9,200,pg/mL\n").frame
    assert frame["id"].tolist() == ["A", "B"] and frame["collected"].tolist() == ["", ""]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("P1,2024-05-01,68,F,2132-9,179,pg/mL\n", "esr: no ESR result in this case (LOINC 4537-7 or 30341-2)"),
        ("P1,2024-05-01,68,F,4537-7,30,mm/h\n", "b12: no total B12 result in this case (LOINC 2132-9 or 14685-2)"),
        (
            BASE + "P1,2024-05-01,68,F,2132-9,250,pg/mL\n",
            "b12: 2 different results in one case ('179 pg/mL' and '250 pg/mL'); keep one",
        ),
        (
            BASE + "P1,2024-05-01,68,F,4537-7,31,mm/h\n",
            "esr: 2 different results in one case ('30 mm/h' and '31 mm/h')",
        ),
        (
            BASE.replace("179,pg/mL", "179,mg/dL"),
            "b12: unit 'mg/dL' does not fit LOINC 2132-9 (Cobalamin [Mass/volume] in Serum or Plasma; one of pg/mL, pmol/L)",
        ),
        (BASE.replace("2132-9,179,pg/mL", "14685-2,179,pg/mL"), "b12: unit 'pg/mL' does not fit LOINC 14685-2"),
        (BASE.replace("30,mm/h", "30,"), "esr: no unit does not fit LOINC 4537-7"),
        (BASE.replace("179,pg/mL", "high,pg/mL"), "b12: 'high' is not a number (LOINC 2132-9)"),
        (BASE.replace("30,mm/h", "<5,mm/h"), "esr: '<5' is not a number (LOINC 4537-7)"),
        (BASE + "P1,2024-05-01,69,F,718-7,12,g/dL\n", "age: 2 different values in one case ('68' and '69')"),
        (BASE + "P1,2024-05-01,68,M,718-7,12,g/dL\n", "sex: 2 different values in one case ('F' and 'M')"),
        (BASE.replace("2024-05-01", "01/05/2024"), "collected: '01/05/2024' is not a date (YYYY-MM-DD)"),
        (BASE.replace("P1,", ",", 1), "patient_id: blank"),
    ],
)
def test_bad_input_keeps_its_row_with_the_problem(rows: str, message: str) -> None:
    results = evaluate_cases(read(HEAD + rows))
    errors = results["error"].astype(str).tolist()
    assert any(message in e for e in errors), errors
    bad = results[results["error"].astype(str).str.contains(message, regex=False)]
    assert bad["b12_status"].isna().all() and bad["esr_flag"].isna().all()  # no answer from half a case


def test_the_same_result_twice_is_one_result() -> None:
    row = one_case(HEAD + BASE + "P1,2024-05-01,68,F,2132-9,179.0,ng/L\nP1,2024-05-01,68,female,4537-7,30,mm/h\n")
    assert row["error"] == "" and row["b12"] in ("179", "179.0")


def test_the_same_b12_in_both_units_is_one_result() -> None:
    row = one_case(HEAD + BASE + "P1,2024-05-01,68,F,14685-2,132.102,pmol/L\n")
    assert row["error"] == "", row["error"]


def test_a_blank_value_means_not_measured() -> None:
    lab = read(HEAD + BASE + "P1,2024-05-01,68,F,13964-2,,nmol/L\n")
    assert lab.frame.loc[0, "mma"] == "" and lab.frame.loc[0, "error"] == ""
    assert lab.report.blank_values == 1  # type: ignore[union-attr]


def test_unknown_codes_are_reported_and_kept() -> None:
    lab = read(HEAD + BASE + "P1,2024-05-01,68,F,2345-7,5.1,mmol/L\nP1,2024-05-01,68,F,2345-7,5.3,mmol/L\n,,,,,,\n")
    report = lab.report
    assert report is not None
    assert report.unknown_codes == {"2345-7": 2, "": 1}
    assert "unknown codes: 2345-7 (2), (blank) (1)" in report.summary()
    assert lab.frame.loc[0, "other_results"] == "LOINC 2345-7: 5.1 mmol/L; LOINC 2345-7: 5.3 mmol/L"
    assert report.used == 2 and report.observations == 5


def test_extra_columns_are_kept_per_case() -> None:
    text = "patient_id,ward,loinc,value,unit,age,sex\nP1,7,2132-9,179,pg/mL,68,F\nP1,7,4537-7,30,mm/h,68,F\nP2,8,2132-9,179,pg/mL,70,M\nP2,9,4537-7,30,mm/h,70,M\n"
    frame = read(text).frame
    assert frame["ward"].tolist() == ["7", "8; 9"]  # two different values: both kept
    results = evaluate_cases(read(text))
    assert list(results.columns[: len(WIDE_COLUMNS)]) == list(WIDE_COLUMNS)
    assert list(results.columns[-len(RESULT_COLUMNS) - 1 :]) == [*RESULT_COLUMNS, "decision_path"]


def test_per_case_flags_and_words() -> None:
    row = one_case(
        "patient_id,loinc,value,unit,age,sex,neuro_symptoms\nP1,2132-9,400,pg/mL,68,female,yes\nP1,4537-7,30,mm/h,68,F,\n"
    )
    assert row["sex"] == "female" and row["neuro_symptoms"] == "yes" and row["error"] == ""


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("patient_id,loinc,value\n", "columns: missing required column(s) unit of a long file"),
        ("patient_id,loinc,value,unit,unit\n", "columns: 'unit' appears more than once"),
        ("patient_id,loinc,value,unit,b12\n", "columns: 'b12' cannot be a column of a long file"),
    ],
)
def test_bad_columns_are_one_message(header: str, message: str) -> None:
    with pytest.raises(CaseError) as err:
        read(header + ",".join(["P1", "2132-9", "179", "pg/mL", "x"][: header.count(",") + 1]) + "\n")
    assert message in str(err.value)


def test_layouts_are_detected() -> None:
    assert detect_layout(b"\xef\xbb\xbfPatient_ID;LOINC;Value;Unit\n") == "long"
    assert detect_layout(template_csv().encode()) == "wide"
    assert detect_layout(b'\n  {"resourceType": "Patient"}') == "fhir"
    assert read_cases(template_csv().encode()).report is None


def test_collection_dates() -> None:
    assert collection_date("2024-02-29") == "2024-02-29" and collection_date("2023-02-29") is None
    assert collection_date("2024-05-01T23:59:59+02:00") == "2024-05-01" and collection_date("yesterday") is None


def test_long_template_gives_the_wide_templates_answers() -> None:
    wide = evaluate_frame(read_cases_csv(template_csv().encode()))
    long = evaluate_cases(read(long_template_csv()))
    assert long["patient_id"].tolist() == wide["id"].tolist()
    for name in RESULT_COLUMNS:
        assert long[name].astype(str).tolist() == wide[name].astype(str).tolist(), name


# --- wide -> long -> wide gives the same results

_number = st.integers(0, 10**6).map(lambda n: str(n / 100))
_case = st.fixed_dictionaries(
    {
        "age": st.integers(10, 115).map(str),
        "sex": st.sampled_from(["female", "male", "F", "m"]),
        "b12": st.sampled_from(["0", "20", "99", "150", "179", "180", "350", "351", "2500"]) | _number,
        "b12_unit": st.sampled_from(["pg/mL", "pmol/L", ""]),
        "mma": st.sampled_from(["", "", "200", "271", "272", "0.3"]),
        "mma_unit": st.sampled_from(["nmol/L", "µmol/L", ""]),
        "esr": st.sampled_from(["0", "10", "35", "100", "210"]) | _number,
        "hb": st.sampled_from(["", "7.9", "11", "14", "120"]),
        "hb_unit": st.sampled_from(["g/dL", "g/L", ""]),
        "mcv": st.sampled_from(["", "80", "105"]),
        "homocysteine": st.sampled_from(["", "12", "30"]),
        "neuro_symptoms": st.sampled_from(["yes", "no", ""]),
        "on_folic_acid": st.sampled_from(["yes", "no", ""]),
        "active_b12": st.sampled_from(["", "", "20", "50", "90"]),
        "crp": st.sampled_from(["", "3", "12", "0.8", "600"]),
        "crp_unit": st.sampled_from(["mg/L", "mg/dL", ""]),
        "pregnant": st.sampled_from(["", "no", "yes"]),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_case, min_size=1, max_size=12))
def test_wide_to_long_to_wide_gives_the_same_results(cases: list[dict[str, str]]) -> None:
    wide = pd.DataFrame([{"id": f"case-{i}", **c} for i, c in enumerate(cases)]).astype(str)
    expected = evaluate_frame(wide)
    buffer = io.StringIO()
    wide_to_long(wide).to_csv(buffer, index=False)
    back = evaluate_cases(read(buffer.getvalue()))
    assert back["id"].tolist() == wide["id"].tolist()
    for name in RESULT_COLUMNS:
        if name == "error":  # a case's message may name the lab's code; whether there is one is the same
            assert (back[name] != "").tolist() == (expected[name] != "").tolist()
        else:
            assert back[name].astype(str).tolist() == expected[name].astype(str).tolist(), name


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(string.ascii_letters + string.digits + " ,;\"'=-", max_size=8), min_size=1, max_size=30))
def test_any_cells_give_one_row_per_case_or_a_clear_error(cells: list[str]) -> None:
    rows = [[c, c[:3], c[-3:], c[:1]] for c in cells]
    frame = pd.DataFrame(rows, columns=["patient_id", "loinc", "value", "unit"])
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    lab = read(buffer.getvalue())
    results = evaluate_cases(lab)
    assert len(results) == lab.report.cases == len(set(frame["patient_id"].str.strip()))  # type: ignore[union-attr]
    assert ((results["error"] != "") | results["b12_status"].notna()).all()  # an answer or a reason, per case


def test_crp_in_both_units_is_compared_as_one_amount() -> None:
    same = one_case(HEAD + BASE + "P1,2024-05-01,68,F,1988-5,5,mg/dL\nP1,2024-05-01,68,F,1988-5,50,mg/L\n")
    assert same["error"] == "" and (same["crp"], same["crp_unit"]) == ("5", "mg/dL")  # the first one given
    other = one_case(HEAD + BASE + "P1,2024-05-01,68,F,1988-5,5,mg/dL\nP1,2024-05-01,68,F,1988-5,40,mg/L\n")
    assert "crp: 2 different results in one case ('5 mg/dL' and '40 mg/L')" in other["error"]


def test_the_added_inputs_reach_the_engine() -> None:
    text = (
        "patient_id,age,sex,pregnant,loinc,value,unit\n"
        "P1,30,F,yes,2132-9,400,pg/mL\nP1,30,F,yes,4537-7,40,mm/h\nP1,30,F,yes,72160-5,20,pmol/L\n"
        "P1,30,F,yes,1988-5,12,mg/L\n"
        "P2,60,M,yes,2132-9,400,pg/mL\nP2,60,M,yes,4537-7,40,mm/h\n"
    )
    results = evaluate_cases(read(text))
    assert results.loc[0, ["active_b12", "crp", "crp_unit", "pregnant"]].tolist() == ["20", "12", "mg/L", "yes"]
    assert results.loc[0, "error"] == ""
    assert results.loc[1, "error"].startswith("pregnant:")  # the engine's own rule: women 16-55 only


@pytest.mark.parametrize(
    "text",
    [
        HEAD + BASE + "P2,2024-05-01,70,M,2132-9,150,pg/mL\n",
        HEAD.replace(",", ";") + BASE.replace(",", ";"),
        HEAD + BASE.replace("\n", "\r\n"),
        HEAD + BASE + 'P3,2024-05-01,70,M,2132-9,"1,5e2",pg/mL\n',
        HEAD + BASE + "P3,2024-05-01,70\n",  # a short row: pandas' reading, not pyarrow's
        HEAD + "P\xe9,2024-05-01,70,M,2132-9,150,pg/mL\n",  # not UTF-8 once encoded as Latin-1 below
    ],
)
def test_a_long_file_read_from_its_path_is_read_as_from_its_bytes(tmp_path, text: str) -> None:  # type: ignore[no-untyped-def]
    data = text.encode("latin-1") if "\xe9" in text else text.encode("utf-8")
    path = tmp_path / "lab.csv"
    path.write_bytes(data)
    from_path, from_bytes = read_cases(str(path)), read_cases(data)
    assert from_path.frame.astype(str).equals(from_bytes.frame.astype(str))
    assert from_path.report.summary() == from_bytes.report.summary()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "no_cr", "line_end"),
    [
        (HEAD + BASE, True, b"\n"),
        (HEAD + BASE.replace("\n", "\r\n"), True, b"\n"),  # CRLF line ends: no cell holds the CR
        (HEAD + BASE + 'P2,2024-05-01,"70",M,2132-9,150,pg/mL\r\n', False, b"\n"),  # a quote and a CR: pandas reads it
        (HEAD + BASE + '"P\r2",2024-05-01,70,M,2132-9,150,pg/mL\n', False, b"\r\n"),  # a CR inside a cell
    ],
)
def test_the_batch_looks_for_a_carriage_return_only_where_a_cell_could_hold_one(
    text: str, no_cr: bool, line_end: bytes
) -> None:
    """A long file read by the stream's plan cannot have a CR in a cell (LabRead.no_cr), so the batch skips its
    cell-by-cell search; a file that might is still searched, and a CR found makes every line end CRLF."""
    from b12logic.batch import open_batch, write_batch

    data = text.encode("utf-8")
    assert read_cases(data).no_cr is no_cr
    out = io.StringIO(newline="")
    write_batch(open_batch(data), out)
    written = out.getvalue().encode("utf-8")
    assert written.split(b"\n", 1)[0].endswith(b"\r") is (line_end == b"\r\n")
