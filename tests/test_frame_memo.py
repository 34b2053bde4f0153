"""The text cells evaluate_frame keeps across a file's blocks (b12logic.frame_memo) never change an answer:
whatever was evaluated before, whether the memo is replaced, and with batches running side by side."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from b12logic import frame_memo
from b12logic.batch import evaluate_frame
from b12logic.frame_memo import ID_SPACE, CellMemo, memo_for, worded
from b12logic.guidelines import PROFILES

_RISKS = ("", "pernicious_anaemia", "metformin;acid_suppression", "nitrous_oxide", "gastric_surgery;vegan_diet")


def _cases(n: int, seed: int) -> pd.DataFrame:
    """n cases spread over the thresholds, with risk factors and renal impairment (they change the next steps)."""
    rng = np.random.default_rng(seed)

    def cells(values: np.ndarray, blank: float) -> list[str]:
        return ["" if rng.random() < blank else f"{v:g}" for v in values]

    return pd.DataFrame(
        {
            "age": [f"{a}" for a in rng.integers(18, 95, n)],
            "sex": rng.choice(["female", "male"], n),
            "b12": [f"{b:.0f}" for b in rng.uniform(80, 700, n)],
            "mma": cells(rng.uniform(50, 900, n).round(), 0.4),
            "esr": [f"{e:.0f}" for e in rng.uniform(0, 130, n)],
            "hb": cells(rng.uniform(6, 16, n).round(1), 0.2),
            "mcv": cells(rng.uniform(75, 125, n).round(), 0.3),
            "neuro_symptoms": rng.choice(["yes", "no", ""], n),
            "on_folic_acid": rng.choice(["yes", "no"], n),
            "renal_impairment": rng.choice(["yes", "no", ""], n),
            "risk_factors": rng.choice(_RISKS, n),
        }
    )


def _answers(df: pd.DataFrame, guideline: str) -> pd.DataFrame:
    return evaluate_frame(df, guideline).astype("string")


@pytest.fixture
def fresh_memos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frame_memo, "_MEMOS", {})


@pytest.mark.parametrize("guideline", list(PROFILES))
def test_answers_do_not_depend_on_what_was_evaluated_before(guideline: str, fresh_memos: None) -> None:
    first, second = _cases(600, seed=1), _cases(600, seed=2)
    alone = _answers(second, guideline)
    frame_memo._MEMOS.clear()
    _answers(first, guideline)  # fills the memo with the first frame's paths and cells
    pd.testing.assert_frame_equal(_answers(second, guideline), alone)
    together = _answers(pd.concat([first, second], ignore_index=True), guideline)
    pd.testing.assert_frame_equal(together.iloc[600:].reset_index(drop=True), alone)


@pytest.mark.parametrize("guideline", list(PROFILES))
def test_a_memo_replaced_at_every_block_gives_the_same_answers(
    guideline: str, fresh_memos: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    df = _cases(500, seed=3)
    kept = _answers(df, guideline)
    monkeypatch.setattr(frame_memo, "_MAX_CELLS", 1)  # every call finds the memo full and starts a fresh one
    before = frame_memo._MEMOS[PROFILES[guideline]]
    pd.testing.assert_frame_equal(_answers(df, guideline), kept)
    assert frame_memo._MEMOS[PROFILES[guideline]] is not before


def test_batches_side_by_side_give_their_own_answers(fresh_memos: None, monkeypatch: pytest.MonkeyPatch) -> None:
    frames = [_cases(300, seed=10 + i) for i in range(6)]
    expected = [_answers(df, "nice-ng239") for df in frames]
    monkeypatch.setattr(frame_memo, "_MAX_CELLS", 50)  # memos replaced while other threads still use theirs
    got: dict[int, pd.DataFrame] = {}
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            for _ in range(3):
                got[i] = _answers(frames[i], "nice-ng239")
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(frames))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    for i, df in enumerate(expected):
        pd.testing.assert_frame_equal(got[i], df)


def test_ids_stay_fixed_and_new_values_get_new_ones() -> None:
    memo = CellMemo()
    first, again = (
        memo.ids([("a", "b"), frozenset({"metformin"})]),
        memo.ids([("c",), frozenset({"metformin"}), ("a", "b")]),
    )
    assert first is not None and again is not None
    assert first.tolist() == [0, 1]
    assert again.tolist() == [2, 1, 0]
    assert memo.values == [("a", "b"), frozenset({"metformin"}), ("c",)]


def test_a_memo_without_room_gives_no_ids_and_hands_out_none() -> None:
    memo = CellMemo()
    assert memo.ids([("x",)]) is not None
    assert memo.ids([(str(i),) for i in range(ID_SPACE)]) is None  # with ("x",) in, one more than the space holds
    assert memo.values == [("x",)]  # nothing half handed out


def test_a_memo_without_room_is_replaced_and_the_old_one_kept_intact(fresh_memos: None) -> None:
    owner = "profile"
    memo, ids = memo_for(owner, [("x",)])
    assert ids.tolist() == [0]
    memo.cells[7] = "kept"
    too_many = [(str(i),) for i in range(ID_SPACE)]  # with ("x",) already in, one more than the space holds
    fresh, fresh_ids = memo_for(owner, too_many)
    assert fresh is not memo
    assert memo.cells == {7: "kept"}
    assert fresh_ids.max() == ID_SPACE - 1


def test_more_distinct_values_than_ids_is_refused_not_mis_keyed(fresh_memos: None) -> None:
    with pytest.raises(ValueError, match=f"{ID_SPACE + 1} distinct"):
        memo_for("profile", [(str(i),) for i in range(ID_SPACE + 1)])


def test_worded_words_only_the_missing_keys() -> None:
    memo = CellMemo()
    asked: list[list[int]] = []

    def word(keys: np.ndarray) -> list[str]:
        asked.append(keys.tolist())
        return [f"cell {k}" for k in keys.tolist()]

    assert worded(memo, np.array([3, 5]), word) == ["cell 3", "cell 5"]
    assert worded(memo, np.array([5, 9, 3]), word) == ["cell 5", "cell 9", "cell 3"]
    assert asked == [[3, 5], [9]]
