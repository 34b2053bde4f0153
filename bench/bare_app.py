"""The Streamlit floor for the Explorer: the app's widgets and navigation, no logic, no charts (benchmarks 4-6).

`streamlit run bench/bare_app.py`. Issue 5 asks for "a bare page with the same widgets and no logic
or charts", so this page draws every widget the Explorer run draws, in the same places: the same
st.navigation (three sections, seven pages; the other six are empty here), the sidebar case inputs
(same kinds, ranges, steps and number formats as b12logic.fields' slider specs, copied so that this
page imports nothing but Streamlit; a help tooltip on each input that has one in the app, with one
stand-in text, since a tooltip's text is drawn only on hover), the "More labs and context" expander,
the guideline selectbox, the reset button, and the Explorer's two download buttons. What it leaves
out is the app's work: no engine, no URL sync, no text built from the case, no chart.

The page writes one verdict-like line in a container with the key "verdict" (DOM class
`st-key-verdict`): "Verdict: <number>", where the number changes whenever any input changes, so a
browser benchmark can wait for it. bench/bare_minimal.py is the earlier, smaller floor (eight
widgets, no navigation), still measured as a context row.
"""

import gc

import streamlit as st

st.set_page_config(page_title="Bare page (Streamlit floor)", layout="wide")
# The app gives these inputs a help tooltip; its text is drawn only on hover, so one stand-in text will do.
HELP = "What this input means and how the app uses it."


def _empty() -> None:
    st.title("Empty page")


def _explorer() -> None:
    # A checksum of the inputs: one number that changes whenever one of them does.
    s = st.session_state
    flags = (s.sex == "male") * 1 + s.neuro_symptoms * 2 + s.on_folic_acid * 4 + s.mma_measured * 8
    number = ((s.age * 2000 + s.b12) * 200 + s.esr) * 2100 + (s.mma if s.mma_measured else 0)
    st.title("Bare page")
    with st.container(key="verdict"):
        st.write(f"Verdict: {number * 16 + flags}")
    left, right = st.columns(2)
    left.download_button("Download (HTML)", data="bare", file_name="bare.html", on_click="ignore", key="dl_html")
    right.download_button("Download (Markdown)", data="bare", file_name="bare.md", on_click="ignore", key="dl_md")


page = st.navigation(
    {
        "Check a case": [
            st.Page(_explorer, title="Explorer", icon=":material/explore:", url_path="explorer", default=True),
            st.Page(_empty, title="Treatment & monitoring", icon=":material/vaccines:", url_path="treatment"),
            st.Page(_empty, title="Guideline comparison", icon=":material/balance:", url_path="compare"),
            st.Page(_empty, title="Batch check", icon=":material/table_view:", url_path="batch"),
        ],
        "Learn": [
            st.Page(_empty, title="Mechanism", icon=":material/genetics:", url_path="mechanism"),
            st.Page(_empty, title="Teaching cases & quiz", icon=":material/school:", url_path="teaching"),
        ],
        "Reference": [
            st.Page(_empty, title="References & method", icon=":material/menu_book:", url_path="references"),
        ],
    }
)

with st.sidebar:
    st.header("The case")
    st.radio("Sex", ("female", "male"), horizontal=True, key="sex", help=HELP)
    st.slider("Age (years)", 16.0, 110.0, 68.0, 1.0, key="age", format="%.0f", help=HELP)
    b12_unit = st.radio("B12 unit", ("pg/mL", "pmol/L"), horizontal=True, key="b12_unit", help=HELP)
    st.slider(f"Total B12 ({b12_unit})", 20.0, 1500.0, 250.0, 1.0, key="b12", format="%.0f", help=HELP)
    if st.toggle("MMA measured", value=False, key="mma_measured", help=HELP):
        st.radio("MMA unit", ("nmol/L", "µmol/L"), horizontal=True, key="mma_unit")
        st.slider("MMA (nmol/L)", 50.0, 2000.0, 300.0, 1.0, key="mma", format="%.0f", help=HELP)
    st.slider("ESR (mm/h)", 0.0, 160.0, 30.0, 1.0, key="esr", format="%.0f", help=HELP)
    st.toggle("Neurological symptoms", value=False, key="neuro_symptoms", help=HELP)
    st.toggle("Taking folic acid", value=False, key="on_folic_acid", help=HELP)
    with st.expander("More labs and context"):
        st.number_input(
            "Homocysteine (µmol/L)", 0.01, 500.0, None, key="homocysteine", placeholder="not measured", help=HELP
        )
        st.number_input("MCV (fL)", 40.0, 200.0, None, key="mcv", placeholder="not measured", help=HELP)
        hb_unit = st.radio("Hb unit", ("g/dL", "g/L"), horizontal=True, key="hb_unit")
        st.number_input(f"Hb ({hb_unit})", 1.0, 250.0, None, key="hb", placeholder="not measured", help=HELP)
        st.toggle("Renal impairment", value=False, key="renal_impairment", help=HELP)
        st.multiselect("Risk factors", ("metformin", "ppi", "vegan", "gastrectomy"), key="risk_factors", help=HELP)
    st.selectbox("Guideline profile", ("source", "nice-ng239", "bsh-2014", "custom"), key="guideline", help=HELP)
    st.button("Reset case", width="stretch", help=HELP)

page.run()


# The app's process tuning (ui/startup.py), so that the ratio measures the app's own work: after the first
# run, freeze what the imports created, which keeps Streamlit's after-run full garbage collection cheap.
@st.cache_resource  # once per process, like the app's check (gc.get_freeze_count() walks every frozen object)
def _freeze_startup_objects() -> bool:
    gc.collect()
    gc.freeze()
    return True


_freeze_startup_objects()
