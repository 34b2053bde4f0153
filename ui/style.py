"""The app's own CSS (ui/style.css): phone, projector and theme adjustments that Streamlit has no option for.

The file holds only CSS written here, never user input (tests/test_security.py checks both). st.html with a
.css Path wraps it in <style> and, as it holds nothing but style, sends it to the page without taking up
space in the layout (docstring of st.html, streamlit/elements/html.py:89-93 in Streamlit 1.67).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

CSS_PATH = Path(__file__).with_name("style.css")


def inject() -> None:
    """Put the app's CSS on the page (each run: Streamlit drops elements a run does not draw)."""
    st.html(CSS_PATH)
