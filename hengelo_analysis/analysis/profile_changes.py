"""What changed since the year before: the profile at the peiljaar against the profile a year earlier.

Both profiles come from the same processed tables (:func:`~hengelo_analysis.analysis.profile.
profile_rows` for ``peiljaar`` and ``peiljaar - 1``), so the comparison never depends on which
edition happened to be built last in a folder. A change is marked significant by the exact test
for two Poisson counts with the inhabitants as exposure (police and supplied counts) or the z-test
on the published margins of two survey waves, after Holm's correction over all rows. The shown
difference is the difference of the *shown* (rounded) figures, so the table adds up.

A change row has ``id``, ``label``, ``unit``, ``decimals``, ``area``, ``year_before``,
``year_now``, ``before``, ``now`` (rounded as shown), ``difference`` (of the rounded figures),
``voorlopig`` (either year provisional), ``p``, ``p_holm``, ``outcome`` ("hoger", "lager",
"geen aantoonbare verandering" or null), ``text`` and ``reason`` (why there is no comparison).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims.model import ALPHA, rounded
from hengelo_analysis.analysis.multiplicity import holm
from hengelo_analysis.analysis.peers import DEFAULT_BAND
from hengelo_analysis.analysis.profile import profile_rows
from hengelo_analysis.analysis.table_index import as_indexed

NO_CHANGE = "geen aantoonbare verandering"


def rounded_difference(before: float, now: float, decimals: int) -> float:
    """``now - before`` of the figures as shown (each rounded to ``decimals``), so it adds up."""
    return round(round(now, decimals) - round(before, decimals), decimals)


def change_test(before: dict, now: dict) -> float:
    """The two-sided p-value of the change between two rows of the same key figure."""
    if before["group"] == "Beleving":
        change = stats.survey_change(
            before["year"], before["value"], before["lower"], before["upper"],
            now["year"], now["value"], now["lower"], now["upper"],
        )  # fmt: skip
        if change.method_break:
            raise stats.InsufficientData(
                f"methodebreuk tussen {change.year1} en {change.year2}: niet te vergelijken"
            )
        return change.p_value
    return stats.compare_counts_p(
        before["count"],
        now["count"],
        before["inhabitants"] or 1.0,  # supplied youth counts: counts, no exposure
        now["inhabitants"] or 1.0,
    )


def change_row(before: dict, now: dict) -> dict:
    """One key figure's change (``p`` still uncorrected; :func:`changes` adds Holm)."""
    decimals = int(now["decimals"])
    row = {
        "id": now["id"],
        "label": now["label"],
        "unit": now["unit"],
        "decimals": decimals,
        "area": now["area"],
        "year_before": before["year"],
        "year_now": now["year"],
        "before": None if before["value"] is None else round(before["value"], decimals),
        "now": None if now["value"] is None else round(now["value"], decimals),
        "difference": None,
        "voorlopig": bool(before["voorlopig"] or now["voorlopig"]),
        "p": None,
        "reason": None,
    }
    if now["value"] is None or before["value"] is None:
        missing = now if now["value"] is None else before
        row["reason"] = missing["reason"] or "geen cijfer"
        return row
    if now["year"] == before["year"]:
        row["reason"] = f"geen nieuwe meting sinds {now['year']}"
        return row
    if now["area"] != before["area"]:
        row["reason"] = f"het cijfer gaat nu over {now['area']}, eerder over {before['area']}"
        return row
    row["difference"] = rounded_difference(before["value"], now["value"], decimals)
    try:
        row["p"] = change_test(before, now)
    except stats.InsufficientData as exc:
        row["reason"] = str(exc)
    return row


def changes(
    tables: Mapping[str, pd.DataFrame],
    gemeente: str,
    peiljaar: int,
    rate_unit: int = 1000,
    band: float = DEFAULT_BAND,
    profile: list[dict] | None = None,
) -> dict:
    """``{"peiljaar", "previous", "rows"}``: each key figure at ``peiljaar`` against a year earlier.

    ``profile`` is the edition's own profile when already computed (it is not computed twice).
    """
    tables = as_indexed(tables)  # both years' profiles share the series they read
    now_rows = (
        profile
        if profile is not None
        else profile_rows(tables, gemeente, peiljaar, rate_unit, band)
    )
    before_rows = {
        r["id"]: r
        for r in profile_rows(tables, gemeente, peiljaar - 1, rate_unit, band, with_trend=False)
    }
    rows = [change_row(before_rows[r["id"]], r) for r in now_rows if r["id"] in before_rows]
    tested = [r for r in rows if r["p"] is not None]
    for r, adjusted in zip(tested, holm([r["p"] for r in tested]), strict=True):
        r["p_holm"] = adjusted
    for r in rows:
        r.update(outcome(r))
        r["p"], r["p_holm"] = rounded(r["p"], 6), rounded(r.get("p_holm"), 6)
    return {"peiljaar": int(peiljaar), "previous": int(peiljaar) - 1, "rows": rows}


def outcome(row: dict) -> dict:
    """ "hoger"/"lager" only for a change significant after Holm (and not 0 as shown)."""
    if row["reason"]:
        return {"outcome": None, "text": row["reason"], "significant": False}
    if row["p_holm"] < ALPHA and row["difference"] != 0:
        word = "hoger" if row["difference"] > 0 else "lager"
        return {
            "outcome": word,
            "text": f"{word} dan in {row['year_before']}",
            "significant": True,
        }
    return {"outcome": NO_CHANGE, "text": NO_CHANGE, "significant": False}
