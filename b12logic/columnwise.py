"""One rule written once for one case (numbers and bools) and for a batch (numpy arrays, one value per row).

A rule that reads `pick(pregnant, 70.0, limit)` gives a float for a case and an array for a batch, so
`evaluate` and `evaluate_frame` cannot disagree on it; one case pays a Python `if`, not numpy's call cost.

>>> pick(True, 1.0, 2.0), pick(np.array([True, False]), 1.0, 2.0).tolist()
(1.0, [1.0, 2.0])
>>> first_match([False, True], ["a", "b"], "c"), first_match([np.array([False, True])], [1], 0).tolist()
('b', [0, 1])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def pick(condition: Any, yes: Any, no: Any) -> Any:
    """`yes` where condition holds, else `no`: a value for one case, an array for a batch."""
    if isinstance(condition, np.ndarray):
        return np.where(condition, yes, no)
    return yes if condition else no


def first_match(conditions: Sequence[Any], choices: Sequence[Any], default: Any) -> Any:
    """The choice of the first condition that holds (default when none): np.select for a batch."""
    if any(isinstance(c, np.ndarray) for c in conditions):
        return np.select([np.asarray(c, dtype=bool) for c in conditions], list(choices), default)
    for condition, choice in zip(conditions, choices, strict=True):
        if condition:
            return choice
    return default
