"""Bad-input catalogue, command line: every bad argument is exit 2 and one stderr line naming the field.

Each case runs in-process through cli.main for the exact line; a sample also runs as a real
`python -m b12logic` process, to show what a shell user sees: no traceback, nothing on stdout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from b12logic.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOOD = ["--age", "68", "--sex", "F", "--b12", "179", "--esr", "30"]


def with_arg(flag: str, value: str) -> list[str]:
    """GOOD with one argument replaced (or added), written as --flag=value so '-5' stays a value."""
    args = [a for i, a in enumerate(GOOD) if a != flag and (i == 0 or GOOD[i - 1] != flag)]
    return ["evaluate", *args, f"{flag}={value}"]


EVALUATE: list[tuple[str, list[str], str]] = [
    ("age-text", with_arg("--age", "abc"), "error: age: 'abc' is not a number (16 to 110 years)"),
    ("age-15", with_arg("--age", "15"), "error: age: 15 years is outside the allowed range (16 to 110 years)"),
    ("age-111", with_arg("--age", "111"), "error: age: 111 years is outside the allowed range (16 to 110 years)"),
    ("age-nan", with_arg("--age", "nan"), "error: age: 'nan' is not a number (16 to 110 years)"),
    ("age-minus-inf", with_arg("--age", "-inf"), "error: age: '-inf' is not a number (16 to 110 years)"),
    (
        "b12-zero",
        with_arg("--b12", "0"),
        "error: b12: 0 pg/mL is outside the allowed range (above 0 up to 10000 pg/mL)",
    ),
    (
        "b12-huge",
        with_arg("--b12", "1e300"),
        "error: b12: 1e+300 pg/mL is outside the allowed range (above 0 up to 10000 pg/mL)",
    ),
    ("b12-empty", with_arg("--b12", ""), "error: b12: missing; it is required (above 0 up to 10000 pg/mL)"),
    ("sex-unknown", with_arg("--sex", "x"), "error: sex: 'x' is not accepted (one of female, male, F, M)"),
    ("sex-empty", with_arg("--sex", ""), "error: sex: missing; it is required (one of female, male, F, M)"),
    (
        "b12-unit",
        with_arg("--b12-unit", "mg/dL"),
        "error: b12_unit: 'mg/dL' is not a known unit (one of pg/mL, pmol/L)",
    ),
    (
        "mma-unit",
        [*with_arg("--mma-unit", "mmol/L"), "--mma", "300"],
        "error: mma_unit: 'mmol/L' is not a known unit (one of nmol/L, µmol/L)",
    ),
    (
        "hb-g-l-as-g-dl",
        with_arg("--hb", "120"),
        "error: hb: 120 g/dL is outside the allowed range (3 to 25 g/dL); did you mean g/L?",
    ),
    (
        "b12-pg-as-pmol",
        [*with_arg("--b12", "8000"), "--b12-unit", "pmol/L"],
        "error: b12: 8000 pmol/L is outside the allowed range (above 0 up to 7380 pmol/L); did you mean pg/mL?",
    ),
    ("esr-250", with_arg("--esr", "250"), "error: esr: 250 mm/h is outside the allowed range (0 to 200 mm/h)"),
    ("esr-negative", with_arg("--esr", "-1"), "error: esr: -1 mm/h is outside the allowed range (0 to 200 mm/h)"),
    ("mcv-10", with_arg("--mcv", "10"), "error: mcv: 10 fL is outside the allowed range (50 to 150 fL)"),
    (
        "homocysteine-negative",
        with_arg("--homocysteine", "-1"),
        "error: homocysteine: -1 µmol/L is outside the allowed range (above 0 up to 500 µmol/L)",
    ),
    (
        "guideline",
        with_arg("--guideline", "who"),
        "error: guideline: 'who' is not a known profile (one of source, nice-ng239, bsh-2014)",
    ),
    (
        "missing-age",
        ["evaluate", "--sex", "F", "--b12", "179", "--esr", "30"],
        "error: python -m b12logic evaluate: the following arguments are required: --age",
    ),
    ("unknown-option", ["evaluate", *GOOD, "--bogus"], "error: python -m b12logic: unrecognized arguments: --bogus"),
    (
        "option-without-value",
        ["evaluate", *GOOD, "--mma"],
        "error: python -m b12logic evaluate: argument --mma: expected one argument",
    ),
    (
        "unknown-subcommand",
        ["frobnicate"],
        "error: python -m b12logic: argument command: invalid choice: 'frobnicate' "
        "(choose from 'evaluate', 'batch', 'template', 'guidelines', 'class')",
    ),
    ("no-subcommand", [], "error: python -m b12logic: the following arguments are required: command"),
]


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    return int(code or 0), out, err


@pytest.mark.parametrize(("argv", "line"), [c[1:] for c in EVALUATE], ids=[c[0] for c in EVALUATE])
def test_evaluate_bad_argument(argv: list[str], line: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(argv, capsys) == (2, "", line + "\n")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "good": b"id,age,sex,b12,esr\np1,68,F,179,30\np2,70,M,x,20\np3,45,F,400,10\n",
        "empty": b"",
        "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "no-esr": b"age,sex,b12\n68,F,179\n",
        "twice": b"age,sex,b12,esr,AGE\n68,F,179,30,70\n",
        "ragged": b"age,sex,b12,esr\n68,F,179,30,1,2\n",
    }
    paths = {}
    for name, data in made.items():
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_bytes(data)
    paths["dir"] = tmp_path
    return paths


BATCH: list[tuple[str, list[str], str]] = [
    (
        "missing-file",
        ["batch", "{tmp}/nope.csv"],
        "error: input: cannot read '{tmp}/nope.csv' (No such file or directory)",
    ),
    ("directory", ["batch", "{tmp}"], "error: input: cannot read '{tmp}' (Is a directory)"),
    ("binary", ["batch", "{tmp}/binary.csv"], "error: file: this looks like a binary file, not a CSV text file"),
    (
        "empty",
        ["batch", "{tmp}/empty.csv"],
        "error: file: the file is empty; it needs a header row with age, sex, b12 and esr",
    ),
    (
        "missing-column",
        ["batch", "{tmp}/no-esr.csv"],
        "error: columns: missing required column(s) esr (required: age, sex, b12, esr)",
    ),
    ("duplicate-column", ["batch", "{tmp}/twice.csv"], "error: columns: 'age' appears more than once; keep one"),
    (
        "ragged",
        ["batch", "{tmp}/ragged.csv"],
        "error: file: not a readable CSV (row 1 has more cells than the 4 named in the header row; "
        "name the extra columns or remove the extra cells)",
    ),
    (
        "unwritable-output",
        ["batch", "{tmp}/good.csv", "-o", "{tmp}/no/such/dir/out.csv"],
        "error: output: cannot write '{tmp}/no/such/dir/out.csv' "
        "(Cannot save file into a non-existent directory: '{tmp}/no/such/dir')",
    ),
    (
        "output-is-a-directory",
        ["batch", "{tmp}/good.csv", "-o", "{tmp}"],
        "error: output: cannot write '{tmp}' (Is a directory)",
    ),
    (
        "batch-guideline",
        ["batch", "{tmp}/good.csv", "--guideline", "who"],
        "error: guideline: 'who' is not a known profile (one of source, nice-ng239, bsh-2014)",
    ),
    ("batch-no-input", ["batch"], "error: python -m b12logic batch: the following arguments are required: input"),
]


@pytest.mark.parametrize(("argv", "line"), [c[1:] for c in BATCH], ids=[c[0] for c in BATCH])
def test_batch_bad_argument(
    argv: list[str], line: str, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp = str(files["dir"])
    argv = [a.replace("{tmp}", tmp) for a in argv]
    assert run_main(argv, capsys) == (2, "", line.replace("{tmp}", tmp) + "\n")


def test_batch_with_bad_rows_succeeds_and_counts_them(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = files["dir"] / "out.csv"
    assert run_main(["batch", str(files["good"]), "-o", str(out_path)], capsys) == (
        0,
        "",
        f"3 rows written to {out_path} (1 with errors)\n",
    )
    lines = out_path.read_text().splitlines()
    assert len(lines) == 4
    assert lines[2].endswith("b12: 'x' is not a number (above 0 up to 10000 pg/mL)")


SUBPROCESS = ["age-text", "hb-g-l-as-g-dl", "unknown-subcommand", "no-subcommand", "unknown-option"]
SUBPROCESS_BATCH = ["missing-file", "binary", "unwritable-output", "ragged"]


@pytest.mark.parametrize(
    ("argv", "line"),
    [c[1:] for c in EVALUATE if c[0] in SUBPROCESS] + [c[1:] for c in BATCH if c[0] in SUBPROCESS_BATCH],
    ids=SUBPROCESS + SUBPROCESS_BATCH,
)
def test_real_process_exit_2_one_line_no_traceback(argv: list[str], line: str, files: dict[str, Path]) -> None:
    tmp = str(files["dir"])
    done = subprocess.run(
        [sys.executable, "-m", "b12logic", *(a.replace("{tmp}", tmp) for a in argv)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr == line.replace("{tmp}", tmp) + "\n"
