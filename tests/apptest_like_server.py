"""Make Streamlit's AppTest run the app the way `streamlit run` does: app.py first, then the page.

Why this is needed (Streamlit 1.67, files under .venv/lib/python3.11/site-packages/streamlit/):
- runtime/pages_manager.py:36 keeps a class-wide flag `PagesManager.uses_pages_directory`, and
  runtime/pages_manager.py:60-63 sets it, when it is None, to "is there a `pages/` folder beside the
  main script" (there is: the design card names the folder `pages/`).
- runtime/scriptrunner/script_runner.py:933-934 then runs `_mpa_v1` (script_runner.py:144-181, the old
  automatic pages mode) instead of the main script: a page other than the default one runs on its own,
  without app.py, so without the sidebar, the shared case and the disclaimer.
- commands/navigation.py:399: `st.navigation`, which app.py calls on every run, sets the flag to False.
  In the server the flag is class-wide and nothing sets it back, so after app.py's first run it stays
  False (ui/pages_mode.py handles the runs before that on a fresh server).
- testing/v1/app_test.py:665-667: AppTest sets the flag back to None before *every* run and builds a new
  PagesManager, which detects the folder again: from the second run on, `switch_page("pages/x.py")` runs
  the page without app.py.

`pages_like_server()` wraps PagesManager.__init__: after its own init, the flag is set back to False, as
st.navigation leaves it in the server. It changes nothing in the app; it undoes AppTest's reset only.
tests/conftest.py applies it to every test; bench/ applies it around its AppTest runs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from streamlit.runtime.pages_manager import PagesManager


@contextmanager
def pages_like_server() -> Iterator[None]:
    """Within the block, every new PagesManager leaves `uses_pages_directory` False (as the server does)."""
    original = PagesManager.__init__

    @functools.wraps(original)
    def init_then_navigation_mode(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init_then_navigation_mode  # type: ignore[method-assign]
    try:
        yield
    finally:
        PagesManager.__init__ = original  # type: ignore[method-assign]
