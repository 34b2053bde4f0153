"""figures.py builders for the treatment and comparison pages: timeline, region map, ESR by age."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from b12logic import Case, evaluate, evaluate_frame
from b12logic.engine import B12_STATUSES, STATUS_LABELS
from b12logic.esr import NAIVE_ESR_CUTOFF, WETTELAND_CENTILES, esr_upper_limit
from b12logic.figures import (
    OKABE_ITO,
    STATUS_COLOURS,
    esr_by_age_figure,
    region_map_figure,
    treatment_timeline_figure,
)
from b12logic.guidelines import PROFILES, custom_profile
from b12logic.treatment import DAYS_PER_MONTH, treatment_events

CASES = {
    "im_neuro": Case(age=70, sex="female", b12=150, esr=30, neuro_symptoms=True),
    "im_standard": Case(age=70, sex="female", b12=90, esr=30),
    "oral_or_im": Case(age=70, sex="female", b12=150, esr=30),
    "pending_tests": Case(age=70, sex="female", b12=250, esr=30),
    "none": Case(age=40, sex="male", b12=500, esr=5),
}
ALL_PROFILES = [*PROFILES.values(), custom_profile(b12_low=145, b12_upper=250, mma_upper=300)]


def traces(fig: go.Figure, role: str) -> list:
    return [t for t in fig.data if t.meta and t.meta.get("role") == role]


def title_of(fig: go.Figure) -> str:
    return fig.layout.title.text


# --- Treatment timeline ------------------------------------------------------------------------------


@pytest.mark.parametrize("regimen", ["im_neuro", "im_standard", "oral_or_im"])
def test_timeline_markers_are_the_events(regimen: str) -> None:
    assessment = evaluate(CASES[regimen])
    assert assessment.regimen == regimen
    events = treatment_events(assessment, months=14)
    fig = treatment_timeline_figure(assessment, months=14)
    for kind in ("loading", "maintenance", "monitoring", "monitoring_compare"):
        timed = [e["day"] for e in events if e["kind"] == kind and e["day"] is not None]
        drawn = traces(fig, kind)
        assert drawn, kind
        months = [t for t in drawn if t.xaxis == "x2"]
        assert len(months) == 1
        assert list(months[0].x) == pytest.approx([d / DAYS_PER_MONTH for d in timed]), kind
    days_panel = [t for t in traces(fig, "loading") if t.xaxis == "x"]
    assert list(days_panel[0].x) == [e["day"] for e in events if e["kind"] == "loading"]


def test_timeline_shows_six_standard_loading_doses_and_the_2_to_3_month_windows() -> None:
    fig = treatment_timeline_figure(evaluate(CASES["im_standard"]))
    (days,) = [t for t in traces(fig, "loading") if t.xaxis == "x"]
    assert len(days.x) == 6
    windows = traces(fig, "maintenance_window")
    assert windows and "2–3 months" in windows[0].name
    assert not traces(fig, "loading_open")
    assert not traces(fig, "oral")


def test_timeline_neuro_loading_is_open_ended_and_maintenance_has_no_window() -> None:
    fig = treatment_timeline_figure(evaluate(CASES["im_neuro"]))
    assert traces(fig, "loading_open") and traces(fig, "loading_open_end")
    assert "no further improvement" in traces(fig, "loading_open_end")[0].name
    assert not traces(fig, "maintenance_window")  # every 2 months, a fixed interval
    texts = [a.text for a in fig.layout.annotations]
    assert any("until no further improvement" in t for t in texts)


def test_timeline_oral_band_only_when_offered_and_for_life_is_labelled() -> None:
    oral_fig = treatment_timeline_figure(evaluate(CASES["oral_or_im"]))
    (band_days, band_months) = traces(oral_fig, "oral")
    assert band_days.fill == "toself" and max(x for x in band_days.x if x is not None) == round(14 * DAYS_PER_MONTH)
    assert max(x for x in band_months.x if x is not None) == pytest.approx(round(14 * DAYS_PER_MONTH) / DAYS_PER_MONTH)
    texts = " ".join(a.text for a in oral_fig.layout.annotations)
    assert "for life" in texts and "reversible cause" in texts and "NICE NG239" in texts
    assert "Oral alternative" in oral_fig.layout.yaxis.ticktext
    im_fig = treatment_timeline_figure(evaluate(CASES["im_standard"]))
    assert not traces(im_fig, "oral") and "Oral alternative" not in im_fig.layout.yaxis.ticktext
    assert "for life" in " ".join(a.text for a in im_fig.layout.annotations)


def test_timeline_lanes_name_both_schedules() -> None:
    fig = treatment_timeline_figure(evaluate(CASES["im_standard"]))
    assert list(fig.layout.yaxis.ticktext)[-2:] == ["Checks: Source answer", "Checks: NICE NG239"]
    nice = treatment_timeline_figure(evaluate(CASES["im_standard"], "nice-ng239"))
    assert list(nice.layout.yaxis.ticktext)[-2:] == ["Checks: NICE NG239", "Checks: Source answer"]


@pytest.mark.parametrize("regimen", ["none", "pending_tests"])
def test_timeline_without_treatment_draws_no_events(regimen: str) -> None:
    fig = treatment_timeline_figure(evaluate(CASES[regimen]))
    assert not fig.data
    assert "No B12 treatment" in fig.layout.annotations[-1].text


def test_timeline_title_and_axis_labels() -> None:
    fig = treatment_timeline_figure(evaluate(CASES["oral_or_im"]))
    assert title_of(fig) == "Treatment and monitoring timeline"
    assert fig.layout.xaxis.title.text == "Days since the first dose"
    assert fig.layout.xaxis2.title.text == "Months since the first dose"
    for t in fig.data:
        assert t.name  # every trace is named in the legend (never colour alone)


# --- Region map ----------------------------------------------------------------------------------------


def heat(fig: go.Figure, role: str) -> go.Heatmap:
    (trace,) = traces(fig, role)
    return trace


def colour_of(trace: go.Heatmap, z: float) -> str:
    """The colour a stepped colour scale gives value z (zmin..zmax)."""
    position = (z - trace.zmin) / (trace.zmax - trace.zmin)
    for (lo, colour), (hi, _) in zip(trace.colorscale[::2], trace.colorscale[1::2], strict=True):
        if lo <= position <= hi:
            return colour
    raise AssertionError(z)


@pytest.mark.parametrize(
    ("profile", "neuro"),
    [(PROFILES["source"], False), (PROFILES["source"], True), (PROFILES["bsh-2014"], False), (ALL_PROFILES[-1], True)],
)
def test_region_colours_match_evaluate_frame_at_sampled_cells(profile, neuro) -> None:
    fig = region_map_figure(profile, neuro, None, ALL_PROFILES)
    rng = np.random.default_rng(7)
    rows = []
    main = heat(fig, "regions")
    x, y, z = np.asarray(main.x), np.asarray(main.y), np.asarray(main.z)
    for _ in range(60):
        i, j = rng.integers(0, z.shape[0]), rng.integers(0, z.shape[1])
        rows.append(((x[j] + x[j + 1]) / 2, (y[i] + y[i + 1]) / 2, z[i, j], main))
    strip = heat(fig, "regions_not_measured")
    sx, sz = np.asarray(strip.x), np.asarray(strip.z)
    for j in rng.integers(0, sz.shape[1], 20):
        rows.append(((sx[j] + sx[j + 1]) / 2, np.nan, sz[0, j], strip))
    frame = pd.DataFrame(
        {"age": 50, "sex": "male", "b12": [r[0] for r in rows], "esr": 10, "mma": [r[1] for r in rows]}
    ).assign(neuro_symptoms=neuro)
    expected = evaluate_frame(frame, guideline=profile)["b12_status"].tolist()
    for (_, _, code, trace), status in zip(rows, expected, strict=True):
        assert B12_STATUSES[int(code)] == status
        assert colour_of(trace, code) == STATUS_COLOURS[status]


def test_region_boundaries_fall_on_the_profile_cut_offs() -> None:
    for profile in ALL_PROFILES:
        regions = heat(region_map_figure(profile, False, None, ALL_PROFILES), "regions")
        x, y = list(regions.x), list(regions.y)
        assert profile.b12_low in x and profile.b12_upper in x and profile.mma_upper in y


def test_switching_profile_moves_the_boundaries() -> None:
    def deficient_width(profile) -> float:
        trace = heat(region_map_figure(profile, False, None, ALL_PROFILES), "regions_not_measured")
        edges, codes = np.asarray(trace.x), np.asarray(trace.z)[0]
        widths = np.diff(edges)
        return float(widths[codes == B12_STATUSES.index("deficient")].sum())

    assert deficient_width(PROFILES["source"]) == pytest.approx(180)
    assert deficient_width(PROFILES["bsh-2014"]) == pytest.approx(200)
    assert deficient_width(ALL_PROFILES[-1]) == pytest.approx(145)


def test_every_profile_has_cut_off_lines_and_the_chosen_one_is_solid() -> None:
    fig = region_map_figure(PROFILES["bsh-2014"], False, None, ALL_PROFILES)
    lines = traces(fig, "cutoffs")
    assert {t.meta["profile"] for t in lines} == {p.id for p in ALL_PROFILES}
    (chosen,) = [t for t in lines if t.meta["chosen"]]
    assert chosen.meta["profile"] == "bsh-2014" and chosen.line.dash == "solid"
    assert 200 in chosen.x and 350 in chosen.x and 271 in chosen.y
    assert all(t.line.dash != "solid" for t in lines if not t.meta["chosen"])


def test_case_point_is_where_the_case_is() -> None:
    measured = Case(age=70, sex="female", b12=250, esr=30, mma=0.32, mma_unit="µmol/L")
    (point,) = traces(region_map_figure(PROFILES["source"], False, measured, ALL_PROFILES), "case")
    assert point.x[0] == pytest.approx(250) and point.y[0] == pytest.approx(320)
    assert point.yaxis == "y" and point.meta["mma_measured"] is True
    pmol = Case(age=70, sex="female", b12=150, b12_unit="pmol/L", esr=30)
    (strip_point,) = traces(region_map_figure(PROFILES["source"], False, pmol, ALL_PROFILES), "case")
    assert strip_point.x[0] == pytest.approx(150 / 0.738)
    assert strip_point.yaxis == "y2" and strip_point.meta["mma_measured"] is False
    assert not traces(region_map_figure(PROFILES["source"], False, None, ALL_PROFILES), "case")


def test_case_far_out_of_range_is_still_on_the_map() -> None:
    case = Case(age=70, sex="female", b12=3000, esr=30, mma=5000)
    fig = region_map_figure(PROFILES["source"], True, case, ALL_PROFILES)
    assert fig.layout.xaxis2.range[1] >= 3000 and fig.layout.yaxis.range[1] >= 5000


def test_region_map_labels_title_and_axes() -> None:
    fig = region_map_figure(PROFILES["source"], True, None, ALL_PROFILES)
    assert "Source answer" in title_of(fig)
    assert fig.layout.xaxis2.title.text == "Total B12 (pg/mL)"
    assert fig.layout.yaxis.title.text == "MMA (nmol/L)"
    assert list(fig.layout.yaxis2.ticktext) == ["MMA not measured"]
    legend_names = {t.name for t in traces(fig, "legend")}
    annotation_text = " ".join(a.text for a in fig.layout.annotations)
    for status in ("deficient", "functional_deficiency", "normal"):
        assert STATUS_LABELS[status] in legend_names
        assert STATUS_LABELS[status].split()[0] in annotation_text  # named in the picture, not by colour alone


def test_status_colours_are_okabe_ito_and_distinct() -> None:
    assert set(STATUS_COLOURS) == set(B12_STATUSES)
    assert set(STATUS_COLOURS.values()) <= set(OKABE_ITO)
    assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS)


# --- ESR by age ----------------------------------------------------------------------------------------


def test_esr_lines_equal_esr_upper_limit_at_sampled_ages() -> None:
    fig = esr_by_age_figure(None)
    for sex in ("female", "male"):
        (line,) = [t for t in traces(fig, "miller") if t.meta["sex"] == sex]
        ages = list(line.x)
        assert ages[0] == 16 and ages[-1] == 100
        for age in (16, 33, 50, 68, 85, 100):
            assert line.y[ages.index(age)] == pytest.approx(esr_upper_limit(age, sex))
    (naive,) = traces(fig, "naive")
    assert set(naive.y) == {NAIVE_ESR_CUTOFF}


def test_esr_centiles_are_wettelands() -> None:
    fig = esr_by_age_figure(None)
    for sex, points in WETTELAND_CENTILES.items():
        (trace,) = [t for t in traces(fig, "centiles") if t.meta["sex"] == sex]
        assert list(zip(trace.x, trace.y, strict=True)) == list(points)


def test_esr_case_point_and_its_words() -> None:
    case = Case(age=70, sex="male", b12=150, esr=40)
    fig = esr_by_age_figure(case)
    (point,) = traces(fig, "case")
    assert (point.x[0], point.y[0]) == (70, 40)
    assert any("above the limit of 35 mm/h" in a.text.replace("<br>", " ") for a in fig.layout.annotations)
    assert not traces(esr_by_age_figure(None), "case")


def test_esr_title_and_axis_labels() -> None:
    fig = esr_by_age_figure(Case(age=30, sex="female", b12=150, esr=180))
    assert title_of(fig) == "ESR upper limit of normal by age and sex"
    assert fig.layout.xaxis.title.text == "Age (years)"
    assert fig.layout.yaxis.title.text == "ESR (mm/h)"
    assert fig.layout.yaxis.range[1] > 180  # a very high ESR stays on the chart


def test_esr_marked_line_only_when_the_chart_reaches_it() -> None:
    assert not traces(esr_by_age_figure(Case(age=70, sex="female", b12=150, esr=30)), "marked")
    (marked,) = traces(esr_by_age_figure(Case(age=30, sex="male", b12=150, esr=130)), "marked")
    assert set(marked.y) == {100}


def test_region_map_is_cached_but_never_shares_state_between_profiles() -> None:
    first = heat(region_map_figure(PROFILES["source"], False, None, ALL_PROFILES), "regions_not_measured")
    heat(region_map_figure(PROFILES["bsh-2014"], False, None, ALL_PROFILES), "regions_not_measured")
    again = heat(region_map_figure(PROFILES["source"], False, None, ALL_PROFILES), "regions_not_measured")
    assert np.array_equal(np.asarray(first.z), np.asarray(again.z))
