"""C1: "de overlast door personen met onbegrepen gedrag blijft toenemen", from police E33.

Source: of the analyst-supplied ``incidents`` file (the police unit's own figures) and the open
police nuisance table ``nuisance`` (47021NED per gemeente, 47024NED per wijk), the one whose series
reaches furthest towards the peiljaar; on a tie the supplied file. A stale file must not beat a
newer table. The series must reach the peiljaar itself: one that stops earlier (or whose peiljaar
is not yet published) gives insufficient_data saying so, since "blijft toenemen" is a statement
about now. The verdict names the source it used. Counts are registrations (incidents), not persons.

"Blijft toenemen" needs more than one slope over ten years: the rule (docs/methodology.md) is

- supported: the whole-window trend rises significantly (quasi-Poisson, t on the residual df),
  AND the recent years rise too: the last year is not below the year ``recent_years`` earlier,
  and no year-on-year change within those years is a significant fall (exact conditional test);
- contradicted: the whole-window trend falls significantly, OR the last year is significantly
  below the year ``recent_years`` earlier (it no longer rises, it falls);
- not_supported: otherwise.

Per wijk the year figures (12 complete months) and trends are evidence only, uncorrected for
multiple testing: the verdict is about the gemeente.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.model import (
    ALPHA,
    CONTRADICTED,
    NOT_SUPPORTED,
    SUPPORTED,
    Claim,
    Context,
    rounded,
)
from hengelo_analysis.analysis.claims.series import (
    Detail,
    calendar_rows,
    significant_direction,
    trend_evidence,
)
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import (
    NL_CODE,
    NUISANCE_GEMEENTE_TABLE,
    NUISANCE_WIJK_TABLE,
    gemeente_of,
)
from hengelo_analysis.formatting import format_number

SUPPLIED = "aangeleverd incidentenbestand (politie-eenheid)"
OPEN = f"politie, geregistreerde overlast ({NUISANCE_GEMEENTE_TABLE}/{NUISANCE_WIJK_TABLE})"


def supplied_per_year(incidents: pd.DataFrame, area: str, code: str, peiljaar: int) -> pd.Series:
    """Year counts of ``code`` in ``area`` from the supplied file: year rows, else 12 months."""
    rows = incidents[
        (incidents["area_code"] == area)
        & (incidents["incident_code"] == code)
        & (incidents["year"] <= peiljaar)
    ]
    yearly = rows[rows["month"].isna()].groupby("year")["incidents"].sum(min_count=1)
    monthly = rows[rows["month"].notna()].groupby("year")
    full_years = monthly["month"].nunique()
    from_months = monthly["incidents"].sum(min_count=1)[full_years == 12]
    return yearly.combine_first(from_months).dropna().astype(float).sort_index()


def open_per_year(years: pd.DataFrame, area: str, peiljaar: int) -> pd.Series:
    """Year counts of one area from :func:`calendar_years` rows (incomplete years left out)."""
    rows = years[(years["area_code"] == area) & (years["year"] <= peiljaar)]
    series = rows.set_index("year")["registered"].dropna().astype(float)
    return series.sort_index()


def choose_source(candidates: list[tuple[str, pd.Series]]) -> tuple[str, pd.Series]:
    """The (source, series) reaching the latest year; on a tie the first listed (supplied)."""
    return max(candidates, key=lambda c: (int(c[1].index.max()), -candidates.index(c)))


def recent_check(per_year: pd.Series, k: int) -> dict:
    """The last ``k`` years: last year against the one ``k`` earlier, and each yearly change."""
    last = int(per_year.index.max())
    first = last - k
    if first not in per_year.index or any(y not in per_year.index for y in range(first, last)):
        raise InsufficientData(f"de jaren {first}-{last} zijn niet alle bekend")
    span = stats.compare_counts(per_year[first], per_year[last])
    steps = [
        (y, stats.compare_counts(per_year[y - 1], per_year[y])) for y in range(first + 1, last + 1)
    ]
    return {
        "first": first,
        "last": last,
        "span": span,
        "span_direction": significant_direction(span.rate_ratio - 1, span.p_value),
        "significant_fall": [
            y for y, c in steps if significant_direction(c.rate_ratio - 1, c.p_value) == "dalend"
        ],
        "not_below": per_year[last] >= per_year[first],
    }


def c1_verdict(whole: str, recent: dict) -> str:
    """The "blijft toenemen" rule on the whole-window direction and the recent-years check."""
    if whole == "dalend" or recent["span_direction"] == "dalend":
        return CONTRADICTED
    if whole == "stijgend" and recent["not_below"] and not recent["significant_fall"]:
        return SUPPORTED
    return NOT_SUPPORTED


def _wijken(ctx: Context, years: pd.DataFrame | None, code: str) -> dict:
    if years is None:
        return {}
    out = {}
    wijk_codes = sorted(
        c
        for c in years["area_code"].unique()
        if c.startswith("WK") and gemeente_of(c) == ctx.gemeente
    )
    for wijk in wijk_codes:
        per_year = open_per_year(years, wijk, ctx.peiljaar)
        entry = {"per_jaar": {str(int(y)): int(v) for y, v in per_year.items()}}
        try:
            entry["trend"] = trend_evidence(stats.poisson_trend(per_year.index, per_year.values))
        except InsufficientData as exc:
            entry["reden"] = str(exc)
        out[wijk] = entry
    return out


def _national(years: pd.DataFrame | None, peiljaar: int) -> dict:
    """NL's E33 trend from the open table, for comparison only (it does not enter the verdict)."""
    if years is None:
        return {"reden": "tabel 'nuisance' ontbreekt"}
    per_year = open_per_year(years, NL_CODE, peiljaar)
    try:
        return trend_evidence(stats.poisson_trend(per_year.index, per_year.values))
    except InsufficientData as exc:
        return {"reden": str(exc)}


def eval_confused_behaviour(claim: Claim, ctx: Context):
    """C1: E33 registrations in the gemeente keep rising (rule in the module docstring)."""
    code, k = claim.params["incident_code"], claim.params["recent_years"]
    candidates, open_years = [], None
    incidents = ctx.tables.get("incidents")
    if incidents is not None:
        candidates.append(
            (SUPPLIED, supplied_per_year(incidents, ctx.gemeente, code, ctx.peiljaar))
        )
    nuisance = ctx.tables.get("nuisance")
    if nuisance is not None:
        open_years = calendar_rows(ctx, "nuisance", "nuisance_code", [code])
        candidates.append((OPEN, open_per_year(open_years, ctx.gemeente, ctx.peiljaar)))
    candidates = [(name, series) for name, series in candidates if not series.empty]
    if not candidates:
        raise InsufficientData(
            f"geen {code}-cijfers voor {ctx.gemeente}: tabel 'incidents' en tabel 'nuisance' "
            "ontbreken of hebben de gemeente niet"
        )
    source, per_year = choose_source(candidates)
    reaches = int(per_year.index.max())
    if reaches < ctx.peiljaar:
        raise InsufficientData(
            f"de {code}-reeks ({source}) loopt tot {reaches}, niet tot het peiljaar "
            f"{ctx.peiljaar}: of de overlast blijft toenemen is daarmee niet te zeggen"
        )
    trend = stats.poisson_trend(per_year.index, per_year.values)
    recent = recent_check(per_year, k)
    verdict = c1_verdict(trend.direction(ALPHA), recent)
    span = recent["span"]
    detail = Detail()
    detail.trend(f"het aantal {code}-registraties (incidenten, geen personen)", trend)
    detail.directed(
        f"de laatste {k} jaar: {recent['last']} tegen {recent['first']}",
        recent["span_direction"],
        f" ({format_number(per_year[recent['first']])} naar {format_number(per_year[recent['last']])}"
        f", {stats.p_text(span.p_value)})",
    )
    if recent["significant_fall"]:
        detail.add(
            "significant lager dan het jaar ervoor in "
            + ", ".join(str(y) for y in recent["significant_fall"])
        )
    detail.add(f"bron: {source}")
    evidence = {
        "bron": source,
        "nederland_ter_vergelijking": _national(open_years, ctx.peiljaar),
        "per_jaar": {str(int(y)): int(v) for y, v in per_year.items()},
        "trend": trend_evidence(trend),
        "recent": {
            "jaren": f"{recent['first']}-{recent['last']}",
            "rate_ratio": rounded(span.rate_ratio, 4),
            "p": rounded(span.p_value, 6),
            "niet_lager": bool(recent["not_below"]),
            "significante_daling_in": recent["significant_fall"],
        },
        "per_wijk": _wijken(ctx, open_years, code),
        "per_wijk_let_op": "ter informatie, niet gecorrigeerd voor meervoudig toetsen",
        "let_op": "incidenten, geen personen",
        "regel": (
            "hele reeks significant stijgend én de laatste jaren niet lager en zonder "
            "significante daling; alle voorwaarden moeten gelden"
        ),
        "richtingen": detail.directions,
    }
    summary = plain.sentence(
        plain.moved(
            f"Het aantal meldingen van {plain.incident_name(code)}",
            trend.direction(ALPHA),
            per_year.iloc[0],
            int(per_year.index[0]),
            per_year.iloc[-1],
            int(per_year.index[-1]),
        )
        + (
            ""
            if trend.direction(ALPHA) == "geen"
            else f", elk jaar gemiddeld {plain.pct(trend.pct_per_year)} "
            + ("meer" if trend.direction(ALPHA) == "stijgend" else "minder")
        ),
        "; de laatste",
        f"{k} jaar",
        {
            # "nog meer" only after a rise the trend test showed
            "stijgend": "kwamen er nog meer bij"
            if trend.direction(ALPHA) == "stijgend"
            else "kwamen er meer bij",
            "dalend": "daalde het aantal",
            "geen": "is geen duidelijke verdere stijging te zien",
        }[recent["span_direction"]],
        "(het gaat om meldingen, niet om personen)",
    )
    return verdict, evidence, detail.text(), trend.test, summary
