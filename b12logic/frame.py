"""evaluate_frame: many cases at once, the same answers as evaluate row by row.

It walks the same decision graph as evaluate, with numpy masks instead of one row at a time, and builds text
cells once per distinct combination rather than once per row. Rows that fail a vectorised check
(b12logic.frame_columns) are re-read by the scalar Case (b12logic.frame_fallback), so a row's error message is
exactly the one Case gives, and nothing is dropped.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from b12logic.engine import (
    CORRECTING_PROFILE,
    DEFICIENT_STATUSES,
    PitfallFacts,
    b12_next_steps,
    graph_for,
    pitfalls_for,
    source_steps,
)
from b12logic.esr import (
    DEFAULT_CRP_LIMIT_MG_L,
    ESR_FLAGS,
    GCA_AGE,
    MARKED_CRP_MG_L,
    MYELOMA_TEST_AGE,
    esr_flag_code,
    esr_upper_limit_array,
    esr_urgent_steps,
)
from b12logic.frame_columns import (
    EXTRA_COLUMNS,
    RESULT_COLUMNS,
    STEP_SEPARATOR,
    UNIT_OF,
    ParsedColumns,
    resolve_columns,
)
from b12logic.frame_fallback import fill_bad_rows
from b12logic.frame_memo import ID_SPACE, memo_for, worded
from b12logic.graphs import B12_ROOT, PREDICATES
from b12logic.guidelines import DEFAULT_PROFILE, IRREVERSIBLE_CAUSES, PROFILES, GuidelineProfile, get_profile
from b12logic.labels import ANAEMIA_GRADES, ANAEMIC_GRADES
from b12logic.rules.facts import CaseView, anaemia_grade_codes, anaemic, b12_pitfall_facts
from b12logic.rules.judgment import GUIDELINE_ACTS, case_fact_columns, path_outcome, plan_facts, with_risk_factors
from b12logic.statement import next_steps_cell
from b12logic.units import TO_RULES_UNIT, mma_readable
from b12logic.validate import CaseError, check_risk_factors


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


def _walk_vectorised(profile: GuidelineProfile, view: CaseView, n: int) -> tuple[np.ndarray, list[tuple[str, ...]]]:
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
    else:  # by hash, not by sort: the order of the patterns does not matter
        inverse, seen = pd.factorize(pattern)
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


def evaluate_frame(
    df: pd.DataFrame, guideline: str | GuidelineProfile = DEFAULT_PROFILE, crp_limit: float = DEFAULT_CRP_LIMIT_MG_L
) -> pd.DataFrame:
    """The input frame, unchanged, with the result columns added: one output row per input row, in order.

    `crp_limit` (mg/L), as for evaluate: a raised CRP from 50 asks the giant cell arteritis questions in the
    next-steps cell.
    """
    profile = get_profile(guideline)
    columns = resolve_columns(df)
    parsed = ParsedColumns(df, columns)
    n = parsed.n
    v = parsed.values
    b12, mma, hb = (_in_rules_unit(parsed, name) for name in ("b12", "mma", "hb"))
    with np.errstate(invalid="ignore"):
        mma = np.where(
            mma_readable(mma), mma, np.nan
        )  # an implausible MMA is read as not measured (Case.mma_read_nmol_l)
    female = parsed.is_female
    pregnant = parsed.flags["pregnant"]
    limit = esr_upper_limit_array(v["age"], female, pregnant)
    neuro = parsed.flags["neuro_symptoms"]
    risk_codes, risk_sets = _risk_factors(df, columns, parsed)
    view = CaseView(
        b12=b12,
        mma=mma,
        hb=hb,
        neuro=neuro,
        esr=v["esr"],
        esr_limit=limit,
        active_b12=v["active_b12"],
        nitrous_oxide=np.array(["nitrous_oxide" in r for r in risk_sets], dtype=bool)[risk_codes],
        on_folic_acid=parsed.flags["on_folic_acid"],
        lasting_cause=np.array([not r.isdisjoint(IRREVERSIBLE_CAUSES) for r in risk_sets], dtype=bool)[risk_codes],
        hcy=v["homocysteine"],
        mcv=v["mcv"],
        pregnant=pregnant,
        renal=parsed.flags["renal_impairment"],
        severe_anaemia=anaemia_grade_codes(hb, female, pregnant) == ANAEMIA_GRADES.index("severe"),
        anaemic=anaemic(hb, female, pregnant),
    )

    with np.errstate(invalid="ignore"):
        path_index, paths = _walk_vectorised(profile, view, n)
        path_status = [path_outcome(profile, p)[0] for p in paths]
        path_regimen = [path_outcome(profile, p)[1] for p in paths]
        deficient = np.array([st in DEFICIENT_STATUSES for st in path_status], dtype=bool)[path_index]
        severe = deficient & np.asarray(PREDICATES["severe"](view, profile), dtype=bool)
        flag = esr_flag_code(v["esr"], limit)  # codes into ESR_FLAGS
        *before_grade, grade, after_grade = _split_grade(case_fact_columns(view, female))
        fact_bits = [np.broadcast_to(np.asarray(b, dtype=bool), (n,)) for b in (*before_grade, *after_grade)]
        gca_age = v["age"] >= GCA_AGE
        myeloma_age = v["age"] >= MYELOMA_TEST_AGE  # with anaemia and a raised ESR: myeloma's tests (esr)
        crp = _in_rules_unit(parsed, "crp")  # mg/L; NaN (not measured) compares False
        crp_raised, crp_normal, crp_above_100 = crp > crp_limit, crp <= crp_limit, crp > MARKED_CRP_MG_L
        # Under the source's rules the guideline's urgent steps stand beside them (engine.corrected_steps).
        correcting = PROFILES[CORRECTING_PROFILE]
        if profile.reads_context:
            guide_index, guide_paths = np.zeros(n, dtype=np.int64), [paths[0]] if paths else []
        else:
            guide_index, guide_paths = _walk_vectorised(correcting, view, n)

    # Text cells: built once per distinct combination of what decides them. The combinations are found
    # as small integers (a path fixes status and regimen), not as a million-row MultiIndex of text; paths and
    # risk-factor sets by ids kept across a file's blocks (frame_memo), so each block words only what is new.
    no_guide: tuple[str, ...] = ()
    guides = guide_paths if not profile.reads_context else [no_guide]
    memo, ids = memo_for(profile, [*paths, *guides, *risk_sets])
    path_ids, guide_ids, risk_ids = np.split(ids, [len(paths), len(paths) + len(guides)])
    sizes = (len(ANAEMIA_GRADES), ID_SPACE, ID_SPACE)
    step_bits = [*fact_bits, gca_age, myeloma_age, crp_raised, crp_normal, crp_above_100]
    steps_codes, steps_keys = _combination_codes(
        path_ids[path_index],
        flag,
        step_bits,
        extra=list(
            zip((np.asarray(grade, dtype=np.intp), risk_ids[risk_codes], guide_ids[guide_index]), sizes, strict=True)
        ),
    )

    def word_steps(keys: np.ndarray) -> list[str]:
        return [
            _steps_cell(
                profile,
                memo.values[path],
                ESR_FLAGS[fl],
                (*bits[:3], graded, *bits[3:]),
                memo.values[risk],
                memo.values[guide],
                old,
                "raised" if raised else ("normal" if normal else "not_measured"),
                high,
                crp_limit,
                myeloma,
            )
            for path, fl, (*bits, old, myeloma, raised, normal, high), (graded, risk, guide) in _decoded(
                keys, len(step_bits), sizes
            )
        ]

    steps_text = worded(memo, steps_keys, word_steps)
    b12_facts = b12_pitfall_facts(b12, profile)
    # Under the source's rules: whether the correcting guideline treats or tests (engine: PitfallFacts).
    if profile.reads_context:
        guideline_acts = np.zeros(n, dtype=bool)
    else:
        guide_acts = [path_outcome(correcting, gp)[1] in GUIDELINE_ACTS for gp in guide_paths]
        guideline_acts = np.asarray(guide_acts, dtype=bool)[guide_index]
    facts_bits = [
        parsed.flags["on_folic_acid"],
        neuro,
        anaemic(hb, female, pregnant),
        parsed.flags["renal_impairment"],
        ~np.isnan(mma),
        view.nitrous_oxide,
        view.lasting_cause,
        guideline_acts,
        pregnant,
        *b12_facts.values(),
    ]
    facts_codes, facts_keys = _combination_codes(path_index, flag, facts_bits)
    pitfall_text = []
    for path, fl, (fo, nr, an, rn, mm, no, lc, ga, pg, *b12_bits), _ in _decoded(facts_keys, len(facts_bits), ()):
        facts = PitfallFacts(
            on_folic_acid=fo,
            neuro=nr,
            status=path_status[path],
            regimen=path_regimen[path],
            esr_flag=ESR_FLAGS[fl],
            anaemic=an,
            renal_impairment=rn,
            mma_measured=mm,
            nitrous_oxide=no,
            lasting_cause=lc,
            guideline_acts=ga,
            pregnant=pg,
            duration_rule=profile.duration_rule,
            **dict(zip(b12_facts, b12_bits, strict=True)),
        )
        pitfall_text.append(";".join(p.id for p in pitfalls_for(facts)))

    result: dict[str, Any] = {
        "b12_status": _Coded(path_index, path_status),
        "regimen": _Coded(path_index, path_regimen),
        "oral_alternative": np.array([rg == "oral_or_im" for rg in path_regimen], dtype=bool)[path_index],
        "severe": severe,
        "esr_flag": _Coded(flag, list(ESR_FLAGS)),
        "esr_upper_limit": limit,
        "next_steps": _Coded(steps_codes, steps_text),
        "pitfalls": _Coded(facts_codes, pitfall_text),
        "error": _Coded(np.zeros(n, dtype=np.intp), [""]),
        "decision_path": _Coded(path_index, [">".join(p) for p in paths]),
    }
    fill_bad_rows(df, columns, parsed, result, profile, crp_limit)
    out = df.copy()
    for name in (*RESULT_COLUMNS, *EXTRA_COLUMNS):
        out[name] = _result_series(name, result[name], parsed.bad, df.index)
    return out


def _split_grade(columns: tuple[Any, ...]) -> tuple[Any, ...]:
    """case_fact_columns as (the yes/no columns before the anaemia grade..., the grade, the yes/no columns after)."""
    return (*columns[:3], columns[3], columns[4:])


def _in_rules_unit(parsed: ParsedColumns, name: str) -> np.ndarray:
    """A number column in the unit the rules read (units.TO_RULES_UNIT: the conversions Case uses)."""
    values = parsed.values[name]
    converted = values
    for unit, convert in TO_RULES_UNIT[name][1].items():
        converted = np.where(parsed.unit_is(UNIT_OF[name], unit), convert(values), converted)
    return converted


def _risk_factors(
    df: pd.DataFrame, columns: dict[str, Any], parsed: ParsedColumns
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
    parsed.mark("risk_factors", failed[codes])
    return codes, sets


def _combination_codes(
    path_index: np.ndarray,
    flag: np.ndarray,
    bits: list[np.ndarray],
    extra: list[tuple[np.ndarray, int]] = (),  # type: ignore[assignment]
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's combination of (path, ESR flag code, small codes each below its size, yes/no facts) as one
    integer: the rows' codes into the distinct combinations, and those combinations (decoded by _decoded). The
    text cells that depend only on these are then built once per combination."""
    key = path_index.astype(np.int64) * 3 + flag
    for codes, size in extra:
        key = key * size + codes
    key = key << len(bits)
    for bit, column in enumerate(bits):
        key |= column.astype(np.int64) << bit
    codes, keys = pd.factorize(key)
    return codes, np.asarray(keys, dtype=np.int64)


def _decoded(
    keys: np.ndarray, n_bits: int, sizes: tuple[int, ...]
) -> list[tuple[int, int, tuple[bool, ...], tuple[int, ...]]]:
    """Combinations from _combination_codes as (path, ESR flag code, yes/no facts, small codes), with numpy column
    by column: a block has thousands of them."""
    facts = ((keys[:, None] >> np.arange(n_bits, dtype=np.int64)) & 1).astype(bool).tolist()
    rest = keys >> n_bits
    small = []
    for size in reversed(sizes):
        small.append((rest % size).tolist())
        rest = rest // size
    small_per_key = list(zip(*reversed(small), strict=True)) if small else [()] * len(keys)
    return list(zip((rest // 3).tolist(), (rest % 3).tolist(), map(tuple, facts), small_per_key, strict=True))


def _steps_cell(
    profile: GuidelineProfile,
    path: tuple[str, ...],
    esr_flag: str,
    fact_columns: tuple[Any, ...],
    risk_factors: frozenset[str],
    guide_path: tuple[str, ...],
    gca_age: bool,
    crp: str = "not_measured",
    crp_above_100: bool = False,
    crp_limit: float = DEFAULT_CRP_LIMIT_MG_L,
    myeloma_age: bool = False,
) -> str:
    """One next_steps cell, as evaluate words it."""
    of_case = with_risk_factors(fact_columns, risk_factors)
    own = plan_facts(profile, path, of_case)
    if profile.reads_context:
        steps = b12_next_steps(profile, own)
    else:
        steps, _ = source_steps(profile, own, plan_facts(PROFILES[CORRECTING_PROFILE], guide_path, of_case))
    anaemic = own.anaemia_grade in ANAEMIC_GRADES
    urgent = esr_urgent_steps(
        esr_flag, gca_age, crp, crp_above_100, crp_limit, bool(own.pregnant), myeloma_age, anaemic
    )
    return STEP_SEPARATOR.join(s.brief for s in next_steps_cell(steps, urgent))


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
