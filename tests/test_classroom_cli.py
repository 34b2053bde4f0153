"""`python -m b12logic class open | tally` (FIXED in DESIGN.md): JSON out, one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from b12logic.classroom import make_store, new_student_id
from b12logic.cli import main
from b12logic.teaching_cases import TEACHING_CASES

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, env_store: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    if env_store:
        env["B12_CLASS_STORE"] = env_store
    return subprocess.run(
        [sys.executable, "-m", "b12logic", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


def test_open_then_tally_through_the_shell(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'class.sqlite3'}"
    opened = _run("class", "open", "--store", url)
    assert opened.returncode == 0, opened.stderr
    out = json.loads(opened.stdout)
    assert set(out) == {"room", "teacher_key", "student_path"}
    assert out["student_path"] == f"/class?room={out['room']}" and out["teacher_key"] not in out["student_path"]
    store = make_store(url)
    assert store.room(out["room"]).case_id == next(iter(TEACHING_CASES))  # default: the first teaching case
    for option in ("deficient", "deficient", "normal"):
        store.answer(out["room"], new_student_id(), "b12_status", option)
    store.close()
    tally = _run("class", "tally", out["room"], env_store=url)  # the store from B12_CLASS_STORE
    assert tally.returncode == 0, tally.stderr
    result = json.loads(tally.stdout)
    assert result["students"] == 3
    assert result["questions"]["b12_status"]["deficient"] == 2
    assert result["questions"]["b12_status"]["normal"] == 1
    assert set(result["questions"]) == {"b12_status", "next_step"}
    assert sum(result["questions"]["next_step"].values()) == 0


def test_open_with_a_case_and_the_default_store_in_the_working_directory(tmp_path: Path) -> None:
    opened = _run("class", "open", "--case", "nitrous_oxide", cwd=tmp_path)
    assert opened.returncode == 0, opened.stderr
    assert (tmp_path / "b12-class-rooms.sqlite3").exists()
    room = json.loads(opened.stdout)["room"]
    assert json.loads(_run("class", "tally", room, cwd=tmp_path).stdout)["students"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["class", "open", "--case", "nope"], "error: case: 'nope' is not a teaching case"),
        (["class", "tally", "ABCDEF"], "error: room: 'ABCDEF' is not an open room"),
        (["class", "tally", "x!"], "error: room: 'x!' is not a room code"),
        (["class", "tally", "ABCDEF", "--store", "ftp://x"], "error: store: 'ftp://x' is not a store URL"),
        (["class"], "error: python -m b12logic class: the following arguments are required: class_command"),
        (["class", "tally"], "error: python -m b12logic class tally: the following arguments are required: room"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("B12_CLASS_STORE", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message) and captured.err.count("\n") == 1


def test_an_unreachable_redis_is_one_line_without_traceback() -> None:
    result = _run("class", "tally", "ABCDEF", "--store", "redis://127.0.0.1:9/0")
    assert result.returncode == 2
    assert result.stderr.startswith("error: store: cannot use 'redis://127.0.0.1:9/0'")
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
