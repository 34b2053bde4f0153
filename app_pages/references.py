"""Placeholder: replaced by the page implementation."""

import streamlit as st

st.title("references")
