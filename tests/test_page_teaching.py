"""AppTest: the Teaching cases & quiz page through the real app (navigation, sidebar, URL state).

Presenter mode: slides step forward and back (buttons and their keyboard twins), the URL holds the case and the
slide and a link opens them, the room is asked before any slide shows the answer. Quiz: a wrong answer says why
(the misconception) without giving the answer away, a second try, then the answers.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from b12logic.misconceptions import why_wrong
from b12logic.teaching_cases import NEXT_STEPS, QUIZ_STATUS_LABELS, TEACHING_CASES
from ui.presenter import ASK_STATUS, ASK_STEP, REVEALING, SLIDES
from ui.state import MORE_LABS_KEY

APP = "app.py"
PAGE = "pages/teaching.py"


def _open(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(f"../{APP}", default_timeout=30)
    for name, value in (query or {}).items():
        at.query_params[name] = value
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
    next(b for b in at.button if b.label in ("Check my answers", "Check again")).click().run()
    assert not at.exception


def _score(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Your score this session")


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _text(at: AppTest) -> str:
    return " ".join(_markdown(at))


def _params(at: AppTest) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else v for k, v in dict(at.query_params).items()}


def _present(at: AppTest) -> None:
    at.toggle(key="teaching_presenter").set_value(True).run()
    assert not at.exception


def _slide_name(at: AppTest) -> str:
    """The control bar's "3 / 8 · name"."""
    bar = next(m for m in _markdown(at) if m.startswith("**") and " / " in m[:12])
    return bar.split("· ", 1)[1].replace("\\", "")


# --- the page and the shared case ---------------------------------------------------------------------------


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
    assert _params(at)["teaching_case"] == "metformin_fatigue"  # the URL names the case from the start
    assert "slide" not in _params(at)


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
    params = _params(at)
    for name, value in query.items():
        assert params[name] == value
    assert params["teaching_case"] == case_id  # the shared case's link keeps the page's own parameter
    assert dict(at.query_params) != before
    assert any("This case is loaded" in s.value for s in at.success)


def test_load_sets_units_flags_and_optional_labs() -> None:
    at = _open()
    at.session_state[MORE_LABS_KEY] = True  # "More labs and context" open: its inputs are drawn only then
    _pick(at, "renal_mma")
    at.button(key="teaching_load").click().run()
    assert at.sidebar.toggle(key="in_mma_measured").value is True
    assert at.sidebar.slider(key="in_mma").value == 420
    assert at.sidebar.toggle(key="in_renal").value is True
    assert _params(at)["renal_impairment"] == "yes"
    _pick(at, "pmol_lab")
    at.button(key="teaching_load").click().run()
    assert at.sidebar.radio(key="in_b12_unit").value == "pmol/L"
    assert at.sidebar.slider(key="in_b12").value == 140
    assert at.sidebar.toggle(key="in_mma_measured").value is False  # the previous case's MMA is gone
    assert at.sidebar.toggle(key="in_renal").value is False


# --- the quiz ---------------------------------------------------------------------------------------------------


def test_all_right_scores_and_reveals_at_once() -> None:
    at = _open()
    tc = TEACHING_CASES["older_woman_esr"]
    right = tc.answer()
    _pick(at, tc.id)
    _answer(at, tc.id, right.b12_status, right.next_step, right.esr_changes_plan)
    assert _score(at) == "3 / 3"
    text = _text(at)
    assert "Try 1: 3 of 3 right" in text
    assert text.count(":blue[:material/check_circle: **Right**]") == 3
    assert "The answer: *No B12 deficiency*" in text  # all right: the answers and the explanation show
    assert any(x.label.startswith("Why: the verdict") for x in at.expander)
    assert tc.teaching_point[:40] in text


def test_wrong_answers_say_why_then_a_second_try_then_the_answers() -> None:
    at = _open()
    tc = TEACHING_CASES["very_high_esr"]
    right = tc.answer()
    _pick(at, tc.id)
    _answer(at, tc.id, "deficient", "measure_mma", True)  # all wrong: the ESR pushed every answer
    assert _score(at) == "0 / 3"
    text = _text(at)
    assert "Try 1: 0 of 3 right" in text
    assert text.count(":orange[:material/cancel: **Not quite**]") == 3  # colour, icon and word
    assert "Misconception: the ESR changes the B12 plan" in text
    why = why_wrong(right, "next_step", "measure_mma")
    assert why is not None and why.text[:40] in text.replace("\\", "")
    # Not revealed yet: no answer line, no folded explanation, a second try offered.
    assert "The answer:" not in text
    assert not any(x.label.startswith("Why: the verdict") for x in at.expander)
    assert any("check again" in c.value for c in at.caption)
    assert any(b.label == "Check again" for b in at.button)

    # Second try: two right now; the answers show, the score keeps the first try.
    _answer(at, tc.id, right.b12_status, right.next_step, True)
    text = _text(at)
    assert "Try 2: 2 of 3 right" in text
    assert _score(at) == "0 / 3"
    assert f"The answer: *{QUIZ_STATUS_LABELS[right.b12_status]}*" in text
    assert f"The answer: *{NEXT_STEPS[right.next_step]}" in text.replace("\\", "")
    assert any(x.label.startswith("Why: the verdict") for x in at.expander)
    assert any("Only your first check" in c.value for c in at.caption)


def test_show_the_answers_on_request() -> None:
    at = _open()
    tc = TEACHING_CASES["nitrous_oxide"]
    _pick(at, tc.id)
    _answer(at, tc.id, "normal", "measure_mma_hcy", False)
    text = _text(at)
    assert "Misconception: a normal total B12 excludes deficiency with nitrous oxide" in text
    assert "Misconception: test first when neurological features are strong" in text
    assert "The answer:" not in text
    next(b for b in at.button if b.label == "Show the answers now").click().run()
    assert "The answer:" in _text(at)


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


# --- presenter mode ------------------------------------------------------------------------------------------


def test_the_room_is_asked_before_any_slide_reveals_the_answer() -> None:
    first_reveal = min(SLIDES.index(s) for s in REVEALING)
    assert SLIDES.index(ASK_STATUS) < first_reveal and SLIDES.index(ASK_STEP) < first_reveal
    at = _open()
    tc = TEACHING_CASES["folic_acid_masking"]
    _pick(at, tc.id)
    _present(at)
    status = tc.answer().status_label
    for number, name in enumerate(SLIDES):
        assert _slide_name(at) == name
        headings = [m for m in _markdown(at) if m.startswith("# ")]
        if number < first_reveal:  # nothing before the reveal names this case's answer as the answer
            assert f"# {status}" not in headings
            assert not at.get("plotly_chart")
        if name == "Answer":
            assert f"# {status}" in headings
        if name == ASK_STATUS:
            assert all(label.replace("\\", "") in _text(at).replace("\\", "") for label in QUIZ_STATUS_LABELS.values())
        if number < len(SLIDES) - 1:
            at.button(key="presenter_next").click().run()
            assert not at.exception
    assert _slide_name(at) == SLIDES[-1] and at.button(key="presenter_next").disabled


def test_presenter_shows_only_the_bar_and_the_slide_and_steps() -> None:
    at = _open()
    tc = TEACHING_CASES["folic_acid_masking"]
    _pick(at, tc.id)
    _present(at)
    assert not any(r.key == f"quiz_status_{tc.id}" for r in at.radio)  # the quiz is hidden
    assert not at.title  # no page title, picker or switch above the slide
    assert not any(s.key == "teaching_case" for s in at.selectbox)
    assert not any(t.key == "teaching_presenter" for t in at.toggle)
    assert f"# {tc.title}" in _markdown(at)
    assert at.button(key="presenter_back").disabled
    at.button(key="presenter_next").click().run()
    assert "# Labs" in _markdown(at)
    assert _params(at)["slide"] == "2" and _params(at)["present"] == "yes"
    at.button(key="presenter_back").click().run()
    assert f"# {tc.title}" in _markdown(at)
    # The keyboard twins (Page Down, space, Page Up) step the same way; each carries its key.
    assert at.button(key="presenter_next").proto.shortcut.lower() in ("right", "arrowright")
    at.button(key="presenter_pagedown").click().run()
    assert _slide_name(at) == "Labs"
    at.button(key="presenter_space").click().run()
    assert _slide_name(at) == ASK_STATUS
    at.button(key="presenter_pageup").click().run()
    assert _slide_name(at) == "Labs"
    # Exit: back to the page, the slide gone from the URL, the case kept.
    at.button(key="presenter_exit").click().run()
    assert at.title[0].value == "Teaching cases & quiz"
    assert "slide" not in _params(at) and _params(at)["teaching_case"] == tc.id


def test_the_url_holds_the_case_and_slide_and_a_link_opens_them() -> None:
    at = _open()
    _pick(at, "nitrous_oxide")
    _present(at)
    for _ in range(4):
        at.button(key="presenter_next").click().run()
    params = _params(at)
    assert (params["teaching_case"], params["slide"], params["present"]) == ("nitrous_oxide", "5", "yes")
    assert _slide_name(at) == SLIDES[4]

    # A student opens the teacher's link: same case, same slide.
    student = _open({"teaching_case": "nitrous_oxide", "slide": "5", "present": "yes"})
    assert _slide_name(student) == SLIDES[4]
    assert not student.get("warning")  # the page's parameters are not "unknown link parameters"
    student.button(key="presenter_exit").click().run()
    assert student.selectbox(key="teaching_case").value == "nitrous_oxide"

    # Without presenter mode the link opens the case's quiz; a bad case or slide falls back quietly.
    quiz = _open({"teaching_case": "gca_headache"})
    assert quiz.selectbox(key="teaching_case").value == "gca_headache"
    odd = _open({"teaching_case": "nope", "slide": "99", "present": "yes"})
    assert odd.selectbox(key="teaching_case").value == "metformin_fatigue"
    far = _open({"teaching_case": "pmol_lab", "slide": "99", "present": "yes"})
    assert _slide_name(far) == SLIDES[-1]


def test_presenter_figures_are_the_slide_figures() -> None:
    at = _open()
    _pick(at, "neuro_functional")
    _present(at)
    at.button(key="presenter_next").click().run()
    assert any("Total B12: **380 pg/mL**" in m for m in _markdown(at))
    while _slide_name(at) != "Decision path":
        at.button(key="presenter_next").click().run()
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    assert "node:st_functional" in charts[0].proto.spec  # the case's path, drawn at presenter size
    at.button(key="presenter_next").click().run()
    assert len(at.get("plotly_chart")) == 1  # the mechanism diagram
