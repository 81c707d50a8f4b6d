"""Veiligheidsbeleving: survey indicators per wave and per wijk, own survey beside the Veiligheidsmonitor.

Two sources answer the same questions in different ways: the gemeente's own survey (per wijk,
every two years since 2017) and the CBS Veiligheidsmonitor (gemeente or a larger region, online-only
from 2021). Their figures are shown side by side, never mixed in one series: a difference between
the two is a difference in method as much as in safety.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.domain import NL_SURVEY_CODE
from hengelo_analysis.domain import VM_METHOD_BREAK_NOTE as METHOD_BREAK_NOTE
from hengelo_analysis.formatting import format_number, format_percentage
from hengelo_analysis.pages import common, plots
from hengelo_analysis.pages.enquete import INDICATOR_LABELS, OWN, VM, is_mark, waves
from hengelo_analysis.pages.sections import Section
from hengelo_analysis.pages.tables import html_table

SIDE_BY_SIDE_LABELS = ("eigen enquête", "Veiligheidsmonitor", "Veiligheidsmonitor Nederland")


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
    land_code: str = NL_SURVEY_CODE,
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
                label = f"{label} ({common.readable_codes(f'regio {region}').removeprefix('de ')})"
            parts.append(rows.assign(bron=label)[columns])
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    order = {i: k for k, i in enumerate(indicators)}
    bron_order = {label: k for k, label in enumerate(SIDE_BY_SIDE_LABELS)}
    out["_o"] = out["indicator"].map(order)
    out["_b"] = [bron_order.get(b.split(" (")[0], 9) for b in out["bron"]]
    return out.sort_values(["_o", "year", "_b"], ignore_index=True).drop(columns=["_o", "_b"])


def suppressed_sentence(table: pd.DataFrame, year: int, min_n: int) -> str:
    """ "Enquêtegolf 2023: 10 wijken, waarvan 1 onderdrukt (minder dan 50 respondenten): Wijk 09."

    Area names are escaped for Markdown (they come from the data).
    """
    from hengelo_analysis.pages.tables import escape_markdown

    hidden = table.loc[table["status"] == "onderdrukt", "area_name"]
    text = (
        f"Enquêtegolf {year}: {len(table)} wijken, waarvan {len(hidden)} onderdrukt "
        f"(minder dan {min_n} respondenten)"
    )
    return text + (f": {', '.join(escape_markdown(n) for n in hidden)}." if len(hidden) else ".")


def wave_years(wave_rows: pd.DataFrame) -> list[int]:
    """The waves (years) with at least one published value, oldest first."""
    return [int(y) for y in sorted(wave_rows.dropna(subset=["value"])["year"].unique())]


def latest_two(years: list[int]) -> tuple[int | None, int | None]:
    """(latest, the one before) of :func:`wave_years`; None where there is no such wave."""
    latest = max(years) if years else None
    earlier = [y for y in years if latest is not None and y < latest]
    return latest, (max(earlier) if earlier else None)


def values_in(wave_rows: pd.DataFrame, year: int | None) -> pd.Series:
    """Indicator → value in one wave (empty when ``year`` is None or absent)."""
    return wave_rows[wave_rows["year"] == year].set_index("indicator")["value"]


def core_alt(wave_rows: pd.DataFrame, name: str) -> str:
    """Alt text of the chart of feeling unsafe and satisfaction per wave."""
    years = wave_years(wave_rows)
    now = values_in(wave_rows, max(years))
    return (
        f"Lijndiagram per enquêtegolf ({min(years)} tot en met {max(years)}) van het percentage inwoners "
        f"van {name} dat zich wel eens onveilig voelt in de buurt "
        f"({format_percentage(now.get('onveilig_buurt'))} in {max(years)}) en dat tevreden is "
        f"over de aanpak van de gemeente ({format_percentage(now.get('tevreden_aanpak_gemeente'))})."
    )


# How the wijk sections name their indicator: title, the phrase in the alt text, and which wijk the
# alt text names (the most unsafe, the least satisfied).
WIJK_TOPICS = {
    "onveilig_buurt": (
        "Voelt zich onveilig in de eigen buurt",
        "zich onveilig voelt in de eigen buurt",
        "hoogste",
    ),
    "tevreden_aanpak_gemeente": (
        "Tevreden over de aanpak van de gemeente",
        "tevreden is over de aanpak van de gemeente",
        "laagste",
    ),
}
WIJK_COLUMNS = {
    "area_name": "Wijk",
    "value": "%",
    "lower": "Marge ondergrens",
    "upper": "Marge bovengrens",
    "n": "Respondenten",
    "status": "Status",
    "area_code": "Wijkcode",  # in the downloads only
}


def wijk_section(table: pd.DataFrame, indicator: str, name: str, year: int, reference) -> Section:
    """Bars per wijk with the gemeente as reference, and the same figures as a table."""
    title, phrase, extreme = WIJK_TOPICS[indicator]
    fig = plots.indicator_bars(
        table["area_name"],
        table["value"],
        table["lower"],
        table["upper"],
        title=f"{title}, per wijk (%)\n{name}, {year}",
        xlabel="% inwoners",
        source="eigen enquête; 95%-marges",
        reference=reference,
        reference_label=name,
    )
    ordered = table.dropna(subset=["value"]).sort_values("value", ignore_index=True)
    pick = ordered.loc[len(ordered) - 1 if extreme == "hoogste" else 0]
    alt = (
        f"Liggend staafdiagram per wijk van {name} ({year}) van het percentage inwoners dat {phrase}, "
        f"met 95%-marges; {extreme}: {pick['area_name']} ({format_percentage(pick['value'])}), "
        f"gemeente {format_percentage(reference)}"
    )
    if extreme == "hoogste":  # stated once, with the first wijk chart of the page
        alt += f"; {int((table['status'] == 'onderdrukt').sum())} wijk(en) onderdrukt"
    shown = table[list(WIJK_COLUMNS)].rename(columns=WIJK_COLUMNS)
    caption = f"{title}, per wijk, {name}, {year} (%)"
    return Section(
        figure=fig, alt=alt + ".", table=html_table(shown, caption, download_only=["Wijkcode"])
    )


def side_by_side_display(side_by_side: pd.DataFrame, caption: str):
    """:func:`sources_side_by_side` as an HTML table with Dutch column names."""
    shown = side_by_side.assign(indicator=side_by_side["indicator"].map(INDICATOR_LABELS))
    shown.columns = ["Indicator", "Jaar", "Bron", "Waarde", "Marge ondergrens", "Marge bovengrens"]
    return html_table(shown, caption)


def latest_value(rows: pd.DataFrame) -> tuple[float | None, int | None]:
    """(value, year) of the latest row of one series, (None, None) when it is empty."""
    if rows.empty:
        return None, None
    last = rows.sort_values("year").tail(1)
    return last["value"].squeeze(), int(last["year"].squeeze())


def sources_alt(side_by_side: pd.DataFrame, name: str) -> str:
    """Alt text of the chart of feeling unsafe per source."""
    return (
        f"Lijndiagram van het percentage inwoners van {name} dat zich onveilig voelt in de eigen buurt, "
        f"per bron en jaar met 95%-marges; de bronnen verschillen in methode. Laatste cijfers: "
        f"{latest_text(side_by_side, 'onveilig_buurt')}."
    )


def mark_alt(side_by_side: pd.DataFrame, name: str) -> str:
    """Alt text of the chart of the safety mark (1-10) per source."""
    return (
        f"Lijndiagram van het gemiddelde rapportcijfer voor veiligheid in de buurt in {name} per bron en "
        f"jaar, met 95%-marges; laatste cijfers: {latest_text(side_by_side, 'rapportcijfer_veiligheid')}."
    )
