"""The batch command on a large wide CSV, streamed: read with pyarrow in blocks, evaluated and written block by
block, so memory stays flat however long the file is, with exactly the bytes the whole-file path writes.

It is the one batch path (b12logic.batch: open_batch, write_batch) on a path; the reader's rules are
b12logic.csv_blocks'. Rows are independent in evaluate_frame, so evaluating in blocks changes no answer.

>>> import io, tempfile
>>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
...     _ = f.write("id,age,sex,b12,esr\\nA,68,F,179,30\\nB,15,F,179,30\\n")
>>> out = io.StringIO()
>>> stream_batch(f.name, out, block_bytes=64)
(2, 1)
>>> out.getvalue().splitlines()[1].startswith("A,68,F,179,30,deficient,oral_or_im,true,false,normal,39.0,")
True
"""

from __future__ import annotations

from typing import IO

from b12logic.batch import open_batch, write_batch
from b12logic.csv_blocks import BLOCK_BYTES
from b12logic.guidelines import DEFAULT_PROFILE, GuidelineProfile


def stream_batch(
    path: str,
    dest: IO[str] | str | None,
    guideline: str | GuidelineProfile = DEFAULT_PROFILE,
    block_bytes: int = BLOCK_BYTES,
) -> tuple[int, int]:
    """Evaluate the cases file at path into dest (a text handle, a path, or None for stdout); return (rows, rows
    with errors). block_bytes: how much to read at a time. A file that cannot be read raises CaseError before
    anything is written; a path written in part is removed."""
    return write_batch(open_batch(path, block_bytes=block_bytes), dest, guideline)
