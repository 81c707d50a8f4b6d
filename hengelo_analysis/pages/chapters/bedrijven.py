"""05 Bedrijven: theft and burglary at businesses (2.5.1, C8) and shoplifting vs peers (2.5.2, C9).

The peer comparison is a funnel plot, not a league table: every comparable gemeente is a point at
its number of inhabitants, and the 95% and 99,8% control limits around the peer group's rate show
which differences are larger than chance. The peer group, the years and the centre line are those
of claim C9 as the findings stage judged it (its parameters come from the findings document), so
the figure and the verdict agree.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hengelo_analysis.analysis import claims, funnel, peers
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import plots
from hengelo_analysis.pages.tables import Table, html_table

BUSINESS_CODE = "2.5.1"
SHOPLIFTING_CODE = "2.5.2"


@dataclass(frozen=True)
class Funnel:
    """Everything the funnel plot and its table need, for one year."""

    year: int
    group_year: int
    points: (
        pd.DataFrame
    )  # area_code, area_name, inhabitants, registered, rate, is_gemeente, position
    centre: float  # the peer group's pooled rate (the gemeente itself not included)
    limits_x: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    adjustment: str = "none"  # C9's widening for overdispersion: none / multiplicative / additive
    dispersion: funnel.PeerDispersion | None = None  # the peers' spread, as C9 estimated it


def peer_funnel(
    ctx: claims.Context, params: dict, code: str = SHOPLIFTING_CODE, grid: int = 200
) -> Funnel:
    """The funnel of ``code`` in the peiljaar: the gemeente and its peers (C9's group).

    ``params`` are the parameters claim C9 was judged with (band, minimum peers; from the
    findings document: ``common.claim_params(uitkomsten, "C9")``), so figure and verdict agree.

    Raises
    ------
    InsufficientData
        when inhabitants, stedelijkheid or the counts are missing, or fewer peers than C9 needs.
    """
    population = ctx.table("population")
    crime = ctx.table("crime")
    group_year, group = peers.peer_group_for_peiljaar(
        population, ctx.gemeente, ctx.peiljaar, params["band"]
    )
    year = ctx.peiljaar
    counts = crime[
        crime["area_code"].isin([*group, ctx.gemeente])
        & (crime["crime_code"] == code)
        & (crime["year"] == year)
    ].dropna(subset=["registered"])
    pop = population[
        population["area_code"].isin(counts["area_code"]) & (population["year"] == year)
    ].dropna(subset=["inhabitants"])
    points = counts[["area_code", "area_name", "registered"]].merge(
        pop[["area_code", "inhabitants"]], on="area_code"
    )
    points["area_code"] = points["area_code"].astype(str)
    points["area_name"] = points["area_name"].astype(str)
    points["is_gemeente"] = points["area_code"] == ctx.gemeente
    if not points["is_gemeente"].any():
        raise InsufficientData(f"{code} of inwonertal van {ctx.gemeente} ontbreekt voor {year}")
    peer_points = points[~points["is_gemeente"]]
    if len(peer_points) < params["min_peers"]:
        raise InsufficientData(f"te weinig vergelijkbare gemeenten met cijfers in {year}")
    centre = (
        float(peer_points["registered"].sum())
        / float(peer_points["inhabitants"].sum())
        * ctx.rate_unit
    )
    points["rate"] = points["registered"].astype(float) / points["inhabitants"].astype(float)
    points["rate"] *= ctx.rate_unit
    dispersion, adjustment = _dispersion(peer_points, centre, ctx.rate_unit, params)
    widened = {"dispersion": dispersion, "adjustment": adjustment}
    points["position"] = [
        position(r, funnel.rate_limits(centre, n, ctx.rate_unit, **widened))
        for r, n in zip(points["rate"], points["inhabitants"], strict=True)
    ]
    n_min = float(points["inhabitants"].min()) * 0.8
    n_max = float(points["inhabitants"].max()) * 1.2
    xs = np.linspace(n_min, n_max, grid)
    limits = [funnel.rate_limits(centre, x, ctx.rate_unit, **widened) for x in xs]
    return Funnel(
        year,
        group_year,
        points.sort_values("inhabitants", ignore_index=True),
        centre,
        xs,
        np.array([lim[0.95][0] for lim in limits]),
        np.array([lim[0.95][1] for lim in limits]),
        np.array([lim[0.998][0] for lim in limits]),
        np.array([lim[0.998][1] for lim in limits]),
        adjustment,
        dispersion,
    )


def _dispersion(peer_points: pd.DataFrame, centre: float, unit: int, params: dict):
    """The peers' dispersion and the widening C9 applies (its rule: widen only when overdispersed).

    Same estimate as the C9 evaluator (``funnel.peer_dispersion`` of the peers around their
    pooled rate), so the limits drawn are the limits the verdict used.
    """
    try:
        dispersion = funnel.peer_dispersion(
            peer_points["registered"], peer_points["inhabitants"], centre, unit=unit
        )
    except InsufficientData:
        return None, "none"
    if not dispersion.overdispersed:
        return dispersion, "none"
    return dispersion, params["overdispersion_adjustment"]


def limits_note(f: Funnel) -> str:
    """What the drawn limits are: plain Poisson, or widened for the peers' spread (and why)."""
    if f.adjustment == "none":
        if f.dispersion is None:
            return "grenzen voor toeval alleen (te weinig gemeenten om hun spreiding te schatten)"
        return "grenzen voor toeval alleen (de gemeenten verschillen onderling niet meer dan dat)"
    return (
        "grenzen verbreed, omdat de vergelijkbare gemeenten onderling meer verschillen dan "
        "toeval (zoals bij het oordeel over uitspraak C9)"
    )


def position(rate: float, limits: dict) -> str:
    """Where a rate lies relative to the funnel limits, in words."""
    lo95, hi95 = limits[0.95]
    lo998, hi998 = limits[0.998]
    if rate > hi998:
        return "boven de 99,8%-grens"
    if rate > hi95:
        return "boven de 95%-grens"
    if rate < lo998:
        return "onder de 99,8%-grens"
    if rate < lo95:
        return "onder de 95%-grens"
    return "binnen de grenzen"


def funnel_figure(funnel: Funnel, name: str, unit_label: str, source: str):
    """The funnel plot with the gemeente highlighted (plots.funnel_plot draws it)."""
    pts = funnel.points
    return funnel_plot(
        pts["inhabitants"],
        pts["rate"],
        [name if g else n for g, n in zip(pts["is_gemeente"], pts["area_name"], strict=True)],
        limits_x=funnel.limits_x,
        centre=funnel.centre,
        lower_95=funnel.lower_95,
        upper_95=funnel.upper_95,
        lower_998=funnel.lower_998,
        upper_998=funnel.upper_998,
        highlight=name,
        title=f"Winkeldiefstal {unit_label}, {funnel.year}",
        xlabel="inwoners",
        ylabel=f"winkeldiefstallen {unit_label}",
        source=source,
        decimals=2,
        note=limits_note(funnel),
    )


def funnel_plot(
    expected,
    rates,
    labels,
    *,
    limits_x,
    centre: float,
    lower_95,
    upper_95,
    lower_998,
    upper_998,
    highlight: str,
    title: str,
    xlabel: str,
    ylabel: str,
    source: str,
    decimals: int = 1,
    note: str = "",
):
    """Funnel plot: ``rates`` against ``expected`` (inhabitants or expected count) per area.

    The control limits are computed elsewhere (statistics module) and passed in as arrays over
    ``limits_x``; this function only draws. The area named ``highlight`` is marked and labelled;
    ``note`` (e.g. how the limits were widened) is written in the top right corner.
    """
    xs = np.asarray(expected, dtype=float)
    ys = np.asarray(pd.Series(rates).astype("Float64").astype(float), dtype=float)
    names = [str(n) for n in labels]
    fig, ax = plots.new_figure(figsize=(8, 4.5), dpi=plots.DPI)
    lx = np.asarray(limits_x, dtype=float)
    ax.plot(
        lx,
        np.asarray(upper_998, float),
        color="#555555",
        linestyle="--",
        linewidth=1,
        label="99,8%-grens",
    )
    ax.plot(lx, np.asarray(lower_998, float), color="#555555", linestyle="--", linewidth=1)
    ax.plot(
        lx,
        np.asarray(upper_95, float),
        color="#555555",
        linestyle=":",
        linewidth=1.2,
        label="95%-grens",
    )
    ax.plot(lx, np.asarray(lower_95, float), color="#555555", linestyle=":", linewidth=1.2)
    ax.axhline(
        centre,
        color="#000000",
        linewidth=1,
        label=f"gemiddelde ({format_number(centre, decimals)})",
    )
    others = np.array([n != highlight for n in names])
    ax.scatter(
        xs[others],
        ys[others],
        color=plots.OKABE_ITO[0],
        s=25,
        label="vergelijkbare gemeenten",
        zorder=3,
    )
    if (~others).any():
        ax.scatter(
            xs[~others],
            ys[~others],
            color=plots.OKABE_ITO[5],
            marker="D",
            s=60,
            zorder=4,
            edgecolor="#000000",
            label=highlight,
        )
        for x, y in zip(xs[~others], ys[~others], strict=True):
            ax.annotate(
                highlight,
                (x, y),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=9,
                fontweight="bold",
            )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    plots.dutch_axis(ax)
    plots.dutch_xaxis(ax)
    # the note heads the legend: in the corner of the axes it ran over the upper limit lines
    title_text = textwrap.fill(note, 60) if note else None
    plots.legend_below(ax, 3, title=title_text, alignment="left", title_fontsize=8)
    plots.finish(fig, ax, title, source)
    return fig


def funnel_alt(funnel: Funnel, name: str, unit_label: str) -> str:
    """Alt text with the gemeente's rate, the peer rate and where the gemeente lies."""
    own = funnel.points[funnel.points["is_gemeente"]].iloc[0]
    return (
        f"Funnelplot van winkeldiefstal {unit_label} in {funnel.year} tegen het aantal inwoners, "
        f"voor {name} en {len(funnel.points) - 1} vergelijkbare gemeenten. {name}: "
        f"{format_number(own['rate'], 2)}; gemiddelde van de vergelijkbare gemeenten: "
        f"{format_number(funnel.centre, 2)}; {name} ligt {own['position']}. "
        f"{limits_note(funnel).capitalize()}."
    )


def funnel_table(funnel: Funnel, name: str, unit_label: str) -> pd.DataFrame:
    """The funnel's points as a table, ordered by inhabitants (not ranked by rate)."""
    pts = funnel.points
    return pd.DataFrame(
        {
            "Gemeente": [
                f"{name} (deze gemeente)" if g else n
                for g, n in zip(pts["is_gemeente"], pts["area_name"], strict=True)
            ],
            "Inwoners": pts["inhabitants"].astype("Int64"),
            "Winkeldiefstallen": pts["registered"].astype("Int64"),
            unit_label.capitalize(): pts["rate"].astype("Float64"),
            "Ligging in de funnel": pts["position"],
        }
    )


def c9_years_table(finding: claims.Finding) -> pd.DataFrame:
    """C9's evidence per year (gemeente vs peers, 95% limits), from the finding itself."""
    per_year = finding.evidence.get("per_jaar") or {}
    rows = [
        {
            "Jaar": int(y),
            "Gemeente": v["gemeente"],
            "Vergelijkbare gemeenten": v["peers"],
            "95%-grens laag": v["grens_95"][0],
            "95%-grens hoog": v["grens_95"][1],
            "Aantal vergelijkbare gemeenten": v["aantal_peers"],
        }
        for y, v in sorted(per_year.items())
    ]
    out = pd.DataFrame(rows)
    if not out.empty:
        out["Aantal vergelijkbare gemeenten"] = out["Aantal vergelijkbare gemeenten"].astype(
            "Int64"
        )
    return out


def own_rate(funnel: Funnel) -> float:
    """The gemeente's own shoplifting rate in the funnel (its highlighted point)."""
    return funnel.points.loc[funnel.points["is_gemeente"], "rate"].iloc[0]


def c9_years_display(finding: claims.Finding, caption: str) -> Table | None:
    """:func:`c9_years_table` as an HTML table (rates with 2 decimals), None without years."""
    per_year = c9_years_table(finding)
    if not len(per_year):
        return None
    rates = per_year.columns[1:5]  # gemeente, centre and the two limits (c9_years_table's order)
    return html_table(per_year, caption, formats=dict.fromkeys(rates, 2))
