"""The chapter-2 claims C1-C11, each tested against the data into a verdict with its evidence.

A claim is a small declarative :class:`Claim` (id, the Dutch statement from the policy, the
indicator, the test, its parameters and thresholds) plus the evaluator kind that applies it.
:func:`evaluate` turns it into a :class:`Finding` for one gemeente and peiljaar. Verdicts:

- ``supported``: the test shows what the claim says;
- ``not_supported``: the test does not show it (no significant change, or mixed evidence);
- ``contradicted``: the test shows the opposite;
- ``insufficient_data``: a table is missing, a value is suppressed/not published, or too few
  points; the reason is in the evidence.

The Dutch sentence is generated from the verdict and the figures; it says "stijgt" or "daalt"
only when a test supports the direction. Nothing here knows the demo: the same code judges real
data.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hengelo_analysis import peers, stats
from hengelo_analysis.formatting import format_number, format_percentage
from hengelo_analysis.processed import processed_dir
from hengelo_analysis.stats import InsufficientData, Trend
from hengelo_analysis.supplied import BRON_BREAK_LAST_YEAR

log = logging.getLogger(__name__)

SUPPORTED = "supported"
NOT_SUPPORTED = "not_supported"
CONTRADICTED = "contradicted"
INSUFFICIENT = "insufficient_data"
VERDICT_LABELS = {
    SUPPORTED: "de cijfers ondersteunen dit",
    NOT_SUPPORTED: "niet aangetoond",
    CONTRADICTED: "de cijfers wijzen de andere kant op",
    INSUFFICIENT: "onvoldoende gegevens",
}
TABLES = ("crime", "population", "survey", "incidents", "youth", "accidents")
ALPHA = 0.05
TOTAL = "0.0.0"
# Registration breaks: a series is only read from this year on (data provider's notes).
REGISTRATION_BREAKS = {"3.9.1": 2016}


@dataclass(frozen=True)
class Claim:
    """A claim from the policy, with the test that judges it."""

    id: str
    statement: str
    indicator: str
    test: str
    kind: str  # the evaluator in EVALUATORS
    params: Mapping = field(default_factory=dict)


@dataclass
class Finding:
    """The verdict on one claim for one gemeente and peiljaar."""

    claim_id: str
    verdict: str
    evidence: dict
    test: str
    sentence: str
    statement: str

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "verdict_label": self.verdict_label,
            "evidence": self.evidence,
            "test": self.test,
            "sentence": self.sentence,
            "statement": self.statement,
        }


@dataclass
class Context:
    """What a claim is evaluated against."""

    tables: Mapping[str, pd.DataFrame]
    gemeente: str
    peiljaar: int
    rate_unit: int = 1000

    def table(self, name: str) -> pd.DataFrame:
        df = self.tables.get(name)
        if df is None:
            raise InsufficientData(f"tabel '{name}' ontbreekt")
        return df


# --------------------------------------------------------------------------- series helpers


def crime_series(ctx: Context, areas: list[str], codes: list[str]) -> pd.Series:
    """Registered crimes per year (≤ peiljaar), summed over ``areas`` and ``codes``.

    A year is kept only when every area/code cell is published: a sum over a missing cell would
    read "not published" as 0.
    """
    crime = ctx.table("crime")
    rows = crime[
        crime["area_code"].isin(areas)
        & crime["crime_code"].isin(codes)
        & (crime["year"] <= ctx.peiljaar)
    ]
    if rows.empty:
        raise InsufficientData(f"geen misdrijfcijfers voor {', '.join(codes)} in {areas[0]}")
    expected = len(set(areas)) * len(set(codes))
    grouped = rows.groupby("year")["registered"]
    complete = (grouped.count() == expected) & (grouped.size() == expected)
    series = grouped.sum(min_count=1)[complete].astype(float)
    return series.sort_index()


def population_series(ctx: Context, areas: list[str]) -> pd.Series | None:
    """Inhabitants per year summed over ``areas`` (years with a missing area dropped), or None."""
    population = ctx.tables.get("population")
    if population is None:
        return None
    rows = population[population["area_code"].isin(areas)]
    if rows.empty:
        return None
    grouped = rows.groupby("year")["inhabitants"]
    complete = grouped.count() == len(set(areas))
    series = grouped.sum(min_count=1)[complete].astype(float)
    return series if not series.empty else None


def series_break(codes: list[str]) -> int | None:
    years = [REGISTRATION_BREAKS[c] for c in codes if c in REGISTRATION_BREAKS]
    return max(years) if years else None


def crime_trend(
    ctx: Context, areas: list[str], codes: list[str], since: int | None = None
) -> Trend:
    """Trend of registered crime (rate when inhabitants are known, else counts)."""
    counts = crime_series(ctx, areas, codes)
    if since is not None:
        counts = counts[counts.index >= since]
    exposure = population_series(ctx, areas)
    if exposure is not None:
        joined = pd.concat([counts.rename("c"), exposure.rename("e")], axis=1, join="inner")
        if len(joined) >= stats.MIN_TREND_POINTS:
            return stats.poisson_trend(
                joined.index, joined["c"], joined["e"], break_year=series_break(codes)
            )
    return stats.poisson_trend(counts.index, counts.values, None, break_year=series_break(codes))


def trend_evidence(trend: Trend) -> dict:
    return {
        "pct_per_jaar": _r(trend.pct_per_year),
        "ci_laag": _r(trend.lower),
        "ci_hoog": _r(trend.upper),
        "p": _r(trend.p_value, 6),
        "jaren": f"{trend.first_year}-{trend.last_year}",
        "punten": trend.n_points,
        "dispersie": _r(trend.dispersion),
        "quasi_poisson": trend.quasi,
        "corona": trend.corona,
        "blootstelling": trend.exposure,
        "richting": trend.direction(ALPHA),
    }


def trend_phrase(subject: str, trend: Trend) -> str:
    """Dutch clause; "stijgt"/"daalt" only when the trend is significant."""
    figures = (
        f"{format_percentage(trend.pct_per_year, signed=True)} per jaar, 95%-BI "
        f"{format_percentage(trend.lower, signed=True)} tot "
        f"{format_percentage(trend.upper, signed=True)}, {trend.first_year}-{trend.last_year}, "
        f"{stats.p_text(trend.p_value)}"
    )
    direction = trend.direction(ALPHA)
    if direction == "stijgend":
        return f"{subject} stijgt ({figures})"
    if direction == "dalend":
        return f"{subject} daalt ({figures})"
    return f"{subject} verandert niet aantoonbaar ({figures})"


def direction_verdict(direction: str, expected: str) -> str:
    if direction == expected:
        return SUPPORTED
    if direction == "geen":
        return NOT_SUPPORTED
    return CONTRADICTED


def _r(value, digits: int = 3):
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return None
    return round(float(value), digits)


def _sentence(verdict: str, detail: str) -> str:
    label = VERDICT_LABELS[verdict]
    return f"{label[0].upper()}{label[1:]}: {detail}."


# --------------------------------------------------------------------------- evaluators
# Each returns (verdict, evidence, detail sentence) or raises InsufficientData.


def eval_crime_trend(claim: Claim, ctx: Context):
    """One crime code (or a sum of codes) in the gemeente, trend in the expected direction."""
    codes = list(claim.params["codes"])
    trend = crime_trend(ctx, [ctx.gemeente], codes, claim.params.get("since"))
    verdict = direction_verdict(trend.direction(ALPHA), claim.params["expected"])
    evidence = {"codes": codes, "trend": trend_evidence(trend)}
    evidence.update(_latest_rate(ctx, codes))
    return verdict, evidence, trend_phrase(claim.params["subject"], trend), trend.test


def _latest_rate(ctx: Context, codes: list[str]) -> dict:
    """The peiljaar rate per ``rate_unit`` with its interval, when inhabitants are known."""
    try:
        counts = crime_series(ctx, [ctx.gemeente], codes)
        pop = population_series(ctx, [ctx.gemeente])
        if pop is None or ctx.peiljaar not in counts.index or ctx.peiljaar not in pop.index:
            return {}
        rate = stats.rate_ci(counts[ctx.peiljaar], pop[ctx.peiljaar], ctx.rate_unit)
    except InsufficientData:
        return {}
    return {
        "peiljaar_aantal": _r(rate.count),
        f"peiljaar_per_{ctx.rate_unit}": _r(rate.rate),
        "peiljaar_ci": [_r(rate.lower), _r(rate.upper)],
        "ci_methode": rate.method,
    }


def eval_national_trend(claim: Claim, ctx: Context):
    """C2: the gemeente's total falls and NL's total falls too."""
    codes = list(claim.params["codes"])
    own = crime_trend(ctx, [ctx.gemeente], codes)
    try:
        nl = crime_trend(ctx, [peers.NL_CODE], codes)
    except InsufficientData as exc:
        raise InsufficientData(f"landelijke reeks ontbreekt ({exc})") from exc
    d_own, d_nl = own.direction(ALPHA), nl.direction(ALPHA)
    if d_own == "dalend" and d_nl == "dalend":
        verdict = SUPPORTED
    elif d_own == "stijgend":
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    evidence = {"gemeente": trend_evidence(own), "nederland": trend_evidence(nl)}
    evidence.update(_latest_rate(ctx, codes))
    detail = f"{trend_phrase('het geregistreerde aantal misdrijven', own)}; "
    detail += trend_phrase("het landelijke aantal", nl)
    return verdict, evidence, detail, own.test


def eval_rise_by_code(claim: Claim, ctx: Context):
    """C3: year-on-year rise of the total, and the share of it due to one code."""
    y1, y2 = claim.params["years"]
    code = claim.params["code"]
    if ctx.peiljaar < y2:
        raise InsufficientData(f"peiljaar {ctx.peiljaar} ligt voor {y2}")
    crime = ctx.table("crime")
    rows = crime[(crime["area_code"] == ctx.gemeente) & crime["year"].isin([y1, y2])]
    # sum with min_count: an unpublished cell must stay missing, never become 0
    wide = rows.groupby(["crime_code", "year"])["registered"].sum(min_count=1).unstack("year")
    if y1 not in wide.columns or y2 not in wide.columns:
        raise InsufficientData(f"geen misdrijfcijfers voor {y1} of {y2}")
    if TOTAL not in wide.index or code not in wide.index:
        raise InsufficientData(f"totaal of {code} ontbreekt voor {y1}/{y2}")
    if wide.loc[[TOTAL, code], [y1, y2]].isna().any().any():
        raise InsufficientData(f"totaal of {code} niet gepubliceerd voor {y1} of {y2}")
    pop = population_series(ctx, [ctx.gemeente])
    e1, e2 = (1.0, 1.0)
    if pop is not None and y1 in pop.index and y2 in pop.index:
        e1, e2 = float(pop[y1]), float(pop[y2])
    t1, t2 = float(wide.loc[TOTAL, y1]), float(wide.loc[TOTAL, y2])
    c1, c2 = float(wide.loc[code, y1]), float(wide.loc[code, y2])
    total_cmp = stats.compare_counts(t1, t2, e1, e2)
    code_cmp = stats.compare_counts(c1, c2, e1, e2)
    parts = wide.drop(index=TOTAL).dropna()
    diffs = (parts[y2] - parts[y1]).astype(float)
    largest = str(diffs.idxmax()) if not diffs.empty else None
    rise = t2 - t1
    share = (c2 - c1) / rise if rise > 0 else None
    main_cause = (
        (c2 - c1) > 0
        and code_cmp.p_value < ALPHA
        and ((share is not None and share >= claim.params["min_share"]) or largest == code)
    )
    if rise > 0 and main_cause:
        verdict = SUPPORTED
    elif rise < 0 and total_cmp.p_value < ALPHA:
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    evidence = {
        "totaal": {
            str(y1): t1,
            str(y2): t2,
            "p": _r(total_cmp.p_value, 6),
            "rate_ratio": _r(total_cmp.rate_ratio, 4),
        },
        code: {
            str(y1): c1,
            str(y2): c2,
            "p": _r(code_cmp.p_value, 6),
            "rate_ratio": _r(code_cmp.rate_ratio, 4),
        },
        "aandeel_in_stijging": _r(share, 4),
        "grootste_stijger": largest,
        "blootstelling": "inwoners" if pop is not None and (e1, e2) != (1.0, 1.0) else "geen",
    }
    verb = (
        "stijgt"
        if rise > 0 and total_cmp.p_value < ALPHA
        else ("daalt" if rise < 0 and total_cmp.p_value < ALPHA else "verandert niet significant")
    )
    detail = (
        f"het totaal {verb} van {format_number(t1)} ({y1}) naar {format_number(t2)} ({y2}), "
        f"{format_percentage(100 * rise / t1, signed=True)} ({stats.p_text(total_cmp.p_value)}); "
    )
    code_verb = (
        "stijgt"
        if c2 > c1 and code_cmp.p_value < ALPHA
        else ("daalt" if c2 < c1 and code_cmp.p_value < ALPHA else "verandert niet significant")
    )
    detail += (
        f"{claim.params['subject']} ({code}) {code_verb} van {format_number(c1)} naar "
        f"{format_number(c2)} ({stats.p_text(code_cmp.p_value)})"
    )
    if share is not None:
        detail += f", {format_percentage(100 * share, 0)} van de toename"
    return verdict, evidence, detail, total_cmp.test


def eval_rate_vs_nl_and_trend(claim: Claim, ctx: Context):
    """C4: code A's rate above NL (pooled over the years) and code B rising."""
    high, rising = claim.params["high_code"], claim.params["rising_code"]
    own_c = crime_series(ctx, [ctx.gemeente], [high])
    nl_c = crime_series(ctx, [peers.NL_CODE], [high])
    own_p = population_series(ctx, [ctx.gemeente])
    nl_p = population_series(ctx, [peers.NL_CODE])
    if own_p is None or nl_p is None:
        raise InsufficientData("inwonertallen ontbreken: vergelijking met Nederland niet mogelijk")
    since = claim.params["since"]
    years = [
        y
        for y in own_c.index
        if y >= since and y in nl_c.index and y in own_p.index and y in nl_p.index
    ]
    if not years:
        raise InsufficientData(f"geen jaren met {high} en inwonertallen voor gemeente en NL")
    cmp = stats.compare_counts(
        nl_c[years].sum(), own_c[years].sum(), nl_p[years].sum(), own_p[years].sum()
    )
    trend = crime_trend(ctx, [ctx.gemeente], [rising])
    many = cmp.rate_ratio > 1 and cmp.p_value < ALPHA
    few = cmp.rate_ratio < 1 and cmp.p_value < ALPHA
    direction = trend.direction(ALPHA)
    if many and direction == "stijgend":
        verdict = SUPPORTED
    elif few and direction == "dalend":
        verdict = CONTRADICTED  # both parts point the other way; one part alone is mixed
    else:
        verdict = NOT_SUPPORTED
    evidence = {
        high: {
            "jaren": f"{min(years)}-{max(years)}",
            "rate_ratio_vs_nl": _r(cmp.rate_ratio, 4),
            "ci": [_r(cmp.ratio_lower, 4), _r(cmp.ratio_upper, 4)],
            "p": _r(cmp.p_value, 6),
        },
        rising: trend_evidence(trend),
    }
    accidents = ctx.tables.get("accidents")
    if accidents is not None:
        acc = accidents[
            (accidents["area_code"] == ctx.gemeente) & (accidents["year"] <= ctx.peiljaar)
        ]
        per_year = acc.groupby("year")["accidents"].sum(min_count=1).dropna()
        try:
            evidence["bron_ongevallen"] = trend_evidence(
                stats.poisson_trend(
                    per_year.index, per_year.values, break_year=BRON_BREAK_LAST_YEAR + 1
                )
            )
        except InsufficientData as exc:
            evidence["bron_ongevallen"] = {"reden": str(exc)}
    relation = "hoger dan" if many else "lager dan" if few else "niet aantoonbaar anders dan"
    detail = (
        f"verkeersongevallen ({high}) liggen {min(years)}-{max(years)} {relation} landelijk "
        f"(verhouding {format_number(cmp.rate_ratio, 2)}, {stats.p_text(cmp.p_value)}); "
        f"{trend_phrase('rijden onder invloed (' + rising + ')', trend)}"
    )
    return verdict, evidence, detail, f"{cmp.test}; {trend.test}"


def _survey_rows(ctx: Context, indicators: list[str]) -> pd.DataFrame:
    survey = ctx.table("survey")
    rows = survey[
        (survey["area_code"] == ctx.gemeente)
        & survey["indicator"].isin(indicators)
        & (survey["year"] <= ctx.peiljaar)
    ]
    if rows.empty:
        raise InsufficientData(f"geen enquêtecijfers voor {', '.join(indicators)}")
    # one source per indicator: the one with most waves (waves of two sources do not compare)
    source = rows.groupby("source")["year"].nunique().idxmax() if "source" in rows else None
    return rows[rows["source"] == source] if source is not None else rows


def survey_change_between(
    rows: pd.DataFrame, indicator: str, year1: int, year2: int
) -> stats.SurveyChange:
    """Significance of the change of one indicator between two waves (z on the 95% margins)."""

    def pick(year):
        hit = rows[(rows["indicator"] == indicator) & (rows["year"] == year)]
        if hit.empty:
            raise InsufficientData(f"{indicator} ontbreekt voor {year}")
        return hit.iloc[0]

    a, b = pick(year1), pick(year2)
    source = str(a.get("source", "veiligheidsmonitor"))
    return stats.survey_change(
        year1,
        a["value"],
        a["lower"],
        a["upper"],
        year2,
        b["value"],
        b["lower"],
        b["upper"],
        source=source,
    )


def _change_evidence(change: stats.SurveyChange) -> dict:
    return {
        str(change.year1): _r(change.value1),
        str(change.year2): _r(change.value2),
        "verschil": _r(change.difference),
        "z": _r(change.z),
        "p": _r(change.p_value, 6),
        "methodebreuk": change.method_break,
    }


def eval_survey_no_large_shift(claim: Claim, ctx: Context):
    """C5: between the last two waves no change is both significant and large."""
    indicators = list(claim.params["indicators"])
    rows = _survey_rows(ctx, indicators)
    years = sorted(rows["year"].unique())
    if len(years) < 2:
        raise InsufficientData("minder dan twee enquêtegolven")
    y1, y2 = int(years[-2]), int(years[-1])
    threshold = claim.params["large_pp"]
    changes = {i: survey_change_between(rows, i, y1, y2) for i in indicators}
    large_sig = [
        i for i, c in changes.items() if c.significant() and abs(c.difference) >= threshold
    ]
    large_unsure = [i for i, c in changes.items() if abs(c.difference) >= threshold]
    if large_sig:
        verdict = CONTRADICTED
    elif not large_unsure:
        verdict = SUPPORTED
    else:
        verdict = NOT_SUPPORTED
    evidence = {i: _change_evidence(c) for i, c in changes.items()}
    evidence["drempel_procentpunt"] = threshold
    parts = []
    for i, c in changes.items():
        verb = (
            ("stijgt" if c.difference > 0 else "daalt")
            if c.significant()
            else ("verandert niet significant")
        )
        parts.append(
            f"{claim.params['labels'][i]} {verb} ({format_number(c.value1, 1)}% in {y1}, "
            f"{format_number(c.value2, 1)}% in {y2}, {stats.p_text(c.p_value)})"
        )
    detail = "; ".join(parts)
    detail += f"; grote verschuiving = {format_number(threshold)} procentpunt of meer"
    if any(c.method_break for c in changes.values()):
        detail += " (let op: methodebreuk Veiligheidsmonitor 2021)"
    return verdict, evidence, detail, next(iter(changes.values())).test


def eval_survey_up_and_police(claim: Claim, ctx: Context):
    """C6: named nuisance items significantly up since the base year, and police 2.1.1 rising."""
    named = list(claim.params["indicators"])
    base = claim.params["base_year"]
    police = None
    try:
        police = crime_trend(ctx, [ctx.gemeente], [claim.params["police_code"]], since=base)
    except InsufficientData as exc:
        police_reason = str(exc)
    survey = ctx.table("survey")
    all_overlast = sorted(i for i in survey["indicator"].unique() if str(i).startswith("overlast_"))
    rows = _survey_rows(ctx, all_overlast or named)
    latest = int(rows["year"].max())
    if latest <= base:
        raise InsufficientData(f"geen enquêtegolf na {base}")
    changes = {}
    for i in named:
        try:
            changes[i] = survey_change_between(rows, i, base, latest)
        except InsufficientData:
            continue
    if not changes:
        raise InsufficientData(f"overlastitems ontbreken voor {base} of {latest}")
    up = [i for i, c in changes.items() if c.significant() and c.difference > 0]
    down = [i for i, c in changes.items() if c.significant() and c.difference < 0]
    survey_up = len(up) > len(changes) / 2 and not down
    survey_down = len(down) > len(changes) / 2
    ranking = (
        rows[rows["year"] == latest].dropna(subset=["value"]).sort_values("value", ascending=False)
    )
    evidence = {i: _change_evidence(c) for i, c in changes.items()}
    evidence["rangorde"] = list(ranking["indicator"])
    police_dir = police.direction(ALPHA) if police is not None else None
    evidence[claim.params["police_code"]] = (
        trend_evidence(police) if police is not None else {"reden": police_reason}
    )
    if survey_up and police_dir == "stijgend":
        verdict = SUPPORTED
    elif (survey_down or police_dir == "dalend") and not (survey_up or police_dir == "stijgend"):
        verdict = CONTRADICTED  # the other way, with no part in favour; mixed is not_supported
    else:
        verdict = NOT_SUPPORTED
    detail = (
        f"{len(up)} van {len(changes)} genoemde overlastvormen zijn significant gestegen sinds "
        f"{base} (tot {latest})"
    )
    if down:
        detail += f", {len(down)} significant gedaald"
    if any(c.method_break for c in changes.values()):
        detail += " (let op: methodebreuk Veiligheidsmonitor 2021)"
    detail += "; " + (
        trend_phrase(f"drugs-/drankoverlast bij de politie sinds {base}", police)
        if police is not None
        else f"politiecijfers drugs-/drankoverlast: {police_reason}"
    )
    return verdict, evidence, detail, "z-toets op enquêtemarges; Poisson-regressie"


def eval_youth(claim: Claim, ctx: Context):
    """C7: every youth measure falls."""
    youth = ctx.table("youth")
    rows = youth[(youth["area_code"] == ctx.gemeente) & (youth["year"] <= ctx.peiljaar)]
    trends, reasons = {}, {}
    for measure in claim.params["measures"]:
        per_year = rows[rows["measure"] == measure].groupby("year")["count"].sum(min_count=1)
        per_year = per_year.dropna()
        try:
            trends[measure] = stats.poisson_trend(per_year.index, per_year.values.astype(float))
        except InsufficientData as exc:
            reasons[measure] = str(exc)
    if not trends:
        raise InsufficientData(
            "; ".join(f"{m}: {r}" for m, r in reasons.items()) or "geen jeugdcijfers"
        )
    directions = {m: t.direction(ALPHA) for m, t in trends.items()}
    if any(d == "stijgend" for d in directions.values()):
        verdict = CONTRADICTED
    elif all(d == "dalend" for d in directions.values()):
        verdict = SUPPORTED
    else:
        verdict = NOT_SUPPORTED
    evidence = {m: trend_evidence(t) for m, t in trends.items()}
    evidence.update({m: {"reden": r} for m, r in reasons.items()})
    detail = "; ".join(trend_phrase(claim.params["labels"][m], t) for m, t in trends.items())
    return verdict, evidence, detail, next(iter(trends.values())).test


def eval_below_peers(claim: Claim, ctx: Context):
    """C9: the rate lies below the peer group's rate (95% funnel limit) in every recent year."""
    code = claim.params["code"]
    population = ctx.table("population")
    group_year, group = peers.peer_group_for_peiljaar(
        population, ctx.gemeente, ctx.peiljaar, claim.params["band"]
    )
    if len(group) < claim.params["min_peers"]:
        raise InsufficientData(f"te weinig vergelijkbare gemeenten ({len(group)})")
    own_c = crime_series(ctx, [ctx.gemeente], [code])
    own_p = population_series(ctx, [ctx.gemeente])
    crime = ctx.table("crime")
    years = [y for y in range(ctx.peiljaar - claim.params["years"] + 1, ctx.peiljaar + 1)]
    per_year, below_all, above_any = {}, True, False
    for year in years:
        if own_p is None or year not in own_c.index or year not in own_p.index:
            raise InsufficientData(f"{code} of inwonertal ontbreekt voor {year}")
        peer_rows = crime[
            crime["area_code"].isin(group) & (crime["crime_code"] == code) & (crime["year"] == year)
        ].dropna(subset=["registered"])
        pop_rows = population[
            population["area_code"].isin(peer_rows["area_code"]) & (population["year"] == year)
        ].dropna(subset=["inhabitants"])
        used = sorted(set(peer_rows["area_code"]) & set(pop_rows["area_code"]))
        if len(used) < claim.params["min_peers"]:
            raise InsufficientData(f"te weinig vergelijkbare gemeenten met cijfers in {year}")
        peer_count = float(peer_rows[peer_rows["area_code"].isin(used)]["registered"].sum())
        peer_pop = float(pop_rows[pop_rows["area_code"].isin(used)]["inhabitants"].sum())
        peer_rate = peer_count / peer_pop * ctx.rate_unit
        own_rate = float(own_c[year]) / float(own_p[year]) * ctx.rate_unit
        limits = stats.funnel_limits(peer_rate, float(own_p[year]), ctx.rate_unit)
        lo95, hi95 = limits[0.95]
        below_all &= own_rate < lo95
        above_any |= own_rate > hi95
        per_year[str(year)] = {
            "gemeente": _r(own_rate),
            "peers": _r(peer_rate),
            "grens_95": [_r(lo95), _r(hi95)],
            "grens_998": [_r(v) for v in limits[0.998]],
            "aantal_peers": len(used),
        }
    verdict = SUPPORTED if below_all else CONTRADICTED if above_any else NOT_SUPPORTED
    evidence = {
        "peers": group,
        "peers_jaar": group_year,
        "per_jaar": per_year,
        "eenheid": ctx.rate_unit,
    }
    relation = (
        "ligt in elk jaar onder de 95%-grens van vergelijkbare gemeenten"
        if below_all
        else "ligt in minstens één jaar boven de 95%-grens van vergelijkbare gemeenten"
        if above_any
        else "ligt niet in elk jaar aantoonbaar onder het gemiddelde van vergelijkbare gemeenten"
    )
    last = per_year[str(ctx.peiljaar)]
    detail = (
        f"winkeldiefstal ({code}) {relation} ({years[0]}-{years[-1]}; {ctx.peiljaar}: "
        f"{format_number(last['gemeente'], 1)} tegen {format_number(last['peers'], 1)} "
        f"per {format_number(ctx.rate_unit)} inwoners, {len(group)} gemeenten)"
    )
    return verdict, evidence, detail, "funnelplotgrenzen (exacte Poisson, 95% en 99,8%)"


def eval_follows_regions(claim: Claim, ctx: Context):
    """C10: the gemeente's trend has the same sign as, and does not differ from, Twente and NL."""
    codes = list(claim.params["codes"])
    own = crime_trend(ctx, [ctx.gemeente], codes)
    refs: dict[str, Trend] = {}
    reasons = {}
    crime = ctx.table("crime")
    present = set(crime["area_code"].unique())
    rest = [c for c in peers.twente(exclude=ctx.gemeente) if c in present]
    for name, areas in (("twente", rest), ("nederland", [peers.NL_CODE])):
        try:
            if not areas:
                raise InsufficientData("geen cijfers")
            refs[name] = crime_trend(ctx, areas, codes)
        except InsufficientData as exc:
            reasons[name] = str(exc)
    if not refs:
        raise InsufficientData("geen regionale of landelijke reeks")
    d_own = own.direction(ALPHA)
    follows, opposite = {}, False
    for name, ref in refs.items():
        p_diff = stats.compare_trends(own, ref)
        same_sign = (own.pct_per_year > 0) == (ref.pct_per_year > 0)
        follows[name] = {"zelfde_teken": same_sign, "p_verschil": _r(p_diff, 6)}
        d_ref = ref.direction(ALPHA)
        if {d_own, d_ref} == {"stijgend", "dalend"}:
            opposite = True
    agree = all(f["zelfde_teken"] and f["p_verschil"] >= ALPHA for f in follows.values())
    verdict = CONTRADICTED if opposite else SUPPORTED if agree else NOT_SUPPORTED
    evidence = {"gemeente": trend_evidence(own), "vergelijking": follows}
    evidence.update({n: trend_evidence(t) for n, t in refs.items()})
    evidence.update({f"{n}_reden": r for n, r in reasons.items()})
    labels = {"twente": "rest van Twente", "nederland": "Nederland"}
    detail = (
        trend_phrase("het geregistreerde aantal misdrijven", own)
        + "; "
        + "; ".join(
            trend_phrase(labels[n], t)
            + (
                ", verschil met de gemeente niet significant"
                if follows[n]["p_verschil"] >= ALPHA
                else ", verschil met de gemeente significant"
            )
            for n, t in refs.items()
        )
    )
    return (
        verdict,
        evidence,
        detail,
        "Poisson-regressie per reeks; z-toets op het verschil in helling",
    )


def eval_digital_shift(claim: Claim, ctx: Context):
    """C11: digital crime (cybercrime, fraud) rises while traditional property crime falls."""
    digital = crime_trend(ctx, [ctx.gemeente], list(claim.params["digital"]))
    traditional = crime_trend(ctx, [ctx.gemeente], list(claim.params["traditional"]))
    d_dig, d_trad = digital.direction(ALPHA), traditional.direction(ALPHA)
    if d_dig == "stijgend" and d_trad == "dalend":
        verdict = SUPPORTED
    elif (d_dig == "dalend" or d_trad == "stijgend") and not (
        d_dig == "stijgend" or d_trad == "dalend"
    ):
        verdict = CONTRADICTED  # the other way, with no part in favour; mixed is not_supported
    else:
        verdict = NOT_SUPPORTED
    evidence = {
        "digitaal": {"codes": list(claim.params["digital"]), **trend_evidence(digital)},
        "traditioneel": {"codes": list(claim.params["traditional"]), **trend_evidence(traditional)},
    }
    detail = (
        f"{trend_phrase('digitale criminaliteit (cybercrime en fraude)', digital)}; "
        f"{trend_phrase('traditionele vermogenscriminaliteit', traditional)}"
    )
    return verdict, evidence, detail, digital.test


def eval_incident_trend(claim: Claim, ctx: Context):
    """C1: police incident counts (E33) rise. Incidents, not persons."""
    incidents = ctx.table("incidents")
    code = claim.params["incident_code"]
    rows = incidents[
        (incidents["area_code"] == ctx.gemeente)
        & (incidents["incident_code"] == code)
        & (incidents["year"] <= ctx.peiljaar)
    ]
    if rows.empty:
        raise InsufficientData(f"geen {code}-incidenten voor {ctx.gemeente}")
    yearly = rows[rows["month"].isna()].groupby("year")["incidents"].sum(min_count=1)
    monthly = rows[rows["month"].notna()].groupby("year")
    full_years = monthly["month"].nunique()
    from_months = monthly["incidents"].sum(min_count=1)[full_years == 12]
    per_year = yearly.combine_first(from_months).dropna().astype(float).sort_index()
    trend = stats.poisson_trend(per_year.index, per_year.values)
    verdict = direction_verdict(trend.direction(ALPHA), "stijgend")
    evidence = {
        "per_jaar": {str(int(y)): int(v) for y, v in per_year.items()},
        "trend": trend_evidence(trend),
        "let_op": "incidenten, geen personen",
    }
    detail = trend_phrase(f"het aantal {code}-meldingen (incidenten, geen personen)", trend)
    return verdict, evidence, detail, trend.test


EVALUATORS: dict[str, Callable] = {
    "incident_trend": eval_incident_trend,
    "national_trend": eval_national_trend,
    "rise_by_code": eval_rise_by_code,
    "rate_vs_nl_and_trend": eval_rate_vs_nl_and_trend,
    "survey_no_large_shift": eval_survey_no_large_shift,
    "survey_up_and_police": eval_survey_up_and_police,
    "youth": eval_youth,
    "crime_trend": eval_crime_trend,
    "below_peers": eval_below_peers,
    "follows_regions": eval_follows_regions,
    "digital_shift": eval_digital_shift,
}

SURVEY_LABELS = {
    "onveilig_buurt": "het aandeel dat zich soms onveilig voelt in de eigen buurt",
    "tevreden_aanpak_gemeente": "de tevredenheid over de aanpak door de gemeente",
}

CLAIMS: tuple[Claim, ...] = (
    Claim(
        "C1",
        "De overlast door personen met onbegrepen (verward) gedrag blijft toenemen.",
        "E33-incidenten per jaar (politie, aangeleverd)",
        "Poisson-regressie op aantallen",
        "incident_trend",
        {"incident_code": "E33"},
    ),
    Claim(
        "C2",
        "De veelvoorkomende criminaliteit daalt, in lijn met de landelijke trend.",
        "geregistreerde misdrijven (0.0.0) per inwoners, gemeente en Nederland",
        "Poisson-regressie met inwoners als blootstelling",
        "national_trend",
        {"codes": [TOTAL]},
    ),
    Claim(
        "C3",
        "In 2022 is er een lichte stijging, waarschijnlijk door diefstal van (elektrische) fietsen.",
        "totaal 2021-2022 en het aandeel van 1.2.3 in de stijging",
        "exacte conditionele toets voor twee Poisson-aantallen",
        "rise_by_code",
        {
            "years": (2021, 2022),
            "code": "1.2.3",
            "min_share": 0.5,
            "subject": "diefstal van brom-, snor- en fietsen",
        },
    ),
    Claim(
        "C4",
        "Sinds 2012 zijn er veel verkeersongevallen en rijden meer mensen onder invloed van drugs.",
        "1.3.1 per inwoners tegen Nederland; trend 3.5.2",
        "exacte conditionele toets (gemeente tegen NL); Poisson-regressie",
        "rate_vs_nl_and_trend",
        {"high_code": "1.3.1", "rising_code": "3.5.2", "since": 2012},
    ),
    Claim(
        "C5",
        "Minder inwoners voelen zich vaak veilig in de buurt en minder zijn tevreden over de "
        "aanpak van de gemeente, maar er zijn geen grote verschuivingen.",
        "enquête: onveilig in eigen buurt, tevreden over aanpak gemeente; laatste twee golven",
        "z-toets op het verschil uit de 95%-marges",
        "survey_no_large_shift",
        {
            "indicators": ["onveilig_buurt", "tevreden_aanpak_gemeente"],
            "large_pp": 5.0,
            "labels": SURVEY_LABELS,
        },
    ),
    Claim(
        "C6",
        "De overlast van alcohol en drugs neemt toe; drugsgebruik en -handel, dronken mensen en "
        "rondhangende jongeren worden het meest genoemd, significant vaker dan in 2019.",
        "enquête-overlastitems tegen 2019; politie 2.1.1 sinds 2019",
        "z-toets op enquêtemarges; Poisson-regressie",
        "survey_up_and_police",
        {
            "indicators": [
                "overlast_drugsgebruik",
                "overlast_drugshandel",
                "overlast_dronken_mensen",
                "overlast_rondhangende_jongeren",
            ],
            "base_year": 2019,
            "police_code": "2.1.1",
        },
    ),
    Claim(
        "C7",
        "De geregistreerde jeugdcriminaliteit daalt (minder Halt-verwijzingen en jeugdreclassering).",
        "Halt-verwijzingen en jeugdreclassering per jaar (aangeleverd)",
        "Poisson-regressie op aantallen",
        "youth",
        {
            "measures": ["halt_verwijzingen", "jeugdreclassering"],
            "labels": {
                "halt_verwijzingen": "het aantal Halt-verwijzingen",
                "jeugdreclassering": "het aantal jeugdreclasseringszaken",
            },
        },
    ),
    Claim(
        "C8",
        "Inbraak en diefstal bij bedrijven nemen af.",
        "2.5.1 per inwoners",
        "Poisson-regressie met inwoners als blootstelling",
        "crime_trend",
        {
            "codes": ["2.5.1"],
            "expected": "dalend",
            "subject": "diefstal/inbraak bij bedrijven (2.5.1)",
        },
    ),
    Claim(
        "C9",
        "Winkeldiefstal blijft constant onder het gemiddelde van vergelijkbare gemeenten.",
        "2.5.2 per inwoners tegen vergelijkbare gemeenten (stedelijkheid en inwonertal ±35%)",
        "funnelplotgrenzen (exacte Poisson)",
        "below_peers",
        {"code": "2.5.2", "band": peers.DEFAULT_BAND, "years": 4, "min_peers": 3},
    ),
    Claim(
        "C10",
        "Hengelo volgt de regionale (Twente) en landelijke trends.",
        "trend 0.0.0 per inwoners: gemeente, rest van Twente, Nederland",
        "Poisson-regressie; z-toets op het verschil in helling",
        "follows_regions",
        {"codes": [TOTAL]},
    ),
    Claim(
        "C11",
        "De criminaliteit verschuift van traditioneel naar digitaal.",
        "3.7.4 en fraude (3.9.x) tegen traditionele vermogensdelicten",
        "Poisson-regressie per reeks",
        "digital_shift",
        {
            "digital": ["3.7.4", "3.9.1", "3.9.2", "3.9.3"],
            "traditional": [
                "1.1.1",
                "1.1.2",
                "1.2.1",
                "1.2.2",
                "1.2.3",
                "1.2.4",
                "1.2.5",
                "1.4.6",
                "1.4.7",
                "2.5.1",
                "2.5.2",
            ],
        },
    ),
)


def evaluate(claim: Claim, ctx: Context) -> Finding:
    """Judge one claim; missing or too little data give ``insufficient_data`` with the reason."""
    try:
        verdict, evidence, detail, test = EVALUATORS[claim.kind](claim, ctx)
    except InsufficientData as exc:
        return Finding(
            claim.id,
            INSUFFICIENT,
            {"reden": str(exc)},
            claim.test,
            _sentence(INSUFFICIENT, str(exc)),
            claim.statement,
        )
    return Finding(claim.id, verdict, evidence, test, _sentence(verdict, detail), claim.statement)


def load_tables(data_dir: str | Path, source: str) -> dict[str, pd.DataFrame]:
    """The processed tables that exist (parquet); absent ones are simply not in the dict."""
    folder = processed_dir(data_dir, source)
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.parquet"
        if path.exists():
            tables[name] = pd.read_parquet(path)
        else:
            log.info("table %s absent: its claims get insufficient_data", name)
    return tables


def evaluate_tables(
    tables: Mapping[str, pd.DataFrame],
    gemeente: str,
    peiljaar: int,
    rate_unit: int = 1000,
    claims: tuple[Claim, ...] = CLAIMS,
) -> list[Finding]:
    ctx = Context(tables, gemeente, int(peiljaar), int(rate_unit))
    return [evaluate(claim, ctx) for claim in claims]


def evaluate_all(
    data_dir: str | Path, source: str, gemeente: str, peiljaar: int, rate_unit: int = 1000
) -> list[Finding]:
    """Evaluate C1-C11 against the processed tables of ``source`` under ``data_dir``."""
    return evaluate_tables(load_tables(data_dir, source), gemeente, peiljaar, rate_unit)


def findings_document(
    findings: list[Finding], gemeente: str, peiljaar: int, source: str, rate_unit: int = 1000
) -> dict:
    """The ``findings.json`` document."""
    return {
        "gemeente": gemeente,
        "peiljaar": int(peiljaar),
        "source": source,
        "rate_unit": int(rate_unit),
        "claims": {f.claim_id: _jsonable(f.as_dict()) for f in findings},
    }


def _jsonable(value):
    """Plain Python types for json (numpy/pandas scalars can slip into evidence)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item"):
        return value.item()
    if pd.isna(value):
        return None
    return str(value)
