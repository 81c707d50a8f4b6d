"""C17: "een opvallende toename van overlast door personen met onbegrepen gedrag", against Twente and NL.

"Opvallend" says more than "it rises" (that is C1): the gemeente's rise stands out against its
surroundings. Rule (docs/methodology.md, "C17-C19"):

- the series is E33 (overlast door een verward persoon) from the police ``nuisance`` table, yearly
  counts per inhabitant, for the gemeente, the rest of Twente (the other Twente gemeenten summed)
  and Nederland, built as C10 builds them (:mod:`.regions`);
- each reference is one joint quasi-Poisson GLM with an area × year interaction and the
  inhabitants offset (:func:`~hengelo_analysis.analysis.joint_trend.joint_trend`), so the slope
  difference has its own interval on the t distribution with Welch-Satterthwaite df;
- *supported* only when the gemeente's own E33 trend rises significantly (95%, t) AND the 95%
  interval of the slope difference lies above ``min_difference_pct`` against **both** references
  (intersection-union: every test must hold, so no correction);
- *contradicted* when the gemeente's E33 falls significantly, or when, after Holm over the two
  difference tests, the gemeente rises significantly *slower* than a reference (then its rise is
  not notable but below the surroundings);
- *not_supported* otherwise; a missing table, reference or too few common years is
  *insufficient_data*.
"""

from __future__ import annotations

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
from hengelo_analysis.analysis.claims.regions import REFERENCES, count_series, reference_areas
from hengelo_analysis.analysis.claims.series import Detail, significant_direction
from hengelo_analysis.analysis.joint_trend import JointTrend, joint_trend
from hengelo_analysis.analysis.multiplicity import holm_decision
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.formatting import format_percentage

TABLE = "nuisance"
# joint_trend always runs its equivalence test; C17 does not use it, so any valid margin will do
UNUSED_MARGIN_PCT = 2.0


def _pct(value: float) -> str:
    return format_percentage(value, signed=True)


def _faster(jt: JointTrend, min_difference: float) -> bool:
    """The 95% interval of the slope difference lies wholly above ``min_difference``."""
    return jt.difference_lower95 > min_difference


def _comparison(jt: JointTrend, min_difference: float) -> dict:
    return {
        "gemeente_pct": rounded(jt.gemeente_pct),
        "gemeente_ci95": [rounded(jt.gemeente_lower), rounded(jt.gemeente_upper)],
        "gemeente_p": rounded(jt.gemeente_p, 6),
        "gemeente_df": jt.gemeente_df,
        "referentie_pct": rounded(jt.reference_pct),
        "referentie_ci95": [rounded(jt.reference_lower), rounded(jt.reference_upper)],
        "referentie_p": rounded(jt.reference_p, 6),
        "verschil_pct": rounded(jt.difference_pct),
        "verschil_ci95": [rounded(jt.difference_lower95), rounded(jt.difference_upper95)],
        "verschil_p": rounded(jt.difference_p, 6),
        "verschil_df": rounded(jt.difference_df),
        "dispersie_gemeente": rounded(jt.dispersion_gemeente),
        "dispersie_referentie": rounded(jt.dispersion_reference),
        "jaren": f"{jt.first_year}-{jt.last_year}",
        "punten": jt.n_years,
        "corona": jt.corona,
        "sneller": _faster(jt, min_difference),
    }


def fits_against_references(ctx: Context, code: str) -> dict[str, JointTrend]:
    """The joint model of the gemeente's ``code`` series against each reference area."""
    own = count_series(ctx, TABLE, [ctx.gemeente], [code])
    fits = {}
    for ref_name, areas in reference_areas(ctx, TABLE).items():
        if not areas:
            raise InsufficientData(f"geen {code}-cijfers voor {REFERENCES[ref_name]}")
        ref = count_series(ctx, TABLE, areas, [code])
        try:
            fits[ref_name] = joint_trend(own, ref, margin_pct=UNUSED_MARGIN_PCT)
        except InsufficientData as exc:
            raise InsufficientData(f"{code} tegen {REFERENCES[ref_name]}: {exc}") from exc
    return fits


def c17_verdict(own: str, faster: list[bool], slower_after_holm: list[bool]) -> str:
    """The rule of the module docstring on the own direction and the two difference tests."""
    if own == "dalend" or any(slower_after_holm):
        return CONTRADICTED
    if own == "stijgend" and all(faster):
        return SUPPORTED
    return NOT_SUPPORTED


def eval_notable_rise(claim: Claim, ctx: Context):
    """C17: E33 rises significantly and faster than both the rest of Twente and Nederland."""
    code = claim.params["nuisance_code"]
    min_difference = float(claim.params["min_difference_pct"])
    fits = fits_against_references(ctx, code)
    first = next(iter(fits.values()))
    own = significant_direction(first.gemeente_pct, first.gemeente_p, ALPHA)
    holm = holm_decision([jt.difference_p for jt in fits.values()], ALPHA, labels=list(fits))
    slower = [
        rejected and jt.difference_pct < 0
        for jt, rejected in zip(fits.values(), holm.rejected, strict=True)
    ]
    faster = [_faster(jt, min_difference) for jt in fits.values()]
    verdict = c17_verdict(own, faster, slower)

    subject = f"het aantal {code}-registraties per inwoner in de gemeente"
    detail = Detail()
    detail.directed(
        subject,
        own,
        f" ({_pct(first.gemeente_pct)} per jaar, 95%-BI {_pct(first.gemeente_lower)} tot "
        f"{_pct(first.gemeente_upper)}, {first.first_year}-{first.last_year})",
    )
    for (ref_name, jt), is_slower in zip(fits.items(), slower, strict=True):
        if _faster(jt, min_difference):
            shown = "aantoonbaar sneller"
        elif is_slower:
            shown = "aantoonbaar langzamer (Holm over beide vergelijkingen)"
        else:
            shown = "niet aantoonbaar sneller"
        detail.add(
            f"tegen {REFERENCES[ref_name]} ({_pct(jt.reference_pct)} per jaar): {shown}, verschil "
            f"{_pct(jt.difference_pct)} per jaar, 95%-BI {_pct(jt.difference_lower95)} tot "
            f"{_pct(jt.difference_upper95)}"
        )
    detail.add(
        "ondersteund alleen als de eigen trend significant positief is én groter dan die van "
        "zowel de rest van Twente als Nederland; registraties zijn incidenten, geen personen"
    )
    evidence = {
        "regel": "eigen trend significant stijgend én het 95%-interval van het verschil in trend "
        f"boven {format_percentage(min_difference)} per jaar tegen elke referentie; alle "
        "voorwaarden moeten gelden",
        "code": code,
        "min_verschil_pct_per_jaar": min_difference,
        "referenties": {ref: _comparison(jt, min_difference) for ref, jt in fits.items()},
        "twente_gemeenten": reference_areas(ctx, TABLE)["twente"],
        "holm_langzamer": holm.as_dict(),
        "let_op": "incidenten, geen personen",
        "richtingen": detail.directions,
    }
    compared = []
    for (ref_name, jt), is_slower in zip(fits.items(), slower, strict=True):
        word = (
            "sneller dan"
            if _faster(jt, min_difference)
            else "langzamer dan"
            if is_slower
            else "niet duidelijk sneller dan"
        )
        where = f"in {REFERENCES[ref_name]} ({_pct(jt.reference_pct)} per jaar)"
        compared.append(f"{word} {where}")
    # without a rise of its own the speeds are not compared in words, except where the test
    # showed the gemeente's trend lies below the reference's (Holm): that is what contradicts
    behind = [
        f"{REFERENCES[r]} ({_pct(jt.reference_pct)} per jaar)"
        for (r, jt), is_slower in zip(fits.items(), slower, strict=True)
        if is_slower
    ]
    beside = [
        f"in {REFERENCES[r]} ({_pct(jt.reference_pct)} per jaar)"
        for (r, jt), is_slower in zip(fits.items(), slower, strict=True)
        if not is_slower
    ]
    summary = plain.sentence(
        f"Het aantal meldingen van {plain.incident_name(code)} per inwoner in {ctx.area_name()}",
        plain.yearly(own, first.gemeente_pct, 1),  # one decimal, as the references beside it
        f"({first.first_year}-{first.last_year})",
        f": {', '.join(compared)}"
        if own == "stijgend"
        else (f"; het bleef duidelijk achter bij {' en bij '.join(behind)}" if behind else "")
        + (f"; ter vergelijking {' en '.join(beside)}" if beside else ""),
    )
    return verdict, evidence, detail.text(), first.method, summary
