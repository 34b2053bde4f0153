"""b12logic.references: every short name the engine cites resolves to a full reference."""

from __future__ import annotations

from b12logic.references import REFERENCES, SOURCE_ISSUES


def test_short_names_are_keys() -> None:
    for short, ref in REFERENCES.items():
        assert ref.short == short
        assert ref.full.strip()


def test_the_clinical_facts_references_are_present() -> None:
    for short in (
        "source",
        "AFP 2025",
        "AFP 2017",
        "NICE NG239",
        "BSH 2014",
        "Miller 1983",
        "ICSH 2011",
        "Fincher 1986",
        "Lindenbaum 1988",
        "Cochrane 2018",
        "Practical Neurology 2016",
    ):
        assert short in REFERENCES, short
    # clinical-facts.md: listed as cited by the source, unverified.
    assert "could not be verified" in REFERENCES["Practical Neurology 2016"].note


def test_source_issues_are_cited_and_unique() -> None:
    ids = [issue.id for issue in SOURCE_ISSUES]
    assert len(ids) == len(set(ids))
    assert {"unit_error", "severe_undefined", "borderline_with_neuro"} <= set(ids)
    for issue in SOURCE_ISSUES:
        assert issue.title.strip() and issue.text.strip()
        assert issue.citations
        for short in issue.citations:
            assert short in REFERENCES, (issue.id, short)
    unit = next(i for i in SOURCE_ISSUES if i.id == "unit_error")
    assert "133 pmol/L" in unit.text
