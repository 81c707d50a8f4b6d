"""Quasi-Poisson trends with t-based inference: against statsmodels and a hand-computed case."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as sps

from hengelo_analysis.analysis.glm import quasi_poisson_trend
from hengelo_analysis.analysis.stats import InsufficientData

YEARS = list(range(2014, 2024))
INHABITANTS = [80000 + 300 * i for i in range(10)]
NOISE = [1.06, 0.95, 1.03, 0.97, 1.08, 0.94, 1.02, 0.99, 0.96, 1.05]  # about ±5%: overdispersed
CALM = [1.004, 0.997, 1.002, 0.998, 1.001, 0.999, 1.0, 1.002, 0.998, 1.001]  # below Poisson


def series(noise, start=5000, factor=0.97, corona_dip=0.85):
    return [
        round(start * factor**i * z * (corona_dip if y in (2020, 2021) else 1))
        for i, (y, z) in enumerate(zip(YEARS, noise, strict=True))
    ]


def statsmodels_fit(counts, scale, corona=True):
    x = np.array(YEARS) - YEARS[0]
    columns = [np.ones(len(x)), x] + ([np.isin(YEARS, (2020, 2021))] if corona else [])
    model = sm.GLM(
        counts,
        np.column_stack(columns).astype(float),
        family=sm.families.Poisson(),
        offset=np.log(INHABITANTS),
    )
    return model.fit(scale=scale, use_t=True)


@pytest.mark.parametrize("floor", [True, False])
def test_overdispersed_series_matches_statsmodels_quasipoisson_with_t(floor):
    counts = series(NOISE)
    mine = quasi_poisson_trend(YEARS, counts, INHABITANTS, floor_dispersion=floor)
    ref = statsmodels_fit(counts, "X2")
    assert mine.dispersion == pytest.approx(ref.scale) and mine.dispersion > 10
    assert mine.scale == pytest.approx(ref.scale)  # above 1: the floor changes nothing
    assert mine.slope == pytest.approx(ref.params[1])
    assert mine.se == pytest.approx(ref.bse[1])
    assert mine.p_value == pytest.approx(ref.pvalues[1])
    assert mine.df_resid == ref.df_resid == 7
    lo, hi = ref.conf_int()[1]
    assert (mine.lower, mine.upper) == pytest.approx((100 * math.expm1(lo), 100 * math.expm1(hi)))
    assert mine.corona == "indicator" and mine.exposure == "inwoners"
    assert round(mine.pct_per_year, 2) == -3.53 and mine.direction() == "falls"


def test_dispersion_below_one_is_floored_at_one_with_t_kept():
    counts = series(CALM)
    floored = quasi_poisson_trend(YEARS, counts, INHABITANTS)
    raw = quasi_poisson_trend(YEARS, counts, INHABITANTS, floor_dispersion=False)
    assert floored.dispersion < 1 and floored.scale == 1.0
    poisson_t = statsmodels_fit(counts, 1.0)  # Poisson standard errors, t on 7 df
    assert floored.se == pytest.approx(poisson_t.bse[1])
    assert floored.p_value == pytest.approx(poisson_t.pvalues[1])
    quasi = statsmodels_fit(counts, "X2")
    assert raw.se == pytest.approx(quasi.bse[1]) and raw.p_value == pytest.approx(quasi.pvalues[1])
    # the floor never makes the interval narrower than the unfloored quasi-Poisson one
    assert floored.upper - floored.lower > raw.upper - raw.lower


# an exact fit is what makes the case computable by hand; statsmodels warns about it
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_hand_computed_exponential_series_and_t_versus_z_with_six_points():
    # counts exactly 100 * 1.1^x, x = 0..5: the MLE is b = ln 1.1, Pearson chi2 = 0 (scale
    # floored to 1) and Var(b) = S0 / (S0 S2 - S1^2), S_k = sum x^k mu_x (Fisher information)
    x = np.arange(6)
    mu = 100 * 1.1**x
    fit = quasi_poisson_trend(list(2018 + x), list(mu), corona="ignore")
    s0, s1, s2 = mu.sum(), (x * mu).sum(), (x**2 * mu).sum()
    assert (round(s0, 3), round(s1, 3), round(s2, 3)) == (771.561, 2142.195, 8160.735)
    se = math.sqrt(s0 / (s0 * s2 - s1**2))
    assert fit.slope == pytest.approx(math.log(1.1))
    assert fit.pct_per_year == pytest.approx(10.0)
    assert fit.dispersion == pytest.approx(0, abs=1e-9) and fit.scale == 1.0
    assert fit.se == pytest.approx(se) and round(se, 5) == 0.02126
    assert fit.df_resid == 4
    t = math.log(1.1) / se
    assert round(t, 3) == 4.484
    p_t, p_z = 2 * sps.t.sf(t, 4), 2 * sps.norm.sf(t)
    assert fit.p_value == pytest.approx(p_t)
    # six points: the t distribution gives p = 0.011, the normal one 0.0000073
    assert round(fit.p_value, 3) == 0.011 and p_z < 1e-5
    assert fit.p_value > 1000 * p_z
    q = sps.t.ppf(0.975, 4)
    assert fit.lower == pytest.approx(100 * math.expm1(math.log(1.1) - q * se))


def test_unpublished_counts_are_dropped_not_zero():
    counts = series(NOISE)
    with_gap = counts.copy()
    with_gap[3] = None
    with_gap[7] = pd.NA  # pandas' missing value, as the processed tables hold it
    gap = quasi_poisson_trend(YEARS, with_gap, INHABITANTS)
    assert gap.n_points == 8
    keep = [i for i in range(10) if i not in (3, 7)]
    dropped = quasi_poisson_trend(
        [YEARS[i] for i in keep], [counts[i] for i in keep], [INHABITANTS[i] for i in keep]
    )
    assert gap.slope == pytest.approx(dropped.slope) and gap.se == pytest.approx(dropped.se)


def test_break_year_and_corona_modes():
    counts = series(NOISE)
    cut = quasi_poisson_trend(YEARS, counts, INHABITANTS, break_year=2016)
    assert (cut.first_year, cut.n_points, cut.df_resid) == (2016, 8, 5)
    excluded = quasi_poisson_trend(YEARS, counts, INHABITANTS, corona="exclude")
    assert excluded.n_points == 8 and excluded.corona == "absent" and excluded.df_resid == 6
    ignored = quasi_poisson_trend(YEARS, counts, INHABITANTS, corona="ignore")
    # the 15% lockdown dip, left in, steepens the fall and inflates the dispersion
    assert ignored.pct_per_year < excluded.pct_per_year
    assert ignored.dispersion > excluded.dispersion
    # three points beside the corona years are the minimum for the corona term
    short = quasi_poisson_trend(YEARS[5:], counts[5:], INHABITANTS[5:])  # 2019, 2022, 2023
    assert short.corona == "indicator" and short.df_resid == 2
    shorter = quasi_poisson_trend(YEARS[6:], counts[6:], INHABITANTS[6:], min_points=4)
    assert shorter.corona == "ignore" and shorter.df_resid == 2


def test_too_few_points_raise():
    with pytest.raises(InsufficientData):
        quasi_poisson_trend(YEARS[:4], series(NOISE)[:4], INHABITANTS[:4])
    with pytest.raises(InsufficientData):
        quasi_poisson_trend(YEARS, [0] * 10, INHABITANTS)
    with pytest.raises(ValueError):
        quasi_poisson_trend(YEARS, series(NOISE), INHABITANTS, corona="dummy")
