"""The shape of an at-a-glance row (see :mod:`hengelo_analysis.analysis.profile`) and its key figures."""

from __future__ import annotations

from dataclasses import dataclass

from hengelo_analysis.analysis.claims.model import ALPHA, rounded
from hengelo_analysis.analysis.stats import Trend
from hengelo_analysis.domain import TOTAL_CRIME, TOTAL_NUISANCE

NO_NATIONAL = "geen vergelijking: landelijke cijfers niet aangeleverd"
REFERENCE_LABELS = {
    "nederland": "Nederland",
    "twente": "de rest van Twente",
    "peers": "vergelijkbare gemeenten",
}
ARROWS = {"stijgend": "↑", "dalend": "↓", "geen": "→"}
TREND_TEXT = {
    "stijgend": "stijgt",
    "dalend": "daalt",
    "geen": "geen aantoonbare trend",
}


@dataclass(frozen=True)
class Indicator:
    """A key figure: where it comes from (``table``, ``codes``) and how it is shown."""

    id: str
    label: str
    group: str
    table: str  # crime, nuisance, survey or youth
    codes: tuple[str, ...]
    decimals: int = 1


KEY_INDICATORS = (
    Indicator("misdrijven_totaal", "Misdrijven, totaal", "Misdrijven", "crime", (TOTAL_CRIME,)),
    Indicator("woninginbraak", "Woninginbraak (1.1.1)", "Misdrijven", "crime", ("1.1.1",)),
    Indicator("fietsdiefstal", "Fietsdiefstal (1.2.3)", "Misdrijven", "crime", ("1.2.3",)),
    Indicator(
        "geweld",
        "Geweld (1.4.1 tot en met 1.4.7)",
        "Misdrijven",
        "crime",
        ("1.4.1", "1.4.2", "1.4.3", "1.4.4", "1.4.5", "1.4.6", "1.4.7"),
    ),
    Indicator("winkeldiefstal", "Winkeldiefstal (2.5.2)", "Misdrijven", "crime", ("2.5.2",)),
    Indicator(
        "verkeersongevallen", "Verkeersongevallen (1.3.1)", "Misdrijven", "crime", ("1.3.1",)
    ),
    Indicator("drugshandel", "Drugshandel (3.1.1)", "Misdrijven", "crime", ("3.1.1",)),
    Indicator("cybercrime", "Cybercrime (3.7.4)", "Misdrijven", "crime", ("3.7.4",)),
    Indicator(
        "overlast_totaal", "Overlastmeldingen, totaal", "Overlast", "nuisance", (TOTAL_NUISANCE,)
    ),
    Indicator("verward_gedrag", "Verward gedrag (E33)", "Overlast", "nuisance", ("E33",)),
    Indicator(
        "onveilig_buurt",
        "Voelt zich wel eens onveilig in de eigen buurt",
        "Beleving",
        "survey",
        ("onveilig_buurt",),
    ),
    Indicator(
        "tevreden_aanpak_gemeente",
        "Tevreden over de aanpak door de gemeente",
        "Beleving",
        "survey",
        ("tevreden_aanpak_gemeente",),
    ),
    Indicator(
        "rapportcijfer_veiligheid",
        "Rapportcijfer veiligheid in de buurt",
        "Beleving",
        "survey",
        ("rapportcijfer_veiligheid",),
        decimals=2,
    ),
    Indicator("halt", "Verwijzingen naar Halt", "Jeugd", "youth", ("halt_verwijzingen",), 0),
    Indicator(
        "jeugdreclassering",
        "Jongeren in jeugdreclassering",
        "Jeugd",
        "youth",
        ("jeugdreclassering",),
        0,
    ),
)
SURVEY_UNITS = {"rapportcijfer_veiligheid": "rapportcijfer (1 tot 10)"}


def no_comparison(reference: str, reason: str) -> dict:
    return {"reference": reference, "label": REFERENCE_LABELS[reference], "reason": reason}


def base_row(ind: Indicator, area: str, unit: str) -> dict:
    return {
        "id": ind.id,
        "label": ind.label,
        "group": ind.group,
        "area": area,
        "year": None,
        "voorlopig": False,
        "value": None,
        "lower": None,
        "upper": None,
        "count": None,
        "inhabitants": None,
        "unit": unit,
        "decimals": ind.decimals,
        "reason": None,
        "note": "",
    }


def trend_fields(trend: Trend, years: str | None = None) -> dict:
    """The ``trend`` dict of a row from a tested trend (a direction only when significant)."""
    years = years or f"{trend.first_year}-{trend.last_year}"
    return trend_dict(trend.direction(ALPHA), trend.pct_per_year, trend.p_value, years)


def trend_dict(direction: str, pct: float | None, p: float, years: str) -> dict:
    return {
        "direction": direction,
        "arrow": ARROWS[direction],
        "text": TREND_TEXT[direction],
        "pct_per_year": rounded(pct),
        "p": rounded(p, 6),
        "years": years,
        "reason": None,
    }


def no_trend(reason: str) -> dict:
    return {"direction": None, "arrow": "", "text": "geen trend", "reason": reason}
