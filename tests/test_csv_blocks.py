"""b12logic.csv_blocks and the one batch path (b12logic.batch): the scan's piecewise quote test agrees with
check_quotes, and a file whose carriage return sits in a later chunk is written the same by the page and the
command (its line ends are decided once for the file)."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from b12logic.batch import open_batch, write_batch
from b12logic.batch_check import check_csv
from b12logic.csv_blocks import _scan
from b12logic.csv_in import read_cases_csv
from b12logic.csv_out import write_results_csv
from b12logic.csv_quotes import check_quotes
from b12logic.frame import evaluate_frame
from b12logic.validate import CaseError

PIECES = st.lists(st.sampled_from([b"a", b",", b'"', b"\n", b'""', b"1"]), max_size=60).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(PIECES)
def test_the_scan_sends_every_file_with_a_doubtful_quote_to_check_quotes(body: bytes) -> None:
    raw = b"a,b\n" + body
    _, _, quotes_to_check = _scan(raw)
    if not quotes_to_check:  # the scan says no quoted cell can run on: check_quotes agrees without its slow part
        assert check_quotes(raw) is None
        assert raw.count(b'"') % 2 == 0


def test_a_quoted_line_break_in_a_later_piece_is_found(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(b"id,age,sex,b12,esr\n" + b"A,68,F,179,30\n" * 2_000_000 + b'B,68,F,179,"3\n0"\n')
    assert _scan(str(path))[2] is True  # past the first 16 MB piece


def test_a_carriage_return_in_a_later_chunk_makes_every_line_crlf_on_the_page_and_the_command() -> None:
    raw = b"id,age,sex,b12,esr,note\n" + b"A,68,F,179,30,x\n" * 50 + b'B,68,F,179,30,"a\rb"\n'
    whole = write_results_csv(evaluate_frame(read_cases_csv(raw)))
    assert whole is not None and whole.count("\r\n") == 52  # the header and every row
    page = check_csv(raw, chunk_rows=10)
    assert page.problem is None and page.results_csv() == whole
    out = io.StringIO()
    assert write_batch(open_batch(raw, chunk_rows=10), out) == (51, 0)
    assert out.getvalue() == whole


def test_an_upload_over_the_cell_budget_is_refused_before_reading() -> None:
    import pytest

    from b12logic import budget

    raw = b"id,age,sex,b12,esr\n" + b"A,68,F,179,30\n" * 100
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(budget, "MAX_CELLS", 50)
        try:
            open_batch(raw)
        except CaseError as err:
            assert err.field == "file"
        else:
            raise AssertionError("an upload over the budget was opened")
