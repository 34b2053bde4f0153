"""One label per status, regimen, ESR flag and profile, defined once and used by every page (issue 19).

The issue found one state under four names ("Indeterminate: measure MMA", "Borderline: MMA?", "Borderline B12:
cannot tell yet", "Deficiency not confirmed"). Two kinds of check:
- no module outside the vocabulary writes its own table of labels for the codes (a dict literal from status,
  regimen, flag or profile codes to words): that is how a page invents a label;
- each place that names a status, regimen, flag or profile says exactly the vocabulary's words: the verdict's
  summary, the quiz, Compare, Batch, the CLI's text, the teaching summary, the flowchart, the sidebar.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from b12logic import B12_STATUSES, evaluate
from b12logic.batch import evaluate_frame, read_cases_csv, template_csv
from b12logic.batch_view import results_for_reading
from b12logic.comparison import comparison_rows
from b12logic.engine import REGIMENS
from b12logic.esr import ESR_FLAGS
from b12logic.guidelines import PROFILES, custom_profile
from b12logic.report import report_markdown
from tests.test_app import STATUS_LINKS, case_from_link

# The vocabulary: the one place the words live (issue 18's labels module).
from b12logic.labels import ESR_FLAG_LABELS, REGIMEN_LABELS, STATUS_LABELS, profile_label  # isort: skip

VOCABULARY_MODULE = "b12logic/labels.py"
ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SOURCES = sorted({*ROOT.glob("b12logic/**/*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"})
CODE_SETS = {
    "status": set(B12_STATUSES),
    "regimen": set(REGIMENS),
    "ESR flag": set(ESR_FLAGS),
    "profile": {*PROFILES, "custom"},
}
# A case of every status (tests/test_app.py's links); the normal one with an ESR of 120 for the third flag.
LINKS = {**STATUS_LINKS, "normal": {**STATUS_LINKS["normal"], "esr": "120"}}


def own_label_tables(source: str) -> list[tuple[int, str]]:
    """Dict literals mapping codes of one kind (three or more of them) to written-out words."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Dict):
            continue
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        # Words for people: a string with a capital or a space (plotly's "dash" / "dot" styles are not words).
        worded = [
            v
            for v in node.values
            if isinstance(v, ast.JoinedStr)
            or (
                isinstance(v, ast.Constant)
                and isinstance(v.value, str)
                and (" " in v.value or v.value != v.value.lower())
            )
        ]
        for kind, codes in CODE_SETS.items():
            if len(keys & codes) >= min(3, len(codes)) and len(worded) >= min(3, len(codes)):
                found.append((node.lineno, kind))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_but_the_vocabulary_writes_its_own_labels(path: Path) -> None:
    if str(path.relative_to(ROOT)) == VOCABULARY_MODULE:
        return
    assert not own_label_tables(path.read_text(encoding="utf-8")), f"{path.name} invents labels"


def test_the_scan_would_notice_an_invented_table() -> None:
    invented = 'QUIZ = {"deficient": "Deficient: low", "normal": "Fine", "not_confirmed": "Not confirmed"}'
    assert own_label_tables(invented) == [(1, "status")]
    styled = 'STYLE = {"deficient": ("red", "x"), "normal": ("blue", "y"), "not_confirmed": ("blue", "z")}'
    assert own_label_tables(styled) == []
    (vocabulary,) = [p for p in SOURCES if str(p.relative_to(ROOT)) == VOCABULARY_MODULE]
    assert {kind for _, kind in own_label_tables(vocabulary.read_text())} >= {"status", "regimen", "ESR flag"}


def test_every_code_has_one_label() -> None:
    assert set(STATUS_LABELS) == set(B12_STATUSES) and len(set(STATUS_LABELS.values())) == len(B12_STATUSES)
    assert set(REGIMEN_LABELS) == set(REGIMENS) and len(set(REGIMEN_LABELS.values())) == len(REGIMENS)
    assert set(ESR_FLAG_LABELS) == set(ESR_FLAGS) and len(set(ESR_FLAG_LABELS.values())) == len(ESR_FLAGS)
    names = [p.name for p in PROFILES.values()] + [custom_profile(180, 350, 271).name]
    assert len(set(names)) == len(names)


# --- Each place that names them says the vocabulary's words -------------------------------------------


def test_quiz_offers_the_status_labels() -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("pages/teaching.py").run()
    (question,) = [r for r in at.radio if r.label == "1. What is the B12 status?"]
    assert question.options == [STATUS_LABELS[s] for s in B12_STATUSES]


@pytest.mark.parametrize("status", B12_STATUSES)
def test_compare_cli_summary_and_batch_name_the_status_in_the_vocabulary(status: str) -> None:
    case = case_from_link(LINKS[status])
    a = evaluate(case)
    assert a.b12_status == status
    labels = (STATUS_LABELS[status], REGIMEN_LABELS[a.regimen], ESR_FLAG_LABELS[a.esr_flag])
    # Compare: the "B12 status" row, under every profile.
    rows = {r["aspect"]: r for r in comparison_rows(case, list(PROFILES.values()))}
    for profile in PROFILES.values():
        assert rows["B12 status"][profile.name] == STATUS_LABELS[evaluate(case, profile).b12_status]
    # The command line's text.
    args = ["--age", LINKS[status]["age"], "--sex", LINKS[status]["sex"], "--b12", LINKS[status]["b12"]]
    args += ["--esr", LINKS[status]["esr"], *(["--mma", LINKS[status]["mma"]] if "mma" in LINKS[status] else [])]
    args += ["--neuro"] if case.neuro_symptoms else []
    text = subprocess.run(
        [sys.executable, "-m", "b12logic", "evaluate", *args], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    summary = report_markdown(a, PROFILES["source"], "test")
    for label in labels:
        assert label in text, (label, text[:400])
        assert label in summary.replace("\\", ""), label


def test_batch_view_uses_the_vocabulary() -> None:
    view = results_for_reading(evaluate_frame(read_cases_csv(template_csv().encode())))
    assert set(view["B12 status"]) == set(STATUS_LABELS.values())
    assert set(view["Treatment"]) <= set(REGIMEN_LABELS.values())
    assert set(view["ESR"]) <= set(ESR_FLAG_LABELS.values())


def test_profile_names_are_one_per_profile_across_the_app() -> None:
    """The sidebar's choice, Compare's columns and the treatment page say a profile's one name."""
    from b12logic.treatment import profile_name
    from ui.state import GUIDELINE_NAMES

    for pid, profile in PROFILES.items():
        assert GUIDELINE_NAMES[pid] == profile.name == profile_name(pid) == profile_label(pid)
    custom = custom_profile(180, 350, 271).name
    assert GUIDELINE_NAMES["custom"] == custom == profile_name("custom") == profile_label("custom")


def test_the_flowchart_names_each_status_by_its_label() -> None:
    """Every box where the flowchart reaches a status says the status's one label (it said "Deficient",
    "Not confirmed", "Treat now, MMA pending" ...), under every profile, in the wide and the phone drawing."""
    from b12logic.graphs import decision_graph

    for profile in [*PROFILES.values(), custom_profile(180, 350, 271)]:
        for node in decision_graph(profile).nodes:
            if node.status:  # the label, or the label and what is done meanwhile ("; treat now")
                assert node.label.startswith(STATUS_LABELS[node.status]), (profile.id, node.id, node.label)
