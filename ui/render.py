"""Small rendering helpers: verdicts always carry text and an icon beside their colour."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Literal

import streamlit as st

from b12logic.engine import Assessment, Pitfall
from b12logic.esr import Statement
from b12logic.guidelines import Regimen
from b12logic.references import REFERENCES

# Okabe-Ito-friendly choices among Streamlit's badge colours; the words carry the meaning.
# The colours st.badge takes that the badges use (its parameter is a Literal).
BadgeColour = Literal["red", "orange", "blue"]
STATUS_STYLE: dict[str, tuple[BadgeColour, str]] = {
    "deficient": ("red", ":material/warning:"),
    "functional_deficiency": ("red", ":material/warning:"),
    "indeterminate_needs_mma": ("orange", ":material/science:"),
    "normal_needs_mma_hcy": ("orange", ":material/science:"),
    "not_confirmed": ("blue", ":material/info:"),
    "normal": ("blue", ":material/check_circle:"),
}
ESR_STYLE: dict[str, tuple[BadgeColour, str]] = {
    "normal": ("blue", ":material/check_circle:"),
    "elevated": ("orange", ":material/arrow_upward:"),
    "markedly_elevated": ("red", ":material/warning:"),
}


# In pregnancy an ESR above the second trimester's range is in range only for some trimesters: not a blue check
# beside "ESR raised unless in the third trimester" (code-blind read s12, fifth).
ESR_BY_TRIMESTER: tuple[BadgeColour, str] = ("orange", ":material/help:")


def esr_style(a: Assessment) -> tuple[BadgeColour, str]:
    """The ESR badge's colour and icon: by its flag, or the trimester's question when the trimester decides."""
    if a.esr_flag == "normal" and a.pregnancy_esr_to_place:
        return ESR_BY_TRIMESTER
    return ESR_STYLE[a.esr_flag]


def badge(text: str, colour: BadgeColour, icon: str) -> None:
    st.badge(text, icon=icon, color=colour)


def heading(text: str) -> str:
    """A section heading (h3, as st.subheader draws) as Markdown, to open a Markdown block: one element for a
    heading and what follows it, so a slider move sends one message, not two (bench/RESULTS.md, issue 20)."""
    return f"### {escape(text)}"


def caption(text: str) -> str:
    """Small grey text, as st.caption draws, as Markdown (inside a block; see `heading`)."""
    return f":gray[:small[{escape(text)}]]"


def cite(citations: Iterable[str]) -> str:
    """Short citation text, e.g. '[source; AFP 2017]'."""
    names = [c for c in citations if c]
    return f"[{'; '.join(names)}]" if names else ""


def statement_text(s: Statement) -> str:
    """One statement as Markdown: its text, then its citation in grey."""
    return f"{escape(s.text)} :gray[{escape(cite(s.citations))}]"


def statement(s: Statement, bullet: bool = True) -> None:
    st.markdown(("- " if bullet else "") + statement_text(s))


def statements_text(items: Iterable[Statement]) -> str:
    """Statements as a Markdown bulleted list ('' for none)."""
    return "\n".join(f"- {statement_text(s)}" for s in items)


def statements(items: Iterable[Statement]) -> None:
    """A bulleted list in one Markdown element: one element per list, not per line, keeps reruns light."""
    text = statements_text(items)
    if text:
        st.markdown(text)


def escape(text: str) -> str:
    """Escape Markdown control characters in our own text (units like 1–2 mg/day stay readable)."""
    for ch in ("\\", "*", "_", "`", "[", "]", "<", ">", "#", "$", "~", "|"):
        text = text.replace(ch, "\\" + ch)
    return text


def reference_title(short: str) -> str:
    ref = REFERENCES.get(short)
    return ref.full if ref else short


# --- Explorer / Mechanism helpers ------------------------------------------------------------------
# Pitfalls that can cause harm if missed are shown as errors; the rest as warnings.
URGENT_PITFALLS = frozenset({"folate_before_b12", "neuro_with_normal_b12", "myeloma_high_esr_low_b12"})


def regimen_text(reg: Regimen) -> str:
    """A regimen in words as Markdown: drug, dose and route, frequency, duration, with its citation."""
    frequency = ", ".join(part for part in (reg.loading, reg.maintenance) if part)
    lines = [
        f"- **Drug:** {escape(reg.drug)}",
        f"- **Dose and route:** {escape(reg.dose)} {escape(reg.route)}",
        f"- **Frequency:** {escape(frequency)}",
        f"- **Duration:** {escape(reg.duration)}",
    ]
    return "\n".join(lines) + f"\n\n:gray[{escape(cite(reg.citations))}]"


def regimen(reg: Regimen) -> None:
    st.markdown(regimen_text(reg))


def pitfall(p: Pitfall) -> None:
    """One pitfall as an alert: heading as the title, text and citations as the body."""
    body = f"{escape(p.text)} :gray[{escape(cite(p.citations))}]"
    if p.id in URGENT_PITFALLS:
        st.error(body, title=p.heading, icon=":material/error:")
    else:
        st.warning(body, title=p.heading, icon=":material/warning:")


def numbered_text(items: Iterable[Statement]) -> str:
    """Statements as a Markdown numbered list, in order, each with its citation ('' for none)."""
    return "\n".join(f"{i}. {statement_text(s)}" for i, s in enumerate(items, start=1))


_TOP = threading.local()  # per script run: app.py's first main-area container (set before the disclaimer)


def set_page_top(container: Any) -> None:
    """app.py: the page's first block goes here, above the disclaimer (the Explorer's "Do now")."""
    _TOP.container = container


def page_top() -> Any:
    """The container a page's first block is drawn in: app.py's top slot, or the page itself (AppTest of a page
    run on its own)."""
    return getattr(_TOP, "container", None) or st.container()


def do_now_text(a: Assessment) -> str:
    """The Do-now block as Markdown: the urgent steps, most urgent first, each an instruction with its source; then
    the B12 plan's start where no urgent step says it."""
    then = f"\n\n{escape(a.b12_after_do_now)}" if a.b12_after_do_now else ""
    return numbered_text(a.do_now) + then


def safety_steps(steps: Iterable[Statement]) -> None:
    """Urgent steps at the top of a verdict, in a box that cannot be collapsed (words beside the colour)."""
    for step in steps:
        st.error(f"**Urgent:** {escape(step.text)} {escape(cite(step.citations))}", icon=":material/emergency:")


# Badge colours for Markdown badges (":red-badge[...]"), the same as STATUS_STYLE / ESR_STYLE.
def md_badge(text: str, colour: str, icon: str) -> str:
    """A badge (st.badge's look) as Markdown, to sit in a Markdown block."""
    return f":{colour}-badge[{icon} {escape(text)}]"


def case_summary(a: Assessment) -> None:
    """The live answer at the top of the case inputs: B12 status and regimen in words, the ESR flag, urgent steps.

    On a phone the sidebar covers the page, so the verdict under it cannot be seen while a slider moves; this
    short summary sits on top of the inputs (kept in view by ui/style.css) and follows every change. One
    Markdown element, so a rerun costs one message.
    """
    status_colour, status_icon = STATUS_STYLE[a.b12_status]
    esr_colour, esr_icon = esr_style(a)
    urgent = len(a.do_now)
    lines = [
        f"**B12:** {md_badge(a.headline, status_colour, status_icon)}",
        escape(a.regimen_label),
        md_badge(a.esr_flag_label, esr_colour, esr_icon),  # the label starts with "ESR"
        escape(f"{a.case.esr:g} mm/h against a limit of {a.esr_upper_limit:g} mm/h"),
    ]
    if urgent:
        lines.append(f":red[:material/emergency: **Urgent step{'s' if urgent > 1 else ''} ({urgent}):** see Do now]")
    st.markdown("  \n".join(lines))
