"""b12logic.labs.fhir: FHIR R4 Bundles and NDJSON of Patient and Observation resources, read as cases.

Each bundle built here is first validated by fhir.resources itself, so the tests read real FHIR.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from b12logic.cli import main
from b12logic.labs import evaluate_cases, read_cases
from b12logic.validate import CaseError


def patient(pid: str, gender: str = "female", birth: str = "1956-03-02") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, "gender": gender, "birthDate": birth}


def observation(
    oid: str, pid: str, code: str, value: float, unit: str, when: str = "2024-05-01T09:00:00Z", status: str = "final"
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": status,
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
    }


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    document = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}
    Bundle.model_validate(document)  # valid FHIR R4B, checked by the library itself
    return document


CLINIC = bundle(
    patient("p1"),
    patient("p2", gender="male", birth="1953-07-15"),
    observation("o1", "p1", "2132-9", 179, "pg/mL"),
    observation("o2", "p1", "4537-7", 30, "mm/h"),
    observation("o3", "p2", "14685-2", 192, "pmol/L", when="2024-07-14"),
    observation("o4", "p2", "13964-2", 0.34, "umol/L", when="2024-07-14"),
    observation("o5", "p2", "30341-2", 36, "mm/h", when="2024-07-14T23:30:00-05:00"),
    observation("o6", "p2", "718-7", 118, "g/L", when="2024-07-14"),
    observation("o7", "p2", "2345-7", 5.1, "mmol/L", when="2024-07-14"),
    observation("o8", "p1", "2132-9", 900, "pg/mL", status="preliminary"),
    {"resourceType": "DiagnosticReport", "id": "r1", "status": "final", "code": {"text": "B12 panel"}},
)


def read(document: Any) -> Any:
    return read_cases(json.dumps(document).encode())


def test_a_bundle_becomes_cases() -> None:
    lab = read(CLINIC)
    frame = lab.frame
    assert frame["id"].tolist() == ["p1/2024-05-01", "p2/2024-07-14"]
    assert frame["sex"].tolist() == ["female", "male"]
    # Age in completed years on the day of the test: p2 turns 71 the day after.
    assert frame["age"].tolist() == ["68", "70"]
    assert frame.loc[1, ["b12", "b12_unit", "mma", "mma_unit", "esr", "hb", "hb_unit"]].tolist() == [
        "192",
        "pmol/L",
        "0.34",
        "µmol/L",
        "36",
        "118",
        "g/L",
    ]
    assert frame.loc[1, "other_results"] == "LOINC 2345-7: 5.1 mmol/L"
    report = lab.report
    assert (report.layout, report.patients, report.cases, report.observations, report.used) == ("FHIR", 2, 2, 8, 6)
    assert report.skipped == {"DiagnosticReport resources": 1, "status preliminary": 1}
    assert report.unknown_codes == {"2345-7": 1}
    results = evaluate_cases(lab)
    assert results["b12_status"].astype(str).tolist() == ["deficient", "functional_deficiency"]
    assert results["error"].tolist() == ["", ""]


def test_ndjson_reads_as_the_bundle_does() -> None:
    lines = "\n".join(json.dumps(e["resource"]) for e in CLINIC["entry"]) + "\n"
    ndjson = read_cases(lines.encode())
    assert ndjson.frame.equals(read(CLINIC).frame)
    assert ndjson.report.summary() == read(CLINIC).report.summary()


def test_a_patient_referred_to_by_full_url_and_an_amended_result() -> None:
    document = bundle(
        patient("p1", birth="1950"),
        observation("o1", "p1", "2132-9", 400, "ng/L", status="amended"),
        observation("o2", "p1", "4537-7", 30, "mm/h", status="corrected"),
    )
    document["entry"][0]["fullUrl"] = "urn:uuid:6f1c"
    for entry in document["entry"][1:]:
        entry["resource"]["subject"] = {"reference": "urn:uuid:6f1c"}
    lab = read(document)
    assert lab.frame.loc[0, ["age", "b12", "b12_unit", "error"]].tolist() == ["74", "400", "pg/mL", ""]
    assert any("birth date without a day" in n for n in lab.report.notes)


def test_an_observation_without_its_patient_keeps_its_case_with_an_error() -> None:
    lab = read(
        bundle(observation("o1", "nobody", "2132-9", 179, "pg/mL"), observation("o2", "nobody", "4537-7", 30, "mm/h"))
    )
    results = evaluate_cases(lab)
    assert results.loc[0, "id"] == "Patient/nobody/2024-05-01"
    assert "age: missing" in results.loc[0, "error"]
    assert any("not in the file" in n for n in lab.report.notes)


def test_a_unit_that_does_not_fit_is_named() -> None:
    lab = read(
        bundle(
            patient("p1"),
            observation("o1", "p1", "2132-9", 179, "mg/dL"),
            observation("o2", "p1", "4537-7", 30, "mm/h"),
        )
    )
    assert lab.frame.loc[0, "error"].startswith("b12: unit 'mg/dL' does not fit LOINC 2132-9")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"resourceType": "Bundle", "type": "collection"',
            "file: not valid JSON (line 1, column 48: Expecting ',' delimiter)",
        ),
        (json.dumps({"resourceType": "Bundle", "entry": []}), "file: FHIR Bundle (the file): type:"),
        (
            json.dumps(
                {
                    **CLINIC,
                    "entry": [
                        *CLINIC["entry"],
                        {
                            "resource": {
                                **observation("o9", "p1", "2132-9", 1, "pg/mL"),
                                "effectiveDateTime": "2024-13-01",
                            }
                        },
                    ],
                }
            ),
            "file: FHIR Observation 'o9' (entry 12): effectiveDateTime: DateTime value string does not match spec regex (given '2024-13-01')",
        ),
        (
            json.dumps(
                bundle(patient("p1"))
                | {"entry": [{"resource": {"resourceType": "Observation", "id": "x", "status": "final"}}]}
            ),
            "file: FHIR Observation 'x' (entry 1): code: Field required",
        ),
        (
            json.dumps(
                {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Lab"}}]}
            ),
            "file: FHIR entry 1: resourceType 'Lab' is not a FHIR R4 resource",
        ),
        (
            '{"resourceType": "Patient", "id": "a"}\n{"resourceType": "Patient", "gender": 5}\n',
            "file: FHIR Patient (line 2): gender:",
        ),
        ('{"resourceType": "Patient", "id": "a"}\n{nope\n', "file: line 2 is not valid JSON"),
        ("[1, 2]", None),  # JSON but not a resource: detected as CSV, read as a (wide) CSV
    ],
)
def test_invalid_fhir_is_one_line_naming_the_resource_and_field(text: str, message: str | None) -> None:
    if message is None:
        with pytest.raises(CaseError):
            evaluate_cases(read_cases(text.encode()))
        return
    with pytest.raises(CaseError) as err:
        read_cases(text.encode())
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


def test_cli_reads_fhir_and_refuses_invalid_fhir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "clinic.json", tmp_path / "bad.ndjson"
    good.write_text(json.dumps(CLINIC), encoding="utf-8")
    bad.write_text('{"resourceType": "Observation", "id": "o1", "status": "final"}\n', encoding="utf-8")
    assert main(["batch", str(good), "-o", str(tmp_path / "out.csv")]) == 0
    err = capsys.readouterr().err
    assert "FHIR: 2 patients, 2 cases from 8 observations (6 used)" in err and "2 rows written" in err
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0].startswith("id,age,sex,b12")
    with pytest.raises(SystemExit) as exit_:
        main(["batch", str(bad)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: file: FHIR Observation 'o1' (the file): code: Field required\n"
