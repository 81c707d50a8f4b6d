"""Chapter 07 (verkeer): police rates vs Nederland, BRON by severity, and the published page."""

from __future__ import annotations

import csv
from collections import Counter

import pandas as pd
import pytest

from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import sections
from hengelo_analysis.pages.chapters import verkeer as ch
from tests.test_chapters_zorg_en_overlast import (
    assert_page_basics,
    published_edition,
    raw_crime,
)

PAGE = "07_verkeer.html"


def _crime(rows):
    df = pd.DataFrame(rows, columns=["area_code", "year", "crime_code", "registered"])
    df["registered"] = df["registered"].astype("Int64")
    return df


def _population(rows):
    df = pd.DataFrame(rows, columns=["area_code", "year", "inhabitants"])
    df["inhabitants"] = df["inhabitants"].astype("Int64")
    return df


def test_rates_with_nl_computes_rates_per_unit_and_the_ratio():
    crime = _crime(
        [
            ("GM0001", 2023, "1.3.1", 10),
            ("GM0001", 2024, "1.3.1", None),  # not published
            ("NL00", 2023, "1.3.1", 5000),
            ("NL00", 2024, "1.3.1", 5200),
            ("GM0001", 2023, "3.5.2", 77),
        ]
    )
    pop = _population([("GM0001", 2023, 2000), ("GM0001", 2024, 2000), ("NL00", 2023, 2_000_000)])
    rates = sections.rates_with_nl(
        crime, pop, "GM0001", "1.3.1", 2024, unit=1000, gemeente_name="X"
    )
    own = rates[rates["area_code"] == "GM0001"].set_index("year")
    assert float(own.loc[2023, "rate"]) == 5.0
    assert pd.isna(own.loc[2024, "rate"])  # missing count: missing rate, never 0
    assert set(rates["gebied"]) == {"X", "Nederland"}
    nl = rates[rates["area_code"] == "NL00"].set_index("year")
    assert float(nl.loc[2023, "rate"]) == 2.5 and pd.isna(nl.loc[2024, "rate"])  # no inhabitants
    table = sections.rate_ratio_table(rates, "GM0001").set_index("year")
    assert float(table.loc[2023, "ratio"]) == 2.0 and pd.isna(table.loc[2024, "ratio"])
    text = sections.rate_sentence(
        table.reset_index(), 2023, "X", "ongevallen", "per 1.000 inwoners"
    )
    assert text == (
        "In 2023 registreerde de politie in X 10 ongevallen: 5,00 per 1.000 inwoners "
        "(Nederland: 2,50)."
    )
    assert sections.rates_with_nl(None, pop, "GM0001", "1.3.1", 2024).empty


def test_accidents_by_severity_never_sums_a_missing_cell_as_zero():
    rows = [
        ("GM0001", 2012, "DOD", 1),
        ("GM0001", 2012, "LET", 10),
        ("GM0001", 2012, "UMS", 30),
        ("GM0001", 2014, "DOD", 0),
        ("GM0001", 2014, "LET", 9),  # UMS missing
        ("GM0001", 2020, "DOD", 0),
        ("GM0001", 2020, "LET", 0),
        ("GM0001", 2020, "UMS", 0),
        ("GM0002", 2014, "UMS", 50),
    ]
    acc = pd.DataFrame(rows, columns=["area_code", "year", "severity", "accidents"])
    acc["accidents"] = acc["accidents"].astype("Int64")
    out = ch.accidents_by_severity(acc, "GM0001", peiljaar=2024).set_index("year")
    assert out.index.tolist() == list(range(2012, 2021))
    assert out.loc[2012, "totaal"] == 41
    assert pd.isna(out.loc[2014, "UMS"]) and pd.isna(out.loc[2014, "totaal"])
    assert out.loc[2020, "totaal"] == 0  # published zeros stay 0
    assert pd.isna(out.loc[2013, "DOD"])  # a year without rows is missing
    assert out.loc[2012, "opmerking"] == "registratiebreuk 2009-2012"
    assert out.loc[2020, "opmerking"] == "coronajaar" and out.loc[2016, "opmerking"] == ""
    assert ch.severity_text(out.reset_index(), 2012) == (
        "1 dodelijk, 10 letsel, 30 uitsluitend materiële schade (totaal 41)"
    )
    long = ch.severity_long(out.reset_index())
    assert len(long) == 9 * 3 and set(long["ernst"]) == set(ch.SEVERITIES.values())


def test_bron_trend_starts_after_the_registration_break():
    years = list(range(2010, 2025))
    # huge 2010-2012 values would dominate a trend that ignored the break
    totals = [5000, 5000, 5000] + [100 + 5 * i for i in range(12)]
    wide = pd.DataFrame({"year": years, "totaal": pd.array(totals, dtype="Int64")})
    text = ch.bron_trend_sentence(wide)
    assert text.startswith("Het aantal BRON-ongevallen stijgt") and "2013-2024" in text
    short = wide[wide["year"] <= 2015]
    assert ch.bron_trend_sentence(short).startswith("Geen trend te berekenen")


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return published_edition(tmp_path_factory)


@pytest.mark.slow
def test_page_shows_police_and_bron_figures_of_the_raw_data(edition):
    root, out = edition
    raw = root / "data" / "raw" / "demo"
    parsed = assert_page_basics(out, PAGE, min_figures=3)
    for code, subject in (("1.3.1", "verkeersongevallen"), ("3.5.2", "gevallen van rijden")):
        counts = raw_crime(raw, "GM0164", code)
        assert f"in Hengelo {format_number(counts[2024])} {subject}" in parsed.text
        assert f"({code}) Hengelo: {format_number(counts[2024])}" in parsed.text  # key figure
    bron = Counter()
    for path in (raw / "supplied" / "bron").glob("*/Ongevallengegevens/ongevallen.txt"):
        with open(path, encoding="cp1252") as f:
            for r in csv.DictReader(f):
                if r["GME_ID"] == "164":
                    bron[(int(r["JAAR_VKL"]), r["AP3_CODE"])] += 1
    years = sorted({y for y, _ in bron})
    assert years[0] == 2012 and years[-1] == 2024
    cells = [c.strip() for c in parsed.cells]
    header = cells.index("Dodelijk (DOD)")
    for year in years:
        i = cells.index(str(year), header)
        expected = [bron[(year, s)] for s in ("DOD", "LET", "UMS")]
        assert cells[i + 1 : i + 5] == [format_number(v) for v in [*expected, sum(expected)]]
    assert "registratiebreuk 2009-2012" in cells
    assert "ongeveer 90%" in parsed.text  # the BRON completeness caveat
    total_2024 = sum(bron[(2024, s)] for s in ("DOD", "LET", "UMS"))
    assert any(f"(totaal {format_number(total_2024)})" in alt for alt in parsed.alts)


def _topic():
    return sections.RateTopic("1.3.1", "ongevallen_id", "Ongevallen", "ongevallen", "ongevallen")


def test_rate_against_nl_is_one_section_with_key_figure_sentence_figure_and_table():
    crime = _crime([("GM0001", 2024, "1.3.1", 10), ("NL00", 2024, "1.3.1", 5000)])
    pop = _population([("GM0001", 2024, 2000), ("NL00", 2024, 2_000_000)])
    tabellen = {"crime": crime, "population": pop}
    section = sections.rate_against_nl(tabellen, "GM0001", 2024, 1000, "A_B", _topic())
    assert section.key_figure == sections.KeyFigure(
        "ongevallen_id", "Ongevallen (1.3.1) A_B", 10, unit="registraties in het peiljaar"
    )
    # the sentence is Markdown (name escaped), the alt text plain
    assert section.sentence == (
        "In 2024 registreerde de politie in A\\_B 10 ongevallen: 5,00 per 1.000 inwoners "
        "(Nederland: 2,50)."
    )
    assert section.alt.endswith("In 2024 registreerde de politie in A_B 10 ongevallen: 5,00 "
                                "per 1.000 inwoners (Nederland: 2,50).")  # fmt: skip
    assert section.figure is not None
    assert (
        section.table.caption
        == "Ongevallen (1.3.1) per jaar, A_B en Nederland (per 1.000 inwoners)"
    )
    assert section.table.cells()[0][-1] == "2,00"  # ratio to Nederland


def test_rate_against_nl_without_figures_says_so_and_draws_nothing():
    crime = _crime([("NL00", 2024, "1.3.1", 5000)])
    section = sections.rate_against_nl({"crime": crime}, "GM0001", 2024, 1000, "X", _topic())
    assert section.sentence == "Onvoldoende gegevens: geen politiecijfers (1.3.1) voor X."
    assert section.figure is None
    assert section.key_figure.value is None  # shown as n.b., never 0
