"""AppTest for the case inputs a student can trust (issue 19): exact values typed beside the sliders, undo of
the last change, reset to the case of the link the page was opened with, a copy-link button on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import NumberInput

from b12logic import Case, evaluate
from b12logic.fields import FIELDS
from tests.test_app import headings
from ui.state import KEYS, TYPED_KEYS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
LINK = {"age": "74", "sex": "male", "b12": "410", "esr": "52", "mma": "280"}


def run_app(params: dict[str, Any] | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def typed(at: AppTest, name: str) -> NumberInput:
    return at.sidebar.number_input(key=TYPED_KEYS[name])


def status_heading(at: AppTest) -> str:
    (line,) = [h for h in headings(at) if h.startswith("B12 status: ")]
    return line


def test_each_typed_box_mirrors_its_slider() -> None:
    at = run_app(LINK)
    for name in ("b12", "mma", "esr"):
        assert typed(at, name).value == at.sidebar.slider(key=KEYS[name]).value
    at.sidebar.slider(key=KEYS["b12"]).set_value(600.0).run()
    assert typed(at, "b12").value == 600.0  # the box follows the slider


def test_typing_an_exact_b12_and_esr_sets_the_case_and_the_verdict() -> None:
    """B12 182: one pg/mL above the low cut-off, too fine to hit with a phone's slider."""
    at = run_app({"age": "68", "sex": "female", "b12": "250", "esr": "20"})
    typed(at, "b12").set_value(182.0).run()
    typed(at, "esr").set_value(41.0).run()
    assert not at.exception
    assert at.sidebar.slider(key=KEYS["b12"]).value == 182.0
    assert at.sidebar.slider(key=KEYS["esr"]).value == 41.0
    assert at.query_params["b12"] == "182" and at.query_params["esr"] == "41"
    expected = evaluate(Case(age=68, sex="female", b12=182, esr=41))
    assert status_heading(at) == f"B12 status: {expected.status_label}"
    assert any(expected.esr_flag_label in h for h in headings(at))


def test_a_typed_value_outside_the_slider_range_widens_the_slider() -> None:
    at = run_app()
    high = FIELDS["b12"].slider["pg/mL"].high
    typed(at, "b12").set_value(high + 500).run()
    slider = at.sidebar.slider(key=KEYS["b12"])
    assert slider.value == high + 500 and slider.max >= high + 500


def test_the_typed_box_accepts_exactly_the_valid_range() -> None:
    at = run_app()
    box = typed(at, "esr")
    low, high = FIELDS["esr"].limits["mm/h"].low, FIELDS["esr"].limits["mm/h"].high
    assert (box.min, box.max) == (low, high)
    assert typed(at, "b12").max == FIELDS["b12"].limits["pg/mL"].high


def test_undo_puts_back_the_case_before_the_last_change() -> None:
    at = run_app(LINK)
    undo = at.sidebar.button(key="undo_case")
    assert undo.disabled  # nothing to undo yet
    typed(at, "b12").set_value(182.0).run()
    at.sidebar.slider(key=KEYS["esr"]).set_value(41.0).run()
    at.sidebar.button(key="undo_case").click().run()
    assert at.sidebar.slider(key=KEYS["esr"]).value == 52.0 and at.sidebar.slider(key=KEYS["b12"]).value == 182.0
    assert typed(at, "esr").value == 52.0
    at.sidebar.button(key="undo_case").click().run()
    assert at.sidebar.slider(key=KEYS["b12"]).value == 410.0
    assert at.query_params["b12"] == "410"
    assert at.sidebar.button(key="undo_case").disabled  # back at the link's case: nothing more to undo


def test_undo_brings_back_an_unmeasured_mma_and_a_unit_switch() -> None:
    at = run_app(LINK)
    at.sidebar.toggle(key="in_mma_measured").set_value(False).run()
    at.sidebar.radio(key=KEYS["b12_unit"]).set_value("pmol/L").run()
    assert at.sidebar.slider(key=KEYS["b12"]).value == round(410 * 0.738)
    at.sidebar.button(key="undo_case").click().run()
    assert at.sidebar.radio(key=KEYS["b12_unit"]).value == "pg/mL"
    assert at.sidebar.slider(key=KEYS["b12"]).value == 410.0
    at.sidebar.button(key="undo_case").click().run()
    assert at.sidebar.toggle(key="in_mma_measured").value
    assert at.sidebar.slider(key=KEYS["mma"]).value == 280.0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=20, max_value=1500), min_size=1, max_size=4))
def test_undoing_every_change_returns_to_the_link(b12_values: list[int]) -> None:
    at = run_app(LINK)
    changes = 0
    for value in b12_values:
        before = at.sidebar.slider(key=KEYS["b12"]).value
        at.sidebar.slider(key=KEYS["b12"]).set_value(float(value)).run()
        changes += value != before
    for _ in range(changes):
        at.sidebar.button(key="undo_case").click().run()
    assert at.sidebar.slider(key=KEYS["b12"]).value == 410.0


def test_reset_goes_back_to_the_links_case_not_a_default_one() -> None:
    at = run_app(LINK)
    reset = at.sidebar.button(key="reset_case")
    assert reset.label == "Reset to this link's case"
    at.sidebar.slider(key=KEYS["b12"]).set_value(150.0).run()
    at.sidebar.radio(key=KEYS["sex"]).set_value("female").run()
    at.sidebar.toggle(key="in_mma_measured").set_value(False).run()
    at.sidebar.button(key="reset_case").click().run()
    values = {name: at.sidebar.slider(key=KEYS[name]).value for name in ("age", "b12", "esr", "mma")}
    assert values == {"age": 74.0, "b12": 410.0, "esr": 52.0, "mma": 280.0}
    assert at.sidebar.radio(key=KEYS["sex"]).value == "male"
    assert at.query_params["b12"] == "410"


def test_without_a_case_in_the_link_reset_says_it_goes_to_the_default_case() -> None:
    at = run_app()
    assert at.sidebar.button(key="reset_case").label == "Reset to the default case"


@pytest.mark.parametrize("page", ["pages/explorer.py", "pages/treatment.py", "pages/compare.py", "pages/mechanism.py"])
def test_copy_link_and_undo_on_every_page(page: str) -> None:
    at = run_app(LINK, page)
    assert not at.exception
    assert at.sidebar.button(key="undo_case").label == "Undo"
    # The copy-link button is a browser component (AppTest cannot click it; tests/e2e do): it is on the page.
    assert components(at.sidebar) == ["b12_copy_link"]


def components(node: Any) -> list[str]:
    """Names of the st.components.v2 components under an AppTest node, in order."""
    names = []
    for child in getattr(node, "children", {}).values():
        if child.type == "bidi_component":
            names.append(child.proto.component_name)
        names += components(child)
    return names


def test_the_default_profile_is_explained_where_it_is_chosen() -> None:
    at = run_app()
    assert at.sidebar.selectbox(key=KEYS["guideline"]).value == "source"
    assert any(c.value.startswith("**Source answer**: the worked answer") for c in at.sidebar.caption)
