"""One case out of a file, for the Explorer: which patients and dates it holds, and the case as link parameters.

The Explorer opens a chosen case exactly as it opens a shared link (b12logic.urlstate.parse_query), so a
case from a file and the same case from a link show the same thing.

>>> read = read_cases(b"patient_id,collected,age,sex,loinc,value,unit\\nP1,2024-05-01,68,F,2132-9,179,pg/mL\\n"
...                   b"P1,2024-05-01,68,F,4537-7,30,mm/h\\nP1,2024-06-01,68,F,2132-9,200,pg/mL\\n")
>>> choices = case_choices(read)
>>> [(c.patient, c.collected, c.error[:4]) for c in choices]
[('P1', '2024-05-01', ''), ('P1', '2024-06-01', 'esr:')]
>>> link_params(read.frame.iloc[choices[0].row])
{'age': '68', 'sex': 'F', 'b12': '179', 'b12_unit': 'pg/mL', 'esr': '30'}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from b12logic.labs import LabRead, evaluate_cases, read_cases
from b12logic.labs.report import DATE_COLUMN, PATIENT_COLUMN
from b12logic.urlstate import CASE_PARAMS

__all__ = ["CaseChoice", "case_choices", "link_params", "read_cases"]


@dataclass(frozen=True)
class CaseChoice:
    """One case of a file: its patient, its collection date ("" when none), its row, and why it cannot open."""

    patient: str
    collected: str
    row: int  # position in read.frame
    error: str  # "" when the case is complete and valid


def _cells(frame: pd.DataFrame, name: str) -> list[str]:
    if name not in frame.columns:
        return [""] * len(frame)
    return frame[name].astype("string").fillna("").str.strip().tolist()


def case_choices(read: LabRead, results: pd.DataFrame | None = None) -> list[CaseChoice]:
    """Every case of a read file, in file order; a wide CSV's patient is its id (or "row N" when blank)."""
    frame = read.frame
    if results is None:
        results = evaluate_cases(read)
    errors = _cells(results, "error")
    if read.report is not None:
        patients, dates = _cells(frame, PATIENT_COLUMN), _cells(frame, DATE_COLUMN)
    else:
        ids = _cells(frame, next((c for c in frame.columns if str(c).strip().lower() == "id"), "id"))
        patients, dates = [i or f"row {n}" for n, i in enumerate(ids, start=1)], _cells(frame, DATE_COLUMN)
    return [
        CaseChoice(patient=p, collected=d, row=i, error=e)
        for i, (p, d, e) in enumerate(zip(patients, dates, errors, strict=True))
    ]


def link_params(row: Mapping[object, object]) -> dict[str, str]:
    """A case row as a shared link's query parameters: the filled case columns, named as the CSV names them."""
    cells = {str(k).strip().lower(): v for k, v in row.items()}
    params: dict[str, str] = {}
    for name in CASE_PARAMS:
        value = cells.get(name)
        text = "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)
        if text.strip():
            params[name] = text.strip()
    return params
