"""Synthetic police table 47018NED (registered crime per wijk/buurt, yearly) in its real OData v3 shape.

The numbers come from :mod:`hengelo_analysis.demo.crime_counts`; this module lays them out as the
ODataFeed endpoint returns them: padded dimension keys, the region dimension in CBS order (NL,
then each gemeente with Hengelo's wijken and buurten under it), DataProperties and TableInfos.
"""

from __future__ import annotations

from hengelo_analysis.demo.crime_counts import HENGELO, Counts, crime_counts
from hengelo_analysis.demo.geography import GEMEENTEN, YEARS, Buurt, hengelo_buurten
from hengelo_analysis.demo.pdok import INDELING_YEAR
from hengelo_analysis.domain import NL_CODE, POLICE_TABLE, TOTAL_CRIME
from hengelo_analysis.reference import soortmisdrijf

TABLE_ID = POLICE_TABLE
FEED = f"https://dataderden.cbs.nl/ODataFeed/OData/{TABLE_ID}"
PAGE_SIZE = 10_000
MODIFIED = "2025-03-14T02:00:00"


def _pad(code: str, width: int) -> str:
    return code.ljust(width)


def region_rows(
    wijken: list[tuple[str, str]], buurten: tuple[Buurt, ...]
) -> tuple[list[dict], dict[str, str]]:
    """The WijkenEnBuurten dimension rows, and the SoortRegio of each area code."""
    rows = [{"Key": _pad(NL_CODE, 10), "Title": "Nederland", "Description": None}]
    soort = {NL_CODE: ""}
    for gem in sorted(GEMEENTEN, key=lambda g: g.code):
        rows.append({"Key": _pad(gem.code, 10), "Title": gem.name, "Description": None})
        soort[gem.code] = "Gemeente"
        if gem.code == HENGELO:
            for w, wname in wijken:
                rows.append({"Key": _pad(w, 10), "Title": wname, "Description": None})
                soort[w] = "Wijk"
                for b in buurten:
                    if b.wijk_code == w:
                        rows.append({"Key": b.code, "Title": b.name, "Description": None})
                        soort[b.code] = "Buurt"
    return rows, soort


def data_rows(
    areas: Counts, codes: list[str], regions: list[dict], soort: dict[str, str]
) -> list[dict]:
    """TypedDataSet rows: crime code, then area in dimension order, then year."""
    names = {g.code: g.name for g in GEMEENTEN}
    rows: list[dict] = []
    region_order = [r["Key"].strip() for r in regions]
    for code in [TOTAL_CRIME, *codes]:
        for area in region_order:
            gem_name = (
                "" if area == NL_CODE else names[HENGELO if area[:2] in ("WK", "BU") else area]
            )
            for year in YEARS:
                rows.append(
                    {
                        "ID": len(rows),
                        "SoortMisdrijf": _pad(code, 6),
                        "WijkenEnBuurten": _pad(area, 10),
                        "Perioden": f"{year}JJ00",
                        "GeregistreerdeMisdrijven_1": areas[area][(code, year)],
                        "Gemeentenaam_2": gem_name,
                        "SoortRegio_3": soort[area].ljust(10) if soort[area] else "",
                    }
                )
    return rows


def generate_rows() -> tuple[list[dict], list[dict]]:
    """Return (TypedDataSet rows, WijkenEnBuurten dimension rows)."""
    codes = [c for c in soortmisdrijf()["crime_code"] if c != TOTAL_CRIME]
    buurten = hengelo_buurten()
    wijken = sorted({(b.wijk_code, b.wijk_name) for b in buurten})
    areas = crime_counts(codes, buurten, [w for w, _ in wijken])
    regions, soort = region_rows(wijken, buurten)
    return data_rows(areas, codes, regions, soort), regions


def _data_properties() -> list[dict]:
    """The dimensions and topics of 47018NED; the Description, not ``MapYear``, names the indeling."""
    return [
        {
            "odata.type": "Cbs.OData.Dimension",
            "ID": 0,
            "Position": 0,
            "ParentID": None,
            "Type": "Dimension",
            "Key": "SoortMisdrijf",
            "Title": "Soort misdrijf",
            "Description": None,
            "ReleasePolicy": False,
        },
        {
            "odata.type": "Cbs.OData.GeoDetail",
            "ID": 1,
            "Position": 1,
            "ParentID": None,
            "Type": "GeoDetail",
            "Key": "WijkenEnBuurten",
            "Title": "Wijken en buurten",
            # the real table's trap: MapYear is stale, the indeling year is in the text
            "Description": f"Wijken en buurten (indeling {INDELING_YEAR})",
            "MapYear": "2019",
            "ReleasePolicy": False,
        },
        {
            "odata.type": "Cbs.OData.TimeDimension",
            "ID": 2,
            "Position": 2,
            "ParentID": None,
            "Type": "TimeDimension",
            "Key": "Perioden",
            "Title": "Perioden",
            "Description": None,
            "ReleasePolicy": True,
        },
        {
            "odata.type": "Cbs.OData.Topic",
            "ID": 3,
            "Position": 3,
            "ParentID": None,
            "Type": "Topic",
            "Key": "GeregistreerdeMisdrijven_1",
            "Title": "Geregistreerde misdrijven",
            "Description": None,
            "Datatype": "Long",
            "Unit": "aantal",
            "Decimals": 0,
            "Default": "Impossible",
        },
        {
            "odata.type": "Cbs.OData.Topic",
            "ID": 4,
            "Position": 4,
            "ParentID": None,
            "Type": "Topic",
            "Key": "Gemeentenaam_2",
            "Title": "Gemeentenaam",
            "Description": None,
            "Datatype": "String",
            "Unit": "",
            "Decimals": 0,
            "Default": "Impossible",
        },
        {
            "odata.type": "Cbs.OData.Topic",
            "ID": 5,
            "Position": 5,
            "ParentID": None,
            "Type": "Topic",
            "Key": "SoortRegio_3",
            "Title": "Soort regio",
            "Description": None,
            "Datatype": "String",
            "Unit": "",
            "Decimals": 0,
            "Default": "Impossible",
        },
    ]


def _table_infos(latest: int) -> list[dict]:
    return [
        {
            "ID": 0,
            "Title": "Geregistreerde misdrijven; soort misdrijf, wijk, buurt, jaarcijfers",
            "ShortTitle": "Misdrijven; soort, wijk, buurt, jaar",
            "Identifier": TABLE_ID,
            "Summary": "SYNTHETISCHE DEMODATA in het formaat van de politietabel 47018NED.",
            "Modified": MODIFIED,
            "MetaDataModified": MODIFIED,
            "ReasonDelivery": "Actualisering",
            "Frequency": "Perjaar",
            "Period": f"{min(YEARS)}-{latest}",
            "Status": "Regulier",
            "Catalog": "Politie",
            "Language": "nl",
        }
    ]


def entity_sets() -> dict[str, list[dict]]:
    """Every entity set of the demo 47018NED, as the ODataFeed endpoint would return it."""
    typed, regions = generate_rows()
    ref = soortmisdrijf()
    soort_rows = [
        {
            "Key": row.key,
            "Title": row.title
            if row.crime_code == TOTAL_CRIME
            else f"{row.crime_code} {row.title}",
            "Description": None,
            "CategoryGroupID": None,
        }
        for row in ref.itertuples(index=False)
    ]
    latest = max(YEARS)
    perioden = [
        {
            "Key": f"{y}JJ00",
            "Title": str(y),
            "Description": None,
            "Status": "Voorlopig" if y == latest else "Definitief",
        }
        for y in YEARS
    ]
    return {
        "TableInfos": _table_infos(latest),
        "DataProperties": _data_properties(),
        "SoortMisdrijf": soort_rows,
        "WijkenEnBuurten": regions,
        "Perioden": perioden,
        "TypedDataSet": typed,
    }
