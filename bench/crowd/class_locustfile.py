"""Locust students of a live class: each opens the room's link on a "phone" and answers its two questions.

Run through bench/crowd/class_run.py (it opens the room, starts the servers, a presenter and this file, and checks
the tally). Loopback only (checked at start). Environment:
- CROWD_ROOM: the room code; CROWD_OPTIONS: JSON {question: [option label, ...]} (what the radios show);
- CROWD_SAMPLES: a file prefix; each process writes <prefix>.<pid>.json with every answer (wall time sent,
  wall time confirmed, ms, ok, question, label) and every student (student id, confirmed answers, reconnects,
  errors);
- CROWD_DELAY: "min,max" seconds between joining and the first answer (default "0.5,3");
- CROWD_USERS, CROWD_MIN_SECONDS: the run ends as soon as all CROWD_USERS students have every answer confirmed,
  but not before CROWD_MIN_SECONDS (Locust's -t is then only a cap): a load tool slowed by the machine's other
  work still lets every student answer, and a quick run does not idle.
A student whose websocket drops (a replica killed) reconnects with the same link, so the same student id (the
page keeps it in the URL), and sends both answers again: a re-sent answer must count once.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import gevent
from locust import User, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from protocol import ProtocolError, StreamlitSession, choose, press, refuse_unless_loopback

ROOM = os.environ.get("CROWD_ROOM", "")
OPTIONS: dict[str, list[str]] = json.loads(os.environ.get("CROWD_OPTIONS", "{}"))
SAMPLES = os.environ.get("CROWD_SAMPLES", "")
DELAY = tuple(float(x) for x in os.environ.get("CROWD_DELAY", "0.5,3").split(","))
USERS = int(os.environ.get("CROWD_USERS", "0"))
MIN_SECONDS = float(os.environ.get("CROWD_MIN_SECONDS", "0"))
ANSWERS: list[tuple[float, float, float, bool, str, str]] = []
STUDENTS: list[ClassStudent] = []


@events.test_start.add_listener
def _loopback_only(environment: Any, **_: Any) -> None:
    refuse_unless_loopback(environment.host)
    if USERS:
        gevent.spawn(_stop_when_everyone_answered, environment, time.time())


def _stop_when_everyone_answered(environment: Any, started: float) -> None:
    while True:
        gevent.sleep(0.5)
        done = sum(1 for s in STUDENTS if len(s.confirmed) == len(OPTIONS))
        if done >= USERS and time.time() - started >= MIN_SECONDS and environment.runner is not None:
            environment.runner.quit()
            return


@events.test_stop.add_listener
def _write_samples(environment: Any, **_: Any) -> None:
    for student in STUDENTS:
        student.session.close()
    if SAMPLES:
        out = {"answers": ANSWERS, "students": [s.summary() for s in STUDENTS]}
        Path(f"{SAMPLES}.{os.getpid()}.json").write_text(json.dumps(out))


class ClassStudent(User):
    """Joins, waits a moment (reading the case), answers both questions, then keeps the page open."""

    wait_time = between(1.0, 2.0)

    def on_start(self) -> None:
        STUDENTS.append(self)
        self.joined_at = time.time()
        self.session = StreamlitSession(self.host)
        self.choices = {q: random.choice(labels) for q, labels in OPTIONS.items()}
        self.confirmed: dict[str, str] = {}
        self.first_confirmed: float | None = None  # when the presenter's count should first include this student
        self.reconnects = 0
        self.resent = 0  # answers sent again after a reconnect that the store had already confirmed
        self.errors = 0
        self.last_error = ""
        self.joined = False
        self.ready_at = time.time() + random.uniform(*DELAY)
        try:
            reply = self.session.start("class", f"room={ROOM}")
            self.joined = not reply.exceptions
        except (ProtocolError, OSError) as exc:
            self._error(exc)

    def summary(self) -> dict[str, Any]:
        student = parse_qs(self.session.query_string).get("student", [""])[0]
        return {
            "student": student,
            "joined_at": self.joined_at,
            "confirmed": self.confirmed,
            "first_confirmed": self.first_confirmed,
            "reconnects": self.reconnects,
            "resent": self.resent,
            "errors": self.errors,
            "last_error": self.last_error,
        }

    def _error(self, exc: Exception) -> None:
        self.errors += 1
        self.last_error = f"{type(exc).__name__}: {exc}"[:300]

    def _reconnect(self) -> bool:
        """As the browser does when its websocket drops: same URL (same student id), a first run again."""
        # The tab's address: the link it opened, or what the page wrote into it since (the student id). The
        # first run sends it, as a browser sends its URL's query (a run without it is the landing page).
        query = self.session.query_string or f"room={ROOM}"
        self.session.query_string = query
        for attempt in range(20):
            try:
                self.session.close()
                self.session.open_page("class", query)
                self.session.connect()
                self.session.rerun(page_name="class", first=True)
            except Exception:  # refused, reset, timed out: try again, as the browser does
                time.sleep(0.25 * (attempt + 1))
                continue
            self.reconnects += 1
            self.resent += len(self.confirmed)
            self.confirmed.clear()  # send both again: the store must count each once
            return True
        return False

    def _answer(self, question: str) -> None:
        label = self.choices[question]
        sent = time.time()
        t0 = time.perf_counter()
        error: Exception | None = None
        try:
            self.session.rerun(
                [
                    choose(self.session, f"answer_{question}_r1", label),
                    press(self.session, f"send_{question}_r1"),
                ]
            )
            if not any(t.startswith("Sent: your answer is") for t in self.session.texts):
                error = ProtocolError(f"no confirmation: {[t[:80] for t in self.session.texts][-2:]}")
        except KeyError as exc:  # the page drawn is not the room's questions: say what it was, and reload
            error = ProtocolError(f"no widget {exc}; page said {[t[:60] for t in self.session.texts][:4]}")
            self.joined = False  # as a student would: open the link again (act() reconnects)
        except (ProtocolError, OSError) as exc:
            error = exc
        ms = (time.perf_counter() - t0) * 1000
        ok = error is None
        ANSWERS.append((sent, time.time(), ms, ok, question, label))
        self.environment.events.request.fire(
            request_type="answer", name=question, response_time=ms, response_length=0, exception=error, context={}
        )
        if ok:
            self.confirmed[question] = label
            self.first_confirmed = self.first_confirmed or time.time()
        else:
            self._error(error)  # type: ignore[arg-type]

    @task
    def act(self) -> None:
        if time.time() < self.ready_at:
            return
        if self.session.ws is None or not self.joined:
            self.joined = self._reconnect()
            if not self.joined:
                return
        for question in OPTIONS:
            if question not in self.confirmed:
                self._answer(question)
                if self.session.ws is None or not self.joined:
                    return
