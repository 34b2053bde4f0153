"""Mechanism: how B12 deficiency and a raised ESR arise by separate pathways; this case's abnormal nodes lit."""

import streamlit as st

from b12logic.figures import MECHANISM_STEPS, lit_reasons, mechanism_figure
from b12logic.graphs import MECHANISM_GRAPH
from b12logic.pathways import MACROCYTOSIS_CAVEAT, PATHWAY_TEACHING
from ui import pictures, render, state

ALL = "all"

cur = state.current()
a, case = cur.assessment, cur.case

st.title("Mechanism")
st.caption(
    "Why the ESR and a B12 deficiency are worked up apart: they arise by different pathways. Boxes light up when "
    "this case's values make them abnormal; change the case in the sidebar and watch them."
)

step = st.segmented_control(
    "Show pathway",
    [ALL, *MECHANISM_STEPS],
    default=ALL,
    required=True,
    format_func=lambda s: "All pathways" if s == ALL else MECHANISM_STEPS[s],
    key="mechanism_step",
    help="Step through one pathway at a time for teaching; the others fade.",
)
chosen = None if step in (None, ALL) else step
lit = a.mechanism_lit
pictures.mechanism_picture(
    a,
    mechanism_figure(a, chosen, cur.profile),
    "Mechanism diagram: the B12 pathway, the folic acid bypass and the inflammation pathway, joined only by a "
    "weak dashed confounding link from anaemia to the ESR. Lit in this case: "
    + (", ".join(MECHANISM_GRAPH.node(n).label for n in sorted(lit)) or "nothing")
    + ".",
    chosen,
)

st.subheader("Lit in this case", anchor=False)
reasons = lit_reasons(a, cur.profile)
if reasons:
    for node in MECHANISM_GRAPH.nodes:  # in diagram order
        if node.id in reasons:
            st.markdown(f"- **{render.escape(node.label)}**: lit because {render.escape(reasons[node.id])}")
else:
    st.markdown("Nothing is lit: none of this case's values is abnormal on this diagram.")
if {"m_mcv", "m_anaemia"} & lit:
    st.info(render.statement_text(MACROCYTOSIS_CAVEAT), icon=":material/info:")
unmeasured = [
    label
    for label, value in (("MCV", case.mcv), ("haemoglobin", case.hb), ("homocysteine", case.homocysteine))
    if value is None
]
if unmeasured:
    st.caption(
        f"Not measured, so their boxes cannot light: {', '.join(unmeasured)} (enter them under 'More labs and "
        "context' in the sidebar)."
    )

for key in MECHANISM_STEPS if chosen is None else (chosen,):
    st.subheader(MECHANISM_STEPS[key], anchor=False)
    render.statements(PATHWAY_TEACHING[key])
