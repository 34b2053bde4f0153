"""The batch page's work, without streamlit: read an uploaded CSV, evaluate it in chunks (so the page
can show progress), and summarise what went wrong in plain words.

Every problem with the file becomes a message in `BatchCheck.problem`; a bad row keeps its place
with its `error` cell filled (DESIGN.md's CSV contract) and is counted and grouped here.

>>> check = check_csv(b"id,age,sex,b12,esr\\nA,68,F,179,30\\nB,15,F,179,30\\n")
>>> check.problem, check.rows, check.ok, check.errors
(None, 2, 1, 1)
>>> check.error_groups[0].column, check.error_groups[0].reason, check.error_groups[0].row_numbers
('age', 'outside the allowed range', (2,))
>>> check_csv(b"").problem
'The file is empty; it needs a header row with age, sex, b12 and esr.'
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from b12logic import budget
from b12logic.batch import BatchInput, ResultsCsv, evaluate_batch, open_batch
from b12logic.engine import B12_STATUSES
from b12logic.esr import ESR_FLAGS
from b12logic.fields import REQUIRED_COLUMNS
from b12logic.guidelines import DEFAULT_PROFILE, GuidelineProfile
from b12logic.labs import LabReport
from b12logic.validate import CaseError
from b12logic.worker import run_in_worker

log = logging.getLogger(__name__)

CHUNK_ROWS = 20_000
PREVIEW_ROWS = 10_000  # rows the page shows (and sends to the browser); the download has every row
# What a validation message says, in a few words (the messages come from b12logic.validate).
_REASONS = (
    ("missing; it is required", "missing (required)"),
    ("is not a finite number", "not a finite number"),
    ("is not a number", "not a number"),
    ("outside the allowed range", "outside the allowed range"),
    ("is not a known unit", "unknown unit"),
    ("is not accepted", "not an accepted value"),
    ("is not yes or no", "not yes or no"),
)
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ErrorGroup:
    """Rows that failed for the same reason in the same column."""

    column: str
    reason: str
    row_numbers: tuple[int, ...]  # 1 = the first row under the header
    example: str  # the first row's full message

    @property
    def count(self) -> int:
        return len(self.row_numbers)

    def rows_text(self, limit: int = 8) -> str:
        shown = ", ".join(str(n) for n in self.row_numbers[:limit])
        more = self.count - limit
        return f"{shown} and {more:,} more" if more > 0 else shown


@dataclass
class BatchCheck:
    """What the batch page shows for one uploaded file."""

    problem: str | None = None
    results: pd.DataFrame | None = None
    rows: int = 0
    ok: int = 0
    errors: int = 0
    error_groups: list[ErrorGroup] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    flag_counts: dict[str, int] = field(default_factory=dict)
    lab_report: LabReport | None = None  # what a laboratory export held (None for the wide CSV)
    error_rows: pd.DataFrame | None = None  # the first PREVIEW_ROWS rows with errors (results: the first rows)
    csv: bytes = b""  # every row, as the CSV contract writes them: built once, held once

    @property
    def previewed(self) -> bool:
        """Whether results (and error_rows) hold only the first rows of the file."""
        return self.results is not None and len(self.results) < self.rows

    def results_csv(self) -> str:
        """The results as the CSV contract writes them (spreadsheet-safe cells)."""
        return self.csv.decode("utf-8")

    def results_csv_bytes(self) -> bytes:
        """The same, as the bytes built once when the file was checked (the download: no copy per click)."""
        return self.csv

    def error_table(self) -> pd.DataFrame:
        """The grouped errors as a table: column, problem, number of rows, which rows, an example."""
        return pd.DataFrame(
            {
                "Column": [g.column for g in self.error_groups],
                "Problem": [g.reason for g in self.error_groups],
                "Rows affected": [g.count for g in self.error_groups],
                "Row numbers": [g.rows_text() for g in self.error_groups],
                "Example message": [g.example for g in self.error_groups],
            }
        )


def plain_message(err: CaseError) -> str:
    """'file: the file is empty; ...' -> 'The file is empty; ...' (a sentence for the page)."""
    text = str(err)
    if err.field == "file" and isinstance(err.value, int) and "bytes is over the limit" in text:
        limit = _limit_of(text)
        return f"The file is {_megabytes(err.value, above=limit)}; the limit is {_megabytes(limit)}. Split it into smaller files."
    head, sep, rest = text.partition(": ")
    if sep and head in ("file", "columns"):
        text = rest
    if head == "columns":
        text = f"Column problem: {text}"
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _megabytes(size: int, above: int | None = None) -> str:
    """Sizes as people (and the browser's uploader) read them, 1 MB = 1,000,000 bytes; a size just above the
    limit `above` must not print as equal to it.

    >>> _megabytes(50_000_000), _megabytes(50_000_001, above=50_000_000), _megabytes(1_200_016, above=1_000_000)
    ('50 MB', '50.1 MB', '1.2 MB')
    """
    if size < budget.BYTES_PER_MB:
        return f"{size:,} bytes"
    mb = round(size / budget.BYTES_PER_MB, 1)
    if above is not None and mb <= above / budget.BYTES_PER_MB:
        mb = math.ceil(size / budget.BYTES_PER_MB * 10) / 10
    return f"{mb:g} MB" if mb.is_integer() else f"{mb:.1f} MB"


def _limit_of(text: str) -> int:
    """The byte limit written at the end of read_cases_csv's message ('... limit of 52,428,800 bytes')."""
    digits = text.rsplit("limit of", 1)[-1].replace(",", "").split()[0]
    return int(digits) if digits.isdigit() else 0


def _group_messages(messages: list[tuple[int, str]]) -> list[ErrorGroup]:
    """Group the rows' error messages (row number, message) by column and reason, most frequent first."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for position, message in messages:
        column = message.partition(":")[0] if ":" in message else "row"
        reason = next((short for phrase, short in _REASONS if phrase in message), "other problem")
        groups.setdefault((column, reason), []).append((position, message))
    out = [
        ErrorGroup(column=col, reason=reason, row_numbers=tuple(p for p, _ in items), example=items[0][1])
        for (col, reason), items in groups.items()
    ]
    return sorted(out, key=lambda g: (-g.count, g.row_numbers[0]))


def check_csv(
    data: bytes,
    guideline: str | GuidelineProfile = DEFAULT_PROFILE,
    max_bytes: int | None = None,
    progress: ProgressCallback | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> BatchCheck:
    """Read and evaluate an uploaded cases CSV. Never raises for anything a user's file can contain.

    Memory stays that of one chunk plus the answer the page keeps: the results CSV (built once, here), the
    first PREVIEW_ROWS rows and rows with errors, and the counts. A wide CSV is read in blocks straight from
    the upload; a laboratory export is read whole (its rows are grouped by patient), then evaluated in chunks.
    """
    try:
        return _check(open_batch(data, max_bytes, chunk_rows), guideline, progress)
    except CaseError as err:
        return BatchCheck(problem=plain_message(err))
    except Exception:  # a file the reader accepted but the engine could not handle: say so, log the detail
        log.exception("batch evaluation failed")
        return BatchCheck(problem="The file could not be checked. Save it again as CSV (UTF-8) from the template.")


def _check(batch: BatchInput, guideline: str | GuidelineProfile, progress: ProgressCallback | None) -> BatchCheck:
    answer = _Answer(batch.crlf)
    total = batch.rows_estimate
    for results in evaluate_batch(batch, guideline):
        answer.add(results)
        if progress is not None and len(results):
            total = max(total, answer.rows)
            progress(answer.rows, total)
    if answer.rows == 0:
        return BatchCheck(
            problem=f"The file has a header row but no rows of cases under it (required columns: "
            f"{', '.join(REQUIRED_COLUMNS)})."
        )
    return answer.check(batch.report)


class _Answer:
    """What the page keeps of the results, built chunk by chunk: the CSV, a preview, counts and error groups."""

    def __init__(self, crlf: bool) -> None:
        self.csv = io.BytesIO()
        self.writer = ResultsCsv(self.csv, crlf)  # the whole file's line ends (b12logic.batch.BatchInput)
        self.preview: list[pd.DataFrame] = []
        self.error_preview: list[pd.DataFrame] = []
        self.previewed = self.error_rows_previewed = 0
        self.messages: list[tuple[int, str]] = []
        self.status: dict[str, int] = dict.fromkeys(B12_STATUSES, 0)
        self.flags: dict[str, int] = dict.fromkeys(ESR_FLAGS, 0)
        self.rows = self.bad = 0

    def add(self, results: pd.DataFrame) -> None:
        done = self.rows
        results.index = pd.RangeIndex(done + 1, done + len(results) + 1, name="row")  # row 1 = first under header
        self.writer.add(results)
        errors = results["error"].astype("string").fillna("")
        bad = (errors != "").to_numpy()
        for position in np.flatnonzero(bad).tolist():
            self.messages.append((done + position + 1, str(errors.iloc[position])))
        if self.previewed < PREVIEW_ROWS:
            self.preview.append(results.iloc[: PREVIEW_ROWS - self.previewed])
            self.previewed += len(self.preview[-1])
        if self.error_rows_previewed < PREVIEW_ROWS and bad.any():
            self.error_preview.append(results[bad].iloc[: PREVIEW_ROWS - self.error_rows_previewed])
            self.error_rows_previewed += len(self.error_preview[-1])
        for name, count in results["b12_status"].astype("object").value_counts().items():
            self.status[str(name)] = self.status.get(str(name), 0) + int(count)
        for name, count in results["esr_flag"].astype("object").value_counts().items():
            self.flags[str(name)] = self.flags.get(str(name), 0) + int(count)
        self.rows += len(results)
        self.bad += int(bad.sum())

    def check(self, report: LabReport | None) -> BatchCheck:
        preview = pd.concat(self.preview) if len(self.preview) > 1 else self.preview[0]
        errors = pd.concat(self.error_preview) if self.error_preview else preview.iloc[:0]
        return BatchCheck(
            results=preview,
            rows=self.rows,
            ok=self.rows - self.bad,
            errors=self.bad,
            error_groups=_group_messages(self.messages),
            status_counts={s: self.status.get(s, 0) for s in B12_STATUSES},
            flag_counts={f: self.flags.get(f, 0) for f in ESR_FLAGS},
            lab_report=report,
            error_rows=errors,
            csv=self.csv.getvalue(),
        )


IN_PROCESS_BYTES = 1_000_000  # smaller uploads are checked in the server's process (a new one costs ~2 s)


def check_upload(
    data: bytes,
    guideline: str | GuidelineProfile = DEFAULT_PROFILE,
    max_bytes: int | None = None,
    progress: ProgressCallback | None = None,
) -> BatchCheck:
    """check_csv for the page, within the process's budget (b12logic.budget): one file at a time, refused
    before any work when its results would not fit beside what the process holds, a large file checked in a
    process of its own (b12logic.worker: its CPU and memory are not the other sessions'), and its results
    counted against the process for as long as the session keeps the answer."""
    with budget.one_check_at_a_time():
        try:
            budget.check_size(len(data), max_bytes)
            budget.make_room(len(data))
            if len(data) <= IN_PROCESS_BYTES:
                with budget.background_priority():
                    check = check_csv(data, guideline, max_bytes=max_bytes, progress=progress)
            else:
                check, csv = run_in_worker(_check_apart, data, guideline, max_bytes, progress=progress)
                check.csv = csv
        except CaseError as err:
            return BatchCheck(problem=plain_message(err))
    budget.hold(check, len(check.csv))
    return check


def _check_apart(
    data: bytes, guideline: str | GuidelineProfile, max_bytes: int | None, progress: ProgressCallback
) -> tuple[BatchCheck, bytes]:
    """check_csv in the worker: the answer, and its CSV apart (sent as one buffer, not pickled again)."""
    check = check_csv(data, guideline, max_bytes=max_bytes, progress=progress)
    csv, check.csv = check.csv, b""
    return check, csv
