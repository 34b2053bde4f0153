"""AppTest for the Mechanism page: the lit nodes are this case's, the step-through shows one pathway at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from b12logic import Case, evaluate
from b12logic.figures import MECHANISM_STEPS
from b12logic.pathways import PATHWAY_TEACHING

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/mechanism.py"
RICH_CASE = {
    "age": "71",
    "sex": "male",
    "b12": "150",
    "mma": "340",
    "esr": "36",
    "hb": "11",
    "mcv": "104",
    "neuro_symptoms": "yes",
    "on_folic_acid": "yes",
}
RICH_ASSESSMENT = evaluate(
    Case(age=71, sex="male", b12=150, mma=340, esr=36, hb=11, mcv=104, neuro_symptoms=True, on_folic_acid=True)
)


def open_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def figure(at: AppTest) -> dict[str, Any]:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("mechanism_figure"))
    return json.loads(chart.proto.spec)


def lit_in_figure(at: AppTest) -> set[str]:
    return {i for t in figure(at)["data"] if t.get("meta", {}).get("state") == "lit" for i in t["meta"]["ids"]}


def headings(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def test_default_case_runs_with_title_control_and_all_pathways() -> None:
    at = open_page()
    assert [t.value for t in at.title] == ["Mechanism"]
    control = at.button_group(key="mechanism_step")
    assert control.label == "Show pathway"
    assert control.value == "all"
    assert figure(at)["layout"]["title"]["text"] == "How B12 deficiency and a raised ESR arise"
    for name in MECHANISM_STEPS.values():
        assert name in headings(at)


def test_lit_nodes_are_this_cases_and_explained_with_numbers() -> None:
    at = open_page(RICH_CASE)
    a = RICH_ASSESSMENT
    assert lit_in_figure(at) == set(a.mechanism_lit)
    assert {"m_mma", "m_mcv", "m_anaemia", "m_esr", "m_folic"} <= a.mechanism_lit
    text = "\n".join(m.value for m in at.markdown)
    for expected in (
        "**MMA accumulates**: lit because MMA 340 nmol/L \\> 271",
        "**Macrocytosis (MCV \\> 100 fL)**: lit because MCV 104 fL \\> 100",
        "**Anaemia (low Hb)**: lit because Hb 11 g/dL \\< 13",
        "**ESR raised**: lit because ESR 36 mm/h \\> 35.5",
        "**Folic acid given**: lit because this case is taking folic acid",
    ):
        assert expected in text, expected
    # Homocysteine is not measured: the page says why its box cannot light.
    assert any("Not measured" in c.value and "homocysteine" in c.value for c in at.caption)


def test_nothing_lit_for_a_normal_case() -> None:
    at = open_page({"age": "40", "sex": "female", "b12": "500", "esr": "10"})
    assert lit_in_figure(at) == set()
    assert any("Nothing is lit" in m.value for m in at.markdown)


def test_lighting_follows_the_sliders() -> None:
    at = open_page({"age": "40", "sex": "female", "b12": "500", "esr": "10"})
    assert "m_esr" not in lit_in_figure(at)
    at.sidebar.slider(key="in_esr").set_value(60.0).run()
    assert "m_esr" in lit_in_figure(at)
    at.sidebar.slider(key="in_b12").set_value(150.0).run()
    assert {"m_b12", "m_esr"} <= lit_in_figure(at)


@pytest.mark.parametrize("step", MECHANISM_STEPS)
def test_step_through_shows_one_pathway(step: str) -> None:
    at = open_page(RICH_CASE)
    at.button_group(key="mechanism_step").set_value(step).run()
    assert not at.exception
    spec = figure(at)
    assert MECHANISM_STEPS[step] in spec["layout"]["title"]["text"]
    faded = [a for a in spec["layout"]["annotations"] if a.get("name", "").startswith("node:") and a["opacity"] < 1]
    assert faded, "other pathways are faded"
    # Only the chosen pathway's teaching text is shown, each statement with its citation.
    shown = [h for h in headings(at) if h in MECHANISM_STEPS.values()]
    assert shown == [MECHANISM_STEPS[step]]
    text = "\n".join(m.value for m in at.markdown)
    for statement in PATHWAY_TEACHING[step]:
        assert statement.citations[0] in text
    # The lit nodes do not depend on the step.
    assert lit_in_figure(at) == set(RICH_ASSESSMENT.mechanism_lit)


def test_step_choice_survives_a_slider_move_and_back_to_all() -> None:
    at = open_page(RICH_CASE)
    at.button_group(key="mechanism_step").set_value("inflammation").run()
    at.sidebar.slider(key="in_esr").set_value(80.0).run()
    assert at.button_group(key="mechanism_step").value == "inflammation"
    assert "Inflammation" in figure(at)["layout"]["title"]["text"]
    at.button_group(key="mechanism_step").set_value("all").run()
    assert figure(at)["layout"]["title"]["text"] == "How B12 deficiency and a raised ESR arise"


def test_figure_has_an_accessible_description() -> None:
    at = open_page(RICH_CASE)
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("mechanism_figure"))
    assert "weak dashed confounding link" in chart.proto.alt
    assert "MMA accumulates" in chart.proto.alt


def test_a_raised_mcv_is_shown_with_its_other_causes() -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in {"age": "58", "sex": "male", "b12": "400", "esr": "10", "mcv": "108"}.items():
        at.query_params[key] = value
    at.switch_page("pages/mechanism.py").run()
    assert not at.exception
    (info,) = [i.value for i in at.info if "megaloblastic" in i.value]
    assert "alcohol" in info and "Savage 2000" in info
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in {"age": "58", "sex": "male", "b12": "400", "esr": "10", "mcv": "90"}.items():
        at.query_params[key] = value
    at.switch_page("pages/mechanism.py").run()
    assert not [i for i in at.info if "megaloblastic" in i.value]
