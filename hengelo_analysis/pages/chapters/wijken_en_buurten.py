"""09 Wijken en buurten: maps per buurt and a profile per wijk.

Suppress before you show: buurt counts go through :func:`hengelo_analysis.analysis.indicators.buurt_table`
(small counts ``<5`` with secondary suppression within each wijk, rates hidden for hidden counts
and for buurten with fewer than 100 inhabitants). A buurt with very few inhabitants (a
bedrijventerrein, a park) would otherwise show an extreme rate: crimes there are committed against
businesses and visitors, not residents (the BOCSAR denominator caution), so its rate is drawn as
"cijfer niet getoond" rather than as a colour.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import disclosure, indicators, stats
from hengelo_analysis.domain import TOTAL_CRIME
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import plots
from hengelo_analysis.pages.tables import escape_markdown

TOTAL = TOTAL_CRIME
BURGLARY = "1.1.1"
MIN_POPULATION = disclosure.DEFAULT_MIN_POPULATION
THRESHOLD = disclosure.DEFAULT_THRESHOLD


def buurt_rates(
    crime: pd.DataFrame,
    population: pd.DataFrame | None,
    gemeente: str,
    peiljaar: int,
    code: str = TOTAL,
    rate_unit: int = 1000,
) -> pd.DataFrame:
    """The disclosure-safe buurt table (counts, rates, statuses) for one crime code and year.

    Empty (no rows) when the gemeente has no buurt figures, e.g. only gemeente-level rows.
    """
    return indicators.buurt_table(
        crime,
        gemeente,
        peiljaar,
        code,
        population=population,
        unit=rate_unit,
        threshold=THRESHOLD,
        min_population=MIN_POPULATION,
    )


def wijk_profiles(
    crime: pd.DataFrame,
    population: pd.DataFrame | None,
    gemeente: str,
    peiljaar: int,
    rate_unit: int = 1000,
    top: int = 3,
) -> pd.DataFrame:
    """One row per wijk: inhabitants, total crime, rate with 95% CI and the top crime types.

    The total is the published ``0.0.0`` of the wijk (small totals shown as ``<5``); the rate is
    hidden below ``MIN_POPULATION`` inhabitants; the top types list only counts of at least
    ``THRESHOLD`` (a smaller one would reveal a small count).
    """
    rows = crime[
        (crime["gemeente_code"] == gemeente)
        & (crime["area_level"] == "wijk")
        & (crime["year"] == peiljaar)
    ]
    columns = [
        "area_code",
        "area_name",
        "inhabitants",
        "registered",
        "shown",
        "rate",
        "lower",
        "upper",
        "rate_status",
        "top",
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    totals = rows[rows["crime_code"] == TOTAL][["area_code", "area_name", "year", "registered"]]
    totals = disclosure.suppress(totals, "registered", threshold=THRESHOLD)
    if population is not None:
        totals = indicators.rates(totals, population, rate_unit)
    else:
        totals = totals.assign(inhabitants=pd.NA, rate=pd.NA, lower=pd.NA, upper=pd.NA)
    totals = disclosure.suppress_rates(totals, min_population=MIN_POPULATION)
    for column in ("lower", "upper"):
        totals[column] = totals[column].astype("Float64").where(totals["rate"].notna())
    parts = rows[(rows["crime_code"] != TOTAL) & (rows["registered"] >= THRESHOLD)]
    tops = {
        code: top_types(group, top) for code, group in parts.groupby("area_code", observed=True)
    }
    totals["top"] = totals["area_code"].map(lambda c: tops.get(c, "geen"))
    totals["area_code"] = totals["area_code"].astype(str)
    totals["area_name"] = totals["area_name"].astype(str)
    return totals[columns].sort_values("area_code", ignore_index=True)


def top_types(rows: pd.DataFrame, top: int = 3) -> str:
    """``"Label (n); Label (n); ..."`` for the ``top`` largest counts (ties by code)."""
    ordered = rows.assign(code=rows["crime_code"].astype(str)).sort_values(
        ["registered", "code"], ascending=[False, True]
    )
    return "; ".join(
        f"{label} ({format_number(n)})"
        for label, n in zip(
            ordered["crime_label"].head(top), ordered["registered"].head(top), strict=True
        )
    )


def profile_table(profiles: pd.DataFrame, rate_unit_text: str) -> pd.DataFrame:
    """The wijk profiles with Dutch column names for ``tables.html_table``."""
    return pd.DataFrame(
        {
            "Wijk": profiles["area_name"],
            "Inwoners": profiles["inhabitants"].astype("Int64"),
            "Geregistreerde misdrijven": profiles["shown"],
            rate_unit_text.capitalize(): profiles["rate"].astype("Float64"),
            "marge van": profiles["lower"].astype("Float64"),
            "marge tot": profiles["upper"].astype("Float64"),
            "Meest geregistreerd": profiles["top"],
            "Code": profiles["area_code"],  # shown in the downloads only
        }
    )


def opening_sentence(
    profiles: pd.DataFrame, reference: float | None, name: str, peiljaar: int, unit_label: str
) -> str:
    """What the page shows, first: the wijk with the highest rate against the whole gemeente.

    "In 2024 registreerde de politie in Hengelo de meeste misdrijven per inwoner in Binnenstad:
    682,5 per 10.000 inwoners, tegen 464,2 in de hele gemeente." ``name`` is used as given (escape
    it for Markdown first); without wijk figures the sentence says so.
    """
    rated = profiles.dropna(subset=["rate"]) if not profiles.empty else profiles
    if rated.empty:
        return f"Voor {peiljaar} zijn er geen cijfers per wijk voor {name}."
    top = rated.loc[rated["rate"].astype(float).idxmax()]
    whole = (
        "" if reference is None else f", tegen {format_number(reference, 1)} in de hele gemeente"
    )
    return (
        f"In {peiljaar} registreerde de politie in {name} de meeste misdrijven per inwoner in "
        f"{escape_markdown(str(top['area_name']))}: {format_number(top['rate'], 1)} "
        f"{unit_label}{whole}. Een hoog cijfer in een wijk met winkels, uitgaan of bedrijven komt "
        "ook door bezoekers die er niet wonen."
    )


def gemeente_rate(crime, population, gemeente: str, peiljaar: int, rate_unit: int = 1000):
    """The gemeente's total crime rate in the peiljaar (the reference line), or None."""
    total = crime[
        (crime["area_code"] == gemeente)
        & (crime["crime_code"] == TOTAL)
        & (crime["year"] == peiljaar)
    ]["registered"].dropna()
    if total.empty or population is None:
        return None
    pop = population[(population["area_code"] == gemeente) & (population["year"] == peiljaar)]
    pop = pop["inhabitants"].dropna()
    if pop.empty:
        return None
    return stats.rate_ci(float(total.iloc[0]), float(pop.iloc[0]), rate_unit).rate


def profile_alt(
    profiles: pd.DataFrame, name: str, peiljaar: int, unit_label: str, reference
) -> str:
    """Alt text of the wijk bar chart: highest and lowest wijk rate and the gemeente's."""
    shown = profiles[profiles["rate"].notna()]
    text = (
        f"Staafdiagram van geregistreerde misdrijven {unit_label} per wijk van {name} in "
        f"{peiljaar}, met 95%-betrouwbaarheidsintervallen"
    )
    if reference is not None:
        text += f" en een lijn voor de hele gemeente ({format_number(reference, 1)})"
    if len(shown):
        rates = shown["rate"].astype(float)
        hi, lo = shown.loc[rates.idxmax()], shown.loc[rates.idxmin()]
        text += (
            f". Hoogste: {hi['area_name']} ({format_number(hi['rate'], 1)}); laagste: "
            f"{lo['area_name']} ({format_number(lo['rate'], 1)})"
        )
    return text + "."


def wijk_trends(
    crime: pd.DataFrame,
    population: pd.DataFrame | None,
    gemeente: str,
    peiljaar: int,
    rate_unit: int = 1000,
) -> pd.DataFrame:
    """Total crime rate per wijk and year up to the peiljaar, for the small multiples.

    Columns: area_code, area_name, year, rate. A year whose count is not published, below the
    threshold, or whose wijk has fewer than ``MIN_POPULATION`` inhabitants has no rate (a gap in
    the line, never 0).
    """
    rows = crime[
        (crime["gemeente_code"] == gemeente)
        & (crime["area_level"] == "wijk")
        & (crime["crime_code"] == TOTAL)
        & (crime["year"] <= peiljaar)
    ][["area_code", "area_name", "year", "registered"]]
    if rows.empty or population is None:
        return pd.DataFrame(columns=["area_code", "area_name", "year", "rate"])
    pop = population[["area_code", "year", "inhabitants"]].drop_duplicates(["area_code", "year"])
    out = rows.merge(pop, on=["area_code", "year"], how="left")
    count = out["registered"].astype("Float64")
    inhabitants = out["inhabitants"].astype("Float64")
    usable = (count >= THRESHOLD) & (inhabitants >= MIN_POPULATION)
    out["rate"] = (count / inhabitants * rate_unit).where(usable.fillna(False))
    out["area_code"] = out["area_code"].astype(str)
    out["area_name"] = out["area_name"].astype(str)
    # the wijk's name as it is now (names can change with a new indeling)
    latest = out.sort_values("year").groupby("area_code")["area_name"].last()
    out["area_name"] = out["area_code"].map(latest)
    return out[["area_code", "area_name", "year", "rate"]].sort_values(
        ["area_code", "year"], ignore_index=True
    )


def wijk_small_multiples(
    trends: pd.DataFrame,
    reference: pd.DataFrame | None,
    *,
    title: str,
    source: str,
    ncols: int = 5,
):
    """One small panel per wijk: its rate per year, the gemeente's as a grey line, same y-axis.

    ``reference`` has columns year and rate (the gemeente); panels share the y-axis so the wijken
    can be compared at a glance.
    """
    import math

    from matplotlib.ticker import FuncFormatter

    codes = list(dict.fromkeys(trends["area_code"]))
    nrows = max(1, math.ceil(len(codes) / ncols))
    fig, axes = plots.new_figure(
        nrows, ncols, figsize=(10, 1.9 * nrows + 0.9), dpi=plots.DPI, sharex=True, sharey=True
    )
    axes = list(getattr(axes, "flat", [axes]))
    for ax, code in zip(axes, codes, strict=False):
        part = trends[trends["area_code"] == code]
        if reference is not None and len(reference):
            ax.plot(
                reference["year"],
                reference["rate"].astype(float),
                color="#999999",
                linewidth=1,
                label="gemeente",
            )
        ax.plot(
            part["year"],
            part["rate"].astype("Float64").astype(float),
            color=plots.OKABE_ITO[0],
            marker="o",
            markersize=2.5,
            linewidth=1.5,
        )
        ax.set_title(str(part["area_name"].iloc[0]), fontsize=8, loc="left")
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: str(int(v))))
    for ax in axes[len(codes) :]:
        ax.set_axis_off()
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    fig.text(
        0.01,
        0.01,
        f"Bron: {source}. Grijze lijn: de hele gemeente.",
        fontsize=8,
        color="#333333",
        ha="left",
        va="bottom",
    )
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return fig


def trends_alt(trends: pd.DataFrame, name: str, peiljaar: int, unit_label: str) -> str:
    """Alt text of the small multiples: the range of the wijk rates in the first and last year."""
    shown = trends.dropna(subset=["rate"])
    if shown.empty:
        return f"Kleine grafieken per wijk van {name}: geen cijfers per inwoner beschikbaar."
    first_year = int(shown["year"].min())
    parts = []
    for year in (first_year, peiljaar):
        rows = shown[shown["year"] == year]
        if rows.empty:
            continue
        rates = rows["rate"].astype(float)
        hi, lo = rows.loc[rates.idxmax()], rows.loc[rates.idxmin()]
        parts.append(
            f"in {year} van {format_number(lo['rate'], 1)} ({lo['area_name']}) tot "
            f"{format_number(hi['rate'], 1)} ({hi['area_name']})"
        )
    return (
        f"Kleine lijngrafieken, één per wijk van {name}, met geregistreerde misdrijven "
        f"{unit_label} per jaar tot en met {peiljaar} en de hele gemeente als grijze lijn; "
        + "; ".join(parts)
        + "."
    )
