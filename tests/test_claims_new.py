"""C7, C11 and the new claims C12-C16: a supported case and at least three that are not."""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from hengelo_analysis.analysis.claims import claims_for, evaluate_tables
from hengelo_analysis.errors import DataError
from hengelo_analysis.reference import twente_gemeenten
from hengelo_analysis.sources.youth_national import clean_youth_national
from tests.claims_tables import (
    YEARS,
    G,
    crime,
    population,
    series,
    survey_area,
    verdict,
    with_businesses,
    youth_rows,
)

CLAIMS = claims_for("GM0164")  # the Hengelo claim file: the tables below are built for it

HALT, JR = "halt_verwijzingen", "jeugdreclassering"
YOUTH_YEARS = range(2015, 2025)
FLAT_NOISY = [200, 230, 190, 215, 205, 180, 225, 210, 195, 220]


def youth(halt: dict, jr: dict | None, area: str = G) -> pd.DataFrame:
    spec = {(area, HALT): halt}
    if jr is not None:
        spec[(area, JR)] = jr
    return youth_rows(spec)


# --------------------------------------------------------------------------- C7


def test_c7_both_falling_supported_and_says_both_must_hold():
    result = verdict(
        "C7", {"youth": youth(series(200, 0.9, YOUTH_YEARS), series(80, 0.9, YOUTH_YEARS))}
    )
    assert result.verdict == "supported"
    assert "beide maten moeten het tonen" in result.sentence
    assert result.evidence[HALT]["df"] == 7  # 10 years, slope, corona term
    assert "daalt" in result.sentence


def test_c7_one_measure_rising_is_contradicted_after_holm():
    result = verdict(
        "C7", {"youth": youth(series(200, 0.9, YOUTH_YEARS), series(40, 1.15, YOUTH_YEARS))}
    )
    assert result.verdict == "contradicted"
    assert list(result.evidence["holm"]["rejected"]) == [True, True]


def test_c7_one_falling_one_flat_is_not_supported_and_says_no_direction_for_the_flat_one():
    flat = dict(zip(YOUTH_YEARS, [60, 70, 55, 66, 61, 58, 69, 63, 57, 66], strict=True))
    result = verdict("C7", {"youth": youth(series(200, 0.9, YOUTH_YEARS), flat)})
    assert result.verdict == "not_supported"
    assert "jeugdreclasseringszaken verandert niet aantoonbaar" in result.sentence


def test_c7_a_missing_measure_is_insufficient_because_both_are_named():
    result = verdict("C7", {"youth": youth(series(200, 0.9, YOUTH_YEARS), None)})
    assert result.verdict == "insufficient_data"
    assert "beide zijn nodig" in result.evidence["reden"]


def test_c7_without_any_supplied_year_says_nothing_was_supplied_not_too_few_years():
    # Another gemeente's file only: 0 years is "nothing supplied", not "te weinig jaren (0 < 5)"
    other = youth(series(200, 0.9, YOUTH_YEARS), series(80, 0.9, YOUTH_YEARS), area="GM9999")
    result = verdict("C7", {"youth": other})
    assert result.verdict == "insufficient_data"
    assert "geen cijfers aangeleverd" in result.summary
    assert "te weinig jaren" not in result.summary + result.evidence["reden"]


def test_c7_t_inference_with_few_points_is_not_called_significant():
    # 5 points with noise: the normal distribution would call the slope significant, t does not
    years = range(2020, 2025)
    halt = dict(zip(years, [120, 100, 112, 92, 96], strict=True))
    jr = dict(zip(years, [60, 50, 56, 46, 48], strict=True))
    result = verdict("C7", {"youth": youth(halt, jr)})
    assert result.evidence[HALT]["df"] == 2
    assert result.verdict == "not_supported"


# --------------------------------------------------------------------------- C11

DIGITAL = ["3.7.4", "3.9.1", "3.9.2", "3.9.3"]


def c11_tables(trad: dict[int, int], digital_factor: float = 1.08) -> dict:
    c11 = next(c for c in CLAIMS if c.id == "C11")
    spec = {(G, code): series(60, digital_factor) for code in DIGITAL}
    spec[(G, "3.9.1")] = {y: (0 if y < 2016 else v) for y, v in spec[(G, "3.9.1")].items()}
    for code in c11.params["traditional"]:
        spec[(G, code)] = trad
    return {"crime": crime(spec)}


def test_c11_supported_with_both_series_over_the_same_years():
    result = verdict("C11", c11_tables(series(150, 0.95)))
    assert result.verdict == "supported"
    assert result.evidence["digitaal"]["jaren"] == result.evidence["traditioneel"]["jaren"]
    assert result.evidence["venster"] == "2016-2024"


def test_c11_a_fall_before_the_common_window_does_not_count():
    # traditional crime fell 2012-2015 and is flat since: over 2016-2024 it does not fall
    trad = {y: (300 - 30 * (y - 2012) if y < 2016 else 180 + (5 if y % 2 else -5)) for y in YEARS}
    result = verdict("C11", c11_tables(trad))
    assert result.verdict == "not_supported"
    assert "traditionele vermogenscriminaliteit verandert niet aantoonbaar" in result.sentence


def test_c11_reverse_shift_contradicted_and_both_rising_not_supported():
    assert verdict("C11", c11_tables(series(150, 1.05), 0.92)).verdict == "contradicted"
    assert verdict("C11", c11_tables(series(150, 1.04))).verdict == "not_supported"


# --------------------------------------------------------------------------- C12

URBAN = ["GM0363", "GM0518", "GM0599"]  # same stedelijkheid as the gemeente
RURAL = ["GM1680", "GM1681"]


def c12_tables(own: float, urban: float, nl: float = 2.0, noisy: bool = False) -> dict:
    """Rates of 1.3.1 per 1,000: gemeente, three urban gemeenten (klasse 2), NL (rural at 1.0)."""
    pop = population(
        {G: (80_000, 2), **{u: (90_000, 2) for u in URBAN}, **{r: (30_000, 4) for r in RURAL}}
        | {"NL00": (17_000_000, None)}
    )
    wobble = [1.5, 0.5, 1.4, 0.6, 1.5, 0.5, 1.4, 0.6, 1.5, 0.5, 1.4, 0.6, 1.0]
    own_counts = {y: round(80 * own * (wobble[i] if noisy else 1)) for i, y in enumerate(YEARS)}
    spec = {(G, "1.3.1"): own_counts, ("NL00", "1.3.1"): dict.fromkeys(YEARS, round(17_000 * nl))}
    spec |= {(u, "1.3.1"): dict.fromkeys(YEARS, round(90 * urban)) for u in URBAN}
    spec |= {(r, "1.3.1"): dict.fromkeys(YEARS, 30) for r in RURAL}
    return {"crime": crime(spec), "population": pop}


def test_c12_high_like_the_urban_gemeenten_is_supported():
    result = verdict("C12", c12_tables(own=2.6, urban=2.6))
    assert result.verdict == "supported"
    assert result.evidence["stedelijke_gemeenten"] == URBAN
    assert result.evidence["gemeente_tegen_nl"]["ratio"] == pytest.approx(1.3, abs=0.01)


def test_c12_urban_gemeenten_at_the_national_level_contradict_the_urban_explanation():
    result = verdict("C12", c12_tables(own=2.6, urban=2.0))
    assert result.verdict == "contradicted"
    assert "meer dan de marge" in result.sentence


def test_c12_plain_summary_gives_the_urban_gemeenten_a_verb():
    # "even stedelijke gemeenten 1,07 keer zoveel" has no verb: not B1 Dutch
    result = verdict("C12", c12_tables(own=2.6, urban=2.0))
    assert "; gemeenten die even stedelijk zijn, hadden " in result.summary
    assert "even stedelijke gemeenten" not in result.summary


def test_c12_gemeente_not_above_nl_is_not_supported():
    result = verdict("C12", c12_tables(own=2.0, urban=2.1))
    assert result.verdict == "not_supported"


def test_c12_noisy_series_cannot_show_equivalence():
    result = verdict("C12", c12_tables(own=2.6, urban=2.6, noisy=True))
    assert result.evidence["gemeente_tegen_stedelijk"]["dispersie"] > 1
    assert result.verdict == "not_supported"
    assert "niet aantoonbaar gelijkwaardig" in result.sentence


def test_c12_missing_stedelijkheid_is_insufficient():
    tables = c12_tables(own=2.6, urban=2.6)
    tables["population"].loc[tables["population"]["area_code"] == G, "stedelijkheid"] = None
    assert verdict("C12", tables).verdict == "insufficient_data"


# --------------------------------------------------------------------------- C13

TWENTE = list(twente_gemeenten()["gemeentecode"])


def c13_tables(own_rate: float, others: float = 0.10) -> dict:
    pop = population({c: (50_000, 3) for c in TWENTE})
    rates = {c: others + 0.001 * i for i, c in enumerate(TWENTE)}
    rates[G] = own_rate
    return {"population": with_businesses(pop, rates)}


def test_c13_highest_of_twente_is_supported():
    result = verdict("C13", c13_tables(0.2))
    assert result.verdict == "supported"
    assert result.evidence["rang"] == 1 and result.evidence["van"] == 14


def test_c13_second_is_contradicted_and_names_the_highest():
    tables = c13_tables(0.2)
    pop = tables["population"]
    pop.loc[pop["area_code"] == "GM0153", "business_establishments"] = 50_000 * 0.25
    result = verdict("C13", tables)
    assert result.verdict == "contradicted"
    assert result.evidence["rang"] == 2
    assert "Enschede" in result.sentence


def test_c13_a_missing_twente_gemeente_is_insufficient():
    tables = c13_tables(0.2)
    pop = tables["population"]
    pop.loc[pop["area_code"] == "GM1774", "business_establishments"] = None
    result = verdict("C13", tables)
    assert result.verdict == "insufficient_data"
    assert "GM1774" in result.evidence["reden"]


def test_c13_without_the_kwb_column_or_outside_twente_is_insufficient():
    tables = c13_tables(0.2)
    del tables["population"]["business_establishments"]
    assert verdict("C13", tables).verdict == "insufficient_data"
    c13 = next(c for c in CLAIMS if c.id == "C13")
    [other] = evaluate_tables(c13_tables(0.2), "GM0363", 2024, claims=(c13,))
    assert other.verdict == "insufficient_data"


# --------------------------------------------------------------------------- C14


def c14_tables(nl_factors: tuple[float, float] | None, own: float = 0.9) -> dict:
    tables = {"youth": youth(series(200, own, YOUTH_YEARS), series(80, own, YOUTH_YEARS))}
    if nl_factors is not None:
        national = youth_rows(
            {
                ("NL00", HALT): series(15_000, nl_factors[0], YOUTH_YEARS),
                ("NL00", JR): series(6_000, nl_factors[1], YOUTH_YEARS),
            }
        )
        tables["youth_national"] = national.assign(source="test")
    return tables


def test_c14_without_a_national_series_says_what_to_supply():
    result = verdict("C14", c14_tables(None))
    assert result.verdict == "insufficient_data"
    assert "jeugd_nederland.csv" in result.evidence["reden"]


def test_c14_falling_here_and_nationally_is_supported():
    result = verdict("C14", c14_tables((0.95, 0.95)))
    assert result.verdict == "supported"
    assert set(result.evidence["nederland"]) == {HALT, JR}


def test_c14_a_national_rise_contradicts_and_a_flat_one_is_not_supported():
    assert verdict("C14", c14_tables((0.95, 1.05))).verdict == "contradicted"
    flat = c14_tables((0.95, 1.0))
    assert verdict("C14", flat).verdict == "not_supported"


def test_c14_no_local_decline_is_not_supported():
    assert verdict("C14", c14_tables((0.95, 0.95), own=1.0)).verdict == "not_supported"


def test_youth_national_template_reads_and_demands_a_source(tmp_path):
    template = Path(__file__).resolve().parents[1] / "docs" / "templates" / "jeugd_nederland.csv"
    empty = clean_youth_national(template)
    assert empty["count"].isna().all() and set(empty["area_code"]) == {"NL00"}
    good = tmp_path / "jeugd_nederland.csv"
    good.write_text("jaar;halt_verwijzingen;bron\n2023;14000;Halt jaarverslag 2023\n")
    table = clean_youth_national(good)
    assert table.loc[0, "count"] == 14000 and table.loc[0, "source"] == "Halt jaarverslag 2023"
    bad = tmp_path / "bad.csv"
    bad.write_text("jaar;halt_verwijzingen;bron\n2023;14000;\n")
    with pytest.raises(DataError, match="source"):
        clean_youth_national(bad)


# --------------------------------------------------------------------------- C15


def c15_tables(weapons: dict[int, int | None]) -> dict:
    spec = {(G, "3.1.3"): weapons, (G, "3.1.1"): series(60, 0.97)}
    return {"crime": crime(spec)}


def test_c15_published_every_year_is_supported_and_witwassen_is_named():
    result = verdict("C15", c15_tables(dict.fromkeys(YEARS, 25)))
    assert result.verdict == "supported"
    assert "witwassen heeft geen code" in result.sentence
    # the trend of 3.1.1 is C19's (one window for the report), not stated a second time here
    assert "(C19)" in result.sentence and "drugshandel" not in result.evidence


def test_c15_small_counts_are_flagged_as_rough():
    result = verdict("C15", c15_tables(dict.fromkeys(YEARS, 4)))
    assert result.verdict == "supported"
    assert "een ruwe indicatie" in result.sentence


def test_c15_gaps_not_supported_none_contradicted_no_table_insufficient():
    gaps = {y: (None if y in (2021, 2023) else 20) for y in YEARS}
    assert verdict("C15", c15_tables(gaps)).verdict == "not_supported"
    assert verdict("C15", c15_tables(dict.fromkeys(YEARS))).verdict == "contradicted"
    assert verdict("C15", {}).verdict == "insufficient_data"


def test_c15_window_from_the_claim_file():
    recent = {y: (None if y < 2022 else 20) for y in YEARS}
    assert verdict("C15", c15_tables(recent)).verdict == "not_supported"
    c15 = next(c for c in CLAIMS if c.id == "C15")
    short = replace(c15, params={**c15.params, "years": 3})
    [result] = evaluate_tables(c15_tables(recent), G, 2024, claims=(short,))
    assert result.verdict == "supported"


# --------------------------------------------------------------------------- C16


def test_c16_quoted_figure_inside_the_interval_is_supported():
    survey = survey_area("NL01", [("slachtoffer_online", 2021, 16.7, 16.4, 17.0)])
    result = verdict("C16", {"survey": survey})
    assert result.verdict == "supported"
    assert "15 jaar en ouder" in result.sentence


def test_c16_outside_the_interval_is_contradicted():
    survey = survey_area("NL01", [("slachtoffer_online", 2021, 15.6, 15.1, 16.2)])
    assert verdict("C16", {"survey": survey}).verdict == "contradicted"


def test_c16_a_gemeente_figure_is_no_proxy_and_a_missing_margin_is_insufficient():
    own = survey_area(G, [("slachtoffer_online", 2021, 17.0, 15.0, 19.0)])
    assert verdict("C16", {"survey": own}).verdict == "insufficient_data"
    no_margin = survey_area("NL01", [("slachtoffer_online", 2021, 17.0, None, None)])
    assert verdict("C16", {"survey": no_margin}).verdict == "insufficient_data"
    other_year = survey_area("NL01", [("slachtoffer_online", 2023, 17.4, 17.1, 17.7)])
    assert verdict("C16", {"survey": other_year}).verdict == "insufficient_data"


def test_c12_margin_in_the_claim_file_decides():
    tables = c12_tables(own=2.6 * 1.1, urban=2.6)  # 10% above the urban gemeenten
    assert verdict("C12", tables).verdict == "supported"
    c12 = next(c for c in CLAIMS if c.id == "C12")
    tight = replace(c12, params={**c12.params, "margin": 0.05})
    [result] = evaluate_tables(tables, G, 2024, claims=(tight,))
    assert result.verdict == "contradicted"
