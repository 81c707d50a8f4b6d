"""02 Criminaliteit: registered crime, rates, high-impact crime, and the claims C2, C3, C10.

Series are read with the claims' own helpers (:func:`hengelo_analysis.findings.crime_series`,
``population_series``, ``crime_trend``), so a figure on this page and the verdict on the index are
computed the same way: a year is only used when every cell of it is published.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hengelo_analysis import findings, peers, stats
from hengelo_analysis.formatting import format_number, format_percentage, rate_unit_label
from hengelo_analysis.stats import InsufficientData

TOTAL = "0.0.0"
CRIME_SOURCE = "Politie/CBS, tabel 47018NED; inwoners: CBS Kerncijfers wijken en buurten"
# High-impact crime (HIC) as the policy names it: label and the 47018NED codes summed.
HIGH_IMPACT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Woninginbraak", ("1.1.1",)),
    ("Fietsdiefstal", ("1.2.3",)),
    ("Straatroof", ("1.4.6",)),
    ("Geweld", ("1.4.3", "1.4.4", "1.4.5")),
)
CORONA_NOTE = (
    "Let op: 2020 en 2021 zijn coronajaren (lockdowns, minder winkel- en uitgaansverkeer). "
    "De trendtoetsen geven die jaren een eigen term, zodat ze de trend niet sturen of verbergen."
)


def source_line(text: str, source: str) -> str:
    """The "Bron:" text of a figure; demo data are labelled synthetic in the figure itself too."""
    return f"{text} (synthetische demodata)" if source == "demo" else text


def gemeente_name(crime: pd.DataFrame, gemeente: str) -> str:
    """The gemeente's name from the crime table, or its code when the table has none."""
    names = crime.loc[crime["area_code"] == gemeente, "area_name"].dropna()
    return str(names.iloc[0]) if len(names) else gemeente


def context(
    tables: Mapping[str, pd.DataFrame], gemeente: str, peiljaar: int, rate_unit: int = 1000
) -> findings.Context:
    """The claims' evaluation context (the same series helpers, the same data)."""
    return findings.Context(tables, gemeente, int(peiljaar), int(rate_unit))


def rate_series(ctx: findings.Context, areas: list[str], codes: list[str]) -> pd.DataFrame:
    """Registered crimes per year up to the peiljaar, with rate per ``rate_unit`` and 95% CI.

    Columns: year, registered, inhabitants, rate, lower, upper (rates missing when inhabitants
    are unknown; never 0).

    Raises
    ------
    InsufficientData
        when no year has a published count for ``areas`` and ``codes``.
    """
    counts = findings.crime_series(ctx, areas, codes)
    pop = findings.population_series(ctx, areas)
    rows = []
    for year, count in counts.items():
        n = None if pop is None else pop.get(year)
        rate = lower = upper = None
        if n is not None and not pd.isna(n):
            r = stats.rate_ci(count, n, ctx.rate_unit)
            rate, lower, upper = r.rate, r.lower, r.upper
        rows.append((int(year), count, n, rate, lower, upper))
    out = pd.DataFrame(
        rows, columns=["year", "registered", "inhabitants", "rate", "lower", "upper"]
    )
    out["registered"] = out["registered"].astype("Int64")
    out["inhabitants"] = pd.array(out["inhabitants"], dtype="Float64").round().astype("Int64")
    for column in ("rate", "lower", "upper"):
        out[column] = pd.array(out[column], dtype="Float64")
    return out


def change_on_year(series: pd.DataFrame, peiljaar: int) -> dict:
    """Change from the year before the peiljaar, with the exact two-count test on the rates.

    Returns a dict with previous, current, difference, pct, p_value and verb ("stijgt"/"daalt"
    only when p < 0.05, else "verandert niet significant"); values None where missing.
    """
    by_year = series.set_index("year")
    out = {
        "previous": None,
        "current": None,
        "difference": None,
        "pct": None,
        "p_value": None,
        "verb": "verandert niet significant",
    }
    if peiljaar not in by_year.index:
        return out
    out["current"] = float(by_year.loc[peiljaar, "registered"])
    if peiljaar - 1 not in by_year.index:
        return out
    prev = float(by_year.loc[peiljaar - 1, "registered"])
    out["previous"] = prev
    out["difference"] = out["current"] - prev
    out["pct"] = None if prev == 0 else 100 * out["difference"] / prev
    e1, e2 = by_year.loc[peiljaar - 1, "inhabitants"], by_year.loc[peiljaar, "inhabitants"]
    exposures = (float(e1), float(e2)) if not (pd.isna(e1) or pd.isna(e2)) else (1.0, 1.0)
    try:
        cmp = stats.compare_counts(prev, out["current"], *exposures)
    except InsufficientData:
        return out
    out["p_value"] = cmp.p_value
    if cmp.p_value < findings.ALPHA:
        out["verb"] = "stijgt" if cmp.rate_ratio > 1 else "daalt"
    return out


def high_impact_table(ctx: findings.Context) -> pd.DataFrame:
    """One row per high-impact crime type: peiljaar count and rate (CI), change, trend."""
    return type_table(ctx, HIGH_IMPACT)


def type_table(ctx: findings.Context, groups) -> pd.DataFrame:
    """One row per (label, codes) group: peiljaar count and rate (CI), change, trend.

    Types without published figures get "n.b." texts (missing values), never 0. A registration
    break (3.9.1 from 2016) limits the trend to the years after it, as in the claims.
    """
    rows = []
    for label, codes in groups:
        row = {"Soort": label, "Codes": ", ".join(codes)}
        try:
            series = rate_series(ctx, [ctx.gemeente], list(codes))
        except InsufficientData:
            series = None
        cur = None if series is None else series[series["year"] == ctx.peiljaar].squeeze(axis=0)
        has_cur = cur is not None and not isinstance(cur, pd.DataFrame)
        row["Aantal"] = cur["registered"] if has_cur else None
        row["Per eenheid"] = cur["rate"] if has_cur else None
        row["BI laag"] = cur["lower"] if has_cur else None
        row["BI hoog"] = cur["upper"] if has_cur else None
        change = change_on_year(series, ctx.peiljaar) if series is not None else {}
        row["Verandering"] = (
            format_percentage(change["pct"], signed=True) + f" ({change['verb']})"
            if change.get("pct") is not None
            else "n.b."
        )
        try:
            trend = findings.crime_trend(ctx, [ctx.gemeente], list(codes))
            row["Trend"] = findings.trend_phrase("het aantal per inwoner", trend)
        except InsufficientData as exc:
            row["Trend"] = f"onvoldoende gegevens ({exc})"
        rows.append(row)
    out = pd.DataFrame(rows)
    out["Aantal"] = pd.array(out["Aantal"], dtype="Float64").round().astype("Int64")
    for column in ("Per eenheid", "BI laag", "BI hoog"):
        out[column] = pd.array(out[column], dtype="Float64")
    return out.rename(
        columns={
            "Aantal": f"Aantal {ctx.peiljaar}",
            "Per eenheid": rate_unit_label(ctx.rate_unit).capitalize(),
            "BI laag": "95%-BI laag",
            "BI hoog": "95%-BI hoog",
            "Verandering": f"Verandering t.o.v. {ctx.peiljaar - 1}",
        }
    )


def high_impact_rates(ctx: findings.Context) -> pd.DataFrame:
    """Long table (soort, year, rate, lower, upper) of the high-impact types, for a line chart."""
    parts = []
    for label, codes in HIGH_IMPACT:
        try:
            series = rate_series(ctx, [ctx.gemeente], list(codes))
        except InsufficientData:
            continue
        parts.append(series.assign(soort=label))
    if not parts:
        return pd.DataFrame(columns=["soort", "year", "rate", "lower", "upper"])
    return pd.concat(parts, ignore_index=True)[["soort", "year", "rate", "lower", "upper"]]


def regional_rates(ctx: findings.Context, name: str) -> pd.DataFrame:
    """Total crime rate per year for the gemeente, the rest of Twente and NL (C10's series).

    The rest of Twente is summed over the Twente gemeenten present in the data, without the
    gemeente itself (as C10 does). A series without data is left out.
    """
    crime = ctx.table("crime")
    present = set(crime["area_code"].unique())
    rest = [c for c in peers.twente(exclude=ctx.gemeente) if c in present]
    parts = []
    for label, areas in (
        (name, [ctx.gemeente]),
        ("rest van Twente", rest),
        ("Nederland", [peers.NL_CODE]),
    ):
        if not areas:
            continue
        try:
            series = rate_series(ctx, areas, [TOTAL])
        except InsufficientData:
            continue
        if series["rate"].notna().any():
            parts.append(series.assign(gebied=label))
    if not parts:
        return pd.DataFrame(columns=["gebied", "year", "rate", "lower", "upper"])
    return pd.concat(parts, ignore_index=True)[["gebied", "year", "rate", "lower", "upper"]]


def rise_by_code(
    crime: pd.DataFrame,
    gemeente: str,
    year1: int,
    year2: int,
    top: int = 5,
    peiljaar: int | None = None,
) -> pd.DataFrame:
    """The crime codes whose count rose most from ``year1`` to ``year2`` (C3's decomposition).

    Only codes published in both years; columns: code, soort, the two counts, difference. Empty
    when ``year2`` lies after the ``peiljaar`` (an edition never shows later years).
    """
    empty = pd.DataFrame(
        columns=["Code", "Soort", f"Aantal {year1}", f"Aantal {year2}", "Verschil"]
    )
    if peiljaar is not None and year2 > peiljaar:
        return empty
    rows = crime[
        (crime["area_code"] == gemeente)
        & crime["year"].isin([year1, year2])
        & (crime["crime_code"] != TOTAL)
    ]
    # sum with min_count: an unpublished cell stays missing (pivot_table's sum makes it 0)
    wide = (
        rows.groupby(["crime_code", "crime_label", "year"], observed=True)["registered"]
        .sum(min_count=1)
        .unstack("year")
    )
    if year1 not in wide.columns or year2 not in wide.columns:
        return empty
    wide = wide[[year1, year2]].dropna()
    wide["diff"] = wide[year2] - wide[year1]
    wide = wide.sort_values("diff", ascending=False).head(top).reset_index()
    return pd.DataFrame(
        {
            "Code": wide["crime_code"].astype(str),
            "Soort": wide["crime_label"].astype(str),
            f"Aantal {year1}": wide[year1].astype("Int64"),
            f"Aantal {year2}": wide[year2].astype("Int64"),
            "Verschil": wide["diff"].astype("Int64"),
        }
    )


def claims_by_id(
    tables: Mapping[str, pd.DataFrame],
    gemeente: str,
    peiljaar: int,
    rate_unit: int,
    ids: tuple[str, ...],
) -> list[findings.Finding]:
    """The verdicts on the claims ``ids`` (same claims and evaluator as findings.json)."""
    selected = tuple(c for c in findings.CLAIMS if c.id in ids)
    return findings.evaluate_tables(tables, gemeente, peiljaar, rate_unit, claims=selected)


def findings_frame(result: list[findings.Finding]) -> pd.DataFrame:
    """A small table of verdicts for a chapter page: id, statement, verdict, sentence."""
    return pd.DataFrame(
        {
            "Uitspraak": [f.claim_id for f in result],
            "Wat het beleid zegt": [f.statement for f in result],
            "Oordeel": [f.verdict_label for f in result],
            "Toelichting": [f.sentence for f in result],
        }
    )


def rate_sentence(
    series: pd.DataFrame, peiljaar: int, unit_label: str, lead: str = "Dat is"
) -> str:
    """Dutch sentence ("{lead} 4,6 per 1.000 inwoners (95%-BI ...)"), or why there is none."""
    hit = series[series["year"] == peiljaar]
    if hit.empty or pd.isna(hit["rate"].iloc[0]):
        return f"Voor {peiljaar} is geen cijfer per inwoners te berekenen (inwonertal of aantal ontbreekt)."
    r = hit.iloc[0]
    return (
        f"{lead} {format_number(r['rate'], 1)} {unit_label} "
        f"(95%-betrouwbaarheidsinterval {format_number(r['lower'], 1)} tot "
        f"{format_number(r['upper'], 1)})."
    )


def regional_table(regio: pd.DataFrame, peiljaar: int, rate_unit: int = 1000) -> pd.DataFrame:
    """The peiljaar row of each series of :func:`regional_rates`, for a table."""
    rows = regio[regio["year"] == peiljaar]
    return pd.DataFrame(
        {
            "Gebied": rows["gebied"].astype(str),
            rate_unit_label(rate_unit).capitalize(): rows["rate"],
            "95%-BI laag": rows["lower"],
            "95%-BI hoog": rows["upper"],
        }
    ).reset_index(drop=True)


def regional_alt(regio: pd.DataFrame, name: str, peiljaar: int, unit_label: str) -> str:
    """Alt text of the regional line chart, with the peiljaar value of every series."""
    last = regio[regio["year"] == peiljaar]
    values = "; ".join(
        f"{g}: {format_number(r, 1)}" for g, r in zip(last["gebied"], last["rate"], strict=True)
    )
    first = int(regio["year"].min()) if len(regio) else peiljaar
    return (
        f"Lijndiagram van het aantal geregistreerde misdrijven {unit_label} per jaar, "
        f"{first} tot en met {peiljaar}, voor {name}, de rest van Twente en Nederland, met "
        f"95%-betrouwbaarheidsbanden. In {peiljaar}: {values or 'geen cijfers'}."
    )


def high_impact_alt(table: pd.DataFrame, name: str, peiljaar: int, unit_label: str) -> str:
    """Alt text of the high-impact line chart, with the peiljaar rate of every type."""
    rate_col = [c for c in table.columns if c.startswith("Per ")][0]
    values = "; ".join(
        f"{s.lower()}: {format_number(r, 2)}"
        for s, r in zip(table["Soort"], table[rate_col], strict=True)
    )
    return (
        f"Lijndiagram van woninginbraak, fietsdiefstal, straatroof en geweld {unit_label} per "
        f"jaar in {name}, met 95%-betrouwbaarheidsbanden. In {peiljaar}: {values}."
    )


def series_table(series: pd.DataFrame, rate_unit: int = 1000) -> pd.DataFrame:
    """A :func:`rate_series` frame with Dutch column names, for ``tables.html_table``."""
    return pd.DataFrame(
        {
            "Jaar": series["year"],
            "Geregistreerd (aantal)": series["registered"],
            "Inwoners": series["inhabitants"],
            rate_unit_label(rate_unit).capitalize(): series["rate"],
            "95%-BI laag": series["lower"],
            "95%-BI hoog": series["upper"],
        }
    )


def series_or_none(ctx: findings.Context, codes: list[str]) -> pd.DataFrame | None:
    """:func:`rate_series` of the gemeente, or None when nothing is published."""
    try:
        series = rate_series(ctx, [ctx.gemeente], codes)
    except InsufficientData:
        return None
    return series if len(series) else None


def series_alt(
    series: pd.DataFrame, what: str, name: str, peiljaar: int, unit_label: str, decimals: int = 1
) -> str:
    """Alt text of a one-series rate chart, with the first and the peiljaar value."""
    first = series.iloc[0]
    last = series[series["year"] == peiljaar]
    last_text = (
        f"in {peiljaar}: {format_number(last['rate'].iloc[0], decimals)} "
        f"({format_number(last['registered'].iloc[0])} geregistreerd)"
        if len(last)
        else f"{peiljaar}: niet gepubliceerd"
    )
    return (
        f"Lijndiagram van {what} {unit_label} per jaar in {name}, {int(first['year'])} tot en met "
        f"{int(series['year'].max())}, met 95%-betrouwbaarheidsband; in {int(first['year'])}: "
        f"{format_number(first['rate'], decimals)}, {last_text}."
    )
