"""Tables the recorded-response server serves beyond 47018NED, 85146NED, KWB and PDOK.

The police overlast and monthly tables with the REAL recorded dimensions, and the CBS table
catalogue listing (SYNTHETIC: no recorded listing exists).
"""

from __future__ import annotations

from tests.real_samples import (
    national_overlast_rows,
    overlast_properties,
    police_47018,
    police_dimension,
)

# --- the police overlast and monthly tables, with the REAL recorded dimensions --------------------
# The Overlast, RegioS and WijkenEnBuurten rows are the recorded files (tests/fixtures/real/), served
# as read (``"E33   "``, ``"NL01  "``, ``"GM0164    "``); the national 47021NED series is the derived
# control (E33 44,571 in 2012 -> 141,724 in 2023). DataProperties are constructed (not recorded, see
# real_samples.overlast_properties); every Hengelo count is invented (SYNTHETIC).

HENGELO_E33 = {2012: 310, 2023: 690}  # invented; the AD quoted 688 for 2022
NUISANCE_MODIFIED = "2024-01-15T02:00:00"


def _infos(table_id: str, title: str, modified: str) -> list[dict]:
    return [{"ID": 0, "Identifier": table_id, "Title": title, "Modified": modified}]


def _month_perioden(years: range) -> list[dict]:
    return [
        {"Key": f"{y}MM{m:02d}", "Title": f"{y} maand {m}", "Status": "Definitief"}
        for y in years
        for m in range(1, 13)
    ]


def real_gemeente_nuisance(
    modified: str = NUISANCE_MODIFIED, years: range = range(2012, 2024)
) -> dict[str, list[dict]]:
    """47021NED: real Overlast and RegioS; NL01 from the control series, GM0164 invented."""
    keys = [r["Key"] for r in police_dimension("47021NED_Overlast")]
    rows = [r for r in national_overlast_rows() if int(r["Perioden"][:4]) in years]
    for year in years:
        for k in keys:
            e33 = HENGELO_E33[2012] + (year - 2012) * 35
            value = e33 if k.strip() == "E33" else (4 * e33 if k.strip() == "0.0.0" else 50)
            rows.append(
                {
                    "ID": len(rows),
                    "Overlast": k,
                    "RegioS": "GM0164",
                    "Perioden": f"{year}JJ00",
                    "GeregistreerdeOverlast_1": value,
                }
            )
    extra = [
        {"Key": f"{y}JJ00", "Title": str(y), "Status": "Definitief"}
        for y in years
        if y > 2023  # the recorded Perioden end in 2023
    ]
    perioden = [p for p in police_47018("Perioden") if int(p["Key"][:4]) in years] + extra
    return {
        "TableInfos": _infos("47021NED", "Geregistreerde overlast; soort, gemeente", modified),
        "DataProperties": overlast_properties("RegioS"),
        "Overlast": police_dimension("47021NED_Overlast"),
        "RegioS": police_dimension("47021NED_RegioS"),
        "Perioden": perioden,
        "TypedDataSet": rows,
    }


def real_wijk_nuisance(
    modified: str = NUISANCE_MODIFIED, years: range = range(2023, 2024)
) -> dict[str, list[dict]]:
    """47024NED: real Overlast and WijkenEnBuurten (NL00 + Hengelo); invented monthly counts."""
    keys = [r["Key"] for r in police_dimension("47024NED_Overlast_firstcommit")]
    regions = police_dimension("47024NED_WijkenEnBuurten_GM0164_subset")
    perioden = _month_perioden(years)
    rows = []
    for region in regions:
        code = region["Key"]
        kind = {"NL": "Land", "GM": "Gemeente", "WK": "Wijk", "BU": "Buurt"}[code[:2]]
        for k in keys:
            for period in perioden:
                value = 0 if code.startswith("BU") and k.strip() != "0.0.0" else 3
                rows.append(
                    {
                        "ID": len(rows),
                        "Overlast": k,
                        "WijkenEnBuurten": code,
                        "Perioden": period["Key"],
                        "GeregistreerdeOverlast_1": value,
                        # blank-padded where the count is 0, as in the real 47018NED rows
                        "Gemeentenaam_2": ("Hengelo" if value else "").ljust(30),
                        "SoortRegio_3": (kind if value else "").ljust(8),
                    }
                )
    return {
        "TableInfos": _infos("47024NED", "Geregistreerde overlast; wijk, buurt, maand", modified),
        "DataProperties": overlast_properties("WijkenEnBuurten"),
        "Overlast": police_dimension("47024NED_Overlast_firstcommit"),
        "WijkenEnBuurten": regions,
        "Perioden": perioden,
        "TypedDataSet": rows,
    }


def real_monthly_crime(
    modified: str = NUISANCE_MODIFIED, years: range = range(2022, 2024)
) -> dict[str, list[dict]]:
    """47022NED: the real 47018NED DataProperties/SoortMisdrijf/WijkenEnBuurten subset, months."""
    regions = police_47018("WijkenEnBuurten_GM0164_subset")
    perioden = _month_perioden(years)
    codes = [r["Key"] for r in police_47018("SoortMisdrijf")][:2]
    props = [
        p
        for p in police_47018("DataProperties")
        if p["Key"] not in ("Gemeentenaam_2", "SoortRegio_3")
    ]
    props = [p for p in props if p["Type"] != "TopicGroup"]
    rows = [
        {
            "ID": i,
            "SoortMisdrijf": code,
            "WijkenEnBuurten": region["Key"],
            "Perioden": period["Key"],
            "GeregistreerdeMisdrijven_1": 5,
        }
        for i, (code, region, period) in enumerate(
            (c, r, p)
            for c in codes
            for r in regions
            for p in perioden
            if not r["Key"].startswith("BU")
        )
    ]
    return {
        "TableInfos": _infos("47022NED", "Geregistreerde misdrijven; maandcijfers", modified),
        "DataProperties": props,
        "SoortMisdrijf": police_47018("SoortMisdrijf")[:2],
        "WijkenEnBuurten": regions,
        "Perioden": perioden,
        "TypedDataSet": rows,
    }


def open_police_tables() -> dict[str, dict[str, list[dict]]]:
    return {
        "47021NED": real_gemeente_nuisance(),
        "47024NED": real_wijk_nuisance(),
        "47022NED": real_monthly_crime(),
    }


# --- the CBS table catalogue: SYNTHETIC, no recorded listing exists -------------------------------
# Written to the documented format (sources/catalogue.py): ODataCatalog/Tables rows with the fields
# of a table's TableInfos. The distractors are what a substringof on the title also finds.


def catalogue_rows(tables: dict[int, str]) -> list[dict]:
    rows = [
        {
            "Identifier": table_id,
            "Title": f"Kerncijfers wijken en buurten {year}",
            "ShortTitle": f"Kerncijfers wijken en buurten {year}",
            "Modified": f"{year + 1}-03-27T02:00:00",
            "Period": str(year),
            "Language": "nl",
            "Catalog": "CBS",
            "OutputStatus": "Regulier",
        }
        for year, table_id in sorted(tables.items())
    ]
    latest = max(tables)
    rows += [
        {  # a table that mentions the title but is not a yearly KWB
            "Identifier": "85000NED",
            "Title": f"Kerncijfers wijken en buurten {latest}; toelichting bij de indeling",
            "Modified": f"{latest + 1}-01-01T02:00:00",
            "Language": "nl",
        },
        {  # the English edition
            "Identifier": "85999ENG",
            "Title": f"Kerncijfers wijken en buurten {latest}",
            "Modified": f"{latest + 1}-01-01T02:00:00",
            "Language": "en",
        },
    ]
    return rows
