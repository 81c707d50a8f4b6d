"""CBS area codes: level and parent derived from the code itself."""

from __future__ import annotations

import re

import pandas as pd

GEMEENTE_RE = re.compile(r"^GM\d{4}$")
LEVEL_BY_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
LEVEL_ORDER = ("land", "gemeente", "wijk", "buurt")
# Codes: NL00, GM0164, WK016400, BU01640000. Some gemeenten use letters in buurt codes (BU0363AD07).
AREA_CODE_RE = re.compile(r"^(NL0[01]|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")


def area_level(code: str) -> str:
    """``land``, ``gemeente``, ``wijk`` or ``buurt`` for a trimmed CBS area code."""
    if not AREA_CODE_RE.match(code):
        raise ValueError(f"unknown area code {code!r}")
    return LEVEL_BY_PREFIX[code[:2]]


def gemeente_of(code: str) -> str | None:
    """The gemeente a WK/BU/GM code belongs to (``None`` for NL)."""
    if code.startswith("NL"):
        return None
    return "GM" + code[2:6]


def parent_code(code: str) -> str | None:
    """The next level up: buurt → wijk, wijk → gemeente, gemeente → ``NL00``."""
    level = area_level(code)
    if level == "buurt":
        return "WK" + code[2:8]
    if level == "wijk":
        return "GM" + code[2:6]
    if level == "gemeente":
        return "NL00"
    return None


def levels(codes: pd.Series) -> pd.Series:
    return codes.map(LEVEL_BY_PREFIX.get, na_action="ignore").where(
        codes.str.match(AREA_CODE_RE.pattern), None
    )
