"""tests/conftest.py's AppTest fixture: every page runs after app.py, as in the server (see apptest_like_server.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
# The class room has no shared case inputs (a light page for students' phones): it is checked on its own.
CASE_PAGES = [p for p in PAGES if p != "pages/class.py"]
DISCLAIMER = "**Educational only, not a prescription.**"  # app.py's caption: shown only when app.py ran


def _entry_script_ran(at: AppTest) -> bool:
    return any(c.value.startswith(DISCLAIMER) for c in at.caption)


def test_the_pages_folder_is_the_one_streamlit_detects() -> None:
    # The reason for the fixture: a `pages/` folder beside the entry script (the design card's layout).
    assert (ROOT / "pages").is_dir() and len(PAGES) == 8


@pytest.mark.parametrize("page", CASE_PAGES)
def test_every_page_runs_after_app_py_on_every_run(page: str) -> None:
    # Fails without the fixture: from the second run on, AppTest runs the page alone (no disclaimer,
    # no sidebar) and the page reads the case of the previous run, so the slider move is not seen.
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"age": "70", "sex": "female", "b12": "400", "esr": "30"})
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    assert _entry_script_ran(at), page
    at.sidebar.slider(key="in_b12").set_value(150.0).run()
    assert not at.exception
    assert _entry_script_ran(at), page
    assert at.session_state["_current"].values["b12"] == 150.0
    assert at.query_params["b12"] == "150"


def test_without_the_fixture_apptest_skips_app_py(monkeypatch: pytest.MonkeyPatch) -> None:
    # Streamlit 1.67's behaviour that the fixture undoes. If this fails after a Streamlit upgrade, AppTest
    # keeps the flag itself and the fixture (tests/conftest.py) can go.
    init = PagesManager.__init__
    monkeypatch.setattr(PagesManager, "__init__", getattr(init, "__wrapped__", init))  # Streamlit's own
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert _entry_script_ran(at)  # the default page: app.py is the old mode's main page
    at.switch_page("pages/treatment.py").run()
    assert not _entry_script_ran(at)
    assert not at.sidebar.slider


def test_the_class_room_runs_after_app_py_without_the_shared_case() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/class.py").run()
    assert not at.exception
    assert _entry_script_ran(at)
    assert at.title[0].value == "Class room"
    assert not at.sidebar.slider
    at.text_input[0].set_value("abc").run()  # a second run: still app.py first, then the page
    assert _entry_script_ran(at) and at.title[0].value == "Class room"
