"""A class end to end in real browsers: the teacher opens a room, five phones join by its link and answer, the
teacher sees the count, reveals, asks the room to vote again, and downloads the CSV.

The server is this module's own (`streamlit run app.py`) with its class store in a temporary SQLite file
(B12_CLASS_STORE), so nothing is left in the repository. Phones are mobile Chromium contexts at 390 x 844 with
touch; the teacher is a desktop context. Expected answers come from the engine (b12logic.classroom.questions),
never from labels typed here. Screenshots: test-artifacts/screenshots/class-*.png.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import serve_app
from e2e_support import ARTIFACTS, PHONE, new_context, open_expander, runs_done, screenshot, wait_for_app
from playwright.sync_api import Browser, BrowserContext, Page

from b12logic.classroom import make_store, questions_for
from b12logic.teaching_cases import TEACHING_CASES

pytestmark = pytest.mark.browser

CASE = next(iter(TEACHING_CASES))  # the landing page's default: the first teaching case
STUDENTS = 5
COUNT_METRIC = ".st-key-class_count"


@pytest.fixture(scope="module")
def class_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('class') / 'class.sqlite3'}"


@pytest.fixture(scope="module")
def class_app_url(class_store_url: str) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("B12_CLASS_STORE", class_store_url)
        with serve_app(ARTIFACTS / "streamlit-e2e-class.log") as url:
            yield url


def _query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def _click(page: Page, locator_text: str) -> None:
    before = runs_done(page)
    page.get_by_role("button", name=locator_text).first.click()
    wait_for_app(page, after=before)


def _wait_count(page: Page, students: int) -> None:
    """Wait until the presenter's live count (a fragment refreshed every second) says `students`."""
    page.locator(COUNT_METRIC).get_by_test_id("stMetricValue").filter(has_text=re.compile(rf"^{students}$")).wait_for(
        timeout=30_000
    )


def _answer(page: Page, form: int, label: str) -> None:
    """Tap an option in question `form` (0 or 1), then "Send answer", and wait for the confirmation."""
    box = page.get_by_test_id("stForm").nth(form)
    box.get_by_text(label, exact=True).tap()
    before = runs_done(page)
    box.get_by_role("button", name="Send answer").tap()
    wait_for_app(page, after=before)
    page.get_by_test_id("stAlertContentSuccess").filter(has_text="Sent: your answer is").first.wait_for()


def test_a_class_end_to_end(browser: Browser, class_app_url: str, class_store_url: str) -> None:
    status, step = questions_for(CASE)
    right_status = next(iter(status.right))
    wrong_status = next(o for o in status.options if o not in status.right)
    right_step = sorted(step.right)[0]

    teacher_context = new_context(browser, class_app_url)
    phones: list[BrowserContext] = []
    try:
        teacher = teacher_context.new_page()
        teacher.goto("/class")
        wait_for_app(teacher)
        open_expander(teacher, teacher.get_by_text("Teachers: open a room for a teaching case"))
        _click(teacher, "Open a room")
        params = _query(teacher)
        room, key = params["room"], params["key"]
        join = teacher.get_by_test_id("stCode").inner_text().strip()
        assert join.endswith(f"/class?room={room}") and key not in join
        assert key not in teacher.get_by_test_id("stMain").inner_text()  # on the page nowhere, only in its URL
        qr = teacher.locator('[data-testid="stImage"] img').first
        assert qr.evaluate("(img) => img.complete && img.naturalWidth > 100")
        assert urlsplit(qr.get_attribute("src") or "").netloc in ("", urlsplit(class_app_url).netloc)
        _wait_count(teacher, 0)
        screenshot(teacher, "class-teacher-open")

        # Five phones join by the link (the QR code's address) and answer: three right, two wrong.
        pages: list[Page] = []
        for number in range(STUDENTS):
            context = new_context(browser, class_app_url, viewport=PHONE, mobile=True)
            phones.append(context)
            phone = context.new_page()
            phone.goto(urlsplit(join).path + "?" + urlsplit(join).query)
            wait_for_app(phone)
            assert key not in phone.url and key not in phone.content()
            assert phone.get_by_role("radiogroup").count() == 2
            _answer(phone, 0, status.options[right_status if number < 3 else wrong_status])
            _answer(phone, 1, step.options[right_step])
            pages.append(phone)
        screenshot(pages[0], "class-phone-answered")
        ids = {_query(p)["student"] for p in pages}
        assert len(ids) == STUDENTS

        # The teacher sees how many answered (not what), then reveals.
        _wait_count(teacher, STUDENTS)
        assert status.options[wrong_status] not in teacher.get_by_test_id("stMain").inner_text()
        _click(teacher, "Reveal the answers")
        teacher.locator(".js-plotly-plot").nth(1).wait_for()
        text = teacher.get_by_test_id("stMain").inner_text()
        assert f"Right: {status.options[right_status]}" in text
        assert "(2 chose it)" in text  # the wrong status, with the misconception it shows
        screenshot(teacher, "class-teacher-revealed")
        store = make_store(class_store_url)
        tally = store.tally(room)
        assert tally.students == STUDENTS
        assert tally.questions["b12_status"][right_status] == 3 and tally.questions["b12_status"][wrong_status] == 2

        # Vote again after discussion: the two who were wrong answer round 2; round 1 is kept.
        _click(teacher, "Vote again")
        for phone in pages[3:]:
            phone.reload()
            wait_for_app(phone)
            assert "round 2" in phone.get_by_test_id("stMain").inner_text()
            _answer(phone, 0, status.options[right_status])
        _wait_count(teacher, 2)
        assert store.tally(room, 1).students == STUDENTS
        assert store.tally(room).questions["b12_status"][right_status] == 2
        store.close()

        # The CSV: every answer of both rounds, anonymous, safe in a spreadsheet.
        wait_for_app(teacher)  # the run that "Vote again" started has finished (the count's fragment runs apart)
        with teacher.expect_download() as download_info:
            teacher.get_by_role("button", name="Download the results (CSV, anonymous)").click()
        path = download_info.value.path()
        assert path is not None
        data = Path(path).read_text()
        rows = list(csv.DictReader(io.StringIO(data)))
        assert len(rows) == STUDENTS * 2 + 2
        assert {r["round"] for r in rows} == {"1", "2"}
        assert {r["student"] for r in rows} == {str(n) for n in range(1, STUDENTS + 1)}
        assert not any(sid in data for sid in ids) and key not in data
        assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
    except BaseException:
        # This test's pages are its own contexts, not the new_page fixture's: keep what each showed (CI stop 25
        # timed out once waiting for the download button, with no picture to read).
        failures = ARTIFACTS / "failures"
        failures.mkdir(parents=True, exist_ok=True)
        for number, shown in enumerate(p for c in (teacher_context, *phones) for p in c.pages):
            shown.screenshot(path=str(failures / f"class-end-to-end-{number}.png"), full_page=True)
        raise
    finally:
        for context in phones:
            context.close()
        teacher_context.close()
