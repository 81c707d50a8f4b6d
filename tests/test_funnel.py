"""Funnel limits as PHE computes them: PHStatsMethods is the oracle, plus transcribed values."""

import math

import numpy as np
import pandas as pd
import PHStatsMethods as ph  # the oracle, a dev dependency: missing means `make setup` was not run
import pytest
from PHStatsMethods.utils_funnel import poisson_funnel
from scipy import stats as sps

from hengelo_analysis.analysis import funnel
from hengelo_analysis.analysis.stats import InsufficientData


def test_expected_100_gives_the_phe_band_not_the_interval_of_an_observation():
    # Issue 12, transcribed from PHE's poisson_funnel (PHEindicatormethods phe_funnels /
    # PHStatsMethods calculate_funnel_limits): expected 100 -> 80.39-120.56 at 95%. The old
    # stats.funnel_limits gave 81.36-121.63, the exact interval of an observed 100.
    limits = funnel.funnel_limits(100)
    assert (round(limits.lower, 2), round(limits.upper, 2)) == (80.39, 120.56)
    old_lower = sps.chi2.ppf(0.025, 200) / 2
    assert round(old_lower, 2) == 81.36
    # 81 lies below the old lower limit, inside PHE's: it must not be called below
    assert 81 < old_lower
    assert funnel.classify_count(81, 100).verdict == "within"
    assert funnel.phe_significance(81, 100) == "Not significant"
    assert funnel.classify_count(80, 100).verdict == "below"


@pytest.mark.parametrize("count", [1, 2, 5, 9, 10, 11, 37, 100, 500, 2000])
@pytest.mark.parametrize(("confidence", "p"), [(0.95, 0.025), (0.998, 0.001)])
def test_limits_invert_phstatsmethods_poisson_funnel_at_integer_counts(count, confidence, p):
    # poisson_funnel(x, p, "high") is the expected count at which x is PHE's lower limit,
    # poisson_funnel(x, p, "low") the one at which x is the upper limit (bisection to 1e-7).
    at_lower = poisson_funnel(count, p, "high")
    at_upper = poisson_funnel(count, p, "low")
    assert funnel.exact_lower_limit(at_lower, confidence) == pytest.approx(count, abs=2e-4 * count)
    assert funnel.exact_upper_limit(at_upper, confidence) == pytest.approx(count, abs=2e-4 * count)


def test_rate_limits_match_phstatsmethods_calculate_funnel_limits():
    areas = pd.DataFrame(
        {"count": [120.0, 45, 300, 80, 510], "pop": [10000.0, 5000, 30000, 9000, 40000]}
    )
    areas["rate"] = areas["count"] / areas["pop"] * 1000
    table = ph.calculate_funnel_limits(
        areas,
        "count",
        "rate",
        1000,
        denom_col="pop",
        rate="rate",
        rate_type="crude",
        years_of_data=1,
        metadata=False,
    )
    centre = areas["count"].sum() / areas["pop"].sum() * 1000
    assert len(table) == 100
    for _, row in table.iterrows():
        for confidence, tag in ((0.95, "2s"), (0.998, "3s")):
            for side, i in (("lower", 0), ("upper", 1)):
                n = row[f"{side}_{tag}_population_1_year"]
                pos = funnel.classify_rate(row["Events"], n, centre, 1000, confidence)
                mine = (pos.rate_lower, pos.rate_upper)[i]
                assert mine == pytest.approx(row[f"{side}_{tag}_limit"], rel=2e-5)


@pytest.mark.parametrize("expected", [2.5, 7.3, 20.0, 100.0, 333.3, 5000.0])
def test_classification_matches_phstatsmethods_assign_funnel_significance(expected):
    # every count from well below the 99.8% lower limit to well above the upper one
    spread = 5 * math.sqrt(expected) + 5
    counts = np.arange(max(0, int(expected - spread)), int(expected + spread) + 5)
    frame = pd.DataFrame({"obs": counts.astype(float), "exp": expected})
    oracle = ph.assign_funnel_significance(frame, "obs", "ratio", denom_col="exp")
    mine = [funnel.phe_significance(x, expected) for x in counts]
    assert mine == list(oracle["significance"])
    assert "Not significant" in mine and len(set(mine)) >= 3  # the grid crosses the limits


def test_rate_classification_against_a_crude_rate_oracle():
    # Hengelo-sized: 81,000 inhabitants, reference 10 per 1000 -> expected 810
    frame = pd.DataFrame({"count": [760.0, 750.0, 880.0, 700.0], "pop": 81000.0})
    frame["rate"] = frame["count"] / frame["pop"] * 1000
    # a fifth, huge area pins the weighted average PHE uses to exactly 10 per 1000
    total = 10 / 1000 * (4 * 81000 + 10_000_000) - frame["count"].sum()
    big = pd.DataFrame({"count": [total], "pop": [10_000_000.0]})
    big["rate"] = big["count"] / big["pop"] * 1000
    both = pd.concat([frame, big], ignore_index=True)
    oracle = ph.assign_funnel_significance(
        both, "count", "rate", denom_col="pop", rate="rate", rate_type="crude", multiplier=1000
    )
    labels = {
        ("below", 0.998): "Low (0.001)",
        ("below", 0.95): "Low (0.025)",
        ("above", 0.998): "High (0.001)",
        ("above", 0.95): "High (0.025)",
    }
    for i, row in frame.iterrows():
        strict = funnel.classify_rate(row["count"], 81000, 10.0, 1000, 0.998)
        loose = funnel.classify_rate(row["count"], 81000, 10.0, 1000, 0.95)
        assert loose.expected == pytest.approx(810)
        mine = labels.get((strict.verdict, 0.998)) or labels.get(
            (loose.verdict, 0.95), "Not significant"
        )
        assert mine == oracle["significance"][i]
    assert list(oracle["significance"][:4]) == [
        "Not significant",
        "Low (0.025)",
        "High (0.025)",
        "Low (0.001)",
    ]


def test_small_expected_counts_have_no_lower_limit():
    # P(X <= 0 | 3) = exp(-3) = 0.0498 > 0.025: not even 0 events is significantly low
    assert funnel.exact_lower_limit(3.0) == 0.0
    assert funnel.classify_count(0, 3.0).verdict == "within"
    # exp(-4) = 0.018 < 0.025: 0 events at expected 4 is low
    assert funnel.exact_lower_limit(4.0) > 0
    assert funnel.classify_count(0, 4.0).verdict == "below"


def test_missing_or_zero_expected_is_insufficient_data():
    with pytest.raises(InsufficientData):
        funnel.funnel_limits(0.0)
    with pytest.raises(InsufficientData):
        funnel.classify_count(None, 10.0)
    with pytest.raises(InsufficientData):
        funnel.classify_rate(5, 0, 10.0)


# Ten areas of 10,000 inhabitants at 10 per 1000: E = 100, sqrt E = 10, so z = 2 (sqrt O - 10)
HAND_COUNTS = [121, 81, 121, 81, 144, 64, 100, 100, 121, 81]  # z = 2,-2,2,-2,4,-4,0,0,2,-2


def test_dispersion_by_hand_without_winsorising():
    d = funnel.peer_dispersion(HAND_COUNTS, [10000] * 10, 10.0, winsor=0.0)
    # sum z^2 = 6*4 + 2*16 = 56 -> phi = 5.6
    assert d.phi == pytest.approx(5.6)
    # DerSimonian-Laird, w = 4E = 400: (10*5.6 - 9) / (4000 - 1.6e6/4000) = 47/3600
    assert d.tau2 == pytest.approx(47 / 3600)
    assert d.p_value == pytest.approx(sps.chi2.sf(56, 9))
    assert d.overdispersed
    assert d.inflation(100, "multiplicative") == pytest.approx(math.sqrt(5.6))
    assert d.inflation(100, "additive") == pytest.approx(math.sqrt(1 + 400 * 47 / 3600))


def test_dispersion_winsorises_ten_percent_each_end():
    # sorted z: -4,-2,-2,-2,0,0,2,2,2,4; 10% and 90% quantiles (R type 7 = numpy linear):
    # -4 + 0.9*2 = -2.2 and 2 + 0.1*2 = 2.2, so the +-4 become +-2.2
    d = funnel.peer_dispersion(HAND_COUNTS, [10000] * 10, 10.0)
    assert d.phi == pytest.approx((6 * 4 + 2 * 2.2**2) / 10)
    assert d.as_dict()["n_areas"] == 10


def test_pooled_reference_rate_is_phe_centre():
    counts, pops = [120, 45, 300, 80, 510, 90, 60, 75, 200, 140], [10000] * 5 + [8000] * 5
    d = funnel.peer_dispersion(counts, pops)
    assert d.reference_rate == pytest.approx(sum(counts) / sum(pops) * 1000)


def test_too_few_peers_raise():
    with pytest.raises(InsufficientData):
        funnel.peer_dispersion([100] * 5, [10000] * 5, 10.0)


def test_poisson_peers_show_no_overdispersion():
    rng = np.random.default_rng(12)
    pops = rng.integers(20_000, 200_000, size=300)
    counts = rng.poisson(pops * 0.05)
    d = funnel.peer_dispersion(counts, pops, 50.0)
    assert 0.5 < d.phi < 1.2  # winsorising pulls a Poisson phi somewhat below 1
    assert d.tau2 == 0.0 and not d.overdispersed
    assert funnel.funnel_limits(1000, dispersion=d, adjustment="additive").inflation == 1.0


def test_adjusted_limits_widen_on_the_square_root_scale():
    d = funnel.peer_dispersion(HAND_COUNTS, [10000] * 10, 10.0, winsor=0.0)
    plain = funnel.funnel_limits(100)
    add = funnel.funnel_limits(100, dispersion=d, adjustment="additive")
    k = math.sqrt(1 + 400 * 47 / 3600)
    assert add.lower == pytest.approx(max(0, 10 - k * (10 - math.sqrt(plain.lower))) ** 2)
    assert add.upper == pytest.approx((10 + k * (math.sqrt(plain.upper) - 10)) ** 2)
    assert round(add.lower, 2) == 55.07 and round(add.upper, 2) == 154.86
    # Spiegelhalter's normal form E (1 +- z sqrt(s^2 + tau2))^2, s = 1/(2 sqrt E), gives 57.08 and
    # 154.87: the same upper limit; the exact lower limit keeps the Poisson skew
    z, s2 = sps.norm.ppf(0.975), 1 / 400
    assert add.upper == pytest.approx(100 * (1 + z * math.sqrt(s2 + 47 / 3600)) ** 2, abs=0.05)
    assert 100 * (1 - z * math.sqrt(s2 + 47 / 3600)) ** 2 == pytest.approx(57.08, abs=0.01)
    mult = funnel.funnel_limits(100, dispersion=d, adjustment="multiplicative")
    assert mult.lower > add.lower and mult.upper < add.upper  # sqrt(5.6) < k at E = 100
    # a count outside PHE's limits but inside the overdispersed ones is not called below
    assert plain.classify(70) == "below" and add.classify(70) == "within"
    # additive widening grows with the area's size, multiplicative does not
    big = funnel.funnel_limits(10000, dispersion=d, adjustment="additive")
    assert big.inflation > 10 * add.inflation / 3


def test_adjustment_without_dispersion_is_an_error():
    with pytest.raises(ValueError):
        funnel.funnel_limits(100, adjustment="additive")
    with pytest.raises(ValueError):
        funnel.funnel_limits(100, adjustment="both")


def test_rate_limits_per_area_size():
    # 10,000 inhabitants at 10 per 1000: expected 100, PHE's 80.39-120.56 events -> per 1000
    limits = funnel.rate_limits(10.0, 10_000, 1000)
    assert set(limits) == {0.95, 0.998}
    assert limits[0.95] == pytest.approx((8.039055, 12.055797), abs=1e-6)
    assert limits[0.998] == pytest.approx((7.007666, 13.278130), abs=1e-6)
    with pytest.raises(InsufficientData):
        funnel.rate_limits(10.0, pd.NA)


def test_pandas_missing_values_are_not_counts():
    d = funnel.peer_dispersion(HAND_COUNTS + [pd.NA], [10000] * 10 + [10000], 10.0, winsor=0.0)
    assert d.n_areas == 10 and d.phi == pytest.approx(5.6)
    with pytest.raises(InsufficientData):
        funnel.classify_count(pd.NA, 10.0)
