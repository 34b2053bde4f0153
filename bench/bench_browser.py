"""Benchmark 5, the app in the browser: slider key press to changed verdict, and cold start, against the bare page."""

from __future__ import annotations

import time
from typing import Any

from harness import (
    CHROMIUM,
    _needs_browser,
    _page_url,
    _press_latencies_ms,
    _wait_ready,
    browser,
    served_page,
    start_server,
    stop_server,
)
from results import Row, Section, Settings, median, p95
from targets import BARE, EXPLORER_QUERY, MINIMAL, SLIDER_WORD, Target, explorer_target


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
