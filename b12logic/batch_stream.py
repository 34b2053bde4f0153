"""The batch command on a large wide CSV, streamed: read with pyarrow in blocks, evaluated and written block by
block, so memory stays flat however long the file is, with exactly the bytes the whole-file path writes.

The whole-file path (read_cases_csv, evaluate_frame, write_results_csv) stays the reference: a file this
reader might read differently from it (not UTF-8, a repeated or blank header, a carriage return inside a
cell, ...) is found before anything is written and goes to it instead. A row with fewer cells than the
header is read as the whole-file path reads it (the missing cells blank) and a row with more is refused as
it refuses it, without leaving the stream: one odd row no longer sends a large file the whole-file way.
Nothing is spooled to disk (the output goes straight to its destination). Rows are independent in
evaluate_frame, so evaluating in blocks changes no answer.

>>> import io, tempfile
>>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
...     _ = f.write("id,age,sex,b12,esr\\nA,68,F,179,30\\nB,15,F,179,30\\n")
>>> out = io.StringIO()
>>> stream_batch(f.name, out, block_bytes=64)
(2, 1)
>>> out.getvalue().splitlines()[1].startswith("A,68,F,179,30,deficient,oral_or_im,true,false,normal,39.0,")
True
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import mmap
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

import numpy as np
import pandas as pd

from b12logic import budget
from b12logic.batch import evaluate_frame, read_cases_csv, results_csv_bytes
from b12logic.csv_quotes import check_quotes
from b12logic.guidelines import DEFAULT_PROFILE, GuidelineProfile
from b12logic.validate import CaseError

BLOCK_BYTES = (
    4 << 20
)  # ~75k rows of a laboratory CSV per block: numpy works on whole columns, and the reader's read-ahead (several blocks) stays small
_BOM = b"\xef\xbb\xbf"


class _NotStreamable(Exception):
    """This file must go the whole-file way (the reason is for the reader of the code, not the user)."""


def _header(raw: bytes) -> tuple[list[str], str]:
    """The header cells and the delimiter, as read_cases_csv finds them; _NotStreamable when unusual."""
    end = raw.find(b"\n")
    first = raw[: end if end >= 0 else len(raw)].rstrip(b"\r")  # not split(): that would copy the rest
    try:
        line = first.decode("utf-8")
    except UnicodeDecodeError:
        raise _NotStreamable("not UTF-8") from None
    delimiter = max((",", ";", "\t"), key=line.count)
    budget.check_width(["c"] * budget.header_width(line, delimiter))  # before any reader builds the columns
    names = next(csv.reader([line], delimiter=delimiter), [])
    if len(names) < 2 or len(set(names)) != len(names) or any(not n or n.startswith("Unnamed: ") for n in names):
        raise _NotStreamable("header")
    return names, delimiter


def _first_line(path: str | bytes) -> bytes:
    """The file's first line, BOM removed, however long (a header of 200,000 columns is counted in full)."""
    if isinstance(path, bytes):
        end = path.find(b"\n")
        line = path[: end if end >= 0 else len(path)]
    else:
        pieces = []
        with open(path, "rb") as handle:
            while piece := handle.read(1 << 20):
                pieces.append(piece.split(b"\n", 1)[0])
                if b"\n" in piece:
                    break
        line = b"".join(pieces)
    return line[len(_BOM) :] if line.startswith(_BOM) else line


def _check_quotes_of(path: str, delimiter: str) -> None:
    """check_quotes on the file, mapped rather than read into memory."""
    if os.path.getsize(path) == 0:
        return
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        check_quotes(mapped, delimiter)


class _OddRows:
    """Rows with more or fewer cells than the header, as pyarrow reports them (it skips them): each is put
    back in its place as read_cases_csv reads it: missing cells blank, extra blank cells dropped, extra
    filled cells a file error naming the row."""

    def __init__(self, names: list[str], delimiter: str) -> None:
        self.width, self.delimiter = len(names), delimiter
        self.rows: dict[int, list[str]] = {}  # row position (0 = first under the header) -> its cells
        self.error: CaseError | None = None

    def __call__(self, row: Any) -> str:
        position = int(row.number) - 2  # pyarrow counts records (1 = the header), not lines
        cells = next(csv.reader([row.text], delimiter=self.delimiter), [])
        if len(cells) > self.width:
            if any(c.strip() for c in cells[self.width :]) and self.error is None:
                # Raised by _blocks after the block: pyarrow ignores an exception raised in its handler.
                self.error = CaseError(
                    "file",
                    "csv",
                    f"file: not a readable CSV (row {position + 1} has more cells than the {self.width} named in "
                    "the header row; name the extra columns or remove the extra cells)",
                )
            cells = cells[: self.width]
        self.rows[position] = cells + [""] * (self.width - len(cells))
        return "skip"

    def splice(self, frame: pd.DataFrame, start: int) -> pd.DataFrame:
        """The block's rows with the odd rows that belong among them put back, from row position start."""
        if not self.rows:
            return frame
        end, taken = start + len(frame), []
        for position in sorted(p for p in self.rows if p >= start):
            if position >= end:  # after this block's rows: the next block's (or the end's)
                break
            taken.append(position)
            end += 1
        if not taken:
            return frame
        odd = pd.DataFrame([self.rows.pop(p) for p in taken], columns=frame.columns, dtype=frame.dtypes.iloc[0])
        good = np.setdiff1d(np.arange(start, end), taken)
        frame.index, odd.index = good, taken
        return pd.concat([frame, odd]).sort_index()


def read_odd_widths(text: str, delimiter: str) -> pd.DataFrame | None:
    """A whole file with rows longer than the header after its first row (pandas refuses the file), read
    as the stream reads it: a long row's blank cells dropped, filled ones a file error naming the row; None
    when the stream would not read this file either."""
    import pyarrow as pa

    data = text.encode("utf-8")
    crs = data.count(b"\r")
    if crs and not (crs == data.count(b"\r\n") and b'"' not in data):
        return None  # a carriage return inside a cell: the stream leaves such a file to pandas
    try:
        names, found = _header(data)
    except _NotStreamable:
        return None
    if found != delimiter:
        return None
    try:
        frames = list(_blocks(pa.py_buffer(data), names, delimiter, BLOCK_BYTES))
    except _NotStreamable:
        return None
    if not frames:
        return None
    frame = frames[0] if len(frames) == 1 else pd.concat(frames)
    return frame.reset_index(drop=True)


def _blocks(path: Any, names: list[str], delimiter: str, block_bytes: int) -> Iterator[pd.DataFrame]:
    """The rows as frames of text cells, the same cells and dtype read_cases_csv gives."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    odd = _OddRows(names, delimiter)
    text = pd.StringDtype("pyarrow", na_value=np.nan)  # what read_csv(dtype=str) gives in pandas 3
    start = 0
    try:
        reader = pcsv.open_csv(
            pa.input_stream(path, buffer_size=1 << 20),  # read as it goes, not whole
            read_options=pcsv.ReadOptions(block_size=block_bytes, use_threads=False),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=odd),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        schema = reader.schema
        if schema.names != names or not all(pa.types.is_string(t) for t in schema.types):
            raise _NotStreamable("header read differently")  # every cell must stay text, under its own name
        for batch in reader:
            if odd.error is not None:
                raise odd.error
            frame = odd.splice(batch.to_pandas(types_mapper={pa.string(): text}.get), start)
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise _NotStreamable(str(err)) from None
    if odd.error is not None:
        raise odd.error
    if odd.rows:  # odd rows after the last block's rows (the file ends with them)
        rest = pd.DataFrame(
            [odd.rows[p] for p in sorted(odd.rows)],
            columns=names,
            dtype=text,
            index=pd.RangeIndex(start, start + len(odd.rows)),
        )
        yield rest


def _scan(path: str | bytes) -> tuple[bytes, bool]:
    """The file's first 64 KiB (BOM removed), and whether no cell can hold a carriage return (which would make
    every line end CRLF), the file is UTF-8 throughout and it looks like text: read in pieces, never whole."""
    crs = crlfs = quotes = 0
    previous = b""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    with open(path, "rb") if isinstance(path, str) else io.BytesIO(path) as handle:  # BytesIO shares the bytes
        head = handle.read(1 << 16)
        piece = head
        while piece:
            joined = previous + piece  # a CRLF split across two pieces
            crs += piece.count(b"\r")
            crlfs += joined.count(b"\r\n") - previous.count(b"\r\n")
            quotes += piece.count(b'"')
            if is_utf8:
                try:
                    utf8.decode(piece)  # a Latin-1 cell deep in the file would stop pyarrow mid-stream
                except UnicodeDecodeError:
                    is_utf8 = False
            previous = piece[-1:]
            piece = handle.read(1 << 24)
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if b"\x00" in head or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head, False
    body = head[len(_BOM) :] if head.startswith(_BOM) else head
    return body, is_utf8 and (crs == 0 or (crs == crlfs and quotes == 0))  # CRLF line ends, no quoted cells


def stream_batch(
    path: str,
    dest: IO[str] | str | None,
    guideline: str | GuidelineProfile = DEFAULT_PROFILE,
    block_bytes: int = BLOCK_BYTES,
) -> tuple[int, int]:
    """Evaluate the wide cases CSV at path into dest (a text handle, a path, or None for stdout); return
    (rows, rows with errors). block_bytes: how much to read at a time. A file that cannot be read raises
    CaseError before anything is written; a path written in part is removed."""
    plan = _plan(path)
    if isinstance(dest, str):
        from pandas.io.common import get_handle  # how to_csv opens a path: the same checks and messages

        try:
            with get_handle(dest, "wb", compression=None, is_text=False) as handles:
                return _batch_into(path, plan, handles.handle, guideline, block_bytes)
        except CaseError:
            with contextlib.suppress(OSError):
                os.remove(dest)  # no half-written results left behind
            raise
    if dest is None:
        sys.stdout.flush()
        counts = _batch_into(path, plan, sys.stdout.buffer, guideline, block_bytes)
        sys.stdout.buffer.flush()
        return counts
    return _batch_into(path, plan, _TextSink(dest), guideline, block_bytes)


class _TextSink:
    """A text handle taking UTF-8 bytes (whole lines, so no character is cut)."""

    def __init__(self, dest: IO[str]) -> None:
        self.dest = dest

    def write(self, data: bytes | memoryview) -> None:
        self.dest.write(bytes(data).decode("utf-8"))


def _plan(path: str | bytes) -> tuple[list[str], str] | None:
    """How to stream the file (header, delimiter, lines inside quoted cells), or None for the whole-file way;
    decided before anything is written. CaseError for a file neither way may read (too wide, an open quote)."""
    head, streamable = _scan(path)
    if not streamable:
        return None
    try:
        names, delimiter = _header(head if b"\n" in head else _first_line(path))  # a header past 64 KiB
    except _NotStreamable:
        return None
    if isinstance(path, bytes):
        check_quotes(path, delimiter)
    else:
        _check_quotes_of(path, delimiter)
    return names, delimiter


def _batch_into(
    path: str,
    plan: tuple[list[str], str] | None,
    out: Any,
    guideline: str | GuidelineProfile,
    block_bytes: int,
) -> tuple[int, int]:
    """Stream into out (a binary sink), or go the whole-file way when the plan says so or nothing is written yet."""
    if plan is not None:
        try:
            return _stream(path, *plan, out, guideline, block_bytes)
        except _NotStreamable as err:
            if err.args and isinstance(err.args[0], int):  # rows were written: they cannot be taken back
                raise CaseError("file", "csv", f"file: not a readable CSV after row {err.args[0]:,}") from None
    results = evaluate_frame(read_cases_csv(path), guideline)
    header, body = results_csv_bytes(results)
    out.write(header)
    for piece in body:
        out.write(piece)
    return len(results), int((results["error"] != "").sum())


def _stream(
    path: str,
    names: list[str],
    delimiter: str,
    out: Any,
    guideline: str | GuidelineProfile,
    block_bytes: int,
) -> tuple[int, int]:
    rows = errors = 0
    try:
        for frame in _blocks(path, names, delimiter, block_bytes):
            results = evaluate_frame(frame, guideline)
            header, body = results_csv_bytes(results)
            if rows == 0:
                out.write(header)  # once; each block's lines end in "\n" (no cell has a CR: _scan)
            for piece in body:
                out.write(piece)
            rows += len(results)
            errors += int((results["error"] != "").sum())
    except _NotStreamable:
        if rows:
            raise _NotStreamable(rows) from None
        raise
    if rows == 0:
        raise _NotStreamable("no rows")  # the whole-file path says what an empty file gets
    return rows, errors


def upload_blocks(raw: bytes, rows: int) -> Iterator[pd.DataFrame] | None:
    """An uploaded wide CSV (held in memory) as frames of about `rows` rows, read as read_cases_csv reads it,
    without a second copy of the file or a frame of all of it; None when it must go the whole-file way.
    CaseError for a file neither way may read. For the Batch page: memory stays that of one block."""
    import pyarrow as pa

    plan = _plan(raw)
    if plan is None:
        return None
    names, delimiter = plan
    budget.check_csv_size(raw, len(names))

    def frames() -> Iterator[pd.DataFrame]:
        try:
            for block in _blocks(pa.py_buffer(raw), names, delimiter, BLOCK_BYTES):
                for start in range(0, len(block), rows):
                    yield block.iloc[start : start + rows]
        except _NotStreamable as err:  # rare once _scan has passed it (UTF-8, quotes closed)
            raise CaseError("file", "csv", f"file: not a readable CSV ({err})") from None

    return frames()


def read_text_frame(path: str) -> pd.DataFrame | None:
    """The whole file's text cells, read by pyarrow, as read_cases_csv reads them; None when this file must be
    read by read_cases_csv itself (the same conditions as streaming). For readers that need every row at once
    (a long laboratory file is grouped by patient). CaseError as read_cases_csv gives it."""
    plan = _plan(path)
    if plan is None:
        return None
    names, delimiter = plan
    budget.check_csv_size_of(path, len(names))
    try:
        frames = list(_blocks(path, names, delimiter, BLOCK_BYTES))
    except _NotStreamable:
        return None
    if not frames:
        return None  # no rows: read_cases_csv says what that means
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
