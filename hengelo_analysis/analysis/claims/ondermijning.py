"""C15: "concrete data van wapenhandel" (ondermijning), with drugshandel as the wider view.

The claim is that figures *exist*, so the test is about the data, not about a level or a trend.
Rule (docs/methodology.md, "Nieuwe uitspraken C12-C16"):

- *supported*: the police publish a wapenhandel count (3.1.3) for the gemeente in **every** year of
  the window (the claim file's ``years`` up to the peiljaar); a published 0 is a figure, a missing
  cell is not;
- *not_supported*: published in some years of the window only;
- *contradicted*: not published in any year of the window;
- counts below 10 a year are figures with a wide interval, and the sentence says so; drugshandel
  (3.1.1) is shown with its trend as context and does not change the verdict;
- witwassen (money laundering) has no code in the police crime statistics, so no figure can be
  shown for it: the sentence says so.
"""

from __future__ import annotations

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.fits import (
    FALLS,
    RISES,
    direction,
    labels_text,
)
from hengelo_analysis.analysis.claims.model import (
    CONTRADICTED,
    NOT_SUPPORTED,
    SUPPORTED,
    Claim,
    Context,
)
from hengelo_analysis.analysis.glm import TrendFit
from hengelo_analysis.analysis.stats import InsufficientData, poisson_ci
from hengelo_analysis.formatting import format_number, format_percentage

SMALL_COUNT = 10  # below this a yearly count has an exact interval wider than ±60%
NO_CODE_NOTE = "witwassen heeft geen code in de politiecijfers: daarvoor zijn geen cijfers"


def signed_pct(value: float) -> str:
    """A signed percentage that keeps the sign of a small negative: -0,04 → "-0,0%", not "+0,0%".

    An interval of a falling trend whose upper limit rounds to zero must still read as below 0.
    """
    text = format_percentage(value, signed=True)
    if float(value) < 0 and not text.startswith("-"):
        return "-" + text.lstrip("+")
    return text


def trend_clause(subject: str, fit: TrendFit) -> str:
    """Dutch clause; "stijgt"/"daalt" only when the t test shows it, limits with their sign."""
    verb = {RISES: "stijgt", FALLS: "daalt"}.get(direction(fit), "verandert niet aantoonbaar")
    return (
        f"{subject} {verb} ({signed_pct(fit.pct_per_year)} per jaar, 95%-BI "
        f"{signed_pct(fit.lower)} tot {signed_pct(fit.upper)}, {fit.first_year}-{fit.last_year}, "
        f"{stats.p_text(fit.p_value)})"
    )


def _published(ctx: Context, code: str, years: list[int]) -> dict[int, int | None]:
    crime = ctx.table("crime")
    rows = crime[
        (crime["area_code"] == ctx.gemeente)
        & (crime["crime_code"] == code)
        & crime["year"].isin(years)
    ].dropna(subset=["registered"])
    values = rows.groupby("year")["registered"].sum(min_count=1)
    return {y: (int(values[y]) if y in values.index else None) for y in years}


def eval_concrete_data(claim: Claim, ctx: Context):
    """C15: the wapenhandel count (3.1.3) is published for the gemeente in every year of the window."""
    code, context_code = claim.params["code"], claim.params["context_code"]
    years = list(range(ctx.peiljaar - int(claim.params["years"]) + 1, ctx.peiljaar + 1))
    crime = ctx.table("crime")
    if not ((crime["area_code"] == ctx.gemeente) & (crime["crime_code"] == code)).any():
        # The code is not in the download at all (a partial tree): whether the police publish it
        # cannot be told from these data, so "no figures" would be an invented verdict.
        raise InsufficientData(
            f"wapenhandel ({code}) staat niet in de misdrijftabel van de gemeente"
        )
    counts = _published(ctx, code, years)
    have = [y for y, v in counts.items() if v is not None]
    if len(have) == len(years):
        verdict = SUPPORTED
    elif have:
        verdict = NOT_SUPPORTED
    else:
        verdict = CONTRADICTED
    last = counts[years[-1]]
    evidence = {
        "regel": "ondersteund als de politie het aantal voor elk jaar van het venster publiceert",
        "code": code,
        "per_jaar": {str(y): v for y, v in counts.items()},
        "witwassen": NO_CODE_NOTE,
    }
    parts = []
    if have:
        small = [y for y in have if counts[y] < SMALL_COUNT]
        parts.append(
            f"wapenhandel ({code}) is gepubliceerd voor {len(have)} van de {len(years)} jaren "
            f"{years[0]}-{years[-1]}"
            + (f" ({years[-1]}: {format_number(last)})" if last is not None else "")
        )
        if last is not None:
            lo, hi, _ = poisson_ci(last)
            evidence["interval_laatste_jaar"] = [round(lo, 1), round(hi, 1)]
        if small:
            parts.append(
                f"in {labels_text([str(y) for y in small])} minder dan {SMALL_COUNT}: "
                "een ruwe indicatie"
            )
    else:
        parts.append(f"geen gepubliceerd aantal wapenhandel ({code}) in {years[0]}-{years[-1]}")
    # The trend of drugshandel is a claim of its own (C19, one window for the whole report): a
    # second trend of the same series over another window here could read as a contradiction.
    parts.append(f"de trend van drugshandel ({context_code}) toetst een eigen uitspraak (C19)")
    parts.append(NO_CODE_NOTE)
    if len(have) == len(years):
        published = f"voor elk van de jaren {years[0]}-{years[-1]}"
    elif have:
        published = f"maar voor {len(have)} van de {len(years)} jaren {years[0]}-{years[-1]}"
    else:
        published = f"voor geen van de jaren {years[0]}-{years[-1]}"
    summary = plain.sentence(
        f"De politie publiceert het aantal gevallen van wapenhandel in {ctx.area_name()} "
        f"{published}",
        f"(in {years[-1]}: {format_number(last)})" if last is not None else "",
        "; voor witwassen zijn er geen politiecijfers",
    )
    return (
        verdict,
        evidence,
        "; ".join(parts),
        "publicatie per jaar (politiecijfers 47018NED)",
        summary,
    )
