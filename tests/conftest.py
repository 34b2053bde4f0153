"""Fixtures shared by every test.

`apptest_like_server` (autouse): Streamlit 1.67's AppTest would run `pages/x.py` without app.py from
its second run on, because it resets `PagesManager.uses_pages_directory` before every run
(streamlit/testing/v1/app_test.py:665-667) and a new PagesManager detects the `pages/` folder again
(streamlit/runtime/pages_manager.py:60-63). The server keeps the flag False once app.py has called
st.navigation (streamlit/commands/navigation.py:399). The fixture makes AppTest do the same; the app's
code is not changed for it. Details: tests/apptest_like_server.py; the test that fails without it:
tests/test_apptest_like_server.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.apptest_like_server import pages_like_server


@pytest.fixture(autouse=True, scope="session")
def apptest_like_server() -> Iterator[None]:
    """Every AppTest run in this session runs app.py first, then the page, as `streamlit run` does."""
    with pages_like_server():
        yield
