"""The batch's columns: what a cases CSV holds (found case-insensitively), what the results add, a row as
Case keywords, and every column read at once and checked as Case checks one value (ParsedColumns): a row
that fails any check is marked, and b12logic.frame_fallback asks Case itself for its message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from b12logic.csv_cells import is_blank
from b12logic.fields import (
    CSV_COLUMNS,
    FALSE_WORDS,
    FIELDS,
    FLAG_FIELDS,
    NUMBER_FIELDS,
    PREGNANCY_AGES,
    REQUIRED_COLUMNS,
    SEX_ALIASES,
    TRUE_WORDS,
    UNIT_FIELDS,
)
from b12logic.units import UNIT_ALIASES
from b12logic.validate import NUMBER_PATTERN, CaseError, normalise_decimal_comma

RESULT_COLUMNS = (
    "b12_status",
    "regimen",
    "oral_alternative",
    "severe",
    "esr_flag",
    "esr_upper_limit",
    "next_steps",
    "pitfalls",
    "error",
)
# Also in evaluate_frame's answer (not in the CSV contract): the path through the flowchart.
EXTRA_COLUMNS = ("decision_path",)
# Read when present; not part of the template. risk_factors: ids separated by ";" or "," (e.g. "nitrous_oxide").
OPTIONAL_CONTEXT_COLUMNS = ("renal_impairment", "risk_factors")
STEP_SEPARATOR = "; "  # between the statements of the next_steps cell
KNOWN_COLUMNS = frozenset(CSV_COLUMNS) | frozenset(OPTIONAL_CONTEXT_COLUMNS)  # matched case-insensitively
UNIT_OF = {name: unit_field for unit_field, name in UNIT_FIELDS.items()}  # a number's unit column, from FIELDS


def row_to_case_kwargs(row: Mapping[Any, object]) -> dict[str, Any]:
    """A CSV row (or query parameters) as Case keywords: blank units take defaults, blank numbers are None.

    >>> row_to_case_kwargs({"age": "68", "sex": "F", "b12": "179", "esr": "30", "mma": ""})["mma"] is None
    True
    """
    kwargs: dict[str, Any] = {}
    for name in NUMBER_FIELDS:
        value = row.get(name)
        kwargs[name] = None if is_blank(value) else value
    for unit_field, name in ((u, n) for n, u in UNIT_OF.items()):
        value = row.get(unit_field)
        kwargs[unit_field] = FIELDS[name].default_unit if is_blank(value) else value
    sex = row.get("sex")
    kwargs["sex"] = None if is_blank(sex) else sex  # a NaN/None cell is "missing", as Case says for None
    for flag in FLAG_FIELDS:
        value = row.get(flag)
        kwargs[flag] = False if is_blank(value) else value
    ident = row.get("id")
    kwargs["id"] = None if is_blank(ident) else str(ident)
    risks = row.get("risk_factors")
    if not is_blank(risks):
        kwargs["risk_factors"] = str(risks).replace(";", ",")
    return kwargs


def stripped_text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.strip()


class TextCells:
    """The distinct cells of the text columns, read as _text reads them, each row a code into them.

    A laboratory column holds few distinct cells (a million B12 results share a few thousand numbers),
    so the string work runs once per distinct cell and `[codes]` spreads it to the rows: pandas' string
    dtype is slow per row. The distinct cells of every column are worked on as one batch, since for a
    small frame pandas' cost per call, not the cells, is what counts. Every operation is cell by cell,
    so batching changes no answer. Non-string columns become text first, as in _text (1 and True apart).
    """

    def __init__(self, columns: dict[str, pd.Series]) -> None:
        self.codes: dict[str, np.ndarray] = {}
        self.span: dict[str, slice] = {}
        parts = [np.empty(0, dtype=object)]
        start = 0
        for name, series in columns.items():
            if not isinstance(series.dtype, pd.StringDtype):
                series = series.astype("string")
            codes, uniques = _empty_cells(series) or pd.factorize(series, use_na_sentinel=False)
            self.codes[name] = codes
            self.span[name] = slice(start, start + len(uniques))
            start += len(uniques)
            parts.append(np.asarray(uniques, dtype=object))
        text = stripped_text(pd.Series(np.concatenate(parts), dtype=object))
        self.blank = (text == "").to_numpy(dtype=bool)
        self.lower = text.str.lower().to_numpy(dtype=object)
        # The scalar reader's own rule for a decimal comma ("12,5": one comma, no dot), cell by cell.
        number_text = np.array([normalise_decimal_comma(c) for c in text.to_numpy(dtype=object)], dtype=object)
        self.number_ok = pd.Series(number_text, dtype="string").str.fullmatch(NUMBER_PATTERN).to_numpy(dtype=bool)
        self.numbers = np.full(len(number_text), np.nan)
        self.numbers[self.number_ok] = pd.to_numeric(number_text[self.number_ok], errors="coerce")


def _empty_cells(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """What factorize gives for a column whose every cell is "" (an optional column left empty: common in a
    laboratory export), read by Arrow in one pass over the offsets instead of hashing each row; else None."""
    arrow = getattr(series.array, "_pa_array", None)
    if arrow is None or len(series) == 0 or arrow.null_count:
        return None
    import pyarrow.compute as pc

    if pc.max(pc.binary_length(arrow)).as_py() != 0:
        return None
    return np.zeros(len(series), dtype=np.intp), np.array([""], dtype=object)


def reads_as_text(field: str, series: pd.Series) -> bool:
    """Whether _Parsed reads this column as text (numbers and flags may come as numbers or booleans)."""
    if field in FLAG_FIELDS or field in NUMBER_FIELDS:
        return not (pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series))
    return field in ("sex", *UNIT_OF.values())


def resolve_columns(df: pd.DataFrame) -> dict[str, Any]:
    """Known column name (lower case) -> the frame's own column label; CaseError on missing or repeated ones."""
    found: dict[str, Any] = {}
    for label in df.columns:
        key = str(label).strip().lower()
        if key in KNOWN_COLUMNS:
            if key in found:
                raise CaseError("columns", key, f"columns: {key!r} appears more than once; keep one")
            found[key] = label
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise CaseError(
            "columns",
            missing,
            f"columns: missing required column(s) {', '.join(missing)} (required: {', '.join(REQUIRED_COLUMNS)})",
        )
    return found


class ParsedColumns:
    """Column arrays for the vectorised engine, and which rows failed a check."""

    def __init__(self, df: pd.DataFrame, columns: dict[str, Any]) -> None:
        n = len(df)
        self.n = n
        self.bad = np.zeros(n, dtype=bool)
        self.field_bad: dict[str, np.ndarray] = {}  # the same, per field: a re-check can skip the rest
        self._unit_codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.cells = TextCells({f: df[label] for f, label in columns.items() if reads_as_text(f, df[label])})
        self.units = {u: self._unit(df, columns, u, name) for name, u in UNIT_OF.items()}
        self.values = {name: self._number(df, columns, name) for name in NUMBER_FIELDS}
        self.is_female = self._sex(df, columns)
        self.flags = {flag: self._flag(df, columns, flag) for flag in FLAG_FIELDS}
        # Pregnancy only for women aged 16 to 55: Case checks it after every field's own check.
        low, high = PREGNANCY_AGES
        age = self.values["age"]
        with np.errstate(invalid="ignore"):
            self.mark("pregnant", self.flags["pregnant"] & (~self.is_female | (age < low) | (age > high)))

    def _unit(self, df: pd.DataFrame, columns: dict[str, Any], unit_field: str, name: str) -> np.ndarray:
        default = FIELDS[name].default_unit
        if unit_field not in columns:
            self._unit_codes[unit_field] = (np.zeros(self.n, dtype=np.intp), np.array([default], dtype=object))
            return np.full(self.n, default, dtype=object)
        codes, span = self.cells.codes[unit_field], self.cells.span[unit_field]
        canonical = np.array([UNIT_ALIASES.get(word, np.nan) for word in self.cells.lower[span]], dtype=object)
        allowed = np.array([unit in FIELDS[name].units for unit in canonical], dtype=bool)
        blank = self.cells.blank[span]
        self.mark(unit_field, (~blank & ~allowed)[codes])
        distinct = canonical.copy()
        distinct[blank] = default
        self._unit_codes[unit_field] = (codes, distinct)
        return distinct[codes]

    def mark(self, field: str, rows: np.ndarray) -> None:
        """These rows fail this field's check."""
        self.bad |= rows
        self.field_bad[field] = self.field_bad[field] | rows if field in self.field_bad else rows.copy()

    def unit_is(self, unit_field: str, unit: str, rows: np.ndarray | None = None) -> np.ndarray:
        """units[unit_field] == unit, compared once per distinct cell (a million-row object compare is slow)."""
        codes, distinct = self._unit_codes[unit_field]
        return (distinct == unit)[codes if rows is None else codes[rows]]

    def _number(self, df: pd.DataFrame, columns: dict[str, Any], name: str) -> np.ndarray:
        spec = FIELDS[name]
        if name not in columns:
            values = np.full(self.n, np.nan)
        else:
            series = df[columns[name]]
            if pd.api.types.is_bool_dtype(series):
                self.mark(name, series.notna().to_numpy(dtype=bool))
                values = np.full(self.n, np.nan)
            elif pd.api.types.is_numeric_dtype(series):
                values = series.to_numpy(dtype=float, na_value=np.nan)
                self.mark(name, np.isinf(values))
            else:
                codes, span = self.cells.codes[name], self.cells.span[name]
                blank, ok = self.cells.blank[span], self.cells.number_ok[span]
                self.mark(name, (~blank & ~ok)[codes])
                values = self.cells.numbers[span][codes]
        measured = ~np.isnan(values)
        if spec.required:
            self.mark(name, ~measured)
        unit_field = UNIT_OF.get(name)
        in_range = np.zeros(self.n, dtype=bool)
        with np.errstate(invalid="ignore"):
            for unit, lim in spec.limits.items():
                here = self.unit_is(unit_field, unit) if unit_field else np.ones(self.n, dtype=bool)
                above = values >= lim.low if lim.low_inclusive else values > lim.low
                in_range |= here & above & (values <= lim.high)
        self.mark(name, measured & ~in_range)
        return values

    def _sex(self, df: pd.DataFrame, columns: dict[str, Any]) -> np.ndarray:
        codes, span = self.cells.codes["sex"], self.cells.span["sex"]
        sex = [SEX_ALIASES.get(word) for word in self.cells.lower[span]]
        self.mark("sex", np.array([s is None for s in sex], dtype=bool)[codes])
        return np.array([s == "female" for s in sex], dtype=bool)[codes]

    def _flag(self, df: pd.DataFrame, columns: dict[str, Any], flag: str) -> np.ndarray:
        if flag not in columns:
            return np.zeros(self.n, dtype=bool)
        series = df[columns[flag]]
        if pd.api.types.is_bool_dtype(series):
            return series.fillna(False).to_numpy(dtype=bool)
        if pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype=float, na_value=np.nan)
            self.mark(flag, ~np.isnan(values) & ~np.isin(values, (0.0, 1.0)))
            return values == 1.0
        codes, span = self.cells.codes[flag], self.cells.span[flag]
        words = self.cells.lower[span]
        yes = np.array([word in TRUE_WORDS for word in words], dtype=bool)
        no = np.array([word in FALSE_WORDS for word in words], dtype=bool)
        self.mark(flag, ~(yes | no)[codes])
        return yes[codes]
