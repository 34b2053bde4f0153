"""Soak test: bounded, mixed use of the whole app through AppTest loops; errors must stay 0, memory flat.

    .venv/bin/python bench/soak.py                 # 10 minutes, appends a "Soak" entry to bench/RESULTS.md
    .venv/bin/python bench/soak.py --seconds 60    # shorter
    .venv/bin/python bench/soak.py --no-record     # print only

Simulated users open the app (a third of them with a hand-edited link full of bad parameters), then
move sliders, switch units, toggle findings, change the guideline, switch pages, upload a batch CSV and
reset, in random order; a user leaves after a random number of actions and a new one arrives. Every
script run is timed; an error is an exception element on the page or any exception out of AppTest.
The process RSS (psutil) is sampled every few seconds after a garbage collection; the first sample
is taken after one warm-up visit of every page, so import and first-render costs are not "growth".
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import shlex
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
APP = str(ROOT / "app.py")
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Soak"

# Pages with the shared case inputs: the soak's actions move sidebar widgets, which the class room does not draw
# (pages/class.py is light on purpose; its own AppTests and bench/crowd/class_run.py load it).
PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if p.name != "class.py")
BAD_LINKS: list[dict[str, Any]] = [
    {"age": "abc", "b12": "nan", "esr": "inf"},
    {"age": ["70", "80"], "sex": "x", "b12_unit": "mg/dL"},
    {"b12": "9" * 5000, "hb": "120", "guideline": "who"},
    {"<script>alert(1)</script>": "1", "mma": "-inf", "risk_factors": "smoking"},
    {"age": "", "sex": "", "esr": "-1", "lab_b12_low": "1_000", "guideline": "custom"},
    {"neuro_symptoms": "maybe", "on_folic_acid": ["yes", "no", "2"], "mcv": "1e999"},
]
GOOD_LINKS: list[dict[str, Any]] = [
    {},
    {"age": "71", "sex": "male", "b12": "260", "esr": "36", "mma": "340", "neuro_symptoms": "yes"},
    {"age": "45", "sex": "female", "b12": "120", "b12_unit": "pmol/L", "esr": "112", "hb": "75", "hb_unit": "g/L"},
]
BATCH_CSV = (
    b"id,age,sex,b12,esr,mma,neuro_symptoms,note\n"
    b"a,68,F,179,30,,,ok\nb,15,F,179,30,,,young\nc,70,M,abc,20,,,text\nd,71,M,260,36,340,yes,=HYPERLINK(1)\n"
    b"e,80,F,90,120,,no,\n"
)
SLIDERS = ("in_age", "in_b12", "in_esr")
TOGGLES = ("in_neuro", "in_folic", "in_mma_measured", "in_renal")
GUIDELINES = ("source", "nice-ng239", "bsh-2014", "custom")


@dataclass
class SoakResult:
    seconds: float
    sessions: int = 0
    runs: int = 0
    run_ms: list[float] = field(default_factory=list)
    actions: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    rss: list[tuple[float, float]] = field(default_factory=list)  # (seconds since start, MB)

    def thirds(self) -> tuple[float, float]:
        """Median RSS (MB) of the first and the last third of the samples."""
        values = [mb for _, mb in self.rss]
        third = max(1, len(values) // 3)
        return statistics.median(values[:third]), statistics.median(values[-third:])

    def percentile(self, q: float) -> float:
        ordered = sorted(self.run_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0

    def summary(self) -> dict[str, str]:
        first, last = self.thirds()
        peak = max(mb for _, mb in self.rss) if self.rss else 0.0
        return {
            "duration": f"{self.seconds:.0f} s",
            "simulated users (sessions)": f"{self.sessions:,}",
            "script runs": f"{self.runs:,}",
            "errors": f"{len(self.errors)}",
            "run time p50 / p95 / max": f"{self.percentile(0.5):.0f} / {self.percentile(0.95):.0f} / "
            f"{max(self.run_ms, default=0):.0f} ms",
            "RSS first third / last third (median)": f"{first:.0f} / {last:.0f} MB",
            "RSS growth, last third vs first": f"{last - first:+.0f} MB ({(last - first) / first * 100:+.1f}%)",
            "RSS peak": f"{peak:.0f} MB",
            "RSS samples": f"{len(self.rss)}",
            "actions": ", ".join(f"{k} {v:,}" for k, v in sorted(self.actions.items())),
        }


class _User:
    """One AppTest session; every method is one action ending in a timed script run."""

    def __init__(self, result: SoakResult, rng: random.Random, params: dict[str, Any], bad_link: bool) -> None:
        from streamlit.testing.v1 import AppTest

        self.result, self.rng = result, rng
        self.at = AppTest.from_file(APP, default_timeout=60)
        for name, value in params.items():
            self.at.query_params[name] = value
        from ui.state import MORE_LABS_KEY

        self.at.session_state[MORE_LABS_KEY] = True  # "More labs and context" open: the soak switches its inputs
        self.run("open")
        if bad_link:
            shown = [w.value for w in self.at.warning] + [t.value for t in self.at.text]
            if not any("Link parameter" in s or "Unknown link parameter" in s for s in shown):
                self.result.errors.append(f"bad link {sorted(params)} showed no warning")

    def run(self, kind: str) -> None:
        start = time.perf_counter()
        self.at.run()
        self.result.run_ms.append((time.perf_counter() - start) * 1000)
        self.result.runs += 1
        self.result.actions[kind] += 1
        if self.at.exception:
            self.result.errors.append(f"{kind}: {[e.value for e in self.at.exception][:1]}")

    def slider(self) -> None:
        widget = self.at.sidebar.slider(key=self.rng.choice(SLIDERS))
        low, high, step = (float(v) for v in (widget.min, widget.max, widget.step))  # type: ignore[arg-type]
        widget.set_value(low + step * self.rng.randint(0, int((high - low) / step)))
        self.run("slider")

    def unit(self) -> None:
        key = self.rng.choice(("in_b12_unit", "in_hb_unit"))
        widget = self.at.sidebar.radio(key=key)
        widget.set_value(next(o for o in widget.options if o != widget.value))
        self.run("unit switch")

    def toggle(self) -> None:
        widget = self.at.sidebar.toggle(key=self.rng.choice(TOGGLES))
        widget.set_value(not widget.value)
        self.run("toggle")

    def guideline(self) -> None:
        self.at.sidebar.selectbox(key="in_guideline").set_value(self.rng.choice(GUIDELINES))
        self.run("guideline")

    def sex(self) -> None:
        widget = self.at.sidebar.radio(key="in_sex")
        widget.set_value("male" if widget.value == "female" else "female")
        self.run("sex")

    def page(self) -> None:
        self.at.switch_page(self.rng.choice(PAGES))
        self.run("page switch")

    def upload(self) -> None:
        self.at.switch_page("pages/batch.py")
        self.run("page switch")
        self.at.file_uploader[0].set_value(("cases.csv", BATCH_CSV, "text/csv"))
        self.run("batch upload")

    def reset(self) -> None:
        self.at.sidebar.button(key="reset_case").click()
        self.run("reset")


ACTIONS: list[tuple[Callable[[_User], None], int]] = [
    (_User.slider, 10),
    (_User.unit, 3),
    (_User.toggle, 3),
    (_User.guideline, 3),
    (_User.sex, 2),
    (_User.page, 5),
    (_User.upload, 1),
    (_User.reset, 1),
]


def _rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 1_048_576


def soak(seconds: float, seed: int = 12, sample_every: float = 2.0, actions_per_user: int = 40) -> SoakResult:
    """Run mixed use for `seconds` (after a warm-up) and return what happened."""
    from tests.apptest_like_server import pages_like_server

    # Without it AppTest runs a page without app.py from its second run on (unlike the server).
    with pages_like_server():
        return _soak(seconds, seed, sample_every, actions_per_user)


def _soak(seconds: float, seed: int, sample_every: float, actions_per_user: int) -> SoakResult:
    rng = random.Random(seed)
    result = SoakResult(seconds=seconds)
    warm = SoakResult(seconds=0)
    user = _User(warm, rng, {}, bad_link=False)
    for page in PAGES:  # warm-up: imports and first renders of every page, not counted
        user.at.switch_page(page)
        user.run("warm-up")
    user.upload()
    result.errors += warm.errors
    del user
    start = time.perf_counter()
    result.rss.append((0.0, _rss_mb()))
    next_sample = start + sample_every
    choices, weights = zip(*ACTIONS, strict=True)
    while time.perf_counter() - start < seconds:
        bad_link = rng.random() < 1 / 3
        link = rng.choice(BAD_LINKS) if bad_link else rng.choice(GOOD_LINKS)
        try:
            user = _User(result, rng, link, bad_link)
            result.sessions += 1
            for _ in range(rng.randint(actions_per_user // 2, actions_per_user)):
                rng.choices(choices, weights)[0](user)
                now = time.perf_counter()
                if now >= next_sample:
                    result.rss.append((now - start, _rss_mb()))
                    next_sample = now + sample_every
                if now - start >= seconds:
                    break
        except Exception as err:  # anything out of AppTest is an error of the app or of a widget it drew
            result.errors.append(f"{type(err).__name__}: {err}")
    result.seconds = time.perf_counter() - start
    result.rss.append((result.seconds, _rss_mb()))
    return result


def render_entry(result: SoakResult, command: str, started: dt.datetime) -> str:
    lines = [
        f"### {started:%Y-%m-%d %H:%M} — `{command}`",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"(load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}).",
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in result.summary().items()),
    ]
    if result.errors:
        lines += ["", "Errors (first 5):", *(f"- {e}" for e in result.errors[:5])]
    samples = result.rss[:: max(1, len(result.rss) // 12)]
    lines += ["", "RSS over time (s: MB): " + ", ".join(f"{t:.0f}: {mb:.0f}" for t, mb in samples)]
    return "\n".join(lines) + "\n"


def append_entry(entry: str, path: Path = RESULTS) -> None:
    """Add the entry at the end of the "## Soak" section (created at the end if missing); nothing else changes."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""  # re-read: others write other sections
    lines = text.splitlines()
    if SECTION not in lines:
        intro = (
            "Bounded mixed use through AppTest loops (bench/soak.py): simulated users with good and bad links "
            "move sliders, switch units, toggle findings, change the guideline, switch pages, upload a batch "
            "CSV and reset. Errors must be 0 and memory flat."
        )
        body = (text.rstrip("\n") + "\n\n" if text.strip() else "") + f"{SECTION}\n\n{intro}\n\n{entry}"
        path.write_text(body, encoding="utf-8")
        return
    start = lines.index(SECTION)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    before, section, after = lines[:start], lines[start:end], lines[end:]
    while section and not section[-1].strip():
        section.pop()
    new = [*before, *section, "", *entry.rstrip("\n").splitlines()]
    if after:
        new += ["", *after]
    path.write_text("\n".join(new) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=600.0, help="how long to soak (default 600)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--sample-every", type=float, default=2.0, help="seconds between RSS samples")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    command = shlex.join([".venv/bin/python", "bench/soak.py", *(argv if argv is not None else sys.argv[1:])])
    started = dt.datetime.now()
    print(f"soaking for {args.seconds:.0f} s ...", flush=True)
    result = soak(args.seconds, seed=args.seed, sample_every=args.sample_every)
    for key, value in result.summary().items():
        print(f"  {key}: {value}")
    for err in result.errors[:5]:
        print(f"  error: {err}")
    if not args.no_record:
        append_entry(render_entry(result, command, started))
        print(f"appended to {RESULTS.relative_to(ROOT)}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["SoakResult", "append_entry", "render_entry", "soak"]
