"""The Streamlit floor: the app's sidebar widgets with no logic and no charts (benchmarks 4-6 baseline).

`streamlit run bench/bare_app.py`. The widgets mirror the app's shared case inputs (same kinds, same
ranges and steps as b12logic.fields' slider specs, copied here so this page imports nothing but
Streamlit), and the page writes one verdict-like line. The line sits in a container with the key
"verdict" (DOM class `st-key-verdict`) and reads "Verdict: <number>", where the number changes
whenever any input changes, so a browser benchmark can wait for it.
"""

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
