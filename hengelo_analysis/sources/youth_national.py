"""Analyst-supplied national Halt and jeugdreclassering figures: ``supplied/jeugd_nederland.csv`` (C14).

A separate reader from the gemeente's ``jeugd.csv`` (:mod:`.supplied`) because it is another kind
of file: national totals copied from published annual reports, one row per year, each with its
source. Template and columns: ``docs/templates.md`` §3a; processed table ``youth_national``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hengelo_analysis.domain import NL_CODE
from hengelo_analysis.errors import DataError
from hengelo_analysis.sources.supplied import (
    FIRST_YEAR,
    LAST_YEAR,
    YOUTH_MEASURES,
    parse_int,
    read_csv,
    refuse_duplicates,
)

YOUTH_NATIONAL_FILE = "jeugd_nederland.csv"
YOUTH_NATIONAL_COLUMNS = ("jaar", *YOUTH_MEASURES, "bron")
NATIONAL_CODE = NL_CODE


def clean_youth_national(path: str | Path) -> pd.DataFrame:
    """``jeugd_nederland.csv`` (national figures, one row per year) → ``youth_national`` (tidy).

    National Halt and jeugdreclassering figures are not open data (Halt's and the
    jeugdreclassering's annual reports publish them); every row must name its ``bron`` so the
    series can be checked. An empty cell is "no figure", never 0. Rows get area code ``NL00``.
    """
    table = read_csv(path, YOUTH_NATIONAL_COLUMNS, ("jaar", "bron"))
    f = table.frame
    measures = [m for m in YOUTH_MEASURES if m in f.columns]
    if not measures:
        raise DataError(table.path, "no measure column", column=" or ".join(YOUTH_MEASURES), row=1)
    for index, value in f["bron"].items():
        if not value:
            raise DataError(
                table.path, "every row must name its source", column="bron", row=table.line(index)
            )
    wide = pd.DataFrame(
        {
            "area_code": NATIONAL_CODE,
            "year": parse_int(table, "jaar", minimum=FIRST_YEAR, maximum=LAST_YEAR),
            "source": f["bron"],
        },
        index=f.index,
    )
    refuse_duplicates(table, wide, ["year"], "jaar")
    for m in measures:
        wide[m] = parse_int(table, m, nullable=True, minimum=0)
    out = wide.melt(
        ["area_code", "year", "source"], measures, var_name="measure", value_name="count"
    )
    out = out.astype({"area_code": "string", "measure": "string", "source": "string"})
    out["count"] = out["count"].astype("Int64")
    return out.sort_values(["measure", "year"], ignore_index=True)[
        ["area_code", "year", "measure", "count", "source"]
    ]
