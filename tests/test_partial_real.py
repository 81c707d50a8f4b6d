"""A real tree that is partial still publishes what it can, with the missing parts named.

The tree is the recorded 47018NED download (tests/fixtures/real/: the 62 Hengelo buurt rows of
2023, total crime only, no gemeente row), with no KWB, no Veiligheidsmonitor, no overlast tables,
no boundaries and no supplied files: what a first download cut short leaves behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from real_samples import police_47018, write_table

from hengelo_analysis.cli import main
from hengelo_analysis.pages.chapters import criminaliteit
from hengelo_analysis.processed.reader import available_years
from tests.chapter_report import visible_text


def partial_tree(data: Path) -> Path:
    return write_table(
        data / "raw" / "real",
        "47018NED",
        {
            "TableInfos": police_47018("TableInfos"),
            "DataProperties": police_47018("DataProperties"),
            "SoortMisdrijf": police_47018("SoortMisdrijf"),
            "WijkenEnBuurten": police_47018("WijkenEnBuurten_GM0164_subset"),
            "Perioden": police_47018("Perioden"),
            "TypedDataSet": police_47018("data_csv_2023_GM0164_rows"),
        },
    )


def crime(rows):
    return pd.DataFrame(rows, columns=["area_code", "crime_code", "year", "registered"])


def test_without_a_gemeente_row_the_years_come_from_its_buurten():
    buurten_only = crime([("BU01640000", "0.0.0", 2023, 717), ("BU01530000", "0.0.0", 2021, 5)])
    assert available_years(buurten_only, "GM0164") == [2023]  # not Enschede's 2021
    with_row = crime([("GM0164", "0.0.0", 2022, 3904), ("BU01640000", "0.0.0", 2023, 717)])
    assert available_years(with_row, "GM0164") == [2022]  # the gemeente row decides when present
    assert available_years(crime([]), "GM0164") == []


def test_the_total_sentence_names_what_is_missing_instead_of_a_dash():
    empty = pd.DataFrame({"year": pd.Series(dtype=int), "registered": pd.Series(dtype="Int64")})
    sentence = criminaliteit.total_sentence(empty, 2023, "Hengelo")
    assert sentence.startswith("Onvoldoende gegevens: de politietabel 47018NED heeft geen totaal")
    assert "niet opgeteld" in sentence


@pytest.mark.slow
def test_report_on_a_partial_real_tree_publishes_with_the_missing_parts_named(tmp_path):
    data, reports = tmp_path / "data", tmp_path / "reports"
    partial_tree(data)
    code = main(
        ["report", "--source", "real", "--data-dir", str(data), "--reports-dir", str(reports)]
    )
    assert code == 0
    edition = reports / "real" / "GM0164" / "2023"  # the year of the buurt rows
    pages = sorted(p.name for p in edition.glob("*.html"))
    # nine pages, the index, the colofon, toegankelijkheid, verantwoording and the changes page
    # (computed from the data against the year before, so a first edition has one too)
    assert len(pages) == 14 and "index.html" in pages and "verantwoording.html" in pages
    crime_page = (edition / "02_criminaliteit.html").read_text(encoding="utf-8")
    assert "heeft geen totaal voor de gemeente" in crime_page
    survey_page = (edition / "06_veiligheidsbeleving.html").read_text(encoding="utf-8")
    # the finding in words first, the technical reason in the evidence line; no "None" anywhere
    assert "Niet te zeggen: de enquêtecijfers ontbreken." in survey_page
    assert "tabel 'survey' ontbreekt" in survey_page
    assert "None" not in visible_text(survey_page)
    findings = json.loads((edition / "findings.json").read_text(encoding="utf-8"))
    verdicts = {c: v["verdict"] for c, v in findings["claims"].items()}
    # Nothing can be judged on one year of buurt rows: every claim says so, none is invented.
    assert set(verdicts.values()) == {"insufficient_data"}
    assert findings["peiljaar"] == 2023 and findings["source"] == "real"
