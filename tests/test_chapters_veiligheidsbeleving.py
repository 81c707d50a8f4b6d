"""Chapter 06 (veiligheidsbeleving): survey waves, per-wijk figures, sources side by side; the page.

Also runs the four chapter notebooks of this module's author for a gemeente with only
gemeente-level rows (Enschede, GM0153), to prove they degrade to "onvoldoende gegevens".
"""

from __future__ import annotations

import math

import nbformat
import pandas as pd
import pytest

from hengelo_analysis.domain import VM_METHOD_BREAK_NOTE as METHOD_BREAK_NOTE
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import common, enquete
from hengelo_analysis.pages.chapters import veiligheidsbeleving as ch
from tests.test_chapters_zorg_en_overlast import assert_page_basics, published_edition

PAGE = "06_veiligheidsbeleving.html"
NOTEBOOKS = ("03_zorg_en_overlast", "04_jeugd", "06_veiligheidsbeleving", "07_verkeer")
FALLBACK = (
    "regio VR05: Hengelo (GM0164) staat niet in de tabel; de cijfers gelden voor Twente (VR05)."
)


def _survey(rows):
    columns = ["area_code", "area_level", "year", "indicator", "value", "lower", "upper", "n"]
    df = pd.DataFrame([r[:8] for r in rows], columns=columns)
    df["n"] = df["n"].astype("Int64")
    df["source"] = [r[8] if len(r) > 8 else "eigen_enquete" for r in rows]
    df["method_note"] = [r[9] if len(r) > 9 else "" for r in rows]
    return df


ROWS = [
    ("GM0001", "gemeente", 2019, "onveilig_buurt", 10.0, 8.0, 12.0, 900),
    ("GM0001", "gemeente", 2023, "onveilig_buurt", 20.0, 18.0, 22.0, 900),
    ("GM0001", "gemeente", 2019, "tevreden_aanpak_gemeente", 40.0, 36.0, 44.0, 900),
    ("GM0001", "gemeente", 2023, "tevreden_aanpak_gemeente", None, None, None, 30),
    ("GM0001", "gemeente", 2023, "onveilig_buurt", 15.0, 14.0, 16.0, None, "veiligheidsmonitor"),
    (
        "GM0001",
        "gemeente",
        2021,
        "onveilig_buurt",
        14.0,
        13.0,
        15.0,
        None,
        "veiligheidsmonitor",
        f"{FALLBACK}; {METHOD_BREAK_NOTE}",
    ),
    ("NL01", "land", 2023, "onveilig_buurt", 18.0, 17.5, 18.5, None, "veiligheidsmonitor"),
    ("WK000102", "wijk", 2023, "onveilig_buurt", 25.0, 15.0, 35.0, 80),
    ("WK000101", "wijk", 2023, "onveilig_buurt", None, None, None, 20),
    ("WK000201", "wijk", 2023, "onveilig_buurt", 50.0, 40.0, 60.0, 99),  # another gemeente
    ("WK000101", "wijk", 2021, "onveilig_buurt", 30.0, 20.0, 40.0, 70),
]


def test_changes_table_tests_the_difference_on_the_margins():
    survey = _survey(ROWS)
    assert enquete.main_source(survey, "GM0001", ["onveilig_buurt"], 2024) == "eigen_enquete"
    waves = enquete.waves(
        survey, "GM0001", ["onveilig_buurt", "tevreden_aanpak_gemeente"], enquete.OWN, 2024
    )
    assert waves["year"].tolist() == [2019, 2023, 2019, 2023]
    out = enquete.changes_table(waves, 2019, 2023).set_index("indicator")
    # se = 2 / 1.96 per wave, z = 10 / sqrt(2) / se = 6.93
    assert math.isclose(float(out.loc["onveilig_buurt", "difference"]), 10.0)
    assert out.loc["onveilig_buurt", "word"] == "significant hoger"
    assert out.loc["onveilig_buurt", "p_text"] == "p < 0,001"
    assert out.loc["tevreden_aanpak_gemeente", "word"] == "niet te toetsen"  # suppressed wave
    assert pd.isna(out.loc["tevreden_aanpak_gemeente", "latest"])
    wide = enquete.wide_by_year(waves).set_index("Indicator")
    assert wide.loc[enquete.INDICATOR_LABELS["onveilig_buurt"], "2023"] == "20,0 (18,0–22,0)"
    assert wide.loc[enquete.INDICATOR_LABELS["tevreden_aanpak_gemeente"], "2023"] == "onderdrukt"


def test_change_word_needs_significance():
    from hengelo_analysis.analysis import stats

    small = stats.survey_change(2021, 30.0, 27.0, 33.0, 2023, 31.0, 28.0, 34.0)
    assert enquete.change_word(small) == "geen significant verschil"
    assert enquete.change_word(None) == "niet te toetsen"


def test_wijk_table_keeps_suppressed_wijken_and_only_the_gemeente():
    survey = _survey(ROWS)
    names = {"WK000102": "Noord"}
    assert ch.latest_wijk_year(survey, "GM0001", 2024) == 2023
    assert ch.latest_wijk_year(survey, "GM0001", 2020) is None
    out = ch.wijk_table(survey, "GM0001", "onveilig_buurt", 2023, names)
    assert out["area_code"].tolist() == ["WK000101", "WK000102"]
    assert out["status"].tolist() == ["onderdrukt", "gepubliceerd"]
    assert out["area_name"].tolist() == ["WK000101", "Noord"]
    assert pd.isna(out.loc[0, "value"]) and out.loc[0, "n"] == 20
    out.loc[0, "area_name"] = "De_Es"  # data-derived: escaped for Markdown
    assert ch.suppressed_sentence(out, 2023, 50) == (
        "Enquêtegolf 2023: 2 wijken, waarvan 1 onderdrukt (minder dan 50 respondenten): De\\_Es."
    )
    assert ch.suppressed_sentence(out.iloc[1:], 2023, 50).endswith("respondenten).")


def test_veiligheidsmonitor_fallback_is_named_and_labelled():
    survey = _survey(ROWS)
    vm = enquete.waves(survey, "GM0001", ["onveilig_buurt"], enquete.VM, 2024)
    assert ch.fallback_sentence(vm) == FALLBACK.split(": ", 1)[1]
    assert ch.region_code(vm) == "VR05"
    side = ch.sources_side_by_side(survey, "GM0001", ["onveilig_buurt"], 2024)
    assert side["bron"].tolist() == [
        "eigen enquête",
        "Veiligheidsmonitor (Veiligheidsregio Twente)",
        "eigen enquête",
        "Veiligheidsmonitor (Veiligheidsregio Twente)",
        "Veiligheidsmonitor Nederland",
    ]
    assert ch.latest_text(side, "onveilig_buurt") == (
        "eigen enquête 2023: 20,0%; Veiligheidsmonitor (Veiligheidsregio Twente) 2023: 15,0%; "
        "Veiligheidsmonitor Nederland 2023: 18,0%"
    )
    methods = enquete.wave_methods(enquete.waves(survey, "GM0001", ["onveilig_buurt"], None, 2024))
    vm_2021 = methods[(methods["year"] == 2021)].iloc[0]
    assert vm_2021["method_note"] == (
        f"cijfers van de Veiligheidsregio Twente (gemeente niet apart in de tabel); {METHOD_BREAK_NOTE}"
    )
    assert ch.sources_side_by_side(None, "GM0001", ["onveilig_buurt"], 2024).empty
    assert enquete.main_source(None, "GM0001", ["onveilig_buurt"], 2024) is None


def test_claim_parameter_reads_the_parameters_the_claim_was_judged_with():
    from hengelo_analysis.analysis import claims

    hengelo = claims.claim_file_for("GM0164")
    finding = claims.Finding("C6", claims.SUPPORTED, {}, "t", "s", "u")
    document = claims.findings_document([finding], "GM0164", 2024, "demo", claim_file=hengelo)
    assert common.claim_parameter(document, "C6", "base_year") == 2019
    with pytest.raises(KeyError):
        common.claim_parameter(document, "C99", "x")


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return published_edition(tmp_path_factory)


@pytest.mark.slow
def test_page_shows_waves_wijken_and_the_veiligheidsmonitor_beside_the_own_survey(edition):
    root, out = edition
    parsed = assert_page_basics(out, PAGE, min_figures=5)
    survey = pd.read_parquet(root / "data" / "processed" / "demo" / "survey.parquet")
    wijk = survey[
        (survey["area_level"] == "wijk")
        & (survey["year"] == 2023)
        & (survey["indicator"] == "onveilig_buurt")
    ].sort_values("area_code")
    assert len(wijk) == 10
    cells = [c.strip() for c in parsed.cells]
    crime = pd.read_parquet(root / "data" / "processed" / "demo" / "crime.parquet")
    names = dict(zip(crime["area_code"], crime["area_name"], strict=True))
    # the page names the wijk; its code is only in the download (no codes for the reader)
    assert not any(c.startswith("WK0164") for c in cells)
    for r in wijk.itertuples():
        i = cells.index(names[r.area_code])
        if pd.isna(r.value):
            assert cells[i + 1 : i + 6] == [
                "n.b.",
                "n.b.",
                "n.b.",
                format_number(r.n),
                "onderdrukt",
            ]
        else:
            expected = [format_number(v, 1) for v in (r.value, r.lower, r.upper)]
            assert cells[i + 1 : i + 6] == [*expected, format_number(r.n), "gepubliceerd"]
    assert "1 onderdrukt (minder dan 50 respondenten): Wijk 09 Buitengebied" in parsed.text
    own = survey[(survey["area_code"] == "GM0164") & (survey["source"] == "eigen_enquete")]
    latest = own[(own["year"] == 2023) & (own["indicator"] == "onveilig_buurt")].iloc[0]
    assert f"Hengelo: {format_number(latest['value'], 1)} %" in parsed.text  # key figure
    assert "de cijfers gelden voor Twente" in parsed.text and "VR05" not in parsed.text
    assert "Veiligheidsmonitor (Veiligheidsregio Twente)" in cells
    assert "methodebreuk" in parsed.text
    vm = survey[
        (survey["area_code"] == "GM0164")
        & (survey["source"] == "veiligheidsmonitor")
        & (survey["indicator"] == "rapportcijfer_veiligheid")
        & (survey["year"] == 2023)
    ].iloc[0]
    assert any(
        f"(Veiligheidsregio Twente) 2023: {format_number(vm['value'], 1)}" in a for a in parsed.alts
    )
    assert "verandert niet aantoonbaar" in parsed.text  # the C5 sentence (TOST and direction)


@pytest.mark.slow
def test_chapter_notebooks_degrade_for_a_gemeente_without_survey_e33_or_wijken():
    from tests.chapter_report import gm0153_executed

    executed = [gm0153_executed()[n] for n in NOTEBOOKS]  # the shared Enschede run
    assert [p.stem for p in executed] == list(NOTEBOOKS)
    texts = {}
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.get("output_type") == "error"], path.name
        texts[path.stem] = " ".join(
            str(o.get("data", {}).get("text/markdown", "")) for o in outputs
        )
    # no E33 file is supplied for Enschede: page 03 shows the open police tables and says so
    assert "open politietabellen" in texts["03_zorg_en_overlast"]
    # nothing supplied is said as such, never as 0
    assert "jeugdreclasseringscijfers van Enschede zijn niet aangeleverd" in texts["04_jeugd"]
    assert "Onvoldoende gegevens: geen enquêtecijfers per wijk" in texts["06_veiligheidsbeleving"]
    assert "de BRON-ongevallen van Enschede zijn niet aangeleverd" in texts["07_verkeer"]


def test_pages_name_the_same_respondent_minimum_as_the_survey_cleaner():
    # pages may not import sources, so the number is stated twice; this keeps the two equal
    from hengelo_analysis.sources import survey

    assert enquete.MIN_RESPONDENTS == survey.MIN_N
