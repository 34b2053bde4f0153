"""A short soak (about 20 s) of mixed use through AppTest: no error, no large memory growth.

The full 10-minute run is `.venv/bin/python bench/soak.py`; its figures are in bench/RESULTS.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ui.state import MORE_LABS_KEY

ROOT = Path(__file__).resolve().parents[1]


def _load_soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_soak", ROOT / "bench" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_soak"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


soak_module = _load_soak()


@pytest.mark.slow
def test_short_soak_no_errors_and_flat_memory() -> None:
    result = soak_module.soak(20, seed=3, sample_every=1.0, actions_per_user=20)
    assert result.errors == []
    assert result.sessions >= 1 and result.runs >= 20
    assert len(result.rss) >= 6
    first, last = result.thirds()
    # Generous: allocator noise and caches settle, a leak of a page per run (MBs per second) would not.
    assert last - first < max(60.0, 0.3 * first), result.summary()


def test_hidden_widgets_keep_their_values_found_by_the_soak() -> None:
    # The soak's first find: after a run that did not draw the lab cut-offs (or the MMA slider),
    # Streamlit dropped their values; the next run failed reading them, or showed cut-off 1.0.
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["guideline"] = "custom"
    at.query_params["lab_b12_low"] = "200"
    at.run()
    at.sidebar.button(key="reset_case").click().run()
    at.sidebar.toggle(key="in_neuro").set_value(True).run()
    at.session_state[MORE_LABS_KEY] = True  # "More labs and context" open: its inputs are drawn only then
    at.run()
    at.sidebar.radio(key="in_hb_unit").set_value("g/L").run()
    assert not at.exception
    at.sidebar.selectbox(key="in_guideline").set_value("custom").run()
    # Reset goes back to the link's case (its cut-off 200), not to the minimum.
    assert at.sidebar.number_input(key="in_lab_b12_low").value == 200.0
    at.sidebar.toggle(key="in_mma_measured").set_value(True).run()
    at.sidebar.slider(key="in_mma").set_value(500).run()
    at.sidebar.toggle(key="in_mma_measured").set_value(False).run()
    at.sidebar.slider(key="in_age").set_value(52).run()
    at.sidebar.toggle(key="in_mma_measured").set_value(True).run()
    assert not at.exception
    assert at.sidebar.slider(key="in_mma").value == 500.0


def test_append_entry_adds_to_the_soak_section_only(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## 1. evaluate\n\nfigures\n", encoding="utf-8")
    soak_module.append_entry("### run one\n\n| a | b |\n", path)
    first = path.read_text(encoding="utf-8")
    assert first.startswith("# Benchmark results\n\n## 1. evaluate\n\nfigures\n\n## Soak\n")
    assert first.endswith("### run one\n\n| a | b |\n")
    # Someone adds a section after ours; the next soak entry goes into ours, theirs is untouched.
    path.write_text(first + "\n## 7. Later section\n\ntheirs\n", encoding="utf-8")
    soak_module.append_entry("### run two\n", path)
    text = path.read_text(encoding="utf-8")
    assert text.index("### run one") < text.index("### run two") < text.index("## 7. Later section")
    assert text.endswith("## 7. Later section\n\ntheirs\n")
    assert text.count("## Soak") == 1


def test_append_entry_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    soak_module.append_entry("### run\n", path)
    assert path.read_text(encoding="utf-8").startswith("## Soak\n")
