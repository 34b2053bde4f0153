"""Realistic random case files for the benchmarks: mixed units, blanks, about 1% bad rows.

The values follow what a clinic's laboratory export looks like: most B12 results in pg/mL, some in
pmol/L; MMA, homocysteine, MCV and Hb often not measured; yes/no flags written several ways; a few
cells that a spreadsheet would run as a formula; and about 1% of rows with one bad cell each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from b12logic.fields import CSV_COLUMNS

GENERATOR_VERSION = 1  # bump when the generator changes, so cached files are rebuilt
BAD_FRACTION = 0.01


def _pick(rng: np.random.Generator, n: int, choices: dict[str, float]) -> np.ndarray:
    words = np.array(list(choices), dtype=object)
    weights = np.array(list(choices.values()), dtype=float)
    return words[rng.choice(len(words), size=n, p=weights / weights.sum())]


def _fmt(values: np.ndarray, decimals: int) -> np.ndarray:
    """Numbers as a laboratory writes them: fixed decimals, no trailing noise."""
    series = pd.Series(np.round(values, decimals))
    text = series.astype(int).astype(str) if decimals == 0 else series.map(f"{{:.{decimals}f}}".format)
    return text.to_numpy(dtype=object)


def _blank_some(rng: np.random.Generator, cells: np.ndarray, fraction: float) -> np.ndarray:
    return np.where(rng.random(len(cells)) < fraction, "", cells)


def make_cases(n: int, seed: int = 5) -> pd.DataFrame:
    """n rows of text cells in the CSV contract's columns (as read_cases_csv would give them)."""
    rng = np.random.default_rng(seed)
    age = rng.integers(16, 101, n).astype(float)
    sex = _pick(rng, n, {"female": 0.4, "male": 0.4, "F": 0.08, "M": 0.08, "f": 0.02, "Male": 0.02})
    b12_pg = np.clip(rng.lognormal(np.log(320), 0.55, n), 20, 6000)
    b12_unit = _pick(rng, n, {"pg/mL": 0.55, "": 0.15, "pmol/L": 0.2, "ng/L": 0.05, "pmol/l": 0.05})
    in_pmol = np.isin(b12_unit, ["pmol/L", "pmol/l"])
    b12 = _fmt(np.where(in_pmol, b12_pg * 0.738, b12_pg), 0)
    mma_nmol = np.clip(rng.lognormal(np.log(250), 0.5, n), 40, 20000)
    mma_unit = _pick(rng, n, {"nmol/L": 0.5, "": 0.4, "µmol/L": 0.1})
    in_umol = mma_unit == "µmol/L"
    mma = np.where(in_umol, _fmt(mma_nmol / 1000.0, 3), _fmt(mma_nmol, 0))
    mma = _blank_some(rng, mma, 0.5)
    homocysteine = _blank_some(rng, _fmt(np.clip(rng.lognormal(np.log(12), 0.4, n), 3, 200), 1), 0.7)
    esr = _fmt(np.clip(rng.gamma(2.0, 14.0, n), 0, 180), 0)
    mcv = _blank_some(rng, _fmt(np.clip(rng.normal(92, 9, n), 60, 140), 1), 0.5)
    hb_g_dl = np.clip(rng.normal(12.8, 2.0, n), 5, 19)
    hb_unit = _pick(rng, n, {"g/dL": 0.6, "": 0.2, "g/L": 0.2})
    hb = np.where(hb_unit == "g/L", _fmt(hb_g_dl * 10, 0), _fmt(hb_g_dl, 1))
    hb = _blank_some(rng, hb, 0.3)
    decimal_comma = (rng.random(n) < 0.02) & (hb != "") & (hb_unit != "g/L")
    hb = np.where(decimal_comma, np.char.replace(hb.astype(str), ".", ",").astype(object), hb)
    neuro = _pick(rng, n, {"": 0.4, "no": 0.25, "yes": 0.15, "0": 0.08, "1": 0.05, "true": 0.04, "N": 0.03})
    folic = _pick(rng, n, {"": 0.7, "no": 0.2, "yes": 0.1})
    ids = pd.Series(np.arange(1, n + 1)).map("P{:07d}".format).to_numpy(dtype=object)
    formula = rng.random(n) < 0.001  # cells a spreadsheet would run: must come back quoted
    ids = np.where(formula, "=HYPERLINK(" + ids + ")", ids)
    df = pd.DataFrame(
        {
            "id": ids,
            "age": _fmt(age, 0),
            "sex": sex,
            "b12": b12,
            "b12_unit": b12_unit,
            "mma": mma,
            "mma_unit": mma_unit,
            "homocysteine": homocysteine,
            "esr": esr,
            "mcv": mcv,
            "hb": hb,
            "hb_unit": hb_unit,
            "neuro_symptoms": neuro,
            "on_folic_acid": folic,
        },
        columns=list(CSV_COLUMNS),
    )
    _spoil(df, rng)
    return df


# One bad cell per spoiled row: every kind of error a laboratory export produces.
_SPOILERS = (
    ("age", "12"),
    ("b12", "abc"),
    ("b12_unit", "mg/dL"),
    ("sex", "x"),
    ("esr", ""),
    ("hb", "300"),
    ("neuro_symptoms", "maybe"),
    ("mma", "-5"),
)


def _spoil(df: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(df)
    rows = np.flatnonzero(rng.random(n) < BAD_FRACTION)
    kinds = rng.integers(0, len(_SPOILERS), rows.size)
    for kind, (column, value) in enumerate(_SPOILERS):
        where = rows[kinds == kind]
        df.loc[where, column] = value
        if column == "hb":
            df.loc[where, "hb_unit"] = "g/dL"


def cases_csv(n: int, directory: Path, seed: int = 5) -> Path:
    """A generated CSV of n cases, cached in directory (bench/data/, git-ignored)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"cases_{n}_s{seed}_v{GENERATOR_VERSION}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        make_cases(n, seed).to_csv(tmp, index=False, lineterminator="\n")
        tmp.replace(path)
    return path
