"""Presenter mode on a projector (issue 13): at 1280 x 720, every slide's text is 24 px or larger, the
flowchart and mechanism figures fill the slide's width, and nothing needs scrolling sideways.

Screenshots: test-artifacts/screenshots/presenter-<step>.png (what the projector shows, viewport only).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_support import (
    SHOWCASE_QUERY,
    click_and_wait,
    new_context,
    open_page,
    record_figure,
    screenshot,
)
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
SLIDE = ".st-key-presenter_slide"
MIN_BODY_PX = 24.0
STEPS = ("Story", "Labs", "Decision path", "Mechanism", "Answer")  # pages/teaching.py STEPS

# Font size of every piece of visible text on the slide (outside figures) and the navigation, the figures'
# widths against the slide's, and how wide the page is against the screen.
SLIDE_JS = """
(selector) => {
  const slide = document.querySelector(selector);
  const sizes = [];
  const roots = [slide, ...document.querySelectorAll('.st-key-presenter_back, .st-key-presenter_next, [data-testid="stProgress"]')];
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || el.closest('[data-testid="stPlotlyChart"], [data-testid="stElementToolbar"], [data-testid="stIconMaterial"], svg')) continue;
      if (!el.getBoundingClientRect().width) continue;
      sizes.push([parseFloat(getComputedStyle(el).fontSize), node.textContent.trim().slice(0, 40)]);
    }
  }
  const slideWidth = slide.getBoundingClientRect().width;
  const figures = [...slide.querySelectorAll('[data-testid="stPlotlyChart"]')].map((f) => f.getBoundingClientRect().width);
  return { sizes, slideWidth, figures, pageWidth: document.documentElement.scrollWidth,
           mainWidth: document.querySelector('[data-testid="stMain"]').scrollWidth, screen: innerWidth,
           sidebarShown: document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect().width > 0 };
}
"""


@pytest.fixture
def projector_page(browser: Browser, app_url: str) -> Iterator[Page]:
    context = new_context(browser, app_url, viewport=PROJECTOR)  # type: ignore[arg-type]
    page = context.new_page()
    yield page
    context.close()


def test_presenter_mode_readable_on_a_projector(projector_page: Page) -> None:
    page = projector_page
    open_page(page, "teaching", SHOWCASE_QUERY)
    click_and_wait(page, page.locator(".st-key-teaching_presenter").get_by_text("Presenter mode"))
    smallest_seen = float("inf")
    for number, step in enumerate(STEPS):
        page.locator(SLIDE).wait_for()
        if step in ("Decision path", "Mechanism"):
            page.locator(f"{SLIDE} .main-svg").first.wait_for()
        found = page.evaluate(SLIDE_JS, SLIDE)
        small = [(size, text) for size, text in found["sizes"] if size < MIN_BODY_PX]
        assert not small, f"{step}: text under {MIN_BODY_PX:g} px: {small[:5]}"
        smallest_seen = min(smallest_seen, *(size for size, _ in found["sizes"]))
        assert not found["sidebarShown"], f"{step}: the sidebar takes room from the slide"
        assert max(found["pageWidth"], found["mainWidth"]) <= found["screen"], f"{step} scrolls sideways: {found}"
        if step in ("Decision path", "Mechanism"):
            assert found["figures"], f"{step}: no figure on the slide"
            assert min(found["figures"]) >= 0.95 * (found["slideWidth"] - 40), f"{step}: figure narrower than the slide"
            record_figure(
                f"presenter 1280x720: {step} figure width",
                f"{min(found['figures']):.0f} px of a {found['slideWidth']:.0f} px slide",
            )
        screenshot(page, f"presenter-{number + 1}-{step.lower().replace(' ', '-')}", full=False)
        if number < len(STEPS) - 1:
            click_and_wait(page, page.locator(".st-key-presenter_next").get_by_role("button"))
    record_figure("presenter 1280x720: smallest slide text", f"{smallest_seen:g} px")
