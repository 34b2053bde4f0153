"""A cases CSV read by pyarrow in blocks of text cells, the same cells and dtype read_cases_csv gives, so memory
stays that of one block however long the file is.

read_cases_csv (b12logic.csv_in) stays the reference: a file this reader might read differently from it (not
UTF-8, a repeated or blank header, a carriage return inside a cell, ...) is found by stream_plan before
anything is read, and goes to it instead. A row with fewer cells than the header is read as the whole-file
reader reads it (the missing cells blank) and a row with more is refused as it refuses it.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from b12logic import budget
from b12logic.csv_quotes import check_quotes
from b12logic.validate import CaseError

BLOCK_BYTES = (
    4 << 20
)  # ~75k rows of a laboratory CSV per block: numpy works on whole columns, and the reader's read-ahead (several blocks) stays small
_BOM = b"\xef\xbb\xbf"
_QUOTE, _NEWLINE = ord('"'), ord("\n")


class NotStreamable(Exception):
    """This file must go the whole-file way (the reason is for the reader of the code, not the user)."""


def _header(raw: bytes) -> tuple[list[str], str]:
    """The header cells and the delimiter, as read_cases_csv finds them; NotStreamable when unusual."""
    end = raw.find(b"\n")
    first = raw[: end if end >= 0 else len(raw)].rstrip(b"\r")  # not split(): that would copy the rest
    try:
        line = first.decode("utf-8")
    except UnicodeDecodeError:
        raise NotStreamable("not UTF-8") from None
    delimiter = max((",", ";", "\t"), key=line.count)
    budget.check_width(["c"] * budget.header_width(line, delimiter))  # before any reader builds the columns
    names = next(csv.reader([line], delimiter=delimiter), [])
    if len(names) < 2 or len(set(names)) != len(names) or any(not n or n.startswith("Unnamed: ") for n in names):
        raise NotStreamable("header")
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
    data = text.encode("utf-8")
    crs = data.count(b"\r")
    if crs and not (crs == data.count(b"\r\n") and b'"' not in data):
        return None  # a carriage return inside a cell: the stream leaves such a file to pandas
    try:
        names, found = _header(data)
    except NotStreamable:
        return None
    if found != delimiter:
        return None
    try:
        frames = list(text_blocks(data, names, delimiter, BLOCK_BYTES))
    except NotStreamable:
        return None
    if not frames:
        return None
    frame = frames[0] if len(frames) == 1 else pd.concat(frames)
    return frame.reset_index(drop=True)


def text_blocks(source: str | bytes, names: list[str], delimiter: str, block_bytes: int) -> Iterator[pd.DataFrame]:
    """The rows of a file (a path, or bytes held in memory) as frames of text cells, the same cells and dtype
    read_cases_csv gives. NotStreamable when pyarrow cannot read it after all."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    path = pa.py_buffer(source) if isinstance(source, bytes) else source  # bytes: read in place, not copied

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
            raise NotStreamable("header read differently")  # every cell must stay text, under its own name
        for batch in reader:
            if odd.error is not None:
                raise odd.error
            frame = odd.splice(batch.to_pandas(types_mapper={pa.string(): text}.get), start)
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise NotStreamable(str(err)) from None
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


def _scan(path: str | bytes) -> tuple[bytes, bool, bool]:
    """The file's first 64 KiB (BOM removed), whether no cell can hold a carriage return (which would make
    every line end CRLF), the file is UTF-8 throughout and it looks like text, and whether its quotes need
    check_quotes' full reading (some quoted cell may hold a line break, or one is left open): read in pieces,
    never whole, so memory stays flat however long the file is."""
    crs = crlfs = quotes = 0
    line_in_quotes = False
    previous = b""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    with open(path, "rb") if isinstance(path, str) else io.BytesIO(path) as handle:  # BytesIO shares the bytes
        head = handle.read(1 << 16)
        piece = head
        while piece:
            crs_here = piece.count(b"\r")
            crs += crs_here
            if crs_here:  # a two-byte count costs several times a one-byte one: only where a CR is
                crlfs += piece.count(b"\r\n")
            crlfs += previous == b"\r" and piece[:1] == b"\n"  # one split across pieces
            in_piece = piece.count(b'"')
            if in_piece or quotes % 2:
                line_in_quotes = line_in_quotes or _line_in_quotes(piece, quotes, in_piece)
            quotes += in_piece
            if is_utf8 and not (piece.isascii() and not utf8.getstate()[0]):  # ASCII needs no decoding
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
        return head, False, True
    body = head[len(_BOM) :] if head.startswith(_BOM) else head
    streamable = is_utf8 and (crs == 0 or (crs == crlfs and quotes == 0))  # CRLF line ends, no quoted cells
    return body, streamable, line_in_quotes or quotes % 2 == 1


def _line_in_quotes(piece: bytes, quotes_before: int, quotes_in_piece: int) -> bool:
    """Whether a line break of this piece has an odd number of quotes before it in the file: check_quotes' own
    quick test (when no line break lies inside quotes and the quotes pair up, no quoted cell can run on), read
    piece by piece instead of over the whole file at once. A piece with few quotes is read span by span
    between them (two whole-piece numpy passes cost more); one with many, by numpy."""
    if quotes_in_piece > len(piece) >> 10:
        data = np.frombuffer(piece, dtype=np.uint8)
        breaks = np.flatnonzero(data == _NEWLINE)
        if len(breaks) == 0:
            return False
        quotes = np.flatnonzero(data == _QUOTE)
        return bool(((np.searchsorted(quotes, breaks) + quotes_before) % 2 == 1).any())
    opened = -1 if quotes_before % 2 else piece.find(b'"')  # the piece starts inside quotes: a span from 0
    while opened >= 0 or (opened == -1 and quotes_before % 2):
        closed = piece.find(b'"', opened + 1)
        if piece.find(b"\n", opened + 1, len(piece) if closed < 0 else closed) >= 0:
            return True
        if closed < 0:
            return False
        opened = piece.find(b'"', closed + 1)
        quotes_before = 0  # only the first span can start before the piece
    return False


class StreamPlan(NamedTuple):
    """How to stream a file: its header cells and its delimiter."""

    names: list[str]
    delimiter: str


def stream_plan(path: str | bytes) -> StreamPlan | None:
    """How to stream the file, or None for the whole-file way; decided before anything is written. CaseError
    for a file neither way may read (too wide, an open quote)."""
    head, streamable, quotes_to_check = _scan(path)
    if not streamable:
        return None
    try:
        names, delimiter = _header(head if b"\n" in head else _first_line(path))  # a header past 64 KiB
    except NotStreamable:
        return None
    if not quotes_to_check:
        pass  # no quoted cell can run on: no second pass over the file (the whole file's arrays were its peak)
    elif isinstance(path, bytes):
        check_quotes(path, delimiter)
    else:
        _check_quotes_of(path, delimiter)
    return StreamPlan(names, delimiter)


def budgeted_plan(source: str | bytes, files_too: bool) -> StreamPlan | None:
    """stream_plan, with the cells of an upload held in memory (and of a file on disk, files_too) checked against
    the budget (b12logic.budget) before any reader builds them."""
    plan = stream_plan(source)
    if plan is not None and isinstance(source, bytes):
        budget.check_csv_size(source, len(plan.names))
    elif plan is not None and files_too and isinstance(source, str):
        budget.check_csv_size_of(source, len(plan.names))
    return plan


def read_text_frame(source: str | bytes) -> pd.DataFrame | None:
    """The whole file's text cells (a path, or an upload's bytes), read by pyarrow, as read_cases_csv reads them;
    None when this file must be read by read_cases_csv itself (the same conditions as streaming). For readers
    that need every row at once (a long laboratory file is grouped by patient). CaseError as read_cases_csv
    gives it."""
    plan = budgeted_plan(source, files_too=True)
    if plan is None:
        return None
    names, delimiter = plan
    try:
        frames = list(text_blocks(source, names, delimiter, BLOCK_BYTES))
    except NotStreamable:
        return None
    if not frames:
        return None  # no rows: read_cases_csv says what that means
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
