"""Shared Streamlit pieces: the case inputs (sidebar + URL state) and small rendering helpers.

Pages stay thin: they call ui.state.current() for the case and its assessment, then render.
"""
