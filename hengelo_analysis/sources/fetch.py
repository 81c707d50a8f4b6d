"""``fetch --source real``: download the real sources for one gemeente into ``data/raw/real/``.

What is fetched (data-sources.md §1-4):

* 47018NED (police, dataderden): the gemeente, its wijken and buurten (``startswith`` on the
  code), ``NL00``, and every gemeente row, one query per year so no query comes near any cap.
  The Twente and peer gemeenten are a subset of "every gemeente row"; the peer group is chosen
  later from stedelijkheid and inhabitants.
* 85146NED (Veiligheidsmonitor, opendata): every entity set; data rows for the gemeente, the
  national rows and the police-region (``RE``) and Twente rows of ``RegioS``.
* 47021NED/47024NED (overlast per gemeente; per wijk and buurt, monthly) and 47022NED (misdrijven
  per maand, the "lopend jaar"), with the plans of ``police_plans``. A missing or failing one is a
  warning (in ``FetchReport.warnings`` and at the top of the checks), not a failed fetch.
* The CBS Kerncijfers wijken en buurten (KWB) table of every year, its id looked up in the CBS
  table catalogue by title (``catalogue``; ``domain.KWB_TABLES`` only as a warned fallback): the
  gemeente's wijken and buurten, every gemeente row (stedelijkheid and inhabitants for peer groups)
  and ``NL00``, with ``$select`` limited to the columns ``clean`` uses (from ``DataProperties``).
* PDOK wijk and buurt boundaries (OGC API Features, EPSG:28992) for the indeling year 47018NED uses
  (named in its region dimension's text, not its stale ``MapYear``; else the latest KWB year) —
  unless an analyst put boundary files in ``boundaries/``, which win (``geo``).

A new download replaces the cached copy only after it passes the reader ``clean`` applies to that
table (``fetch_checks``): an answer that is valid JSON but empty or unusable keeps the old copy.
The readers are imported when a download is complete, so a failing fetch never loads pandas.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hengelo_analysis.domain import (
    NUISANCE_GEMEENTE_TABLE,
    NUISANCE_WIJK_TABLE,
    POLICE_MONTHLY_TABLE,
    POLICE_TABLE,
    REGION_TYPES,
    VEILIGHEIDSMONITOR_TABLE,
    YEAR_PERIOD_RE,
)
from hengelo_analysis.reference import twente_gemeenten
from hengelo_analysis.sources.catalogue import (
    KwbPlan,
    kwb_tables,
    latest_kwb_note,
    plan_kwb,
    read_catalogue,
    tables_to_fetch,
    write_listing,
)
from hengelo_analysis.sources.client import HttpClient
from hengelo_analysis.sources.download import (
    Endpoints,
    Query,
    TableFetch,
    fetch_odata_table,
    fetch_ogc_collections,
)
from hengelo_analysis.sources.fetch_checks import (
    check_areas,
    check_crime,
    check_crime_monthly,
    check_kwb,
    check_nuisance,
    check_survey,
)
from hengelo_analysis.sources.first_run import first_run_checks
from hengelo_analysis.sources.indeling import police_indeling_year
from hengelo_analysis.sources.police_plans import (
    gemeente_nuisance_filters,
    monthly_crime_filters,
    wijk_nuisance_filters,
)
from hengelo_analysis.sources.transport import FetchError

log = logging.getLogger(__name__)

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
    "BedrijfsvestigingenTotaal",
)
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


def filters_plan(filters: Callable[[dict, str], list[str]], gemeente: str) -> Callable:
    """A ``fetch_odata_table`` plan from one of ``police_plans``' filter functions."""

    def plan(meta: dict[str, list[dict]]) -> list[Query]:
        try:
            return [Query(f) for f in filters(meta, gemeente)]
        except ValueError as exc:  # e.g. the gemeente is not in the region dimension
            raise FetchError(str(exc)) from None

    return plan


# The open police tables beside 47018NED: what is lost when one is missing is a warning, not a
# failed fetch (the report then says which pages lack it).
OPEN_POLICE_TABLES = (
    (NUISANCE_GEMEENTE_TABLE, gemeente_nuisance_filters, check_nuisance, "overlast per gemeente"),
    (NUISANCE_WIJK_TABLE, wijk_nuisance_filters, check_nuisance, "overlast per wijk en buurt"),
    (POLICE_MONTHLY_TABLE, monthly_crime_filters, check_crime_monthly, "lopend jaar"),
)


@dataclass
class FetchReport:
    tables: list[TableFetch] = field(default_factory=list)
    pdok_year: int | None = None
    checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # tables not fetched; also in ``checks``

    def warn(self, message: str) -> None:
        log.warning(message)
        self.warnings.append(message)


def fetch_open_police(
    client: HttpClient,
    endpoints: Endpoints,
    raw_dir: Path,
    gemeente: str,
    report: FetchReport,
    *,
    refresh: bool = False,
) -> None:
    """47021NED, 47024NED and 47022NED; a missing or failing one is warned and the rest go on."""
    for table_id, filters, check, what in OPEN_POLICE_TABLES:
        try:
            report.tables.append(
                fetch_odata_table(
                    client,
                    endpoints,
                    "Politie",
                    table_id,
                    raw_dir,
                    filters_plan(filters, gemeente),
                    refresh=refresh,
                    check=check,
                )
            )
        except FetchError as exc:
            cached = " (the cached copy is used)" if (raw_dir / table_id).is_dir() else ""
            report.warn(f"{table_id} ({what}) not fetched{cached}: {exc}")


def fetch_kwb(
    client: HttpClient,
    endpoints: Endpoints,
    raw_dir: Path,
    gemeente: str,
    report: FetchReport,
    years: list[int] | None = None,
    *,
    refresh: bool = False,
) -> KwbPlan:
    """The KWB table of every year, ids looked up in the CBS catalogue (``catalogue``).

    The latest year's table failing (not published yet, or not complete) is a warning; an older
    one failing stops the fetch, since the population of a published year must not go missing.
    """
    try:
        rows = read_catalogue(client, endpoints)
        plan = plan_kwb(kwb_tables(rows), years)
    except FetchError as exc:
        rows, plan = [], plan_kwb(None, years, error=str(exc))
    if plan.source == "fallback":
        report.warn(plan.notes[0])
    write_listing(raw_dir, rows, plan)
    latest = max(plan.tables, default=None)
    for table_id, year in tables_to_fetch(plan).items():
        try:
            report.tables.append(
                fetch_odata_table(
                    client,
                    endpoints,
                    "CBS",
                    table_id,
                    raw_dir,
                    kwb_plan(gemeente, year),
                    refresh=refresh,
                    check=lambda folder, year=year: check_kwb(folder, year),
                )
            )
        except FetchError as exc:
            if year != latest:
                raise
            report.warn(f"KWB {year} ({table_id}) not fetched: {exc}")
    return plan


def kwb_check_lines(plan: KwbPlan, raw_dir: Path) -> tuple[str, ...]:
    """The KWB ids chosen, the lookup's notes and, when the police year is newer, what is used."""
    chosen = ", ".join(f"{y} {t}" for y, t in plan.tables.items())
    lines = [f"KWB tables ({plan.source}): {chosen or 'none'}", *plan.notes]
    periods = [p.strip() for p in year_periods_of(raw_dir / POLICE_TABLE)]
    latest = latest_kwb_note(plan, int(max(periods)[:4]) if periods else None)
    return tuple([*lines, latest] if latest else lines)


def year_periods_of(folder: Path) -> list[str]:
    from hengelo_analysis.sources.odata import read_entity_set

    if not folder.is_dir():
        return []
    return year_periods({"Perioden": read_entity_set(folder, "Perioden", required=False)})


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
        check=check_crime,
    )
    report.tables.append(police)
    fetch_open_police(client, endpoints, raw_dir, gemeente, report, refresh=refresh)
    report.tables.append(
        fetch_odata_table(
            client,
            endpoints,
            "CBS",
            VEILIGHEIDSMONITOR_TABLE,
            raw_dir,
            veiligheidsmonitor_plan(gemeente),
            refresh=refresh,
            check=check_survey,
        )
    )
    kwb = fetch_kwb(client, endpoints, raw_dir, gemeente, report, kwb_years, refresh=refresh)
    pdok_year = police_indeling_year(raw_dir) or max(kwb.tables, default=None)
    report.pdok_year = pdok_year
    from hengelo_analysis.sources import geo  # geopandas: only once the tables are in

    if geo.boundary_files(raw_dir / geo.BOUNDARIES_DIR) or pdok_year is None:
        # Boundaries an analyst dropped in win over PDOK (geo): no download needed.
        report.pdok_year = None
    else:
        fetch_pdok(client, endpoints, raw_dir, gemeente, pdok_year, refresh=refresh)
    report.checks = first_run_checks(
        raw_dir, gemeente, police.previous_dimensions, kwb_notes=kwb_check_lines(kwb, raw_dir)
    )
    report.checks[:0] = [f"WARNING {w}" for w in report.warnings]
    if not police.downloaded:
        report.checks.insert(
            0, f"{POLICE_TABLE} unchanged since the last fetch (Modified {police.modified})"
        )
    return report


def fetch_pdok(
    client: HttpClient,
    endpoints: Endpoints,
    raw_dir: Path,
    gemeente: str,
    year: int,
    *,
    refresh: bool = False,
) -> None:
    """PDOK OGC API wijken and buurten of the indeling ``year``, in EPSG:28992."""
    params = {
        "f": "json",
        "gemeentecode": gemeente,
        "crs": PDOK_CRS,
        "limit": "1000",
    }
    fetch_ogc_collections(
        client,
        f"{endpoints.pdok}/cbs/wijken-en-buurten-{year}/ogc/v1",
        {"wijken": params, "buurten": params},
        raw_dir / "pdok" / str(year),
        refresh=refresh,
        extra_manifest={"indeling_year": year, "gemeente": gemeente, "crs": "EPSG:28992"},
        check=check_areas,
    )
