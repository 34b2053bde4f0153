"""The case report: every required section, escaping of typed values, and Markdown/HTML agreement."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from b12logic import Case, __version__, custom_profile, evaluate, get_profile
from b12logic.references import REFERENCES
from b12logic.report import DISCLAIMER, md_escape, report_filename, report_html, report_markdown

MALICIOUS = "<script>alert(1)</script>"
SECTIONS = (
    "About this report",
    "Inputs",
    "Verdict",
    "B12 plan",
    "ESR",
    "Pitfalls",
    "Decision path",
    "References",
    "Disclaimer",
)


def _assessment(**overrides: object):
    values: dict[str, object] = {
        "age": 58,
        "sex": "male",
        "b12": 165,
        "esr": 38,
        "hb": 10.4,
        "mcv": 108,
        "on_folic_acid": True,
        "id": "bed-4",
    }
    values.update(overrides)
    return evaluate(Case(**values))  # type: ignore[arg-type]


class _Text(HTMLParser):
    """The visible text and the tags of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._skip = tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _visible(page: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.text).split()), parser.tags


def _md_plain(md: str) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", md).split())


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_required_section_and_value(fmt: str) -> None:
    a = _assessment()
    profile = get_profile("source")
    if fmt == "md":
        text = _md_plain(report_markdown(a, profile, __version__))
        for title in SECTIONS:
            assert f"## {title}" in text
    else:
        text, _ = _visible(report_html(a, profile, __version__))
        for title in SECTIONS:
            assert title in text
    # Inputs with units, verdict, regimen, ESR reading vs limit, pitfalls, path, citations, version, profile.
    for expected in (
        "58 years",
        "165 pg/mL",
        "38 mm/h",
        "10.4 g/dL",
        "108 fL",
        "Methylmalonic acid (MMA)",
        "not measured",
        a.status_label,
        a.regimen_label,
        "upper limit of 29 mm/h",
        "ESR elevated for age and sex",
        "Folic acid before B12",
        "Anaemia by itself raises the ESR",
        "Suspected B12 deficiency → Total B12? → B12 deficient",
        REFERENCES["Miller 1983"].full,
        REFERENCES["BNF / NICE CKS"].full,
        DISCLAIMER,
        f"B12 × ESR explainer {__version__}",
        "Source answer (default)",
        "bed-4",
    ):
        assert expected in text, expected


def test_every_cited_short_name_has_its_full_reference() -> None:
    a = _assessment()
    md = _md_plain(report_markdown(a, get_profile("source"), __version__))
    for short in a.citations:
        assert REFERENCES[short].full in md


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_malicious_id_is_escaped(fmt: str) -> None:
    a = _assessment(id=MALICIOUS)
    if fmt == "html":
        page = report_html(a, get_profile("source"), __version__)
        assert "<script" not in page.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        text, tags = _visible(page)
        assert MALICIOUS in text  # shown as typed, as text
        assert "script" not in tags
    else:
        md = report_markdown(a, get_profile("source"), __version__)
        assert MALICIOUS not in md
        assert "\\<script\\>" in md
        assert MALICIOUS in _md_plain(md)


def test_markdown_cannot_be_broken_by_table_or_newline_characters() -> None:
    a = _assessment(id="a | b\n## injected")
    md = report_markdown(a, get_profile("source"), __version__)
    assert "\n## injected" not in md
    assert "a \\| b" in md
    assert md_escape("# title").startswith("\\#")


def test_html_is_self_contained_and_prints() -> None:
    page = report_html(_assessment(), get_profile("source"), __version__)
    assert "@media print" in page
    assert not re.search(r"(src|href)\s*=", page, re.I)  # no external resources, no links
    assert "<script" not in page and "@import" not in page and "url(" not in page


@pytest.mark.parametrize(
    "case",
    [
        {"b12": 120, "neuro_symptoms": True},
        {"b12": 240},
        {"b12": 300, "mma": 190},
        {"b12": 420, "neuro_symptoms": True},
        {"b12": 480, "esr": 112},
        {"b12": 140, "b12_unit": "pmol/L"},
    ],
)
def test_markdown_and_html_agree_on_the_verdict(case: dict[str, object]) -> None:
    a = _assessment(**case)
    profile = get_profile("source")
    md = _md_plain(report_markdown(a, profile, __version__))
    text, _ = _visible(report_html(a, profile, __version__))
    verdict = f"{a.headline}."
    assert verdict in md and verdict in text
    # No internal codes: the summary speaks the app's labels only.
    for code in ("b12_status", "esr_flag", "regimen:", "indeterminate_needs_mma", "oral_or_im"):
        assert code not in md and code not in text, code


def test_pmol_input_shows_the_conversion() -> None:
    md = _md_plain(report_markdown(_assessment(b12=140, b12_unit="pmol/L"), get_profile("source"), __version__))
    assert "140 pmol/L (= 190 pg/mL)" in md


def test_profile_is_named_and_its_cut_offs_shown() -> None:
    profile = custom_profile(250, 400, 300)
    a = evaluate(Case(age=58, sex="male", b12=240, esr=10), profile)
    md = _md_plain(report_markdown(a, profile, __version__))
    assert "Laboratory custom" in md and "[custom]" not in md
    assert "B12 low < 250 pg/mL" in md
    assert a.b12_status == "deficient" and f"{a.headline}." in md


def test_generated_time_and_filename() -> None:
    a = _assessment(id="../../etc/passwd <b>")
    md = report_markdown(a, get_profile("source"), __version__, generated=datetime(2025, 12, 11, 9, 30))
    assert "Generated 2025-12-11 09:30" in md
    name = report_filename(a, "html")
    assert name == "b12-esr-report-etc-passwd-b.html"
    assert report_filename(_assessment(id=None), "md") == "b12-esr-report.md"


def test_no_pitfalls_says_so() -> None:
    a = evaluate(Case(age=40, sex="female", b12=500, esr=10))
    assert not a.pitfalls
    assert "None of the listed pitfalls applies" in report_markdown(a, get_profile("source"), __version__)


def test_do_now_comes_first_with_the_inputs_issue_18_named() -> None:
    case = Case(
        age=31, sex="female", b12=170, esr=45, pregnant=True, active_b12=40, crp=12, hb=6.5, neuro_symptoms=True
    )
    a = evaluate(case, "nice-ng239")
    md = _md_plain(report_markdown(a, get_profile("nice-ng239"), __version__))
    assert md.index("## Do now") < md.index("## Verdict") < md.index("## B12 plan") < md.index("## ESR reading")
    assert md.index("## ESR reading") < md.index("## Work-up") < md.index("## Inputs")
    for step in a.do_now:
        assert step.text in md
    assert "female, pregnant" in md and "40 pmol/L" in md and "12 mg/L" in md
