"""Indicators: small, pure functions from processed tables to the figures the report shows."""

from __future__ import annotations

import pandas as pd

TOTAL_CODE = "0.0.0"


def yearly_counts(
    crime: pd.DataFrame, area_code: str, crime_code: str = TOTAL_CODE
) -> pd.DataFrame:
    """Registered crimes per year for one area and crime code (``registered`` may be missing).

    The ``0.0.0`` total is read as published, never recomputed from its parts: parts can be
    unpublished while the total is.
    """
    rows = crime[(crime["area_code"] == area_code) & (crime["crime_code"] == crime_code)]
    return rows[["year", "registered"]].sort_values("year", ignore_index=True)


def change(previous, current) -> tuple[float | None, float | None]:
    """Absolute and percentage change; ``None`` when either value is missing or the base is 0."""
    if pd.isna(previous) or pd.isna(current):
        return None, None
    diff = float(current) - float(previous)
    pct = None if float(previous) == 0 else 100.0 * diff / float(previous)
    return diff, pct
