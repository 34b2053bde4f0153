"""The app on a phone (issue 13): the verdict in view beside the open case inputs, a readable flowchart,
no page that scrolls sideways, touch targets of 40 px.

A phone is a mobile Chromium context at 390 x 844 (and 360 x 740): Streamlit draws the sidebar over the page
there, so the verdict panel is covered while the inputs are open; the live case summary at the top of the
inputs (ui/render.py case_summary, kept in view by ui/style.css) is what the user sees. Expected answers come
from the engine on the case in the URL, never from labels typed here. Screenshots: test-artifacts/screenshots/
phone-<page>.png.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import pytest
from e2e_support import (
    PAGE_PATHS,
    PHONE,
    SHOWCASE_QUERY,
    SMALL_PHONE,
    PageViews,
    assessment_from_url,
    new_context,
    open_expander,
    open_page,
    record_figure,
    runs_done,
    screenshot,
    slider,
    wait_for_app,
)
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

pytestmark = pytest.mark.browser

SUMMARY = ".st-key-case_summary"
SIDEBAR = '[data-testid="stSidebar"]'
# Smallest text that counts as readable on a phone (issue 13), in CSS px.
MIN_TEXT_PX = 11.0
MIN_TOUCH_PX = 40.0

# Elements that stick out past the right edge of the screen without a sideways-scrolling frame of their own
# (an ancestor with overflow-x auto/scroll inside the screen) between them and the main area.
OVERFLOW_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const limit = document.documentElement.clientWidth;
  const framed = (el) => {
    for (let e = el.parentElement; e && e !== main; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if ((o === 'auto' || o === 'scroll') && e.getBoundingClientRect().right <= limit + 1) return true;
    }
    return false;
  };
  const offenders = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > limit + 1 && !framed(el)) {
      const text = (el.innerText || el.textContent || '').trim().slice(0, 50);
      offenders.push(`${el.tagName.toLowerCase()}[${el.getAttribute('data-testid') || ''}] right=${Math.round(r.right)} "${text}"`);
    }
  }
  return { pageWidth: Math.max(document.documentElement.scrollWidth, main.scrollWidth), screen: limit, offenders };
}
"""

# Is the text at the centre of `selector`'s element matching `pattern` the top layer there, and how big is it?
ON_TOP_JS = """
([selector, pattern]) => {
  const box = document.querySelector(selector);
  if (!box) return { found: false };
  const re = new RegExp(pattern);
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!re.test(node.textContent)) continue;
    const el = node.parentElement, r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const top = document.elementFromPoint(x, y);
    return {
      found: true, onTop: !!top && (top === el || el.contains(top) || top.contains(el)),
      inView: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth,
      fontPx: parseFloat(getComputedStyle(el).fontSize), top: top && top.outerHTML.slice(0, 120),
    };
  }
  return { found: true, onTop: false, text: box.innerText.slice(0, 300) };
}
"""

# The picture's drawn width against its own coordinates: how many CSS px one SVG unit takes. On a phone the
# flowchart is the top-to-bottom outline (issue 19); the wide drawing is a tap away, in a sideways frame.
PICTURE_JS = """
(selector) => {
  const img = document.querySelector(selector);
  const frame = img.closest('[data-testid="stVerticalBlock"]');
  return { src: img.src, width: img.getBoundingClientRect().width, right: img.getBoundingClientRect().right,
           frameRight: frame.getBoundingClientRect().right };
}
"""

# The smallest font of a Plotly chart's visible text (Plotly draws text in CSS px, never scaled).
CHART_TEXT_JS = """
(selector) => {
  const chart = document.querySelector(selector);
  let smallest = Infinity;
  for (const t of chart.querySelectorAll('svg text')) {
    if (!t.textContent.trim() || !t.getBoundingClientRect().width) continue;
    smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize));
  }
  return { smallest, right: chart.getBoundingClientRect().right };
}
"""

TOUCH_TARGETS = {
    "radio option": '[data-testid="stRadioOption"]',
    "switch": '[data-testid="stCheckbox"] > label',
    "slider track": '[data-testid="stSlider"] [role="group"] > div[data-orientation]',
    "number input": '[data-testid="stNumberInputContainer"]',
    "selectbox": '[data-testid="stSelectbox"] [role="group"]',
    "multiselect": '[data-testid="stMultiSelect"] [role="group"]',
    "expander": '[data-testid="stExpander"] summary',
    "button": '[data-testid="stButton"] button',
}
TARGET_HEIGHTS_JS = """
(selectors) => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const out = {};
  for (const [name, selector] of Object.entries(selectors)) {
    out[name] = [...sidebar.querySelectorAll(selector)]
      .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => r.height);
  }
  return out;
}
"""


@pytest.fixture(scope="session")
def phone_context(browser: Browser, app_url: str) -> Iterator[BrowserContext]:
    context = new_context(browser, app_url, viewport=PHONE, mobile=True)
    yield context
    context.close()


@pytest.fixture(scope="session")
def phone_view(phone_context: BrowserContext) -> Iterator[PageViews]:
    """`phone_view(name)`: the app page `name` on a 390 x 844 phone with the showcase case, opened once."""
    views = PageViews(phone_context)
    yield views
    views.close()


def open_inputs(page: Page) -> None:
    """Open the case inputs as a phone user does: the sidebar's expand button; wait until it is on screen."""
    page.get_by_test_id("stExpandSidebarButton").click()
    page.wait_for_function(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect(); return r.left >= 0 && r.width > 0; }",
        arg=SIDEBAR,
    )
    page.locator(SUMMARY).wait_for(state="visible")


def press(page: Page, name: str, key: str) -> None:
    """A key press on a slider thumb, waiting for the rerun it causes."""
    before = runs_done(page)
    slider(page, name).press(key)
    wait_for_app(page, after=before)


def assert_on_top(page: Page, text: str, where: str) -> dict:
    found = page.evaluate(ON_TOP_JS, [SUMMARY, re.escape(text)])
    assert found.get("found"), f"{where}: no live summary ({SUMMARY}) in the sidebar"
    assert found.get("onTop"), f"{where}: {text!r} is not the top layer of the summary: {found}"
    assert found.get("inView"), f"{where}: {text!r} is off screen: {found}"
    assert found["fontPx"] >= 14, f"{where}: {text!r} at {found['fontPx']} px, smaller than body text"
    return found


def check_summary(page: Page, where: str) -> None:
    """The summary shows the engine's B12 status, regimen and ESR flag for the URL's case, on top, readable."""
    expected = assessment_from_url(page)
    summary = page.locator(SUMMARY)
    for text in (expected.status_label, expected.regimen_label, expected.esr_flag_label):
        page.wait_for_function(
            "([s, t]) => document.querySelector(s).innerText.includes(t)", arg=[SUMMARY, text], polling="raf"
        )
        assert_on_top(page, text, where)
    if any(s.safety for s in (*expected.next_steps, *expected.esr_workup)):
        assert "Urgent step" in summary.inner_text(), f"{where}: urgent steps not flagged in the summary"
        assert_on_top(page, "Urgent step", where)


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390x844", "360x740"])
def test_verdict_in_view_beside_open_inputs(browser: Browser, app_url: str, viewport: ViewportSize) -> None:
    """Open the inputs, move the B12 slider, then the ESR slider far below it: after each move the summary
    at the top of the inputs shows the engine's new answer, and nothing covers it."""
    context = new_context(browser, app_url, viewport=viewport, mobile=True)
    try:
        page = context.new_page()
        open_page(page, "explorer", SHOWCASE_QUERY)
        open_inputs(page)
        size = f"{viewport['width']}x{viewport['height']}"
        # The problem this solves: the open inputs cover the page's first block (the Do-now block, issue 18).
        covered = page.evaluate(
            "([v, s]) => { const r = document.querySelector(v).getBoundingClientRect();"
            " const top = document.elementFromPoint(r.left + 20, Math.min(Math.max(r.top + 20, 20), innerHeight - 20));"
            " return !!top && !!top.closest(s); }",
            [".st-key-do_now", SIDEBAR],
        )
        assert covered, "expected the open sidebar to cover the Do-now block on a phone"
        check_summary(page, f"{size} opened")
        for key in ("End", "Home"):
            press(page, "b12", key)
            check_summary(page, f"{size} after B12 {key}")
        slider(page, "esr").scroll_into_view_if_needed()
        for key in ("Home", "End"):
            press(page, "esr", key)
            check_summary(page, f"{size} after ESR {key}, inputs scrolled")
        box = page.locator(SUMMARY).bounding_box()
        assert box is not None
        record_figure(
            f"phone {size}: live summary",
            f"{box['height']:.0f} px tall at the top of the open inputs; on top after every slider move",
        )
        screenshot(page, f"phone-explorer-inputs-open-{size}", full=False)
    finally:
        context.close()


def test_flowchart_text_readable_on_phone(phone_view: PageViews) -> None:
    """The flowchart on a phone is the whole outline inside the screen, smallest text >= 11 CSS px (issue 19;
    issue 13 kept the wide drawing at its size in a sideways frame); the treatment timeline keeps its size in
    a frame of its own."""
    page = phone_view("explorer")
    picture = page.evaluate(PICTURE_JS, ".st-key-narrowview_decision img")
    svg = base64.b64decode(picture["src"].split(",", 1)[1]).decode()
    view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    smallest_font = min(float(size) for size in re.findall(r'font-size="([\d.]+)"', svg))
    smallest_px = smallest_font * picture["width"] / view_width
    record_figure(
        "phone 390: smallest flowchart text",
        f"{smallest_px:.1f} CSS px, the whole flowchart {picture['width']:.0f} px wide (top to bottom)",
    )
    assert smallest_px >= MIN_TEXT_PX
    assert picture["right"] <= PHONE["width"] + 1 and picture["frameRight"] <= PHONE["width"] + 1
    chart_page = phone_view("treatment")
    selector = ".st-key-timeline_figure"
    chart_page.locator(f"{selector} .main-svg").first.wait_for()
    chart = chart_page.evaluate(CHART_TEXT_JS, selector)
    record_figure("phone 390: smallest treatment figure text", f"{chart['smallest']:g} CSS px")
    assert chart["smallest"] >= MIN_TEXT_PX
    assert chart["right"] <= PHONE["width"] + 1, "treatment: the chart's frame is wider than the screen"


@pytest.mark.parametrize("name", list(PAGE_PATHS))
def test_no_page_scrolls_sideways_on_phone(phone_view: PageViews, name: str) -> None:
    """At 390 px nothing sticks out past the screen unless it sits in a frame that scrolls on its own."""
    page = phone_view(name)
    found = page.evaluate(OVERFLOW_JS)
    record_figure(f"phone 390: {name} page width", f"{found['pageWidth']} px")
    assert found["pageWidth"] <= found["screen"], f"{name} scrolls sideways: {found}"
    assert not found["offenders"], f"{name}: content past the right edge: " + "\n".join(found["offenders"])
    screenshot(page, f"phone-{name}")


def test_case_input_touch_targets(page_for_touch: Page) -> None:
    """Every case input's touch target is at least 40 px tall on a phone (with "More labs" open)."""
    heights = page_for_touch.evaluate(TARGET_HEIGHTS_JS, TOUCH_TARGETS)
    smallest = {name: min(values) for name, values in heights.items() if values}
    record_figure("phone 390: smallest touch target", ", ".join(f"{k} {v:.0f}" for k, v in smallest.items()))
    assert set(smallest) == set(TOUCH_TARGETS), f"controls not found: {set(TOUCH_TARGETS) - set(smallest)}"
    too_small = {name: height for name, height in smallest.items() if height < MIN_TOUCH_PX}
    assert not too_small, f"touch targets under {MIN_TOUCH_PX:g} px: {too_small}"


@pytest.fixture
def page_for_touch(phone_context: BrowserContext) -> Iterator[Page]:
    page = phone_context.new_page()
    open_page(page, "explorer", SHOWCASE_QUERY)
    open_inputs(page)
    open_expander(page, page.locator(SIDEBAR).get_by_test_id("stExpander").locator("summary"))
    page.locator(SIDEBAR).get_by_test_id("stMultiSelect").wait_for(state="visible")
    yield page
    page.close()
