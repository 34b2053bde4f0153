"""What one Explorer slider rerun costs the server: CPU time, messages and bytes, by kind of message.

    .venv/bin/python bench/crowd/explorer_cost.py [--reruns 200] [--server-cores 0] [--tool-cores 1] [-- --runner.x y]

One `streamlit run` (scripts/serve.sh --no-balancer) pinned to --server-cores; one protocol-level session (this
client, pinned to --tool-cores) moves the B12 slider --reruns times, one request at a time. Prints the server
process's CPU ms per rerun (user + system, every thread), wall ms per rerun, and the messages and bytes one rerun
sends, by kind ("delta:markdown" is one Markdown element): the figures to compare before and after a change to
the Explorer, in the same session. Anything after "--" goes to `streamlit run` (an option's A/B).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from crowd_tools import start_servers  # noqa: E402
from protocol import StreamlitSession, slider_move  # noqa: E402
from run import cores  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reruns", type=int, default=200)
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--server-cores", default="0")
    parser.add_argument("--tool-cores", default="1")
    args = parser.parse_args(argv)
    if args.reruns > 2000:
        parser.error("bounded: at most 2000 reruns")
    server_cores, tool_cores = cores(args.server_cores), cores(args.tool_cores)
    load_before = os.getloadavg()
    os.sched_setaffinity(0, server_cores)
    try:
        servers = start_servers(1, args.port, balancer=False, extra=extra)
    finally:
        os.sched_setaffinity(0, tool_cores)
    try:
        server = servers.replicas["app1"]
        s = StreamlitSession(servers.url)
        s.start("", "")
        for i in range(10):  # warm-up: first visits and imports
            s.rerun([slider_move(s, "in_b12", 150 + 5 * (i % 2))])
        kinds: dict[str, list[int]] = {}
        cpu = server.cpu_times()
        t0 = time.perf_counter()
        for i in range(args.reruns):
            reply = s.rerun([slider_move(s, "in_b12", 150 + 5 * (i % 2))])
            if reply.exceptions:
                raise SystemExit(f"explorer_cost: the run ended with {reply.exceptions}")
            for kind, (n, size) in reply.kinds.items():
                tally = kinds.setdefault(kind, [0, 0])
                tally[0] += n
                tally[1] += size
        wall_ms = 1000 * (time.perf_counter() - t0) / args.reruns
        after = server.cpu_times()
        cpu_ms = 1000 * ((after.user - cpu.user) + (after.system - cpu.system)) / args.reruns
        s.close()
    finally:
        os.sched_setaffinity(0, server_cores | tool_cores)
        servers.stop()
    load_after = os.getloadavg()
    n = args.reruns
    messages = sum(v[0] for v in kinds.values()) / n
    size = sum(v[1] for v in kinds.values()) / n
    print(
        f"server CPU {cpu_ms:.1f} ms/rerun · wall {wall_ms:.0f} ms/rerun · {messages:.1f} messages, {size:,.0f} bytes"
    )
    print(f"load average {load_before[0]:.1f} → {load_after[0]:.1f}; server options: {extra or 'none'}")
    for kind, (count, total) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
        print(f"  {kind:32s} {count / n:5.1f} messages {total / n:8,.0f} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
