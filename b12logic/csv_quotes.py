"""Quoted cells that run on: an unterminated quote, or a cell swallowing line breaks across many rows.

A CSV reader takes everything from an opening quote to its closing quote as one cell, line breaks and all,
so one stray quote can merge thousands of rows into one cell without a word. Before a file is read, its
quoted cells are found from the positions of its quotes and line breaks (numpy, a few hundredths of a second
for 50 MB) and one that never closes, or holds more than MAX_CELL_LINES line breaks, is a file error naming
its row (1 = the first row under the header) and column.

>>> check_quotes(b'id,note\\nA,"two\\nlines"\\nB,x\\n')
>>> check_quotes(b'id,age,note\\nA,68,x\\nB,70,"open\\nC,71,x\\n')
Traceback (most recent call last):
...
b12logic.validate.CaseError: file: row 2, column note: a quote opens a cell that never closes (the rest of the file would be one cell); close or remove the quote
"""

from __future__ import annotations

import csv
import mmap

import numpy as np

from b12logic.validate import CaseError

MAX_CELL_LINES = 20  # a note may hold a few line breaks; more is a quote that closed far too late
_QUOTE, _NEWLINE = ord('"'), ord("\n")


def check_quotes(raw: bytes | mmap.mmap, delimiter: str = ",") -> None:
    """CaseError for a quoted cell that never closes or spans more than MAX_CELL_LINES line breaks."""
    data = np.frombuffer(raw, dtype=np.uint8)
    quotes = np.flatnonzero(data == _QUOTE)
    if len(quotes) == 0:
        return
    newlines = np.flatnonzero(data == _NEWLINE)
    # Fast path: when every quote opens or closes (or is one of a doubled pair), a line break lies inside a
    # cell exactly when an odd number of quotes precede it. No quote left open and no line break inside: done.
    inside = np.searchsorted(quotes, newlines) % 2 == 1
    del data  # an mmap cannot close while a view of it lives
    if len(quotes) % 2 == 0 and not inside.any():
        return
    for start, end, breaks in _quoted_cells(raw, quotes, newlines, delimiter):
        if end is None or breaks > MAX_CELL_LINES:
            row, column = _where(raw, start, newlines, delimiter)
            if end is None:
                problem = "a quote opens a cell that never closes (the rest of the file would be one cell)"
            else:
                problem = f"a quoted cell runs over {breaks + 1:,} lines (the limit is {MAX_CELL_LINES + 1})"
            raise CaseError("file", "csv", f"file: row {row}, column {column}: {problem}; close or remove the quote")


def _quoted_cells(
    raw: bytes | mmap.mmap, quotes: np.ndarray, newlines: np.ndarray, delimiter: str
) -> list[tuple[int, int | None, int]]:
    """(opening quote, closing quote or None, line breaks inside) of every quoted cell that holds a line break,
    as the CSV readers see them: a quote opens a cell only at its start, and "" inside one is a quote."""
    starts = {ord(delimiter), _NEWLINE, ord("\r")}
    found = []
    positions = quotes.tolist()
    i = 0
    while i < len(positions):
        at = positions[i]
        if at > 0 and raw[at - 1] not in starts:
            i += 1  # a quote inside an unquoted cell ("12 inch\"") is text
            continue
        j = i + 1
        while j < len(positions) and j + 1 < len(positions) and positions[j + 1] == positions[j] + 1:
            j += 2  # a doubled quote inside the cell
        end = positions[j] if j < len(positions) else None
        breaks = int(np.searchsorted(newlines, end if end is not None else len(raw)) - np.searchsorted(newlines, at))
        if breaks:
            found.append((at, end, breaks))
        i = j + 1
    return found


def _where(raw: bytes | mmap.mmap, at: int, newlines: np.ndarray, delimiter: str) -> tuple[int, str]:
    """The row (1 = first under the header) and the column name of the cell whose quote is at `at`."""
    line_start = raw.rfind(b"\n", 0, at) + 1
    row = int(np.searchsorted(newlines, line_start))  # line breaks before this row, the header's included
    prefix = raw[line_start:at].decode("utf-8", "replace")
    column = len(next(csv.reader([prefix], delimiter=delimiter), [""])) - 1 if prefix else 0  # "A,68," -> 2
    header_end = raw.find(b"\n")
    header = raw[: header_end if header_end >= 0 else len(raw)].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")
    names = next(csv.reader([header], delimiter=delimiter), [])
    return row, names[column] if column < len(names) else str(column + 1)
