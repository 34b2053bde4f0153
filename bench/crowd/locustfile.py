"""Locust users for the lecture hall: each one is a student's phone with the shared link open.

Run through bench/crowd/run.py (it starts the app, bounds users and time, samples the server and writes the
figures); by hand: ``.venv/bin/locust -f bench/crowd/locustfile.py --headless -u 50 -r 10 -t 30s --host URL``.
Loopback only: the host must be 127.0.0.1 or localhost (checked at start).

Environment (set by run.py):
- CROWD_SCENARIO: ``slider`` (the issue's measurement: a new B12 value every few seconds on the Explorer),
  ``mixed`` (mostly slider moves, with page switches, a teaching case loaded and the link opened anew), or one of
  ``pages``, ``teaching``, ``link`` alone.
- CROWD_PAUSE: "min,max" seconds between a student's actions (default "4,6": one move per ~5 s).
- CROWD_SAMPLES: a file prefix; at the end every rerun (time, scenario, ms, ok) and every student's summary
  (replica cookies seen, reruns, errors, reconnects, whether the case came back after a reconnect) are written
  to <prefix>.<pid>.json.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from locust import User, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from protocol import ProtocolError, StreamlitSession, choose, press, refuse_unless_loopback, slider_move

SCENARIO = os.environ.get("CROWD_SCENARIO", "slider")
PAUSE = tuple(float(x) for x in os.environ.get("CROWD_PAUSE", "4,6").split(","))
SAMPLES = os.environ.get("CROWD_SAMPLES", "")
COOKIE = os.environ.get("CROWD_COOKIE", "replica")  # the balancer's sticky-session cookie
PAGES = ["", "treatment", "compare", "mechanism", "teaching", "references"]
# Shared links a teacher would put on a slide: teaching cases (the URL carries the case; DESIGN "Shareable links").
LINKS = [
    "age=68&sex=female&b12=150&esr=30&mcv=104&hb=11.6&risk_factors=metformin&guideline=source",
    "age=74&sex=female&b12=140&esr=48&mcv=118&hb=7.2&hb_unit=g%2FdL&risk_factors=pernicious_anaemia",
    "age=71&sex=male&b12=260&esr=36&mma=340&neuro_symptoms=yes",
    "",
]

RERUNS: list[tuple[float, str, float, bool]] = []  # (wall time, scenario, ms, ok)
STUDENTS: list[Student] = []


@events.test_start.add_listener
def _loopback_only(environment: Any, **_: Any) -> None:
    refuse_unless_loopback(environment.host)


@events.test_stop.add_listener
def _write_samples(environment: Any, **_: Any) -> None:
    for student in STUDENTS:
        student.session.close()
    if not SAMPLES:
        return
    out = {
        "reruns": RERUNS,
        "students": [s.summary() for s in STUDENTS],
    }
    Path(f"{SAMPLES}.{os.getpid()}.json").write_text(json.dumps(out))


class Student(User):
    """One phone: opens the link, then every few seconds moves a slider (or, in ``mixed``, does something else)."""

    wait_time = between(*PAUSE)

    def on_start(self) -> None:
        STUDENTS.append(self)
        self.session = StreamlitSession(self.host)
        self.link = random.choice(LINKS)
        self.replicas: list[str | None] = []
        self.reruns = 0
        self.errors = 0
        self.reconnects = 0
        self.reruns_after_reconnect = 0
        self.case_restored: list[bool] = []
        self.last_error = ""
        self._timed("open link", lambda: self.session.start("", self.link))

    def summary(self) -> dict[str, Any]:
        return {
            "replicas": self.replicas,
            "reruns": self.reruns,
            "errors": self.errors,
            "reconnects": self.reconnects,
            "reruns_after_reconnect": self.reruns_after_reconnect,
            "case_restored": self.case_restored,
            "last_error": self.last_error,
        }

    # -- timing and recovery --------------------------------------------------------------------------------
    def _timed(self, name: str, action: Any) -> None:
        started = time.time()
        t0 = time.perf_counter()
        error: Exception | None = None
        try:
            reply = action()
            if reply.exceptions or reply.status not in (0, 3):  # 3: a fragment's run finished
                error = ProtocolError(f"run ended with {reply.exceptions or reply.status}")
        except (ProtocolError, KeyError, OSError) as exc:
            error = exc
        ms = (time.perf_counter() - t0) * 1000
        if name == "open link":
            self.replicas.append(self.session.cookie(COOKIE))
        RERUNS.append((started, name, ms, error is None))
        self.environment.events.request.fire(
            request_type="rerun", name=name, response_time=ms, response_length=0, exception=error, context={}
        )
        if error is None:
            self.reruns += 1
            self.reruns_after_reconnect += 1 if self.reconnects else 0
            return
        self.errors += 1
        self.last_error = f"{type(error).__name__}: {error}"[:300]
        if self.session.ws is None:
            self._reconnect()

    def _reconnect(self) -> None:
        """What the browser does when its websocket drops: reconnect to the same URL, rerun with the URL's case."""
        case_before = self.session.query_string
        for attempt in range(10):
            try:
                self.session.open_page("", case_before)
                self.session.connect()
                reply = self.session.rerun(first=True)
            except Exception:  # any failure (refused, reset, timed out): try again, as the browser does
                time.sleep(0.5 * (attempt + 1))
                continue
            self.reconnects += 1
            self.replicas.append(self.session.cookie(COOKIE))
            self.case_restored.append(self.session.query_string == case_before and not reply.exceptions)
            return

    # -- what a student does ----------------------------------------------------------------------------------
    def _move_slider(self) -> None:
        value = random.randrange(60, 900, 5)
        self._timed("slider", lambda: self.session.rerun([slider_move(self.session, "in_b12", value)]))

    def _switch_page(self) -> None:
        here = next((p for p, h in self.session.pages.items() if h == self.session.page_hash), "")
        target = random.choice([p for p in PAGES if p != here])
        self._timed("page", lambda: self.session.rerun(page=target))

    def _load_teaching_case(self) -> None:
        def load() -> Any:
            if "teaching" not in self.session.pages or self.session.pages["teaching"] != self.session.page_hash:
                self.session.rerun(page="teaching")
            options = self.session.options[self.session.widget_id("teaching_case")]
            self.session.rerun([choose(self.session, "teaching_case", random.choice(options))])
            return self.session.rerun([press(self.session, "teaching_load")])

        self._timed("teaching case", load)

    def _open_link_again(self) -> None:
        self.session.close()
        self.session = StreamlitSession(self.host)
        self._timed("open link", lambda: self.session.start("", random.choice(LINKS)))

    @task
    def act(self) -> None:
        if self.session.ws is None:
            self._reconnect()
            if self.session.ws is None:
                return
        if SCENARIO == "slider":
            self._move_slider()
        elif SCENARIO == "pages":
            self._switch_page()
        elif SCENARIO == "teaching":
            self._load_teaching_case()
        elif SCENARIO == "link":
            self._open_link_again()
        else:  # mixed: a class mostly moves the slider the teacher talks about
            roll = random.random()
            if roll < 0.75:
                self._move_slider()
            elif roll < 0.90:
                self._switch_page()
            elif roll < 0.97:
                self._load_teaching_case()
            else:
                self._open_link_again()
