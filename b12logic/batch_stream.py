"""The batch command on a large wide CSV, streamed: read with pyarrow in blocks, evaluated and written block by
block, so memory stays flat however long the file is, with exactly the bytes the whole-file path writes.

The whole-file path (read_cases_csv, evaluate_frame, write_results_csv) stays the reference: any file this
reader might read differently from it (not UTF-8, a repeated or blank header, a row with more or fewer cells
than the header, a carriage return inside a cell, ...) goes to it instead, and the output written so far
is thrown away. Rows are independent in evaluate_frame, so evaluating in blocks changes no answer.

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
import csv
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, Any

import pandas as pd

from b12logic.batch import evaluate_frame, read_cases_csv, results_csv_bytes
from b12logic.guidelines import DEFAULT_PROFILE, GuidelineProfile

BLOCK_BYTES = (
    4 << 20
)  # ~75k rows of a laboratory CSV per block: numpy works on whole columns, and the reader's read-ahead (several blocks) stays small
_BOM = b"\xef\xbb\xbf"


class _NotStreamable(Exception):
    """This file must go the whole-file way (the reason is for the reader of the code, not the user)."""


def _header(raw: bytes) -> tuple[list[str], str]:
    """The header cells and the delimiter, as read_cases_csv finds them; _NotStreamable when unusual."""
    first = raw[: 1 << 16].split(b"\n", 1)[0].rstrip(b"\r")
    try:
        line = first.decode("utf-8")
    except UnicodeDecodeError:
        raise _NotStreamable("not UTF-8") from None
    delimiter = max((",", ";", "\t"), key=line.count)
    names = next(csv.reader([line], delimiter=delimiter), [])
    if len(names) < 2 or len(set(names)) != len(names) or any(not n or n.startswith("Unnamed: ") for n in names):
        raise _NotStreamable("header")
    return names, delimiter


def _blocks(path: str, names: list[str], delimiter: str, block_bytes: int) -> Iterator[pd.DataFrame]:
    """The rows as frames of text cells, the same cells and dtype read_cases_csv gives."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    bad_rows: list[int] = []

    def on_bad_row(row: Any) -> str:  # a row with more or fewer cells: pandas reads it its own way
        bad_rows.append(1)
        return "skip"

    text = pd.StringDtype("pyarrow", na_value=np.nan)  # what read_csv(dtype=str) gives in pandas 3
    start = 0
    try:
        reader = pcsv.open_csv(
            pa.input_stream(path, buffer_size=1 << 20),  # read as it goes, not whole
            read_options=pcsv.ReadOptions(block_size=block_bytes, use_threads=False),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_bad_row
            ),
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
            if bad_rows:
                raise _NotStreamable("row width")
            frame = batch.to_pandas(types_mapper={pa.string(): text}.get)
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise _NotStreamable(str(err)) from None
    if bad_rows:
        raise _NotStreamable("row width")


def _scan(path: str) -> tuple[bytes, bool]:
    """The file's first 64 KiB (BOM removed), and whether no cell can hold a carriage return (which would make
    every line end CRLF) and the file looks like text: read in pieces, never whole."""
    crs = crlfs = quotes = 0
    previous = b""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
        piece = head
        while piece:
            joined = previous + piece  # a CRLF split across two pieces
            crs += piece.count(b"\r")
            crlfs += joined.count(b"\r\n") - previous.count(b"\r\n")
            quotes += piece.count(b'"')
            previous = piece[-1:]
            piece = handle.read(1 << 24)
    if b"\x00" in head or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head, False
    body = head[len(_BOM) :] if head.startswith(_BOM) else head
    return body, crs == 0 or (crs == crlfs and quotes == 0)  # CRLF line ends, no quoted cells


def stream_batch(
    path: str,
    dest: IO[str] | str | None,
    guideline: str | GuidelineProfile = DEFAULT_PROFILE,
    block_bytes: int = BLOCK_BYTES,
) -> tuple[int, int]:
    """Evaluate the wide cases CSV at path into dest (a text handle, a path, or None for stdout); return
    (rows, rows with errors). block_bytes: how much to read at a time."""
    if isinstance(dest, str):
        from pandas.io.common import get_handle  # how to_csv opens a path: the same checks and messages

        with get_handle(dest, "wb", compression=None, is_text=False) as handles:
            return _batch_into(path, handles.handle, guideline, block_bytes)
    with tempfile.TemporaryFile("w+b") as spool:  # a fallback must be able to start again
        counts = _batch_into(path, spool, guideline, block_bytes)
        spool.seek(0)
        if dest is None:
            sys.stdout.flush()
            shutil.copyfileobj(spool, sys.stdout.buffer, 1 << 20)
            sys.stdout.buffer.flush()
        else:
            decoder = codecs.getincrementaldecoder("utf-8")()  # a piece may end inside a character
            while piece := spool.read(1 << 24):
                dest.write(decoder.decode(piece))
            dest.write(decoder.decode(b"", final=True))
    return counts


def _batch_into(path: str, out: IO[bytes], guideline: str | GuidelineProfile, block_bytes: int) -> tuple[int, int]:
    """Stream into out (a fresh binary file); when the file must go the whole-file way, empty out and do that."""
    head, streamable = _scan(path)
    try:
        if not streamable:
            raise _NotStreamable("carriage return in a cell, or binary")
        names, delimiter = _header(head)
        return _stream(path, names, delimiter, out, guideline, block_bytes)
    except _NotStreamable:
        out.seek(0)
        out.truncate()
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
    out: IO[bytes],
    guideline: str | GuidelineProfile,
    block_bytes: int,
) -> tuple[int, int]:
    rows = errors = 0
    for frame in _blocks(path, names, delimiter, block_bytes):
        results = evaluate_frame(frame, guideline)
        header, body = results_csv_bytes(results)
        if rows == 0:
            out.write(header)  # once; each block's lines end in "\n" (no cell has a CR: _scan)
        for piece in body:
            out.write(piece)
        rows += len(results)
        errors += int((results["error"] != "").sum())
    if rows == 0:
        raise _NotStreamable("no rows")  # the whole-file path says what an empty file gets
    return rows, errors


def read_text_frame(path: str) -> pd.DataFrame | None:
    """The whole file's text cells, read by pyarrow, as read_cases_csv reads them; None when this file must be
    read by read_cases_csv itself (the same conditions as streaming). For readers that need every row at once
    (a long laboratory file is grouped by patient)."""
    head, streamable = _scan(path)
    if not streamable:
        return None
    try:
        names, delimiter = _header(head)
        frames = list(_blocks(path, names, delimiter, BLOCK_BYTES))
    except _NotStreamable:
        return None
    if not frames:
        return None  # no rows: read_cases_csv says what that means
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
