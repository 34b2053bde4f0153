"""The command line, run as a real process: python -m b12logic evaluate | batch | template | guidelines."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from b12logic.batch import RESULT_COLUMNS
from b12logic.cli import main
from b12logic.fields import CSV_COLUMNS
from b12logic.guidelines import PROFILES

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "b12logic", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        encoding="utf-8",
    )


def run_in_process(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """The same CLI in this process (fast): exit status, stdout and stderr as a CompletedProcess."""
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, captured.out, captured.err)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.strip()
    for word in words:
        assert word in line, (word, line)
    assert result.stdout == ""
    return line


def test_evaluate_prints_the_assessment() -> None:
    result = run("evaluate", "--age", "68", "--sex", "female", "--b12", "179", "--esr", "30")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # DESIGN.md's example: deficient, oral_or_im, ESR normal under the limit 39 mm/h.
    assert "B12 status: deficient" in out
    assert "Regimen: oral_or_im" in out
    assert "ESR: normal (ESR normal for age and sex; upper limit 39 mm/h" in out
    assert "Decision path: b12_start > b12_band > st_deficient" in out
    assert result.stderr == ""


def test_evaluate_json_has_the_fixed_keys() -> None:
    result = run(
        "evaluate",
        "--age",
        "71",
        "--sex",
        "male",
        "--b12",
        "260",
        "--mma",
        "340",
        "--neuro",
        "--esr",
        "36",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("b12_status", "regimen", "esr_flag", "esr_upper_limit", "pitfalls", "decision_path"):
        assert key in data, key
    # Borderline B12 with MMA 340 > 271 -> functional deficiency; neuro -> im_neuro; man 71: limit 35.5, ESR 36.
    assert data["b12_status"] == "functional_deficiency"
    assert data["regimen"] == "im_neuro"
    assert data["esr_flag"] == "elevated"
    assert data["esr_upper_limit"] == 35.5
    assert data["decision_path"][0] == "b12_start" and data["decision_path"][-1] == "rx_im_neuro"
    assert "esr_needs_own_workup" in [p["id"] for p in data["pitfalls"]]


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        (["--b12", "132.102", "--b12-unit", "pmol/L"], "deficient"),  # 179 pg/mL
        (["--b12", "132.84", "--b12-unit", "pmol/L"], "indeterminate_needs_mma"),  # 180 pg/mL
        (["--b12", "250", "--mma", "0.272", "--mma-unit", "µmol/L"], "functional_deficiency"),
        (["--b12", "250", "--mma", "0.271", "--mma-unit", "umol/L"], "not_confirmed"),
    ],
)
def test_evaluate_units(capsys: pytest.CaptureFixture[str], extra: list[str], status: str) -> None:
    result = run_in_process(capsys, "evaluate", "--age", "68", "--sex", "F", "--esr", "30", "--json", *extra)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["b12_status"] == status


def test_evaluate_guideline_and_folic_acid(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_in_process(
        capsys,
        "evaluate", "--age", "68", "--sex", "F", "--b12", "190", "--esr", "30", "--guideline", "bsh-2014",
        "--on-folic-acid", "--json",
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert data["guideline"] == "bsh-2014"
    assert data["b12_status"] == "deficient"  # BSH: < 200 ng/L
    assert "folate_before_b12" in [p["id"] for p in data["pitfalls"]]


BAD_EVALUATE = [
    (["--age", "15", "--sex", "F", "--b12", "179", "--esr", "30"], ("age", "15", "16 to 110 years")),
    (["--age", "68", "--sex", "F", "--b12", "abc", "--esr", "30"], ("b12", "abc", "10000 pg/mL")),
    (["--age", "68", "--sex", "other", "--b12", "179", "--esr", "30"], ("sex", "other", "female, male")),
    (["--age", "68", "--sex", "F", "--b12", "179", "--esr", "30", "--guideline", "who"], ("guideline", "who")),
    (["--age", "68", "--sex", "F", "--b12", "179"], ("--esr",)),
]
MORE_BAD_EVALUATE = [
    (["--age", "68", "--sex", "F", "--b12", "179", "--esr", "250"], ("esr", "250", "0 to 200 mm/h")),
    (["--age", "68", "--sex", "F", "--b12", "179", "--esr", "nan"], ("esr", "nan")),
    (["--age", "68", "--sex", "F", "--b12", "179", "--esr", "30", "--b12-unit", "mg/dL"], ("b12_unit", "mg/dL")),
    (["--age", "68", "--sex", "F", "--b12", "179", "--esr", "30", "--hb", "120"], ("hb", "120", "3 to 25 g/dL")),
    (["--age", "68", "--sex", "F", "--b12", "-5", "--esr", "30"], ("b12", "-5")),
    (["--age", "68", "--sex", "F", "--b12", "179", "--esr", "30", "--mma", "0"], ("mma", "0")),
    (["--age", "1e400", "--sex", "F", "--b12", "179", "--esr", "30"], ("age",)),
    (["--sex", "F", "--b12", "179", "--esr", "30"], ("--age",)),
]


@pytest.mark.parametrize(("args", "words"), BAD_EVALUATE, ids=["age-15", "b12-abc", "sex", "guideline", "no-esr"])
def test_evaluate_bad_input_as_a_process(args: list[str], words: tuple[str, ...]) -> None:
    assert_one_line_error(run("evaluate", *args), *words)


@pytest.mark.parametrize(("args", "words"), BAD_EVALUATE + MORE_BAD_EVALUATE)
def test_evaluate_bad_input_in_process(
    capsys: pytest.CaptureFixture[str], args: list[str], words: tuple[str, ...]
) -> None:
    assert_one_line_error(run_in_process(capsys, "evaluate", *args), *words)


def test_unknown_command_and_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(run_in_process(capsys, "frobnicate"))
    assert_one_line_error(run_in_process(capsys))


CASES = "id,age,sex,b12,esr,mma\na,68,F,179,30,\nb,15,F,179,30,\nc,71,M,260,36,340\nd,68,F,abc,30,\ne,68,F,400,30,\n"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_batch_to_stdout_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(CASES, encoding="utf-8")
    result = run("batch", str(path))
    assert result.returncode == 0, result.stderr
    rows = _rows(result.stdout)
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "e"]
    assert list(rows[0]) == ["id", "age", "sex", "b12", "esr", "mma", *RESULT_COLUMNS]
    assert [r["b12_status"] for r in rows] == ["deficient", "", "functional_deficiency", "", "normal"]
    assert rows[1]["error"].startswith("age: 15")
    assert rows[3]["error"].startswith("b12: 'abc'")


def test_batch_to_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    out = tmp_path / "out.csv"
    path.write_text(CASES, encoding="utf-8")
    result = run("batch", str(path), "-o", str(out), "--guideline", "nice-ng239")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "5 rows" in result.stderr and "2 with errors" in result.stderr
    rows = _rows(out.read_text(encoding="utf-8"))
    assert len(rows) == 5
    assert [r["age"] for r in rows] == ["68", "15", "71", "68", "68"]  # input cells unchanged


def test_batch_bad_file_as_a_process(tmp_path: Path) -> None:
    no_esr = tmp_path / "no_esr.csv"
    no_esr.write_text("age,sex,b12\n68,F,179\n", encoding="utf-8")
    assert_one_line_error(run("batch", str(no_esr)), "columns", "esr")


def test_batch_bad_files_in_process(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line_error(run_in_process(capsys, "batch", str(tmp_path / "missing.csv")), "input")
    assert_one_line_error(run_in_process(capsys, "batch", str(tmp_path)), "input")  # a directory
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert_one_line_error(run_in_process(capsys, "batch", str(empty)), "file")
    good = tmp_path / "good.csv"
    good.write_text(CASES, encoding="utf-8")
    assert_one_line_error(run_in_process(capsys, "batch", str(good), "--guideline", "who"), "guideline")
    assert_one_line_error(
        run_in_process(capsys, "batch", str(good), "-o", str(tmp_path / "no" / "dir" / "out.csv")), "output"
    )


def test_template_round_trips_through_batch(tmp_path: Path) -> None:
    result = run("template")
    assert result.returncode == 0
    assert next(csv.reader(io.StringIO(result.stdout))) == list(CSV_COLUMNS)
    path = tmp_path / "template.csv"
    path.write_text(result.stdout, encoding="utf-8")
    batch = run("batch", str(path))
    assert batch.returncode == 0, batch.stderr
    rows = _rows(batch.stdout)
    assert len(rows) == len(_rows(result.stdout))
    assert all(r["error"] == "" for r in rows)


def test_guidelines_lists_the_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_in_process(capsys, "guidelines")
    assert result.returncode == 0
    ids = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert ids == list(PROFILES)


def test_a_pregnancy_esr_the_trimester_decides_leads_with_its_words() -> None:
    """Code-blind reads s13–s14: "ESR: normal (ESR raised unless in the third trimester…)" read as a contradiction.
    The fixed status value stays in the line, after the words; 57 (first trimester's top) vs 48 and 47."""
    from b12logic import Case, evaluate
    from b12logic.cli import verdict_lines

    for esr, placed in ((47, False), (48, True), (65, True)):
        lines = verdict_lines(evaluate(Case(age=31, sex="female", pregnant=True, b12=400, esr=esr)))
        (line,) = [x for x in lines if x.startswith("ESR: ")]
        assert (line.startswith("ESR: raised ") and "trimester (status value normal" in line) == placed, line
        assert ("ESR: normal (" in line) == (not placed), line
