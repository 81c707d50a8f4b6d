"""Reference code lists shipped with the package (facts from public sources, see shared/data/README)."""

from __future__ import annotations

import functools

import pandas as pd

from hengelo_analysis.paths import REFERENCE_DIR


@functools.cache
def soortmisdrijf() -> pd.DataFrame:
    """The 59 SoortMisdrijf keys of 47018NED: ``crime_code`` (trimmed), ``key`` (as served), ``title``."""
    df = pd.read_csv(REFERENCE_DIR / "soortmisdrijf_codes.csv", dtype=str, keep_default_na=False)
    return df.rename(
        columns={"key_trimmed": "crime_code", "key_as_served_in_odata": "key", "title": "title"}
    )[["crime_code", "key", "title"]]


@functools.cache
def hengelo_wijken_buurten() -> pd.DataFrame:
    """Hengelo's wijken and buurten with their CBS codes and names."""
    return pd.read_csv(REFERENCE_DIR / "hengelo_wijken_buurten.csv", dtype=str)


@functools.cache
def twente_gemeenten() -> pd.DataFrame:
    """The 14 gemeenten of the Twente region (reference region for claim C10)."""
    return pd.read_csv(REFERENCE_DIR / "twente_gemeenten.csv", dtype=str)
