"""A one-page teaching summary of a case, as Markdown and as self-contained printable HTML.

Both formats are rendered from the same list of sections, so they cannot disagree. Every value is
escaped (the case id may be typed by a user): html.escape for HTML, backslash escapes for Markdown.

>>> from b12logic import Case, evaluate, get_profile
>>> a = evaluate(Case(age=68, sex="female", b12=179, esr=30, id="<b>bed 4</b>"))
>>> md = report_markdown(a, get_profile("source"), "0.1.0")
>>> "B12 deficient" in md, "<b>" in md
(True, False)
>>> "&lt;b&gt;bed 4&lt;/b&gt;" in report_html(a, get_profile("source"), "0.1.0")
True
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime

from b12logic.case import Case
from b12logic.engine import Assessment
from b12logic.esr import NAIVE_ESR_CUTOFF, Statement
from b12logic.fields import risk_factor_names
from b12logic.guidelines import GuidelineProfile
from b12logic.labels import KIND_HEADINGS, SEVERITY_UNKNOWN
from b12logic.references import REFERENCES

TITLE = "B12 × ESR teaching summary"
DISCLAIMER = (
    "Educational only, not a prescription. This teaching summary applies the rules of the guideline profile named above to "
    "the values entered; it does not replace clinical judgement, your local guideline or your laboratory's "
    "reference ranges. Every recommendation carries its citation; check them before acting."
)
ESR_SEPARATE = "The ESR is worked up on its own criteria; it does not change the B12 status, regimen or next steps."


@dataclass(frozen=True)
class Item:
    text: str
    citations: tuple[str, ...] = ()


@dataclass
class Section:
    title: str
    paragraphs: list[Item] = field(default_factory=list)
    bullets: list[Item] = field(default_factory=list)
    table: list[tuple[str, str]] = field(default_factory=list)
    numbered: bool = False
    closing: list[Item] = field(default_factory=list)  # after the bullets (Do now: the B12 plan's start)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _num(value: float) -> str:
    return f"{value:g}"


def _measured(value: float | None, unit: str) -> str:
    return "not measured" if value is None else f"{_num(value)} {unit}"


def _items(statements: tuple[Statement, ...]) -> list[Item]:
    return [Item(s.text, s.citations) for s in statements]


def _inputs(case: Case) -> list[tuple[str, str]]:
    """The case's values with their units, in words (no internal codes)."""
    b12_text = f"{_num(case.b12)} {case.b12_unit}"
    if case.b12_unit != "pg/mL":
        b12_text += f" (= {case.b12_pg_ml:.0f} pg/mL)"
    mma_text = _measured(case.mma, case.mma_unit)
    if case.mma is not None and case.mma_unit != "nmol/L":
        mma_text += f" (= {case.mma_nmol_l:g} nmol/L)"
    rows = [
        ("Age", f"{_num(case.age)} years"),
        ("Sex", case.sex + (", pregnant" if case.pregnant else "")),
        ("Total serum B12", b12_text),
        ("Active B12 (holotranscobalamin)", _measured(case.active_b12, "pmol/L")),
        ("Methylmalonic acid (MMA)", mma_text),
        ("Total homocysteine", _measured(case.homocysteine, "µmol/L")),
        ("ESR (Westergren)", f"{_num(case.esr)} mm/h"),
        ("CRP", _measured(case.crp, case.crp_unit)),
        ("MCV", _measured(case.mcv, "fL")),
        ("Haemoglobin", _measured(case.hb, case.hb_unit)),
        ("Neurological symptoms", _yes(case.neuro_symptoms)),
        ("Taking folic acid", _yes(case.on_folic_acid)),
        ("Renal impairment", _yes(case.renal_impairment)),
        ("Risk factors", risk_factor_names(case.risk_factors) or "none recorded"),
    ]
    return rows


def report_sections(assessment: Assessment, profile: GuidelineProfile, version: str) -> list[Section]:
    """The report's content, format-free, in the order every page shows it: Do now first."""
    from b12logic.engine import graph_for  # the decision graph's labels, for the path

    a, case = assessment, assessment.case
    do_now = Section(
        KIND_HEADINGS["do_now"],
        bullets=_items(a.do_now) or [Item(f"Nothing urgent for this case. First step: {a.first_step}")],
        numbered=bool(a.do_now),
        closing=[Item(a.b12_after_do_now)] if a.b12_after_do_now else [],
    )
    header = Section(
        "About this report",
        paragraphs=[
            Item(
                f"Case id: {case.id or '(none)'} · Guideline profile: {profile.name} · Profile cut-offs: B12 low "
                f"< {_num(profile.b12_low)} pg/mL; borderline {_num(profile.b12_low)}–{_num(profile.b12_upper)} "
                f"pg/mL; MMA raised > {_num(profile.mma_upper)} nmol/L · App version: B12 × ESR explainer {version}"
            )
        ],
    )

    verdict = Section(
        "Verdict", paragraphs=[Item(f"{a.headline}.", profile.citations), Item(f"Treatment: {a.regimen_headline}.")]
    )
    if a.correction:
        verdict.paragraphs.append(Item(a.correction, ("NICE NG239",)))
    if a.severe:
        verdict.paragraphs.append(
            Item("Severe by the app's working definition (B12 < 100 pg/mL or Hb < 8 g/dL).", ("source", "WHO"))
        )
    elif a.regimen == "oral_or_im" and case.hb is None:
        verdict.paragraphs.append(Item(f"{SEVERITY_UNKNOWN}.", ("source", "WHO")))
    verdict.paragraphs.append(Item(f"Anaemia: {a.anaemia_grade_label} (WHO grades).", ("WHO",)))
    verdict.bullets = [Item(f"Check: {w}") for w in a.warnings]

    esr_texts = {s.text for s in a.esr_workup}
    plan = Section(KIND_HEADINGS["plan"])
    if a.regimen_detail is None:  # a regimen is said by its own statement in the list below
        plan.paragraphs.append(
            Item(f"{a.regimen_headline}.", ("source", "NICE NG239"))
            if a.correction
            else Item(f"Under {profile.teaching_name}: {a.regimen_label}.", profile.citations)
        )
    plan.bullets = [Item(s.text, s.citations) for s in a.statements("plan") if s.text not in esr_texts]

    above = "above" if a.case.esr > a.esr_upper_limit else "at or below"
    if case.pregnant:
        limit_words = f"the limit of {_num(a.esr_upper_limit)} mm/h used in pregnancy (the top of the trimester ranges)"
        limit_source: tuple[str, ...] = ("Abbassi-Ghanavati 2009",)
    else:
        limit_words = (
            f"the upper limit of {_num(a.esr_upper_limit)} mm/h for a {_num(case.age)}-year-old "
            f"{'woman' if case.sex == 'female' else 'man'} ({'(age + 10) / 2' if case.sex == 'female' else 'age / 2'})"
        )
        limit_source = ("Miller 1983",)
    esr = Section(
        "ESR reading",
        paragraphs=[Item(f"ESR {_num(case.esr)} mm/h is {above} {limit_words}: {a.esr_flag_label}.", limit_source)],
        bullets=[Item(s.text, s.citations) for s in a.esr_workup if s.kind != "do_now"],
    )
    if a.esr_above_naive_cutoff and a.esr_flag == "normal":
        esr.paragraphs.append(
            Item(
                f"It is above the fixed {_num(NAIVE_ESR_CUTOFF)} mm/h cut-off many people remember; that cut-off "
                "ignores age and sex, which is why an age-adjusted limit is used.",
                ("Miller 1983",),
            )
        )
    esr.paragraphs.append(Item(ESR_SEPARATE, ("source",)))
    workup = Section(
        KIND_HEADINGS["workup"],
        bullets=[Item(s.text, s.citations) for s in a.statements("workup") if s.text not in esr_texts],
    )

    pitfalls = Section(
        "Pitfalls",
        bullets=[Item(f"{p.heading}: {p.text}", p.citations) for p in a.pitfalls]
        or [Item("None of the listed pitfalls applies to this case.")],
    )
    background = Section(
        KIND_HEADINGS["background"],
        bullets=[Item(s.text, s.citations) for s in a.statements("background") if s.text not in esr_texts],
    )

    graph, _ = graph_for(profile)
    labels = [graph.node(n).label for n in a.decision_path]
    path = Section("Decision path", paragraphs=[Item(" → ".join(labels))])
    sections = [do_now, verdict, plan, esr]
    if workup.bullets:
        sections.append(workup)
    sections += [header, Section("Inputs", table=_inputs(case)), pitfalls, path]
    if background.bullets:
        sections.append(background)

    cited = list(dict.fromkeys([*a.citations, *profile.citations, *limit_source]))
    refs = []
    for short in cited:
        ref = REFERENCES.get(short)
        refs.append(f"{short}: {ref.full}" if ref else short)
    sections.append(Section("References", paragraphs=[Item(" · ".join(refs))]))
    sections.append(Section("Disclaimer", paragraphs=[Item(DISCLAIMER)]))
    return sections


def _cite(citations: tuple[str, ...]) -> str:
    return f" [{'; '.join(citations)}]" if citations else ""


# --- Markdown

_MD_SPECIAL = frozenset("\\`*_[]<>|~$&")
_MD_LINE_START = frozenset("#+-=>")


def md_escape(text: str) -> str:
    r"""Backslash-escape the characters that Markdown or embedded HTML would act on, so typed text
    shows as typed; ordinary punctuation stays readable in the raw file.

    >>> md_escape("<script>alert(1)</script>")
    '\\<script\\>alert(1)\\</script\\>'
    >>> md_escape("- not a list | [link](x)")
    '\\- not a list \\| \\[link\\](x)'
    """
    out = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text).replace("\n", " ").replace("\r", " ")
    return "\\" + out if out[:1] in _MD_LINE_START else out


def report_markdown(
    assessment: Assessment, profile: GuidelineProfile, version: str, generated: datetime | None = None
) -> str:
    """The report as Markdown."""
    lines = [f"# {md_escape(TITLE)}", ""]
    if generated is not None:
        lines += [f"Generated {md_escape(generated.strftime('%Y-%m-%d %H:%M'))}", ""]
    for section in report_sections(assessment, profile, version):
        lines += [f"## {md_escape(section.title)}", ""]
        if section.table:
            lines += ["| Item | Value |", "|---|---|"]
            lines += [f"| {md_escape(k)} | {md_escape(v)} |" for k, v in section.table]
            lines.append("")
        for item in section.paragraphs:
            lines += [md_escape(item.text + _cite(item.citations)), ""]
        for i, item in enumerate(section.bullets, start=1):
            mark = f"{i}." if section.numbered else "-"
            lines.append(f"{mark} {md_escape(item.text + _cite(item.citations))}")
        if section.bullets:
            lines.append("")
        for item in section.closing:
            lines += [md_escape(item.text + _cite(item.citations)), ""]
    return "\n".join(lines).rstrip() + "\n"


# --- HTML

_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; color: #111; max-width: 56rem; margin: 1.5rem auto;
       padding: 0 1rem; line-height: 1.4; font-size: 11pt; }
h1 { font-size: 18pt; margin: 0 0 0.2rem; border-bottom: 2px solid #0072B2; }
h2 { font-size: 12.5pt; margin: 0.9rem 0 0.3rem; color: #0b3d5c; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.15rem 0.5rem; border-bottom: 1px solid #ccc; }
th { width: 18%; font-weight: normal; color: #333; }
td { width: 32%; }
p, li { margin: 0.2rem 0; }
ul, ol { padding-left: 1.4rem; margin: 0.2rem 0; }
.cite { color: #555; font-size: 0.85em; }
.verdict p:first-of-type { font-size: 1.2em; font-weight: bold; }
.do-now { border: 2px solid #D55E00; padding: 0.1rem 0.5rem; }
.do-now h2 { color: #8a3300; }
.refs p { font-size: 0.85em; }
.meta { color: #444; font-size: 0.85em; }
@media print {
  @page { size: A4; margin: 10mm 12mm; }
  body { margin: 0; padding: 0; max-width: none; font-size: 7.3pt; line-height: 1.1; }
  h1 { font-size: 13pt; }
  h2 { font-size: 9.5pt; margin: 0.35rem 0 0.1rem; break-after: avoid; }
  th, td { padding: 0.05rem 0.4rem; }
  p, li { margin: 0.05rem 0; }
  main { column-count: 2; column-gap: 7mm; }
  h1, .meta, .wide { column-span: all; }
  li { break-inside: avoid; }
  .refs p { font-size: 0.78em; }  /* the heaviest cases still fit one A4 page (tests/e2e, one_a4_page) */
  .cite { font-size: 0.8em; }
}
""".strip()


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_item(item: Item) -> str:
    cite = f' <span class="cite">{_h(_cite(item.citations).strip())}</span>' if item.citations else ""
    return f"{_h(item.text)}{cite}"


def report_html(
    assessment: Assessment, profile: GuidelineProfile, version: str, generated: datetime | None = None
) -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no external resources)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_h(TITLE)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_h(TITLE)}</h1>",
    ]
    if generated is not None:
        parts.append(f'<p class="meta">Generated {_h(generated.strftime("%Y-%m-%d %H:%M"))}</p>')
    for section in report_sections(assessment, profile, version):
        css = {
            KIND_HEADINGS["do_now"]: ' class="wide do-now"',
            "Inputs": ' class="wide"',
            "Verdict": ' class="verdict"',
            "References": ' class="refs"',
        }.get(section.title, "")
        parts.append(f"<section{css}>")
        parts.append(f"<h2>{_h(section.title)}</h2>")
        if section.table:
            # Two label/value pairs per row: the report has to fit on one printed page.
            parts.append("<table>")
            for i in range(0, len(section.table), 2):
                cells = "".join(f'<th scope="row">{_h(k)}</th><td>{_h(v)}</td>' for k, v in section.table[i : i + 2])
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</table>")
        parts += [f"<p>{_html_item(item)}</p>" for item in section.paragraphs]
        if section.bullets:
            tag = "ol" if section.numbered else "ul"
            parts.append(f"<{tag}>")
            parts += [f"<li>{_html_item(item)}</li>" for item in section.bullets]
            parts.append(f"</{tag}>")
        parts += [f"<p>{_html_item(item)}</p>" for item in section.closing]
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def report_filename(assessment: Assessment, extension: str) -> str:
    """A safe file name: letters, digits and dashes from the case id only."""
    ident = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in (assessment.case.id or ""))[:40]
    ident = "-".join(filter(None, ident.split("-")))
    return f"b12-esr-report{'-' + ident if ident else ''}.{extension}"
