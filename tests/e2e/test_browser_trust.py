"""Issue 19 in a real browser: inputs a student on a phone can trust, every page whole at 390 and 1400 px, and
nothing fetched from outside the app's own server.

Phones are mobile Chromium contexts at 390 x 844 with touch; swipes are real touch events sent through the
DevTools protocol (Input.dispatchTouchEvent), as a finger makes them. Expected verdicts come from the engine on
the case in the URL. Screenshots: test-artifacts/screenshots/trust-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import (
    EXCEPTION_BOX,
    GENERIC_ERROR_TEXT,
    PAGE_PATHS,
    PHONE,
    SHOWCASE_QUERY,
    VIEWPORT,
    assessment_from_url,
    new_context,
    open_page,
    query_params,
    record_figure,
    runs_done,
    screenshot,
    slider,
    slider_value,
    wait_for_app,
)
from playwright.sync_api import Browser, CDPSession, Page, expect

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
SCROLLER = '[data-testid="stSidebarContent"]'
SUMMARY = ".st-key-case_summary"
START = "b12=250&age=68&sex=female&esr=20"
MIN_TEXT_PX = 11.0
TYPED = {"b12": ".st-key-in_b12_typed input", "esr": ".st-key-in_esr_typed input", "mma": ".st-key-in_mma_typed input"}


@pytest.fixture
def phone(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh 390 x 844 touch phone that may read and write the clipboard (for the copy-link check)."""
    context = new_context(browser, app_url, viewport=PHONE, mobile=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser: Browser, app_url: str) -> Iterator[Page]:
    context = new_context(browser, app_url, viewport=VIEWPORT)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page = context.new_page()
    yield page
    context.close()


def scroll_top(page: Page) -> float:
    return float(page.evaluate(f"document.querySelector('{SCROLLER}').scrollTop"))


def swipe(page: Page, cdp: CDPSession, x: float, y0: float, y1: float, drift: float = 6.0) -> None:
    """A finger put down at (x, y0) and moved to y1 in 12 steps, drifting `drift` px sideways as fingers do."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y0}]})
    for i in range(1, 13):
        point = {"x": x + drift * i / 12, "y": y0 + (y1 - y0) * i / 12}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.evaluate("() => new Promise((done) => requestAnimationFrame(done))")
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def settle(page: Page) -> None:
    """Long enough for a rerun a swipe might have caused to have started and finished."""
    page.wait_for_timeout(800)
    wait_for_app(page)


def open_inputs(page: Page) -> None:
    """Open the case inputs by the control that says so in words."""
    opener = page.get_by_test_id("stExpandSidebarButton")
    words = opener.evaluate("(e) => getComputedStyle(e, '::after').content")
    assert words == '"Case inputs"', f"the control that opens the inputs says {words!r}"
    expect(page.get_by_role("button", name="Case inputs", exact=True)).to_have_count(1)  # announced as shown
    box = opener.bounding_box()
    assert box is not None and box["width"] >= 40 and box["height"] >= 40
    opener.click()
    page.wait_for_function(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect(); return r.left >= 0 && r.width > 0; }",
        arg=SIDEBAR,
    )
    page.locator(SUMMARY).wait_for(state="visible")


def summary_text(page: Page) -> str:
    return page.locator(SUMMARY).inner_text()


def values(page: Page) -> dict[str, float]:
    return {name: slider_value(page, name) for name in ("age", "b12", "esr")}


def type_value(page: Page, name: str, value: float) -> None:
    box = page.locator(TYPED[name])
    box.scroll_into_view_if_needed()
    before = runs_done(page)
    box.fill(f"{value:g}")
    box.press("Enter")
    wait_for_app(page, after=before)


def expect_summary_for_url(page: Page) -> None:
    """The summary at the top of the inputs shows the engine's B12 and ESR verdicts for the URL's case."""
    expected = assessment_from_url(page)
    for text in (expected.status_label, expected.esr_flag_label):
        expect(page.locator(SUMMARY)).to_contain_text(text)


def test_a_vertical_swipe_on_a_slider_never_changes_a_value(phone: Page) -> None:
    """Swipes that start on each slider's track, and on its thumb, scroll the panel and change nothing."""
    open_page(phone, "explorer", START)
    open_inputs(phone)
    cdp = phone.context.new_cdp_session(phone)
    before, verdict = values(phone), summary_text(phone)
    scrolled = 0
    for name in ("age", "b12", "esr"):
        for part in ("track", "thumb"):
            phone.evaluate(f"document.querySelector('{SCROLLER}').scrollTop = 0")
            slider(phone, name).scroll_into_view_if_needed()
            track = phone.locator(f".st-key-in_{name} [role='group'] > div[data-orientation]").bounding_box()
            thumb = phone.locator(f".st-key-in_{name} [role='group'] > div[data-orientation] > div[data-rac]")
            thumb_box = thumb.bounding_box()
            assert track is not None and thumb_box is not None
            if part == "track":  # well away from the thumb: where the finger lands would be a new value
                x = track["x"] + track["width"] * (0.85 if thumb_box["x"] < track["x"] + track["width"] / 2 else 0.15)
                y = track["y"] + track["height"] / 2
            else:
                x, y = thumb_box["x"] + thumb_box["width"] / 2, thumb_box["y"] + thumb_box["height"] / 2
            start = scroll_top(phone)
            swipe(phone, cdp, x, y, y - 300)
            settle(phone)
            moved = scroll_top(phone) - start
            scrolled += moved
            assert values(phone) == before, f"a swipe on the {name} {part} changed a value"
            assert moved > 100, f"a swipe on the {name} {part} did not scroll the inputs ({moved:.0f} px)"
    assert summary_text(phone) == verdict
    assert query_params(phone)["b12"] == ["250"]
    record_figure("phone 390: swipes on sliders", f"6 swipes, {scrolled:.0f} px scrolled, 0 values changed")


def test_a_sideways_drag_on_the_thumb_still_slides(phone: Page) -> None:
    open_page(phone, "explorer", START)
    open_inputs(phone)
    cdp = phone.context.new_cdp_session(phone)
    thumb = phone.locator(".st-key-in_b12 [role='group'] > div[data-orientation] > div[data-rac]")
    thumb.scroll_into_view_if_needed()
    box = thumb.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = runs_done(phone)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for i in range(1, 13):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x + 5 * i, "y": y + 1}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    wait_for_app(phone, after=before)
    assert slider_value(phone, "b12") > 250
    expect_summary_for_url(phone)


def test_done_when_a_student_on_a_phone(phone: Page) -> None:
    """Issue 19's "done when": open the inputs, scroll them by swipe, type B12 182 and ESR 41, see both verdicts,
    undo, copy the link; no value changed by a swipe."""
    open_page(phone, "explorer", START)
    open_inputs(phone)
    # The first case input in view when the inputs open; the page links below the inputs.
    sex = phone.locator(SIDEBAR).get_by_role("radiogroup").first.bounding_box()
    nav = phone.get_by_test_id("stSidebarNav").bounding_box()
    inputs_top = phone.get_by_test_id("stSidebarUserContent").bounding_box()
    assert sex is not None and nav is not None and inputs_top is not None
    assert sex["y"] + sex["height"] <= PHONE["height"], f"first input at {sex['y']:.0f} px, below the screen"
    assert nav["y"] > inputs_top["y"], "the page links still come before the inputs"
    record_figure("phone 390: first case input", f"at {sex['y']:.0f} px when the inputs open (was 568)")
    screenshot(phone, "trust-phone-inputs-open", full=False)

    cdp = phone.context.new_cdp_session(phone)
    track = phone.locator(".st-key-in_age [role='group'] > div[data-orientation]").bounding_box()
    assert track is not None
    swipe(phone, cdp, track["x"] + track["width"] * 0.9, track["y"] + track["height"] / 2, 150)
    settle(phone)
    assert scroll_top(phone) > 100 and values(phone) == {"age": 68.0, "b12": 250.0, "esr": 20.0}

    type_value(phone, "b12", 182)
    type_value(phone, "esr", 41)
    assert values(phone) == {"age": 68.0, "b12": 182.0, "esr": 41.0}
    assert query_params(phone)["b12"] == ["182"] and query_params(phone)["esr"] == ["41"]
    expect_summary_for_url(phone)
    expected = assessment_from_url(phone)
    assert expected.esr_flag == "elevated"  # 41 > (68 + 10) / 2 = 39: the ESR verdict changed too
    summary = phone.locator(SUMMARY).bounding_box()
    assert summary is not None and summary["y"] >= 0 and summary["y"] + summary["height"] <= PHONE["height"]
    screenshot(phone, "trust-phone-typed", full=False)

    before = runs_done(phone)
    phone.locator(SIDEBAR).get_by_role("button", name="Undo", exact=True).click()
    wait_for_app(phone, after=before)
    assert values(phone) == {"age": 68.0, "b12": 182.0, "esr": 20.0}  # the last change, ESR 41, undone
    expect_summary_for_url(phone)

    phone.get_by_role("button", name="Copy link").click()
    expect(phone.locator(SIDEBAR).locator(".status")).to_have_text("Link copied")  # for screen readers
    expect(phone.locator(SIDEBAR).locator("button.copy")).to_have_text("Link copied")
    copied = phone.evaluate("() => navigator.clipboard.readText()")
    assert copied == phone.url and "b12=182" in copied and "esr=20" in copied
    assert values(phone) == {"age": 68.0, "b12": 182.0, "esr": 20.0}
    screenshot(phone, "trust-phone-undone-copied", full=False)


def test_reset_goes_back_to_the_links_case_on_a_desktop(desktop: Page) -> None:
    open_page(desktop, "explorer", START)
    type_value(desktop, "b12", 182)
    assert slider_value(desktop, "b12") == 182
    before = runs_done(desktop)
    desktop.locator(SIDEBAR).get_by_role("button", name="Reset to this link's case").click()
    wait_for_app(desktop, after=before)
    assert values(desktop) == {"age": 68.0, "b12": 250.0, "esr": 20.0}
    desktop.get_by_role("button", name="Copy link").click()
    assert desktop.evaluate("() => navigator.clipboard.readText()") == desktop.url


# --- Every page whole --------------------------------------------------------------------------------

# Table cells whose text is cut (an ellipsis or a hidden overflow), and tables wider than the main column.
TABLES_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const limit = main.getBoundingClientRect().right;
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const out = { tables: 0, cut: [], wide: [] };
  for (const table of main.querySelectorAll('table, [data-testid="stDataFrame"]')) {
    if (!shown(table)) continue;
    out.tables++;
    const r = table.getBoundingClientRect();
    if (r.right > limit + 1) out.wide.push(`${table.tagName} right=${Math.round(r.right)} > ${Math.round(limit)}`);
    for (const cell of table.querySelectorAll('td, th')) {
      if (cell.scrollWidth > cell.clientWidth + 1) out.cut.push(cell.innerText.slice(0, 40));
    }
  }
  if (main.querySelector('[data-testid="stDataFrame"] canvas')) out.cut.push('(a canvas grid: cells may be cut)');
  return out;
}
"""


@pytest.mark.parametrize("viewport", [PHONE, VIEWPORT], ids=["390x844", "1400x1000"])
@pytest.mark.parametrize("name", ["compare", "treatment"])
def test_tables_fit_or_wrap(browser: Browser, app_url: str, viewport: Any, name: str) -> None:
    context = new_context(browser, app_url, viewport=viewport, mobile=viewport is PHONE)
    try:
        page = context.new_page()
        open_page(page, name, SHOWCASE_QUERY)
        narrow, wide = page.locator("[class*='st-key-narrowview_']"), page.locator("[class*='st-key-wideview_']")
        phone_sized = viewport is PHONE
        expect(narrow.first).to_be_visible(visible=phone_sized)
        expect(wide.first).to_be_visible(visible=not phone_sized)
        found = page.evaluate(TABLES_JS)
        assert not found["cut"] and not found["wide"], f"{name} at {viewport['width']}: {found}"
        if not phone_sized:
            assert found["tables"] >= 1
        else:  # the phone form is a list: every aspect / event is in it
            text = narrow.first.inner_text()
            assert ("Cut-offs" in text) if name == "compare" else ("Day 0" in text)
        screenshot(page, f"trust-{name}-{viewport['width']}")
    finally:
        context.close()


PICTURE_FONT_JS = """
(selector) => {
  const img = document.querySelector(selector);
  const svg = atob(img.src.split(',')[1]);
  const width = parseFloat(/viewBox="0 0 ([\\d.]+) /.exec(svg)[1]);
  const sizes = [...svg.matchAll(/font-size="([\\d.]+)"/g)].map((m) => parseFloat(m[1]));
  const r = img.getBoundingClientRect();
  return { smallest: Math.min(...sizes) * r.width / width, right: r.right, width: r.width, height: r.height };
}
"""


@pytest.mark.parametrize("name", ["explorer", "mechanism"])
def test_diagrams_whole_and_legible_on_a_phone(browser: Browser, app_url: str, name: str) -> None:
    """The phone outline shows the whole diagram inside the screen, its smallest text >= 11 CSS px; the wide
    drawing is hidden there and a tap away (an expander)."""
    context = new_context(browser, app_url, viewport=PHONE, mobile=True)
    try:
        page = context.new_page()
        open_page(page, name, SHOWCASE_QUERY)
        key = "decision" if name == "explorer" else "mechanism"
        narrow = page.locator(f".st-key-narrowview_{key}")
        expect(narrow).to_be_visible()
        expect(page.locator(f".st-key-wideview_{key}")).to_be_hidden()
        picture = page.evaluate(PICTURE_FONT_JS, f".st-key-narrowview_{key} img")
        record_figure(f"phone 390: smallest {key} outline text", f"{picture['smallest']:.1f} CSS px, whole picture")
        assert picture["smallest"] >= MIN_TEXT_PX
        assert picture["right"] <= PHONE["width"], picture
        full = narrow.get_by_test_id("stExpander")
        expect(full).to_contain_text("full-size")
        full.locator("summary").click()
        expect(full.locator("img, .main-svg").first).to_be_visible()
        screenshot(page, f"trust-phone-{key}")
    finally:
        context.close()


@pytest.mark.parametrize("name", ["explorer", "mechanism"])
def test_diagrams_at_desktop_are_the_wide_drawings(browser: Browser, app_url: str, name: str) -> None:
    context = new_context(browser, app_url, viewport=VIEWPORT)
    try:
        page = context.new_page()
        open_page(page, name, SHOWCASE_QUERY)
        key = "decision" if name == "explorer" else "mechanism"
        expect(page.locator(f".st-key-wideview_{key}")).to_be_visible()
        expect(page.locator(f".st-key-narrowview_{key}")).to_be_hidden()
    finally:
        context.close()


# --- Nothing from outside ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, VIEWPORT], ids=["390x844", "1400x1000"])
def test_every_page_complete_with_the_network_cut_to_loopback(browser: Browser, app_url: str, viewport: Any) -> None:
    """As on a hospital network without internet: every request not to the app's own server is aborted. Each
    page still loads completely (no error, every image drawn, the navigation icons shown) and asked for
    nothing outside (before issue 19: the favicon from fonts.gstatic.com)."""
    context = new_context(browser, app_url, viewport=viewport, mobile=viewport is PHONE)
    outside: list[str] = []
    local = re.compile(r"^(https?://(127\.0\.0\.1|localhost)(:\d+)?/|data:|blob:)")

    def cut(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not local.match(url), cut)
    failed: list[str] = []
    context.on("requestfailed", lambda request: failed.append(request.url))
    try:
        for name in PAGE_PATHS:
            page = context.new_page()
            open_page(page, name, SHOWCASE_QUERY)
            page.wait_for_timeout(500)
            expect(page.locator(EXCEPTION_BOX)).to_have_count(0)
            assert GENERIC_ERROR_TEXT not in page.locator("body").inner_text()
            broken = page.evaluate(
                "() => [...document.images].filter((i) => i.complete && i.naturalWidth === 0 && i.getClientRects().length)"
                ".map((i) => i.src.slice(0, 80))"
            )
            assert not broken, f"{name}: images not drawn: {broken}"
            # Each page link's icon drawn by the app's own icon font: a missing font shows its name as text
            # ("genetics"), far wider than the 20-odd px of the icon.
            widths = (
                page.get_by_test_id("stSidebarNav")
                .get_by_role("link")
                .evaluate_all(
                    "(links) => links.map((a) => { const i = a.querySelector('[data-testid=stIconMaterial]');"
                    " return i ? i.getBoundingClientRect().width : -1; })"
                )
            )
            # Every case page, plus the class room (a page without the shared case, so not in PAGE_PATHS).
            assert len(widths) == len(PAGE_PATHS) + 1 and all(0 < w <= 28 for w in widths), (name, widths)
            page.close()
        assert not outside, f"requests outside the app's server: {sorted(set(outside))}"
        assert not failed, f"failed requests: {sorted(set(failed))}"
        record_figure(f"network cut {viewport['width']}", f"{len(PAGE_PATHS)} pages complete, 0 outside requests")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, VIEWPORT], ids=["390x844", "1400x1000"])
def test_batch_results_open_on_the_verdict_in_words(browser: Browser, app_url: str, viewport: Any) -> None:
    """The template (an example of every status) uploaded: the results grid opens on the verdict columns, in
    the Explorer's words; six rows are said in words, not charted."""
    from b12logic.batch import template_csv
    from b12logic.engine import STATUS_LABELS

    context = new_context(browser, app_url, viewport=viewport, mobile=viewport is PHONE)
    try:
        page = context.new_page()
        open_page(page, "batch")
        before = runs_done(page)
        page.locator(".st-key-batch_upload").locator('input[type="file"]').set_input_files(
            files=[{"name": "cases.csv", "mimeType": "text/csv", "buffer": template_csv().encode()}]
        )
        wait_for_app(page, after=before)
        # The grid draws on a canvas: its column order and words are checked by tests/test_page_batch.py
        # (AppTest reads the frame); here, the page as a user sees it, and the counts said in words.
        grid = page.get_by_test_id("stDataFrame")
        expect(grid).to_have_count(1)
        grid.scroll_into_view_if_needed()
        counts = page.get_by_test_id("stMarkdownContainer").filter(has_text="Rows by B12 status:").inner_text()
        for label in STATUS_LABELS.values():
            assert f"{label} 1" in counts, counts
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(0)
        screenshot(page, f"trust-batch-{viewport['width']}")
    finally:
        context.close()


BAND_JS = """
() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const cell = [...document.querySelectorAll('table td')].find((td) => td.innerText.includes('differs'));
  const page = rgb(getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor);
  const [r, g, b, a = 1] = rgb(getComputedStyle(cell).backgroundColor);
  const band = [r, g, b].map((v, i) => v * a + page[i] * (1 - a));
  const lum = (c) => {
    const [R, G, B] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const text = rgb(getComputedStyle(cell).color);
  const [hi, lo] = [lum(band), lum(text)].sort((x, y) => y - x);
  return { band: lum(band), page: lum(page.slice(0, 3)), contrast: (hi + 0.05) / (lo + 0.05) };
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_compare_bands_calm_and_readable_in_both_themes(browser: Browser, app_url: str, scheme: Any) -> None:
    """Issue 19: in the dark theme the 'differs' rows were solid peach beside black rows. The band is now a
    tint of the theme's own background: close to it in brightness, its text 4.5:1 or more."""
    context = new_context(browser, app_url, color_scheme=scheme)
    try:
        page = context.new_page()
        open_page(page, "compare", SHOWCASE_QUERY)
        found = page.evaluate(BAND_JS)
        record_figure(f"compare band {scheme}", f"text contrast {found['contrast']:.1f}:1")
        assert found["contrast"] >= 4.5, found
        assert abs(found["band"] - found["page"]) < 0.2, f"the band glares against the page: {found}"
    finally:
        context.close()


# --- The ESR reading: near the top on a phone, never an empty box on a cold load -------------------------

WATCH_ESR_JS = """
(() => {
  window.__esrGaps = 0;
  const look = () => {
    const panel = document.querySelector('.st-key-esr_panel');
    // The reading is drawn in one element with the panel's heading (ui/explorer.py esr_panel).
    if (panel && panel.innerText.includes('ESR:') && !/ESR, \\w+ aged [\\d.]+\\s+[\\d.]+ mm\\/h/.test(panel.innerText)) {
      window.__esrGaps++;
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""


def test_esr_reading_in_the_first_screen_of_a_phone_and_never_an_empty_box(browser: Browser, app_url: str) -> None:
    """A first visit (cold cache) on a phone: the ESR reading with its numbers is in the first screen, and in
    no frame does the ESR panel show without its reading (st.metric's code arrived ~1.5 s later, issue 19)."""
    context = new_context(browser, app_url, viewport=PHONE, mobile=True)
    context.add_init_script(WATCH_ESR_JS)
    try:
        page = context.new_page()
        open_page(page, "explorer", START.replace("esr=20", "esr=41"))
        expected = assessment_from_url(page)
        words = f"ESR 41 mm/h, limit {expected.esr_upper_limit:g} mm/h"
        line = page.get_by_text(words, exact=False).first
        box = line.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        assert page.evaluate("window.__esrGaps") == 0
        record_figure("phone 390: ESR reading", f"at {box['y']:.0f} px (the ESR panel was 3.4 screens down)")
    finally:
        context.close()
