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

    def ids(self, values: Sequence[Hashable]) -> np.ndarray:
        """Each value's id (new values get the next ones)."""
        with self._lock:
            for value in values:
                if value not in self._ids:
                    self._ids[value] = len(self.values)
                    self.values.append(value)
            return np.array([self._ids[value] for value in values], dtype=np.int64)

    def room_for(self, values: Sequence[Hashable]) -> bool:
        new = len(set(values) - self._ids.keys())
        return len(self.values) + new <= ID_SPACE and len(self.cells) < _MAX_CELLS


_MEMOS: dict[Hashable, CellMemo] = {}


def memo_for(owner: Hashable, values: Sequence[Hashable]) -> CellMemo:
    """The memo kept for `owner` (a profile), replaced by a fresh one when these values would not fit it."""
    memo = _MEMOS.get(owner)
    if memo is None or not memo.room_for(values):
        memo = _MEMOS[owner] = CellMemo()
    if len(set(values)) > ID_SPACE:  # cannot happen with today's graphs and risk factors; refuse, not mis-key
        raise ValueError(f"{len(set(values))} distinct paths and risk-factor sets in one block (at most {ID_SPACE})")
    return memo


def worded(memo: CellMemo, keys: np.ndarray, word: Callable[[np.ndarray], list[str]]) -> list[str]:
    """The cell of each key: kept ones from the memo, the others worded by `word` (given the missing keys) and kept."""
    wanted = keys.tolist()
    missing = [k for k in wanted if k not in memo.cells]
    if missing:
        memo.cells.update(zip(missing, word(np.array(missing, dtype=np.int64)), strict=True))
    return [memo.cells[k] for k in wanted]
