"""Teaching cases & quiz: curated cases to load, a self-marking quiz, and a presenter mode for a projector.

Cases and answers come from b12logic.teaching_cases (answers are the engine's, under the source profile);
this page only lays them out and keeps the session's score.
"""

import importlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import streamlit as st

from b12logic import B12_STATUSES, get_profile
from b12logic.engine import STATUS_LABELS
from b12logic.graphs import MECHANISM_GRAPH
from b12logic.references import REFERENCES
from b12logic.teaching_cases import (
    ESR_CHOICES,
    NEXT_STEPS,
    TEACHING_CASES,
    Grade,
    TeachingCase,
    grade,
    lab_lines,
    teaching_case_link,
)
from ui import render, state

PROFILE = get_profile("source")  # the cases and their teaching points are written for the source's rules
SCORES_KEY = "quiz_scores"  # case id -> Grade of the first answer to that case
STEP_KEY = "presenter_step"
STEPS = ("Story", "Labs", "Decision path", "Mechanism", "Answer")

cur = state.current()
e = render.escape


def _figure_builder(name: str) -> Callable[..., Any] | None:
    """A builder from b12logic.figures, or None while that module (or the builder) is not there yet."""
    try:
        module = importlib.import_module("b12logic.figures")
    except ImportError:
        return None
    return getattr(module, name, None)


def _case_label(case_id: str) -> str:
    number = list(TEACHING_CASES).index(case_id) + 1
    return f"{number}. {TEACHING_CASES[case_id].title}"


def _citations_line(citations: tuple[str, ...]) -> str:
    return f":gray[{e(render.cite(citations))}]"


def _set_step(step: int) -> None:
    st.session_state[STEP_KEY] = max(0, min(step, len(STEPS) - 1))


def _reset_scores() -> None:
    st.session_state[SCORES_KEY] = {}


presenting = bool(st.session_state.get("teaching_presenter"))  # the toggle's value from the last run
if not presenting:  # on a projector the slide's own heading is the page's first heading, near the top
    st.title("Teaching cases & quiz")
if not presenting:  # on a projector, the case itself should start near the top
    st.write(
        f"{len(TEACHING_CASES)} short cases, each built to show one idea. Pick a case, try the quiz, or switch on "
        "presenter mode to walk a room through it one step at a time. Answers come from the app's engine under "
        "the source answer's rules, so they always match what the Explorer shows for the same case."
    )

case_id = st.selectbox(
    "Teaching case",
    list(TEACHING_CASES),
    format_func=_case_label,
    key="teaching_case",
    help="Each case has a short story, its labs, a teaching point and its references.",
)
tc: TeachingCase = TEACHING_CASES[case_id]
answer = tc.answer(PROFILE)
assessment = answer.assessment

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
    loaded = cur.case == replace(tc.case(), id=None)
    if loaded:
        st.success(
            "This case is loaded: every page now shows it, and the page link shares it.", icon=":material/check_circle:"
        )
    else:
        st.caption("The sidebar shows a different case. Loading replaces it (the quiz works either way).")
if not presenting:
    with st.expander("Link to this case (for slides or handouts)"):
        st.code(teaching_case_link(tc), language=None)
        st.caption(
            "Add it after the app's address, e.g. https://your-app-address/?age=... opens the case in the Explorer."
        )

presenter = st.toggle(
    "Presenter mode: large text, one step at a time",
    key="teaching_presenter",
    help="For a projector: story, labs, decision path, mechanism, then the answer, with Next and Back buttons.",
)

# --- Presenter mode ---------------------------------------------------------------------------------
if presenter:
    if st.session_state.get("_presenter_case") != tc.id:  # a new case starts at its story
        st.session_state["_presenter_case"] = tc.id
        st.session_state[STEP_KEY] = 0
    step = int(st.session_state.get(STEP_KEY, 0))
    back, where, forward = st.columns([1, 3, 1], vertical_alignment="center")
    back.button(
        "Back",
        on_click=_set_step,
        args=(step - 1,),
        disabled=step == 0,
        icon=":material/arrow_back:",
        key="presenter_back",
        width="stretch",
    )
    where.progress((step + 1) / len(STEPS), text=f"Step {step + 1} of {len(STEPS)}: {STEPS[step]}")
    forward.button(
        "Next",
        on_click=_set_step,
        args=(step + 1,),
        disabled=step == len(STEPS) - 1,
        icon=":material/arrow_forward:",
        key="presenter_next",
        width="stretch",
    )
    with st.container(border=True, key="presenter_slide"):  # ui/style.css: projector-size text, no sidebar
        name = STEPS[step]
        if name == "Story":
            st.markdown(f"# {e(tc.title)}")
            st.markdown(f"## {e(tc.story)}")
        elif name == "Labs":
            st.markdown("# Labs")
            for label, value in lab_lines(tc):
                st.markdown(f"### {e(label)}: **{e(value)}**")
        elif name == "Decision path":
            st.markdown("# Decision path")
            decision_figure = _figure_builder("decision_figure")
            if decision_figure is not None:
                st.plotly_chart(decision_figure(assessment, PROFILE), width="stretch", key="presenter_decision")
            for number, why in enumerate(assessment.why, start=1):
                st.markdown(f"### {number}. {e(why.text)}")
        elif name == "Mechanism":
            st.markdown("# Mechanism")
            mechanism_figure = _figure_builder("mechanism_figure")
            if mechanism_figure is not None:
                st.plotly_chart(mechanism_figure(assessment), width="stretch", key="presenter_mechanism")
            lit = [n.label for n in MECHANISM_GRAPH.nodes if n.id in assessment.mechanism_lit]
            if lit:
                st.markdown(f"## Abnormal in this case: {e(', '.join(lit))}")
            st.markdown(
                "## The B12 pathway and the inflammation pathway are separate. The only bridge is weak: "
                "anaemia of any cause raises the ESR a little."
            )
        else:
            st.markdown(f"# {e(assessment.status_label)}")
            st.markdown(f"## Next step: {e(answer.next_step_label)}")
            for step in assessment.next_steps[:4]:
                st.markdown(f"### {e(step.brief)}")
            st.markdown(
                f"## ESR {assessment.case.esr:g} mm/h, limit {assessment.esr_upper_limit:g} mm/h: "
                f"{e(assessment.esr_flag_label)}. It does not change the B12 plan."
            )
            st.markdown(f"### {e(tc.teaching_point)}")
            st.markdown(_citations_line(tc.citations))
    st.stop()

# --- Quiz mode --------------------------------------------------------------------------------------
scores: dict[str, Grade] = st.session_state.setdefault(SCORES_KEY, {})
points = sum(g.points for g in scores.values())
possible = Grade.POSSIBLE * len(scores)
score_col, reset_col = st.columns([3, 1], vertical_alignment="bottom")
score_col.metric(
    "Your score this session",
    f"{points} / {possible}",
    help="One point per question; only your first answer to each case counts. Kept until you close the tab.",
)
score_col.caption(f"Cases answered: {len(scores)} of {len(TEACHING_CASES)}.")
reset_col.button("Reset score", on_click=_reset_scores, key="quiz_reset", width="stretch")

st.subheader(tc.title)
st.markdown(e(tc.story))
st.table(
    {"Finding": [label for label, _ in lab_lines(tc)], "Value": [value for _, value in lab_lines(tc)]},
    hide_index=True,
    width="content",
)

with st.form(f"quiz_{tc.id}"):
    status_choice = st.radio(
        "1. What is the B12 status?",
        list(B12_STATUSES),
        format_func=STATUS_LABELS.__getitem__,
        index=None,
        key=f"quiz_status_{tc.id}",
    )
    step_choice = st.radio(
        "2. What is the next step for the B12 plan?",
        list(NEXT_STEPS),
        format_func=NEXT_STEPS.__getitem__,
        index=None,
        key=f"quiz_step_{tc.id}",
    )
    esr_choice = st.radio(
        "3. Does the ESR change the B12 plan?",
        [False, True],
        format_func=ESR_CHOICES.__getitem__,
        index=None,
        key=f"quiz_esr_{tc.id}",
    )
    submitted = st.form_submit_button("Check my answers", type="primary")

attempt_key = f"_quiz_attempt_{tc.id}"
if st.session_state.get("_quiz_case") != tc.id:  # a fresh form for a newly picked case
    for key in [k for k in st.session_state if str(k).startswith("_quiz_attempt_")]:
        del st.session_state[key]
    st.session_state["_quiz_case"] = tc.id
if submitted:
    if status_choice is None or step_choice is None or esr_choice is None:
        st.warning("Answer all three questions, then check.", icon=":material/edit:")
        st.session_state.pop(attempt_key, None)
    else:
        result = grade(tc, status_choice, step_choice, esr_choice, PROFILE)
        st.session_state[attempt_key] = result
        if tc.id not in scores:
            scores[tc.id] = result
            st.rerun()  # redraw the score above with this answer counted

result = st.session_state.get(attempt_key)
if isinstance(result, Grade):
    with st.container(border=True):
        st.markdown(f"#### You scored {result.points} of {Grade.POSSIBLE} on this case")
        others = [NEXT_STEPS[k] for k in NEXT_STEPS if k in answer.accepted_next_steps and k != answer.next_step]
        step_answer = answer.next_step_label + "".join(f" (also right: {other})" for other in others)
        marks = (
            (result.status_right, "B12 status", answer.status_label),
            (result.next_step_right, "Next step", step_answer),
            (result.esr_right, "Does the ESR change the plan", ESR_CHOICES[answer.esr_changes_plan]),
        )
        for right, question, correct in marks:
            verdict = ":material/check_circle: Right" if right else ":material/cancel: Not quite"
            st.markdown(f"- **{verdict}** — {e(question)}: the answer is *{e(correct)}*.")
        if tc.id in scores and scores[tc.id] is not result:
            st.caption("Only your first answer to a case counts towards the score.")

        st.markdown("**Teaching point**")
        st.markdown(f"{e(tc.teaching_point)} {_citations_line(tc.citations)}")
        st.markdown(f"**The verdict's next steps (under {e(PROFILE.name)})**")
        render.statements(assessment.next_steps)
        st.markdown("**How the engine decides, step by step**")
        render.statements(assessment.why)
        pregnant = assessment.case.pregnant
        basis = "in pregnancy (the top of the trimester ranges)" if pregnant else "for this age and sex"
        limit_source = "Abbassi-Ghanavati 2009" if pregnant else "Miller 1983"
        st.markdown(
            f"**ESR:** {assessment.case.esr:g} mm/h against an upper limit of {assessment.esr_upper_limit:g} mm/h "
            f"{basis}. {e(assessment.esr_flag_label)}. It is worked up on its own criteria "
            f"and does not change the B12 plan. {_citations_line((limit_source, 'source'))}"
        )
        render.statements(assessment.esr_workup)
        if assessment.pitfalls:
            st.markdown("**Pitfalls in this case**")
            for pitfall in assessment.pitfalls:
                st.markdown(f"- **{e(pitfall.heading)}**: {e(pitfall.text)} {_citations_line(pitfall.citations)}")
        with st.expander("References for this case"):
            for short in tc.citations:
                ref = REFERENCES.get(short)
                st.markdown(f"- **{e(short)}**: {e(ref.full if ref else short)}")
