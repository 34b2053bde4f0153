"""The batch page's two charts (appended to b12logic/figures.py): titles, axes, bars that match the counts."""

from __future__ import annotations

from b12logic import B12_STATUSES, ESR_FLAGS
from b12logic.batch_check import check_csv
from b12logic.engine import ESR_FLAG_LABELS, STATUS_LABELS
from b12logic.figures import batch_esr_flag_figure, batch_status_figure

DATA = b"age,sex,b12,esr,mma\n68,F,150,30,\n68,F,150,30,\n71,M,480,112,\n52,F,240,40,\n39,F,290,12,190\n"


def test_status_chart_matches_the_counts() -> None:
    check = check_csv(DATA)
    fig = batch_status_figure(check.status_counts)
    assert fig.layout.title.text == "Rows by B12 status"
    assert fig.layout.xaxis.title.text == "Number of rows"
    assert fig.layout.yaxis.title.text == "B12 status"
    (bar,) = fig.data
    assert list(bar.customdata) == list(B12_STATUSES)  # every status, in order, zeros included
    assert list(bar.x) == [check.status_counts[s] for s in B12_STATUSES]
    assert bar.x[0] == 2 and sum(bar.x) == 5
    assert bar.text[0] == "2 (40%)"  # the number is written beside the colour
    assert "B12 deficient" in bar.y[0] and STATUS_LABELS["normal"] in bar.y[-1]
    assert fig.layout.title.subtitle.text == "5 rows checked"


def test_flag_chart_matches_the_counts() -> None:
    check = check_csv(DATA)
    fig = batch_esr_flag_figure(check.flag_counts)
    assert fig.layout.title.text == "Rows by ESR flag"
    assert fig.layout.xaxis.title.text == "Number of rows"
    assert fig.layout.yaxis.title.text == "ESR flag"
    (bar,) = fig.data
    assert list(bar.customdata) == list(ESR_FLAGS)
    assert list(bar.x) == [3, 1, 1]
    assert bar.y[0] == ESR_FLAG_LABELS["normal"]
    assert len(set(bar.marker.color)) == 3  # each flag its own colour, and its own label


def test_empty_counts_do_not_divide_by_zero() -> None:
    fig = batch_status_figure(dict.fromkeys(B12_STATUSES, 0))
    assert list(fig.data[0].text) == ["0"] * len(B12_STATUSES)


def test_small_counts_get_whole_row_ticks() -> None:
    from b12logic.figures import batch_esr_flag_figure

    small = batch_esr_flag_figure({"normal": 2, "elevated": 1, "markedly_elevated": 0})
    large = batch_esr_flag_figure({"normal": 2000, "elevated": 100, "markedly_elevated": 3})
    assert small.layout.xaxis.dtick == 1
    assert large.layout.xaxis.dtick is None
    assert small.layout.xaxis.tickformat == ",d"
