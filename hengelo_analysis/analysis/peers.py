"""Reference groups for comparisons: similar gemeenten (peers), the Twente region and NL.

A peer group is the set of gemeenten with the same CBS *stedelijkheid* class and a number of
inhabitants within a band around the gemeente's own (default ±35%), as Elsevier and the
Veiligheidsmonitor compare "vergelijkbare gemeenten". Funnel plots rather than rank tables are
used to show the comparison (see :mod:`hengelo_analysis.analysis.funnel`).
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.reference import twente_gemeenten

DEFAULT_BAND = 0.35


def gemeente_rows(population: pd.DataFrame, year: int) -> pd.DataFrame:
    """The gemeente rows of ``population`` for one year."""
    rows = population[(population["area_level"] == "gemeente") & (population["year"] == year)]
    return rows


def peer_group(
    population: pd.DataFrame, gemeente: str, year: int, band: float = DEFAULT_BAND
) -> list[str]:
    """Codes of gemeenten like ``gemeente`` in ``year`` (itself excluded), sorted.

    Parameters
    ----------
    population : the processed ``population`` table (area_code, area_level, year, inhabitants,
        stedelijkheid)
    gemeente : CBS code, e.g. ``GM0164``
    year : the year whose inhabitants and stedelijkheid define the group
    band : relative inhabitants band, 0.35 means 65%-135% of the gemeente's inhabitants

    Raises
    ------
    InsufficientData
        when the gemeente's inhabitants or stedelijkheid are not published for ``year``.
    """
    if not 0 < band < 1:
        raise ValueError(f"band must be between 0 and 1, got {band}")
    rows = gemeente_rows(population, year)
    own = rows[rows["area_code"] == gemeente]
    if own.empty or own["inhabitants"].isna().all() or own["stedelijkheid"].isna().all():
        raise InsufficientData(
            f"inwonertal of stedelijkheid van {gemeente} in {year} niet beschikbaar"
        )
    inhabitants = float(own["inhabitants"].dropna().iloc[0])
    klasse = int(own["stedelijkheid"].dropna().iloc[0])
    others = rows[(rows["area_code"] != gemeente) & rows["inhabitants"].notna()]
    inside = others[
        (others["stedelijkheid"] == klasse)
        & (others["inhabitants"].astype(float) >= (1 - band) * inhabitants)
        & (others["inhabitants"].astype(float) <= (1 + band) * inhabitants)
    ]
    return sorted(inside["area_code"].unique())


def peer_group_for_peiljaar(
    population: pd.DataFrame, gemeente: str, peiljaar: int, band: float
) -> tuple[int, list[str]]:
    """``(year, peers)``: the peer group defined on the latest year up to ``peiljaar`` for which the
    gemeente's inhabitants are known (the Kerncijfers can lag the police figures by a year)."""
    known = population[
        (population["area_code"] == gemeente)
        & (population["year"] <= peiljaar)
        & population["inhabitants"].notna()
    ]
    if known.empty:
        raise InsufficientData(f"inwonertal van {gemeente} ontbreekt")
    year = int(known["year"].max())
    return year, peer_group(population, gemeente, year, band)


def twente(exclude: str | None = None) -> list[str]:
    """The 14 Twente gemeenten (reference list), optionally without ``exclude``."""
    codes = list(twente_gemeenten()["gemeentecode"])
    return [c for c in codes if c != exclude]
