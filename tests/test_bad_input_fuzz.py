"""Property-based fuzz of the CSV reader, the vectorised batch and the link parser.

Whatever comes in: no exception escapes (bar the documented file-level CaseError naming "file" or
"columns"), every input row comes out, and each row's answer or error is exactly what the scalar
Case and evaluate give for the same cells.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b12logic import Case, CaseError, evaluate
from b12logic.batch import assessment_cells, evaluate_frame, read_cases_csv, row_to_case_kwargs, write_results_csv
from b12logic.fields import CSV_COLUMNS, LINK_ONLY_FIELDS
from b12logic.urlstate import CASE_PARAMS, EXTRA_PARAMS, PAGE_PARAMS, parse_query, query_from_values

# The contract columns, an optional context column, and an extra column the batch must keep.
COLUMNS = (*CSV_COLUMNS, *LINK_ONLY_FIELDS, "note")
PLAUSIBLE = [
    "",
    " ",
    "0",
    "1",
    "15",
    "16",
    "68",
    "110",
    "111",
    "179",
    "179,5",
    "180",
    "271",
    "272",
    "350",
    "351",
    "7.9",
    "120",
    "1e3",
    "-5",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "1_000",
    "٣٠٠",
    "F",
    "m",
    "female",
    "x",
    "yes",
    "no",
    "maybe",
    "pg/mL",
    "pmol/L",
    "ng/l",
    "nmol/L",
    "µmol/L",
    "g/dL",
    "g/L",
    "mg/dL",
    "=1+1",
    "@x",
    "\t1",
]
# Any text but NUL (which makes a binary file, a documented file-level error) and lone surrogates.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12)
CELL = st.one_of(st.sampled_from(PLAUSIBLE), ANY_TEXT)
ROWS = st.lists(st.fixed_dictionaries({c: CELL for c in COLUMNS}), max_size=12)
# evaluate_frame has a fixed cost per call, so the frame fuzzers take fewer examples than the link parser.
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_LINKS = settings(max_examples=300, deadline=None)


def to_csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)  # default \r\n lines: CR and LF in cells get quoted
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def expected_cells(row: dict[str, str]) -> dict[str, Any]:
    try:
        case = Case(**row_to_case_kwargs(row))
    except CaseError as err:
        return {"error": str(err)}
    return assessment_cells(evaluate(case))


@FUZZ
@given(ROWS)
def test_text_cells_every_row_out_and_same_answer_as_evaluate(rows: list[dict[str, str]]) -> None:
    out = evaluate_frame(read_cases_csv(to_csv_bytes(rows)))
    assert len(out) == len(rows)
    assert out["note"].tolist() == [r["note"] for r in rows]  # extra cells come back exactly as written
    for position, row in enumerate(rows):
        expected = expected_cells(row)
        got = out.iloc[position]
        if expected["error"]:
            assert got["error"] == expected["error"]
            assert pd.isna(got["b12_status"]) and pd.isna(got["esr_upper_limit"])
        else:
            for name, value in expected.items():
                assert got[name] == value, (name, row)
    text = write_results_csv(out)
    assert text is not None
    assert len(list(csv.reader(io.StringIO(text, newline="")))) == len(rows) + 1


@FUZZ
@given(st.binary(max_size=3000), st.booleans())
def test_arbitrary_bytes_never_raise_anything_but_a_file_error(blob: bytes, with_header: bool) -> None:
    raw = (b"age,sex,b12,esr\n" if with_header else b"") + blob
    try:
        df = read_cases_csv(raw)
        out = evaluate_frame(df)
    except CaseError as err:
        assert err.field in ("file", "columns"), err
        assert str(err).startswith(f"{err.field}: ")
        return
    assert len(out) == len(df)
    assert ((out["error"] != "") | out["b12_status"].notna()).all()
    write_results_csv(out)


@FUZZ
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=300), st.sampled_from([",", ";"]))
def test_arbitrary_text_after_a_header(body: str, delimiter: str) -> None:
    raw = delimiter.join(("age", "sex", "b12", "esr")) + "\n" + body
    try:
        df = read_cases_csv(raw.encode("utf-8"))
        out = evaluate_frame(df)
    except CaseError as err:
        assert err.field == "file", err
        return
    assert len(out) == len(df)


NAMES = st.one_of(st.sampled_from([*CASE_PARAMS, *EXTRA_PARAMS, "embed"]), st.text(max_size=10))
VALUES = st.one_of(
    st.sampled_from([*PLAUSIBLE, "source", "custom", "nice-ng239", "metformin", "none", "x" * 65]),
    st.text(max_size=80),
)
PARAMS = st.dictionaries(NAMES, st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=10)


@FUZZ_LINKS
@given(PARAMS)
def test_parse_query_never_raises_and_gives_a_valid_case(params: dict[str, Any]) -> None:
    state = parse_query(params)
    assert all(isinstance(w, str) and w for w in state.warnings)
    state.case()  # every value it keeps is valid
    known = {*CASE_PARAMS, *EXTRA_PARAMS, *PAGE_PARAMS, "embed", "embed_options"}  # a page's own: no warning
    for name in params:
        if name not in known:
            assert any(repr(name[:37]).rstrip("'") in w for w in state.warnings), name
    # The link the app then writes reads back the same case, silently.
    again = parse_query(query_from_values(state.values))
    assert again.warnings == []
    assert _meaningful(again.case()) == _meaningful(state.case())


def _meaningful(case: Case) -> dict[str, Any]:
    """The case without the unit of a value that was not measured (links leave that unit out)."""
    data = case.to_dict()
    for name in ("mma", "hb", "crp"):
        if data[name] is None:
            del data[f"{name}_unit"]
    return data
