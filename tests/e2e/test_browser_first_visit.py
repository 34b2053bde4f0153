"""A shared link as the very first request of a freshly started server shows the app, not Streamlit's old pages mode.

With a `pages/` folder beside app.py, Streamlit 1.67 starts each server process in its old automatic pages mode
and leaves it only once st.navigation has run (ui/pages_mode.py has the source lines). Before ui/pages_mode.py,
a link to /treatment opened on a fresh server ran the page on its own: navigation made of file names ("app",
"batch", ...), and no disclaimer. The session-wide server of the other tests has long left that mode, so this
test starts a server of its own.
"""

from __future__ import annotations

import pytest
from e2e_support import EXCEPTION_BOX, PAGE_TITLES, SHOWCASE_QUERY, new_context, open_page, slider_value, url_path
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser

NAV_SECTIONS = ["Check a case", "Learn", "Reference"]  # app.py's st.navigation sections


@pytest.mark.slow
def test_shared_links_are_the_first_visits_of_a_fresh_server(browser: Browser, fresh_app_url: str) -> None:
    context = new_context(browser, fresh_app_url)
    try:
        for name in ("treatment", "mechanism"):  # the first session of the process, then a second one
            page = context.new_page()
            open_page(page, name, SHOWCASE_QUERY)
            expect(page.locator(EXCEPTION_BOX)).to_have_count(0)
            assert url_path(page) == name
            nav = page.get_by_test_id("stSidebarNav")
            links = [text.split("\n")[-1].strip() for text in nav.get_by_test_id("stSidebarNavLink").all_inner_texts()]
            assert links == list(PAGE_TITLES.values()), links  # st.navigation's pages, not file names
            for section in NAV_SECTIONS:
                expect(nav).to_contain_text(section)
            expect(page.get_by_test_id("stMainBlockContainer")).to_contain_text("Educational only")
            assert slider_value(page, "b12") == 150.0 and slider_value(page, "age") == 70.0  # the link's case
            page.close()
    finally:
        context.close()
