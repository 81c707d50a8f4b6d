"""TOST for survey changes: "no large shift" needs the 90% interval inside the margin."""

import math

import pytest
from scipy import stats as sps

from hengelo_analysis.analysis.equivalence import SurveyEstimate, survey_change_test, tost
from hengelo_analysis.analysis.stats import InsufficientData


def test_issue_case_4_4_points_from_minus_9_to_18_is_not_equivalent():
    # Issue 12: "a survey change of 4.4 points whose interval runs from -9 to +18" must not
    # support "geen grote verschuivingen" for a 5-point margin.
    first = SurveyEstimate.from_interval(30.0, 20.5, 39.5)
    second = SurveyEstimate.from_interval(34.4, 24.9, 43.9)
    result = survey_change_test(first, second, margin=5)
    assert result.change == pytest.approx(4.4)
    assert result.se == pytest.approx(math.hypot(9.5, 9.5) / sps.norm.ppf(0.975))
    assert (round(result.lower95), round(result.upper95)) == (-9, 18)
    assert (round(result.lower90, 2), round(result.upper90, 2)) == (-6.88, 15.68)
    assert not result.equivalent
    assert result.direction == "no significant change"  # and not shown to have moved either
    assert result.p_tost == pytest.approx(sps.norm.sf((5 - 4.4) / result.se))
    assert result.summary_nl() == (
        "Verschil +4,4 procentpunt (90%-interval -6,9 tot +15,7; marge ±5,0 procentpunt): "
        "niet aangetoond dat het gelijk bleef."
    )


def test_small_change_with_tight_interval_is_equivalent():
    result = survey_change_test(
        SurveyEstimate.from_margin(40.0, 1.0), SurveyEstimate.from_margin(41.0, 1.0), margin=5
    )
    se = math.sqrt(2) / sps.norm.ppf(0.975)
    assert result.se == pytest.approx(se)
    assert result.lower90 == pytest.approx(1 - sps.norm.ppf(0.95) * se)
    assert result.upper90 == pytest.approx(1 + sps.norm.ppf(0.95) * se)
    assert -5 < result.lower90 and result.upper90 < 5
    assert result.equivalent and result.direction == "no significant change"
    assert result.p_value == pytest.approx(2 * sps.norm.sf(1 / se))
    assert result.as_dict()["margin"] == 5.0


def test_a_change_can_be_small_and_significant_at_once():
    result = survey_change_test(
        SurveyEstimate.from_margin(20.0, 0.5), SurveyEstimate.from_margin(22.0, 0.5), margin=5
    )
    assert result.equivalent and result.direction == "rises"
    fall = survey_change_test(
        SurveyEstimate.from_margin(22.0, 0.5), SurveyEstimate.from_margin(14.0, 0.5), margin=5
    )
    assert not fall.equivalent and fall.direction == "falls"


def test_equivalence_flips_where_the_90_interval_reaches_the_margin():
    # both one-sided p-values below 5% <=> the 90% interval strictly inside the margin
    edge = 5 - sps.norm.ppf(0.95)  # the estimate whose 90% interval (se 1) ends at 5
    assert tost(edge, 1.0, -5, 5).p_tost == pytest.approx(0.05)
    assert tost(edge, 1.0, -5, 5).ci_upper == pytest.approx(5.0)
    outside, inside = tost(edge + 0.01, 1.0, -5, 5), tost(edge - 0.01, 1.0, -5, 5)
    assert not outside.equivalent and outside.p_tost > 0.05 and outside.ci_upper > 5
    assert inside.equivalent and inside.p_tost < 0.05 and inside.ci_upper < 5


def test_tost_by_hand_normal_and_t():
    z = tost(1.0, 1.0, -3, 3)
    # p_low = P(Z > 4), p_high = P(Z > 2) = 0.02275
    assert z.p_tost == pytest.approx(sps.norm.sf(2)) and round(z.p_tost, 5) == 0.02275
    assert z.equivalent
    t = tost(1.0, 1.0, -3, 3, df=5)
    assert t.p_tost == pytest.approx(sps.t.sf(2, 5)) and round(t.p_tost, 4) == 0.0510
    assert not t.equivalent  # the t distribution's heavier tails on 5 df
    assert t.ci_upper == pytest.approx(1 + sps.t.ppf(0.95, 5))


def test_estimate_from_sample_with_design_effect():
    plain = SurveyEstimate.from_sample(30, 1000)
    weighted = SurveyEstimate.from_sample(30, 1000, effective_n=500)
    assert plain.se == pytest.approx(100 * math.sqrt(0.21 / 1000))
    assert weighted.se == pytest.approx(100 * math.sqrt(0.21 / 500))
    assert round(weighted.se, 3) == 2.049


def test_suppressed_estimate_is_insufficient_data():
    with pytest.raises(InsufficientData):
        SurveyEstimate.from_interval(30.0, None, 35.0)
    with pytest.raises(InsufficientData):
        survey_change_test(SurveyEstimate(30, 0.0), SurveyEstimate(31, 0.0), margin=5)
    with pytest.raises(ValueError):
        survey_change_test(SurveyEstimate(30, 1.0), SurveyEstimate(31, 1.0), margin=0)
