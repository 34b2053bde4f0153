"""Benchmarks for the engine and the app (issue 5). Not tests: run `.venv/bin/python bench/run.py`.

It writes bench/RESULTS.md: machine info, the exact command, the date, and every figure as a ratio
against a baseline measured in the same run, with medians over repeated runs.

1. evaluate, single case (µs)                     baseline: building the Assessment dataclass alone
2. evaluate_frame rows/s at 10k, 100k, 1M rows     baseline: DataFrame.apply of evaluate on 10k rows
3. `python -m b12logic batch` on a 1M-row CSV       baseline: pandas read_csv + to_csv of the same file
4. App, server side: AppTest rerun after a slider change, Explorer vs bench/bare_app.py
5. App, in the browser (Playwright, system Chromium): slider key press to updated verdict; cold start
6. Many users: 10 concurrent browser sessions moving sliders; latency, errors, server memory

Each benchmark is one function returning a Section, in a module of its own: bench_engine.py (1),
bench_frame.py (2), bench_batch.py (3), bench_app_server.py (4), bench_browser.py (5), bench_sessions.py
(6); results.py holds Section, Row and Settings, targets.py the pages 4-6 measure, harness.py the servers
and Chromium of 5-6, report.py writes RESULTS.md, and this file runs them. 4-6 raise NotAvailable (printed as
"not yet available: <reason>") until app.py uses st.navigation and an Explorer page exists
(pages/explorer.py) with its verdict in st.container(key="verdict_panel").
A benchmark that fails is recorded as failed with its error; the others still run.

Options: --quick (fewer repeats, for development; RESULTS.md says so), --only 1,3 (run some;
writes RESULTS.md only with --out), --out PATH, --self-test-app (run 4-6 with the bare page in
place of the Explorer, to check the harness: every ratio should be about 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The benchmark modules import b12logic (the repository) and each other (this folder).
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import bench_app_server  # noqa: E402
import bench_batch  # noqa: E402
import bench_browser  # noqa: E402
import bench_engine  # noqa: E402
import bench_frame  # noqa: E402
import bench_sessions  # noqa: E402
import harness  # noqa: E402
import report  # noqa: E402
import results  # noqa: E402
import targets  # noqa: E402
from report import _load, _met, render  # noqa: E402
from results import BENCH, ROOT, NotAvailable, Section, Settings  # noqa: E402

BENCHMARKS: dict[int, Callable[[Settings], Section]] = {
    1: bench_engine.bench_evaluate_single,
    2: bench_frame.bench_evaluate_frame,
    3: bench_batch.bench_batch_cli,
    4: bench_app_server.bench_app_rerun,
    5: bench_browser.bench_browser,
    6: bench_sessions.bench_many_users,
}
TITLES = {
    1: "Engine, single case: `evaluate`",
    2: "Engine, vectorised: `evaluate_frame`",
    3: "Batch end to end: `python -m b12logic batch` on a 1M-row CSV",
    4: "App, server side: AppTest rerun after a slider change",
    5: "App in the browser: slider to verdict, and cold start",
    6: "Many users: 10 concurrent browser sessions",
}
# Every name that lived in this file before it was split, for `import run as harness` (bench/ab.py,
# bench/timeline.py and scripts written before the split): looked up in the module it moved to.
_MOVED = (
    results,
    targets,
    harness,
    report,
    bench_engine,
    bench_frame,
    bench_batch,
    bench_app_server,
    bench_browser,
    bench_sessions,
)


def __getattr__(name: str) -> Any:
    """`run.BARE`, `run.served_page`, `run._git`, ...: the name from the module it moved to."""
    for module in _MOVED:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'run' has no attribute {name!r}")


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
