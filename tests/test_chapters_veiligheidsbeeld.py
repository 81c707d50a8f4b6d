"""Page 01 veiligheidsbeeld: the claims table equals findings.json and the index; headline figures."""

import csv
import json

import pandas as pd
import pytest

from hengelo_analysis.analysis import claims as findings
from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages.chapters import veiligheidsbeeld as vb
from tests import chapter_report as cr


def _finding(claim_id, verdict):
    return findings.Finding(
        claim_id,
        verdict,
        {"x": 1},
        f"toets {claim_id}",
        f"zin {claim_id}",
        f"uitspraak {claim_id}",
        f"samenvatting {claim_id}",
    )


def test_claim_rows_are_the_index_rows_plus_the_test_in_claim_order():
    result = [
        _finding("C10", findings.SUPPORTED),
        _finding("C2", findings.CONTRADICTED),
        _finding("C1", findings.INSUFFICIENT),
    ]
    document = findings.findings_document(result, "GM0164", 2024, "demo", 1000)
    rows = vb.claim_rows(document)
    assert [r["id"] for r in rows] == ["C1", "C2", "C10"]  # natural order, not C1, C10, C2
    for row, index_row in zip(rows, findings.claims_for_index(document), strict=True):
        assert {k: row[k] for k in index_row} == index_row
        assert row["test"] == f"toets {row['id']}"
    frame = vb.claims_frame(rows)
    assert list(frame["Oordeel"]) == [
        "onvoldoende gegevens",
        "de cijfers wijzen de andere kant op",
        "de cijfers ondersteunen dit",
    ]
    assert list(frame["Wat de cijfers laten zien"]) == [
        f"samenvatting {c}" for c in ("C1", "C2", "C10")
    ]
    assert list(frame["Uitgewerkt op"]) == [
        "03 Zorg en overlast",
        "02 Criminaliteit",
        "02 Criminaliteit",
    ]


def test_reading_guide_explains_all_four_verdicts():
    text = vb.reading_guide()
    for label in findings.VERDICT_LABELS.values():
        assert f"**{label}**" in text


def _tiny(prev, cur, pop_prev=50_000, pop_cur=50_000):
    crime = pd.DataFrame(
        {
            "area_code": ["GM0001", "GM0001"],
            "crime_code": ["0.0.0", "0.0.0"],
            "year": [2023, 2024],
            "registered": pd.array([prev, cur], dtype="Int64"),
        }
    )
    population = pd.DataFrame(
        {
            "area_code": ["GM0001", "GM0001"],
            "year": [2023, 2024],
            "inhabitants": pd.array([pop_prev, pop_cur], dtype="Int64"),
        }
    )
    return crime, population


def test_headline_rate_interval_and_a_significant_rise():
    crime, population = _tiny(100, 160)
    h = vb.headline(crime, population, "GM0001", 2024, rate_unit=10_000)
    expected = stats.rate_ci(160, 50_000, 10_000)
    assert h.rate == pytest.approx(32.0)
    assert (h.lower, h.upper) == pytest.approx((expected.lower, expected.upper))
    assert h.difference == 60 and h.pct == pytest.approx(60.0)
    assert h.p_value < 0.05 and h.verb == "stijgt"
    sentence = vb.headline_sentence(h, "Testdorp", 10_000)
    assert "160 misdrijven, 32,0 per 10.000 inwoners." in sentence
    assert "Dat zijn er 60 meer dan in 2023 (100, +60,0%): een duidelijke stijging." in sentence
    assert "p =" not in sentence and "p <" not in sentence and "interval" not in sentence
    evidence = vb.headline_evidence(h)
    assert f"{format_number(h.lower, 1)} tot {format_number(h.upper, 1)}" in evidence
    assert "het aantal stijgt (p " in evidence


def test_headline_small_change_is_not_called_a_rise():
    crime, population = _tiny(100, 104)
    h = vb.headline(crime, population, "GM0001", 2024)
    assert h.p_value > 0.05 and h.verb == "verandert niet significant"
    sentence = vb.headline_sentence(h, "Testdorp", 1000)
    assert "stijging" not in sentence and "geen duidelijke verandering" in sentence


def test_headline_missing_total_and_missing_previous_year():
    crime, population = _tiny(None, 120)
    h = vb.headline(crime, population, "GM0001", 2024)
    assert h.previous is None and h.difference is None
    assert "Voor 2023 is geen totaal gepubliceerd" in vb.headline_sentence(h, "X", 1000)
    table = vb.headline_table(h)
    assert table.loc[4, "Waarde"] == "n.b."  # not published is never 0
    crime, population = _tiny(100, None)
    with pytest.raises(InsufficientData):
        vb.headline(crime, population, "GM0001", 2024)


# --------------------------------------------------------------------------- content (slow)


@pytest.mark.slow
def test_page_claims_table_equals_findings_json_and_the_index():
    _, out = cr.demo_edition()
    page = (out / "01_veiligheidsbeeld.html").read_text()
    document = json.loads((out / "findings.json").read_text())
    table = cr.table_by_caption(page, "Uitspraken uit het veiligheidsbeeld")
    header, rows = table["rows"][0], table["rows"][1:]
    assert header[:5] == [
        "Uitspraak",
        "Wat het beleid zegt",
        "Oordeel",
        "Wat de cijfers laten zien",
        "Uitgewerkt op",
    ]
    # the test figures and the test's name are for the download, not the page (no jargon there)
    assert "Toelichting" not in header and "Toets" not in header
    assert [r[0] for r in rows] == sorted(document["claims"], key=lambda c: int(c[1:]))
    assert len(rows) >= 16  # the Hengelo claim file: C1-C16 and more
    for row in rows:
        claim = document["claims"][row[0]]
        assert row[1:4] == [claim["statement"], claim["verdict_label"], claim["summary"]]
    downloads = sorted((out / "downloads").glob("01_veiligheidsbeeld_tabel*.csv"))
    with_test = [
        list(csv.DictReader(p.open(encoding="utf-8", newline="")))
        for p in downloads
        if "Toelichting" in p.read_text(encoding="utf-8").splitlines()[0]
    ]
    assert len(with_test) == 1
    for line in with_test[0]:
        claim = document["claims"][line["Uitspraak"]]
        assert (line["Toelichting"], line["Toets"]) == (claim["sentence"], claim["test"])
    # the page opens with the very samenvatting and grouped verdicts of the index
    index = (out / "index.html").read_text()
    for block in ("hv-samenvatting", "hv-verdicts"):
        assert _block(page, block) == _block(index, block) != ""
    assert page.index("hv-samenvatting") < page.index("hv-verdicts") < page.index("Kerncijfers")


def _block(html: str, css_class: str) -> str:
    """The text of the samenvatting / verdict list block (they end as pages.summary writes them)."""
    ends = {"hv-samenvatting": "</section>", "hv-verdicts": "</section>\n</div>"}
    start = html.find(f'class="{css_class}"')
    if start < 0:
        return ""
    start = html.find(">", start) + 1  # nbconvert rewrites the tag's attributes, not its content
    return " ".join(cr.visible_text(html[start : html.find(ends[css_class], start)]).split())


@pytest.mark.slow
def test_page_headline_figures_equal_the_raw_data():
    root, out = cr.demo_edition()
    raw = cr.raw_crime()
    population = pd.read_parquet(root / "data" / "processed" / "demo" / "population.parquet")
    inhabitants = population.query("area_code == 'GM0164' and year == 2024")["inhabitants"].iloc[0]
    count, previous = raw[("GM0164", "0.0.0", 2024)], raw[("GM0164", "0.0.0", 2023)]
    text = cr.visible_text((out / "01_veiligheidsbeeld.html").read_text())
    assert (
        f"In 2024 registreerde de politie in Hengelo {format_number(count)} misdrijven, "
        f"{format_number(count / inhabitants * 1000, 1)} per 1.000 inwoners" in text
    )
    assert f"dan in 2023 ({format_number(previous)}," in text
    assert "Synthetische demodata" in text
    key_figures = json.loads((out / "key_figures.json").read_text())["figures"]
    assert key_figures["misdrijven_per_inwoners"]["value"] == pytest.approx(
        count / inhabitants * 1000
    )
    assert key_figures["misdrijven_per_inwoners"]["page"] == "01_veiligheidsbeeld.html"


@pytest.mark.slow
def test_enschede_without_areas_or_own_survey_gets_insufficient_data_verdicts():
    nb = cr.gm0153_notebooks()["01_veiligheidsbeeld"]
    text = cr.notebook_text(nb)
    assert "In 2024 registreerde de politie in Enschede" in text
    rows = cr.table_by_caption(text, "Uitspraken uit het veiligheidsbeeld")["rows"][1:]
    verdicts = {r[0]: r[2] for r in rows}
    # no youth figures are supplied for Enschede (E33 now comes from the open police table)
    assert verdicts["C7"] == "onvoldoende gegevens"
    assert "**Uitspraken met onvoldoende gegevens:** 0" not in text


def test_verdict_count_counts_by_verdict_not_by_table_position():
    rows = [{"verdict": findings.SUPPORTED}, {"verdict": findings.INSUFFICIENT}] * 2 + [
        {"verdict": findings.SUPPORTED}
    ]
    assert vb.verdict_count(rows, findings.SUPPORTED) == 3
    assert vb.verdict_count(rows, findings.INSUFFICIENT) == 2
    assert vb.verdict_count(rows, findings.CONTRADICTED) == 0


def test_findings_by_id_reads_the_claims_asked_for_from_the_document_keyed_by_id():
    from hengelo_analysis.pages import common

    judged = [_finding("C2", findings.CONTRADICTED), _finding("C9", findings.SUPPORTED)]
    document = findings.findings_document(judged, "GM0164", 2024, "demo", 1000)
    result = common.findings_by_id(document, ("C9", "C2", "C99"))
    assert sorted(result) == ["C2", "C9", "C99"]
    assert result["C9"].verdict == findings.SUPPORTED and result["C9"].sentence == "zin C9"
    assert result["C2"].verdict == findings.CONTRADICTED
    # a claim the gemeente's claim file does not hold is said to be missing, not invented
    assert result["C99"].verdict == findings.INSUFFICIENT
    assert "claimbestand" in result["C99"].evidence["reden"]
