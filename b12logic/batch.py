"""Many cases at once: the CSV contract of DESIGN.md and a vectorised evaluate_frame.

evaluate_frame walks the same decision graph as evaluate, with numpy masks instead of one row at
a time, and builds text cells once per distinct combination rather than once per row. Rows that
fail a vectorised check are re-read by the scalar Case, so a row's error message is exactly the
one Case gives, and nothing is dropped.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import IO, Any

import numpy as np
import pandas as pd

from b12logic import budget
from b12logic.case import Case
from b12logic.csv_quotes import check_quotes
from b12logic.engine import (
    CORRECTING_PROFILE,
    DEFICIENT_STATUSES,
    VERY_HIGH_B12,
    PitfallFacts,
    PlanFacts,
    b12_next_steps,
    esr_urgency,
    evaluate,
    graph_for,
    pitfalls_for,
    source_steps,
)
from b12logic.esr import DEFAULT_CRP_LIMIT_MG_L, GCA_AGE, MARKED_ESR, esr_upper_limit_array, esr_urgent_steps
from b12logic.fields import (
    CSV_COLUMNS,
    FALSE_WORDS,
    FIELDS,
    PREGNANCY_AGES,
    REQUIRED_COLUMNS,
    SEX_ALIASES,
    TRUE_WORDS,
)
from b12logic.graphs import B12_ROOT, PREDICATES, megaloblastic
from b12logic.guidelines import (
    ANAEMIA_HB_G_DL,
    DEFAULT_PROFILE,
    PROFILES,
    SEVERE_HB_G_DL,
    GuidelineProfile,
    get_profile,
)
from b12logic.labels import ANAEMIA_GRADES
from b12logic.rules.facts import anaemia_grade_codes
from b12logic.rules.judgment import path_outcome
from b12logic.units import PMOL_PER_PG, UNIT_ALIASES
from b12logic.validate import NUMBER_PATTERN, CaseError, check_risk_factors, normalise_decimal_comma

RESULT_COLUMNS = (
    "b12_status",
    "regimen",
    "oral_alternative",
    "severe",
    "esr_flag",
    "esr_upper_limit",
    "next_steps",
    "pitfalls",
    "error",
)
# Also in evaluate_frame's answer (not in the CSV contract): the path through the flowchart.
EXTRA_COLUMNS = ("decision_path",)
# Read when present; not part of the template. risk_factors: ids separated by ";" or "," (e.g. "nitrous_oxide").
OPTIONAL_CONTEXT_COLUMNS = ("renal_impairment", "risk_factors")
# TODO(batch helper, issue 21): derive these from b12logic.fields (NUMBER_FIELDS, FLAG_FIELDS, UNIT_FIELDS inverted).
_NUMBER_FIELDS = ("age", "b12", "mma", "homocysteine", "esr", "mcv", "hb", "active_b12", "crp")
_FLAG_FIELDS = ("neuro_symptoms", "on_folic_acid", "pregnant", "renal_impairment")
_UNIT_OF = {"b12": "b12_unit", "mma": "mma_unit", "hb": "hb_unit", "crp": "crp_unit"}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STEP_SEPARATOR = "; "
_FLAG_CELLS = ("normal", "elevated", "markedly_elevated")  # esr_flag codes 0, 1, 2 in evaluate_frame


def _blank(value: object) -> bool:
    if isinstance(value, str):  # the usual case first: this runs for every cell of every re-checked row
        return value.strip() == ""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA:
        return True
    return isinstance(value, str) and value.strip() == ""


def row_to_case_kwargs(row: Mapping[Any, object]) -> dict[str, Any]:
    """A CSV row (or query parameters) as Case keywords: blank units take defaults, blank numbers are None.

    >>> row_to_case_kwargs({"age": "68", "sex": "F", "b12": "179", "esr": "30", "mma": ""})["mma"] is None
    True
    """
    kwargs: dict[str, Any] = {}
    for name in _NUMBER_FIELDS:
        value = row.get(name)
        kwargs[name] = None if _blank(value) else value
    for unit_field, name in ((u, n) for n, u in _UNIT_OF.items()):
        value = row.get(unit_field)
        kwargs[unit_field] = FIELDS[name].default_unit if _blank(value) else value
    sex = row.get("sex")
    kwargs["sex"] = None if _blank(sex) else sex  # a NaN/None cell is "missing", as Case says for None
    for flag in _FLAG_FIELDS:
        value = row.get(flag)
        kwargs[flag] = False if _blank(value) else value
    ident = row.get("id")
    kwargs["id"] = None if _blank(ident) else str(ident)
    risks = row.get("risk_factors")
    if not _blank(risks):
        kwargs["risk_factors"] = str(risks).replace(";", ",")
    return kwargs


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.strip()


class _TextCells:
    """The distinct cells of the text columns, read as _text reads them, each row a code into them.

    A laboratory column holds few distinct cells (a million B12 results share a few thousand numbers),
    so the string work runs once per distinct cell and `[codes]` spreads it to the rows: pandas' string
    dtype is slow per row. The distinct cells of every column are worked on as one batch, since for a
    small frame pandas' cost per call, not the cells, is what counts. Every operation is cell by cell,
    so batching changes no answer. Non-string columns become text first, as in _text (1 and True apart).
    """

    def __init__(self, columns: dict[str, pd.Series]) -> None:
        self.codes: dict[str, np.ndarray] = {}
        self.span: dict[str, slice] = {}
        parts = [np.empty(0, dtype=object)]
        start = 0
        for name, series in columns.items():
            if not isinstance(series.dtype, pd.StringDtype):
                series = series.astype("string")
            codes, uniques = pd.factorize(series, use_na_sentinel=False)
            self.codes[name] = codes
            self.span[name] = slice(start, start + len(uniques))
            start += len(uniques)
            parts.append(np.asarray(uniques, dtype=object))
        text = _text(pd.Series(np.concatenate(parts), dtype=object))
        self.blank = (text == "").to_numpy(dtype=bool)
        self.lower = text.str.lower().to_numpy(dtype=object)
        # The scalar reader's own rule for a decimal comma ("12,5": one comma, no dot), cell by cell.
        number_text = np.array([normalise_decimal_comma(c) for c in text.to_numpy(dtype=object)], dtype=object)
        self.number_ok = pd.Series(number_text, dtype="string").str.fullmatch(NUMBER_PATTERN).to_numpy(dtype=bool)
        self.numbers = np.full(len(number_text), np.nan)
        self.numbers[self.number_ok] = pd.to_numeric(number_text[self.number_ok], errors="coerce")


def _reads_as_text(field: str, series: pd.Series) -> bool:
    """Whether _Parsed reads this column as text (numbers and flags may come as numbers or booleans)."""
    if field in _FLAG_FIELDS or field in _NUMBER_FIELDS:
        return not (pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series))
    return field in ("sex", *_UNIT_OF.values())


def _resolve_columns(df: pd.DataFrame) -> dict[str, Any]:
    """Known column name (lower case) -> the frame's own column label; CaseError on missing or repeated ones."""
    known = set(CSV_COLUMNS) | set(OPTIONAL_CONTEXT_COLUMNS)
    found: dict[str, Any] = {}
    for label in df.columns:
        key = str(label).strip().lower()
        if key in known:
            if key in found:
                raise CaseError("columns", key, f"columns: {key!r} appears more than once; keep one")
            found[key] = label
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise CaseError(
            "columns",
            missing,
            f"columns: missing required column(s) {', '.join(missing)} (required: {', '.join(REQUIRED_COLUMNS)})",
        )
    return found


class _Parsed:
    """Column arrays for the vectorised engine, and which rows failed a check."""

    def __init__(self, df: pd.DataFrame, columns: dict[str, Any]) -> None:
        n = len(df)
        self.n = n
        self.bad = np.zeros(n, dtype=bool)
        self.field_bad: dict[str, np.ndarray] = {}  # the same, per field: a re-check can skip the rest
        self._unit_codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.cells = _TextCells({f: df[label] for f, label in columns.items() if _reads_as_text(f, df[label])})
        self.units = {u: self._unit(df, columns, u, name) for name, u in _UNIT_OF.items()}
        self.values = {name: self._number(df, columns, name) for name in _NUMBER_FIELDS}
        self.is_female = self._sex(df, columns)
        self.flags = {flag: self._flag(df, columns, flag) for flag in _FLAG_FIELDS}
        # Pregnancy only for women aged 16 to 55: Case checks it after every field's own check.
        low, high = PREGNANCY_AGES
        age = self.values["age"]
        with np.errstate(invalid="ignore"):
            self._mark("pregnant", self.flags["pregnant"] & (~self.is_female | (age < low) | (age > high)))

    def _unit(self, df: pd.DataFrame, columns: dict[str, Any], unit_field: str, name: str) -> np.ndarray:
        default = FIELDS[name].default_unit
        if unit_field not in columns:
            self._unit_codes[unit_field] = (np.zeros(self.n, dtype=np.intp), np.array([default], dtype=object))
            return np.full(self.n, default, dtype=object)
        codes, span = self.cells.codes[unit_field], self.cells.span[unit_field]
        canonical = np.array([UNIT_ALIASES.get(word, np.nan) for word in self.cells.lower[span]], dtype=object)
        allowed = np.array([unit in FIELDS[name].units for unit in canonical], dtype=bool)
        blank = self.cells.blank[span]
        self._mark(unit_field, (~blank & ~allowed)[codes])
        distinct = canonical.copy()
        distinct[blank] = default
        self._unit_codes[unit_field] = (codes, distinct)
        return distinct[codes]

    def _mark(self, field: str, rows: np.ndarray) -> None:
        """These rows fail this field's check."""
        self.bad |= rows
        self.field_bad[field] = self.field_bad[field] | rows if field in self.field_bad else rows.copy()

    def unit_is(self, unit_field: str, unit: str, rows: np.ndarray | None = None) -> np.ndarray:
        """units[unit_field] == unit, compared once per distinct cell (a million-row object compare is slow)."""
        codes, distinct = self._unit_codes[unit_field]
        return (distinct == unit)[codes if rows is None else codes[rows]]

    def _number(self, df: pd.DataFrame, columns: dict[str, Any], name: str) -> np.ndarray:
        spec = FIELDS[name]
        if name not in columns:
            values = np.full(self.n, np.nan)
        else:
            series = df[columns[name]]
            if pd.api.types.is_bool_dtype(series):
                self._mark(name, series.notna().to_numpy(dtype=bool))
                values = np.full(self.n, np.nan)
            elif pd.api.types.is_numeric_dtype(series):
                values = series.to_numpy(dtype=float, na_value=np.nan)
                self._mark(name, np.isinf(values))
            else:
                codes, span = self.cells.codes[name], self.cells.span[name]
                blank, ok = self.cells.blank[span], self.cells.number_ok[span]
                self._mark(name, (~blank & ~ok)[codes])
                values = self.cells.numbers[span][codes]
        measured = ~np.isnan(values)
        if spec.required:
            self._mark(name, ~measured)
        unit_field = _UNIT_OF.get(name)
        in_range = np.zeros(self.n, dtype=bool)
        with np.errstate(invalid="ignore"):
            for unit, lim in spec.limits.items():
                here = self.unit_is(unit_field, unit) if unit_field else np.ones(self.n, dtype=bool)
                above = values >= lim.low if lim.low_inclusive else values > lim.low
                in_range |= here & above & (values <= lim.high)
        self._mark(name, measured & ~in_range)
        return values

    def _sex(self, df: pd.DataFrame, columns: dict[str, Any]) -> np.ndarray:
        codes, span = self.cells.codes["sex"], self.cells.span["sex"]
        sex = [SEX_ALIASES.get(word) for word in self.cells.lower[span]]
        self._mark("sex", np.array([s is None for s in sex], dtype=bool)[codes])
        return np.array([s == "female" for s in sex], dtype=bool)[codes]

    def _flag(self, df: pd.DataFrame, columns: dict[str, Any], flag: str) -> np.ndarray:
        if flag not in columns:
            return np.zeros(self.n, dtype=bool)
        series = df[columns[flag]]
        if pd.api.types.is_bool_dtype(series):
            return series.fillna(False).to_numpy(dtype=bool)
        if pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype=float, na_value=np.nan)
            self._mark(flag, ~np.isnan(values) & ~np.isin(values, (0.0, 1.0)))
            return values == 1.0
        codes, span = self.cells.codes[flag], self.cells.span[flag]
        words = self.cells.lower[span]
        yes = np.array([word in TRUE_WORDS for word in words], dtype=bool)
        no = np.array([word in FALSE_WORDS for word in words], dtype=bool)
        self._mark(flag, ~(yes | no)[codes])
        return yes[codes]


class _Coded:
    """A result column as integer codes into a short list of cells: a million rows share a few dozen
    texts, and building a text or categorical column row by row was most of a large batch's time.
    Setting one row (a re-checked row's scalar answer or error) adds its cell to the list."""

    def __init__(self, codes: np.ndarray, cells: list[Any]) -> None:
        self.codes = np.array(codes, dtype=np.intp)  # a copy: several columns start from one path index
        self.cells = list(cells)
        self._position: dict[Any, int] | None = None

    def __setitem__(self, row: int, cell: Any) -> None:
        if self._position is None:
            self._position = {}
            for i, known in enumerate(self.cells):
                self._position.setdefault(known, i)
        if cell not in self._position:
            self._position[cell] = len(self.cells)
            self.cells.append(cell)
        self.codes[row] = self._position[cell]

    def categorical(self, index: pd.Index, blank: np.ndarray | None = None) -> pd.Series:
        """What pd.Series(cells_per_row, dtype=object).astype("category").mask(blank) gives: the cells
        used by any row (blanked ones too), sorted, as categories."""
        used = np.bincount(self.codes, minlength=len(self.cells)) > 0
        categories = sorted({self.cells[i] for i in np.flatnonzero(used)})
        position = {cell: i for i, cell in enumerate(categories)}
        remap = np.array([position.get(cell, -1) for cell in self.cells], dtype=np.intp)
        codes = remap[self.codes]
        if blank is not None:
            codes[blank] = -1
        # The codes are valid by construction; building the dtype (not the codes) was the cost on small frames.
        coded = pd.Categorical.from_codes(codes, dtype=_categorical_dtype(tuple(categories)), validate=False)
        return pd.Series(coded, index=index)

    def text(self, index: pd.Index) -> pd.Series:
        """What pd.Series(cells_per_row, dtype="string") gives, without a million Python strings."""
        try:
            import pyarrow as pa
        except ImportError:  # pandas without pyarrow: the plain way
            cells = np.empty(len(self.cells), dtype=object)
            cells[:] = self.cells
            return pd.Series(cells[self.codes], index=index, dtype="string")
        encoded = pa.DictionaryArray.from_arrays(
            pa.array(self.codes, type=pa.int64()), pa.array(self.cells, type=pa.large_string())
        )
        return pd.Series(pd.array(encoded.cast(pa.large_string()), dtype="string"), index=index)


@lru_cache(maxsize=256)
def _categorical_dtype(categories: tuple[str, ...]) -> pd.CategoricalDtype:
    """The dtype from_codes(categories=list(categories)) would build (the same few sets recur)."""
    return pd.CategoricalDtype(list(categories))


class _Columns:
    """Attribute access to arrays, so the graph's predicates run on whole columns."""

    def __init__(self, **arrays: np.ndarray) -> None:
        self.__dict__.update(arrays)


def _walk_vectorised(profile: GuidelineProfile, view: _Columns, n: int) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Every row's path through the B12 tree: an index per row into a list of distinct paths.

    A row's path depends only on which predicates hold for it, so each row gets that pattern as bits
    (a million rows show a few dozen patterns) and the tree is walked once per pattern, edges in order
    and the first that holds taken, as the scalar walk does.
    """
    _, adjacency = graph_for(profile)
    names = list(PREDICATES)
    pattern = np.zeros(n, dtype=np.int64)
    for bit, name in enumerate(names):
        holds = np.broadcast_to(np.asarray(PREDICATES[name](view, profile), dtype=bool), (n,))
        pattern |= holds.astype(np.int64) << bit
    if len(names) <= 16:  # a lookup table over every pattern: no sort of a million keys
        seen = np.flatnonzero(np.bincount(pattern, minlength=1 << len(names)))
        slot = np.zeros(1 << len(names), dtype=np.int64)
        slot[seen] = np.arange(seen.size)
        inverse = slot[pattern]
    else:
        seen, inverse = np.unique(pattern, return_inverse=True)
    paths: list[tuple[str, ...]] = []
    path_number: dict[tuple[str, ...], int] = {}
    pattern_path = np.zeros(seen.size, dtype=np.int64)
    for i, bits in enumerate(seen.tolist()):
        holds_here = {name: bool(bits >> bit & 1) for bit, name in enumerate(names)}
        walk = [B12_ROOT]
        while adjacency[walk[-1]]:
            walk.append(next(e.target for e in adjacency[walk[-1]] if e.when is None or holds_here[e.when]))
        path = tuple(walk)
        pattern_path[i] = path_number.setdefault(path, len(paths))
        if pattern_path[i] == len(paths):
            paths.append(path)
    return pattern_path[inverse.reshape(-1)], paths


def assessment_cells(assessment: Any) -> dict[str, Any]:
    """The CSV result cells of one scalar Assessment (what evaluate_frame gives for that row)."""
    return {
        "b12_status": assessment.b12_status,
        "regimen": assessment.regimen,
        "oral_alternative": assessment.oral_alternative,
        "severe": assessment.severe,
        "esr_flag": assessment.esr_flag,
        "esr_upper_limit": assessment.esr_upper_limit,
        "next_steps": STEP_SEPARATOR.join(s.brief for s in (*assessment.next_steps, *esr_urgency(assessment))),
        "pitfalls": ";".join(p.id for p in assessment.pitfalls),
        "error": "",
        "decision_path": ">".join(assessment.decision_path),
    }


def evaluate_frame(
    df: pd.DataFrame, guideline: str | GuidelineProfile = DEFAULT_PROFILE, crp_limit: float = DEFAULT_CRP_LIMIT_MG_L
) -> pd.DataFrame:
    """The input frame, unchanged, with the result columns added: one output row per input row, in order.

    `crp_limit` is accepted for the same signature as evaluate; no CSV result column depends on it.
    """
    profile = get_profile(guideline)
    columns = _resolve_columns(df)
    parsed = _Parsed(df, columns)
    n = parsed.n
    v = parsed.values
    b12 = np.where(parsed.unit_is("b12_unit", "pmol/L"), v["b12"] / PMOL_PER_PG, v["b12"])
    mma = np.where(parsed.unit_is("mma_unit", "µmol/L"), v["mma"] * 1000.0, v["mma"])
    hb = np.where(parsed.unit_is("hb_unit", "g/L"), v["hb"] / 10.0, v["hb"])
    female = parsed.is_female
    pregnant = parsed.flags["pregnant"]
    limit = esr_upper_limit_array(v["age"], female, pregnant)
    neuro = parsed.flags["neuro_symptoms"]
    risk_codes, risk_sets = _risk_factors(df, columns, parsed)
    grade = anaemia_grade_codes(hb, female, pregnant)
    nitrous = np.array(["nitrous_oxide" in r for r in risk_sets], dtype=bool)[risk_codes]
    view = _Columns(
        b12=b12,
        mma=mma,
        hb=hb,
        neuro=neuro,
        esr=v["esr"],
        esr_limit=limit,
        active_b12=v["active_b12"],
        nitrous_oxide=nitrous,
        hcy=v["homocysteine"],
        mcv=v["mcv"],
        pregnant=pregnant,
        severe_anaemia=grade == ANAEMIA_GRADES.index("severe"),
    )

    with np.errstate(invalid="ignore"):
        path_index, paths = _walk_vectorised(profile, view, n)
        path_status = [path_outcome(profile, p)[0] for p in paths]
        path_regimen = [path_outcome(profile, p)[1] for p in paths]
        deficient = np.array([st in DEFICIENT_STATUSES for st in path_status], dtype=bool)[path_index]
        severe = deficient & np.asarray(PREDICATES["severe"](view, profile), dtype=bool)
        flag = np.select([v["esr"] >= MARKED_ESR, v["esr"] > limit], [2, 1], 0)  # codes into _FLAG_CELLS
        anaemic = hb < np.where(female, ANAEMIA_HB_G_DL["female"], ANAEMIA_HB_G_DL["male"])
        severe_anaemia = hb < SEVERE_HB_G_DL
        gca_age = v["age"] >= GCA_AGE
        very_high = b12 > VERY_HIGH_B12
        very_high_mcv = np.asarray(megaloblastic(view), dtype=bool)
        # Under the source's rules the guideline's urgent steps stand beside them (engine.corrected_steps).
        correcting = PROFILES[CORRECTING_PROFILE]
        if profile.reads_context:
            guide_index, guide_paths = np.zeros(n, dtype=np.int64), [paths[0]] if paths else []
        else:
            guide_index, guide_paths = _walk_vectorised(correcting, view, n)

    # Text cells: built once per distinct combination of what decides them. The combinations are found
    # as small integers (a path fixes status and regimen), not as a million-row MultiIndex of text.
    measured = [~np.isnan(mma), ~np.isnan(v["homocysteine"]), ~np.isnan(v["active_b12"])]
    grade_bits = [grade == ANAEMIA_GRADES.index("severe"), grade == ANAEMIA_GRADES.index("unknown")]
    step_bits = [neuro, ~np.isnan(hb), severe_anaemia, pregnant, gca_age, *measured, very_high_mcv, *grade_bits]
    steps_codes, steps_keys = _combinations(
        path_index, flag, step_bits, extra=[(risk_codes, len(risk_sets)), (guide_index, max(len(guide_paths), 1))]
    )
    steps_text = []
    for path, fl, bits, (risk, guide) in steps_keys:
        nr, hm, sa, pg, old, mm, hc, ac, mcv_high, grade_severe, grade_unknown = bits
        graded = "severe" if grade_severe else ("unknown" if grade_unknown else "none")

        common = {
            "neuro": nr,
            "hb_measured": hm,
            "severe_anaemia": sa,
            "anaemia_grade": graded,
            "pregnant": pg,
            "risk_factors": risk_sets[risk],
            "mma_measured": mm,
            "hcy_measured": hc,
            "active_measured": ac,
            "very_high_mcv": mcv_high,
        }
        own = _facts_of(profile, paths[path], common)
        if profile.reads_context:
            steps = b12_next_steps(profile, own)
        else:
            steps, _ = source_steps(profile, own, _facts_of(correcting, guide_paths[guide], common))
        steps = (*steps, *esr_urgent_steps(_FLAG_CELLS[fl], old))
        steps_text.append(STEP_SEPARATOR.join(s.brief for s in steps))
    facts_bits = [parsed.flags["on_folic_acid"], neuro, anaemic, parsed.flags["renal_impairment"], ~np.isnan(mma)]
    not_above = b12 <= profile.b12_upper
    facts_codes, facts_keys = _combinations(path_index, flag, [*facts_bits, very_high, nitrous, not_above])
    pitfall_text = []
    for path, fl, (fo, nr, an, rn, mm, vh, no, na), _ in facts_keys:
        facts = PitfallFacts(
            on_folic_acid=fo,
            neuro=nr,
            status=path_status[path],
            regimen=path_regimen[path],
            esr_flag=_FLAG_CELLS[fl],
            anaemic=an,
            renal_impairment=rn,
            mma_measured=mm,
            b12_very_high=vh,
            nitrous_oxide=no,
            duration_rule=profile.duration_rule,
            b12_not_above=na,
        )
        pitfall_text.append(";".join(p.id for p in pitfalls_for(facts)))

    result: dict[str, Any] = {
        "b12_status": _Coded(path_index, path_status),
        "regimen": _Coded(path_index, path_regimen),
        "oral_alternative": np.array([rg == "oral_or_im" for rg in path_regimen], dtype=bool)[path_index],
        "severe": severe,
        "esr_flag": _Coded(flag, list(_FLAG_CELLS)),
        "esr_upper_limit": limit,
        "next_steps": _Coded(steps_codes, steps_text),
        "pitfalls": _Coded(facts_codes, pitfall_text),
        "error": _Coded(np.zeros(n, dtype=np.intp), [""]),
        "decision_path": _Coded(path_index, [">".join(p) for p in paths]),
    }
    _fill_bad_rows(df, columns, parsed, result, profile)
    out = df.copy()
    for name in (*RESULT_COLUMNS, *EXTRA_COLUMNS):
        out[name] = _result_series(name, result[name], parsed.bad, df.index)
    return out


def _facts_of(profile: GuidelineProfile, path: tuple[str, ...], common: dict[str, Any]) -> PlanFacts:
    """The facts of one combination of a batch under one profile (the fields the statements read)."""
    status, regimen, awaiting = path_outcome(profile, path)
    return PlanFacts(outcome=path[-1], status=status, regimen=regimen, awaiting=awaiting, **common)


def _risk_factors(
    df: pd.DataFrame, columns: dict[str, Any], parsed: _Parsed
) -> tuple[np.ndarray, list[frozenset[str]]]:
    """Each row's recorded risk factors (the optional risk_factors column) as a code into distinct sets; a row
    with an unknown id is marked bad (the scalar Case then names it)."""
    if "risk_factors" not in columns:
        return np.zeros(parsed.n, dtype=np.intp), [frozenset()]
    cells = df[columns["risk_factors"]].astype("string").fillna("").str.strip()
    codes, distinct = pd.factorize(cells)
    sets: list[frozenset[str]] = []
    failed = np.zeros(len(distinct), dtype=bool)
    for i, text in enumerate(distinct.tolist()):
        try:
            sets.append(check_risk_factors(str(text).replace(";", ",")))
        except CaseError:
            sets.append(frozenset())
            failed[i] = True
    codes = np.asarray(codes, dtype=np.intp)
    if not sets:
        return np.zeros(parsed.n, dtype=np.intp), [frozenset()]
    parsed._mark("risk_factors", failed[codes])
    return codes, sets


def _combinations(
    path_index: np.ndarray,
    flag: np.ndarray,
    bits: list[np.ndarray],
    extra: list[tuple[np.ndarray, int]] = (),  # type: ignore[assignment]
) -> tuple[np.ndarray, list[tuple[int, int, tuple[bool, ...], tuple[int, ...]]]]:
    """Each row's combination of (path, ESR flag code, yes/no facts, small codes) as one integer code, and each
    distinct combination decoded: the text cells that depend only on these are then built once per combination."""
    key = path_index.astype(np.int64) * 3 + flag
    for codes, size in extra:
        key = key * size + codes
    key = key << len(bits)
    for bit, column in enumerate(bits):
        key |= column.astype(np.int64) << bit
    codes, keys = pd.factorize(key)
    decoded = []
    for k in keys.tolist():
        rest = k >> len(bits)
        small = []
        for _, size in reversed(extra):
            rest, code = divmod(rest, size)
            small.append(code)
        path, fl = divmod(rest, 3)
        decoded.append((path, fl, tuple(bool(k >> bit & 1) for bit in range(len(bits))), tuple(reversed(small))))
    return codes, decoded


def _fill_bad_rows(
    df: pd.DataFrame, columns: dict[str, Any], parsed: _Parsed, result: dict[str, Any], profile: GuidelineProfile
) -> None:
    """Rows a vectorised check rejected: the scalar Case gives the exact message (or, rarely, the answer).

    Case stops at its first bad field, and a field's check reads only its own cell and unit. So each
    row is re-checked with its cells that passed the vectorised checks replaced by one fixed valid
    stand-in per field and unit (_stand_ins), and rows alike in that form share one Case call: the
    message is the one Case gives for the full row. A row whose failed cells all pass Case after all
    is re-checked in full and answered.
    """
    bad = parsed.bad
    positions = np.flatnonzero(bad)
    if positions.size == 0:
        return
    fields = list(columns)
    raw = [_cells_at(df[label], positions) for label in columns.values()]  # to_dict("records") is slow
    checked = [_stand_ins(parsed, field, positions, cells) for field, cells in zip(fields, raw, strict=True)]
    outcome: dict[tuple[Any, ...], str | None] = {}
    for i, (pos, key) in enumerate(zip(positions.tolist(), zip(*checked, strict=True), strict=True)):
        message = _case_error(fields, key, outcome)
        if message is not None:
            result["error"][pos] = message
            continue
        record = {field: cells[i] for field, cells in zip(fields, raw, strict=True)}
        try:
            case = Case(**row_to_case_kwargs(record))
        except CaseError as err:
            result["error"][pos] = str(err)
            continue
        cells = assessment_cells(evaluate(case, profile))
        for name, value in cells.items():
            result[name][pos] = value
        bad[pos] = False


def _cells_at(series: pd.Series, rows: np.ndarray) -> list[Any]:
    """series.iloc[rows].tolist(), taken straight from the column's array (a Series per column costs more
    than the take on a small frame)."""
    values = series.array
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        return series.to_numpy()[rows].tolist()
    return values.take(rows).tolist()


def _case_error(fields: list[str], cells: tuple[Any, ...], outcome: dict[tuple[Any, ...], str | None]) -> str | None:
    """Case's message for a row of cells (None when Case accepts it), remembered by the cells."""
    try:
        if cells in outcome:
            return outcome[cells]
        remember = True
    except TypeError:  # a cell that cannot be a key (a list; pd.NA against text): check the row alone
        remember = False
    try:
        Case(**row_to_case_kwargs(dict(zip(fields, cells, strict=True))))
        message = None
    except CaseError as err:
        message = str(err)
    if remember:
        outcome[cells] = message
    return message


def _stand_ins(parsed: _Parsed, field: str, rows: np.ndarray, cells: list[Any]) -> list[Any]:
    """The field's cells in these rows, each cell that passed the vectorised check replaced by a valid
    stand-in that Case reads the same way: the canonical unit, the top of the number's range in its
    unit (blank when not measured), female, no. The id is never checked: blank."""
    if field == "id":
        return [None] * len(cells)
    failed = parsed.field_bad.get(field)
    if failed is not None and field in ("age", "sex") and "pregnant" in parsed.field_bad:
        failed = failed | parsed.field_bad["pregnant"]  # the pregnancy message names the real age and sex
    checked = field == "sex" or field in _UNIT_OF.values() or field in _NUMBER_FIELDS or field in _FLAG_FIELDS
    if failed is None or not checked:  # no vectorised check to lean on: the cells as read
        return cells
    stand_in: list[Any]
    if field in _UNIT_OF.values():
        stand_in = parsed.units[field][rows].tolist()
    elif field in _NUMBER_FIELDS:
        unit_field = _UNIT_OF.get(field)
        top = np.full(rows.size, np.nan)
        for unit, lim in FIELDS[field].limits.items():
            top[parsed.unit_is(unit_field, unit, rows) if unit_field else slice(None)] = lim.high
        measured = ~np.isnan(parsed.values[field][rows])
        stand_in = [t if m else None for t, m in zip(top.tolist(), measured.tolist(), strict=True)]
    elif field == "sex":
        stand_in = ["female"] * len(cells)
    else:
        stand_in = [False] * len(cells)
    return [c if f else s for c, f, s in zip(cells, failed[rows].tolist(), stand_in, strict=True)]


def _result_series(name: str, values: Any, bad: np.ndarray, index: pd.Index) -> pd.Series:
    """One result column, blank in the rows still bad (their error says why). The blanks go in as the
    column is built: Series.mask per column cost as much as building it."""
    if name == "error":
        return values.text(index) if isinstance(values, _Coded) else pd.Series(values, index=index, dtype="string")
    blank = bad if bad.any() else None
    if isinstance(values, _Coded):
        return values.categorical(index, blank)
    if name in ("oral_alternative", "severe"):
        missing = np.zeros(len(index), dtype=bool) if blank is None else blank.copy()
        return pd.Series(pd.arrays.BooleanArray(np.asarray(values, dtype=bool), missing), index=index)
    if name == "esr_upper_limit":
        numbers = np.asarray(values, dtype="float64")
        return pd.Series(numbers if blank is None else np.where(blank, np.nan, numbers), index=index, dtype="float64")
    s = pd.Series(values, index=index, dtype="object").astype("category")
    return s.mask(pd.Series(bad, index=index)) if bad.any() else s


# --- CSV in and out


def read_cases_csv(source: str | bytes | IO[bytes] | IO[str], max_bytes: int | None = None) -> pd.DataFrame:
    """Read a cases CSV as text cells, exactly as written. CaseError("file", ...) for a file we cannot read."""
    raw = read_source_bytes(source)
    budget.check_size(len(raw), max_bytes)
    raw = utf8_from_utf16(raw)
    if b"\x00" in raw[:65536]:
        raise CaseError("file", "binary", "file: this looks like a binary file, not a CSV text file")
    text = _decode(raw)
    if not text or text.isspace():  # text.strip() == "", without copying a large file
        raise CaseError("file", "", "file: the file is empty; it needs a header row with age, sex, b12 and esr")
    first_line = _first_line(text)
    # The header's most frequent separator; a tie keeps the comma. Tabs: Excel's "Unicode text" export.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    budget.check_csv_size(text, budget.header_width(first_line, delimiter))  # before pandas holds it
    check_quotes(raw, delimiter)  # a quote left open would merge the rest of the file into one cell
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as err:
        from b12logic.batch_stream import read_odd_widths  # the stream's reader puts an odd row in its place

        odd = read_odd_widths(text, delimiter) if "fields in line" in str(err) else None
        if odd is None:
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise CaseError("file", "csv", f"file: not a readable CSV ({message})") from None
        df = odd
    if any(str(c).startswith("Unnamed: ") and str(c)[9:].isdigit() for c in df.columns) and len(df.columns) == 1:
        raise CaseError("file", "csv", "file: no header row found")
    _check_duplicate_headers(first_line, delimiter)
    if not isinstance(df.index, pd.RangeIndex):
        df = _realign_wide_rows(df)
    return df


def _realign_wide_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Rows with more cells than the header: pandas silently makes the first cells an index, shifting every
    value one column right ("68,F,179,30," would read age F). Put the cells back under their own headers;
    trailing blank cells (a common export habit) are dropped, anything else there is a file error."""
    width = len(df.columns)
    cells = df.reset_index().to_numpy(dtype=object)
    extra = pd.DataFrame(cells[:, width:]).astype("string").fillna("").apply(lambda s: s.str.strip() != "")
    filled = extra.any(axis=1).to_numpy()
    if filled.any():
        row = int(filled.argmax()) + 1
        raise CaseError(
            "file",
            "csv",
            f"file: not a readable CSV (row {row} has more cells than the {width} named in the header row; "
            "name the extra columns or remove the extra cells)",
        )
    out = pd.DataFrame(cells[:, :width], columns=df.columns).fillna("")
    return out.astype(df.dtypes.to_dict())


def _first_line(text: str) -> str:
    """text.splitlines()[0], without splitting a whole large file into lines to read its header."""
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        if len(lines) > 1 or size >= len(text):  # a line break with more after it: the first line is whole
            return lines[0]
        size *= 4


def _check_duplicate_headers(first_line: str, delimiter: str) -> None:
    """pandas renames a repeated header to 'b12.1'; catch it from the raw header instead."""
    try:
        names = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error as err:  # e.g. a header cell over the csv module's 131072-character field limit
        raise CaseError("file", "csv", f"file: not a readable CSV ({err})") from None
    seen: set[str] = set()
    known = set(CSV_COLUMNS) | set(OPTIONAL_CONTEXT_COLUMNS)
    for name in names:
        key = name.strip().lower().lstrip("\ufeff")
        if key in known and key in seen:
            raise CaseError("columns", key, f"columns: {key!r} appears more than once; keep one")
        seen.add(key)


def utf8_from_utf16(raw: bytes) -> bytes:
    """UTF-16 with a BOM (Excel's "Unicode text") as UTF-8, so every reader sees the same text; else raw.

    >>> utf8_from_utf16("a,b".encode("utf-16")), utf8_from_utf16(b"a,b")
    (b'a,b', b'a,b')
    """
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode("utf-16").encode("utf-8")
    return raw


def read_source_bytes(source: str | bytes | IO[bytes] | IO[str]) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str):
        with open(source, "rb") as handle:
            return handle.read()
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Latin-1 (old laboratory exports)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def spreadsheet_safe(series: pd.Series) -> pd.Series:
    """Prefix a quote to text cells that a spreadsheet would run as a formula; numbers pass unchanged.

    >>> spreadsheet_safe(pd.Series(["=HYPERLINK(1)", "-5", "-x", "ok"])).tolist()
    ["'=HYPERLINK(1)", '-5', "'-x", 'ok']
    """
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)) or isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        if isinstance(series.dtype, pd.CategoricalDtype):
            return series.cat.rename_categories(lambda c: _safe_cell(c) if isinstance(c, str) else c)
        return series
    text = series.astype("string")
    risky_rows = _starts_like_formula(text)
    if not risky_rows.any():
        return series
    numeric = np.zeros(len(text), dtype=bool)
    numeric[risky_rows] = [_plain_number(v) for v in text[risky_rows].to_numpy(dtype=object)]
    if not (risky_rows & ~numeric).any():  # only numbers like "-5": nothing to quote
        return series
    return series.mask(risky_rows & ~numeric, "'" + text)


def _starts_like_formula(text: pd.Series) -> np.ndarray:
    """text.str.startswith(_FORMULA_STARTS).fillna(False) as a bool array. For Arrow-backed text it reads
    the first byte of each cell (every formula start is one ASCII byte, and no other UTF-8 character
    starts with such a byte): four times faster on a million cells."""
    try:
        import pyarrow as pa

        arrow = text.array.__arrow_array__()
    except (ImportError, AttributeError, TypeError):
        return text.str.startswith(_FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
    starts = np.frombuffer("".join(_FORMULA_STARTS).encode("ascii"), dtype=np.uint8)
    parts = [np.zeros(0, dtype=bool)]
    chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in chunks):
        return text.str.startswith(_FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)  # another layout
    for chunk in chunks:
        first = np.zeros(len(chunk), dtype=np.uint8)
        offsets_buffer, data = chunk.buffers()[1], chunk.buffers()[2]
        if len(chunk) and data is not None:
            width = np.dtype(np.int64 if pa.types.is_large_string(chunk.type) else np.int32)
            offsets = np.frombuffer(offsets_buffer, width, count=len(chunk) + 1, offset=chunk.offset * width.itemsize)
            filled = offsets[1:] > offsets[:-1]
            first[filled] = np.frombuffer(data, dtype=np.uint8)[offsets[:-1][filled]]
        risky = np.isin(first, starts)
        if chunk.null_count:
            risky &= np.asarray(chunk.is_valid())
        parts.append(risky)
    return np.concatenate(parts)


def _plain_number(value: str) -> bool:
    """A number as the reader accepts it ("-5", "+1e3", "-5,5"); "-inf", "-nan" or "-1_0" are text, so quoted."""
    return re.fullmatch(NUMBER_PATTERN, normalise_decimal_comma(value)) is not None


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) and not _plain_number(value) else value


def results_for_csv(results: pd.DataFrame) -> pd.DataFrame:
    """The results as the CSV contract writes them: contract columns only, booleans as true/false, safe cells."""
    out = results.drop(columns=[c for c in EXTRA_COLUMNS if c in results.columns])
    for name in ("oral_alternative", "severe"):
        out[name] = out[name].map({True: "true", False: "false"}).astype("string")
    # Header cells too: an extra column named "=HYPERLINK(...)" is as live in a spreadsheet as a data cell.
    out.columns = pd.Index([_safe_cell(c) if isinstance(c, str) else c for c in out.columns])
    return out.apply(spreadsheet_safe)


def write_results_csv(results: pd.DataFrame, dest: str | IO[str] | None = None) -> str | None:
    """Write results as CSV to a path or handle; return the text when dest is None."""
    out = results_for_csv(results)
    written = _write_csv_fast(out, dest)
    if written is None or isinstance(written, str):
        return written
    # Python 3.11's csv writer quotes only the line terminator's own characters, so a bare CR inside
    # a cell would end the row early in a spreadsheet: then write CRLF lines (RFC 4180), which quotes it.
    has_cr = any("\r" in str(c) for c in out.columns) or any(_holds_cr(out[c]) for c in out.columns)
    return out.to_csv(dest, index=False, lineterminator="\r\n" if has_cr else "\n")


_NOT_WRITTEN = object()
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar")  # to_csv would compress these: leave them to it


def results_csv_bytes(results: pd.DataFrame) -> tuple[bytes, list[memoryview]]:
    """What write_results_csv writes, as the header line and the body's bytes (UTF-8, whole lines per
    piece): for a caller that writes many blocks of one file into a binary handle, header once.

    >>> header, body = results_csv_bytes(evaluate_frame(pd.DataFrame({"age": ["68"], "sex": ["F"], "b12": ["179"], "esr": ["30"]})))
    >>> header.startswith(b"age,sex,b12,esr,b12_status,"), bytes(body[0]).startswith(b"68,F,179,30,deficient,")
    (True, True)
    """
    out = results_for_csv(results)
    parts = _csv_parts(out)
    if parts is None:
        text = write_results_csv(results) or ""
        end = text.index("\n") + 1
        return text[:end].encode("utf-8"), [memoryview(text[end:].encode("utf-8"))]
    header, body = parts
    return header.encode("utf-8"), body


def _write_csv_fast(out: pd.DataFrame, dest: str | IO[str] | None) -> object:
    """What out.to_csv(dest, index=False, lineterminator=...) writes, byte for byte, built column-wise in
    Arrow: pandas' writer turns every cell into a Python object and was 90% of a 1M-row batch's time.
    Only for the dtypes results_for_csv gives (text, categories of text, float64) and a plain file, text
    handle or None; anything else returns _NOT_WRITTEN and pandas writes it."""
    plain_path = isinstance(dest, str) and "://" not in dest and not dest.lower().endswith(_COMPRESSED)
    if not (dest is None or plain_path or isinstance(dest, io.TextIOBase)):
        return _NOT_WRITTEN
    parts = _csv_parts(out)
    if parts is None:
        return _NOT_WRITTEN
    header, body = parts
    if dest is None:
        return header + b"".join(body).decode("utf-8")
    if isinstance(dest, str):
        from pandas.io.common import get_handle  # how to_csv opens a path: the same checks and errors

        with get_handle(dest, "wb", compression=None, is_text=False) as handles:
            handles.handle.write(header.encode("utf-8"))
            for chunk in body:
                handles.handle.write(chunk)
        return None
    dest.write(header)
    for chunk in body:
        dest.write(bytes(chunk).decode("utf-8"))  # whole lines per chunk: no character is split
    return None


def _csv_parts(out: pd.DataFrame) -> tuple[str, list[memoryview]] | None:
    """The header line (text) and the body (UTF-8 bytes) that out.to_csv(index=False, lineterminator=...)
    writes; None for a frame this writer does not handle (pandas then writes it)."""
    if out.columns.nlevels != 1 or len(out.columns) < 2 or not all(isinstance(c, str) for c in out.columns):
        return None  # csv quotes a lone empty cell; non-text headers: leave both to pandas
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:
        return None
    try:
        columns = []
        group: list[tuple[np.ndarray, list[str], bool]] = []  # adjacent coded columns, written as one
        for i in range(len(out.columns)):
            series = out.iloc[:, i]
            coded = _coded_cells(series) if out.columns[i] in _FEW_TEXTS else None
            if coded is not None and _combinations_bound(group, coded) <= _MAX_JOINT:
                group.append(coded)
                continue
            if group:
                columns.append(_joint_cells(group, pa))
            group = [coded] if coded is not None else []
            if coded is None:
                column = _csv_cells(series, pa, pc)
                if column is None:
                    return None
                columns.append(column)
        if group:
            columns.append(_joint_cells(group, pa))
        has_cr = any("\r" in c for c in out.columns) or any(cr for _, cr in columns)
        terminator = pa.scalar("\r\n" if has_cr else "\n", pa.string())
        comma, nothing = pa.scalar(",", pa.string()), pa.scalar("", pa.string())
        cells = [c for c, _ in columns]
        cells[-1] = pc.binary_join_element_wise(cells[-1], terminator, nothing)  # not a second pass over all
        lines = pc.binary_join_element_wise(*cells, comma)
        if lines.null_count:
            return None
        header = ",".join(_csv_quote(c) for c in out.columns) + terminator.as_py()
        body = [_data_bytes(chunk, pa) for chunk in (lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines])]
    except (pa.ArrowException, UnicodeError, ValueError, TypeError):
        return None
    return header, body


# Result columns hold few distinct cells (a path fixes most of them): adjacent ones are written as one column of
# joined cells, built once per distinct combination, instead of one Arrow decode and join per column.
_FEW_TEXTS = frozenset(RESULT_COLUMNS)
_MAX_JOINT = 1 << 16  # combinations a joint column may have at most (the product of its columns' distinct cells)


def _coded_cells(series: pd.Series) -> tuple[np.ndarray, list[str], bool] | None:
    """A column as codes into its distinct cells, each rendered as _csv_cells renders it (quoted when it holds
    the delimiter, a quote or a line end; "" when missing), and whether a cell holds a CR; None if not coded."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = list(dtype.categories)
        if not all(isinstance(c, str) for c in categories):
            return None
        codes = series.cat.codes.to_numpy().astype(np.int64)
        cells = [_csv_quote(c) for c in categories] + [""]
        codes[codes < 0] = len(categories)
        return codes, cells, any("\r" in c for c in categories)
    if dtype == np.float64:
        codes, bits = pd.factorize(series.to_numpy().view(np.int64))  # by bit pattern: -0.0 stays apart from 0.0
        distinct = bits.view(np.float64)
        rendered = np.where(np.isnan(distinct), "", distinct.astype(str))  # as to_csv: ndarray.astype(str)
        return codes.astype(np.int64), [str(r) for r in rendered.tolist()], False
    if isinstance(dtype, pd.StringDtype):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        cells = [_csv_quote(str(u)) for u in uniques] + [""]
        codes = codes.astype(np.int64)
        codes[codes < 0] = len(uniques)
        return codes, cells, any("\r" in c for c in cells)
    return None


def _combinations_bound(
    group: list[tuple[np.ndarray, list[str], bool]], extra: tuple[np.ndarray, list[str], bool]
) -> int:
    bound = len(extra[1])
    for _, cells, _ in group:
        bound *= len(cells)
    return bound


def _joint_cells(group: list[tuple[np.ndarray, list[str], bool]], pa: Any) -> tuple[Any, bool]:
    """Adjacent coded columns as one Arrow string column of their cells joined by commas (what joining the
    columns one by one gives), built once per distinct combination."""
    key = np.zeros(len(group[0][0]), dtype=np.int64)
    for codes, cells, _ in group:
        key = key * len(cells) + codes  # mixed radix: the bound keeps it far below 2**63
    codes, distinct = pd.factorize(key)
    parts: list[np.ndarray] = []
    rest = np.asarray(distinct, dtype=np.int64)
    for _, cells, _ in reversed(group):
        parts.append(rest % len(cells))
        rest = rest // len(cells)
    parts.reverse()
    joined = [
        ",".join(cells[i] for (_, cells, _), i in zip(group, combo, strict=True))
        for combo in zip(*(p.tolist() for p in parts), strict=True)
    ]
    encoded = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(joined, type=pa.string()))
    return encoded.cast(pa.string()), any(cr for _, _, cr in group)


def _csv_cells(series: pd.Series, pa: Any, pc: Any) -> tuple[Any, bool] | None:
    """The column's cells as to_csv writes them, as an Arrow large_string array without nulls, and whether
    a cell holds a CR; None for a dtype not handled here. As to_csv: a missing cell is "", and a cell
    holding the delimiter, the quote or a line-end character is quoted with its quotes doubled (a CR
    anywhere makes the terminator CRLF, whose characters are all quoted)."""
    dtype = series.dtype
    text = pa.string()  # 32-bit offsets join faster; a column or a file over 2 GB fails over to pandas
    if isinstance(dtype, pd.StringDtype):
        column = series.array.__arrow_array__()
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        column = column.cast(text)
        if column.null_count:
            column = pc.fill_null(column, "")
        data = bytes(_data_bytes(column, pa))  # every cell end to end: one scan says whether any needs quotes
        if any(special in data for special in (b",", b'"', b"\r", b"\n")):
            needs = pc.match_substring_regex(column, '[,"\r\n]')
            doubled = pc.replace_substring(column, '"', '""')
            quote, nothing = pa.scalar('"', text), pa.scalar("", text)
            column = pc.if_else(needs, pc.binary_join_element_wise(quote, doubled, quote, nothing), column)
        return column, b"\r" in data
    if isinstance(dtype, pd.CategoricalDtype):
        categories = list(dtype.categories)
        if not all(isinstance(c, str) for c in categories):
            return None
        codes = series.cat.codes.to_numpy()
        quoted = pa.array([_csv_quote(c) for c in categories], type=text)
        encoded = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), quoted)
        return pc.fill_null(encoded.cast(text), ""), _holds_cr(series)
    if dtype == np.float64:
        values = series.to_numpy()
        codes, bits = pd.factorize(values.view(np.int64))  # by bit pattern: -0.0 stays apart from 0.0
        distinct = bits.view(np.float64)
        rendered = np.where(np.isnan(distinct), "", distinct.astype(str))  # as to_csv: ndarray.astype(str)
        encoded = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(rendered.tolist(), type=text))
        return encoded.cast(text), False
    return None


def _csv_quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(ch in cell for ch in ',"\r\n') else cell


def _data_bytes(array: Any, pa: Any) -> memoryview:
    """A string array's cells end to end, straight from its data buffer (no copy)."""
    if len(array) == 0:
        return memoryview(b"")
    offsets_buffer, data = array.buffers()[1], array.buffers()[2]
    width = np.dtype(np.int64 if pa.types.is_large_string(array.type) else np.int32)
    offsets = np.frombuffer(offsets_buffer, dtype=width, count=len(array) + 1, offset=array.offset * width.itemsize)
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])]


def _holds_cr(series: pd.Series) -> bool:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return any("\r" in str(c) for c in series.cat.categories)
    if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
        return bool(series.astype("string").str.contains("\r", regex=False).any())
    return False


def template_csv() -> str:
    """The input template: the contract's columns and one example row for every B12 status (under the source
    profile), so a first upload shows every kind of answer. Units and the optional columns appear too.

    >>> [line.split(",")[0] for line in template_csv().splitlines()[1:]]
    ['deficient', 'functional-deficiency', 'borderline-no-mma', 'not-confirmed', 'neuro-no-mma', 'normal']
    """
    rows = [
        {"id": "deficient", "age": "68", "sex": "female", "b12": "179", "b12_unit": "pg/mL", "esr": "30"},
        {
            "id": "functional-deficiency",
            "age": "71",
            "sex": "male",
            "b12": "260",
            "b12_unit": "pg/mL",
            "mma": "340",
            "mma_unit": "nmol/L",
            "esr": "36",
            "hb": "11.2",
            "hb_unit": "g/dL",
            "neuro_symptoms": "yes",
        },
        {"id": "borderline-no-mma", "age": "45", "sex": "female", "b12": "250", "b12_unit": "pg/mL", "esr": "12"},
        {
            "id": "not-confirmed",
            "age": "55",
            "sex": "female",
            "b12": "300",
            "b12_unit": "pg/mL",
            "mma": "200",
            "mma_unit": "nmol/L",
            "esr": "10",
        },
        {
            "id": "neuro-no-mma",
            "age": "80",
            "sex": "male",
            "b12": "500",
            "b12_unit": "pg/mL",
            "esr": "45",
            "neuro_symptoms": "yes",
        },
        {"id": "normal", "age": "25", "sex": "male", "b12": "600", "b12_unit": "pg/mL", "esr": "5"},
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in CSV_COLUMNS})
    return buffer.getvalue()
