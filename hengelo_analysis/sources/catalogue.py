"""Find the Kerncijfers wijken en buurten (KWB) table of each year in the CBS table catalogue.

CBS publishes the KWB of a year as a new table with a new id every summer ("Kerncijfers wijken en
buurten 2024" = 85984NED, 2025 = 86165NED), so the yearly rerun looks the ids up by title instead
of in a year → id map that ends where the code was last edited. ``domain.KWB_TABLES`` is only the
fallback when the catalogue cannot be read, and then fetch warns.

The listing (no recorded sample exists: written to the documented format, data-sources.md §2.1 and
the sources below, and listed among fetch's first-run checks as an assumption):

* ``GET https://opendata.cbs.nl/ODataCatalog/Tables?$format=json&$filter=substringof('Kerncijfers
  wijken en buurten',Title)`` — the OData v3 entity set ``Tables`` of the catalogue service, in the
  usual envelope (``value``, ``odata.nextLink``) [V1: the endpoint and this filter are used by two
  independent public clients; cbsodataR ``cbs_get_toc`` reads the same entity set].
* each row has ``Identifier`` (the table id), ``Title``, ``ShortTitle``, ``Modified``, ``Period``,
  ``Language``, ``Catalog``, ``OutputStatus`` (``Regulier`` for a current table) and more — the
  fields of a table's own ``TableInfos`` (recorded for 85984NED) [V1].
* the title of a yearly KWB table is exactly "Kerncijfers wijken en buurten <jaar>" [V: the
  recorded TableInfos of 85984NED]; 70904NED covers 2009-2012 ("… 2009-2012", [I]).

What is not certain is handled, not assumed: rows whose title does not match are ignored (other
tables mention the words), a year claimed by two tables goes to the ``Regulier`` one, then the
latest ``Modified``; an English or foreign-catalogue row is skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from hengelo_analysis import atomic
from hengelo_analysis.domain import KWB_LISTING_FILE, KWB_TABLES
from hengelo_analysis.sources.client import HttpClient
from hengelo_analysis.sources.download import FEED_PATHS, Endpoints, now_utc
from hengelo_analysis.sources.kwb_years import listed_year
from hengelo_analysis.sources.odata import TABLE_ID_RE
from hengelo_analysis.sources.paging import iter_odata_pages
from hengelo_analysis.sources.transport import FetchError

CATALOGUE_PATH = "/ODataCatalog/Tables"
KWB_TITLE = "Kerncijfers wijken en buurten"
KWB_TITLE_RE = re.compile(
    r"^\s*Kerncijfers wijken en buurten\s+((?:19|20)\d{2})(?:\s*[-–]\s*((?:19|20)\d{2}))?\s*$",
    re.IGNORECASE,
)
# The police series (47018NED) start in 2012: older KWB years have nothing to be set against.
FIRST_YEAR = min(KWB_TABLES)
CATALOGUE_FIELDS = ("Identifier", "Title", "Modified", "Period", "Language", "OutputStatus")
LISTING_FILE = Path(KWB_LISTING_FILE)  # under raw/<source>/: what was found


@dataclass(frozen=True)
class CatalogueTable:
    """One KWB table of the catalogue listing."""

    identifier: str
    title: str
    modified: str
    years: tuple[int, ...]
    regular: bool  # OutputStatus "Regulier" (or not given)


def catalogue_url(endpoints: Endpoints) -> str:
    """The catalogue service of the ``opendata`` host the CBS tables come from."""
    feed = endpoints.cbs.get("CBS", "")
    if not feed.endswith(FEED_PATHS["CBS"]):
        raise FetchError(f"no CBS catalogue for the feed {feed!r}")
    return feed[: -len(FEED_PATHS["CBS"])] + CATALOGUE_PATH


def catalogue_params() -> dict[str, str]:
    return {
        "$format": "json",
        "$filter": f"substringof('{KWB_TITLE}',Title)",
        "$select": ",".join(CATALOGUE_FIELDS),
    }


def _table(row: dict) -> CatalogueTable | None:
    identifier = str(row.get("Identifier") or "").strip()
    match = KWB_TITLE_RE.match(str(row.get("Title") or ""))
    if match is None or not TABLE_ID_RE.match(identifier):
        return None
    if str(row.get("Language") or "nl").strip().lower() != "nl":
        return None
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        return None
    status = str(row.get("OutputStatus") or "Regulier").strip().lower()
    return CatalogueTable(
        identifier=identifier,
        title=str(row["Title"]).strip(),
        modified=str(row.get("Modified") or ""),
        years=tuple(range(first, last + 1)),
        regular=status == "regulier",
    )


def kwb_tables(rows: list[dict]) -> dict[int, CatalogueTable]:
    """Year → KWB table from the catalogue rows (one table per year; see the module docstring)."""
    by_year: dict[int, CatalogueTable] = {}
    for row in rows:
        table = _table(row)
        if table is None:
            continue
        for year in table.years:
            current = by_year.get(year)
            # A single-year table beats the multi-year one; then Regulier, then the latest edit.
            rank = (len(table.years) == 1, table.regular, table.modified)
            if current is None or rank > (
                len(current.years) == 1,
                current.regular,
                current.modified,
            ):
                by_year[year] = table
    return dict(sorted(by_year.items()))


def read_catalogue(client: HttpClient, endpoints: Endpoints) -> list[dict]:
    """Every row of the catalogue listing of KWB tables (paged via ``odata.nextLink``)."""
    url = catalogue_url(endpoints)
    rows: list[dict] = []
    for page in iter_odata_pages(client, url, catalogue_params(), "CBS catalogue"):
        rows.extend(r for r in page.doc["value"] if isinstance(r, dict))
    if not rows:
        raise FetchError(f"{url}: the catalogue lists no {KWB_TITLE} table")
    return rows


@dataclass(frozen=True)
class KwbPlan:
    """Which KWB table to fetch for each year, and what the analyst should know about it."""

    tables: dict[int, str]  # year → table id
    source: str  # "catalogue" or "fallback"
    notes: tuple[str, ...]


def plan_kwb(
    found: dict[int, CatalogueTable] | None,
    years: list[int] | None = None,
    fallback: dict[int, str] = KWB_TABLES,
    error: str | None = None,
) -> KwbPlan:
    """The KWB tables to fetch: every catalogued year from 2012 (or ``years``), else the fallback.

    ``found`` is None when the catalogue could not be read (``error`` says why). A multi-year
    table (70904NED, 2009-2012) appears once per year; ``tables_to_fetch`` fetches it once.
    """
    if found is None or not found:
        chosen = {y: fallback[y] for y in (years or sorted(fallback)) if y in fallback}
        why = error or "it lists no KWB table"
        note = (
            f"CBS catalogue not used ({why}): the KWB ids come from the hard-coded list in "
            f"domain.KWB_TABLES, which ends at {max(fallback)}; a newer year is not found"
        )
        return KwbPlan(chosen, "fallback", (note,))
    wanted = years or [y for y in sorted(found) if y >= FIRST_YEAR]
    chosen = {y: found[y].identifier for y in wanted if y in found}
    notes = []
    for year in wanted:
        if year in found:
            continue
        if year in fallback:
            chosen[year] = fallback[year]
            notes.append(
                f"KWB {year}: not in the CBS catalogue; the hard-coded {fallback[year]} is tried"
            )
        else:
            notes.append(f"KWB {year}: no table in the CBS catalogue (not published yet?)")
    for year, identifier in sorted(chosen.items()):
        if year in fallback and fallback[year] != identifier:
            notes.append(
                f"KWB {year}: the catalogue names {identifier}, domain.KWB_TABLES {fallback[year]}"
            )
    return KwbPlan(dict(sorted(chosen.items())), "catalogue", tuple(notes))


def tables_to_fetch(plan: KwbPlan) -> dict[str, int]:
    """Table id → the year to fetch it for: a multi-year table once, for its latest wanted year."""
    out: dict[str, int] = {}
    for year, table_id in sorted(plan.tables.items()):
        out[table_id] = year
    return out


def latest_kwb_note(plan: KwbPlan, peiljaar: int | None) -> str | None:
    """ "A year without its table yet uses the latest one, and says so": the line for that case."""
    if not plan.tables or peiljaar is None or peiljaar in plan.tables:
        return None
    latest = max(y for y in plan.tables if y <= peiljaar) if min(plan.tables) <= peiljaar else None
    if latest is None:
        return None
    return (
        f"KWB {peiljaar} is not published yet: the latest, {latest} ({plan.tables[latest]}), "
        f"is the newest population for {peiljaar}"
    )


def write_listing(raw_dir: Path, rows: list[dict], plan: KwbPlan) -> Path:
    """What the catalogue said and what was chosen, for provenance (raw/<source>/catalogue/).

    Rewritten only when that changed: the clean cache hashes the raw tree, and a new retrieval
    time alone must not make the next ``clean`` run again.
    """
    path = raw_dir / LISTING_FILE
    doc = {
        "source": plan.source,
        "chosen": {str(y): t for y, t in plan.tables.items()},
        "notes": list(plan.notes),
        "rows": rows,
    }
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if isinstance(old, dict) and {k: old.get(k) for k in doc} == doc:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"retrieved_at": now_utc(), **doc}, indent=2, ensure_ascii=False) + "\n"
    atomic.write_text(path, text)
    return path


def kwb_year_of(raw_dir: Path, table_id: str) -> int | None:
    """The year the saved catalogue listing gives ``table_id`` (for a table newer than the code)."""
    return listed_year(raw_dir, table_id)
