"""The B12 × MMA region map: where each result lands under a profile, every profile's cut-offs drawn as lines.

The regions come from the vectorised engine (`evaluate_frame`) on a grid, never re-implemented here.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from b12logic.case import Case
from b12logic.engine import B12_STATUSES
from b12logic.figures.style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    VERMILLION,
    WHITE,
    base_layout,
    on_white,
    plotly_text,
    wrap_text,
)
from b12logic.guidelines import GuidelineProfile
from b12logic.labels import STATUS_LABELS

if TYPE_CHECKING:
    import pandas as pd

# One colour per b12_status (Okabe-Ito); the region label and the legend say the same in words.
STATUS_COLOURS = {
    "deficient": VERMILLION,
    "functional_deficiency": ORANGE,
    "indeterminate_needs_mma": SKY_BLUE,
    "not_confirmed": BLUE,
    "normal_needs_mma_hcy": PURPLE,
    "normal": GREEN,
}
NOT_MEASURED = "MMA not measured"
_GRID_STEPS = (120, 90)
# Characters of 11 px text across the whole B12 axis at the narrowest drawn width (ui/style.css: 640 px).
_STRIP_CHARS = 70
# Two B12 cut-offs closer than this share of the axis label on either side of their lines.
_CROWDED = 0.06


def _status_colorscale() -> list[list[Any]]:
    """A stepped colour scale: z = index of the status in B12_STATUSES picks exactly its colour."""
    n = len(B12_STATUSES)
    scale: list[list[Any]] = []
    for i, status in enumerate(B12_STATUSES):
        scale += [[i / n, STATUS_COLOURS[status]], [(i + 1) / n, STATUS_COLOURS[status]]]
    return scale


def _edges(lo: float, hi: float, steps: int, cuts: Sequence[float]) -> np.ndarray:
    """Cell edges: an even grid plus every cut-off, so region boundaries fall exactly on the threshold lines."""
    grid = np.linspace(lo, hi, steps + 1)
    extra = [c for c in cuts if lo < c < hi]
    return np.unique(np.concatenate([grid, np.asarray(extra, dtype=float)]))


def region_grid(profile: GuidelineProfile, neuro: bool, b12_edges: np.ndarray, mma_edges: np.ndarray) -> pd.DataFrame:
    """b12_status at each cell centre, from the vectorised engine (evaluate_frame), never re-implemented here.

    Rows: one per (b12, mma) cell centre, plus one per B12 centre with MMA not measured (mma = NaN).
    """
    import pandas as pd

    from b12logic.frame import evaluate_frame

    b12 = (b12_edges[:-1] + b12_edges[1:]) / 2
    mma = (mma_edges[:-1] + mma_edges[1:]) / 2
    bb, mm = np.meshgrid(b12, mma)
    frame = pd.DataFrame(
        {
            "b12": np.concatenate([bb.ravel(), b12]),
            "mma": np.concatenate([mm.ravel(), np.full(b12.size, np.nan)]),
        }
    )
    # Age, sex and ESR cannot reach b12_status (the ESR invariant), so any valid values do.
    frame = frame.assign(age=50, sex="female", esr=10, neuro_symptoms=bool(neuro))
    out = evaluate_frame(frame, profile)
    return frame.assign(b12_status=out["b12_status"].to_numpy())


@lru_cache(maxsize=32)
def _region_codes(
    profile: GuidelineProfile, neuro: bool, b12_edges: tuple[float, ...], mma_edges: tuple[float, ...]
) -> np.ndarray:
    """Status indices (into B12_STATUSES) of `region_grid`'s rows, cached: slider moves are cheap."""
    grid = region_grid(profile, neuro, np.asarray(b12_edges), np.asarray(mma_edges))
    index = {s: i for i, s in enumerate(B12_STATUSES)}
    codes = np.fromiter((index[s] for s in grid["b12_status"].to_numpy(dtype=object)), dtype=np.int8)
    codes.flags.writeable = False
    return codes


def _case_values(case_point: Case | tuple[float, float | None] | None) -> tuple[float, float | None] | None:
    if case_point is None:
        return None
    if isinstance(case_point, Case):
        return case_point.b12_pg_ml, case_point.mma_nmol_l
    b12, mma = case_point
    return float(b12), None if mma is None or mma != mma else float(mma)


def region_map_figure(
    profile: GuidelineProfile,
    neuro: bool,
    case_point: Case | tuple[float, float | None] | None,
    all_profiles: Sequence[GuidelineProfile],
) -> go.Figure:
    """Where each B12 × MMA result lands under `profile`, with every profile's cut-offs drawn as lines.

    Colours come from evaluate_frame on a grid (`region_grid`); the bottom strip is MMA not measured.
    The heatmap traces carry `meta = {"role": "regions" | "regions_not_measured"}` and cell edges as x/y;
    the case is the trace with `meta = {"role": "case"}` (in the strip when its MMA was not measured).
    The figure is built in one go from plain dicts: plotly validates once, so a slider move stays quick.

    >>> from b12logic.guidelines import PROFILES
    >>> fig = region_map_figure(PROFILES["source"], False, (150.0, None), list(PROFILES.values()))
    >>> [(t.x[0], t.yaxis) for t in fig.data if t.meta and t.meta.get("role") == "case"]
    [(150.0, 'y2')]
    """
    point = _case_values(case_point)
    profiles = list(all_profiles) or [profile]
    if profile.id not in {p.id for p in profiles}:
        profiles.append(profile)
    grid = _MapGrid.of(profile, bool(neuro), profiles, point)
    case_traces, case_note = _case_marker(point, grid.b12_hi)
    data = [*_region_traces(grid), *_cutoff_traces(profiles, profile, grid), *case_traces]
    annotations = [*_region_labels(grid), *_strip_labels(grid), *_cutoff_labels(profiles, grid), *case_note]
    return go.Figure(data=data, layout=on_white(_map_layout(profile, bool(neuro), grid, annotations)))


_TOP, _STRIP = {"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"}  # the map and the not-measured strip


@dataclass(frozen=True)
class _MapGrid:
    """The map's extent, its cells' edges and the status of each cell: the map (rows of MMA) and the strip."""

    b12_cuts: list[float]
    mma_cuts: list[float]
    b12_hi: float
    mma_hi: float
    b12_edges: np.ndarray
    mma_edges: np.ndarray
    codes: np.ndarray

    @classmethod
    def of(
        cls,
        profile: GuidelineProfile,
        neuro: bool,
        profiles: list[GuidelineProfile],
        point: tuple[float, float | None] | None,
    ) -> _MapGrid:
        """Wide enough for every profile's cut-offs and the case; a cell edge on every cut-off."""
        b12_cuts = sorted({c for p in profiles for c in (p.b12_low, p.b12_upper)})
        mma_cuts = sorted({p.mma_upper for p in profiles})
        b12_hi = min(10000.0, max(600.0, 1.25 * max(b12_cuts)))
        mma_hi = min(100000.0, max(700.0, 1.6 * max(mma_cuts)))
        if point is not None:
            b12_hi = max(b12_hi, min(10000.0, point[0] * 1.1))
            if point[1] is not None:
                mma_hi = max(mma_hi, min(100000.0, point[1] * 1.1))
        b12_edges = _edges(0.0, b12_hi, _GRID_STEPS[0], b12_cuts)
        mma_edges = _edges(0.0, mma_hi, _GRID_STEPS[1], mma_cuts)
        codes = _region_codes(profile, neuro, tuple(b12_edges.tolist()), tuple(mma_edges.tolist()))
        return cls(b12_cuts, mma_cuts, b12_hi, mma_hi, b12_edges, mma_edges, codes)

    @property
    def nx(self) -> int:
        return int(self.b12_edges.size - 1)

    @property
    def main_z(self) -> np.ndarray:
        ny = self.mma_edges.size - 1
        return self.codes[: self.nx * ny].reshape(ny, self.nx)

    @property
    def strip_z(self) -> np.ndarray:
        ny = self.mma_edges.size - 1
        return self.codes[self.nx * ny :].reshape(1, self.nx)

    def labels(self, z: np.ndarray) -> np.ndarray:
        return np.asarray([STATUS_LABELS[s] for s in B12_STATUSES], dtype=object)[z]

    @property
    def present(self) -> list[str]:
        """The statuses the map shows, in B12_STATUSES order."""
        return [B12_STATUSES[i] for i in sorted(set(self.codes.tolist()))]


def _region_traces(grid: _MapGrid) -> list[dict[str, Any]]:
    """The coloured cells (map and strip), and a legend entry per status shown: words carry what colours show."""
    heat = {
        "type": "heatmap",
        "x": grid.b12_edges,
        "colorscale": _status_colorscale(),
        "zmin": -0.5,
        "zmax": len(B12_STATUSES) - 0.5,
        "showscale": False,
        "opacity": 0.55,
        "hoverongaps": False,
    }
    data: list[dict[str, Any]] = [
        {
            **heat,
            **_TOP,
            "y": grid.mma_edges,
            "z": grid.main_z,
            "customdata": grid.labels(grid.main_z),
            "hovertemplate": "B12 %{x:.0f} pg/mL, MMA %{y:.0f} nmol/L<br><b>%{customdata}</b><extra></extra>",
            "name": "B12 status",
            "meta": {"role": "regions"},
        },
        {
            **heat,
            **_STRIP,
            "y": [0.0, 1.0],
            "z": grid.strip_z,
            "customdata": grid.labels(grid.strip_z),
            "hovertemplate": "B12 %{x:.0f} pg/mL, MMA not measured<br><b>%{customdata}</b><extra></extra>",
            "name": "B12 status, MMA not measured",
            "meta": {"role": "regions_not_measured"},
        },
    ]
    for status in grid.present:
        data.append(
            {
                "type": "scatter",
                **_TOP,
                "x": [None],
                "y": [None],
                "mode": "markers",
                "marker": {"symbol": "square", "size": 14, "color": STATUS_COLOURS[status], "opacity": 0.7},
                "name": STATUS_LABELS[status],
                "legendgroup": "status",
                "hoverinfo": "skip",
                "meta": {"role": "legend"},
            }
        )
    return data


def _region_labels(grid: _MapGrid) -> list[dict[str, Any]]:
    """Each status's name in its region, at the cell nearest the region's area-weighted centre."""
    b12_edges, mma_edges, main_z = grid.b12_edges, grid.mma_edges, grid.main_z
    index = {s: i for i, s in enumerate(B12_STATUSES)}
    centres_b12 = (b12_edges[:-1] + b12_edges[1:]) / 2
    centres_mma = (mma_edges[:-1] + mma_edges[1:]) / 2
    annotations: list[dict[str, Any]] = []
    for status in grid.present:
        rows, cols = np.nonzero(main_z == index[status])
        if rows.size:
            weight = (b12_edges[cols + 1] - b12_edges[cols]) * (mma_edges[rows + 1] - mma_edges[rows])
            cx = float(np.average(centres_b12[cols], weights=weight))
            cy = float(np.average(centres_mma[rows], weights=weight))
            distance = (centres_b12[cols] - cx) ** 2 / grid.b12_hi**2 + (centres_mma[rows] - cy) ** 2 / grid.mma_hi**2
            nearest = int(np.argmin(distance))
            annotations.append(
                {
                    "x": float(centres_b12[cols[nearest]]),
                    "y": float(centres_mma[rows[nearest]]),
                    "xref": "x",
                    "yref": "y",
                    "text": f"<b>{wrap_text(STATUS_LABELS[status], 16)}</b>",
                    "showarrow": False,
                    "font": {"size": 12, "color": BLACK},
                    "bgcolor": "rgba(255,255,255,0.75)",
                }
            )
    return annotations


def _strip_labels(grid: _MapGrid) -> list[dict[str, Any]]:
    """Labels in the not-measured strip: one per run of the same status."""
    b12_edges, nx = grid.b12_edges, grid.nx
    strip_codes = grid.strip_z[0]
    starts = [0, *[i for i in range(1, nx) if strip_codes[i] != strip_codes[i - 1]]]
    annotations: list[dict[str, Any]] = []
    for a, b in itertools.pairwise([*starts, nx]):
        status = B12_STATUSES[int(strip_codes[a])]
        # As many characters as the run holds at the narrowest drawn width (a phone's 640 px frame, 11 px
        # text): one line, two, or an ellipsis with the words on hover and in the legend. A label wider than
        # its run ran over the frame's edge (issue 19).
        room = int(_STRIP_CHARS * (b12_edges[b] - b12_edges[a]) / grid.b12_hi)
        words = STATUS_LABELS[status]
        text = (
            plotly_text(words)
            if len(words) <= room
            else wrap_text(words, room)
            if len(textwrap.wrap(words, max(room, 1))) <= 2 and room >= 8
            else "…"
        )
        annotations.append(
            {
                "x": float((b12_edges[a] + b12_edges[b]) / 2),
                "y": 0.5,
                "xref": "x2",
                "yref": "y2",
                "text": text,
                "hovertext": plotly_text(STATUS_LABELS[status]),
                "showarrow": False,
                "font": {"size": 11, "color": BLACK},
                "bgcolor": "rgba(255,255,255,0.75)",
            }
        )
    return annotations


def _cutoff_traces(profiles: list[GuidelineProfile], profile: GuidelineProfile, grid: _MapGrid) -> list[dict[str, Any]]:
    """Cut-off lines, one trace per profile (and its strip); the chosen profile's are solid and thick."""
    data: list[dict[str, Any]] = []
    for p in profiles:
        chosen = p.id == profile.id
        line = {
            "color": BLACK if chosen else GREY,
            "width": 3.0 if chosen else 1.5,
            "dash": "solid" if chosen else p.line_dash,
        }
        name = f"{p.name} cut-offs" + (" (shown)" if chosen else "")
        xs: list[float | None] = []
        ys: list[float | None] = []
        for cut in (p.b12_low, p.b12_upper):
            xs += [cut, cut, None]
            ys += [0, grid.mma_hi, None]
        xs += [0, grid.b12_hi, None]
        ys += [p.mma_upper, p.mma_upper, None]
        hover = plotly_text(
            f"{p.name}: B12 < {p.b12_low:g} low, {p.b12_low:g}–{p.b12_upper:g} borderline; MMA > {p.mma_upper:g} raised"
        )
        data.append(
            {
                "type": "scatter",
                **_TOP,
                "x": xs,
                "y": ys,
                "mode": "lines",
                "line": line,
                "name": name,
                "legendgroup": f"cuts-{p.id}",
                "hoverinfo": "text",
                "text": hover,
                "meta": {"role": "cutoffs", "profile": p.id, "chosen": chosen},
            }
        )
        data.append(
            {
                "type": "scatter",
                **_STRIP,
                "x": [p.b12_low, p.b12_low, None, p.b12_upper, p.b12_upper],
                "y": [0.0, 1.0, None, 0.0, 1.0],
                "mode": "lines",
                "line": line,
                "name": name,
                "legendgroup": f"cuts-{p.id}",
                "showlegend": False,
                "hoverinfo": "skip",
                "meta": {"role": "cutoffs_strip", "profile": p.id},
            }
        )
    return data


def _cutoff_labels(profiles: list[GuidelineProfile], grid: _MapGrid) -> list[dict[str, Any]]:
    """Labels for the cut-off values, naming the profiles that share each one. Two B12 cut-offs close together
    (180 and 200) put their labels on either side of their lines, so they never overlap (issue 19)."""
    pairs = itertools.pairwise(grid.b12_cuts)
    crowded = {later for earlier, later in pairs if later - earlier < grid.b12_hi * _CROWDED}
    annotations: list[dict[str, Any]] = []
    for value, axis in [(c, "b12") for c in grid.b12_cuts] + [(c, "mma") for c in grid.mma_cuts]:
        owners = [
            p.short_name
            for p in profiles
            if (axis == "b12" and value in (p.b12_low, p.b12_upper)) or (axis == "mma" and value == p.mma_upper)
        ]
        common = {"text": plotly_text(f"{value:g}: {', '.join(owners)}"), "showarrow": False}
        if axis == "b12":
            annotations.append(
                {
                    **common,
                    "x": value,
                    "y": 1.0,
                    "xref": "x",
                    "yref": "y domain",
                    "textangle": -90,
                    "xanchor": "left" if value in crowded else "right",
                    "yanchor": "top",
                    "font": {"size": 11, "color": BLACK},
                }
            )
        else:
            annotations.append(
                {
                    **common,
                    "x": 1.0,
                    "y": value,
                    "xref": "x domain",
                    "yref": "y",
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "font": {"size": 11, "color": BLACK},
                }
            )
    return annotations


def _case_marker(
    point: tuple[float, float | None] | None, b12_hi: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The case as a star (in the strip when its MMA was not measured), and its label."""
    if point is None:
        return [], []
    b12, mma = point
    measured = mma is not None
    label = f"This case: B12 {b12:.0f} pg/mL, " + (f"MMA {mma:g} nmol/L" if measured else "MMA not measured")
    star = {
        "type": "scatter",
        **(_TOP if measured else _STRIP),
        "x": [b12],
        "y": [mma if measured else 0.5],
        "mode": "markers",
        "marker": {"symbol": "star", "size": 20, "color": BLACK, "line": {"color": WHITE, "width": 2}},
        "name": "This case",
        "hoverinfo": "text",
        "hovertext": plotly_text(label),
        "meta": {"role": "case", "mma_measured": measured},
        "cliponaxis": False,
    }
    left_half = b12 < b12_hi * 0.6
    note = {
        "x": b12,
        "y": mma if measured else 1.0,
        "xref": "x" if measured else "x2",
        "yref": "y" if measured else "y2",
        "text": f"<b>{plotly_text(label)}</b>",
        "showarrow": True,
        "arrowhead": 2,
        "ax": 40 if left_half else -40,
        "ay": -40,
        "xanchor": "left" if left_half else "right",
        "bgcolor": "rgba(255,255,255,0.9)",
        "bordercolor": BLACK,
        "font": {"size": 12, "color": BLACK},
    }
    return [star], [note]


def _map_layout(
    profile: GuidelineProfile, neuro: bool, grid: _MapGrid, annotations: list[dict[str, Any]]
) -> dict[str, Any]:
    """The map above, the not-measured strip below, sharing the B12 axis."""
    neuro_text = "with" if neuro else "without"
    layout = base_layout(
        f"B12 status by total B12 and MMA: {profile.name}",
        f"Cases {neuro_text} neurological symptoms. Lines: each profile's cut-offs; thick solid = the profile shown. "
        "The MMA line is one laboratory's upper limit (Mayo Clinic Laboratories, 271 nmol/L); others differ, and "
        "renal impairment raises MMA too.",
        height=640,
    )
    plain = {"showgrid": False, "zeroline": False}
    b12_hi, mma_hi = grid.b12_hi, grid.mma_hi
    layout.update(
        xaxis={**plain, "range": [0, b12_hi], "anchor": "y", "matches": "x2", "showticklabels": False},
        yaxis={**plain, "title": {"text": "MMA (nmol/L)"}, "range": [0, mma_hi], "domain": [0.2, 1.0]},
        xaxis2={**plain, "title": {"text": "Total B12 (pg/mL)"}, "range": [0, b12_hi], "anchor": "y2"},
        yaxis2={
            **plain,
            "range": [0, 1],
            "domain": [0.0, 0.12],
            "anchor": "x2",
            "tickvals": [0.5],
            "ticktext": [NOT_MEASURED],
            "fixedrange": True,
        },
        annotations=annotations,
        legend={**layout["legend"], "y": -0.17},
    )
    return layout
