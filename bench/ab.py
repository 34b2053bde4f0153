"""Try a change to the app before committing it: benchmark 5's slider-to-verdict latency, checkout against checkout.

Run: `.venv/bin/python bench/ab.py bare . /tmp/try-merge --rounds 3`

Each argument is a checkout of this repository (a directory holding app.py; make one with
`git worktree add /tmp/try-merge HEAD`, edit it there), a page script (a path ending in .py, run
like the bare page), or the word `bare` for bench/bare_app.py. Pages are measured in turn, one
fresh server each, for several rounds, with the same in-page timing as benchmark 5 of bench/run.py,
so a slow minute on this shared machine lands on every variant alike. It prints the medians.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
from pathlib import Path
from types import SimpleNamespace

import run as harness  # bench/run.py: servers, Chromium, the key-to-verdict timing


def target_for(spec: str) -> harness.Target:
    if spec == "bare":
        return harness.BARE
    path = Path(spec).resolve()
    if path.suffix == ".py":
        return dataclasses.replace(harness.BARE, name=str(path), script=path)
    explorer = harness.explorer_target(SimpleNamespace(self_test_app=False))
    return dataclasses.replace(explorer, name=str(path), script=path / "app.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("pages", nargs="+", help="checkout directories, page scripts (.py) or 'bare'")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--presses", type=int, default=12)
    args = parser.parse_args(argv)
    harness._needs_browser()
    targets = [target_for(spec) for spec in args.pages]
    times: dict[str, list[float]] = {t.name: [] for t in targets}
    with harness.browser() as chromium:
        for _ in range(args.rounds):
            for t in targets:
                times[t.name] += harness._slider_latency(chromium, t, args.presses)
    for name, values in times.items():
        q1, _, q3 = statistics.quantiles(values, n=4)
        print(f"{name}: median {statistics.median(values):.1f} ms (quartiles {q1:.1f}-{q3:.1f}, {len(values)} presses)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
