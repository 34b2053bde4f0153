"""b12logic.method: the unit error worked through, definitions, limitations, privacy."""

from __future__ import annotations

from b12logic.guidelines import SEVERE_B12_PG_ML, SEVERE_HB_G_DL
from b12logic.method import (
    EDUCATIONAL_STATEMENT,
    LIMITATIONS,
    PRIVACY_STATEMENT,
    WORKING_DEFINITIONS,
    unit_error_worked,
)
from b12logic.references import REFERENCES
from b12logic.units import b12_to_pg_ml, b12_to_pmol_l


def test_unit_error_numbers_come_from_the_conversion() -> None:
    worked = unit_error_worked()
    assert round(worked.correct_pmol_l) == 133 == round(b12_to_pmol_l(180))
    assert round(worked.paired_in_pg_ml) == 203 == round(b12_to_pg_ml(150))
    assert worked.forward == "180 pg/mL × 0.738 = 133 pmol/L"
    assert worked.backward == "150 pmol/L ÷ 0.738 ≈ 203 pg/mL"
    assert "150 pmol/L" in worked.source_pair


def test_severe_definition_uses_the_engine_constants() -> None:
    severe = WORKING_DEFINITIONS[0].text
    assert f"below {SEVERE_B12_PG_ML:g} pg/mL" in severe and f"below {SEVERE_HB_G_DL:g} g/dL" in severe
    assert "WHO" in WORKING_DEFINITIONS[0].citations


def test_every_citation_is_a_known_reference() -> None:
    for statement in (*WORKING_DEFINITIONS, *LIMITATIONS):
        assert statement.citations
        assert set(statement.citations) <= set(REFERENCES), statement.text


def test_privacy_and_educational_statements() -> None:
    assert "no case data to disk" in PRIVACY_STATEMENT and "logs no laboratory values" in PRIVACY_STATEMENT
    assert "query parameters" in PRIVACY_STATEMENT
    assert EDUCATIONAL_STATEMENT.startswith("Educational only")
