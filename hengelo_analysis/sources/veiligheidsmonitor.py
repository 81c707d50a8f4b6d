"""Clean the Veiligheidsmonitor (CBS 85146NED, OData v3) into ``survey`` rows.

Shape (data-sources.md §3): dimensions ``Marges`` (``MW00000`` value, ``MOG0095`` lower and
``MBG0095`` upper 95% bound, resolved by key), ``RegioS`` (``NL01``, provinces ``PV..``, police
units, veiligheidsregio's, gemeenten with a large enough sample) and ``Perioden`` (``2021JJ00``,
``2023JJ00``); one column per topic whose numeric suffix is resolved from ``DataProperties`` by key
prefix or by title, never hard-coded. Every ``Marges``, ``RegioS`` and ``Perioden`` key of a data row
must be in its dimension, and a value must be a finite number or null (``sources.checks``).

Whether a gemeente is a ``RegioS`` member is not known beforehand. :func:`region_for` returns the
smallest member region that contains it and a Dutch sentence saying so; :func:`fallback_rows` copies
that region's figures under the gemeente code with the sentence in ``method_note``.

2021 is a method break (internet-only collection): rows of that year carry it in ``method_note``
and :func:`comparable` refuses comparisons across it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hengelo_analysis.domain import (
    VEILIGHEIDSMONITOR_TABLE,
    VM_METHOD_BREAK_NOTE,
    VM_METHOD_BREAK_YEAR,
    YEAR_PERIOD_RE,
)
from hengelo_analysis.errors import DataError
from hengelo_analysis.reference import twente_gemeenten
from hengelo_analysis.sources.checks import dimension_keys, number_problem, read_dimension
from hengelo_analysis.sources.odata import entity_set_files, read_document, read_entity_set
from hengelo_analysis.sources.survey import SURVEY_COLUMNS

SOURCE = "veiligheidsmonitor"
MARGIN_KEYS = {"MW00000": "value", "MOG0095": "lower", "MBG0095": "upper"}
WHAT = {"Marges": "margin", "RegioS": "region", "Perioden": "period"}


@dataclass(frozen=True)
class TopicRule:
    """How to find an indicator's topic: a key prefix, else words that must all occur in its title
    path (the titles of its topic groups and itself), and words that must not."""

    prefix: str | None = None
    words: tuple[str, ...] = ()
    without: tuple[str, ...] = ()


TOPICS: dict[str, TopicRule] = {
    "onveilig_buurt": TopicRule("VoeltZichWeleensOnveiligInBuurt"),
    "rapportcijfer_veiligheid": TopicRule("RapportcijferVeiligheidInBuurt"),
    "overlast_drugsgebruik": TopicRule("Drugsgebruik"),
    "overlast_drugshandel": TopicRule("Drugshandel"),
    "overlast_dronken_mensen": TopicRule("DronkenMensenOpStraat"),
    "overlast_rondhangende_jongeren": TopicRule("RondhangendeJongeren"),
    "overlast_verwarde_personen": TopicRule("VerwardePersonen"),
    "tevreden_aanpak_gemeente": TopicRule("OordeelFunctionerenGemeenteAlgemeen"),
    # The aggregate victimisation keys were not seen in any transcription (data-sources.md §3):
    # find them by title and leave them out (with a warning) when the title is not unique.
    "slachtoffer_totaal": TopicRule(
        None, ("slachtoffer", "criminaliteit", "totaal"), ("online", "traditionele", "cyber")
    ),
    "slachtoffer_online": TopicRule(None, ("slachtoffer", "online", "totaal")),
}

# Regions that contain a gemeente, smallest first: (key prefix, title fragment). Resolved against
# the RegioS dimension by title, because the codes of veiligheidsregio's and police units in
# 85146NED are unverified. Only Twente is known here; elsewhere the fallback is Nederland.
TWENTE_CHAIN = (("VR", "twente"), ("RE", "oost-nederland"), ("PV", "overijssel"))


def _path_titles(properties: list[dict]) -> dict[str, str]:
    by_id = {p.get("ID"): p for p in properties}
    paths = {}
    for p in properties:
        if p.get("Type") != "Topic":
            continue
        parts, parent = [p.get("Title") or ""], p.get("ParentID")
        while parent is not None and parent in by_id:
            parts.insert(0, by_id[parent].get("Title") or "")
            parent = by_id[parent].get("ParentID")
        paths[p["Key"]] = " / ".join(parts).lower()
    return paths


def resolve_topics(properties: list[dict]) -> tuple[dict[str, str], list[str]]:
    """Indicator → topic key present in this table, plus warnings for those not (uniquely) found."""
    paths = _path_titles(properties)
    found, warnings = {}, []
    for indicator, rule in TOPICS.items():
        if rule.prefix:
            matches = [k for k in paths if k == rule.prefix or k.startswith(rule.prefix + "_")]
        else:
            matches = [
                k
                for k, path in paths.items()
                if all(w in path for w in rule.words) and not any(w in path for w in rule.without)
            ]
        if len(matches) == 1:
            found[indicator] = matches[0]
        else:
            what = "not found" if not matches else f"ambiguous: {', '.join(sorted(matches))}"
            warnings.append(
                f"{VEILIGHEIDSMONITOR_TABLE}: topic for {indicator} {what}; indicator left out"
            )
    return found, warnings


def clean_long(table_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """Every region of the table: region_code, region_title, year, indicator, value, lower, upper."""
    properties = read_entity_set(table_dir, "DataProperties")
    topics, warnings = resolve_topics(properties)
    regions = read_dimension(table_dir, "RegioS")
    margins = read_dimension(table_dir, "Marges")
    perioden = read_dimension(table_dir, "Perioden")
    missing = set(MARGIN_KEYS) - set(margins)
    if missing:
        raise DataError(
            table_dir / "Marges.json", f"margin keys missing: {sorted(missing)}", column="Key"
        )
    records = []
    files = entity_set_files(table_dir, "TypedDataSet")
    if not files:
        raise DataError(
            table_dir / "TypedDataSet.json", "no TypedDataSet pages in the table folder"
        )
    dimensions = {"Marges": margins, "RegioS": regions, "Perioden": perioden}
    for path in files:
        rows = read_document(path)["value"]
        for number, row in enumerate(rows, start=1):
            for column in dimensions:
                if not isinstance(row, dict) or column not in row:
                    raise DataError(path, "column missing", column=column, row=number)
        keys = {
            column: dimension_keys(
                path, [r[column] for r in rows], dimension, column, what=WHAT[column]
            )
            for column, dimension in dimensions.items()
        }
        for number, row in enumerate(rows, start=1):
            marge = keys["Marges"][number - 1]
            period = YEAR_PERIOD_RE.match(keys["Perioden"][number - 1])
            if marge not in MARGIN_KEYS or period is None:
                continue  # other margin types or non-year periods belong to another grain
            region = keys["RegioS"][number - 1]
            for indicator, key in topics.items():
                value = row.get(key)
                problem = number_problem(value)
                if problem is not None:
                    raise DataError(path, problem, column=key, row=number)
                records.append(
                    (
                        region,
                        int(period.group(1)),
                        indicator,
                        MARGIN_KEYS[marge],
                        value,
                        path,
                        number,
                    )
                )
    cols = ["region_code", "year", "indicator", "margin", "number", "_file", "_row"]
    df = pd.DataFrame(records, columns=cols)
    dup = df.duplicated(["region_code", "year", "indicator", "margin"], keep="first")
    if dup.any():
        r = df[dup].iloc[0]
        raise DataError(
            r["_file"], f"duplicate row for {r['region_code']} {r['year']}", row=int(r["_row"])
        )
    wide = (
        df.pivot_table(
            index=["region_code", "year", "indicator"],
            columns="margin",
            values="number",
            aggfunc="first",
            dropna=False,
        )
        .reindex(columns=["value", "lower", "upper"])
        .reset_index()
    )
    wide.columns.name = None
    wide = wide.dropna(subset=["value", "lower", "upper"], how="all")
    wide["region_title"] = wide["region_code"].map(regions)
    return wide.sort_values(["region_code", "indicator", "year"], ignore_index=True), warnings


@dataclass(frozen=True)
class RegionChoice:
    """The region whose Veiligheidsmonitor figures stand for a gemeente."""

    gemeente: str
    region_code: str
    region_title: str
    is_gemeente: bool
    sentence: str


def region_for(
    regions: dict[str, str], gemeente: str, gemeente_name: str | None = None
) -> RegionChoice:
    """The gemeente itself if it is a RegioS member, else the smallest member that contains it.

    Parameters
    ----------
    regions : RegioS key (trimmed) → title
    gemeente : CBS code, e.g. ``GM0164``
    """
    name = gemeente_name or regions.get(gemeente) or gemeente
    if gemeente in regions:
        return RegionChoice(
            gemeente,
            gemeente,
            regions[gemeente],
            True,
            f"De Veiligheidsmonitor-cijfers gelden voor {name} ({gemeente}) zelf.",
        )
    chain = list(TWENTE_CHAIN) if gemeente in set(twente_gemeenten()["gemeentecode"]) else []
    chain.append(("NL", ""))
    for prefix, fragment in chain:
        for code, title in sorted(regions.items()):
            if code.startswith(prefix) and fragment in title.lower():
                return RegionChoice(
                    gemeente,
                    code,
                    title,
                    False,
                    f"{name} ({gemeente}) staat niet in de Veiligheidsmonitor-tabel {VEILIGHEIDSMONITOR_TABLE} "
                    f"(te weinig respondenten); de cijfers gelden voor {title} ({code}), "
                    "het kleinste gebied waar de gemeente in ligt dat er wel in staat.",
                )
    raise DataError(
        f"{VEILIGHEIDSMONITOR_TABLE}/RegioS.json",
        f"no region in RegioS contains {gemeente}",
        column="RegioS",
    )


def region_choice(table_dir: Path, gemeente: str, gemeente_name: str | None = None) -> RegionChoice:
    """:func:`region_for` on the RegioS dimension of a 85146NED folder (for notebooks)."""
    return region_for(read_dimension(table_dir, "RegioS"), gemeente, gemeente_name)


def comparable(year_1: int, year_2: int) -> bool:
    """Whether two Veiligheidsmonitor years lie on the same side of the 2021 method break."""
    return (year_1 >= VM_METHOD_BREAK_YEAR) == (year_2 >= VM_METHOD_BREAK_YEAR)


def _to_survey(long: pd.DataFrame, area_code: str, note: str) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "area_code": area_code,
            "area_level": "land" if area_code.startswith("NL") else "gemeente",
            "year": long["year"].astype("int64"),
            "indicator": long["indicator"],
            "value": long["value"].astype(float),
            "lower": long["lower"].astype(float),
            "upper": long["upper"].astype(float),
            "n": pd.array([pd.NA] * len(long), dtype="Int64"),  # CBS does not publish n
            "source": SOURCE,
            "method_note": [
                "; ".join(
                    x
                    for x in (note, VM_METHOD_BREAK_NOTE if y == VM_METHOD_BREAK_YEAR else "")
                    if x
                )
                for y in long["year"]
            ],
        }
    )
    return out


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reindex(columns=SURVEY_COLUMNS)
    for c in ("area_code", "area_level", "indicator", "source", "method_note"):
        frame[c] = frame[c].astype("string")
    frame["n"] = frame["n"].astype("Int64")
    return frame.sort_values(["area_code", "indicator", "year"], ignore_index=True)


def clean_table(table_dir: Path) -> pd.DataFrame:
    """85146NED folder → ``survey`` rows for Nederland and for every gemeente that is a member.

    Provinces, police units and veiligheidsregio's have no place in the area contract; they are
    used only as fallback for a gemeente (see :func:`fallback_rows`).
    """
    long, _ = clean_long(table_dir)
    keep = long["region_code"].str.match(r"^(NL0[01]|GM\d{4})$")
    frames = [_to_survey(group, code, "") for code, group in long[keep].groupby("region_code")]
    if not frames:
        return _finish(pd.DataFrame(columns=SURVEY_COLUMNS))
    return _finish(pd.concat(frames, ignore_index=True))


def fallback_rows(
    table_dir: Path, gemeenten: Iterable[str], names: dict[str, str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """For each gemeente that is not a RegioS member: its smallest containing region's figures
    under the gemeente code, with the Dutch sentence as ``method_note``. Also returns warnings."""
    long, warnings = clean_long(table_dir)
    regions = dict(zip(long["region_code"], long["region_title"], strict=False))
    all_regions = read_dimension(table_dir, "RegioS")
    frames = []
    for gemeente in sorted(set(gemeenten)):
        choice = region_for(all_regions, gemeente, (names or {}).get(gemeente))
        warnings.append(choice.sentence)
        if choice.is_gemeente or choice.region_code not in regions:
            continue
        part = long[long["region_code"] == choice.region_code]
        frames.append(_to_survey(part, gemeente, f"regio {choice.region_code}: {choice.sentence}"))
    if not frames:
        return _finish(pd.DataFrame(columns=SURVEY_COLUMNS)), warnings
    return _finish(pd.concat(frames, ignore_index=True)), warnings
