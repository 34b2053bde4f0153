"""ESR upper limit by age: Miller 1983 for women and men, the naive 20 mm/h line, Wetteland 1996 centiles, the case."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from b12logic.case import Case
from b12logic.esr import MARKED_ESR, NAIVE_ESR_CUTOFF, WETTELAND_CENTILES, esr_upper_limit
from b12logic.figures.style import BLACK, BLUE, PURPLE, VERMILLION, base_layout, on_white, plotly_text, wrap_text

ESR_AGES = (16, 100)
SEX_COLOURS = {"female": PURPLE, "male": BLUE}
SEX_WORDS = {"female": "women", "male": "men"}


def esr_by_age_figure(case: Case | None) -> go.Figure:
    """Miller 1983 upper limits for women and men by age, the naive 20 mm/h line, Wetteland 1996 centiles, the case.

    Line traces carry `meta = {"role": "miller", "sex": ...}`, the naive line `{"role": "naive"}`, the centiles
    `{"role": "centiles", "sex": ...}` and the case `{"role": "case"}`.

    >>> fig = esr_by_age_figure(Case(age=70, sex="female", b12=150, esr=30))
    >>> [t.y[-1] for t in fig.data if t.meta["role"] == "miller"]
    [55.0, 50.0]
    """
    ages = [float(a) for a in range(ESR_AGES[0], ESR_AGES[1] + 1)]
    oldest = ages[-1]
    data: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    end_label = {"showarrow": False, "xanchor": "left", "x": oldest}
    for sex, formula, dash in (("female", "(age + 10) ÷ 2", "solid"), ("male", "age ÷ 2", "dash")):
        limits = [esr_upper_limit(a, sex) for a in ages]
        data.append(
            {
                "type": "scatter",
                "x": ages,
                "y": limits,
                "mode": "lines",
                "line": {"color": SEX_COLOURS[sex], "width": 3, "dash": dash},
                "name": f"Upper limit, {SEX_WORDS[sex]}: {formula} (Miller 1983)",
                "hovertemplate": f"{SEX_WORDS[sex].capitalize()}, age %{{x:.0f}}: limit %{{y:.1f}} mm/h<extra></extra>",
                "meta": {"role": "miller", "sex": sex},
            }
        )
        annotations.append(
            {
                **end_label,
                "y": limits[-1],
                "text": f"<b>{SEX_WORDS[sex]}</b>",
                "font": {"color": SEX_COLOURS[sex], "size": 13},
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": [ages[0], oldest],
            "y": [NAIVE_ESR_CUTOFF, NAIVE_ESR_CUTOFF],
            "mode": "lines",
            "line": {"color": BLACK, "width": 2, "dash": "dot"},
            "name": f"Fixed {NAIVE_ESR_CUTOFF:g} mm/h cut-off (flags many healthy older women)",
            "hovertemplate": f"Fixed cut-off {NAIVE_ESR_CUTOFF:g} mm/h<extra></extra>",
            "meta": {"role": "naive"},
        }
    )
    annotations.append(
        {**end_label, "y": NAIVE_ESR_CUTOFF, "text": f"<b>{NAIVE_ESR_CUTOFF:g} mm/h</b>", "font": {"size": 13}}
    )
    for sex, symbol in (("female", "diamond"), ("male", "square")):
        points = WETTELAND_CENTILES[sex]
        data.append(
            {
                "type": "scatter",
                "x": [a for a, _ in points],
                "y": [v for _, v in points],
                "mode": "markers+text",
                "marker": {
                    "symbol": symbol,
                    "size": 11,
                    "color": SEX_COLOURS[sex],
                    "line": {"color": BLACK, "width": 1},
                },
                "text": [f"{v:g}" for _, v in points],
                "textposition": "middle right",
                "name": f"95th centile, healthy {SEX_WORDS[sex]} (Wetteland 1996)",
                "hovertemplate": f"Healthy {SEX_WORDS[sex]}, age %{{x}}: 95th centile %{{y}} mm/h<extra></extra>",
                "meta": {"role": "centiles", "sex": sex},
            }
        )
    top = 70.0
    if case is not None:
        limit = esr_upper_limit(case.age, case.sex)
        verdict = "above" if case.esr > limit else "within"
        person = "woman" if case.sex == "female" else "man"
        label = (
            f"This case: {case.esr:g} mm/h, {verdict} the limit of {limit:g} mm/h for a {case.age:g}-year-old {person}"
        )
        data.append(
            {
                "type": "scatter",
                "x": [case.age],
                "y": [case.esr],
                "mode": "markers",
                "marker": {"symbol": "star", "size": 20, "color": VERMILLION, "line": {"color": BLACK, "width": 1.5}},
                "name": "This case",
                "hoverinfo": "text",
                "hovertext": plotly_text(label),
                "meta": {"role": "case"},
                "cliponaxis": False,
            }
        )
        top = max(top, case.esr * 1.2 + 10)
        annotations.append(
            {
                "x": case.age,
                "y": case.esr,
                "text": f"<b>{wrap_text(label, 34)}</b>",
                "showarrow": True,
                "arrowhead": 2,
                "ax": -60 if case.age > 55 else 60,
                "ay": -50 if case.esr < top * 0.7 else 50,
                "xanchor": "right" if case.age > 55 else "left",
                "align": "left",
                "bgcolor": "rgba(255,255,255,0.9)",
                "bordercolor": BLACK,
                "font": {"size": 12, "color": BLACK},
            }
        )
    if top > MARKED_ESR:
        data.append(
            {
                "type": "scatter",
                "x": [ages[0], oldest],
                "y": [MARKED_ESR, MARKED_ESR],
                "mode": "lines",
                "line": {"color": VERMILLION, "width": 1.5, "dash": "dashdot"},
                "name": f"Markedly elevated: above {MARKED_ESR:g} mm/h (any age)",
                "hovertemplate": f"Markedly elevated above {MARKED_ESR:g} mm/h<extra></extra>",
                "meta": {"role": "marked"},
            }
        )
        annotations.append({**end_label, "y": MARKED_ESR, "text": f"<b>{MARKED_ESR:g} mm/h</b>", "font": {"size": 13}})
    layout = base_layout(
        "ESR upper limit of normal by age and sex",
        "Westergren method. The limit rises with age; a fixed 20 mm/h line flags many healthy older women.",
        height=520,
    )
    grid = {"showgrid": True, "gridcolor": "#E5E5E5"}
    layout.update(
        margin={"l": 10, "r": 70, "t": 86, "b": 10},
        legend={**layout["legend"], "y": -0.14},
        annotations=annotations,
        xaxis={**grid, "title": {"text": "Age (years)"}, "range": [ESR_AGES[0] - 2, ESR_AGES[1] + 2]},
        yaxis={**grid, "title": {"text": "ESR (mm/h)"}, "range": [0, top], "zeroline": False},
    )
    return go.Figure(data=data, layout=on_white(layout))
