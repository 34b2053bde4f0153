"""scripts/serve.sh and the class store: one store for every replica, and a replica killed mid-vote loses nothing.

Small and bounded (20 protocol-level students, loopback); the 600-student runs and their figures are in
bench/RESULTS.md (bench/crowd/class_run.py). No timing is asserted.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "crowd"))
from crowd_tools import Servers, open_room, start_servers  # noqa: E402
from protocol import ProtocolError, StreamlitSession, choose, press  # noqa: E402

from b12logic.classroom import make_store, questions_for  # noqa: E402
from tests.redis_server import free_port  # noqa: E402

CASE = "metformin_fatigue"


@pytest.fixture(scope="module")
def two_replicas() -> Iterator[Servers]:
    servers = start_servers(2, free_port(), balancer=True, restart=False)
    yield servers
    servers.stop()


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def _answer(session: StreamlitSession, question: str, label: str) -> bool:
    session.rerun([choose(session, f"answer_{question}_r1", label), press(session, f"send_{question}_r1")])
    return any(t.startswith("Sent: your answer is") for t in session.texts)


def test_every_replica_gets_the_same_store_in_the_run_dir(two_replicas: Servers) -> None:
    stores = {_environ(p.pid)["B12_CLASS_STORE"] for p in two_replicas.replicas.values()}
    assert stores == {f"sqlite:///{two_replicas.run_dir.resolve() / 'class-rooms.sqlite3'}"}


def test_a_replica_killed_mid_vote_loses_no_answer_and_a_resent_answer_counts_once(two_replicas: Servers) -> None:
    store_url = two_replicas.store_url()
    room = open_room(store_url, CASE)["room"]
    labels = {q.id: list(q.options.values()) for q in questions_for(CASE)}
    students = []
    for n in range(20):
        s = StreamlitSession(two_replicas.url, timeout=30)
        s.start("class", f"room={room}")
        assert _answer(s, "b12_status", labels["b12_status"][n % 6])
        students.append(s)
    on_app2 = [s for s in students if s.cookie("replica") == "app2"]
    assert on_app2 and len(on_app2) < len(students)  # both replicas hold students
    two_replicas.replicas["app2"].send_signal(signal.SIGKILL)
    two_replicas.replicas["app2"].wait(timeout=10)
    for n, s in enumerate(students):
        try:
            assert _answer(s, "next_step", labels["next_step"][n % 6])
        except ProtocolError:  # its replica is gone: reload the same link (same student id) and send both again
            assert s in on_app2
            s.close()
            query = s.query_string
            s.open_page("class", query)
            s.connect()
            s.rerun(page_name="class", first=True)
            assert s.cookie("replica") == "app1"
            assert _answer(s, "b12_status", labels["b12_status"][n % 6])
            assert _answer(s, "next_step", labels["next_step"][n % 6])
        s.close()
    store = make_store(store_url)
    tally = store.tally(room)
    store.close()
    assert tally.students == 20
    assert all(sum(counts.values()) == 20 for counts in tally.questions.values())
    for n, option in enumerate(questions_for(CASE)[0].options):
        assert tally.questions["b12_status"][option] == len(range(n, 20, 6))
