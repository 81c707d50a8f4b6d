"""What an analyst must verify after the first online fetch (data-sources.md §8), as readable lines.

Nothing of the real path was verified against the live services (the project was built offline
from recorded samples): each line names a fact to check by eye, with what was found in this fetch.
"""

from __future__ import annotations

from pathlib import Path

from hengelo_analysis.domain import (
    NUISANCE_GEMEENTE_TABLE,
    NUISANCE_WIJK_TABLE,
    POLICE_MONTHLY_TABLE,
    POLICE_TABLE,
    VEILIGHEIDSMONITOR_TABLE,
    YEAR_PERIOD_RE,
)
from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.reference import hengelo_wijken_buurten
from hengelo_analysis.sources.indeling import (
    boundary_codes,
    boundary_coverage,
    police_indeling_year,
)
from hengelo_analysis.sources.odata import read_entity_set

# The topic columns each table is assumed to have, and on what ground (data-sources.md §1.2).
OPEN_POLICE_TOPICS = {
    NUISANCE_GEMEENTE_TABLE: (
        "GeregistreerdeOverlast_1",
        "never seen in a recorded DataProperties",
    ),
    NUISANCE_WIJK_TABLE: (
        "GeregistreerdeOverlast_1, Gemeentenaam_2, SoortRegio_3",
        "never seen in a recorded DataProperties",
    ),
    POLICE_MONTHLY_TABLE: (
        "GeregistreerdeMisdrijven_1",
        "seen in the recorded Atom page of May 2023, not in its DataProperties",
    ),
}
NUISANCE_CODES = ("E33", "E35", "E38")  # C1 verward, youth page, C6 alcohol/drugs


def _buurt_codes(rows: list[dict], gemeente: str) -> set[str]:
    prefix = "BU" + gemeente[2:]
    return {r["Key"].strip() for r in rows if r.get("Key", "").strip().startswith(prefix)}


def _buurten_lines(folder: Path, gemeente: str, previous: dict[str, list[dict]] | None):
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
    return [
        f"buurten of {gemeente} in {POLICE_TABLE}: {len(current)} (compared with {what})",
        f"  added:   {', '.join(added) if added else 'none'}",
        f"  removed: {', '.join(removed) if removed else 'none'}",
    ]


def _latest_period_lines(folder: Path) -> list[str]:
    perioden = read_entity_set(folder, "Perioden", required=False)
    yearly = [p for p in perioden if YEAR_PERIOD_RE.match(p["Key"].strip())]
    if not yearly:
        return [f"{POLICE_TABLE}: no year periods in Perioden"]
    latest = max(yearly, key=lambda p: p["Key"])
    status = (latest.get("Status") or "onbekend").strip()
    lines = [f"latest period of {POLICE_TABLE}: {latest['Key'].strip()} ({status})"]
    if status.lower() != "definitief":
        lines.append("  the latest year is provisional: figures may still change")
    return lines


def _topics(folder: Path) -> list[str]:
    props = read_entity_set(folder, "DataProperties", required=False)
    return [p["Key"] for p in props if p.get("Type") == "Topic"]


def _open_police_lines(raw_dir: Path) -> list[str]:
    """Topic keys and categories of 47021NED/47024NED/47022NED: built from the docs, not seen."""
    lines = []
    for table_id, (expected, basis) in OPEN_POLICE_TOPICS.items():
        folder = raw_dir / table_id
        if not folder.is_dir():
            lines.append(f"{table_id}: not fetched (see the warnings above)")
            continue
        lines.append(
            f"{table_id} topic columns: {', '.join(_topics(folder)) or 'none'} "
            f"(assumed {expected}: {basis})"
        )
        if table_id == NUISANCE_WIJK_TABLE or table_id == NUISANCE_GEMEENTE_TABLE:
            codes = {r["Key"].strip() for r in read_entity_set(folder, "Overlast", required=False)}
            absent = [c for c in NUISANCE_CODES if c not in codes]
            lines.append(
                f"  {table_id} Overlast: {len(codes)} categories; "
                + (f"MISSING {', '.join(absent)}" if absent else "E33, E35 and E38 present")
            )
    return lines


def _survey_lines(raw_dir: Path, gemeente: str) -> list[str]:
    vm = raw_dir / VEILIGHEIDSMONITOR_TABLE
    if not vm.is_dir():
        return [f"{VEILIGHEIDSMONITOR_TABLE}: not fetched"]
    regions = {r["Key"].strip() for r in read_entity_set(vm, "RegioS", required=False)}
    waves = sorted(
        p["Key"].strip()[:4]
        for p in read_entity_set(vm, "Perioden", required=False)
        if YEAR_PERIOD_RE.match(p["Key"].strip())
    )
    member = "yes" if gemeente in regions else "NO (the Twente/RE rows are used)"
    return [
        f"{gemeente} in {VEILIGHEIDSMONITOR_TABLE} RegioS: {member}",
        f"{VEILIGHEIDSMONITOR_TABLE} waves: {', '.join(waves) or 'none'} "
        "(the tables of 2019 and earlier are not fetched: their ids are unknown)",
        f"{VEILIGHEIDSMONITOR_TABLE} topic columns: {len(_topics(vm))}; check the keys of "
        "reference/veiligheidsmonitor_85146NED_topic_keys_partial.csv against them "
        "(that list was transcribed, not recorded)",
    ]


def _boundary_lines(raw_dir: Path, gemeente: str, indeling: int | None) -> list[str]:
    from hengelo_analysis.sources import geo

    police = raw_dir / POLICE_TABLE
    codes = _buurt_codes(read_entity_set(police, "WijkenEnBuurten", required=False), gemeente)
    dropped = raw_dir / geo.BOUNDARIES_DIR
    if geo.boundary_files(dropped):
        where = f"{dropped} (dropped in; wins over pdok/)"
        try:
            areas = geo.clean_boundaries(dropped, {gemeente}).areas
        except AnalysisError as exc:
            return [f"boundaries in {where}: unreadable ({exc})"]
        drawn = set(areas.loc[areas.area_level == "buurt", "area_code"])
    else:
        folder = geo.pdok_year_dir(raw_dir, indeling)
        if folder is None:
            return ["boundaries: none (no pdok/ download, no boundaries/ folder): no maps"]
        where = f"pdok/{folder.name}"
        drawn = boundary_codes(f for _, _, f in geo.read_features(folder, "buurten"))
    coverage = boundary_coverage(codes, drawn)
    verdict = "" if coverage.ok() else "  <- below 99%: check the indeling year"
    return [f"boundary coverage ({where}): {coverage.message()}{verdict}"]


def first_run_checks(
    raw_dir: Path,
    gemeente: str,
    previous: dict[str, list[dict]] | None = None,
    kwb_notes: tuple[str, ...] = (),
) -> list[str]:
    """What an analyst must verify after fetching, as readable lines (see the module docstring).

    ``kwb_notes`` are what the KWB lookup in the CBS catalogue found or assumed.
    """
    folder = raw_dir / POLICE_TABLE
    if not folder.is_dir():
        return [f"{POLICE_TABLE} is missing: nothing to check"]
    lines = _buurten_lines(folder, gemeente, previous)
    lines += _latest_period_lines(folder)
    lines.append(
        f"{POLICE_TABLE} topic columns: {', '.join(_topics(folder))} "
        "(expected GeregistreerdeMisdrijven_1, Gemeentenaam_2, SoortRegio_3)"
    )
    lines += _open_police_lines(raw_dir)
    lines += _survey_lines(raw_dir, gemeente)
    lines.append(
        "CBS catalogue (assumed, no recorded listing): ODataCatalog/Tables rows with Identifier "
        "and Title 'Kerncijfers wijken en buurten <jaar>'; check the KWB ids chosen below"
    )
    lines += [f"  {note}" for note in kwb_notes]
    indeling = police_indeling_year(raw_dir)
    lines.append(
        f"indeling year of {POLICE_TABLE} (from its region dimension's text, else MapYear): "
        f"{indeling or 'not given'}; the PDOK boundaries of that year are fetched "
        "(not when boundaries/ holds files)"
    )
    lines += _boundary_lines(raw_dir, gemeente, indeling)
    return lines
