import json

import pandas as pd
import pytest

from hengelo_analysis.errors import DataError
from hengelo_analysis.sources.police import clean_crime_table, resolve_topic_key, strip_code_prefix
from tests.conftest import row, write_crime_table


def test_clean_handles_padding_nulls_months_prefixes_and_pages(tmp_path):
    table = write_crime_table(
        tmp_path / "47018NED",
        [
            [
                row("0.0.0 ", "GM0164    ", "2021JJ00", 3577),
                row("1.2.3 ", "GM0164    ", "2021JJ00", 412),
                row("1.2.3 ", "BU01640000", "2021JJ00", None),  # not published
                row("1.2.3 ", "GM0164    ", "2021MM03", 40),  # a month row: other grain
            ],
            [
                row("0.0.0 ", "NL00      ", "2021JJ00", 805327),
                row("2.6.10", "WK016400  ", "2022JJ00", 0),
            ],
        ],
    )
    crime = clean_crime_table(table)
    assert len(crime) == 5  # the month row is gone
    by_key = crime.set_index(["area_code", "crime_code", "year"])
    assert by_key.loc[("GM0164", "0.0.0", 2021), "registered"] == 3577
    assert by_key.loc[("GM0164", "1.2.3", 2021), "registered"] == 412  # not 452 (month not added)
    assert pd.isna(by_key.loc[("BU01640000", "1.2.3", 2021), "registered"])  # null stays missing
    assert by_key.loc[("WK016400", "2.6.10", 2022), "registered"] == 0  # a real zero stays zero
    assert (
        by_key.loc[("GM0164", "1.2.3", 2021), "crime_label"] == "Diefstal van brom-, snor-, fietsen"
    )
    assert by_key.loc[("GM0164", "0.0.0", 2021), "crime_label"] == "Totaal misdrijven"
    assert by_key.loc[("BU01640000", "1.2.3", 2021), "area_level"] == "buurt"
    assert by_key.loc[("BU01640000", "1.2.3", 2021), "gemeente_code"] == "GM0164"
    assert by_key.loc[("NL00", "0.0.0", 2021), "area_level"] == "land"
    assert pd.isna(by_key.loc[("NL00", "0.0.0", 2021), "gemeente_code"])
    assert by_key.loc[("WK016400", "2.6.10", 2022), "area_name"] == "Wijk 00 Binnenstad"


def test_measure_suffix_is_resolved_not_hard_coded(tmp_path):
    table = write_crime_table(
        tmp_path / "t",
        [[row("0.0.0 ", "GM0164    ", "2021JJ00", 7, measure="GeregistreerdeMisdrijven_7")]],
        measure="GeregistreerdeMisdrijven_7",
    )
    assert clean_crime_table(table)["registered"].tolist() == [7]


@pytest.mark.parametrize(
    ("bad_row", "message", "column"),
    [
        (
            row("0.0.0 ", "GM0164    ", "2020JJ00", -3),
            "negative count",
            "GeregistreerdeMisdrijven_1",
        ),
        (
            row("9.9.9 ", "GM0164    ", "2020JJ00", 3),
            "not in the SoortMisdrijf dimension",
            "SoortMisdrijf",
        ),
        (row("0.0.0 ", "XX0164    ", "2020JJ00", 3), "unknown area code", "WijkenEnBuurten"),
        (
            row("0.0.0 ", "GM0164    ", "2020JJ00", "veel"),
            "not a whole number",
            "GeregistreerdeMisdrijven_1",
        ),
    ],
)
def test_bad_values_name_file_column_and_row(tmp_path, bad_row, message, column):
    good = row("0.0.0 ", "GM0164    ", "2021JJ00", 1)
    table = write_crime_table(tmp_path / "t", [[good, bad_row]])
    with pytest.raises(DataError) as err:
        clean_crime_table(table)
    assert message in str(err.value)
    assert err.value.column == column
    assert err.value.row == 2
    assert err.value.path.name == "TypedDataSet-0001.json"


def test_duplicate_rows_are_refused(tmp_path):
    r = row("0.0.0 ", "GM0164    ", "2021JJ00", 1)
    table = write_crime_table(tmp_path / "t", [[r], [r]])
    with pytest.raises(DataError, match="duplicate row for GM0164 2021 0.0.0"):
        clean_crime_table(table)


def test_missing_measure_column_is_named(tmp_path):
    r = row("0.0.0 ", "GM0164    ", "2021JJ00", 1)
    del r["GeregistreerdeMisdrijven_1"]
    table = write_crime_table(tmp_path / "t", [[r]])
    with pytest.raises(DataError) as err:
        clean_crime_table(table)
    assert err.value.column == "GeregistreerdeMisdrijven_1"
    assert "column missing" in str(err.value)


def test_truncated_page_names_the_file(tmp_path):
    table = write_crime_table(tmp_path / "t", [[row("0.0.0 ", "GM0164    ", "2021JJ00", 1)]])
    page = table / "TypedDataSet-0001.json"
    page.write_bytes(page.read_bytes()[:-20])
    with pytest.raises(DataError, match="TypedDataSet-0001.json: not valid JSON"):
        clean_crime_table(table)


def test_resolve_topic_key_refuses_ambiguity(tmp_path):
    props = [
        {"Type": "Topic", "Key": "GeregistreerdeMisdrijven_1"},
        {"Type": "Topic", "Key": "GeregistreerdeMisdrijven_4"},
    ]
    with pytest.raises(DataError, match="expected one topic"):
        resolve_topic_key(props, "GeregistreerdeMisdrijven", tmp_path / "DataProperties.json")
    assert (
        resolve_topic_key(props[:1], "GeregistreerdeMisdrijven", tmp_path)
        == "GeregistreerdeMisdrijven_1"
    )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("1.2.3 Diefstal van brom-, snor-, fietsen", "Diefstal van brom-, snor-, fietsen"),
        ("Totaal misdrijven", "Totaal misdrijven"),
        ("2.6.10 Bestrijdingsmiddelen ", "Bestrijdingsmiddelen"),
    ],
)
def test_strip_code_prefix(title, expected):
    assert strip_code_prefix(title) == expected


def test_clean_of_demo_matches_raw_json(data_dir):
    """Known values: the cleaned demo equals a plain json read of the raw pages."""
    table = data_dir / "raw" / "demo" / "47018NED"
    crime = clean_crime_table(table)
    raw = []
    for page in sorted(table.glob("TypedDataSet-*.json")):
        raw += json.loads(page.read_text())["value"]
    assert len(crime) == len(raw)
    sample = [
        r for r in raw if r["WijkenEnBuurten"] == "GM0164    " and r["SoortMisdrijf"] == "1.2.3 "
    ]
    got = crime[(crime.area_code == "GM0164") & (crime.crime_code == "1.2.3")].set_index("year")[
        "registered"
    ]
    for r in sample:
        assert got[int(r["Perioden"][:4])] == r["GeregistreerdeMisdrijven_1"]
    assert crime["registered"].isna().sum() == sum(
        r["GeregistreerdeMisdrijven_1"] is None for r in raw
    )


def test_a_provisional_period_marks_its_year_provisional(tmp_path):
    table = write_crime_table(
        tmp_path / "47018NED",
        [
            [
                row("0.0.0 ", "GM0164    ", "2021JJ00", 3577),
                row("0.0.0 ", "GM0164    ", "2022JJ00", 3600),
            ]
        ],
    )
    perioden = json.loads((table / "Perioden.json").read_text())
    for period in perioden["value"]:
        if period["Key"] == "2022JJ00":
            period["Status"] = "Voorlopig"
    (table / "Perioden.json").write_text(json.dumps(perioden))
    crime = clean_crime_table(table).set_index("year")["provisional"]
    assert not crime[2021] and crime[2022]
