"""The pitfall table: each pitfall's rule and its words, with a kind (most are background facts).

A pitfall never repeats an urgent step: what to do now is in the verdict's "Do now" block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from b12logic.rules.judgment import TREATMENT_REGIMENS


class Pitfall(str):
    """A pitfall id (compares equal to its id string) carrying its title, text and citations."""

    heading: str
    text: str
    citations: tuple[str, ...]
    kind: str

    def __new__(
        cls, id_: str, heading: str, text: str, citations: tuple[str, ...], kind: str = "background"
    ) -> Pitfall:
        obj = super().__new__(cls, id_)
        obj.heading, obj.text, obj.citations, obj.kind = heading, text, citations, kind
        return obj

    @property
    def id(self) -> str:
        return str.__str__(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "heading": self.heading,
            "text": self.text,
            "citations": list(self.citations),
        }


@dataclass(frozen=True)
class PitfallFacts:
    """The yes/no facts that decide which pitfalls apply: computed per case, or per group in a batch."""

    on_folic_acid: bool
    neuro: bool
    status: str
    regimen: str
    esr_flag: str
    anaemic: bool
    renal_impairment: bool
    mma_measured: bool
    b12_very_high: bool
    nitrous_oxide: bool
    duration_rule: str = "lifelong"  # the profile's: "lifelong" (the source's words) or "cause"
    b12_not_above: bool = True  # total B12 low or borderline (not above the profile's range)
    lasting_cause: bool = False  # a recorded cause that cannot be reversed: B12 is lifelong whatever the level
    # Under the source's rules: the correcting guideline treats or tests (deficiency possible) where they may not.
    guideline_acts: bool = False
    pregnant: bool = False  # folic acid is taken for the pregnancy: it need not stop (NICE NG247)


def _deficiency_possible(f: PitfallFacts) -> bool:
    """Not on folic acid yet, and B12 deficiency still possible: shown, awaited, treated, or the correcting
    guideline's (code-blind read s12, fourth: the correction beside said "treat now" with no warning)."""
    return not f.on_folic_acid and (
        f.status in ("deficient", "functional_deficiency", "indeterminate_needs_mma", "normal_needs_mma_hcy")
        or f.regimen in TREATMENT_REGIMENS
        or f.guideline_acts
    )


@lru_cache(maxsize=4096)
def remembered_pitfalls(facts: PitfallFacts) -> tuple[Pitfall, ...]:
    """pitfalls_for, remembered per combination of facts."""
    return pitfalls_for(facts)


def pitfalls_for(f: PitfallFacts) -> tuple[Pitfall, ...]:
    """The pitfalls whose rule holds, each worded for the case (by the profile, pregnancy or the B12)."""
    return tuple(_worded(p, f) for rule, p in _PITFALL_RULES if rule(f))


def _worded(p: Pitfall | _Worded, f: PitfallFacts) -> Pitfall:
    """A pitfall, or the wording its facts pick."""
    return p if isinstance(p, Pitfall) else p(f)


_STOP_SOURCE = Pitfall(
    "do_not_stop_therapy",
    "Do not stop when symptoms or levels improve",
    "The source says never stop: most patients with malabsorption need lifelong therapy. Improvement alone is "
    "indeed no reason to stop; NICE NG239's correction, that the cause decides how long, sits beside the regimen.",
    ("source", "NICE NG239"),
)
_STOP_CAUSE = Pitfall(
    "do_not_stop_therapy",
    "Improvement alone is not a reason to stop: the cause decides",
    "Symptoms or levels getting better do not end treatment. When the cause cannot be reversed, treatment is "
    "lifelong and NICE reassures these patients it will not be stopped; dose, form or route can change if symptoms "
    "persist. When the cause is reversible and has been dealt with, treatment can stop or change.",
    ("NICE NG239",),
)

_FOLIC_MASKS_COUNT = (
    "On folic acid already: it can correct the anaemia while subacute combined degeneration of the cord goes on, so "
    "the blood count may look milder than the deficiency is."
)
_FOLIC_FOR_PREGNANCY = (
    "Folic acid taken for the pregnancy need not stop because of B12 (NICE advises 400 micrograms daily until 12 "
    "weeks), but it can correct the anaemia while subacute combined degeneration of the cord goes on, so the blood "
    "count may look milder than the deficiency is."
)


@dataclass(frozen=True)
class _Worded:
    """One pitfall worded by one fact of the case: `by` picks the key of `wordings`."""

    by: Callable[[PitfallFacts], Any]
    wordings: dict[Any, Pitfall]

    def __call__(self, f: PitfallFacts) -> Pitfall:
        return self.wordings[self.by(f)]


def _folic_acid_already(what_to_do: str, in_pregnancy: str) -> _Worded:
    """folate_before_b12, worded for the plan, and in pregnancy with the pregnancy's folic acid kept (code-blind
    reads s12: "never folic acid alone" read as "stop it")."""

    def pitfall(text: str, citations: tuple[str, ...]) -> Pitfall:
        return Pitfall("folate_before_b12", "Folic acid before B12", text, citations, "plan")

    return _Worded(
        lambda f: f.pregnant,
        {
            False: pitfall(f"{_FOLIC_MASKS_COUNT} {what_to_do}", ("source", "BNF / NICE CKS")),
            True: pitfall(f"{_FOLIC_FOR_PREGNANCY} {in_pregnancy}", ("source", "BNF / NICE CKS", "NICE NG247")),
        },
    )


def _myeloma(what: str, heading: str) -> Pitfall:
    return Pitfall(
        "myeloma_high_esr_low_b12",
        heading,
        f"{what} Malignancy caused 17% of ESRs of 100 mm/h or more in Fincher's series.",
        ("Fincher 1986",),
    )


def _on_folic_acid_not_shown(f: PitfallFacts) -> bool:
    """On folic acid, deficiency not shown, and the status or the plan still touches B12 (DESIGN.md's rule)."""
    return (
        f.on_folic_acid
        and f.status not in ("deficient", "functional_deficiency")
        and (f.status != "normal" or f.regimen in TREATMENT_REGIMENS or f.lasting_cause)
    )


_PITFALL_RULES: tuple[tuple[Callable[[PitfallFacts], bool], Pitfall | _Worded], ...] = (
    # One pitfall id, worded for what the B12 status already says (independent read, session 6: "settle B12
    # status" beside a status that had settled it).
    # On folic acid and B12 deficiency shown: B12 starts once the bloods are taken.
    (
        lambda f: f.on_folic_acid and f.status in ("deficient", "functional_deficiency"),
        _folic_acid_already(
            "Start B12 once the bloods are taken; never folic acid alone.",
            "Start B12 beside it once the bloods are taken; it never goes on without B12.",
        ),
    ),
    # Not shown (yet): where the plan gives B12 it follows the plan; where it gives none, folic acid still never
    # stands in for B12 (code-blind read s12, fourth: "then B12 as the plan says" beside a plan that gives none,
    # and no "need not stop" in pregnancy). Also beside a plan that treats a B12 in range (s8c, F8).
    (
        lambda f: _on_folic_acid_not_shown(f) and f.regimen in TREATMENT_REGIMENS,
        _folic_acid_already(
            "Not folic acid alone: take the bloods, then B12 as the plan says (at once where a Do-now step starts it).",
            "It never goes on without B12: B12 goes beside it as the plan says, once the bloods are taken (at once "
            "where a Do-now step starts it).",
        ),
    ),
    (
        lambda f: _on_folic_acid_not_shown(f) and f.regimen not in TREATMENT_REGIMENS,
        _folic_acid_already(
            "Folic acid must not stand in for B12: B12 goes beside it once the bloods are taken, at once where a "
            "Do-now step starts it, or when a test shows B12 deficiency, now or later.",
            "It is no treatment for B12 deficiency: B12 goes beside it once the bloods are taken, at once where a "
            "Do-now step starts it, or when a test shows B12 deficiency, now or later.",
        ),
    ),
    (
        # Not on folic acid yet: the source's central pitfall, said wherever B12 deficiency is possible, since the
        # work-up measures folate (code-blind read s12: it was said only to people already taking folic acid).
        lambda f: not f.pregnant and _deficiency_possible(f),
        Pitfall(
            "no_folic_acid_alone",
            "No folic acid alone while B12 deficiency is possible",
            "Never folic acid alone before B12 deficiency is excluded or treated: it can correct the anaemia but not "
            "the nerve damage (subacute combined degeneration of the cord). A low folate in the work-up is treated "
            "alongside B12, not instead of it.",
            ("source", "BNF / NICE CKS"),
            "plan",
        ),
    ),
    (
        # In pregnancy the same warning must not read as "withhold folic acid" (code-blind read s12, fifth: UNSAFE).
        lambda f: f.pregnant and _deficiency_possible(f),
        Pitfall(
            "no_folic_acid_alone",
            "No folic acid alone while B12 deficiency is possible",
            "Folic acid taken for the pregnancy need not stop because of B12 (NICE advises 400 micrograms daily "
            "until 12 weeks). It is never a treatment for B12 deficiency: it can correct the anaemia but not the "
            "nerve damage (subacute combined degeneration of the cord), so where the plan gives B12, B12 goes "
            "alongside it.",
            ("source", "BNF / NICE CKS", "NICE NG247"),
            "plan",
        ),
    ),
    (
        # Only while MMA is unknown: once it is measured, its result answers the question.
        lambda f: f.neuro and f.status != "deficient" and not f.mma_measured,
        Pitfall(
            "neuro_with_normal_b12",
            "Neurological symptoms with a B12 that does not show deficiency",
            # Not "not low": in pregnancy a low total B12 does not show it either (code-blind read s13, second, W6).
            "A B12 result that does not show deficiency does not exclude it when there are neurological symptoms, and "
            "over 25% of neurological cases have a normal haematocrit or MCV.",
            ("source", "Lindenbaum 1988"),
        ),
    ),
    (
        lambda f: f.regimen in TREATMENT_REGIMENS,
        _Worded(lambda f: f.duration_rule, {"lifelong": _STOP_SOURCE, "cause": _STOP_CAUSE}),
    ),
    (
        lambda f: f.esr_flag != "normal",
        Pitfall(
            "esr_needs_own_workup",
            "The raised ESR needs its own work-up",
            "B12 deficiency does not raise the ESR through inflammation, and the ESR does not change the B12 "
            "plan. Look for infection, malignancy or inflammatory disease on the ESR's own criteria.",
            ("source",),
        ),
    ),
    (
        lambda f: f.esr_flag != "normal" and f.anaemic,
        Pitfall(
            "anaemia_can_raise_esr",
            "Anaemia by itself raises the ESR",
            "A lower haematocrit raises the ESR: about 2.3 mm/h per 1 g/dL lower haemoglobin in 20,926 screening "
            "records. Published corrections for haematocrit are not validated: keep it in mind, do not 'correct' "
            "the number.",
            ("Health Eval Promot 28(3)", "WHO"),
        ),
    ),
    (
        lambda f: (
            f.renal_impairment and (f.mma_measured or f.status in ("indeterminate_needs_mma", "normal_needs_mma_hcy"))
        ),
        Pitfall(
            "renal_impairment_raises_mma",
            "Renal impairment raises MMA",
            "Impaired renal function raises MMA on its own: in people with a low-normal B12, MMA not adjusted for "
            "eGFR overestimated deficiency by 40%. Read a raised MMA with the eGFR.",
            ("Ann Clin Biochem 2018",),
            "plan",
        ),
    ),
    (
        lambda f: f.esr_flag == "markedly_elevated" and (f.b12_not_above or f.anaemic),
        _Worded(
            lambda f: f.b12_not_above,
            {
                True: _myeloma(
                    "Myeloma can give a very high ESR with anaemia and a spuriously low B12.",
                    "ESR of 100 or more with anaemia or a B12 that is not high: think of myeloma",
                ),
                # A B12 above the range: the low-B12 clause is not said beside it (code-blind reads s13, U12 and
                # the fourth's U7: its heading too).
                False: _myeloma(
                    "Myeloma can give a very high ESR with anaemia.",
                    "ESR of 100 or more with anaemia: think of myeloma",
                ),
            },
        ),
    ),
    (
        lambda f: f.b12_very_high,
        Pitfall(
            "very_high_b12",
            "A very high B12 is not reassuring by itself",
            "A persistently very high B12 (above 1000 pg/mL) is associated with cancers and should prompt "
            "thought, unless explained by supplements or injections.",
            ("AFP 2025",),
        ),
    ),
    (
        lambda f: f.nitrous_oxide,
        Pitfall(
            "nitrous_oxide",
            "Nitrous oxide: functional deficiency with a normal B12",
            "Nitrous oxide causes functional deficiency with a total B12 that is often in range; the "
            "myeloneuropathy responds when treated early but can leave permanent disability in young people.",
            ("NICE NG239", "Practical Neurology 2023"),
        ),
    ),
)
# Each id once, in rule order (one pitfall may have a rule per wording); a worded one by its first form.
_FIRST_FORMS = [p if isinstance(p, Pitfall) else next(iter(p.wordings.values())) for _, p in _PITFALL_RULES]
PITFALL_IDS = tuple(dict.fromkeys(p.id for p in _FIRST_FORMS))
# Each pitfall's heading by id (the Batch page names pitfalls in words).
PITFALL_HEADINGS = {p.id: p.heading for p in _FIRST_FORMS}
