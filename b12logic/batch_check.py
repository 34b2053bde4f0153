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

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from b12logic.batch import evaluate_frame, write_results_csv
from b12logic.engine import B12_STATUSES
from b12logic.esr import ESR_FLAGS
from b12logic.fields import REQUIRED_COLUMNS
from b12logic.guidelines import DEFAULT_PROFILE, GuidelineProfile
from b12logic.labs import LabReport, lay_read_errors, read_cases
from b12logic.labs.report import READ_ERROR_COLUMN
from b12logic.validate import CaseError

log = logging.getLogger(__name__)

CHUNK_ROWS = 20_000
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

    def results_csv(self) -> str:
        """The results as the CSV contract writes them (spreadsheet-safe cells)."""
        if self.results is None:
            return ""
        return write_results_csv(self.results) or ""

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
    if err.field == "file" and isinstance(err.value, int) and "over the limit" in text:
        return f"The file is {_megabytes(err.value, round_up=True)}; the limit is {_megabytes(_limit_of(text))}. Split it into smaller files."
    head, sep, rest = text.partition(": ")
    if sep and head in ("file", "columns"):
        text = rest
    if head == "columns":
        text = f"Column problem: {text}"
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _megabytes(size: int, round_up: bool = False) -> str:
    """Sizes as people read them; a file just over the limit must not print as equal to it."""
    if size < 1_048_576:
        return f"{size:,} bytes"
    mb = size / 1_048_576
    if round_up:
        mb = math.ceil(mb * 10) / 10
    return f"{mb:g} MB" if mb.is_integer() else f"{mb:.1f} MB"


def _limit_of(text: str) -> int:
    """The byte limit written at the end of read_cases_csv's message ('... limit of 52,428,800 bytes')."""
    digits = text.rsplit("limit of", 1)[-1].replace(",", "").split()[0]
    return int(digits) if digits.isdigit() else 0


def _group_errors(errors: pd.Series) -> list[ErrorGroup]:
    """Group the error cells by column and reason, most frequent first."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for position, message in enumerate(errors.tolist(), start=1):
        if not message:
            continue
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
    """Read and evaluate an uploaded cases CSV. Never raises for anything a user's file can contain."""
    try:
        read = read_cases(data, max_bytes=max_bytes)  # the wide CSV, a long laboratory CSV or FHIR JSON
        df = read.frame
        read_errors = None
        if read.report is not None:  # one row per case, with the problems found while building it
            read_errors = df[READ_ERROR_COLUMN].to_numpy(dtype=object)
            df = df.drop(columns=[READ_ERROR_COLUMN])
        evaluate_frame(df.head(0), guideline)  # the column check, before any row work
    except CaseError as err:
        return BatchCheck(problem=plain_message(err))
    if len(df) == 0:
        return BatchCheck(
            problem=f"The file has a header row but no rows of cases under it (required columns: "
            f"{', '.join(REQUIRED_COLUMNS)})."
        )
    total = len(df)
    try:
        parts = []
        for start in range(0, total, chunk_rows):
            parts.append(evaluate_frame(df.iloc[start : start + chunk_rows], guideline))
            if progress is not None:
                progress(min(start + chunk_rows, total), total)
        results = pd.concat(parts) if len(parts) > 1 else parts[0]
        if read_errors is not None:
            results = lay_read_errors(results, read_errors)
    except CaseError as err:
        return BatchCheck(problem=plain_message(err))
    except Exception:  # a file the reader accepted but the engine could not handle: say so, log the detail
        log.exception("batch evaluation failed")
        return BatchCheck(problem="The file could not be checked. Save it again as CSV (UTF-8) from the template.")
    # Row 1 is the first row under the header, as in the error groups (the CSV is written without the index).
    results.index = pd.RangeIndex(1, total + 1, name="row")
    errors = results["error"].astype("string").fillna("")
    bad = int((errors != "").sum())
    status = results["b12_status"].astype("object").value_counts()
    flags = results["esr_flag"].astype("object").value_counts()
    return BatchCheck(
        results=results,
        rows=total,
        ok=total - bad,
        errors=bad,
        error_groups=_group_errors(errors),
        status_counts={s: int(status.get(s, 0)) for s in B12_STATUSES},
        flag_counts={f: int(flags.get(f, 0)) for f in ESR_FLAGS},
        lab_report=read.report,
    )
