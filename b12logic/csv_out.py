"""Results written as the CSV contract writes them (DESIGN.md): contract columns only, booleans as true/false,
spreadsheet-safe cells, byte for byte what pandas' to_csv writes, built column-wise in Arrow.
"""

from __future__ import annotations

import io
from typing import IO, Any

import numpy as np
import pandas as pd

from b12logic.csv_cells import csv_quote, data_bytes, frame_holds_cr, holds_cr, safe_cell, spreadsheet_safe
from b12logic.frame_columns import EXTRA_COLUMNS, RESULT_COLUMNS


def results_for_csv(results: pd.DataFrame) -> pd.DataFrame:
    """The results as the CSV contract writes them: contract columns only, booleans as true/false, safe cells."""
    out = results.drop(columns=[c for c in EXTRA_COLUMNS if c in results.columns])
    for name in ("oral_alternative", "severe"):
        out[name] = _true_false(out[name])
    # Header cells too: an extra column named "=HYPERLINK(...)" is as live in a spreadsheet as a data cell.
    out.columns = pd.Index([safe_cell(c) if isinstance(c, str) else c for c in out.columns])
    for i in range(out.shape[1]):  # column by column, in place: apply rebuilt the whole frame
        column = out.iloc[:, i]
        safe = spreadsheet_safe(column)
        if safe is not column:
            out.isetitem(i, safe.array)
    return out


def _true_false(flags: pd.Series) -> pd.Series:
    """flags.map({True: "true", False: "false"}).astype("string"), missing kept missing; a boolean column is
    spelled from its two words by Arrow (the map looked up every row in Python)."""
    try:
        import pyarrow as pa
    except ImportError:
        pa = None
    if pa is None or not isinstance(flags.dtype, pd.BooleanDtype):
        return flags.map({True: "true", False: "false"}).astype("string")
    values = flags.array
    codes = pa.array(values.to_numpy(dtype=np.int8, na_value=0), mask=values.isna())
    words = pa.DictionaryArray.from_arrays(codes, pa.array(["false", "true"])).cast(pa.string())
    return pd.Series(pd.array(words, dtype="string"), index=flags.index)


def write_results_csv(results: pd.DataFrame, dest: str | IO[str] | None = None) -> str | None:
    """Write results as CSV to a path or handle; return the text when dest is None."""
    out = results_for_csv(results)
    written = _write_csv_fast(out, dest)
    if written is None or isinstance(written, str):
        return written
    # Python 3.11's csv writer quotes only the line terminator's own characters, so a bare CR inside
    # a cell would end the row early in a spreadsheet: then write CRLF lines (RFC 4180), which quotes it.
    return out.to_csv(dest, index=False, lineterminator="\r\n" if frame_holds_cr(out) else "\n")


_NOT_WRITTEN = object()
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar")  # to_csv would compress these: leave them to it


def results_csv_bytes(results: pd.DataFrame, crlf: bool | None = None) -> tuple[bytes, list[memoryview]]:
    """What write_results_csv writes, as the header line and the body's bytes (UTF-8, whole lines per
    piece): for a caller that writes many blocks of one file into a binary handle, header once. crlf: the
    line ends of the whole file, when its blocks must agree (None: this block's own rule).

    >>> from b12logic.frame import evaluate_frame
    >>> header, body = results_csv_bytes(evaluate_frame(pd.DataFrame({"age": ["68"], "sex": ["F"], "b12": ["179"], "esr": ["30"]})))
    >>> header.startswith(b"age,sex,b12,esr,b12_status,"), bytes(body[0]).startswith(b"68,F,179,30,deficient,")
    (True, True)
    """
    out = results_for_csv(results)
    parts = _csv_parts(out, crlf)
    if parts is None:
        text = out.to_csv(
            index=False, lineterminator="\r\n" if (frame_holds_cr(out) if crlf is None else crlf) else "\n"
        )
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


def _csv_parts(out: pd.DataFrame, crlf: bool | None = None) -> tuple[str, list[memoryview]] | None:
    """The header line (text) and the body (UTF-8 bytes) that out.to_csv(index=False, lineterminator=...)
    writes; None for a frame this writer does not handle (pandas then writes it)."""
    rendered = _rendered_columns(out)
    if rendered is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    has_cr = any("\r" in c for c in out.columns) or any(cr for _, cr in rendered) if crlf is None else crlf
    terminator = "\r\n" if has_cr else "\n"
    try:
        cells = [c for c, _ in rendered]
        nothing = pa.scalar("", pa.string())
        if isinstance(cells[-1], pa.DictionaryArray):  # the line end goes on the few distinct cells, not every row
            last = cells[-1]
            ended = pc.binary_join_element_wise(last.dictionary, pa.scalar(terminator), nothing)
            cells[-1] = pa.DictionaryArray.from_arrays(last.indices, ended)
        else:
            cells[-1] = pc.binary_join_element_wise(cells[-1], pa.scalar(terminator), nothing)  # not a second pass
        # binary_join_element_wise takes no dictionary input: the joint columns are spelled out here
        cells = [c.cast(pa.string()) if isinstance(c, pa.DictionaryArray) else c for c in cells]
        lines = _joined(cells)
    except (pa.ArrowException, UnicodeError, ValueError, TypeError):
        return None
    if lines is None:
        return None
    header = ",".join(csv_quote(c) for c in out.columns) + terminator
    return header, [
        data_bytes(chunk, pa) for chunk in (lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines])
    ]


def _rendered_columns(out: pd.DataFrame) -> list[tuple[Any, bool]] | None:
    """out's columns as to_csv renders their cells (Arrow string arrays; adjacent result columns joined into
    one), each with whether a cell holds a CR; None for a frame this writer does not handle."""
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
    except (pa.ArrowException, UnicodeError, ValueError, TypeError):
        return None
    return columns


def _joined(cells: list[Any]) -> Any:
    """The cells of each row joined by commas (one Arrow array), or None if a cell is missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = pc.binary_join_element_wise(*cells, pa.scalar(",", pa.string()))
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    return None if lines.null_count else lines


class ResultsCsv:
    """The results CSV of one file, written block by block into a binary handle (header once), byte for byte
    what write_results_csv writes for all its rows at once: the line ends are decided once for the file."""

    def __init__(self, out: Any, crlf: bool = False) -> None:
        self.out = out
        self.crlf = crlf
        self.started = False

    def add(self, results: pd.DataFrame) -> None:
        header, body = results_csv_bytes(results, crlf=self.crlf)
        if not self.started:
            self.out.write(header)
            self.started = True
        for piece in body:
            self.out.write(piece)


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
        cells = [csv_quote(c) for c in categories] + [""]
        codes[codes < 0] = len(categories)
        return codes, cells, any("\r" in c for c in categories)
    if dtype == np.float64:
        codes, bits = pd.factorize(series.to_numpy().view(np.int64))  # by bit pattern: -0.0 stays apart from 0.0
        distinct = bits.view(np.float64)
        rendered = np.where(np.isnan(distinct), "", distinct.astype(str))  # as to_csv: ndarray.astype(str)
        return codes.astype(np.int64), [str(r) for r in rendered.tolist()], False
    if isinstance(dtype, pd.StringDtype):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        cells = [csv_quote(str(u)) for u in uniques] + [""]
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
    """Adjacent coded columns as one Arrow dictionary column of their cells joined by commas (what joining the
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
    return encoded, any(cr for _, _, cr in group)  # spelled out by _csv_parts, the last with the line end


def _quoted(column: Any, pa: Any, pc: Any) -> Any:
    """A text column (no nulls) with each cell holding the delimiter, a quote or a line end quoted, its quotes
    doubled. The regular expression runs once per distinct cell when the cells repeat (a decimal-comma Hb, the
    error messages): on every row it cost five times the rest of the column's writing."""
    encoded = pc.dictionary_encode(column)
    cells = encoded.dictionary
    repeats = len(cells) * 4 <= len(column)
    if not repeats:
        cells = column
    needs = pc.match_substring_regex(cells, '[,"\r\n]')
    doubled = pc.replace_substring(cells, '"', '""')
    quote, nothing = pa.scalar('"', cells.type), pa.scalar("", cells.type)
    cells = pc.if_else(needs, pc.binary_join_element_wise(quote, doubled, quote, nothing), cells)
    return pc.take(cells, encoded.indices) if repeats else cells


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
        data = bytes(data_bytes(column, pa))  # every cell end to end: one scan says whether any needs quotes
        if any(special in data for special in (b",", b'"', b"\r", b"\n")):
            column = _quoted(column, pa, pc)
        return column, b"\r" in data
    if isinstance(dtype, pd.CategoricalDtype):
        categories = list(dtype.categories)
        if not all(isinstance(c, str) for c in categories):
            return None
        codes = series.cat.codes.to_numpy()
        quoted = pa.array([csv_quote(c) for c in categories], type=text)
        encoded = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), quoted)
        return pc.fill_null(encoded.cast(text), ""), holds_cr(series)
    if dtype == np.float64:
        values = series.to_numpy()
        codes, bits = pd.factorize(values.view(np.int64))  # by bit pattern: -0.0 stays apart from 0.0
        distinct = bits.view(np.float64)
        rendered = np.where(np.isnan(distinct), "", distinct.astype(str))  # as to_csv: ndarray.astype(str)
        encoded = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(rendered.tolist(), type=text))
        return encoded.cast(text), False
    return None
