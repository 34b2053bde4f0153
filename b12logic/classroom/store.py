"""The class store: rooms and anonymous answers, behind one small interface with two backends.

`ClassStore` holds every rule (codes, teacher keys, validation, rounds, the timer, capacity); a backend
(sqlite_store, redis_store) only keeps rows and does the one write that must be atomic, recording an answer,
in a single transaction (SQLite) or script (Redis), so that no replica can record into a locked, closed or
expired round. What is stored: the teaching case of a room, a hash of its teacher key, its state, and per
round each student's chosen option. A student is a random id made by the page for one browser tab; no name,
address or other personal detail is asked for or kept. Rooms expire (`ROOM_TTL_S`).

>>> store = open_store("sqlite:///:memory:")
>>> opened = store.open_room("metformin_fatigue")
>>> opened.student_path == f"/class?room={opened.room}"
True
>>> store.answer(opened.room, new_student_id(), "b12_status", "deficient")
>>> store.tally(opened.room).questions["b12_status"]["deficient"]
1
>>> store.answer(opened.room, new_student_id(), "b12_status", "maybe")
Traceback (most recent call last):
...
b12logic.classroom.store.ClassError: option: 'maybe' is not an answer to question 'b12_status' (answers: deficient, functional_deficiency, indeterminate_needs_mma, not_confirmed, normal_needs_mma_hcy, normal)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from b12logic.classroom.questions import QUESTION_IDS, question_of, questions_for
from b12logic.teaching_cases import TEACHING_CASES

ENV_VAR = "B12_CLASS_STORE"
DEFAULT_SQLITE_FILE = "b12-class-rooms.sqlite3"  # in the run directory (the server's working directory)
ROOM_TTL_S = 12 * 3600  # a teaching day; then the room and its answers are gone
MAX_STUDENTS = 2000  # per round: bounds what one room can hold
TIMER_RANGE_S = (10, 900)
# Room codes: 6 characters without look-alikes (no 0/O, 1/I/L), read aloud or typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_PATTERN = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
STUDENT_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class ClassError(ValueError):
    """A refused request: the message says which part (room, question, option, key ...) and why."""


@dataclass(frozen=True)
class Room:
    code: str
    case_id: str
    created: float
    expires: float
    round: int = 1
    locked: bool = False
    revealed: bool = False
    closes_at: float | None = None  # the round's timer: answers after this moment are refused

    def time_left(self, now: float) -> float | None:
        return None if self.closes_at is None else max(0.0, self.closes_at - now)

    def accepting(self, now: float) -> bool:
        return not self.locked and (self.closes_at is None or now < self.closes_at)


@dataclass(frozen=True)
class OpenedRoom:
    """What `class open` prints: the room code, the teacher's secret key and the students' link."""

    room: str
    teacher_key: str
    student_path: str


@dataclass(frozen=True)
class Counts:
    """How many have answered this round (not what): distinct students, and per question."""

    students: int
    per_question: dict[str, int]


@dataclass(frozen=True)
class Tally:
    """What the room answered in one round: students, and per question every option's count (zeros too)."""

    round: int
    students: int
    questions: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerRow:
    round: int
    student: str
    question: str
    option: str


def new_student_id() -> str:
    """An anonymous id for one browser tab: random, unguessable, meaning nothing outside this store."""
    return secrets.token_urlsafe(16)


def normalise_code(raw: object) -> str:
    """A room code as typed (any case, spaces) in its stored form; ClassError when it cannot be one."""
    code = re.sub(r"[\s-]", "", str(raw)).upper()
    if not CODE_PATTERN.fullmatch(code):
        shown = str(raw)[:40]
        raise ClassError(f"room: {shown!r} is not a room code (6 letters and digits, e.g. 'K7QM2X')")
    return code


def _hash_key(code: str, key: str) -> str:
    # The store keeps only a hash of the teacher key, salted by the room code: a copy of the store opens no room.
    return hashlib.sha256(f"{code}:{key}".encode()).hexdigest()


class ClassStore(ABC):
    """Rooms and answers. Every public method validates first and touches the backend only with good input."""

    def __init__(self, clock: Callable[[], float] = time.time, ttl_s: float = ROOM_TTL_S) -> None:
        self.clock = clock
        self.ttl_s = ttl_s

    # -- backend primitives -----------------------------------------------------------------------------------
    @abstractmethod
    def _insert_room(self, room: Room, key_hash: str) -> bool:
        """Store a new room; False if the code is taken (by a live room)."""

    @abstractmethod
    def _load_room(self, code: str) -> tuple[Room, str] | None:
        """The room and its key hash, or None when there is no such room or it has expired."""

    @abstractmethod
    def _save_room(self, room: Room) -> None:
        """Write a room's state (round, locked, revealed, closes_at)."""

    @abstractmethod
    def _record(self, room: Room, student: str, question: str, option: str, expected_round: int | None) -> str:
        """Atomically, against the room as stored now: refuse ("room", "round", "locked", "time", "full") or
        set this student's option for the question in the current round ("ok")."""

    @abstractmethod
    def _answers(self, room: Room, round_: int | None) -> list[AnswerRow]:
        """Every stored answer of one round (None: of every round), in a stable order."""

    @abstractmethod
    def _student_answers(self, room: Room, student: str) -> dict[str, str]:
        """One student's options in the room's current round."""

    @abstractmethod
    def _counts(self, room: Room) -> Counts:
        """How many answered in the current round."""

    @abstractmethod
    def _clear(self, room: Room) -> None:
        """Delete every answer of the room (every round)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections (the store is unusable afterwards)."""

    # -- rooms ------------------------------------------------------------------------------------------------
    def open_room(self, case_id: str) -> OpenedRoom:
        if case_id not in TEACHING_CASES:
            raise ClassError(f"case: {case_id!r} is not a teaching case (cases: {', '.join(TEACHING_CASES)})")
        now = self.clock()
        for _ in range(20):  # 31^6 codes: a clash is rare, and retried
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            key = secrets.token_urlsafe(18)
            room = Room(code=code, case_id=case_id, created=now, expires=now + self.ttl_s)
            if self._insert_room(room, _hash_key(code, key)):
                return OpenedRoom(room=code, teacher_key=key, student_path=f"/class?room={code}")
        raise ClassError("room: could not find a free room code; try again")

    def room(self, code: object) -> Room:
        return self._room_and_hash(code)[0]

    def _room_and_hash(self, code: object) -> tuple[Room, str]:
        normal = normalise_code(code)
        found = self._load_room(normal)
        if found is None:
            raise ClassError(f"room: {normal!r} is not an open room (check the code; rooms close after 12 hours)")
        return found

    def is_teacher(self, code: object, key: object) -> bool:
        try:
            room, key_hash = self._room_and_hash(code)
        except ClassError:
            return False
        return isinstance(key, str) and hmac.compare_digest(_hash_key(room.code, key), key_hash)

    def _as_teacher(self, code: object, key: object) -> Room:
        room, key_hash = self._room_and_hash(code)
        if not (isinstance(key, str) and hmac.compare_digest(_hash_key(room.code, key), key_hash)):
            raise ClassError(f"teacher key: this key does not open room {room.code!r}")
        return room

    # -- students ---------------------------------------------------------------------------------------------
    def answer(
        self, code: object, student: object, question: object, option: object, expected_round: int | None = None
    ) -> None:
        """Record (or change) one student's answer to one question of the current round; ClassError if refused.

        `expected_round`: the round the student's page showed; an answer sent from a page of an earlier round
        is refused, so a "vote again" never receives an answer given before it."""
        if not isinstance(student, str) or not STUDENT_PATTERN.fullmatch(student):
            raise ClassError("student: not a student id of this app (reload the page)")
        room = self.room(code)
        q = question_of(room.case_id, str(question)) if isinstance(question, str) else None
        if q is None:
            raise ClassError(
                f"question: {str(question)[:40]!r} is not a question of room {room.code!r} "
                f"(questions: {', '.join(QUESTION_IDS)})"
            )
        if not isinstance(option, str) or option not in q.options:
            raise ClassError(
                f"option: {str(option)[:40]!r} is not an answer to question {q.id!r} (answers: {', '.join(q.options)})"
            )
        outcome = self._record(room, student, q.id, option, expected_round)
        if outcome != "ok":
            raise ClassError(_REFUSALS[outcome].format(room=room.code, max=MAX_STUDENTS))

    def my_answers(self, code: object, student: str) -> dict[str, str]:
        room = self.room(code)
        return self._student_answers(room, student) if STUDENT_PATTERN.fullmatch(student) else {}

    def counts(self, code: object) -> Counts:
        room = self.room(code)
        counted = self._counts(room)
        per_question = {q.id: counted.per_question.get(q.id, 0) for q in questions_for(room.case_id)}
        return Counts(students=counted.students, per_question=per_question)

    def tally(self, code: object, round_: int | None = None) -> Tally:
        """Counts per option for one round (default: the current one). Open to anyone who can reach the store
        (the CLI); the page shows it only to the teacher, after the reveal."""
        room = self.room(code)
        which = room.round if round_ is None else round_
        rows = self._answers(room, which)
        questions = {q.id: dict.fromkeys(q.options, 0) for q in questions_for(room.case_id)}
        for row in rows:
            questions[row.question][row.option] += 1
        return Tally(round=which, students=len({row.student for row in rows}), questions=questions)

    # -- teacher ----------------------------------------------------------------------------------------------
    def reveal(self, code: object, key: object, shown: bool = True) -> Room:
        return self._set(self._as_teacher(code, key), revealed=shown)

    def lock(self, code: object, key: object, locked: bool = True) -> Room:
        return self._set(self._as_teacher(code, key), locked=locked)

    def vote_again(self, code: object, key: object) -> Room:
        """A new round: answers open again, hidden; the earlier rounds are kept (tally, export)."""
        room = self._as_teacher(code, key)
        return self._set(room, round=room.round + 1, locked=False, revealed=False, closes_at=None)

    def reset(self, code: object, key: object) -> Room:
        """Every answer of every round deleted; round 1, open, hidden."""
        room = self._as_teacher(code, key)
        self._clear(room)
        return self._set(room, round=1, locked=False, revealed=False, closes_at=None)

    def set_timer(self, code: object, key: object, seconds: float | None) -> Room:
        """Close this round's answers `seconds` from now (None: no timer)."""
        room = self._as_teacher(code, key)
        if seconds is None:
            return self._set(room, closes_at=None)
        low, high = TIMER_RANGE_S
        if not low <= seconds <= high:  # also false for NaN
            raise ClassError(f"timer: {seconds!r} s is outside the allowed range ({low} to {high} s)")
        return self._set(room, closes_at=self.clock() + seconds)

    def export(self, code: object, key: object) -> tuple[Room, list[AnswerRow]]:
        """Every round's answers, for the teacher's CSV (b12logic.classroom.export makes it anonymous)."""
        room = self._as_teacher(code, key)
        return room, self._answers(room, None)

    def _set(self, room: Room, **changes: object) -> Room:
        updated = replace(room, **changes)  # type: ignore[arg-type]
        self._save_room(updated)
        return updated


_REFUSALS = {
    "room": "room: {room!r} is not an open room (it may have expired)",
    "round": "round: the teacher has started a new round in room {room!r}: answer again",
    "locked": "locked: the teacher has locked the answers in room {room!r}",
    "time": "time: the time for answers in room {room!r} is up",
    "full": "room: {room!r} is full ({max} students have answered)",
}

_OPEN: dict[str, ClassStore] = {}
_OPEN_LOCK = threading.Lock()


def default_store_url() -> str:
    """B12_CLASS_STORE, else an SQLite file in the run directory (the working directory)."""
    return os.environ.get(ENV_VAR) or f"sqlite:///{os.path.abspath(DEFAULT_SQLITE_FILE)}"


def make_store(url: str) -> ClassStore:
    """A new store for `sqlite:///PATH` (`sqlite:///:memory:` for one process) or `redis://HOST:PORT/DB`."""
    if url.startswith("sqlite:///"):
        from b12logic.classroom.sqlite_store import SqliteStore

        path = url.removeprefix("sqlite:///")
        if not path:
            raise ClassError(f"store: {url!r} names no file (e.g. sqlite:///class.sqlite3)")
        return SqliteStore(path if path == ":memory:" else os.path.abspath(path))
    if url.startswith(("redis://", "rediss://", "unix://")):
        from b12logic.classroom.redis_store import RedisStore

        return RedisStore(url)
    raise ClassError(f"store: {url[:80]!r} is not a store URL (sqlite:///PATH or redis://HOST:PORT/DB)")


def open_store(url: str | None = None) -> ClassStore:
    """The process's store for this URL (default: `default_store_url()`), opened once and shared by threads."""
    url = url or default_store_url()
    with _OPEN_LOCK:
        store = _OPEN.get(url)
        if store is None:
            store = _OPEN[url] = make_store(url)
        return store


@contextmanager
def store_errors(url: str) -> Iterator[None]:
    """A store that cannot be reached (no such folder, Redis down) becomes one ClassError naming it."""
    try:
        yield
    except ClassError:
        raise
    except (sqlite3.Error, OSError) as err:
        raise ClassError(f"store: cannot use {_shown(url)} ({err})") from err
    except Exception as err:
        if type(err).__module__.split(".")[0] != "redis":
            raise
        raise ClassError(f"store: cannot use {_shown(url)} ({type(err).__name__}: {err})") from err


def _shown(url: str) -> str:
    # A Redis URL may carry a password: never echo it.
    return repr(re.sub(r"//[^@/]*@", "//***@", url)[:120])
