"""Dutch number formatting for report text and tables: 1.234,5 and "per 1.000 inwoners".

Done by hand rather than through ``locale``: the nl_NL locale is often not installed on CI
machines, and setting a process-wide locale inside a kernel is fragile.
"""

from __future__ import annotations

import math

import pandas as pd

NOT_PUBLISHED = "n.b."  # niet beschikbaar/gepubliceerd: never shown as 0


def format_number(value, decimals: int = 0, *, missing: str = NOT_PUBLISHED) -> str:
    """Format ``value`` the Dutch way.

    >>> format_number(1234.5, 1)
    '1.234,5'
    >>> format_number(-0.04, 1)
    '0,0'
    >>> format_number(None)
    'n.b.'
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return missing
    text = f"{abs(float(value)):,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    negative = float(value) < 0 and text.strip("0.,") != ""
    return ("-" if negative else "") + text


def format_percentage(value, decimals: int = 1, *, signed: bool = False) -> str:
    """``12.3`` → ``"12,3%"``; with ``signed`` a leading ``+`` for increases."""
    text = format_number(value, decimals)
    if text == NOT_PUBLISHED:
        return text
    if signed and not text.startswith("-") and float(value) != 0:
        # a small negative value rounds to 0: keep its sign ("-0,0%", never "+0,0%")
        text = ("-" if float(value) < 0 else "+") + text
    return f"{text}%"


def rate_unit_label(unit: int) -> str:
    """``1000`` → ``"per 1.000 inwoners"``."""
    return f"per {format_number(unit)} inwoners"
