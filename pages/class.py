"""Class room: students answer a teaching case's questions on their phones; the teacher reveals the room's answers.

- `/class`: join a room by its code, or (teacher) open a room for a teaching case (`/class?case=ID` chooses it).
- `/class?room=CODE`: the student's page (light: no shared case inputs, no figures).
- `/class?room=CODE&key=KEY`: the presenter's page: QR code and link, live count, reveal, lock, vote again,
  timer, CSV. The key never appears in the students' link or on their page.
Rules, validation and storage are b12logic.classroom's; this page only lays them out. The file is named as its
URL path (/class), so that a fresh server's old pages mode finds it too (ui/pages_mode.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from b12logic.classroom import ClassError, Question, Room, questions_for
from b12logic.classroom.questions import why_wrong_in
from b12logic.classroom.store import TIMER_RANGE_S, normalise_code, store_errors
from b12logic.teaching_cases import TEACHING_CASES, lab_lines
from ui import classroom, pages_mode, render

pages_mode.leave_old_pages_mode()  # a fresh server's first run of /class: rerun it through app.py

e = render.escape
CASE_PARAM = "case"  # /class?case=CASE_ID: the landing page with that teaching case chosen
COUNT_REFRESH_S = 1.0  # the presenter's count: one small query a second, whatever the size of the room


def _fail(err: ClassError) -> None:
    st.error(e(str(err)), icon=":material/error:")  # it may quote what a user typed: never as Markdown


def _teacher_action(action: Callable[..., Room], *args: object) -> None:
    """A control's callback: run it with the room and key from the URL; a refusal is kept to show after."""
    code, key = st.query_params.get(classroom.ROOM_PARAM, ""), st.query_params.get(classroom.KEY_PARAM, "")
    try:
        with store_errors("class store"):
            action(code, key, *args)
    except ClassError as err:
        st.session_state["_class_error"] = str(err)


# --- no room yet: join one, or open one -------------------------------------------------------------------------
def _landing(message: ClassError | None = None) -> None:
    st.title("Class room")
    if message is not None:
        _fail(message)
    with st.form("join_room", border=True):
        st.markdown("**Join your class**: type the room code your teacher shows.")
        code = st.text_input("Room code", max_chars=12, placeholder="e.g. K7QM2X")
        if st.form_submit_button("Join", type="primary"):
            try:
                st.query_params.from_dict({classroom.ROOM_PARAM: normalise_code(code)})
                st.rerun()
            except ClassError as err:
                _fail(err)
    asked = st.query_params.get(CASE_PARAM, "")  # from the Teaching page's "Open a class room for this case"
    cases = list(TEACHING_CASES)
    with st.expander("Teachers: open a room for a teaching case", expanded=asked in TEACHING_CASES):
        case_id = st.selectbox(
            "Teaching case",
            cases,
            index=cases.index(asked) if asked in TEACHING_CASES else 0,
            format_func=lambda c: f"{list(TEACHING_CASES).index(c) + 1}. {TEACHING_CASES[c].title}",
            key="class_case",
        )
        st.caption(
            "You get a QR code and a short link for the students, and a presenter's page whose address holds "
            "your teacher key: keep that address to yourself. Rooms close after 12 hours; answers are anonymous."
        )
        if st.button("Open a room", type="primary", icon=":material/meeting_room:", key="class_open"):
            ok, wait = classroom.allowed("room")
            if not ok:
                st.warning(f"You have opened several rooms just now: try again in {wait:.0f} s.")
                return
            try:
                with store_errors("class store"):
                    opened = classroom.store().open_room(case_id)
            except ClassError as err:
                _fail(err)
                return
            st.query_params.from_dict({classroom.ROOM_PARAM: opened.room, classroom.KEY_PARAM: opened.teacher_key})
            st.rerun()


def _case_card(room: Room) -> str:
    """The room's line, the case's title, story and labs as one Markdown text: a join draws it as one element,
    not four (each element is a message every phone's join waits for; bench/RESULTS.md, issue 20)."""
    tc = TEACHING_CASES[room.case_id]
    return "\n\n".join(
        (
            render.caption(f"Class room {room.code} · round {room.round} · your answers are anonymous"),
            render.heading(tc.title),
            e(tc.story),
            "\n".join(f"- {e(label)}: **{e(value)}**" for label, value in lab_lines(tc)),
        )
    )


# --- the student's page -----------------------------------------------------------------------------------------
def _student(room: Room) -> None:
    sid = classroom.student_id()
    store = classroom.store()
    st.markdown(_case_card(room))
    if room.locked:
        st.info("The teacher has locked the answers.", icon=":material/lock:")
    elif room.closes_at is not None:
        left = room.time_left(store.clock()) or 0.0
        if left > 0:
            st.info(f"Timer: about {left:.0f} s left to answer.", icon=":material/timer:")
        else:
            st.info("Time is up for this round.", icon=":material/timer_off:")
    for number, question in enumerate(questions_for(room.case_id), start=1):
        _question(room.code, sid, number, question.id, room.round)


@st.fragment
def _question(code: str, sid: str, number: int, question_id: str, page_round: int) -> None:
    """One question: its form, the confirmation, and after the reveal the answer. A fragment, so "Send answer"
    reruns only this (pages/class.py is a phone's page: a third of the Explorer's CPU per rerun, bench/)."""
    store = classroom.store()
    try:
        with store_errors("class store"):
            room = store.room(code)
            mine = store.my_answers(code, sid)
    except ClassError as err:
        _fail(err)
        return
    question = next(q for q in questions_for(room.case_id) if q.id == question_id)
    if room.round != page_round:  # the teacher asked for a vote again since this page was drawn
        st.info(f"The teacher has started round {room.round}: answer again.", icon=":material/replay:")
    accepting = room.accepting(store.clock())
    with st.form(f"q_{question.id}_r{room.round}", border=True):
        st.markdown(f"**{number}. {e(question.text)}**")
        previous = mine.get(question.id)
        choice = st.radio(
            "Your answer",
            list(question.options),
            format_func=question.options.__getitem__,
            index=list(question.options).index(previous) if previous in question.options else None,
            key=f"answer_{question.id}_r{room.round}",
            disabled=not accepting,
        )
        sent = st.form_submit_button(
            "Send answer", type="primary", disabled=not accepting, key=f"send_{question.id}_r{room.round}"
        )
    if sent:
        _send(room, sid, question, choice, mine)
    elif question.id in mine:
        st.caption(f"Your answer is in: {question.label(mine[question.id])}.")
    if room.revealed:
        _student_reveal(room, question, mine.get(question.id))


def _send(room: Room, sid: str, question: Question, choice: str | None, mine: dict[str, str]) -> None:
    if choice is None:
        st.warning("Choose an answer first, then send it.", icon=":material/edit:")
        return
    ok, wait = classroom.allowed("answer")
    if not ok:
        st.warning(f"Too many answers in a short time: wait {wait:.0f} s and send again.", icon=":material/pace:")
        return
    try:
        with store_errors("class store"):
            classroom.store().answer(room.code, sid, question.id, choice, expected_round=room.round)
    except ClassError as err:
        _fail(err)
        return
    mine[question.id] = choice
    st.success(
        f"Sent: your answer is “{question.label(choice)}”. You can change it until the teacher locks the answers.",
        icon=":material/check_circle:",
    )


def _student_reveal(room: Room, question: Question, chosen: str | None) -> None:
    right = "; ".join(question.options[o] for o in question.options if o in question.right)
    if chosen is None:
        st.markdown(f"**The answer:** {e(right)}")
    elif chosen in question.right:
        st.markdown(f":material/check_circle: **Right.** {e(right)}")
    else:
        why = why_wrong_in(room.case_id)[question.id].get(chosen)
        st.markdown(f":material/cancel: **Not quite.** The answer: {e(right)}")
        if why is not None:
            st.markdown(f"Your answer shows a common misconception, *{e(why.misconception)}*: {e(why.text)}")


# --- the presenter's page ---------------------------------------------------------------------------------------
def _teacher(room: Room) -> None:
    tc = TEACHING_CASES[room.case_id]
    st.title(f"Class room {room.code}")
    st.caption(
        "Presenter's page: its address holds your teacher key. Project this page, not your address bar; "
        "students join with the link or QR code below, which carry no key."
    )
    error = st.session_state.pop("_class_error", None)
    if error:
        st.error(e(error), icon=":material/error:")
    join = f"{classroom.base_url()}/class?room={room.code}"
    qr, where = st.columns([1, 2], vertical_alignment="center")
    qr.image(classroom.qr_png(join), caption=f"Scan to join room {room.code}", width=260)
    with where:
        st.markdown(f"## Room code: {room.code}")
        st.markdown("Join at:")
        st.code(join, language=None, wrap_lines=True)
        st.markdown(f"Case: **{e(tc.title)}** · round **{room.round}**")
    _controls(room)
    _live_count(room.code)
    if room.revealed:
        _reveal(room)
    st.download_button(
        "Download the results (CSV, anonymous)",
        data=partial(_results_csv, room.code, st.query_params.get(classroom.KEY_PARAM, "")),
        file_name=f"class-{room.code}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="class_export",
    )


def _results_csv(code: str, key: str) -> str:
    """Made when the teacher clicks (a deferred download: no script run then, so the key comes bound)."""
    from b12logic.classroom.export import results_csv

    room, rows = classroom.store().export(code, key)
    return results_csv(room, rows)


def _controls(room: Room) -> None:
    store = classroom.store()
    reveal, lock, again, reset = st.columns(4)
    reveal.button(
        "Hide the answers" if room.revealed else "Reveal the answers",
        on_click=_teacher_action,
        args=(store.reveal, not room.revealed),
        icon=":material/visibility:",
        type="primary",
        key="class_reveal",
        width="stretch",
    )
    lock.button(
        "Unlock answers" if room.locked else "Lock answers",
        on_click=_teacher_action,
        args=(store.lock, not room.locked),
        icon=":material/lock_open:" if room.locked else ":material/lock:",
        key="class_lock",
        width="stretch",
    )
    again.button(
        "Vote again",
        on_click=_teacher_action,
        args=(store.vote_again,),
        icon=":material/replay:",
        key="class_again",
        help="A new round after discussion: answers open and hidden again; this round's answers are kept.",
        width="stretch",
    )
    with reset.popover("Reset the room", icon=":material/delete:", width="stretch"):
        st.write("Delete every answer of every round and start again at round 1?")
        st.button("Yes, delete all answers", on_click=_teacher_action, args=(store.reset,), key="class_reset")
    seconds, start, stop = st.columns([2, 1, 1], vertical_alignment="bottom")
    low, high = TIMER_RANGE_S
    seconds.number_input("Timer (seconds)", min_value=low, max_value=high, value=60, step=10, key="class_timer")
    start.button("Start timer", on_click=_start_timer, icon=":material/timer:", key="class_go")
    stop.button(
        "Stop timer",
        on_click=_teacher_action,
        args=(store.set_timer, None),
        disabled=room.closes_at is None,
        key="class_stop",
    )


def _start_timer() -> None:
    # The value as the teacher set it just now (a callback's args are bound at the previous run).
    _teacher_action(classroom.store().set_timer, float(st.session_state["class_timer"]))


@st.fragment(run_every=COUNT_REFRESH_S)
def _live_count(code: str) -> None:
    """How many have answered (not what): refreshed every second at the cost of two small queries."""
    store = classroom.store()
    try:
        with store_errors("class store"):
            room = store.room(code)
            counts = store.counts(code)
    except ClassError as err:
        _fail(err)
        return
    with st.container(border=True, key="class_count"):
        st.metric(f"Students who answered (round {room.round})", counts.students)
        parts = [f"{q.text} {counts.per_question.get(q.id, 0)}" for q in questions_for(room.case_id)]
        state = "locked" if room.locked else "open"
        left = room.time_left(store.clock())
        if left is not None:
            state += f", {left:.0f} s left" if left > 0 else ", time is up"
        st.caption(f"{' · '.join(parts)} · answers {state}")


def _reveal(room: Room) -> None:
    from b12logic.figures.class_tally import class_tally_figure

    store = classroom.store()
    rounds = {r: store.tally(room.code, r).questions for r in range(max(1, room.round - 1), room.round + 1)}
    wrong = why_wrong_in(room.case_id)
    for question in questions_for(room.case_id):
        counts = {r: t[question.id] for r, t in rounds.items()}
        st.plotly_chart(class_tally_figure(question, counts), width="stretch", key=f"class_chart_{question.id}")
        right = "; ".join(question.options[o] for o in question.options if o in question.right)
        st.markdown(f":material/check_circle: **Right:** {e(right)}")
        chosen = rounds[room.round][question.id]
        lines = [
            f"- **{e(question.options[option])}** ({chosen.get(option, 0)} chose it): *{e(why.misconception)}*. "
            f"{e(why.text)} :gray[{e(render.cite(why.sources))}]"
            for option, why in sorted(wrong[question.id].items(), key=lambda kv: -chosen.get(kv[0], 0))
        ]
        st.markdown("**Why each wrong answer is wrong** (most chosen first)\n" + "\n".join(lines))


# --- which page -----------------------------------------------------------------------------------------------
code = st.query_params.get(classroom.ROOM_PARAM, "")
if not code:
    _landing()
    st.stop()
try:
    with store_errors("class store"):
        current = classroom.store().room(code)
        key = st.query_params.get(classroom.KEY_PARAM)
        teacher = key is not None and classroom.store().is_teacher(current.code, key)
except ClassError as err:
    _landing(err)
    st.stop()
if key is not None and not teacher:
    _fail(ClassError(f"teacher key: this key does not open room {current.code!r}"))
    st.stop()
if teacher:
    _teacher(current)
else:
    _student(current)
