"""Page 08 digitale veiligheid: digital vs traditional (C11's codes), online victims."""

import pandas as pd
import pytest

from hengelo_analysis.analysis import claims as findings
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages.chapters import digitale_veiligheid as dv
from tests import chapter_report as cr

C11 = dict(findings.claim_file_for("GM0164").claim("C11").params)
DIGITAL, TRADITIONAL = dv.c11_codes(C11)


def _crime(values_by_year):
    """values_by_year: {year: (value of every digital code, value of every traditional code)}."""
    rows = []
    for year, (d, t) in values_by_year.items():
        rows += [("GM0164", c, year, d) for c in DIGITAL]
        rows += [("GM0164", c, year, t) for c in TRADITIONAL]
    df = pd.DataFrame(rows, columns=["area_code", "crime_code", "year", "registered"])
    df["registered"] = df["registered"].astype("Int64")
    return df


def test_codes_are_those_of_claim_c11():
    claim = findings.claim_file_for("GM0164").claim("C11")
    assert DIGITAL == list(claim.params["digital"]) and "3.7.4" in DIGITAL
    assert TRADITIONAL == list(claim.params["traditional"]) and "1.1.1" in TRADITIONAL


def test_share_over_complete_years_only():
    crime = _crime({2022: (10, 20), 2023: (20, 10), 2024: (None, 10)})
    ctx = findings.Context({"crime": crime}, "GM0164", 2024, 1000)
    shift = dv.digital_vs_traditional(ctx, C11)
    assert list(shift["year"]) == [2022, 2023]  # 2024 has an unpublished digital code
    nd, nt = len(DIGITAL), len(TRADITIONAL)
    assert list(shift["digitaal"]) == [10 * nd, 20 * nd]
    assert shift["aandeel"].tolist() == pytest.approx(
        [100 * 10 * nd / (10 * nd + 20 * nt), 100 * 20 * nd / (20 * nd + 10 * nt)]
    )
    index = dv.index_series(shift)
    digital = index[index["reeks"].str.startswith("digitaal")]
    assert digital["index"].tolist() == pytest.approx([100.0, 200.0])


def _survey(rows):
    return pd.DataFrame(
        rows,
        columns=["area_code", "source", "year", "value", "lower", "upper", "method_note"],
    ).assign(indicator=dv.ONLINE)


def test_online_change_sentence_uses_the_test_and_flags_the_2021_break():
    survey = _survey(
        [
            ("GM0164", "eigen_enquete", 2021, 10.0, 9.0, 11.0, None),
            ("GM0164", "eigen_enquete", 2023, 15.0, 14.0, 16.0, None),
            ("GM0164", "veiligheidsmonitor", 2019, 14.0, 12.0, 16.0, None),
            ("GM0164", "veiligheidsmonitor", 2021, 15.0, 13.0, 17.0, "methodebreuk"),
            ("NL01", "veiligheidsmonitor", 2021, 16.0, 15.5, 16.5, None),
        ]
    )
    rows = dv.online_victims(survey, "GM0164", 2024)
    assert set(rows["area_code"]) == {"GM0164", "NL01"}
    sentence = dv.online_change_sentence(rows, "GM0164")
    assert "volgens de eigen enquête stijgt van 10,0% (2021) naar 15,0%" in sentence
    assert "volgens de Veiligheidsmonitor verandert niet significant" in sentence
    assert "methodebreuk 2021" in sentence
    table = dv.online_table(rows, "Hengelo")
    assert list(table["Gebied"]).count("Nederland") == 1
    assert dv.survey_notes(rows) == ["methodebreuk"]


def test_online_without_survey_is_insufficient():
    rows = dv.online_victims(None, "GM0164", 2024)
    assert rows.empty
    assert dv.online_change_sentence(rows, "GM0164").startswith("Onvoldoende gegevens")


# --------------------------------------------------------------------------- content (slow)


@pytest.mark.slow
def test_page_figures_equal_the_raw_data():
    _, out = cr.demo_edition()
    raw = cr.raw_crime()
    page = (out / "08_digitale_veiligheid.html").read_text()
    shift = cr.table_by_caption(page, "Digitale en traditionele criminaliteit per jaar")["rows"]
    by_year = {r[0]: r for r in shift[1:]}
    digital = sum(raw[("GM0164", c, 2024)] for c in DIGITAL)
    traditional = sum(raw[("GM0164", c, 2024)] for c in TRADITIONAL)
    assert by_year["2024"][1:] == [
        format_number(digital),
        format_number(traditional),
        format_number(100 * digital / (digital + traditional), 1),
    ]
    assert "2015" not in by_year  # 3.9.1 is registered from 2016 only
    types = cr.table_by_caption(page, "Cybercrime en fraude in Hengelo")["rows"]
    cyber = next(r for r in types if r[0] == "Cybercrime")
    assert cyber[2] == format_number(raw[("GM0164", "3.7.4", 2024)])
    assert "Synthetische demodata" in page


@pytest.mark.slow
def test_enschede_page_runs_without_own_survey():
    text = cr.notebook_text(cr.gm0153_notebooks()["08_digitale_veiligheid"])
    assert "Cybercrime Enschede" in text
    assert "volgens de Veiligheidsmonitor" in text and "eigen enquête" not in text
