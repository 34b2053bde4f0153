"""The app's words (issue 19): one name per thing, the units the app uses, documents that agree with the app."""

from __future__ import annotations

import re
from pathlib import Path

from b12logic.graphs import MECHANISM_GRAPH, decision_graph
from b12logic.guidelines import PROFILES
from b12logic.teaching_cases import TEACHING_CASES

ROOT = Path(__file__).resolve().parents[1]


def test_readme_counts_the_teaching_cases_the_page_shows() -> None:
    counts = re.findall(r"(\d+) curated cases", (ROOT / "README.md").read_text())
    assert counts == [str(len(TEACHING_CASES))]


def test_profile_summaries_use_the_apps_unit() -> None:
    """The app says pg/mL everywhere (ng/L is the same number): a summary in ng/L read as a different scale."""
    for profile in PROFILES.values():
        assert "ng/L" not in profile.summary, profile.id


def test_diagrams_say_neurological_not_neuro() -> None:
    for profile in PROFILES.values():
        for node in (*decision_graph(profile).nodes, *MECHANISM_GRAPH.nodes):
            for text in (node.label, node.hover):
                assert not re.search(r"\bneuro\b", text, re.IGNORECASE), (node.id, text)


def test_statements_say_neurological_not_neuro() -> None:
    """Every statement the engine can give, in full and in its short form (the CSV's next-steps cell)."""
    import b12logic.rules.next_steps as rules
    from b12logic.statement import Statement

    statements = [value for value in vars(rules).values() if isinstance(value, Statement)]
    assert statements
    for statement in statements:
        for text in (statement.text, statement.short):
            assert not re.search(r"\bneuro\b", text, re.IGNORECASE), text
