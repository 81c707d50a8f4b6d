"""C13: "In verhouding hebben wij de meeste bedrijven in deze regio".

Rule (docs/methodology.md, "Nieuwe uitspraken C12-C16"): business establishments
(KWB ``BedrijfsvestigingenTotaal``, on 1 January, the ``business_establishments`` column of
``population``) per inhabitant, among all Twente gemeenten, in the latest KWB year up to the
peiljaar that publishes the figure. The establishments are a register count of *all* vestigingen,
not a sample, so there is no sampling interval to test: the ranking is the answer. "De meeste"
needs every Twente gemeente's figure (a missing one could be the highest): *supported* at rank 1
alone, *not_supported* when tied for first (it has "de meeste" together with another, not alone),
*contradicted* when another gemeente lies strictly higher, *insufficient_data* when a gemeente's figure or inhabitants are
missing. CBS marks the latest year's counts as provisional; the evidence says which year is used.
"""

from __future__ import annotations

import math

from hengelo_analysis.analysis import peers
from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.model import (
    CONTRADICTED,
    NOT_SUPPORTED,
    SUPPORTED,
    Claim,
    Context,
    rounded,
)
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.formatting import format_number
from hengelo_analysis.reference import twente_gemeenten

COLUMN = "business_establishments"


def eval_most_businesses(claim: Claim, ctx: Context):
    """C13: the gemeente has the most business establishments per inhabitant of Twente."""
    population = ctx.table("population")
    if COLUMN not in population.columns:
        raise InsufficientData("bedrijfsvestigingen ontbreken in de Kerncijfers wijken en buurten")
    twente = peers.twente()
    if ctx.gemeente not in twente:
        raise InsufficientData(f"{ctx.gemeente} ligt niet in Twente: de regio is niet bepaald")
    rows = population[population["area_code"].isin(twente) & (population["year"] <= ctx.peiljaar)]
    own = rows[(rows["area_code"] == ctx.gemeente) & rows[COLUMN].notna()]
    if own.empty:
        raise InsufficientData(f"geen bedrijfsvestigingen van {ctx.gemeente} tot {ctx.peiljaar}")
    year = int(own["year"].max())
    current = rows[rows["year"] == year].set_index("area_code")
    missing = [
        c
        for c in twente
        if c not in current.index
        or current.loc[c, [COLUMN, "inhabitants"]].isna().any()
        or not current.loc[c, "inhabitants"] > 0
    ]
    if missing:
        raise InsufficientData(
            f"bedrijfsvestigingen of inwonertal ontbreken in {year} voor {', '.join(missing)}: "
            "'de meeste' vraagt alle Twentse gemeenten"
        )
    per = claim.params["per"]
    rates = (
        current.loc[twente, COLUMN].astype(float)
        / current.loc[twente, "inhabitants"].astype(float)
        * per
    ).sort_values(ascending=False)
    own_rate_value = float(rates[ctx.gemeente])
    # a tie is a shared place, not a lower one: the rank counts only gemeenten strictly higher
    higher = [
        c for c, v in rates.items() if v > own_rate_value and not math.isclose(v, own_rate_value)
    ]
    tied = [c for c, v in rates.items() if c != ctx.gemeente and math.isclose(v, own_rate_value)]
    rank = len(higher) + 1
    leader = higher[0] if higher else (tied[0] if tied else rates.drop(ctx.gemeente).index[0])
    if rank > 1:
        verdict = CONTRADICTED
    elif tied:
        verdict = NOT_SUPPORTED
    else:
        verdict = SUPPORTED
    evidence = {
        "jaar": year,
        "per_inwoners": per,
        "rang": rank,
        "gedeeld_met": tied,
        "van": len(rates),
        "per_gemeente": {c: rounded(v, 2) for c, v in rates.items()},
        "regel": "registertelling van alle vestigingen (geen steekproef): de rangorde beslist; "
        "alle 14 Twentse gemeenten zijn nodig",
        "bron": "CBS Kerncijfers wijken en buurten, Bedrijfsvestigingen totaal (1 januari)",
    }
    names = dict(zip(*twente_gemeenten()[["gemeentecode", "gemeentenaam"]].values.T, strict=True))
    own_rate = format_number(rates[ctx.gemeente], 1)
    other = format_number(rates[leader], 1)
    if rank > 1:
        relation = (
            f"nummer {rank} van de {len(rates)} Twentse gemeenten "
            f"(hoogste: {names[leader]}, {other})"
        )
    elif tied:
        relation = (
            f"gedeeld het hoogste van de {len(rates)} Twentse gemeenten, met "
            + ", ".join(names[c] for c in tied)
            + ": niet alleen de meeste"
        )
    else:
        relation = (
            f"het hoogste van de {len(rates)} Twentse gemeenten (daarna {names[leader]}: {other})"
        )
    detail = (
        f"bedrijfsvestigingen per {format_number(per)} inwoners op 1 januari {year}: "
        f"{own_rate}, {relation}"
    )
    summary = plain.sentence(
        f"{ctx.area_name()} had op 1 januari {year} {own_rate} bedrijfsvestigingen per "
        f"{format_number(per)} inwoners",
        f": {relation}",
    )
    return verdict, evidence, detail, "rangorde van een volledige registertelling", summary
