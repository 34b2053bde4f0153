"""The embedded class store: one SQLite file shared by every replica on the machine.

WAL journal (readers never wait for the writer), `synchronous=NORMAL` (a commit survives the process being
killed, which is what a replica dying mid-vote is; only a power cut can lose the last commits), a busy timeout
so replicas queue for the write lock instead of failing, and `BEGIN IMMEDIATE` for the answer, which reads the
room and writes the answer in one transaction. One connection per process, used under a lock: Streamlit runs
each session's script in its own thread, and each statement here takes well under a millisecond.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from b12logic.classroom.store import MAX_STUDENTS, AnswerRow, ClassError, ClassStore, Counts, Room

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    round INTEGER NOT NULL DEFAULT 1,
    locked INTEGER NOT NULL DEFAULT 0,
    revealed INTEGER NOT NULL DEFAULT 0,
    closes_at REAL
);
CREATE TABLE IF NOT EXISTS answers (
    room TEXT NOT NULL,
    round INTEGER NOT NULL,
    question TEXT NOT NULL,
    student TEXT NOT NULL,
    option TEXT NOT NULL,
    PRIMARY KEY (room, round, question, student)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS answers_by_student ON answers (room, round, student);
"""


class SqliteStore(ClassStore):
    def __init__(self, path: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.path = path
        if path != ":memory:" and not Path(path).parent.is_dir():  # a typo should not create folders
            raise ClassError(f"store: the folder of {path!r} does not exist")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _insert_room(self, room: Room, key_hash: str) -> bool:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                # Expired rooms go when a new one opens: nothing outlives its TTL by more than a class.
                gone = [r[0] for r in self._db.execute("SELECT code FROM rooms WHERE expires <= ?", (room.created,))]
                for code in gone:
                    self._db.execute("DELETE FROM answers WHERE room = ?", (code,))
                    self._db.execute("DELETE FROM rooms WHERE code = ?", (code,))
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO rooms (code, case_id, key_hash, created, expires) VALUES (?, ?, ?, ?, ?)",
                    (room.code, room.case_id, key_hash, room.created, room.expires),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return cursor.rowcount == 1

    def _load_room(self, code: str) -> tuple[Room, str] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT case_id, key_hash, created, expires, round, locked, revealed, closes_at FROM rooms "
                "WHERE code = ? AND expires > ?",
                (code, self.clock()),
            ).fetchone()
        if row is None:
            return None
        case_id, key_hash, created, expires, round_, locked, revealed, closes_at = row
        room = Room(code, case_id, created, expires, round_, bool(locked), bool(revealed), closes_at)
        return room, key_hash

    def _save_room(self, room: Room) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE rooms SET round = ?, locked = ?, revealed = ?, closes_at = ? WHERE code = ?",
                (room.round, int(room.locked), int(room.revealed), room.closes_at, room.code),
            )

    def _record(self, room: Room, student: str, question: str, option: str, expected_round: int | None) -> str:
        now = self.clock()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                outcome = self._record_in_transaction(room.code, student, question, option, expected_round, now)
                self._db.execute("COMMIT" if outcome == "ok" else "ROLLBACK")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return outcome

    def _record_in_transaction(
        self, code: str, student: str, question: str, option: str, expected_round: int | None, now: float
    ) -> str:
        row = self._db.execute(
            "SELECT round, locked, closes_at FROM rooms WHERE code = ? AND expires > ?", (code, now)
        ).fetchone()
        if row is None:
            return "room"
        round_, locked, closes_at = row
        if expected_round is not None and expected_round != round_:
            return "round"
        if locked:
            return "locked"
        if closes_at is not None and now >= closes_at:
            return "time"
        known = self._db.execute(
            "SELECT 1 FROM answers WHERE room = ? AND round = ? AND student = ? LIMIT 1", (code, round_, student)
        ).fetchone()
        if known is None:
            (students,) = self._db.execute(
                "SELECT COUNT(DISTINCT student) FROM answers WHERE room = ? AND round = ?", (code, round_)
            ).fetchone()
            if students >= MAX_STUDENTS:
                return "full"
        self._db.execute(
            "INSERT INTO answers (room, round, question, student, option) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (room, round, question, student) DO UPDATE SET option = excluded.option",
            (code, round_, question, student, option),
        )
        return "ok"

    def _answers(self, room: Room, round_: int | None) -> list[AnswerRow]:
        query = "SELECT round, student, question, option FROM answers WHERE room = ?"
        args: tuple[object, ...] = (room.code,)
        if round_ is not None:
            query += " AND round = ?"
            args += (round_,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY round, question, student", args).fetchall()
        return [AnswerRow(*r) for r in rows]

    def _student_answers(self, room: Room, student: str) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT question, option FROM answers WHERE room = ? AND round = ? AND student = ?",
                (room.code, room.round, student),
            ).fetchall()
        return dict(rows)

    def _counts(self, room: Room) -> Counts:
        with self._lock:
            rows = self._db.execute(
                "SELECT question, COUNT(*) FROM answers WHERE room = ? AND round = ? GROUP BY question",
                (room.code, room.round),
            ).fetchall()
            (students,) = self._db.execute(
                "SELECT COUNT(DISTINCT student) FROM answers WHERE room = ? AND round = ?", (room.code, room.round)
            ).fetchone()
        return Counts(students=students, per_question=dict(rows))

    def _clear(self, room: Room) -> None:
        with self._lock:
            self._db.execute("DELETE FROM answers WHERE room = ?", (room.code,))
