"""Zorg en overlast: E33 incidents, police drugs/drankoverlast (2.1.1) beside E38, survey items.

E33 counts *incidents* (police registrations of nuisance by a person with confused behaviour), not
persons: one person can account for many registrations, and confused behaviour combined with a
crime is registered under the crime, so E33 undercounts the problem.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import disclosure, indicators, stats
from hengelo_analysis.analysis.claims.nuisance import SUPPLIED
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import ALCOHOL_DRUGS_NUISANCE, NL_CODE
from hengelo_analysis.formatting import format_number, format_percentage
from hengelo_analysis.pages import nuisance_series
from hengelo_analysis.pages.enquete import INDICATOR_LABELS
from hengelo_analysis.pages.sections import RateTopic
from hengelo_analysis.pages.tables import Table, escape_markdown, html_table

E33 = "E33"
NUISANCE = [
    "overlast_drugsgebruik",
    "overlast_drugshandel",
    "overlast_dronken_mensen",
    "overlast_rondhangende_jongeren",
    "overlast_verwarde_personen",
]


def incidents_per_year(
    incidents: pd.DataFrame | None,
    area_code: str,
    peiljaar: int,
    incident_code: str = E33,
) -> pd.DataFrame:
    """Incidents per year (≤ peiljaar) with an exact/Byar 95% interval, gaps kept as missing.

    A yearly row (``month`` missing) is taken as supplied; otherwise a year counts only when all
    12 months are present (a partial year is not a year's figure). Years between the first and
    the last one without a figure appear with missing values, so a chart shows a gap, not 0.

    Returns
    -------
    DataFrame with year, incidents (Int64), lower, upper (Float64).
    """
    columns = ["year", "incidents", "lower", "upper"]
    if incidents is None or incidents.empty:
        return pd.DataFrame(columns=columns)
    rows = incidents[
        (incidents["area_code"] == area_code)
        & (incidents["incident_code"] == incident_code)
        & (incidents["year"] <= peiljaar)
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    yearly = rows[rows["month"].isna()].groupby("year")["incidents"].sum(min_count=1)
    monthly = rows[rows["month"].notna()].groupby("year")
    complete = monthly["month"].nunique() == 12
    from_months = monthly["incidents"].sum(min_count=1)[complete]
    per_year = yearly.combine_first(from_months)
    years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
    out = pd.DataFrame({"year": list(years)})
    out["incidents"] = out["year"].map(per_year).astype("Int64")
    bounds = [_ci(v) for v in out["incidents"]]
    out["lower"] = pd.array([b[0] for b in bounds], dtype="Float64")
    out["upper"] = pd.array([b[1] for b in bounds], dtype="Float64")
    return out


def _ci(count) -> tuple[float | None, float | None]:
    try:
        lower, upper, _ = stats.poisson_ci(count)
    except InsufficientData:
        return None, None
    return lower, upper


def incidents_per_wijk(
    incidents: pd.DataFrame | None,
    gemeente: str,
    year: int,
    names: dict[str, str] | None = None,
    incident_code: str = E33,
    threshold: int = disclosure.DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Incidents per wijk of the gemeente in one year, small counts suppressed before showing.

    The wijken form one additive group (secondary suppression), so a total cannot give a hidden
    wijk back. Columns: area_code, area_name, incidents (missing when hidden), status, shown.
    """
    columns = ["area_code", "area_name", "incidents", "status", "shown"]
    if incidents is None or incidents.empty:
        return pd.DataFrame(columns=columns)
    prefix = "WK" + gemeente[2:]
    rows = incidents[
        incidents["area_code"].str.startswith(prefix)
        & (incidents["incident_code"] == incident_code)
        & (incidents["year"] == year)
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    # a wijk figure is a year total or the sum of 12 months; anything partial is not published
    per_wijk = (
        rows.groupby("area_code")
        .apply(_year_total, include_groups=False)
        .rename("incidents")
        .reset_index()
    )
    per_wijk["incidents"] = per_wijk["incidents"].astype("Int64")
    per_wijk["group"] = year
    table = disclosure.suppress(per_wijk, "incidents", groups=[("group",)], threshold=threshold)
    names = names or {}
    table["area_name"] = [names.get(c, c) for c in table["area_code"]]
    return table[columns].sort_values("area_code", ignore_index=True)


def _year_total(rows: pd.DataFrame):
    yearly = rows.loc[rows["month"].isna(), "incidents"]
    if yearly.notna().any():
        return yearly.sum(min_count=1)
    months = rows.dropna(subset=["month"])
    if months["month"].nunique() == 12:
        return months["incidents"].sum(min_count=1)
    return pd.NA


def ranking(wave_rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Nuisance items of one wave from most to least named, with rank and 95% bounds.

    Items whose value is suppressed or missing are left out (they cannot be ranked). ``tied``
    says whether the item's interval overlaps the next one's: then the order of the two is not
    certain.
    """
    rows = wave_rows[(wave_rows["year"] == year)].dropna(subset=["value"])
    rows = rows.sort_values("value", ascending=False, ignore_index=True)
    out = rows[["indicator", "value", "lower", "upper"]].copy()
    out.insert(0, "rank", range(1, len(out) + 1))
    nxt_upper = out["upper"].shift(-1)
    out["overlaps_next"] = (out["lower"] <= nxt_upper).fillna(False).astype(bool)
    return out


DRUGS = RateTopic(
    code="2.1.1",
    figure_id="drugs_drankoverlast_politie",
    label="Drugs-/drankoverlast",
    subject="keer drugs- of drankoverlast",
    alt_subject="drugs- en drankoverlast",
)


def e33_alt(e33: pd.DataFrame, name: str, peiljaar: int) -> str:
    """Alt text of the E33 line chart: span of known years and the peiljaar count."""
    known = e33.dropna(subset=["incidents"])
    now = e33.loc[e33["year"] == peiljaar, "incidents"]
    return (
        f"Lijndiagram van het aantal E33-meldingen (incidenten, geen personen) in {name} per jaar, "
        f"{int(known['year'].min())} tot en met {int(known['year'].max())}, met "
        f"95%-betrouwbaarheidsinterval; in {peiljaar}: "
        f"{format_number(now.squeeze() if len(now) else None)} incidenten."
    )


def e33_table(e33: pd.DataFrame, name: str) -> Table:
    """The E33 incidents per year with their interval, as an HTML table."""
    shown = e33.rename(
        columns={
            "year": "Jaar",
            "incidents": "E33-meldingen (incidenten)",
            "lower": "marge van",
            "upper": "marge tot",
        }
    )
    return html_table(
        shown,
        f"E33-meldingen per jaar, {name} (aantal incidenten; n.b. = geen cijfer)",
        formats={"marge van": 0, "marge tot": 0},
    )


def source_sentence(source_name: str | None) -> str:
    """Which E33 source the page shows, in words (the C1 verdict names the same one)."""
    if source_name is None:
        return "Er zijn geen E33-cijfers: geen aangeleverd bestand en geen open politietabel."
    if source_name == SUPPLIED:
        return (
            "Bron van de E33-cijfers op deze pagina: het **aangeleverde incidentenbestand** van de "
            "politie-eenheid. Dat gaat voor op de open politietabel (47021NED/47024NED)."
        )
    return (
        "Bron van de E33-cijfers op deze pagina: de **open politietabellen** 47021NED (gemeente) "
        "en 47024NED (wijken, per maand); er is geen incidentenbestand aangeleverd."
    )


def national_e33(nuisance: pd.DataFrame | None, peiljaar: int) -> pd.DataFrame:
    """Nederland's E33 per year from the open table (comparison only), as :func:`incidents_per_year`."""
    return incidents_per_year(nuisance_series.as_incidents(nuisance, E33), NL_CODE, peiljaar)


def national_alt(national: pd.DataFrame) -> str:
    """Alt text of the national E33 chart: first and last known year with their counts."""
    known = national.dropna(subset=["incidents"]).sort_values("year")
    first, last = known.iloc[0], known.iloc[-1]
    return (
        f"Lijndiagram van het aantal E33-meldingen in heel Nederland per jaar, van "
        f"{format_number(first['incidents'])} in {int(first['year'])} tot "
        f"{format_number(last['incidents'])} in {int(last['year'])}."
    )


E38_LABEL = "E38 overlast alcohol/drugs"
DRUGS_LABEL = "2.1.1 drugs-/drankoverlast (misdrijven)"


def drugs_beside_e38(
    crime: pd.DataFrame | None, nuisance: pd.DataFrame | None, gemeente: str, peiljaar: int
) -> pd.DataFrame:
    """Per year the police's 2.1.1 (47018NED) and E38 (overlast table) for the gemeente.

    Columns: year, reeks, registered (Int64, missing = no figure). Years run over both series,
    so a year one source lacks is a gap in its line, not 0.
    """
    parts = []
    if crime is not None and not crime.empty:
        counts = indicators.yearly_counts(crime, gemeente, DRUGS.code)
        parts.append(counts[counts["year"] <= peiljaar].assign(reeks=DRUGS_LABEL))
    e38 = nuisance_series.yearly(nuisance, gemeente, ALCOHOL_DRUGS_NUISANCE, peiljaar)
    if not e38.empty:
        parts.append(e38[["year", "registered"]].assign(reeks=E38_LABEL))
    columns = ["year", "reeks", "registered"]
    parts = [p for p in parts if not p.empty]  # a table without the gemeente's rows adds no years
    if not parts:
        return pd.DataFrame(columns=columns)
    long = pd.concat(parts, ignore_index=True)
    years = range(int(long["year"].min()), int(long["year"].max()) + 1)
    grid = pd.MultiIndex.from_product(
        [list(years), [DRUGS_LABEL, E38_LABEL]], names=["year", "reeks"]
    )
    out = long.set_index(["year", "reeks"])["registered"].reindex(grid).reset_index()
    out["registered"] = out["registered"].astype("Int64")
    return out[columns]


def drugs_e38_alt(series: pd.DataFrame, name: str, peiljaar: int) -> str:
    """Alt text of the 2.1.1/E38 chart with both peiljaar figures."""
    now = series[series["year"] == peiljaar].set_index("reeks")["registered"]
    return (
        f"Lijndiagram van twee politiereeksen in {name} per jaar: misdrijven drugs-/drankoverlast "
        f"(2.1.1) en meldingen van overlast door alcohol of drugs (E38); in {peiljaar}: "
        f"{format_number(now.get(DRUGS_LABEL))} en {format_number(now.get(E38_LABEL))}."
    )


def nuisance_alt(golven: list, name: str) -> str:
    """Alt text of the survey nuisance chart over the waves."""
    return (
        f"Lijndiagram van het percentage inwoners van {name} dat vijf vormen van overlast vaak in de "
        f"buurt ziet, per enquêtegolf van {int(min(golven))} tot en met {int(max(golven))}, met "
        f"95%-marges als band."
    )


def top_item(ranked: pd.DataFrame) -> pd.Series:
    """The most named nuisance item of a :func:`ranking` (its first row)."""
    return ranked.iloc[0]


def top_sentence(ranked: pd.DataFrame, year: int) -> str:
    """ "In 2023 noemen inwoners **drugsgebruik** het vaakst (23,1%)", with the tie caveat."""
    top = top_item(ranked)
    label = INDICATOR_LABELS[top["indicator"]]
    tail = (
        "; de marges overlappen met de tweede, dus de volgorde van die twee is niet zeker."
        if top["overlaps_next"]
        else "."
    )
    return (
        f"In {year} noemen inwoners **{escape_markdown(label)}** het vaakst "
        f"({format_percentage(top['value'])})" + tail
    )


def ranking_alt(ranked: pd.DataFrame, name: str, year: int) -> str:
    """Alt text of the ranking bar chart."""
    top = top_item(ranked)
    return (
        f"Liggend staafdiagram van de overlastvormen in {name} in {year}, van meest naar minst "
        f"genoemd, met 95%-marges; het meest genoemd: {INDICATOR_LABELS[top['indicator']]} "
        f"({format_percentage(top['value'])})."
    )


def drugs_e38_table(series: pd.DataFrame, name: str) -> Table:
    """2.1.1 and E38 per year side by side (n.b. = geen cijfer), from :func:`drugs_beside_e38`."""
    wide = series.pivot(index="year", columns="reeks", values="registered")
    wide = wide.reindex(columns=[DRUGS_LABEL, E38_LABEL]).reset_index().rename_axis(columns=None)
    caption = (
        f"Drugs- en drankoverlast bij de politie per jaar, {name} (aantal; n.b. = geen cijfer)"
    )
    return html_table(wide.rename(columns={"year": "Jaar"}), caption)
