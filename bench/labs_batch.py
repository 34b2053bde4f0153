"""Batch speed against the disk's floor: `python -m b12logic batch` on a 1M-row wide CSV and on a long
laboratory CSV of ~1M observations, each against pyarrow reading and writing the same file (all cells
as strings) in a fresh process, in the same run, interleaved.

    .venv/bin/python bench/labs_batch.py [--repeats 3] [--reference-code DIR] [--write]

--reference-code DIR: a checkout of b12logic to compare outputs with, byte for byte (e.g. the commit
before the speed work: `git archive <commit> b12logic | tar -x -C DIR`). --write: put the figures in
bench/RESULTS.md's "Laboratory exports and batch speed" section (replacing an older one).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
sys.path[:0] = [str(ROOT), str(BENCH)]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from cases import cases_csv  # noqa: E402

SECTION = "## Laboratory exports and batch speed (bench/labs_batch.py)"
LONG_CODES = {  # wide column -> (LOINC code, unit column or fixed UCUM unit)
    "b12": ("2132-9", "b12_unit"),
    "mma": ("13964-2", "mma_unit"),
    "homocysteine": ("13965-9", "umol/L"),
    "esr": ("4537-7", "mm/h"),
    "mcv": ("787-2", "fL"),
    "hb": ("718-7", "hb_unit"),
}
_DEFAULT_UNIT = {"b12_unit": "pg/mL", "mma_unit": "nmol/L", "hb_unit": "g/dL"}

# The floor (issue 21): pyarrow reading the input (every cell a string) and writing the batch's own output bytes
# (read back from its file in 16 MB pieces), nothing else: the results hold ~6 times the input's bytes (the
# next steps are sentences), so writing them is part of the least any batch must do.
_FLOOR_OUT_SCRIPT = (
    "import sys, pyarrow as pa, pyarrow.csv as pc; "
    "names = pc.read_csv(sys.argv[1], read_options=pc.ReadOptions(block_size=1 << 16)).column_names; "
    "t = pc.read_csv(sys.argv[1], convert_options=pc.ConvertOptions(column_types={n: pa.string() for n in names})); "
    "src, dst = open(sys.argv[3], 'rb'), open(sys.argv[2], 'wb'); "
    "[dst.write(piece) for piece in iter(lambda: src.read(1 << 24), b'')]; dst.close()"
)
# The earlier floor, kept for comparison: reading the file and writing it back (the input's bytes, not the output's).
_FLOOR_SCRIPT = (
    "import sys, pyarrow as pa, pyarrow.csv as pc; "
    "names = pc.read_csv(sys.argv[1], read_options=pc.ReadOptions(block_size=1 << 16)).column_names; "
    "t = pc.read_csv(sys.argv[1], convert_options=pc.ConvertOptions(column_types={n: pa.string() for n in names})); "
    "pc.write_csv(t, sys.argv[2])"
)
# Wall time and peak RSS of a grandchild (bench/run.py's launcher: a child of this process would inherit our peak).
_LAUNCHER = (
    "import os, subprocess, sys, time; t = time.perf_counter(); "
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
    "err = p.stderr.read(); _, status, usage = os.wait4(p.pid, 0); wall = time.perf_counter() - t; "
    "sys.stderr.buffer.write(err[-2000:]); "
    "print(wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime)"
)


def long_csv(n_cases: int, directory: Path) -> Path:
    """The generated wide cases as a laboratory would send them: one row per measured result, per patient
    and date (bench/cases.py's values, so the same mix of units, blanks and bad cells), ~4 results a case."""
    path = directory / f"long_{n_cases}_v1.csv"
    if path.exists():
        return path
    wide = pd.read_csv(cases_csv(n_cases, directory), dtype=str, keep_default_na=False)
    parts = []
    for column, (code, unit) in LONG_CODES.items():
        filled = wide[wide[column] != ""]
        units = filled[unit].replace("", _DEFAULT_UNIT[unit]) if unit in _DEFAULT_UNIT else unit
        parts.append(
            pd.DataFrame(
                {
                    "order": filled.index.to_numpy() * 10 + len(parts),
                    "patient_id": filled["id"],
                    "collected": "2024-05-01",
                    "age": filled["age"],
                    "sex": filled["sex"],
                    "neuro_symptoms": filled["neuro_symptoms"],
                    "on_folic_acid": filled["on_folic_acid"],
                    "loinc": code,
                    "value": filled[column],
                    "unit": units,
                }
            )
        )
    long = pd.concat(parts).sort_values("order", kind="stable").drop(columns="order")
    tmp = path.with_suffix(".tmp")
    long.to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(path)
    return path


def run_child(argv: list[str], cwd: Path = ROOT) -> tuple[float, float, float]:
    """Wall seconds, peak resident MB and CPU seconds (user + system) of one fresh process running argv in cwd
    (`-m b12logic` is cwd's). On a shared machine the wall time is mostly waiting for the CPU; the CPU time is
    what the process itself spent."""
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], cwd=cwd, capture_output=True, text=True)
    wall, maxrss_kb, status, cpu = done.stdout.split()
    if int(status) != 0:
        raise RuntimeError(f"{shlex.join(argv)} failed ({status}): {done.stderr[-2000:]}")
    return float(wall), int(maxrss_kb) / 1024, float(cpu)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            digest.update(chunk)
    return digest.hexdigest()


def lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            count += chunk.count(b"\n")
    return count


def measure(source: Path, name: str, repeats: int, reference: Path | None) -> dict[str, object]:
    out, floor_out, ref_out = DATA / f"{name}_out.csv", DATA / f"{name}_floor_out.csv", DATA / f"{name}_ref_out.csv"
    batch = [sys.executable, "-m", "b12logic", "batch", str(source), "-o", str(out)]
    floor = [sys.executable, "-c", _FLOOR_OUT_SCRIPT, str(source), str(floor_out), str(out)]
    floor_in = [sys.executable, "-c", _FLOOR_SCRIPT, str(source), str(floor_out)]
    runs: dict[str, list[tuple[float, float, float]]] = {"batch": [], "floor": [], "floor_in": [], "reference": []}
    for _ in range(repeats):  # interleaved: a slower moment of a shared machine hits all of them
        runs["batch"].append(run_child(batch))  # first: the floor writes its output's bytes
        runs["floor"].append(run_child(floor))
        runs["floor_in"].append(run_child(floor_in))
        if reference is not None:  # the code before the change, on the same file: before -> after
            runs["reference"].append(run_child([*batch[:-1], str(ref_out)], cwd=reference))
    return {"source": source, "out": out, "ref_out": ref_out, "command": batch, "runs": runs}


def median(values: list[float]) -> float:
    return float(np.median(values))


def _before(runs: dict[str, list[tuple[float, float, float]]], floor_wall: float, floor_cpu: float) -> str:
    if not runs["reference"]:
        return ""
    wall, peak, cpu = (median([run[i] for run in runs["reference"]]) for i in range(3))
    return f"{wall:.2f} s ({wall / floor_wall:.2f}×), CPU {cpu:.2f} s ({cpu / floor_cpu:.2f}×), {peak:,.0f} MB"


def _floor_in(runs: dict[str, list[tuple[float, float, float]]], wall: float) -> str:
    floor_in = median([run[0] for run in runs["floor_in"]])
    return f"{floor_in:.2f} s ({wall / floor_in:.2f}×)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reference-code", type=Path, help="a b12logic checkout whose output must match")
    parser.add_argument("--write", action="store_true", help="write the figures into bench/RESULTS.md")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    wide = cases_csv(args.rows, DATA)
    long = long_csv(args.rows // 4, DATA)
    ref = args.reference_code
    load_before = os.getloadavg()
    results = [measure(wide, "labs_wide", args.repeats, ref), measure(long, "labs_long", args.repeats, ref)]
    load_after = os.getloadavg()
    report = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/labs_batch.py --repeats {args.repeats}"
        + (" --reference-code DIR" if args.reference_code else "")
        + "` (files under bench/data/). Each figure is the median of fresh processes, interleaved with the "
        "floor: `pyarrow.csv.read_csv` of the input (every column as string) + writing the batch's output bytes "
        "(read back from its file); the earlier floor (`pyarrow.csv.write_csv` of the input table, which writes "
        "the input's bytes, not the output's) is the last column. "
        "Peak = the process's maximum resident set, CPU = its user + system seconds (os.wait4): with other "
        "processes on the core, wall times are mostly waiting, and the CPU ratio is the steadier figure.",
        "",
        "| file | batch wall | floor wall | ratio (target) | batch CPU | floor CPU | CPU ratio | batch peak MB | floor peak MB "
        "| rows in → out | before (reference code) | input-only floor (ratio) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for result, target in zip(results, (2.0, 3.0), strict=True):
        runs = result["runs"]
        assert isinstance(runs, dict)
        wall, peak, cpu = (median([run[i] for run in runs["batch"]]) for i in range(3))
        floor_wall, floor_peak, floor_cpu = (median([run[i] for run in runs["floor"]]) for i in range(3))
        source, out = Path(str(result["source"])), Path(str(result["out"]))
        ratio = wall / floor_wall
        report.append(
            f"| {source.name} ({source.stat().st_size / 1e6:.0f} MB) | {wall:.2f} s | {floor_wall:.2f} s | "
            f"{ratio:.2f}× (≤ {target:g}×: {'met' if ratio <= target else 'missed'}) | {cpu:.2f} s | "
            f"{floor_cpu:.2f} s | {cpu / floor_cpu:.2f}× | {peak:,.0f} | {floor_peak:,.0f} | "
            f"{lines(source) - 1:,} → {lines(out) - 1:,} | {_before(runs, floor_wall, floor_cpu)} | "
            f"{_floor_in(runs, wall)} |"
        )
        spread = "; ".join(
            f"{kind}: " + ", ".join(f"{w:.2f} s/{p:,.0f} MB/CPU {c:.2f} s" for w, p, c in values)
            for kind, values in runs.items()
            if values
        )
        notes.append(f"- {source.name} runs, in order: {spread}.")
        print(report[-1], flush=True)
    report += ["", *notes]
    loads = ", ".join(f"{x:.1f}" for x in (*load_before, *load_after))
    report += ["", f"Load average (1, 5, 15 min) at the start and the end: {loads}."]
    print("\n".join(report[-3 - len(notes) :]), flush=True)  # every run, not only the medians
    if args.reference_code is not None:
        for result, kind in zip(results, ("Wide", "Long"), strict=True):
            same = sha256(Path(str(result["ref_out"]))) == sha256(Path(str(result["out"])))
            report += ["", f"{kind} output byte-identical to the reference code's: {'yes' if same else 'NO'}."]
            print(report[-1])
    if args.write:
        from results import replace_section

        replace_section(SECTION, report)


if __name__ == "__main__":
    main()
