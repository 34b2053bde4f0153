"""A long laboratory CSV (one observation per row, LOINC-coded) as cases: one wide row per patient and date.

Columns (case-insensitive): patient_id, loinc, value, unit; optional age, sex, collected (a date),
neuro_symptoms, on_folic_acid, pregnant; any other column is kept per case. Every step runs once per
distinct cell, not per row (a million observations hold a few thousand distinct values), and a case
that cannot be built keeps its row with `error` naming the problem: nothing is dropped.

>>> text = "patient_id,collected,age,sex,loinc,value,unit\\nP1,2024-05-01,68,F,2132-9,179,pg/mL\\nP1,2024-05-01,68,F,4537-7,30,mm/h\\n"
>>> read = read_long_frame(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
>>> read.frame.loc[0, ["id", "age", "sex", "b12", "b12_unit", "esr", "error"]].tolist()
['P1/2024-05-01', '68', 'F', '179', 'pg/mL', '30', '']
>>> read.report.summary()
'long CSV: 1 patient, 1 case from 2 observations (2 used)'
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from b12logic.fields import CSV_COLUMNS, FALSE_WORDS, SEX_ALIASES, TRUE_WORDS, format_value
from b12logic.labs.loinc import ANALYTE_FIELDS, ANALYTES, codes_for, field_units, ucum_unit, unit_column
from b12logic.labs.report import (
    DATE_COLUMN,
    OTHER_RESULTS_COLUMN,
    PATIENT_COLUMN,
    READ_ERROR_COLUMN,
    LabRead,
    LabReport,
)
from b12logic.units import b12_convert, crp_to_mg_l, hb_convert, mma_convert
from b12logic.validate import NUMBER_PATTERN, CaseError, normalise_decimal_comma

LONG_REQUIRED = ("patient_id", "loinc", "value", "unit")
PER_CASE_COLUMNS = ("age", "sex", "neuro_symptoms", "on_folic_acid", "pregnant")
WIDE_COLUMNS = CSV_COLUMNS
_FLAGS = ("neuro_symptoms", "on_folic_acid", "pregnant")
# Amounts compared in one unit, so "the same result twice" is not called two results.
_CONVERTERS = {
    "b12": b12_convert,
    "mma": mma_convert,
    "hb": hb_convert,
    "crp": lambda value, unit, _default: crp_to_mg_l(value, unit),
}
_NUMBER_RE = re.compile(NUMBER_PATTERN)
_DATE_RE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?")


def is_long(columns: Iterable[object]) -> bool:
    """Whether a CSV's header is the long layout (it names patient_id and loinc).

    >>> is_long(["Patient_ID", "LOINC", "value", "unit"]), is_long(["age", "sex", "b12", "esr"])
    (True, False)
    """
    names = {str(c).strip().lower().lstrip("\ufeff") for c in columns}
    return {"patient_id", "loinc"} <= names


def check_header(header: str) -> None:
    """CaseError for a known column named twice in a long file's raw header (pandas would rename it 'unit.1').

    >>> check_header("patient_id,loinc,value,unit,Unit")
    Traceback (most recent call last):
    ...
    b12logic.validate.CaseError: columns: 'unit' appears more than once; keep one
    """
    delimiter = max((",", ";", "\t"), key=header.count)
    known = set(LONG_REQUIRED) | set(PER_CASE_COLUMNS) | {DATE_COLUMN}
    seen: set[str] = set()
    for name in next(csv.reader([header], delimiter=delimiter), []):
        key = name.strip().lower().lstrip("\ufeff")
        if key in known and key in seen:
            raise CaseError("columns", key, f"columns: {key!r} appears more than once; keep one")
        seen.add(key)


def _resolve(df: pd.DataFrame) -> tuple[dict[str, Any], list[Any]]:
    """Known long column -> the frame's label, and the extra columns in file order; CaseError when wrong."""
    known = set(LONG_REQUIRED) | set(PER_CASE_COLUMNS) | {DATE_COLUMN}
    taken = set(WIDE_COLUMNS) | {OTHER_RESULTS_COLUMN, READ_ERROR_COLUMN}
    found: dict[str, Any] = {}
    extras: list[Any] = []
    for label in df.columns:
        key = str(label).strip().lower().lstrip("\ufeff")
        if key in known:
            if key in found:
                raise CaseError("columns", key, f"columns: {key!r} appears more than once; keep one")
            found[key] = label
        elif key in taken:
            raise CaseError(
                "columns",
                key,
                f"columns: {key!r} cannot be a column of a long file (patient_id, loinc, value, unit rows): "
                "the case's columns are built from the observations; rename or remove it",
            )
        else:
            extras.append(label)
    missing = [c for c in LONG_REQUIRED if c not in found]
    if missing:
        raise CaseError(
            "columns",
            missing,
            f"columns: missing required column(s) {', '.join(missing)} of a long file "
            f"(required: {', '.join(LONG_REQUIRED)})",
        )
    return found, extras


def _factor(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code into the column's distinct stripped cells (blank for a missing cell): " 68" and "68"
    are one cell. The column is factorised as it is, then only its distinct cells are stripped: a million
    observations hold a few thousand cells. Codes follow first appearance, as factorising the stripped
    column would."""
    text = series if isinstance(series.dtype, pd.StringDtype) else series.astype("str")
    raw_codes, raw_cells = pd.factorize(text, use_na_sentinel=False)
    stripped = pd.Series(raw_cells, dtype=text.dtype).fillna("").str.strip()
    codes, uniques = pd.factorize(stripped)
    return np.asarray(codes, dtype=np.intp)[raw_codes], np.asarray(uniques, dtype=object)


def _combined(*columns: tuple[np.ndarray, int]) -> np.ndarray:
    """One integer per row for its combination of these codes (each column's codes below its size): equal
    combinations, equal integers, as DataFrame.duplicated compares rows, without building a frame."""
    key = np.zeros(len(columns[0][0]), dtype=np.int64)
    size = 1
    for codes, n in columns:
        if size * n >= 1 << 62:  # Python integers: made small again before the product could overflow
            key, uniques = pd.factorize(key)
            size = len(uniques)
        key = key * n + codes
        size *= max(n, 1)
    return key


def _codes(column: np.ndarray) -> tuple[np.ndarray, int]:
    """A column of any values as codes and their count, for _combined (equal values, equal codes)."""
    codes, uniques = pd.factorize(column)
    return np.asarray(codes, dtype=np.int64), len(uniques)


def _repeated(key: np.ndarray, keep: Literal["first", False] = "first") -> np.ndarray:
    """DataFrame.duplicated(keep=keep) of the columns behind key (_combined), as a bool array."""
    return pd.Series(key, copy=False).duplicated(keep=keep).to_numpy(dtype=bool)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def collection_date(text: str) -> str | None:
    """A collection date as YYYY-MM-DD (a time after it is ignored: one day is one case), None if not a date.

    >>> collection_date("2024-05-01T09:30:00Z"), collection_date("20240501"), collection_date("01/05/2024")
    ('2024-05-01', '2024-05-01', None)
    """
    match = _DATE_RE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


def _number(text: str) -> float | None:
    """A result as the batch reads numbers (decimal comma accepted), or None when it is not a number."""
    cleaned = normalise_decimal_comma(text)
    return float(cleaned) if _NUMBER_RE.fullmatch(cleaned) else None


def _same_kind(column: str, text: str) -> str:
    """What makes two per-case cells the same answer: F and female, yes and 1, 68 and 68.0."""
    word = text.lower()
    if column == "sex":
        return SEX_ALIASES.get(word, word)
    if column in _FLAGS:
        return "yes" if word in TRUE_WORDS else "no" if word in FALSE_WORDS else word
    if column == "age":
        number = _number(text)
        return text if number is None else repr(number)
    return text


def _list_values(values: list[str]) -> str:
    shown = [format_value(v) for v in values]
    return " and ".join(shown) if len(shown) == 2 else ", ".join(shown[:-1]) + " and " + shown[-1]


class _Errors:
    """Messages per case, in the order found; which fields already have one."""

    def __init__(self) -> None:
        self.messages: dict[int, list[str]] = {}
        self.fields: set[tuple[int, str]] = set()

    def add(self, case: int, field: str, message: str) -> None:
        if message not in self.messages.setdefault(case, []):
            self.messages[case].append(message)
        self.fields.add((case, field))

    def column(self, n_cases: int) -> np.ndarray:
        out = np.full(n_cases, "", dtype=object)
        for case, messages in self.messages.items():
            out[case] = "; ".join(messages)
        return out


def read_long_frame(df: pd.DataFrame, layout: str = "long CSV") -> LabRead:
    """Cases from a long frame of text cells (as read_cases_csv reads a file): the wide frame and a report."""
    columns, extras = _resolve(df)
    report = LabReport(layout=layout, observations=len(df))
    errors = _Errors()

    # Cases: one per patient and collection day, in the order they first appear.
    patient_codes, patients = _factor(df[columns["patient_id"]])
    if DATE_COLUMN in columns:
        date_codes, date_cells = _factor(df[columns[DATE_COLUMN]])
        days = np.array([collection_date(c) if c else "" for c in date_cells], dtype=object)
        bad_day = np.array([d is None for d in days], dtype=bool)
        days[bad_day] = date_cells[bad_day]  # an unreadable date still keeps its rows together
        same_day, days = pd.factorize(days)  # 09:00 and 14:00 on one day: one case
        date_codes = np.asarray(same_day, dtype=np.intp)[date_codes]
        days = np.asarray(days, dtype=object)
        bad_day = np.array([collection_date(d) is None if d else False for d in days], dtype=bool)
    else:
        date_codes, days, bad_day = np.zeros(len(df), dtype=np.intp), np.array([""], dtype=object), np.zeros(1, bool)
    case_of_row, case_keys = pd.factorize(patient_codes.astype(np.int64) * len(days) + date_codes)
    case_of_row = np.asarray(case_of_row, dtype=np.intp)
    case_patient = patients[np.asarray(case_keys) // len(days)]
    case_day_code = np.asarray(case_keys) % len(days)
    case_day = days[case_day_code]
    n_cases = len(case_keys)
    for case in np.flatnonzero(bad_day[case_day_code]).tolist():
        errors.add(case, DATE_COLUMN, f"collected: {format_value(case_day[case])} is not a date (YYYY-MM-DD)")
    for case in np.flatnonzero(case_patient == "").tolist():
        errors.add(case, PATIENT_COLUMN, "patient_id: blank; every observation needs the patient it belongs to")
    report.cases = n_cases
    report.patients = len(set(case_patient.tolist()))

    wide: dict[str, np.ndarray] = {name: np.full(n_cases, "", dtype=object) for name in WIDE_COLUMNS}
    wide["id"] = np.array(
        [f"{p}/{d}" if d else p for p, d in zip(case_patient.tolist(), case_day.tolist(), strict=True)], dtype=object
    )
    loinc = _factor(df[columns["loinc"]])
    _results(df, columns, loinc, case_of_row, n_cases, wide, errors, report)
    for name in PER_CASE_COLUMNS:
        if name in columns:
            wide[name] = _per_case(name, df[columns[name]], case_of_row, n_cases, errors)
    for name in ("b12", "esr"):  # required for every case: say which result is missing, in the lab's terms
        codes = " or ".join(codes_for(name))
        label = "total B12" if name == "b12" else "ESR"
        for case in np.flatnonzero(wide[name] == "").tolist():
            if (case, name) not in errors.fields:
                errors.add(case, name, f"{name}: no {label} result in this case (LOINC {codes})")

    frame: dict[str, Any] = dict(wide)
    frame[PATIENT_COLUMN] = case_patient
    frame[DATE_COLUMN] = case_day
    for label in extras:
        frame[str(label).strip()] = _kept(df[label], case_of_row, n_cases)
    frame[OTHER_RESULTS_COLUMN] = _other_results(df, columns, loinc, case_of_row, n_cases, report)
    error_column = errors.column(n_cases)
    frame[READ_ERROR_COLUMN] = error_column
    report.cases_with_errors = int((error_column != "").sum())
    out = _text_frame(frame)
    return LabRead(frame=out, report=report)


def _text_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """pd.DataFrame(columns) of columns whose every cell is a str: each column handed to Arrow at once, in the
    text dtype pandas infers for it (pandas' own inference checked every cell first, a third of the read)."""
    first = next(iter(columns.values()), None)
    dtype = pd.Series(first[:1] if first is not None else [], dtype=None).dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return pd.DataFrame(columns)
    import pyarrow as pa

    return pd.DataFrame(
        {name: pd.array(pa.array(cells, type=pa.large_string()), dtype=dtype) for name, cells in columns.items()}
    )


def _results(
    df: pd.DataFrame,
    columns: Mapping[str, Any],
    loinc: tuple[np.ndarray, np.ndarray],
    case_of_row: np.ndarray,
    n_cases: int,
    wide: dict[str, np.ndarray],
    errors: _Errors,
    report: LabReport,
) -> None:
    """Fill the analyte columns (and their unit columns) from the rows with a code this app reads (loinc: the
    code column's _factor)."""
    code_codes, codes = loinc
    unit_codes, units = _factor(df[columns["unit"]])
    value_codes, values = _factor(df[columns["value"]])
    fields = list(ANALYTE_FIELDS)
    field_of_code = np.array([fields.index(ANALYTES[c].field) if c in ANALYTES else -1 for c in codes], np.intp)
    number_of_value = np.array([_number(v) if v else math.nan for v in values], dtype=object)
    is_number = np.array([n is not None for n in number_of_value], dtype=bool)
    amounts = np.array([math.nan if n is None else n for n in number_of_value], dtype=float)
    blank_value = values == ""

    field_row = field_of_code[code_codes]
    known = field_row >= 0
    report.blank_values = int((known & blank_value[value_codes]).sum())
    rows = np.flatnonzero(known & ~blank_value[value_codes])

    # The unit each (code, unit) pair gives in the project's spelling, or "" when it does not fit the code.
    pair_codes, pairs = pd.factorize(code_codes[rows].astype(np.int64) * len(units) + unit_codes[rows])
    pair_unit = []
    for pair in np.asarray(pairs).tolist():
        code, unit = codes[pair // len(units)], units[pair % len(units)]
        canonical = ucum_unit(unit)
        pair_unit.append(canonical if canonical in ANALYTES[code].units else "")
    pair_fits = np.array([u != "" for u in pair_unit], dtype=bool)
    row_fits = pair_fits[pair_codes]
    row_number = is_number[value_codes[rows]]

    for i in np.flatnonzero(~pair_fits).tolist():  # once per pair; each case that has it gets the message
        code, unit = codes[int(pairs[i]) // len(units)], units[int(pairs[i]) % len(units)]
        a = ANALYTES[code]
        shown = f"unit {format_value(unit)}" if unit else "no unit"
        message = f"{a.field}: {shown} does not fit LOINC {code} ({a.name}; one of {', '.join(a.units)})"
        for case in np.unique(case_of_row[rows[pair_codes == i]]).tolist():
            errors.add(case, a.field, message)
    not_number = rows[row_fits & ~row_number]
    for row in _first_per_case(not_number, case_of_row).tolist():
        code, value = codes[code_codes[row]], values[value_codes[row]]
        a = ANALYTES[code]
        errors.add(int(case_of_row[row]), a.field, f"{a.field}: {format_value(value)} is not a number (LOINC {code})")

    good = row_fits & row_number
    good_rows, good_pairs = rows[good], pair_codes[good]
    report.used = int(good_rows.size)
    unit_of_pair = np.array(pair_unit, dtype=object)
    cases, field_index = case_of_row[good_rows], field_row[good_rows]
    same, unit_group = _comparable(amounts[value_codes[good_rows]], unit_of_pair, good_pairs, field_index, fields)
    case_field = _combined((cases, n_cases), (field_index, len(fields)))
    distinct = ~_repeated(
        _combined((case_field, n_cases * len(fields)), _codes(same), (unit_group, int(unit_group.max(initial=0)) + 1))
    )
    first = distinct & ~_repeated(case_field)
    seen = np.flatnonzero(distinct)
    seen = seen[_repeated(case_field[seen], keep=False)]  # two different results, one analyte, one case
    clash = pd.DataFrame({"case": cases[seen], "field": field_index[seen], "row": seen})
    for _, group in clash.groupby(["case", "field"], sort=True):
        case, name = int(group["case"].to_numpy()[0]), fields[int(group["field"].to_numpy()[0])]
        here = group["row"].to_numpy()
        results = [
            f"{values[value_codes[r]]} {u}"
            for r, u in zip(good_rows[here].tolist(), unit_of_pair[good_pairs[here]].tolist(), strict=True)
        ]
        errors.add(
            case, name, f"{name}: {len(results)} different results in one case ({_list_values(results)}); keep one"
        )
    for f, name in enumerate(fields):
        take = first & (field_index == f)
        target = cases[take]
        wide[name][target] = values[value_codes[good_rows[take]]]
        unit_name = unit_column(name)
        if unit_name is not None:
            wide[unit_name][target] = unit_of_pair[good_pairs[take]]
    for case, name in errors.fields:  # a result with an error is not used: the case is not half-read
        if name in wide:
            wide[name][case] = ""
            unit_name = unit_column(name)
            if unit_name is not None:
                wide[unit_name][case] = ""


def _comparable(
    amounts: np.ndarray, unit_of_pair: np.ndarray, pair: np.ndarray, field_index: np.ndarray, fields: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Each result as one number per analyte (B12 in pg/mL, MMA in nmol/L, Hb in g/dL), rounded to 9 figures
    so that one result given twice, in either unit, is the same; and a unit group that keeps apart the units
    of a field without a converter (none today: every field with two units has one in units.py). A result's
    unit is unit_of_pair[pair]; units are compared once per pair, and each distinct amount converted once."""
    out = np.array(amounts, dtype=float)
    group = np.zeros(len(out), dtype=np.intp)
    for f, name in enumerate(fields):
        here = field_index == f
        convert = _CONVERTERS.get(name)
        default = field_units(name)[0]
        for number, unit in enumerate(field_units(name)[1:], start=1):
            rows = here & (unit_of_pair == unit)[pair]
            if not rows.any():
                continue
            if convert is not None:
                distinct, inverse = np.unique(out[rows], return_inverse=True)
                converted = np.array([convert(v, unit, default) for v in distinct.tolist()], dtype=float)
                out[rows] = converted[inverse.reshape(-1)]
            else:
                group[rows] = number
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(out == 0, 1.0, 10.0 ** (8 - np.floor(np.log10(np.abs(out)))))
        return np.round(out * scale) / scale, group


def _first_per_case(rows: np.ndarray, case_of_row: np.ndarray) -> np.ndarray:
    """The first of these rows in each case (one message per case is enough)."""
    if rows.size == 0:
        return rows
    _, first = np.unique(case_of_row[rows], return_index=True)
    return rows[np.sort(first)]


def _per_case(name: str, series: pd.Series, case_of_row: np.ndarray, n_cases: int, errors: _Errors) -> np.ndarray:
    """A per-case column (age, sex, flags): the one value its rows give; two different ones are an error."""
    codes, cells = _factor(series)
    kinds, _ = pd.factorize(np.array([_same_kind(name, c) for c in cells], dtype=object))
    kind = np.asarray(kinds, dtype=np.intp)[codes]
    filled = (cells != "")[codes]
    row_case, row_kind, row_code = case_of_row[filled], kind[filled], codes[filled]
    distinct = np.flatnonzero(~_repeated(_combined((row_case, n_cases), (row_kind, len(cells)))))
    out = np.full(n_cases, "", dtype=object)
    first = distinct[~_repeated(row_case[distinct])]
    out[row_case[first]] = cells[row_code[first]]
    several = distinct[_repeated(row_case[distinct], keep=False)]
    clash = pd.DataFrame({"case": row_case[several], "code": row_code[several]})
    for _, group in clash.groupby("case", sort=True):
        case, given = int(group["case"].to_numpy()[0]), cells[group["code"].to_numpy()].tolist()
        errors.add(case, name, f"{name}: {len(given)} different values in one case ({_list_values(given)})")
        out[case] = ""
    return out


def _kept(series: pd.Series, case_of_row: np.ndarray, n_cases: int) -> np.ndarray:
    """An extra column per case: its one value, or its different values joined by '; ' (none is lost)."""
    codes, cells = _factor(series)
    filled = (cells != "")[codes]
    row_case, row_code = case_of_row[filled], codes[filled]
    distinct = np.flatnonzero(~_repeated(_combined((row_case, n_cases), (row_code, len(cells)))))
    row_case, row_code = row_case[distinct], row_code[distinct]
    out = np.full(n_cases, "", dtype=object)
    single = ~_repeated(row_case, keep=False)
    out[row_case[single]] = cells[row_code[single]]
    several = pd.DataFrame({"case": row_case[~single], "code": row_code[~single]})
    for _, group in several.groupby("case", sort=True):
        out[int(group["case"].to_numpy()[0])] = "; ".join(cells[group["code"].to_numpy()].tolist())
    return out


def _other_results(
    df: pd.DataFrame,
    columns: Mapping[str, Any],
    loinc: tuple[np.ndarray, np.ndarray],
    case_of_row: np.ndarray,
    n_cases: int,
    report: LabReport,
) -> np.ndarray:
    """Results whose code this app does not read, per case ("LOINC 2345-7: 5.1 mmol/L"), and counted."""
    code_codes, codes = loinc
    unknown_code = np.array([c not in ANALYTES for c in codes], dtype=bool)
    rows = np.flatnonzero(unknown_code[code_codes])
    out = np.full(n_cases, "", dtype=object)
    if rows.size == 0:
        return out
    counts = np.bincount(code_codes[rows], minlength=len(codes))
    order = sorted(np.flatnonzero(counts).tolist(), key=lambda c: (-counts[c], codes[c]))
    report.unknown_codes = {str(codes[c]): int(counts[c]) for c in order}
    value_text = df[columns["value"]].iloc[rows].astype("string").fillna("").str.strip()
    unit_text = df[columns["unit"]].iloc[rows].astype("string").fillna("").str.strip()
    code_text = pd.Series(codes[code_codes[rows]], dtype="string").replace("", "(blank)")
    cells = ("LOINC " + code_text.to_numpy() + ": " + (value_text + " " + unit_text).str.strip().to_numpy()).tolist()
    joined = pd.Series(cells).groupby(case_of_row[rows], sort=False).agg("; ".join)
    out[joined.index.to_numpy()] = joined.to_numpy()
    return out


# --- wide -> long (templates, and the round trip the tests check)

_UCUM_SPELLING = {"µmol/L": "umol/L"}  # UCUM writes micro as u


def wide_to_long(wide: pd.DataFrame) -> pd.DataFrame:
    """Wide case rows as a long export: one row per measured input, coded by LOINC with UCUM units.

    The patient is the row's id (its row number when blank); age, sex and the yes/no columns are
    repeated on each of its rows.

    >>> long = wide_to_long(pd.DataFrame([{"id": "A", "age": "68", "sex": "F", "b12": "179", "esr": "30"}]))
    >>> long[["patient_id", "loinc", "value", "unit"]].values.tolist()
    [['A', '2132-9', '179', 'pg/mL'], ['A', '4537-7', '30', 'mm/h']]
    """
    lower = {str(c).strip().lower(): c for c in wide.columns}
    rows: list[dict[str, str]] = []
    for number, record in enumerate(wide.to_dict("records"), start=1):
        cell = {name: _cell(record.get(label)) for name, label in lower.items()}
        patient = cell.get("id") or f"row-{number}"
        shared = {"patient_id": patient, "collected": cell.get("collected", "")}
        shared.update({name: cell.get(name, "") for name in PER_CASE_COLUMNS})
        for name in ANALYTE_FIELDS:
            value = cell.get(name, "")
            if not value:
                continue
            unit_name = unit_column(name)
            unit = (cell.get(unit_name, "") if unit_name else "") or field_units(name)[0]
            unit = ucum_unit(unit) or unit
            rows.append({**shared, "loinc": codes_for(name)[0], "value": value, "unit": _UCUM_SPELLING.get(unit, unit)})
    return pd.DataFrame(rows, columns=["patient_id", "collected", *PER_CASE_COLUMNS, "loinc", "value", "unit"])


def _cell(value: object) -> str:
    return "" if _missing(value) else str(value).strip()


def long_template_csv() -> str:
    """The long-layout template: the wide template's cases as a laboratory would send them.

    >>> long_template_csv().splitlines()[0]
    'patient_id,collected,age,sex,neuro_symptoms,on_folic_acid,pregnant,loinc,value,unit'
    """
    from b12logic.csv_template import template_csv

    wide = pd.read_csv(io.StringIO(template_csv()), dtype=str, keep_default_na=False)
    long = wide_to_long(wide)
    long["collected"] = "2024-05-01"
    buffer = io.StringIO()
    long.to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue()
