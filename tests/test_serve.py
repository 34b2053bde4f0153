"""scripts/serve.sh and its faults, driven by the classroom load tool (bench/crowd), bounded and on loopback.

- serve.sh starts N replicas and HAProxy, prints the URL, sets the sticky cookie, and on SIGTERM stops every
  process it started;
- a replica killed while students are connected: its students reconnect to the other replica and get their case
  back (the URL carries it); the other replica's students see no error and no reconnect;
- a replica that fails its health check (a hung process: SIGSTOP) is marked down and gets no new sessions.

No timing is asserted: speed goes to bench/RESULTS.md.
"""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "crowd"))
from crowd_tools import Servers, collect, haproxy_command, haproxy_stats, haproxy_status, start_locust, start_servers  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists(), reason="no HAProxy"),
]


def free_port_block(size: int = 3) -> int:
    """A port P with P..P+size-1 free on 127.0.0.1 (the balancer and its replicas)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size >= 65535:
            continue
        try:
            for port in range(base, base + size):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free block of ports")


@pytest.fixture
def two_replicas() -> Iterator[Servers]:
    servers = start_servers(replicas=2, port=free_port_block(), balancer=True)
    try:
        yield servers
    finally:
        servers.stop()


def wait_for(predicate, seconds: float = 30.0, every: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def test_serve_sh_rejects_bad_options() -> None:
    for args in (["--replicas", "0"], ["--replicas", "two"], ["--port", "x"], ["--frobnicate"]):
        done = subprocess.run(
            ["bash", "scripts/serve.sh", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        )
        assert done.returncode == 2, (args, done.stderr)
        assert "serve.sh:" in done.stderr


def test_serve_sh_serves_through_the_balancer_and_stops_everything_on_sigterm(two_replicas: Servers) -> None:
    servers = two_replicas
    assert servers.url.startswith("http://127.0.0.1:")
    assert set(servers.replicas) == {"app1", "app2"}
    haproxy = servers.haproxy()
    started = [*servers.replicas.values(), haproxy]
    assert all(p.is_running() for p in started)

    with urllib.request.urlopen(f"{servers.url}/_stcore/health", timeout=10) as response:
        assert response.status == 200
    with urllib.request.urlopen(f"{servers.url}/", timeout=10) as response:
        cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(("replica=app1", "replica=app2")), cookie
    assert "HttpOnly" in cookie
    # One cookie secret for every replica (a session's cookies stay valid wherever it lands).
    secrets = {p.environ().get("STREAMLIT_SERVER_COOKIE_SECRET") for p in servers.replicas.values()}
    assert len(secrets) == 1 and None not in secrets
    # Each replica runs its event loop on uvloop (requirements.txt; Streamlit picks it up when it can import it):
    # a fifth less CPU per slider move, and a third of its wall time (bench/RESULTS.md "uvloop").
    for replica in servers.replicas.values():
        assert any("uvloop" in m.path for m in replica.memory_maps()), replica

    servers.proc.send_signal(signal.SIGTERM)
    assert servers.proc.wait(timeout=30) == 0
    _gone, alive = psutil.wait_procs(started, timeout=10)
    assert not alive, f"still running after SIGTERM: {alive}"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core")
def test_serve_sh_pins_each_replica_to_a_core_of_its_own_unless_told_not_to() -> None:
    """Two cores allowed: replica 1 on the first, replica 2 on the second; --no-pin: both on both; one core: no pin."""
    mine = os.sched_getaffinity(0)
    seen: dict[str, list[list[int]]] = {}
    for label, cores, pin in (("pinned", {0, 1}, True), ("no-pin", {0, 1}, False), ("one core", {1}, True)):
        os.sched_setaffinity(0, cores)  # serve.sh inherits it, as under `taskset -c`
        try:
            servers = start_servers(replicas=2, port=free_port_block(), balancer=True, pin=pin)
        finally:
            os.sched_setaffinity(0, mine)
        try:
            seen[label] = [sorted(p.cpu_affinity()) for p in servers.replicas.values()]
        finally:
            servers.stop()
    assert seen["pinned"] == [[0], [1]]
    assert seen["no-pin"] == [[0, 1], [0, 1]]
    assert seen["one core"] == [[1], [1]]


def _replica_requests(servers: Servers) -> int:
    """Requests HAProxy has passed to the replicas so far."""
    return sum(int(row["stot"]) for name, row in haproxy_stats(servers).items() if name != "BACKEND")


def _first_visit(servers: Servers) -> tuple[str, str]:
    """The page, as a phone's first visit opens it: the balancer's cookie it sets, and the path of the frontend
    script it loads."""
    with urllib.request.urlopen(f"{servers.url}/", timeout=10) as response:
        cookie = response.headers["Set-Cookie"].split(";")[0]
        page = response.read().decode()
    script = page.split('src="', 1)[1].split('"', 1)[0].lstrip("./")
    assert script.startswith("static/js/"), script
    return cookie, script


def _static_fetches(servers: Servers) -> tuple[int, bytes]:
    """A phone's first visit, in short: the page, then one of Streamlit's frontend files three times with the
    page's cookie. Returns how many of those three reached a replica, and the file."""
    cookie, script = _first_visit(servers)
    before = _replica_requests(servers)
    bodies = set()
    for _ in range(3):
        request = urllib.request.Request(f"{servers.url}/{script}", headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            bodies.add(response.read())
    assert len(bodies) == 1
    return _replica_requests(servers) - before, bodies.pop()


def test_the_balancer_keeps_streamlits_frontend_files_and_the_replicas_serve_them_once(two_replicas: Servers) -> None:
    """~100 frontend files per phone cost a replica ~150 ms of CPU; HAProxy answers them from memory after the
    first (deploy/haproxy.cfg "cache static"; bench/crowd/cold_loads.py)."""
    passed, body = _static_fetches(two_replicas)
    assert passed == 1, f"{passed} of 3 fetches of one frontend file reached a replica"
    assert len(body) > 1000
    assert "static" in haproxy_command(two_replicas, "show cache")
    # The page itself is never kept: every visit reaches a replica (it is "no-cache", and sets the cookie).
    before = _replica_requests(two_replicas)
    for _ in range(2):
        urllib.request.urlopen(f"{two_replicas.url}/", timeout=10).read()
    assert _replica_requests(two_replicas) - before == 2


def test_the_balancer_gzips_frontend_files_for_browsers_that_ask_and_only_for_them(two_replicas: Servers) -> None:
    """Streamlit sends its JavaScript uncompressed; HAProxy gzips it on the way out (deploy/haproxy.cfg). The same
    bytes either way, from the cache or not."""
    _passed, plain = _static_fetches(two_replicas)  # the file, uncompressed: urllib asks for no encoding
    cookie, script = _first_visit(two_replicas)
    for _ in range(2):  # the second from the balancer's cache
        headers = {"Cookie": cookie, "Accept-Encoding": "gzip, deflate, br"}
        request = urllib.request.Request(f"{two_replicas.url}/{script}", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert "accept-encoding" in response.headers["Vary"].lower()
            body = response.read()
        assert len(body) < len(plain) * 0.7
        assert gzip.decompress(body) == plain


def test_serve_sh_without_the_static_cache_passes_every_frontend_file_to_a_replica() -> None:
    servers = start_servers(replicas=1, port=free_port_block(2), balancer=True, static_cache=False)
    try:
        passed, _body = _static_fetches(servers)
        assert passed == 3
    finally:
        servers.stop()


def test_killed_replica_students_reconnect_elsewhere_and_nobody_else_notices(two_replicas: Servers) -> None:
    servers = two_replicas
    users, seconds = 24, 16
    tool, prefix = start_locust(servers.url, users, seconds, rate=12, scenario="slider", pause="0.5,1")
    try:
        time.sleep(7)  # every student connected and moving the slider
        victim = servers.replicas["app1"]
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        tool.wait(timeout=seconds + 60)
    finally:
        if tool.poll() is None:
            tool.kill()
    reruns, students = collect(prefix)
    assert len(students) == users
    on_victim = [s for s in students if s["replicas"][0] == "app1"]
    on_other = [s for s in students if s["replicas"][0] == "app2"]
    assert on_victim and on_other, [s["replicas"] for s in students]  # leastconn spreads them

    for s in on_other:  # nobody else notices
        assert s["errors"] == 0 and s["reconnects"] == 0, s
        assert s["replicas"] == ["app2"], s
    for s in on_victim:  # they reconnect to the other replica, with their case, and go on working
        assert s["reconnects"] >= 1, s
        assert set(s["replicas"][1:]) == {"app2"}, s
        assert s["case_restored"] and all(s["case_restored"]), s
        assert s["reruns_after_reconnect"] > 0, s
        assert s["errors"] <= s["reconnects"], s  # only the rerun the kill cut off
    assert sum(1 for r in reruns if r[3]) > users * 3


def test_replica_failing_its_health_check_gets_no_new_sessions(two_replicas: Servers) -> None:
    servers = two_replicas
    hung = servers.replicas["app2"]
    hung.send_signal(signal.SIGSTOP)  # alive but not answering: its health check times out
    try:
        assert wait_for(lambda: haproxy_status(servers).get("app2", "").startswith("DOWN"), seconds=20)
        assert haproxy_status(servers)["app1"].startswith("UP")
        users = 12
        tool, prefix = start_locust(servers.url, users, 6, rate=12, scenario="slider", pause="0.5,1")
        tool.wait(timeout=60)
        _, students = collect(prefix)
        assert len(students) == users
        assert all(s["replicas"] == ["app1"] for s in students), [s["replicas"] for s in students]
        assert all(s["errors"] == 0 for s in students), [s["last_error"] for s in students]
    finally:
        hung.send_signal(signal.SIGCONT)
    # Back in rotation once it answers again.
    assert wait_for(lambda: haproxy_status(servers).get("app2", "").startswith("UP"), seconds=20)


def test_load_tool_refuses_hosts_other_than_loopback() -> None:
    env = {**os.environ, "CROWD_SAMPLES": ""}
    locust = Path(sys.executable).parent / "locust"
    cmd = [str(locust), "-f", "bench/crowd/locustfile.py", "--headless", "-u", "1", "-r", "1", "-t", "2s"]
    cmd += ["--host", "http://192.0.2.1:8501"]  # TEST-NET-1: never routed
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "loopback only" in done.stderr


def test_server_tuning_is_in_the_config() -> None:
    """The two settings that keep a rerun's cost flat as sessions grow (bench/HISTORY.md, "Crowd"), and a
    disconnected phone's session kept longer than Streamlit's 2 minutes (a phone that sleeps in a lecture)."""
    import tomllib

    with (ROOT / ".streamlit" / "config.toml").open("rb") as handle:
        config = tomllib.load(handle)
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["disconnectedSessionTTL"] >= 600
