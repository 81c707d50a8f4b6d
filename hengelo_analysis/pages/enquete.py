"""Survey waves as the pages show them: labels, waves per source, changes between waves, methods.

Shared by the pages that show survey figures (veiligheidsbeleving, zorg en overlast, digitale
veiligheid). The claims judge the same changes with the same function
(:func:`hengelo_analysis.analysis.claims.survey_change_between`), so a page and a verdict agree.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import claims, stats
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.analysis.survey_source import OWN_SURVEY, main_survey_source
from hengelo_analysis.domain import VM_METHOD_BREAK_NOTE as METHOD_BREAK_NOTE
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages.common import readable_codes
from hengelo_analysis.pages.tables import Table, html_table

# The survey cleaner hides a wave estimate below this many respondents (sources.survey.MIN_N; a
# test keeps the two equal, the pages may not import sources).
MIN_RESPONDENTS = 50

OWN = OWN_SURVEY


VM = "veiligheidsmonitor"


SOURCE_LABELS = {OWN: "eigen enquête", VM: "Veiligheidsmonitor"}


INDICATOR_LABELS = {
    "onveilig_buurt": "voelt zich wel eens onveilig in de eigen buurt",
    "tevreden_aanpak_gemeente": "tevreden over de aanpak van de gemeente",
    "rapportcijfer_veiligheid": "rapportcijfer veiligheid in de buurt",
    "overlast_drugsgebruik": "drugsgebruik",
    "overlast_drugshandel": "drugshandel",
    "overlast_dronken_mensen": "dronken mensen op straat",
    "overlast_rondhangende_jongeren": "rondhangende jongeren",
    "overlast_verwarde_personen": "verwarde personen",
    "slachtoffer_totaal": "slachtoffer van criminaliteit",
    "slachtoffer_online": "slachtoffer van online criminaliteit",
}


WAVE_COLUMNS = ["indicator", "year", "source", "value", "lower", "upper", "n", "method_note"]


def is_mark(indicator: str) -> bool:
    """Rapportcijfers are marks 1-10, every other indicator is a percentage."""
    return str(indicator).startswith("rapportcijfer_")


def waves(
    survey: pd.DataFrame | None,
    area_code: str,
    indicators: list[str],
    source: str | None,
    peiljaar: int,
) -> pd.DataFrame:
    """The waves of ``indicators`` for one area and source (None: all) up to ``peiljaar``.

    Returns the columns of :data:`WAVE_COLUMNS`; an empty frame when the table or the rows are
    missing (the notebook then says "onvoldoende gegevens").
    """
    if survey is None or survey.empty:
        return pd.DataFrame(columns=WAVE_COLUMNS)
    rows = survey[
        (survey["area_code"] == area_code)
        & survey["indicator"].isin(indicators)
        & ((survey["source"] == source) if source is not None else True)
        & (survey["year"] <= peiljaar)
    ]
    out = rows.reindex(columns=WAVE_COLUMNS).copy()
    out["method_note"] = out["method_note"].fillna("").astype(str)
    return out.sort_values(["indicator", "year"], ignore_index=True)


def main_source(
    survey: pd.DataFrame | None,
    area_code: str,
    indicators: list[str],
    peiljaar: int,
) -> str | None:
    """The main survey source of the area: the same rule as the claims use (``main_survey_source``)."""
    return main_survey_source(survey, area_code, indicators, peiljaar)


def change(wave_rows: pd.DataFrame, indicator: str, year1: int, year2: int) -> stats.SurveyChange:
    """Significance of the change of one indicator between two waves, as the claims judge it."""
    return claims.survey_change_between(wave_rows, indicator, year1, year2)


def change_word(result: stats.SurveyChange | None, alpha: float = 0.05) -> str:
    """``"hoger"``/``"lager"`` only for a significant change, else "geen significant verschil"."""
    if result is None:
        return "niet te toetsen"
    if not result.significant(alpha):
        return "geen significant verschil"
    return "significant hoger" if result.difference > 0 else "significant lager"


def changes_table(wave_rows: pd.DataFrame, base_year: int, latest_year: int) -> pd.DataFrame:
    """Per indicator: value in ``base_year`` and ``latest_year``, difference, p and verdict word.

    ``p_text`` is the p-value as the report writes it (``p < 0,001``).

    Indicators missing (or suppressed) in either wave get missing numbers and "niet te toetsen".
    """
    records = []
    for indicator in dict.fromkeys(wave_rows["indicator"]):
        try:
            result = change(wave_rows, indicator, base_year, latest_year)
        except InsufficientData:
            result = None
        records.append(
            {
                "indicator": indicator,
                "base": None if result is None else result.value1,
                "latest": None if result is None else result.value2,
                "difference": None if result is None else result.difference,
                "p_value": None if result is None else result.p_value,
                "method_break": False if result is None else result.method_break,
                "word": change_word(result),
                "p_text": "" if result is None else stats.p_text(result.p_value),
            }
        )
    out = pd.DataFrame.from_records(
        records,
        columns=[
            "indicator",
            "base",
            "latest",
            "difference",
            "p_value",
            "method_break",
            "word",
            "p_text",
        ],
    )
    for column in ("base", "latest", "difference", "p_value"):
        out[column] = out[column].astype("Float64")
    return out


def wide_by_year(wave_rows: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """Indicator × wave table of "value (lower-upper)" texts; a suppressed wave reads "onderdrukt"."""
    if wave_rows.empty:
        return pd.DataFrame(columns=["Indicator"])

    def cell(r) -> str:
        if pd.isna(r["value"]):
            return "onderdrukt" if pd.notna(r["n"]) else "n.b."
        return (
            f"{format_number(r['value'], decimals)} "
            f"({format_number(r['lower'], decimals)}–{format_number(r['upper'], decimals)})"
        )

    texts = wave_rows.assign(text=wave_rows.apply(cell, axis=1))
    wide = texts.pivot(index="indicator", columns="year", values="text").fillna("n.b.")
    order = list(dict.fromkeys(wave_rows["indicator"]))
    wide = wide.reindex(order)
    wide.columns = [str(c) for c in wide.columns]
    wide.insert(0, "Indicator", [INDICATOR_LABELS.get(i, i) for i in wide.index])
    return wide.reset_index(drop=True)


def _short_note(note: str) -> str:
    """The method note without the long fallback sentence (the page states it once)."""
    if note.startswith("regio ") and ":" in note:
        region = readable_codes(note[: note.index(":")])
        parts = [f"cijfers van {region} (gemeente niet apart in de tabel)"]
        if METHOD_BREAK_NOTE in note:
            parts.append(METHOD_BREAK_NOTE)
        note = "; ".join(parts)
    return readable_codes(note) or "geen bijzonderheden"


def wave_methods(wave_rows: pd.DataFrame) -> pd.DataFrame:
    """Per source and wave the method note (weighting, method break), one row each."""
    columns = ["year", "source", "method_note"]
    if wave_rows.empty:
        return pd.DataFrame(columns=columns)
    rows = wave_rows[columns].drop_duplicates(["year", "source"]).copy()
    rows["source"] = rows["source"].map(SOURCE_LABELS).fillna(rows["source"])
    rows["method_note"] = [_short_note(n) for n in rows["method_note"]]
    return rows.sort_values(["source", "year"], ignore_index=True)


# The difference is the tested one, of the unrounded percentages: 32,7 -> 33,8 can show "1,0".
# The header says so, since the evidence line quotes the same figure.
DIFFERENCE_HEADER = "Verschil (procentpunt, vóór afronding)"


def changes_display(
    changes: pd.DataFrame, base_year: int, latest_year: int, caption: str, first: str = "Indicator"
) -> Table:
    """A :func:`changes_table` as an HTML table; ``first`` names the indicator column."""
    shown = changes.assign(indicator=changes["indicator"].map(INDICATOR_LABELS))[
        ["indicator", "base", "latest", "difference", "word"]
    ]  # the p-value stays in the evidence line of the verdict
    shown.columns = [
        first,
        f"{base_year} (%)",
        f"{latest_year} (%)",
        DIFFERENCE_HEADER,
        "Oordeel",
    ]
    return html_table(shown, caption)


def source_label(wave_rows: pd.DataFrame | None, source: str | None) -> str:
    """The source as a caption names it, with the area its figures describe.

    A Veiligheidsmonitor figure that falls back to the region (the gemeente is not in the table on
    its own) says so ("Veiligheidsmonitor, cijfers van de Veiligheidsregio Twente"), so a Twente
    figure is never read as the gemeente's. No source: "geen".
    """
    label = SOURCE_LABELS.get(source or "", "geen")
    if source != VM or wave_rows is None or wave_rows.empty or "method_note" not in wave_rows:
        return label
    notes = wave_rows.loc[wave_rows["source"] == VM, "method_note"].dropna().astype(str)
    regions = sorted({n[: n.index(":")] for n in notes if n.startswith("regio ") and ":" in n})
    return f"{label}, cijfers van {readable_codes(regions[0])}" if regions else label
