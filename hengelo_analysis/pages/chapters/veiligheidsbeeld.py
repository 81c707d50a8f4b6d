"""01 Veiligheidsbeeld: what came out first, then the claims by verdict and the headline figures.

The page opens like ``index.html``: the samenvatting and the grouped verdicts of
:mod:`hengelo_analysis.pages.summary`, from the findings stage's document. The full claims table
further down is built with the same ``claims.claims_for_index`` step as the index, so the page can
never disagree with the index or the edition's ``findings.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hengelo_analysis.analysis import claims, stats
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import TOTAL_CRIME
from hengelo_analysis.formatting import format_number, format_percentage, rate_unit_label
from hengelo_analysis.pages import summary

TOTAL = TOTAL_CRIME
VERDICT_ORDER = (
    claims.SUPPORTED,
    claims.NOT_SUPPORTED,
    claims.CONTRADICTED,
    claims.INSUFFICIENT,
)
# What each verdict means for a reader of the report (the "hoe lezen" paragraph).
VERDICT_EXPLANATIONS = {
    claims.SUPPORTED: "de toets laat zien wat de uitspraak zegt",
    claims.NOT_SUPPORTED: (
        "de toets laat het niet zien: geen significante verandering, of de onderdelen van de "
        "uitspraak wijzen niet dezelfde kant op"
    ),
    claims.CONTRADICTED: "de toets laat het tegenovergestelde zien",
    claims.INSUFFICIENT: (
        "een tabel ontbreekt, een cijfer is niet gepubliceerd of afgeschermd, of er zijn te "
        "weinig jaren voor een toets; de reden staat in de toelichting"
    ),
}


def claim_rows(document: dict) -> list[dict]:
    """The claims as ``index.html`` shows them (same document, same row function), plus the test."""
    rows = claims.claims_for_index(document)
    for row in rows:
        row["test"] = document["claims"][row["id"]]["test"]
    return rows


def claims_frame(rows: list[dict]) -> pd.DataFrame:
    """The claims table for the page: id, statement, verdict, sentence, test and page, in claim order."""
    return pd.DataFrame(
        {
            "Uitspraak": [r["id"] for r in rows],
            "Wat het beleid zegt": [r["statement"] for r in rows],
            "Oordeel": [r["verdict_label"] for r in rows],
            "Wat de cijfers laten zien": [r["summary"] for r in rows],
            "Toelichting": [r["sentence"] for r in rows],
            "Toets": [r["test"] for r in rows],
            "Uitgewerkt op": [_page_title(r["id"]) for r in rows],
        }
    )


def _page_title(claim_id: str) -> str:
    page = summary.CLAIM_PAGES.get(claim_id)
    return f"{page[0][:2]} {page[1]}" if page else ""


def reading_guide() -> str:
    """The "hoe lezen" paragraph (Markdown): the four verdicts in words."""
    items = "\n".join(
        f"- **{claims.VERDICT_LABELS[v]}**: {VERDICT_EXPLANATIONS[v]}." for v in VERDICT_ORDER
    )
    return (
        "Elke uitspraak uit het veiligheidsbeeld is vertaald in een toets op de cijfers. "
        "Het oordeel is een van vier:\n\n"
        f"{items}\n\n"
        "Een toelichting zegt alleen dat iets *stijgt* of *daalt* als de toets dat aantoont "
        "(95%-betrouwbaarheid). *Niet aangetoond* betekent niet dat de uitspraak onjuist is: "
        "de cijfers zijn dan te wisselend of de periode te kort om het te zien."
    )


@dataclass(frozen=True)
class Headline:
    """Total registered crime in the peiljaar: count, rate with interval, change on a year."""

    year: int
    count: float
    inhabitants: float | None
    rate: float | None
    lower: float | None
    upper: float | None
    previous: float | None
    difference: float | None
    pct: float | None
    p_value: float | None
    verb: str  # "stijgt", "daalt" or "verandert niet significant" (from the test)


def headline(
    crime: pd.DataFrame,
    population: pd.DataFrame | None,
    gemeente: str,
    peiljaar: int,
    rate_unit: int = 1000,
) -> Headline:
    """The total (0.0.0) of the gemeente in ``peiljaar`` with its rate and the change on a year.

    The change is judged with the exact conditional test for two Poisson counts (inhabitants as
    exposure when known); the verb says "stijgt"/"daalt" only when p < 0.05.

    Raises
    ------
    InsufficientData
        when the total of the peiljaar is missing or not published.
    """
    rows = crime[(crime["area_code"] == gemeente) & (crime["crime_code"] == TOTAL)]
    by_year = rows.groupby("year")["registered"].sum(min_count=1)
    if peiljaar not in by_year.index or pd.isna(by_year[peiljaar]):
        raise InsufficientData(f"totaal misdrijven {peiljaar} niet gepubliceerd voor {gemeente}")
    count = float(by_year[peiljaar])
    inhabitants = _inhabitants(population, gemeente, peiljaar)
    rate = lower = upper = None
    if inhabitants is not None:
        r = stats.rate_ci(count, inhabitants, rate_unit)
        rate, lower, upper = r.rate, r.lower, r.upper
    previous = by_year.get(peiljaar - 1)
    previous = None if previous is None or pd.isna(previous) else float(previous)
    difference = pct = p_value = None
    verb = "verandert niet significant"
    if previous is not None:
        difference = count - previous
        pct = None if previous == 0 else 100 * difference / previous
        e_prev = _inhabitants(population, gemeente, peiljaar - 1)
        exposures = (e_prev, inhabitants) if e_prev and inhabitants else (1.0, 1.0)
        try:
            cmp = stats.compare_counts(previous, count, *exposures)
            p_value = cmp.p_value
            if p_value < claims.ALPHA:
                verb = "stijgt" if cmp.rate_ratio > 1 else "daalt"
        except InsufficientData:
            pass
    return Headline(
        peiljaar, count, inhabitants, rate, lower, upper, previous, difference, pct, p_value, verb
    )


def _inhabitants(population: pd.DataFrame | None, area: str, year: int) -> float | None:
    if population is None:
        return None
    hit = population[(population["area_code"] == area) & (population["year"] == year)]
    values = hit["inhabitants"].dropna()
    return float(values.iloc[0]) if len(values) else None


PLAIN_CHANGE = {
    "stijgt": "een duidelijke stijging",
    "daalt": "een duidelijke daling",
    "verandert niet significant": "geen duidelijke verandering (het verschil kan toeval zijn)",
}


def headline_sentence(h: Headline, name: str, rate_unit: int) -> str:
    """Plain Dutch Markdown on the headline figures (``name`` must already be escaped).

    The words follow the test (:data:`PLAIN_CHANGE`); the interval and the p-value are in
    :func:`headline_evidence`, the small line under it.
    """
    text = f"In {h.year} registreerde de politie in {name} {format_number(h.count)} misdrijven"
    if h.rate is not None:
        text += f", {format_number(h.rate, 1)} {rate_unit_label(rate_unit)}"
    text += "."
    if h.previous is not None:
        more = "meer" if (h.difference or 0) > 0 else "minder"
        text += (
            f" Dat zijn er {format_number(abs(h.difference))} {more} dan in {h.year - 1} "
            f"({format_number(h.previous)}, {format_percentage(h.pct, signed=True)}): "
            f"{PLAIN_CHANGE[h.verb]}."
            if h.difference
            else f" Dat is evenveel als in {h.year - 1}."
        )
    else:
        text += f" Voor {h.year - 1} is geen totaal gepubliceerd."
    return text


def headline_evidence(h: Headline) -> str:
    """The test behind the headline sentence: the rate's interval and the change's p-value."""
    parts = []
    if h.rate is not None:
        parts.append(
            f"95%-betrouwbaarheidsinterval van het cijfer {format_number(h.lower, 1)} tot "
            f"{format_number(h.upper, 1)}"
        )
    if h.p_value is not None:
        parts.append(
            f"verandering op een jaar: het aantal {h.verb} ({stats.p_text(h.p_value)}, exacte "
            "toets voor twee Poisson-aantallen)"
        )
    return "Toets: " + "; ".join(parts) + "." if parts else ""


def _signed(value: float | None) -> str:
    text = format_number(value)
    return text if text.startswith("-") or value == 0 else "+" + text


def headline_table(h: Headline, rate_unit: int = 1000) -> pd.DataFrame:
    """The headline figures as a two-column table (missing values stay missing: "n.b.")."""
    unit = rate_unit_label(rate_unit)
    labels = [
        f"Geregistreerde misdrijven {h.year} (aantal)",
        f"Misdrijven {unit} {h.year}",
        "95%-betrouwbaarheidsinterval, ondergrens",
        "95%-betrouwbaarheidsinterval, bovengrens",
        f"Geregistreerde misdrijven {h.year - 1} (aantal)",
        f"Verandering t.o.v. {h.year - 1} (%)",
        "Toets op de verandering (p-waarde)",
    ]
    values = [h.count, h.rate, h.lower, h.upper, h.previous, h.pct, h.p_value]
    decimals = [0, 1, 1, 1, 0, 1, 3]
    return pd.DataFrame(
        {
            "Kerncijfer": labels,
            "Waarde": [format_number(v, d) for v, d in zip(values, decimals, strict=True)],
        }
    )


def verdict_count(rows: list[dict], verdict: str) -> int:
    """How many claims got ``verdict`` (e.g. ``claims.SUPPORTED``), by name, not table position."""
    return sum(1 for r in rows if r["verdict"] == verdict)
