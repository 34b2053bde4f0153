"""The lecture hall, measured: N students (Locust, protocol level) against the app on this machine.

    .venv/bin/python bench/crowd/run.py --users 300                       # one process, no balancer
    .venv/bin/python bench/crowd/run.py --users 600 --replicas 2          # two replicas behind HAProxy
    .venv/bin/python bench/crowd/run.py --users 100,200,300,400 --replicas 1   # a sweep: finds the knee
    .venv/bin/python bench/crowd/run.py --users 300 --seconds 600         # soak: memory per process over time
    .venv/bin/python bench/crowd/run.py --users 300 --profile 20          # + py-spy of replica 1 for 20 s
    .venv/bin/python bench/crowd/run.py --users 300 -- --runner.postScriptGC true   # a server option A/B

Every step starts the servers afresh with scripts/serve.sh (loopback only), ramps the students up at --rate per
second, lets them settle for --warmup seconds, then measures for --seconds: rerun time p50/p95/p99 for the
scenario's actions, reruns/s, errors (over the whole run, ramp included), CPU and RSS of every server process
(psutil, every 2 s), the load tool's own CPU, and the load average before and after (the machine is shared).
Locust stops by itself (-t); the servers are stopped at the end. Prints one Markdown row per step; --json FILE
keeps everything.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from crowd_tools import VENV_BIN, collect, start_locust, start_servers  # noqa: E402

TARGET_P95_MS = 300.0


def warm(url: str, replicas: int) -> None:
    """One visit to every page per replica first, so a page's one-off first-visit work is not counted."""
    from protocol import StreamlitSession

    for _ in range(replicas * 3):
        s = StreamlitSession(url)
        s.start("", "")
        for page in ["treatment", "compare", "mechanism", "teaching", "references", "batch", ""]:
            s.rerun(page=page)
        s.close()


class Sampler(threading.Thread):
    """CPU % and RSS of each server process and of the load tool, every `every` seconds."""

    def __init__(self, servers: dict[str, psutil.Process], tool: psutil.Process, every: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.servers, self.tool, self.every = servers, tool, every
        self.rows: list[dict[str, Any]] = []
        self.done = threading.Event()

    def _tool_cpu(self) -> float:
        total = 0.0
        for p in [self.tool, *self.tool.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    @staticmethod
    def _schedstat(pid: int) -> dict[str, tuple[int, int]]:
        """Per thread: ns on a CPU and ns runnable but waiting for one (/proc/PID/task/TID/schedstat)."""
        found = {}
        for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
            try:
                run_ns, wait_ns, _ = Path(path).read_text().split()
            except (OSError, ValueError):
                continue
            found[path] = (int(run_ns), int(wait_ns))
        return found

    def run(self) -> None:
        for p in self.servers.values():
            p.cpu_percent(None)
        sched = {name: self._schedstat(p.pid) for name, p in self.servers.items()}
        last_tool, last_t = self._tool_cpu(), time.time()
        while not self.done.wait(self.every):
            now = time.time()
            row: dict[str, Any] = {"t": now, "load1": os.getloadavg()[0]}
            for name, p in self.servers.items():
                try:
                    row[name] = {"cpu": p.cpu_percent(None), "rss_mb": p.memory_info().rss / 2**20}
                except psutil.Error:
                    row[name] = {"cpu": 0.0, "rss_mb": 0.0}
                # Starved by other work? Time this process's threads waited for a CPU while runnable, per
                # second spent running (threads that ended between samples are not counted).
                now_sched = self._schedstat(p.pid)
                ran = sum(v[0] - sched[name][k][0] for k, v in now_sched.items() if k in sched[name])
                waited = sum(v[1] - sched[name][k][1] for k, v in now_sched.items() if k in sched[name])
                row[name]["wait_per_run"] = waited / ran if ran else 0.0
                sched[name] = now_sched
            tool = self._tool_cpu()
            row["tool_cpu"] = 100 * (tool - last_tool) / (now - last_t)
            last_tool, last_t = tool, now
            self.rows.append(row)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


def cores(text: str) -> set[int]:
    """A taskset-style core list ("0" or "0,1"); empty: every core."""
    return {int(c) for c in text.split(",") if c.strip()} or set(range(os.cpu_count() or 1))


def one_step(args: argparse.Namespace, users: int) -> dict[str, Any]:
    load_before = os.getloadavg()
    server_cores, tool_cores = cores(args.server_cores), cores(args.tool_cores)
    os.sched_setaffinity(0, server_cores)  # serve.sh, HAProxy and the replicas inherit this (as `taskset -c`)
    try:
        servers = start_servers(args.replicas, args.port, not args.no_balancer, args.extra)
    finally:
        os.sched_setaffinity(0, tool_cores)  # this script, the warm-up visits and Locust: the other core(s)
    try:
        warm(servers.url, args.replicas)
        ramp = users / args.rate
        total = ramp + args.warmup + args.seconds
        started = time.time()
        tool, prefix = start_locust(
            servers.url, users, total, args.rate, args.scenario, args.pause, args.processes, args.tool_nice
        )
        sampler = Sampler(servers.replicas, psutil.Process(tool.pid))
        sampler.start()
        profile = None
        browser = None
        if args.profile or args.browser:
            time.sleep(ramp + args.warmup)
        if args.browser:
            cmd = [sys.executable, str(HERE / "browser.py"), "--url", servers.url, "--presses", str(args.browser)]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.seconds + 300, check=False)
            lines = done.stdout.strip().splitlines()
            browser = json.loads(lines[-1]) if lines else {"error": done.stderr[-1000:]}
        if args.profile:
            profile = run_profile(servers.replicas["app1"].pid, args.profile)
        _, stderr = tool.communicate(timeout=total + 120)
        sampler.done.set()
        sampler.join()
        load_after = os.getloadavg()
    finally:
        servers.stop()

    reruns, students = collect(prefix)
    window_start = started + ramp + args.warmup
    measured = [r for r in reruns if r[0] >= window_start and r[1] != "open link"]
    ms = sorted(r[2] for r in measured if r[3])
    window = max(1e-9, max((r[0] for r in measured), default=window_start) - window_start)
    samples = [row for row in sampler.rows if row["t"] >= window_start]
    per_process = {}
    for name in servers.replicas:
        rss = [row[name]["rss_mb"] for row in samples if row[name]["rss_mb"]]
        per_process[name] = {
            "cpu_mean": statistics.fmean(row[name]["cpu"] for row in samples) if samples else float("nan"),
            "rss_start_mb": rss[0] if rss else float("nan"),
            "rss_end_mb": rss[-1] if rss else float("nan"),
            "rss_max_mb": max(rss) if rss else float("nan"),
            "wait_per_run": statistics.fmean(row[name].get("wait_per_run", 0.0) for row in samples)
            if samples
            else float("nan"),
        }
    result = {
        "users": users,
        "replicas": args.replicas,
        "balancer": not args.no_balancer,
        "scenario": args.scenario,
        "pause": args.pause,
        "server_options": args.extra,
        "server_cores": sorted(server_cores),
        "tool_cores": sorted(tool_cores),
        "tool_nice": args.tool_nice,
        "seconds": args.seconds,
        "reruns_measured": len(measured),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": ms[-1] if ms else float("nan"),
        "reruns_per_s": len(measured) / window,
        # Load-independent cost: server CPU-seconds per measured rerun (all processes), in ms.
        "cpu_ms_per_rerun": 1000
        * sum(p["cpu_mean"] / 100 for p in per_process.values())
        * window
        / max(1, len(measured)),
        "errors": sum(1 for r in reruns if not r[3]),
        "reruns_total": len(reruns),
        "students_seen": len(students),
        "reconnects": sum(s["reconnects"] for s in students),
        "error_examples": sorted({s["last_error"] for s in students if s["last_error"]})[:5],
        "per_process": per_process,
        "tool_cpu_mean": statistics.fmean(row["tool_cpu"] for row in samples) if samples else float("nan"),
        "load_before": load_before,
        "load_after": load_after,
        "load_during_max": max((row["load1"] for row in samples), default=float("nan")),
        "locust_stderr_tail": stderr[-2000:],
        "profile": profile,
        "browser": browser,
        "timeline": sampler.rows if args.keep_timeline else None,
    }
    return result


def run_profile(pid: int, seconds: int) -> dict[str, Any]:
    """py-spy of one server process (threads holding the GIL only): the functions where its time goes."""
    out = tempfile.mktemp(prefix="crowd-pyspy.", suffix=".txt")
    spy = str(VENV_BIN / "py-spy")
    cmd = [spy, "record", "-p", str(pid), "-d", str(seconds), "-r", "50", "--gil", "-f", "raw", "-o", out]
    subprocess.run(cmd, capture_output=True, timeout=seconds + 60, check=False)
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in Path(out).read_text().splitlines() if Path(out).exists() else []:
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        total += count
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
        own[frames[-1]] = own.get(frames[-1], 0) + count
    top = sorted(inclusive.items(), key=lambda kv: -kv[1])[:40]
    top_own = sorted(own.items(), key=lambda kv: -kv[1])[:25]
    return {
        "samples_holding_gil": total,
        "seconds": seconds,
        "raw": out,
        "inclusive": [(f, round(100 * c / max(1, total), 1)) for f, c in top],
        "own": [(f, round(100 * c / max(1, total), 1)) for f, c in top_own],
    }


def row(result: dict[str, Any]) -> str:
    procs = result["per_process"]
    cpu = " / ".join(f"{p['cpu_mean']:.0f} (wait {p['wait_per_run']:.1f})" for p in procs.values())
    rss = " / ".join(f"{p['rss_start_mb']:.0f}→{p['rss_end_mb']:.0f}" for p in procs.values())
    lb, la = result["load_before"][0], result["load_after"][0]
    return (
        f"| {result['users']} | {result['replicas']}{'' if result['balancer'] else ' (direct)'} | "
        f"{result['p50_ms']:.0f} | {result['p95_ms']:.0f} | {result['p99_ms']:.0f} | {result['reruns_per_s']:.1f} | "
        f"{result['errors']} | {cpu} | {result['cpu_ms_per_rerun']:.1f} | {rss} | {result['tool_cpu_mean']:.0f} | {lb:.1f} → {la:.1f} |"
    )


HEADER = (
    "| students | processes | p50 ms | p95 ms | p99 ms | reruns/s | errors | server CPU % (runqueue wait per s run) "
    "| CPU ms/rerun "
    "| RSS MB (start→end) | load tool CPU % | load avg before → after |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra: list[str] = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", default="300", help="students, or a comma list for a sweep (max 1500)")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--no-balancer", action="store_true", help="one process, no HAProxy (default for 1)")
    parser.add_argument("--balancer", action="store_true", help="HAProxy in front of even one replica")
    parser.add_argument("--port", type=int, default=8760)
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds per step (max 900)")
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20, help="students joining per second")
    parser.add_argument("--scenario", default="slider", choices=["slider", "mixed", "pages", "teaching", "link"])
    parser.add_argument("--pause", default="4,6", help="min,max seconds between one student's actions")
    parser.add_argument("--processes", type=int, default=1, help="Locust processes (load tool)")
    parser.add_argument("--profile", type=int, default=0, help="py-spy replica 1 for this many seconds")
    parser.add_argument("--browser", type=int, default=0, help="a real Chromium makes this many slider presses")
    parser.add_argument("--server-cores", default="0", help="cores for serve.sh and its replicas ('': all)")
    parser.add_argument("--tool-cores", default="1", help="cores for Locust and this script ('': all)")
    parser.add_argument("--tool-nice", type=int, default=-5, help="Locust's nice value (root: below 0)")
    parser.add_argument("--keep-timeline", action="store_true")
    parser.add_argument("--json", type=Path, help="append each step's result (one JSON per line)")
    args = parser.parse_args(argv)
    args.extra = extra
    if args.replicas == 1 and not args.balancer:
        args.no_balancer = True
    steps = [int(u) for u in args.users.split(",")]
    if max(steps) > 1500 or args.seconds > 900 or args.replicas > 8:
        parser.error("bounded: at most 1500 students, 900 s and 8 replicas")
    print(HEADER, flush=True)
    for users in steps:
        result = one_step(args, users)
        print(row(result), flush=True)
        if result["errors"]:
            print(f"  errors: {result['error_examples']}", flush=True)
        if result["browser"]:
            b = result["browser"]
            print(
                f"  browser: slider -> verdict p50 {b.get('p50_ms')} ms, p95 {b.get('p95_ms')} ms, "
                f"{b.get('presses')} presses, errors {b.get('errors') or b.get('error')}",
                flush=True,
            )
        if result["profile"]:
            for frame, pct in result["profile"]["inclusive"][:25]:
                print(f"  {pct:5.1f}%  {frame}", flush=True)
        if args.json:
            with args.json.open("a") as fh:
                fh.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
