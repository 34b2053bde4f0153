"""Helpers shared by bench/crowd/run.py and the fault tests: start serve.sh, run Locust, read its samples.

Loopback only: servers listen on 127.0.0.1 and the Locust users refuse any other host.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_BIN = Path(sys.executable).parent


@dataclass
class Servers:
    """scripts/serve.sh running in the background, and the processes it started."""

    proc: subprocess.Popen[str]
    run_dir: Path
    url: str
    replicas: dict[str, psutil.Process] = field(default_factory=dict)

    def haproxy(self) -> psutil.Process:
        """The balancer serve.sh started (its pid is in the run dir)."""
        return psutil.Process(int((self.run_dir / "haproxy.pid").read_text()))

    def store_url(self) -> str:
        """The class store every replica shares (serve.sh's default: an SQLite file in the run dir)."""
        return f"sqlite:///{self.run_dir / 'class-rooms.sqlite3'}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def start_servers(
    replicas: int,
    port: int,
    balancer: bool = True,
    extra: list[str] | None = None,
    restart: bool = False,
    pin: bool = True,
    static_cache: bool = True,
) -> Servers:
    run_dir = Path(tempfile.mkdtemp(prefix="crowd-serve."))
    cmd = ["bash", str(ROOT / "scripts" / "serve.sh"), "--replicas", str(replicas), "--port", str(port)]
    cmd += ["--address", "127.0.0.1", "--run-dir", str(run_dir)]
    if not restart:
        cmd.append("--no-restart")
    if not balancer:
        cmd.append("--no-balancer")
    if not pin:
        cmd.append("--no-pin")
    if not static_cache:
        cmd.append("--no-static-cache")
    if extra:
        cmd += ["--", *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("URL: "):
            url = line.split()[1]
            break
    if not url:
        raise SystemExit(f"serve.sh did not start (exit {proc.wait()})")
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep draining its output
    servers = Servers(proc, run_dir, url)
    for line in (run_dir / "replicas").read_text().splitlines():
        name, _port, pid = line.split()
        servers.replicas[name] = psutil.Process(int(pid))
    return servers


def open_room(store_url: str, case: str | None = None) -> dict[str, str]:
    """`python -m b12logic class open` (the outside contract): {"room", "teacher_key", "student_path"}."""
    cmd = [sys.executable, "-m", "b12logic", "class", "open", "--store", store_url]
    cmd += ["--case", case] if case else []
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return dict(json.loads(done.stdout))


def haproxy_command(servers: Servers, command: str) -> str:
    """HAProxy's answer to one command on its admin socket ("show stat", "show cache", ...)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(servers.run_dir / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.decode()


def haproxy_stats(servers: Servers) -> dict[str, dict[str, str]]:
    """The "replicas" backend's rows of "show stat", by server name ("app1", ..., "BACKEND")."""
    lines = haproxy_command(servers, "show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows: dict[str, dict[str, str]] = {}
    for line in lines[1:]:
        cells = dict(zip(header, line.split(","), strict=False))
        if cells.get("pxname") == "replicas" and cells.get("svname"):
            rows[cells["svname"]] = cells
    return rows


def haproxy_status(servers: Servers) -> dict[str, str]:
    """Each replica's state as HAProxy sees it ("UP", "DOWN", ...), from its admin socket."""
    return {name: row["status"] for name, row in haproxy_stats(servers).items() if name != "BACKEND"}


def start_locust(
    url: str,
    users: int,
    seconds: float,
    rate: float,
    scenario: str = "slider",
    pause: str = "4,6",
    processes: int = 1,
    nice: int = 0,
    locustfile: str = "locustfile.py",
    env_extra: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[str], str]:
    """Locust headless in the background, stopping by itself after `seconds` at the latest; returns it and its
    sample prefix. `locustfile` (in bench/crowd) and `env_extra` choose the scenario (class_locustfile.py)."""
    prefix = tempfile.mktemp(prefix="crowd-samples.")
    env = {**os.environ, "CROWD_SCENARIO": scenario, "CROWD_PAUSE": pause, "CROWD_SAMPLES": prefix, **(env_extra or {})}
    cmd = [str(VENV_BIN / "locust"), "-f", str(HERE / locustfile), "--headless", "--only-summary"]
    cmd += ["-u", str(users), "-r", str(rate), "-t", f"{int(seconds + 0.999)}s", "--stop-timeout", "10"]
    cmd += ["--host", url, "--loglevel", "WARNING"]
    if processes > 1:
        cmd += ["--processes", str(processes)]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=niced(nice),
    )
    return proc, prefix


def niced(nice: int) -> Callable[[], None]:
    """For Popen's preexec_fn: the child at this nice value. A load tool at -5 (root) runs ahead of the other work
    on its core: a starved tool times its own queue, not the server (bench/RESULTS.md "Class room")."""
    return lambda: os.setpriority(os.PRIO_PROCESS, 0, nice)


def collect(prefix: str) -> tuple[list[list[Any]], list[dict[str, Any]]]:
    """Every rerun (wall time, scenario, ms, ok) and every student's summary that the Locust run wrote."""
    reruns: list[list[Any]] = []
    students: list[dict[str, Any]] = []
    for path in glob.glob(f"{prefix}.*.json"):
        data = json.loads(Path(path).read_text())
        reruns += data["reruns"]
        students += data["students"]
        os.unlink(path)
    return reruns, students
