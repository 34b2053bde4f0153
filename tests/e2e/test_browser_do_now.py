"""The Explorer opens with what to do now (issue 18): the Do-now block is the first content of the page, above
the title and the disclaimer, and inside the first screen at 1400 x 1000 and on a 390 x 844 phone.

Expected steps come from the engine on the case in the URL. Screenshots: test-artifacts/screenshots/do-now-*.png.
"""

from __future__ import annotations

import pytest
from e2e_support import PHONE, VIEWPORT, assessment_from_url, new_context, open_page, screenshot
from playwright.sync_api import Browser, ViewportSize

pytestmark = pytest.mark.browser

URGENT = "age=74&sex=female&b12=140&hb=7.2&neuro_symptoms=yes&esr=30"
QUIET = "age=40&sex=male&b12=500&esr=5&hb=14.5"
DO_NOW = ".st-key-do_now"

# The first element of the main area with a size: its top, and whether it is (in) the Do-now block.
FIRST_CONTENT_JS = """
(selector) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector(selector);
  const items = [...main.querySelectorAll('[data-testid="stElementContainer"]')].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  });
  items.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
  const first = items[0];
  const box = block.getBoundingClientRect();
  const title = [...main.querySelectorAll('h1')].find((h) => h.innerText.includes('Explorer'));
  return {
    firstInBlock: !!first && block.contains(first),
    firstText: first ? first.innerText.slice(0, 80) : '',
    top: box.top, bottom: box.bottom,
    titleTop: title ? title.getBoundingClientRect().top : null,
    height: window.innerHeight,
  };
}
"""


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("query", [URGENT, QUIET], ids=["urgent", "quiet"])
def test_do_now_is_the_first_block_and_in_the_first_screen(
    browser: Browser, app_url: str, size: str, query: str
) -> None:
    viewport: ViewportSize = VIEWPORT if size == "desktop" else PHONE
    context = new_context(browser, app_url, viewport=viewport, mobile=size == "phone")
    try:
        page = context.new_page()
        open_page(page, "explorer", query)
        a = assessment_from_url(page)
        block = page.locator(DO_NOW)
        block.wait_for()
        where = page.evaluate(FIRST_CONTENT_JS, DO_NOW)
        assert where["firstInBlock"], f"{size}: the first content is not the Do-now block but {where['firstText']!r}"
        assert where["titleTop"] is not None and where["titleTop"] > where["top"], where
        assert 0 <= where["top"] < 200, where  # at the top of the page
        if size == "desktop":  # the whole block is seen without scrolling
            assert where["bottom"] <= where["height"], where
        text = block.inner_text()
        assert "Do now" in text
        if a.do_now:
            # The most urgent step first, as the engine ranks it, and every step there.
            first_words = a.do_now[0].text.split(":")[0][:40]
            assert text.index(first_words) < text.index(a.do_now[-1].text.split(":")[0][:40]) or len(a.do_now) == 1
            for step in a.do_now:
                assert step.text.split(":")[0][:40] in text
        else:
            assert "nothing urgent" in text
        screenshot(page, f"do-now-{size}-{'urgent' if a.do_now else 'quiet'}", full=False)
    finally:
        context.close()


# Heavy cases for the printed summary: many urgent steps, pitfalls and caveats.
_HEAVY = [
    (
        {
            "age": 74,
            "sex": "female",
            "b12": 140,
            "hb": 7.2,
            "neuro_symptoms": True,
            "esr": 120,
            "on_folic_acid": True,
            "crp": 3,
            "mcv": 125,
            "risk_factors": frozenset({"nitrous_oxide", "metformin"}),
        },
        "source",
    ),
    (
        {
            "age": 31,
            "sex": "female",
            "b12": 170,
            "esr": 62,
            "pregnant": True,
            "active_b12": 40,
            "crp": 12,
            "hb": 6.5,
            "neuro_symptoms": True,
            "homocysteine": 30,
            "mma": 280,
            "renal_impairment": True,
        },
        "nice-ng239",
    ),
]


# The heaviest case under every profile: the guideline's wording differs in length (session 14: BSH 2014's
# duration sentence and the severe anaemia's transfusion step took the source's case to the page's last pixel).
_HEAVY_EVERY_PROFILE = [*_HEAVY, *((_HEAVY[0][0], g) for g in ("nice-ng239", "bsh-2014"))]


@pytest.mark.parametrize(("values", "guideline"), _HEAVY_EVERY_PROFILE)
def test_teaching_summary_prints_on_one_a4_page(browser: Browser, values: dict, guideline: str) -> None:
    import re
    from datetime import datetime

    from b12logic import Case, __version__, evaluate, get_profile
    from b12logic.report import report_html

    a = evaluate(Case(**values), guideline)
    html = report_html(a, get_profile(guideline), __version__, datetime(2026, 1, 1))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(html)
        pdf = page.pdf(format="A4")
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        assert pages == 1, f"{guideline}: the summary prints on {pages} A4 pages"
    finally:
        context.close()
