"""b12logic.batch_check: the batch page's work (reading, chunked evaluation, grouped errors, counts)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from b12logic import B12_STATUSES, ESR_FLAGS, custom_profile
from b12logic.batch import evaluate_frame, read_cases_csv, template_csv
from b12logic.batch_check import CHUNK_ROWS, check_csv, plain_message
from b12logic.validate import CaseError

GOOD = (
    "id,age,sex,b12,esr,mma,neuro_symptoms\n"
    "a,68,F,150,30,,no\n"  # deficient, normal ESR
    "b,71,M,480,112,,no\n"  # normal, markedly elevated
    "c,52,F,240,40,,no\n"  # indeterminate, elevated (limit 31)
)
BAD = (
    "id,age,sex,b12,esr\n"
    "ok1,68,F,150,30\n"
    "young,15,F,150,30\n"
    "old,120,M,150,30\n"
    "text,70,M,abc,30\n"
    "sex,70,X,200,30\n"
    "ok2,70,M,400,20\n"
    "young2,12,M,400,20\n"
)


def test_valid_file_counts_and_results() -> None:
    check = check_csv(GOOD.encode())
    assert check.problem is None
    assert (check.rows, check.ok, check.errors) == (3, 3, 0)
    assert check.error_groups == []
    assert list(check.status_counts) == list(B12_STATUSES)  # every status, zeros kept, in order
    assert check.status_counts["deficient"] == 1
    assert check.status_counts["normal"] == 1
    assert check.status_counts["indeterminate_needs_mma"] == 1
    assert sum(check.status_counts.values()) == 3
    assert check.flag_counts == {"normal": 1, "elevated": 1, "markedly_elevated": 1}
    assert list(check.flag_counts) == list(ESR_FLAGS)
    assert check.results is not None and list(check.results.index) == [1, 2, 3]  # row 1 = first under header
    assert check.results["id"].tolist() == ["a", "b", "c"]


def test_template_checks_cleanly_with_an_example_of_every_status() -> None:
    check = check_csv(template_csv().encode())
    assert check.problem is None and check.errors == 0 and check.ok == len(B12_STATUSES)
    assert check.results is not None and sorted(check.results["b12_status"]) == sorted(B12_STATUSES)


def test_bad_rows_are_kept_counted_and_grouped() -> None:
    check = check_csv(BAD.encode())
    assert (check.rows, check.ok, check.errors) == (7, 2, 5)
    groups = {(g.column, g.reason): g for g in check.error_groups}
    age = groups[("age", "outside the allowed range")]
    assert age.row_numbers == (2, 3, 7) and age.count == 3
    assert age.example == "age: 15 years is outside the allowed range (16 to 110 years)"
    assert groups[("b12", "not a number")].row_numbers == (4,)
    assert groups[("sex", "not an accepted value")].row_numbers == (5,)
    assert check.error_groups[0].column == "age"  # most frequent first
    table = check.error_table()
    assert list(table.columns) == ["Column", "Problem", "Rows affected", "Row numbers", "Example message"]
    assert table["Rows affected"].sum() == check.errors
    # Nothing dropped: every row in order, bad ones with the error and blank results.
    assert check.results is not None
    assert check.results["id"].tolist() == ["ok1", "young", "old", "text", "sex", "ok2", "young2"]
    assert check.results.loc[2, "error"].startswith("age: 15")
    assert pd.isna(check.results.loc[2, "b12_status"])
    assert sum(check.status_counts.values()) == check.ok


def test_row_numbers_text_is_capped() -> None:
    rows = "".join(f"r{i},15,F,150,30\n" for i in range(20))
    check = check_csv(("id,age,sex,b12,esr\n" + rows).encode())
    (group,) = check.error_groups
    assert group.count == 20
    assert group.rows_text() == "1, 2, 3, 4, 5, 6, 7, 8 and 12 more"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty; it needs a header row with age, sex, b12 and esr."),
        (b"   \n\n", "The file is empty"),
        (b"age,sex,b12,esr\n", "The file has a header row but no rows of cases under it"),
        (b"name,dob\nx,1990\n", "Column problem: missing required column(s) age, sex, b12, esr"),
        (b"age,sex,b12\n68,F,150\n", "Column problem: missing required column(s) esr"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This looks like a binary file, not a CSV text file."),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "This looks like a binary file"),  # an .xlsx
        (b"age,sex,b12,esr,b12\n68,F,150,30,150\n", "Column problem: 'b12' appears more than once"),
    ],
)
def test_file_problems_are_plain_messages(data: bytes, expected: str) -> None:
    check = check_csv(data)
    assert check.problem is not None and check.problem.startswith(expected)
    assert check.results is None and check.rows == 0
    assert "Traceback" not in check.problem and "CaseError" not in check.problem


def test_size_cap_is_enforced_in_megabytes() -> None:
    cap = 1_000_000  # the browser's megabyte (b12logic.budget): one cap for browser and server
    data = GOOD.encode() + b"d,70,M,400,20,,no\n" * 60_000
    assert len(data) > cap
    check = check_csv(data, max_bytes=cap)
    assert check.problem is not None
    assert check.problem.startswith("The file is 1.") and "the limit is 1 MB" in check.problem
    assert check_csv(GOOD.encode(), max_bytes=cap).problem is None


def test_plain_message_wording() -> None:
    assert plain_message(CaseError("file", "", "file: the file is empty")) == "The file is empty."
    assert plain_message(
        CaseError("file", 50_000_001, "file: 50,000,001 bytes is over the limit of 50,000,000 bytes")
    ) == ("The file is 50.1 MB; the limit is 50 MB. Split it into smaller files.")


def test_chunks_give_the_same_answer_and_report_progress() -> None:
    rows = "".join(
        f"r{i},{20 + i % 80},{'FM'[i % 2]},{60 + (i * 7) % 500},{i % 130},{'' if i % 3 else 300 + i % 50}\n"
        for i in range(2500)
    )
    data = ("id,age,sex,b12,esr,mma\n" + rows).encode()
    calls: list[tuple[int, int]] = []
    check = check_csv(data, progress=lambda done, total: calls.append((done, total)), chunk_rows=1000)
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]
    whole = evaluate_frame(read_cases_csv(data))
    assert check.results is not None
    for column in ("b12_status", "regimen", "esr_flag", "pitfalls", "next_steps", "error"):
        assert (
            check.results[column].astype("object").fillna("").tolist()
            == whole[column].astype("object").fillna("").tolist()
        )
    assert CHUNK_ROWS >= 1000


def test_profile_is_used() -> None:
    strict = custom_profile(250, 400, 271)
    assert check_csv(GOOD.encode(), strict).status_counts["deficient"] == 2  # 240 pg/mL is now low


def test_results_csv_is_the_contract_and_spreadsheet_safe() -> None:
    data = b'id,age,sex,b12,esr\n"=HYPERLINK(""http://x"")",68,F,150,30\n@bad,15,F,150,30\n'
    check = check_csv(data)
    text = check.results_csv()
    out = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert out["id"].tolist() == ['\'=HYPERLINK("http://x")', "'@bad"]
    assert list(out.columns)[-9:] == [
        "b12_status",
        "regimen",
        "oral_alternative",
        "severe",
        "esr_flag",
        "esr_upper_limit",
        "next_steps",
        "pitfalls",
        "error",
    ]
    assert out.loc[0, "b12_status"] == "deficient" and out.loc[1, "error"].startswith("age: 15")
    assert "decision_path" not in out.columns
    assert check_csv(b"").results_csv() == ""
