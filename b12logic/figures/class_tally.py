"""The class room's reveal: how the room answered one question, round by round, the right answer marked.

Bars per option (rows) and round (one colour each, Okabe-Ito), each labelled with its count; a right option's
label starts with "✓ Right:" and is bold, so the answer is told in words as well as by position.

>>> from b12logic.classroom.questions import questions_for
>>> q = questions_for("metformin_fatigue")[0]
>>> fig = class_tally_figure(q, {1: {"deficient": 3, "normal": 1}, 2: {"deficient": 4}})
>>> [t.name for t in fig.data], fig.layout.xaxis.title.text
(['Round 1', 'Round 2'], 'Students')
>>> fig.data[1].x[0]
4
"""

from __future__ import annotations

import plotly.graph_objects as go

from b12logic.classroom.questions import Question
from b12logic.figures.style import BLACK, BLUE, LIGHT_GREY, ORANGE, SKY_BLUE, base_layout, on_white, wrap_text

_ROUND_COLOURS = (SKY_BLUE, BLUE, ORANGE)  # the latest round darkest when there are two


def class_tally_figure(question: Question, rounds: dict[int, dict[str, int]]) -> go.Figure:
    """Students per option of `question`, one bar trace per round (zeros kept), in the question's order."""
    options = list(question.options)
    labels = [
        f"<b>✓ Right: {wrap_text(question.options[o], 34)}</b>"
        if o in question.right
        else wrap_text(question.options[o], 40)
        for o in options
    ]
    shown = sorted(rounds)[-len(_ROUND_COLOURS) :]
    colours = _ROUND_COLOURS[-len(shown) :] if len(shown) > 1 else (BLUE,)
    traces = []
    for colour, number in zip(colours, shown, strict=True):
        counts = [int(rounds[number].get(o, 0)) for o in options]
        traces.append(
            go.Bar(
                x=counts,
                y=labels,
                orientation="h",
                name=f"Round {number}",
                marker={"color": colour, "line": {"color": BLACK, "width": 1}},
                text=[str(c) for c in counts],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"Round {number}: %{{x}} students<extra></extra>",
            )
        )
    most = max((max(r.values(), default=0) for r in rounds.values()), default=0)
    layout = base_layout(question.text, "Bars: students choosing each answer", height=120 + 70 * len(options))
    layout = {
        **layout,
        "barmode": "group",
        "showlegend": len(shown) > 1,
        "margin": {**layout["margin"], "r": 40},
        "xaxis": {
            "title": {"text": "Students"},
            "rangemode": "tozero",
            "tickformat": ",d",
            "dtick": 1 if most <= 10 else None,
            "gridcolor": LIGHT_GREY,
            "fixedrange": True,
        },
        "yaxis": {"title": {"text": "Answer"}, "autorange": "reversed", "fixedrange": True},
    }
    fig = go.Figure(data=traces)
    fig.update_layout(**on_white(layout))
    return fig
