"""The report writer: bench/RESULTS.md from the sections, with the machine, the command and the load."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
from harness import CHROMIUM
from results import BENCH, ROOT, Section, Settings


def machine_info() -> list[tuple[str, str]]:
    import psutil
    import streamlit

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import pyarrow

        arrow = pyarrow.__version__
    except ImportError:
        arrow = "not installed"
    commit = _git("rev-parse", "--short", "HEAD")
    outputs = (":(exclude)bench/RESULTS.md", ":(exclude)bench/HISTORY.md")  # this run's own report
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", "b12logic", "bench", *outputs)
    return [
        ("CPU", f"{cpu} ({platform.machine()})"),
        ("Cores", f"{psutil.cpu_count(logical=False)} physical, {os.cpu_count()} logical"),
        ("Memory", f"{psutil.virtual_memory().total / 2**30:.1f} GiB"),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("numpy / pandas / pyarrow", f"{np.__version__} / {pd.__version__} / {arrow}"),
        ("streamlit", streamlit.__version__),
        ("Chromium (benchmarks 5 and 6)", _chromium_version()),
        ("Commit", f"{commit}{' (with uncommitted changes in b12logic/ or bench/)' if dirty else ''}"),
    ]


def _chromium_version() -> str:
    """The browser's own version: browser figures move with it."""
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "not found"
    return out.strip().splitlines()[0] if out.strip() else "unknown"


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _met(met: bool | None) -> str:
    return "" if met is None else ("✅ met" if met else "❌ missed")


def render(sections: list[Section], command: str, started: dt.datetime, seconds: float, s: Settings) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}` on {started:%Y-%m-%d %H:%M} {started.astimezone().tzname()} "
        f"(took {seconds / 60:.1f} min). Every figure is a median over repeated runs and is compared with a "
        "baseline measured in the same run. Issue 5 states the targets; ratios are what count.",
        "",
        f"Load average (1, 5, 15 min) at the start: {s.load_at_start}; at the end: {_load()}. This is a shared "
        "2-core VM: other work running at the same time slows absolute figures more than ratios.",
    ]
    if s.quick:
        lines += ["", "**Quick mode** (`--quick`): fewer repeats; for development, not for the record."]
    if s.self_test_app:
        lines += ["", "**Self-test** (`--self-test-app`): benchmarks 4-6 use the bare page as the Explorer."]
    lines += ["", "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine_info()]
    lines += ["", "## Targets", "", "| # | figure | value | target | |", "|---|---|---|---|---|"]
    for sec in sections:
        if sec.skipped:
            status = "failed" if sec.skipped.startswith("failed") else "not yet available"
            lines.append(f"| {sec.number} | {sec.title} | {status} | | {sec.skipped} |")
        for row in sec.rows:
            if row.target:
                shown = f"{row.value} ({row.ratio})" if row.ratio else row.value
                lines.append(f"| {sec.number} | {row.figure} | {shown} | {row.target} | {_met(row.met)} |")
    for sec in sections:
        lines += ["", f"## {sec.number}. {sec.title}", ""]
        if sec.skipped:
            lines += [
                sec.skipped[0].upper() + sec.skipped[1:]
                if sec.skipped.startswith("failed")
                else f"Not yet available: {sec.skipped}."
            ]
            continue
        lines += [sec.method, "", "| figure | value | baseline | ratio | target | |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {r.figure} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {_met(r.met)} |" for r in sec.rows
        ]
        if sec.notes:
            lines += [""] + [f"- {n}" for n in sec.notes]
    history = BENCH / "HISTORY.md"
    if history.exists():
        lines += ["", history.read_text(encoding="utf-8").strip()]
    kept = kept_sections(BENCH / "RESULTS.md")
    if kept:
        lines += ["", kept]
    return "\n".join(lines) + "\n"


def kept_sections(path: Path) -> str:
    """Sections other tools add to RESULTS.md (bench/soak.py appends "## Soak"): kept across runs."""
    if not path.exists():
        return ""
    parts = re.split(r"(?m)^(?=## )", path.read_text(encoding="utf-8"))
    mine = re.compile(r"## (Machine|Targets|History|\d+\. )")
    return "\n".join(p.strip() for p in parts if p.startswith("## ") and not mine.match(p)).strip()
