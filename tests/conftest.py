"""Shared fixtures: a generated demo tree and builders for tiny real-shaped OData tables."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hengelo_analysis.paths import PROJECT_ROOT

DEMO_RAW = PROJECT_ROOT / "data" / "raw" / "demo"


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A data dir holding a copy of the committed demo raw tree."""
    target = tmp_path / "data"
    shutil.copytree(DEMO_RAW, target / "raw" / "demo")
    return target


def odata_doc(table: str, entity: str, rows: list[dict], next_link: str | None = None) -> dict:
    doc = {
        "odata.metadata": f"https://dataderden.cbs.nl/ODataFeed/OData/{table}/$metadata#Cbs.OData.WebAPI.{entity}",
        "value": rows,
    }
    if next_link:
        doc["odata.nextLink"] = next_link
    return doc


def crime_properties(measure: str = "GeregistreerdeMisdrijven_1") -> list[dict]:
    return [
        {"ID": 0, "Type": "Dimension", "Key": "SoortMisdrijf", "Title": "Soort misdrijf"},
        {"ID": 1, "Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
        {"ID": 2, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
        {"ID": 3, "Type": "Topic", "Key": measure, "Title": "Geregistreerde misdrijven"},
        {"ID": 4, "Type": "Topic", "Key": "Gemeentenaam_2", "Title": "Gemeentenaam"},
        {"ID": 5, "Type": "Topic", "Key": "SoortRegio_3", "Title": "Soort regio"},
    ]


def row(code, area, period, value, measure="GeregistreerdeMisdrijven_1", i=0):
    return {
        "ID": i,
        "SoortMisdrijf": code,
        "WijkenEnBuurten": area,
        "Perioden": period,
        measure: value,
        "Gemeentenaam_2": "Hengelo",
        "SoortRegio_3": "Gemeente  ",
    }


def write_crime_table(
    table_dir: Path, pages: list[list[dict]], measure="GeregistreerdeMisdrijven_1"
):
    """Write a minimal 47018NED folder in the real shape, the data split over ``pages``."""
    table_dir.mkdir(parents=True, exist_ok=True)
    sets = {
        "TableInfos": [
            {
                "ID": 0,
                "Title": "Geregistreerde misdrijven; test",
                "Modified": "2025-03-14T02:00:00",
                "Identifier": "47018NED",
            }
        ],
        "DataProperties": crime_properties(measure),
        "SoortMisdrijf": [
            {"Key": "0.0.0 ", "Title": "Totaal misdrijven", "Description": None},
            {
                "Key": "1.2.3 ",
                "Title": "1.2.3 Diefstal van brom-, snor-, fietsen",
                "Description": None,
            },
            {"Key": "2.6.10", "Title": "2.6.10 Bestrijdingsmiddelen", "Description": None},
        ],
        "WijkenEnBuurten": [
            {"Key": "NL00      ", "Title": "Nederland"},
            {"Key": "GM0164    ", "Title": "Hengelo"},
            {"Key": "WK016400  ", "Title": "Wijk 00 Binnenstad"},
            {"Key": "BU01640000", "Title": "Binnenstad-Centrum"},
        ],
        "Perioden": [{"Key": "2021JJ00", "Title": "2021", "Status": "Definitief"}],
    }
    for name, rows in sets.items():
        (table_dir / f"{name}.json").write_text(json.dumps(odata_doc("47018NED", name, rows)))
    for number, rows in enumerate(pages, start=1):
        nxt = "https://example.invalid/next" if number < len(pages) else None
        (table_dir / f"TypedDataSet-{number:04d}.json").write_text(
            json.dumps(odata_doc("47018NED", "TypedDataSet", rows, nxt))
        )
    return table_dir
