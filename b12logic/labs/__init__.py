"""Laboratory exports as cases: a LOINC-coded long CSV or FHIR R4 JSON, read into the wide CSV's columns.

The layout is found from the file itself: JSON is FHIR, a CSV header naming patient_id and loinc is the
long layout, anything else is the wide CSV of the template. The wide frame then goes to the batch like
any cases CSV (b12logic.batch.evaluate_frame), and the read error of a case that could not be built is
laid over its results, so its row keeps its place with `error` saying why.

>>> long = b"patient_id,age,sex,loinc,value,unit\\nP1,68,F,2132-9,179,pg/mL\\nP1,68,F,4537-7,30,mm/h\\n"
>>> read = read_cases(long)
>>> read.report.summary()
'long CSV: 1 patient, 1 case from 2 observations (2 used)'
>>> evaluate_cases(read).loc[0, ["id", "b12_status", "esr_flag", "error"]].tolist()
['P1', 'deficient', 'normal', '']
>>> read_cases(b"age,sex,b12,esr\\n68,F,179,30\\n").report is None  # the wide CSV, as read_cases_csv reads it
True
"""

from __future__ import annotations

import csv
import dataclasses
import logging
import os
from typing import IO

import numpy as np
import pandas as pd

from b12logic import budget
from b12logic.csv_blocks import read_text_frame
from b12logic.csv_in import read_cases_csv, read_source_bytes, utf8_from_utf16
from b12logic.frame import evaluate_frame
from b12logic.frame_columns import EXTRA_COLUMNS, RESULT_COLUMNS
from b12logic.guidelines import DEFAULT_PROFILE, GuidelineProfile
from b12logic.labs.long_csv import check_header, is_long, long_template_csv, read_long_frame, wide_to_long
from b12logic.labs.report import READ_ERROR_COLUMN, LabRead, LabReport
from b12logic.validate import CaseError

__all__ = [
    "LabRead",
    "LabReport",
    "detect_layout",
    "evaluate_cases",
    "lay_read_errors",
    "long_template_csv",
    "read_cases",
    "wide_to_long",
]


log = logging.getLogger(__name__)
_bytes = read_source_bytes  # the batch reader's own: a path, bytes or a file, read the same way


def _header(raw: bytes) -> str:
    return raw[:65536].lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")


def _utf8_head(raw: bytes) -> bytes:
    """A file's first bytes as UTF-8: a UTF-16 head (Excel's "Unicode text") is decoded, a cut character dropped."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw[: len(raw) & ~1].decode("utf-16", "ignore").encode("utf-8")
    return raw


def detect_layout(raw: bytes) -> str:
    """ "fhir", "long" or "wide": what read_cases will read this file as (from its first bytes).

    >>> detect_layout(b'{"resourceType": "Bundle"}'), detect_layout(b"patient_id,loinc,value,unit\\n")
    ('fhir', 'long')
    >>> detect_layout(b"id,age,sex,b12,esr\\n"), detect_layout("patient_id\\tloinc\\r\\n".encode("utf-16"))
    ('wide', 'long')
    """
    raw = _utf8_head(raw[: 1 << 16])
    if raw[:4096].lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"{"):  # JSON: a Bundle or NDJSON
        return "fhir"
    header = _header(raw)
    delimiter = max((",", ";", "\t"), key=header.count)
    return "long" if is_long(header.split(delimiter)) else "wide"


def read_cases(
    source: str | bytes | IO[bytes] | IO[str], max_bytes: int | None = None, layout: str | None = None
) -> LabRead:
    """Read a cases file in any layout (detect_layout's, or the one given by a caller that has found it).
    CaseError("file"/"columns", ...) for a file that cannot be read, in one line, whatever the file holds
    (b12logic.budget's limits; no reader's own exception gets out)."""
    try:
        return _read_cases(source, max_bytes, layout)
    except CaseError:
        raise
    except RecursionError:
        raise budget.too_deep() from None
    except (ValueError, OverflowError, csv.Error, UnicodeError, KeyError, IndexError, TypeError) as err:
        log.warning("a file could not be read", exc_info=True)  # the detail for whoever maintains the readers
        first = (str(err).splitlines() or [type(err).__name__])[0][:120]
        raise CaseError("file", "unreadable", f"file: could not be read ({first})") from None


def _read_cases(source: str | bytes | IO[bytes] | IO[str], max_bytes: int | None, layout: str | None) -> LabRead:
    if isinstance(source, str):  # a path: its header says the layout before the whole file is read
        budget.check_size(os.path.getsize(source), max_bytes)
        with open(source, "rb") as handle:
            head = handle.read(1 << 16)
    else:
        source = _bytes(source)
        budget.check_size(len(source), max_bytes)
        head = source[: 1 << 16]
    layout = layout or detect_layout(head)
    if layout == "long" and head[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        fast = read_text_frame(source)  # pyarrow: several times faster than pandas on a large file
        if fast is not None:
            check_header(_header(head))
            return dataclasses.replace(read_long_frame(fast), no_cr=True)  # the plan's scan allowed no CR in a cell
    raw = utf8_from_utf16(_bytes(source))  # one text for every layout: a UTF-16 long file is read as long
    if layout == "fhir":
        from b12logic.labs.fhir import read_fhir  # fhir.resources loads its models: only when needed

        return read_fhir(raw)
    df = read_cases_csv(raw)
    if is_long(df.columns):
        check_header(_header(raw))
        return read_long_frame(df)
    return LabRead(frame=df)


def lay_read_errors(results: pd.DataFrame, read_errors: pd.Series | np.ndarray) -> pd.DataFrame:
    """Results with each case that could not be built blanked and its read error in `error` (in place).

    The read error goes first: a case read without its ESR would otherwise say only "esr: missing".
    """
    errors = np.asarray(read_errors, dtype=object)
    bad = errors != ""
    if not bad.any():
        return results
    rows = pd.Series(bad, index=results.index)
    for name in (*RESULT_COLUMNS, *EXTRA_COLUMNS):
        if name == "error" or name not in results.columns:
            continue
        results[name] = results[name].mask(rows)
    results["error"] = results["error"].mask(rows, pd.Series(errors, index=results.index, dtype="string"))
    return results


def evaluate_cases(read: LabRead, guideline: str | GuidelineProfile = DEFAULT_PROFILE) -> pd.DataFrame:
    """The batch's results for a read file: one row per case (per row for a wide CSV), in order."""
    if read.report is None:
        return evaluate_frame(read.frame, guideline)
    frame = read.frame.drop(columns=[READ_ERROR_COLUMN])
    return lay_read_errors(evaluate_frame(frame, guideline), read.frame[READ_ERROR_COLUMN])
