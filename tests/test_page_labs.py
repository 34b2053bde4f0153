"""AppTest: laboratory exports on the Batch page (preview, results, template) and the Explorer's
"open a case from a laboratory file" dialog."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from b12logic.labels import STATUS_LABELS
from b12logic.labs import long_template_csv
from tests.test_app import headings
from tests.test_labs_fhir import CLINIC

APP = str(Path(__file__).resolve().parents[1] / "app.py")
LONG = (
    b"patient_id,collected,age,sex,loinc,value,unit,ward\n"
    b"P1,2024-05-01,71,M,2132-9,260,pg/mL,7\n"
    b"P1,2024-05-01,71,M,13964-2,340,nmol/L,7\n"
    b"P1,2024-05-01,71,M,4537-7,36,mm/h,7\n"
    b"P1,2024-05-01,71,M,2345-7,5.1,mmol/L,7\n"
    b"P1,2024-09-01,71,M,2132-9,600,pg/mL,7\n"
    b"P1,2024-09-01,71,M,4537-7,12,mm/h,7\n"
    b"P2,2024-05-01,30,F,2132-9,150,pg/mL,8\n"
)


def _batch() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("pages/batch.py").run()
    assert not at.exception
    return at


def _upload(at: AppTest, name: str, content: bytes, mime: str = "text/csv") -> AppTest:
    at.get("file_uploader")[0].set_value((name, content, mime))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_long_csv_preview_and_results() -> None:
    at = _upload(_batch(), "lab.csv", LONG)
    metrics = _metrics(at)
    assert {k: metrics[k] for k in ("Patients", "Cases (patient and date)", "Observations", "Unknown codes")} == {
        "Patients": "2",
        "Cases (patient and date)": "3",
        "Observations": "7",
        "Unknown codes": "1",
    }
    assert metrics["Rows in the file"] == "3" and metrics["Rows with errors"] == "1"
    assert any("1 observations have a code this app does not read" in w.value for w in at.warning)
    unknown = at.dataframe[0].value
    assert unknown["Code"].tolist() == ["2345-7"] and unknown["Observations"].tolist() == [1]
    results = at.dataframe[-1].value
    assert results["id"].tolist() == ["P1/2024-05-01", "P1/2024-09-01", "P2/2024-05-01"]
    # The page shows the verdict in the Explorer's words (b12logic.batch_view); the CSV keeps the codes.
    assert results["B12 status"].tolist()[:2] == [STATUS_LABELS["functional_deficiency"], STATUS_LABELS["normal"]]
    assert "esr: no ESR result in this case" in results["Problem with this row"].tolist()[2]
    assert results["ward"].tolist() == ["7", "7", "8"]


def test_fhir_bundle_preview() -> None:
    at = _upload(_batch(), "clinic.json", json.dumps(CLINIC).encode(), mime="application/json")
    assert _metrics(at)["Observations"] == "8" and _metrics(at)["Patients"] == "2"
    assert any("status preliminary: 1" in c.value and "DiagnosticReport resources: 1" in c.value for c in at.caption)
    assert at.dataframe[-1].value["B12 status"].tolist() == [
        STATUS_LABELS["deficient"],
        STATUS_LABELS["functional_deficiency"],
    ]


def test_invalid_fhir_is_a_plain_message_on_the_page() -> None:
    at = _upload(_batch(), "bad.json", b'{"resourceType": "Observation", "id": "o1", "status": "final"}')
    (error,) = at.error
    assert error.value == "This file could not be checked: FHIR Observation 'o1' (the file): code: Field required."
    assert not at.metric


def test_both_templates_are_offered_and_the_long_one_reads_back() -> None:
    at = _batch()
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["Download the CSV template", "Download the laboratory (long) template"]
    _upload(at, "template.csv", long_template_csv().encode())
    template = pd.read_csv(io.StringIO(long_template_csv()), dtype=str)
    cases = len(template[["patient_id", "collected"]].drop_duplicates())  # one case per patient and date
    assert (
        cases >= 2
        and _metrics(at)["Cases (patient and date)"] == str(cases)
        and _metrics(at)["Rows with errors"] == "0"
    )


def _explorer_with_dialog() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.button(key="lab_case_button").click().run()
    assert not at.exception
    return at


def test_explorer_opens_one_patients_case_from_a_file() -> None:
    at = _explorer_with_dialog()
    at.selectbox(key="in_guideline").set_value("nice-ng239").run()
    _upload(at, "lab.csv", LONG)
    assert at.selectbox(key="lab_case_patient").options == ["P1", "P2"]
    assert at.selectbox(key="lab_case_date_0").options == ["2024-05-01", "2024-09-01"]
    at.selectbox(key="lab_case_date_0").set_value(at.selectbox(key="lab_case_date_0").value).run()
    at.button(key="lab_case_open").click().run()
    assert not at.exception
    assert at.session_state["in_age"] == 71 and at.session_state["in_sex"] == "male"
    assert at.session_state["in_b12"] == 260 and at.session_state["in_mma"] == 340
    assert at.session_state["in_guideline"] == "nice-ng239"  # the chosen profile stays
    assert [h for h in headings(at) if h.startswith("B12 status")] == ["B12 status: Functional B12 deficiency"]
    assert not at.get("file_uploader")  # the dialog closed


def test_explorer_will_not_open_an_incomplete_case() -> None:
    at = _upload(_explorer_with_dialog(), "lab.csv", LONG)
    at.selectbox(key="lab_case_patient").set_value("P2").run()
    assert at.selectbox(key="lab_case_date_1").options == ["2024-05-01 (cannot be opened)"]
    assert any("esr: no ESR result in this case" in w.value for w in at.warning)
    assert at.button(key="lab_case_open").disabled


SAME_DATE = (
    b"patient_id,collected,age,sex,loinc,value,unit\n"
    b"P1,2024-05-01,71,M,2132-9,260,pg/mL\n"
    b"P1,2024-05-01,71,M,4537-7,36,mm/h\n"
    b"P2,2024-05-01,30,F,2132-9,150,pg/mL\n"
    b"P2,2024-05-01,30,F,4537-7,44,mm/h\n"
)


def test_explorer_opens_the_chosen_patient_when_two_share_a_date() -> None:
    """Another patient with the same collection date: the date box shows the same label, and Streamlit kept the
    first patient's choice behind it (found in a browser: P2 chosen, P1 opened)."""
    at = _upload(_explorer_with_dialog(), "lab.csv", SAME_DATE)
    at.selectbox(key="lab_case_patient").set_value("P2").run()
    at.button(key="lab_case_open").click().run()
    assert not at.exception
    assert (at.session_state["in_age"], at.session_state["in_sex"], at.session_state["in_b12"]) == (30, "female", 150)
    at.button(key="lab_case_button").click().run()  # and back to the first patient
    _upload(at, "lab.csv", SAME_DATE)
    at.selectbox(key="lab_case_patient").set_value("P1").run()
    at.button(key="lab_case_open").click().run()
    assert (at.session_state["in_age"], at.session_state["in_sex"], at.session_state["in_b12"]) == (71, "male", 260)
