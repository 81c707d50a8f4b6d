"""Dutch that a reader trips over, caught in the sources of the text (fast, no edition built).

"per inwoners" is not Dutch: a rate is "per inwoner" or "per 10.000 inwoners". The map legend
says "afgeschermd" for a count below 5, the word every page and table uses, not "onderdrukt".
"""

from __future__ import annotations

from pathlib import Path

from hengelo_analysis.pages import maps

ROOT = Path(__file__).resolve().parents[1]
TEXT_SOURCES = ("*.py", "*.j2", "*.toml", "*.ipynb")


def _source_files():
    for folder in (ROOT / "hengelo_analysis", ROOT / "notebooks"):
        for pattern in TEXT_SOURCES:
            yield from folder.rglob(pattern)


def test_no_source_writes_per_inwoners():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _source_files()
        if "per inwoners" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_map_legend_uses_the_word_of_the_pages_for_small_counts():
    assert maps.SUPPRESSED_LABEL == "afgeschermd (<5)"


def test_key_figures_name_what_they_count():
    # "3.953 aantal in het peiljaar" is not a sentence: the unit names the thing counted.
    offenders = [
        path.name
        for path in (ROOT / "notebooks").glob("*.ipynb")
        if "aantal in het peiljaar" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_survey_change_table_says_its_difference_is_of_the_unrounded_figures():
    import pandas as pd

    from hengelo_analysis.pages import enquete

    changes = pd.DataFrame(
        {
            "indicator": ["onveilig_buurt"],
            "base": [32.74],
            "latest": [33.78],
            "difference": [1.04],
            "word": ["geen significant verschil"],
        }
    )
    table = enquete.changes_display(changes, 2021, 2023, "Hengelo: 2023 tegen 2021")
    shown = dict(zip(table.data.columns, table.cells()[0], strict=True))
    # 33,8 - 32,7 reads as 1,1; the table shows 1,0 and must say why
    assert shown["2021 (%)"] == "32,7" and shown["2023 (%)"] == "33,8"
    assert shown["Verschil (procentpunt, vóór afronding)"] == "1,0"


def test_the_unsafe_feeling_indicator_has_one_name():
    # The profile said "soms onveilig", page 06 "soms of vaak onveilig", the verdict "wel eens
    # onveilig" for the same survey figure; the Veiligheidsmonitor's own words are "wel eens".
    variants = ("soms onveilig", "soms of vaak onveilig")
    offenders = [
        str(path.relative_to(ROOT))
        for path in _source_files()
        if any(v in path.read_text(encoding="utf-8").lower() for v in variants)
    ]
    assert offenders == []


def test_rate_sentence_gives_the_margin_without_the_method_name():
    import pandas as pd

    from hengelo_analysis.pages import crime_series

    series = pd.DataFrame({"year": [2024], "rate": [13.5], "lower": [11.1], "upper": [16.2]})
    sentence = crime_series.rate_sentence(series, 2024, "per 10.000 inwoners", lead="In 2024:")
    assert sentence == "In 2024: 13,5 per 10.000 inwoners (marge 11,1 tot 16,2)."
