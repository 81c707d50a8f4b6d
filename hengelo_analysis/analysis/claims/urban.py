"""C12: "sinds 2012 veel ongevallen op de weg — dat is een stedelijk verschijnsel".

Rules (docs/methodology.md, "Nieuwe uitspraken C12-C16"):

- the level is compared as a **year-adjusted rate ratio**: one quasi-Poisson GLM over the years
  since ``since`` with a factor per year, an area indicator and the inhabitants offset
  (``log E[y] = year_t + b·area + log inh``); ``exp(b)`` is the ratio, its interval from Student's
  t on the residual df with the Pearson dispersion (floored at 1), so year-to-year noise widens it;
- "veel ongevallen": the gemeente's 1.3.1 rate lies significantly above Nederland's;
- "stedelijk verschijnsel": gemeenten of the same stedelijkheid (pooled, the gemeente left out)
  lie significantly above Nederland too, **and** the gemeente's rate is equivalent to theirs
  (90% interval of the ratio inside ``1/(1+m)``–``(1+m)``, TOST, margin in the claim file);
- *supported* only when all three hold, and, where the BRON accidents table covers the gemeente
  and the group, the same holds on BRON; *contradicted* when the urban gemeenten lie significantly
  *below* Nederland, or the gemeente lies above them by more than the margin (95% interval
  entirely beyond it): then the level is not urban; otherwise *not_supported*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.model import (
    CONTRADICTED,
    NOT_SUPPORTED,
    SUPPORTED,
    Claim,
    Context,
    rounded,
)
from hengelo_analysis.analysis.claims.series import crime_series, population_series
from hengelo_analysis.analysis.equivalence import tost
from hengelo_analysis.analysis.glm import fit_poisson, scale_from, t_inference
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import NL_CODE
from hengelo_analysis.formatting import format_number

MIN_YEARS = 3


@dataclass(frozen=True)
class RateRatio:
    """Year-adjusted rate ratio of area A to area B (quasi-Poisson, t)."""

    ratio: float
    lower95: float
    upper95: float
    p_value: float  # two-sided, ratio 1
    log_ratio: float
    se: float
    df: int
    dispersion: float
    first_year: int
    last_year: int

    def above(self) -> bool:
        return self.lower95 > 1

    def below(self) -> bool:
        return self.upper95 < 1

    def as_dict(self) -> dict:
        return {
            "ratio": rounded(self.ratio),
            "ci_laag": rounded(self.lower95),
            "ci_hoog": rounded(self.upper95),
            "p": rounded(self.p_value, 6),
            "df": self.df,
            "dispersie": rounded(self.dispersion),
            "jaren": f"{self.first_year}-{self.last_year}",
        }


def rate_ratio(
    a_counts: pd.Series, a_inh: pd.Series, b_counts: pd.Series, b_inh: pd.Series
) -> RateRatio:
    """Rate ratio A/B over the years all four series have, adjusted for the year."""
    frame = pd.concat(
        [a_counts.rename("ca"), a_inh.rename("ea"), b_counts.rename("cb"), b_inh.rename("eb")],
        axis=1,
        join="inner",
    ).dropna()
    frame = frame[(frame["ea"] > 0) & (frame["eb"] > 0)]
    n = len(frame)
    if n < MIN_YEARS:
        raise InsufficientData(f"te weinig jaren voor een vergelijking ({n} < {MIN_YEARS})")
    counts = np.concatenate([frame["cb"], frame["ca"]]).astype(float)
    exposure = np.concatenate([frame["eb"], frame["ea"]]).astype(float)
    year_dummies = np.vstack([np.eye(n), np.eye(n)])
    area = np.repeat([0.0, 1.0], n)[:, None]
    fit = fit_poisson(counts, np.hstack([year_dummies, area]), exposure)
    dispersion, scale = scale_from(fit.pearson_chi2, fit.df_resid, True)
    b = float(fit.params[-1])
    se = math.sqrt(float(fit.cov[-1, -1]) * scale)
    p, lo, hi = t_inference(b, se, fit.df_resid, 0.95)
    years = frame.index.astype(int)
    return RateRatio(
        math.exp(b), math.exp(lo), math.exp(hi), p, b, se, fit.df_resid, dispersion,
        int(years.min()), int(years.max()),
    )  # fmt: skip


def urban_group(ctx: Context, year: int | None = None) -> tuple[int, list[str]]:
    """``(klasse, gemeenten)``: all gemeenten of the gemeente's stedelijkheid, itself left out."""
    population = ctx.table("population")
    rows = population[
        (population["area_level"] == "gemeente") & (population["year"] <= ctx.peiljaar)
    ]
    own = rows[(rows["area_code"] == ctx.gemeente) & rows["stedelijkheid"].notna()]
    if own.empty:
        raise InsufficientData(f"stedelijkheid van {ctx.gemeente} ontbreekt")
    year = int(own["year"].max()) if year is None else year
    klasse = int(own[own["year"] == year]["stedelijkheid"].iloc[0])
    same = rows[(rows["year"] == year) & (rows["stedelijkheid"] == klasse)]
    return klasse, sorted(c for c in same["area_code"].unique() if c != ctx.gemeente)


def _group_series(ctx: Context, group: list[str], code: str, since: int):
    """The group's summed counts and inhabitants, over the members published in every year."""
    crime = ctx.table("crime")
    rows = crime[(crime["crime_code"] == code) & crime["year"].between(since, ctx.peiljaar)]
    published = (
        rows[rows["area_code"].isin(group)]
        .groupby("area_code", observed=True)["registered"]
        .count()
    )
    years = rows["year"].nunique()
    members = sorted(published[published == years].index)
    population = population_series(ctx, members) if members else None
    if not members or population is None:
        raise InsufficientData("geen gemeenten van dezelfde stedelijkheid met cijfers")
    return crime_series(ctx, members, [code]), population, members


def _bron_check(ctx: Context, members: list[str], since: int, margin: float):
    """The same three tests on BRON accidents, when supplied for the gemeente and the group."""
    accidents = ctx.tables.get("accidents")
    if accidents is None:
        return None, "niet aangeleverd"
    rows = accidents[accidents["year"].between(since, ctx.peiljaar)]
    totals = rows.groupby(["area_code", "year"])["accidents"].sum(min_count=1)
    areas = set(totals.index.get_level_values(0))
    present = [m for m in members if m in areas]
    if ctx.gemeente not in areas or len(present) < max(3, len(members) // 2):
        return None, "niet gebruikt, zonder genoeg gemeenten van dezelfde stedelijkheid"
    own = totals[ctx.gemeente].astype(float)
    group = totals.loc[present].groupby("year").sum().astype(float)
    own_inh, group_inh = population_series(ctx, [ctx.gemeente]), population_series(ctx, present)
    if own_inh is None or group_inh is None:
        return None, "niet gebruikt, inwonertal ontbreekt"
    ratio = rate_ratio(own, own_inh, group, group_inh)
    eq = tost(ratio.log_ratio, ratio.se, -math.log1p(margin), math.log1p(margin), df=ratio.df)
    return eq.equivalent, {
        "gemeente_tegen_stedelijk": ratio.as_dict(),
        "gelijkwaardig": eq.equivalent,
    }


def _gap_text(own_grp: RateRatio, margin: float, equivalent: bool) -> str:
    if equivalent:
        return " (gelijkwaardig)"
    if own_grp.lower95 > 1 + margin:
        return " (hoger dan die gemeenten, meer dan de marge)"
    if own_grp.upper95 < 1 / (1 + margin):
        return " (lager dan die gemeenten, meer dan de marge)"
    return " (niet aantoonbaar gelijkwaardig)"


def eval_urban_accidents(claim: Claim, ctx: Context):
    """C12: many road accidents (1.3.1) since 2012, and as many as in gemeenten this urban."""
    code, since, margin = (
        claim.params["code"],
        int(claim.params["since"]),
        float(claim.params["margin"]),
    )
    own_c = crime_series(ctx, [ctx.gemeente], [code])
    own_c = own_c[own_c.index >= since]
    own_p = population_series(ctx, [ctx.gemeente])
    nl_c = crime_series(ctx, [NL_CODE], [code])
    nl_p = population_series(ctx, [NL_CODE])
    if own_p is None or nl_p is None:
        raise InsufficientData("inwonertal van de gemeente of Nederland ontbreekt")
    klasse, group = urban_group(ctx)
    grp_c, grp_p, members = _group_series(ctx, group, code, since)
    own_nl = rate_ratio(own_c, own_p, nl_c[nl_c.index >= since], nl_p)
    grp_nl = rate_ratio(grp_c, grp_p, nl_c[nl_c.index >= since], nl_p)
    own_grp = rate_ratio(own_c, own_p, grp_c, grp_p)
    bounds = (-math.log1p(margin), math.log1p(margin))
    eq = tost(own_grp.log_ratio, own_grp.se, *bounds, df=own_grp.df)
    bron_ok, bron = _bron_check(ctx, members, since, margin)
    beyond = own_grp.lower95 > 1 + margin or own_grp.upper95 < 1 / (1 + margin)
    if own_nl.above() and grp_nl.above() and eq.equivalent and bron_ok in (True, None):
        verdict = SUPPORTED
    elif grp_nl.below() or beyond:
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    evidence = {
        "regel": "ondersteund als de gemeente én de gemeenten met dezelfde stedelijkheid "
        "significant boven Nederland liggen en de gemeente gelijkwaardig is aan die groep "
        "(90%-BI van de verhouding binnen de marge)",
        "stedelijkheid": klasse,
        "stedelijke_gemeenten": members,
        "gemeente_tegen_nl": own_nl.as_dict(),
        "stedelijk_tegen_nl": grp_nl.as_dict(),
        "gemeente_tegen_stedelijk": own_grp.as_dict()
        | {"ci90": [rounded(math.exp(eq.ci_lower)), rounded(math.exp(eq.ci_upper))]},
        "marge": margin,
        "bron": bron,
    }

    def ratio_text(r: RateRatio) -> str:
        return (
            f"{format_number(r.ratio, 2)} keer (95%-BI {format_number(r.lower95, 2)}-"
            f"{format_number(r.upper95, 2)})"
        )

    detail = (
        f"verkeersongevallen ({code}, {own_nl.first_year}-{own_nl.last_year}) per inwoner, "
        f"tegen het landelijke niveau: de gemeente {ratio_text(own_nl)}, de {len(members)} "
        f"gemeenten met dezelfde stedelijkheid ({klasse}) {ratio_text(grp_nl)}; de gemeente "
        f"tegen die gemeenten {ratio_text(own_grp)}, marge ±{format_number(100 * margin)}%"
        f"{_gap_text(own_grp, margin, eq.equivalent)}"
        + (f"; BRON: {bron}" if isinstance(bron, str) else "")
    )
    name = ctx.area_name()
    if eq.equivalent:
        # equivalence shows the gap is within the margin, not that there is none (10% above with
        # a 15% margin is equivalent): say the margin
        gap = (
            f"{name} ligt dicht bij die gemeenten (minder dan {plain.margin_text(100 * margin)}% "
            "verschil)"
        )
    elif own_grp.lower95 > 1 + margin:
        gap = f"{name} ligt ruim boven die gemeenten"
    elif own_grp.upper95 < 1 / (1 + margin):
        gap = f"{name} ligt ruim onder die gemeenten"
    else:
        gap = f"of {name} op het niveau van die gemeenten ligt, is niet zeker"
    summary = plain.sentence(
        f"{name} had van {own_nl.first_year} tot {own_nl.last_year} per inwoner "
        f"{format_number(own_nl.ratio, 2)} keer zoveel verkeersongevallen als gemiddeld in "
        f"Nederland; gemeenten die even stedelijk zijn, hadden {format_number(grp_nl.ratio, 2)} "
        "keer zoveel",
        f"; {gap}",
    )
    return (
        verdict,
        evidence,
        detail,
        "quasi-Poisson-verhouding met jaareffecten (t); TOST",
        summary,
    )
