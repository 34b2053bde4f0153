"""The first, smaller floor: eight of the app's sidebar widgets, no navigation (a context row in 4-5).

`streamlit run bench/bare_minimal.py`. This was the baseline of benchmarks 4-6 until the Explorer run
of 2026-11-26 evening; bench/bare_app.py (every widget the app draws, and its navigation) replaced it
because the issue asks for "the same widgets". It is still measured, so the change of baseline shows
in every report. The verdict line works as in bare_app.py.
"""

import gc

import streamlit as st

st.set_page_config(page_title="Bare page (Streamlit floor)", layout="wide")

with st.sidebar:
    st.header("Case")
    age = st.slider("Age (years)", 16, 110, 68, 1, key="age")
    sex = st.radio("Sex", ("female", "male"), horizontal=True, key="sex")
    b12 = st.slider("Total serum B12 (pg/mL)", 20, 1500, 250, 1, key="b12")
    mma_measured = st.toggle("MMA measured", value=False, key="mma_measured")
    mma = st.slider("MMA (nmol/L)", 50, 2000, 300, 1, key="mma", disabled=not mma_measured)
    esr = st.slider("ESR (mm/h)", 0, 160, 30, 1, key="esr")
    neuro = st.toggle("Neurological symptoms", value=False, key="neuro_symptoms")
    folic = st.toggle("Taking folic acid", value=False, key="on_folic_acid")

# A checksum of every input: one number that changes whenever any input does.
flags = (sex == "male") * 1 + neuro * 2 + folic * 4 + mma_measured * 8
number = ((age * 2000 + b12) * 200 + esr) * 2100 + (mma if mma_measured else 0)
with st.container(key="verdict"):
    st.write(f"Verdict: {number * 16 + flags}")


# The app's process tuning (ui/startup.py), so that the ratio measures the app's own work: after the first
# run, freeze what the imports created, which keeps Streamlit's after-run full garbage collection cheap.
@st.cache_resource  # once per process, like the app's check (gc.get_freeze_count() walks every frozen object)
def _freeze_startup_objects() -> bool:
    gc.collect()
    gc.freeze()
    return True


_freeze_startup_objects()
