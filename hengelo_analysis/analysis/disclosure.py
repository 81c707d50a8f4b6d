"""Disclosure control before anything is shown: small counts hidden, totals cannot give them away.

Three states stay distinct, always:

- ``niet_gepubliceerd``: the source did not publish the value (missing); shown as ``n.b.``;
- ``primair``: a published count below the threshold; shown as ``<5``;
- ``secundair``: a count hidden only so that a group total cannot reveal a primary cell; shown
  as ``x`` (the CBS sign for *geheim*).

A published 0 is a count like any other (it is below the threshold, so it is shown as ``<5``
by default, which also avoids revealing that nobody in a small buurt was a victim).

The secondary rule is the classic one for additive tables: when a group (a wijk's buurten, or a
buurt's crime codes, whose total is shown) holds exactly one hidden cell, the next-smallest shown
cell of that group is hidden too, and this is repeated until no group has a single hidden cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hengelo_analysis.formatting import NOT_PUBLISHED, format_number

DEFAULT_THRESHOLD = 5
DEFAULT_MIN_POPULATION = 100  # rates for areas with fewer inhabitants are too unstable to show
PUBLISHED = "gepubliceerd"
MISSING = "niet_gepubliceerd"
PRIMARY = "primair"
SECONDARY = "secundair"
SECONDARY_LABEL = "x"
HIDDEN = (PRIMARY, SECONDARY)


def primary_status(values: pd.Series, threshold: int = DEFAULT_THRESHOLD) -> pd.Series:
    """Status per cell: missing → ``niet_gepubliceerd``, below ``threshold`` → ``primair``."""
    status = pd.Series(PUBLISHED, index=values.index, dtype=object)
    missing = values.isna()
    status[missing] = MISSING
    status[~missing & (values.astype("Float64") < threshold)] = PRIMARY
    return status


def suppress(
    df: pd.DataFrame,
    value: str = "registered",
    groups: Sequence[Sequence[str]] = (),
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Apply primary and secondary suppression to a table of counts.

    Parameters
    ----------
    df : tidy table of counts (one row per cell)
    value : the count column; missing means *not published*
    groups : column sets that define additive groups whose totals are shown, e.g.
        ``[("parent_code", "year", "crime_code"), ("area_code", "year")]`` for buurten within a
        wijk per crime code and crime codes within a buurt per year
    threshold : counts below it are hidden (default 5)

    Returns
    -------
    A copy of ``df`` with ``status`` (see module doc), ``shown`` (the text to display) and
    ``value`` set to missing for every hidden cell, so no later step can show it by accident.
    """
    out = df.copy()
    status = primary_status(out[value], threshold).to_numpy(dtype=object, copy=True)
    original = out[value].astype("Float64")
    numbers = original.to_numpy(dtype=float, na_value=float("nan"))
    group_positions = [
        list(out.reset_index(drop=True).groupby(list(cols), dropna=False).indices.values())
        for cols in groups
    ]
    changed = True
    while changed:  # a new secondary cell can leave another group with a single hidden cell
        changed = False
        for positions_list in group_positions:
            for positions in positions_list:
                cells = status[positions]
                if sum(c in HIDDEN for c in cells) != 1:
                    continue
                candidates = [p for p in positions if status[p] == PUBLISHED]
                if not candidates:
                    continue  # nothing left to hide; the group total must not be shown
                status[min(candidates, key=lambda p: numbers[p])] = SECONDARY
                changed = True
    status = pd.Series(status, index=out.index, dtype=object)
    out["status"] = status
    out["shown"] = [
        NOT_PUBLISHED
        if s == MISSING
        else f"<{threshold}"
        if s == PRIMARY
        else SECONDARY_LABEL
        if s == SECONDARY
        else format_number(v)
        for s, v in zip(status, original, strict=True)
    ]
    out[value] = out[value].astype("Int64").mask(status.isin(HIDDEN))
    return out


def suppress_rates(
    df: pd.DataFrame,
    rate: str = "rate",
    inhabitants: str = "inhabitants",
    status: str | None = "status",
    min_population: int = DEFAULT_MIN_POPULATION,
) -> pd.DataFrame:
    """Hide rates for areas under ``min_population`` and wherever the count is hidden.

    A rate times the (public) inhabitants gives the count back, so a rate is never shown for a
    suppressed count. Adds ``rate_status``: ``gepubliceerd``, ``te_weinig_inwoners``,
    ``aantal_afgeschermd`` or ``niet_gepubliceerd``.
    """
    out = df.copy()
    rate_status = pd.Series(PUBLISHED, index=out.index, dtype=object)
    rate_status[out[rate].isna()] = MISSING
    small = out[inhabitants].isna() | (out[inhabitants].astype("Float64") < min_population)
    rate_status[small.fillna(True).astype(bool)] = "te_weinig_inwoners"
    if status is not None and status in out:
        rate_status[out[status].isin(HIDDEN)] = "aantal_afgeschermd"
    out["rate_status"] = rate_status
    out[rate] = out[rate].astype("Float64").mask(rate_status != PUBLISHED)
    return out
