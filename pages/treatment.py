"""Treatment & monitoring: the regimen in words, on a timeline, for how long, how to follow it up; first-year table."""

import pandas as pd
import streamlit as st

from b12logic.engine import TREATMENT_REGIMENS
from b12logic.figures import treatment_timeline_figure
from b12logic.references import SOURCE_ISSUES
from b12logic.treatment import (
    DURATION_NOTES,
    ILLUSTRATIVE_NEURO_LOADING_WEEKS,
    TABLE_COLUMNS,
    comparison_monitoring,
    events_csv,
    if_confirmed,
    profile_name,
    treatment_events,
)
from ui import layout, render, state


def _events_as_list(table: pd.DataFrame) -> str:
    """The first-year events for a phone: when, what, whose advice and sources, the detail under it."""
    lines = []
    for row in table.itertuples(index=False):
        when = "Throughout" if row.day == "throughout" else f"Day {row.day} (month {row.month})"
        line = (
            f"- **{render.escape(when)}:** {render.escape(str(row.event))} :gray[{render.escape(str(row.schedule))}; "
        )
        line += f"{render.escape(str(row.citation))}]"
        if row.detail:
            line += f"  \n  {render.escape(str(row.detail))}"
        lines.append(line)
    return "\n".join(lines)


cur = state.current()
a = cur.assessment

st.title("Treatment & monitoring")
st.caption(
    f"Profile: {cur.profile.name}. What the plan looks like over time, how long it lasts and how it is followed "
    "up. Day 0 is the first dose; a month is 30.4 days."
)

shown = a
hypothetical = None
if a.regimen not in TREATMENT_REGIMENS:
    colour, icon = render.STATUS_STYLE[a.b12_status]
    with st.container(border=True):
        heading = "No treatment decision yet" if a.regimen == "pending_tests" else "This case needs no B12 treatment"
        st.subheader(f"{heading}: {render.escape(a.status_label)}", anchor=False)
        render.badge(a.regimen_label, colour, icon)
        render.safety_steps(tuple(s for s in a.next_steps if s.safety))
        if a.regimen == "pending_tests":
            st.markdown("**Tests first.** The treatment decision waits for these results:")
        else:
            st.markdown("**No deficiency is established, so there is nothing to start.** Next steps:")
        render.statements(a.next_steps)
    hypothetical = if_confirmed(cur.case, cur.profile)
    if hypothetical is not None:
        shown = hypothetical.assessment
        st.info(
            f"**What would happen if treated.** The rest of this page shows the plan {hypothetical.assumption}: "
            f"{shown.status_label} → {shown.regimen_label}. It is an illustration, not this case's plan.",
            icon=":material/lightbulb:",
        )

if shown.regimen in TREATMENT_REGIMENS and shown.regimen_detail is not None:
    plan = shown.regimen_detail
    st.header("The regimen" + (" (if treated)" if hypothetical else ""))
    if hypothetical is None:
        render.safety_steps(tuple(s for s in a.next_steps if s.safety))
    words, oral_col = st.columns(2, gap="medium")
    with words, st.container(border=True):
        st.markdown(f"**{render.escape(plan.title)}**")
        render.regimen(plan)
        if shown.regimen == "im_neuro":
            st.warning(
                "Neurological involvement: start without delay and seek urgent specialist advice. "
                + render.escape(render.cite(("BNF / NICE CKS",))),
                icon=":material/neurology:",
            )
        severity = "severe" if shown.severe else ("unknown (Hb not measured)" if cur.case.hb is None else "not severe")
        st.caption(
            f"Severity: {severity} (working definition: B12 below 100 pg/mL or Hb below 8 g/dL, WHO). "
            "Oral treatment is offered only when not severe and without neurological symptoms."
        )
    with oral_col, st.container(border=True):
        if shown.oral_alternative and shown.oral_regimen is not None:
            st.markdown("**Or by mouth, instead of injections**")
            render.regimen(shown.oral_regimen)
            st.caption(
                "Oral 1000–2000 µg daily worked as well as injections for serum B12 in three small trials (low "
                "certainty). [Cochrane 2018]"
            )
        else:
            reason = "neurological symptoms" if shown.regimen == "im_neuro" else "severe deficiency"
            st.markdown(f"**No oral alternative here** ({reason}): injections only. :gray[\\[source\\]]")

    weeks = float(ILLUSTRATIVE_NEURO_LOADING_WEEKS)
    if shown.regimen == "im_neuro":
        weeks = st.slider(
            "Assume improvement stops after (weeks)",
            min_value=1,
            max_value=12,
            value=ILLUSTRATIVE_NEURO_LOADING_WEEKS,
            help="Alternate-day injections continue until there is no further improvement. No guideline fixes "
            "the length, so the timeline needs an assumption to draw the doses: choose one.",
        )

    st.header("Timeline")
    fig = treatment_timeline_figure(shown, months=14, neuro_loading_weeks=weeks)
    st.plotly_chart(
        fig,
        width="stretch",
        key="timeline_figure",
        config={"displaylogo": False},
        alt=f"Timeline of {plan.title.lower()}: {plan.text}. Checks by {profile_name(shown.guideline)} "
        f"beside {comparison_monitoring(shown.guideline).name}.",
    )

    st.header("For how long")
    profile_now = cur.profile  # the hypothetical plan is drawn under the same profile
    if profile_now.follows_source:
        st.markdown(f"**{render.escape(plan.duration.capitalize())}**, in the source's words. The correction:")
        render.statements(DURATION_NOTES[1:])
    else:
        st.markdown(
            f"Under {render.escape(profile_now.teaching_name)}: **{render.escape(plan.duration)}** "
            f":gray[{render.escape(render.cite(plan.citations))}]. For comparison, the source's rule and the reasons:"
        )
        render.statements(DURATION_NOTES)

    beside = comparison_monitoring(shown.guideline)
    other_name, other_items = beside.name, beside.monitoring
    own_name = profile_name(shown.guideline)
    st.header(f"Monitoring: {own_name} beside {other_name}")
    own_col, other_col = st.columns(2, gap="medium")
    with own_col, st.container(border=True):
        st.markdown(f"**{render.escape(profile_name(shown.guideline))}** (the profile in use)")
        if shown.monitoring:
            for item in shown.monitoring:
                when = f"Month {item.month:g}" if item.month is not None else "Throughout"
                st.markdown(f"- {when}: {render.escape(item.what)} :gray[{render.escape(render.cite(item.citations))}]")
        else:
            st.markdown("No monitoring schedule is given by this profile.")
    with other_col, st.container(border=True):
        st.markdown(f"**{render.escape(other_name)}** (for comparison)")
        for item in other_items:
            when = f"Month {item.month:g}" if item.month is not None else "Throughout"
            st.markdown(f"- {when}: {render.escape(item.what)} :gray[{render.escape(render.cite(item.citations))}]")
    if profile_now.follows_source or beside.follows_source:  # the source's schedule is on screen
        issue = next(i for i in SOURCE_ISSUES if i.id == "monitoring_schedule")
        st.info(
            f"**{issue.title}.** {render.escape(issue.text)} {render.escape(render.cite(issue.citations))}",
            icon=":material/info:",
        )

    st.header("The first year, event by event" + (" (if treated)" if hypothetical else ""))
    events = treatment_events(shown, months=12, neuro_loading_weeks=weeks)
    table = pd.DataFrame(events)[list(TABLE_COLUMNS)]
    # "throughout" rows have no day or month: say so rather than show a blank or "None".
    for column in ("day", "month"):
        table[column] = [("throughout" if pd.isna(v) else f"{v:g}") for v in table[column]]
    st.caption("Rows without a day apply throughout. Maintenance rows give the window in which each dose is due.")
    # st.table wraps its cells (the grid of st.dataframe cut "throughout" to "throug…", issue 19); on a
    # phone the six columns become one line per event (ui/layout.py).
    wide, narrow = layout.wide_and_narrow("treatment_events")
    wide.table(table.rename(columns=TABLE_COLUMNS), hide_index=True)
    narrow.markdown(_events_as_list(table))
    suffix = "-if-treated" if hypothetical else ""
    st.download_button(
        "Download the first-year events (CSV)",
        data=events_csv(events).encode("utf-8"),
        file_name=f"b12-first-year-events{suffix}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help="The table above as a CSV file, built in your browser session; nothing is stored.",
    )
elif hypothetical is None:
    st.info("No treatment plan can be illustrated for this case.", icon=":material/info:")

st.divider()
st.markdown(
    render.escape(
        f"ESR {cur.case.esr:g} mm/h against a limit of {a.esr_upper_limit:g} mm/h: {a.esr_flag_label}. The ESR "
        "is worked up on its own and never changes the B12 plan above."
    )
    + " :gray[\\[source; Miller 1983\\]]"
)
