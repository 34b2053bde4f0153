"""A cases CSV read whole, as text cells exactly as written: the reference reader (pandas' C parser), for any
file a user may send (UTF-16, Latin-1, semicolons or tabs, rows wider than the header)."""

from __future__ import annotations

import contextlib
import csv
import io
from typing import IO

import pandas as pd

from b12logic import budget
from b12logic.csv_quotes import check_quotes
from b12logic.frame_columns import KNOWN_COLUMNS
from b12logic.validate import CaseError


def read_cases_csv(source: str | bytes | IO[bytes] | IO[str], max_bytes: int | None = None) -> pd.DataFrame:
    """Read a cases CSV as text cells, exactly as written. CaseError("file", ...) for a file we cannot read."""
    raw = read_source_bytes(source)
    budget.check_size(len(raw), max_bytes)
    raw = utf8_from_utf16(raw)
    if b"\x00" in raw[:65536]:
        raise CaseError("file", "binary", "file: this looks like a binary file, not a CSV text file")
    text = _decode(raw)
    if not text or text.isspace():  # text.strip() == "", without copying a large file
        raise CaseError("file", "", "file: the file is empty; it needs a header row with age, sex, b12 and esr")
    first_line = _first_line(text)
    # The header's most frequent separator; a tie keeps the comma. Tabs: Excel's "Unicode text" export.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    budget.check_csv_size(text, budget.header_width(first_line, delimiter))  # before pandas holds it
    check_quotes(raw, delimiter)  # a quote left open would merge the rest of the file into one cell
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as err:
        from b12logic.csv_blocks import read_odd_widths  # the stream's reader puts an odd row in its place

        odd = read_odd_widths(text, delimiter) if "fields in line" in str(err) else None
        if odd is None:
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise CaseError("file", "csv", f"file: not a readable CSV ({message})") from None
        df = odd
    if any(str(c).startswith("Unnamed: ") and str(c)[9:].isdigit() for c in df.columns) and len(df.columns) == 1:
        raise CaseError("file", "csv", "file: no header row found")
    _check_duplicate_headers(first_line, delimiter)
    if not isinstance(df.index, pd.RangeIndex):
        df = _realign_wide_rows(df)
    return df


def _realign_wide_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Rows with more cells than the header: pandas silently makes the first cells an index, shifting every
    value one column right ("68,F,179,30," would read age F). Put the cells back under their own headers;
    trailing blank cells (a common export habit) are dropped, anything else there is a file error."""
    width = len(df.columns)
    cells = df.reset_index().to_numpy(dtype=object)
    extra = pd.DataFrame(cells[:, width:]).astype("string").fillna("").apply(lambda s: s.str.strip() != "")
    filled = extra.any(axis=1).to_numpy()
    if filled.any():
        row = int(filled.argmax()) + 1
        raise CaseError(
            "file",
            "csv",
            f"file: not a readable CSV (row {row} has more cells than the {width} named in the header row; "
            "name the extra columns or remove the extra cells)",
        )
    out = pd.DataFrame(cells[:, :width], columns=df.columns).fillna("")
    return out.astype(df.dtypes.to_dict())


def _first_line(text: str) -> str:
    """text.splitlines()[0], without splitting a whole large file into lines to read its header."""
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        if len(lines) > 1 or size >= len(text):  # a line break with more after it: the first line is whole
            return lines[0]
        size *= 4


def _check_duplicate_headers(first_line: str, delimiter: str) -> None:
    """pandas renames a repeated header to 'b12.1'; catch it from the raw header instead."""
    try:
        names = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error as err:  # e.g. a header cell over the csv module's 131072-character field limit
        raise CaseError("file", "csv", f"file: not a readable CSV ({err})") from None
    seen: set[str] = set()
    for name in names:
        key = name.strip().lower().lstrip("\ufeff")
        if key in KNOWN_COLUMNS and key in seen:
            raise CaseError("columns", key, f"columns: {key!r} appears more than once; keep one")
        seen.add(key)


def utf8_from_utf16(raw: bytes) -> bytes:
    """UTF-16 with a BOM (Excel's "Unicode text") as UTF-8, so every reader sees the same text; else raw.

    >>> utf8_from_utf16("a,b".encode("utf-16")), utf8_from_utf16(b"a,b")
    (b'a,b', b'a,b')
    """
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode("utf-16").encode("utf-8")
    return raw


def read_source_bytes(source: str | bytes | IO[bytes] | IO[str]) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str):
        with open(source, "rb") as handle:
            return handle.read()
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Latin-1 (old laboratory exports)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
