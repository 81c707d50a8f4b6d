"""C9: a rate "constant onder het gemiddelde van vergelijkbare gemeenten", judged on PHE funnel limits.

Rules (docs/methodology.md, "Vergelijkingen met andere gebieden (C9, C10)"):

- every year of the window is a separate funnel test of the gemeente's count against the pooled
  rate of its peer group (the gemeente itself not included), with PHE's exact limits
  (:mod:`hengelo_analysis.analysis.funnel`);
- the peer group's dispersion (Spiegelhalter 2005) is estimated each year; when it shows
  overdispersion (chi-square, 5%) the limits are widened by the claim file's adjustment, otherwise
  PHE's plain limits are used. Both are in the evidence;
- *supported*: below the 95% lower limit in **every** year of the window (an intersection-union
  test: each year at 5%, no correction needed because every test must hold);
- *contradicted*: **any one** year significantly above; the years' p-values are Holm-corrected;
- otherwise *not_supported*; a missing year is *insufficient_data*;
- when the peers' dispersion cannot be estimated in a year (fewer peers than
  :func:`~hengelo_analysis.analysis.funnel.peer_dispersion` needs), plain Poisson limits may call
  ordinary differences between gemeenten "below" or "above": the verdict is then at most
  *not_supported*, and the sentence says why.
"""

from __future__ import annotations

import math

from scipy import special

from hengelo_analysis.analysis import funnel, peers
from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.fits import labels_text
from hengelo_analysis.analysis.claims.model import (
    ALPHA,
    CONTRADICTED,
    NOT_SUPPORTED,
    SUPPORTED,
    Claim,
    Context,
    rounded,
)
from hengelo_analysis.analysis.claims.series import crime_series, population_series
from hengelo_analysis.analysis.multiplicity import holm_decision
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.formatting import format_number


def funnel_p(count: float, expected: float, inflation: float = 1.0) -> tuple[float, float]:
    """Two-sided-equivalent p-values ``(p_low, p_high)`` of ``count`` against the funnel at ``expected``.

    ``p_high < 1 - confidence`` exactly when the count lies above the (adjusted) upper limit at
    that confidence, and likewise ``p_low`` for the lower limit: the adjustment widens the limits'
    distance on the square-root scale by ``inflation``, so the count is first shrunk towards ``E``
    by the same factor (``sqrt x* = sqrt E + (sqrt x - sqrt E) / k``) and then tested exactly:
    ``P(X >= x* | E) = P(x*, E)`` and ``P(X <= x* | E) = Q(x* + 1, E)`` (regularised gamma).
    """
    e = float(expected)
    root = math.sqrt(e) + (math.sqrt(float(count)) - math.sqrt(e)) / float(inflation)
    x = root**2 if root > 0 else 0.0
    p_high = 1.0 if x <= 0 else float(min(1.0, 2 * special.gammainc(x, e)))
    p_low = float(min(1.0, 2 * special.gammaincc(x + 1, e)))
    return p_low, p_high


def _peer_year(ctx: Context, code: str, group: list[str], year: int, min_peers: int):
    """Counts and inhabitants of the peers with both figures in ``year``."""
    crime, population = ctx.table("crime"), ctx.table("population")
    counts = (
        crime[
            crime["area_code"].isin(group) & (crime["crime_code"] == code) & (crime["year"] == year)
        ]
        .dropna(subset=["registered"])
        .set_index("area_code")["registered"]
    )
    pop = (
        population[population["area_code"].isin(counts.index) & (population["year"] == year)]
        .dropna(subset=["inhabitants"])
        .set_index("area_code")["inhabitants"]
    )
    used = sorted(set(counts.index) & set(pop.index))
    if len(used) < min_peers:
        raise InsufficientData(f"te weinig vergelijkbare gemeenten met cijfers in {year}")
    return counts[used].astype(float), pop[used].astype(float), used


def _year_test(ctx: Context, claim: Claim, group: list[str], year: int, own_count, own_pop):
    counts, pop, used = _peer_year(
        ctx, claim.params["code"], group, year, claim.params["min_peers"]
    )
    unit = ctx.rate_unit
    reference = float(counts.sum()) / float(pop.sum()) * unit
    try:
        dispersion = funnel.peer_dispersion(counts, pop, reference, unit=unit)
        dispersion_note = None
    except InsufficientData as exc:
        dispersion, dispersion_note = None, str(exc)
    overdispersed = dispersion is not None and dispersion.overdispersed
    adjustment = claim.params["overdispersion_adjustment"] if overdispersed else "none"
    plain = funnel.classify_rate(own_count, own_pop, reference, unit, 0.95)
    used_pos = funnel.classify_rate(
        own_count, own_pop, reference, unit, 0.95, dispersion=dispersion, adjustment=adjustment
    )
    limits998 = funnel.funnel_limits(
        used_pos.expected, 0.998, dispersion=dispersion, adjustment=adjustment
    ).as_rates(own_pop, unit)
    p_low, p_high = funnel_p(own_count, used_pos.expected, used_pos.inflation)
    return {
        "gemeente": rounded(used_pos.rate),
        "aantal": int(own_count),
        "verwacht": rounded(used_pos.expected, 1),
        "peers": rounded(reference),
        "grens_95": [rounded(used_pos.rate_lower), rounded(used_pos.rate_upper)],
        "grens_998": [rounded(v) for v in limits998],
        "positie": used_pos.verdict,
        "positie_zonder_correctie": plain.verdict,
        "grens_95_zonder_correctie": [rounded(plain.rate_lower), rounded(plain.rate_upper)],
        "correctie": adjustment,
        "verbreding": rounded(used_pos.inflation),
        "spreiding": dispersion.as_dict() if dispersion is not None else {"reden": dispersion_note},
        "p_laag": rounded(p_low, 6),
        "p_hoog": rounded(p_high, 6),
        "aantal_peers": len(used),
    }


def _dispersion_text(per_year: dict, last: str) -> str:
    d = per_year[last]["spreiding"]
    if "phi" not in d:
        return f"spreiding tussen de vergelijkbare gemeenten niet te schatten ({d['reden']})"
    phi = format_number(d["phi"], 2)
    if per_year[last]["correctie"] != "none":
        return f"spreiding tussen de vergelijkbare gemeenten phi = {phi}: grenzen verbreed"
    return f"spreiding tussen de vergelijkbare gemeenten phi = {phi}: geen overspreiding aangetoond"


def eval_below_peers(claim: Claim, ctx: Context):
    """C9: the rate lies below the peer group's 95% funnel limit in every year of the window."""
    code = claim.params["code"]
    group_year, group = peers.peer_group_for_peiljaar(
        ctx.table("population"), ctx.gemeente, ctx.peiljaar, claim.params["band"]
    )
    if len(group) < claim.params["min_peers"]:
        raise InsufficientData(f"te weinig vergelijkbare gemeenten ({len(group)})")
    own_c = crime_series(ctx, [ctx.gemeente], [code])
    own_p = population_series(ctx, [ctx.gemeente])
    years = list(range(ctx.peiljaar - claim.params["years"] + 1, ctx.peiljaar + 1))
    per_year = {}
    for year in years:
        if own_p is None or year not in own_c.index or year not in own_p.index:
            raise InsufficientData(f"{code} of inwonertal ontbreekt voor {year}")
        per_year[str(year)] = _year_test(
            ctx, claim, group, year, float(own_c[year]), float(own_p[year])
        )
    below = [y for y in per_year if per_year[y]["positie"] == "below"]
    holm = holm_decision([per_year[y]["p_hoog"] for y in per_year], ALPHA, labels=list(per_year))
    if len(below) == len(years):
        verdict = SUPPORTED
    elif holm.any_rejected:
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    no_dispersion = [y for y in per_year if "phi" not in per_year[y]["spreiding"]]
    tested_verdict = verdict
    if no_dispersion and verdict in (SUPPORTED, CONTRADICTED):
        verdict = NOT_SUPPORTED
    window = f"{years[0]}-{years[-1]}"
    if tested_verdict == SUPPORTED:
        relation = f"ligt in elk van de {len(years)} jaren {window} onder de 95%-grens"
    elif tested_verdict == CONTRADICTED:
        relation = (
            f"ligt in {labels_text(holm.significant_labels)} boven de 95%-grens "
            f"(Holm-correctie over {len(years)} jaren)"
        )
    elif below:
        relation = (
            f"ligt niet in elk van de {len(years)} jaren {window} onder de 95%-grens "
            f"(alleen in {labels_text(below)})"
        )
    else:
        relation = f"ligt in geen van de {len(years)} jaren {window} onder de 95%-grens"
    last = str(ctx.peiljaar)
    detail = (
        f"winkeldiefstal ({code}) {relation} van vergelijkbare gemeenten; elk jaar moet "
        f"eronder liggen ({ctx.peiljaar}: {format_number(per_year[last]['gemeente'], 1)} tegen "
        f"{format_number(per_year[last]['peers'], 1)} per {format_number(ctx.rate_unit)} "
        f"inwoners, {len(group)} gemeenten; {_dispersion_text(per_year, last)})"
    )
    if verdict != tested_verdict:
        detail += (
            f"; zonder geschatte spreiding ({labels_text(no_dispersion)}) kunnen gewone verschillen "
            "tussen gemeenten buiten de grenzen vallen: daarom geen oordeel in die richting"
        )
    evidence = {
        "peers": group,
        "peers_jaar": group_year,
        "jaren": window,
        "regel": "ondersteund als elk jaar onder de 95%-grens ligt; tegengesproken als één jaar "
        "erboven ligt (Holm)",
        "per_jaar": per_year,
        "holm_boven": holm.as_dict(),
        "oordeel_zonder_spreiding": tested_verdict,
        "spreiding_niet_te_schatten_in": no_dispersion,
        "eenheid": ctx.rate_unit,
        "methode": funnel.METHOD,
    }
    # what the limits showed (tested_verdict), also when the verdict is withheld for want of a
    # dispersion estimate: "niet in elk jaar onder" would deny what was seen; "duidelijk" only
    # where the verdict stands
    clearly = "duidelijk " if verdict == tested_verdict else ""
    if tested_verdict == SUPPORTED:
        where = f"lag in {ctx.area_name()} in elk van de {len(years)} jaren {window} {clearly}onder"
    elif tested_verdict == CONTRADICTED:
        where = f"lag in {ctx.area_name()} in {labels_text(holm.significant_labels)} {clearly}boven"
    else:
        where = (
            f"lag in {ctx.area_name()} niet in elk van de {len(years)} jaren {window} duidelijk "
            "onder"
        )
    # the figures of the year the verdict rests on: the first year above when one was above
    shown = holm.significant_labels[0] if tested_verdict == CONTRADICTED else last
    summary = plain.sentence(
        f"Winkeldiefstal {where} het niveau van vergelijkbare gemeenten",
        f"({shown}: {format_number(per_year[shown]['gemeente'], 1)} tegen "
        f"{format_number(per_year[shown]['peers'], 1)} per {format_number(ctx.rate_unit)} inwoners)",
        "; de verschillen tussen gemeenten zijn niet goed te schatten, daarom geen hard oordeel"
        if verdict != tested_verdict
        else "",
    )
    return (
        verdict,
        evidence,
        detail,
        "funnelplotgrenzen (PHE, exacte Poisson, 95% en 99,8%)",
        summary,
    )
