"""Issue 22, finding 3: every link parameter at and beyond its bounds opens every page.

A shared link once broke the Compare page for the rest of the session (`/compare?lab_b12_low=0.5`: the
link parser accepted values above 0, the page's number input started at 1). Now each parameter's accepted
range is its widget's range, read from one definition in b12logic.fields, and this test opens every page
with every number parameter at its lowest and highest accepted value and just beyond each.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from b12logic.fields import FIELDS, LAB_SETTINGS, NUMBER_FIELDS
from b12logic.urlstate import parse_query

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ("explorer", "treatment", "compare", "batch", "mechanism", "teaching", "references")
NUMBERS = NUMBER_FIELDS


def _bound_links() -> list[tuple[str, dict[str, str]]]:
    """One link per (bound, unit choice): every number parameter at that bound in that unit."""
    links = []
    for unit_choice in (0, 1):
        for bound in ("low", "high", "below", "above"):
            params: dict[str, str] = {}
            for name in NUMBERS:
                spec = FIELDS[name]
                unit = spec.units[min(unit_choice, len(spec.units) - 1)]
                low, high = spec.widget_range(unit)
                value = {"low": low, "high": high, "below": low - 0.001 if low > 0 else -1, "above": high + 1}[bound]
                params[name] = f"{value:g}" if bound != "below" else repr(value)
                if spec.unit_field:
                    params[spec.unit_field] = unit
            for name, setting in LAB_SETTINGS.items():
                value = {"low": setting.low, "high": setting.high, "below": setting.low / 2, "above": setting.high + 1}[
                    bound
                ]
                params[name] = f"{value:g}"
            params["guideline"] = "custom"
            links.append((f"{bound}-{unit_choice}", params))
    return links


LINKS = _bound_links()


@pytest.mark.parametrize("label,params", LINKS, ids=[label for label, _ in LINKS])
def test_parse_query_accepts_exactly_the_widget_range(label: str, params: dict[str, str]) -> None:
    state = parse_query(params)
    bound = label.split("-")[0]
    for name in NUMBERS:
        spec = FIELDS[name]
        unit = state.values.get(f"{name}_unit") or spec.default_unit
        low, high = spec.widget_range(unit)
        accepted = state.values[name] is not None and state.values[name] == float(params[name])
        assert accepted == (bound in ("low", "high")), (name, params[name], state.values[name])
        if state.values[name] is not None:
            assert low <= state.values[name] <= high
    for name, setting in LAB_SETTINGS.items():
        if name in ("lab_b12_low", "lab_b12_upper"):
            continue  # at one bound both are equal or out of order: checked together below
        assert (state.values[name] == float(params[name])) == (bound in ("low", "high")), name
        assert setting.low <= state.values[name] <= setting.high


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("label,params", LINKS, ids=[label for label, _ in LINKS])
def test_every_page_opens_with_every_parameter_at_and_beyond_its_bounds(
    page: str, label: str, params: dict[str, str]
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.run()  # and the session keeps working on the next rerun
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("name", sorted(LAB_SETTINGS))
def test_compare_page_with_each_lab_setting_just_below_its_widget(name: str) -> None:
    """The issue's own links: /compare?lab_b12_low=0.5 and ?lab_mma_upper=0.9."""
    setting = LAB_SETTINGS[name]
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[name] = f"{setting.low * 0.9:g}"
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(name in w.value for w in at.text), "the ignored parameter is named"
