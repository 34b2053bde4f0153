"""Streamlit's old automatic pages mode, which a `pages/` folder turns on: leave it on a fresh server's first runs.

The folder beside app.py is named `pages/` (the design card's layout), and Streamlit 1.67 still reads that as
its old multipage mode until st.navigation has run once in the process (file:line in
.venv/lib/python3.11/site-packages/streamlit/):
- runtime/pages_manager.py:60-63: the first PagesManager of the process sets the class-wide
  `PagesManager.uses_pages_directory` to "a `pages/` folder exists";
- runtime/scriptrunner/script_runner.py:933-934: while it is True, a run goes through `_mpa_v1`
  (script_runner.py:144-181), which runs a linked page (say /treatment) on its own: navigation made from the
  file names ("app", "batch", ...), no app.py, so no disclaimer and no link warnings;
- commands/navigation.py:399: st.navigation, called by app.py, sets the flag to False for the whole process.
So on a freshly started server (every deploy and restart), every shared link to a page other than the Explorer
showed the old mode until someone opened the root URL. `leave_old_pages_mode()` does what st.navigation does,
then reruns the same page and query through app.py. (AppTest resets the flag before every run: that is the
tests' business, tests/apptest_like_server.py.)
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def leave_old_pages_mode() -> None:
    """If Streamlit is running a page in its old pages-folder mode, switch the mode off and rerun through app.py.

    The rerun keeps the page (its hash is its URL path in both modes) and the link's query. After it the flag
    stays False for the process, so this reruns at most the first run of the first sessions of a server.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
