"""b12logic.guidelines: profiles as data, checked against DESIGN.md and clinical-facts.md."""

from __future__ import annotations

import math

import pytest

from b12logic import Case, CaseError, evaluate
from b12logic.guidelines import (
    ANAEMIA_HB_G_DL,
    DEFAULT_PROFILE,
    LAB_PROFILE_ID,
    PROFILE_CHOICES,
    PROFILES,
    SEVERE_B12_PG_ML,
    SEVERE_HB_G_DL,
    GuidelineProfile,
    custom_profile,
    get_profile,
    profile_of,
    takes_lab_cutoffs,
)
from b12logic.references import REFERENCES


def test_profile_ids() -> None:
    assert set(PROFILES) == {"source", "nice-ng239", "bsh-2014"}
    assert DEFAULT_PROFILE == "source"
    for profile_id, profile in PROFILES.items():
        assert profile.id == profile_id
        assert profile.name.strip() and profile.summary.strip()
        assert profile.citations


def test_source_thresholds_are_the_design_numbers() -> None:
    source = PROFILES["source"]
    assert (source.b12_low, source.b12_upper, source.mma_upper) == (180.0, 350.0, 271.0)


def test_nice_thresholds_and_holotc() -> None:
    nice = PROFILES["nice-ng239"]
    assert (nice.b12_low, nice.b12_upper) == (180.0, 350.0)  # ng/L = pg/mL
    assert nice.holotc_pmol_l == (25.0, 70.0)
    # NICE gives no numeric MMA cut-off: the profile must say which laboratory value it borrows.
    assert any("MMA" in key for key, _ in nice.laboratory_values)
    assert [m.month for m in nice.monitoring if m.month is not None] == [3]


def test_bsh_profile() -> None:
    bsh = PROFILES["bsh-2014"]
    assert bsh.b12_low == 200.0
    assert bsh.superseded_by == "nice-ng239"
    assert bsh.treat_borderline_neuro_now is True
    # BSH defers to local ranges and gives no MMA number: both are declared laboratory values.
    keys = " ".join(key for key, _ in bsh.laboratory_values)
    assert "MMA" in keys and "350" in keys


def test_source_monitoring_schedule() -> None:
    months = [m.month for m in PROFILES["source"].monitoring if m.month is not None]
    assert months == [3, 6, 12]
    assert any("10 µmol/L" in m.what for m in PROFILES["source"].monitoring)


def test_severe_and_anaemia_constants() -> None:
    # DESIGN.md working definition: B12 < 100 pg/mL or Hb < 8 g/dL; WHO anaemia 13 g/dL men, 12 g/dL women.
    assert SEVERE_B12_PG_ML == 100.0
    assert SEVERE_HB_G_DL == 8.0
    assert ANAEMIA_HB_G_DL == {"male": 13.0, "female": 12.0}


@pytest.mark.parametrize("profile_id", sorted(PROFILES))
def test_regimens_match_design(profile_id: str) -> None:
    regimens = {r.id: r for r in PROFILES[profile_id].regimens}
    assert set(regimens) == {"im_neuro", "im_standard"}
    assert all(PROFILES[profile_id].regimen(rid) is r for rid, r in regimens.items())
    neuro = regimens["im_neuro"].text
    for words in ("Hydroxocobalamin", "1 mg", "alternate days", "until no further improvement", "every 2 months"):
        assert words in neuro
    assert "for life" in neuro
    standard = regimens["im_standard"].text
    for words in ("Hydroxocobalamin", "1 mg", "three times weekly for 2 weeks", "every 2–3 months", "for life"):
        assert words in standard
    # The schedule the timeline draws agrees with the words.
    assert regimens["im_neuro"].loading_every_days == 2
    assert regimens["im_neuro"].maintenance_every_months == (2, 2)
    assert (regimens["im_standard"].loading_per_week, regimens["im_standard"].loading_weeks) == (3, 2)
    assert regimens["im_standard"].maintenance_every_months == (2, 3)
    assert PROFILES[profile_id].oral.daily is True


def test_source_oral_dose() -> None:
    assert "1000–2000 µg" in PROFILES["source"].oral.text
    assert "1 mg" in PROFILES["nice-ng239"].oral.text


def test_every_citation_is_a_known_reference() -> None:
    for profile in PROFILES.values():
        cited = list(profile.citations) + [c for r in (*profile.regimens, profile.oral) for c in r.citations]
        cited += [c for m in profile.monitoring for c in m.citations]
        for short in cited:
            assert short in REFERENCES, (profile.id, short)


def test_threshold_rows_convert_with_the_factor() -> None:
    rows = {r["threshold"]: r["value"] for r in PROFILES["source"].threshold_rows()}
    assert rows["Total B12 low"] == "< 180 pg/mL (133 pmol/L)"  # not the source's 150 pmol/L
    assert rows["Total B12 borderline"] == "180–350 pg/mL (133–258 pmol/L)"
    assert rows["MMA raised"] == "> 271 nmol/L"
    nice_rows = [r["threshold"] for r in PROFILES["nice-ng239"].threshold_rows()]
    assert "Active B12 (holoTC)" in nice_rows
    assert any("(laboratory value)" in t for t in nice_rows)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("source", "source"), (" NICE-NG239 ", "nice-ng239"), ("bsh-2014", "bsh-2014")],
)
def test_get_profile_by_id(given: str, expected: str) -> None:
    assert get_profile(given).id == expected


def test_get_profile_passes_profiles_through() -> None:
    custom = custom_profile(145, 250, 300)
    assert get_profile(custom) is custom


@pytest.mark.parametrize("bad", ["nice", "", "who", "custom"])
def test_get_profile_unknown(bad: str) -> None:
    with pytest.raises(CaseError) as info:
        get_profile(bad)
    assert info.value.field == "guideline"
    for profile_id in PROFILES:
        assert profile_id in str(info.value)


def test_custom_profile_takes_the_cut_offs() -> None:
    custom = custom_profile(b12_low=145, b12_upper=250, mma_upper=300, name="Lab X")
    assert isinstance(custom, GuidelineProfile)
    assert (custom.id, custom.name) == ("custom", "Lab X")
    assert (custom.b12_low, custom.b12_upper, custom.mma_upper) == (145.0, 250.0, 300.0)
    assert custom.regimens == PROFILES["source"].regimens
    assert custom.laboratory_values  # the user-set numbers are declared as such
    assert custom.line_dash not in {p.line_dash for p in PROFILES.values()}  # its lines stay told apart
    assert PROFILES["source"].b12_low == 180.0  # the source profile is untouched


def test_custom_cut_offs_move_a_case() -> None:
    case = Case(age=68, sex="female", b12=150, esr=30)
    assert evaluate(case, "source").b12_status == "deficient"
    assert evaluate(case, custom_profile(145, 250, 271)).b12_status == "indeterminate_needs_mma"
    case_mma = Case(age=68, sex="female", b12=250, esr=30, mma=290)
    assert evaluate(case_mma, "source").b12_status == "functional_deficiency"
    assert evaluate(case_mma, custom_profile(180, 350, 300)).b12_status == "not_confirmed"


def test_custom_profile_equal_low_and_upper_is_allowed() -> None:
    profile = custom_profile(200, 200, 271)
    assert evaluate(Case(age=68, sex="male", b12=200, esr=10), profile).b12_status == "indeterminate_needs_mma"
    assert evaluate(Case(age=68, sex="male", b12=201, esr=10), profile).b12_status == "normal"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"b12_low": 0}, "b12_low"),
        ({"b12_low": -5}, "b12_low"),
        ({"b12_low": math.nan}, "b12_low"),
        ({"b12_upper": math.inf}, "b12_upper"),
        ({"mma_upper": True}, "mma_upper"),
        ({"mma_upper": "300"}, "mma_upper"),
        ({"mma_upper": 100001}, "mma_upper"),
        ({"b12_low": 300, "b12_upper": 200}, "b12_upper"),
    ],
)
def test_custom_profile_rejects_bad_cut_offs(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"b12_low": 180, "b12_upper": 350, "mma_upper": 271, **kwargs}
    with pytest.raises(CaseError) as info:
        custom_profile(**values)  # type: ignore[arg-type]
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


def test_a_profile_is_hashable_and_caches_key_on_it() -> None:
    """Caches key on the profile itself: equal profiles hash alike, different cut-offs do not collide."""
    assert len({*PROFILES.values(), *PROFILES.values()}) == len(PROFILES)
    lab, same = custom_profile(145, 250, 300), custom_profile(145, 250, 300)
    assert lab == same and hash(lab) == hash(same)
    assert lab != custom_profile(146, 250, 300)
    assert {lab: 1}[same] == 1


def test_each_profile_names_the_profiles_it_is_shown_beside() -> None:
    """The correcting guideline and the schedule shown beside are choices each profile holds, by id."""
    for profile in PROFILES.values():
        assert profile.correcting.reads_context  # a guideline that reads the whole case corrects the source
        assert profile.monitoring_compared.id != profile.id
        assert profile.monitoring_compared.monitoring
        assert profile_of(profile.id) is profile
    assert takes_lab_cutoffs(LAB_PROFILE_ID) and not any(takes_lab_cutoffs(p) for p in PROFILES)
    assert (*PROFILES, LAB_PROFILE_ID) == PROFILE_CHOICES
