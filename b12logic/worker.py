"""A large upload is checked in a process of its own: its memory and its CPU are not the server's.

The server runs every session in one Python process, and a pure-Python read (a FHIR Bundle's models, a
million rows' text) holds the interpreter lock for seconds: every other student's slider waits. In a
child process, at a lower CPU priority, the work no longer holds the server's lock, the operating system
runs the other sessions first, the child's memory is watched (stopped above WORKER_MEMORY_BYTES) and all
of it goes back to the system when the child ends. The child is a fresh interpreter (forking a threaded
server is unsafe) and sends its progress and its answer back through a pipe.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from b12logic.validate import CaseError

WORKER_MEMORY_BYTES = 2_000_000_000  # one file's check; a 49 MB wide upload peaks near 0.8 GB
WORKER_NICENESS = 15
Progress = Callable[[int, int], None]


def run_in_worker(task: Callable[..., tuple[Any, bytes]], *args: Any, progress: Progress | None = None) -> Any:
    """task(*args, progress=...) in a child process; its answer is (a picklable object, bytes), and the bytes
    come back as one buffer (no second copy in this process). CaseError when the child goes over its memory
    limit or stops without an answer.

    The child is a fresh interpreter (`python -m b12logic.worker`) talking over two pipes, not a
    multiprocessing "spawn" child: spawn imports the parent's __main__ again, and in a Streamlit server that is
    the app script being run (Streamlit puts it in sys.modules as __main__), so the child ran the whole app."""
    to_child_read, to_child_write = os.pipe()
    from_child_read, from_child_write = os.pipe()
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen(
        [sys.executable, "-m", "b12logic.worker", str(to_child_read), str(from_child_write)],
        pass_fds=(to_child_read, from_child_write),
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    os.close(to_child_read)
    os.close(from_child_write)
    sender, receiver = Connection(to_child_write, readable=False), Connection(from_child_read, writable=False)
    try:
        sender.send((task, args))
        sender.close()
        while True:
            if receiver.poll(0.2):
                kind, payload = receiver.recv()
                if kind == "progress":
                    if progress is not None:
                        progress(*payload)
                    continue
                return payload, receiver.recv_bytes()
            if child.poll() is not None:
                raise CaseError("file", "worker", "file: the file could not be checked (the check stopped)")
            if _rss(child.pid) > WORKER_MEMORY_BYTES:
                child.kill()
                raise CaseError(
                    "file",
                    "memory",
                    f"file: checking it needs more than {WORKER_MEMORY_BYTES // 1_000_000:,} MB of memory, the "
                    "limit for one file; split it into smaller files",
                )
    except (EOFError, BrokenPipeError):
        raise CaseError("file", "worker", "file: the file could not be checked (the check stopped)") from None
    finally:
        receiver.close()
        if not sender.closed:
            sender.close()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _child(read_fd: int, write_fd: int) -> None:
    os.nice(WORKER_NICENESS)  # the server's sessions first
    receiver, sender = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    task, args = receiver.recv()
    receiver.close()
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


if __name__ == "__main__":  # python -m b12logic.worker READ_FD WRITE_FD: run_in_worker's child
    _child(int(sys.argv[1]), int(sys.argv[2]))
