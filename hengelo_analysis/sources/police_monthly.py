"""Clean the police table 47022NED (registered crime per wijk/buurt, per month) into ``crime_monthly``.

Same shape as the yearly 47018NED but with ``2023MM01`` periods (and possibly ``JJ00`` rows, kept
with ``month`` null). The recent months are provisional (``Perioden`` ``Status`` "Voorlopig"):
the police add registrations afterwards, so the latest months tend to rise on the next release.
Columns are resolved from ``DataProperties``; the traps are handled in
:mod:`~hengelo_analysis.sources.police_counts`. Rows of no area (``BU00000000`` "Buurt onbekend")
are left out, so a gemeente's buurten never absorb them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hengelo_analysis.domain import POLICE_MONTHLY_TABLE
from hengelo_analysis.sources.police_counts import read_count_table

TABLE_ID = POLICE_MONTHLY_TABLE
MEASURE_PREFIX = "GeregistreerdeMisdrijven"
COLUMNS = [
    "area_code",
    "area_level",
    "year",
    "month",
    "crime_code",
    "crime_label",
    "registered",
    "provisional",
]


def clean_monthly_crime_table(table_dir: Path) -> pd.DataFrame:
    """A 47022NED folder → the tidy ``crime_monthly`` table (registered nullable: null = not published)."""
    frame = read_count_table(table_dir, MEASURE_PREFIX)
    return frame.rename(columns={"code": "crime_code", "label": "crime_label"})[COLUMNS]
