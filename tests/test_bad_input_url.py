"""Bad-input catalogue, shareable links: a hand-edited URL never breaks a page.

Every bad query parameter falls back to its default with a warning that names it; parse_query is
tested directly for the exact text, then through the running app (AppTest) for what the user sees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from b12logic.urlstate import CASE_PARAMS, EXTRA_PARAMS, default_values, parse_query

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# (id, params, exact warnings, values expected afterwards)
CASES: list[tuple[str, dict[str, Any], list[str], dict[str, Any]]] = [
    (
        "garbage-number",
        {"age": "abc"},
        ["Link parameter age ignored: age: 'abc' is not a number (16 to 110 years). Using 68 years."],
        {"age": 68.0},
    ),
    (
        "repeated",
        {"age": ["70", "80"]},
        ["Link parameter age appears 2 times; using the last value."],
        {"age": 80.0},
    ),
    (
        "repeated-last-bad",
        {"esr": ["40", "x"]},
        [
            "Link parameter esr appears 2 times; using the last value.",
            "Link parameter esr ignored: esr: 'x' is not a number (0 to 200 mm/h). Using 30 mm/h.",
        ],
        {"esr": 30.0},
    ),
    (
        "empty-required",
        {"age": ""},
        ["Link parameter age ignored: age: missing; it is required (16 to 110 years). Using 68 years."],
        {"age": 68.0},
    ),
    ("empty-optional-means-not-measured", {"mma": ""}, [], {"mma": None}),
    ("empty-list", {"age": []}, [], {"age": 68.0}),
    (
        "huge",
        {"b12": "9" * 5000},
        ["Link parameter b12 ignored: value is 5000 characters long."],
        {"b12": 250.0},
    ),
    (
        "nan",
        {"esr": "nan"},
        ["Link parameter esr ignored: esr: 'nan' is not a number (0 to 200 mm/h). Using 30 mm/h."],
        {"esr": 30.0},
    ),
    (
        "inf",
        {"b12": "inf"},
        ["Link parameter b12 ignored: b12: 'inf' is not a number (above 0 up to 10000 pg/mL). Using 250 pg/mL."],
        {"b12": 250.0},
    ),
    (
        "minus-inf",
        {"mcv": "-inf"},
        ["Link parameter mcv ignored: mcv: '-inf' is not a number (50 to 150 fL). Using not measured."],
        {"mcv": None},
    ),
    (
        "overflow-to-inf",
        {"b12": "1e999"},
        ["Link parameter b12 ignored: b12: inf is not a finite number (above 0 up to 10000 pg/mL). Using 250 pg/mL."],
        {"b12": 250.0},
    ),
    ("unknown-name", {"foo": "1"}, ["Unknown link parameter 'foo' ignored."], {}),
    (
        "unknown-name-markup",
        {"<script>alert(1)</script>": "x"},
        ["Unknown link parameter '<script>alert(1)</script>' ignored."],
        {},
    ),
    ("streamlit-own-param", {"embed": "true"}, [], {}),
    (
        "sex-garbage",
        {"sex": "x"},
        ["Link parameter sex ignored: sex: 'x' is not accepted (one of female, male, F, M). Using 'female'."],
        {"sex": "female"},
    ),
    (
        "sex-empty",
        {"sex": ""},
        ["Link parameter sex ignored: sex: missing; it is required (one of female, male, F, M). Using 'female'."],
        {"sex": "female"},
    ),
    (
        "unit-garbage",
        {"b12_unit": "mg"},
        ["Link parameter b12_unit ignored: b12_unit: 'mg' is not a known unit (one of pg/mL, pmol/L). Using 'pg/mL'."],
        {"b12_unit": "pg/mL"},
    ),
    (
        "hb-g-l-value-as-g-dl",
        {"hb": "120"},
        [
            "Link parameter hb ignored: hb: 120 g/dL is outside the allowed range (3 to 25 g/dL); did you mean g/L? "
            "Using not measured."
        ],
        {"hb": None},
    ),
    (
        "b12-pg-value-in-pmol",
        {"b12": "8000", "b12_unit": "pmol/L"},
        [
            "Link parameter b12 ignored: b12: 8000 pmol/L is outside the allowed range (above 0 up to 7380 pmol/L); "
            "did you mean pg/mL? Using 184.5 pmol/L."
        ],
        {"b12": 184.5, "b12_unit": "pmol/L"},
    ),
    (
        "age-15",
        {"age": "15"},
        ["Link parameter age ignored: age: 15 years is outside the allowed range (16 to 110 years). Using 68 years."],
        {"age": 68.0},
    ),
    (
        "flag-garbage",
        {"neuro_symptoms": "maybe"},
        [
            "Link parameter neuro_symptoms ignored: neuro_symptoms: 'maybe' is not yes or no "
            "(yes/no/true/false/y/n/1/0). Using no."
        ],
        {"neuro_symptoms": False},
    ),
    (
        "guideline-garbage",
        {"guideline": "who"},
        ["Link parameter guideline ignored: 'who' is not one of source, nice-ng239, bsh-2014, custom. Using source."],
        {"guideline": "source"},
    ),
    (
        "risk-factor-garbage",
        {"risk_factors": "metformin,smoking"},
        [
            "Link parameter risk_factors ignored: risk_factors: 'smoking' is not known (any of pernicious_anaemia, "
            "autoimmune_disease, gastric_surgery, bowel_disease, metformin, acid_suppression, vegan_diet, nitrous_oxide). Using none."
        ],
        {"risk_factors": frozenset()},
    ),
    (
        "lab-cutoff-underscore",
        {"lab_b12_low": "1_000"},
        ["Link parameter lab_b12_low ignored: '1_000' is not a number from 1 to 10000 pg/mL. Using 180."],
        {"lab_b12_low": 180.0},
    ),
    (
        "lab-cutoff-nan",
        {"lab_mma_upper": "nan"},
        ["Link parameter lab_mma_upper ignored: 'nan' is not a number from 1 to 100000 nmol/L. Using 271."],
        {"lab_mma_upper": 271.0},
    ),
    (
        "lab-cutoffs-crossed",
        {"guideline": "custom", "lab_b12_low": "400", "lab_b12_upper": "300"},
        [
            "Link parameters lab_b12_low and lab_b12_upper ignored: the upper cut-off is below the low one. "
            "Using 180 and 350."
        ],
        {"lab_b12_low": 180.0, "lab_b12_upper": 350.0, "guideline": "custom"},
    ),
]


@pytest.mark.parametrize(("params", "warnings", "values"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parse_query_falls_back_with_a_warning(
    params: dict[str, Any], warnings: list[str], values: dict[str, Any]
) -> None:
    state = parse_query(params)
    assert state.warnings == warnings
    expected = {**default_values(), **values}
    if values.get("b12_unit") == "pmol/L":
        expected["b12"] = values["b12"]
    assert state.values == expected
    state.case()  # the fallback case is valid


ALL_GARBAGE = {name: "\x00<b>garbage</b>" for name in (*CASE_PARAMS, *EXTRA_PARAMS)}


def test_every_parameter_garbage_at_once_gives_defaults_and_names_each() -> None:
    state = parse_query(ALL_GARBAGE)
    assert state.values == default_values()
    for name in ALL_GARBAGE:
        assert any(w.startswith(f"Link parameter {name} ignored") for w in state.warnings), name


def test_every_parameter_repeated_and_huge() -> None:
    state = parse_query({name: ["1", "y" * 100] for name in (*CASE_PARAMS, *EXTRA_PARAMS)})
    assert state.values == default_values()
    for name in (*CASE_PARAMS, *EXTRA_PARAMS):
        assert f"Link parameter {name} appears 2 times; using the last value." in state.warnings
        assert f"Link parameter {name} ignored: value is 100 characters long." in state.warnings


# --- through the running app


HEADLINE = "This link had values the app could not use; it shows defaults for them:"


def run_app(params: dict[str, Any]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    return at


def shown_warnings(at: AppTest) -> str:
    """The URL warning box: its st.warning headline and the st.text line under it for each parameter."""
    return "\n".join([w.value for w in at.warning] + [t.value for t in at.text])


def test_app_with_every_parameter_garbage() -> None:
    at = run_app(ALL_GARBAGE | {"bogus": "1"})
    assert not at.exception
    assert HEADLINE in [w.value for w in at.warning]
    shown = shown_warnings(at)
    # The app lists the first ten warnings, one plain-text line each, and counts the rest.
    listed = parse_query(ALL_GARBAGE | {"bogus": "1"}).warnings
    expected = [*listed[:10], f"... and {len(listed) - 10} more."]
    texts = [t.value for t in at.text]
    start = texts.index(expected[0])
    assert texts[start : start + len(expected)] == expected
    for name in ("bogus", "sex", "b12_unit", "mma_unit", "hb_unit", "age", "b12", "esr"):
        assert name in shown, name
    assert at.sidebar.slider(key="in_age").value == 68.0
    # The page then writes a clean link for the case it shows.
    assert at.query_params["age"] in ("68", ["68"])


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"age": ["70", "80"]}, "Link parameter age appears 2 times"),
        ({"b12": "9" * 10_000}, "Link parameter b12 ignored: value is 10000 characters long."),
        ({"esr": "inf", "mcv": "nan"}, "Link parameter mcv ignored: mcv: 'nan' is not a number"),
        ({"age": ""}, "Link parameter age ignored: age: missing"),
        ({"<img src=x onerror=alert(1)>": "1"}, "Unknown link parameter '<img src=x onerror=alert(1)>' ignored."),
        ({"hb": "120"}, "did you mean g/L?"),
    ],
    ids=["repeated", "huge", "nan-inf", "empty", "markup-name", "hb-unit-slip"],
)
def test_app_shows_a_warning_naming_the_parameter(params: dict[str, Any], named: str) -> None:
    at = run_app(params)
    assert not at.exception
    assert at.warning, "no warning shown"
    assert named in shown_warnings(at)


def test_app_with_a_repeated_parameter_uses_the_last_value() -> None:
    at = run_app({"age": ["70", "80"], "sex": "M"})
    assert not at.exception
    assert at.sidebar.slider(key="in_age").value == 80.0
    assert at.sidebar.radio(key="in_sex").value == "male"


def test_app_with_a_good_link_shows_no_warning_and_dismiss_clears_them() -> None:
    at = run_app({"age": "71", "sex": "male", "b12": "260", "esr": "36"})
    assert not at.exception
    assert "Link parameter" not in shown_warnings(at) and HEADLINE not in shown_warnings(at)
    at = run_app({"age": "abc"})
    assert HEADLINE in shown_warnings(at)
    at.button(key="dismiss_url_warnings").click().run()
    assert not at.exception
    assert "Link parameter" not in shown_warnings(at) and HEADLINE not in shown_warnings(at)
