"""Many cases at once: the one path from a cases file to its results, used by the batch command, the Batch page
(b12logic.batch_check) and streaming (b12logic.batch_stream).

    open_batch(source) -> BatchInput: the file's layout found once (wide CSV, long LOINC CSV, FHIR JSON), its
                          cases in chunks (a wide CSV streamed in blocks by pyarrow, so memory stays flat)
    evaluate_batch(batch, guideline) -> results, chunk by chunk (evaluate_frame, read errors laid over)
    write_batch(batch, dest, guideline) -> (rows, rows with errors), the results CSV written chunk by chunk

The pieces live apart: the columns and the vectorised checks (frame_columns), frame evaluation (frame), the bad
rows (frame_fallback), cells (csv_cells), reading (csv_in, csv_blocks), writing (csv_out), the template
(csv_template). Their public names are re-exported here, where older code and outside checks import them.

>>> batch = open_batch(b"id,age,sex,b12,esr\\nA,68,F,179,30\\nB,15,F,179,30\\n")
>>> [r[["id", "b12_status", "error"]].values.tolist() for r in evaluate_batch(batch)][0][1][2][:4]
'age:'
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pandas as pd

from b12logic import budget
from b12logic.csv_blocks import BLOCK_BYTES, NotStreamable, budgeted_plan, text_blocks
from b12logic.csv_cells import frame_holds_cr, spreadsheet_safe
from b12logic.csv_in import read_cases_csv, read_source_bytes, utf8_from_utf16
from b12logic.csv_out import ResultsCsv, results_csv_bytes, results_for_csv, write_results_csv
from b12logic.csv_template import template_csv
from b12logic.frame import evaluate_frame
from b12logic.frame_columns import (
    EXTRA_COLUMNS,
    OPTIONAL_CONTEXT_COLUMNS,
    RESULT_COLUMNS,
    STEP_SEPARATOR,
    row_to_case_kwargs,
)
from b12logic.frame_fallback import assessment_cells
from b12logic.guidelines import DEFAULT_PROFILE, GuidelineProfile
from b12logic.labs import LabReport, detect_layout, lay_read_errors, read_cases
from b12logic.labs.report import READ_ERROR_COLUMN
from b12logic.validate import CaseError

__all__ = [
    "EXTRA_COLUMNS",
    "OPTIONAL_CONTEXT_COLUMNS",
    "RESULT_COLUMNS",
    "STEP_SEPARATOR",
    "BatchInput",
    "ResultsCsv",
    "assessment_cells",
    "evaluate_batch",
    "evaluate_frame",
    "open_batch",
    "read_cases_csv",
    "read_source_bytes",
    "results_csv_bytes",
    "results_for_csv",
    "row_to_case_kwargs",
    "spreadsheet_safe",
    "template_csv",
    "utf8_from_utf16",
    "write_batch",
    "write_results_csv",
]

Chunk = tuple[pd.DataFrame, "np.ndarray | None"]  # cases, and each case's read error (laboratory exports)
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class BatchInput:
    """A cases file, opened: its cases in chunks, how many rows it holds about (for a progress bar), what a
    laboratory export held (None for the wide CSV), and whether results are written with CRLF lines (a cell
    holds a carriage return: the whole-file writer's rule, decided once for every chunk)."""

    chunks: Iterator[Chunk]
    rows_estimate: int
    report: LabReport | None = None
    crlf: bool = False


def open_batch(
    source: str | bytes, max_bytes: int | None = None, chunk_rows: int | None = None, block_bytes: int = BLOCK_BYTES
) -> BatchInput:
    """Open a cases file (a path, or an upload's bytes) in any layout; CaseError for a file that cannot be read,
    before any chunk. An upload's bytes are held to the page's budget (b12logic.budget); chunk_rows: at most this
    many rows a chunk (None: a streamed block, or the whole file)."""
    held = isinstance(source, bytes)
    budget.check_size(len(source) if held else os.path.getsize(source), max_bytes)
    head: bytes
    if isinstance(source, bytes):
        head = source[: 1 << 16]
    else:
        with open(source, "rb") as handle:
            head = handle.read(1 << 16)
    layout = detect_layout(head)
    if layout == "wide" and head[:2] not in _UTF16:
        streamed = _streamed(source, chunk_rows, block_bytes)
        if streamed is not None:
            return streamed
    return _whole(read_cases(source, max_bytes=max_bytes, layout=layout), held, chunk_rows)


def _streamed(source: str | bytes, chunk_rows: int | None, block_bytes: int) -> BatchInput | None:
    """A wide CSV read in blocks, or None when it goes the whole-file way (decided before its first chunk)."""
    plan = budgeted_plan(source, files_too=False)  # a file on disk is streamed: no limit on its length
    if plan is None:
        return None
    blocks = text_blocks(source, plan.names, plan.delimiter, block_bytes)
    try:
        first = next(blocks)
    except (NotStreamable, StopIteration):  # pyarrow reads it otherwise, or no rows: the whole file says what
        return None

    def chunks() -> Iterator[Chunk]:
        rows = 0
        try:
            for block in _chained(first, blocks):
                step = chunk_rows or max(len(block), 1)
                for start in range(0, len(block), step):
                    part = block.iloc[start : start + step]
                    yield part, None
                    rows += len(part)
        except NotStreamable:  # rows were given out: they cannot be taken back
            raise CaseError("file", "csv", f"file: not a readable CSV after row {rows:,}") from None

    estimate = source.count(b"\n") - 1 if isinstance(source, bytes) else 0
    return BatchInput(chunks(), max(estimate, 1))


def _chained(first: pd.DataFrame, rest: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    yield first
    yield from rest


def _whole(read: Any, held: bool, chunk_rows: int | None) -> BatchInput:
    """A file read whole (a laboratory export, or a wide CSV the stream leaves to read_cases_csv), in chunks."""
    df, read_errors = read.frame, None
    if read.report is not None:  # one row per case, with the problems found while building it
        read_errors = df[READ_ERROR_COLUMN].to_numpy(dtype=object)
        df = df.drop(columns=[READ_ERROR_COLUMN])
    if held:
        budget.check_cases(len(df))
    crlf = not read.no_cr and (
        frame_holds_cr(df) or (read_errors is not None and any("\r" in str(e) for e in read_errors))
    )
    step = chunk_rows or max(len(df), 1)

    def chunks() -> Iterator[Chunk]:
        for start in range(0, max(len(df), 1), step):  # an empty file still has its columns checked
            part = read_errors[start : start + step] if read_errors is not None else None
            yield df.iloc[start : start + step], part

    return BatchInput(chunks(), max(len(df), 1), read.report, crlf)


def evaluate_batch(batch: BatchInput, guideline: str | GuidelineProfile = DEFAULT_PROFILE) -> Iterator[pd.DataFrame]:
    """The results of each chunk in turn (rows are independent, so chunks change no answer)."""
    for frame, read_errors in batch.chunks:
        results = evaluate_frame(frame, guideline)
        yield results if read_errors is None else lay_read_errors(results, read_errors)


def write_batch(
    batch: BatchInput, dest: IO[str] | str | None, guideline: str | GuidelineProfile = DEFAULT_PROFILE
) -> tuple[int, int]:
    """Write the results CSV of an opened file to dest (a text handle, a path, or None for stdout), chunk by chunk
    and header once; return (rows, rows with errors). A path written in part is removed on a CaseError."""
    if isinstance(dest, str):
        from pandas.io.common import get_handle  # how to_csv opens a path: the same checks and messages

        try:
            with get_handle(dest, "wb", compression=None, is_text=False) as handles:
                return _write_into(batch, handles.handle, guideline)
        except CaseError:
            with contextlib.suppress(OSError):
                os.remove(dest)  # no half-written results left behind
            raise
    if dest is None:
        sys.stdout.flush()
        counts = _write_into(batch, sys.stdout.buffer, guideline)
        sys.stdout.buffer.flush()
        return counts
    return _write_into(batch, _TextSink(dest), guideline)


class _TextSink:
    """A text handle taking UTF-8 bytes (whole lines, so no character is cut)."""

    def __init__(self, dest: IO[str]) -> None:
        self.dest = dest

    def write(self, data: bytes | memoryview) -> None:
        self.dest.write(bytes(data).decode("utf-8"))


def _write_into(batch: BatchInput, out: Any, guideline: str | GuidelineProfile) -> tuple[int, int]:
    rows = errors = 0
    csv = ResultsCsv(out, batch.crlf)
    for results in evaluate_batch(batch, guideline):
        csv.add(results)
        rows += len(results)
        errors += int((results["error"] != "").sum())
    return rows, errors
