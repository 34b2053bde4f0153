"""Citation audit: every statement the app can show carries short names defined in b12logic.references.

It walks every kind of text source: the engine's answers over a grid of cases under every profile (next steps,
ESR work-up, caveats, "why" steps, pitfalls, regimens, monitoring), and the fixed texts of the method, pathway,
treatment, teaching-case and source-issue modules. A statement without a citation, or citing a name the
References page cannot expand, fails here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from b12logic import Case, evaluate
from b12logic.esr import Statement
from b12logic.guidelines import PROFILES, custom_profile, regimen_for
from b12logic.method import LIMITATIONS, WORKING_DEFINITIONS
from b12logic.pathways import MACROCYTOSIS_CAVEAT, PATHWAY_TEACHING
from b12logic.references import REFERENCES, SOURCE_ISSUES
from b12logic.teaching_cases import TEACHING_CASES
from b12logic.treatment import DURATION_NOTES

ALL_PROFILES = [*PROFILES.values(), custom_profile(145, 250, 300)]
RISKS = [frozenset(), frozenset({"nitrous_oxide"}), frozenset({"pernicious_anaemia"}), frozenset({"vegan_diet"})]


def grid_cases() -> Iterator[Case]:
    """Cases crossing every threshold the rules know, with every optional input on and off."""
    for b12, mma, neuro, hb, esr, active, crp, pregnant, risks in itertools.product(
        (90, 150, 250, 400, 1500),
        (None, 200, 650),
        (False, True),
        (None, 7.5, 11.0),
        (10, 60, 120),
        (None, 20, 50, 90),
        (None, 3.0, 40.0),
        (False, True),
        RISKS,
    ):
        if (mma is not None and active is not None) or (pregnant and (hb == 7.5 or esr == 120)):
            continue  # keep the grid small: these combinations add no new text
        yield Case(
            age=34 if pregnant else 72,
            sex="female",
            b12=b12,
            esr=esr,
            mma=mma,
            hb=hb,
            neuro_symptoms=neuro,
            active_b12=active,
            crp=crp,
            pregnant=pregnant,
            renal_impairment=mma == 650,
            on_folic_acid=neuro,
            risk_factors=risks,
            homocysteine=25.0 if neuro else None,
        )


def _engine_statements() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for case in grid_cases():
        for profile in ALL_PROFILES:
            a = evaluate(case, profile)
            items = [*a.next_steps, *a.esr_workup, *a.caveats, *a.why]
            items += [Statement(f"{p.heading}: {p.text}", p.citations) for p in a.pitfalls]
            for reg in (a.regimen_detail, a.oral_regimen):
                if reg is not None:
                    items.append(Statement(reg.text, reg.citations))
            items += [Statement(m.what, m.citations) for m in a.monitoring]
            for s in items:
                key = (s.text, s.citations)
                if key not in seen:
                    seen.add(key)
                    yield profile.id, s.text, s.citations


ENGINE_STATEMENTS = list(_engine_statements())

FIXED: list[tuple[str, str, tuple[str, ...]]] = [
    *(("method", s.text, s.citations) for s in (*WORKING_DEFINITIONS, *LIMITATIONS)),
    *(("pathways", s.text, s.citations) for group in PATHWAY_TEACHING.values() for s in group),
    ("pathways", MACROCYTOSIS_CAVEAT.text, MACROCYTOSIS_CAVEAT.citations),
    *(("treatment", s.text, s.citations) for s in DURATION_NOTES),
    *(("source issues", i.text, i.citations) for i in SOURCE_ISSUES),
    *(("teaching", tc.teaching_point, tc.citations) for tc in TEACHING_CASES.values()),
    *(
        (p.id, regimen_for(p, r, risks).text, regimen_for(p, r, risks).citations)
        for p in ALL_PROFILES
        for r in ("im_neuro", "im_standard", "oral")
        for risks in RISKS
    ),
]


def test_the_grid_reaches_every_status_and_many_texts() -> None:
    statuses = {evaluate(c, p).b12_status for c in itertools.islice(grid_cases(), 0, None, 7) for p in ALL_PROFILES}
    assert len(statuses) == 6
    assert len(ENGINE_STATEMENTS) > 200


@pytest.mark.parametrize(("where", "text", "citations"), ENGINE_STATEMENTS + FIXED)
def test_every_statement_cites_known_short_names(where: str, text: str, citations: tuple[str, ...]) -> None:
    assert citations, f"{where}: no citation for {text!r}"
    unknown = [c for c in citations if c not in REFERENCES]
    assert not unknown, f"{where}: {unknown} not in references, for {text!r}"


def test_every_reference_is_complete() -> None:
    for short, ref in REFERENCES.items():
        assert ref.short == short and len(ref.full) > 20, short


def test_no_removed_or_uncheckable_name_is_cited() -> None:
    # Replaced by a name that says journal and volume, or by the source that does say it.
    for _, _, citations in ENGINE_STATEMENTS + FIXED:
        assert "ESR screening cohort" not in citations
        assert "NHS pathways" not in citations


@pytest.mark.parametrize(("where", "text", "citations"), ENGINE_STATEMENTS + FIXED)
def test_no_text_repeats_a_known_error_of_the_source(where: str, text: str, citations: tuple[str, ...]) -> None:
    lowered = text.lower()
    assert "confirms functional" not in lowered, (where, text)  # a raised MMA supports deficiency
    assert "above 100 mm/h" not in lowered and "> 100 mm/h" not in lowered, (where, text)  # 100 or more
    assert "start treatment:" not in lowered, (where, text)  # teaching phrasing, never a prescription
    if "wrongly flags" in lowered:
        assert "Wetteland 1996" not in citations, (where, text)
    if "giant cell" in lowered or "polymyalgia" in lowered:
        assert "ICSH 2011" not in citations, (where, text)
    if "half-life" in lowered:
        assert "Vigushin 1993" in citations, (where, text)
    if "b12 deficiency does not raise the esr" in lowered:
        assert "Miller 1983" not in citations, (where, text)


def test_fincher_figures_cite_fincher_and_say_whose_percentages() -> None:
    texts = [(t, c) for _, t, c in ENGINE_STATEMENTS + FIXED if "33%" in t]
    assert texts
    for text, citations in texts:
        assert "Fincher 1986" in citations, text
        assert "4.2%" in text or "of the 4.2%" in text or "ESR of 100 or more" in text, text


def test_why_steps_cite_the_profiles_own_guideline() -> None:
    case = Case(age=70, sex="female", b12=190, esr=30)
    for profile_id, own in (("nice-ng239", "NICE NG239"), ("bsh-2014", "BSH 2014"), ("source", "source")):
        why = evaluate(case, profile_id).why
        b12_steps = [s for s in why if "B12" in s.text and "ESR" not in s.text]
        assert b12_steps and all(own in s.citations for s in b12_steps), profile_id
        assert all("source" not in s.citations for s in b12_steps) or profile_id == "source"
    gca = [s for s in evaluate(Case(age=70, sex="female", b12=400, esr=60), "source").why if "GCA" in s.text]
    assert gca and all("BSR 2020" in s.citations for s in gca)
