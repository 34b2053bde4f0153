"""The rows a vectorised check rejected, answered by the scalar Case and evaluate: the exact message Case gives
(or, rarely, the answer), so a bad row keeps its place with its `error` filled and nothing is dropped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from b12logic.case import Case
from b12logic.engine import esr_urgency, evaluate
from b12logic.fields import FIELDS
from b12logic.frame_columns import (
    FLAG_FIELDS,
    NUMBER_FIELDS,
    STEP_SEPARATOR,
    UNIT_OF,
    ParsedColumns,
    row_to_case_kwargs,
)
from b12logic.guidelines import GuidelineProfile
from b12logic.statement import next_steps_cell
from b12logic.validate import CaseError


def assessment_cells(assessment: Any) -> dict[str, Any]:
    """The CSV result cells of one scalar Assessment (what evaluate_frame gives for that row)."""
    return {
        "b12_status": assessment.b12_status,
        "regimen": assessment.regimen,
        "oral_alternative": assessment.oral_alternative,
        "severe": assessment.severe,
        "esr_flag": assessment.esr_flag,
        "esr_upper_limit": assessment.esr_upper_limit,
        "next_steps": STEP_SEPARATOR.join(
            s.brief for s in next_steps_cell(assessment.next_steps, esr_urgency(assessment))
        ),
        "pitfalls": ";".join(p.id for p in assessment.pitfalls),
        "error": "",
        "decision_path": ">".join(assessment.decision_path),
    }


def fill_bad_rows(
    df: pd.DataFrame,
    columns: dict[str, Any],
    parsed: ParsedColumns,
    result: dict[str, Any],
    profile: GuidelineProfile,
    crp_limit: float,
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
    outcome = _outcomes(df, columns)
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
        cells = assessment_cells(evaluate(case, profile, crp_limit))
        for name, value in cells.items():
            result[name][pos] = value
        bad[pos] = False


# Case's messages for rows of text cells, by the columns read, kept from one block of a file to the next (a bad
# cell's row, with its good cells replaced by stand-ins, recurs across a million rows). Only for columns of text:
# there a cell is a str, a missing cell or a fixed stand-in, so equal keys are equal rows (1, 1.0 and True are
# equal keys, and a column of numbers or booleans could hold them).
_TEXT_OUTCOMES: dict[tuple[str, ...], dict[tuple[Any, ...], str | None]] = {}
_MAX_OUTCOMES = 1 << 16


def _outcomes(df: pd.DataFrame, columns: dict[str, Any]) -> dict[tuple[Any, ...], str | None]:
    if not all(isinstance(df[label].dtype, pd.StringDtype) for label in columns.values()):
        return {}  # this frame's own
    if len(_TEXT_OUTCOMES) > 64:
        _TEXT_OUTCOMES.clear()
    outcome = _TEXT_OUTCOMES.setdefault(tuple(columns), {})
    if len(outcome) > _MAX_OUTCOMES:
        outcome.clear()
    return outcome


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


def _stand_ins(parsed: ParsedColumns, field: str, rows: np.ndarray, cells: list[Any]) -> list[Any]:
    """The field's cells in these rows, each cell that passed the vectorised check replaced by a valid
    stand-in that Case reads the same way: the canonical unit, the top of the number's range in its
    unit (blank when not measured), female, no. The id is never checked: blank."""
    if field == "id":
        return [None] * len(cells)
    failed = parsed.field_bad.get(field)
    if failed is not None and field in ("age", "sex") and "pregnant" in parsed.field_bad:
        failed = failed | parsed.field_bad["pregnant"]  # the pregnancy message names the real age and sex
    checked = field == "sex" or field in UNIT_OF.values() or field in NUMBER_FIELDS or field in FLAG_FIELDS
    if failed is None or not checked:  # no vectorised check to lean on: the cells as read
        return cells
    stand_in: list[Any]
    if field in UNIT_OF.values():
        stand_in = parsed.units[field][rows].tolist()
    elif field in NUMBER_FIELDS:
        unit_field = UNIT_OF.get(field)
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
