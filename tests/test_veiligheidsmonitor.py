"""Veiligheidsmonitor 85146NED on a tiny hand-built folder: suffixes, margins, region fallback."""

import json

import pytest

from hengelo_analysis.errors import DataError
from hengelo_analysis.sources import veiligheidsmonitor as vm
from tests.conftest import odata_doc

# Suffixes deliberately unlike the published list: they must be resolved, not assumed.
PROPS = [
    {"ID": 0, "Type": "Dimension", "Key": "Marges", "Title": "Marges", "ParentID": None},
    {"ID": 1, "Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's", "ParentID": None},
    {"ID": 2, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden", "ParentID": None},
    {"ID": 3, "Type": "TopicGroup", "Key": "", "Title": "Slachtofferschap", "ParentID": None},
    {
        "ID": 4,
        "Type": "TopicGroup",
        "Key": "",
        "Title": "Online criminaliteit totaal",
        "ParentID": 3,
    },
    {
        "ID": 5,
        "Type": "Topic",
        "Key": "VoeltZichWeleensOnveilig_7",
        "Title": "Weleens onveilig",
        "ParentID": None,
    },
    {
        "ID": 6,
        "Type": "Topic",
        "Key": "VoeltZichWeleensOnveiligInBuurt_91",
        "Title": "In buurt",
        "ParentID": None,
    },
    {"ID": 7, "Type": "Topic", "Key": "Drugshandel_12", "Title": "Drugshandel", "ParentID": None},
    {"ID": 8, "Type": "Topic", "Key": "Slachtoffers_300", "Title": "Slachtoffers", "ParentID": 4},
]
VALUES = {  # region, year → (value, lower, upper) for the in-buurt topic
    ("NL01      ", 2021): (16.0, 15.8, 16.2),
    ("VR05      ", 2021): (18.0, 16.9, 19.1),
    ("VR05      ", 2023): (19.0, 17.9, 20.1),
    ("PV23      ", 2023): (17.5, 16.8, 18.2),
}


def write_vm(
    table_dir,
    regions=(("NL01      ", "Nederland"), ("PV23      ", "Overijssel"), ("VR05      ", "Twente")),
    values=VALUES,
):
    table_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for (region, year), triple in values.items():
        for key, number in zip(("MW00000", "MOG0095", "MBG0095"), triple, strict=True):
            rows.append(
                {
                    "ID": len(rows),
                    "Marges": key,
                    "RegioS": region,
                    "Perioden": f"{year}JJ00",
                    "VoeltZichWeleensOnveilig_7": 99.0,
                    "VoeltZichWeleensOnveiligInBuurt_91": number,
                    "Drugshandel_12": None,
                    "Slachtoffers_300": 10.0 + number / 100,
                }
            )
    sets = {
        "TableInfos": [{"ID": 0, "Title": "Veiligheidsmonitor; test", "Identifier": "85146NED"}],
        "DataProperties": PROPS,
        "Marges": [
            {"Key": "MW00000", "Title": "Waarde"},
            {"Key": "MOG0095", "Title": "Ondergrens"},
            {"Key": "MBG0095", "Title": "Bovengrens"},
        ],
        "RegioS": [{"Key": k, "Title": t} for k, t in regions],
        "Perioden": [{"Key": "2021JJ00", "Title": "2021"}, {"Key": "2023JJ00", "Title": "2023"}],
        "TypedDataSet-0001": rows,
    }
    for name, data in sets.items():
        (table_dir / f"{name}.json").write_text(json.dumps(odata_doc("85146NED", name, data)))
    return table_dir


def test_topic_suffixes_are_resolved_from_dataproperties():
    topics, warnings = vm.resolve_topics(PROPS)
    assert topics["onveilig_buurt"] == "VoeltZichWeleensOnveiligInBuurt_91"  # not ..._7
    assert topics["overlast_drugshandel"] == "Drugshandel_12"
    assert topics["slachtoffer_online"] == "Slachtoffers_300"  # by its topic-group title
    assert "slachtoffer_totaal" not in topics
    assert any("rapportcijfer_veiligheid not found" in w for w in warnings)


def test_margins_are_mapped_by_key(tmp_path):
    long, _ = vm.clean_long(write_vm(tmp_path / "85146NED"))
    row = long[
        (long.region_code == "VR05") & (long.year == 2021) & (long.indicator == "onveilig_buurt")
    ]
    assert row[["value", "lower", "upper"]].iloc[0].tolist() == [18.0, 16.9, 19.1]
    assert row["region_title"].iloc[0] == "Twente"
    # an all-null topic (Drugshandel) gives no rows rather than zeros
    assert not (long.indicator == "overlast_drugshandel").any()


def test_clean_table_keeps_contract_regions_and_marks_the_method_break(tmp_path):
    out = vm.clean_table(write_vm(tmp_path / "85146NED"))
    assert set(out["area_code"]) == {"NL01"}
    assert set(out["area_level"]) == {"land"}
    assert out["n"].isna().all()
    assert out["method_note"].str.contains("methodebreuk 2021").all()


def test_fallback_to_the_smallest_member_region(tmp_path):
    table = write_vm(tmp_path / "85146NED")
    choice = vm.region_choice(table, "GM0164", "Hengelo")
    assert (choice.region_code, choice.is_gemeente) == ("VR05", False)
    assert (
        "Hengelo (GM0164) staat niet in" in choice.sentence and "Twente (VR05)" in choice.sentence
    )
    rows, warnings = vm.fallback_rows(table, {"GM0164"}, {"GM0164": "Hengelo"})
    on = rows[rows.indicator == "onveilig_buurt"].set_index("year")
    assert on.loc[2023, "value"] == 19.0 and on.loc[2021, "upper"] == 19.1
    assert set(rows["area_code"]) == {"GM0164"}
    assert rows["method_note"].str.startswith("regio VR05").all()
    assert choice.sentence in warnings
    # no Twente region: Overijssel; a gemeente outside Twente: Nederland
    no_vr = write_vm(
        tmp_path / "b" / "85146NED",
        regions=(("NL01      ", "Nederland"), ("PV23      ", "Overijssel")),
        values={k: v for k, v in VALUES.items() if k[0] != "VR05      "},
    )
    assert vm.region_choice(no_vr, "GM0164").region_code == "PV23"
    assert vm.region_choice(table, "GM0363").region_code == "NL01"


def test_member_gemeente_is_used_itself(tmp_path):
    values = {**VALUES, ("GM0164    ", 2023): (21.0, 18.0, 24.0)}
    regions = (("NL01      ", "Nederland"), ("VR05      ", "Twente"), ("GM0164    ", "Hengelo"))
    table = write_vm(
        tmp_path / "85146NED",
        regions=regions,
        values={k: v for k, v in values.items() if k[0] != "PV23      "},
    )
    assert vm.region_choice(table, "GM0164").is_gemeente
    out = vm.clean_table(table)
    gm = out[(out.area_code == "GM0164") & (out.indicator == "onveilig_buurt")]
    assert gm["value"].tolist() == [21.0] and gm["method_note"].iloc[0] == ""
    rows, _ = vm.fallback_rows(table, {"GM0164"})
    assert rows.empty


def test_comparable_across_the_method_break():
    assert vm.comparable(2021, 2023) and vm.comparable(2017, 2019)
    assert not vm.comparable(2019, 2021)


def test_missing_margin_key_is_refused(tmp_path):
    table = write_vm(tmp_path / "85146NED")
    (table / "Marges.json").write_text(
        json.dumps(odata_doc("85146NED", "Marges", [{"Key": "MW00000", "Title": "Waarde"}]))
    )
    with pytest.raises(DataError, match="margin keys missing"):
        vm.clean_long(table)
