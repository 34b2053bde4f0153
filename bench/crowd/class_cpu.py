"""Server CPU per rerun: the class room's student page against the Explorer, on one server in the same run.

    .venv/bin/python bench/crowd/class_cpu.py [--reruns 150] [--server-cores 0] [--tool-cores 1]

One `streamlit run` (scripts/serve.sh --no-balancer) pinned to --server-cores; this client (protocol level, one
request at a time) pinned to --tool-cores. Measured as the server process's CPU time (user + system, every
thread) across a batch of reruns, divided by the reruns:
- Explorer: one session moves the B12 slider --reruns times (the issue-14 crowd action);
- student joins: --reruns/2 sessions open /class?room=CODE (the first run of the page);
- student answers: those sessions each send both answers ("Your answer" + "Send answer"): --reruns reruns.
The issue's target: a student page rerun costs at most a third of an Explorer rerun. Prints one Markdown row.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from crowd_tools import open_room, start_servers  # noqa: E402
from protocol import StreamlitSession, choose, press, slider_move  # noqa: E402

from b12logic.classroom import questions_for  # noqa: E402

CASE = "folic_acid_masking"


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reruns", type=int, default=150)
    parser.add_argument("--port", type=int, default=8795)
    parser.add_argument("--server-cores", default="0")
    parser.add_argument("--tool-cores", default="1")
    args = parser.parse_args(argv)
    if args.reruns > 1000:
        parser.error("bounded: at most 1000 reruns")
    server_cores = {int(c) for c in args.server_cores.split(",")}
    tool_cores = {int(c) for c in args.tool_cores.split(",")}
    load_before = os.getloadavg()
    os.sched_setaffinity(0, server_cores)
    servers = start_servers(1, args.port, balancer=False)
    os.sched_setaffinity(0, tool_cores)
    try:
        server = servers.replicas["app1"]
        room = open_room(servers.store_url(), CASE)["room"]
        labels = {q.id: list(q.options.values()) for q in questions_for(CASE)}

        explorer = StreamlitSession(servers.url)
        explorer.start("", "")
        for i in range(5):  # warm-up: the page's first visits and imports
            explorer.rerun([slider_move(explorer, "in_b12", 150 + 5 * (i % 2))])
        warm = StreamlitSession(servers.url)
        warm.start("class", f"room={room}")
        warm.close()

        before = _cpu(server)
        t0 = time.perf_counter()
        for i in range(args.reruns):
            explorer.rerun([slider_move(explorer, "in_b12", 150 + 5 * (i % 2))])
        explorer_ms = 1000 * (_cpu(server) - before) / args.reruns
        explorer_wall = 1000 * (time.perf_counter() - t0) / args.reruns
        explorer.close()

        students = [StreamlitSession(servers.url) for _ in range(max(1, args.reruns // 2))]
        before = _cpu(server)
        for s in students:
            s.start("class", f"room={room}")
        join_ms = 1000 * (_cpu(server) - before) / len(students)

        before = _cpu(server)
        t0 = time.perf_counter()
        answers = 0
        for n, s in enumerate(students):
            for question, options in labels.items():
                s.rerun(
                    [choose(s, f"answer_{question}_r1", options[n % len(options)]), press(s, f"send_{question}_r1")]
                )
                assert any(t.startswith("Sent: your answer is") for t in s.texts), s.texts[-3:]
                answers += 1
        answer_ms = 1000 * (_cpu(server) - before) / answers
        answer_wall = 1000 * (time.perf_counter() - t0) / answers
        for s in students:
            s.close()
    finally:
        os.sched_setaffinity(0, server_cores | tool_cores)
        servers.stop()
    load_after = os.getloadavg()
    print(
        "| Explorer slider rerun | student join (first run) | student answer rerun | answer ÷ Explorer "
        "| wall ms per rerun (Explorer / answer) | load avg before → after |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| {explorer_ms:.1f} ms | {join_ms:.1f} ms | {answer_ms:.1f} ms | {answer_ms / explorer_ms:.2f} "
        f"| {explorer_wall:.0f} / {answer_wall:.0f} | {load_before[0]:.1f} → {load_after[0]:.1f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
