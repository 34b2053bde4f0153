"""Teaching cases & quiz: curated cases to load, a self-marking quiz, and presenter mode for a lecture hall.

Cases and answers come from b12logic.teaching_cases (answers are the engine's, under the source profile); the
quiz is ui/quiz.py and presenter mode ui/presenter.py. The teaching case (and, while presenting, the slide)
lives in the URL, so a link opens the same case and slide.
"""

from dataclasses import replace

import streamlit as st

from b12logic import get_profile
from b12logic.teaching_cases import TEACHING_CASES, TeachingCase, teaching_case_link
from ui import presenter, quiz, state

PROFILE = get_profile("source")  # the cases and their teaching points are written for the source's rules

cur = state.current()
presenter.read_url(list(TEACHING_CASES))
case_id = str(st.session_state.get("teaching_case") or next(iter(TEACHING_CASES)))
if case_id not in TEACHING_CASES:
    case_id = next(iter(TEACHING_CASES))

if presenter.presenting():  # only the control bar and the slide: nothing above them pushes the slide down
    tc: TeachingCase = TEACHING_CASES[case_id]
    presenter.control_bar(tc.id)
    presenter.slide(tc, tc.answer(PROFILE), PROFILE)
    presenter.write_url(tc.id)
    st.stop()


def _case_label(case_id: str) -> str:
    number = list(TEACHING_CASES).index(case_id) + 1
    return f"{number}. {TEACHING_CASES[case_id].title}"


st.title("Teaching cases & quiz")
st.write(
    f"{len(TEACHING_CASES)} short cases, each built to show one idea. Pick a case, try the quiz, or switch on "
    "presenter mode to walk a room through it one slide at a time. Answers come from the app's engine under "
    "the source answer's rules, so they always match what the Explorer shows for the same case."
)
case_id = st.selectbox(
    "Teaching case",
    list(TEACHING_CASES),
    format_func=_case_label,
    key="teaching_case",
    help="Each case has a short story, its labs, a teaching point and its references.",
)
tc = TEACHING_CASES[case_id]
answer = tc.answer(PROFILE)

left, right = st.columns([1, 2], vertical_alignment="center")
with left:
    st.button(
        "Load this case",
        on_click=state.load_values,
        args=(tc.full_values(),),
        type="primary",
        icon=":material/upload:",
        key="teaching_load",
        help="Puts this case in the sidebar and the page link, so every page (Explorer, Treatment, ...) shows it.",
        width="stretch",
    )
with right:
    if cur.case == replace(tc.case(), id=None):
        st.success(
            "This case is loaded: every page now shows it, and the page link shares it.", icon=":material/check_circle:"
        )
    else:
        st.caption("The sidebar shows a different case. Loading replaces it (the quiz works either way).")
st.page_link(
    "pages/class.py", label="Open a class room for this case", icon=":material/groups:", query_params={"case": tc.id}
)
with st.expander("Link to this case (for slides or handouts)"):
    st.code(teaching_case_link(tc), language=None)
    st.caption("Add it after the app's address, e.g. https://your-app-address/?age=... opens the case in the Explorer.")

st.toggle(
    "Presenter mode: one slide at a time, for a projector",
    key="teaching_presenter",
    on_change=presenter.start,
    help="Story, labs, ask the room, then the decision path, mechanism and answer. Keys: → / ← , Page Up / Down "
    "(a clicker) or space. The page link then opens the same slide.",
)
presenter.write_url(tc.id)
quiz.score_bar()
quiz.quiz(tc, answer, PROFILE)
