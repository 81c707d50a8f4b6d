"""'Follows the national trend' needs an equivalent slope and a significant trend of its own."""

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as sps

from hengelo_analysis.analysis.glm import CountSeries, quasi_poisson_trend
from hengelo_analysis.analysis.joint_trend import joint_trend
from hengelo_analysis.analysis.stats import InsufficientData

YEARS = list(range(2013, 2025))
GM_NOISE = [1.03, 0.98, 1.01, 0.97, 1.02, 0.99, 1.0, 1.02, 0.98, 1.01, 0.99, 1.0]  # about ±2%
NL_NOISE = [1.004, 0.997, 1.002, 0.998, 1.001, 0.999, 1.0, 1.002, 0.998, 1.001, 0.999, 1.0]
NOISY = [1.25, 0.8, 1.1, 0.85, 1.2, 0.9, 1.15, 0.8, 1.1, 0.95, 1.2, 0.85]  # ±20%, small counts


def series(start, factor, inhabitants, noise, dip=0.9):
    counts = [
        round(start * factor**i * z * (dip if y in (2020, 2021) else 1))
        for i, (y, z) in enumerate(zip(YEARS, noise, strict=True))
    ]
    return CountSeries(YEARS, counts, [inhabitants] * len(YEARS))


NATIONAL = series(800_000, 0.95, 17_500_000, NL_NOISE)  # -5 % per year


def test_c2_like_minus_1_against_minus_5_nationally_does_not_follow():
    # Issue 12: "a C2-like case of -1 %/yr against -5 %/yr nationally" must NOT pass
    gm = series(5000, 0.99, 81_000, GM_NOISE)
    result = joint_trend(gm, NATIONAL)
    assert round(result.gemeente_pct, 1) == -1.1 and round(result.reference_pct, 1) == -5.0
    assert round(result.difference_pct, 1) == 4.2  # ~ -1 - (-5)
    assert result.difference_lower90 > result.margin_pct == 2.0
    assert not result.follows
    assert result.decision.failed == ("difference_outside_margin",)
    assert result.decision.own_significant and result.decision.same_direction
    assert result.decision.reference_significant
    assert result.difference_p < 0.001  # the old rule ("no significant difference") fails too


def test_noisy_flat_series_does_not_follow():
    gm = series(300, 1.0, 81_000, NOISY)
    result = joint_trend(gm, series(800_000, 0.98, 17_500_000, NL_NOISE))  # -2 % per year
    assert not result.follows
    assert set(result.decision.failed) == {"difference_outside_margin", "own_trend_not_significant"}
    assert result.gemeente_p > 0.05 and result.dispersion_gemeente > 3
    # its difference from the national trend is not significant either: the naive verdict
    # "no significant difference, so it follows" would have passed it
    assert result.difference_p > 0.05
    assert result.difference_lower90 < 0 < 2 < result.difference_upper90
    assert result.decision.reasons_nl[1] == "de gemeente heeft zelf geen significante trend"


def test_equal_slopes_with_enough_data_follow():
    gm = series(5000, 0.96, 81_000, GM_NOISE)
    nl = series(800_000, 0.96, 17_500_000, NL_NOISE)
    result = joint_trend(gm, nl)
    assert result.follows and result.decision.failed == ()
    assert -2 < result.difference_lower90 < 0 < result.difference_upper90 < 2
    assert result.p_tost < 0.05 and result.gemeente_p < 0.001
    assert result.n_years == 12 and result.corona == "indicator"
    assert result.as_dict()["decision"]["follows"] is True


def test_opposite_direction_does_not_follow():
    rising = series(5000, 1.04, 81_000, GM_NOISE)
    result = joint_trend(rising, NATIONAL)
    assert result.gemeente_pct > 0 and result.gemeente_p < 0.05
    assert "own_trend_opposite_direction" in result.decision.failed
    assert not result.decision.same_direction


def test_per_area_dispersion_equals_separate_fits_with_satterthwaite_df():
    gm = series(5000, 0.99, 81_000, GM_NOISE)
    result = joint_trend(gm, NATIONAL)
    own = quasi_poisson_trend(gm.years, gm.counts, gm.inhabitants)
    ref = quasi_poisson_trend(NATIONAL.years, NATIONAL.counts, NATIONAL.inhabitants)
    assert result.gemeente_pct == pytest.approx(own.pct_per_year)
    assert (result.gemeente_lower, result.gemeente_upper) == pytest.approx((own.lower, own.upper))
    assert result.gemeente_df == own.df_resid == 9
    assert result.dispersion_gemeente == pytest.approx(own.dispersion)
    assert result.reference_pct == pytest.approx(ref.pct_per_year)
    assert result.dispersion_reference == pytest.approx(ref.dispersion)
    # the difference: variances add; df by Welch-Satterthwaite
    v1, v2 = own.se**2, ref.se**2
    df = (v1 + v2) ** 2 / (v1**2 / 9 + v2**2 / 9)
    assert result.difference_df == pytest.approx(df) and 9 <= df <= 18
    d, se = own.slope - ref.slope, math.sqrt(v1 + v2)
    q = sps.t.ppf(0.95, df)
    assert result.difference_lower90 == pytest.approx(100 * math.expm1(d - q * se))
    assert result.difference_upper90 == pytest.approx(100 * math.expm1(d + q * se))


def test_shared_dispersion_is_r_quasipoisson_with_interaction():
    gm = series(5000, 0.99, 81_000, GM_NOISE)
    result = joint_trend(gm, NATIONAL, dispersion="shared")
    x = np.tile(np.arange(12.0), 2)
    area = np.repeat([0.0, 1.0], 12)
    cor = np.tile(np.isin(YEARS, (2020, 2021)).astype(float), 2)
    design = np.column_stack([np.ones(24), x, area, area * x, cor, area * cor])
    counts = np.concatenate([NATIONAL.counts, gm.counts]).astype(float)
    offset = np.log(np.concatenate([NATIONAL.inhabitants, gm.inhabitants]))
    ref = sm.GLM(counts, design, family=sm.families.Poisson(), offset=offset).fit(
        scale="X2", use_t=True
    )
    assert result.difference_pct == pytest.approx(100 * math.expm1(ref.params[3]))
    assert result.difference_p == pytest.approx(ref.pvalues[3])
    lo, hi = ref.conf_int()[3]
    assert result.difference_lower95 == pytest.approx(100 * math.expm1(lo))
    assert result.difference_upper95 == pytest.approx(100 * math.expm1(hi))
    assert result.difference_df == ref.df_resid == 18
    assert result.dispersion_gemeente == pytest.approx(ref.scale)


def test_a_shared_dispersion_is_dominated_by_the_national_series():
    # national counts with ±2% noise: Pearson chi2 per year ~ 0.02^2 * 800,000 = 320
    wobbly = series(800_000, 0.95, 17_500_000, [1 + (z - 1) * 5 for z in NL_NOISE])
    gm = series(5000, 0.96, 81_000, GM_NOISE)
    per_area = joint_trend(gm, wobbly)
    shared = joint_trend(gm, wobbly, dispersion="shared")
    assert shared.dispersion_gemeente > 20 * per_area.dispersion_gemeente
    width = per_area.gemeente_upper - per_area.gemeente_lower
    assert shared.gemeente_upper - shared.gemeente_lower > 3 * width


def test_only_common_years_are_compared():
    gm = series(5000, 0.99, 81_000, GM_NOISE)
    gap = list(NATIONAL.counts)
    gap[0] = None
    result = joint_trend(gm, CountSeries(YEARS, gap, NATIONAL.inhabitants))
    assert (result.first_year, result.n_years) == (2014, 11)
    cut = joint_trend(gm, NATIONAL, break_year=2016)
    assert (cut.first_year, cut.n_years, cut.gemeente_df) == (2016, 9, 6)


def test_too_few_common_years_raise():
    short = CountSeries(YEARS[:4], [100, 90, 80, 70], [81_000] * 4)
    with pytest.raises(InsufficientData):
        joint_trend(short, NATIONAL)
    with pytest.raises(ValueError):
        joint_trend(short, NATIONAL, dispersion="pooled")
