"""Real-browser fixtures: the app served by `streamlit run` on a free port, driven by Debian's Chromium.

The server starts once per test session (test_browser_first_visit.py starts one more of its own) and is
waited for through /_stcore/health (bounded); each test gets a fresh browser context, so a fresh Streamlit
session: no case leaks from one test into the next. Chromium
runs headless with the flags of the machine notes (root, closed network); Playwright never downloads a
browser of its own (`playwright install` is never run): scripts/install.sh apt-installs /usr/bin/chromium.
Helpers (waiting on the app's run state, screenshots, the engine's expected verdicts) are in e2e_support.py.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from e2e_support import ARTIFACTS, FIGURES, FIGURES_FILE, ROOT, PageFactory, PageViews, new_context
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # running as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: without these Chromium keeps dialling Google's hosts.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 60
SERVER_LOG = ARTIFACTS / "streamlit-e2e.log"
FRESH_SERVER_LOG = ARTIFACTS / "streamlit-e2e-fresh.log"
FAILURES = ARTIFACTS / "failures"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200 and response.read().strip() == b"ok")
    except (urllib.error.URLError, OSError):
        return False


def _log_tail(log_path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


@contextmanager
def serve_app(log_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free port, its output in `log_path`; yields its base URL once healthy."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",  # the code does not change during a test run: no watcher threads
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not _healthy(url):
                if server.poll() is not None:
                    pytest.fail(
                        f"streamlit exited with status {server.returncode} before it was healthy:\n"
                        f"{_log_tail(log_path)}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit not healthy after {STARTUP_TIMEOUT_S} s:\n{_log_tail(log_path)}")
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The app served for the whole test session (see serve_app)."""
    with serve_app(SERVER_LOG) as url:
        yield url


@pytest.fixture
def fresh_app_url() -> Iterator[str]:
    """A server of its own, started for this test: its first request is the test's (a freshly deployed app)."""
    with serve_app(FRESH_SERVER_LOG) as url:
        yield url


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless. A missing browser fails the tests (CI must run them); it never skips them."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install.sh --dev` (it apt-installs chromium)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def shared_context(browser: Browser, app_url: str) -> Iterator[BrowserContext]:
    """One browser context for the session, so Streamlit's static files are fetched and cached once.

    Each page (tab) in it still opens its own websocket, hence its own Streamlit session: no case leaks
    from one test into the next."""
    context = new_context(browser, app_url)
    yield context
    context.close()


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, app_url: str, shared_context: BrowserContext
) -> Iterator[PageFactory]:
    """A factory of new pages, each its own Streamlit session.

    When the test fails, each page still open is saved to test-artifacts/failures/<test>-<n>.png.
    """
    factory = PageFactory(browser, app_url, shared_context)
    yield factory
    report = getattr(request.node, "report_call", None)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)[:120]
    for number, page in enumerate(factory.pages):
        if page.is_closed():
            continue
        if report is not None and report.failed:
            FAILURES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(FAILURES / f"{name}-{number}.png"))
        page.close()
    for context in factory.own_contexts:
        context.close()


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    """A new page: a new Streamlit session, sharing the browser's cache of the app's static files."""
    return new_page()


@pytest.fixture(scope="session")
def page_view(shared_context: BrowserContext) -> Iterator[PageViews]:
    """`page_view(name)`: the app page `name`, opened once per session with the showcase case."""
    views = PageViews(shared_context)
    yield views
    views.close()


@pytest.fixture(scope="session")
def dark_page_view(browser: Browser, app_url: str) -> Iterator[PageViews]:
    """As `page_view`, for a viewer whose browser prefers a dark colour scheme (the app follows it)."""
    context = new_context(browser, app_url, color_scheme="dark")
    views = PageViews(context)
    yield views
    views.close()
    context.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures the browser tests measured, and keep them beside the screenshots."""
    if not FIGURES:
        return
    terminalreporter.section("browser figures")
    for name, text in FIGURES.items():
        terminalreporter.write_line(f"{name}: {text}")
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    FIGURES_FILE.write_text("".join(f"{name}: {text}\n" for name, text in FIGURES.items()))
