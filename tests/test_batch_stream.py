"""b12logic.batch_stream: the streamed batch writes exactly what the whole-file path writes, for any file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b12logic.batch import evaluate_frame, read_cases_csv, template_csv, write_results_csv
from b12logic.batch_stream import stream_batch
from b12logic.cli import main


def whole_file(path: Path) -> str:
    return write_results_csv(evaluate_frame(read_cases_csv(str(path)))) or ""


def streamed(path: Path, block_bytes: int = 64) -> str:
    out = io.StringIO()
    stream_batch(str(path), out, block_bytes=block_bytes)
    return out.getvalue()


_cell = st.sampled_from(
    ["68", "15", "179", "abc", "", " 30", "12,5", "F", "male", "x", "pmol/L", "yes", "=1+1", "-5", "µmol/L"]
)
_row = st.lists(_cell, min_size=5, max_size=5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_row, min_size=1, max_size=30), block=st.sampled_from([64, 200, 1 << 20]), crlf=st.booleans())
def test_streamed_output_is_the_whole_file_output(
    tmp_path: Path, rows: list[list[str]], block: int, crlf: bool
) -> None:
    end = "\r\n" if crlf else "\n"
    lines = ["id,age,sex,b12,esr"] + [",".join(f'"{c}"' if "," in c else c for c in row) for row in rows]
    path = tmp_path / "cases.csv"
    path.write_bytes((end.join(lines) + end).encode("utf-8"))
    assert streamed(path, block) == whole_file(path)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"id,age,sex,b12,esr\nA,68,F,179,30,\n", "more cells than the header"),
        (b"id,age,sex,b12,esr\nA,68,F\n", "fewer cells than the header"),
        (b'id,age,sex,b12,esr\n"A\rB",68,F,179,30\n', "a carriage return inside a cell"),
        (b"id,age,sex,b12,esr\nA\xe9,68,F,179,30\n", "Latin-1, not UTF-8"),
        (b"id,age,sex,b12,b12\nA,68,F,179,30\n", "a repeated header"),
        (b"id;age;sex;b12;esr\nA;68;F;179;30\n", "semicolons"),
        (b"\xef\xbb\xbfid,age,sex,b12,esr\nA,68,F,179,30\n", "a byte-order mark"),
    ],
)
def test_unusual_files_give_the_whole_file_answer(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(content)
    try:
        expected = whole_file(path)
    except Exception as err:  # the whole-file path refuses it: so does the stream, with the same message
        with pytest.raises(type(err)) as raised:
            streamed(path)
        assert str(raised.value) == str(err), why
        return
    assert streamed(path) == expected, why


def test_cli_writes_the_same_bytes_to_a_file_and_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "cases.csv"
    source.write_text(template_csv() * 1, encoding="utf-8")
    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv")]) == 0
    template_rows = len(template_csv().strip().splitlines()) - 1  # the template: one example row per status
    assert f"{template_rows} rows written" in capsys.readouterr().err
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == whole_file(source)


_note = st.sampled_from(["", "x", '"a\nb"', '"one\ntwo\nthree"', '"q ""x"""', '12" ruler'])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(_row, _note, st.integers(-3, 2)), min_size=1, max_size=25),
    block=st.sampled_from([64, 150, 1 << 20]),
)
def test_rows_of_any_width_and_notes_over_lines_stream_as_the_whole_file_reads_them(
    tmp_path: Path, rows: list[tuple[list[str], str, int]], block: int
) -> None:
    """Issue 22: a short or long row, or a quoted note over a few lines, no longer stops the stream; the
    bytes (or the file error) are still exactly the whole-file path's."""
    lines = ["id,age,sex,b12,esr,note"]
    for cells, note, width_change in rows:
        row = [f'"{c}"' if "," in c else c for c in cells] + [note]
        if width_change < 0:
            row = row[:width_change]
        else:
            row += [""] * width_change if width_change < 2 else ["", "extra"]
        lines.append(",".join(row))
    path = tmp_path / "cases.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    try:
        expected = whole_file(path)
    except Exception as err:
        with pytest.raises(type(err)) as raised:
            streamed(path, block)
        assert str(raised.value) == str(err)
        return
    assert streamed(path, block) == expected
