"""Benchmark 3, batch end to end: `python -m b12logic batch` on a 1M-row CSV, against pandas read + write."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from cases import cases_csv
from results import DATA, ROOT, Row, Section, Settings, median

# Runs the command in a grandchild and reports its own rusage. Linux carries a process's peak resident
# size over fork and exec, so a child of this (large) benchmark process would report at least our peak;
# a child of this small launcher starts from the launcher's few MB instead.
_LAUNCHER = (
    "import os, subprocess, sys, time; t = time.perf_counter(); "
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
    "err = p.stderr.read(); _, status, usage = os.wait4(p.pid, 0); wall = time.perf_counter() - t; "
    "sys.stderr.buffer.write(err[-2000:]); print(wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status))"
)


def _run_child(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one fresh process running argv."""
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], cwd=ROOT, capture_output=True, text=True)
    wall, maxrss_kb, status = done.stdout.split()
    if done.returncode != 0 or int(status) != 0:
        raise RuntimeError(f"{shlex.join(argv)} failed ({status}): {done.stderr[-2000:]}")
    return float(wall), int(maxrss_kb) / 1024


_BASELINE_SCRIPT = (
    "import sys, pandas as pd; "
    "pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False).to_csv(sys.argv[2], index=False)"
)


def bench_batch_cli(s: Settings) -> Section:
    path = cases_csv(1_000_000, DATA)
    out = DATA / "batch_out.csv"
    base_out = DATA / "baseline_out.csv"
    batch_argv = [sys.executable, "-m", "b12logic", "batch", str(path), "-o", str(out)]
    base_argv = [sys.executable, "-c", _BASELINE_SCRIPT, str(path), str(base_out)]
    section = Section(
        3,
        "Batch end to end: `python -m b12logic batch` on a 1M-row CSV",
        f"The generated 1M-row CSV ({path.stat().st_size / 1e6:.0f} MB). Each run is a fresh process; wall "
        "time from start to exit, peak memory = the process's own maximum resident set size (`os.wait4` "
        "rusage, taken by a small launcher process so the benchmark's own memory is not inherited). Baseline, in the same run, interleaved: a fresh process that only reads the same file with "
        f"pandas and writes it back: `python -c {_BASELINE_SCRIPT!r}`.",
    )
    section.notes.append(f"Command: `{shlex.join(['.venv/bin/python', *batch_argv[1:]])}` (paths under bench/data/).")
    walls, peaks, base_walls, base_peaks = [], [], [], []
    for _ in range(s.repeats(3, 1)):
        w, p = _run_child(base_argv)
        base_walls.append(w)
        base_peaks.append(p)
        w, p = _run_child(batch_argv)
        walls.append(w)
        peaks.append(p)
    rows_in = _count_lines(path) - 1
    rows_out = _count_lines(out) - 1
    section.notes.append(
        f"Check: {rows_in:,} rows in, {rows_out:,} rows out ({'same' if rows_in == rows_out else 'DIFFERENT'}). "
        f"Batch runs: {', '.join(f'{w:.2f} s / {p:,.0f} MB' for w, p in zip(walls, peaks, strict=True))}; "
        f"baseline runs: {', '.join(f'{w:.2f} s / {p:,.0f} MB' for w, p in zip(base_walls, base_peaks, strict=True))}."
    )
    wall, peak, base_wall, base_peak = median(walls), median(peaks), median(base_walls), median(base_peaks)
    section.rows.append(
        Row(
            "wall time, 1M rows",
            f"{wall:.2f} s",
            f"read_csv + to_csv: {base_wall:.2f} s",
            f"{wall / base_wall:.2f}× baseline",
            "≤ 10 s",
            wall <= 10,
        )
    )
    section.rows.append(
        Row(
            "peak memory, 1M rows",
            f"{peak:,.0f} MB",
            f"read_csv + to_csv: {base_peak:,.0f} MB",
            f"{peak / base_peak:.2f}× baseline",
            "≤ 2 GB (2,048 MB)",
            peak <= 2048,
        )
    )
    return section


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            count += chunk.count(b"\n")
    return count
