"""Regenerate README's screenshots (docs/screenshots/*.png) from the browser tests' own screenshots.

Runs the browser tests that take them (each page on a desktop, the phone with its inputs open, presenter mode),
then keeps the top of each picture and shrinks it to a small palette PNG for the repository:

    .venv/bin/python scripts/readme_screenshots.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
TESTS = [
    "tests/e2e/test_browser_pages.py::test_page_opens_without_error",
    "tests/e2e/test_browser_phone.py::test_verdict_in_view_beside_open_inputs",
    "tests/e2e/test_browser_explorer.py::test_accessibility_no_serious_violations",
    "tests/e2e/test_browser_presenter.py",
    "tests/e2e/test_browser_trust.py::test_done_when_a_student_on_a_phone",
    "tests/e2e/test_browser_trust.py::test_diagrams_whole_and_legible_on_a_phone",
]
# README name -> (test screenshot, height kept from the top in CSS px or a (top, bottom) band, width written in px)
PICTURES = {
    "explorer-desktop.png": ("explorer.png", 1000, 900),
    "explorer-phone.png": ("trust-phone-typed.png", 844, 390),
    "flowchart-phone.png": ("trust-phone-decision.png", (2780, 4280), 390),
    "compare.png": ("compare.png", 1300, 900),
    "mechanism.png": ("mechanism.png", 1000, 900),
    "mechanism-dark.png": ("dark-mechanism.png", 1000, 900),
    "presenter.png": ("presenter-5-decision-path.png", 720, 900),
}


def shrink(source: Path, target: Path, keep: int | tuple[int, int], width: int) -> None:
    """Keep the top `keep` px of the picture (or the band `keep` = (top, bottom)), shrunk to `width`."""
    start, stop = keep if isinstance(keep, tuple) else (0, keep)
    with Image.open(source) as picture:
        top = picture.convert("RGB").crop((0, start, picture.width, min(stop, picture.height)))
        if top.width > width:
            top = top.resize((width, round(top.height * width / top.width)), Image.Resampling.LANCZOS)
        top.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def main() -> int:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS], cwd=ROOT)
    if result.returncode != 0:
        print("browser tests failed: screenshots not updated", file=sys.stderr)
        return result.returncode
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, (source, keep_height, width) in PICTURES.items():
        shrink(SHOTS / source, DOCS / name, keep_height, width)
        print(f"{DOCS / name}: {(DOCS / name).stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
