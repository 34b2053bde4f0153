"""FHIR R4 JSON (a Bundle, or NDJSON of resources) of Patient and Observation resources, as cases.

The resources are read and validated by fhir.resources' R4B models (FHIR 4.3, which reads R4's Patient and
Observation), never by hand; each Observation becomes one row of the long layout (b12logic.labs.long_csv)
and is grouped into cases the same way: by patient and collection day. Age is the patient's age in
completed years on the Observation's effective date; sex is Patient.gender; the value and its UCUM code
come from valueQuantity. Observations not final, amended or corrected are skipped and counted.

>>> import json
>>> bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
...     {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1956-03-02"}},
...     {"resource": {"resourceType": "Observation", "status": "final", "subject": {"reference": "Patient/p1"},
...                   "code": {"coding": [{"system": "http://loinc.org", "code": "2132-9"}]},
...                   "effectiveDateTime": "2024-05-01T09:00:00Z",
...                   "valueQuantity": {"value": 179, "system": "http://unitsofmeasure.org", "code": "pg/mL"}}}]}
>>> read = read_fhir(json.dumps(bundle).encode())
>>> read.frame.loc[0, ["id", "age", "sex", "b12", "b12_unit"]].tolist()
['p1/2024-05-01', '68', 'female', '179', 'pg/mL']
>>> read.frame.loc[0, "error"]
'esr: no ESR result in this case (LOINC 4537-7 or 30341-2)'
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pydantic
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from b12logic import budget
from b12logic.fields import format_value
from b12logic.labs.loinc import LOINC_SYSTEM, UCUM_SYSTEM
from b12logic.labs.long_csv import read_long_frame
from b12logic.labs.report import LabRead
from b12logic.validate import CaseError

READ_STATUSES = ("final", "amended", "corrected")  # results a clinician acts on; preliminary ones may change


@dataclass(frozen=True)
class _Person:
    """What a case needs from a Patient resource."""

    key: str
    gender: str
    birth: dt.date | None
    partial_birth: bool = False  # birthDate was a year or a year-month (anonymised records)


def read_fhir(raw: bytes) -> LabRead:
    """Cases from FHIR JSON. CaseError("file", ...) in one line for invalid JSON or FHIR (which resource, which field)."""
    budget.check_fhir_size(raw)  # before json.loads and the models spend memory on it
    documents = _json_resources(_decode(raw))
    for _, document in documents:
        budget.check_json_depth(document)  # pydantic would recurse into it (a RecursionError 200 levels down)
    resources = _validated(documents)
    patients: dict[str, _Person] = {}
    observations: list[Observation] = []
    skipped: Counter[str] = Counter()
    for full_url, resource in resources:
        if isinstance(resource, Patient):
            read_patient = _person(resource)
            patients[f"Patient/{resource.id}"] = read_patient
            if full_url:  # an Observation may refer to its Patient by the entry's fullUrl ("urn:uuid:...")
                patients[full_url] = read_patient
        elif isinstance(resource, Observation):
            observations.append(resource)
        else:
            skipped[f"{type(resource).__name__} resources"] += 1
    rows = []
    unknown_patient = 0
    for obs in observations:
        status = str(obs.status or "")
        if status not in READ_STATUSES:
            skipped[f"status {status or '(none)'}"] += 1
            continue
        reference = str(obs.subject.reference or "") if obs.subject is not None else ""
        person = patients.get(reference) or patients.get(_patient_suffix(reference))
        if person is None:
            unknown_patient += 1
        effective = _effective_day(obs)
        code, system_note = _loinc(obs)
        value, unit = _quantity(obs)
        age = ""
        if person is not None and person.birth is not None and effective is not None:
            age = str(_completed_years(person.birth, effective))
        rows.append(
            {
                "patient_id": person.key if person is not None else reference,
                "collected": effective.isoformat() if effective is not None else "",
                "age": age,
                "sex": person.gender if person is not None else "",
                "loinc": code or system_note,
                "value": value,
                "unit": unit,
            }
        )
    partial_birth = len({p.key for p in patients.values() if p.partial_birth})
    long = pd.DataFrame(rows, columns=["patient_id", "collected", "age", "sex", "loinc", "value", "unit"], dtype=object)
    read = read_long_frame(long, layout="FHIR")
    assert read.report is not None  # read_long_frame always reports
    read.report.observations = len(observations)
    read.report.skipped = dict(skipped)
    if unknown_patient:
        read.report.notes.append(f"{unknown_patient:,} observations refer to a patient not in the file (no age or sex)")
    if partial_birth:
        read.report.notes.append(
            f"{partial_birth:,} patients have a birth date without a day: their age counts from its first day"
        )
    return read


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseError("file", "fhir", "file: FHIR JSON must be UTF-8 text") from None


def _loads(text: str) -> Any:
    """json.loads; CaseError for what it refuses besides bad syntax: nesting past Python's recursion limit,
    an integer past its 4,300-digit limit."""
    try:
        return json.loads(text)
    except RecursionError:
        raise budget.too_deep() from None
    except ValueError as err:
        if isinstance(err, json.JSONDecodeError):
            raise
        raise CaseError("file", "json", f"file: a number in the JSON is too long ({str(err).split(':')[0]})") from None


def _json_resources(text: str) -> list[tuple[str, Any]]:
    """The file's top-level JSON objects, each with where it is (for messages): one document or NDJSON lines."""
    try:
        return [("the file", _loads(text))]
    except json.JSONDecodeError as err:
        if err.msg != "Extra data":
            raise CaseError(
                "file", "json", f"file: not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
            ) from None
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append((f"line {number}", _loads(line)))
        except json.JSONDecodeError as err:
            raise CaseError(
                "file", "json", f"file: line {number} is not valid JSON (column {err.colno}: {err.msg})"
            ) from None
    return found


def _validated(documents: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The resources, validated by their R4B models, each with its Bundle entry's fullUrl ("" if none)."""
    resources: list[tuple[str, Any]] = []
    for where, document in documents:
        kind = _resource_type(document, where)
        if kind != "Bundle":
            resources.append(("", _model(get_fhir_model_class(kind), document, where)))
            continue
        for i, entry in enumerate(document.get("entry") or []):
            if isinstance(entry, dict) and "resource" in entry:  # an unknown type stops the models with a KeyError
                _resource_type(entry["resource"], f"entry {i + 1}")
        bundle = _model(Bundle, document, where)
        resources.extend((str(e.fullUrl or ""), e.resource) for e in bundle.entry or [] if e.resource is not None)
    return resources


def _resource_type(document: Any, where: str) -> str:
    if not isinstance(document, dict):
        raise CaseError("file", "fhir", f"file: FHIR {where}: a resource must be a JSON object")
    kind = document.get("resourceType")
    if not isinstance(kind, str) or not kind:
        raise CaseError("file", "fhir", f"file: FHIR {where}: resourceType is missing")
    try:
        get_fhir_model_class(kind)
    except ValueError:
        raise CaseError(
            "file", kind, f"file: FHIR {where}: resourceType {format_value(kind)} is not a FHIR R4 resource"
        ) from None
    return kind


def _model(model: Any, document: dict[str, Any], where: str) -> Any:
    """model.model_validate(document); its first error as one line naming the resource and the field."""
    try:
        return model.model_validate(document)
    except RecursionError:
        raise budget.too_deep() from None
    except pydantic.ValidationError as err:
        first = err.errors()[0]
        location = list(first["loc"])
        resource, place = document, where
        if location[:1] == ["entry"] and len(location) >= 3 and location[2] == "resource":
            index = int(location[1])
            resource = document["entry"][index]["resource"]
            place = f"entry {index + 1}"
            location = location[3:]
        name = resource.get("resourceType", "resource")
        ident = f" {format_value(resource['id'])}" if isinstance(resource.get("id"), str) else ""
        field = ".".join(str(part) for part in location) or "(resource)"
        message = str(first["msg"]).removeprefix("Value error, ").rstrip(".")
        given = first.get("input")
        shown = f" (given {format_value(given)})" if isinstance(given, (str, int, float)) else ""
        raise CaseError("file", "fhir", f"file: FHIR {name}{ident} ({place}): {field}: {message}{shown}") from None


def _person(patient: Patient) -> _Person:
    birth = patient.birthDate
    partial = birth is not None and not isinstance(birth, dt.date)
    return _Person(
        key=str(patient.id or ""),
        gender=str(patient.gender or ""),
        birth=_first_day(str(birth)) if partial else birth,
        partial_birth=partial,
    )


def _first_day(partial: str) -> dt.date:
    """A partial FHIR date ("1950", "1950-06") as its first day.

    >>> _first_day("1950"), _first_day("1950-06")
    (datetime.date(1950, 1, 1), datetime.date(1950, 6, 1))
    """
    parts = [int(p) for p in partial[:10].split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _patient_suffix(reference: str) -> str:
    """'https://ehr.example/fhir/Patient/p1' -> 'Patient/p1' (a reference may be absolute)."""
    _, sep, tail = reference.rpartition("Patient/")
    return f"Patient/{tail}" if sep and "/" not in tail else reference


def _effective_day(obs: Observation) -> dt.date | None:
    """The day the sample was taken, in the time zone the record gives (no conversion to UTC)."""
    value = obs.effectiveDateTime or obs.effectiveInstant
    if value is None and obs.effectivePeriod is not None:
        value = obs.effectivePeriod.start
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _first_day(str(value))  # a partial date: "2024" or "2024-05"


def _completed_years(birth: dt.date, day: dt.date) -> int:
    """Age in completed years on a day.

    >>> _completed_years(dt.date(1956, 3, 2), dt.date(2024, 3, 1)), _completed_years(dt.date(1956, 3, 2), dt.date(2024, 3, 2))
    (67, 68)
    """
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _loinc(obs: Observation) -> tuple[str, str]:
    """The Observation's LOINC code, or "" and how the code is given otherwise (reported as unknown)."""
    codings = obs.code.coding or []
    for coding in codings:
        if coding.system == LOINC_SYSTEM and coding.code:
            return str(coding.code), ""
    if codings:
        first = codings[0]
        return "", f"{first.system or '(no system)'}|{first.code or ''}"
    return "", f"text: {obs.code.text or '(none)'}"


def _quantity(obs: Observation) -> tuple[str, str]:
    """valueQuantity's value and UCUM code (its display unit when no code); blank when there is no quantity."""
    quantity = obs.valueQuantity
    if quantity is None or quantity.value is None:
        return "", ""
    unit = quantity.code if quantity.code and quantity.system in (None, UCUM_SYSTEM) else quantity.unit
    return str(quantity.value), str(unit or "")
