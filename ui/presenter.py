"""Presenter mode of the Teaching page: one slide at a time for a hall's projector (1280 × 720).

While presenting, only the slide and a one-line control bar show (ui/style.css folds away the sidebar, the
header and the disclaimer). The room is asked before anything reveals the answer: the "Ask the room" slides
come before the decision path. Arrow keys, Page Up/Down (what a clicker sends) and the space bar step the
slides through Streamlit's own button shortcuts. The case, the slide and presenter mode live in the URL
(`teaching_case`, `slide`, `present`), so the teacher's link opens the same slide for anyone.
"""

from __future__ import annotations

import string
from collections.abc import Callable

import streamlit as st

from b12logic.figures import ReadyFigure, decision_alt_text
from b12logic.figures.slides import mechanism_slide_spec, path_slide_spec
from b12logic.graphs import MECHANISM_GRAPH
from b12logic.guidelines import GuidelineProfile
from b12logic.teaching_cases import NEXT_STEPS, QUIZ_STATUS_LABELS, QuizAnswer, TeachingCase, lab_lines
from ui import render

STORY, LABS, ASK_STATUS, ASK_STEP, PATH, MECHANISM, ANSWER, POINT = (
    "Story",
    "Labs",
    "Ask the room: B12 status",
    "Ask the room: next step",
    "Decision path",
    "Mechanism",
    "Answer",
    "Teaching point",
)
# The order matters: the room answers (ASK_*) before any slide shows the answer (PATH onwards).
SLIDES: tuple[str, ...] = (STORY, LABS, ASK_STATUS, ASK_STEP, PATH, MECHANISM, ANSWER, POINT)
REVEALING: frozenset[str] = frozenset({PATH, MECHANISM, ANSWER, POINT})
STEP_KEY = "presenter_step"
PRESENTING_KEY = "_presenting"
LETTERS = string.ascii_uppercase  # A, B, C ... however many choices the quiz offers
# A figure on a slide is a picture to talk over: no toolbar, no hover boxes, no zooming by accident.
_STATIC = {"displayModeBar": False, "staticPlot": True}

e = render.escape


def presenting() -> bool:
    return bool(st.session_state.get(PRESENTING_KEY))


def start() -> None:
    """Callback of the presenter switch (its widget value is the new state)."""
    st.session_state[PRESENTING_KEY] = bool(st.session_state.get("teaching_presenter"))
    st.session_state[STEP_KEY] = 0


def stop() -> None:
    st.session_state[PRESENTING_KEY] = False


def _go(step: int) -> None:
    st.session_state[STEP_KEY] = max(0, min(step, len(SLIDES) - 1))


def current_step() -> int:
    return max(0, min(int(st.session_state.get(STEP_KEY, 0)), len(SLIDES) - 1))


# --- The URL ------------------------------------------------------------------------------------------------------


def read_url(case_ids: list[str]) -> None:
    """Before the widgets are drawn: when the URL's teaching case, slide or presenter switch differ from what this
    page last wrote (a link just opened, or edited by hand), the URL wins."""
    params = st.query_params
    seen = (params.get("teaching_case"), params.get("slide"), params.get("present"))
    if seen == st.session_state.get("_teaching_url"):
        return
    case_id, slide, present = seen
    if case_id in case_ids:
        if st.session_state.get("teaching_case") != case_id:
            st.session_state["teaching_case"] = case_id
            st.session_state["_presenter_case"] = case_id
        st.session_state[PRESENTING_KEY] = present in ("yes", "1", "true")
        if slide is not None and slide.isdigit():
            _go(int(slide) - 1)


def write_url(case_id: str) -> None:
    """After the page is drawn: the URL says which case, and while presenting which slide."""
    wanted = {"teaching_case": case_id}
    if presenting():
        wanted.update(present="yes", slide=str(current_step() + 1))
    for name in ("teaching_case", "present", "slide"):
        if name in wanted and st.query_params.get(name) != wanted[name]:
            st.query_params[name] = wanted[name]
        elif name not in wanted and name in st.query_params:
            del st.query_params[name]
    st.session_state["_teaching_url"] = (wanted.get("teaching_case"), wanted.get("slide"), wanted.get("present"))


# --- The control bar ------------------------------------------------------------------------------------------


def control_bar(case_id: str) -> None:
    """Back, where we are, Next, Exit: one line above the slide. The keys are Streamlit's button shortcuts
    (st.button(shortcut=...), streamlit/elements/widgets/button.py:305-331 in 1.67). The frontend binds a
    button's shortcut on the document in a React effect while the button is mounted and not disabled, and calls
    preventDefault, so a focused button is not pressed twice by the space bar (streamlit/static/static/js/
    index.DormvYxC.js, the hook that calls hotkeys(...) with {shortcut, disabled, onActivate}). One shortcut per
    button, so Page Up/Down and the space bar get twin buttons that ui/style.css hides with display: none: still
    mounted, their shortcuts stay bound (tests/e2e/test_browser_presenter.py presses each key)."""
    if st.session_state.get("_presenter_case") != case_id:  # another case starts at its story
        st.session_state["_presenter_case"] = case_id
        st.session_state[STEP_KEY] = 0
    step = current_step()
    first, last = step == 0, step == len(SLIDES) - 1
    with st.container(key="presenter_bar", horizontal=True, vertical_alignment="center", gap="small"):
        st.button(
            "Back",
            on_click=_go,
            args=(step - 1,),
            disabled=first,
            icon=":material/arrow_back:",
            key="presenter_back",
            shortcut="Left",
            help="Previous slide (← or Page Up)",
        )
        st.markdown(f"**{step + 1} / {len(SLIDES)}** · {e(SLIDES[step])}", width="stretch")
        st.button(
            "Next",
            on_click=_go,
            args=(step + 1,),
            disabled=last,
            icon=":material/arrow_forward:",
            key="presenter_next",
            shortcut="Right",
            type="primary",
            help="Next slide (→, Page Down or space)",
        )
        st.button("Exit", on_click=stop, icon=":material/close:", key="presenter_exit", help="Leave presenter mode")
    with st.container(key="presenter_keys"):  # hidden twins: the clicker's keys and the space bar
        st.button(
            "Next slide", on_click=_go, args=(step + 1,), disabled=last, key="presenter_pagedown", shortcut="PageDown"
        )
        st.button("Next slide ", on_click=_go, args=(step + 1,), disabled=last, key="presenter_space", shortcut="Space")
        st.button(
            "Previous slide", on_click=_go, args=(step - 1,), disabled=first, key="presenter_pageup", shortcut="PageUp"
        )


# --- The slides -----------------------------------------------------------------------------------------------


def _story(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    st.markdown(f"# {e(tc.title)}")
    st.markdown(f"## {e(tc.story)}")


def _labs(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    st.markdown("# Labs")
    lines = lab_lines(tc)
    half = (len(lines) + 1) // 2
    for column, chunk in zip(st.columns(2), (lines[:half], lines[half:]), strict=True):
        column.markdown("\n".join(f"- {e(label)}: **{e(value)}**" for label, value in chunk))


def _ask(question: str, options: dict[str, str]) -> None:
    st.markdown(f"# Ask the room: {e(question)}")
    items = list(options.values())
    half = (len(items) + 1) // 2
    for column, start in zip(st.columns(2), (0, half), strict=True):
        column.markdown(
            "\n".join(f"- **{LETTERS[i]}.** {e(text)}" for i, text in enumerate(items[start : start + half], start))
        )
    st.markdown("Vote, talk to your neighbour, vote again. The next slide shows the answer.")


def _ask_status(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    _ask("what is the B12 status?", QUIZ_STATUS_LABELS)


def _ask_step(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    _ask("what is the next step for the B12 plan?", NEXT_STEPS)


def _path(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    st.markdown("# Decision path")
    spec = path_slide_spec(answer.assessment, profile)
    alt = decision_alt_text(answer.assessment, profile)
    st.plotly_chart(ReadyFigure(spec), key="presenter_decision", config=_STATIC, alt=alt)


def _mechanism(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    st.markdown("# Mechanism: filled boxes are abnormal in this case")
    lit = [n.label for n in MECHANISM_GRAPH.nodes if n.id in answer.assessment.mechanism_lit]
    spec = mechanism_slide_spec(answer.assessment, profile)
    alt = (
        "The B12 pathway and the inflammation pathway, drawn apart; the only bridge is a weak confounder (anaemia "
        f"raises the ESR a little). Abnormal in this case: {', '.join(lit) or 'nothing'}."
    )
    st.plotly_chart(ReadyFigure(spec), key="presenter_mechanism", config=_STATIC, alt=alt)


def _answer(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    a = answer.assessment
    st.markdown(f"# {e(answer.status_label)}")
    others = [NEXT_STEPS[k] for k in NEXT_STEPS if k in answer.accepted_next_steps and k != answer.next_step]
    also = "".join(f" (also right: {e(o)})" for o in others)
    st.markdown(f"## Next step: {e(answer.next_step_label)}{also}")
    urgent = [s for s in a.safety_steps][:2]
    if urgent:
        st.markdown("\n".join(f"- **Urgent:** {e(s.brief)}" for s in urgent))
    st.markdown(
        f"ESR {a.case.esr:g} mm/h, limit {a.esr_upper_limit:g} mm/h: {e(a.esr_flag_label)}. "
        "It is worked up on its own and does not change the B12 plan."
    )


def _point(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    st.markdown("# Teaching point")
    st.markdown(e(tc.teaching_point))
    st.markdown(f":gray[{e(render.cite(tc.citations))} · Educational only, not a prescription.]")


_DRAW: dict[str, Callable[[TeachingCase, QuizAnswer, GuidelineProfile], None]] = {
    STORY: _story,
    LABS: _labs,
    ASK_STATUS: _ask_status,
    ASK_STEP: _ask_step,
    PATH: _path,
    MECHANISM: _mechanism,
    ANSWER: _answer,
    POINT: _point,
}


def slide(tc: TeachingCase, answer: QuizAnswer, profile: GuidelineProfile) -> None:
    """The current slide, in a container that ui/style.css sizes for a projector."""
    with st.container(border=True, key="presenter_slide"):
        _DRAW[SLIDES[current_step()]](tc, answer, profile)
