"""What one uploaded file may cost, checked while reading and before the work starts.

Each limit is a number here and a one-line message naming it (CaseError on the field "file"), so a hostile
or careless file is refused for what it is (too wide, too many rows, too deep) before pandas or the FHIR
models spend memory on it. The sizes are counted on the raw bytes, which is cheap: a 49 MB file is counted
in a few hundredths of a second.

>>> check_width(["age", "sex", "b12", "esr"])
>>> check_width(["c"] * 300)
Traceback (most recent call last):
...
b12logic.validate.CaseError: file: 300 columns is over the limit of 256 columns
>>> check_json_depth({"a": [{"b": [1]}]}, limit=4)
>>> check_json_depth([[[[[]]]]], limit=4)
Traceback (most recent call last):
...
b12logic.validate.CaseError: file: the JSON is nested more than 4 levels deep (the limit)
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from b12logic.validate import CaseError

# One cap for the browser and the server: Streamlit's browser uploader refuses files over maxUploadSize
# × 1,000,000 bytes, its server over × 1,048,576 (issue 22); the readers refuse over the browser's number.
BYTES_PER_MB = 1_000_000
UPLOAD_CAP_MB = 50
MAX_COLUMNS = 256  # the contract has 18 columns; a file may add its own, but not thousands
MAX_CELLS = 25_000_000  # rows × columns of a CSV: what pandas and the engine hold in memory
MAX_CASES = 1_500_000  # rows of results: their CSV (~370 bytes a row) is what the page holds for the download
MAX_FHIR_RESOURCES = 200_000  # each is validated by a pydantic model, ~4 KB of memory at its peak
MAX_JSON_DEPTH = 64  # a FHIR Bundle nests about 10 levels; Python's own recursion stops near 1,000


def upload_cap_bytes(cap_mb: int | float = UPLOAD_CAP_MB) -> int:
    """The largest upload in bytes, as the browser counts a megabyte."""
    return int(cap_mb * BYTES_PER_MB)


def check_size(size: int, max_bytes: int | None) -> None:
    if max_bytes is not None and size > max_bytes:
        raise CaseError("file", size, f"file: {size:,} bytes is over the limit of {max_bytes:,} bytes")


def check_width(names: list[str] | tuple[str, ...]) -> None:
    """A header with more columns than MAX_COLUMNS."""
    if len(names) > MAX_COLUMNS:
        raise CaseError("file", len(names), f"file: {len(names):,} columns is over the limit of {MAX_COLUMNS} columns")


def header_width(first_line: str, delimiter: str) -> int:
    """Columns in a header line, counted without parsing it (a quoted delimiter counts too: an upper bound)."""
    return first_line.count(delimiter) + 1


def check_csv_size(raw: bytes | str, columns: int) -> None:
    """Rows (line breaks, an upper bound) × columns over MAX_CELLS, or rows over MAX_CASES: before parsing."""
    if columns > MAX_COLUMNS:
        raise CaseError("file", columns, f"file: {columns:,} columns is over the limit of {MAX_COLUMNS} columns")
    _check_lines(raw.count(b"\n") if isinstance(raw, bytes) else raw.count("\n"), columns)


def _check_lines(lines: int, columns: int) -> None:
    if lines * columns > MAX_CELLS:
        raise CaseError(
            "file",
            lines,
            f"file: {lines:,} rows of {columns} columns is over the limit of {MAX_CELLS:,} cells; split the file",
        )
    if lines - 1 > MAX_CASES:
        raise CaseError(
            "file", lines, f"file: {lines - 1:,} rows is over the limit of {MAX_CASES:,} rows; split the file"
        )


def check_csv_size_of(path: str, columns: int) -> None:
    """check_csv_size for a file on disk, counted in pieces (never read whole)."""
    lines = 0
    with open(path, "rb") as handle:
        while piece := handle.read(1 << 24):
            lines += piece.count(b"\n")
    _check_lines(lines, columns)


def check_cases(cases: int) -> None:
    if cases > MAX_CASES:
        raise CaseError(
            "file", cases, f"file: {cases:,} cases is over the limit of {MAX_CASES:,} cases; split the file"
        )


def check_fhir_size(raw: bytes) -> None:
    """More resources than MAX_FHIR_RESOURCES, counted by their "resourceType" keys before parsing."""
    resources = raw.count(b'"resourceType"')
    if resources > MAX_FHIR_RESOURCES + 1:  # the Bundle itself is one
        raise CaseError(
            "file",
            resources,
            f"file: {resources:,} FHIR resources is over the limit of {MAX_FHIR_RESOURCES:,}; split the file",
        )


def check_json_depth(document: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """JSON nested deeper than limit (walked without recursion: the walk itself cannot overflow)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            raise CaseError("file", depth, f"file: the JSON is nested more than {limit} levels deep (the limit)")
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def too_deep() -> CaseError:
    """What a RecursionError while reading a file means to the user."""
    return CaseError("file", "depth", f"file: the file is nested more than {MAX_JSON_DEPTH} levels deep (the limit)")


# --- The process's share: one file checked at a time, and a ceiling on the results all sessions hold.

PROCESS_HELD_BYTES = 1_500_000_000  # results CSVs held by every session of one process, together
RESULTS_PER_UPLOAD_BYTE = 12  # a results CSV is about 11 times its upload (bench/RESULTS.md, issue 22)
_held: dict[int, int] = {}
_held_lock = threading.Lock()
_one_check = threading.Lock()


def held_bytes() -> int:
    with _held_lock:
        return sum(_held.values())


def make_room(upload_bytes: int) -> None:
    """CaseError when the results this upload would bring do not fit beside what the process holds already."""
    needed = upload_bytes * RESULTS_PER_UPLOAD_BYTE
    held = held_bytes()
    if held + needed > PROCESS_HELD_BYTES:
        raise CaseError(
            "file",
            "busy",
            f"file: the server is holding {held / BYTES_PER_MB:,.0f} MB of other people's results and this file's "
            f"would pass its limit of {PROCESS_HELD_BYTES / BYTES_PER_MB:,.0f} MB; try again in a few minutes or "
            "split the file",
        )


def hold(owner: object, size: int) -> None:
    """Count size bytes against the process until owner (the session's answer) is gone: a new upload, a
    closed tab or a removed file lets it go, and the count with it."""
    key = id(owner)
    with _held_lock:
        _held[key] = size
    weakref.finalize(owner, _release, key)


def _release(key: int) -> None:
    with _held_lock:
        _held.pop(key, None)


@contextlib.contextmanager
def one_check_at_a_time() -> Iterator[None]:
    """Files are checked one after another in a process: the memory of two large checks never adds up."""
    with _one_check:
        yield


@contextlib.contextmanager
def background_priority(niceness: int = 10) -> Iterator[None]:
    """Run the block at a lower CPU priority (this thread only: Linux schedules threads on their own), so
    the other sessions' reruns go first while a large file is checked."""
    thread = threading.get_native_id()
    try:
        before = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, max(before, niceness))
    except (OSError, AttributeError):  # not Linux, or not allowed: run as is
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):  # raising it back needs the right to; else the thread ends niced
            os.setpriority(os.PRIO_PROCESS, thread, before)
