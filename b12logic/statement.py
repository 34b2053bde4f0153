"""A statement the app shows: one sentence, its sources, and its kind.

Every statement has a kind (DESIGN.md, "One judgment per case"): `do_now` (urgent, written as an instruction),
`plan`, `workup` or `background`. Pages, the CLI text and the teaching summary show `do_now` first, ranked
by `rank` (higher first), and say each statement once.

>>> s = Statement("Seek urgent advice.", ("BNF / NICE CKS",), kind="do_now", rank=90)
>>> s.safety, s.brief
(True, 'Seek urgent advice.')
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("do_now", "plan", "workup", "background")


@dataclass(frozen=True)
class Statement:
    """One sentence the app shows, with the short names of its sources."""

    text: str
    citations: tuple[str, ...] = ()
    short: str = ""  # a few words for CSV cells; the text is used when empty
    kind: str = "background"
    rank: int = 0  # do_now only: higher is more urgent; one do_now statement per rank (one per topic)
    starts_b12: bool = False  # says to start B12 now: only beside a treatment regimen (or the source's marker)
    measures: tuple[str, ...] = ()  # the case fields it asks to measure: never one already measured

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind: {self.kind!r} is not one of {', '.join(KINDS)}")

    @property
    def brief(self) -> str:
        return self.short or self.text

    @property
    def safety(self) -> bool:
        """An urgent step: shown first, in the "Do now" block of the verdict."""
        return self.kind == "do_now"

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "citations": list(self.citations)}


def ranked_do_now(*groups: tuple[Statement, ...]) -> tuple[Statement, ...]:
    """The do_now statements of all groups, most urgent first, one per rank (the first given wins)."""
    seen: dict[int, Statement] = {}
    for group in groups:
        for s in group:
            if s.kind == "do_now" and s.rank not in seen:
                seen[s.rank] = s
    return tuple(sorted(seen.values(), key=lambda s: -s.rank))


def next_steps_cell(steps: tuple[Statement, ...], urgent: tuple[Statement, ...]) -> tuple[Statement, ...]:
    """The batch's one next-steps cell: the urgent steps of the B12 plan and the ESR reading first, ranked as the
    Do-now block ranks them, then the plan's other steps (code-blind read s11: they came last)."""
    return (*ranked_do_now(steps, urgent), *(s for s in steps if s.kind != "do_now"))
