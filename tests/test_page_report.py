"""AppTest: the Explorer's "Download a teaching summary" section (the report's content is tested in test_report.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.explorer import REPORT_KEY

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_explorer_offers_html_and_markdown_reports() -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["age"] = "74"
    at.query_params["sex"] = "female"
    at.query_params["b12"] = "140"
    at.query_params["esr"] = "48"
    at.run()
    at.switch_page("pages/explorer.py").run()
    assert not at.exception
    # Closed, the section is its expander alone: the buttons are not drawn on every slider move.
    assert "Download a teaching summary" in [e.label for e in at.expander]
    assert not at.get("download_button")
    at.session_state[REPORT_KEY] = True  # opened, as a tap does
    at.run()
    assert not at.exception
    buttons = {b.label: b for b in at.get("download_button")}
    html_button = buttons["Download the teaching summary (HTML, prints on one page)"]
    md_button = buttons["Download the teaching summary (Markdown)"]
    for button in (html_button, md_button):
        assert button.proto.ignore_rerun  # downloading does not rerun the page
        assert button.proto.deferred_file_id  # built when clicked, not on every slider move
        assert not button.proto.disabled
    # The content of the files is tested in test_report.py; the real download in the browser tests.
