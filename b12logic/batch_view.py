"""The batch results as a person reads them (the Batch page): the verdict first, in the Explorer's words.

The results CSV keeps its columns and codes (the fixed contract, b12logic.batch); this is only the on-screen
view of the same frame. Verdict columns come first and say what the Explorer says ("B12 deficient", not
`deficient`); the row's own columns follow; the codes (`b12_status`, `regimen`, `esr_flag`, `decision_path`)
are added at the end on request, for someone matching the screen to the CSV.

>>> import pandas as pd
>>> from b12logic.batch import evaluate_frame, read_cases_csv, template_csv
>>> view = results_for_reading(evaluate_frame(read_cases_csv(template_csv().encode())))
>>> list(view.columns[:4]), view.iloc[0, 0]
(['B12 status', 'Treatment', 'ESR', 'ESR upper limit (mm/h)'], 'B12 deficient')
"""

from __future__ import annotations

import pandas as pd

from b12logic.labels import ESR_FLAG_LABELS, REGIMEN_LABELS, STATUS_LABELS
from b12logic.rules.pitfalls import PITFALL_HEADINGS

# Below this many checked rows a chart of counts says less than the one-line summary beside it.
MIN_CHART_ROWS = 10

# The verdict, in the order the Explorer gives it: code column -> (heading, words of each code).
VERDICT_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "b12_status": ("B12 status", STATUS_LABELS),
    "regimen": ("Treatment", REGIMEN_LABELS),
    "esr_flag": ("ESR", ESR_FLAG_LABELS),
}
CODE_COLUMNS = ("b12_status", "regimen", "esr_flag", "decision_path")
_WORDED = {
    "esr_upper_limit": "ESR upper limit (mm/h)",
    "error": "Problem with this row",
    "next_steps": "Next steps",
    "pitfalls": "Pitfalls",
    "oral_alternative": "Oral offered",
    "severe": "Severe (working definition)",
}


def _words(column: pd.Series, labels: dict[str, str]) -> pd.Series:
    """Codes to words; a blank (a row with an error) stays blank."""
    return column.astype("string").map(lambda code: labels.get(code, code) if isinstance(code, str) else "")


def _pitfall_words(column: pd.Series) -> pd.Series:
    def words(cell: object) -> str:
        if not isinstance(cell, str) or not cell:
            return ""
        return "; ".join(PITFALL_HEADINGS.get(pid, pid) for pid in cell.split(";"))

    return column.astype("string").map(words)


def _yes_no(column: pd.Series) -> pd.Series:
    return column.map(lambda v: "" if pd.isna(v) else ("yes" if v else "no")).astype("string")


def results_for_reading(results: pd.DataFrame, codes: bool = False) -> pd.DataFrame:
    """Verdict columns first in words, then the problem (if any), the row's own columns, the next steps and
    pitfalls; with `codes`, the contract's code columns last. Rows and their order are unchanged."""
    view = pd.DataFrame(index=results.index)
    for code, (heading, labels) in VERDICT_COLUMNS.items():
        view[heading] = _words(results[code], labels)
    view[_WORDED["esr_upper_limit"]] = results["esr_upper_limit"]
    view[_WORDED["error"]] = results["error"].astype("string").fillna("")
    result_columns = {*VERDICT_COLUMNS, *_WORDED, "decision_path"}
    for column in results.columns:
        if column not in result_columns:
            # An extra input column may share a heading's name: it keeps its values under a marked name.
            view[f"{column} (input)" if column in view.columns else column] = results[column]
    view[_WORDED["next_steps"]] = results["next_steps"].astype("string").fillna("")
    view[_WORDED["pitfalls"]] = _pitfall_words(results["pitfalls"])
    view[_WORDED["oral_alternative"]] = _yes_no(results["oral_alternative"])
    view[_WORDED["severe"]] = _yes_no(results["severe"])
    if codes:
        for column in CODE_COLUMNS:
            if column in results.columns:
                view[f"{column} (code)"] = results[column]
    return view
