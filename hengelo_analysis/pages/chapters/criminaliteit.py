"""02 Criminaliteit: registered crime, rates, high-impact crime, and the claims C2, C3, C10.

Series come from :mod:`hengelo_analysis.pages.crime_series`, which reads them with the claims' own
helpers (``claims.crime_series``, ``population_series``, ``crime_trend``), so a figure on this page
and the verdict on the index are computed the same way.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import claims, indicators, peers
from hengelo_analysis.analysis.running_year import running_year, window_label
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import NL_CODE, TOTAL_CRIME
from hengelo_analysis.formatting import format_number, format_percentage, rate_unit_label
from hengelo_analysis.pages import common, tables
from hengelo_analysis.pages.crime_series import rate_series, type_table
from hengelo_analysis.processed import reader

TOTAL = TOTAL_CRIME
# High-impact crime (HIC) as the policy names it: label and the 47018NED codes summed.
HIGH_IMPACT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Woninginbraak", ("1.1.1",)),
    ("Fietsdiefstal", ("1.2.3",)),
    ("Straatroof", ("1.4.6",)),
    ("Geweld", ("1.4.3", "1.4.4", "1.4.5")),
)


def high_impact_table(ctx: claims.Context) -> pd.DataFrame:
    """One row per high-impact crime type: peiljaar count and rate (CI), change, trend."""
    return type_table(ctx, HIGH_IMPACT)


def high_impact_rates(ctx: claims.Context) -> pd.DataFrame:
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


def regional_rates(ctx: claims.Context, name: str) -> pd.DataFrame:
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
        ("Nederland", [NL_CODE]),
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


def regional_table(regio: pd.DataFrame, peiljaar: int, rate_unit: int = 1000) -> pd.DataFrame:
    """The peiljaar row of each series of :func:`regional_rates`, for a table."""
    rows = regio[regio["year"] == peiljaar]
    return pd.DataFrame(
        {
            "Gebied": rows["gebied"].astype(str),
            rate_unit_label(rate_unit).capitalize(): rows["rate"],
            "marge van": rows["lower"],
            "marge tot": rows["upper"],
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


def yearly_totals(crime: pd.DataFrame, gemeente: str, peiljaar: int) -> pd.DataFrame:
    """Registered crimes (all codes) per year up to the peiljaar: year, registered."""
    totals = indicators.yearly_counts(crime, gemeente)
    return totals[totals["year"] <= peiljaar]


def count_in(totals: pd.DataFrame, year: int):
    """The registered count of ``year``, or None when that year is not in the series."""
    hit = totals.loc[totals["year"] == year, "registered"]
    return hit.iloc[0] if len(hit) else None


def missing_total_reason(name_md: str) -> str:
    """Why the yearly totals are missing: a partial download without the gemeente row."""
    return (
        f"de politietabel 47018NED heeft geen totaal voor de gemeente {name_md} (alleen cijfers "
        "per wijk of buurt); de buurten worden niet opgeteld, want misdrijven zonder buurt tellen "
        "wel mee in het gemeentetotaal."
    )


def total_sentence(totals: pd.DataFrame, peiljaar: int, name_md: str) -> str:
    """ "In 2024 registreerde de politie in X 5.000 misdrijven, 120 meer (+2,4%) dan in 2023."

    The change is said in words ("meer", "minder", "evenveel"): a bare "120 (+2,4%) ten opzichte
    van 2023" leaves the reader to guess the direction of an unsigned number.
    """
    if totals.empty:
        return common.insufficient(missing_total_reason(name_md))
    now = count_in(totals, peiljaar)
    diff, pct = indicators.change(count_in(totals, peiljaar - 1), now)
    text = f"In {peiljaar} registreerde de politie in {name_md} {format_number(now)} misdrijven"
    if diff is None:
        return text + "."
    if diff == 0:
        return f"{text}, evenveel als in {peiljaar - 1}."
    word = "meer" if diff > 0 else "minder"
    share = "" if pct is None else f" ({format_percentage(pct, signed=True)})"
    return f"{text}, {format_number(abs(diff))} {word}{share} dan in {peiljaar - 1}."


def totals_alt(totals: pd.DataFrame, name: str, peiljaar: int) -> str:
    """Alt text of the bar chart of registered crimes per year."""
    return (
        f"Staafdiagram van het aantal geregistreerde misdrijven in {name} per jaar, "
        f"{int(totals['year'].min())} tot en met {peiljaar}; in {peiljaar}: "
        f"{format_number(count_in(totals, peiljaar))}."
    )


def rise_years(params: dict) -> tuple[int, int]:
    """The two years claim C3 compares, from the parameters it was judged with (so page and
    verdict agree): ``common.claim_params(uitkomsten, "C3")``."""
    y1, y2 = params["years"]
    return int(y1), int(y2)


# --- lopend jaar (47022NED, monthly) --------------------------------------------------------------
RUNNING_SOURCE = "Politie/CBS, tabel 47022NED"
TOTAL_LABEL = "Totaal misdrijven"
RUNNING_TYPES = ((TOTAL_LABEL, (TOTAL,)), *HIGH_IMPACT)


def load_monthly(data_dir: str, source: str) -> pd.DataFrame | None:
    """The processed ``crime_monthly`` table (47022NED), or None when it is not there."""
    return reader.load_tables(data_dir, source, ["crime_monthly"]).get("crime_monthly")


def running_year_table(monthly: pd.DataFrame | None, gemeente: str, peiljaar: int) -> pd.DataFrame:
    """The "lopend jaar" of the gemeente: total crime and the high-impact types, months so far.

    The running year is the latest year with month rows, at most ``peiljaar + 1`` (the monthly
    table runs ahead of the yearly one; an older edition rebuilt later keeps its own year). A type
    of several codes has a month total only when every code is published that month, so a missing
    code never looks like a fall. Columns: soort, year, through_month, registered,
    registered_previous, change, change_pct, provisional; types in :data:`RUNNING_TYPES` order.
    """
    columns = ["soort", "year", "through_month", "registered", "registered_previous", "change",
               "change_pct", "provisional"]  # fmt: skip
    if monthly is None or monthly.empty:
        return pd.DataFrame(columns=columns)
    kind = {code: label for label, codes in RUNNING_TYPES for code in codes}
    size = {label: len(codes) for label, codes in RUNNING_TYPES}
    rows = monthly[
        (monthly["area_code"] == gemeente)
        & monthly["month"].notna()
        & (monthly["year"] <= peiljaar + 1)
        & monthly["crime_code"].isin(list(kind))
    ].assign(soort=lambda f: f["crime_code"].map(kind))
    if rows.empty:
        return pd.DataFrame(columns=columns)
    grouped = rows.groupby(["area_code", "soort", "year", "month"], observed=True)
    per_month = grouped.agg(
        registered=("registered", "sum"),
        published=("registered", "count"),
        provisional=("provisional", "any"),
    ).reset_index()
    complete = per_month["published"] == per_month["soort"].map(size)
    per_month["registered"] = per_month["registered"].astype("Int64").where(complete)
    result = running_year(per_month, "soort")
    order = {label: i for i, (label, _) in enumerate(RUNNING_TYPES)}
    result = result.sort_values("soort", key=lambda s: s.map(order), ignore_index=True)
    return result[columns]


def running_window(table: pd.DataFrame) -> str:
    """ "januari t/m februari 2025" for a :func:`running_year_table` (empty: "")."""
    if table.empty:
        return ""
    return f"{window_label(int(table['through_month'].iloc[0]))} {int(table['year'].iloc[0])}"


def running_sentence(table: pd.DataFrame, name_md: str) -> str:
    """The total of the running year against the same months a year earlier, in one sentence."""
    total = table[table["soort"] == RUNNING_TYPES[0][0]]
    if total.empty:
        return f"Er zijn geen maandcijfers (tabel 47022NED) voor {name_md}."
    r = total.iloc[0]
    months = window_label(int(r["through_month"]))
    status = (
        " Die cijfers zijn **voorlopig**: de politie vult ze nog aan." if r["provisional"] else ""
    )
    return (
        f"Van {months} {int(r['year'])} registreerde de politie in {name_md} "
        f"{format_number(r['registered'])} misdrijven, tegen {format_number(r['registered_previous'])} "
        f"in dezelfde maanden van {int(r['year']) - 1} ({_signed_pct(r['change_pct'])}).{status}"
    )


def _signed_pct(value) -> str:
    if pd.isna(value):
        return "verandering n.b."
    sign = "+" if value > 0 else ""
    return f"{sign}{format_percentage(value)}"


def running_display(table: pd.DataFrame, name: str) -> tables.Table:
    """The running-year table with the window in the column names and the period status."""
    year, months = int(table["year"].iloc[0]), window_label(int(table["through_month"].iloc[0]))
    shown = pd.DataFrame(
        {
            "Soort": table["soort"],
            f"{months} {year - 1}": table["registered_previous"],
            f"{months} {year}": table["registered"],
            "Verschil": table["change"],
            "Verschil (%)": table["change_pct"].astype("Float64"),
            "Status": table["provisional"].map({True: "voorlopig", False: "definitief"}),
        }
    )
    caption = f"Lopend jaar: {months} {year} tegen dezelfde maanden van {year - 1}, {name} (aantal)"
    return tables.html_table(shown, caption, formats={"Verschil (%)": 1})


def running_alt(table: pd.DataFrame, name: str) -> str:
    """Alt text of the running-year bars (high-impact types), with the total in words."""
    plain = running_sentence(table, name).replace("**", "")
    return (
        f"Staafdiagram per soort high impact crime in {name}: het aantal misdrijven in "
        f"{running_window(table)} naast dezelfde maanden een jaar eerder. " + plain
    )


def running_legend(table: pd.DataFrame) -> tuple[str, str]:
    """("januari t/m februari 2024", "januari t/m februari 2025"): the two windows compared."""
    months, year = window_label(int(table["through_month"].iloc[0])), int(table["year"].iloc[0])
    return f"{months} {year - 1}", f"{months} {year}"


def running_title(table: pd.DataFrame, name: str) -> str:
    """Figure title of the running year; "voorlopig" only where the source marks months so."""
    status = ", voorlopig" if table["provisional"].any() else ""
    return f"High impact crimes, {running_window(table)}, {name} (aantal{status})"
