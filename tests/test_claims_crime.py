"""C2, C3, C4 and C8 on registered crime: verdicts a statistician would sign (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from hengelo_analysis.domain import COMMON_CRIME, TOTAL_CRIME
from tests.claims_cases import CASES, c2, c3, c4, c8_six_points
from tests.claims_tables import G, case_verdict, crime, series, verdict

pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)
CRIME_CASES = {k: v for k, v in CASES.items() if v[0] in ("C2", "C3", "C4", "C8")}


@pytest.mark.parametrize("name", sorted(CRIME_CASES))
def test_crime_cases_have_their_known_verdict(name):
    claim_id, tables, expected = CRIME_CASES[name]
    assert case_verdict(claim_id, tables).verdict == expected


def test_c2_uses_the_common_crime_codes_not_the_total():
    assert TOTAL_CRIME not in COMMON_CRIME and len(COMMON_CRIME) >= 10
    only_total = {
        "crime": crime({(G, "0.0.0"): series(4400, 0.97), ("NL00", "0.0.0"): series(9e5, 0.98)})
    }
    assert verdict("C2", only_total).verdict == "insufficient_data"
    assert verdict("C2", c2(0.97)).evidence["codes"] == list(COMMON_CRIME)


def test_c2_minus_one_against_minus_five_says_direction_only_never_follows():
    result = verdict("C2", c2(0.99, 0.95, own_total=60_000))
    assert result.evidence["gemeente"]["pct_per_jaar"] == pytest.approx(-1.0, abs=0.05)
    assert result.evidence["nederland"]["pct_per_jaar"] == pytest.approx(-5.0, abs=0.05)
    text = result.sentence.lower()
    assert "volgt" not in text and "in lijn" not in text and "even snel" in text


def test_c3_needs_half_of_the_rise_not_the_largest_contributor():
    spread = verdict("C3", c3((342, 402), [(300, 325)] * 10))
    assert spread.evidence["grootste_stijger"] == "1.2.3"  # the old escape would have passed
    assert spread.evidence["aandeel_in_stijging"] < 0.5 and spread.verdict == "not_supported"
    small = verdict("C3", c3((342, 516), [(3000, 3016)]))
    assert small.evidence["aandeel_in_stijging"] == pytest.approx(174 / 190, abs=1e-3)
    assert small.evidence["totaal"]["licht"] is True
    assert "elektrische fietsen zijn er niet apart uit te halen" in small.sentence


def test_c3_a_large_rise_is_not_light():
    large = verdict("C3", c3((342, 900), [(3000, 3300)]))
    assert large.evidence["totaal"]["licht"] is False and large.verdict == "not_supported"


def test_c3_unpublished_total_is_insufficient_not_zero():
    tables = c3((342, 516), [(3000, 3016)])
    df = tables["crime"]
    df.loc[(df["crime_code"] == "0.0.0") & (df["year"] == 2022), "registered"] = None
    assert verdict("C3", tables).verdict == "insufficient_data"
    assert (
        verdict("C3", c3((342, 516), [(3000, 3016)]), peiljaar=2021).verdict == "insufficient_data"
    )


def test_c4_accidents_part_holds_but_drugs_cannot_be_shown():
    result = verdict("C4", c4(160))
    assert result.evidence["1.3.1"]["deeloordeel"] == "supported"
    assert result.evidence["1.3.1"]["rate_ratio_vs_nl"] == pytest.approx(2.0, abs=1e-3)
    assert result.evidence["3.5.2"]["deeloordeel"] == "not_supported"
    assert result.verdict == "not_supported"
    assert "alcohol én drugs" in result.sentence and "controleert" in result.sentence


def test_c4_bron_enters_when_supplied_without_material_damage():
    result = verdict("C4", c4(160, bron=True))
    bron = result.evidence["bron_ongevallen"]
    assert bron["jaren"] == "2013-2024"  # after the 2009-2012 registration break
    assert bron["richting"] == "dalend" and "BRON" in result.sentence


def test_c4_without_population_is_insufficient():
    tables = c4(160)
    del tables["population"]
    assert verdict("C4", tables).verdict == "insufficient_data"


def test_c8_six_points_z_would_call_it_a_fall_t_does_not():
    tables = c8_six_points()
    counts = tables["crime"]["registered"].astype(float).to_numpy()
    design = sm.add_constant(np.arange(len(counts), dtype=float))
    z_fit = sm.GLM(counts, design, family=sm.families.Poisson()).fit()
    assert z_fit.pvalues[1] < 0.05  # a normal-distribution test says "daalt"
    result = verdict("C8", tables)
    assert result.evidence["trend"]["vrijheidsgraden"] == 4
    assert result.evidence["trend"]["p"] > 0.05
    assert result.verdict == "not_supported" and "daalt" not in result.sentence


def test_trend_evidence_carries_df_and_dispersion():
    result = verdict("C8", {"crime": crime({(G, "2.5.1"): series(250, 0.93)})})
    trend = result.evidence["trend"]
    assert trend["vrijheidsgraden"] == 10 and trend["schaal"] >= 1.0
    assert "dispersie" in trend and "vrijheidsgraden" in result.sentence
