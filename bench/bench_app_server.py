"""Benchmark 4, the app on the server side: AppTest reruns after a slider change, Explorer against the bare page."""

from __future__ import annotations

import os
import time
from typing import Any

from results import ROOT, NotAvailable, Row, Section, Settings, median, p95
from targets import BARE, MINIMAL, SLIDER_WORD, Target, explorer_target


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
