"""The real OData shape shared by the demo's monthly police tables (47021NED, 47024NED, 47022NED).

Metadata rows follow the recorded 47018NED ``DataProperties`` (same fields, ``Cbs.OData.*`` types),
month periods run to the demo's "latest month", and counts are seeded Poisson draws, a generator per
cell so one changed rate leaves every other cell unchanged (as in ``demo.crime``).
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

from hengelo_analysis.demo import draws
from hengelo_analysis.demo.pdok import INDELING_YEAR
from hengelo_analysis.domain import MONTHS_NL

MODIFIED = "2025-03-10T02:00:00"  # monthly tables are refreshed early each month
LAST_MONTH = (2025, 2)  # the demo is "retrieved" 2025-03-15: February is the latest month
PROVISIONAL_FROM = (2025, 1)  # months from here on are "Voorlopig"
PAGE_SIZE = 10_000
# As the recorded 47018NED GeoDetail: MapYear 2019 while the text names the indeling (the trap);
# the demo's areas are the indeling of its PDOK boundaries.
INDELING_TEXT = f"Wijken en buurten (indeling {INDELING_YEAR})"
MAP_YEAR = 2019


def feed(table_id: str) -> str:
    return f"https://dataderden.cbs.nl/ODataFeed/OData/{table_id}"


def cell_rng(*key) -> random.Random:
    """A generator of its own per cell of the police tables (see ``draws.cell_rng``)."""
    return draws.cell_rng("police-monthly", *key)


def split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """``total`` split over ``weights`` with multinomial noise; the parts add up exactly."""
    parts, left = [], total
    for i, w in enumerate(weights[:-1]):
        rest = sum(weights[i:])
        p = w / rest if rest else 0.0
        if left < 500:  # exact binomial draw
            n = sum(rng.random() < p for _ in range(left))
        else:  # normal approximation: the national totals run into the hundreds of thousands
            z = NormalDist().inv_cdf(min(max(rng.random(), 1e-12), 1 - 1e-12))
            n = min(left, max(0, round(left * p + math.sqrt(left * p * (1 - p)) * z)))
        parts.append(n)
        left -= n
    parts.append(left)
    return parts


def months(first_year: int) -> list[tuple[int, int]]:
    """(year, month) from January ``first_year`` up to :data:`LAST_MONTH`."""
    last_year, _ = LAST_MONTH
    return [
        (y, m)
        for y in range(first_year, last_year + 1)
        for m in range(1, 13)
        if (y, m) <= LAST_MONTH
    ]


def month_key(year: int, month: int) -> str:
    return f"{year}MM{month:02d}"


def perioden(keys: list[str]) -> list[dict]:
    """The ``Perioden`` rows for ``keys`` (``2019MM01``, ``2023JJ00``), provisional where recent."""
    rows = []
    for key in keys:
        year, kind, number = int(key[:4]), key[4:6], int(key[6:])
        if kind == "MM":
            title = f"{year} {MONTHS_NL[number - 1]}"
            provisional = (year, number) >= PROVISIONAL_FROM
        else:
            title, provisional = str(year), year >= PROVISIONAL_FROM[0]
        status = "Voorlopig" if provisional else "Definitief"
        rows.append({"Key": key, "Title": title, "Description": None, "Status": status})
    return rows


def _prop(position: int, kind: str, key: str, title: str, **extra) -> dict:
    return {
        "odata.type": f"Cbs.OData.{kind}",
        "ID": position,
        "Position": position,
        "ParentID": None,
        "Type": kind,
        "Key": key,
        "Title": title,
        "Description": "",
        **extra,
    }


def data_properties(
    dimension: tuple[str, str], region: str, measure: tuple[str, str], *, name_columns: bool
) -> list[dict]:
    """DataProperties in the recorded 47018NED shape: dimension, region, Perioden, topics.

    ``region`` is ``WijkenEnBuurten`` (a GeoDetail with the MapYear trap) or ``RegioS``
    (a GeoDimension). ``name_columns`` adds the ``Gemeentenaam_2``/``SoortRegio_3`` topics.
    """
    if region == "RegioS":
        geo = _prop(1, "GeoDimension", "RegioS", "Regio's")
    else:
        geo = _prop(1, "GeoDetail", region, "Wijken en buurten", MapYear=MAP_YEAR)
        geo["Description"] = INDELING_TEXT
    topic = {"Datatype": "Long", "Unit": "aantal", "Decimals": 0, "Default": "Zero"}
    props = [
        _prop(0, "Dimension", *dimension),
        geo,
        _prop(2, "TimeDimension", "Perioden", "Perioden", ReleasePolicy=False),
        _prop(3, "Topic", *measure, **topic, PresentationType="Absolute"),
    ]
    if name_columns:
        text = {"Decimals": 0, "Default": "Missing", "PresentationType": ""}
        props += [
            _prop(4, "TopicGroup", "", "Regioaanduiding"),
            _prop(5, "Topic", "Gemeentenaam_2", "Gemeentenaam", Datatype="String", **text),
            _prop(6, "Topic", "SoortRegio_3", "Soort regio", Datatype="String", **text),
        ]
        props[-2]["ParentID"] = props[-1]["ParentID"] = 4
    return props


def table_infos(table_id: str, title: str, period: str) -> list[dict]:
    return [
        {
            "ID": 0,
            "Title": title,
            "Identifier": table_id,
            "Summary": f"SYNTHETISCHE DEMODATA in het formaat van de politietabel {table_id}.",
            "Modified": MODIFIED,
            "MetaDataModified": MODIFIED,
            "ReasonDelivery": "Actualisering",
            "ExplanatoryText": "Cijfers worden gepresenteerd volgens de nieuwe buurtindeling van 2024",
            "Frequency": "Permaand",
            "Period": period,
            "Status": "Regulier",
            "Catalog": "Politie",
            "Language": "nl",
        }
    ]
