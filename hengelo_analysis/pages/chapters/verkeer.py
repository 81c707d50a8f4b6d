"""Verkeer: police road-traffic codes (1.3.1, 3.5.2) against Nederland, BRON accidents by severity.

BRON (Rijkswaterstaat) holds the accidents the police registered: about 90% of fatal accidents but
far fewer of the accidents with only material damage (UMS), and the police registered far fewer
accidents in 2009-2012. A fall in BRON counts can therefore be a fall in registration.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import claims, stats
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import BRON_BREAK_LAST_YEAR, CORONA_YEARS
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import panels
from hengelo_analysis.pages.sections import RateTopic
from hengelo_analysis.pages.tables import Table, html_table

SEVERITIES = {"DOD": "dodelijk", "LET": "letsel", "UMS": "uitsluitend materiële schade"}
BRON_CAVEAT = (
    "BRON bevat de ongevallen die de politie registreerde. Dodelijke ongevallen staan er voor "
    "ongeveer 90% in, ongevallen met letsel en vooral met alleen materiële schade veel minder "
    "volledig; in 2009-2012 registreerde de politie veel minder ongevallen (methodebreuk), en "
    "sinds de AVG (2018) bevat het openbare bestand geen slachtoffers meer. Een daling in BRON "
    "kan dus ook een daling in registratie zijn."
)


def accidents_by_severity(
    accidents: pd.DataFrame | None, area_code: str, peiljaar: int
) -> pd.DataFrame:
    """BRON accidents per year and severity (DOD, LET, UMS) plus the total, gaps kept missing.

    A year with one severity missing has a missing total (never a sum that reads the gap as 0).
    ``opmerking`` marks the registration break (up to 2012) and the corona years.
    """
    columns = ["year", *SEVERITIES, "totaal", "opmerking"]
    if accidents is None or accidents.empty:
        return pd.DataFrame(columns=columns)
    rows = accidents[(accidents["area_code"] == area_code) & (accidents["year"] <= peiljaar)]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    # sum with min_count: a missing cell stays missing (pivot_table's sum would make it 0)
    wide = rows.groupby(["year", "severity"])["accidents"].sum(min_count=1).unstack("severity")
    years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
    wide = wide.reindex(index=list(years), columns=list(SEVERITIES))
    out = wide.astype("Int64").reset_index()
    out.columns = ["year", *SEVERITIES]
    out["totaal"] = out[list(SEVERITIES)].sum(axis=1, min_count=len(SEVERITIES)).astype("Int64")
    out.loc[out[list(SEVERITIES)].isna().any(axis=1), "totaal"] = pd.NA
    out["opmerking"] = [
        "registratiebreuk 2009-2012"
        if y <= BRON_BREAK_LAST_YEAR
        else "coronajaar"
        if y in CORONA_YEARS
        else ""
        for y in out["year"]
    ]
    return out


def severity_long(wide: pd.DataFrame) -> pd.DataFrame:
    """The wide severity table as long rows (year, ernst, accidents) for a line chart."""
    long = wide.melt(id_vars="year", value_vars=list(SEVERITIES), var_name="code")
    long["ernst"] = long["code"].map(SEVERITIES)
    return long.rename(columns={"value": "accidents"})[["year", "ernst", "accidents"]]


def severity_figure(wide: pd.DataFrame, name: str, source: str):
    """The BRON accidents per severity, one panel each on its own scale.

    On one axis the few fatal accidents lie flat on the line of the many damage-only ones.
    """
    return panels.small_multiples(
        severity_long(wide),
        x="year",
        y="accidents",
        group="ernst",
        title=f"Verkeersongevallen in BRON naar ernst, {name} (aantal per jaar)",
        ylabel="aantal ongevallen",
        source=source,
        sharey=False,
        decimals=0,
    )


def bron_trend_sentence(wide: pd.DataFrame, subject: str = "het aantal BRON-ongevallen") -> str:
    """Dutch clause on the trend of the BRON total ("stijgt"/"daalt" only when significant).

    Poisson regression on the yearly totals (corona years as a separate term), from the first
    year after the 2009-2012 registration break; years with a missing total are left out, never
    read as 0.
    """
    series = wide[["year", "totaal"]].dropna() if "totaal" in wide else wide.iloc[0:0]
    try:
        trend = stats.poisson_trend(
            series["year"],
            series["totaal"].astype(float),
            break_year=BRON_BREAK_LAST_YEAR + 1,
        )
    except InsufficientData as exc:
        return f"Geen trend te berekenen voor {subject}: {exc}."
    return claims.trend_phrase(subject[0].upper() + subject[1:], trend) + "."


def severity_text(wide: pd.DataFrame, year: int) -> str:
    """ "3 dodelijk, 50 letsel, 113 uitsluitend materiële schade (totaal 166)" for one year."""
    row = wide[wide["year"] == year]
    if row.empty:
        return "geen cijfers"
    r = row.iloc[0]
    parts = [f"{format_number(r[code])} {label}" for code, label in SEVERITIES.items()]
    return ", ".join(parts) + f" (totaal {format_number(r['totaal'])})"


ACCIDENTS = RateTopic(
    code="1.3.1",
    figure_id="verkeersongevallen_politie",
    label="Verkeersongevallen",
    subject="verkeersongevallen",
    alt_subject="verkeersongevallen",
)
UNDER_INFLUENCE = RateTopic(
    code="3.5.2",
    figure_id="onder_invloed_politie",
    label="Rijden onder invloed",
    subject="gevallen van rijden onder invloed",
    alt_subject="gevallen van rijden onder invloed",
)


def in_year(wide: pd.DataFrame, column: str, year: int):
    """One severity (or the total) of ``year``, or None when the year is not supplied."""
    hit = wide.loc[wide["year"] == year, column]
    return hit.squeeze() if len(hit) else None


def severity_table(wide: pd.DataFrame, name: str) -> Table:
    """The BRON accidents per year and severity as an HTML table (n.b. = not supplied)."""
    shown = wide.rename(
        columns={
            "year": "Jaar",
            "DOD": "Dodelijk (DOD)",
            "LET": "Letsel (LET)",
            "UMS": "Uitsluitend materiële schade (UMS)",
            "totaal": "Totaal",
            "opmerking": "Opmerking",
        }
    )
    return html_table(
        shown,
        f"Verkeersongevallen in BRON per jaar en ernst, {name} (aantal; n.b. = niet aangeleverd)",
    )


def severity_alt(wide: pd.DataFrame, name: str, peiljaar: int) -> str:
    """Alt text of the BRON chart per severity."""
    return (
        f"Lijndiagrammen, één per ernst en elk met een eigen schaal, van het aantal "
        f"verkeersongevallen in BRON in {name} per jaar, "
        f"{int(wide['year'].min())} tot en met {int(wide['year'].max())}; in {peiljaar}: "
        + severity_text(wide, peiljaar)
        + "."
    )
