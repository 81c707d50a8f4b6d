"""Page 09 wijken en buurten: map flags, small-population buurten, wijk profiles, page figures."""

import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import maps
from hengelo_analysis.pages.chapters import wijken_en_buurten as wb
from tests import chapter_report as cr

BUURTEN = ["BU00010000", "BU00010001", "BU00010002", "BU00010003", "BU00010004"]


def _areas():
    return gpd.GeoDataFrame(
        {
            "area_code": [*BUURTEN, "WK000100", "BU00020000"],
            "area_name": [
                "Centrum",
                "Bedrijventerrein",
                "Klein",
                "Zonder cijfer",
                "Middel",
                "Wijk",
                "Ander",
            ],
            "area_level": ["buurt"] * 5 + ["wijk", "buurt"],
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(5)] + [box(0, 0, 5, 1), box(9, 9, 10, 10)],
        crs="EPSG:28992",
    )


def _crime(rows, level="buurt"):
    df = pd.DataFrame(rows, columns=["area_code", "crime_code", "registered"])
    df["registered"] = df["registered"].astype("Int64")
    df["area_level"] = level
    df["gemeente_code"] = "GM0001"
    df["year"] = 2024
    df["area_name"] = df["area_code"]
    df["crime_label"] = df["crime_code"].map(lambda c: f"soort {c}")
    return df


def _population(rows):
    df = pd.DataFrame(rows, columns=["area_code", "inhabitants"])
    df["inhabitants"] = df["inhabitants"].astype("Int64")
    return df.assign(year=2024)


def _buurt_table():
    # Centrum: 120 crimes / 2.000; Bedrijventerrein: 300 crimes / 30 inhabitants (rate not
    # shown); Klein: 3 crimes (suppressed), Middel: 10 crimes, hidden too (secondary, so the wijk
    # total cannot give Klein back). BU00010003 has no crime row at all (not published).
    crime = _crime(
        [
            ("BU00010000", "0.0.0", 120),
            ("BU00010001", "0.0.0", 300),
            ("BU00010002", "0.0.0", 3),
            ("BU00010004", "0.0.0", 10),
        ]
    )
    population = _population(
        [("BU00010000", 2000), ("BU00010001", 30), ("BU00010002", 500), ("BU00010004", 1000)]
    )
    return wb.buurt_rates(crime, population, "GM0001", 2024, "0.0.0", 1000)


def test_map_frame_keeps_suppressed_small_and_missing_buurten_apart():
    frame = maps.map_frame(_areas(), _buurt_table(), "GM0001")
    assert list(frame["area_code"]) == BUURTEN  # only this gemeente's buurten, all of them
    flags = frame.set_index("area_code")
    assert flags.loc["BU00010000", "value"] == pytest.approx(60.0)
    assert bool(flags.loc["BU00010001", "small"]) and pd.isna(flags.loc["BU00010001", "value"])
    assert bool(flags.loc["BU00010002", "suppressed"]) and not flags.loc["BU00010002", "small"]
    assert bool(flags.loc["BU00010004", "suppressed"])  # secondary
    assert flags.loc["BU00010004", "status"] == "secundair"
    assert maps.map_counts(frame) == {
        "buurten": 5,
        "getoond": 1,
        "onderdrukt": 2,
        "klein": 1,
        "niet_gepubliceerd": 1,
    }


def test_small_buurt_is_never_coloured_and_gets_its_own_legend_entry():
    frame = maps.map_frame(_areas(), _buurt_table(), "GM0001")
    fig = maps.buurt_map(frame, title="t", legend_title="per 1.000 inwoners", source="s")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert maps.SMALL_LABEL in labels and "afgeschermd (<5)" in labels
    assert "niet gepubliceerd" in labels
    table = maps.buurt_display_table(frame, "per 1.000 inwoners")
    shown = dict(zip(table["Code"], table["Per 1.000 inwoners"], strict=True))
    assert shown["BU00010001"] == "niet getoond (< 100 inwoners)"  # not 1.333,3
    assert dict(zip(table["Code"], table["Geregistreerd"], strict=True))["BU00010002"] == "<5"


def test_no_small_buurten_means_no_extra_legend_entry():
    crime = _crime([("BU00010000", "0.0.0", 120), ("BU00010001", "0.0.0", 80)])
    population = _population([("BU00010000", 2000), ("BU00010001", 1000)])
    table = wb.buurt_rates(crime, population, "GM0001", 2024)
    frame = maps.map_frame(_areas(), table, "GM0001")
    fig = maps.buurt_map(frame, title="t", legend_title="l", source="s")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert maps.SMALL_LABEL not in labels


def test_buurt_rates_empty_for_a_gemeente_without_buurt_figures():
    crime = _crime([("GM0002", "0.0.0", 50)], level="gemeente")
    crime["gemeente_code"] = "GM0002"
    assert wb.buurt_rates(crime, None, "GM0002", 2024).empty
    assert maps.map_frame(None, pd.DataFrame(), "GM0002") is None


def test_wijk_profiles_rate_ci_and_top_types_without_small_counts():
    crime = _crime(
        [
            ("WK000100", "0.0.0", 200),
            ("WK000100", "1.2.3", 50),
            ("WK000100", "2.2.1", 60),
            ("WK000100", "1.1.1", 50),
            ("WK000100", "1.4.6", 4),
            ("WK000101", "0.0.0", 3),
            ("WK000101", "1.2.3", 3),
        ],
        level="wijk",
    )
    population = _population([("WK000100", 10_000), ("WK000101", 50)])
    profiles = wb.wijk_profiles(crime, population, "GM0001", 2024, 1000).set_index("area_code")
    assert profiles.loc["WK000100", "rate"] == pytest.approx(20.0)
    assert profiles.loc["WK000100", "lower"] < 20.0 < profiles.loc["WK000100", "upper"]
    # ties broken by code; the count of 4 is never listed
    assert profiles.loc["WK000100", "top"] == "soort 2.2.1 (60); soort 1.1.1 (50); soort 1.2.3 (50)"
    assert profiles.loc["WK000101", "shown"] == "<5"
    assert pd.isna(profiles.loc["WK000101", "rate"]) and profiles.loc["WK000101", "top"] == "geen"


def test_wijk_trends_leave_gaps_for_small_counts_and_small_wijken():
    crime = pd.concat(
        [
            _crime([("WK000100", "0.0.0", 200), ("WK000101", "0.0.0", 300)], level="wijk"),
            _crime([("WK000100", "0.0.0", 4), ("WK000101", "0.0.0", 300)], level="wijk").assign(
                year=2023, area_name=["Oude naam", "WK000101"]
            ),
        ],
        ignore_index=True,
    )
    population = pd.concat(
        [
            _population([("WK000100", 10_000), ("WK000101", 80)]),
            _population([("WK000100", 10_000), ("WK000101", 5_000)]).assign(year=2023),
        ]
    )
    trends = wb.wijk_trends(crime, population, "GM0001", 2024, 1000)
    rate = trends.set_index(["area_code", "year"])["rate"]
    assert pd.isna(rate[("WK000100", 2023)])  # 4 crimes: below the threshold, a gap not 0
    assert rate[("WK000100", 2024)] == pytest.approx(20.0)
    assert rate[("WK000101", 2023)] == pytest.approx(60.0)
    assert pd.isna(rate[("WK000101", 2024)])  # 80 inhabitants: no rate
    assert set(trends.loc[trends["area_code"] == "WK000100", "area_name"]) == {"WK000100"}
    fig = wb.wijk_small_multiples(trends, None, title="t", source="s", ncols=5)
    visible = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title(loc="left") for ax in visible] == ["WK000100", "WK000101"]
    assert "van 20,0 (WK000100)" in wb.trends_alt(trends, "X", 2024, "per 1.000 inwoners")


# --------------------------------------------------------------------------- content (slow)


@pytest.mark.slow
def test_page_buurt_and_wijk_figures_equal_the_raw_data():
    root, out = cr.demo_edition()
    raw = cr.raw_crime()
    population = pd.read_parquet(root / "data" / "processed" / "demo" / "population.parquet")
    inh = population[population["year"] == 2024].set_index("area_code")["inhabitants"]
    page = (out / "09_wijken_en_buurten.html").read_text()
    buurten = cr.table_by_caption(page, "Geregistreerde misdrijven per buurt")["rows"][1:]
    assert len(buurten) == 62
    crime = pd.read_parquet(root / "data" / "processed" / "demo" / "crime.parquet")
    own = crime[crime["gemeente_code"] == "GM0164"]
    code_of = dict(zip(own["area_name"], own["area_code"], strict=True))
    # the page names buurten and wijken; their codes are only in the downloads
    assert not re.search(r"\b(BU|WK)0164\d", cr.visible_text(page))
    checked_small = checked_rate = 0
    for name, _, _, shown, rate, _ in buurten:  # Buurt, Nr., Inwoners, Geregistreerd, rate, Marge
        code = code_of[name]
        value = raw[(code, "0.0.0", 2024)]
        if shown in ("<5", "x", "n.b."):
            assert rate in ("afgeschermd", "n.b."), code
            if shown == "<5":
                assert value < 5, code
            continue
        assert shown == format_number(value), code
        if inh[code] < 100:
            assert rate == "niet getoond (< 100 inwoners)", code
            checked_small += 1
        else:
            assert rate == format_number(value / inh[code] * 1000, 1), code
            checked_rate += 1
    assert checked_small >= 1 and checked_rate >= 10
    # ranked: highest rate first, buurten without a rate after all ranked ones
    # columns: Buurt, Nr., Inwoners, Geregistreerd, rate, Marge (the code is in the download)
    ranked = [float(r[4].replace(".", "").replace(",", ".")) for r in buurten if r[5]]
    assert ranked == sorted(ranked, reverse=True) and len(ranked) == checked_rate
    assert all(r[5] for r in buurten[: len(ranked)])
    wijken = cr.table_by_caption(page, "Profiel per wijk")["rows"][1:]
    assert len(wijken) == 10
    for row in wijken:
        code = code_of[row[0]]
        assert row[2] == format_number(raw[(code, "0.0.0", 2024)])
        assert row[3] == format_number(raw[(code, "0.0.0", 2024)] / inh[code] * 1000, 1)
    assert page.count('alt="Kaart van de 62 buurten van Hengelo') == 2
    assert "Synthetische demodata" in page


@pytest.mark.slow
def test_enschede_has_no_maps_and_says_so():
    nb = cr.gm0153_notebooks()["09_wijken_en_buurten"]
    text = cr.notebook_text(nb)
    assert text.count("Onvoldoende gegevens") == 4  # two maps, the profile, the trends
    images = [
        o for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert images == []


def _ranked_table():
    crime = _crime(
        [
            ("BU00010000", "0.0.0", 120),
            ("BU00010001", "0.0.0", 300),
            ("BU00010002", "0.0.0", 3),
            ("BU00010003", "0.0.0", 90),
            ("BU00010004", "0.0.0", 10),
        ]
    )
    population = _population(
        [
            ("BU00010000", 2000),  # 60 per 1.000
            ("BU00010001", 30),  # too few inhabitants
            ("BU00010002", 500),  # suppressed
            ("BU00010003", 600),  # 150 per 1.000: the highest
            ("BU00010004", 1000),  # 10 crimes: hidden as secondary
        ]
    )
    return wb.buurt_rates(crime, population, "GM0001", 2024, "0.0.0", 1000)


def test_buurt_table_is_ranked_by_rate_with_margins_and_unranked_buurten_last():
    frame = maps.map_frame(_areas(), _ranked_table(), "GM0001")
    table = maps.buurt_display_table(frame, "per 1.000 inwoners")
    assert list(table["Code"][:2]) == ["BU00010003", "BU00010000"]  # highest rate first
    assert table["Per 1.000 inwoners"][0] == format_number(150.0, 1)
    lo, hi = (float(v.replace(",", ".")) for v in table["Marge (95%)"][0].split(" – "))
    assert lo < 150.0 < hi
    # buurten without a rate follow the ranking, with the reason and no margin
    assert set(table["Code"][2:]) == {"BU00010001", "BU00010002", "BU00010004"}
    assert (table["Marge (95%)"][2:] == "").all()
    assert dict(zip(table["Code"], table["Nr."], strict=True))["BU00010003"] == 4  # map number
    caption = maps.buurt_table(frame, "per 1.000 inwoners", "Misdrijven per buurt").caption
    assert f"minder dan {maps.MIN_POPULATION} inwoners" in caption


def test_buurt_map_draws_wijk_outlines_numbers_and_no_number_entries():
    frame = maps.map_frame(_areas(), _ranked_table(), "GM0001")
    fig = maps.buurt_map(frame, title="t", legend_title="l", source="s")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for entry in (maps.SUPPRESSED_LABEL, maps.SMALL_LABEL, "grens van een wijk"):
        assert entry in labels
    numbers = sorted(int(t.get_text()) for t in ax.texts)
    assert numbers == [1, 2, 3, 4, 5]
    assert set(frame["wijk_code"]) == {"WK000100"}
