"""Hostile and oversized input (issue 22): peak memory and time, before -> after, and another user's latency.

    .venv/bin/python bench/hostile.py --before 5b91b22 --write          # memory figures (about 3 minutes)
    .venv/bin/python bench/hostile.py --before 5b91b22 --latency --write # and the latency figure (2 more)

Memory: each case runs in a fresh process (peak RSS from the kernel: VmHWM, and a worker's ru_maxrss), once
with this checkout and
once with the code of commit --before (unpacked with `git archive` into a temporary folder), on files the
bench makes itself in a temporary folder on /dev/shm (nothing committed):

- page: what the Batch page does with a 49 MB wide upload: check it, then three clicks of "Download the
  results CSV" (the old page built the CSV again on every click);
- cli-short-row: `python -m b12logic batch` on the same file with one short row at the end (it turned
  streaming off);
- fhir: a 49 MB FHIR Bundle of 175,000 full Observations (checked), and one of 723,000 small ones (the
  issue's: refused before work by the resource limit), as the page checks them;
- wide-columns: a 1.7 MB CSV with 200,000 columns, as the page checks it.

Latency (--latency): see bench/hostile_latency.py. The figures go to bench/RESULTS.md's "Hostile input"
section (replacing an older one) with --write.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SECTION = "## Hostile input (issue 22, bench/hostile.py)"
PY = str(ROOT / ".venv" / "bin" / "python")

PEAK = """
def peaks():
    import resource
    hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    return {"peak_mb": hwm / 1024, "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
"""
PAGE = (
    PEAK
    + """
import json, sys, time
import b12logic.batch_check as batch_check
check_file = getattr(batch_check, "check_upload", batch_check.check_csv)  # the page's own call, then and now
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
check = check_file(data, max_bytes=60_000_000)
for _ in range(3):  # three download clicks, as the page's download button asks for the data
    body = check.results_csv_bytes() if hasattr(check, "results_csv_bytes") else check.results_csv()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": check.rows, "problem": check.problem, **peaks()}))
"""
)
CLI = (
    PEAK
    + """
import json, sys, time
from b12logic.cli import main
started = time.perf_counter()
try:
    code = main(["batch", sys.argv[1], "-o", sys.argv[2]])
except SystemExit as stop:
    code = stop.code
print(json.dumps({"seconds": time.perf_counter() - started, "exit": code, **peaks()}))
"""
)


def make_files(folder: Path) -> dict[str, Path]:
    rng = random.Random(22)
    wide = folder / "wide49.csv"
    with wide.open("w") as out:
        out.write("id,age,sex,b12,b12_unit,mma,esr,hb,neuro_symptoms\n")
        for i in range(1_400_000):
            mma = rng.choice(["", str(rng.randint(100, 600))])
            hb = rng.choice(["", f"{rng.uniform(7, 16):.1f}"])
            out.write(
                f"P{i},{rng.randint(16, 110)},{rng.choice('FM')},{rng.randint(50, 900)},pg/mL,{mma},"
                f"{rng.randint(1, 120)},{hb},{rng.choice(['yes', 'no'])}\n"
            )
    short = folder / "wide49-short-row.csv"
    short.write_bytes(wide.read_bytes() + b"Z,68,F\n")
    observation = (
        '{"resource":{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/p%d"},'
        '"code":{"coding":[{"system":"http://loinc.org","code":"2132-9"}]},"effectiveDateTime":"2024-05-01",'
        '"valueQuantity":{"value":%d,"system":"http://unitsofmeasure.org","code":"pg/mL"}}}'
    )
    fhir = folder / "bundle49.json"  # full Observations: as many as 49 MB holds (under the resource limit)
    with fhir.open("w") as out:
        out.write('{"resourceType":"Bundle","type":"collection","entry":[')
        out.write(",".join(observation % (i % 5000, 100 + i % 700) for i in range(175_000)))
        out.write("]}")
    many = folder / "bundle49-many.json"  # the shape: 723,000 small Observations in 49 MB
    with many.open("w") as out:
        out.write('{"resourceType":"Bundle","type":"collection","entry":[')
        out.write(",".join('{"resource":{"resourceType":"Observation","status":"final"}}' for _ in range(723_000)))
        out.write("]}")
    columns = folder / "columns200k.csv"
    columns.write_bytes(b",".join(b"c%d" % i for i in range(200_000)) + b"\n" + b"1," * 199_999 + b"1\n")
    return {"wide": wide, "short": short, "fhir": fhir, "many": many, "columns": columns}


def run(code: str, args: list[str], source: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        [PY, "-c", code, *args], cwd=source, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0 or not done.stdout.strip():
        return {"failed": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def describe(result: dict[str, object]) -> str:
    if "failed" in result:
        return f"failed: {result['failed']}"
    text = f"{float(result['peak_mb']):,.0f} MB peak, {float(result['seconds']):.1f} s"  # type: ignore[arg-type]
    if float(result.get("worker_mb") or 0) > 0:  # type: ignore[arg-type]
        text += f" (its worker process: {float(result['worker_mb']):,.0f} MB peak)"  # type: ignore[arg-type]
    if result.get("problem"):
        text += f"; refused: “{str(result['problem'])[:90]}”"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the commit whose code gives the 'before' figures")
    parser.add_argument("--latency", action="store_true", help="also measure another user's slider latency")
    parser.add_argument("--write", action="store_true", help="write the figures into bench/RESULTS.md")
    args = parser.parse_args()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(dir="/dev/shm") as tmp:
        folder = Path(tmp)
        before = folder / "before"
        before.mkdir()
        archive = subprocess.run(["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        files = make_files(folder)
        sizes = {k: p.stat().st_size for k, p in files.items()}
        cases = [
            ("page: 49 MB wide upload, check + 3 download clicks", PAGE, [str(files["wide"])]),
            ("CLI: 49 MB wide file, one short row at the end", CLI, [str(files["short"]), str(folder / "out.csv")]),
            ("page: 49 MB FHIR Bundle (175,000 Observations), check + 3 download clicks", PAGE, [str(files["fhir"])]),
            ("page: 49 MB FHIR Bundle (723,000 small Observations)", PAGE, [str(files["many"])]),
            ("page: 1.7 MB CSV with 200,000 columns", PAGE, [str(files["columns"])]),
        ]
        rows = []
        for name, code, case_args in cases:
            old = run(code, case_args, before)
            new = run(code, case_args, ROOT)
            print(f"{name}\n  before: {describe(old)}\n  after:  {describe(new)}", flush=True)
            rows.append((name, old, new))
        latency = None
        if args.latency:
            sys.path.insert(0, str(BENCH))
            from hostile_latency import measure

            latency = measure(files["wide"], files["fhir"], files["many"])
    load_end = os.getloadavg()
    report = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/hostile.py --before {args.before}"
        + (" --latency" if args.latency else "")
        + " --write`. Files made by the bench: "
        + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items())
        + f". Load average at start {', '.join(f'{x:.2f}' for x in load_start)}; at end "
        f"{', '.join(f'{x:.2f}' for x in load_end)} (a shared 2-core machine: other helpers' work runs too).",
        "",
        "| case | before (commit " + args.before + ") | after |",
        "|---|---|---|",
        *(f"| {name} | {describe(old)} | {describe(new)} |" for name, old, new in rows),
        "",
        "Budget stated (b12logic/budget.py, b12logic/worker.py): a 49 MB upload and its download keep the server "
        "process under 1 GB; a file over 1 MB is checked in a worker process stopped above 2 GB; the results "
        "held by all sessions of one process stay under 1.5 GB; a replica is restarted above 3 GB (serve.sh "
        "B12_REPLICA_MEMORY_MB, compose mem_limit).",
    ]
    if latency is not None:
        report += ["", *latency]
    print("\n".join(report))
    if args.write:
        sys.path.insert(0, str(BENCH))
        from results import replace_section

        replace_section(SECTION, report)


if __name__ == "__main__":
    main()
