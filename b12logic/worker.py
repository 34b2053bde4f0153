"""A large upload is checked in a process of its own: its memory and its CPU are not the server's.

The server runs every session in one Python process, and a pure-Python read (a FHIR Bundle's models, a
million rows' text) holds the interpreter lock for seconds: every other student's slider waits. In a
child process, at a lower CPU priority, the work no longer holds the server's lock, the operating system
runs the other sessions first, the child's memory is watched (stopped above WORKER_MEMORY_BYTES) and all
of it goes back to the system when the child ends. The child is started fresh ("spawn": forking a
threaded server is unsafe) and sends its progress and its answer back through a pipe.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any

from b12logic.validate import CaseError

WORKER_MEMORY_BYTES = 2_000_000_000  # one file's check; a 49 MB wide upload peaks near 0.8 GB
WORKER_NICENESS = 15
Progress = Callable[[int, int], None]


def run_in_worker(task: Callable[..., tuple[Any, bytes]], *args: Any, progress: Progress | None = None) -> Any:
    """task(*args, progress=...) in a child process; its answer is (a picklable object, bytes), and the bytes
    come back as one buffer (no second copy in this process). CaseError when the child goes over its memory
    limit or stops without an answer."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, task, args), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            if receiver.poll(0.2):
                kind, payload = receiver.recv()
                if kind == "progress":
                    if progress is not None:
                        progress(*payload)
                    continue
                answer = payload
                answer_bytes = receiver.recv_bytes()
                return answer, answer_bytes
            if not child.is_alive():
                raise CaseError("file", "worker", "file: the file could not be checked (the check stopped)")
            if _rss(child.pid) > WORKER_MEMORY_BYTES:
                child.kill()
                raise CaseError(
                    "file",
                    "memory",
                    f"file: checking it needs more than {WORKER_MEMORY_BYTES // 1_000_000:,} MB of memory, the "
                    "limit for one file; split it into smaller files",
                )
    except EOFError:
        raise CaseError("file", "worker", "file: the file could not be checked (the check stopped)") from None
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()


def _child(sender: Any, task: Callable[..., tuple[Any, bytes]], args: tuple[Any, ...]) -> None:
    os.nice(WORKER_NICENESS)  # the server's sessions first
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] > 0.25 or done >= total:  # a few messages a second, not one per chunk
            last[0] = now
            sender.send(("progress", (done, total)))

    answer, answer_bytes = task(*args, progress=progress)
    sender.send(("answer", answer))
    sender.send_bytes(answer_bytes)
    sender.close()


def _rss(pid: int | None) -> int:
    """Resident memory of a process in bytes (0 when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
