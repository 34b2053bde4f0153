"""Check that an engine change keeps every answer: evaluate's to_dict() over a large random grid, written by one
checkout and compared by another (issue 18's speed-up). Not a test: the property test in
tests/test_engine_cache.py is its cheap version.

Run: `.venv/bin/python scripts/engine_same.py write /tmp/old.jsonl` on the old code, then
`.venv/bin/python scripts/engine_same.py compare /tmp/old.jsonl` on the new; `--n` sets the number of cases (compare: the first n of those written).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b12logic import Case, CaseError, evaluate
from b12logic.fields import RISK_FACTORS
from b12logic.guidelines import PROFILES, custom_profile

# Values at and either side of every threshold the rules read, plus random ones.
B12: list[float] = [20, 99.9, 100, 145, 150, 179.9, 180, 199, 200, 250, 300, 350, 350.1, 400, 1000, 1000.5, 2500]
MMA: list[float | None] = [None, None, 50, 270, 271, 271.5, 272, 280, 300, 450, 1000]
HCY: list[float | None] = [None, None, 8, 10, 15, 15.1, 20, 20.1, 45]
MCV: list[float | None] = [None, None, 80, 100, 100.1, 110, 120, 120.1, 135]
HB: list[float | None] = [None, None, 6.5, 7.0, 7.9, 8.0, 9.9, 10.0, 11.0, 11.9, 12.0, 12.9, 13.0, 15.0]
ACTIVE: list[float | None] = [None, None, None, 10, 24.9, 25, 40, 70, 70.1, 120]
ESR: list[float] = [0, 5, 12, 20, 25, 30, 35, 40, 50, 75, 99, 100, 101, 140]
CRP: list[float | None] = [None, None, 2, 5, 5.1, 30]


def _value(rng: random.Random, grid: list[float | None], low: float, high: float) -> float | None:
    if rng.random() < 0.75:
        return rng.choice(grid)
    return round(rng.uniform(low, high), rng.choice((0, 1, 3)))


def _number(rng: random.Random, grid: list[float], low: float, high: float) -> float:
    """A required value: never None."""
    value = _value(rng, list(grid), low, high)
    return low if value is None else value


def cases(n: int, seed: int) -> Iterator[Case]:
    rng = random.Random(seed)
    made = 0
    while made < n:
        sex = rng.choice(("female", "male"))
        age = rng.choice((16, 30, 45, 49, 50, 55, 56, 70, 90, rng.randint(16, 110)))
        unit = rng.choice(("pg/mL", "pg/mL", "pmol/L"))
        b12 = _number(rng, B12, 10, 3000)
        try:
            case = Case(
                age=age,
                sex=sex,
                b12=round(b12 * 0.738, 1) if unit == "pmol/L" else b12,
                b12_unit=unit,
                esr=_number(rng, ESR, 0, 150),
                mma=_value(rng, MMA, 20, 2000),
                homocysteine=_value(rng, HCY, 3, 80),
                mcv=_value(rng, MCV, 60, 140),
                hb=_value(rng, HB, 4, 19),
                neuro_symptoms=rng.random() < 0.3,
                on_folic_acid=rng.random() < 0.15,
                active_b12=_value(rng, ACTIVE, 5, 200),
                crp=_value(rng, CRP, 0, 100),
                pregnant=sex == "female" and age <= 55 and rng.random() < 0.3,
                renal_impairment=rng.random() < 0.15,
                risk_factors=frozenset(r for r in RISK_FACTORS if rng.random() < 0.15),
            )
        except CaseError:
            continue
        made += 1
        yield case


def answers(n: int, seed: int) -> Iterator[str]:
    profiles = [*PROFILES.values(), custom_profile(150, 300, 350), custom_profile(200, 200, 271)]
    for case in cases(n, seed):
        for profile in profiles:
            for crp_limit in (5.0, 10.0):
                yield json.dumps(evaluate(case, profile, crp_limit).to_dict(), sort_keys=True, default=str)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("mode", choices=("write", "compare"))
    parser.add_argument("path", type=Path)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    if args.mode == "write":
        with args.path.open("w") as out:
            for line in answers(args.n, args.seed):
                out.write(line + "\n")
        return 0
    differ = total = 0
    with args.path.open() as old:
        for total, (then, now) in enumerate(zip(old, answers(args.n, args.seed), strict=False), start=1):
            if then.rstrip("\n") != now:
                differ += 1
                if differ <= 3:
                    print(f"differs at answer {total}:\n  old {then[:600]}\n  new {now[:600]}")
    print(f"{total} answers compared, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
