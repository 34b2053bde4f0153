"""Presenter mode in a lecture hall (issue 20): at 1280 x 720 every slide of every teaching case fits the screen
without scrolling; only the control bar and the slide show; slide text is 24 px or larger and figure labels
20 px or larger; the arrow keys, Page Up/Down (a clicker) and the space bar step the slides; the URL holds the
case and the slide.

Screenshots: test-artifacts/screenshots/presenter-<n>-<slide>.png (what the projector shows, viewport only).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_support import (
    click_and_wait,
    new_context,
    open_page,
    query_params,
    record_figure,
    runs_done,
    screenshot,
    wait_for_app,
)
from playwright.sync_api import Browser, Page

from b12logic.teaching_cases import TEACHING_CASES
from ui.presenter import SLIDES

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
SLIDE = ".st-key-presenter_slide"
BAR = ".st-key-presenter_bar"
MIN_TEXT_PX = 24.0
MIN_FIGURE_PX = 20.0
# The case the screenshots show: the longest decision path (7 boxes) and a long story.
SHOWN_CASE = "neuro_functional"

# What one slide measures: every visible text's font size on the slide (outside figures) and in the bar, every
# figure text's size, how far the slide reaches down, and whether anything scrolls.
MEASURE_JS = """
([slideSel, barSel]) => {
  const slide = document.querySelector(slideSel);
  const texts = [];
  for (const root of [slide, document.querySelector(barSel)]) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || el.closest('[data-testid="stPlotlyChart"], [data-testid="stIconMaterial"], svg, [data-testid="stTooltipHoverTarget"] ~ *, kbd')) continue;
      if (!el.getBoundingClientRect().width || el.closest('[aria-hidden="true"]')) continue;
      texts.push([parseFloat(getComputedStyle(el).fontSize), node.textContent.trim().slice(0, 40)]);
    }
  }
  const figureTexts = [...slide.querySelectorAll('.main-svg text')]
    .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width)
    .map((t) => [parseFloat(getComputedStyle(t).fontSize), t.textContent.trim().slice(0, 30)]);
  const main = document.querySelector('[data-testid="stMain"]');
  const visible = (sel) => [...document.querySelectorAll(sel)].some((el) => el.getBoundingClientRect().height > 0);
  return {
    texts, figureTexts,
    slideBottom: slide.getBoundingClientRect().bottom,
    slideHeight: slide.getBoundingClientRect().height,
    slideTop: slide.getBoundingClientRect().top,
    pageScrolls: document.documentElement.scrollHeight > innerHeight + 1 || (main && main.scrollHeight > main.clientHeight + 1),
    sideScrolls: document.documentElement.scrollWidth > innerWidth,
    screen: innerHeight,
    chrome: { sidebar: visible('[data-testid="stSidebar"]'), header: visible('header[data-testid="stHeader"]'),
              disclaimer: visible('.st-key-disclaimer'), picker: visible('.st-key-teaching_case'),
              toggle: visible('.st-key-teaching_presenter') },
  };
}
"""


@pytest.fixture
def projector(browser: Browser, app_url: str) -> Iterator[Page]:
    context = new_context(browser, app_url, viewport=PROJECTOR)  # type: ignore[arg-type]
    page = context.new_page()
    yield page
    context.close()


def _slide_number(page: Page) -> int:
    return int(page.locator(BAR).get_by_text(" / ").first.inner_text().split(" / ")[0].strip("* "))


def _measure(page: Page, where: str) -> dict[str, object]:
    if page.locator(f"{SLIDE} [data-testid='stPlotlyChart']").count():
        page.locator(f"{SLIDE} .main-svg").first.wait_for()
    found: dict[str, object] = page.evaluate(MEASURE_JS, [SLIDE, BAR])
    small = [(s, t) for s, t in found["texts"] if s < MIN_TEXT_PX]  # type: ignore[union-attr]
    assert not small, f"{where}: text under {MIN_TEXT_PX:g} px: {small[:5]}"
    small_fig = [(s, t) for s, t in found["figureTexts"] if s < MIN_FIGURE_PX]  # type: ignore[union-attr]
    assert not small_fig, f"{where}: figure labels under {MIN_FIGURE_PX:g} px: {small_fig[:5]}"
    assert not found["pageScrolls"], f"{where}: the page scrolls: {found}"
    assert not found["sideScrolls"], f"{where}: the page scrolls sideways"
    assert float(found["slideBottom"]) <= float(found["screen"]), f"{where}: slide runs off the screen: {found}"  # type: ignore[arg-type]
    assert not any(found["chrome"].values()), f"{where}: more than the bar and the slide show: {found['chrome']}"  # type: ignore[union-attr]
    return found


def test_every_slide_fits_a_projector_with_large_text(projector: Page) -> None:
    page = projector
    smallest_text, smallest_figure, tallest, lowest = float("inf"), float("inf"), 0.0, 0.0
    for case_id in TEACHING_CASES:
        open_page(page, "teaching", f"teaching_case={case_id}&present=yes&slide=1")
        for number, name in enumerate(SLIDES):
            page.locator(SLIDE).wait_for()
            assert _slide_number(page) == number + 1
            found = _measure(page, f"{case_id}, slide {number + 1} ({name})")
            smallest_text = min(smallest_text, *(s for s, _ in found["texts"]))  # type: ignore[union-attr]
            figure_sizes = [s for s, _ in found["figureTexts"]]  # type: ignore[union-attr]
            if figure_sizes:
                smallest_figure = min(smallest_figure, *figure_sizes)
            tallest = max(tallest, float(found["slideHeight"]))  # type: ignore[arg-type]
            lowest = max(lowest, float(found["slideBottom"]))  # type: ignore[arg-type]
            if case_id == SHOWN_CASE:
                screenshot(
                    page, f"presenter-{number + 1}-{name.lower().replace(' ', '-').replace(':', '')}", full=False
                )
            if number < len(SLIDES) - 1:
                click_and_wait(page, page.locator(".st-key-presenter_next").get_by_role("button"))
    record_figure("presenter 1280x720: smallest slide text (all cases, all slides)", f"{smallest_text:g} px")
    record_figure("presenter 1280x720: smallest figure label", f"{smallest_figure:g} px")
    record_figure(
        "presenter 1280x720: tallest slide / lowest slide bottom", f"{tallest:.0f} px / {lowest:.0f} of 720 px"
    )


def _press(page: Page, key: str) -> None:
    before = runs_done(page)
    page.keyboard.press(key)
    wait_for_app(page, after=before)


def test_keys_and_a_clicker_step_the_slides_and_the_url_follows(projector: Page) -> None:
    page = projector
    open_page(page, "teaching", "teaching_case=gca_headache&present=yes&slide=1")
    page.locator(SLIDE).wait_for()
    steps = [("ArrowRight", 2), ("PageDown", 3), ("Space", 4), ("PageUp", 3), ("ArrowLeft", 2), ("PageDown", 3)]
    for key, expected in steps:
        _press(page, key)
        assert _slide_number(page) == expected, f"{key}: slide {_slide_number(page)}, expected {expected}"
    # A mouse click on Next leaves the button focused: the space bar then steps once, not twice (the shortcut's
    # handler cancels the key's default, so the focused button is not clicked as well).
    click_and_wait(page, page.locator(".st-key-presenter_next").get_by_role("button"))
    assert _slide_number(page) == 4
    _press(page, "Space")
    _press(page, "ArrowLeft")
    _press(page, "PageUp")
    assert _slide_number(page) == 3
    params = query_params(page)
    assert params["teaching_case"] == ["gca_headache"] and params["slide"] == ["3"] and params["present"] == ["yes"]
    # A student opening the teacher's link lands on the same case and slide.
    student = page.context.new_page()
    open_page(student, "teaching", "teaching_case=gca_headache&present=yes&slide=3")
    student.locator(SLIDE).wait_for()
    assert _slide_number(student) == 3
    assert "Ask the room" in student.locator(SLIDE).inner_text()
    student.close()


def test_a_student_phone_opens_the_teacher_link_without_sideways_scrolling(browser: Browser, app_url: str) -> None:
    """390 x 844, touch: the same slide; the page never scrolls sideways (a slide figure keeps its projector
    width in a frame of its own that scrolls)."""
    context = new_context(browser, app_url, viewport={"width": 390, "height": 844}, mobile=True)
    page = context.new_page()
    try:
        for slide in (3, 5, 6):
            open_page(page, "teaching", f"teaching_case=gca_headache&present=yes&slide={slide}")
            page.locator(SLIDE).wait_for()
            assert _slide_number(page) == slide
            widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            assert widths[0] <= widths[1], f"slide {slide} scrolls sideways on a phone: {widths}"
            screenshot(page, f"presenter-phone-{slide}", full=False)
    finally:
        context.close()
