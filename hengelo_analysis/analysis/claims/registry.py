"""The evaluator kinds: what a claim file's ``kind`` may name (checked when the file is loaded)."""

from __future__ import annotations

from collections.abc import Callable

from hengelo_analysis.analysis.claims import (
    alcohol_drugs,
    businesses,
    crime,
    digital,
    digital_victims,
    drug_trade,
    notable_rise,
    nuisance,
    ondermijning,
    peer_funnel,
    regions,
    resident_reports,
    supplied,
    survey,
    traffic,
    urban,
    youth_national,
)

# A claim's ``kind`` names its evaluator; each returns (verdict, evidence, detail, test, summary).
EVALUATORS: dict[str, Callable] = {
    "confused_behaviour": nuisance.eval_confused_behaviour,
    "national_trend": crime.eval_national_trend,
    "rise_by_code": crime.eval_rise_by_code,
    "rate_vs_nl_and_trend": traffic.eval_rate_vs_nl_and_trend,
    "survey_direction_no_large_shift": survey.eval_survey_direction_no_large_shift,
    "survey_up_and_police": alcohol_drugs.eval_survey_up_and_police,
    "youth": supplied.eval_youth,
    "crime_trend": crime.eval_crime_trend,
    "below_peers": peer_funnel.eval_below_peers,
    "follows_regions": regions.eval_follows_regions,
    "digital_shift": digital.eval_digital_shift,
    "urban_accidents": urban.eval_urban_accidents,
    "most_businesses": businesses.eval_most_businesses,
    "youth_national": youth_national.eval_youth_national,
    "concrete_data": ondermijning.eval_concrete_data,
    "quoted_survey_figure": digital_victims.eval_quoted_survey_figure,
    "notable_rise": notable_rise.eval_notable_rise,
    "resident_reports": resident_reports.eval_resident_reports,
    "drug_trade": drug_trade.eval_drug_trade,
}
