"""ui/pages_mode.py: a page that Streamlit's old pages mode runs without app.py (a fresh server) reruns through app.py.

The browser version, on a freshly started server, is tests/e2e/test_browser_first_visit.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DISCLAIMER = "**Educational only, not a prescription.**"  # app.py's caption


def test_a_first_run_in_the_old_pages_mode_reruns_through_app_py(monkeypatch: pytest.MonkeyPatch) -> None:
    # As a fresh server: Streamlit's own PagesManager (not the tests' fixture) detects pages/ and turns the
    # old mode on, and the session's first run is a link to a page other than the default one.
    init = PagesManager.__init__
    monkeypatch.setattr(PagesManager, "__init__", getattr(init, "__wrapped__", init))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"age": "70", "sex": "female", "b12": "150", "esr": "60"})
    at.switch_page("pages/treatment.py")  # before any run: Streamlit names the page by its file name
    at.run()
    assert not at.exception
    assert PagesManager.uses_pages_directory is False  # as st.navigation leaves it
    assert any(c.value.startswith(DISCLAIMER) for c in at.caption)  # app.py ran
    assert at.title[0].value == "Treatment & monitoring"  # the linked page, not the default one
    assert at.sidebar.slider(key="in_b12").value == 150.0  # the link's case
