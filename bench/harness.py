"""Browser plumbing of benchmarks 5 and 6 (and bench/ab.py, bench/timeline.py): servers, Chromium, key-to-verdict timing.

A fresh `streamlit run` per measurement on a free port; the timing runs inside the page (performance.now(),
MutationObservers), so Playwright's own round trips do not count.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from results import ROOT, NotAvailable
from targets import SLIDER_WORD, Target

CHROMIUM = "/usr/bin/chromium"


def _needs_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        raise NotAvailable(f"Playwright is not installed ({err})") from None
    if not Path(CHROMIUM).exists():
        raise NotAvailable(f"no system Chromium at {CHROMIUM}")


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
