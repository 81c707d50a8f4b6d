"""C16: the fact in §4.2 "In 2021 was 17% van de Nederlanders van 15 jaar en ouder slachtoffer van
digitale criminaliteit".

Rule (docs/methodology.md, "Nieuwe uitspraken C12-C16"): the Veiligheidsmonitor publishes online
victimisation (``slachtoffer_online``) for Nederland (``NL01``, people of 15 and older) with its 95%
interval. The policy quotes a rounded percentage: "17%" (``quoted_decimals`` = 0) stands for any
value in [16,5; 17,5). The quote is *supported* when that rounding interval overlaps the published
95% interval, *contradicted* when the two are disjoint, and *insufficient_data* when the national
figure or its interval is not published, when the wave lies after the peiljaar, or when the table
holds two different national figures for the wave (no arbitrary first row). Only the national
figure counts: a gemeente or regional figure is another population, so it is never used as a proxy.
"""

from __future__ import annotations

from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.model import CONTRADICTED, SUPPORTED, Claim, Context, rounded
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import NL_SURVEY_CODE
from hengelo_analysis.formatting import format_percentage


def eval_quoted_survey_figure(claim: Claim, ctx: Context):
    """C16: the quoted percentage lies in the 95% interval of the published national figure."""
    indicator, year = claim.params["indicator"], int(claim.params["year"])
    quoted = float(claim.params["quoted_pct"])
    decimals = int(claim.params["quoted_decimals"])
    half = 0.5 * 10**-decimals
    if year > ctx.peiljaar:
        raise InsufficientData(
            f"de Veiligheidsmonitor {year} ligt na het peiljaar {ctx.peiljaar}: niet te toetsen"
        )
    survey = ctx.table("survey")
    rows = survey[
        (survey["area_code"] == NL_SURVEY_CODE)
        & (survey["indicator"] == indicator)
        & (survey["year"] == year)
    ]
    if "source" in rows.columns:
        rows = rows[rows["source"] == "veiligheidsmonitor"]
    rows = rows.dropna(subset=["value", "lower", "upper"])
    if rows.empty:
        raise InsufficientData(
            f"Veiligheidsmonitor {year}: {indicator} voor Nederland ({NL_SURVEY_CODE}) met marge "
            "niet gepubliceerd"
        )
    figures = rows[["value", "lower", "upper"]].astype(float).drop_duplicates()
    if len(figures) > 1:
        raise InsufficientData(
            f"Veiligheidsmonitor {year}: {len(figures)} verschillende cijfers voor {indicator} "
            f"in Nederland ({NL_SURVEY_CODE}); welk het juiste is, is niet te zeggen"
        )
    value, lower, upper = (float(v) for v in figures.iloc[0])
    # the quote's rounding interval [quoted - half, quoted + half) against the closed 95% interval
    inside = lower < quoted + half and upper >= quoted - half
    verdict = SUPPORTED if inside else CONTRADICTED
    evidence = {
        "gebied": NL_SURVEY_CODE,
        "jaar": year,
        "indicator": indicator,
        "gepubliceerd": rounded(value, 1),
        "ci_laag": rounded(lower, 1),
        "ci_hoog": rounded(upper, 1),
        "geciteerd": quoted,
        "afrondingsinterval": [rounded(quoted - half, 3), rounded(quoted + half, 3)],
        "regel": "ondersteund als het afrondingsinterval van het geciteerde percentage het "
        "95%-interval raakt",
    }
    detail = (
        f"de Veiligheidsmonitor {year} meldt voor Nederland (15 jaar en ouder) "
        f"{format_percentage(value)} slachtoffer van online criminaliteit (95%-BI "
        f"{format_percentage(lower)} tot {format_percentage(upper)}); de geciteerde "
        f"{format_percentage(quoted, decimals)} (afgerond, dus "
        f"{format_percentage(quoted - half, decimals + 1)} tot "
        f"{format_percentage(quoted + half, decimals + 1)}) "
        f"{'past bij' if inside else 'ligt buiten'} dat interval"
    )
    summary = plain.sentence(
        f"Volgens de Veiligheidsmonitor was in {year} {format_percentage(value)} van de "
        "Nederlanders van 15 jaar en ouder slachtoffer van online criminaliteit",
        f"; de {format_percentage(quoted, decimals)} uit het beleid "
        + (
            "klopt daarmee (afgerond)"
            if inside
            else "wijkt daar meer van af dan afronden verklaart"
        ),
    )
    return verdict, evidence, detail, "vergelijking met het gepubliceerde 95%-interval", summary
