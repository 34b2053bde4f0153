"""The text columns' distinct cells (frame_columns.TextCells): an optional column left empty is read without
hashing its rows, and reads exactly as a column that is hashed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b12logic.batch import evaluate_frame
from b12logic.frame_columns import TextCells, _empty_cells

ARROW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # what the CSV reader gives


@pytest.mark.parametrize(
    ("cells", "empty"),
    [(["", "", ""], True), (["", "x", ""], False), (["", None, ""], False), ([" ", "", ""], False), ([], False)],
)
def test_only_a_column_of_empty_cells_takes_the_short_way(cells: list[str | None], empty: bool) -> None:
    series = pd.Series(cells, dtype=ARROW_TEXT)
    short = _empty_cells(series)
    assert (short is not None) == empty
    if short is not None:
        codes, uniques = pd.factorize(series, use_na_sentinel=False)
        assert short[0].tolist() == codes.tolist()
        assert short[1].tolist() == list(uniques)


def test_python_backed_text_takes_the_usual_way() -> None:
    assert _empty_cells(pd.Series(["", ""], dtype=pd.StringDtype("python"))) is None


def test_an_empty_optional_column_reads_as_blank_in_every_row() -> None:
    cells = TextCells(
        {"crp": pd.Series(["", "", ""], dtype=ARROW_TEXT), "sex": pd.Series(["F", " M", "F"], dtype=ARROW_TEXT)}
    )
    assert cells.codes["crp"].tolist() == [0, 0, 0]
    assert cells.blank[cells.span["crp"]].tolist() == [True]
    assert cells.lower[cells.span["sex"]].tolist() == ["f", "m"]


def test_empty_optional_columns_give_the_answers_of_python_text() -> None:
    rows = {
        "age": ["70", "45", "30"],
        "sex": ["female", "male", "female"],
        "b12": ["150", "400", "190"],
        "esr": ["80", "10", "40"],
        "crp": ["", "", ""],
        "pregnant": ["", "", ""],
    }
    arrow = evaluate_frame(pd.DataFrame(rows, dtype=ARROW_TEXT)).astype("string")
    python = evaluate_frame(pd.DataFrame(rows, dtype=pd.StringDtype("python"))).astype("string")
    pd.testing.assert_frame_equal(arrow, python)
