"""The evaluator of the shift from traditional to digital crime (C11).

Each evaluator returns (verdict, evidence, detail sentence, test, plain summary) or raises InsufficientData.

Both series are fitted over **the same years** (issue 12: compare windows of the same length):
fraud (3.9.1) has a registration break in 2016, so the traditional series is cut there too;
otherwise a 13-year traditional slope would be set against a 9-year digital one. The trends are
quasi-Poisson with t-based inference (:mod:`hengelo_analysis.analysis.glm`).
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.fits import (
    FALLS,
    RISES,
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
from hengelo_analysis.analysis.claims.series import crime_series, population_series, series_break
from hengelo_analysis.analysis.multiplicity import holm_decision
from hengelo_analysis.analysis.stats import InsufficientData


def common_years(*series: pd.Series, since: int | None = None) -> list[int]:
    """The years every series has (from ``since`` on): one window for all."""
    years = set(series[0].index)
    for s in series[1:]:
        years &= set(s.index)
    return sorted(y for y in years if since is None or y >= since)


def eval_digital_shift(claim: Claim, ctx: Context):
    """C11: digital crime (cybercrime, fraud) rises while traditional property crime falls."""
    dig_codes, trad_codes = list(claim.params["digital"]), list(claim.params["traditional"])
    dig = crime_series(ctx, [ctx.gemeente], dig_codes)
    trad = crime_series(ctx, [ctx.gemeente], trad_codes)
    inhabitants = population_series(ctx, [ctx.gemeente])
    breaks = [b for b in (series_break(dig_codes), series_break(trad_codes)) if b is not None]
    extra = () if inhabitants is None else (inhabitants,)
    years = common_years(dig, trad, *extra, since=max(breaks) if breaks else None)
    if not years:
        raise InsufficientData("geen jaren met zowel digitale als traditionele cijfers")
    exposure = None if inhabitants is None else inhabitants[years]
    digital = fit_series(dig[years], exposure)
    traditional = fit_series(trad[years], exposure)
    d_dig, d_trad = direction(digital), direction(traditional)
    holm = holm_decision(
        [digital.p_value, traditional.p_value], ALPHA, labels=["digitaal", "traditioneel"]
    )
    against = (holm.rejected[0] and digital.slope < 0) or (
        holm.rejected[1] and traditional.slope > 0
    )
    in_favour = d_dig == RISES or d_trad == FALLS
    if d_dig == RISES and d_trad == FALLS:
        verdict = SUPPORTED
    elif against and not in_favour:
        verdict = CONTRADICTED  # the other way, with no part in favour; mixed is not_supported
    else:
        verdict = NOT_SUPPORTED
    evidence = {
        "digitaal": {"codes": dig_codes, **fit_evidence(digital)},
        "traditioneel": {"codes": trad_codes, **fit_evidence(traditional)},
        "venster": f"{years[0]}-{years[-1]}",
        "regel": "ondersteund als digitale criminaliteit significant stijgt én traditionele "
        "significant daalt, over dezelfde jaren",
        "holm": holm.as_dict(),
    }
    detail = (
        f"beide delen moeten het tonen, over dezelfde jaren {years[0]}-{years[-1]}; "
        f"{fit_phrase('digitale criminaliteit (cybercrime en fraude)', digital)}; "
        f"{fit_phrase('traditionele vermogenscriminaliteit', traditional)}"
    )
    summary = plain.sentence(
        plain.trend_clause(
            "Digitale criminaliteit (cybercrime en fraude)",
            d_dig,
            digital.pct_per_year,
            f"{years[0]}-{years[-1]}",
        ),
        "; traditionele vermogenscriminaliteit (zoals inbraak en diefstal)",
        plain.yearly(d_trad, traditional.pct_per_year),
        "(per inwoner)",
    )
    return verdict, evidence, detail, digital.method, summary
