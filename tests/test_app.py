"""AppTest for app.py and the Explorer: the verdict is the engine's, the case lives in the URL and survives pages."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from b12logic import B12_STATUSES, Case, evaluate
from b12logic.esr import esr_upper_limit
from b12logic.urlstate import LAB_DEFAULTS, default_values, query_from_values
from ui.explorer import BACKGROUND_KEY
from ui.state import MORE_LABS_KEY

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# Query parameters (as a link would carry them) for a case of every b12_status.
STATUS_LINKS: dict[str, dict[str, Any]] = {
    "deficient": {"age": "68", "sex": "female", "b12": "150", "esr": "30"},
    "functional_deficiency": {"age": "71", "sex": "male", "b12": "250", "mma": "340", "esr": "36"},
    "indeterminate_needs_mma": {"age": "30", "sex": "female", "b12": "250", "esr": "25"},
    "not_confirmed": {"age": "55", "sex": "female", "b12": "300", "mma": "200", "esr": "10"},
    "normal_needs_mma_hcy": {"age": "80", "sex": "male", "b12": "500", "esr": "45", "neuro_symptoms": "yes"},
    "normal": {"age": "25", "sex": "male", "b12": "600", "esr": "5"},
}


def run_app(params: dict[str, Any] | None = None, background_open: bool = True) -> AppTest:
    """The app on this link. `background_open`: the Explorer's folded "Background" section opened, as a tap does
    (it is drawn only while open), so a test sees every statement of the verdict."""
    at = AppTest.from_file(APP, default_timeout=30)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    if background_open:
        at.session_state[BACKGROUND_KEY] = True
    at.run()
    return at


def test_background_is_folded_and_drawn_only_when_opened() -> None:
    params = STATUS_LINKS["deficient"]
    a = evaluate(case_from_link(params))
    background = [s.text for s in a.statements("background")]
    assert background, "this case has background statements"
    closed = run_app(params, background_open=False)
    assert [e.label for e in closed.expander if e.label.startswith("Background")] == [
        "Background: caveats and pitfalls for this case"
    ]
    assert not any(_unescape(background[0])[:40] in _unescape(m.value) for m in closed.markdown)
    closed.session_state[BACKGROUND_KEY] = True  # opened
    closed.run()
    assert any(_unescape(background[0])[:40] in _unescape(m.value) for m in closed.markdown)


def case_from_link(params: dict[str, str]) -> Case:
    flags = {k: params[k] == "yes" for k in ("neuro_symptoms", "on_folic_acid") if k in params}
    numbers = {k: float(params[k]) for k in ("age", "b12", "esr", "mma", "hb", "mcv") if k in params}
    return Case(sex=params["sex"], **numbers, **flags)  # type: ignore[arg-type]


def _unescape(markdown: str) -> str:
    """The text a reader sees for our escaped Markdown (ui.render.escape puts a backslash before < and >)."""
    return markdown.replace("\\<", "<").replace("\\>", ">")


def headings(at: AppTest) -> list[str]:
    """The page's section headings, in order, as written: st.subheader's, and those that open a Markdown block
    (ui/render.py heading: "### ..."; the Explorer draws a heading and its section as one element)."""
    found = [s.value for s in at.subheader]
    for m in at.markdown:
        found += [line.removeprefix("### ") for line in m.value.splitlines() if line.startswith("### ")]
    return found


def verdict(at: AppTest) -> str:
    """The verdict heading as shown: 'B12 status: <label>'."""
    lines = [_unescape(h) for h in headings(at) if h.startswith("B12 status: ")]
    assert len(lines) == 1, lines
    return lines[0]


def esr_line(at: AppTest) -> str:
    lines = [_unescape(h) for h in headings(at) if h.startswith("ESR: ")]
    assert len(lines) == 1, lines
    return lines[0]


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def chart_spec(at: AppTest, key: str) -> dict[str, Any]:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key))
    return json.loads(chart.proto.spec)


FULL_SIZE_KEY = "decision_full_size"


def decision_picture(at: AppTest, which: int = 0) -> tuple[str, str]:
    """The Explorer's decision flowchart image: its SVG text and its alt text. Two images: the wide drawing and
    the phone outline; a third, the wide drawing again, under the phone's "full-size" expander once it is opened
    (drawn only then: ui/layout.py lazy_expander). which=2 opens it, as a tap does."""
    if which == 2 and not full_size_open(at):
        at.session_state[FULL_SIZE_KEY] = True
        at.run()
    images = at.get("image")
    assert len(images) == (3 if full_size_open(at) else 2)
    image = images[which]
    url, alt = image.proto.imgs[0].url, image.proto.imgs[0].alt
    assert url.startswith("data:image/svg+xml;base64,"), url[:40]
    return base64.b64decode(url.split(",", 1)[1]).decode(), alt


def full_size_open(at: AppTest) -> bool:
    return FULL_SIZE_KEY in at.session_state and bool(at.session_state[FULL_SIZE_KEY])


def highlighted_in_picture(svg: str) -> list[str]:
    """Node ids drawn as this case's path, in drawing order (B12 tree, then ESR tree)."""
    return [
        g.get("data-node") for g in ET.fromstring(svg).iter() if g.get("data-state") == "path" and g.get("data-node")
    ]


def url_params(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_default_case_runs_and_shows_both_panels() -> None:
    at = run_app()
    assert not at.exception
    expected = evaluate(Case(**{k: v for k, v in default_values().items() if k in Case.__dataclass_fields__}))
    assert verdict(at) == f"B12 status: {expected.headline}"
    assert esr_line(at) == f"ESR: {expected.esr_flag_label}"
    text = markdown_text(at)
    assert "Working definition: B12 \\< 100 pg/mL or Hb \\< 8 g/dL" in text
    assert "does not change the B12 plan" in "\n".join(i.value for i in at.info)
    # The flowchart is a picture by default, with the path in words as its alt text.
    svg, alt = decision_picture(at)
    assert alt.startswith("B12 work-up path: Suspected B12 deficiency, then Total B12?")
    assert "Decision path for this case" in svg
    assert not at.get("plotly_chart")
    at.toggle(key="decision_interactive").set_value(True).run()
    assert chart_spec(at, "decision_figure")["layout"]["title"]["text"] == "Decision path for this case"
    assert not at.get("image")
    # The Why? list is numbered, one sentence per decision, in order.
    why = next(m.value for m in at.markdown if "### Why?" in m.value).split("### Why?\n\n")[1]
    assert why.startswith("1. ")
    assert len(why.splitlines()) == len(expected.why)
    assert any(e.label.startswith("Background") for e in at.expander)


def test_every_status_is_covered() -> None:
    assert {evaluate(case_from_link(p)).b12_status for p in STATUS_LINKS.values()} == set(B12_STATUSES)


@pytest.mark.parametrize("status", STATUS_LINKS)
def test_explorer_shows_the_engines_verdict(status: str) -> None:
    params = STATUS_LINKS[status]
    at = run_app(params)
    assert not at.exception
    a = evaluate(case_from_link(params))
    assert a.b12_status == status
    assert verdict(at) == f"B12 status: {a.headline}"
    assert esr_line(at) == f"ESR: {a.esr_flag_label}"
    text = markdown_text(at)
    sex_rule = "women (age + 10)/2" if a.case.sex == "female" else "men age/2"
    assert f"ESR {a.case.esr:g} mm/h vs upper limit {a.esr_upper_limit:g} mm/h (Miller 1983: {sex_rule})" in text
    shown_text = text + "\n".join(e.value for e in at.error)
    for step in (*a.next_steps, *a.esr_workup):
        said = step.text.split(":")[0].replace("<", "\\<").replace(">", "\\>")
        assert said in shown_text
        if step.kind == "do_now":  # said once: in the Do-now block, not again in a list
            assert said not in text, said
    if a.regimen_detail is not None:
        assert f"**Drug:** {a.regimen_detail.drug}" in text
    assert ("**Or by mouth**" in text) == a.oral_alternative
    # Pitfall alerts: exactly the engine's, with heading as title.
    shown = [e.proto.title for e in (*at.error, *at.warning) if e.proto.title]
    assert sorted(shown) == sorted(p.heading for p in a.pitfalls)
    # The decision picture highlights this case's path, and so does the interactive chart.
    svg, alt = decision_picture(at)
    path_nodes = [*a.decision_path, *a.esr_path]
    assert sorted(highlighted_in_picture(svg)) == sorted(path_nodes)
    assert alt.endswith(".") and "ESR work-up path, separate:" in alt
    at.toggle(key="decision_interactive").set_value(True).run()
    spec = chart_spec(at, "decision_figure")
    highlighted = [
        i
        for t in spec["data"]
        if t.get("meta", {}).get("state") == "path" and "ids" in t["meta"]
        for i in t["meta"]["ids"]
    ]
    assert highlighted == [*a.decision_path, *a.esr_path]


def test_decision_chart_reaches_the_page_as_the_full_figure() -> None:
    """The page sends a ReadyFigure (no per-rerun copies): the browser must get the go.Figure's JSON."""
    import plotly.io as pio

    from b12logic.figures import decision_figure
    from b12logic.guidelines import get_profile

    params = STATUS_LINKS["functional_deficiency"]
    at = run_app(params)
    at.toggle(key="decision_interactive").set_value(True).run()
    expected = json.loads(pio.to_json(decision_figure(evaluate(case_from_link(params)), get_profile("source"))))
    assert chart_spec(at, "decision_figure") == expected
    assert expected["layout"]["template"]  # the template Streamlit registers is part of what is compared


def test_esr_teaches_the_naive_cutoff() -> None:
    # A 68-year-old woman with ESR 30: above the fixed 20 mm/h line but normal for her age and sex.
    at = run_app({"age": "68", "sex": "female", "b12": "400", "esr": "30"})
    text = markdown_text(at)
    assert "A fixed cut-off would flag this ESR: for a" in text and "within the age-adjusted limit" in text
    assert esr_line(at) == "ESR: ESR normal for age and sex"
    # A 30-year-old man with ESR 18: below 20 but above his limit of 15.
    at = run_app({"age": "30", "sex": "male", "b12": "400", "esr": "18"})
    assert "A fixed cut-off would miss it" in markdown_text(at)
    assert esr_line(at) == "ESR: ESR elevated for age and sex"


def test_moving_the_b12_slider_changes_the_verdict_as_the_engine_says() -> None:
    params = {"age": "71", "sex": "male", "b12": "400", "esr": "36"}
    at = run_app(params)
    assert verdict(at) == "B12 status: No B12 deficiency"
    seen = set()
    for b12 in (300, 179, 95, 180, 351):
        at.sidebar.slider(key="in_b12").set_value(float(b12)).run()
        assert not at.exception
        a = evaluate(Case(age=71, sex="male", b12=b12, esr=36))
        assert verdict(at) == f"B12 status: {a.headline}", b12
        assert url_params(at)["b12"] == f"{b12:g}"
        seen.add(a.b12_status)
    assert seen == {"indeterminate_needs_mma", "deficient", "normal"}


def test_the_esr_never_changes_the_verdict() -> None:
    at = run_app({"age": "68", "sex": "female", "b12": "150", "esr": "10"})
    before = verdict(at)
    steps_before = [m.value for m in at.markdown if "the regimen for this case is" in m.value]
    assert steps_before
    for esr in (45.0, 120.0):
        at.sidebar.slider(key="in_esr").set_value(esr).run()
        assert verdict(at) == before
        assert [m.value for m in at.markdown if "the regimen for this case is" in m.value] == steps_before
    assert esr_line(at) == "ESR: ESR markedly elevated (≥ 100 mm/h)"


def test_query_params_round_trip() -> None:
    params = {
        "age": "71",
        "sex": "male",
        "b12": "250",
        "mma": "340",
        "esr": "36",
        "hb": "11",
        "neuro_symptoms": "yes",
        "on_folic_acid": "yes",
    }
    at = run_app(params)
    assert not at.exception
    values = at.session_state["_current"].values
    expected = query_from_values({**values, **LAB_DEFAULTS})
    assert url_params(at) == expected
    for name, value in params.items():
        assert expected[name] == value, name
    # A second app opened with the written link shows the same case.
    again = run_app(url_params(at))
    assert verdict(again) == verdict(at)
    assert again.session_state["_current"].values == values


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"b12": "abc"}, "b12"),
        ({"age": "500"}, "age"),
        ({"sex": "x"}, "sex"),
        ({"esr": ["10", "40"]}, "esr appears 2 times"),
        ({"colour": "blue"}, "'colour'"),
    ],
    ids=["b12-text", "age-out-of-range", "sex-unknown", "repeated", "unknown-name"],
)
def test_bad_query_values_warn_and_fall_back(params: dict[str, Any], named: str) -> None:
    at = run_app({"age": "71", "sex": "male", "b12": "150", "esr": "36", **params})
    assert not at.exception
    shown = "\n".join([w.value for w in at.warning] + [t.value for t in at.text])
    assert f"parameter {named}" in shown
    values = at.session_state["_current"].values
    defaults = default_values()
    if "b12" in params:
        assert values["b12"] == defaults["b12"]
    if "age" in params:
        assert values["age"] == defaults["age"]
    if "sex" in params:
        assert values["sex"] == defaults["sex"]
    if "esr" in params:
        assert values["esr"] == 40.0  # the last value of a repeated parameter
    # The page still works, and shows the verdict for the values it fell back to.
    a = evaluate(Case(**{k: values[k] for k in Case.__dataclass_fields__ if k != "id"}))
    assert verdict(at) == f"B12 status: {a.headline}"


def test_switching_pages_keeps_the_case() -> None:
    params = STATUS_LINKS["functional_deficiency"]
    at = run_app(params)
    before = at.session_state["_current"].values
    at.switch_page("pages/mechanism.py").run()
    assert not at.exception
    assert at.session_state["_current"].values == before
    assert url_params(at)["b12"] == "250" and url_params(at)["mma"] == "340"
    assert "lit because MMA 340 nmol/L \\> 271" in markdown_text(at)
    at.switch_page("pages/explorer.py").run()
    assert verdict(at) == "B12 status: Functional B12 deficiency"
    assert at.sidebar.slider(key="in_b12").value == 250.0


def test_esr_limit_line_uses_the_sex_rule() -> None:
    at = run_app({"age": "60", "sex": "female", "b12": "400", "esr": "36"})
    limit = esr_upper_limit(60, "female")
    assert f"vs upper limit {limit:g} mm/h (Miller 1983: women (age + 10)/2)" in markdown_text(at)
    # The reading itself (Markdown, not st.metric: its code arrived late on a cold load, issue 19).
    assert not at.metric
    assert "**36 mm/h**" in markdown_text(at) and f"+1 mm/h vs upper limit {limit:g} mm/h" in markdown_text(at)


# --- Safety steps sit in the verdict (issue 11), and the added inputs reach the engine


def urgent_boxes(at: AppTest) -> list[str]:
    """The Do-now block's steps (one box, numbered)."""
    return [e.value for e in at.error if e.value.startswith("**Do now**")]


def test_neuro_symptoms_with_a_borderline_b12_show_the_correction_in_the_verdict() -> None:
    at = run_app({"age": "70", "sex": "female", "b12": "250", "esr": "20", "neuro_symptoms": "yes"})
    assert not at.exception
    # The source's fixed status, marked in the headline, with NICE NG239's reading beside it.
    assert verdict(at) == "B12 status: Indeterminate: MMA decides (the source's rule; guidelines differ)"
    boxes = urgent_boxes(at)
    assert any("urgent specialist" in b for b in boxes), boxes
    assert any("Guidelines differ" in w.value and "neurological regimen" in w.value for w in at.warning)
    # Under BSH 2014 the regimen itself changes: treatment while MMA is awaited.
    at.sidebar.selectbox(key="in_guideline").set_value("bsh-2014").run()
    assert any("while MMA is awaited" in m.value for m in at.markdown)
    assert not any("Guidelines differ" in w.value for w in at.warning)


def test_severity_is_unknown_when_hb_is_not_measured() -> None:
    at = run_app({"age": "68", "sex": "female", "b12": "150", "esr": "30"})
    text = " ".join(m.value for m in at.markdown)
    assert "unknown: Hb not measured" in text
    assert "check the full blood count before choosing oral" in text.lower()
    at = run_app({"age": "68", "sex": "female", "b12": "150", "esr": "30", "hb": "12.5"})
    assert "unknown: Hb not measured" not in " ".join(m.value for m in at.markdown)


def test_raised_esr_over_50_shows_the_gca_emergency_in_the_esr_verdict() -> None:
    at = run_app({"age": "76", "sex": "female", "b12": "260", "esr": "64", "crp": "48"})
    assert not at.exception
    assert any("giant cell arteritis" in b and "emergency" in b for b in urgent_boxes(at))
    text = " ".join(m.value for m in at.markdown)
    assert "ESR and CRP both raised" in text


def test_pregnancy_switch_only_for_women_16_to_55_and_it_changes_the_esr_limit() -> None:
    at = run_app({"age": "31", "sex": "female", "b12": "170", "esr": "45", "pregnant": "yes"})
    assert not at.exception
    at.session_state[MORE_LABS_KEY] = True  # open "More labs and context", as a tap does
    at.run()
    assert at.sidebar.toggle(key="in_pregnant").value is True
    assert "does not apply" in " ".join(m.value for m in at.markdown)
    assert url_params(at).get("pregnant") == "yes"
    at.sidebar.radio(key="in_sex").set_value("male").run()  # the switch no longer applies: no error, no toggle
    assert not at.exception
    assert not [t for t in at.sidebar.toggle if t.key == "in_pregnant"]
    assert "pregnant" not in url_params(at)


def test_a_pregnancy_esr_that_the_trimester_decides_has_no_green_light_badge() -> None:
    """Code-blind read s12 (fifth): ESR 60 in pregnancy read "ESR raised unless in the third trimester" beside a blue
    check badge in the sidebar and the ESR panel."""
    at = run_app({"age": "31", "sex": "female", "b12": "400", "esr": "60", "pregnant": "yes"})
    assert not at.exception
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert ":orange-badge[:material/help: ESR raised unless in the third trimester]" in sidebar
    assert ":material/check_circle: ESR" not in sidebar
    assert ":orange-badge[:material/help: Read against the trimester]" in markdown_text(at)
    calm = run_app({"age": "31", "sex": "female", "b12": "400", "esr": "40", "pregnant": "yes"})
    assert ":blue-badge[:material/check_circle: ESR" in " ".join(m.value for m in calm.sidebar.markdown)


def test_more_labs_are_drawn_only_when_opened_and_count_while_closed() -> None:
    """The sidebar's "More labs and context" draws its inputs only when open (fewer elements per slider move);
    a link's Hb counts all the same, open or closed, and survives slider moves while it is closed."""
    at = run_app({"age": "68", "sex": "female", "b12": "150", "esr": "30", "hb": "12.5"})
    assert not [n for n in at.sidebar.number_input if n.key == "in_hb"]
    assert "unknown: Hb not measured" not in markdown_text(at)
    at.sidebar.slider(key="in_b12").set_value(155).run()
    assert url_params(at)["hb"] == "12.5"
    at.session_state[MORE_LABS_KEY] = True
    at.run()
    assert at.sidebar.number_input(key="in_hb").value == 12.5
    at.sidebar.number_input(key="in_hb").set_value(9.5).run()
    at.session_state[MORE_LABS_KEY] = False
    at.run()
    assert not [n for n in at.sidebar.number_input if n.key == "in_hb"]
    assert url_params(at)["hb"] == "9.5"


def test_a_link_with_an_impossible_pregnancy_warns_and_ignores_it() -> None:
    at = run_app({"age": "70", "sex": "male", "b12": "300", "esr": "20", "pregnant": "yes"})
    assert not at.exception
    assert any("pregnant" in t.value for t in at.text)


@pytest.mark.parametrize("status", STATUS_LINKS)
def test_phone_flowchart_shows_the_same_paths_top_to_bottom(status: str) -> None:
    """Issue 19: the phone's outline of the flowchart highlights exactly the engine's two paths, in order, at
    358 px wide with no text under 12 px; the full-size drawing is the same picture as the wide one."""
    at = run_app(STATUS_LINKS[status])
    a = evaluate(case_from_link(STATUS_LINKS[status]))
    phone, alt = decision_picture(at, 1)
    root = ET.fromstring(phone)
    on = [g.get("data-node") for g in root.iter() if g.get("data-state") == "on" and g.get("data-node")]
    assert on == [*a.decision_path, *a.esr_path]
    assert root.get("viewBox", "").startswith("0 0 358 ")
    assert min(float(t.get("font-size", "99")) for t in root.iter() if t.tag.endswith("text")) >= 12
    assert alt == decision_picture(at, 0)[1]
    assert decision_picture(at, 2)[0] == decision_picture(at, 0)[0]


def test_the_case_line_names_renal_impairment_and_risk_factors() -> None:
    """The projected case line says what changes the reading (a raised MMA with renal impairment; a lasting cause)."""
    from b12logic.fields import RISK_FACTORS
    from b12logic.guidelines import PROFILES
    from ui.explorer import case_line
    from ui.state import Current

    case = Case(
        age=80, sex="male", b12=240, mma=380, esr=40, renal_impairment=True, risk_factors=frozenset({"metformin"})
    )
    profile = PROFILES["nice-ng239"]
    line = case_line(Current(case=case, profile=profile, assessment=evaluate(case, profile), values={}))
    assert "renal impairment" in line and RISK_FACTORS["metformin"] in line


def test_do_now_closes_with_the_b12_start_when_its_steps_do_not_say_it() -> None:
    """Code-blind read s14 (second): ESR steps filled Do now beside a confirmed pernicious anaemia, with no B12."""
    params = {"age": "72", "sex": "female", "b12": "120", "esr": "110", "crp": "85", "hb": "10.5", "mcv": "108"}
    at = run_app({**params, "guideline": "nice-ng239", "risk": "pernicious_anaemia"})
    assert not at.exception
    (box,) = urgent_boxes(at)
    assert box.rstrip().endswith("the steps above do not delay it."), box[-200:]
    # A step that starts B12 says it itself: no closing line (neurological symptoms).
    at = run_app({**params, "guideline": "nice-ng239", "neuro_symptoms": "yes"})
    (box,) = urgent_boxes(at)
    assert "Then, for the B12" not in box and "start the alternate-day regimen now" in box
