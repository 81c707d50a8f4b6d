"""Known-answer tests for hengelo_analysis.analysis.stats.

Reference values: the exact (Garwood) Poisson limits for 0, 1, 10 and 100 events as tabulated
in the standard tables (e.g. Ulm 1990, Am J Epidemiol 131:373) and reproduced by the chi-square
formula; Byar's limits for 65 events (the example in PHEindicatormethods' ``byars_lower`` help page)
worked out by hand from the published formula; scipy's ``binomtest`` and statsmodels'
``test_poisson_2indep(method="exact-cond")`` for the conditional test; exact log-linear series
for the GLM slope.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from hengelo_analysis.analysis import stats

# exact synthetic series fit perfectly; statsmodels warns about that, which is the point here
pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)

EXACT_95 = {  # count: (lower, upper), Garwood exact Poisson 95% limits
    0: (0.0, 3.689),
    1: (0.0253, 5.572),
    10: (4.795, 18.390),
    100: (81.364, 121.627),
}


@pytest.mark.parametrize("count", sorted(EXACT_95))
def test_exact_poisson_ci_matches_tables(count):
    lower, upper = stats.poisson_ci_exact(count)
    assert lower == pytest.approx(EXACT_95[count][0], abs=6e-4)
    assert upper == pytest.approx(EXACT_95[count][1], abs=6e-4)
    # the chi-square form equals the gamma-quantile form
    if count:
        assert lower == pytest.approx(sps.gamma.ppf(0.025, count))
    assert upper == pytest.approx(sps.gamma.ppf(0.975, count + 1))


def test_byar_matches_pheindicatormethods_example():
    lower, upper = stats.poisson_ci_byar(65)
    # 65 (1 - 1/585 - 1.959964/(3 sqrt 65))^3 and 66 (1 - 1/594 + 1.959964/(3 sqrt 66))^3
    assert lower == pytest.approx(50.1632, abs=1e-3)
    assert upper == pytest.approx(82.8498, abs=2e-3)
    # Byar's is a close approximation of the exact interval at 100
    exact = stats.poisson_ci_exact(100)
    assert stats.poisson_ci_byar(100) == pytest.approx(exact, abs=0.02)


def test_poisson_ci_switches_method_at_ten():
    assert stats.poisson_ci(9)[2] == "exact"
    assert stats.poisson_ci(9)[:2] == stats.poisson_ci_exact(9)
    assert stats.poisson_ci(10)[2] == "byar"
    assert stats.poisson_ci(10)[:2] == stats.poisson_ci_byar(10)


def test_rate_ci_scales_the_count_interval():
    rate = stats.rate_ci(100, 50_000, unit=10_000)
    assert rate.rate == pytest.approx(20.0)
    assert rate.lower == pytest.approx(stats.poisson_ci_byar(100)[0] / 5)
    assert rate.upper == pytest.approx(stats.poisson_ci_byar(100)[1] / 5)
    zero = stats.rate_ci(0, 1000, unit=1000)
    assert (zero.rate, zero.lower) == (0.0, 0.0)
    assert zero.upper == pytest.approx(3.689, abs=6e-4)


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_missing_count_or_population_is_insufficient_not_zero(missing):
    with pytest.raises(stats.InsufficientData):
        stats.rate_ci(missing, 1000)
    with pytest.raises(stats.InsufficientData):
        stats.rate_ci(5, missing)


def test_compare_counts_matches_scipy_and_statsmodels():
    from statsmodels.stats.rates import test_poisson_2indep

    cmp = stats.compare_counts(30, 50, exposure1=10_000, exposure2=12_000)
    expected = sps.binomtest(50, 80, 12_000 / 22_000).pvalue
    assert cmp.p_value == pytest.approx(expected)
    sm = test_poisson_2indep(50, 12_000, 30, 10_000, method="exact-cond")
    assert cmp.p_value == pytest.approx(sm.pvalue, rel=1e-6)
    assert cmp.rate_ratio == pytest.approx((50 / 12_000) / (30 / 10_000))
    assert cmp.ratio_lower < cmp.rate_ratio < cmp.ratio_upper


def test_the_p_value_alone_is_that_of_compare_counts_and_refuses_the_same():
    for args in ((30, 50, 10_000, 12_000), (0, 3, 1.0, 1.0), (7, 0, 500.0, 80.0), (342, 342)):
        assert stats.compare_counts_p(*args) == stats.compare_counts(*args).p_value
    for args in ((0, 0), (3, 4, 0.0, 1.0)):
        with pytest.raises(stats.InsufficientData):
            stats.compare_counts_p(*args)


def test_compare_counts_equal_counts_not_significant():
    cmp = stats.compare_counts(342, 342)
    assert cmp.p_value == pytest.approx(1.0)
    assert cmp.ratio_lower < 1 < cmp.ratio_upper


def _series(slope=-0.05, years=range(2012, 2025), base=1000.0, pop=None):
    years = np.array(list(years))
    pop = np.full(len(years), 80_000.0) if pop is None else np.asarray(pop, float)
    counts = base * np.exp(slope * (years - years[0])) * pop / 80_000
    return years, counts, pop


def test_trend_recovers_known_slope_with_offset():
    years = np.arange(2012, 2025)
    pop = np.linspace(78_000, 82_000, len(years))
    _, counts, _ = _series(-0.05, years, pop=pop)
    trend = stats.poisson_trend(years, counts, pop, corona="ignore")
    assert trend.pct_per_year == pytest.approx(100 * math.expm1(-0.05), abs=1e-6)
    assert trend.p_value < 1e-6
    assert trend.direction() == "dalend"
    assert not trend.quasi and trend.exposure == "inwoners"


def test_trend_offset_matters_rising_population_flat_counts_is_falling_rate():
    years = np.arange(2012, 2025)
    pop = 80_000 * np.exp(0.03 * (years - 2012))
    counts = np.full(len(years), 4000.0)
    rate_trend = stats.poisson_trend(years, counts, pop, corona="ignore")
    count_trend = stats.poisson_trend(years, counts, None, corona="ignore")
    assert rate_trend.pct_per_year == pytest.approx(100 * math.expm1(-0.03), abs=1e-6)
    assert count_trend.pct_per_year == pytest.approx(0.0, abs=1e-6)
    assert count_trend.direction() == "geen"


def test_quasi_poisson_widens_interval_for_overdispersed_counts():
    years = np.arange(2012, 2025)
    noise = np.array([1.3, 0.7, 1.25, 0.8, 1.2, 0.75, 1.3, 0.7, 1.2, 0.8, 1.25, 0.75, 1.2])
    counts = np.round(500 * np.exp(-0.02 * (years - 2012)) * noise)
    trend = stats.poisson_trend(years, counts, corona="ignore")
    import statsmodels.api as sm

    design = sm.add_constant(years - 2012.0)
    plain = sm.GLM(counts, design, family=sm.families.Poisson()).fit()
    # R's quasipoisson: estimated scale, so t on the residual df (statsmodels use_t=True)
    quasi = sm.GLM(counts, design, family=sm.families.Poisson()).fit(scale="X2", use_t=True)
    assert trend.quasi
    assert trend.df_resid == 11
    assert trend.dispersion == pytest.approx(plain.pearson_chi2 / plain.df_resid)
    assert trend.p_value == pytest.approx(quasi.pvalues[1])
    assert trend.p_value > plain.pvalues[1]
    assert trend.direction() == "geen"  # Poisson alone would call this a fall


def test_trend_needs_five_points():
    years, counts, pop = _series(years=range(2020, 2024))
    with pytest.raises(stats.InsufficientData, match="te weinig"):
        stats.poisson_trend(years, counts, pop)
    counts = counts.astype(object)
    years, counts5, pop5 = _series(years=range(2016, 2022))
    counts5 = list(counts5)
    counts5[0] = None  # not published: dropped, not 0 → 5 points left
    trend = stats.poisson_trend(years, counts5, pop5, corona="ignore")
    assert trend.n_points == 5


def test_corona_indicator_keeps_the_slope_and_ignore_does_not():
    years, counts, pop = _series(-0.04)
    counts = counts.copy()
    counts[np.isin(years, [2020, 2021])] *= 0.6
    with_indicator = stats.poisson_trend(years, counts, pop, corona="indicator")
    excluded = stats.poisson_trend(years, counts, pop, corona="exclude")
    ignored = stats.poisson_trend(years, counts, pop, corona="ignore")
    target = 100 * math.expm1(-0.04)
    assert with_indicator.pct_per_year == pytest.approx(target, abs=1e-6)
    assert excluded.pct_per_year == pytest.approx(target, abs=1e-6)
    assert excluded.n_points == len(years) - 2
    assert with_indicator.corona == "indicator"
    assert abs(ignored.pct_per_year - target) > 0.2


def test_registration_break_cuts_the_series():
    years = np.arange(2012, 2025)
    counts = np.where(years < 2016, 0.0, 300 * np.exp(0.05 * (years - 2016)))
    cut = stats.poisson_trend(years, counts, break_year=2016, corona="ignore")
    assert cut.first_year == 2016 and cut.n_points == 9
    assert cut.pct_per_year == pytest.approx(100 * math.expm1(0.05), abs=1e-6)
    uncut = stats.poisson_trend(years, counts, corona="ignore")
    assert uncut.pct_per_year > 15  # the zeros before the break fake an explosion


def test_compare_trends_equal_and_different():
    years, falling, pop = _series(-0.05)
    t1 = stats.poisson_trend(years, np.round(falling), pop, corona="ignore")
    t2 = stats.poisson_trend(years, np.round(falling * 3), pop, corona="ignore")
    _, rising, _ = _series(0.05)
    t3 = stats.poisson_trend(years, np.round(rising), pop, corona="ignore")
    assert stats.compare_trends(t1, t2) > 0.5
    assert stats.compare_trends(t1, t3) < 0.001


def test_survey_change_from_margins_known_answer():
    change = stats.survey_change(2019, 20.0, 18.0, 22.0, 2023, 25.0, 22.5, 27.5)
    se1, se2 = 2 / 1.959964, 2.5 / 1.959964
    z = 5 / math.hypot(se1, se2)
    assert change.z == pytest.approx(z, rel=1e-6)
    assert change.z == pytest.approx(3.0609, abs=1e-3)
    assert change.p_value == pytest.approx(2 * sps.norm.sf(z))
    assert change.significant()
    assert change.method_break  # 2019 vs 2023 straddles the 2021 online-only wave
    same_mode = stats.survey_change(2021, 20.0, 18.0, 22.0, 2023, 21.0, 19.0, 23.0)
    assert not same_mode.method_break and not same_mode.significant()
    own = stats.survey_change(
        2019, 20.0, 18.0, 22.0, 2023, 25.0, 22.5, 27.5, source="eigen_enquete"
    )
    assert not own.method_break


def test_survey_change_suppressed_estimate_is_insufficient():
    with pytest.raises(stats.InsufficientData):
        stats.survey_change(2019, None, None, None, 2023, 25.0, 22.5, 27.5)


def test_p_text_dutch():
    assert stats.p_text(0.0004) == "p < 0,001"
    assert stats.p_text(0.0312) == "p = 0,031"
