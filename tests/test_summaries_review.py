"""A statistician's review of the plain summaries: each test is one defect found on a perturbed case.

Every case checks the summary against the evidence the evaluator recorded: the numbers a reader
can recompute from the summary itself, the precision of two rates set side by side, a downgraded
verdict that must not deny what the test saw, Dutch agreement, and the samenvatting's examples.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from hengelo_analysis.analysis import claims
from hengelo_analysis.analysis.claims import claims_for, evaluate_tables, plain
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import summary
from tests.claims_cases import c2, c3
from tests.claims_tables import G, population, verdict
from tests.test_claims_new import c12_tables, c14_tables
from tests.test_claims_regions import c9_tables, c10_tables, last4
from tests.test_claims_review import _c9_peers

pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)


def _growing_population(tables: dict, factor: float) -> dict:
    """C3's tables with inhabitants: 2022 has ``factor`` times the inhabitants of 2021."""
    pop = population({G: (80_000, 2)}, range(2021, 2023))
    pop.loc[pop["year"] == 2022, "inhabitants"] = round(80_000 * factor)
    return {**tables, "population": pop}


def test_c3_share_of_the_rise_is_said_per_inwoner_when_the_counts_shown_give_another_share():
    # the demo case: counts 3.785 → 4.112 and 370 → 677 give 94% in counts, 99% per inwoner
    tables = _growing_population(c3((370, 677), [(3047, 3067)], rest=368), 1.005)
    result = verdict("C3", tables)
    share = result.evidence["aandeel_in_stijging"]
    counts_share = (677 - 370) / (result.evidence["totaal"]["2022"] - 3785)
    assert round(100 * share) != round(100 * counts_share)  # the case shows the difference
    clause = re.search(r"[^;]*\d+% van de toename[^;]*", result.summary).group(0)
    assert "per inwoner" in clause, result.summary


def test_c3_no_share_of_a_rise_the_test_did_not_show():
    # total 1.710 → 1.748 (no clear change), bikes 342 → 420 (a clear rise): 205% of "the rise"
    result = verdict("C3", c3((342, 420), [(1000, 960)]))
    assert result.evidence["richtingen"]["het totaal aantal misdrijven"] == "geen"
    assert "van de toename" not in result.summary, result.summary


def test_c2_two_rates_side_by_side_keep_the_decimal_that_separates_them():
    # -4,5 against -4,7% per year: whole percents would print 4% against 5%
    result = verdict("C2", c2(0.955, 0.953))
    own = abs(result.evidence["gemeente"]["pct_per_jaar"])
    nl = abs(result.evidence["nederland"]["pct_per_jaar"])
    assert f"{format_number(own, 1)}% per jaar" in result.summary, result.summary
    assert f"{format_number(nl, 1)}% per jaar" in result.summary, result.summary


def test_c9_a_downgraded_support_does_not_deny_that_every_year_lay_below():
    result = verdict("C9", _c9_peers(2.5, [1.0, 3.0, 5.0, 8.0]))
    assert result.evidence["oordeel_zonder_spreiding"] == claims.SUPPORTED
    assert result.verdict == claims.NOT_SUPPORTED
    assert "niet in elk van de" not in result.summary, result.summary
    assert "in elk van de 4 jaren" in result.summary


def test_c9_contradicted_shows_the_figures_of_the_year_that_lay_above():
    result = verdict("C9", c9_tables(last4([100, 100, 160, 100])))
    assert result.verdict == claims.CONTRADICTED
    above = result.evidence["per_jaar"]["2023"]
    assert f"2023: {format_number(above['gemeente'], 1)} tegen" in result.summary, result.summary


def test_c10_verbs_agree_with_the_number_of_series():
    one = verdict("C10", c10_tables({"crime": 0.97, "overlast": 1.03, "verward": 1.03}))
    assert "volgen het geregistreerde aantal misdrijven de trend" not in one.summary, one.summary
    many = verdict("C10", c10_tables({"crime": 1.03, "overlast": 1.03, "verward": 1.03}))
    assert many.verdict == claims.CONTRADICTED
    assert " gaat een andere kant op" not in many.summary, many.summary
    assert "gaan een andere kant op" in many.summary


def test_c14_the_national_clause_has_a_subject():
    result = verdict("C14", c14_tables((0.95, 0.95)))
    assert "in Nederland daalde met" not in result.summary, result.summary
    assert "in Nederland daalde het aantal met" in result.summary


def test_c12_equivalence_within_the_margin_is_not_called_the_same_level():
    # 10% above the urban gemeenten (95%-BI 1,05-1,15), equivalent only within the ±15% margin
    result = verdict("C12", c12_tables(own=2.6 * 1.1, urban=2.6))
    assert result.verdict == claims.SUPPORTED
    assert "hetzelfde niveau" not in result.summary, result.summary
    assert "minder dan 15% verschil" in result.summary


def test_c12_the_margin_in_the_summary_is_the_claim_files():
    c12 = next(c for c in claims_for("GM0164") if c.id == "C12")
    wide = replace(c12, params={**c12.params, "margin": 0.2})
    [result] = evaluate_tables(c12_tables(own=2.6 * 1.1, urban=2.6), G, 2024, claims=(wide,))
    assert "minder dan 20% verschil" in result.summary, result.summary


@pytest.mark.parametrize(
    "reason, banned",
    [
        (
            "de rest van Twente telt in tabel 'crime' maar 1 gemeente(n) met cijfers, minder dan "
            "2: dat is geen regio",
            ("tabel 'crime'", "gemeente(n)"),
        ),
        (
            "de golven 2019 en 2021 liggen aan weerszijden van de methodebreuk van de "
            "Veiligheidsmonitor (2021): geen vergelijking",
            ("golven", "methodebreuk"),
        ),
        ("enquêtecijfer of marge niet gepubliceerd (onderdrukt?)", ("?", "marge")),
    ],
)
def test_insufficient_reasons_reach_the_reader_without_table_names_or_survey_jargon(reason, banned):
    text = plain.insufficient(reason)
    assert text.startswith("Niet te zeggen: ") and text.endswith(".")
    for word in banned:
        assert word not in text, (word, text)
    assert text != "Niet te zeggen: er zijn niet genoeg gegevens om dit te toetsen."


def test_the_method_break_reads_the_same_in_c5_c6_and_c18():
    text = plain.insufficient(
        "de golven 2019 en 2021 liggen aan weerszijden van de methodebreuk van de "
        "Veiligheidsmonitor (2021): geen vergelijking"
    )
    assert text == (
        "Niet te zeggen: de enquêtes van 2019 en 2021 zijn op een andere manier gehouden en niet "
        "te vergelijken."
    )


def test_a_last_years_rise_after_no_clear_trend_is_not_called_more_still():
    from tests.claims_cases import c1_open

    values = {y: round(400 * 1.08 ** (y - 2016)) for y in range(2015, 2025)}
    values[2015], values[2024] = 760, 740
    result = verdict("C1", c1_open(values))
    assert result.evidence["trend"]["richting"] == "geen"
    assert "nog meer" not in result.summary, result.summary


def test_moved_never_pairs_a_rise_with_falling_endpoints():
    text = plain.moved("Het aantal", "stijgend", 900, 2015, 850, 2024)
    assert "steeg van 900 in 2015 naar 850" not in text, text
    assert "900" in text and "850" in text  # the endpoints are still given


def test_samenvatting_examples_say_which_claim_they_answer():
    doc = {
        "gemeente": "GM0001",
        "peiljaar": 2024,
        "claims": {
            "C12": {
                "verdict": claims.CONTRADICTED,
                "statement": "Veel ongevallen & een stedelijk verschijnsel.",
                "summary": "Testdorp ligt ruim boven die gemeenten.",
                "sentence": "x",
                "evidence": {},
            }
        },
    }
    text = dict(summary.samenvatting_paragraphs(doc, "Testdorp"))["Wat de andere kant op wijst."]
    assert text.startswith("“Veel ongevallen & een stedelijk verschijnsel”: "), text
    assert "Veel ongevallen &amp; een" in summary.samenvatting_html(doc, "Testdorp")


def test_page_opening_escapes_the_statement_and_the_summary():
    doc = {
        "gemeente": "GM0001",
        "peiljaar": 2024,
        "claims": {
            "C2": {
                "verdict": claims.SUPPORTED,
                "statement": "Minder dan <5 & daalt",
                "summary": "Het aantal < 10 & daalde.",
                "sentence": "x",
                "evidence": {},
            }
        },
    }
    html = summary.page_opening(doc, ["C2"])
    assert "Minder dan &lt;5 &amp; daalt" in html and "<5" not in html
    assert "Het aantal &lt; 10 &amp; daalde." in html


def test_review_helpers_build_the_population_they_claim():
    tables = _growing_population({}, 1.015)
    pop = tables["population"].set_index("year")["inhabitants"]
    assert isinstance(tables["population"], pd.DataFrame)
    assert pop[2022] == 81_200 and pop[2021] == 80_000  # 1.015


@pytest.mark.parametrize("name", ["c5_proxy_area", "c6_proxy_area", "c18_proxy_area"])
def test_a_proxy_region_is_named_as_the_note_names_it_not_by_its_code_alone(name):
    from tests.claims_cases import CASES
    from tests.claims_cases_c17_c19 import CASES as MORE

    claim_id, tables, expected = {**CASES, **MORE}[name]
    result = verdict(claim_id, tables)
    assert result.verdict == expected
    assert "regio Twente (VR05)" in result.summary, result.summary


def test_c17_a_contradiction_on_a_flat_trend_says_what_contradicts():
    from tests.claims_cases_c17_c19 import CASES as MORE

    claim_id, tables, expected = MORE["c17_noisy_flat_against_rising_references"]
    result = verdict(claim_id, tables)
    assert result.verdict == claims.CONTRADICTED == expected
    assert "bleef duidelijk achter bij de rest van Twente" in result.summary, result.summary
    assert not plain.JARGON_RE.search(result.summary)


def test_an_insufficient_reason_naming_the_own_gemeente_code_keeps_its_words():
    from tests.test_claims_new import c12_tables as tables_of

    tables = tables_of(own=2.6, urban=2.6)
    tables["population"] = tables["population"].assign(stedelijkheid=pd.NA)
    result = verdict("C12", tables)
    assert result.verdict == claims.INSUFFICIENT
    assert "GM0164" not in result.summary
    assert result.summary == "Niet te zeggen: stedelijkheid van de gemeente ontbreekt.", (
        result.summary
    )


def test_a_significant_but_tiny_trend_is_not_printed_as_zero_percent():
    # NL at -0,03% per year over 900.000 a year: significant, and "daalde met 0,0%" contradicts it
    result = verdict("C2", c2(0.97, 0.9997))
    assert result.evidence["nederland"]["richting"] == "dalend"
    assert "0,0%" not in result.summary, result.summary
    assert "minder dan 0,1% per jaar" in result.summary
    assert plain.pct(-0.3) == "0,3%" and plain.pct(-0.04) == "minder dan 0,1%"
    assert plain.pct(0.4, 0) == "minder dan 1%"


def test_c14_local_and_national_rates_side_by_side_keep_one_decimal():
    result = verdict("C14", c14_tables((0.953, 0.953), own=0.955))
    for m in ("halt_verwijzingen", "jeugdreclassering"):
        own = abs(result.evidence["gemeente"][m]["pct_per_jaar"])
        nl = abs(result.evidence["nederland"][m]["pct_per_jaar"])
        assert f"{format_number(own, 1)}% per jaar" in result.summary, result.summary
        assert f"{format_number(nl, 1)}% per jaar" in result.summary, result.summary


def test_equivalence_summaries_of_c5_and_c10_say_their_margin():
    from tests.claims_cases import CASES

    claim_id, tables, _ = CASES["c5_small_significant"]
    c5 = verdict(claim_id, tables)
    assert "grote verschuivingen (meer dan 5 procentpunt) waren er niet" in c5.summary, c5.summary
    c10 = verdict("C10", c10_tables({"crime": 0.97, "overlast": 0.97, "verward": 0.97}))
    assert c10.verdict == claims.SUPPORTED
    assert "(verschil in trend minder dan 2 procent per jaar)" in c10.summary, c10.summary


def test_c3_a_share_above_the_whole_rise_is_said_in_words():
    # total 1.710 → 1.838 (+128), bikes 342 → 520 (+178): 139% of the rise, other codes fell
    result = verdict("C3", c3((342, 520), [(1000, 950)]))
    assert result.evidence["richtingen"]["het totaal aantal misdrijven"] == "stijgend"
    assert result.evidence["aandeel_in_stijging"] > 1
    assert "; dat is meer dan de hele toename (139%)" in result.summary, result.summary


def test_a_margin_is_written_as_the_claim_file_has_it():
    assert plain.margin_text(15.0) == "15"
    assert plain.margin_text(2.5) == "2,5"  # never "3" or "2"
    assert plain.margin_text(100 * 0.125) == "12,5"
