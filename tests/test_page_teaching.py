"""AppTest: the Teaching cases & quiz page through the real app (navigation, sidebar, URL state)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from b12logic.teaching_cases import TEACHING_CASES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/teaching.py"


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def _pick(at: AppTest, case_id: str) -> None:
    at.selectbox(key="teaching_case").set_value(case_id).run()
    assert not at.exception


def _answer(at: AppTest, case_id: str, status: str, step: str, esr_changes: bool) -> None:
    at.radio(key=f"quiz_status_{case_id}").set_value(status)
    at.radio(key=f"quiz_step_{case_id}").set_value(step)
    at.radio(key=f"quiz_esr_{case_id}").set_value(esr_changes)
    _submit(at)


def _submit(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Check my answers").click().run()
    assert not at.exception


def _score(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Your score this session")


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_page_shows_picker_quiz_and_controls() -> None:
    at = _open()
    assert at.title[0].value == "Teaching cases & quiz"
    picker = at.selectbox(key="teaching_case")
    assert picker.label == "Teaching case"
    assert len(picker.options) == len(TEACHING_CASES) >= 12
    assert [r.label for r in at.radio][:3] == [
        "1. What is the B12 status?",
        "2. What is the next step for the B12 plan?",
        "3. Does the ESR change the B12 plan?",
    ]
    assert len(at.radio(key="quiz_status_metformin_fatigue").options) == 6
    assert at.toggle(key="teaching_presenter").label.startswith("Presenter mode")
    assert _score(at) == "0 / 0"


@pytest.mark.parametrize(
    ("case_id", "sliders", "query"),
    [
        ("older_woman_esr", {"in_age": 82, "in_b12": 410, "in_esr": 38}, {"age": "82", "esr": "38", "sex": "female"}),
        ("very_high_esr", {"in_age": 71, "in_b12": 480, "in_esr": 112}, {"age": "71", "sex": "male", "hb": "13.4"}),
    ],
)
def test_load_sets_the_shared_case_and_the_url(case_id: str, sliders: dict[str, float], query: dict[str, str]) -> None:
    at = _open()
    before = dict(at.query_params)
    _pick(at, case_id)
    assert not at.success  # not loaded yet: the sidebar still shows the default case
    at.button(key="teaching_load").click().run()
    assert not at.exception
    for key, value in sliders.items():
        assert at.sidebar.slider(key=key).value == value
    params = {k: v[0] if isinstance(v, list) else v for k, v in dict(at.query_params).items()}
    for name, value in query.items():
        assert params[name] == value
    assert dict(at.query_params) != before
    assert any("This case is loaded" in s.value for s in at.success)


def test_load_sets_units_flags_and_optional_labs() -> None:
    at = _open()
    _pick(at, "renal_mma")
    at.button(key="teaching_load").click().run()
    assert at.sidebar.toggle(key="in_mma_measured").value is True
    assert at.sidebar.slider(key="in_mma").value == 420
    assert at.sidebar.toggle(key="in_renal").value is True
    assert dict(at.query_params)["renal_impairment"] in ("yes", ["yes"])
    _pick(at, "pmol_lab")
    at.button(key="teaching_load").click().run()
    assert at.sidebar.radio(key="in_b12_unit").value == "pmol/L"
    assert at.sidebar.slider(key="in_b12").value == 140
    assert at.sidebar.toggle(key="in_mma_measured").value is False  # the previous case's MMA is gone
    assert at.sidebar.toggle(key="in_renal").value is False


def test_right_answers_score_and_wrong_answers_do_not() -> None:
    at = _open()
    tc = TEACHING_CASES["older_woman_esr"]
    right = tc.answer()
    _pick(at, tc.id)
    _answer(at, tc.id, right.b12_status, right.next_step, right.esr_changes_plan)
    assert _score(at) == "3 / 3"
    assert "You scored 3 of 3" in " ".join(_markdown(at))
    # A second try at the same case does not change the score.
    _answer(at, tc.id, "deficient", "im_neuro", True)
    assert _score(at) == "3 / 3"
    assert "You scored 0 of 3" in " ".join(_markdown(at))

    other = TEACHING_CASES["very_high_esr"]
    _pick(at, other.id)
    _answer(at, other.id, "deficient", "im_neuro", True)  # all wrong
    assert _score(at) == "3 / 6"
    text = " ".join(_markdown(at))
    assert ":material/cancel: Not quite" in text and "Right**" not in text
    assert "No B12 deficiency" in text  # the right answer is revealed
    assert other.teaching_point[:40] in text


def test_incomplete_answers_ask_for_all_three_and_do_not_score() -> None:
    at = _open()
    at.radio(key="quiz_status_metformin_fatigue").set_value("deficient")
    _submit(at)
    assert any("Answer all three" in w.value for w in at.warning)
    assert _score(at) == "0 / 0"


def test_reset_score() -> None:
    at = _open()
    tc = TEACHING_CASES["metformin_fatigue"]
    right = tc.answer()
    _answer(at, tc.id, right.b12_status, right.next_step, False)
    assert _score(at) == "3 / 3"
    at.button(key="quiz_reset").click().run()
    assert _score(at) == "0 / 0"


def test_presenter_mode_steps_forward_and_back() -> None:
    at = _open()
    tc = TEACHING_CASES["folic_acid_masking"]
    _pick(at, tc.id)
    at.toggle(key="teaching_presenter").set_value(True).run()
    assert not at.exception
    assert not any(r.key == f"quiz_status_{tc.id}" for r in at.radio)  # the quiz is hidden
    assert f"# {tc.title}" in _markdown(at)
    assert at.button(key="presenter_back").disabled
    expected = ["# Labs", "# Decision path", "# Mechanism", f"# {tc.answer().assessment.status_label}"]
    for heading in expected:
        at.button(key="presenter_next").click().run()
        assert not at.exception
        assert heading in _markdown(at)
    assert at.button(key="presenter_next").disabled
    assert any("does not change the B12 plan" in m for m in _markdown(at))
    at.button(key="presenter_back").click().run()
    assert "# Mechanism" in _markdown(at)
    # Picking another case starts again at its story.
    _pick(at, "pmol_lab")
    assert f"# {TEACHING_CASES['pmol_lab'].title}" in _markdown(at)


def test_presenter_labs_and_figures() -> None:
    at = _open()
    _pick(at, "neuro_functional")
    at.toggle(key="teaching_presenter").set_value(True).run()
    at.button(key="presenter_next").click().run()
    assert "### Total B12: **380 pg/mL**" in _markdown(at)
    at.button(key="presenter_next").click().run()
    assert len(at.get("plotly_chart")) == 1  # the decision flowchart
    assert any(m.startswith("### 1. ") for m in _markdown(at))
    at.button(key="presenter_next").click().run()
    assert len(at.get("plotly_chart")) == 1  # the mechanism diagram


def test_presenter_degrades_without_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "b12logic.figures", None)  # import now raises ImportError
    at = _open()
    at.toggle(key="teaching_presenter").set_value(True).run()
    at.button(key="presenter_next").click().run()
    at.button(key="presenter_next").click().run()
    assert not at.exception
    assert "# Decision path" in _markdown(at)
    assert not at.get("plotly_chart")
    assert any(m.startswith("### 1. ") for m in _markdown(at))  # the path in words instead
