"""09 Wijken en buurten: maps per buurt and a profile per wijk.

Suppress before you show: buurt counts go through :func:`hengelo_analysis.indicators.buurt_table`
(small counts ``<5`` with secondary suppression within each wijk, rates hidden for hidden counts
and for buurten with fewer than 100 inhabitants). A buurt with very few inhabitants (a
bedrijventerrein, a park) would otherwise show an extreme rate: crimes there are committed against
businesses and visitors, not residents (the BOCSAR denominator caution), so its rate is drawn as
"cijfer niet getoond" rather than as a colour.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hengelo_analysis import disclosure, indicators, plots, stats
from hengelo_analysis.formatting import format_number
from hengelo_analysis.processed import processed_dir

TOTAL = "0.0.0"
BURGLARY = "1.1.1"
MIN_POPULATION = disclosure.DEFAULT_MIN_POPULATION
THRESHOLD = disclosure.DEFAULT_THRESHOLD
SMALL_HATCH = "..."
SMALL_LABEL = f"cijfer niet getoond (< {MIN_POPULATION} inwoners)"


def load_areas(data_dir: str | Path, source: str):
    """The ``areas`` GeoPackage as a GeoDataFrame, or None when it was not built."""
    import geopandas as gpd

    path = processed_dir(data_dir, source) / "areas.gpkg"
    if not path.exists():
        return None
    return gpd.read_file(path)


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


def map_frame(areas, table: pd.DataFrame, gemeente: str):
    """The gemeente's buurt polygons with value, suppressed and small flags for the map.

    Every buurt polygon is kept (left join): a buurt without crime rows is "niet gepubliceerd".
    Returns None when the areas hold no buurten of the gemeente.
    """
    if areas is None:
        return None
    buurten = areas[
        (areas["area_level"] == "buurt") & areas["area_code"].str.startswith("BU" + gemeente[2:])
    ]
    if buurten.empty:
        return None
    cols = ["area_code", "registered", "status", "shown", "inhabitants", "rate", "rate_status"]
    present = [c for c in cols if c in table.columns]
    frame = buurten[["area_code", "area_name", "geometry"]].merge(
        table[present], on="area_code", how="left"
    )
    frame["suppressed"] = frame["status"].isin(disclosure.HIDDEN)
    frame["small"] = frame["rate_status"].eq("te_weinig_inwoners") & ~frame["suppressed"]
    frame["value"] = frame["rate"].astype("Float64").where(~frame["small"] & ~frame["suppressed"])
    return frame.sort_values("area_code", ignore_index=True)


def buurt_map(frame, *, title: str, legend_title: str, source: str, decimals: int = 1):
    """Choropleth of ``frame.value``; suppressed buurten hatched, small buurten dotted.

    ``plots.choropleth`` draws the classes, the suppressed (``xxx``) and the not published
    (``///``) buurten, and the buurten whose rate is not shown for too few inhabitants with their
    own hatch and legend entry, so they are never read as a class or as 0.
    """
    return plots.choropleth(
        frame,
        frame["value"],
        title=title,
        legend_title=legend_title,
        source=source,
        suppressed=frame["suppressed"],
        extra_hatched=[(frame["small"], SMALL_HATCH, SMALL_LABEL)],
        decimals=decimals,
    )


def map_counts(frame) -> dict:
    """How many buurten are coloured, suppressed, small or not published."""
    shown = frame["value"].notna()
    return {
        "buurten": len(frame),
        "getoond": int(shown.sum()),
        "onderdrukt": int(frame["suppressed"].sum()),
        "klein": int(frame["small"].sum()),
        "niet_gepubliceerd": int((~shown & ~frame["suppressed"] & ~frame["small"]).sum()),
    }


def map_alt(frame, what: str, name: str, peiljaar: int, unit_label: str) -> str:
    """Alt text: what the map shows, the range of the coloured rates and the hatched buurten."""
    n = map_counts(frame)
    shown = frame[frame["value"].notna()]
    text = f"Kaart van de {n['buurten']} buurten van {name} met {what} {unit_label} in {peiljaar}. "
    if len(shown):
        top = shown.loc[shown["value"].astype(float).idxmax()]
        low = shown.loc[shown["value"].astype(float).idxmin()]
        text += (
            f"{n['getoond']} buurten ingekleurd, van {format_number(low['value'], 1)} "
            f"({low['area_name']}) tot {format_number(top['value'], 1)} ({top['area_name']}). "
        )
    else:
        text += "Geen buurt ingekleurd. "
    text += (
        f"Gearceerd: {n['onderdrukt']} buurten met een afgeschermd klein aantal, {n['klein']} met "
        f"minder dan {MIN_POPULATION} inwoners (cijfer niet getoond), "
        f"{n['niet_gepubliceerd']} niet gepubliceerd."
    )
    return text


def buurt_display_table(frame, rate_unit_text: str) -> pd.DataFrame:
    """The buurten as a table: count as shown (``<5``, ``x``, ``n.b.``) and rate or why not."""
    reasons = {
        "te_weinig_inwoners": f"niet getoond (< {MIN_POPULATION} inwoners)",
        "aantal_afgeschermd": "afgeschermd",
        "niet_gepubliceerd": "n.b.",
    }
    rate_text = [
        format_number(v, 1) if pd.notna(v) else reasons.get(s, "n.b.")
        for v, s in zip(frame["rate"], frame["rate_status"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Buurt": frame["area_name"].astype(str),
            "Code": frame["area_code"].astype(str),
            "Inwoners": frame["inhabitants"].astype("Int64"),
            "Geregistreerd": frame["shown"].fillna("n.b."),
            rate_unit_text.capitalize(): rate_text,
        }
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
            "Code": profiles["area_code"],
            "Inwoners": profiles["inhabitants"].astype("Int64"),
            "Geregistreerde misdrijven": profiles["shown"],
            rate_unit_text.capitalize(): profiles["rate"].astype("Float64"),
            "95%-BI laag": profiles["lower"].astype("Float64"),
            "95%-BI hoog": profiles["upper"].astype("Float64"),
            "Meest geregistreerd": profiles["top"],
        }
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

    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    codes = list(dict.fromkeys(trends["area_code"]))
    nrows = max(1, math.ceil(len(codes) / ncols))
    fig, axes = plt.subplots(
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
        return f"Kleine grafieken per wijk van {name}: geen cijfers per inwoners beschikbaar."
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
