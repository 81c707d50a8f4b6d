"""C19: registered drug dealing (3.1.1 drugshandel) as a trend, the ondermijning view of C15.

Rule (docs/methodology.md, "C17-C19"):

- the quasi-Poisson trend (t on the residual df) of 3.1.1 per inhabitant in the gemeente over the
  last ``years`` years up to the peiljaar (fewer published years: the fit says insufficient);
- *supported* when it is significant in the claim file's ``expected`` direction, *contradicted*
  when it is significant the other way, *not_supported* when not significant;
- drugshandel is *haalcriminaliteit*: it is registered when the police go looking for it, so the
  count follows police effort as much as the trade itself. The verdict is about the registered
  figure, and the sentence says so: a rise may be more enforcement, a fall less.
"""

from __future__ import annotations

from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.fits import direction, fit_evidence, fit_phrase, fit_series
from hengelo_analysis.analysis.claims.model import Claim, Context
from hengelo_analysis.analysis.claims.series import (
    crime_series,
    direction_verdict,
    population_series,
    series_break,
)

ENFORCEMENT_NOTE = (
    "drugshandel wordt vooral geregistreerd als de politie ernaar zoekt (haalcriminaliteit): "
    "het aantal volgt de inzet van politie en justitie, niet alleen de handel zelf"
)
DIRECTIONS = ("stijgend", "dalend")


def eval_drug_trade(claim: Claim, ctx: Context):
    """C19: the registered 3.1.1 trend per inhabitant goes the expected way (rule above)."""
    code, expected = claim.params["code"], claim.params["expected"]
    if expected not in DIRECTIONS:
        raise ValueError(f"C19 expected must be one of {DIRECTIONS}, got {expected!r}")
    first = ctx.peiljaar - int(claim.params["years"]) + 1
    counts = crime_series(ctx, [ctx.gemeente], [code])
    counts = counts[counts.index >= first]
    fit = fit_series(
        counts, population_series(ctx, [ctx.gemeente]), break_year=series_break([code])
    )
    shown = direction(fit)
    verdict = direction_verdict(shown, expected)
    subject = f"de geregistreerde drugshandel ({code}) per inwoner"
    sentence = "; ".join(
        [
            fit_phrase(subject, fit),
            f"t-toets met {fit.df_resid} vrijheidsgraden",
            ENFORCEMENT_NOTE,
        ]
    )
    evidence = {
        "regel": f"ondersteund als de trend significant {expected} is; significant de andere "
        "kant op: tegengesproken",
        "code": code,
        "verwacht": expected,
        "per_jaar": {str(int(y)): int(v) for y, v in counts.items()},
        "trend": fit_evidence(fit),
        "let_op": ENFORCEMENT_NOTE,
        "richtingen": {subject: shown},
    }
    summary = plain.sentence(
        plain.trend_clause(
            f"De geregistreerde drugshandel ({code}) per inwoner",
            shown,
            fit.pct_per_year,
            f"{fit.first_year}-{fit.last_year}",
        ),
        "; dit aantal hangt sterk af van hoeveel de politie ernaar zoekt",
    )
    return verdict, evidence, sentence, fit.method, summary
