"""Where the time from a slider key press to the new verdict goes, in the browser (issue 5, benchmark 5).

Run: `.venv/bin/python bench/timeline.py` (about 2 minutes; writes bench/TIMELINE.md).

Same pages, servers and in-page key timing as benchmark 5 of bench/run.py: the Explorer and the bare
page, measured in turn for several rounds. In addition the page records, from before Streamlit's own
code loads, when each WebSocket message is sent and received, when the DOM changes (one
MutationObserver callback per batch of changes: React commits) and every animation frame (a long gap
between frames is time the main thread was busy), and Chrome's main-thread task time per press
(DevTools `Performance.getMetrics`, `TaskDuration`). Each figure is a median over the presses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import shlex
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import run as harness  # bench/run.py: servers, Chromium, the key-to-verdict timing
import streamlit

BENCH = Path(__file__).resolve().parent

# Installed before the page's own scripts: wraps WebSocket to time messages, watches the DOM, counts frames.
_RECORDER_JS = """(() => {
  const rec = {sent: [], recv: [], commits: [], frames: []};
  window.__timeline = rec;
  const Native = window.WebSocket;
  function Timed(...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', () => rec.recv.push(performance.now()));
    const send = ws.send.bind(ws);
    ws.send = (data) => { rec.sent.push(performance.now()); return send(data); };
    return ws;
  }
  Timed.prototype = Native.prototype;
  Object.assign(Timed, Native);
  window.WebSocket = Timed;
  const watch = () => new MutationObserver(() => rec.commits.push(performance.now())).observe(
    document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true});
  if (document.documentElement) watch(); else addEventListener('DOMContentLoaded', watch);
  const frame = () => { rec.frames.push(performance.now()); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
})();"""
_CLEAR_JS = "() => { const r = window.__timeline; r.sent = []; r.recv = []; r.commits = []; r.frames = []; }"
_READ_JS = "() => ({t0: window.__bench.t0, ...window.__timeline})"

FIGURES = (
    ("sent", "key → slider value sent to the server"),
    ("first", "key → first reply from the server"),
    ("last_before", "key → last message received before the verdict changed"),
    ("verdict", "key → verdict shown (benchmark 5's figure)"),
    ("finished", "key → last message of the run"),
    ("messages", "messages received per press"),
    ("commits", "DOM change batches up to the verdict"),
    ("block", "longest main-thread block before the verdict (gap between frames)"),
    ("after_last", "verdict shown after the last message before it"),
    ("busy", "main-thread task time per press (whole run)"),
)


def _task_seconds(cdp: Any) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "TaskDuration"))


def _press(page: Any, cdp: Any, thumb: Any, target: harness.Target, key: str) -> dict[str, float]:
    busy_at_start: list[float] = []

    def start_records() -> None:
        page.evaluate(_CLEAR_JS)
        busy_at_start.append(_task_seconds(cdp))

    verdict = harness.press_to_verdict_ms(page, thumb, target, key, before_key=start_records)
    page.wait_for_timeout(300)  # the run's last messages and renders
    busy = (_task_seconds(cdp) - busy_at_start[0]) * 1000
    rec = page.evaluate(_READ_JS)
    t0 = rec["t0"]
    recv = [t - t0 for t in rec["recv"]]
    before = [t for t in recv if t <= verdict]
    frames = [t - t0 for t in rec["frames"]]
    gaps = [b - a for a, b in itertools.pairwise(frames) if a < verdict]
    return {
        "sent": rec["sent"][0] - t0 if rec["sent"] else float("nan"),
        "first": recv[0] if recv else float("nan"),
        "last_before": before[-1] if before else float("nan"),
        "verdict": verdict,
        "finished": recv[-1] if recv else float("nan"),
        "messages": len(recv),
        "commits": sum(1 for t in rec["commits"] if 0 < t - t0 <= verdict + 0.5),
        "block": max(gaps, default=0.0),
        "after_last": verdict - before[-1] if before else float("nan"),
        "busy": busy,
    }


def _session(chromium: Any, target: harness.Target, presses: int) -> list[dict[str, float]]:
    with harness.served_page(chromium, target, init_script=_RECORDER_JS) as page:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        thumb = harness._slider_thumb(page)
        rows = [_press(page, cdp, thumb, target, target.keys[i % 2]) for i in range(presses + 3)]
        return rows[3:]  # warm-up presses, as in benchmark 5


def measure(rounds: int, presses: int) -> dict[str, list[dict[str, float]]]:
    explorer = harness.explorer_target(SimpleNamespace(self_test_app=False))
    found: dict[str, list[dict[str, float]]] = {"bare page": [], "Explorer": []}
    with harness.browser() as chromium:
        for _ in range(rounds):
            found["bare page"] += _session(chromium, harness.BARE, presses)
            found["Explorer"] += _session(chromium, explorer, presses)
    return found


def report(found: dict[str, list[dict[str, float]]], command: str, started: dt.datetime, seconds: float) -> str:
    def med(page: str, key: str) -> float:
        return statistics.median(row[key] for row in found[page])

    lines = [
        "# Slider key press to verdict: the timeline in the browser",
        "",
        f"Written by `{command}` on {started:%Y-%m-%d %H:%M} UTC (took {seconds / 60:.1f} min), commit "
        f"{harness._git('rev-parse', '--short', 'HEAD')}, Streamlit {streamlit.__version__}, load average at the "
        f"start {harness._load()}. {len(found['Explorer'])} presses per page; how: bench/timeline.py's docstring.",
        "",
        "| median per press | bare page | Explorer | Explorer − bare |",
        "|---|---|---|---|",
    ]
    for key, label in FIGURES:
        bare, app = med("bare page", key), med("Explorer", key)
        unit = "" if key in ("messages", "commits") else " ms"
        lines.append(f"| {label} | {bare:.0f}{unit} | {app:.0f}{unit} | {app - bare:+.0f}{unit} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--presses", type=int, default=12)
    parser.add_argument("--out", type=Path, default=BENCH / "TIMELINE.md")
    args = parser.parse_args(argv)
    harness._needs_browser()
    command = shlex.join([".venv/bin/python", "bench/timeline.py", *(sys.argv[1:] if argv is None else argv)])
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    text = report(measure(args.rounds, args.presses), command, started, time.perf_counter() - t0)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
