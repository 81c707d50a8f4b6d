"""The adversarial statistician's cases (issue 12 review): each asserts the corrected verdict."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from hengelo_analysis.analysis import peers
from hengelo_analysis.analysis.claims import claim_file_for
from hengelo_analysis.analysis.claims.model import Context
from hengelo_analysis.analysis.claims.ondermijning import signed_pct
from hengelo_analysis.analysis.claims.registry import EVALUATORS
from tests.claims_cases import C1_YEARS, PROXY_NOTE, c1_open, c2, c3, c5, c6, rising_then
from tests.claims_tables import (
    YEARS,
    G,
    crime,
    incidents,
    nuisance,
    population,
    series,
    survey_area,
    verdict,
    with_businesses,
)
from tests.test_claims_regions import SAME, c10_tables


def test_c1_a_stale_supplied_file_does_not_beat_a_newer_open_table():
    stale = incidents(series(400, 1.12, range(2015, 2021)))
    result = verdict("C1", {"incidents": stale, **c1_open(rising_then((0.9, 0.8)))})
    # the open table reaches 2024 and falls over its last two years
    assert result.evidence["bron"].startswith("politie, geregistreerde overlast")
    assert result.verdict == "contradicted"


def test_c1_a_series_ending_before_the_peiljaar_is_insufficient_and_says_so():
    result = verdict("C1", {"incidents": incidents(series(400, 1.12, range(2010, 2020)))})
    assert result.verdict == "insufficient_data"
    assert "loopt tot 2019" in result.sentence and "peiljaar 2024" in result.sentence


def test_c1_on_equal_reach_the_supplied_file_still_wins():
    both = {
        **c1_open(dict.fromkeys(C1_YEARS, 500)),
        "incidents": incidents(series(400, 1.12, C1_YEARS)),
    }
    assert verdict("C1", both).evidence["bron"].startswith("aangeleverd")


def test_c6_every_police_series_is_needed():
    no_e38 = c6(6.0, 1.15)
    del no_e38["nuisance"]
    no_211 = c6(6.0, 1.15)
    del no_211["crime"]
    for tables, code in ((no_e38, "E38"), (no_211, "2.1.1")):
        result = verdict("C6", tables)
        assert result.verdict == "insufficient_data"
        assert result.evidence["politie_ontbreekt"] == [code]
        assert "politiereeks ontbreekt" in result.sentence


def test_c6_a_suppressed_competing_item_leaves_the_ranking_unjudged():
    tables = c6(6.0, 1.15, other_item=25.0)
    s = tables["survey"]
    latest_other = (s["indicator"] == "overlast_verwarde_personen") & (s["year"] == 2023)
    s.loc[latest_other, ["value", "lower", "upper"]] = float("nan")
    result = verdict("C6", tables)
    assert result.verdict == "insufficient_data"
    assert result.evidence["rangorde_onderdrukt"] == ["overlast_verwarde_personen"]
    assert "ontbreekt of is onderdrukt in 2023" in result.sentence


def test_c6_without_competing_items_the_ranking_is_not_tested_so_not_supported():
    tables = c6(6.0, 1.15)
    s = tables["survey"]
    tables["survey"] = s[s["indicator"] != "overlast_verwarde_personen"]
    result = verdict("C6", tables)
    assert result.verdict == "not_supported"
    assert result.evidence["rangorde_getoetst"] is False
    assert "niet getoetst" in result.sentence
    assert verdict("C6", c6(6.0, 1.15)).verdict == "supported"  # the same case with the item


def _c10_flat_references(own_factor: float) -> dict:
    """The reviewer's case: the references flat with noise, the gemeente falling slightly."""
    tables = c10_tables(dict.fromkeys(SAME, own_factor), refs=1.0)
    noise = [1.0, 1.03, 0.97, 1.02, 0.98, 1.03, 0.97, 1.02, 0.98, 1.03, 0.97, 1.02, 0.98]
    for name in ("crime", "nuisance"):
        df = tables[name]
        refs = df["area_code"] != G
        df.loc[refs, "registered"] = [
            round(v * noise[y - 2012])
            for v, y in zip(df.loc[refs, "registered"], df.loc[refs, "year"], strict=True)
        ]
    return tables


def test_c10_a_reference_without_a_trend_of_its_own_is_not_followed():
    result = verdict("C10", _c10_flat_references(0.99))
    nl = result.evidence["reeksen"]["misdrijven"]["nederland"]
    assert nl["reference_p"] >= 0.05 and nl["gemeente_p"] < 0.05
    assert result.verdict == "not_supported"
    assert not nl["volgt"]
    assert "de referentie heeft zelf geen aantoonbare trend om te volgen" in result.sentence


def test_c10_one_other_twente_gemeente_is_not_the_region():
    tables = {
        k: v[v["area_code"] != "GM0141"] if "area_code" in v else v
        for k, v in c10_tables(SAME).items()
    }
    result = verdict("C10", tables)
    assert result.verdict == "insufficient_data"
    assert "maar 1 gemeente(n) met cijfers, minder dan 2" in result.sentence
    assert verdict("C10", c10_tables(SAME)).verdict == "supported"  # with both of them


def _c9_peers(own_rate: float, peer_rates: list[float], years=range(2019, 2025)) -> dict:
    """The reviewer's C9 builder: peers of 80,000 inhabitants at the given rates per 1,000."""
    peer_codes = [f"GM09{i:02d}" for i in range(len(peer_rates))]
    pop = population({G: (80_000, 2), **{p: (80_000, 2) for p in peer_codes}}, years)
    spec = {(G, "2.5.2"): {y: round(own_rate * 80) for y in years}}
    for code, rate in zip(peer_codes, peer_rates, strict=True):
        spec[(code, "2.5.2")] = {y: round(rate * 80) for y in years}
    return {"crime": crime(spec), "population": pop}


def test_c9_four_heterogeneous_peers_cannot_support_below():
    result = verdict("C9", _c9_peers(2.5, [1.0, 3.0, 5.0, 8.0]))
    assert result.evidence["oordeel_zonder_spreiding"] == "supported"  # plain Poisson limits
    assert result.verdict == "not_supported"
    assert result.evidence["spreiding_niet_te_schatten_in"] == ["2021", "2022", "2023", "2024"]
    assert "zonder geschatte spreiding" in result.sentence


def test_c9_twelve_heterogeneous_peers_are_judged_on_widened_limits():
    rates = [1.0, 3.0, 5.0, 8.0, 2, 4, 6, 7, 1.5, 3.5, 5.5, 7.5]
    result = verdict("C9", _c9_peers(2.5, rates))
    assert result.evidence["spreiding_niet_te_schatten_in"] == []
    assert result.evidence["per_jaar"]["2024"]["correctie"] == "additive"
    assert result.verdict == result.evidence["oordeel_zonder_spreiding"]


def _c16(*rows: tuple[int, float, float, float]) -> dict:
    return {"survey": survey_area("NL01", [("slachtoffer_online", *r) for r in rows])}


def test_c16_a_correctly_rounded_quote_is_supported():
    # 16.6 [16.3-16.9] rounds to 17: "17%" stands for [16.5, 17.5), which overlaps the interval
    result = verdict("C16", _c16((2021, 16.6, 16.3, 16.9)))
    assert result.verdict == "supported"
    assert result.evidence["afrondingsinterval"] == [16.5, 17.5]
    assert verdict("C16", _c16((2021, 16.2, 16.0, 16.4))).verdict == "contradicted"


def test_c16_a_wave_after_the_peiljaar_is_not_used():
    result = verdict("C16", _c16((2021, 17.0, 16.7, 17.3)), peiljaar=2019)
    assert result.verdict == "insufficient_data"
    assert "na het peiljaar 2019" in result.sentence


def test_c16_two_different_national_rows_give_no_verdict():
    result = verdict("C16", _c16((2021, 12.0, 11.5, 12.5), (2021, 17.0, 16.5, 17.5)))
    assert result.verdict == "insufficient_data"
    assert "2 verschillende cijfers" in result.sentence
    # an exact duplicate row is one figure
    assert verdict("C16", _c16((2021, 17.0, 16.5, 17.5), (2021, 17.0, 16.5, 17.5))).verdict == (
        "supported"
    )


def test_c2_judges_gemeente_and_nl_over_common_years_reaching_the_peiljaar():
    tables = c2(0.97)
    cr = tables["crime"]
    first_code = cr["crime_code"].iloc[0]
    unpublished = (cr["area_code"] == G) & (cr["year"] >= 2020) & (cr["crime_code"] == first_code)
    cr.loc[unpublished, "registered"] = pd.NA
    result = verdict("C2", tables)
    assert result.verdict == "insufficient_data"
    assert "gemeenschappelijke jaren tot 2019, niet tot het peiljaar 2024" in result.sentence
    assert verdict("C2", c2(0.97)).verdict == "supported"


def test_c2_zero_inhabitants_are_named_not_too_few_years():
    tables = c2(0.97)
    pop = tables["population"]
    pop.loc[(pop["area_code"] == G) & (pop["year"] == 2018), "inhabitants"] = 0
    result = verdict("C2", tables)
    assert result.verdict == "insufficient_data"
    assert "inwonertal van GM0164 is 0 of negatief in 2018" in result.sentence


def test_c3_says_per_inwoner_only_when_rates_were_tested():
    counts = verdict("C3", c3((342, 516), [(3000, 3016)]))
    assert counts.evidence["blootstelling"] == "geen"
    assert "per inwoner" not in counts.sentence and "in aantallen" in counts.sentence
    tables = c3((342, 516), [(3000, 3016)])
    tables["population"] = population({G: (80_000, 2)})
    rates = verdict("C3", tables)
    assert "+5,1% per inwoner" in rates.sentence


def test_c3_share_is_in_the_same_terms_as_the_rate_test():
    tables = c3((342, 600), [(3000, 3200)])
    pop = population({G: (80_000, 2)})
    pop.loc[pop["year"] == 2022, "inhabitants"] = 84_000
    tables["population"] = pop
    result = verdict("C3", tables)
    # 2022 brought to 2021's inhabitants: (600 * 80/84 - 342) / (4168 * 80/84 - 3710)
    scale = 80 / 84
    expected = (600 * scale - 342) / (4168 * scale - 3710)
    assert result.evidence["aandeel_in_stijging"] == round(expected, 4)
    assert abs(expected - 258 / 458) > 0.2  # the count share would differ


def test_c5_an_expected_value_other_than_stijgend_or_dalend_is_an_error_naming_the_claim():
    c5_claim = claim_file_for(G).claim("C5")
    typo = replace(
        c5_claim,
        params={
            **c5_claim.params,
            "expected": {**c5_claim.params["expected"], "onveilig_buurt": "stijgt"},
        },
    )
    tables = c5((24.0, 27.0, 0.8), (30.0, 27.5, 0.8))
    with pytest.raises(ValueError, match=r"claim C5: expected \{'onveilig_buurt': 'stijgt'\}"):
        EVALUATORS[typo.kind](typo, Context(tables, G, 2024, 1000))


def test_c5_a_large_shift_the_stated_way_contradicts_no_large_shift_and_says_so():
    result = verdict("C5", c5((24.0, 34.0, 1.0), (30.0, 27.5, 0.8)))
    assert result.verdict == "contradicted"
    assert result.evidence["andere_kant"] == []
    assert result.evidence["grote_verschuiving_genoemde_kant"] == ["onveilig_buurt"]
    assert "gaat de genoemde kant op, maar is groter dan de marge" in result.sentence


def _c13(rates: dict[str, float]) -> dict:
    pop = population({a: (80_000, 2) for a in peers.twente()})
    return {"population": with_businesses(pop, rates)}


def test_c13_a_tie_for_first_is_not_contradicted_nor_supported():
    rates = dict.fromkeys(peers.twente(), 0.05)
    rates[G] = rates["GM0153"] = 0.08
    result = verdict("C13", _c13(rates))
    assert result.verdict == "not_supported"
    assert result.evidence["rang"] == 1 and result.evidence["gedeeld_met"] == ["GM0153"]
    assert "gedeeld het hoogste" in result.sentence
    rates["GM0153"] = 0.05
    assert verdict("C13", _c13(rates)).verdict == "supported"
    rates["GM0153"] = 0.09
    assert verdict("C13", _c13(rates)).verdict == "contradicted"


# drugshandel counts whose fall has an upper 95% limit of about -0.004% per year
NEAR_ZERO_FALL = [192, 189, 184, 184, 192, 172, 182, 180, 168, 162, 165, 165, 166]


def test_c15_a_negative_upper_limit_keeps_its_sign():
    from hengelo_analysis.formatting import format_percentage

    assert signed_pct(-0.004) == "-0,0%" and signed_pct(0.004) == "+0,0%"
    assert signed_pct(-2.26) == "-2,3%" and signed_pct(0) == "0,0%"
    # every signed percentage of every claim: a small fall never reads as "+0,0%"
    assert format_percentage(-0.004, signed=True) == "-0,0%"
    assert format_percentage(0.004, signed=True) == "+0,0%"


def test_c5_swapped_interval_limits_give_no_verdict():
    tables = c5((24.0, 27.0, 0.8), (30.0, 27.5, 0.8))
    s = tables["survey"]
    last = (s["indicator"] == "onveilig_buurt") & (s["year"] == 2023)
    s.loc[last, ["lower", "upper"]] = s.loc[last, ["upper", "lower"]].to_numpy()
    result = verdict("C5", tables)
    assert result.verdict == "insufficient_data"
    assert "omvat de waarde" in result.sentence


def test_a_proxy_clause_after_another_clause_of_the_note_is_still_found():
    note = "methodebreuk 2021: alleen online; " + PROXY_NOTE
    result = verdict("C5", c5((24.0, 27.0, 0.8), (30.0, 27.5, 0.8), method_note=note))
    assert result.evidence["gebied"] == "VR05" and result.evidence["proxy"] is True


def test_c10_reads_nuisance_years_from_months_as_c1_does():
    tables = c10_tables(SAME)
    by_year = tables["nuisance"]
    spec = {
        key: dict(zip(g["year"], g["registered"], strict=True))
        for key, g in by_year.groupby(["area_code", "nuisance_code"])
    }
    tables["nuisance"] = nuisance(spec, monthly=True)  # months only, as 47024NED publishes
    result = verdict("C10", tables)
    assert result.verdict == "supported"
    assert result.evidence["reeksen"]["verward"]["nederland"]["n_years"] == len(YEARS)


def test_c15_a_download_without_the_code_cannot_say_there_are_no_figures():
    """Only 0.0.0 rows (a partial tree): insufficient_data, not "contradicted"."""
    result = verdict("C15", {"crime": crime({(G, "0.0.0"): dict.fromkeys(YEARS, 4000)})})
    assert result.verdict == "insufficient_data"
    assert "staat niet in de misdrijftabel" in result.sentence
