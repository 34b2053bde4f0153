"""Issue 22, finding 7 and the memory limit: what the balancer and serve.sh add in front of the app.

Security headers on every answer, Streamlit's metrics not served through the balancer (however the path is
written), replicas' temporary files on a memory filesystem, and a replica over its memory limit restarted.
Driven through scripts/serve.sh on loopback, bounded in time.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "crowd"))
from crowd_tools import Servers, start_servers  # noqa: E402

from tests.test_serve import free_port_block, wait_for  # noqa: E402

pytestmark = [pytest.mark.slow]


def _get(url: str) -> tuple[int, Message]:
    """The status and the headers (looked up case-insensitively: HAProxy sends them in lower case)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as err:
        return err.code, err.headers


@pytest.fixture(scope="module")
def one_replica() -> Iterator[Servers]:
    servers = start_servers(replicas=1, port=free_port_block(2), balancer=True)
    try:
        yield servers
    finally:
        servers.stop()


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/compare?lab_b12_low=0.5", "/no-such-page"])
def test_every_answer_carries_the_security_headers(one_replica: Servers, path: str) -> None:
    status, headers = _get(one_replica.url + path)
    assert status == 200
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/_stcore/metrics", "/_stcore//metrics", "//_stcore/metrics", "/_stcore/%6Detrics", "/_STCORE/Metrics"]
)
def test_metrics_are_not_served_through_the_balancer(one_replica: Servers, path: str) -> None:
    assert _get(one_replica.url + path)[0] == 404
    replica_port = int(one_replica.url.rsplit(":", 1)[1]) + 1
    assert _get(f"http://127.0.0.1:{replica_port}/_stcore/metrics")[0] == 200  # the operator's, on the replica


def test_replicas_spool_to_a_memory_filesystem(one_replica: Servers) -> None:
    (replica,) = one_replica.replicas.values()
    tmpdir = replica.environ()["TMPDIR"]
    assert tmpdir.startswith("/dev/shm/") and Path(tmpdir).is_dir()


def test_a_replica_over_its_memory_limit_is_restarted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("B12_REPLICA_MEMORY_MB", "60")  # below what a started replica uses: it must be restarted
    servers = start_servers(replicas=1, port=free_port_block(2), balancer=True, restart=True)
    try:
        (first,) = servers.replicas.values()

        def restarted() -> bool:
            line = (servers.run_dir / "replicas").read_text().split()
            return len(line) == 3 and int(line[2]) != first.pid

        assert wait_for(restarted, seconds=60)
        assert not first.is_running() or first.status() == psutil.STATUS_ZOMBIE
    finally:
        servers.stop()
    time.sleep(0.5)
