"""Helpers for the real-browser tests: waiting on Streamlit's run state, reading the shared case, screenshots.

Waits ask the app instead of sleeping. RUN_COUNTER_JS, installed in every page before the app's own scripts,
counts the runs the server reports finished (its `script_finished` messages), so a test waits for "the rerun
my key press caused" rather than for a state the page was already in before the press; then Streamlit's own
state on the root element (`data-test-connection-state`, `data-test-script-state`) and the absence of
loading skeletons say that the page has rendered that run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from b12logic import Assessment, evaluate
from b12logic.urlstate import parse_query

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FIGURES_FILE = ARTIFACTS / "browser-figures.txt"

VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}
# Generous: on a shared 2-core machine under load a first page load has taken close to a minute.
APP_TIMEOUT_MS = 60_000

# Page name -> URL path of app.py's st.navigation. The default page (Explorer) is served at the root:
# Streamlit ignores a default page's url_path, and "/explorer" opens a "Page not found" dialog. The pages that show
# a case; the class room (/class, no shared case) has its own browser test, test_browser_class_room.py.
PAGE_PATHS = {
    "explorer": "",
    "treatment": "treatment",
    "compare": "compare",
    "batch": "batch",
    "mechanism": "mechanism",
    "teaching": "teaching",
    "references": "references",
}
# Sidebar navigation link text of each page (app.py's st.Page titles).
PAGE_TITLES = {
    "explorer": "Explorer",
    "treatment": "Treatment & monitoring",
    "compare": "Guideline comparison",
    "batch": "Batch check",
    "mechanism": "Mechanism",
    "teaching": "Teaching cases & quiz",
    "class": "Class room",
    "references": "References & method",
}
# A case that lights up much of every page (low B12 with neuro symptoms, folic acid, anaemia, macrocytosis,
# an elevated ESR): used for the screenshots and the accessibility scan of each page.
SHOWCASE_QUERY = "b12=150&age=70&sex=female&esr=60&neuro_symptoms=yes&on_folic_acid=yes&hb=10&mcv=108"
# The sidebar widget keys (ui/state.py KEYS): Streamlit puts `st-key-<key>` on each element's container.
SLIDER_KEYS = {"age": "in_age", "b12": "in_b12", "mma": "in_mma", "esr": "in_esr"}
VERDICT_PANEL = ".st-key-verdict_panel"
ESR_PANEL = ".st-key-esr_panel"
EXCEPTION_BOX = '[data-testid="stException"]'
# What Streamlit shows instead of a traceback when client.showErrorDetails hides details.
GENERIC_ERROR_TEXT = "This app has encountered an error"
PAGE_NOT_FOUND_TEXT = "Page not found"

# Counts finished script runs from the server's own messages. The root element's data-test-script-state
# alone is not enough: a quick rerun can go running -> notRunning within one React commit, so the DOM never
# shows "running" and a wait on it could pass before the rerun. Every ForwardMsg (Streamlit's protobuf) is one
# websocket message; its field 6 `script_finished` (a varint: 0 finished, 1 compile error, 2 stopped early
# for a rerun, 3 fragment finished) marks the end of a run. A rerun-interrupted run is not counted.
RUN_COUNTER_JS = """
(() => {
  const runs = { done: 0, interrupted: 0 };
  window.__stRuns = runs;
  const SCRIPT_FINISHED = 6, FINISHED_EARLY_FOR_RERUN = 2;
  const varint = (bytes, at) => {
    let value = 0, scale = 1, byte;
    do { byte = bytes[at.pos++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
    return value;
  };
  const scan = (buffer) => {
    const bytes = new Uint8Array(buffer), at = { pos: 0 };
    while (at.pos < bytes.length) {
      const tag = varint(bytes, at), field = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) {
        const value = varint(bytes, at);
        if (field === SCRIPT_FINISHED) value === FINISHED_EARLY_FOR_RERUN ? runs.interrupted++ : runs.done++;
      } else if (wire === 2) { const length = varint(bytes, at); at.pos += length; }
      else if (wire === 1) { at.pos += 8; }
      else if (wire === 5) { at.pos += 4; }
      else { return; }
    }
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (event.data instanceof ArrayBuffer) scan(event.data);
        else if (event.data instanceof Blob) event.data.arrayBuffer().then(scan);
      });
    }
  };
})();
"""

# True once the server has finished more than `after` runs (at least one when None), and the page shows it:
# connected, script state notRunning, no loading skeleton or stale element, elements in the main area.
APP_IDLE_JS = """
(after) => {
  const runs = window.__stRuns;
  if (!runs || runs.done <= (after === null ? 0 : after)) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  return !!main && main.querySelector('[data-testid="stElementContainer"]') !== null;
}
"""

# What the app is doing, for a failure message.
APP_STATE_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {
    url: location.href,
    connection: app && app.getAttribute('data-test-connection-state'),
    script: app && app.getAttribute('data-test-script-state'),
    runs: window.__stRuns,
    skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
    stale: document.querySelectorAll('[data-stale="true"]').length,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
  };
}
"""

# The verdict panel's visible text matches a pattern (checked on every animation frame, for timing).
VERDICT_MATCHES_JS = """
([selector, pattern]) => {
  const panel = document.querySelector(selector);
  return !!panel && new RegExp(pattern).test(panel.innerText);
}
"""

# Streamlit scrolls inside its main area and sidebar, not the document, so a full-page screenshot would
# only show the viewport: the screenshot helper grows the viewport to the taller of the two (capped).
SCROLL_HEIGHT_JS = """
() => Math.max(...['stMain', 'stSidebarContent'].map((id) => {
  const el = document.querySelector(`[data-testid="${id}"]`);
  // A collapsed sidebar (a phone's, off screen to the left) is not in the picture.
  return el && el.getBoundingClientRect().right > 0 ? el.scrollHeight : 0;
}))
"""
TWO_FRAMES_JS = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
MAX_SCREENSHOT_HEIGHT = 6000

# Figures measured by the tests (name -> text), printed at the end of the run and saved to FIGURES_FILE.
FIGURES: dict[str, str] = {}


def record_figure(name: str, text: str) -> None:
    FIGURES[name] = text
    print(f"{name}: {text}")


# Phones as issue 13 tried them: an iPhone-sized 390 x 844 and a small Android 360 x 740, touch, mobile viewport.
PHONE: ViewportSize = {"width": 390, "height": 844}
SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}


def new_context(
    browser: Browser,
    app_url: str,
    viewport: ViewportSize = VIEWPORT,
    mobile: bool = False,
    color_scheme: Literal["light", "dark"] = "light",
) -> BrowserContext:
    """A browser context on the app, with the run counter installed in every page before the app's scripts.

    `mobile` makes it a phone (is_mobile, touch); `color_scheme` is the viewer's light or dark preference."""
    context = browser.new_context(
        viewport=viewport,
        base_url=app_url,
        accept_downloads=True,
        is_mobile=mobile,
        has_touch=mobile,
        color_scheme=color_scheme,
    )
    context.add_init_script(RUN_COUNTER_JS)
    context.set_default_timeout(APP_TIMEOUT_MS)
    return context


class PageFactory:
    """Makes pages for one test: tabs of the session's shared context (warm cache), or with
    `fresh_context=True` a page in a context of its own (cold cache, as a first-time visitor)."""

    def __init__(self, browser: Browser, app_url: str, shared: BrowserContext) -> None:
        self._browser, self._app_url, self._shared = browser, app_url, shared
        self.pages: list[Page] = []
        self.own_contexts: list[BrowserContext] = []

    def __call__(self, fresh_context: bool = False) -> Page:
        context = self._shared
        if fresh_context:
            context = new_context(self._browser, self._app_url)
            self.own_contexts.append(context)
        page = context.new_page()
        self.pages.append(page)
        return page


class PageViews:
    """Each app page opened once per session with SHOWCASE_QUERY, in its own tab, and kept open: the
    "opens without error + screenshot" test and the accessibility scan look at the same loaded page instead
    of loading every page twice. Neither changes the page (a scan only reads it)."""

    def __init__(self, context: BrowserContext) -> None:
        self._context = context
        self._pages: dict[str, Page] = {}

    def __call__(self, name: str) -> Page:
        page = self._pages.get(name)
        if page is None or page.is_closed():
            page = self._context.new_page()
            self._pages[name] = page
            open_page(page, name, SHOWCASE_QUERY)
        return page

    def close(self) -> None:
        for page in self._pages.values():
            if not page.is_closed():
                page.close()


def runs_done(page: Page) -> int:
    """How many script runs have finished in this page since it loaded."""
    return int(page.evaluate("() => (window.__stRuns ? window.__stRuns.done : 0)"))


def wait_for_app(page: Page, after: int | None = None, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until the app is connected and idle with its content rendered.

    With `after` (a `runs_done` reading taken before an interaction), also wait until a run that started
    after that reading has finished, so a test never reads the page as it was before its own action.
    """
    try:
        page.wait_for_function(APP_IDLE_JS, arg=after, timeout=timeout_ms, polling=50)
        # The last message may be counted a moment before React commits it: let two frames pass, then recheck.
        page.evaluate(TWO_FRAMES_JS)
        page.wait_for_function(APP_IDLE_JS, arg=after, timeout=timeout_ms, polling=50)
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"app not idle after {timeout_ms} ms (waiting for a run after #{after}): {page.evaluate(APP_STATE_JS)}"
        ) from None


def open_url(page: Page, path_and_query: str) -> None:
    """Navigate to an address relative to the app's root and wait for the app to settle."""
    page.goto("/" + path_and_query.lstrip("/"))
    wait_for_app(page)


def open_page(page: Page, name: str = "explorer", query: str = "") -> None:
    """Navigate to one of the app's pages (optionally with a shared-link query) and wait for it."""
    open_url(page, PAGE_PATHS[name] + (f"?{query.lstrip('?')}" if query else ""))
    assert_page_found(page)


def assert_page_found(page: Page) -> None:
    """Streamlit answers an unknown URL path with a "Page not found" dialog over the main page."""
    dialog = page.get_by_role("dialog").filter(has_text=PAGE_NOT_FOUND_TEXT)
    assert dialog.count() == 0, f"{page.url}: Streamlit says 'Page not found': {dialog.first.inner_text()[:200]}"


def click_and_wait(page: Page, target: Locator) -> None:
    """Click something that makes the app rerun, and wait for that rerun to finish."""
    before = runs_done(page)
    target.click()
    wait_for_app(page, after=before)


def open_expander(page: Page, summary: Locator) -> None:
    """Open an expander by its summary and wait until its opening animation has ended.

    Streamlit animates an expander's height as it opens; a click on a button inside it during that animation
    was lost about one time in four here (no rerun reached the server, the page looked ready), so tests that
    act inside a freshly opened expander wait for the page's animations to finish first."""
    summary.click()
    page.wait_for_function("() => document.getAnimations().length === 0", polling=50)


def go_to_page(page: Page, name: str) -> None:
    """Switch page through the sidebar navigation, as a user does."""
    nav = page.get_by_test_id("stSidebarNav")
    click_and_wait(page, nav.get_by_role("link", name=PAGE_TITLES[name], exact=True))


def query_params(page: Page) -> dict[str, list[str]]:
    """The current URL's query parameters."""
    return parse_qs(urlsplit(page.url).query, keep_blank_values=True)


def url_path(page: Page) -> str:
    return urlsplit(page.url).path.strip("/")


def slider(page: Page, name: str) -> Locator:
    """The thumb (role=slider) of a sidebar slider, by case value name."""
    return page.locator(f".st-key-{SLIDER_KEYS[name]}").get_by_role("slider")


def slider_value(page: Page, name: str) -> float:
    """A slider's current value. The thumb is a native <input type=range>: its value is what the browser
    exposes as the slider's aria-valuenow (Streamlit sets no aria-valuenow attribute of its own)."""
    return float(slider(page, name).input_value())


def assessment_of(params: dict[str, Any]) -> Assessment:
    """The engine's assessment of a case given as link parameters, parsed exactly as the app parses links."""
    state = parse_query(params)
    return evaluate(state.case(), state.values["guideline"])


def assessment_from_url(page: Page) -> Assessment:
    """The engine's assessment of the case the page's URL describes."""
    return assessment_of(query_params(page))


def status_pattern(label: str) -> str:
    """A regular expression (valid in Python and JavaScript) for the verdict line "B12 status: <label>"."""
    return r"B12 status:\s*" + re.escape(label) + r"(?![A-Za-z])"


def verdict_text(page: Page) -> str:
    panel = page.locator(VERDICT_PANEL)
    return panel.inner_text() if panel.count() else "(no verdict panel: .st-key-verdict_panel not found)"


def wait_for_verdict(page: Page, label: str, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait (checking every animation frame) until the verdict panel says "B12 status: <label>"."""
    try:
        page.wait_for_function(
            VERDICT_MATCHES_JS, arg=[VERDICT_PANEL, status_pattern(label)], timeout=timeout_ms, polling="raf"
        )
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"verdict panel never said 'B12 status: {label}'; it says:\n{verdict_text(page)[:600]}"
        ) from None


def screenshot(page: Page, name: str, full: bool = True) -> Path:
    """Save the whole page, main area and sidebar, as test-artifacts/screenshots/<name>.png (git-ignored).

    `full=False`: only what the screen shows now (a phone with its inputs open and scrolled)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    viewport = page.viewport_size or VIEWPORT
    # No help tooltip in the picture: nothing hovered or focused, and any open tooltip closed.
    page.mouse.move(viewport["width"] - 2, viewport["height"] - 2)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.get_by_test_id("stTooltipContent").first.wait_for(state="detached", timeout=5_000)
    if not full:
        page.screenshot(path=str(path))
        return path
    height = min(max(int(page.evaluate(SCROLL_HEIGHT_JS)), viewport["height"]), MAX_SCREENSHOT_HEIGHT)
    page.set_viewport_size({"width": viewport["width"], "height": height})
    try:
        page.evaluate(TWO_FRAMES_JS)  # let charts lay themselves out at the new size
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
    return path
