"""Crime series per inhabitants as the pages show them: rates with 95% intervals, tables, alt text.

Series are read with the claims' own helpers (``claims.crime_series``, ``population_series``,
``crime_trend``), so a figure on a page and the verdict on the index are computed the same way: a
year is only used when every cell of it is published. Shared by criminaliteit, bedrijven, digitale
veiligheid and wijken en buurten.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import claims, stats
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.formatting import format_number, format_percentage, rate_unit_label
from hengelo_analysis.pages import common
from hengelo_analysis.pages.tables import html_table


def rate_series(ctx: claims.Context, areas: list[str], codes: list[str]) -> pd.DataFrame:
    """Registered crimes per year up to the peiljaar, with rate per ``rate_unit`` and 95% CI.

    Columns: year, registered, inhabitants, rate, lower, upper (rates missing when inhabitants
    are unknown; never 0).

    Raises
    ------
    InsufficientData
        when no year has a published count for ``areas`` and ``codes``.
    """
    counts = claims.crime_series(ctx, areas, codes)
    pop = claims.population_series(ctx, areas)
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
    if cmp.p_value < claims.ALPHA:
        out["verb"] = "stijgt" if cmp.rate_ratio > 1 else "daalt"
    return out


def type_table(ctx: claims.Context, groups) -> pd.DataFrame:
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
            trend = claims.crime_trend(ctx, [ctx.gemeente], list(codes))
            row["Trend"] = common.plain_words(claims.trend_phrase("het aantal per inwoner", trend))
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
            "BI laag": "marge van",
            "BI hoog": "marge tot",
            "Verandering": f"Verandering t.o.v. {ctx.peiljaar - 1}",
        }
    )


def rate_sentence(
    series: pd.DataFrame, peiljaar: int, unit_label: str, lead: str = "Dat is"
) -> str:
    """Dutch sentence ("{lead} 4,6 per 1.000 inwoners (marge 4,1 tot 5,2)"), or why there is none.

    "marge" is the word of the profile and the Verantwoording; the method name stays out of the
    page text.
    """
    hit = series[series["year"] == peiljaar]
    if hit.empty or pd.isna(hit["rate"].iloc[0]):
        return f"Voor {peiljaar} is geen cijfer per inwoner te berekenen (inwonertal of aantal ontbreekt)."
    r = hit.iloc[0]
    return (
        f"{lead} {format_number(r['rate'], 1)} {unit_label} "
        f"(marge {format_number(r['lower'], 1)} tot "
        f"{format_number(r['upper'], 1)})."
    )


def series_table(series: pd.DataFrame, rate_unit: int = 1000) -> pd.DataFrame:
    """A :func:`rate_series` frame with Dutch column names, for ``tables.html_table``."""
    return pd.DataFrame(
        {
            "Jaar": series["year"],
            "Geregistreerd (aantal)": series["registered"],
            "Inwoners": series["inhabitants"],
            rate_unit_label(rate_unit).capitalize(): series["rate"],
            "marge van": series["lower"],
            "marge tot": series["upper"],
        }
    )


def series_or_none(ctx: claims.Context, codes: list[str]) -> pd.DataFrame | None:
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


def type_display(table: pd.DataFrame, caption: str):
    """A :func:`type_table` as an HTML table: codes as text, rates with 2 decimals."""
    rates = table.columns[3:6]  # per eenheid, marge van, marge tot (type_table's order)
    return html_table(table, caption, formats={"Codes": str, **dict.fromkeys(rates, 2)})
