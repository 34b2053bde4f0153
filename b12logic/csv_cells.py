"""Cells of a cases CSV, one at a time or a column at a time: blank or not, safe to open in a spreadsheet
(DESIGN.md: a text cell starting like a formula gets a leading quote), quoted as a CSV writer quotes them.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from b12logic.validate import NUMBER_PATTERN, normalise_decimal_comma

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_STARTS_LIKE_FORMULA = np.zeros(256, dtype=bool)  # by a cell's first byte (each start is one ASCII byte)
_STARTS_LIKE_FORMULA[np.frombuffer("".join(FORMULA_STARTS).encode("ascii"), dtype=np.uint8)] = True


def is_blank(value: object) -> bool:
    if isinstance(value, str):  # the usual case first: this runs for every cell of every re-checked row
        return value.strip() == ""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA:
        return True
    return isinstance(value, str) and value.strip() == ""


def spreadsheet_safe(series: pd.Series) -> pd.Series:
    """Prefix a quote to text cells that a spreadsheet would run as a formula; numbers pass unchanged.

    >>> spreadsheet_safe(pd.Series(["=HYPERLINK(1)", "-5", "-x", "ok"])).tolist()
    ["'=HYPERLINK(1)", '-5', "'-x", 'ok']
    """
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)) or isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = series.cat.categories.tolist()
            if all(not isinstance(c, str) or safe_cell(c) == c for c in categories):
                return series  # the usual case: no category to rename, no new column
            return series.cat.rename_categories(lambda c: safe_cell(c) if isinstance(c, str) else c)
        return series
    text = series if isinstance(series.dtype, pd.StringDtype) else series.astype("string")
    risky_rows = starts_like_formula(text)
    if not risky_rows.any():
        return series
    numeric = np.zeros(len(text), dtype=bool)
    codes, cells = pd.factorize(text[risky_rows])  # "-5" on many rows: read once
    numeric[risky_rows] = np.array([plain_number(str(c)) for c in cells], dtype=bool)[codes]
    fix = risky_rows & ~numeric
    if not fix.any():  # only numbers like "-5": nothing to quote
        return series
    prefixed = _prefixed_arrow(series, fix)
    return prefixed if prefixed is not None else series.mask(fix, "'" + series.astype("string"))


def _prefixed_arrow(series: pd.Series, fix: np.ndarray) -> pd.Series | None:
    """series.mask(fix, "'" + series) for Arrow-backed text, prefixing only the rows to fix (a few in a
    million) instead of building the prefixed column whole; None for other text."""
    arrow = getattr(series.array, "_pa_array", None)
    if arrow is None or not isinstance(series.dtype, pd.StringDtype):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    values = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
    quote, nothing = pa.scalar("'", values.type), pa.scalar("", values.type)
    prefixed = pc.binary_join_element_wise(quote, pc.take(values, pa.array(np.flatnonzero(fix))), nothing)
    fixed = pc.replace_with_mask(values, pa.array(fix), prefixed)
    return pd.Series(pd.array(fixed, dtype=series.dtype), index=series.index, name=series.name)


def starts_like_formula(text: pd.Series) -> np.ndarray:
    """text.str.startswith(FORMULA_STARTS).fillna(False) as a bool array. For Arrow-backed text it reads
    the first byte of each cell (every formula start is one ASCII byte, and no other UTF-8 character
    starts with such a byte): four times faster on a million cells."""
    try:
        import pyarrow as pa

        arrow = text.array.__arrow_array__()
    except (ImportError, AttributeError, TypeError):
        return text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
    parts = [np.zeros(0, dtype=bool)]
    chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in chunks):
        return text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)  # another layout
    for chunk in chunks:
        offsets_buffer, data = chunk.buffers()[1], chunk.buffers()[2]
        cells = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
        if len(chunk) and len(cells):
            width = np.dtype(np.int64 if pa.types.is_large_string(chunk.type) else np.int32)
            offsets = np.frombuffer(offsets_buffer, width, count=len(chunk) + 1, offset=chunk.offset * width.itemsize)
            starts = offsets[:-1]
            # Every cell's first byte by one gather (an empty cell reads a neighbour's byte, then is masked out):
            # a table lookup per cell; boolean indexing (and np.isin's sort) cost several times more.
            first = cells[np.minimum(starts, len(cells) - 1)]
            risky = _STARTS_LIKE_FORMULA[first] & (offsets[1:] > starts)
        else:
            risky = np.zeros(len(chunk), dtype=bool)
        if chunk.null_count:
            risky &= np.asarray(chunk.is_valid())
        parts.append(risky)
    return np.concatenate(parts)


def plain_number(value: str) -> bool:
    """A number as the reader accepts it ("-5", "+1e3", "-5,5"); "-inf", "-nan" or "-1_0" are text, so quoted."""
    return re.fullmatch(NUMBER_PATTERN, normalise_decimal_comma(value)) is not None


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) and not plain_number(value) else value


def csv_quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(ch in cell for ch in ',"\r\n') else cell


def data_bytes(array: Any, pa: Any) -> memoryview:
    """A string array's cells end to end, straight from its data buffer (no copy)."""
    if len(array) == 0:
        return memoryview(b"")
    offsets_buffer, data = array.buffers()[1], array.buffers()[2]
    width = np.dtype(np.int64 if pa.types.is_large_string(array.type) else np.int32)
    offsets = np.frombuffer(offsets_buffer, dtype=width, count=len(array) + 1, offset=array.offset * width.itemsize)
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])]


def holds_cr(series: pd.Series) -> bool:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return any("\r" in str(c) for c in series.cat.categories)
    if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
        return bool(series.astype("string").str.contains("\r", regex=False).any())
    return False


def frame_holds_cr(frame: pd.DataFrame) -> bool:
    """Whether a header or a cell holds a carriage return (then every line of its CSV ends CRLF)."""
    return any("\r" in str(c) for c in frame.columns) or any(holds_cr(frame[c]) for c in frame.columns)
