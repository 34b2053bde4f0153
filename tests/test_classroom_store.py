"""The class store, one suite run against both backends: SQLite (a file, WAL) and a real redis-server.

The Redis fixture starts Debian's redis-server on a free loopback port with no persistence, and stops it at the
end; a missing redis-server fails the tests (scripts/install.sh --dev installs it), it never skips them.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b12logic.classroom import ClassError, ClassStore, make_store, new_student_id, questions_for
from b12logic.classroom.export import results_csv
from b12logic.classroom.ratelimit import TokenBucket
from b12logic.classroom.redis_store import RedisStore
from b12logic.classroom.sqlite_store import SqliteStore
from b12logic.classroom.store import MAX_STUDENTS, ROOM_TTL_S, normalise_code, store_errors
from b12logic.teaching_cases import TEACHING_CASES
from tests.redis_server import free_port, redis_url

__all__ = ["redis_url"]  # the session fixture: a real redis-server

CASE = "metformin_fatigue"  # deficient; next step oral or IM (the standard IM regimen is right too)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()  # real time: Redis expires keys by its own clock (EXPIREAT)

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(kind, store URL): a fresh SQLite file, or a flushed database of the session's redis-server."""
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'class.sqlite3'}"
        return
    url = request.getfixturevalue("redis_url")
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    yield "redis", url
    client.flushdb()
    client.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(backend: tuple[str, str], clock: Clock) -> Iterator[ClassStore]:
    kind, url = backend
    made = (
        SqliteStore(url.removeprefix("sqlite:///"), clock=clock) if kind == "sqlite" else RedisStore(url, clock=clock)
    )
    yield made
    made.close()


def _students(n: int) -> list[str]:
    return [new_student_id() for _ in range(n)]


# --- rooms -----------------------------------------------------------------------------------------------------
def test_open_room_gives_code_secret_key_and_a_student_path_without_the_key(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    assert normalise_code(opened.room) == opened.room
    assert len(opened.teacher_key) >= 20
    assert opened.student_path == f"/class?room={opened.room}"
    assert opened.teacher_key not in opened.student_path
    room = store.room(opened.room.lower())  # codes are typed in any case
    assert (room.case_id, room.round, room.locked, room.revealed) == (CASE, 1, False, False)
    assert store.is_teacher(opened.room, opened.teacher_key)
    # A key one character off (never the same character: a key ending in "x" made this test pass 63 times in 64).
    last = "y" if opened.teacher_key.endswith("x") else "x"
    assert not store.is_teacher(opened.room, opened.teacher_key[:-1] + last)


def test_each_room_has_its_own_code_and_key(store: ClassStore) -> None:
    rooms = [store.open_room(CASE) for _ in range(20)]
    assert len({r.room for r in rooms}) == 20
    assert len({r.teacher_key for r in rooms}) == 20
    assert not store.is_teacher(rooms[0].room, rooms[1].teacher_key)


def test_unknown_case_and_unknown_room_are_refused(store: ClassStore) -> None:
    with pytest.raises(ClassError, match="case: 'nope' is not a teaching case"):
        store.open_room("nope")
    with pytest.raises(ClassError, match="room: 'ABCDEF' is not an open room"):
        store.room("ABCDEF")
    with pytest.raises(ClassError, match="room: 'bad!' is not a room code"):
        store.room("bad!")


def test_the_teacher_key_is_stored_only_as_a_hash(backend: tuple[str, str], store: ClassStore) -> None:
    opened = store.open_room(CASE)
    kind, url = backend
    if kind == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            dump = "\n".join(db.iterdump())
    else:
        import redis

        client = redis.Redis.from_url(url, decode_responses=True)
        dump = repr([(k, client.hgetall(k)) for k in client.keys("*") if client.type(k) == "hash"])
        client.close()
    assert opened.room in dump
    assert opened.teacher_key not in dump


def test_rooms_expire_with_their_answers(store: ClassStore, clock: Clock) -> None:
    opened = store.open_room(CASE)
    store.answer(opened.room, new_student_id(), "b12_status", "deficient")
    clock.now += ROOM_TTL_S + 1
    with pytest.raises(ClassError, match="not an open room"):
        store.room(opened.room)
    with pytest.raises(ClassError, match="not an open room"):
        store.answer(opened.room, new_student_id(), "b12_status", "deficient")
    assert not store.is_teacher(opened.room, opened.teacher_key)


def test_sqlite_expired_rooms_are_deleted_when_a_room_opens(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "c.sqlite3"
    store = SqliteStore(str(path), clock=clock)
    old = store.open_room(CASE)
    store.answer(old.room, new_student_id(), "b12_status", "normal")
    clock.now += ROOM_TTL_S + 1
    store.open_room(CASE)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM rooms WHERE code = ?", (old.room,)).fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)
    store.close()


def test_redis_keys_expire_with_the_room(redis_url: str) -> None:
    import redis

    store = RedisStore(redis_url)
    opened = store.open_room(CASE)
    store.answer(opened.room, new_student_id(), "b12_status", "normal")
    client = redis.Redis.from_url(redis_url)
    keys = client.keys(f"b12class:{opened.room}*")
    assert len(keys) == 3  # the room, round 1's b12_status answers, round 1's students
    for key in keys:
        assert 0 < client.ttl(key) <= ROOM_TTL_S + 2
    client.close()
    store.close()


# --- answers ---------------------------------------------------------------------------------------------------
def test_one_answer_per_student_per_question_changeable_until_locked(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    a, b = _students(2)
    store.answer(opened.room, a, "b12_status", "normal")
    store.answer(opened.room, a, "b12_status", "deficient")  # changed: still one answer
    store.answer(opened.room, a, "b12_status", "deficient")  # re-sent: still one
    store.answer(opened.room, b, "b12_status", "deficient")
    store.answer(opened.room, b, "next_step", "measure_mma")
    tally = store.tally(opened.room)
    assert tally.students == 2
    assert tally.questions["b12_status"] == {
        "deficient": 2,
        "functional_deficiency": 0,
        "indeterminate_needs_mma": 0,
        "not_confirmed": 0,
        "normal_needs_mma_hcy": 0,
        "normal": 0,
    }
    assert sum(tally.questions["next_step"].values()) == 1
    assert store.my_answers(opened.room, b) == {"b12_status": "deficient", "next_step": "measure_mma"}
    counts = store.counts(opened.room)
    assert (counts.students, counts.per_question) == (2, {"b12_status": 2, "next_step": 1})

    store.lock(opened.room, opened.teacher_key)
    with pytest.raises(ClassError, match="locked: the teacher has locked"):
        store.answer(opened.room, a, "b12_status", "normal")
    assert store.my_answers(opened.room, a) == {"b12_status": "deficient"}
    store.lock(opened.room, opened.teacher_key, locked=False)
    store.answer(opened.room, a, "b12_status", "normal")
    assert store.tally(opened.room).questions["b12_status"]["normal"] == 1


@pytest.mark.parametrize(
    ("question", "option", "message"),
    [
        ("colour", "deficient", "question: 'colour' is not a question of room"),
        ("b12_status", "im_neuro", "option: 'im_neuro' is not an answer to question 'b12_status'"),
        ("b12_status", "", "option: '' is not an answer"),
        ("b12_status", None, "option: 'None' is not an answer"),
        (None, "deficient", "question: 'None' is not a question"),
    ],
)
def test_unknown_question_or_option_is_refused_and_stored_nowhere(
    store: ClassStore, question: object, option: object, message: str
) -> None:
    opened = store.open_room(CASE)
    sid = new_student_id()
    with pytest.raises(ClassError, match=message):
        store.answer(opened.room, sid, question, option)
    assert store.tally(opened.room).students == 0
    assert store.counts(opened.room).students == 0
    assert store.export(opened.room, opened.teacher_key)[1] == []


def test_an_answer_to_an_unknown_room_is_refused_and_creates_nothing(
    backend: tuple[str, str], store: ClassStore
) -> None:
    with pytest.raises(ClassError, match="room: 'ZZZZZZ' is not an open room"):
        store.answer("ZZZZZZ", new_student_id(), "b12_status", "deficient")
    kind, url = backend
    if kind == "redis":
        import redis

        client = redis.Redis.from_url(url)
        assert client.keys("*") == []
        client.close()
    else:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            assert db.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)


@pytest.mark.parametrize("student", ["", "short", "x" * 65, "has space in it!!", None, 12345])
def test_a_student_id_the_app_did_not_make_is_refused(store: ClassStore, student: object) -> None:
    opened = store.open_room(CASE)
    with pytest.raises(ClassError, match="student: not a student id"):
        store.answer(opened.room, student, "b12_status", "deficient")
    assert store.counts(opened.room).students == 0


def test_an_answer_from_an_earlier_rounds_page_is_refused(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    sid = new_student_id()
    store.answer(opened.room, sid, "b12_status", "normal", expected_round=1)
    store.vote_again(opened.room, opened.teacher_key)
    with pytest.raises(ClassError, match="round: the teacher has started a new round"):
        store.answer(opened.room, sid, "b12_status", "deficient", expected_round=1)
    store.answer(opened.room, sid, "b12_status", "deficient", expected_round=2)
    assert store.tally(opened.room, 1).questions["b12_status"]["normal"] == 1


def test_vote_again_keeps_both_rounds(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    a, b, c = _students(3)
    for sid in (a, b, c):
        store.answer(opened.room, sid, "b12_status", "normal")
    store.reveal(opened.room, opened.teacher_key)
    store.lock(opened.room, opened.teacher_key)
    room = store.vote_again(opened.room, opened.teacher_key)
    assert (room.round, room.locked, room.revealed) == (2, False, False)
    assert store.counts(opened.room).students == 0  # the count starts again
    assert store.my_answers(opened.room, a) == {}
    for sid in (a, b):
        store.answer(opened.room, sid, "b12_status", "deficient")
    first, second = store.tally(opened.room, 1), store.tally(opened.room)
    assert (first.round, first.students, first.questions["b12_status"]["normal"]) == (1, 3, 3)
    assert (second.round, second.students, second.questions["b12_status"]["deficient"]) == (2, 2, 2)
    room, rows = store.export(opened.room, opened.teacher_key)
    assert sorted({r.round for r in rows}) == [1, 2] and len(rows) == 5


def test_reset_deletes_every_round(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    store.answer(opened.room, new_student_id(), "b12_status", "normal")
    store.vote_again(opened.room, opened.teacher_key)
    store.answer(opened.room, new_student_id(), "b12_status", "normal")
    room = store.reset(opened.room, opened.teacher_key)
    assert room.round == 1
    assert store.export(opened.room, opened.teacher_key)[1] == []
    assert store.tally(opened.room).students == 0


def test_the_timer_closes_answers(store: ClassStore, clock: Clock) -> None:
    opened = store.open_room(CASE)
    sid = new_student_id()
    room = store.set_timer(opened.room, opened.teacher_key, 30)
    assert room.time_left(clock.now) == 30
    clock.now += 29.9
    store.answer(opened.room, sid, "b12_status", "normal")
    clock.now += 0.1  # the closing moment itself is closed
    with pytest.raises(ClassError, match="time: the time for answers"):
        store.answer(opened.room, sid, "b12_status", "deficient")
    assert store.my_answers(opened.room, sid) == {"b12_status": "normal"}
    store.set_timer(opened.room, opened.teacher_key, None)
    store.answer(opened.room, sid, "b12_status", "deficient")


@pytest.mark.parametrize("seconds", [9, 901, float("nan"), -5])
def test_timer_outside_its_range_is_refused(store: ClassStore, seconds: float) -> None:
    opened = store.open_room(CASE)
    with pytest.raises(ClassError, match=r"timer: .* is outside the allowed range"):
        store.set_timer(opened.room, opened.teacher_key, seconds)
    assert store.room(opened.room).closes_at is None


@pytest.mark.parametrize("boundary", [10, 900])
def test_timer_boundaries_are_allowed(store: ClassStore, boundary: int) -> None:
    opened = store.open_room(CASE)
    assert store.set_timer(opened.room, opened.teacher_key, boundary).closes_at is not None


def test_a_full_room_refuses_a_new_student_but_not_one_already_in(
    store: ClassStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("b12logic.classroom.sqlite_store", "b12logic.classroom.redis_store"):
        monkeypatch.setattr(f"{module}.MAX_STUDENTS", 3)
    opened = store.open_room(CASE)
    inside = _students(3)
    for sid in inside:
        store.answer(opened.room, sid, "b12_status", "normal")
    with pytest.raises(ClassError, match="is full"):
        store.answer(opened.room, new_student_id(), "b12_status", "normal")
    store.answer(opened.room, inside[0], "next_step", "measure_mma")  # a student already in still answers
    assert store.tally(opened.room).students == 3
    assert MAX_STUDENTS >= 600  # the real limit holds a lecture hall


# --- the teacher key -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["reveal", "lock", "vote_again", "reset", "export", "set_timer"])
@pytest.mark.parametrize("key", ["", "wrong-key", None])
def test_teacher_actions_need_the_rooms_key(store: ClassStore, action: str, key: object) -> None:
    opened = store.open_room(CASE)
    store.answer(opened.room, new_student_id(), "b12_status", "normal")
    args: tuple[object, ...] = (60,) if action == "set_timer" else ()
    with pytest.raises(ClassError, match="teacher key: this key does not open room"):
        getattr(store, action)(opened.room, key, *args)
    room = store.room(opened.room)
    assert (room.round, room.locked, room.revealed, room.closes_at) == (1, False, False, None)
    assert store.tally(opened.room).students == 1


def test_another_rooms_key_opens_nothing(store: ClassStore) -> None:
    one, two = store.open_room(CASE), store.open_room(CASE)
    with pytest.raises(ClassError, match="teacher key"):
        store.reveal(one.room, two.teacher_key)


# --- export ----------------------------------------------------------------------------------------------------
def test_export_is_anonymous_and_spreadsheet_safe(store: ClassStore) -> None:
    opened = store.open_room(CASE)
    ids = _students(3)
    for sid, option in zip(ids, ["deficient", "normal", "deficient"], strict=True):
        store.answer(opened.room, sid, "b12_status", option)
    store.answer(opened.room, ids[1], "next_step", "oral_or_im")
    room, rows = store.export(opened.room, opened.teacher_key)
    text = results_csv(room, rows)
    for sid in ids:
        assert sid not in text
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 4
    assert {r["student"] for r in table} == {"1", "2", "3"}
    assert {(r["question"], r["answer"], r["right"]) for r in table} == {
        ("b12_status", "deficient", "yes"),
        ("b12_status", "normal", "no"),
        ("next_step", "oral_or_im", "yes"),
    }
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in table for cell in r.values())


# --- both backends agree, and several processes share one store ---------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    answers=st.lists(
        st.tuples(st.integers(0, 7), st.sampled_from(["b12_status", "next_step"]), st.integers(0, 5)), max_size=40
    )
)
def test_the_tally_counts_each_students_last_answer_once(
    tmp_path_factory: pytest.TempPathFactory, answers: list
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    store = SqliteStore(str(folder / "c.sqlite3"))
    opened = store.open_room(CASE)
    students = _students(8)
    options = {q.id: list(q.options) for q in questions_for(CASE)}
    last: dict[tuple[int, str], str] = {}
    for who, question, which in answers:
        store.answer(opened.room, students[who], question, options[question][which])
        last[(who, question)] = options[question][which]
    tally = store.tally(opened.room)
    assert tally.students == len({who for who, _ in last})
    for question, counts in tally.questions.items():
        expected = {o: 0 for o in options[question]}
        for (_, q), option in last.items():
            if q == question:
                expected[option] += 1
        assert counts == expected
    store.close()


def _answer_many(url: str, room: str, n: int) -> None:
    store = make_store(url)
    for _ in range(n):
        sid = new_student_id()
        store.answer(room, sid, "b12_status", "deficient")
        store.answer(room, sid, "b12_status", "deficient")  # re-sent: counts once
        store.answer(room, sid, "next_step", "oral_or_im")
    store.close()


def test_several_processes_share_one_store(backend: tuple[str, str]) -> None:
    _, url = backend
    store = make_store(url)
    opened = store.open_room(CASE)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_answer_many, args=(url, opened.room, 40)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    tally = store.tally(opened.room)
    assert tally.students == 160
    assert tally.questions["b12_status"]["deficient"] == 160
    assert tally.questions["next_step"]["oral_or_im"] == 160
    store.close()


def test_sqlite_store_uses_wal(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "c.sqlite3"))
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    store.close()


# --- store URLs and errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://x", "store: 'mysql://x' is not a store URL"),
        ("sqlite:///", "names no file"),
        ("sqlite:////no/such/folder/x.sqlite3", "the folder of '/no/such/folder/x.sqlite3' does not exist"),
    ],
)
def test_bad_store_urls_are_one_clear_error(url: str, message: str) -> None:
    with pytest.raises(ClassError, match=message):
        make_store(url)
    assert not Path("/no/such/folder").exists()


def test_an_unreachable_redis_is_one_clear_error_without_the_password() -> None:
    url = f"redis://:secret-pw@127.0.0.1:{free_port()}/0"
    with pytest.raises(ClassError, match=r"store: cannot use 'redis://\*\*\*@127.0.0.1") as info, store_errors(url):
        make_store(url).room("ABCDEF")
    assert "secret-pw" not in str(info.value)


# --- rate limit --------------------------------------------------------------------------------------------------
@given(times=st.lists(st.floats(0, 100, allow_nan=False), max_size=60))
def test_a_token_bucket_never_allows_more_than_capacity_plus_refill(times: list[float]) -> None:
    bucket = TokenBucket(capacity=6, per_second=0.5, now=0.0)
    times = sorted(times)
    allowed = sum(bucket.take(t) for t in times)
    span = times[-1] if times else 0.0
    assert allowed <= 6 + span * 0.5 + 1e-9


def test_a_flood_is_slowed_then_allowed_again() -> None:
    bucket = TokenBucket(capacity=6, per_second=0.5, now=0.0)
    assert [bucket.take(0.0) for _ in range(8)] == [True] * 6 + [False] * 2
    assert bucket.wait_s() == pytest.approx(2.0)
    assert not bucket.take(1.9)
    assert bucket.take(2.0)


def test_every_teaching_case_can_open_a_room(store: ClassStore) -> None:
    for case_id in TEACHING_CASES:
        opened = store.open_room(case_id)
        assert store.room(opened.room).case_id == case_id
