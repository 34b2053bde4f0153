"""B12 × ESR explainer: page config, navigation, the shared case inputs and URL state.

Run with: streamlit run app.py
"""

from contextlib import nullcontext

import streamlit as st

from ui import render, startup, state, style

# An emoji favicon: Streamlit draws it as an inline SVG. A ":material/…:" favicon is fetched from
# fonts.gstatic.com (frontend index.js, favicon from a material icon name), missing on a network without internet.
st.set_page_config(page_title="B12 × ESR explainer", page_icon="🩸", layout="wide")
style.inject()

DISCLAIMER = (
    "**Educational only, not a prescription.** Every recommendation carries its citation; where the source answer "
    "simplifies or disagrees with a guideline, the app says so. Check your local guideline and laboratory."
)
PAGES = {
    "Check a case": [
        st.Page("pages/explorer.py", title="Explorer", icon=":material/explore:", url_path="explorer", default=True),
        st.Page("pages/treatment.py", title="Treatment & monitoring", icon=":material/vaccines:", url_path="treatment"),
        st.Page("pages/compare.py", title="Guideline comparison", icon=":material/balance:", url_path="compare"),
        st.Page("pages/batch.py", title="Batch check", icon=":material/table_view:", url_path="batch"),
    ],
    "Learn": [
        st.Page("pages/mechanism.py", title="Mechanism", icon=":material/genetics:", url_path="mechanism"),
        st.Page("pages/teaching.py", title="Teaching cases & quiz", icon=":material/school:", url_path="teaching"),
        st.Page("pages/class.py", title="Class room", icon=":material/groups:", url_path="class"),
    ],
    "Reference": [
        st.Page("pages/references.py", title="References & method", icon=":material/menu_book:", url_path="references"),
    ],
}

page = st.navigation(PAGES)
case_page = page.url_path != "class"  # the class room is light: no shared case inputs (pages/class.py)
# The Explorer (the default page: URL path "") draws the shared case inputs itself, in its fragment, so that a
# slider move reruns that alone (ui/explorer.py `page`); here only the link's case is read, for the warnings below.
inputs_here = case_page and page.url_path != ""
if case_page:  # the live summary's frame on top of the sidebar, and its copy-link button (ui/state.py)
    state.make_summary_slots()
if inputs_here:
    state.build()
elif case_page or st.session_state.get("_case_ready"):
    state.init_state()  # keeps the shared case's values while its inputs are not drawn (Streamlit drops them)
# The Explorer's first block ("Do now") goes above the disclaimer: the action first (issue 18). Other pages draw
# no such slot: every element is a message each run sends (bench/RESULTS.md, issue 20).
render.set_page_top(st.container(key="page_top") if page.url_path == "" else None)
# Keyed where presenter mode can fold it away (the teaching page; ui/style.css), as a plain caption elsewhere.
with st.container(key="disclaimer") if page.url_path == "teaching" else nullcontext():
    st.caption(DISCLAIMER)
if case_page:
    state.show_url_warnings()
page.run()
# Last, so the modules this page imported are frozen too (ui/startup.py: keeps the after-run GC cheap).
startup.freeze_imported_modules()
