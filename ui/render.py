"""Small rendering helpers: verdicts always carry text and an icon beside their colour."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from b12logic.esr import Statement
from b12logic.references import REFERENCES

# Okabe-Ito-friendly choices among Streamlit's badge colours; the words carry the meaning.
STATUS_STYLE = {
    "deficient": ("red", "⚠️"),
    "functional_deficiency": ("red", "⚠️"),
    "indeterminate_needs_mma": ("orange", "🔎"),
    "normal_needs_mma_hcy": ("orange", "🔎"),
    "not_confirmed": ("blue", "ℹ️"),
    "normal": ("blue", "✔️"),
}
ESR_STYLE = {"normal": ("blue", "✔️"), "elevated": ("orange", "⬆️"), "markedly_elevated": ("red", "⚠️")}


def badge(text: str, colour: str, icon: str) -> None:
    st.badge(text, icon=icon, color=colour)


def cite(citations: Iterable[str]) -> str:
    """Short citation text, e.g. '[source; AFP 2017]'."""
    names = [c for c in citations if c]
    return f"[{'; '.join(names)}]" if names else ""


def statement(s: Statement, bullet: bool = True) -> None:
    prefix = "- " if bullet else ""
    st.markdown(f"{prefix}{escape(s.text)} :gray[{escape(cite(s.citations))}]")


def statements(items: Iterable[Statement]) -> None:
    for s in items:
        statement(s)


def escape(text: str) -> str:
    """Escape Markdown control characters in our own text (units like 1–2 mg/day stay readable)."""
    for ch in ("\\", "*", "_", "`", "[", "]", "<", ">", "#", "$", "~", "|"):
        text = text.replace(ch, "\\" + ch)
    return text


def reference_title(short: str) -> str:
    ref = REFERENCES.get(short)
    return ref.full if ref else short
