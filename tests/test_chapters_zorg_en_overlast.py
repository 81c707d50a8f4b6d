"""Chapter 03 (zorg en overlast): E33 per year and wijk, nuisance ranking, and the published page."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from hengelo_analysis.chapters import zorg_en_overlast as ch
from hengelo_analysis.formatting import format_number
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
    # significance vs the C6 base year as the findings test it
    assert "4 van 4 genoemde overlastvormen zijn significant gestegen sinds 2019" in parsed.text
