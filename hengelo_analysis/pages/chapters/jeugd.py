"""Jeugd: Halt referrals and jeugdreclassering per year, with a trend only when the data allow one.

Both are counts the gemeente supplies (no open table exists). A missing year means not supplied,
never 0, and is shown as "n.b."; the trend test drops such years instead of reading them as 0.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages.tables import Table, html_table

MEASURES = {
    "halt_verwijzingen": "Halt-verwijzingen",
    "jeugdreclassering": "jeugdreclassering",
}


def per_year(youth: pd.DataFrame | None, area_code: str, peiljaar: int) -> pd.DataFrame:
    """Year × measure counts (Int64) from the first to the last year, missing where not supplied."""
    columns = ["year", *MEASURES]
    if youth is None or youth.empty:
        return pd.DataFrame(columns=columns)
    rows = youth[
        (youth["area_code"] == area_code)
        & (youth["year"] <= peiljaar)
        & youth["measure"].isin(list(MEASURES))
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    # sum with min_count: a year not supplied stays missing (pivot_table's sum would make it 0)
    wide = rows.groupby(["year", "measure"])["count"].sum(min_count=1).unstack("measure")
    years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
    wide = wide.reindex(index=list(years), columns=list(MEASURES)).astype("Int64")
    return wide.reset_index().rename_axis(columns=None)


def long_with_ci(wide: pd.DataFrame) -> pd.DataFrame:
    """Long rows (year, maatregel, count, lower, upper) with exact/Byar 95% intervals."""
    long = wide.melt(id_vars="year", value_vars=list(MEASURES), var_name="measure")
    long["maatregel"] = long["measure"].map(MEASURES)
    bounds = []
    for value in long["value"]:
        try:
            lower, upper, _ = stats.poisson_ci(value)
        except InsufficientData:
            lower = upper = None
        bounds.append((lower, upper))
    long["count"] = long["value"].astype("Int64")
    long["lower"] = pd.array([b[0] for b in bounds], dtype="Float64")
    long["upper"] = pd.array([b[1] for b in bounds], dtype="Float64")
    return long[["year", "maatregel", "count", "lower", "upper"]]


def trends(wide: pd.DataFrame) -> pd.DataFrame:
    """Per measure the Poisson trend (counts, corona years as indicator) or the reason there is none.

    Columns: maatregel, pct_per_year, lower, upper, p_value, years, points, direction, reason.
    """
    records = []
    for measure, label in MEASURES.items():
        series = wide[["year", measure]].dropna() if measure in wide else wide.iloc[0:0]
        try:
            t = stats.poisson_trend(series["year"], series[measure].astype(float))
            records.append(
                {
                    "maatregel": label,
                    "pct_per_year": t.pct_per_year,
                    "lower": t.lower,
                    "upper": t.upper,
                    "p_value": t.p_value,
                    "years": f"{t.first_year}-{t.last_year}",
                    "points": t.n_points,
                    "direction": t.direction(),
                    "reason": "",
                }
            )
        except InsufficientData as exc:
            records.append({"maatregel": label, "reason": str(exc)})
    out = pd.DataFrame.from_records(
        records,
        columns=[
            "maatregel",
            "pct_per_year",
            "lower",
            "upper",
            "p_value",
            "years",
            "points",
            "direction",
            "reason",
        ],
    )
    for column in ("pct_per_year", "lower", "upper", "p_value"):
        out[column] = out[column].astype("Float64")
    out["points"] = out["points"].astype("Int64")
    return out


def missing_years(wide: pd.DataFrame) -> dict[str, list[int]]:
    """Per measure label the years without a figure (shown as n.b. in the report)."""
    return {
        label: [int(y) for y in wide.loc[wide[m].isna(), "year"]]
        for m, label in MEASURES.items()
        if m in wide
    }


DIRECTION_WORDS = {"stijgend": "stijgt", "dalend": "daalt", "geen": "geen significante verandering"}


def trends_table(trend_rows: pd.DataFrame) -> pd.DataFrame:
    """The :func:`trends` result as the report shows it: Dutch column names, words, p as text."""
    out = pd.DataFrame(
        {
            "Reeks": trend_rows["maatregel"],
            "Verandering per jaar (%)": trend_rows["pct_per_year"],
            "marge van": trend_rows["lower"],
            "marge tot": trend_rows["upper"],
            "Jaren": trend_rows["years"].fillna("n.b."),
            "Punten": trend_rows["points"],
            "Richting": trend_rows["direction"].map(DIRECTION_WORDS).fillna("geen trend"),
            "Reden geen trend": trend_rows["reason"].fillna(""),
        }
    )
    return out


def missing_sentence(wide: pd.DataFrame) -> str:
    """ "Niet aangeleverd (n.b.): jeugdreclassering 2015." or "" when every year is there."""
    parts = [
        f"{label} {', '.join(str(y) for y in years)}"
        for label, years in missing_years(wide).items()
        if years
    ]
    return f"Niet aangeleverd (n.b.): {'; '.join(parts)}." if parts else ""


def in_year(wide: pd.DataFrame, column: str, year: int):
    """The count of ``column`` in ``year``, or None when the year is not supplied."""
    hit = wide.loc[wide["year"] == year, column]
    return hit.squeeze() if len(hit) else None


def youth_table(wide: pd.DataFrame, name: str) -> Table:
    """Halt referrals and juvenile probation per year as an HTML table (n.b. = not supplied)."""
    shown = wide.rename(
        columns={
            "year": "Jaar",
            "halt_verwijzingen": "Halt-verwijzingen",
            "jeugdreclassering": "Jeugdreclassering",
        }
    )
    return html_table(
        shown,
        f"Halt-verwijzingen en jeugdreclasseringszaken per jaar, {name} (aantal; n.b. = niet aangeleverd)",
    )


def youth_alt(wide: pd.DataFrame, name: str, peiljaar: int) -> str:
    """Alt text of the Halt/jeugdreclassering chart, with the peiljaar counts."""
    halt = format_number(in_year(wide, "halt_verwijzingen", peiljaar))
    jr = format_number(in_year(wide, "jeugdreclassering", peiljaar))
    return (
        f"Lijndiagram van het aantal Halt-verwijzingen en jeugdreclasseringszaken in {name} per jaar, "
        f"{int(wide['year'].min())} tot en met {int(wide['year'].max())}, met 95%-betrouwbaarheidsinterval; "
        f"in {peiljaar}: {halt} Halt-verwijzingen en "
        f"{jr} jeugdreclasseringszaken. Een ontbrekend jaar is een onderbreking van de lijn."
    )


E35 = "E35"
E35_MEANING = (
    "E35 telt de meldingen van **overlast door jongeren** die de politie registreert: het zegt "
    "hoe vaak er over jongeren gemeld en geregistreerd is, niet hoeveel jongeren overlast geven."
)


def e35_peil_sentence(
    rates: pd.DataFrame, gemeente: str, name_md: str, peiljaar: int, unit_label: str
) -> str:
    """ "In 2024 registreerde de politie in Hengelo 788 meldingen van jeugdoverlast (9,12 per
    1.000 inwoners; Nederland: 5,01)." from :func:`~hengelo_analysis.pages.nuisance_series.rates_with_nl`."""
    rows = rates[rates["year"] == peiljaar].set_index("area_code")
    if gemeente not in rows.index or pd.isna(rows.loc[gemeente, "registered"]):
        return f"Voor {peiljaar} is er geen E35-cijfer voor {name_md}."
    own = rows.loc[gemeente]
    nl_rate = rows["rate"].drop(gemeente).dropna()
    return (
        f"In {peiljaar} registreerde de politie in {name_md} "
        f"{format_number(own['registered'])} meldingen van jeugdoverlast "
        f"({format_number(own['rate'], 2)} {unit_label}; Nederland: "
        f"{format_number(nl_rate.iloc[0] if len(nl_rate) else None, 2)})."
    )


def e35_table(rates: pd.DataFrame, gemeente: str, name: str, unit_label: str) -> Table:
    """E35 per year: the gemeente's count and rate beside Nederland's rate (n.b. = geen cijfer)."""
    own = rates[rates["area_code"] == gemeente].set_index("year")
    nl = rates[rates["area_code"] != gemeente].set_index("year")
    shown = pd.DataFrame({"Jaar": own.index})
    shown["E35-meldingen (aantal)"] = own["registered"].to_numpy()
    shown[f"{name} {unit_label}"] = own["rate"].to_numpy()
    shown[f"Nederland {unit_label}"] = shown["Jaar"].map(nl["rate"]).astype("Float64")
    return html_table(
        shown,
        f"Overlast door jongeren (E35) per jaar, {name} en Nederland (n.b. = geen cijfer)",
        formats={f"{name} {unit_label}": 2, f"Nederland {unit_label}": 2},
    )


def e35_alt(rates: pd.DataFrame, gemeente: str, name: str, peiljaar: int, unit_label: str) -> str:
    """Alt text of the E35 chart (rates of the gemeente and Nederland)."""
    known = rates.dropna(subset=["rate"])
    return (
        f"Lijndiagram van de door de politie geregistreerde meldingen van jeugdoverlast (E35) "
        f"{unit_label} per jaar in {name} en in Nederland, {int(known['year'].min())} tot en met "
        f"{int(known['year'].max())}, met 95%-betrouwbaarheidsinterval. "
        + e35_peil_sentence(rates, gemeente, name, peiljaar, unit_label)
    )
