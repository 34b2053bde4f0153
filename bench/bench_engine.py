"""Benchmark 1, engine on a single case: `evaluate` per call, against building the Assessment alone."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from cases import make_cases
from results import Row, Section, Settings, median, no_gc

from b12logic import Case, evaluate
from b12logic.batch import row_to_case_kwargs
from b12logic.engine import Assessment
from b12logic.validate import CaseError


def _valid_cases(n: int, seed: int) -> list[Case]:
    cases = []
    for record in make_cases(n, seed).to_dict("records"):
        try:
            cases.append(Case(**row_to_case_kwargs(record)))
        except CaseError:
            continue
    return cases


def _per_call_us(fn: Callable[[Any], object], items: list[Any], repeats: int) -> list[float]:
    """Microseconds per call, one figure per pass over all items."""
    for item in items[:50]:
        fn(item)  # warm caches and the interpreter's specialisations
    out = []
    with no_gc():
        for _ in range(repeats):
            start = time.perf_counter()
            for item in items:
                fn(item)
            out.append((time.perf_counter() - start) / len(items) * 1e6)
    return out


def bench_evaluate_single(s: Settings) -> Section:
    section = Section(
        1,
        "Engine, single case: `evaluate`",
        "About 1,000 generated cases (every status, regimen and ESR flag; mixed units; blanks), built once; "
        "one pass calls `evaluate(case)` on each; the figure is the median over passes of the mean time per "
        "call. Baseline: building the `Assessment` dataclass alone from that case's finished field values "
        "(`Assessment(**fields)`): the floor of any `evaluate`, which must at least build its answer. "
        "Building the `Case` (validation; the app pays it on every rerun too) is shown for context.",
    )
    cases = _valid_cases(1000, seed=11)
    repeats = s.repeats(25, 7)
    answers = [evaluate(c) for c in cases]
    fields = [{f.name: getattr(a, f.name) for f in dataclasses.fields(Assessment)} for a in answers]
    kwargs = [{f.name: getattr(c, f.name) for f in dataclasses.fields(Case)} for c in cases]
    # Interleave the measurements so drift in the machine's speed hits both alike.
    ev, floor, build = [], [], []
    for _ in range(repeats):
        ev += _per_call_us(evaluate, cases, 1)
        floor += _per_call_us(lambda kw: Assessment(**kw), fields, 1)
        build += _per_call_us(lambda kw: Case(**kw), kwargs, 1)
    ev_us, floor_us, build_us = median(ev), median(floor), median(build)
    section.rows.append(
        Row(
            "`evaluate` median per call",
            f"{ev_us:.1f} µs",
            f"`Assessment(**fields)`: {floor_us:.1f} µs",
            f"{ev_us / floor_us:.1f}× the floor",
            "≤ 50 µs",
            ev_us <= 50,
        )
    )
    section.rows.append(
        Row(
            "`Case(...)` construction (context)",
            f"{build_us:.1f} µs",
            f"`Assessment(**fields)`: {floor_us:.1f} µs",
            f"{build_us / floor_us:.1f}× the floor",
        )
    )
    section.notes.append(f"{len(cases)} valid cases × {repeats} passes; spread of `evaluate`: {_spread(ev)}.")
    return section


def _spread(values: list[float]) -> str:
    return f"min {min(values):.1f}, median {median(values):.1f}, max {max(values):.1f}"
