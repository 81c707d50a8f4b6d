"""One rule picks the survey (own survey or Veiligheidsmonitor) for the claims and for the page.

The two old rules disagreed when a wave was suppressed (the claims counted it, the page did not)
and when a wave lay after the peiljaar (the page counted it, the claims did not); both cases are
here, judged once by the rule and once through each caller.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import claims
from hengelo_analysis.analysis.survey_source import main_survey_source
from hengelo_analysis.pages import enquete

G = "GM0164"
OWN, VM = "eigen_enquete", "veiligheidsmonitor"
KERN = ["onveilig_buurt", "tevreden_aanpak_gemeente"]


def survey(rows: list[tuple[str, int, str, float | None]], area: str = G) -> pd.DataFrame:
    """rows: (indicator, year, source, value); a value of None is a suppressed wave."""
    return pd.DataFrame(
        [
            {
                "area_code": area,
                "area_level": "gemeente",
                "year": year,
                "indicator": indicator,
                "value": value,
                "lower": None if value is None else value - 2.0,
                "upper": None if value is None else value + 2.0,
                "n": 1500,
                "source": source,
                "method_note": None,
            }
            for indicator, year, source, value in rows
        ]
    ).astype({"value": "Float64", "lower": "Float64", "upper": "Float64", "n": "Int64"})


def both(indicator: str, years_values: dict[int, float | None], source: str) -> list[tuple]:
    return [(indicator, y, source, v) for y, v in years_values.items()]


# VM has three waves but the 2023 one is suppressed; the own survey has two published waves.
# Old claims rule: VM (3 waves counted). Old page rule: a 2-2 tie, own survey. Now: own survey.
SUPPRESSED = [
    row
    for i in KERN
    for row in both(i, {2019: 20.0, 2021: 21.0}, OWN)
    + both(i, {2019: 15.0, 2021: 16.0, 2023: None}, VM)
]

# Up to the peiljaar 2024 both have three waves (a tie: own survey); VM has a fourth in 2025.
# Old page rule (every wave): VM, 4 against 3. Old claims rule: own survey. Now: own survey.
LATER = [
    row
    for i in KERN
    for row in both(i, {2019: 20.0, 2021: 21.0, 2023: 22.0}, OWN)
    + both(i, {2018: 15.0, 2021: 16.0, 2023: 17.0, 2025: 18.0}, VM)
]


def test_suppressed_waves_do_not_count():
    assert main_survey_source(survey(SUPPRESSED), G, KERN, 2024) == OWN
    vm_only_published = [r for r in SUPPRESSED if r[2] == VM and r[3] is not None]
    assert main_survey_source(survey(vm_only_published), G, KERN, 2024) == VM


def test_waves_after_the_peiljaar_do_not_count_when_it_is_given():
    table = survey(LATER)
    assert main_survey_source(table, G, KERN, 2024) == OWN  # 3 own against 3 VM up to 2024
    assert main_survey_source(table, G, KERN) == VM  # every wave: 4 VM against 3 own


def test_a_tie_goes_to_the_own_survey_whatever_the_row_order():
    rows = [r for i in KERN for r in both(i, {2021: 20.0}, VM) + both(i, {2023: 30.0}, OWN)]
    assert main_survey_source(survey(rows), G, KERN, 2024) == OWN
    assert main_survey_source(survey(rows[::-1]), G, KERN, 2024) == OWN


def test_no_published_wave_for_the_area_is_no_source():
    assert main_survey_source(None, G, KERN, 2024) is None
    assert main_survey_source(survey(SUPPRESSED).iloc[0:0], G, KERN, 2024) is None
    assert main_survey_source(survey(SUPPRESSED, area="GM0153"), G, KERN, 2024) is None
    suppressed_only = [r for r in SUPPRESSED if r[3] is None]
    assert main_survey_source(survey(suppressed_only), G, KERN, 2024) is None
    assert main_survey_source(survey(SUPPRESSED), G, ["slachtoffer_totaal"], 2024) is None


def c5_finding(table: pd.DataFrame) -> claims.Finding:
    c5 = claims.claim_file_for(G).claim("C5")
    return claims.evaluate(c5, claims.Context({"survey": table}, G, 2024))


def test_claims_and_page_pick_the_same_source_where_the_old_rules_disagreed():
    for rows in (SUPPRESSED, LATER):
        table = survey(rows)
        page = enquete.main_source(table, G, KERN, 2024)
        assert page == OWN
        # C5 judges the last two waves of the source it picked: the own survey's 2019→2021 (or
        # 2021→2023), never a VM wave, and never the suppressed or the later one.
        finding = c5_finding(table)
        evidence = finding.evidence["onveilig_buurt"]
        own = {r[1]: r[3] for r in rows if r[2] == OWN and r[0] == "onveilig_buurt"}
        last_two = sorted(own)[-2:]
        assert finding.evidence["golven"] == last_two
        assert (evidence["value1"], evidence["value2"]) == tuple(own[y] for y in last_two)


def test_only_suppressed_survey_rows_give_insufficient_data_with_a_reason():
    finding = c5_finding(survey([r for r in SUPPRESSED if r[3] is None]))
    assert finding.verdict == claims.INSUFFICIENT
    assert "gepubliceerde" in finding.evidence["reden"]
