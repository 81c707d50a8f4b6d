"""Police overlast series (47021NED per gemeente, 47024NED per wijk/buurt) as the pages show them.

Pages 03 (E33, E38) and 04 (E35) both read the open ``nuisance`` table; what they share lives here.
Year figures come from :func:`~hengelo_analysis.analysis.running_year.calendar_years`, the helper
the claims use, so a page's figure and a verdict count a year the same way (a year row, else 12
complete months; a partial year has no figure).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hengelo_analysis.analysis import indicators
from hengelo_analysis.analysis.claims.nuisance import OPEN, SUPPLIED
from hengelo_analysis.analysis.running_year import calendar_years
from hengelo_analysis.domain import CONFUSED_BEHAVIOUR, NL_CODE

NUISANCE_SOURCE = "Politie/CBS, tabel 47021NED/47024NED"
NATIONAL_SOURCE = "Politie/CBS, tabel 47021NED"  # Nederland is a RegioS row of the gemeente table
INCIDENT_COLUMNS = ["area_code", "year", "month", "incident_code", "incidents"]
YEAR_COLUMNS = ["area_code", "year", "registered", "provisional"]


def as_incidents(nuisance: pd.DataFrame | None, code: str) -> pd.DataFrame:
    """The open table's rows of ``code`` in the shape of the supplied ``incidents`` file.

    One shape for both sources lets the E33 helpers of page 03 read either without a branch.
    """
    if nuisance is None or nuisance.empty:
        return pd.DataFrame(columns=INCIDENT_COLUMNS)
    rows = nuisance[nuisance["nuisance_code"] == code]
    out = rows.rename(columns={"nuisance_code": "incident_code", "registered": "incidents"})
    return out[INCIDENT_COLUMNS].reset_index(drop=True)


def e33_source(
    tabellen: Mapping[str, pd.DataFrame], gemeente: str, code: str = CONFUSED_BEHAVIOUR
) -> tuple[pd.DataFrame | None, str | None]:
    """The E33 rows the page shows and the name of their source, by the rule of claim C1.

    The supplied ``incidents`` file wins when it has rows of ``code`` for the gemeente (the police
    unit's own, often newer figures); else the open ``nuisance`` table; else ``(None, None)``.
    """
    supplied = tabellen.get("incidents")
    if supplied is not None and not supplied.empty:
        own = (supplied["area_code"] == gemeente) & (supplied["incident_code"] == code)
        if own.any():
            return supplied[supplied["incident_code"] == code], SUPPLIED
    open_rows = as_incidents(tabellen.get("nuisance"), code)
    if (open_rows["area_code"] == gemeente).any():
        return open_rows, OPEN
    return None, None


def figure_source(source_name: str | None) -> str:
    """The "Bron:" text of an E33 figure for the source :func:`e33_source` chose."""
    if source_name == SUPPLIED:
        return "politie, E33-registraties (aangeleverd incidentenbestand)"
    return NUISANCE_SOURCE


def yearly(nuisance: pd.DataFrame | None, area_code: str, code: str, peiljaar: int) -> pd.DataFrame:
    """Year figures of one area and code up to the peiljaar, years without a figure kept missing.

    Columns :data:`YEAR_COLUMNS`; ``registered`` is Int64 (missing = not published or a partial
    year), so a chart shows a gap, never 0.
    """
    if nuisance is None or nuisance.empty:
        return pd.DataFrame(columns=YEAR_COLUMNS)
    rows = nuisance[(nuisance["area_code"] == area_code) & (nuisance["nuisance_code"] == code)]
    years = calendar_years(rows[rows["year"] <= peiljaar], "nuisance_code")
    if years.empty:
        return pd.DataFrame(columns=YEAR_COLUMNS)
    span = pd.DataFrame({"year": range(int(years["year"].min()), int(years["year"].max()) + 1)})
    out = span.merge(years[["year", "registered", "provisional"]], on="year", how="left")
    out["area_code"] = area_code
    out["registered"] = out["registered"].astype("Int64")
    out["provisional"] = out["provisional"].fillna(False).astype(bool)
    return out[YEAR_COLUMNS]


def rates_with_nl(
    nuisance: pd.DataFrame | None,
    population: pd.DataFrame | None,
    gemeente: str,
    code: str,
    peiljaar: int,
    unit: int = 1000,
    name: str | None = None,
) -> pd.DataFrame:
    """Year figures of ``code`` for the gemeente and Nederland with rate and 95% interval.

    Columns :data:`YEAR_COLUMNS` plus ``gebied`` (legend name), ``inhabitants``, ``rate``,
    ``lower``, ``upper``, ``ci_method``; rates are missing without inhabitants.
    """
    parts = [yearly(nuisance, area, code, peiljaar) for area in (gemeente, NL_CODE)]
    counts = pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
    if population is None:
        population = pd.DataFrame(
            {"area_code": pd.Series(dtype=str), "year": pd.Series(dtype="int64"), "inhabitants": []}
        )
    out = indicators.rates(counts, population, unit)
    out["gebied"] = out["area_code"].map({gemeente: name or gemeente, NL_CODE: "Nederland"})
    return out
