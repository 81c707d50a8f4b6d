"""``fetch --source real``: download the real sources for one gemeente into ``data/raw/real/``.

What is fetched (data-sources.md §1-4):

* 47018NED (police, dataderden): the gemeente, its wijken and buurten (``startswith`` on the
  code), ``NL00``, and every gemeente row, one query per year so no query comes near any cap.
  The Twente and peer gemeenten are a subset of "every gemeente row"; the peer group is chosen
  later from stedelijkheid and inhabitants.
* 85146NED (Veiligheidsmonitor, opendata): every entity set; data rows for the gemeente, the
  national rows and the police-region (``RE``) and Twente rows of ``RegioS``.
* The CBS Kerncijfers wijken en buurten (KWB) table of every year: the gemeente's wijken and
  buurten, every gemeente row (stedelijkheid and inhabitants for peer groups) and ``NL00``, with
  ``$select`` limited to the columns ``clean`` uses (resolved from ``DataProperties``).
* PDOK wijk and buurt boundaries (OGC API Features, EPSG:28992) for the indeling year 47018NED uses
  (``MapYear`` in its ``DataProperties``; else the latest KWB year).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from hengelo_analysis.odata_client import (
    Endpoints,
    FetchError,
    HttpClient,
    Query,
    TableFetch,
    fetch_odata_table,
    fetch_ogc_collections,
)
from hengelo_analysis.reference import hengelo_wijken_buurten, twente_gemeenten

log = logging.getLogger(__name__)

POLICE_TABLE = "47018NED"
VEILIGHEIDSMONITOR_TABLE = "85146NED"
# data-sources.md §2.1: one KWB table per year; 70904NED covers 2009-2012 via Perioden.
KWB_TABLES: dict[int, str] = {
    2012: "70904NED",
    2013: "82339NED",
    2014: "82931NED",
    2015: "83220NED",
    2016: "83487NED",
    2017: "83765NED",
    2018: "84286NED",
    2019: "84583NED",
    2020: "84799NED",
    2021: "85039NED",
    2022: "85318NED",
    2023: "85618NED",
    2024: "85984NED",
    2025: "86165NED",
}
# KWB topic columns ``clean`` needs, by Key prefix (the numeric suffix changes per year).
KWB_TOPIC_PREFIXES = (
    "Gemeentenaam",
    "SoortRegio",
    "Codering",
    "AantalInwoners",
    "Mannen",
    "Vrouwen",
    "k_0Tot15Jaar",
    "k_15Tot25Jaar",
    "k_25Tot45Jaar",
    "k_45Tot65Jaar",
    "k_65JaarOfOuder",
    "MateVanStedelijkheid",
)
REGION_TYPES = ("GeoDimension", "GeoDetail")
YEAR_PERIOD_RE = re.compile(r"^(\d{4})JJ00$")
PDOK_CRS = "http://www.opengis.net/def/crs/EPSG/0/28992"


def _number(gemeente: str) -> str:
    return gemeente[2:]


def region_dimension(meta: dict[str, list[dict]]) -> str:
    """The region dimension's key (``WijkenEnBuurten``, or ``RegioS`` in some tables)."""
    for prop in meta.get("DataProperties", []):
        if prop.get("Type") in REGION_TYPES:
            return prop["Key"]
    for name in ("WijkenEnBuurten", "RegioS"):
        if name in meta:
            return name
    raise FetchError("no region dimension in DataProperties")


def year_periods(meta: dict[str, list[dict]]) -> list[str]:
    """The yearly ``Perioden`` keys as served (``2012JJ00``), oldest first."""
    return [p["Key"] for p in meta.get("Perioden", []) if YEAR_PERIOD_RE.match(p["Key"].strip())]


def police_plan(gemeente: str) -> callable:
    def plan(meta: dict[str, list[dict]]) -> list[Query]:
        n = _number(gemeente)
        queries = [
            Query(f"startswith(WijkenEnBuurten,'WK{n}')"),
            Query(f"startswith(WijkenEnBuurten,'BU{n}')"),
            # The keys are padded to 10 characters; startswith avoids guessing the padding.
            Query("startswith(WijkenEnBuurten,'NL')"),
        ]
        # Every gemeente row, one year at a time: ~342 gemeenten x 59 codes ≈ 20,000 rows/year.
        for period in year_periods(meta):
            queries.append(Query(f"startswith(WijkenEnBuurten,'GM') and Perioden eq '{period}'"))
        return queries

    return plan


def _or_filter(field_name: str, keys: list[str]) -> str:
    return " or ".join(f"{field_name} eq '{k}'" for k in keys)


def veiligheidsmonitor_plan(gemeente: str) -> callable:
    twente = set(twente_gemeenten()["gemeentecode"])

    def plan(meta: dict[str, list[dict]]) -> list[Query]:
        dim = region_dimension(meta)
        keys = []
        for r in meta.get(dim, []):
            code, title = r["Key"].strip(), (r.get("Title") or "")
            if (
                code == gemeente
                or code.startswith(("NL", "RE"))
                or code in twente
                or "twente" in title.lower()
            ):
                keys.append(r["Key"])  # the key as served, padding included
        if not keys:
            raise FetchError(f"{VEILIGHEIDSMONITOR_TABLE}: no matching {dim} keys")
        # Short OR lists keep the URL well below server limits (there is no ``in (...)``).
        return [Query(_or_filter(dim, keys[i : i + 15])) for i in range(0, len(keys), 15)]

    return plan


def kwb_plan(gemeente: str, year: int) -> callable:
    def plan(meta: dict[str, list[dict]]) -> list[Query]:
        dim = region_dimension(meta)
        props = meta.get("DataProperties", [])
        select = [dim]
        if "Perioden" in meta:
            select.append("Perioden")
        for prop in props:
            key = prop.get("Key", "")
            if prop.get("Type") == "Topic" and any(
                key == p or key.startswith(p + "_") for p in KWB_TOPIC_PREFIXES
            ):
                select.append(key)
        period = ""
        if "Perioden" in meta:
            wanted = [p for p in year_periods(meta) if p.startswith(str(year))]
            if wanted:
                period = f" and Perioden eq '{wanted[0]}'"
        n = _number(gemeente)
        return [
            Query(f"startswith({dim},'{prefix}'){period}", select)
            for prefix in (f"WK{n}", f"BU{n}", "GM", "NL")
        ]

    return plan


@dataclass
class FetchReport:
    tables: list[TableFetch] = field(default_factory=list)
    pdok_year: int | None = None
    checks: list[str] = field(default_factory=list)


def map_year(raw_dir: Path) -> int | None:
    """``MapYear`` of the region dimension in 47018NED's DataProperties (its indeling year)."""
    from hengelo_analysis.odata import read_entity_set

    folder = raw_dir / POLICE_TABLE
    if not folder.is_dir():
        return None
    for prop in read_entity_set(folder, "DataProperties", required=False):
        if prop.get("Type") in REGION_TYPES and str(prop.get("MapYear") or "").isdigit():
            return int(prop["MapYear"])
    return None


def fetch_real(
    raw_dir: Path,
    gemeente: str,
    *,
    refresh: bool = False,
    endpoints: Endpoints | None = None,
    client: HttpClient | None = None,
    kwb_years: list[int] | None = None,
) -> FetchReport:
    """Download everything the report needs for ``gemeente`` into ``raw_dir`` (``data/raw/real``)."""
    endpoints = endpoints or Endpoints.from_env()
    client = client or HttpClient()
    report = FetchReport()
    police = fetch_odata_table(
        client,
        endpoints,
        "Politie",
        POLICE_TABLE,
        raw_dir,
        police_plan(gemeente),
        refresh=refresh,
        keep_previous=("WijkenEnBuurten",),
    )
    report.tables.append(police)
    report.tables.append(
        fetch_odata_table(
            client,
            endpoints,
            "CBS",
            VEILIGHEIDSMONITOR_TABLE,
            raw_dir,
            veiligheidsmonitor_plan(gemeente),
            refresh=refresh,
        )
    )
    years = kwb_years if kwb_years is not None else sorted(KWB_TABLES)
    for year in years:
        try:
            report.tables.append(
                fetch_odata_table(
                    client,
                    endpoints,
                    "CBS",
                    KWB_TABLES[year],
                    raw_dir,
                    kwb_plan(gemeente, year),
                    refresh=refresh,
                )
            )
        except FetchError as exc:
            # A KWB year that is not (yet) published must not stop the other years.
            if year == max(KWB_TABLES):
                log.warning("KWB %d (%s) not fetched: %s", year, KWB_TABLES[year], exc)
                continue
            raise
    pdok_year = map_year(raw_dir) or max(years)
    report.pdok_year = pdok_year
    params = {
        "f": "json",
        "gemeentecode": gemeente,
        "crs": PDOK_CRS,
        "limit": "1000",
    }
    fetch_ogc_collections(
        client,
        f"{endpoints.pdok}/cbs/wijken-en-buurten-{pdok_year}/ogc/v1",
        {"wijken": params, "buurten": params},
        raw_dir / "pdok" / str(pdok_year),
        refresh=refresh,
        extra_manifest={"indeling_year": pdok_year, "gemeente": gemeente, "crs": "EPSG:28992"},
    )
    report.checks = first_run_checks(raw_dir, gemeente, police.previous_dimensions)
    if not police.downloaded:
        report.checks.insert(
            0, f"{POLICE_TABLE} unchanged since the last fetch (Modified {police.modified})"
        )
    return report


def _buurt_codes(rows: list[dict], gemeente: str) -> set[str]:
    prefix = "BU" + _number(gemeente)
    return {r["Key"].strip() for r in rows if r.get("Key", "").strip().startswith(prefix)}


def first_run_checks(
    raw_dir: Path, gemeente: str, previous: dict[str, list[dict]] | None = None
) -> list[str]:
    """What an analyst must verify after fetching (data-sources.md §8), as readable lines."""
    from hengelo_analysis.odata import read_entity_set

    lines: list[str] = []
    folder = raw_dir / POLICE_TABLE
    if not folder.is_dir():
        return [f"{POLICE_TABLE} is missing: nothing to check"]
    current = _buurt_codes(read_entity_set(folder, "WijkenEnBuurten", required=False), gemeente)
    if previous and previous.get("WijkenEnBuurten"):
        last, what = _buurt_codes(previous["WijkenEnBuurten"], gemeente), "the previous fetch"
    elif gemeente == "GM0164":
        last, what = (
            set(hengelo_wijken_buurten()["buurtcode"]),
            "reference/hengelo_wijken_buurten.csv",
        )
    else:
        last, what = set(), "nothing (first fetch)"
    added, removed = sorted(current - last), sorted(last - current)
    lines.append(f"buurten of {gemeente} in {POLICE_TABLE}: {len(current)} (compared with {what})")
    lines.append(f"  added:   {', '.join(added) if added else 'none'}")
    lines.append(f"  removed: {', '.join(removed) if removed else 'none'}")
    perioden = read_entity_set(folder, "Perioden", required=False)
    yearly = [p for p in perioden if YEAR_PERIOD_RE.match(p["Key"].strip())]
    if yearly:
        latest = max(yearly, key=lambda p: p["Key"])
        status = (latest.get("Status") or "onbekend").strip()
        lines.append(f"latest period of {POLICE_TABLE}: {latest['Key'].strip()} ({status})")
        if status.lower() != "definitief":
            lines.append("  the latest year is provisional: figures may still change")
    props = read_entity_set(folder, "DataProperties", required=False)
    topics = [p["Key"] for p in props if p.get("Type") == "Topic"]
    lines.append(
        f"{POLICE_TABLE} topic columns: {', '.join(topics)} (expected GeregistreerdeMisdrijven_1, Gemeentenaam_2, SoortRegio_3)"
    )
    mapyear = map_year(raw_dir)
    lines.append(f"indeling year of {POLICE_TABLE} (MapYear): {mapyear or 'not given'}")
    vm = raw_dir / VEILIGHEIDSMONITOR_TABLE
    if vm.is_dir():
        regions = {r["Key"].strip() for r in read_entity_set(vm, "RegioS", required=False)}
        lines.append(
            f"{gemeente} in {VEILIGHEIDSMONITOR_TABLE} RegioS: {'yes' if gemeente in regions else 'NO (use Twente/RE rows)'}"
        )
    lines.append(
        "also check: 47021NED/47024NED Overlast categories for verward gedrag (E33); "
        "Veiligheidsmonitor ids before 2021"
    )
    return lines
