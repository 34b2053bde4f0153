"""The engine's remembered parts (issue 18's speed-up) never change an answer.

evaluate remembers what a combination of facts decides (a path's status, PlanFacts, the statements, the
source's corrected steps, each "why" sentence). The cheap version of scripts/engine_same.py: an answer
given with every cache filled by other cases is the answer given with every cache empty.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b12logic import Case, engine, evaluate
from b12logic.guidelines import GuidelineProfile
from b12logic.rules import explain, judgment, next_steps, pitfalls
from tests.test_engine_properties import profiles, valid_cases

CACHES = (
    judgment.graph_index,
    judgment.path_outcome,
    judgment._plan_facts,
    next_steps.b12_next_steps,
    pitfalls.remembered_pitfalls,
    explain.why_lookups,
    explain._sentence,
    engine.source_steps,
    engine._esr_workup,
)


def _forget() -> None:
    for cache in CACHES:
        cache.cache_clear()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_cases, st.lists(valid_cases, min_size=1, max_size=4), profiles)
def test_a_remembered_answer_is_the_fresh_answer(case: Case, others: list[Case], profile: GuidelineProfile) -> None:
    _forget()
    fresh = evaluate(case, profile).to_dict()
    for other in others:  # other cases fill the caches, under this profile and the source's
        evaluate(other, profile)
        evaluate(other)
    assert evaluate(case, profile).to_dict() == fresh
    _forget()
    assert evaluate(case, profile).to_dict() == fresh


def test_the_caches_are_used() -> None:
    """The property above would pass trivially if nothing were remembered: the second call hits each cache."""
    _forget()
    case = Case(age=40, sex="female", b12=160, esr=20, neuro_symptoms=True, hb=7.5, pregnant=True)
    evaluate(case)
    evaluate(case)
    for cache in (judgment.path_outcome, judgment._plan_facts, engine.source_steps, explain._sentence):
        assert cache.cache_info().hits > 0, cache
