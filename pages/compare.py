"""Guideline comparison: the case under every profile, where the boundaries lie, and the ESR limit by age."""

import pandas as pd
import streamlit as st

from b12logic import CaseError
from b12logic.comparison import DIFFERS_MARK, SAME_MARK, comparison_rows, differences, evaluate_all
from b12logic.fields import LAB_SETTINGS
from b12logic.figures import esr_by_age_figure, region_map_figure
from b12logic.guidelines import DEFAULT_PROFILE, PROFILES, GuidelineProfile, custom_profile
from b12logic.units import PMOL_PER_PG
from ui import layout, render, state

cur = state.current()
case = cur.case

st.title("Guideline comparison")
mma_text = "not measured" if case.mma is None else f"{case.mma:g} {case.mma_unit}"
st.caption(
    render.escape(
        f"The same case under every profile: {case.sex}, {case.age:g} years, B12 {case.b12:g} {case.b12_unit}, "
        f"MMA {mma_text}, neurological symptoms: {'yes' if case.neuro_symptoms else 'no'}. Profiles differ in "
        "their cut-offs, regimens and follow-up; the ESR reading is the same under all of them."
    )
)

st.header("Your laboratory's cut-offs")
st.write(
    "Laboratories use different assays and ranges, so a case can change category from one lab to another. Type "
    "your laboratory's cut-offs (in pg/mL, the same as ng/L, and nmol/L) to add them as a fourth profile."
)
low_col, upper_col, mma_col = st.columns(3)
lab_inputs = {
    "lab_b12_low": (low_col, "Your lab: B12 low below (pg/mL)", "Total B12 below this is low (deficient)."),
    "lab_b12_upper": (
        upper_col,
        "Your lab: B12 borderline up to (pg/mL)",
        "Total B12 from the low cut-off up to this is borderline.",
    ),
    "lab_mma_upper": (
        mma_col,
        "Your lab: MMA raised above (nmol/L)",
        "MMA above your laboratory's upper limit supports functional deficiency.",
    ),
}
lab: dict[str, float] = {}
for name, (column, label, help_text) in lab_inputs.items():
    lab[name] = column.number_input(
        label,
        min_value=LAB_SETTINGS[name].low,  # the range a link may set (one definition: b12logic.fields)
        max_value=LAB_SETTINGS[name].high,
        value=float(cur.values[name]),
        step=1.0,
        format="%g",
        key=f"compare_{name}",
        help=help_text,
    )
lab_profile: GuidelineProfile | None
try:
    lab_profile = custom_profile(lab["lab_b12_low"], lab["lab_b12_upper"], lab["lab_mma_upper"])
except CaseError as err:
    lab_profile = None
    st.warning(f"Laboratory cut-offs not used: {err}", icon=":material/warning:")
else:
    st.caption(
        f"In pmol/L: low below {lab['lab_b12_low'] * PMOL_PER_PG:.0f}, borderline up to "
        f"{lab['lab_b12_upper'] * PMOL_PER_PG:.0f} (1 pg/mL = {PMOL_PER_PG} pmol/L)."
    )

profiles = [*PROFILES.values(), *([lab_profile] if lab_profile else [])]

st.header("This case under every profile")
results = evaluate_all(case, profiles)
cards = st.columns(len(results))
for column, result in zip(cards, results, strict=True):
    with column, st.container(border=True):
        a = result.assessment
        colour, icon = render.STATUS_STYLE[a.b12_status]
        st.markdown(f"**{render.escape(result.profile.name)}**")
        render.badge(a.status_label, colour, icon)
        st.caption(render.escape(a.regimen_label))

rows = comparison_rows(case, profiles)
table = pd.DataFrame(rows)
table.insert(1, "Differs?", [DIFFERS_MARK if r["differs"] else SAME_MARK for r in rows])
table = table.drop(columns="differs").rename(columns={"aspect": "Aspect"})


def _highlight(row: pd.Series) -> list[str]:
    """Differing rows get a tint and bold text as well as the text marker (never colour alone)."""
    # A translucent orange (Okabe-Ito #E69F00) over the theme's own background and text colour: a pale band
    # in the light theme, a dim amber one in the dark theme (the solid peach under near-black text glared
    # beside the dark theme's black rows, issue 19). Text keeps the theme's colour: 4.5:1 or more on both.
    style = "background-color: rgba(230, 159, 0, 0.18); font-weight: 600" if row["Differs?"] == DIFFERS_MARK else ""
    return [style] * len(row)


def _table_as_list(rows: list[dict[str, object]], profile_names: list[str]) -> str:
    """The comparison for a phone: one block per aspect, one line per profile (a six-column table cannot fit)."""
    blocks = []
    for row in rows:
        mark = f"**{DIFFERS_MARK}**" if row["differs"] else SAME_MARK
        lines = [f"**{render.escape(str(row['aspect']))}** ({mark})"]
        lines += [f"- *{render.escape(name)}:* {render.escape(str(row[name]))}" for name in profile_names]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


changes = differences(case, profiles)
st.subheader("What changes with the profile", anchor=False)
if changes:
    for sentence in changes:
        st.markdown(f"- **{DIFFERS_MARK}** {render.escape(sentence)}")
else:
    st.markdown("Every profile reaches the same decisions for this case.")
wide, narrow = layout.wide_and_narrow("compare_table")
wide.table(
    table.style.apply(_highlight, axis=1),
    hide_index=True,
    alt="The case under each guideline profile, one row per aspect; rows marked 'differs' change with the profile.",
)
narrow.markdown(_table_as_list(rows, [p.name for p in profiles]))

st.header("Where the boundaries lie")
st.write(
    "Each cell is coloured by the B12 status the engine gives a case with that B12 and MMA; the strip underneath "
    "is MMA not measured. Lines mark every profile's cut-offs. Switch the profile to see the boundaries move. The "
    "MMA line is one laboratory's upper limit (Mayo Clinic Laboratories' 271 nmol/L): a raised MMA supports "
    "deficiency, and renal impairment raises it too. Under NICE NG239 an active B12 can settle the borderline "
    "strip; the map shows total B12 and MMA only."
)
names = {p.id: p.name for p in profiles}
current_id = cur.profile.id if cur.profile.id in names else DEFAULT_PROFILE
map_col, neuro_col = st.columns([3, 2])
chosen_id = map_col.selectbox(
    "Profile shown on the map",
    list(names),
    index=list(names).index(current_id),
    format_func=names.__getitem__,
    key="compare_map_profile",
    help="Whose rules colour the regions. The lines of the other profiles stay for comparison.",
)
neuro = neuro_col.toggle(
    "Map for a patient with neurological symptoms",
    value=case.neuro_symptoms,
    key="compare_map_neuro",
    help="Neurological symptoms change what a B12 above range means, so the map differs.",
)
chosen = next(p for p in profiles if p.id == chosen_id)
st.plotly_chart(
    region_map_figure(chosen, neuro, case, profiles),
    width="stretch",
    config={"displaylogo": False},
    alt=f"Map of B12 status by total B12 and MMA under {chosen.name}, with this case marked as a star.",
)

st.header("ESR: the upper limit depends on age and sex")
st.write(
    "The ESR is read against its own limit, which no B12 profile changes. A fixed 20 mm/h line ignores that the "
    "normal ESR rises with age and is higher in women. The healthy-population 95th centiles are slightly above "
    "Miller's rule at 20 and about half of it at 55 and 90: Miller's rule is the permissive one in old age. In "
    "pregnancy neither applies."
)
st.plotly_chart(
    esr_by_age_figure(case),
    width="stretch",
    config={"displaylogo": False},
    alt=f"ESR upper limit by age for women and men; this case, ESR {case.esr:g} mm/h at age {case.age:g}, is marked.",
)
st.caption(render.escape(render.cite(("Miller 1983", "Wetteland 1996", "Abbassi-Ghanavati 2009"))))
