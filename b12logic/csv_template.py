"""The cases CSV template: the contract's columns and one example row for every B12 status."""

from __future__ import annotations

import csv
import io

from b12logic.fields import CSV_COLUMNS


def template_csv() -> str:
    """The input template: the contract's columns and one example row for every B12 status (under the source
    profile), so a first upload shows every kind of answer. Units and the optional columns appear too.

    >>> [line.split(",")[0] for line in template_csv().splitlines()[1:]]
    ['deficient', 'functional-deficiency', 'borderline-no-mma', 'not-confirmed', 'neuro-no-mma', 'normal']
    """
    rows = [
        {"id": "deficient", "age": "68", "sex": "female", "b12": "179", "b12_unit": "pg/mL", "esr": "30"},
        {
            "id": "functional-deficiency",
            "age": "71",
            "sex": "male",
            "b12": "260",
            "b12_unit": "pg/mL",
            "mma": "340",
            "mma_unit": "nmol/L",
            "esr": "36",
            "hb": "11.2",
            "hb_unit": "g/dL",
            "neuro_symptoms": "yes",
        },
        {"id": "borderline-no-mma", "age": "45", "sex": "female", "b12": "250", "b12_unit": "pg/mL", "esr": "12"},
        {
            "id": "not-confirmed",
            "age": "55",
            "sex": "female",
            "b12": "300",
            "b12_unit": "pg/mL",
            "mma": "200",
            "mma_unit": "nmol/L",
            "esr": "10",
        },
        {
            "id": "neuro-no-mma",
            "age": "80",
            "sex": "male",
            "b12": "500",
            "b12_unit": "pg/mL",
            "esr": "45",
            "neuro_symptoms": "yes",
        },
        {"id": "normal", "age": "25", "sex": "male", "b12": "600", "b12_unit": "pg/mL", "esr": "5"},
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in CSV_COLUMNS})
    return buffer.getvalue()
