"""What one student's join costs a server, against a bare Streamlit app's join in the same run.

    .venv/bin/python bench/crowd/join_cost.py [--joins 100] [--reps 3] [--pairs 2] [--no-page-get]

Starts `streamlit run` pinned to --server-cores (core 0) for each app in turn, alternated --pairs times: the class
room's student link (app.py, /class?room=CODE, one SQLite class store in a temporary folder) and a one-line app
(`st.write`) with this project's .streamlit/config.toml, so the same theme and server options. This client, pinned
to --tool-cores, opens --joins students one after another (page GET, websocket, first run: what a phone does
besides fetching the frontend files) and keeps them open; prints the server's CPU ms per join (user + system,
every thread) for each of --reps batches, and the messages the first run sends. `--no-page-get`: skip the page
GET (what a join would cost if the balancer served the page). Loopback only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from crowd_tools import open_room  # noqa: E402
from protocol import StreamlitSession  # noqa: E402

BARE_APP = 'import streamlit as st\n\nst.write("hello")\n'


def _serve(app: Path, port: int, cores: set[int], env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [str(ROOT / ".venv/bin/streamlit"), "run", str(app), "--server.port", str(port), "--server.address"]
    cmd += ["127.0.0.1", "--server.headless", "true"]
    proc = subprocess.Popen(
        cmd,
        cwd=app.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.sched_setaffinity(0, cores),
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"join_cost: {app} did not start")


def _joins(port: int, pid: int, path: str, query: str, joins: int, reps: int, page_get: bool) -> tuple[list, int]:
    server = psutil.Process(pid)
    url = f"http://127.0.0.1:{port}"

    def join() -> StreamlitSession:
        s = StreamlitSession(url)
        s.query_string = query
        if page_get:
            s.open_page(path, query)
        s.connect()
        s.rerun(page_name=path, first=True)
        return s

    for _ in range(5):  # warm-up: imports and the first visit
        join().close()
    per_join, messages = [], 0
    for _ in range(reps):
        t = server.cpu_times()
        before = t.user + t.system
        sessions = [join() for _ in range(joins)]
        t = server.cpu_times()
        per_join.append(round(1000 * (t.user + t.system - before) / joins, 1))
        last = StreamlitSession(url)
        last.query_string = query
        last.connect()
        messages = last.rerun(page_name=path, first=True).messages
        for s in (*sessions, last):
            s.close()
    return per_join, messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--joins", type=int, default=100)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--server-cores", default="0")
    parser.add_argument("--tool-cores", default="1")
    parser.add_argument("--no-page-get", action="store_true")
    args = parser.parse_args(argv)
    if args.joins * args.reps > 1000:
        parser.error("bounded: at most 1000 joins per app and pair")
    server_cores = {int(c) for c in args.server_cores.split(",")}
    os.sched_setaffinity(0, {int(c) for c in args.tool_cores.split(",")})
    work = Path(tempfile.mkdtemp(prefix="join-cost."))
    try:
        bare = work / "bare"
        (bare / ".streamlit").mkdir(parents=True)
        (bare / "app.py").write_text(BARE_APP)
        shutil.copy(ROOT / ".streamlit/config.toml", bare / ".streamlit/config.toml")
        store = f"sqlite:///{work / 'class-rooms.sqlite3'}"
        env = {**os.environ, "B12_CLASS_STORE": store}
        room = open_room(store)["room"]
        apps = (
            ("class room (app.py)", ROOT / "app.py", "class", f"room={room}"),
            ("bare Streamlit", bare / "app.py", "", ""),
        )
        print("| app | CPU ms per join (each batch) | messages in the first run | load avg before → after |")
        print("|---|---|---|---|")
        for _ in range(args.pairs):
            for name, app, path, query in apps:
                load = os.getloadavg()[0]
                proc = _serve(app, args.port, server_cores, env)
                try:
                    per_join, messages = _joins(
                        args.port, proc.pid, path, query, args.joins, args.reps, not args.no_page_get
                    )
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
                print(
                    f"| {name} | {' · '.join(f'{x:g}' for x in per_join)} | {messages} | {load:.1f} → {os.getloadavg()[0]:.1f} |"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
