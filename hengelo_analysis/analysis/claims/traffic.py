"""C4: "veel verkeersongevallen" (1.3.1 above Nederland) and "meer mensen onder invloed".

The evaluator returns (verdict, evidence, detail sentence, test, plain summary) or raises
InsufficientData; BRON injury accidents are shown alongside where they are supplied.
"""

from __future__ import annotations

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
    population_series,
    trend_evidence,
)
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import BRON_BREAK_LAST_YEAR, NL_CODE
from hengelo_analysis.formatting import format_number


def _bron(ctx: Context, detail: Detail) -> dict | None:
    """BRON injury accidents (DOD + LET) of the gemeente: trend after the registration break.

    UMS (material damage only) is left out: the police register only a small, changing part of it.
    """
    accidents = ctx.tables.get("accidents")
    if accidents is None:
        return None
    acc = accidents[
        (accidents["area_code"] == ctx.gemeente)
        & (accidents["year"] <= ctx.peiljaar)
        & accidents["severity"].isin(["DOD", "LET"])
    ]
    if acc.empty:
        return {"reden": "geen BRON-ongevallen voor de gemeente"}
    per_year = acc.groupby("year")["accidents"].sum(min_count=1).dropna()
    try:
        trend = stats.poisson_trend(
            per_year.index, per_year.values, break_year=BRON_BREAK_LAST_YEAR + 1
        )
    except InsufficientData as exc:
        return {"reden": str(exc)}
    detail.trend("het aantal letselongevallen in BRON", trend)
    return trend_evidence(trend)


def eval_rate_vs_nl_and_trend(claim: Claim, ctx: Context):
    """C4: "veel verkeersongevallen" (1.3.1 above NL since ``since``) and "onder invloed" (3.5.2).

    The first part is tested: the gemeente's 1.3.1 rate over the years is significantly above the
    national rate. The second cannot be: 3.5.2 counts driving under the influence of alcohol *and*
    drugs, and rises with police checks as much as with behaviour, so it cannot show that more
    people drive under the influence of drugs. The verdict is therefore at most not_supported;
    contradicted when the accidents are significantly *below* the national rate.
    """
    high, rising = claim.params["high_code"], claim.params["rising_code"]
    own_c = crime_series(ctx, [ctx.gemeente], [high])
    nl_c = crime_series(ctx, [NL_CODE], [high])
    own_p = population_series(ctx, [ctx.gemeente])
    nl_p = population_series(ctx, [NL_CODE])
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
    many = cmp.rate_ratio > 1 and cmp.p_value < ALPHA
    few = cmp.rate_ratio < 1 and cmp.p_value < ALPHA
    relation = "hoger dan" if many else "lager dan" if few else "niet aantoonbaar anders dan"
    detail = Detail()
    detail.add(
        f"verkeersongevallen ({high}) liggen {min(years)}-{max(years)} per inwoner {relation} "
        f"landelijk (verhouding {format_number(cmp.rate_ratio, 2)}, 95%-BI "
        f"{format_number(cmp.ratio_lower, 2)} tot {format_number(cmp.ratio_upper, 2)}, "
        f"{stats.p_text(cmp.p_value)})"
    )
    bron = _bron(ctx, detail)
    evidence = {
        high: {
            "jaren": f"{min(years)}-{max(years)}",
            "rate_ratio_vs_nl": rounded(cmp.rate_ratio, 4),
            "ci": [rounded(cmp.ratio_lower, 4), rounded(cmp.ratio_upper, 4)],
            "p": rounded(cmp.p_value, 6),
            "deeloordeel": SUPPORTED if many else CONTRADICTED if few else NOT_SUPPORTED,
        },
    }
    if bron is not None:
        evidence["bron_ongevallen"] = bron
    try:
        trend = crime_trend(ctx, [ctx.gemeente], [rising])
        detail.trend(f"rijden onder invloed ({rising}, alcohol en drugs samen)", trend)
        evidence[rising] = trend_evidence(trend)
    except InsufficientData as exc:
        evidence[rising] = {"reden": str(exc)}
    evidence[rising]["deeloordeel"] = NOT_SUPPORTED
    detail.add(
        f"{rising} telt alcohol én drugs en hangt af van hoeveel de politie controleert: het kan "
        "niet laten zien dat meer mensen onder invloed van drugs rijden"
    )
    evidence["regel"] = (
        "'veel ongevallen' getoetst tegen Nederland; 'onder invloed van drugs' is met deze "
        "cijfers niet te toetsen, dus hooguit niet aangetoond"
    )
    evidence["richtingen"] = detail.directions
    verdict = CONTRADICTED if few else NOT_SUPPORTED
    level = (
        "meer verkeersongevallen dan gemiddeld in Nederland"
        if many
        else "minder verkeersongevallen dan gemiddeld in Nederland"
        if few
        else "niet duidelijk meer of minder verkeersongevallen dan gemiddeld in Nederland"
    )
    summary = plain.sentence(
        f"In {ctx.area_name()} waren er van {min(years)} tot {max(years)} per inwoner {level}",
        f"({format_number(cmp.rate_ratio, 2)} keer zoveel)" if many or few else "",
        "; of meer mensen onder invloed van drugs rijden, is met deze cijfers niet te zeggen "
        "(de politie telt alcohol en drugs samen)",
    )
    return (
        verdict,
        evidence,
        detail.text(),
        f"{cmp.test}; quasi-Poisson-regressie (t)",
        summary,
    )
