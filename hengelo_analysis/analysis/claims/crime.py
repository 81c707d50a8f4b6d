"""Evaluators on registered crime in the gemeente: a trend, against Nederland, a rise by code.

Each evaluator returns (verdict, evidence, detail sentence, test, plain summary) or raises
InsufficientData (C4, accidents against Nederland, is in :mod:`.traffic`). The
detail is built with :class:`~.series.Detail`: a direction word appears only where its test showed
that direction, and ``evidence["richtingen"]`` records which.
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
    crime_series,
    crime_trend,
    direction_verdict,
    population_series,
    series_break,
    significant_direction,
    trend_evidence,
)
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import COMMON_CRIME, NL_CODE, TOTAL_CRIME
from hengelo_analysis.formatting import format_number, format_percentage


def eval_crime_trend(claim: Claim, ctx: Context):
    """C8: one crime code (or a sum of codes) in the gemeente, trend in the expected direction."""
    codes = list(claim.params["codes"])
    trend = crime_trend(ctx, [ctx.gemeente], codes, claim.params.get("since"))
    verdict = direction_verdict(trend.direction(ALPHA), claim.params["expected"])
    detail = Detail()
    detail.trend(claim.params["subject"], trend)
    evidence = {"codes": codes, "trend": trend_evidence(trend), "richtingen": detail.directions}
    latest = _latest_rate(ctx, codes)
    evidence.update(latest)
    summary = plain.sentence(
        plain.trend_clause(
            claim.params["subject"],
            trend.direction(ALPHA),
            trend.pct_per_year,
            f"{trend.first_year}-{trend.last_year}",
        )
        + " (per inwoner)",
        _latest_text(ctx, latest),
    )
    return verdict, evidence, detail.text(), trend.test, summary


def _latest_text(ctx: Context, latest: dict) -> str:
    """ "; in 2024 waren het er 109 (13,5 per 10.000 inwoners)" when the rate is known."""
    if not latest:
        return ""
    return (
        f"; in {ctx.peiljaar} waren het er {format_number(latest['peiljaar_aantal'])} "
        f"({format_number(latest[f'peiljaar_per_{ctx.rate_unit}'], 1)} per "
        f"{format_number(ctx.rate_unit)} inwoners)"
    )


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
        "peiljaar_aantal": rounded(rate.count),
        f"peiljaar_per_{ctx.rate_unit}": rounded(rate.rate),
        "peiljaar_ci": [rounded(rate.lower), rounded(rate.upper)],
        "ci_methode": rate.method,
    }


def eval_national_trend(claim: Claim, ctx: Context):
    """C2: the gemeente's veelvoorkomende criminaliteit falls significantly, and NL's falls too.

    A claim about direction only: it says nothing about how fast (that is C10's question), so
    -1 %/yr here against -5 %/yr nationally is a fall in both, never "follows". Both trends are
    fitted over the same years (:func:`common_window_trends`).
    """
    codes = list(claim.params.get("codes", COMMON_CRIME))
    own, nl = common_window_trends(ctx, codes)
    d_own, d_nl = own.direction(ALPHA), nl.direction(ALPHA)
    if d_own == "dalend" and d_nl == "dalend":
        verdict = SUPPORTED
    elif d_own == "stijgend":
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    detail = Detail()
    detail.trend("veelvoorkomende criminaliteit in de gemeente", own)
    detail.trend("landelijk", nl)
    detail.add(
        f"veelvoorkomende criminaliteit = {len(codes)} misdrijfsoorten (woninginbraak, diefstal, "
        "vernieling, bedreiging, mishandeling, straatroof, winkeldiefstal), niet het totaal; "
        "getoetst is alleen de richting, niet of de gemeente even snel gaat als het land"
    )
    evidence = {
        "codes": codes,
        "gemeente": trend_evidence(own),
        "nederland": trend_evidence(nl),
        "regel": "gemeente significant dalend én Nederland significant dalend (t-toets)",
        "richtingen": detail.directions,
    }
    evidence.update(_latest_rate(ctx, codes))
    # two rates side by side keep one decimal: whole percents print -4,5 against -4,7 as 4% against
    # 5%, a gap the test did not look at
    if d_nl == d_own != "geen":
        national = f"ook, met gemiddeld {plain.pct(nl.pct_per_year, 1)} per jaar"
    else:
        national = {"stijgend": "steeg ze", "dalend": "daalde ze", "geen": "veranderde ze"}[d_nl]
        national += " " + plain.yearly(d_nl, nl.pct_per_year, 1).split(" ", 1)[1]
    summary = plain.sentence(
        f"Veelvoorkomende criminaliteit (zoals inbraak, diefstal en vernieling) in "
        f"{ctx.area_name()}",
        plain.yearly(d_own, own.pct_per_year, 1),
        f"({own.first_year}-{own.last_year}, per inwoner); in heel Nederland {national}",
    )
    return verdict, evidence, detail.text(), own.test, summary


def _positive_inhabitants(ctx: Context, area: str, years) -> pd.Series | None:
    """The area's inhabitants over ``years``; a zero or negative figure is an error in the data."""
    pop = population_series(ctx, [area])
    if pop is None:
        return None
    bad = sorted(int(y) for y, v in pop.items() if y in years and v <= 0)
    if bad:
        raise InsufficientData(
            f"inwonertal van {area} is 0 of negatief in {', '.join(map(str, bad))}: geen cijfer "
            "per inwoner"
        )
    return pop


def common_window_trends(ctx: Context, codes: list[str]):
    """Trends of the gemeente and NL over the same years, ending at the peiljaar.

    Comparing a gemeente series that stops in 2019 with a national one running to 2024 compares
    different periods; so only the years both have (counts and, when known for both, inhabitants)
    are used, and they must reach the peiljaar. Rates when both areas have inhabitants, else counts.
    """
    own_c = crime_series(ctx, [ctx.gemeente], codes)
    try:
        nl_c = crime_series(ctx, [NL_CODE], codes)
    except InsufficientData as exc:
        raise InsufficientData(f"landelijke reeks ontbreekt ({exc})") from exc
    years = own_c.index.intersection(nl_c.index)
    own_p = _positive_inhabitants(ctx, ctx.gemeente, years)
    nl_p = _positive_inhabitants(ctx, NL_CODE, years)
    if own_p is not None and nl_p is not None:
        years = years.intersection(own_p.index).intersection(nl_p.index)
    else:
        own_p = nl_p = None
    years = years.sort_values()
    if len(years) == 0 or int(years.max()) < ctx.peiljaar:
        last = "geen" if len(years) == 0 else f"tot {int(years.max())}"
        raise InsufficientData(
            f"gemeente en Nederland hebben gemeenschappelijke jaren {last}, niet tot het peiljaar "
            f"{ctx.peiljaar}"
        )
    brk = series_break(codes)

    def fit(counts, pop):
        return stats.poisson_trend(
            years, counts[years].values, None if pop is None else pop[years].values, break_year=brk
        )

    return fit(own_c, own_p), fit(nl_c, nl_p)


def _two_years(ctx: Context, codes: list[str], y1: int, y2: int):
    crime = ctx.table("crime")
    rows = crime[(crime["area_code"] == ctx.gemeente) & crime["year"].isin([y1, y2])]
    # sum with min_count: an unpublished cell must stay missing, never become 0
    wide = rows.groupby(["crime_code", "year"])["registered"].sum(min_count=1).unstack("year")
    if y1 not in wide.columns or y2 not in wide.columns:
        raise InsufficientData(f"geen misdrijfcijfers voor {y1} of {y2}")
    missing = [c for c in codes if c not in wide.index]
    if missing:
        raise InsufficientData(f"{', '.join(missing)} ontbreekt voor {y1}/{y2}")
    if wide.loc[codes, [y1, y2]].isna().any().any():
        raise InsufficientData(f"{' of '.join(codes)} niet gepubliceerd voor {y1} of {y2}")
    return wide


def eval_rise_by_code(claim: Claim, ctx: Context):
    """C3: a small rise of the total from y1 to y2, at least ``min_share`` of it due to one code.

    Every condition must hold: the total rises significantly (exact conditional test on the rates),
    the rise is "licht" (the upper 95% limit of the rate ratio at most ``1 + max_rise_pct/100``),
    the code rises significantly and its rise is at least ``min_share`` of the total's. Being the
    largest contributor is not enough: a rise spread over many crime types has no main cause.
    """
    y1, y2 = claim.params["years"]
    code = claim.params["code"]
    min_share, max_rise = claim.params["min_share"], claim.params["max_rise_pct"]
    if ctx.peiljaar < y2:
        raise InsufficientData(f"peiljaar {ctx.peiljaar} ligt voor {y2}")
    wide = _two_years(ctx, [TOTAL_CRIME, code], y1, y2)
    pop = population_series(ctx, [ctx.gemeente])
    e1, e2 = (1.0, 1.0)
    if pop is not None and y1 in pop.index and y2 in pop.index:
        e1, e2 = float(pop[y1]), float(pop[y2])
    t1, t2 = float(wide.loc[TOTAL_CRIME, y1]), float(wide.loc[TOTAL_CRIME, y2])
    c1, c2 = float(wide.loc[code, y1]), float(wide.loc[code, y2])
    total_cmp = stats.compare_counts(t1, t2, e1, e2)
    code_cmp = stats.compare_counts(c1, c2, e1, e2)
    d_total = significant_direction(total_cmp.rate_ratio - 1, total_cmp.p_value)
    d_code = significant_direction(code_cmp.rate_ratio - 1, code_cmp.p_value)
    # the share in the same terms as the test: counts of y2 brought to y1's inhabitants
    scale = e1 / e2
    rise = t2 * scale - t1
    share = (c2 * scale - c1) / rise if rise > 0 else None
    rates = (e1, e2) != (1.0, 1.0)
    per = "per inwoner" if rates else "in aantallen (geen inwonertal bekend)"
    small = total_cmp.ratio_upper <= 1 + max_rise / 100
    parts = wide.drop(index=TOTAL_CRIME).dropna()
    diffs = (parts[y2] - parts[y1]).astype(float)
    largest = str(diffs.idxmax()) if not diffs.empty else None
    cause = d_code == "stijgend" and share is not None and share >= min_share
    if d_total == "stijgend" and small and cause:
        verdict = SUPPORTED
    elif d_total == "dalend":
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    detail = Detail()
    detail.directed(
        "het totaal aantal misdrijven",
        d_total,
        f" van {format_number(t1)} ({y1}) naar {format_number(t2)} ({y2}), "
        f"{format_percentage(100 * (total_cmp.rate_ratio - 1), signed=True)} {per}, 95%-BI "
        f"{format_percentage(100 * (total_cmp.ratio_lower - 1), signed=True)} tot "
        f"{format_percentage(100 * (total_cmp.ratio_upper - 1), signed=True)} "
        f"({stats.p_text(total_cmp.p_value)})",
    )
    if d_total == "stijgend":
        detail.add(
            f"licht = hooguit {format_number(max_rise)}% (bovengrens van het interval): "
            + ("dat geldt" if small else "dat is niet aangetoond")
        )
    detail.directed(
        f"{claim.params['subject']} ({code})",
        d_code,
        f" van {format_number(c1)} naar {format_number(c2)} ({stats.p_text(code_cmp.p_value)})",
    )
    if share is not None:
        detail.add(
            f"dat is {format_percentage(100 * share, 0)} van het verschil in het totaal "
            f"({'per inwoner' if rates else 'in aantallen'}); "
            f"nodig is minstens {format_percentage(100 * min_share, 0)}"
        )
    detail.add(
        f"{code} telt brom-, snor- en alle fietsen samen: elektrische fietsen zijn er niet apart "
        "uit te halen"
    )
    evidence = {
        "totaal": {
            str(y1): t1,
            str(y2): t2,
            "p": rounded(total_cmp.p_value, 6),
            "rate_ratio": rounded(total_cmp.rate_ratio, 4),
            "ci": [rounded(total_cmp.ratio_lower, 4), rounded(total_cmp.ratio_upper, 4)],
            "licht": small,
        },
        code: {
            str(y1): c1,
            str(y2): c2,
            "p": rounded(code_cmp.p_value, 6),
            "rate_ratio": rounded(code_cmp.rate_ratio, 4),
        },
        "aandeel_in_stijging": rounded(share, 4),
        "min_aandeel": min_share,
        "max_stijging_pct": max_rise,
        "grootste_stijger": largest,
        "blootstelling": "inwoners" if (e1, e2) != (1.0, 1.0) else "geen",
        "regel": "totaal significant gestegen, licht, en de genoemde oorzaak significant gestegen "
        "met minstens het minimale aandeel; alle voorwaarden moeten gelden",
        "richtingen": detail.directions,
    }
    summary = plain.sentence(
        plain.moved("Het totaal aantal misdrijven", d_total, t1, y1, t2, y2),
        (
            f"; dat is een lichte stijging (hooguit {format_number(max_rise)}%)"
            if d_total == "stijgend" and small
            else f"; of dat een lichte stijging is (hooguit {format_number(max_rise)}%), is niet "
            "aangetoond"
            if d_total == "stijgend"
            else ""
        ),
        "; " + plain.moved(f"{claim.params['subject']} ({code})", d_code, c1, y1, c2, y2),
        # the share is computed as the test is (per inwoner when inhabitants are known), so a
        # reader recomputing it from the counts above would get another figure: say how; and a
        # share of a rise the test did not show is no share at all
        (
            _share_text(share, rates)
            if share is not None and d_code == "stijgend" and d_total == "stijgend"
            else ""
        ),
        "; elektrische fietsen zijn in de cijfers niet apart te zien",
    )
    return verdict, evidence, detail.text(), total_cmp.test, summary


def _share_text(share: float, rates: bool) -> str:
    """ "; per inwoner gerekend is dat 99% van de toename" (or "meer dan de hele toename")."""
    how = "per inwoner gerekend is dat" if rates else "dat is"
    figure = format_percentage(100 * share, 0)
    if share > 1:
        # other crime types fell meanwhile: "139% van de toename" reads as an error
        return f"; {how} meer dan de hele toename ({figure})"
    return f"; {how} {figure} van de toename"
