"""In één oogopslag: every key indicator of an edition against Nederland, Twente and the peers.

The model is the PHE Fingertips overview and the Veiligheidsmonitor regioprofiel: one row per key
figure with the gemeente's value and interval, and per reference area whether it is higher, lower
or not demonstrably different, plus the gemeente's own trend direction. The findings stage computes
the rows once per edition into ``findings.json`` (top-level ``"profile"``); the index shows them.

A row (a plain dict, json-ready) has:

- ``id``, ``label`` (the Dutch name with the police code, "Woninginbraak (1.1.1)"), ``group``;
- ``area`` (the area the value describes: the gemeente, or Twente for a survey figure of the
  region), ``year`` (null when no figure), ``voorlopig`` (the source marks the year provisional);
- ``value``, ``lower``, ``upper`` (95% interval), ``count`` and ``inhabitants`` (counts only),
  ``unit``, ``decimals``, ``reason`` (why there is no value; null when there is one), ``note``;
- ``comparisons``: three dicts for ``nederland``, ``twente`` (the rest of Twente) and ``peers``,
  each with ``label``, ``value``, ``lower``, ``upper``, ``p``, ``p_holm``, ``outcome``
  ("hoger", "lager", "geen aantoonbaar verschil" or null), ``text`` (plain Dutch) and ``reason``
  (why there is no comparison; null when there is one). Never a blank, never 0 for missing;
- ``trend``: ``direction`` ("stijgend", "dalend", "geen" or null), ``arrow``, ``text``,
  ``pct_per_year``, ``p``, ``years``, ``reason``.

Counts are compared with the exact conditional test for two Poisson counts with the inhabitants
as exposure, survey figures with the z-test on their published margins. "Hoger"/"lager" needs
significance after Holm's correction over all comparisons of the profile: with some 35 tests, 5%
each would call one or two differences by chance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from hengelo_analysis.analysis import peers as peer_groups
from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims.model import ALPHA, Context, rounded
from hengelo_analysis.analysis.claims.regions import reference_areas, yearly_series
from hengelo_analysis.analysis.claims.series import population_series, series_break
from hengelo_analysis.analysis.multiplicity import holm
from hengelo_analysis.analysis.peers import DEFAULT_BAND
from hengelo_analysis.analysis.profile_rows import (
    KEY_INDICATORS,
    NO_NATIONAL,
    REFERENCE_LABELS,
    Indicator,
    base_row,
    no_comparison,
    no_trend,
    trend_fields,
)
from hengelo_analysis.analysis.profile_survey import survey_row
from hengelo_analysis.analysis.table_index import area_codes, as_indexed, remembered
from hengelo_analysis.formatting import format_number, rate_unit_label


def area_names(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Area code → name, from the crime table's ``area_name`` (the names the police publish)."""
    return dict(remembered(tables, ("area_names",), lambda: _crime_area_names(tables)))


def _crime_area_names(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    crime = tables.get("crime")
    if crime is None or "area_name" not in crime:
        return {}
    pairs = crime[["area_code", "area_name"]].dropna().drop_duplicates("area_code")
    return dict(zip(pairs["area_code"].astype(str), pairs["area_name"].astype(str), strict=True))


def area_name(tables: Mapping[str, pd.DataFrame], code: str) -> str:
    """The area's name; "de gemeente" when the tables do not name it (never its raw code)."""
    return area_names(tables).get(code, "de gemeente")


def inhabitants_in(ctx: Context, areas: list[str], year: int) -> tuple[float, int] | None:
    """``(inhabitants, year used)`` of ``areas``: ``year``, else the latest earlier year.

    The Kerncijfers can lag the police figures by a year; the latest known inhabitants then stand
    in (the row says so), as the claims' peer group does.
    """
    series = population_series(ctx, areas)
    if series is None:
        return None
    known = series[series.index <= year]
    if known.empty:
        return None
    used = int(known.index.max())
    return float(known[used]), used


def provisional(
    ctx: Context, table: str, areas: list[str], codes: tuple[str, ...], year: int
) -> bool:
    """Whether the source marks ``year`` provisional (``Perioden`` status "Voorlopig").

    A crime figure is provisional when the yearly table marks the year so (the status pages 02-08
    show under their tables) or when a month of that year is in the monthly table of the same
    registrations; reading only the monthly table left the profile calling 2024 final where the
    pages call it voorlopig.
    """
    sources = {"crime": ("crime", "crime_monthly"), "nuisance": ("nuisance",)}.get(table, ())
    code_col = "crime_code" if table == "crime" else "nuisance_code"
    for source in sources:
        df = ctx.tables.get(source)
        if df is None or "provisional" not in df or code_col not in df:
            continue
        marked = provisional_cells(ctx, source, code_col)
        if any((area, code, year) in marked for area in areas for code in codes):
            return True
    return False


def provisional_cells(ctx: Context, source: str, code_col: str) -> frozenset[tuple]:
    """``(area_code, code, year)`` of every row of ``source`` marked provisional.

    Remembered: every count row of the profile asks again, of the same table.
    """

    def compute() -> frozenset[tuple]:
        df = ctx.tables[source]
        rows = df.loc[df["provisional"].fillna(False).astype(bool)]
        return frozenset(
            zip(
                rows["area_code"].tolist(),
                rows[code_col].tolist(),
                rows["year"].tolist(),
                strict=True,
            )
        )

    return remembered(ctx.tables, ("provisional_cells", source, code_col), compute)


@dataclass(frozen=True)
class CountFigure:
    count: float
    inhabitants: float
    rate: stats.Rate
    population_year: int


def count_figure(ctx: Context, ind: Indicator, areas: list[str], year: int) -> CountFigure:
    """The count of ``ind`` in ``areas`` and ``year`` as a rate with its interval."""
    series = yearly_series(ctx, ind.table, areas, list(ind.codes))
    if year not in series.index:
        raise stats.InsufficientData(f"geen cijfer voor {year}")
    known = inhabitants_in(ctx, areas, year)
    if known is None:
        raise stats.InsufficientData(f"inwonertal {year} ontbreekt")
    people, used = known
    count = float(series[year])
    return CountFigure(count, people, stats.rate_ci(count, people, ctx.rate_unit), used)


def compare_count(own: CountFigure, ref: CountFigure) -> dict:
    """The exact two-Poisson test of the gemeente's rate against the reference's."""
    p_value = stats.compare_counts_p(ref.count, own.count, ref.inhabitants, own.inhabitants)
    return {
        "value": ref.rate.rate,
        "lower": ref.rate.lower,
        "upper": ref.rate.upper,
        "p": p_value,
        "difference": own.rate.rate - ref.rate.rate,
    }


def missing_reason(exc: Exception, year: int) -> str:
    """Why a count is missing, in words (the series' messages name tables and area codes)."""
    if str(exc).startswith("inwonertal"):
        return f"inwonertal {year} niet bekend"
    return f"geen volledig cijfer voor {year} gepubliceerd"


def peer_codes(ctx: Context, band: float) -> tuple[list[str], str | None]:
    """The peer group as the claims use it, or the reason there is none."""
    key = ("peer_codes", ctx.gemeente, ctx.peiljaar, band)
    codes, reason = remembered(ctx.tables, key, lambda: _peer_codes(ctx, band))
    return list(codes), reason


def _peer_codes(ctx: Context, band: float) -> tuple[tuple[str, ...], str | None]:
    population = ctx.tables.get("population")
    if population is None:
        return (), "geen inwonertallen"
    try:
        _, codes = peer_groups.peer_group_for_peiljaar(population, ctx.gemeente, ctx.peiljaar, band)
    except stats.InsufficientData:
        # (the message names the gemeente's code; the reader gets words)
        return (), "inwonertal of stedelijkheid van de gemeente niet bekend"
    return tuple(codes), None if codes else "geen gemeenten met dezelfde stedelijkheid en omvang"


def count_row(ctx: Context, ind: Indicator, band: float, with_trend: bool = True) -> dict:
    """The row of a police count (crime or nuisance) for the peiljaar."""
    row = base_row(ind, area_name(ctx.tables, ctx.gemeente), rate_unit_label(ctx.rate_unit))
    try:
        own = count_figure(ctx, ind, [ctx.gemeente], ctx.peiljaar)
    except stats.InsufficientData as exc:
        row["reason"] = missing_reason(exc, ctx.peiljaar)
        row["comparisons"] = [no_comparison(r, "geen eigen cijfer") for r in REFERENCE_LABELS]
        row["trend"] = own_trend(ctx, ind) if with_trend else no_trend("niet berekend")
        return row
    rate = own.rate
    row.update(
        year=ctx.peiljaar,
        voorlopig=provisional(ctx, ind.table, [ctx.gemeente], ind.codes, ctx.peiljaar),
        value=rate.rate,
        lower=rate.lower,
        upper=rate.upper,
        count=own.count,
        inhabitants=own.inhabitants,
    )
    if own.population_year != ctx.peiljaar:
        row["note"] = f"per inwoner van {own.population_year} (nieuwer inwonertal nog niet bekend)"
    if ind.table == "nuisance":
        # The claims on E33 may count from the gemeente's own incident file (C1 names it); say
        # which count this row is, so the front page does not seem to contradict itself.
        source_note = (
            f"{format_number(own.count)} meldingen in de open politietabel overlast; een "
            "aangeleverd incidentenbestand kan anders tellen"
        )
        row["note"] = "; ".join(n for n in (row.get("note"), source_note) if n)
    ctx.table(ind.table)  # a missing table is InsufficientData
    present = area_codes(ctx.tables, ind.table)
    refs = reference_areas(ctx, ind.table)
    peers, peer_reason = peer_codes(ctx, band)
    in_table = [c for c in peers if c in present]
    groups = {"nederland": refs["nederland"], "twente": refs["twente"], "peers": in_table}
    reasons = {
        "nederland": "Nederland staat niet in de tabel",
        "twente": "geen andere Twentse gemeenten in de tabel",
        "peers": peer_reason or "de vergelijkbare gemeenten staan niet in de tabel",
    }
    comparisons = []
    for ref, areas in groups.items():
        if not areas or not set(areas) & present:
            comparisons.append(no_comparison(ref, reasons[ref]))
            continue
        try:
            figure = count_figure(ctx, ind, areas, ctx.peiljaar)
        except stats.InsufficientData as exc:
            comparisons.append(no_comparison(ref, missing_reason(exc, ctx.peiljaar)))
            continue
        known = area_names(ctx.tables)
        names = sorted(known.get(c, "") for c in areas if c in known)
        comparisons.append(
            {"reference": ref, "label": REFERENCE_LABELS[ref], "areas": areas, "names": names}
            | compare_count(own, figure)
        )
    row["comparisons"] = comparisons
    row["trend"] = own_trend(ctx, ind) if with_trend else no_trend("niet berekend")
    return row


def own_trend(ctx: Context, ind: Indicator) -> dict:
    """The gemeente's own trend (rate when the inhabitants are known), direction tested."""
    try:
        if ind.table == "youth":
            counts = youth_series(ctx, ind.codes[0])
        else:
            counts = yearly_series(ctx, ind.table, [ctx.gemeente], list(ind.codes))
        exposure = population_series(ctx, [ctx.gemeente])
        if exposure is not None:
            joined = pd.concat([counts.rename("c"), exposure.rename("e")], axis=1, join="inner")
            trend = stats.poisson_trend(
                joined.index, joined["c"], joined["e"], break_year=series_break(list(ind.codes))
            )
        else:
            trend = stats.poisson_trend(counts.index, counts.values, None)
    except stats.InsufficientData:
        return no_trend("te weinig jaren met cijfers")
    return trend_fields(trend)


def youth_series(ctx: Context, measure: str) -> pd.Series:
    youth = ctx.table("youth")
    rows = youth[
        (youth["area_code"] == ctx.gemeente)
        & (youth["measure"] == measure)
        & (youth["year"] <= ctx.peiljaar)
    ].dropna(subset=["count"])
    if rows.empty:
        raise stats.InsufficientData(f"geen aangeleverde cijfers voor {ctx.peiljaar} of eerder")
    return rows.set_index("year")["count"].astype(float).sort_index()


def youth_row(ctx: Context, ind: Indicator, with_trend: bool = True) -> dict:
    """Halt and jeugdreclassering: the supplied count and its own trend, no comparison."""
    row = base_row(ind, area_name(ctx.tables, ctx.gemeente), "aantal")
    row["comparisons"] = [no_comparison(r, NO_NATIONAL) for r in REFERENCE_LABELS]
    try:
        series = youth_series(ctx, ind.codes[0])
    except stats.InsufficientData as exc:
        row["reason"] = str(exc)
    else:
        if ctx.peiljaar in series.index:
            count = float(series[ctx.peiljaar])
            lower, upper, _ = stats.poisson_ci(count)
            row.update(year=ctx.peiljaar, value=count, lower=lower, upper=upper, count=count)
        else:
            row["reason"] = f"geen aangeleverd cijfer voor {ctx.peiljaar}"
    row["trend"] = own_trend(ctx, ind) if with_trend else no_trend("niet berekend")
    return row


def profile_rows(
    tables: Mapping[str, pd.DataFrame],
    gemeente: str,
    peiljaar: int,
    rate_unit: int = 1000,
    band: float = DEFAULT_BAND,
    *,
    with_trend: bool = True,
) -> list[dict]:
    """The at-a-glance rows of one edition, Holm-corrected over all its comparisons.

    ``with_trend=False`` leaves out the trend fits (the year before, for the changes page, needs
    only the figures).
    """
    tables = as_indexed(tables)  # every row asks the same tables for the same few areas
    ctx = Context(tables, gemeente, int(peiljaar), int(rate_unit))
    rows = []
    for ind in KEY_INDICATORS:
        if ind.table == "survey":
            rows.append(survey_row(ctx, ind, area_name(tables, gemeente)))
        elif ind.table == "youth":
            rows.append(youth_row(ctx, ind, with_trend))
        elif ind.table not in tables:
            row = base_row(ind, area_name(tables, gemeente), "")
            row["reason"] = f"tabel {ind.table} ontbreekt"
            row["comparisons"] = [no_comparison(r, "geen eigen cijfer") for r in REFERENCE_LABELS]
            row["trend"] = no_trend(f"tabel {ind.table} ontbreekt")
            rows.append(row)
        else:
            rows.append(count_row(ctx, ind, band, with_trend))
    return finish(rows)


def finish(rows: list[dict]) -> list[dict]:
    """Holm over every comparison that has a p-value; then the outcome words; then rounding."""
    tested = [c for r in rows for c in r["comparisons"] if c.get("p") is not None]
    for c, adjusted in zip(tested, holm([c["p"] for c in tested]), strict=True):
        c["p_holm"] = adjusted
    for row in rows:
        for c in row["comparisons"]:
            c.update(outcome_of(c))
            for key in ("value", "lower", "upper", "difference"):
                if key in c:
                    c[key] = rounded(c[key], 6)
            for key in ("p", "p_holm"):
                if key in c:
                    c[key] = rounded(c[key], 6)
        for key in ("value", "lower", "upper", "inhabitants", "count"):
            row[key] = rounded(row[key], 6)
    return rows


def outcome_of(c: dict) -> dict:
    """ "hoger"/"lager" only when significant after Holm, else "geen aantoonbaar verschil"."""
    base = {"value": None, "lower": None, "upper": None, "p": None, "p_holm": None}
    if c.get("reason"):
        return {**base, **{k: c.get(k) for k in base}, "outcome": None, "text": c["reason"]}
    label = c["label"]
    if c["p_holm"] < ALPHA and c["difference"] != 0:
        word = "hoger" if c["difference"] > 0 else "lager"
        return {"outcome": word, "text": f"{word} dan {label}", "reason": None}
    return {
        "outcome": "geen aantoonbaar verschil",
        "text": f"geen aantoonbaar verschil met {label}",
        "reason": None,
    }
