"""C10: the gemeente "volgt de regionale (Twente) en landelijke trends", on every series it is about.

Rules (docs/methodology.md, "Vergelijkingen met andere gebieden (C9, C10)"):

- the sentence is about the whole picture, so every series of the claim file (total crime, the
  nuisance total 0.0.0, confused behaviour E33 from the police ``nuisance`` table) is compared with
  the rest of Twente (the sum of the other Twente gemeenten) and with Nederland;
- each comparison is one joint quasi-Poisson GLM with an area × year interaction and the
  inhabitants offset (:mod:`hengelo_analysis.analysis.joint_trend`): "follows" needs the 90%
  interval of the slope difference inside the claim file's margin (TOST) *and* the gemeente's own
  trend significant in the reference's direction *and* the reference's trend significant itself
  (a flat reference has no trend to follow);
- the rest of Twente must hold at least ``min_twente_gemeenten`` gemeenten (claim file) with
  figures, else it is not "de regio" and the verdict is *insufficient_data*;
- *supported* only when **every** series follows **both** references (intersection-union: every
  test must hold, so no correction);
- *contradicted* when, after Holm over all comparisons, a slope difference is significant while the
  gemeente and the reference both trend significantly in opposite directions;
- a missing series or reference is *insufficient_data*: the whole picture cannot be judged on part.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import peers
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
from hengelo_analysis.analysis.claims.series import population_series, series_break, yearly_totals
from hengelo_analysis.analysis.glm import CountSeries
from hengelo_analysis.analysis.joint_trend import JointTrend, joint_trend
from hengelo_analysis.analysis.multiplicity import holm_decision
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.analysis.table_index import area_codes
from hengelo_analysis.domain import NL_CODE
from hengelo_analysis.formatting import format_percentage

# series table -> (code column, value column); yearly rows only (``month`` null)
SERIES_TABLES = {"crime": ("crime_code", "registered"), "nuisance": ("nuisance_code", "registered")}
REFERENCES = {"twente": "de rest van Twente", "nederland": "Nederland"}


def yearly_series(ctx: Context, table: str, areas: list[str], codes: list[str]) -> pd.Series:
    """Yearly counts (≤ peiljaar) summed over ``areas`` and ``codes`` of a police table.

    A year is kept only when every area/code cell is published (a sum over a missing cell would
    read "not published" as 0); the nuisance table's years are its year rows, else the sum of 12
    complete months (:func:`~hengelo_analysis.analysis.running_year.calendar_years`, as in C1).
    """
    if table not in SERIES_TABLES:
        raise ValueError(f"unknown series table {table!r}")
    code_col, value_col = SERIES_TABLES[table]
    complete, sums = yearly_totals(ctx, table, code_col, value_col, areas, codes)
    shown = complete.index <= ctx.peiljaar
    if not shown.any():
        raise InsufficientData(f"geen cijfers voor {', '.join(codes)} in {table} ({areas[0]})")
    return sums[complete & shown].astype(float).sort_index()


def count_series(ctx: Context, table: str, areas: list[str], codes: list[str]) -> CountSeries:
    """The counts with the areas' inhabitants (only years with both), for the joint model."""
    counts = yearly_series(ctx, table, areas, codes)
    inhabitants = population_series(ctx, areas)
    if inhabitants is None:
        return CountSeries(list(counts.index), list(counts.values))
    joined = pd.concat([counts.rename("c"), inhabitants.rename("e")], axis=1, join="inner")
    return CountSeries(list(joined.index), list(joined["c"]), list(joined["e"]))


def reference_areas(ctx: Context, table: str) -> dict[str, list[str]]:
    """Rest of Twente (the other Twente gemeenten in the table) and Nederland."""
    ctx.table(table)  # a missing table is InsufficientData
    present = area_codes(ctx.tables, table)
    rest = [c for c in peers.twente(exclude=ctx.gemeente) if c in present]
    return {"twente": rest, "nederland": [NL_CODE]}


def _comparison(jt: JointTrend) -> dict:
    keys = (
        "gemeente_pct",
        "gemeente_lower",
        "gemeente_upper",
        "gemeente_p",
        "gemeente_df",
        "reference_pct",
        "reference_lower",
        "reference_upper",
        "reference_p",
        "reference_df",
        "difference_pct",
        "difference_lower90",
        "difference_upper90",
        "difference_p",
        "difference_df",
        "margin_pct",
        "p_tost",
        "dispersion_gemeente",
        "dispersion_reference",
        "first_year",
        "last_year",
        "n_years",
        "corona",
    )
    out = {
        k: rounded(getattr(jt, k), 6) if isinstance(getattr(jt, k), float) else getattr(jt, k)
        for k in keys
    }
    out["volgt"] = follows(jt)
    out["redenen"] = follow_reasons(jt)
    return out


def follows(jt: JointTrend) -> bool:
    """The joint model's "follows" and a significant reference trend of its own."""
    return jt.follows and jt.reference_p < ALPHA


def follow_reasons(jt: JointTrend) -> list[str]:
    reasons = list(jt.decision.reasons_nl)
    if jt.reference_p >= ALPHA:
        reasons.insert(0, "de referentie heeft zelf geen aantoonbare trend om te volgen")
    return reasons


def _opposite(jt: JointTrend) -> bool:
    """Both trends significant, in opposite directions."""
    return (
        jt.gemeente_p < ALPHA
        and jt.reference_p < ALPHA
        and (jt.gemeente_pct > 0) != (jt.reference_pct > 0)
    )


def _clause(label: str, ref_name: str, jt: JointTrend) -> str:
    own = format_percentage(jt.gemeente_pct, signed=True)
    ref = format_percentage(jt.reference_pct, signed=True)
    gap = (
        f"verschil {format_percentage(jt.difference_pct, signed=True)} per jaar, 90%-BI "
        f"{format_percentage(jt.difference_lower90, signed=True)} tot "
        f"{format_percentage(jt.difference_upper90, signed=True)}, marge "
        f"±{format_percentage(jt.margin_pct)}"
    )
    verdict = "volgt" if follows(jt) else "volgt niet aantoonbaar"
    why = "" if follows(jt) else f": {follow_reasons(jt)[0]}"
    return (
        f"{label} {verdict} {REFERENCES[ref_name]} ({own} tegen {ref} per jaar, "
        f"{jt.first_year}-{jt.last_year}; {gap}){why}"
    )


def eval_follows_regions(claim: Claim, ctx: Context):
    """C10: every series of the claim follows both the rest of Twente and Nederland."""
    margin = float(claim.params["margin_pct"])
    min_twente = int(claim.params["min_twente_gemeenten"])
    fits: dict[tuple[str, str], JointTrend] = {}
    for spec in claim.params["series"]:
        codes = list(spec["codes"])
        own = count_series(ctx, spec["table"], [ctx.gemeente], codes)
        for ref_name, areas in reference_areas(ctx, spec["table"]).items():
            if not areas:
                raise InsufficientData(f"geen cijfers voor {REFERENCES[ref_name]}")
            if ref_name == "twente" and len(areas) < min_twente:
                raise InsufficientData(
                    f"{REFERENCES[ref_name]} telt in tabel '{spec['table']}' maar {len(areas)} "
                    f"gemeente(n) met cijfers, minder dan {min_twente}: dat is geen regio"
                )
            ref = count_series(ctx, spec["table"], areas, codes)
            brk = series_break(codes) if spec["table"] == "crime" else None
            try:
                fits[(spec["id"], ref_name)] = joint_trend(
                    own, ref, margin_pct=margin, break_year=brk
                )
            except InsufficientData as exc:
                raise InsufficientData(
                    f"{spec['label']} tegen {REFERENCES[ref_name]}: {exc}"
                ) from exc
    holm = holm_decision(
        [jt.difference_p for jt in fits.values()], ALPHA, labels=[f"{s}/{r}" for s, r in fits]
    )
    opposite = [
        key
        for key, rejected in zip(fits, holm.rejected, strict=True)
        if rejected and _opposite(fits[key])
    ]
    if all(follows(jt) for jt in fits.values()):
        verdict = SUPPORTED
    elif opposite:
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    labels = {spec["id"]: spec["label"] for spec in claim.params["series"]}
    evidence = {
        "regel": "ondersteund alleen als elke reeks zowel de rest van Twente als Nederland volgt "
        "(verschil in trend binnen de marge, een eigen significante trend in dezelfde richting en "
        "een significante trend van de referentie zelf)",
        "marge_pct_per_jaar": margin,
        "reeksen": {
            sid: {ref: _comparison(jt) for (s, ref), jt in fits.items() if s == sid}
            for sid in labels
        },
        "twente_gemeenten": reference_areas(ctx, "crime")["twente"],
        "holm_verschil": holm.as_dict(),
    }
    failing = [
        labels[s] for s in labels if not all(follows(jt) for (x, _), jt in fits.items() if x == s)
    ]
    head = (
        f"elke reeks ({labels_text(list(labels.values()))}) moet zowel de rest van Twente als "
        "Nederland volgen"
    )
    if verdict == SUPPORTED:
        head += "; dat doen ze alle"
    elif failing:
        head += f"; niet aangetoond voor {labels_text(failing)}"
    detail = head + "; " + "; ".join(_clause(labels[s], ref, jt) for (s, ref), jt in fits.items())
    following = [labels[s] for s in labels if labels[s] not in failing]
    other_way = sorted({labels[s] for s, _ in opposite})
    # in claim order, and the verb agrees with how many series it has
    other_way = [label for label in labels.values() if label in other_way]
    summary = plain.sentence(
        f"In {ctx.area_name()} {'volgt' if len(following) == 1 else 'volgen'} "
        f"{labels_text(following)} de trend van de rest van Twente en van Nederland (verschil in "
        f"trend minder dan {plain.margin_text(margin)} procent per jaar)"
        if following
        else f"Geen van de reeksen volgt in {ctx.area_name()} aantoonbaar de trend van de rest van "
        "Twente én Nederland",
        f"; bij {labels_text(failing)} is dat niet aangetoond" if failing and following else "",
        f"; {labels_text(other_way)} {'gaat' if len(other_way) == 1 else 'gaan'} een andere kant op"
        if other_way
        else "",
    )
    return verdict, evidence, detail, next(iter(fits.values())).method, summary
