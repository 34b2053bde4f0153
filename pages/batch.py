"""Batch check: many cases from a CSV, checked by the same engine as the Explorer.

The page only lays things out: reading, evaluating and summarising is b12logic.batch_check.
Uploaded content is shown only through st.dataframe, st.text, plotly and escaped Markdown; nothing
is written to disk (the upload and the results live in this session's memory, within b12logic.budget's
limits, and are let go when the file is removed or the tab closed).
"""

import re

import streamlit as st

from b12logic.batch import template_csv
from b12logic.batch_check import BatchCheck, check_upload
from b12logic.batch_view import MIN_CHART_ROWS, results_for_reading
from b12logic.budget import upload_cap_bytes
from b12logic.esr import ESR_FLAGS
from b12logic.fields import CSV_COLUMNS, REQUIRED_COLUMNS
from b12logic.labels import ESR_FLAG_LABELS, STATUS_LABELS
from ui import labs, render, state

cur = state.current()
CAP_MB = int(st.get_option("server.maxUploadSize"))  # .streamlit/config.toml: one number for both limits
CAP_BYTES = upload_cap_bytes(CAP_MB)  # as the browser counts it (its MB is 1,000,000 bytes; the server's is 2**20)
CACHE_KEY = "_batch_check"

st.title("Batch check")
st.write(
    "Check a list of cases at once. Each row of your CSV is read with the same rules as the Explorer, under the "
    f"guideline profile chosen in the sidebar (now: **{render.escape(cur.profile.name)}**). Rows with a problem keep "
    "their place in the results with the reason in the `error` column; nothing is dropped."
)

st.subheader("1. Start from the template")
st.download_button(
    "Download the CSV template",
    data=template_csv(),
    file_name="b12-esr-cases-template.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="batch_template",
)
labs.long_template_download()
with st.expander("What the columns mean"):
    st.markdown(
        f"- Required: {', '.join(f'`{c}`' for c in REQUIRED_COLUMNS)}. Others are optional: "
        f"{', '.join(f'`{c}`' for c in CSV_COLUMNS if c not in REQUIRED_COLUMNS)}.\n"
        "- Column names are case-insensitive and may come in any order; extra columns are kept as they are.\n"
        "- Units default to pg/mL (B12), nmol/L (MMA) and g/dL (Hb); B12 may also be in pmol/L, MMA in µmol/L, "
        "Hb in g/L.\n"
        "- `sex`: female, male, F or M. Yes/no columns accept yes, no, true, false, y, n, 1, 0 (blank = no).\n"
        "- A blank number means *not measured*.\n" + labs.layouts_help()
    )

st.subheader("2. Upload your file")
uploaded = st.file_uploader(
    f"CSV or FHIR JSON file of cases (up to {CAP_MB} MB)",
    type=labs.UPLOAD_TYPES,
    max_upload_size=CAP_MB,
    key="batch_upload",
    help=f"One row per case, with a header row. Files over {CAP_MB} MB are refused: split them.",
)
st.caption(
    f"Limit {CAP_MB} MB per file. The file is kept in this session's memory only, never written to disk, and is "
    "gone when you close the tab."
)

if uploaded is None:
    st.session_state.pop(CACHE_KEY, None)  # the file is gone: its results go with it
    st.info(
        "No file yet. Download the template above, fill in your cases, and upload it here.",
        icon=":material/description:",
    )
    st.stop()

# Evaluate once per file and profile: reruns (charts, toggles) reuse the answer.
signature = (uploaded.file_id, uploaded.size, repr(cur.profile))
cached = st.session_state.get(CACHE_KEY)
if cached is not None and cached[0] == signature:
    check: BatchCheck = cached[1]
else:
    bar = st.progress(0.0, text="Reading the file…")

    def show_progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Checked {done:,} of {total:,} rows")

    st.session_state.pop(CACHE_KEY, None)  # the previous file's results go before this one's are built
    check = check_upload(uploaded.getvalue(), cur.profile, max_bytes=CAP_BYTES, progress=show_progress)
    bar.empty()
    st.session_state[CACHE_KEY] = (signature, check)

if check.problem is not None:
    st.error(f"This file could not be checked: {render.escape(check.problem)}", icon=":material/block:")
    st.stop()
assert check.results is not None  # no problem means results
if check.lab_report is not None:
    labs.preview(check.lab_report)

st.subheader("3. Validation summary")
c1, c2, c3 = st.columns(3)
c1.metric("Rows in the file", f"{check.rows:,}")
c2.metric("Rows checked", f"{check.ok:,}")
c3.metric("Rows with errors", f"{check.errors:,}")
if check.errors:
    st.warning(
        f"{check.errors:,} of {check.rows:,} rows could not be checked. They are kept in the results with the "
        "reason in the `error` column. Grouped by column and reason (row 1 is the first row under the header):",
        icon=":material/warning:",
    )
    st.dataframe(check.error_table(), hide_index=True, width="stretch", key="batch_errors")
else:
    st.success(f"All {check.rows:,} rows were read and checked.", icon=":material/check_circle:")

status_words = "; ".join(f"{STATUS_LABELS[s]} {n:,}" for s, n in check.status_counts.items() if n)
flag_words = "; ".join(f"{ESR_FLAG_LABELS[f]} {check.flag_counts[f]:,}" for f in ESR_FLAGS if check.flag_counts[f])
if check.ok >= MIN_CHART_ROWS:
    from b12logic.figures import batch_esr_flag_figure, batch_status_figure

    left, right = st.columns(2)
    with left:
        st.plotly_chart(batch_status_figure(check.status_counts), width="stretch", key="batch_status_chart")
        st.caption(f"Rows by B12 status: {status_words}.")
    with right:
        st.plotly_chart(batch_esr_flag_figure(check.flag_counts), width="stretch", key="batch_flag_chart")
        st.caption(f"Rows by ESR reading: {flag_words}. The ESR never changes the B12 status.")
elif check.ok:  # a handful of rows: counts in words say it better than a chart
    st.markdown(
        f"**Rows by B12 status:** {render.escape(status_words)}.  \n**Rows by ESR reading:** "
        f"{render.escape(flag_words)}. The ESR never changes the B12 status."
    )
    st.caption(f"Charts of the counts appear from {MIN_CHART_ROWS} checked rows.")

st.subheader("4. Results")
st.caption(
    "The verdict first, in the Explorer's words, then each row as you sent it. The results CSV keeps the codes "
    "(`deficient`, `im_neuro`, …) that other programs read."
)
filters = st.container(horizontal=True)
only_errors = filters.toggle("Show only rows with errors", key="batch_only_errors", disabled=not check.errors)
codes = filters.toggle(
    "Show the codes", key="batch_show_codes", help="Add the CSV's code columns (b12_status, regimen, esr_flag, …)."
)
shown = check.error_rows if only_errors and check.error_rows is not None else check.results
if check.previewed:  # a large file: the browser gets the first rows, the download every row
    st.caption(f"Showing the first {len(shown):,} rows; the results CSV below has all {check.rows:,}.")
st.dataframe(results_for_reading(shown, codes=codes), width="stretch", key="batch_results")

stem = re.sub(r"[^A-Za-z0-9_-]+", "-", uploaded.name.rsplit(".", 1)[0]).strip("-")[:60] or "cases"
st.download_button(
    "Download the results CSV",
    data=check.results_csv_bytes,  # built once when the file was checked: each click sends the same bytes
    file_name=f"{stem}-results.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    type="primary",
    key="batch_results_download",
    help="Every input row, in order, with the result columns added. Cells a spreadsheet would run as a formula "
    "get a leading quote.",
)
