"""Explorer: what to do now first, then the B12 plan and the ESR reading side by side but apart, the work-up,
and the background folded away; the decision path."""

import streamlit as st

from ui import explorer, labs, render, state

cur = state.current()

with render.page_top():  # first on the page, above the title and the disclaimer
    explorer.do_now(cur.assessment)

st.title("Explorer")
st.caption(
    "Move the sliders in the sidebar. The B12 plan and the ESR reading update together, but each is decided "
    "on its own criteria: the ESR never changes the B12 plan."
)
explorer.case_line(cur)

verdict_col, esr_col = st.columns([3, 2], gap="medium")
with verdict_col, st.container(key="verdict_panel", border=True):
    explorer.verdict_panel(cur.assessment)
with esr_col, st.container(key="esr_panel", border=True):
    explorer.esr_panel(cur.assessment)

explorer.workup(cur.assessment)
explorer.pitfalls(cur.assessment)
explorer.background(cur.assessment)
explorer.decision_path(cur)
explorer.report_downloads(cur)
labs.open_case_button()
