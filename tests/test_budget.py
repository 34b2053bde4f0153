"""b12logic.budget (issue 22, finding 1): limits before work, results built once and held once, the process's share."""

from __future__ import annotations

import gc
import os
import threading

import pytest

from b12logic import budget
from b12logic.batch_check import PREVIEW_ROWS, check_csv, check_upload

ROWS = PREVIEW_ROWS + 2_500
DATA = b"id,age,sex,b12,esr\n" + b"".join(
    f"r{i},{15 if i % 1000 == 7 else 68},F,{100 + i % 600},30\n".encode() for i in range(ROWS)
)


def test_a_large_file_keeps_a_preview_and_the_whole_csv_once() -> None:
    check = check_csv(DATA)
    assert check.rows == ROWS and check.previewed
    assert check.results is not None and len(check.results) == PREVIEW_ROWS
    assert check.results.index[0] == 1 and check.results.index[-1] == PREVIEW_ROWS
    assert check.error_rows is not None and check.error_rows["error"].str.startswith("age: 15").all()
    assert len(check.error_rows) == check.errors == ROWS // 1000 + (1 if ROWS % 1000 > 7 else 0)
    (group,) = check.error_groups
    assert group.count == check.errors and group.row_numbers[-1] == max(check.error_rows.index)
    lines = check.results_csv().splitlines()
    assert len(lines) == ROWS + 1 and lines[-1].startswith(f"r{ROWS - 1},")
    assert check.results_csv_bytes() is check.results_csv_bytes()  # every download click: the same bytes


def test_the_results_are_counted_against_the_process_until_let_go(monkeypatch: pytest.MonkeyPatch) -> None:
    before = budget.held_bytes()
    check = check_upload(DATA)
    assert check.problem is None and budget.held_bytes() == before + len(check.csv)
    monkeypatch.setattr(budget, "PROCESS_HELD_BYTES", before + len(check.csv) + len(DATA))
    refused = check_upload(DATA)
    assert refused.problem is not None and refused.problem.startswith("The server is holding")
    assert "limit of" in refused.problem and "\n" not in refused.problem
    del check, refused
    gc.collect()
    assert budget.held_bytes() == before


def test_checks_take_turns_and_run_at_a_lower_priority() -> None:
    seen: list[int] = []

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    start = niceness()
    with budget.background_priority():
        seen.append(niceness())
    assert seen == [max(start, 10)]
    assert budget._one_check.acquire(blocking=False)  # free when no check runs
    budget._one_check.release()


@pytest.mark.parametrize(
    "size,allowed",
    [(budget.upload_cap_bytes(), True), (budget.upload_cap_bytes() + 1, False)],
)
def test_one_upload_cap_in_bytes_as_the_browser_counts(size: int, allowed: bool) -> None:
    """The browser refuses over maxUploadSize × 1,000,000 bytes; the readers refuse over the same number."""
    assert budget.upload_cap_bytes(50) == 50_000_000
    if allowed:
        budget.check_size(size, budget.upload_cap_bytes())
    else:
        with pytest.raises(ValueError, match="50,000,001 bytes is over the limit of 50,000,000 bytes"):
            budget.check_size(size, budget.upload_cap_bytes())


BIG = DATA * 8  # 2.3 MB: over IN_PROCESS_BYTES, so checked in a worker process


def test_a_large_upload_is_checked_in_a_worker_with_the_same_answer() -> None:
    from b12logic.batch_check import IN_PROCESS_BYTES

    assert len(BIG) > IN_PROCESS_BYTES
    calls: list[tuple[int, int]] = []
    apart = check_upload(BIG, progress=lambda done, total: calls.append((done, total)))
    here = check_csv(BIG)
    assert apart.problem is None and apart.csv == here.csv and apart.rows == here.rows
    assert apart.error_groups == here.error_groups and apart.status_counts == here.status_counts
    assert calls and calls[-1] == (here.rows, here.rows)


def test_a_worker_over_its_memory_limit_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    import b12logic.worker as worker

    monkeypatch.setattr(worker, "WORKER_MEMORY_BYTES", 1_000_000)  # any Python process is over 1 MB
    refused = check_upload(BIG)
    assert refused.problem is not None
    assert refused.problem.startswith("Checking it needs more than 1 MB of memory, the limit for one file")
