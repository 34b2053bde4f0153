"""Privacy: evaluating cases and checking uploads writes no file and logs no laboratory value.

Two independent witnesses. A Python audit hook records every file opened for writing, from any
thread (AppTest runs the script in its own), while the operation runs; and the repository tree and
the temporary directory are listed before and after. Logging is captured at DEBUG for the b12logic
and streamlit loggers while a case with distinctive values (b12=173.37 ...) is evaluated, and none
of those strings may appear in any record, traceback included.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import streamlit.logger
from streamlit.testing.v1 import AppTest

from b12logic import Case, evaluate
from b12logic.batch import evaluate_frame, read_cases_csv, write_results_csv
from b12logic.batch_check import check_csv
from b12logic.guidelines import PROFILES
from b12logic.method import PRIVACY_STATEMENT

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
# Tool caches that appear whatever the code does (and other people's concurrent edits are source files).
IGNORED_PARTS = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}

VALUES = {"age": "63.29", "b12": "173.37", "esr": "87.13", "mma": "412.91", "hb": "9.77", "homocysteine": "23.47"}
VALUES_MCV = "104.63"
DISTINCTIVE = [*VALUES.values(), VALUES_MCV]
CSV = (
    "id,age,sex,b12,esr,mma,hb,homocysteine,mcv\n"
    f"p1,{VALUES['age']},F,{VALUES['b12']},{VALUES['esr']},{VALUES['mma']},{VALUES['hb']},"
    f"{VALUES['homocysteine']},{VALUES_MCV}\n"
    f"p2,{VALUES['age']},X,{VALUES['b12']},{VALUES['esr']},,,,\n"  # a bad row: its message quotes a value
    f"p3,15,M,{VALUES['b12']},{VALUES['esr']},,,,\n"
).encode()

# --- witness 1: every open-for-writing in the process, while recording

_recording = threading.Event()
_writes: list[str] = []
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _recording.is_set() or event != "open":
        return
    path, mode, flags = args
    writing = any(c in (mode or "") for c in "wax+") if isinstance(mode, str) else bool(flags & _WRITE_FLAGS)
    if writing and path is not None and not isinstance(path, int):
        _writes.append(str(path))


sys.addaudithook(_audit)  # process-wide and permanent, but idle unless a test is recording


def _files(root: Path) -> set[str]:
    found: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in IGNORED_PARTS]
        found.update(os.path.join(dirpath, f) for f in filenames)
    return found


@contextmanager
def no_files_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run the block with a private temp dir; fail if it opened any file for writing or left one behind."""
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    repo_before = {f for f in _files(ROOT) if not f.endswith((".py", ".md"))}
    _writes.clear()
    _recording.set()
    try:
        yield
    finally:
        _recording.clear()
    assert _writes == [], f"files opened for writing: {_writes}"
    assert list(private_tmp.iterdir()) == []
    new_in_repo = {f for f in _files(ROOT) if not f.endswith((".py", ".md"))} - repo_before
    assert new_in_repo == set()


# --- witness 2: every log record, at DEBUG


@contextmanager
def all_log_records() -> Iterator[list[str]]:
    """Every record any logger handles (streamlit's loggers do not propagate), formatted with tracebacks."""
    texts: list[str] = []
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    original_handle = logging.Logger.handle

    def handle(self: logging.Logger, record: logging.LogRecord) -> None:
        texts.append(formatter.format(record))
        original_handle(self, record)

    watched = [logging.getLogger(), logging.getLogger("b12logic"), logging.getLogger("streamlit")]
    levels = [lg.level for lg in watched]
    previous_streamlit_level = streamlit.logger._global_log_level
    for lg in watched:
        lg.setLevel(logging.DEBUG)
    streamlit.logger.set_log_level("DEBUG")
    logging.Logger.handle = handle  # type: ignore[method-assign]
    try:
        yield texts
    finally:
        logging.Logger.handle = original_handle  # type: ignore[method-assign]
        streamlit.logger.set_log_level(previous_streamlit_level)
        for lg, level in zip(watched, levels, strict=True):
            lg.setLevel(level)


def assert_no_lab_values(texts: list[str]) -> None:
    leaked = [(value, t) for t in texts for value in DISTINCTIVE if value in t]
    assert leaked == [], leaked[:3]


def test_the_log_capture_sees_debug_records_from_both_families() -> None:
    # Guards the guard: a record from each family must be seen, or "nothing logged" proves nothing.
    with all_log_records() as texts:
        logging.getLogger("b12logic.batch_check").debug("probe b12logic")
        streamlit.logger.get_logger("streamlit.runtime.probe").debug("probe streamlit")
    assert any("probe b12logic" in t for t in texts)
    assert any("probe streamlit" in t for t in texts)


def test_the_write_witness_sees_a_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AssertionError, match="files opened for writing"), no_files_written(tmp_path, monkeypatch):
        (Path(tempfile.gettempdir()) / "leak.txt").write_text("b12=173.37")


def _run_engine() -> None:
    case = Case(
        age=float(VALUES["age"]),
        sex="female",
        b12=float(VALUES["b12"]),
        esr=float(VALUES["esr"]),
        mma=float(VALUES["mma"]),
        hb=float(VALUES["hb"]),
        homocysteine=float(VALUES["homocysteine"]),
        mcv=float(VALUES_MCV),
        neuro_symptoms=True,
    )
    for guideline in PROFILES:
        evaluate(case, guideline).to_dict()


def _run_batch_in_memory() -> None:
    out = evaluate_frame(read_cases_csv(CSV))
    assert len(out) == 3
    text = write_results_csv(out)
    assert text is not None and VALUES["b12"] in text  # the results carry the values, in memory only
    check = check_csv(CSV)
    assert (check.rows, check.errors) == (3, 2)
    assert VALUES["b12"] in check.results_csv()


def _run_every_page() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in {**VALUES, "sex": "female", "mcv": VALUES_MCV, "neuro_symptoms": "yes"}.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    for page in sorted(p.name for p in (ROOT / "pages").glob("*.py")):
        at.switch_page(f"pages/{page}").run()
        assert not at.exception, page
        if page == "batch.py":
            at.file_uploader[0].set_value(("ward.csv", CSV, "text/csv"))
            at.run()
            assert not at.exception


OPERATIONS: dict[str, Callable[[], None]] = {
    "evaluate": _run_engine,
    "batch-in-memory": _run_batch_in_memory,
    "app-every-page-and-upload": _run_every_page,
}


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_no_file_written_and_no_lab_value_logged(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with no_files_written(tmp_path, monkeypatch), all_log_records() as texts:
        OPERATIONS[name]()
    assert_no_lab_values(texts)


def test_the_references_page_says_so() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/references.py").run()
    assert not at.exception
    shown = " ".join(str(m.value) for m in at.markdown)
    assert PRIVACY_STATEMENT in shown
    assert "writes no case data to disk and logs no laboratory values" in PRIVACY_STATEMENT
