"""Benchmark 6, many users: 10 concurrent browser sessions moving the slider; latency, errors, server memory, CPU."""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

from harness import (
    _ARM_JS,
    _DONE_JS,
    _IDLE,
    _IDLE_JS,
    CHROMIUM,
    _cpu_used,
    _needs_browser,
    _page_url,
    cpu_seconds,
    server_rss_mb,
    start_server,
    stop_server,
)
from results import Row, Section, Settings, median, p95
from targets import BARE, SLIDER_WORD, Target, explorer_target


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
