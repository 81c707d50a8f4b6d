"""Verkeer: police road-traffic codes (1.3.1, 3.5.2) against Nederland, BRON accidents by severity.

BRON (Rijkswaterstaat) holds the accidents the police registered: about 90% of fatal accidents but
far fewer of the accidents with only material damage (UMS), and the police registered far fewer
accidents in 2009-2012. A fall in BRON counts can therefore be a fall in registration.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis import indicators, stats
from hengelo_analysis.findings import trend_phrase
from hengelo_analysis.formatting import format_number
from hengelo_analysis.stats import InsufficientData
from hengelo_analysis.supplied import BRON_BREAK_LAST_YEAR

NL_CODE = "NL00"
SEVERITIES = {"DOD": "dodelijk", "LET": "letsel", "UMS": "uitsluitend materiële schade"}
BRON_CAVEAT = (
    "BRON bevat de ongevallen die de politie registreerde. Dodelijke ongevallen staan er voor "
    "ongeveer 90% in, ongevallen met letsel en vooral met alleen materiële schade veel minder "
    "volledig; in 2009-2012 registreerde de politie veel minder ongevallen (methodebreuk), en "
    "sinds de AVG (2018) bevat het openbare bestand geen slachtoffers meer. Een daling in BRON "
    "kan dus ook een daling in registratie zijn."
)


def rates_with_nl(
    crime: pd.DataFrame,
    population: pd.DataFrame | None,
    gemeente: str,
    crime_code: str,
    peiljaar: int,
    unit: int = 1000,
    nl_code: str = NL_CODE,
    gemeente_name: str | None = None,
) -> pd.DataFrame:
    """Registered crimes of one code per year with rate and 95% interval, gemeente and Nederland.

    Columns: area_code, gebied (name for legends), year, registered, inhabitants, rate, lower,
    upper, ci_method. A rate is missing when the count or the inhabitants are (no population
    table: all rates missing); no crime table gives an empty frame.
    """
    columns = [
        "area_code",
        "gebied",
        "year",
        "registered",
        "inhabitants",
        "rate",
        "lower",
        "upper",
        "ci_method",
    ]
    if crime is None or crime.empty:
        return pd.DataFrame(columns=columns)
    parts = []
    for area in (gemeente, nl_code):
        counts = indicators.yearly_counts(crime, area, crime_code)
        counts = counts[counts["year"] <= peiljaar].assign(area_code=area)
        parts.append(counts)
    counts = pd.concat(parts, ignore_index=True)
    if population is None:
        population = pd.DataFrame(
            {"area_code": pd.Series(dtype=str), "year": pd.Series(dtype="int64"), "inhabitants": []}
        )
    out = indicators.rates(counts, population, unit)
    out["gebied"] = out["area_code"].map(
        {gemeente: gemeente_name or gemeente, nl_code: "Nederland"}
    )
    return out[columns]


def rate_ratio_table(rates: pd.DataFrame, gemeente: str, nl_code: str = NL_CODE) -> pd.DataFrame:
    """Per year: the gemeente's rate, Nederland's rate and their ratio (missing when either is)."""
    own = rates[rates["area_code"] == gemeente].set_index("year")
    nl = rates[rates["area_code"] == nl_code].set_index("year")
    out = pd.DataFrame({"year": own.index})
    out["registered"] = own["registered"].to_numpy()
    out["rate"] = own["rate"].to_numpy()
    out["lower"] = own["lower"].to_numpy()
    out["upper"] = own["upper"].to_numpy()
    out["rate_nl"] = out["year"].map(nl["rate"]).astype("Float64")
    out["ratio"] = (out["rate"].astype("Float64") / out["rate_nl"]).astype("Float64")
    return out


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
        if y in stats.CORONA_YEARS
        else ""
        for y in out["year"]
    ]
    return out


def severity_long(wide: pd.DataFrame) -> pd.DataFrame:
    """The wide severity table as long rows (year, ernst, accidents) for a line chart."""
    long = wide.melt(id_vars="year", value_vars=list(SEVERITIES), var_name="code")
    long["ernst"] = long["code"].map(SEVERITIES)
    return long.rename(columns={"value": "accidents"})[["year", "ernst", "accidents"]]


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
    return trend_phrase(subject[0].upper() + subject[1:], trend) + "."


def rate_sentence(
    table: pd.DataFrame,
    peiljaar: int,
    name: str,
    subject: str,
    unit_label: str,
    *,
    markdown: bool = True,
) -> str:
    """ "In 2024 registreerde de politie in Hengelo 170 verkeersongevallen: 2,10 per 1.000 inwoners
    (Nederland: 1,54)." from a :func:`rate_ratio_table`; ``name`` is used as given (escape it
    for Markdown first). Missing figures read "n.b.", never 0."""
    row = table[table["year"] == peiljaar]
    if row.empty:
        return f"Voor {peiljaar} zijn er geen politiecijfers over {subject} in {name}."
    r = row.iloc[0]
    return (
        f"In {peiljaar} registreerde de politie in {name} {format_number(r['registered'])} "
        f"{subject}: {format_number(r['rate'], 2)} {unit_label} "
        f"(Nederland: {format_number(r['rate_nl'], 2)})."
    )


def severity_text(wide: pd.DataFrame, year: int) -> str:
    """ "3 dodelijk, 50 letsel, 113 uitsluitend materiële schade (totaal 166)" for one year."""
    row = wide[wide["year"] == year]
    if row.empty:
        return "geen cijfers"
    r = row.iloc[0]
    parts = [f"{format_number(r[code])} {label}" for code, label in SEVERITIES.items()]
    return ", ".join(parts) + f" (totaal {format_number(r['totaal'])})"
