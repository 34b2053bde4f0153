"""Text cells kept across a file's blocks.

evaluate_frame words a text cell once per distinct combination of what decides it. A million-row file arrives
in blocks of ~72k rows that share most combinations, so the worded cells are kept, keyed by one integer per
combination that means the same thing in every block: the block's paths and risk-factor sets are first given
ids that stay fixed for as long as the memo lives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np

ID_SPACE = 1 << 10  # a profile has a few dozen paths and 8 risk factors at most 256 sets: room to spare
_MAX_CELLS = 1 << 16  # a memo this full is replaced: memory stays bounded whatever the files


class CellMemo:
    """Stable ids for paths and risk-factor sets, and the cells already worded under those ids.

    Ids only grow within one memo (handed out under a lock), so a key means one cell for the memo's whole life.
    A full memo is replaced, never cleared: a batch running beside the replacement keeps using its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: dict[Hashable, int] = {}
        self.values: list[Any] = []  # any: paths (tuples of node names) and risk-factor sets
        self.cells: dict[int, str] = {}

    def ids(self, values: Sequence[Hashable]) -> np.ndarray | None:
        """Each value's id (new values get the next ones), or None when they would not all fit below ID_SPACE or
        the memo is full: checked and handed out under one lock, so no id ever reaches another's slot."""
        with self._lock:
            new = set(values) - self._ids.keys()
            if len(self.values) + len(new) > ID_SPACE or len(self.cells) >= _MAX_CELLS:
                return None
            for value in values:
                if value not in self._ids:
                    self._ids[value] = len(self.values)
                    self.values.append(value)
            return np.array([self._ids[value] for value in values], dtype=np.int64)


_MEMOS: dict[Hashable, CellMemo] = {}


def memo_for(owner: Hashable, values: Sequence[Hashable]) -> tuple[CellMemo, np.ndarray]:
    """The memo kept for `owner` (a profile) and these values' ids in it; a memo they would not fit is replaced
    by a fresh one (a batch still using the old one keeps it)."""
    if len(set(values)) > ID_SPACE:  # cannot happen with today's graphs and risk factors; refuse, not mis-key
        raise ValueError(f"{len(set(values))} distinct paths and risk-factor sets in one block (at most {ID_SPACE})")
    memo = _MEMOS.get(owner) or _MEMOS.setdefault(owner, CellMemo())
    ids = memo.ids(values)
    while ids is None:
        memo = _MEMOS[owner] = CellMemo()
        ids = memo.ids(values)  # a fresh memo holds them (checked above) unless another thread filled it first
    return memo, ids


def worded(memo: CellMemo, keys: np.ndarray, word: Callable[[np.ndarray], list[str]]) -> list[str]:
    """The cell of each key: kept ones from the memo, the others worded by `word` (given the missing keys) and kept."""
    wanted = keys.tolist()
    missing = [k for k in wanted if k not in memo.cells]
    if missing:
        memo.cells.update(zip(missing, word(np.array(missing, dtype=np.int64)), strict=True))
    return [memo.cells[k] for k in wanted]
