"""A live class, measured: N protocol-level students join one room across scripts/serve.sh's replicas and answer.

    .venv/bin/python bench/crowd/class_run.py --users 600 --replicas 2                 # the class
    .venv/bin/python bench/crowd/class_run.py --users 600 --replicas 2 --kill-after 8  # a replica killed mid-vote

What it does: starts serve.sh (HAProxy, --replicas, one SQLite class store in its run dir) pinned to
--server-cores, then pins itself, Locust and the presenter's Chromium to --tool-cores (taskset semantics through
sched_setaffinity; loopback only, bounded in students and time). Opens a room with `python -m b12logic class
open`, opens the presenter's page in Chromium (bench/crowd/class_presenter.py), and runs --users students
(bench/crowd/class_locustfile.py) joining at --rate per second, each answering both questions after 0.5-3 s.
With --kill-after S the second replica is killed (SIGKILL) S seconds after its first student connected; its students
reconnect through HAProxy to the other replica (same link, same anonymous student id) and send both answers again.

Checks, printed and kept with --json: the store's tally equals the students exactly once each (students ==
--users, every question's counts sum to --users, and each student's stored answers are the ones the student
last had confirmed); the time from the first join to the last confirmed answer; answer latency p50/p95/p99;
how long after the k-th student's first confirmed answer the presenter's page showed a count of at least k
(max and p95 over k); server CPU; the load average before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from crowd_tools import open_room, start_locust, start_servers  # noqa: E402
from run import Sampler, cores, percentile  # noqa: E402

from b12logic.classroom import make_store, questions_for  # noqa: E402

TARGET_P95_MS = 500.0
CAP_SLACK_S = 30.0  # Locust's -t: the planned length plus this, should the load tool fall behind


def _warm(url: str, room: str, replicas: int) -> None:
    """A few visits to the room's page per replica first, so its one-off imports are not in the figures."""
    from protocol import StreamlitSession

    for _ in range(replicas * 3):
        s = StreamlitSession(url)
        s.start("class", f"room={room}")
        s.close()


def _collect(prefix: str) -> tuple[list[list[Any]], list[dict[str, Any]]]:
    answers: list[list[Any]] = []
    students: list[dict[str, Any]] = []
    for path in glob.glob(f"{prefix}.*.json"):
        data = json.loads(Path(path).read_text())
        answers += data["answers"]
        students += data["students"]
        os.unlink(path)
    return answers, students


def _presenter_lag(series: list[list[float]], first_answer_times: list[float]) -> dict[str, float]:
    """For each k: when the presenter's count first showed >= k, minus when the k-th student was confirmed."""
    lags = []
    for k, confirmed in enumerate(sorted(first_answer_times), start=1):
        seen = next((t for t, value in series if value >= k and t >= confirmed - 5), None)
        if seen is None:
            lags.append(float("inf"))
        else:
            lags.append(max(0.0, seen - confirmed))
    finite = [x for x in lags if x != float("inf")]
    return {
        "max_s": max(lags) if lags else float("nan"),
        "p95_s": percentile(sorted(finite), 95) if finite else float("nan"),
        "never_seen": len(lags) - len(finite),
        "final_count_shown": series[-1][1] if series else 0,
    }


def _timeline(answers: list[list[Any]], samples: list[dict[str, Any]], started: float) -> list[dict[str, Any]]:
    """Second by second from the first join: answers sent, their p95 ms, and each replica's CPU % and the load."""
    rows = []
    last = int(max((a[0] for a in answers), default=started) - started) + 1
    for second in range(last):
        sent = sorted(a[2] for a in answers if a[3] and int(a[0] - started) == second)
        cpu = [r for r in samples if int(r["t"] - started) == second]
        rows.append(
            {
                "s": second,
                "answers": len(sent),
                "p95_ms": round(percentile(sent, 95)) if sent else None,
                "cpu": {k: round(v["cpu"]) for k, v in cpu[0].items() if isinstance(v, dict)} if cpu else None,
                "load1": round(cpu[0]["load1"], 1) if cpu else None,
            }
        )
    return rows


def one_run(args: argparse.Namespace) -> dict[str, Any]:
    server_cores, tool_cores = cores(args.server_cores), cores(args.tool_cores)
    load_before = os.getloadavg()
    os.sched_setaffinity(0, server_cores)  # serve.sh, HAProxy and the replicas inherit this
    servers = start_servers(args.replicas, args.port, True, None, restart=not args.no_restart)
    os.sched_setaffinity(0, tool_cores)  # the load tool and the presenter's browser: the other core(s)
    store_url = servers.store_url()
    presenter: subprocess.Popen[str] | None = None
    tool: subprocess.Popen[str] | None = None
    killed_at = None
    try:
        opened = open_room(store_url, args.case)
        room, key = opened["room"], opened["teacher_key"]
        _warm(servers.url, room, args.replicas)
        questions = questions_for(args.case)
        options = {q.id: list(q.options.values()) for q in questions}
        ramp = args.users / args.rate
        total = ramp + 3.5 + args.linger
        # Locust stops once every student has every answer confirmed (and the kill is past); -t is a cap only.
        at_least = max(ramp + 3.5, args.kill_after + args.linger if args.kill_after else 0.0)
        cap = total + CAP_SLACK_S
        watch = [sys.executable, str(HERE / "class_presenter.py"), "--url", servers.url, "--room", room, "--key", key]
        presenter = subprocess.Popen(
            [*watch, "--seconds", str(cap + 5)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert presenter.stdout is not None
        ready = json.loads(presenter.stdout.readline() or "{}")
        if "ready" not in ready:
            raise SystemExit("class_run: the presenter's page did not open")
        started = time.time()
        tool, prefix = start_locust(
            servers.url,
            args.users,
            cap,
            args.rate,
            nice=args.tool_nice,
            locustfile="class_locustfile.py",
            env_extra={
                "CROWD_ROOM": room,
                "CROWD_OPTIONS": json.dumps(options),
                "CROWD_DELAY": args.delay,
                "CROWD_USERS": str(args.users),
                "CROWD_MIN_SECONDS": str(at_least),
            },
        )
        sampler = Sampler(servers.replicas, psutil.Process(tool.pid), every=1.0)
        sampler.start()
        if args.kill_after:
            victim = servers.replicas[f"app{args.replicas}"]

            def connections() -> int:
                try:
                    return sum(1 for c in victim.net_connections("tcp") if c.status == psutil.CONN_ESTABLISHED)
                except psutil.Error:
                    return 0

            before = connections()  # the presenter's, perhaps

            def kill() -> None:
                nonlocal killed_at
                while connections() <= before and tool.poll() is None:  # its first student has not come yet
                    time.sleep(0.05)
                time.sleep(args.kill_after)
                killed_at = time.time()
                victim.send_signal(signal.SIGKILL)

            threading.Thread(target=kill, daemon=True).start()
        _, stderr = tool.communicate(timeout=cap + 120)
        sampler.done.set()
        sampler.join()
        time.sleep(3)  # the presenter's last refresh (one a second) shows the final count
        presenter.send_signal(signal.SIGTERM)  # class_presenter.py: stop watching, print the series
        presenter_out = json.loads(presenter.communicate(timeout=120)[0].strip().splitlines()[-1])
        load_after = os.getloadavg()
        answers, students = _collect(prefix)

        store = make_store(store_url)
        tally = store.tally(room)
        _, rows = store.export(room, key)
        store.close()
    finally:
        for proc in (tool, presenter):
            if proc is not None and proc.poll() is None:
                proc.kill()
        os.sched_setaffinity(0, server_cores | tool_cores)
        servers.stop()

    label_to_id = {q.id: {label: o for o, label in q.options.items()} for q in questions}
    stored: dict[str, dict[str, str]] = {}
    for row in rows:
        stored.setdefault(row.student, {})[row.question] = row.option
    expected = {
        s["student"]: {q: label_to_id[q][label] for q, label in s["confirmed"].items()}
        for s in students
        if s["student"]
    }
    ok_answers = [a for a in answers if a[3]]
    ms = sorted(a[2] for a in ok_answers)
    firsts = [s["first_confirmed"] for s in students if s["first_confirmed"]]
    lag = _presenter_lag(presenter_out.get("series", []), firsts)
    first_join = min((s["joined_at"] for s in students), default=started)
    last_confirmed = max((a[1] for a in ok_answers), default=float("nan"))
    cpu = {name: statistics.fmean(r[name]["cpu"] for r in sampler.rows) for name in servers.replicas}
    result = {
        "users": args.users,
        "replicas": args.replicas,
        "rate": args.rate,
        "kill_after": args.kill_after,
        "killed_at_s": (killed_at - first_join) if killed_at else None,
        "room": room,
        "students_reporting": len(students),
        "students_with_both_confirmed": sum(1 for s in students if len(s["confirmed"]) == len(questions)),
        "tally_students": tally.students,
        "tally_sums": {q: sum(c.values()) for q, c in tally.questions.items()},
        "stored_equals_confirmed": stored == expected,
        "stored_students": len(stored),
        "first_join_to_last_answer_s": last_confirmed - first_join,
        "answers_ok": len(ok_answers),
        "answers_failed": len(answers) - len(ok_answers),
        "answer_p50_ms": percentile(ms, 50),
        "answer_p95_ms": percentile(ms, 95),
        "answer_p99_ms": percentile(ms, 99),
        "answer_max_ms": ms[-1] if ms else float("nan"),
        "reconnects": sum(s["reconnects"] for s in students),
        "resent_confirmed_answers": sum(s.get("resent", 0) for s in students),
        "errors_examples": sorted({s["last_error"] for s in students if s["last_error"]})[:4],
        "presenter_lag": lag,
        "presenter_errors": presenter_out.get("errors"),
        "server_cpu_mean_pct": cpu,
        "tool_cpu_mean_pct": statistics.fmean(r["tool_cpu"] for r in sampler.rows) if sampler.rows else float("nan"),
        "load_before": load_before,
        "load_after": load_after,
        "load_max": max((r["load1"] for r in sampler.rows), default=float("nan")),
        "server_cores": sorted(server_cores),
        "tool_cores": sorted(tool_cores),
        "locust_stderr_tail": stderr[-1500:],
        "timeline": _timeline(answers, sampler.rows, first_join),
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=600)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--rate", type=float, default=60, help="students joining per second")
    parser.add_argument("--delay", default="0.5,3", help="min,max seconds from joining to the first answer")
    parser.add_argument("--linger", type=float, default=12, help="seconds the run goes on after the last joins")
    parser.add_argument("--kill-after", type=float, default=0, help="SIGKILL the last replica this many s in")
    parser.add_argument("--no-restart", action="store_true", help="serve.sh does not restart the killed replica")
    parser.add_argument("--case", default="folic_acid_masking")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--server-cores", default="0")
    parser.add_argument("--tool-cores", default="1")
    parser.add_argument("--tool-nice", type=int, default=-5, help="the load tool's nice value (root: below 0)")
    parser.add_argument("--json", type=Path, help="append the result (one JSON line)")
    args = parser.parse_args(argv)
    if args.users > 1500 or args.replicas > 8 or args.linger > 300:
        parser.error("bounded: at most 1500 students, 8 replicas, 300 s")
    result = one_run(args)
    keys = [
        "users",
        "replicas",
        "killed_at_s",
        "tally_students",
        "tally_sums",
        "stored_equals_confirmed",
        "students_with_both_confirmed",
        "first_join_to_last_answer_s",
        "answers_ok",
        "answers_failed",
        "answer_p50_ms",
        "answer_p95_ms",
        "answer_p99_ms",
        "reconnects",
        "resent_confirmed_answers",
        "presenter_lag",
        "server_cpu_mean_pct",
        "tool_cpu_mean_pct",
        "load_before",
        "load_after",
        "errors_examples",
    ]
    for k in keys:
        print(f"{k}: {result[k]}")
    print("timeline (s from first join: answers sent, their p95 ms, server CPU %):")
    for r in result["timeline"]:
        print(f"  {r['s']:3d}s {r['answers']:4d} answers p95 {r['p95_ms']} ms cpu {r['cpu']} load {r['load1']}")
    passed = (
        result["tally_students"] == args.users
        and all(v == args.users for v in result["tally_sums"].values())
        and result["stored_equals_confirmed"]
    )
    print(f"tally equals the students exactly once each: {'PASS' if passed else 'FAIL'}")
    if args.json:
        with args.json.open("a") as fh:
            fh.write(json.dumps(result) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
