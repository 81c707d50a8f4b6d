"""01 Veiligheidsbeeld: the claims C1-C11 with their verdicts, and the headline crime figures.

The claims table is built from the same :func:`hengelo_analysis.findings.evaluate_all` result,
through the same ``findings_document`` and ``publish.claims_for_index`` steps as ``index.html``
and ``findings.json``, so the summary page can never disagree with them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from hengelo_analysis import findings, stats
from hengelo_analysis.formatting import format_number, format_percentage, rate_unit_label
from hengelo_analysis.stats import InsufficientData

TOTAL = "0.0.0"
VERDICT_ORDER = (
    findings.SUPPORTED,
    findings.NOT_SUPPORTED,
    findings.CONTRADICTED,
    findings.INSUFFICIENT,
)
# What each verdict means for a reader of the report (the "hoe lezen" paragraph).
VERDICT_EXPLANATIONS = {
    findings.SUPPORTED: "de toets laat zien wat de uitspraak zegt",
    findings.NOT_SUPPORTED: (
        "de toets laat het niet zien: geen significante verandering, of de onderdelen van de "
        "uitspraak wijzen niet dezelfde kant op"
    ),
    findings.CONTRADICTED: "de toets laat het tegenovergestelde zien",
    findings.INSUFFICIENT: (
        "een tabel ontbreekt, een cijfer is niet gepubliceerd of afgeschermd, of er zijn te "
        "weinig jaren voor een toets; de reden staat in de toelichting"
    ),
}
# The report page where each claim is worked out (file names fixed by the report order).
CLAIM_PAGES = {
    "C1": "03 Zorg en overlast",
    "C2": "02 Criminaliteit",
    "C3": "02 Criminaliteit",
    "C4": "07 Verkeer",
    "C5": "06 Veiligheidsbeleving",
    "C6": "03 Zorg en overlast",
    "C7": "04 Jeugd",
    "C8": "05 Bedrijven",
    "C9": "05 Bedrijven",
    "C10": "02 Criminaliteit",
    "C11": "08 Digitale veiligheid",
}


def claim_rows(
    result: list[findings.Finding], gemeente: str, peiljaar: int, source: str, rate_unit: int
) -> list[dict]:
    """The claims as ``index.html`` shows them (same document, same row function), plus the test."""
    from hengelo_analysis.publish import claims_for_index

    document = findings.findings_document(result, gemeente, peiljaar, source, rate_unit)
    rows = claims_for_index(document)
    for row in rows:
        row["test"] = document["claims"][row["id"]]["test"]
    return rows


def claims_frame(rows: list[dict]) -> pd.DataFrame:
    """The claims table for the page: id, statement, verdict, sentence, test and page, C1-C11."""
    return pd.DataFrame(
        {
            "Uitspraak": [r["id"] for r in rows],
            "Wat het beleid zegt": [r["statement"] for r in rows],
            "Oordeel": [r["verdict_label"] for r in rows],
            "Toelichting": [r["sentence"] for r in rows],
            "Toets": [r["test"] for r in rows],
            "Uitgewerkt op": [CLAIM_PAGES.get(r["id"], "") for r in rows],
        }
    )


def verdict_counts(rows: list[dict]) -> pd.DataFrame:
    """How many claims got each verdict, in the fixed verdict order (zeros included)."""
    counts = Counter(r["verdict"] for r in rows)
    return pd.DataFrame(
        {
            "Oordeel": [findings.VERDICT_LABELS[v] for v in VERDICT_ORDER],
            "Aantal uitspraken": pd.array([counts.get(v, 0) for v in VERDICT_ORDER], "Int64"),
        }
    )


def reading_guide() -> str:
    """The "hoe lezen" paragraph (Markdown): the four verdicts in words."""
    items = "\n".join(
        f"- **{findings.VERDICT_LABELS[v]}**: {VERDICT_EXPLANATIONS[v]}." for v in VERDICT_ORDER
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
            if p_value < findings.ALPHA:
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


def headline_sentence(h: Headline, name: str, rate_unit: int) -> str:
    """Dutch Markdown sentence on the headline figures (``name`` must already be escaped)."""
    text = f"In {h.year} registreerde de politie in {name} {format_number(h.count)} misdrijven"
    if h.rate is not None:
        text += (
            f", {format_number(h.rate, 1)} {rate_unit_label(rate_unit)} "
            f"(95%-betrouwbaarheidsinterval {format_number(h.lower, 1)} tot "
            f"{format_number(h.upper, 1)})"
        )
    text += "."
    if h.previous is not None:
        text += (
            f" Ten opzichte van {h.year - 1} ({format_number(h.previous)}) is dat "
            f"{_signed(h.difference)}"
            f" ({format_percentage(h.pct, signed=True)}); het aantal {h.verb}"
            + (f" ({stats.p_text(h.p_value)})." if h.p_value is not None else ".")
        )
    else:
        text += f" Voor {h.year - 1} is geen totaal gepubliceerd."
    return text


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
