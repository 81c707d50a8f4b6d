"""Chapter 03 (zorg en overlast): E33 per year and wijk, nuisance ranking, and the published page."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from hengelo_analysis.analysis.claims.nuisance import OPEN, SUPPLIED
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import nuisance_series, summary
from hengelo_analysis.pages.chapters import zorg_en_overlast as ch
from tests import chapter_report

PAGE = "03_zorg_en_overlast.html"


# --------------------------------------------------------------------------- shared helpers
# The other chapter test modules import these: the report is built once per test session.


class PageText(HTMLParser):
    """Table cells, image alt texts and all text of a published page."""

    def __init__(self, html: str):
        super().__init__()
        self.cells: list[str] = []
        self.alts: list[str] = []
        self.chunks: list[str] = []
        self._in_cell = False
        self.feed(html)
        self.text = re.sub(r"\s+", " ", " ".join(self.chunks))

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._in_cell = True
            self.cells.append("")
        if tag == "img":
            self.alts.append(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data):
        self.chunks.append(data)
        if self._in_cell:
            self.cells[-1] += data

    def row_after(self, first: str, width: int) -> list[str]:
        """The ``width`` cells following the first cell equal to ``first`` (a table row)."""
        cells = [c.strip() for c in self.cells]
        i = cells.index(first)
        return cells[i + 1 : i + 1 + width]


def published_edition(tmp_path_factory=None) -> tuple[Path, Path]:
    """``hengelo-analysis report`` on a copy of the demo: the one build the chapter tests share."""
    return chapter_report.demo_edition()


def page(edition: Path, name: str) -> PageText:
    return PageText((edition / name).read_text(encoding="utf-8"))


def assert_page_basics(edition: Path, name: str, min_figures: int) -> PageText:
    """Synthetic banner, Dutch language, and every figure with a meaningful alt text."""
    html = (edition / name).read_text(encoding="utf-8")
    assert "Synthetische demodata" in html, name
    assert '<html lang="nl">' in html
    parsed = PageText(html)
    assert len(parsed.alts) >= min_figures, name
    for alt in parsed.alts:
        assert len(alt) >= 60 and re.search(r"\d", alt), alt  # says what it shows, with numbers
    return parsed


def raw_crime(raw_dir: Path, area: str, code: str) -> dict[int, int | None]:
    """Yearly counts of one area and code read straight from the raw 47018NED pages."""
    out = {}
    for doc in sorted((raw_dir / "47018NED").glob("TypedDataSet-*.json")):
        for r in json.loads(doc.read_text())["value"]:
            if r["WijkenEnBuurten"].strip() == area and r["SoortMisdrijf"].strip() == code:
                out[int(r["Perioden"][:4])] = r["GeregistreerdeMisdrijven_1"]
    return out


def raw_nuisance(raw_dir: Path, area: str, code: str) -> dict[int, int | None]:
    """Year figures (``JJ00`` rows) of one RegioS area and Overlast code from raw 47021NED."""
    out = {}
    for doc in sorted((raw_dir / "47021NED").glob("TypedDataSet-*.json")):
        for r in json.loads(doc.read_text())["value"]:
            if r["RegioS"].strip() == area and r["Overlast"].strip() == code:
                if r["Perioden"].endswith("JJ00"):
                    out[int(r["Perioden"][:4])] = r["GeregistreerdeOverlast_1"]
    return out


# --------------------------------------------------------------------------- unit tests


def _incidents(rows):
    df = pd.DataFrame(rows, columns=["area_code", "year", "month", "incident_code", "incidents"])
    df["month"] = df["month"].astype("Int64")
    df["incidents"] = df["incidents"].astype("Int64")
    return df


def test_incidents_per_year_takes_yearly_rows_full_months_and_keeps_gaps_missing():
    rows = [("GM0001", 2018, None, "E33", 100), ("GM0001", 2021, None, "E33", 0)]
    rows += [("GM0001", 2019, m, "E33", 10) for m in range(1, 13)]  # full year: 120
    rows += [("GM0001", 2020, m, "E33", 10) for m in range(1, 12)]  # 11 months: no figure
    rows += [("GM0001", 2025, None, "E33", 7), ("GM0002", 2018, None, "E33", 999)]
    rows += [("GM0001", 2018, None, "E14", 555)]
    out = ch.incidents_per_year(_incidents(rows), "GM0001", peiljaar=2024)
    assert out["year"].tolist() == [2018, 2019, 2020, 2021]
    assert out["incidents"].tolist()[:2] == [100, 120]
    assert out["incidents"].isna().tolist() == [False, False, True, False]
    assert out.loc[3, "incidents"] == 0
    # exact Poisson interval for 0 (upper 3,689), missing interval for a missing year
    assert out.loc[3, "lower"] == 0 and round(float(out.loc[3, "upper"]), 3) == 3.689
    assert pd.isna(out.loc[2, "lower"])
    assert float(out.loc[0, "lower"]) < 100 < float(out.loc[0, "upper"])


def test_incidents_per_year_without_table_or_rows_is_empty():
    assert ch.incidents_per_year(None, "GM0001", 2024).empty
    assert ch.incidents_per_year(
        _incidents([("GM0002", 2020, None, "E33", 5)]), "GM0001", 2024
    ).empty


def test_incidents_per_wijk_suppresses_small_counts_with_a_secondary_cell():
    rows = [
        ("WK000101", 2024, None, "E33", 3),
        ("WK000102", 2024, None, "E33", 40),
        ("WK000103", 2024, None, "E33", 12),
        ("WK000104", 2023, None, "E33", 2),
        ("WK000201", 2024, None, "E33", 1),  # another gemeente
    ]
    names = {"WK000102": "Noord"}
    out = ch.incidents_per_wijk(_incidents(rows), "GM0001", 2024, names)
    assert out["area_code"].tolist() == ["WK000101", "WK000102", "WK000103"]
    assert out["shown"].tolist() == ["<5", "40", "x"]  # 12 hidden so 3 cannot be derived
    assert out["incidents"].isna().tolist() == [True, False, True]
    assert out["area_name"].tolist() == ["WK000101", "Noord", "WK000103"]


def test_ranking_orders_by_value_skips_suppressed_and_flags_overlapping_margins():
    waves = pd.DataFrame(
        {
            "indicator": ["a", "b", "c", "d"],
            "year": [2023, 2023, 2023, 2023],
            "value": [10.0, 20.0, None, 18.0],
            "lower": [8.0, 17.0, None, 16.0],
            "upper": [12.0, 23.0, None, 20.0],
        }
    )
    out = ch.ranking(waves, 2023)
    assert out["indicator"].tolist() == ["b", "d", "a"]
    assert out["rank"].tolist() == [1, 2, 3]
    assert out["overlaps_next"].tolist() == [True, False, False]


# --------------------------------------------------------------------------- the published page


def _nuisance(rows):
    """Rows of the processed ``nuisance`` table: (area_code, year, month, code, registered)."""
    df = pd.DataFrame(rows, columns=["area_code", "year", "month", "nuisance_code", "registered"])
    df["month"] = df["month"].astype("Int64")
    df["registered"] = df["registered"].astype("Int64")
    df["provisional"] = False
    return df


def test_e33_source_prefers_the_supplied_file_and_falls_back_to_the_open_table():
    supplied = _incidents([("GM0001", 2024, None, "E33", 50)])
    open_rows = _nuisance([("GM0001", 2024, None, "E33", 70), ("GM0001", 2024, None, "E38", 9)])
    rows, name = nuisance_series.e33_source(
        {"incidents": supplied, "nuisance": open_rows}, "GM0001"
    )
    assert name == SUPPLIED and rows["incidents"].tolist() == [50]
    # a supplied file without the gemeente does not win: the open table is shown
    other = _incidents([("GM0002", 2024, None, "E33", 5)])
    rows, name = nuisance_series.e33_source({"incidents": other, "nuisance": open_rows}, "GM0001")
    assert name == OPEN
    assert rows["incident_code"].tolist() == ["E33"] and rows["incidents"].tolist() == [70]
    assert nuisance_series.e33_source({}, "GM0001") == (None, None)
    assert "open politietabellen" in ch.source_sentence(OPEN)
    assert "aangeleverde incidentenbestand" in ch.source_sentence(SUPPLIED)


def test_open_e33_per_year_and_per_wijk_use_twelve_months_and_suppress_small_wijken():
    rows = [("GM0001", 2023, None, "E33", 300)]
    rows += [("WK000101", 2024, m, "E33", 1 if m <= 3 else 0) for m in range(1, 13)]  # 3
    rows += [("WK000102", 2024, m, "E33", 4) for m in range(1, 13)]  # 48
    rows += [("WK000103", 2024, m, "E33", 2) for m in range(1, 13)]  # 24
    rows += [("WK000104", 2024, m, "E33", 9) for m in range(1, 12)]  # 11 months: no figure
    incidents = nuisance_series.as_incidents(_nuisance(rows), "E33")
    assert ch.incidents_per_year(incidents, "GM0001", 2024)["incidents"].tolist() == [300]
    out = ch.incidents_per_wijk(incidents, "GM0001", 2024)
    assert out["shown"].tolist() == ["<5", "48", "x", "n.b."]  # never 0, never a partial sum


def test_national_e33_is_the_nl_series_of_the_open_table():
    rows = [("NL00", 2012, None, "E33", 44571), ("NL00", 2023, None, "E33", 141724)]
    rows += [("GM0001", 2023, None, "E33", 500)]
    out = ch.national_e33(_nuisance(rows), 2024)
    assert out["year"].tolist() == list(range(2012, 2024))
    assert out["incidents"].iloc[[0, -1]].tolist() == [44571, 141724]
    assert out["incidents"].iloc[1:-1].isna().all()  # years between: gaps, not 0
    assert "44.571 in 2012 tot 141.724 in 2023" in ch.national_alt(out)


def test_drugs_beside_e38_puts_both_police_series_on_one_year_grid():
    crime = pd.DataFrame(
        {"area_code": "GM0001", "year": [2022, 2023], "crime_code": "2.1.1", "registered": [30, 34]}
    )
    crime["registered"] = crime["registered"].astype("Int64")
    nuisance = _nuisance([("GM0001", 2023, None, "E38", 231), ("GM0001", 2024, None, "E38", 262)])
    out = ch.drugs_beside_e38(crime, nuisance, "GM0001", peiljaar=2024)
    wide = out.pivot(index="year", columns="reeks", values="registered")
    assert wide[ch.DRUGS_LABEL].tolist()[:2] == [30, 34] and pd.isna(wide.loc[2024, ch.DRUGS_LABEL])
    assert pd.isna(wide.loc[2022, ch.E38_LABEL]) and wide.loc[2024, ch.E38_LABEL] == 262
    assert "in 2024: n.b. en 262" in ch.drugs_e38_alt(out, "X", 2024)
    assert ch.drugs_e38_table(out, "X").cells()[-1] == ["2024", "n.b.", "262"]
    # a tree whose crime table has no row of the gemeente (partial real data): only E38's years
    only_e38 = ch.drugs_beside_e38(crime.assign(area_code="GM0002"), nuisance, "GM0001", 2024)
    assert sorted(only_e38["year"].unique()) == [2023, 2024]
    assert ch.drugs_beside_e38(crime.iloc[0:0], None, "GM0001", 2024).empty


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return published_edition(tmp_path_factory)


@pytest.mark.slow
def test_page_shows_e33_and_drugs_figures_of_the_raw_data(edition):
    root, out = edition
    raw = root / "data" / "raw" / "demo"
    parsed = assert_page_basics(out, PAGE, min_figures=4)
    with open(raw / "supplied" / "e33_incidenten.csv", encoding="utf-8") as f:
        e33 = {
            int(r["jaar"]): int(r["aantal"])
            for r in csv.DictReader(f, delimiter=";")
            if r["gebiedscode"] == "GM0164" and r["incidentcode"] == "E33" and not r["maand"]
        }
    for year, count in e33.items():
        assert parsed.row_after(str(year), 1) == [format_number(count)], year
    assert f"E33-meldingen (incidenten) Hengelo: {format_number(e33[2024])}" in parsed.text
    assert "geen personen" in parsed.text
    drugs = raw_crime(raw, "GM0164", "2.1.1")
    assert f"registreerde de politie in Hengelo {format_number(drugs[2024])} keer" in parsed.text
    assert any(format_number(e33[2024]) in alt for alt in parsed.alts)
    assert (
        "Bron van de E33-cijfers op deze pagina: het aangeleverde incidentenbestand" in parsed.text
    )


@pytest.mark.slow
def test_page_shows_national_e33_and_e38_beside_2_1_1_from_the_open_table(edition):
    root, out = edition
    raw = root / "data" / "raw" / "demo"
    parsed = page(out, PAGE)
    nl = raw_nuisance(raw, "NL01", "E33")
    first, last = min(nl), max(y for y in nl if y <= 2024)
    assert any(
        f"van {format_number(nl[first])} in {first} tot {format_number(nl[last])} in {last}" in alt
        for alt in parsed.alts
    )
    e38 = raw_nuisance(raw, "GM0164", "E38")
    drugs = raw_crime(raw, "GM0164", "2.1.1")
    html = (out / PAGE).read_text(encoding="utf-8")
    rows = chapter_report.table_by_caption(html, "Drugs- en drankoverlast bij de politie per jaar")
    assert rows["rows"][-1] == ["2024", format_number(drugs[2024]), format_number(e38[2024])]


@pytest.mark.slow
def test_page_shows_the_nuisance_waves_and_the_most_named_item(edition):
    root, out = edition
    parsed = page(out, PAGE)
    survey = pd.read_parquet(root / "data" / "processed" / "demo" / "survey.parquet")
    own = survey[(survey["area_code"] == "GM0164") & (survey["source"] == "eigen_enquete")]
    row = own[(own["indicator"] == "overlast_drugsgebruik") & (own["year"] == 2023)].iloc[0]
    expected = (
        f"{format_number(row['value'], 1)} "
        f"({format_number(row['lower'], 1)}–{format_number(row['upper'], 1)})"
    )
    assert expected in parsed.row_after("drugsgebruik", 4)
    latest = own[(own["year"] == 2023) & own["indicator"].str.startswith("overlast_")]
    top = latest.sort_values("value").iloc[-1]
    assert top["indicator"] == "overlast_rondhangende_jongeren"
    assert (
        f"In 2023 noemen inwoners rondhangende jongeren het vaakst "
        f"({format_number(top['value'], 1)}%)" in parsed.text
    )
    # the page shows the C6 verdict of findings.json, whose survey part tests each item vs 2019
    c6 = json.loads((out / "findings.json").read_text(encoding="utf-8"))["claims"]["C6"]
    assert c6["summary"] in parsed.text  # the opening, in plain words
    assert summary.evidence_line(c6) in parsed.text  # the test figures in the small line
    for item in ("drugsgebruik", "drugshandel", "dronken mensen", "rondhangende jongeren"):
        assert f"overlast door {item} stijgt" in c6["sentence"], item
