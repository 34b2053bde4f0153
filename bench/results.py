"""What every benchmark returns (a Section of Rows, or NotAvailable), its Settings, and the small statistics they share."""

from __future__ import annotations

import gc
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"


class NotAvailable(Exception):
    """A benchmark cannot run yet (printed as "not yet available: <reason>")."""


@dataclass
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Section:
    number: int
    title: str
    method: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class Settings:
    quick: bool = False
    self_test_app: bool = False
    load_at_start: str = ""

    def repeats(self, full: int, quick: int) -> int:
        return quick if self.quick else full


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def fmt_int(x: float) -> str:
    return f"{x:,.0f}"


@contextmanager
def no_gc() -> Iterator[None]:
    """Timed loops run with the cyclic collector off (as timeit does), after a full collection."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def replace_section(heading: str, lines: list[str]) -> None:
    """Put a section (its heading line first) at the end of bench/RESULTS.md, replacing an older one of that heading."""
    import re

    path = BENCH / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(re.escape(heading) + r".*?(?=\n## |\Z)", "", text, flags=re.S).rstrip("\n")
    path.write_text(text + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
