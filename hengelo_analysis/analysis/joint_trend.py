"""Does the gemeente follow the regional or national trend? A joint model with an equivalence margin.

"No significant difference" between two trends is not evidence that they are alike: a short, noisy
gemeente series differs significantly from nothing. The claim "volgt de landelijke trend" needs
two things shown (issue 12):

1. **similar slopes**: the gemeente's and the reference's log-slopes, from one Poisson GLM with
   an area × year interaction and ``log(inhabitants)`` offset
   (``log E[y] = a + b year + c gm + d gm·year [+ corona terms per area]``, so ``d`` is the slope
   difference), have a difference whose 90% interval lies inside ``±margin`` (TOST at 5%;
   Schuirmann 1987), the margin in % per year on the ratio scale ``100 (exp(d) - 1)``;
2. **a trend of its own**: the gemeente's slope is significant at 95% (t test) in the direction
   of the reference's slope, so a flat series does not "follow" a falling one.

**Dispersion.** ``dispersion="per_area"`` (default) estimates a quasi-Poisson dispersion for each
area from its own Pearson residuals; a single shared dispersion (``"shared"``, exactly R's
``glm(y ~ area * year + offset(log(inh)), family = quasipoisson)``) is dominated by the national
series, whose Pearson chi2 grows with its size, and would inflate the gemeente's interval many
times. With full area interactions the two areas' coefficients are separable, so per-area scales
are exact: ``Var(d) = phi_gm V_gm + phi_ref V_ref`` with Welch-Satterthwaite degrees of freedom.
Both are floored at 1 by default, as in :mod:`hengelo_analysis.analysis.glm`.

Only years in which both series are usable are compared, so both slopes cover the same window.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from hengelo_analysis.analysis.equivalence import tost
from hengelo_analysis.analysis.glm import (
    MIN_TREND_POINTS,
    CountSeries,
    clean_series,
    corona_mode,
    fit_poisson,
    pct,
    scale_from,
    t_inference,
)
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import CORONA_YEARS

DEFAULT_MARGIN_PCT = 2.0  # % per year: over a 10-year window about 20% apart at the end
DISPERSION_MODES = ("per_area", "shared")
FAILURES_NL = {
    "difference_outside_margin": "het verschil tussen de trends is niet aantoonbaar kleiner dan "
    "de marge",
    "own_trend_not_significant": "de gemeente heeft zelf geen significante trend",
    "own_trend_opposite_direction": "de trend van de gemeente gaat de andere kant op",
}


@dataclass(frozen=True)
class FollowsDecision:
    """Whether the gemeente follows the reference trend, and which condition failed if not."""

    follows: bool
    equivalent: bool  # 90% interval of the slope difference inside ±margin
    own_significant: bool  # gemeente slope significant at 95%
    same_direction: bool  # gemeente slope has the sign of the reference slope
    reference_significant: bool  # information only: the rule takes the reference's sign as is
    failed: tuple[str, ...]  # codes from FAILURES_NL, empty when ``follows``
    reasons_nl: tuple[str, ...]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class JointTrend:
    """Both slopes, their difference and the decision, for the evidence in findings.json.

    Slopes and the difference are in % per year; the difference is
    ``100 (exp(b_gm - b_ref) - 1)``, about the gemeente's % per year minus the reference's.
    """

    gemeente_pct: float
    gemeente_lower: float  # 95%
    gemeente_upper: float
    gemeente_p: float
    gemeente_df: float
    reference_pct: float
    reference_lower: float
    reference_upper: float
    reference_p: float
    reference_df: float
    difference_pct: float
    difference_lower90: float
    difference_upper90: float
    difference_lower95: float
    difference_upper95: float
    difference_p: float  # two-sided, equal slopes
    difference_df: float
    margin_pct: float
    p_tost: float
    dispersion_gemeente: float
    dispersion_reference: float
    dispersion_mode: str
    first_year: int
    last_year: int
    n_years: int
    corona: str
    decision: FollowsDecision
    method: str = (
        "gezamenlijk (quasi-)Poissonmodel met interactie gebied × jaar, "
        "equivalentietoets (TOST) op het verschil in trend"
    )

    @property
    def follows(self) -> bool:
        return self.decision.follows

    def as_dict(self) -> dict:
        return asdict(self)


def _satterthwaite(v1: float, df1: float, v2: float, df2: float) -> float:
    """Welch-Satterthwaite degrees of freedom of ``v1 + v2`` (two estimated variances)."""
    if v1 + v2 == 0:
        return float(df1 + df2)
    return (v1 + v2) ** 2 / (v1**2 / df1 + v2**2 / df2)


def joint_trend(
    gemeente: CountSeries,
    reference: CountSeries,
    *,
    margin_pct: float = DEFAULT_MARGIN_PCT,
    corona: str = "indicator",
    break_year: int | None = None,
    dispersion: str = "per_area",
    floor_dispersion: bool = True,
    min_points: int = MIN_TREND_POINTS,
) -> JointTrend:
    """Compare the gemeente's trend with a reference (Twente, Nederland) in one joint GLM.

    Parameters
    ----------
    gemeente, reference : yearly counts and inhabitants of each area
    margin_pct : equivalence margin for the slope difference, % per year on the ratio scale
    corona : as :func:`hengelo_analysis.analysis.glm.quasi_poisson_trend`; the indicator gets a
        term per area (the lockdown dip need not be the same size everywhere)
    break_year : registration break; only years from it on are used
    dispersion : ``"per_area"`` (default) or ``"shared"``, see the module docstring
    min_points : fewer common years raise :class:`InsufficientData`

    Returns the slopes, the difference with its 90% (TOST) and 95% intervals and a
    :class:`FollowsDecision`: ``follows`` only when the 90% interval lies inside ``±margin`` and
    the gemeente's own slope is significant in the reference's direction.
    """
    if dispersion not in DISPERSION_MODES:
        raise ValueError(f"dispersion must be one of {DISPERSION_MODES}, got {dispersion!r}")
    if not 0 < margin_pct < 100:
        raise ValueError(f"margin_pct must be between 0 and 100, got {margin_pct}")
    gm = clean_series(gemeente, corona=corona, break_year=break_year)
    ref = clean_series(reference, corona=corona, break_year=break_year)
    common = np.intersect1d(gm.years, ref.years)
    n = len(common)
    if n < min_points:
        raise InsufficientData(f"te weinig gezamenlijke jaren voor een trend ({n} < {min_points})")
    g_keep, r_keep = np.isin(gm.years, common), np.isin(ref.years, common)
    is_corona = np.isin(common, CORONA_YEARS)
    mode = corona_mode(is_corona, corona)
    per_area = 3 if mode == "indicator" else 2
    if n - per_area < 2:
        raise InsufficientData(f"te weinig jaren voor een trend ({n} punten)")

    # rows: reference years, then gemeente years (same order); area = 1 for the gemeente
    x = np.concatenate([common, common]).astype(float) - common.min()
    area = np.repeat([0.0, 1.0], n)
    columns = [np.ones(2 * n), x, area, area * x]
    if mode == "indicator":
        cor = np.concatenate([is_corona, is_corona]).astype(float)
        columns += [cor, area * cor]
    design = np.column_stack(columns)
    counts = np.concatenate([ref.counts[r_keep], gm.counts[g_keep]])
    exposure = np.concatenate([ref.exposure[r_keep], gm.exposure[g_keep]])
    fit = fit_poisson(counts, design, exposure)

    # contrasts: reference slope = b1, gemeente slope = b1 + b3, difference = b3
    c_ref, c_gm, c_diff = (np.zeros(design.shape[1]) for _ in range(3))
    c_ref[1], c_gm[[1, 3]], c_diff[3] = 1, 1, 1
    v_ref, v_gm = float(c_ref @ fit.cov @ c_ref), float(c_gm @ fit.cov @ c_gm)
    pearson = (counts - fit.fitted) ** 2 / fit.fitted
    df_area = n - per_area
    if dispersion == "shared":
        disp_r, s_r = scale_from(float(pearson.sum()), fit.df_resid, floor_dispersion)
        disp_g, s_g = disp_r, s_r
        df_r = df_g = df_d = fit.df_resid
        var_diff = float(c_diff @ fit.cov @ c_diff) * s_r
    else:
        disp_r, s_r = scale_from(float(pearson[:n].sum()), df_area, floor_dispersion)
        disp_g, s_g = scale_from(float(pearson[n:].sum()), df_area, floor_dispersion)
        df_r = df_g = df_area
        # separable design: Cov(b_gm, b_ref) = 0 under Poisson, so the variances add
        var_diff = v_gm * s_g + v_ref * s_r
        df_d = _satterthwaite(v_gm * s_g, df_g, v_ref * s_r, df_r)

    b_ref, b_gm, d = (float(c @ fit.params) for c in (c_ref, c_gm, c_diff))
    p_ref, lo_ref, hi_ref = t_inference(b_ref, math.sqrt(v_ref * s_r), df_r, 0.95)
    p_gm, lo_gm, hi_gm = t_inference(b_gm, math.sqrt(v_gm * s_g), df_g, 0.95)
    se_d = math.sqrt(var_diff)
    p_d, lo95, hi95 = t_inference(d, se_d, df_d, 0.95)
    bounds = (math.log1p(-margin_pct / 100), math.log1p(margin_pct / 100))
    eq = tost(d, se_d, *bounds, alpha=0.05, df=df_d)

    same_direction = math.copysign(1, b_gm) == math.copysign(1, b_ref)
    own_significant = p_gm < 0.05
    failed = []
    if not eq.equivalent:
        failed.append("difference_outside_margin")
    if not own_significant:
        failed.append("own_trend_not_significant")
    elif not same_direction:
        failed.append("own_trend_opposite_direction")
    decision = FollowsDecision(
        not failed,
        eq.equivalent,
        own_significant,
        same_direction,
        p_ref < 0.05,
        tuple(failed),
        tuple(FAILURES_NL[f] for f in failed),
    )
    return JointTrend(
        pct(b_gm),
        pct(lo_gm),
        pct(hi_gm),
        p_gm,
        float(df_g),
        pct(b_ref),
        pct(lo_ref),
        pct(hi_ref),
        p_ref,
        float(df_r),
        pct(d),
        pct(eq.ci_lower),
        pct(eq.ci_upper),
        pct(lo95),
        pct(hi95),
        p_d,
        float(df_d),
        float(margin_pct),
        eq.p_tost,
        disp_g,
        disp_r,
        dispersion,
        int(common.min()),
        int(common.max()),
        n,
        mode,
        decision,
    )
