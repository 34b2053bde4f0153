"""Benchmarks for the engine and the app (issue 5). Not tests: run `.venv/bin/python bench/run.py`.

It writes bench/RESULTS.md: machine info, the exact command, the date, and every figure as a ratio
against a baseline measured in the same run, with medians over repeated runs.

1. evaluate, single case (µs)                     baseline: building the Assessment dataclass alone
2. evaluate_frame rows/s at 10k, 100k, 1M rows     baseline: DataFrame.apply of evaluate on 10k rows
3. `python -m b12logic batch` on a 1M-row CSV       baseline: pandas read_csv + to_csv of the same file
4. App, server side: AppTest rerun after a slider change, Explorer vs bench/bare_app.py
5. App, in the browser (Playwright, system Chromium): slider key press to updated verdict; cold start
6. Many users: 10 concurrent browser sessions moving sliders; latency, errors, server memory

Each benchmark is one function returning a Section; 4-6 raise NotAvailable (printed as
"not yet available: <reason>") until app.py uses st.navigation and an Explorer page exists
(pages/explorer.py) with its verdict in st.container(key="verdict_panel").
A benchmark that fails is recorded as failed with its error; the others still run.

Options: --quick (fewer repeats, for development; RESULTS.md says so), --only 1,3 (run some;
writes RESULTS.md only with --out), --out PATH, --self-test-app (run 4-6 with the bare page in
place of the Explorer, to check the harness: every ratio should be about 1).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import gc
import os
import platform
import random
import re
import shlex
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
sys.path[:0] = [str(ROOT), str(BENCH)]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from cases import cases_csv, make_cases  # noqa: E402

from b12logic import Case, evaluate  # noqa: E402
from b12logic.batch import evaluate_frame, read_cases_csv, row_to_case_kwargs  # noqa: E402
from b12logic.engine import Assessment  # noqa: E402
from b12logic.validate import CaseError  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SLIDER_WORD = "B12"  # the slider the app benchmarks move: the first one whose label contains this
# The Explorer's verdict: st.container(key="verdict_panel") (DOM class st-key-verdict_panel). It opens on
# a link with B12 at the 180 pg/mL boundary, so each one-step move crosses it and the verdict changes.
EXPLORER_VERDICT_KEY = "verdict_panel"
EXPLORER_QUERY = "b12=180&b12_unit=pg%2FmL"


# --- Results


class NotAvailable(Exception):
    """A benchmark cannot run yet (printed as "not yet available: <reason>")."""


@dataclass
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Section:
    number: int
    title: str
    method: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class Settings:
    quick: bool = False
    self_test_app: bool = False
    load_at_start: str = ""

    def repeats(self, full: int, quick: int) -> int:
        return quick if self.quick else full


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def fmt_int(x: float) -> str:
    return f"{x:,.0f}"


@contextmanager
def no_gc() -> Iterator[None]:
    """Timed loops run with the cyclic collector off (as timeit does), after a full collection."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- 1. evaluate, single case


def _valid_cases(n: int, seed: int) -> list[Case]:
    cases = []
    for record in make_cases(n, seed).to_dict("records"):
        try:
            cases.append(Case(**row_to_case_kwargs(record)))
        except CaseError:
            continue
    return cases


def _per_call_us(fn: Callable[[Any], object], items: list[Any], repeats: int) -> list[float]:
    """Microseconds per call, one figure per pass over all items."""
    for item in items[:50]:
        fn(item)  # warm caches and the interpreter's specialisations
    out = []
    with no_gc():
        for _ in range(repeats):
            start = time.perf_counter()
            for item in items:
                fn(item)
            out.append((time.perf_counter() - start) / len(items) * 1e6)
    return out


def bench_evaluate_single(s: Settings) -> Section:
    section = Section(
        1,
        "Engine, single case: `evaluate`",
        "About 1,000 generated cases (every status, regimen and ESR flag; mixed units; blanks), built once; "
        "one pass calls `evaluate(case)` on each; the figure is the median over passes of the mean time per "
        "call. Baseline: building the `Assessment` dataclass alone from that case's finished field values "
        "(`Assessment(**fields)`): the floor of any `evaluate`, which must at least build its answer. "
        "Building the `Case` (validation; the app pays it on every rerun too) is shown for context.",
    )
    cases = _valid_cases(1000, seed=11)
    repeats = s.repeats(25, 7)
    answers = [evaluate(c) for c in cases]
    fields = [{f.name: getattr(a, f.name) for f in dataclasses.fields(Assessment)} for a in answers]
    kwargs = [{f.name: getattr(c, f.name) for f in dataclasses.fields(Case)} for c in cases]
    # Interleave the measurements so drift in the machine's speed hits both alike.
    ev, floor, build = [], [], []
    for _ in range(repeats):
        ev += _per_call_us(evaluate, cases, 1)
        floor += _per_call_us(lambda kw: Assessment(**kw), fields, 1)
        build += _per_call_us(lambda kw: Case(**kw), kwargs, 1)
    ev_us, floor_us, build_us = median(ev), median(floor), median(build)
    section.rows.append(
        Row(
            "`evaluate` median per call",
            f"{ev_us:.1f} µs",
            f"`Assessment(**fields)`: {floor_us:.1f} µs",
            f"{ev_us / floor_us:.1f}× the floor",
            "≤ 50 µs",
            ev_us <= 50,
        )
    )
    section.rows.append(
        Row(
            "`Case(...)` construction (context)",
            f"{build_us:.1f} µs",
            f"`Assessment(**fields)`: {floor_us:.1f} µs",
            f"{build_us / floor_us:.1f}× the floor",
        )
    )
    section.notes.append(f"{len(cases)} valid cases × {repeats} passes; spread of `evaluate`: {_spread(ev)}.")
    return section


def _spread(values: list[float]) -> str:
    return f"min {min(values):.1f}, median {median(values):.1f}, max {max(values):.1f}"


# --- 2. evaluate_frame


def _apply_baseline(df: pd.DataFrame) -> pd.Series:
    """The obvious row-by-row way: DataFrame.apply of evaluate (errors caught, or the first bad row stops it)."""

    def one(row: pd.Series) -> str:
        try:
            return evaluate(Case(**row_to_case_kwargs(row))).b12_status
        except CaseError as err:
            return f"error: {err}"

    return df.apply(one, axis=1)


def _time_call(fn: Callable[[], object], repeats: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeats):
        result = None
        with no_gc():
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
    return times, result


def bench_evaluate_frame(s: Settings) -> Section:
    section = Section(
        2,
        "Engine, vectorised: `evaluate_frame`",
        "A generated 1M-row cases CSV (bench/cases.py: mixed units, blanks, decimal commas, about 1% bad rows "
        "with one bad cell each, a few formula-like cells) is read once with `read_cases_csv` (text cells, "
        "as the batch command and the upload page see them); the 10k and 100k frames are its first rows. "
        "Rows/s = rows / median wall time of `evaluate_frame(df)`. Baseline: "
        "`df.apply(lambda r: evaluate(Case(**row_to_case_kwargs(r))), axis=1)` on the same 10k rows "
        "(CaseError caught per row, as any real loop must), timed in turn with the 10k runs.",
    )
    path = cases_csv(1_000_000, DATA)
    full = read_cases_csv(str(path))
    sizes = {10_000: s.repeats(31, 5), 100_000: s.repeats(9, 2), 1_000_000: s.repeats(5, 2)}  # short runs: more
    frames = {n: full.iloc[:n].copy() for n in sizes}
    del full
    gc.collect()

    # The 10k figure and its baseline are taken in turn (apply once, then a share of the frame runs), so a
    # burst of other work on this shared machine slows both alike instead of skewing their ratio.
    evaluate_frame(frames[10_000])  # warm-up
    rounds = s.repeats(3, 1)
    base_times: list[float] = []
    ten_k: list[float] = []
    base_out: object = None
    out: object = None
    for _ in range(rounds):
        more, base_out = _time_call(lambda: _apply_baseline(frames[10_000]), 1)
        base_times += more
        more, out = _time_call(lambda: evaluate_frame(frames[10_000]), -(-sizes[10_000] // rounds))
        ten_k += more
    base_rate = 10_000 / median(base_times)
    rates = {}
    for n, repeats in sizes.items():
        if n == 10_000:
            times = ten_k
        else:
            evaluate_frame(frames[10_000])  # warm-up
            times, _ = _time_call(lambda n=n: evaluate_frame(frames[n]), repeats)
        rates[n] = n / median(times)
        if n == 10_000:
            assert isinstance(out, pd.DataFrame) and isinstance(base_out, pd.Series)
            ok = out["error"] == ""
            agree = bool((out.loc[ok, "b12_status"].astype(str) == base_out[ok]).all())
            errors_agree = bool(base_out[~ok].str.startswith("error: ").all())
            section.notes.append(
                f"Check: on the 10k rows `evaluate_frame` and the apply baseline agree on every b12_status "
                f"({'yes' if agree else 'NO'}) and on which rows are errors ({'yes' if errors_agree else 'NO'}); "
                f"{int((~ok).sum())} error rows."
            )
        section.notes.append(f"{n:,} rows: {len(times)} runs, {_spread_s(times)}.")
    section.rows.append(
        Row("apply baseline, 10k rows", f"{fmt_int(base_rate)} rows/s", "(the baseline)", "1×"),
    )
    for n in sizes:
        met: bool | None = None
        target = ""
        if n == 10_000:
            target, met = "≥ 100× apply", rates[n] / base_rate >= 100
        if n == 1_000_000:
            target, met = "≥ 1,000,000 rows/s", rates[n] >= 1_000_000
        section.rows.append(
            Row(
                f"`evaluate_frame`, {n:,} rows",
                f"{fmt_int(rates[n])} rows/s",
                f"apply, 10k rows: {fmt_int(base_rate)} rows/s",
                f"{rates[n] / base_rate:,.0f}× apply",
                target,
                met,
            )
        )
    return section


def _spread_s(times: list[float]) -> str:
    return f"min {min(times):.3f} s, median {median(times):.3f} s, max {max(times):.3f} s"


# --- 3. batch end to end


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


# --- App targets (benchmarks 4-6)


@dataclass(frozen=True)
class Target:
    name: str
    script: Path  # what `streamlit run` / AppTest.from_file is given
    page: str | None  # the page file to switch to (st.navigation), or None for a single-page script
    url_path: str  # the page's URL path (and query) under the server root
    verdict_key: str  # the key of the container whose text is the verdict
    keys: tuple[str, str] = ("ArrowRight", "ArrowLeft")  # pressed in turn on the slider

    @property
    def verdict(self) -> str:
        return f".st-key-{self.verdict_key}"


# bench/bare_app.py writes "Verdict: <number>" in st.container(key="verdict"); any move changes it.
# It draws every widget the Explorer run draws, and the app's navigation: the baseline of 4-6.
BARE = Target("bare page", BENCH / "bare_app.py", None, "", "verdict")
# The earlier, smaller floor (eight sidebar widgets, no navigation): a context row in 4 and 5, so a
# reader sees how much of the ratio is the baseline's choice.
MINIMAL = Target("minimal bare page", BENCH / "bare_minimal.py", None, "", "verdict")


def explorer_target(s: Settings) -> Target:
    """The Explorer page of the app, or NotAvailable while the app is not built yet."""
    if s.self_test_app:
        return dataclasses.replace(BARE, name="bare page (as Explorer, self-test)")
    app = ROOT / "app.py"
    if not app.exists() or "st.navigation" not in app.read_text(encoding="utf-8"):
        raise NotAvailable("app.py does not use st.navigation yet (the app is still a placeholder)")
    explorer = ROOT / "pages" / "explorer.py"
    if not explorer.exists():
        raise NotAvailable("no Explorer page yet (pages/explorer.py)")
    page = explorer.relative_to(ROOT).as_posix()
    declared = re.search(rf'"{re.escape(page)}"([^)]*)\)', app.read_text(encoding="utf-8"), re.S)
    options = declared.group(1) if declared else ""
    named = re.search(r'url_path="([^"]+)"', options)
    # The default page lives at the root: Streamlit answers its own url_path with "Page not found".
    url_path = "" if "default=True" in options else (named.group(1) if named else "explorer")
    if f'key="{EXPLORER_VERDICT_KEY}"' not in explorer.read_text(encoding="utf-8"):
        raise NotAvailable(f'{page} has no st.container(key="{EXPLORER_VERDICT_KEY}") around its verdict')
    return Target(
        "Explorer", app, page, f"{url_path}?{EXPLORER_QUERY}", EXPLORER_VERDICT_KEY, ("ArrowLeft", "ArrowRight")
    )


def _needs_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        raise NotAvailable(f"Playwright is not installed ({err})") from None
    if not Path(CHROMIUM).exists():
        raise NotAvailable(f"no system Chromium at {CHROMIUM}")


# --- 4. App, server side (AppTest)


def _apptest_rerun_ms(target: Target, presses: int) -> list[float]:
    """Milliseconds of AppTest reruns, each after moving the B12 slider one step."""
    from streamlit.testing.v1 import AppTest

    from tests.apptest_like_server import pages_like_server

    os.chdir(ROOT)  # the app reads .streamlit/ and its pages relative to the repository
    # Without it AppTest runs pages/explorer.py without app.py from the second run on (unlike the server).
    with pages_like_server():
        at = AppTest.from_file(str(target.script), default_timeout=60)
        at.run()
        if target.page:
            at.switch_page(target.page)
            at.run()
        if at.exception:
            raise RuntimeError(f"{target.name}: exception on first run: {at.exception[0].value}")

        def slider() -> Any:
            found = [w for w in at.slider if SLIDER_WORD in str(w.label)]
            if not found:
                raise NotAvailable(f"{target.name}: no slider labelled with {SLIDER_WORD!r}")
            return found[0]

        start_value = slider().value
        step = slider().step or 1
        times = []
        for i in range(presses + 3):  # three warm-up reruns
            value = start_value + step if i % 2 == 0 else start_value
            widget = slider().set_value(value)
            t0 = time.perf_counter()
            widget.run()
            elapsed = (time.perf_counter() - t0) * 1000
            if at.exception:
                raise RuntimeError(f"{target.name}: exception after a slider change: {at.exception[0].value}")
            if i >= 3:
                times.append(elapsed)
        return times


def bench_app_rerun(s: Settings) -> Section:
    explorer = explorer_target(s)
    section = Section(
        4,
        "App, server side: AppTest rerun after a slider change",
        f"`streamlit.testing.v1.AppTest` runs the page in-process; each rerun follows a one-step change of the "
        f"first slider whose label contains {SLIDER_WORD!r} (alternating up and down); three warm-up reruns "
        "are dropped. Baseline: the same on bench/bare_app.py (every widget the Explorer run draws and the "
        "app's navigation; no logic, no charts). Context: bench/bare_minimal.py (eight sidebar widgets, no "
        "navigation), the baseline of the first runs.",
    )
    presses = s.repeats(40, 6)
    bare, app, minimal = [], [], []
    for _ in range(4):  # interleave the pages: a slow minute of the shared machine hits all of them
        bare += _apptest_rerun_ms(BARE, presses // 4)
        app += _apptest_rerun_ms(explorer, presses // 4)
        minimal += _apptest_rerun_ms(MINIMAL, presses // 4)
    ratio = median(app) / median(bare)
    section.rows.append(
        Row(
            f"{explorer.name} rerun, median",
            f"{median(app):.1f} ms",
            f"bare page: {median(bare):.1f} ms",
            f"{ratio:.2f}× bare",
            "≤ 2× bare",
            ratio <= 2,
        )
    )
    section.rows.append(
        Row(
            f"{explorer.name} rerun, median (context)",
            f"{median(app):.1f} ms",
            f"minimal bare page: {median(minimal):.1f} ms",
            f"{median(app) / median(minimal):.2f}× minimal",
        )
    )
    section.notes.append(
        f"{len(app)} reruns each; p95 {explorer.name} {p95(app):.1f} ms, bare {p95(bare):.1f} ms, "
        f"minimal {p95(minimal):.1f} ms."
    )
    return section


# --- Browser plumbing (benchmarks 5 and 6)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    started: float  # perf_counter when the process was started

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_server(target: Target) -> Server:
    port = _free_port()
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(target.script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(proc, port, started)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode} for {target.script}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.02)
    stop_server(server)
    raise RuntimeError(f"streamlit did not answer within 60 s for {target.script}")


def stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


def server_rss_mb(server: Server) -> float:
    import psutil

    proc = psutil.Process(server.proc.pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def cpu_seconds(server: Server) -> dict[tuple[str, int], float]:
    """CPU seconds used so far by each server process and each Chromium process, keyed ("server" or
    "chromium", pid): compare two readings pid by pid, since a process that exits takes its count along."""
    import psutil

    def used(p: Any) -> float:
        try:
            t = p.cpu_times()
            return float(t.user + t.system)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return 0.0

    server_proc = psutil.Process(server.proc.pid)
    found = {("server", p.pid): used(p) for p in [server_proc, *server_proc.children(recursive=True)]}
    for p in psutil.process_iter(["name"]):
        if "chrom" in (p.info["name"] or "").lower():
            found["chromium", p.pid] = used(p)
    return found


def _cpu_used(start: dict[tuple[str, int], float], end: dict[tuple[str, int], float], kind: str) -> float:
    return sum(end[key] - start[key] for key in end.keys() & start.keys() if key[0] == kind)


_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# In the page: time from the key going down (capture phase, before Streamlit sees it) to the first DOM
# change that alters the verdict's text. performance.now() in the page, so Playwright's own round trips
# do not count. The waits are promises resolved by MutationObservers, not polling: polling every
# animation frame in ten pages at once kept Chromium busy on its own (benchmark 6 measured the harness).
_ARM_JS = """(selector) => {
  const old = document.querySelector(selector)?.innerText;
  const bench = {t0: null, ms: null};
  window.__bench = bench;
  const onKey = () => { bench.t0 = performance.now(); };
  window.addEventListener('keydown', onKey, {capture: true, once: true});
  bench.done = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const now = document.querySelector(selector)?.innerText;
      if (bench.t0 !== null && now !== undefined && now !== old) {
        bench.ms = performance.now() - bench.t0;
        observer.disconnect();
        resolve(bench.ms);
      }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  });
}"""
# Resolves with the milliseconds once the verdict changed; rejects after `timeout` ms.
_DONE_JS = """(timeout) => Promise.race([
  window.__bench.done,
  new Promise((_, reject) => setTimeout(() => reject(new Error('verdict did not change')), timeout)),
])"""
# Resolves when the script run is over (Streamlit marks the app element), checked on each attribute change.
_IDLE_JS = """(timeout) => new Promise((resolve, reject) => {
  const app = () => document.querySelector('[data-testid="stApp"]');
  const idle = () => app()?.getAttribute('data-test-script-state') === 'notRunning';
  if (idle()) { resolve(true); return; }
  const observer = new MutationObserver(() => {
    if (idle()) { observer.disconnect(); resolve(true); }
  });
  observer.observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
  setTimeout(() => { observer.disconnect(); reject(new Error('the run did not finish')); }, timeout);
})"""


def _page_url(server: Server, target: Target) -> str:
    return f"{server.url}/{target.url_path}"


def _wait_ready(page: Any, target: Target, timeout_ms: float = 60_000) -> None:
    """The page has run to the end and shows its verdict."""
    page.wait_for_selector(_IDLE, timeout=timeout_ms)
    try:
        page.wait_for_selector(target.verdict, timeout=min(timeout_ms, 15_000))
    except Exception:  # Playwright's TimeoutError
        raise NotAvailable(
            f"{target.name}: no element with key {target.verdict_key!r} (wrap the verdict in "
            f'st.container(key="{target.verdict_key}") so the benchmark can wait for its text)'
        ) from None
    page.wait_for_selector(_IDLE, timeout=timeout_ms)


def _slider_thumb(page: Any) -> Any:
    return page.locator('[data-testid="stSlider"]').filter(has_text=SLIDER_WORD).first.get_by_role("slider")


def press_to_verdict_ms(
    page: Any, thumb: Any, target: Target, key: str, before_key: Callable[[], object] | None = None
) -> float:
    """One key press on the slider: milliseconds to the verdict's change; returns once the run is over.
    `before_key` runs after the page is armed, just before the press (bench/timeline.py starts its records there)."""
    thumb.focus()
    page.evaluate(_ARM_JS, target.verdict)
    if before_key is not None:
        before_key()
    page.keyboard.press(key)
    ms = float(page.evaluate(_DONE_JS, 30_000))
    page.evaluate(_IDLE_JS, 30_000)
    return ms


def _press_latencies_ms(page: Any, target: Target, presses: int, warmup: int = 3) -> list[float]:
    thumb = _slider_thumb(page)
    times = [press_to_verdict_ms(page, thumb, target, target.keys[i % 2]) for i in range(presses + warmup)]
    return times[warmup:]


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


# --- 5. App in the browser: slider latency and cold start


@contextmanager
def served_page(chromium: Any, target: Target, init_script: str | None = None) -> Iterator[Any]:
    """A fresh server for the target and a page that has run it to the end (`init_script` runs before the
    page's own scripts); the server stops on leaving."""
    server = start_server(target)
    try:
        page = chromium.new_page(viewport={"width": 1400, "height": 900})
        if init_script is not None:
            page.add_init_script(init_script)
        page.goto(_page_url(server, target))
        _wait_ready(page, target)
        yield page
    finally:
        stop_server(server)


def _slider_latency(chromium: Any, target: Target, presses: int) -> list[float]:
    with served_page(chromium, target) as page:
        return _press_latencies_ms(page, target, presses)


def _cold_start_s(chromium: Any, target: Target) -> float:
    """Server process start to the first complete render of the page (browser already running)."""
    server = start_server(target)
    try:
        page = chromium.new_page()
        page.goto(_page_url(server, target))
        _wait_ready(page, target)
        elapsed = time.perf_counter() - server.started
        page.close()
        return elapsed
    finally:
        stop_server(server)


def bench_browser(s: Settings) -> Section:
    explorer = explorer_target(s)
    _needs_browser()
    section = Section(
        5,
        "App in the browser: slider to verdict, and cold start",
        f"`streamlit run` on a free port; Playwright drives the system Chromium ({CHROMIUM}). Slider: focus "
        f"the first slider whose label contains {SLIDER_WORD!r}, press the arrow keys alternately; "
        "each figure is measured inside the page with performance.now(), from the keydown (capture phase) to "
        f"the first DOM change of the verdict's text (Explorer: `{explorer.verdict}`, opened with "
        f"`?{EXPLORER_QUERY}` so each step crosses the 180 pg/mL boundary; bare page: `{BARE.verdict}`, "
        "whose number changes with every input), then the benchmark waits for "
        "the script to finish before the next press; three warm-up presses dropped. Cold start: from "
        "starting the server process to the page run to completion with its verdict shown (browser already "
        "open). Baseline for both: bench/bare_app.py (the Explorer's widgets and navigation). Context: "
        "bench/bare_minimal.py.",
    )
    presses = s.repeats(20, 6)
    with browser() as chromium:
        bare = _slider_latency(chromium, BARE, presses)
        app = _slider_latency(chromium, explorer, presses)
        minimal = _slider_latency(chromium, MINIMAL, presses)
        cold_bare, cold_app = [], []
        for _ in range(s.repeats(5, 2)):
            cold_bare.append(_cold_start_s(chromium, BARE))
            cold_app.append(_cold_start_s(chromium, explorer))
    ratio = median(app) / median(bare)
    section.rows.append(
        Row(
            f"{explorer.name} slider → verdict, median",
            f"{median(app):.0f} ms",
            f"bare page: {median(bare):.0f} ms",
            f"{ratio:.2f}× bare",
            "≤ 1.5× bare",
            ratio <= 1.5,
        )
    )
    section.rows.append(
        Row(
            f"{explorer.name} slider → verdict, p95",
            f"{p95(app):.0f} ms",
            f"bare page: {p95(bare):.0f} ms",
            f"{p95(app) / p95(bare):.2f}× bare",
        )
    )
    section.rows.append(
        Row(
            f"{explorer.name} slider → verdict, median (context)",
            f"{median(app):.0f} ms",
            f"minimal bare page: {median(minimal):.0f} ms",
            f"{median(app) / median(minimal):.2f}× minimal",
        )
    )
    cold_ratio = median(cold_app) / median(cold_bare)
    section.rows.append(
        Row(
            f"{explorer.name} cold start, median",
            f"{median(cold_app):.2f} s",
            f"bare page: {median(cold_bare):.2f} s",
            f"{cold_ratio:.2f}× bare",
            "≤ 1.5× bare",
            cold_ratio <= 1.5,
        )
    )
    section.notes.append(f"{len(app)} presses each; {len(cold_app)} cold starts each.")
    return section


# --- 6. Many users


@dataclass
class _Crowd:
    """Shared by the sessions of one measurement: all start pressing together once every page is ready."""

    sessions: int
    seconds: float
    think: tuple[float, float] | None = None  # seconds a user looks at the answer before the next step
    ready: int = 0
    go: asyncio.Event = field(default_factory=asyncio.Event)
    until: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)  # server and Chromium CPU seconds, wall seconds


async def _session(chromium: Any, target: Target, url: str, crowd: _Crowd) -> None:
    context = await chromium.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(url)
        await page.wait_for_selector(_IDLE, timeout=120_000)
        await page.wait_for_selector(target.verdict, timeout=120_000)
        thumb = page.locator('[data-testid="stSlider"]').filter(has_text=SLIDER_WORD).first.get_by_role("slider")
        crowd.ready += 1
        if crowd.ready == crowd.sessions:
            crowd.until = time.monotonic() + crowd.seconds
            crowd.go.set()
        await crowd.go.wait()
        pace = random.Random(crowd.ready)  # each user their own rhythm, the same in every run
        i = 0
        while time.monotonic() < crowd.until:
            await thumb.focus()
            await page.evaluate(_ARM_JS, target.verdict)
            await page.keyboard.press(target.keys[i % 2])
            i += 1
            try:
                ms = float(await page.evaluate(_DONE_JS, 30_000))
                await page.evaluate(_IDLE_JS, 30_000)
            except Exception as err:  # a promise rejected on its timeout
                crowd.errors.append(f"timeout: {str(err).splitlines()[0]}")
                continue
            crowd.latencies.append(ms)
            if await page.locator('[data-testid="stException"]').count():
                crowd.errors.append("exception shown on the page")
            if crowd.think:
                await asyncio.sleep(pace.uniform(*crowd.think))
    except Exception as err:
        crowd.errors.append(f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        crowd.ready += 1  # never leave the others waiting
        if crowd.ready >= crowd.sessions and not crowd.go.is_set():
            crowd.until = time.monotonic() + crowd.seconds
            crowd.go.set()
    finally:
        await context.close()


async def _many_sessions(
    target: Target, sessions: int, seconds: float, think: tuple[float, float] | None
) -> tuple[list[float], list[str], float]:
    """Latencies (ms), errors, and peak server memory (MB) while `sessions` users, all on the page, move
    the slider for `seconds`, each pausing `think` seconds (uniform in the range) after every answer, or
    pressing again at once when `think` is None. The server is warmed first (one visit), so first-run
    imports do not count."""
    from playwright.async_api import async_playwright

    server = start_server(target)
    crowd = _Crowd(sessions, seconds, think)
    peak_rss = 0.0
    cpu_start: dict[tuple[str, int], float] | None = None
    cpu_end: dict[tuple[str, int], float] | None = None
    try:
        async with async_playwright() as pw:
            chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            warm = await chromium.new_page()
            await warm.goto(_page_url(server, target))
            await warm.wait_for_selector(_IDLE, timeout=120_000)
            await warm.wait_for_selector(target.verdict, timeout=120_000)
            await warm.close()
            url = _page_url(server, target)
            tasks = [asyncio.create_task(_session(chromium, target, url, crowd)) for _ in range(sessions)]
            while not all(t.done() for t in tasks):
                if crowd.go.is_set():
                    # CPU over the pressing window, read before the sessions close their pages.
                    if cpu_start is None:
                        cpu_start, window_start = cpu_seconds(server), time.monotonic()
                    elif cpu_end is None and time.monotonic() >= crowd.until:
                        cpu_end = cpu_seconds(server)
                        crowd.cpu = (
                            _cpu_used(cpu_start, cpu_end, "server"),
                            _cpu_used(cpu_start, cpu_end, "chromium"),
                            time.monotonic() - window_start,
                        )
                    peak_rss = max(peak_rss, server_rss_mb(server))
                await asyncio.sleep(0.5)
            await asyncio.gather(*tasks)
            await chromium.close()
    finally:
        stop_server(server)
    _CPU[(target.name, sessions, think)] = crowd.cpu
    return crowd.latencies, crowd.errors, peak_rss


# CPU use of each crowd measurement (server s, Chromium s, wall s), for the report's explanation.
_CPU: dict[tuple[str, int, tuple[float, float] | None], tuple[float, float, float]] = {}

# A user moving a slider looks at the answer before the next step: 0.5-1.5 s (1 s on average) per step.
HUMAN_PACE = (0.5, 1.5)


def bench_many_users(s: Settings) -> Section:
    explorer = explorer_target(s)
    _needs_browser()
    seconds = 30.0 if not s.quick else 8.0
    section = Section(
        6,
        "Many users: 10 concurrent browser sessions",
        f"One fresh server per measurement, warmed by one visit; N browser contexts (one Chromium) open the "
        f"page, and once all are ready each moves the {SLIDER_WORD} slider by arrow keys for {seconds:g} s, "
        "timing each press to the verdict change in the page (as in 5) and waiting for the run to finish. "
        f"Users move at a human pace: after each answer a user pauses {HUMAN_PACE[0]:g}-{HUMAN_PACE[1]:g} s "
        "(uniform, seeded per user) before the next step. Context rows: the same with no pause (each user "
        "presses again the moment the run ends: a stress test that keeps both cores busy, so its latency "
        "measures the queue, not the app). Errors: timeouts, exceptions shown, failed sessions. Server "
        "memory: peak resident set of the server process while the sessions press, sampled every 0.5 s. "
        "Baselines: the same page with one session at the same pace (latency), and the bare page with 1 and "
        "10 sessions (memory per extra session). Chromium's ten pages run on the same 2 cores as the server.",
    )
    figures: dict[tuple[str, int | str], tuple[list[float], list[str], float]] = {}
    for target in (explorer, BARE):
        for n in (1, 10):
            figures[(target.name, n)] = asyncio.run(_many_sessions(target, n, seconds, HUMAN_PACE))
        figures[(target.name, "no pause")] = asyncio.run(_many_sessions(target, 10, seconds, None))
    lat1, err1, rss1 = figures[(explorer.name, 1)]
    lat10, err10, rss10 = figures[(explorer.name, 10)]
    stress, err_stress, _ = figures[(explorer.name, "no pause")]
    bare_lat1, _, bare_rss1 = figures[(BARE.name, 1)]
    bare_lat10, bare_err10, bare_rss10 = figures[(BARE.name, 10)]
    bare_stress, _, _ = figures[(BARE.name, "no pause")]
    per_session = (rss10 - rss1) / 9
    bare_per_session = (bare_rss10 - bare_rss1) / 9
    if not lat1 or not lat10:
        raise RuntimeError(f"no slider presses completed: errors {err1[:3] + err10[:3]}")
    errors = err1 + err10 + err_stress
    section.rows += [
        Row(f"{explorer.name}, 1 session: median", f"{median(lat1):.0f} ms", "(the baseline)", "1×"),
        Row(
            f"{explorer.name}, 10 sessions: p50",
            f"{median(lat10):.0f} ms",
            f"1 session median: {median(lat1):.0f} ms",
            f"{median(lat10) / median(lat1):.2f}×",
        ),
        Row(
            f"{explorer.name}, 10 sessions: p95",
            f"{p95(lat10):.0f} ms",
            f"1 session median: {median(lat1):.0f} ms",
            f"{p95(lat10) / median(lat1):.2f}×",
            "≤ 3× 1-session median",
            p95(lat10) / median(lat1) <= 3,
        ),
        Row(
            f"{explorer.name}, errors (1 + 10 + 10 with no pause)",
            str(len(errors)),
            f"bare page, 10 sessions: {len(bare_err10)}",
            "",
            "0",
            not errors,
        ),
        Row(
            f"{explorer.name}, server memory per extra session",
            f"{per_session:.1f} MB ({rss1:.0f} → {rss10:.0f} MB)",
            f"bare page: {bare_per_session:.1f} MB ({bare_rss1:.0f} → {bare_rss10:.0f} MB)",
            f"{per_session - bare_per_session:+.1f} MB vs bare",
            "≤ 10 MB",
            per_session <= 10,
        ),
        Row(
            "bare page, 10 sessions: p95 (context)",
            f"{p95(bare_lat10):.0f} ms",
            f"bare 1 session median: {median(bare_lat1):.0f} ms",
            f"{p95(bare_lat10) / median(bare_lat1):.2f}×",
        ),
    ]
    if stress and bare_stress:
        section.rows += [
            Row(
                f"{explorer.name}, 10 sessions with no pause: p50 (context)",
                f"{median(stress):.0f} ms",
                f"bare page, same: {median(bare_stress):.0f} ms",
                f"{median(stress) / median(bare_stress):.2f}× bare",
            ),
            Row(
                f"{explorer.name}, 10 sessions with no pause: p95 (context)",
                f"{p95(stress):.0f} ms",
                f"bare page, same: {p95(bare_stress):.0f} ms",
                f"{p95(stress) / p95(bare_stress):.2f}× bare",
            ),
        ]
    section.notes.append(
        f"Presses completed: {len(lat1)} (1 session), {len(lat10)} (10 sessions), {len(stress)} (10 sessions, no "
        f"pause); bare page: {len(bare_lat1)}, {len(bare_lat10)}, {len(bare_stress)}."
    )
    # Where the 2 cores went while the users pressed: the server process vs the Chromium processes.
    for target, presses in ((explorer, len(lat10)), (BARE, len(bare_lat10))):
        server_cpu, browser_cpu, wall = _CPU.get((target.name, 10, HUMAN_PACE), (0.0, 0.0, 0.0))
        if wall and presses:
            section.notes.append(
                f"CPU while 10 users pressed on the {target.name} ({wall:.0f} s, "
                f"{(os.cpu_count() or 1) * wall:.0f} CPU-seconds available): server {server_cpu:.1f} s ({1000 * server_cpu / presses:.0f} ms per press), "
                f"Chromium {browser_cpu:.1f} s ({1000 * browser_cpu / presses:.0f} ms per press)."
            )
    for err in errors[:5]:
        section.notes.append(f"Error: {err}")
    return section


# --- Report

BENCHMARKS: dict[int, Callable[[Settings], Section]] = {
    1: bench_evaluate_single,
    2: bench_evaluate_frame,
    3: bench_batch_cli,
    4: bench_app_rerun,
    5: bench_browser,
    6: bench_many_users,
}
TITLES = {
    1: "Engine, single case: `evaluate`",
    2: "Engine, vectorised: `evaluate_frame`",
    3: "Batch end to end: `python -m b12logic batch` on a 1M-row CSV",
    4: "App, server side: AppTest rerun after a slider change",
    5: "App in the browser: slider to verdict, and cold start",
    6: "Many users: 10 concurrent browser sessions",
}


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (development only)")
    parser.add_argument("--only", help="comma-separated benchmark numbers, e.g. 1,2")
    parser.add_argument("--out", type=Path, help="where to write the report (default bench/RESULTS.md)")
    parser.add_argument("--self-test-app", action="store_true", help="use the bare page as the Explorer (4-6)")
    args = parser.parse_args(argv)
    s = Settings(quick=args.quick, self_test_app=args.self_test_app, load_at_start=_load())
    chosen = [int(x) for x in args.only.split(",")] if args.only else list(BENCHMARKS)
    out = args.out or (None if args.only else BENCH / "RESULTS.md")
    command = shlex.join([".venv/bin/python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    started = dt.datetime.now()
    t0 = time.perf_counter()
    sections = []
    for number in chosen:
        print(f"[{number}] {TITLES[number]} ...", flush=True)
        bench_start = time.perf_counter()
        try:
            section = BENCHMARKS[number](s)
        except NotAvailable as reason:
            print(f"    not yet available: {reason}", flush=True)
            section = Section(number, TITLES[number], "", skipped=str(reason))
        except Exception as err:  # one broken benchmark must not lose the others' figures
            reason = f"failed: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
            print(f"    {reason}", flush=True)
            section = Section(number, TITLES[number], "", skipped=reason)
        for row in section.rows:
            tail = f"  [{row.target}: {_met(row.met)}]" if row.target else ""
            print(f"    {row.figure}: {row.value}  vs {row.baseline or '-'}  = {row.ratio}{tail}", flush=True)
        print(f"    ({time.perf_counter() - bench_start:.0f} s)", flush=True)
        sections.append(section)
    if out is not None:
        out.write_text(render(sections, command, started, time.perf_counter() - t0, s), encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
