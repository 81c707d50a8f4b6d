"""The survey rows of the at-a-glance profile: the Veiligheidsmonitor figure against Nederland's.

Only Veiligheidsmonitor figures compare with Nederland's (the same questions, the same way of
asking); a gemeente's own survey asks differently, so its figure is a note, not a comparison. The
Veiligheidsmonitor figure may describe a larger area (Twente for a gemeente with too few
respondents, see ``method_note``); the row then says so in ``area``, and a comparison with the rest
of Twente or the peers is not possible (the figure already covers them, or no combined figure of
them is published).
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims.model import ALPHA, Context
from hengelo_analysis.analysis.claims.survey import proxy_area
from hengelo_analysis.analysis.profile_rows import (
    SURVEY_UNITS,
    Indicator,
    base_row,
    no_comparison,
    no_trend,
    trend_dict,
)
from hengelo_analysis.analysis.survey_source import OWN_SURVEY
from hengelo_analysis.analysis.table_index import area_rows, remembered
from hengelo_analysis.domain import NL_SURVEY_CODE
from hengelo_analysis.formatting import format_number

VM = "veiligheidsmonitor"
REGION_NAMES = {"VR05": "Twente (VR05)"}
REFERENCES = ("nederland", "twente", "peers")


def published_waves(ctx: Context, area: str, indicator: str, peiljaar: int, source: str):
    """The published waves (≤ ``peiljaar``, by year) of one indicator, area and survey source.

    The waves of all years are remembered and cut at the peiljaar: the profile of the year before
    asks for the same ones (a year has one wave per area, indicator and source, so the order is
    the same either way).
    """

    def compute() -> pd.DataFrame:
        rows = area_rows(ctx.tables, "survey", [area])
        rows = rows[(rows["indicator"] == indicator) & (rows["source"] == source)]
        return rows.dropna(subset=["value", "lower", "upper"]).sort_values("year")

    waves = remembered(ctx.tables, ("survey_waves", area, indicator, source), compute)
    return waves[waves["year"] <= peiljaar]


def survey_row(ctx: Context, ind: Indicator, gemeente_name: str) -> dict:
    """The row of one survey indicator (latest Veiligheidsmonitor wave up to the peiljaar)."""
    indicator = ind.codes[0]
    unit = SURVEY_UNITS.get(indicator, "% van de inwoners")
    row = base_row(ind, gemeente_name, unit)
    if ctx.tables.get("survey") is None:
        row["reason"] = "geen enquêtecijfers"
        row["comparisons"] = [no_comparison(r, "geen eigen cijfer") for r in REFERENCES]
        row["trend"] = no_trend("geen enquêtecijfers")
        return row
    waves = published_waves(ctx, ctx.gemeente, indicator, ctx.peiljaar, VM)
    own = published_waves(ctx, ctx.gemeente, indicator, ctx.peiljaar, OWN_SURVEY)
    if waves.empty and not own.empty:
        return own_survey_row(row, own, gemeente_name)
    if waves.empty:
        row["reason"] = "geen enquêtecijfer"
        row["comparisons"] = [no_comparison(r, "geen eigen cijfer") for r in REFERENCES]
        row["trend"] = no_trend("geen enquêtecijfers")
        return row
    if not own.empty:
        last = own.iloc[-1]
        row["note"] = (
            f"eigen enquête van {gemeente_name} {int(last['year'])}: {shown(last['value'], ind, unit)} "
            "(vraagt anders, niet te vergelijken)"
        )
    latest = waves.iloc[-1]
    year = int(latest["year"])
    proxy = proxy_area(waves)
    row.update(
        area=REGION_NAMES.get(proxy, f"regio {proxy}") if proxy else gemeente_name,
        year=year,
        value=float(latest["value"]),
        lower=float(latest["lower"]),
        upper=float(latest["upper"]),
    )
    row["comparisons"] = [
        national(ctx, indicator, latest),
        no_comparison(
            "twente",
            "het cijfer geldt voor heel Twente"
            if proxy
            else "geen cijfer voor de rest van Twente samen",
        ),
        no_comparison(
            "peers",
            f"de Veiligheidsmonitor heeft geen eigen cijfer voor {gemeente_name}"
            if proxy
            else "geen cijfer voor de vergelijkbare gemeenten samen",
        ),
    ]
    row["trend"] = survey_trend(waves)
    return row


def shown(value: float, ind: Indicator, unit: str) -> str:
    text = format_number(value, ind.decimals)
    return f"{text}%" if unit.startswith("%") else text


def own_survey_row(row: dict, own: pd.DataFrame, gemeente_name: str) -> dict:
    """Only the gemeente's own survey: its figure and trend, no comparison (it asks differently)."""
    latest = own.iloc[-1]
    row.update(
        area=f"{gemeente_name} (eigen enquête)",
        year=int(latest["year"]),
        value=float(latest["value"]),
        lower=float(latest["lower"]),
        upper=float(latest["upper"]),
    )
    reason = (
        "geen vergelijking: de eigen enquête vraagt anders dan de landelijke Veiligheidsmonitor"
    )
    row["comparisons"] = [no_comparison(r, reason) for r in REFERENCES]
    row["trend"] = survey_trend(own)
    return row


def national(ctx: Context, indicator: str, own: pd.Series) -> dict:
    """The z-test of the wave against Nederland's figure of the same year."""
    year = int(own["year"])
    nl = published_waves(ctx, NL_SURVEY_CODE, indicator, year, VM)
    nl = nl[nl["year"] == year]
    if nl.empty:
        return no_comparison("nederland", f"geen landelijk cijfer voor {year}")
    ref = nl.iloc[0]
    test = stats.survey_change(
        year,
        ref["value"],
        ref["lower"],
        ref["upper"],
        year,
        own["value"],
        own["lower"],
        own["upper"],
    )
    return {
        "reference": "nederland",
        "label": "Nederland",
        "value": float(ref["value"]),
        "lower": float(ref["lower"]),
        "upper": float(ref["upper"]),
        "p": test.p_value,
        "difference": test.difference,
    }


def survey_trend(waves: pd.DataFrame) -> dict:
    """The change between the two latest waves of one source (z-test), as the trend."""
    if len(waves) < 2:
        return no_trend("maar één meting")
    a, b = waves.iloc[-2], waves.iloc[-1]
    change = stats.survey_change(
        int(a["year"]), a["value"], a["lower"], a["upper"],
        int(b["year"]), b["value"], b["lower"], b["upper"],
        source=str(b["source"]),
    )  # fmt: skip
    if change.method_break:
        return no_trend(f"methodebreuk tussen {change.year1} en {change.year2}")
    direction = "geen"
    if change.p_value < ALPHA and change.difference != 0:
        direction = "stijgend" if change.difference > 0 else "dalend"
    return trend_dict(direction, None, change.p_value, f"{change.year1}-{change.year2}")
