"""Veiligheidsbeleving: survey indicators per wave and per wijk, own survey beside the Veiligheidsmonitor.

Two sources answer the same questions in different ways: the gemeente's own survey (per wijk,
every two years since 2017) and the CBS Veiligheidsmonitor (gemeente or a larger region, online-only
from 2021). Their figures are shown side by side, never mixed in one series: a difference between
the two is a difference in method as much as in safety.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis import findings, stats
from hengelo_analysis.formatting import format_number
from hengelo_analysis.stats import InsufficientData
from hengelo_analysis.veiligheidsmonitor import METHOD_BREAK_NOTE

OWN = "eigen_enquete"
VM = "veiligheidsmonitor"
SOURCE_LABELS = {OWN: "eigen enquête", VM: "Veiligheidsmonitor"}
INDICATOR_LABELS = {
    "onveilig_buurt": "voelt zich soms of vaak onveilig in de eigen buurt",
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
SIDE_BY_SIDE_LABELS = ("eigen enquête", "Veiligheidsmonitor", "Veiligheidsmonitor Nederland")
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


def main_source(survey: pd.DataFrame | None, area_code: str, indicators: list[str]) -> str | None:
    """The source with the most waves for the area (as the findings choose it), or None."""
    if survey is None or survey.empty:
        return None
    rows = survey[(survey["area_code"] == area_code) & survey["indicator"].isin(indicators)]
    rows = rows.dropna(subset=["value"])
    if rows.empty:
        return None
    counts = rows.groupby("source")["year"].nunique()
    # ties: the own survey first (it has wijk figures), then alphabetical for determinism
    order = sorted(counts.index, key=lambda s: (-counts[s], s != OWN, s))
    return str(order[0])


def change(wave_rows: pd.DataFrame, indicator: str, year1: int, year2: int) -> stats.SurveyChange:
    """Significance of the change of one indicator between two waves, as the claims judge it."""
    return findings.survey_change_between(wave_rows, indicator, year1, year2)


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


def wijk_codes_of(gemeente: str) -> str:
    """``GM0164`` → ``WK0164``: the prefix every wijk code of the gemeente starts with."""
    return "WK" + gemeente[2:]


def wijk_table(
    survey: pd.DataFrame | None,
    gemeente: str,
    indicator: str,
    year: int,
    names: dict[str, str] | None = None,
    source: str = OWN,
) -> pd.DataFrame:
    """One indicator per wijk of the gemeente for one wave, suppressed wijken kept as such.

    Columns: area_code, area_name, value, lower, upper, n, status (``gepubliceerd`` or
    ``onderdrukt``: value missing because fewer respondents than the minimum answered).
    """
    columns = ["area_code", "area_name", "value", "lower", "upper", "n", "status"]
    if survey is None or survey.empty:
        return pd.DataFrame(columns=columns)
    rows = survey[
        (survey["area_level"] == "wijk")
        & survey["area_code"].str.startswith(wijk_codes_of(gemeente))
        & (survey["indicator"] == indicator)
        & (survey["year"] == year)
        & (survey["source"] == source)
    ].copy()
    names = names or {}
    rows["area_name"] = [names.get(c, c) for c in rows["area_code"]]
    rows["status"] = ["onderdrukt" if pd.isna(v) else "gepubliceerd" for v in rows["value"]]
    return rows.reindex(columns=columns).sort_values("area_code", ignore_index=True)


def latest_wijk_year(survey: pd.DataFrame | None, gemeente: str, peiljaar: int) -> int | None:
    """The latest wave (≤ peiljaar) with wijk rows for the gemeente, or None."""
    if survey is None or survey.empty:
        return None
    rows = survey[
        (survey["area_level"] == "wijk")
        & survey["area_code"].str.startswith(wijk_codes_of(gemeente))
        & (survey["year"] <= peiljaar)
    ]
    return None if rows.empty else int(rows["year"].max())


def fallback_sentence(wave_rows: pd.DataFrame) -> str | None:
    """The Dutch sentence saying which region's Veiligheidsmonitor figures stand for the gemeente.

    The cleaner writes it into ``method_note`` as ``"regio <code>: <sentence>"`` (plus the 2021
    method-break note on 2021 rows); None when the gemeente has its own figures.
    """
    for note in wave_rows["method_note"].dropna().astype(str):
        if note.startswith("regio "):
            text = note.split(": ", 1)[1] if ": " in note else note
            return text.replace(f"; {METHOD_BREAK_NOTE}", "").strip()
    return None


def region_code(wave_rows: pd.DataFrame) -> str | None:
    """The code of the region whose figures stand for the gemeente (``"VR05"``), or None."""
    for note in wave_rows["method_note"].dropna().astype(str):
        if note.startswith("regio ") and ":" in note:
            return note[len("regio ") : note.index(":")].strip()
    return None


def latest_text(side_by_side: pd.DataFrame, indicator: str, decimals: int = 1) -> str:
    """ "eigen enquête 2023: 33,8%; Veiligheidsmonitor 2023: 19,4%" — the latest value per source.

    Percentages get a % sign, rapportcijfers not; "n.b." when no source has the indicator.
    """
    rows = side_by_side[side_by_side["indicator"] == indicator].dropna(subset=["value"])
    if rows.empty:
        return "n.b."
    parts = []
    for bron, part in rows.groupby("bron", sort=False):
        last = part.sort_values("year").iloc[-1]
        value = format_number(last["value"], decimals) + ("" if is_mark(indicator) else "%")
        parts.append(f"{bron} {int(last['year'])}: {value}")
    return "; ".join(parts)


def sources_side_by_side(
    survey: pd.DataFrame | None,
    gemeente: str,
    indicators: list[str],
    peiljaar: int,
    land_code: str = "NL01",
) -> pd.DataFrame:
    """Rows: indicator × year; columns: own survey, Veiligheidsmonitor (gemeente) and Nederland.

    Values are the estimates with their 95% bounds in separate columns, missing where a source
    has no wave that year. Nederland comes from the Veiligheidsmonitor's land row.
    """
    columns = ["indicator", "year", "bron", "value", "lower", "upper"]
    parts = []
    for (area, source), label in zip(
        ((gemeente, OWN), (gemeente, VM), (land_code, VM)), SIDE_BY_SIDE_LABELS, strict=True
    ):
        rows = waves(survey, area, indicators, source, peiljaar)
        if not rows.empty:
            region = region_code(rows) if area != land_code else None
            if region:  # another region's figures stand for the gemeente: say which
                label = f"{label} (regio {region})"
            parts.append(rows.assign(bron=label)[columns])
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    order = {i: k for k, i in enumerate(indicators)}
    bron_order = {label: k for k, label in enumerate(SIDE_BY_SIDE_LABELS)}
    out["_o"] = out["indicator"].map(order)
    out["_b"] = [bron_order.get(b.split(" (regio ")[0], 9) for b in out["bron"]]
    return out.sort_values(["_o", "year", "_b"], ignore_index=True).drop(columns=["_o", "_b"])


def area_names(crime: pd.DataFrame | None, gemeente: str) -> dict[str, str]:
    """Area code → name for the gemeente and its wijken/buurten (from the crime table's names)."""
    if crime is None or crime.empty:
        return {}
    rows = crime[(crime["gemeente_code"] == gemeente) | (crime["area_code"] == gemeente)]
    pairs = rows[["area_code", "area_name"]].dropna().drop_duplicates("area_code")
    return {str(c): str(n) for c, n in zip(pairs["area_code"], pairs["area_name"], strict=True)}


def claim_parameter(claim_id: str, name: str):
    """A parameter of a claim as the findings test it (e.g. C6's base year), one source of truth."""
    for claim in findings.CLAIMS:
        if claim.id == claim_id:
            return claim.params[name]
    raise KeyError(claim_id)


def _short_note(note: str) -> str:
    """The method note without the long fallback sentence (the page states it once)."""
    if note.startswith("regio ") and ":" in note:
        parts = [f"cijfers van {note[: note.index(':')]} (gemeente niet apart in de tabel)"]
        if METHOD_BREAK_NOTE in note:
            parts.append(METHOD_BREAK_NOTE)
        note = "; ".join(parts)
    return note or "geen bijzonderheden"


def wave_methods(wave_rows: pd.DataFrame) -> pd.DataFrame:
    """Per source and wave the method note (weighting, method break), one row each."""
    columns = ["year", "source", "method_note"]
    if wave_rows.empty:
        return pd.DataFrame(columns=columns)
    rows = wave_rows[columns].drop_duplicates(["year", "source"]).copy()
    rows["source"] = rows["source"].map(SOURCE_LABELS).fillna(rows["source"])
    rows["method_note"] = [_short_note(n) for n in rows["method_note"]]
    return rows.sort_values(["source", "year"], ignore_index=True)


def suppressed_sentence(table: pd.DataFrame, year: int, min_n: int) -> str:
    """ "Enquêtegolf 2023: 10 wijken, waarvan 1 onderdrukt (minder dan 50 respondenten): Wijk 09."

    Area names are escaped for Markdown (they come from the data).
    """
    from hengelo_analysis.tables import escape_markdown

    hidden = table.loc[table["status"] == "onderdrukt", "area_name"]
    text = (
        f"Enquêtegolf {year}: {len(table)} wijken, waarvan {len(hidden)} onderdrukt "
        f"(minder dan {min_n} respondenten)"
    )
    return text + (f": {', '.join(escape_markdown(n) for n in hidden)}." if len(hidden) else ".")
