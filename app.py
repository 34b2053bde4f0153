"""B12 × ESR explainer: the entry point (placeholder until the pages land)."""

import streamlit as st

st.set_page_config(page_title="B12 × ESR explainer", page_icon="🩸", layout="wide")
st.title("B12 × ESR explainer")
st.caption(
    "Educational only, not a prescription: every recommendation carries its citation; check against your "
    "local guidelines and laboratory."
)
