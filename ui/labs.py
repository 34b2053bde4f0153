"""Laboratory exports in the app: the Batch page's preview of what a file held, and the Explorer's
"open a case from a file" dialog. Reading is b12logic.labs; this module only lays it out.

The dialog's contents run only while it is open, so the Explorer's reruns cost one button; the readers
(pandas, fhir.resources) are imported when a file is first read, not when the Explorer starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from b12logic.urlstate import LAB_DEFAULTS, parse_query
from b12logic.validate import CaseError
from ui import render, state

if TYPE_CHECKING:
    from b12logic.labs import LabRead, LabReport
    from b12logic.labs.choose import CaseChoice

UPLOAD_TYPES = ["csv", "json", "ndjson"]


def keep_uploads_in_memory() -> None:
    """Streamlit's upload route parses the request with Starlette's form parser
    (streamlit/web/server/starlette/starlette_routes.py:957, `await limited_request.form()`), which spools a
    file over 1 MB to a temporary file on disk (starlette/formparsers.py:135, `spool_max_size`). Uploads here
    are patients' results: keep every one the server accepts in memory (the route caps the body at
    maxUploadSize MB plus 1 MB of framing, starlette_routes.py:201-208). serve.sh and compose also put the
    temporary directory on a memory filesystem, for anything else that might spool."""
    from starlette.formparsers import MultiPartParser
    from streamlit import runtime

    cap = int(st.get_option("server.maxUploadSize")) * 1024 * 1024 + 1024 * 1024
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, cap)
    if runtime.exists():
        bound_session_uploads(runtime.get_instance().uploaded_file_mgr, 2 * cap)


def bound_session_uploads(manager: Any, limit: int) -> None:
    """At most `limit` bytes of uploads held per session (this app has two uploaders): a newer upload lets
    the session's oldest go. Streamlit keeps every file a session's requests send until the session ends
    (streamlit/runtime/memory_uploaded_file_manager.py: add_file), so twenty raw 45 MB requests held 900 MB."""
    if getattr(manager, "_b12_bounded", False) or not hasattr(manager, "file_storage"):
        return
    add_file = manager.add_file

    def bounded_add_file(session_id: str, file: Any) -> None:
        add_file(session_id, file)
        stored = dict(manager.file_storage.get(session_id, {}))  # oldest first (insertion order)
        held = sum(len(rec.data) for rec in stored.values())
        for file_id, rec in stored.items():
            if held <= limit or file_id == file.file_id:
                break
            manager.remove_file(session_id, file_id)
            held -= len(rec.data)

    manager.add_file = bounded_add_file
    manager._b12_bounded = True


keep_uploads_in_memory()  # before any uploader is drawn: every page with one imports this module
_READ_KEY = "_lab_case_read"
_OPENED_KEY = "_lab_case_opened"
_DIALOG_KEY = "_lab_case_dialog"


def long_template_download() -> None:
    """The long layout's template, beside the wide one."""
    from b12logic.labs import long_template_csv

    st.download_button(
        "Download the laboratory (long) template",
        data=long_template_csv(),
        file_name="b12-esr-lab-results-template.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="batch_template_long",
        help="One observation per row, coded by LOINC with UCUM units, as laboratory systems export results.",
    )


def layouts_help() -> str:
    """Markdown: the two laboratory layouts the batch reads besides the template."""
    return (
        "- **Laboratory exports** are read too. A *long* CSV has one result per row: columns `patient_id`, "
        "`loinc`, `value`, `unit` (optional `collected`, `age`, `sex`, `neuro_symptoms`, `on_folic_acid`, "
        "`pregnant`); rows are grouped by patient and collection date into one case each. LOINC codes read: "
        "2132-9 and 14685-2 (B12), 13964-2 (MMA), 13965-9 (homocysteine), 72160-5 (holotranscobalamin), "
        "4537-7 and 30341-2 (ESR), 1988-5 (CRP), 718-7 (Hb), 787-2 (MCV); other codes are listed, not used.\n"
        "- A **FHIR R4** Bundle (`.json`) or NDJSON of Patient and Observation resources: age from the birth "
        "date on the day of the test, sex from gender, values from valueQuantity. Only final, amended or "
        "corrected results are read."
    )


def preview(report: LabReport) -> None:
    """What a laboratory export held: patients, cases, observations, and the codes this app does not read."""
    st.markdown(f"**Read as a laboratory export ({render.escape(report.layout)})**")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Patients", f"{report.patients:,}")
    c2.metric("Cases (patient and date)", f"{report.cases:,}")
    c3.metric("Observations", f"{report.observations:,}")
    c4.metric("Unknown codes", f"{len(report.unknown_codes):,}")
    if report.unknown_codes:
        st.warning(
            f"{report.unknown_observations:,} observations have a code this app does not read. They are not "
            "used, and each case lists them in its `other_results` column:",
            icon=":material/help:",
        )
        st.dataframe(report.unknown_table(), hide_index=True, key="batch_unknown_codes")
    notes = [f"{reason}: {n:,}" for reason, n in report.skipped.items()]
    if report.blank_values:
        notes.append(f"results without a value (read as not measured): {report.blank_values:,}")
    notes += report.notes
    if notes:
        st.caption("Not used: " + render.escape("; ".join(notes)) + ".")


def open_case_button() -> None:
    """The Explorer's entry point: a button that opens the dialog (kept open across its own reruns)."""
    st.button(
        "Open a case from a laboratory file",
        icon=":material/upload_file:",
        key="lab_case_button",
        on_click=_open_dialog,
        help="Pick one patient and date from a long CSV, a FHIR file or a cases CSV: no retyping.",
    )
    if st.session_state.get(_DIALOG_KEY):
        _case_dialog()
    else:  # a case was opened by a full rerun (no dialog rerun to see the flag): do not close the next dialog
        st.session_state.pop(_OPENED_KEY, None)


def _open_dialog() -> None:
    st.session_state[_DIALOG_KEY] = True


def _open(params: dict[str, str]) -> None:
    """Callback: load the chosen case as a shared link loads it, keeping the chosen guideline profile."""
    keep = {name: st.session_state.get(state.KEYS[name]) for name in ("guideline", *LAB_DEFAULTS)}
    parsed = parse_query(params)
    state.load_values({**parsed.values, **{k: v for k, v in keep.items() if v is not None}})
    st.session_state["_url_warnings"] = parsed.warnings
    st.session_state[_OPENED_KEY] = True
    _close_dialog()


def _read(uploaded: Any) -> tuple[LabRead | None, list[CaseChoice], str | None]:
    """The uploaded file read once (reruns of the dialog reuse it)."""
    from b12logic.batch_check import plain_message
    from b12logic.labs.choose import case_choices, read_cases

    cached = st.session_state.get(_READ_KEY)
    if cached is not None and cached[0] == uploaded.file_id:
        return cached[1]
    from b12logic import budget

    st.session_state.pop(_READ_KEY, None)  # the previous file's cases go before this one is read
    cap = budget.upload_cap_bytes(int(st.get_option("server.maxUploadSize")))  # the browser's cap, in bytes
    try:
        with budget.one_check_at_a_time(), budget.background_priority():  # the Batch page's turn-taking
            read = read_cases(uploaded.getvalue(), max_bytes=cap)
            budget.check_cases(len(read.frame))
            answer: tuple[LabRead | None, list[CaseChoice], str | None] = (read, case_choices(read), None)
    except CaseError as err:
        answer = (None, [], plain_message(err))
    st.session_state[_READ_KEY] = (uploaded.file_id, answer)
    return answer


def _close_dialog() -> None:
    st.session_state[_DIALOG_KEY] = False


@st.dialog("Open a case from a laboratory file", width="large", on_dismiss=_close_dialog)
def _case_dialog() -> None:
    if st.session_state.pop(_OPENED_KEY, False):
        st.rerun()  # the case is loaded: close the dialog and redraw the page with it
    uploaded = st.file_uploader(
        "Long CSV, FHIR JSON or cases CSV", type=UPLOAD_TYPES, key="lab_case_upload", help=layouts_help()
    )
    if uploaded is None:
        st.session_state.pop(_READ_KEY, None)  # the file is gone: its cases go with it
        st.caption("The file stays in this session's memory only. Nothing is written to disk.")
        return
    read, choices, problem = _read(uploaded)
    if problem is not None or read is None:
        st.error(f"This file could not be read: {render.escape(problem or '')}", icon=":material/block:")
        return
    if read.report is not None:
        st.caption(render.escape(read.report.summary()))
    if not choices:
        st.info("The file has no cases.")
        return
    patients = list(dict.fromkeys(c.patient for c in choices))
    patient = st.selectbox("Patient", patients, key="lab_case_patient")
    dates = [c for c in choices if c.patient == patient]
    # A date box per patient: with one box, a second patient's date with the same label kept the first patient's
    # case behind it (Streamlit keeps a stored choice whose label is still among the options, the stale object
    # itself: streamlit/elements/lib/options_selector_utils.py:465-468), so choosing P2 opened P1.
    chosen = st.selectbox(
        "Collection date",
        dates,
        format_func=lambda c: (c.collected or "no date") + (" (cannot be opened)" if c.error else ""),
        key=f"lab_case_date_{patients.index(patient)}",
    )
    if chosen is None:
        return
    if chosen.error:
        st.warning(f"This case cannot be opened: {render.escape(chosen.error)}", icon=":material/warning:")
    from b12logic.labs.choose import link_params

    params = link_params(read.frame.iloc[chosen.row].to_dict())
    st.button(
        "Open this case",
        type="primary",
        disabled=bool(chosen.error),
        on_click=_open,
        args=(params,),
        key="lab_case_open",
    )
