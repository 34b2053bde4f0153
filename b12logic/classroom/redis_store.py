"""The class store in Redis (`redis://HOST:PORT/DB`), for replicas on several machines.

Keys (every one expires with its room, EXPIREAT):
- `b12class:{CODE}` a hash: case_id, key_hash, created, expires, round, locked, revealed, closes_at ("" = none);
- `b12class:{CODE}:r{N}:{QUESTION}` a hash: student -> option, for round N;
- `b12class:{CODE}:r{N}:students` a set: the students who answered in round N (the presenter's count).
Recording an answer is one Lua script, so the room's state is read and the answer written atomically on the
server: no replica can record into a locked, closed or expired round, and a re-sent answer overwrites itself.
"""

from __future__ import annotations

from typing import Any

import redis

from b12logic.classroom.questions import QUESTION_IDS
from b12logic.classroom.store import MAX_STUDENTS, AnswerRow, ClassStore, Counts, Room

PREFIX = "b12class:"

# KEYS[1] room hash. ARGV: student, question, option, expected round ("" = any), now, max students.
RECORD = """
local room = redis.call('HMGET', KEYS[1], 'round', 'locked', 'closes_at', 'expires')
if not room[1] or tonumber(room[4]) <= tonumber(ARGV[5]) then return 'room' end
if ARGV[4] ~= '' and ARGV[4] ~= room[1] then return 'round' end
if room[2] == '1' then return 'locked' end
if room[3] ~= '' and tonumber(ARGV[5]) >= tonumber(room[3]) then return 'time' end
local base = KEYS[1] .. ':r' .. room[1]
local students = base .. ':students'
if redis.call('SISMEMBER', students, ARGV[1]) == 0 and redis.call('SCARD', students) >= tonumber(ARGV[6]) then
  return 'full'
end
local answers = base .. ':' .. ARGV[2]
redis.call('HSET', answers, ARGV[1], ARGV[3])
redis.call('SADD', students, ARGV[1])
local expires = math.ceil(tonumber(room[4]))
redis.call('EXPIREAT', answers, expires)
redis.call('EXPIREAT', students, expires)
return 'ok'
"""


class RedisStore(ClassStore):
    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url
        # Short timeouts: a page waits at most a few seconds for an unreachable server, then says so.
        # Typed Any: redis-py's stubs type every reply as bytes | str, although decode_responses gives str.
        self._redis: Any = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5)
        self._record_script = self._redis.register_script(RECORD)

    def close(self) -> None:
        self._redis.close()

    @staticmethod
    def _key(code: str) -> str:
        return f"{PREFIX}{code}"

    def _round_key(self, code: str, round_: int, part: str) -> str:
        return f"{self._key(code)}:r{round_}:{part}"

    def _insert_room(self, room: Room, key_hash: str) -> bool:
        key = self._key(room.code)
        fields = {
            "case_id": room.case_id,
            "key_hash": key_hash,
            "created": repr(room.created),
            "expires": repr(room.expires),
            "round": "1",
            "locked": "0",
            "revealed": "0",
            "closes_at": "",
        }
        # HSETNX on case_id claims the code; a clash with a live room leaves it untouched.
        if not self._redis.hsetnx(key, "case_id", room.case_id):
            return False
        pipe = self._redis.pipeline()
        pipe.hset(key, mapping=fields)
        pipe.expireat(key, int(room.expires) + 1)
        pipe.execute()
        return True

    def _load_room(self, code: str) -> tuple[Room, str] | None:
        data = self._redis.hgetall(self._key(code))
        if not data or "key_hash" not in data or float(data["expires"]) <= self.clock():
            return None
        room = Room(
            code=code,
            case_id=data["case_id"],
            created=float(data["created"]),
            expires=float(data["expires"]),
            round=int(data["round"]),
            locked=data["locked"] == "1",
            revealed=data["revealed"] == "1",
            closes_at=float(data["closes_at"]) if data["closes_at"] else None,
        )
        return room, data["key_hash"]

    def _save_room(self, room: Room) -> None:
        self._redis.hset(
            self._key(room.code),
            mapping={
                "round": str(room.round),
                "locked": "1" if room.locked else "0",
                "revealed": "1" if room.revealed else "0",
                "closes_at": "" if room.closes_at is None else repr(room.closes_at),
            },
        )

    def _record(self, room: Room, student: str, question: str, option: str, expected_round: int | None) -> str:
        args = [student, question, option, "" if expected_round is None else str(expected_round)]
        args += [repr(self.clock()), str(MAX_STUDENTS)]
        return str(self._record_script(keys=[self._key(room.code)], args=args))

    def _answers(self, room: Room, round_: int | None) -> list[AnswerRow]:
        rounds = range(1, room.round + 1) if round_ is None else [round_]
        pipe = self._redis.pipeline()
        keys = [(r, q) for r in rounds for q in QUESTION_IDS]
        for r, q in keys:
            pipe.hgetall(self._round_key(room.code, r, q))
        rows = [
            AnswerRow(r, student, q, option)
            for (r, q), answers in zip(keys, pipe.execute(), strict=True)
            for student, option in answers.items()
        ]
        return sorted(rows, key=lambda a: (a.round, a.question, a.student))

    def _student_answers(self, room: Room, student: str) -> dict[str, str]:
        pipe = self._redis.pipeline()
        for q in QUESTION_IDS:
            pipe.hget(self._round_key(room.code, room.round, q), student)
        return {q: option for q, option in zip(QUESTION_IDS, pipe.execute(), strict=True) if option is not None}

    def _counts(self, room: Room) -> Counts:
        pipe = self._redis.pipeline()
        pipe.scard(self._round_key(room.code, room.round, "students"))
        for q in QUESTION_IDS:
            pipe.hlen(self._round_key(room.code, room.round, q))
        students, *per = pipe.execute()
        return Counts(students=int(students), per_question=dict(zip(QUESTION_IDS, map(int, per), strict=True)))

    def _clear(self, room: Room) -> None:
        keys = [
            self._round_key(room.code, r, part)
            for r in range(1, room.round + 1)
            for part in (*QUESTION_IDS, "students")
        ]
        if keys:
            self._redis.delete(*keys)
