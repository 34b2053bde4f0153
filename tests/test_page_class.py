"""AppTest: the Class room page through the real app: landing, student, presenter, and what each may see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from b12logic.classroom import ENV_VAR, ClassStore, make_store, questions_for
from b12logic.classroom import store as store_module
from b12logic.classroom.questions import why_wrong_in
from b12logic.labels import REGIMEN_LABELS
from tests.redis_server import redis_url

__all__ = ["redis_url"]  # the session fixture: a real redis-server

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/class.py"
CASE = "folic_acid_masking"  # the engine: deficient, im_neuro; "no B12 treatment" shows "folic acid first"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ClassStore]:
    url = f"sqlite:///{tmp_path / 'class.sqlite3'}"
    monkeypatch.setenv(ENV_VAR, url)
    monkeypatch.setattr(store_module, "_OPEN", {})  # the page opens its own store from the environment
    made = make_store(url)
    yield made
    made.close()


def _open(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.query_params.clear()
    at.query_params.update(query or {})
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def _param(at: AppTest, name: str) -> str:
    value = at.query_params[name]
    return value[0] if isinstance(value, list) else value


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [x.value for x in at.success] + [x.value for x in at.error] + [x.value for x in at.warning]
    parts += [x.value for x in at.info] + [str(c.value) for c in at.code] + [t.value for t in at.title]
    return "\n".join(parts)


def test_landing_offers_join_and_open_without_the_shared_case_inputs(store: ClassStore) -> None:
    at = _open()
    assert at.title[0].value == "Class room"
    assert at.text_input[0].label == "Room code"
    assert [b.label for b in at.button] == ["Join", "Open a room"]
    assert not at.sidebar.slider  # no shared case inputs on this page (light for phones)
    assert not at.exception


def test_the_teaching_page_links_to_a_room_for_its_case(store: ClassStore) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/teaching.py").run()
    at.selectbox(key="teaching_case").set_value(CASE).run()
    link = next(el for el in at.get("page_link") if el.proto.label == "Open a class room for this case")
    assert (link.proto.page, link.proto.query_string) == ("class", f"case={CASE}")
    landing = _open({"case": CASE})
    assert landing.selectbox(key="class_case").value == CASE
    landing.button(key="class_open").click().run()
    assert store.room(_param(landing, "room")).case_id == CASE


def test_join_with_a_typed_code_goes_to_the_room(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    at = _open()
    at.text_input[0].set_value(f" {opened.room.lower()} ")
    next(b for b in at.button if b.label == "Join").click().run()
    assert _param(at, "room") == opened.room
    assert [r.label for r in at.radio] == ["Your answer", "Your answer"]


def test_a_bad_or_unknown_code_says_so(store: ClassStore) -> None:
    at = _open({"room": "ZZZZZZ"})
    assert "room: 'ZZZZZZ' is not an open room" in at.error[0].value
    at = _open({"room": "<script>"})
    assert "is not a room code" in at.error[0].value
    assert not at.radio


def test_a_typed_code_is_never_rendered_as_markdown(store: ClassStore) -> None:
    at = _open({"room": "![x](http://example.invalid/x.png)"})
    shown = at.error[0].value
    assert "is not a room code" in shown
    assert "!\\[x\\](http" in shown  # brackets escaped: shown as typed, no image fetched from elsewhere


def test_teacher_opens_a_room_and_gets_presenter_page(store: ClassStore) -> None:
    at = _open()
    at.selectbox(key="class_case").set_value(CASE)
    at.button(key="class_open").click().run()
    assert not at.exception
    room, key = _param(at, "room"), _param(at, "key")
    assert store.is_teacher(room, key)
    assert store.room(room).case_id == CASE
    assert at.title[0].value == f"Class room {room}"
    text = _texts(at)
    assert f"/class?room={room}" in text
    assert key not in text  # the key is in the presenter's URL only, never on the page or in the join link
    assert at.metric[0].label == "Students who answered (round 1)" and at.metric[0].value == "0"
    images = at.get("image")
    assert len(images) == 1 and images[0].captions == [f"Scan to join room {room}"]  # the QR code, served by the app
    assert not at.get("plotly_chart")  # nothing revealed yet


def test_student_answers_changes_and_the_teacher_sees_the_count(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    student = _open({"room": opened.room})
    sid = _param(student, "student")
    assert opened.teacher_key not in _texts(student)
    assert [r.label for r in student.radio] == ["Your answer", "Your answer"]
    assert [b.label for b in student.button] == ["Send answer", "Send answer"]
    assert student.radio[0].options == list(questions_for(CASE)[0].options.values())
    student.radio(key="answer_b12_status_r1").set_value("normal")
    student.button[0].click().run()
    assert student.success[0].value.startswith("Sent: your answer is “No B12 deficiency”")
    student.radio(key="answer_b12_status_r1").set_value("deficient")
    student.button[0].click().run()
    assert store.my_answers(opened.room, sid) == {"b12_status": "deficient"}
    assert store.tally(opened.room).students == 1

    teacher = _open({"room": opened.room, "key": opened.teacher_key})
    assert teacher.metric[0].value == "1"
    assert "What is the B12 status? 1 · What is the next step for the B12 plan? 0" in _texts(teacher)
    assert "Deficient" not in "\n".join(c.value for c in teacher.caption)  # the count says how many, not what


def test_sending_without_a_choice_asks_for_one(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    at = _open({"room": opened.room})
    at.button[0].click().run()
    assert at.warning[0].value == "Choose an answer first, then send it."
    assert store.tally(opened.room).students == 0


def test_reveal_shows_chart_right_answer_and_misconceptions(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    student = _open({"room": opened.room})
    student.radio(key="answer_next_step_r1").set_value("no_b12_treatment")
    student.button[1].click().run()
    teacher = _open({"room": opened.room, "key": opened.teacher_key})
    teacher.button(key="class_reveal").click().run()
    assert not teacher.exception
    assert store.room(opened.room).revealed
    charts = teacher.get("plotly_chart")
    assert len(charts) == 2
    text = _texts(teacher)
    assert f"**Right:** {REGIMEN_LABELS['im_neuro']}" in text  # the quiz says the verdict's regimen label
    why = why_wrong_in(CASE)["next_step"]["no_b12_treatment"]
    assert why.misconception == "folic acid first"
    assert f"(1 chose it): *{why.misconception}*" in text

    student.run()  # the student's next run shows the answer and why theirs was wrong
    assert "Not quite." in _texts(student)
    assert "folic acid first" in _texts(student)


def test_lock_then_vote_again_keeps_both_rounds(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    student = _open({"room": opened.room})
    student.radio(key="answer_b12_status_r1").set_value("normal")
    student.button[0].click().run()
    teacher = _open({"room": opened.room, "key": opened.teacher_key})
    teacher.button(key="class_lock").click().run()
    assert store.room(opened.room).locked
    student.run()
    assert student.radio[0].disabled and "The teacher has locked the answers." in _texts(student)
    teacher.button(key="class_again").click().run()
    assert store.room(opened.room).round == 2
    student.run()
    fresh = student.radio(key="answer_b12_status_r2")
    assert fresh.value is None and not fresh.disabled
    fresh.set_value("deficient")
    student.button[0].click().run()
    assert store.tally(opened.room, 1).questions["b12_status"]["normal"] == 1
    assert store.tally(opened.room, 2).questions["b12_status"]["deficient"] == 1


def test_timer_shows_to_students_and_closes_the_round(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    teacher = _open({"room": opened.room, "key": opened.teacher_key})
    teacher.number_input(key="class_timer").set_value(30)
    teacher.button(key="class_go").click().run()
    assert store.room(opened.room).closes_at is not None
    student = _open({"room": opened.room})
    assert "Timer: about 30 s left" in _texts(student) or "Timer: about 29 s left" in _texts(student)


def test_a_wrong_teacher_key_shows_nothing_of_the_teachers(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    at = _open({"room": opened.room, "key": "guess"})
    assert "teacher key: this key does not open room" in at.error[0].value
    assert not at.metric and not at.button and not at.radio


def test_export_is_the_teachers_and_anonymous(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    student = _open({"room": opened.room})
    sid = _param(student, "student")
    student.radio(key="answer_b12_status_r1").set_value("deficient")
    student.button[0].click().run()
    teacher = _open({"room": opened.room, "key": opened.teacher_key})
    assert teacher.get("download_button")[0].proto.label == "Download the results (CSV, anonymous)"
    from b12logic.classroom.export import results_csv

    room, rows = store.export(opened.room, opened.teacher_key)
    text = results_csv(room, rows)
    assert sid not in text and "deficient" in text


def test_a_flood_of_answers_from_one_session_is_slowed(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    at = _open({"room": opened.room})
    at.radio(key="answer_b12_status_r1").set_value("deficient")
    for _ in range(6):
        at.button[0].click().run()
        assert at.success, _texts(at)
    at.button[0].click().run()
    assert at.warning[0].value.startswith("Too many answers in a short time")


def test_the_page_on_a_redis_store(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # B12_CLASS_STORE=redis://...: the same page, the answers in Redis (replicas on several machines).
    monkeypatch.setenv(ENV_VAR, redis_url)
    monkeypatch.setattr(store_module, "_OPEN", {})
    store = make_store(redis_url)
    opened = store.open_room(CASE)
    student = _open({"room": opened.room})
    student.radio(key="answer_b12_status_r1").set_value("deficient")
    student.button[0].click().run()
    assert student.success
    teacher = _open({"room": opened.room, "key": opened.teacher_key})
    assert teacher.metric[0].value == "1"
    teacher.button(key="class_reveal").click().run()
    assert store.room(opened.room).revealed and len(teacher.get("plotly_chart")) == 2
    assert store.tally(opened.room).questions["b12_status"]["deficient"] == 1
    store.close()
