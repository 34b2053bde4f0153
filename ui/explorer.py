"""The Explorer's sections: the B12 verdict and the ESR reading side by side but apart, the decision path.

The page (pages/explorer.py) only calls `page`, which calls these in order. They live in a module, not in the
page script, because Streamlit compiles a page script on every rerun and imports a module once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from b12logic import __version__
from b12logic.engine import Assessment
from b12logic.esr import NAIVE_ESR_CUTOFF
from b12logic.fields import risk_factor_names
from b12logic.figures import decision_alt_text, decision_chart
from b12logic.guidelines import SEVERE_B12_PG_ML, SEVERE_HB_G_DL
from b12logic.labels import KIND_HEADINGS, NEURO_DECIDES, SEVERITY_UNKNOWN
from b12logic.report import report_filename, report_html, report_markdown
from ui import layout, pictures, render, startup, state
from ui.state import Current

HINT = (
    "Move the sliders in the sidebar. The B12 plan and the ESR reading update together, but each is decided on "
    "its own criteria: the ESR never changes the B12 plan."
)
SEVERITY_DEFINITION = (
    f"Working definition: B12 < {SEVERE_B12_PG_ML:g} pg/mL or Hb < {SEVERE_HB_G_DL:g} g/dL "
    "(WHO severe anaemia); the source uses the word without defining it."
)


@st.fragment
def page(top: DeltaGenerator, slots: state.SummarySlots) -> None:
    """The whole Explorer with its case inputs (sidebar), as one fragment: a slider move reruns this, not the
    page config, the CSS, the navigation and the disclaimer of a full run (about a tenth of a rerun's server CPU;
    bench/RESULTS.md "Crowd"). Streamlit 1.67 lets a fragment write to st.sidebar and to a container made outside
    it (`top`, app.py's slot above the disclaimer), and a widget drawn there reruns the fragment
    (streamlit/runtime/fragment.py:898-904, delta_generator.py:846-870); a fragment rerun gets the same `top`
    (fragment.py:803 calls the function with the arguments of the full run), and the same `slots` (the sidebar's
    live summary, around the copy-link button that only full runs draw). The runs of all sessions take turns
    (ui/startup.py)."""
    with startup.one_run_at_a_time():
        _page(top, slots)


def _page(top: DeltaGenerator, slots: state.SummarySlots) -> None:
    cur = state.build(lazy_labs=True, slots=slots)
    with top:  # first on the page, above the title and the disclaimer
        do_now(cur.assessment)
    # The title, the hint and the case line in one Markdown element (issue 20: every element is a message
    # per slider move; the Do-now block above stays first on the page).
    st.markdown("\n\n".join(("# Explorer", render.caption(HINT), case_line(cur))))
    verdict_col, esr_col = st.columns([3, 2], gap="medium")
    with verdict_col, st.container(key="verdict_panel", border=True):
        verdict_panel(cur.assessment)
    with esr_col, st.container(key="esr_panel", border=True):
        esr_panel(cur.assessment)
    workup(cur.assessment)
    pitfalls(cur.assessment)
    background(cur.assessment)
    decision_path(cur)
    report_downloads(cur)


def case_line(cur: Current) -> str:
    """The case in one line, so a screenshot or a projected page says what it shows."""
    case = cur.case
    mma_text = "not measured" if case.mma is None else f"{case.mma:g} {case.mma_unit}"
    extra = ""
    if case.active_b12 is not None:
        extra += f" · active B12 {case.active_b12:g} pmol/L"
    if case.crp is not None:
        extra += f" · CRP {case.crp:g} {case.crp_unit}"
    if case.pregnant:
        extra += " · pregnant"
    if case.renal_impairment:  # it changes how a raised MMA is read
        extra += " · renal impairment"
    if case.risk_factors:
        extra += " · " + risk_factor_names(case.risk_factors)
    return render.escape(
        f"Case: {case.sex}, {case.age:g} years · B12 {case.b12:g} {case.b12_unit} · MMA {mma_text} · "
        f"ESR {case.esr:g} mm/h{extra} · neurological symptoms: {'yes' if case.neuro_symptoms else 'no'} · "
        f"folic acid: {'yes' if case.on_folic_acid else 'no'} · profile: {cur.profile.name}"
    )


def _severity(a: Assessment) -> str:
    if a.b12_status not in ("deficient", "functional_deficiency"):
        return "not applicable (no deficiency established)"
    if not a.severe and a.regimen == "im_neuro":
        return f"{'unknown' if a.case.hb is None else 'not severe'}: {NEURO_DECIDES}"
    if not a.severe and a.case.hb is None:
        return "unknown: Hb not measured, so check the full blood count before choosing oral"
    if a.severe and a.severe_by_hb_only:
        return f"severe ({a.severe_by_hb_only})"
    return "severe" if a.severe else "not severe"


def do_now(a: Assessment) -> None:
    """The first block of the page: the urgent steps, most urgent first, as instructions; or that there are none."""
    with st.container(key="do_now", border=True):
        for warning in a.warnings:  # a likely unit slip first: the verdict below may rest on it
            st.warning(f"**Check first:** {render.escape(warning)}", icon=":material/warning:")
        if a.do_now:
            st.error(f"**{KIND_HEADINGS['do_now']}**\n\n{render.do_now_text(a)}", icon=":material/emergency:")
        else:  # green only for an all-clear: "nothing urgent" beside a plan or a work-up is not one
            quiet = st.success if a.all_clear else st.info
            quiet(
                f"**{KIND_HEADINGS['do_now']}:** nothing urgent for this case. **First step:** "
                f"{render.escape(a.first_step)}",
                icon=":material/check_circle:" if quiet is st.success else ":material/info:",
            )
        headline = f"**B12:** {render.escape(a.headline)} · {render.escape(a.regimen_headline)}"
        # The ESR reading with its numbers, so a phone shows it in the first screen (issue 19: the ESR panel
        # starts two to three screens down there, under the B12 plan).
        esr = render.escape(f"ESR {a.case.esr:g} mm/h, limit {a.esr_upper_limit:g} mm/h")
        st.markdown(f"{headline} · **{render.escape(a.esr_flag_label)}** ({esr})")


def verdict_panel(a: Assessment) -> None:
    """The B12 plan: status, treatment in words (IM, and oral where it is offered), severity and the plan."""
    colour, icon = render.STATUS_STYLE[a.b12_status]
    # As few Markdown elements as the panel's order allows: every element costs the server a message and the
    # browser a render on each slider move (bench/HISTORY.md; bench/RESULTS.md, issue 20).
    parts = [render.heading(f"B12 status: {a.headline}"), render.md_badge(a.regimen_headline, colour, icon)]
    if a.correction:  # between the verdict and the treatment it corrects
        st.markdown("\n\n".join(parts))
        st.warning(f"**Guidelines differ.** {render.escape(a.correction)}", icon=":material/compare_arrows:")
        parts = []
    parts.append("**Treatment**")
    if a.regimen_detail is not None:
        parts += [f"{render.escape(a.regimen_detail.title)}:", render.regimen_text(a.regimen_detail)]
    else:
        parts.append(render.escape(a.regimen_headline))
    if a.oral_alternative and a.oral_regimen is not None:
        why = (
            "offered because the deficiency is not severe and there are no neurological symptoms"
            if a.case.hb is not None
            else f"no neurological symptoms; {SEVERITY_UNKNOWN.lower()}"
        )
        parts += [f"**Or by mouth** ({render.escape(why)}):", render.regimen_text(a.oral_regimen)]
    elif a.regimen in ("im_neuro", "im_standard"):
        reason = "neurological symptoms" if a.regimen == "im_neuro" else "severe deficiency"
        parts.append(
            f"Oral treatment is not offered here ({reason}): IM only. :gray[{render.escape(render.cite(('source',)))}]"
        )
    parts += [
        f"**Severity:** {_severity(a)}. {render.escape(SEVERITY_DEFINITION)}"
        f" :gray[{render.escape(render.cite(('source', 'WHO')))}]",
        f"**Anaemia:** {render.escape(a.anaemia_grade_label)} (WHO grades by sex and pregnancy)"
        f" :gray[{render.escape(render.cite(('WHO',)))}]",
        f"**{KIND_HEADINGS['plan']}**",
        render.statements_text(s for s in (*a.next_steps, *a.caveats) if s.kind == "plan"),
    ]
    st.markdown("\n\n".join(p for p in parts if p))
    for p in a.pitfalls:  # pitfalls that bear on this plan sit beside it
        if p.kind == "plan":
            render.pitfall(p)


def workup(a: Assessment) -> None:
    """The B12 work-up (the ESR's own work-up is in its panel): each statement once."""
    esr = {s.text for s in a.esr_workup}
    items = [s for s in a.statements("workup") if s.text not in esr]
    if items:
        st.markdown(f"{render.heading(KIND_HEADINGS['workup'])}\n\n{render.statements_text(items)}")


BACKGROUND_KEY = "background_open"


def background(a: Assessment) -> None:
    """Facts a student may read later: folded away, and drawn only while open (~1 ms of server CPU on every slider
    move under a crowd, py-spy: bench/RESULTS.md, issue 20). No safety step is here: those are in Do now and the
    B12 plan."""
    esr = {s.text for s in a.esr_workup}
    items = [s for s in a.statements("background") if s.text not in esr]
    pitfalls = [p for p in a.pitfalls if p.kind == "background"]
    folded = layout.lazy_expander(f"{KIND_HEADINGS['background']}: caveats and pitfalls for this case", BACKGROUND_KEY)
    if not folded.open:
        return
    with folded:
        if items:
            render.statements(items)
        for p in pitfalls:
            render.pitfall(p)
        if not items and not pitfalls:
            st.markdown("No case-specific caveats. The References & method page lists the general limitations.")


def _naive_cutoff_lesson(a: Assessment) -> str:
    """How a fixed 20 mm/h cut-off compares with this person's limit, and why that matters."""
    case = a.case
    above_limit = a.esr_flag != "normal"
    naive = "above" if a.esr_above_naive_cutoff else "at or below"
    verdict = "agrees" if a.esr_above_naive_cutoff == above_limit else "disagrees"
    lesson = ""
    if a.esr_above_naive_cutoff and not above_limit:
        lesson = (
            f" A fixed cut-off would flag this ESR: for a {case.sex} aged {case.age:g}, "
            f"up to {a.esr_upper_limit:g} mm/h is within the age-adjusted limit."
        )
    elif above_limit and not a.esr_above_naive_cutoff:
        lesson = f" A fixed cut-off would miss it: this person's limit is only {a.esr_upper_limit:g} mm/h."
    return (
        f"Against a fixed {NAIVE_ESR_CUTOFF:g} mm/h cut-off the ESR is {naive} it, which {verdict} with the "
        f"age- and sex-specific limit.{lesson} The normal ESR rises with age and is higher in women."
    )


def esr_panel(a: Assessment) -> None:
    """The ESR against its age/sex limit, its own work-up, and the statement that it leaves the B12 plan alone."""
    case = a.case
    flag_colour, flag_icon = render.esr_style(a)
    heading = render.heading(f"ESR: {a.esr_flag_label}")
    if a.esr_flag != "normal":
        badge = "Worked up on its own"
    elif a.pregnancy_esr_to_place:  # in range only for some trimesters: not "no work-up" (code-blind read s11)
        badge = "Read against the trimester"
    else:
        badge = "No ESR work-up"
    worked_up = render.md_badge(badge, flag_colour, flag_icon)
    rule = "women (age + 10)/2" if case.sex == "female" else "men age/2"
    gap = round(case.esr - a.esr_upper_limit, 1)
    # The reading as Markdown, not st.metric: the metric's code is a separate download in Streamlit's frontend
    # (static/js/Metric.*.js), fetched on first use, so a cold load showed an empty grey box for ~1.5 s (issue 19).
    delta = f"{gap:+g} mm/h vs upper limit {a.esr_upper_limit:g} mm/h" if gap else "at the upper limit"
    # ui/style.css draws the value large, as a metric's: the panel's one paragraph with line breaks.
    reading = f":gray[ESR, {case.sex} aged {case.age:g}]  \n**{case.esr:g} mm/h**  \n" + render.md_badge(
        delta, flag_colour, flag_icon
    )
    if case.pregnant:
        limit = render.escape(
            f"ESR {case.esr:g} mm/h vs {a.esr_upper_limit:g} mm/h: pregnant, so the age/sex limit does not apply "
            "(the top of the trimester ranges, Abbassi-Ghanavati 2009)"
        )
    else:
        limit = render.escape(f"ESR {case.esr:g} mm/h vs upper limit {a.esr_upper_limit:g} mm/h (Miller 1983: {rule})")
    lesson = render.escape(_naive_cutoff_lesson(a))
    citations = render.escape(render.cite(("Miller 1983",)))
    workup = render.statements_text(s for s in a.esr_workup if s.kind != "do_now")  # do_now: first on the page
    # The heading, its badge, the reading, the limit and the work-up as one element (issue 20).
    parts = (heading, worked_up, reading, limit, f"{lesson} :gray[{citations}]", "**ESR work-up**", workup)
    st.markdown("\n\n".join(p for p in parts if p))
    st.info(
        "The ESR does not change the B12 plan: B12 deficiency does not raise the ESR through inflammation, so "
        "the B12 status, treatment and next steps above are the same whatever the ESR. "
        + render.escape(render.cite(("source",))),
        icon=":material/swap_horiz:",
    )


def pitfalls(a: Assessment) -> None:
    """Pitfalls of any other kind (plan pitfalls sit in the B12 plan panel; background ones are folded away)."""
    shown = [p for p in a.pitfalls if p.kind not in ("background", "plan")]  # plan: in the B12 plan panel
    if shown:
        st.subheader("Pitfalls for this case", anchor=False)
        for p in shown:
            render.pitfall(p)


COLOUR_KEY = "Blue: B12 work-up; orange: ESR work-up; grey: steps not taken."


def decision_path(cur: Current) -> None:
    """The two flowcharts with this case's paths drawn in, then the numbered reasons and the caveats."""
    a = cur.assessment
    st.subheader("Decision path", anchor=False)
    alt = decision_alt_text(a, cur.profile)
    # A still picture by default: the browser draws it in milliseconds. The Plotly version is rebuilt from
    # scratch in the browser whenever the case changes (~0.4 s of CPU per slider move; bench/HISTORY.md),
    # so it is there when someone wants to hover, not on every move.
    if st.toggle(
        "Interactive chart",
        key="decision_interactive",
        help="Hover a box to see what it checks and, on this case's path, the value it saw.",
    ):
        st.plotly_chart(
            decision_chart(a, cur.profile),
            width="stretch",
            key="decision_figure",
            alt=alt,
            config={"displaylogo": False},
        )
        key = "Hover a box to see what it checks and, on this case's path, the value it saw. " + COLOUR_KEY
    else:
        pictures.decision_picture(a, cur.profile, alt)  # on a phone: drawn top to bottom (issue 19)
        key = (
            f"{COLOUR_KEY} The values behind each step are under Why? below; switch on the interactive chart to "
            "hover a box for what it checks."
        )
    # The key to the colours, then the reasons, in one Markdown element (issue 20).
    st.markdown("\n\n".join((render.caption(key), render.heading("Why?"), render.numbered_text(a.why))))


REPORT_KEY = "report_open"


def report_downloads(cur: Current) -> None:
    """Printable teaching summary (educational, with its disclaimer), in an expander whose buttons are drawn only
    while it is open: the two buttons cost ~2 ms of server CPU on every slider move (bench/RESULTS.md, issue 20).
    Each file is built only when its button is clicked (a callable `data`)."""
    what = (
        "One printable page for this case: inputs with units, verdict, regimen, the ESR against its limit, "
        "pitfalls, decision path, full references, disclaimer, app version and guideline profile. Built in this "
        "session only; nothing is stored."
    )
    summary = layout.lazy_expander("Download a teaching summary", key=REPORT_KEY)
    if not summary.open:
        return
    with summary:
        st.caption(what)
        # One row that wraps on a narrow screen: one block, where st.columns(2) sends three (issue 20).
        buttons = st.container(horizontal=True, gap="small", key="report_buttons")
        _report_button(buttons, cur, "HTML, prints on one page", report_html, "html", "text/html", "print")
        _report_button(buttons, cur, "Markdown", report_markdown, "md", "text/markdown", "description")


def _report_button(
    row: DeltaGenerator, cur: Current, kind: str, build: Callable[..., str], extension: str, mime: str, icon: str
) -> None:
    """One file of the teaching summary: built (and dated) when its button is clicked, not on every rerun."""
    a = cur.assessment
    row.download_button(
        f"Download the teaching summary ({kind})",
        data=lambda: build(a, cur.profile, __version__, datetime.now()),
        file_name=report_filename(a, extension),
        mime=mime,
        on_click="ignore",
        icon=f":material/{icon}:",
        key=build.__name__,  # report_html, report_markdown
        width="stretch",
    )
