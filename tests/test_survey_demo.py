"""``clean --source demo``: survey indicators per wijk with margins, and the chapter-2 picture."""

import pandas as pd
import pytest

from hengelo_analysis.analysis.stats import survey_change

NUISANCE = [
    "overlast_drugsgebruik",
    "overlast_drugshandel",
    "overlast_dronken_mensen",
    "overlast_rondhangende_jongeren",
]


@pytest.fixture(scope="module")
def cleaned(demo_cleaned):
    layout, result = demo_cleaned
    return {
        name: pd.read_parquet(layout.processed_dir / f"{name}.parquet")
        for name in ("survey", "incidents", "youth", "accidents")
    } | {"warnings": result.warnings}


def test_wijk_indicators_2019_2023_have_margins_that_contain_their_values(cleaned):
    s = cleaned["survey"]
    wijk = s[(s.area_level == "wijk") & s.year.isin([2019, 2021, 2023])]
    assert set(wijk["year"]) == {2019, 2021, 2023}
    assert wijk["area_code"].nunique() == 10
    published = wijk.dropna(subset=["value"])
    assert published["area_code"].nunique() == 9  # the buitengebied (n < 50) is suppressed
    assert ((published.lower <= published.value) & (published.value <= published.upper)).all()
    assert (published.upper > published.lower).all()
    small = wijk[wijk.area_code == "WK016409"]
    assert small["value"].isna().all() and (small["n"] < 50).all()
    assert set(published["indicator"]) == {
        "onveilig_buurt",
        "rapportcijfer_veiligheid",
        *NUISANCE,
        "overlast_verwarde_personen",
        "tevreden_aanpak_gemeente",
        "slachtoffer_totaal",
        "slachtoffer_online",
    }


def _change(s, indicator, first=2019, last=2023):
    g = s[(s.area_code == "GM0164") & (s.source == "eigen_enquete") & (s.indicator == indicator)]
    a, b = g.set_index("year").loc[first], g.set_index("year").loc[last]
    return survey_change(
        first, a.value, a.lower, a.upper, last, b.value, b.lower, b.upper, source="eigen_enquete"
    )


def test_demo_shows_the_chapter_2_survey_picture(cleaned):
    s = cleaned["survey"]
    unsafe = _change(s, "onveilig_buurt")
    assert (
        unsafe.difference > 0 and not unsafe.significant()
    )  # a little more unsafe, not significant
    satisfied = _change(s, "tevreden_aanpak_gemeente")
    assert satisfied.difference < 0 and not satisfied.significant()
    assert not _change(s, "rapportcijfer_veiligheid").significant()  # no large shift in the mark
    for item in NUISANCE:
        change = _change(s, item)
        assert change.significant() and change.difference > 0, item
    gm = s[(s.area_code == "GM0164") & (s.source == "eigen_enquete")]
    assert gm.groupby("year").size().to_dict() == {2017: 10, 2019: 10, 2021: 10, 2023: 10}
    assert gm[gm.year == 2023]["method_note"].str.contains("aangeleverde gewichten").all()


def test_demo_veiligheidsmonitor_falls_back_to_twente(cleaned):
    s = cleaned["survey"]
    vm = s[s.source == "veiligheidsmonitor"]
    assert {"NL01", "GM0153", "GM0141", "GM0164"} <= set(vm["area_code"])
    hengelo = vm[vm.area_code == "GM0164"]
    assert set(hengelo["year"]) == {2021, 2023}
    assert hengelo["method_note"].str.startswith("regio VR05").all()
    assert hengelo[hengelo.year == 2021]["method_note"].str.contains("methodebreuk 2021").all()
    assert any("Hengelo (GM0164) staat niet in" in w for w in cleaned["warnings"])


def test_demo_supplied_tables_show_e33_rising_and_youth_falling(cleaned):
    inc = cleaned["incidents"]
    e33 = inc[(inc.area_code == "GM0164") & inc.month.isna()].set_index("year")["incidents"]
    assert list(e33.index) == list(range(2015, 2025))
    assert e33[2024] > 1.5 * e33[2015] and e33[2022] > e33[2018]
    youth = cleaned["youth"].pivot(index="year", columns="measure", values="count")
    assert youth.loc[2024, "halt_verwijzingen"] < 0.75 * youth.loc[2015, "halt_verwijzingen"]
    assert pd.isna(youth.loc[2015, "jeugdreclassering"])
    assert youth.loc[2024, "jeugdreclassering"] < youth.loc[2016, "jeugdreclassering"]
    acc = cleaned["accidents"].groupby("year")["accidents"].sum()
    assert list(acc.index) == list(range(2012, 2025)) and (acc > 100).all()


def test_unweighted_demo_wave_is_poststratified_with_population_structure():
    from hengelo_analysis.demo.survey import POPULATION_AGE
    from hengelo_analysis.sources import survey_template, survey_weighting
    from tests.conftest import DEMO_RAW

    groups = dict(
        zip(
            ["age_15_25", "age_25_45", "age_45_65", "age_65_plus"],
            POPULATION_AGE.values(),
            strict=True,
        )
    )
    rows = []
    for i in range(10):
        size = 1000 * (i + 1)
        rows += [(f"WK0164{i:02d}", 2017, g, round(size * s)) for g, s in groups.items()]
        rows += [(f"WK0164{i:02d}", 2017, "age_0_15", 150 * (i + 1))]
        rows += [(f"WK0164{i:02d}", 2017, g, round(size * 0.5)) for g in ("sex_man", "sex_vrouw")]
    structure = pd.DataFrame(rows, columns=["area_code", "year", "group", "inhabitants"])
    path = DEMO_RAW / "supplied" / "eigen_enquete_2017.csv"
    resp = survey_template.read_survey_file(path)
    weighted, notes = survey_weighting.assign_weights(resp, structure)
    assert notes[2017].startswith("nagewogen")
    w = weighted["weight"]
    share_young = w[weighted.age == "age_15_25"].sum() / w.sum()
    assert share_young == pytest.approx(POPULATION_AGE["15-24"], rel=1e-6)
    # wijken weigh by population: WK016409 (10,000 people aged 15+) ten times WK016400
    by_wijk = w.groupby(weighted.wijk_code).sum()
    assert by_wijk["WK016409"] == pytest.approx(10 * by_wijk["WK016400"], rel=1e-6)
