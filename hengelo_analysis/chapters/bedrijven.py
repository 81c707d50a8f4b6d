"""05 Bedrijven: theft and burglary at businesses (2.5.1, C8) and shoplifting vs peers (2.5.2, C9).

The peer comparison is a funnel plot, not a league table: every comparable gemeente is a point at
its number of inhabitants, and the 95% and 99,8% control limits around the peer group's rate show
which differences are larger than chance. The peer group, the years and the centre line are those
of claim C9 (:func:`hengelo_analysis.findings.eval_below_peers`), so the figure and the verdict
agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hengelo_analysis import findings, peers, plots, stats
from hengelo_analysis.formatting import format_number
from hengelo_analysis.stats import InsufficientData

BUSINESS_CODE = "2.5.1"
SHOPLIFTING_CODE = "2.5.2"


def c9_params() -> dict:
    """The parameters of claim C9 (band, years, minimum peers), from the claim itself."""
    return dict(next(c for c in findings.CLAIMS if c.id == "C9").params)


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


def peer_funnel(ctx: findings.Context, code: str = SHOPLIFTING_CODE, grid: int = 200) -> Funnel:
    """The funnel of ``code`` in the peiljaar: the gemeente and its peers (C9's group).

    Raises
    ------
    InsufficientData
        when inhabitants, stedelijkheid or the counts are missing, or fewer peers than C9 needs.
    """
    params = c9_params()
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
    points["position"] = [
        position(r, stats.funnel_limits(centre, n, ctx.rate_unit))
        for r, n in zip(points["rate"], points["inhabitants"], strict=True)
    ]
    n_min = float(points["inhabitants"].min()) * 0.8
    n_max = float(points["inhabitants"].max()) * 1.2
    xs = np.linspace(n_min, n_max, grid)
    limits = [stats.funnel_limits(centre, x, ctx.rate_unit) for x in xs]
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
    return plots.funnel_plot(
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
    )


def funnel_alt(funnel: Funnel, name: str, unit_label: str) -> str:
    """Alt text with the gemeente's rate, the peer rate and where the gemeente lies."""
    own = funnel.points[funnel.points["is_gemeente"]].iloc[0]
    return (
        f"Funnelplot van winkeldiefstal {unit_label} in {funnel.year} tegen het aantal inwoners, "
        f"voor {name} en {len(funnel.points) - 1} vergelijkbare gemeenten. {name}: "
        f"{format_number(own['rate'], 2)}; gemiddelde van de vergelijkbare gemeenten: "
        f"{format_number(funnel.centre, 2)}; {name} ligt {own['position']}."
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


def c9_years_table(finding: findings.Finding) -> pd.DataFrame:
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
