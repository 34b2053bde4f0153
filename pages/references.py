"""References & method: sources, each profile's thresholds, definitions, limitations, the source's errors."""

import streamlit as st

from b12logic.guidelines import PROFILES, custom_profile
from b12logic.method import (
    EDUCATIONAL_STATEMENT,
    LIMITATIONS,
    PRIVACY_STATEMENT,
    WORKING_DEFINITIONS,
    unit_error_worked,
)
from b12logic.references import REFERENCES, SOURCE_ISSUES
from b12logic.validate import CaseError
from ui import render, state

cur = state.current()

st.title("References & method")
st.info(EDUCATIONAL_STATEMENT, icon=":material/school:")

st.header("Where the source answer is wrong or simplified")
st.write(
    "The app follows the source answer's rules by default, but it does not hide their problems. Each one is "
    "listed here in plain words, and shown again where it affects a case."
)
worked = unit_error_worked()
for number, issue in enumerate(SOURCE_ISSUES, start=1):
    with st.container(border=True):
        st.markdown(f"**{number}. {render.escape(issue.title)}** :gray[{render.escape(render.cite(issue.citations))}]")
        st.markdown(render.escape(issue.text))
        if issue.id == "unit_error":
            st.markdown(f"The source prints: **{render.escape(worked.source_pair)}**")
            st.markdown(f"- Correct: **{render.escape(worked.forward)}**")
            st.markdown(f"- And back: **{render.escape(worked.backward)}**")
            st.markdown(render.escape(worked.explanation))

st.header("Working definitions")
render.statements(WORKING_DEFINITIONS)

st.header("Thresholds of each guideline profile")
st.write(
    "Every number the rules use, by profile. A value marked 'laboratory value' is one the guideline does not "
    "give, so the app borrows an example laboratory's and says so."
)
try:
    lab = custom_profile(cur.values["lab_b12_low"], cur.values["lab_b12_upper"], cur.values["lab_mma_upper"])
except CaseError:
    lab = custom_profile(180, 350, 271)
profiles = [*PROFILES.values(), lab]
tabs = st.tabs([p.name for p in profiles])
for tab, profile in zip(tabs, profiles, strict=True):
    with tab:
        st.caption(f"{profile.summary} {render.cite(profile.citations)}")
        st.dataframe(
            profile.threshold_rows(),
            hide_index=True,
            column_config={"threshold": "Threshold", "value": "Value"},
        )
        if profile.superseded_by:
            st.caption(f"Superseded by {PROFILES[profile.superseded_by].name}; kept for comparison.")

st.header("Limitations")
render.statements(LIMITATIONS)

st.header("Privacy")
st.write(PRIVACY_STATEMENT)

st.header("References")
st.write("Short names in square brackets throughout the app point here.")
for ref in REFERENCES.values():
    unverified = "could not be verified" in ref.note
    marker = " ⚠️ **unverified**" if unverified else ""
    note = f" — *{render.escape(ref.note)}*" if ref.note else ""
    st.markdown(f"- **{render.escape(ref.short)}**{marker}: {render.escape(ref.full)}{note}")
