"""C14: "de daling van Halt en jeugdreclassering is een landelijke trend".

National Halt and jeugdreclassering figures are not open data. The analyst may supply them in
``supplied/jeugd_nederland.csv`` (template ``docs/templates/jeugd_nederland.csv``, the
``youth_national`` table); without it the verdict is *insufficient_data* saying what to supply,
never a series made up here.

Rule (docs/methodology.md, "Nieuwe uitspraken C12-C16"): for **each** measure, the gemeente's count
falls significantly (there is a decline to explain) and the national count falls significantly
over the same years (quasi-Poisson, t). *Supported* when every one of these tests holds;
*contradicted* when a national series rises significantly (Holm over the measures: any one is
enough); otherwise *not_supported*.
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
from hengelo_analysis.domain import NL_CODE

WHAT_TO_SUPPLY = (
    "landelijke Halt- en jeugdreclasseringscijfers zijn geen open data: lever ze aan als "
    "supplied/jeugd_nederland.csv (sjabloon docs/templates/jeugd_nederland.csv, bron vermelden)"
)


def _yearly(table, area: str, measure: str, peiljaar: int):
    rows = table[
        (table["area_code"] == area) & (table["measure"] == measure) & (table["year"] <= peiljaar)
    ]
    return rows.groupby("year")["count"].sum(min_count=1).dropna()


def eval_youth_national(claim: Claim, ctx: Context):
    """C14: both measures fall in the gemeente and nationally."""
    national = ctx.tables.get("youth_national")
    if national is None or national.empty:
        raise InsufficientData(WHAT_TO_SUPPLY)
    youth = ctx.table("youth")
    labels = claim.params["labels"]
    own_fits, nl_fits = {}, {}
    for measure in claim.params["measures"]:
        own = _yearly(youth, ctx.gemeente, measure, ctx.peiljaar)
        nl = _yearly(national, NL_CODE, measure, ctx.peiljaar)
        years = sorted(set(own.index) & set(nl.index))
        try:
            own_fits[measure] = fit_series(own[years])
            nl_fits[measure] = fit_series(nl[years])
        except InsufficientData as exc:
            raise InsufficientData(f"{labels[measure]}: {exc}; beide maten zijn nodig") from exc
    holm = holm_decision([f.p_value for f in nl_fits.values()], ALPHA, labels=list(nl_fits))
    rising = [m for m, r in zip(nl_fits, holm.rejected, strict=True) if r and nl_fits[m].slope > 0]
    every = [direction(f) == FALLS for f in (*own_fits.values(), *nl_fits.values())]
    if all(every):
        verdict = SUPPORTED
    elif rising:
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    evidence = {
        "regel": "ondersteund als elke maat zowel in de gemeente als landelijk significant daalt; "
        "tegengesproken als een landelijke reeks significant stijgt (Holm)",
        "gemeente": {m: fit_evidence(f) for m, f in own_fits.items()},
        "nederland": {m: fit_evidence(f) for m, f in nl_fits.items()},
        "holm_nederland": holm.as_dict(),
    }
    detail = "elke maat moet het in de gemeente en landelijk tonen; " + "; ".join(
        f"{fit_phrase(labels[m] + ' in de gemeente', own_fits[m])}; "
        f"{fit_phrase(labels[m] + ' in Nederland', nl_fits[m])}"
        for m in own_fits
    )
    summary = plain.sentence(
        "; ".join(
            plain.trend_clause(
                f"{labels[m]} in {ctx.area_name()}",
                direction(own_fits[m]),
                own_fits[m].pct_per_year,
                f"{own_fits[m].first_year}-{own_fits[m].last_year}",
                1,  # beside the national rate: one decimal, as C2
            )
            + _national_clause(direction(nl_fits[m]), nl_fits[m].pct_per_year)
            for m in own_fits
        )
    )
    return verdict, evidence, detail, next(iter(own_fits.values())).method, summary


def _national_clause(nl_direction: str, pct_per_year: float) -> str:
    """ ", in Nederland daalde het aantal met gemiddeld 5% per jaar" (a clause with a subject)."""
    if nl_direction == "geen":
        return ", in Nederland veranderde het aantal niet duidelijk"
    return (
        f", in Nederland {plain.PAST[nl_direction]} het aantal met gemiddeld "
        f"{plain.pct(pct_per_year, 1)} per jaar"
    )
