"""What a phone's first visit costs the servers: real Chromium loads with nothing cached, through HAProxy.

    .venv/bin/python bench/crowd/cold_loads.py [--loads 12] [--pairs 2] [--server-cores 0] [--tool-cores 1]

`scripts/serve.sh --replicas 2` (HAProxy and both replicas pinned to --server-cores) is started twice per pair,
alternately with HAProxy keeping Streamlit's frontend files (/static/) in memory and without it
(`--no-static-cache`). Each time, a headless Chromium (pinned to --tool-cores) opens the class room's student link
and the Explorer --loads times each, every load in a fresh browser context (a phone that never visited), and
waits until the page is drawn. Prints the CPU time of the replicas and of HAProxy per load, the requests and
bytes per load, and the ratio cached ÷ uncached of the replicas' CPU (same run, same machine). Loopback only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from crowd_tools import open_room, start_servers  # noqa: E402
from run import cores  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
MAX_LOADS = 50  # bounded: each load is a whole browser context


@dataclass
class Figures:
    replica_ms: float  # replicas' CPU (user + system, both) per load
    haproxy_ms: float
    requests: float  # per load
    kilobytes: float  # response bodies per load, as the browser received them


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        for p in (proc, *proc.children(recursive=True)):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def _loads(browser, url: str, ready: str, n: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """n cold loads of url; returns (requests, body bytes) over all of them."""
    requests = size = 0
    for _ in range(n):
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        bodies: list[int] = []
        page.on("requestfinished", lambda r, sink=bodies: sink.append(r.sizes()["responseBodySize"]))
        page.goto(url)
        page.get_by_text(ready).first.wait_for(timeout=60_000)
        page.wait_for_load_state("networkidle")
        requests += len(bodies)
        size += sum(bodies)
        context.close()
    return requests, size


def measure(
    static_cache: bool, loads: int, port: int, server_cores: set[int], tool_cores: set[int]
) -> dict[str, Figures]:
    from playwright.sync_api import sync_playwright

    os.sched_setaffinity(0, server_cores)
    try:
        servers = start_servers(2, port, balancer=True, static_cache=static_cache)
    finally:
        os.sched_setaffinity(0, tool_cores)
    figures: dict[str, Figures] = {}
    try:
        replicas = list(servers.replicas.values())
        haproxy = servers.haproxy()
        pages = {
            "class room (student link)": (servers.url + open_room(servers.store_url())["student_path"], "Your answer")
        }
        pages["Explorer"] = (servers.url + "/", "Do now")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"])
            for name, (url, ready) in pages.items():
                _loads(browser, url, ready, 2)  # warm-up: the replicas' first runs of the page, the cache's first fill
                r0, h0 = _cpu(replicas), _cpu([haproxy])
                requests, size = _loads(browser, url, ready, loads)
                r1, h1 = _cpu(replicas), _cpu([haproxy])
                figures[name] = Figures(
                    1000 * (r1 - r0) / loads, 1000 * (h1 - h0) / loads, requests / loads, size / loads / 1024
                )
            browser.close()
    finally:
        servers.stop()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=12)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--port", type=int, default=8830)
    parser.add_argument("--server-cores", default="0")
    parser.add_argument("--tool-cores", default="1")
    args = parser.parse_args(argv)
    if not 1 <= args.loads <= MAX_LOADS or not 1 <= args.pairs <= 5:
        parser.error(f"bounded: 1 to {MAX_LOADS} loads, 1 to 5 pairs")
    server_cores, tool_cores = cores(args.server_cores), cores(args.tool_cores)
    load_before = os.getloadavg()[0]
    runs: dict[bool, list[dict[str, Figures]]] = {True: [], False: []}
    for _ in range(args.pairs):
        for cached in (False, True):
            runs[cached].append(measure(cached, args.loads, args.port, server_cores, tool_cores))
            time.sleep(1)
    print(
        f"cold phone loads (390×844, nothing cached), {args.loads} per page per run, {args.pairs} pairs; "
        f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f}"
    )
    for name in runs[True][0]:
        for cached in (False, True):
            label = "HAProxy keeps /static/" if cached else "no static cache      "
            cells = " | ".join(
                f"replicas {f[name].replica_ms:.1f} ms · HAProxy {f[name].haproxy_ms:.1f} ms · "
                f"{f[name].requests:.0f} requests · {f[name].kilobytes:,.0f} kB"
                for f in runs[cached]
            )
            print(f"  {name:28s} {label}: {cells}")
        ratios = [c[name].replica_ms / u[name].replica_ms for c, u in zip(runs[True], runs[False], strict=True)]
        print(f"  {name:28s} replicas' CPU, cached ÷ uncached: " + ", ".join(f"{r:.2f}" for r in ratios))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
