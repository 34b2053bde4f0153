"""What reading a laboratory export found: the cases as a wide frame, and a report of what was read.

>>> report = LabReport(layout="long CSV", patients=2, cases=3, observations=9, used=8, unknown_codes={"2345-7": 1})
>>> report.summary()
'long CSV: 2 patients, 3 cases from 9 observations (8 used); unknown codes: 2345-7 (1)'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Columns a laboratory export adds to the wide CSV columns: the patient and date a case came from,
# results whose code this app does not read, and why a case could not be built.
PATIENT_COLUMN = "patient_id"
DATE_COLUMN = "collected"
OTHER_RESULTS_COLUMN = "other_results"
READ_ERROR_COLUMN = "error"


@dataclass
class LabReport:
    """Counts for the preview: how many patients, cases and observations were read, and what was not used."""

    layout: str  # "long CSV" or "FHIR"
    patients: int = 0
    cases: int = 0
    observations: int = 0  # rows of a long CSV, Observation resources of a FHIR file
    used: int = 0  # observations that filled a case's input
    unknown_codes: dict[str, int] = field(default_factory=dict)  # code -> observations, most frequent first
    blank_values: int = 0  # observations without a value: read as "not measured"
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> observations (FHIR: status, other resources)
    cases_with_errors: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def unknown_observations(self) -> int:
        return sum(self.unknown_codes.values())

    def unknown_table(self) -> pd.DataFrame:
        """The unknown codes as a table for the page."""
        return pd.DataFrame(
            {"Code": list(self.unknown_codes), "Observations": list(self.unknown_codes.values())},
        )

    def summary(self) -> str:
        """One line: what was read, and what was not used."""
        text = (
            f"{self.layout}: {self.patients:,} patient{'s' * (self.patients != 1)}, {self.cases:,} "
            f"case{'s' * (self.cases != 1)} from {self.observations:,} observation{'s' * (self.observations != 1)} "
            f"({self.used:,} used)"
        )
        if self.unknown_codes:
            shown = ", ".join(f"{code or '(blank)'} ({n:,})" for code, n in list(self.unknown_codes.items())[:10])
            more = len(self.unknown_codes) - 10
            text += f"; unknown codes: {shown}" + (f" and {more} more" if more > 0 else "")
        if self.blank_values:
            text += f"; {self.blank_values:,} without a value (not measured)"
        if self.skipped:
            text += "; skipped: " + ", ".join(f"{reason} ({n:,})" for reason, n in self.skipped.items())
        if self.cases_with_errors:
            text += f"; {self.cases_with_errors:,} case{'s' * (self.cases_with_errors != 1)} with errors"
        return text


@dataclass
class LabRead:
    """A file read as cases: the wide frame (the CSV contract's columns, then the export's own) and its report.

    The report is None for a wide CSV, which is passed to the batch as it was read.
    """

    frame: pd.DataFrame
    report: LabReport | None = None
    # True when no cell can hold a carriage return: the file was read by the stream's plan, whose scan allows
    # a CR only in CRLF line ends of a file without quotes. The batch then need not look for one cell by cell.
    no_cr: bool = False
