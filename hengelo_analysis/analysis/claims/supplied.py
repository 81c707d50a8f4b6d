"""Evaluators on counts the gemeente's partners supply: Halt, jeugdreclassering (C1 is in .nuisance).

These are counts without inhabitants: the trend is on the counts themselves.

Each evaluator returns (verdict, evidence, detail sentence, test, plain summary) or raises InsufficientData.
"""

from __future__ import annotations

from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.fits import (
    FALLS,
    direction,
    fit_evidence,
    fit_phrase,
    fit_series,
)
from hengelo_analysis.analysis.claims.model import (
    ALPHA,
    CONTRADICTED,
    NOT_SUPPORTED,
    SUPPORTED,
    Claim,
    Context,
)
from hengelo_analysis.analysis.multiplicity import holm_decision
from hengelo_analysis.analysis.stats import InsufficientData


def eval_youth(claim: Claim, ctx: Context):
    """C7: every youth measure falls (quasi-Poisson, t); one significant rise contradicts (Holm).

    The claim names both measures, so both must be supplied and both must fall significantly
    (each at 5%: every test must hold, no correction). *Contradicted* needs any one measure to
    rise significantly after Holm's correction over the measures.
    """
    youth = ctx.table("youth")
    rows = youth[(youth["area_code"] == ctx.gemeente) & (youth["year"] <= ctx.peiljaar)]
    labels = claim.params["labels"]
    fits = {}
    for measure in claim.params["measures"]:
        per_year = rows[rows["measure"] == measure].groupby("year")["count"].sum(min_count=1)
        if per_year.dropna().empty:
            # No year at all is nothing supplied, not a short series ("te weinig jaren (0 < 5)")
            raise InsufficientData(
                f"{labels[measure]}: geen cijfers aangeleverd; de uitspraak noemt beide maten, "
                "beide zijn nodig"
            )
        try:
            fits[measure] = fit_series(per_year)
        except InsufficientData as exc:
            raise InsufficientData(
                f"{labels[measure]}: {exc}; de uitspraak noemt beide maten, beide zijn nodig"
            ) from exc
    holm = holm_decision([f.p_value for f in fits.values()], ALPHA, labels=list(fits))
    rising = [m for m, r in zip(fits, holm.rejected, strict=True) if r and fits[m].slope > 0]
    if all(direction(f) == FALLS for f in fits.values()):
        verdict = SUPPORTED
    elif rising:
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    evidence = {m: fit_evidence(f) for m, f in fits.items()}
    evidence["regel"] = (
        "ondersteund als elke maat significant daalt; tegengesproken als één maat significant "
        "stijgt (Holm over de maten)"
    )
    evidence["holm"] = holm.as_dict()
    detail = "beide maten moeten het tonen; " + "; ".join(
        fit_phrase(labels[m], f) for m, f in fits.items()
    )
    summary = plain.sentence(
        "; ".join(
            plain.trend_clause(
                labels[m], direction(f), f.pct_per_year, f"{f.first_year}-{f.last_year}"
            )
            for m, f in fits.items()
        )
    )
    return verdict, evidence, detail, next(iter(fits.values())).method, summary
