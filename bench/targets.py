"""The pages benchmarks 4-6 measure: the app's Explorer, and the bare pages it is compared with."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from results import BENCH, ROOT, NotAvailable, Settings

SLIDER_WORD = "B12"  # the slider the app benchmarks move: the first one whose label contains this
# The Explorer's verdict: st.container(key="verdict_panel") (DOM class st-key-verdict_panel). It opens on
# a link with B12 at the 180 pg/mL boundary, so each one-step move crosses it and the verdict changes.
EXPLORER_VERDICT_KEY = "verdict_panel"
EXPLORER_QUERY = "b12=180&b12_unit=pg%2FmL"


@dataclass(frozen=True)
class Target:
    name: str
    script: Path  # what `streamlit run` / AppTest.from_file is given
    page: str | None  # the page file to switch to (st.navigation), or None for a single-page script
    url_path: str  # the page's URL path (and query) under the server root
    verdict_key: str  # the key of the container whose text is the verdict
    keys: tuple[str, str] = ("ArrowRight", "ArrowLeft")  # pressed in turn on the slider

    @property
    def verdict(self) -> str:
        return f".st-key-{self.verdict_key}"


# bench/bare_app.py writes "Verdict: <number>" in st.container(key="verdict"); any move changes it.
# It draws every widget the Explorer run draws, and the app's navigation: the baseline of 4-6.
BARE = Target("bare page", BENCH / "bare_app.py", None, "", "verdict")
# The earlier, smaller floor (eight sidebar widgets, no navigation): a context row in 4 and 5, so a
# reader sees how much of the ratio is the baseline's choice.
MINIMAL = Target("minimal bare page", BENCH / "bare_minimal.py", None, "", "verdict")


def explorer_target(s: Settings) -> Target:
    """The Explorer page of the app, or NotAvailable while the app is not built yet."""
    if s.self_test_app:
        return dataclasses.replace(BARE, name="bare page (as Explorer, self-test)")
    app = ROOT / "app.py"
    if not app.exists() or "st.navigation" not in app.read_text(encoding="utf-8"):
        raise NotAvailable("app.py does not use st.navigation yet (the app is still a placeholder)")
    explorer = ROOT / "pages" / "explorer.py"
    if not explorer.exists():
        raise NotAvailable("no Explorer page yet (pages/explorer.py)")
    page = explorer.relative_to(ROOT).as_posix()
    declared = re.search(rf'"{re.escape(page)}"([^)]*)\)', app.read_text(encoding="utf-8"), re.S)
    options = declared.group(1) if declared else ""
    named = re.search(r'url_path="([^"]+)"', options)
    # The default page lives at the root: Streamlit answers its own url_path with "Page not found".
    url_path = "" if "default=True" in options else (named.group(1) if named else "explorer")
    # The page is thin: its sections are drawn by ui/explorer.py (issue 20 made the page one fragment there).
    drawn_by = [explorer, ROOT / "ui" / "explorer.py"]
    if not any(f'key="{EXPLORER_VERDICT_KEY}"' in f.read_text(encoding="utf-8") for f in drawn_by if f.exists()):
        raise NotAvailable(f'{page} draws no st.container(key="{EXPLORER_VERDICT_KEY}") around its verdict')
    return Target(
        "Explorer", app, page, f"{url_path}?{EXPLORER_QUERY}", EXPLORER_VERDICT_KEY, ("ArrowLeft", "ArrowRight")
    )
