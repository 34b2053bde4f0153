"""The Batch page's view of the results (b12logic.batch_view): the verdict first in the Explorer's words."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from b12logic.batch import RESULT_COLUMNS, evaluate_frame, read_cases_csv, template_csv
from b12logic.batch_view import CODE_COLUMNS, PITFALL_HEADINGS, results_for_reading
from b12logic.engine import ESR_FLAG_LABELS, PITFALL_IDS, REGIMEN_LABELS, STATUS_LABELS

ROWS = st.fixed_dictionaries(
    {
        "age": st.integers(10, 120).map(str),
        "sex": st.sampled_from(["F", "M", "x"]),
        "b12": st.integers(0, 2000).map(str),
        "esr": st.integers(0, 220).map(str),
        "neuro_symptoms": st.sampled_from(["yes", "no", ""]),
        "on_folic_acid": st.sampled_from(["yes", ""]),
    }
)


def frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    text = "id,age,sex,b12,esr,neuro_symptoms,on_folic_acid,ward\n" + "".join(
        f"r{i},{r['age']},{r['sex']},{r['b12']},{r['esr']},{r['neuro_symptoms']},{r['on_folic_acid']},W{i}\n"
        for i, r in enumerate(rows)
    )
    return evaluate_frame(read_cases_csv(text.encode()))


@settings(max_examples=30, deadline=None)
@given(st.lists(ROWS, min_size=1, max_size=12))
def test_every_row_kept_in_order_with_the_verdict_first_in_words(rows: list[dict[str, str]]) -> None:
    results = frame(rows)
    view = results_for_reading(results)
    assert list(view.index) == list(results.index) and view["id"].tolist() == results["id"].tolist()
    assert list(view.columns[:3]) == ["B12 status", "Treatment", "ESR"]
    for i, (status, regimen, flag, error) in enumerate(
        zip(results["b12_status"], results["regimen"], results["esr_flag"], results["error"], strict=True)
    ):
        if error:
            assert view["B12 status"].iloc[i] == "" and view["Problem with this row"].iloc[i] == error
        else:
            assert view["B12 status"].iloc[i] == STATUS_LABELS[status]
            assert view["Treatment"].iloc[i] == REGIMEN_LABELS[regimen]
            assert view["ESR"].iloc[i] == ESR_FLAG_LABELS[flag]
    # No code shown as a value unless asked for.
    codes = {*STATUS_LABELS, *REGIMEN_LABELS, *ESR_FLAG_LABELS} - {"normal", "none"}
    assert not codes & set(view.iloc[:, :3].to_numpy().ravel())
    assert view["ward"].tolist() == results["ward"].tolist()  # extra columns kept


def test_codes_on_request_match_the_csv() -> None:
    results = evaluate_frame(read_cases_csv(template_csv().encode()))
    view = results_for_reading(results, codes=True)
    for column in CODE_COLUMNS:
        assert view[f"{column} (code)"].astype(str).tolist() == results[column].astype(str).tolist()
    assert set(RESULT_COLUMNS) <= set(results.columns)  # the CSV itself is untouched


def test_every_pitfall_has_a_heading() -> None:
    assert set(PITFALL_HEADINGS) == set(PITFALL_IDS)
    results = evaluate_frame(read_cases_csv(template_csv().encode()))
    view = results_for_reading(results)
    assert not any("_" in cell for cell in view["Pitfalls"])  # headings, not ids
