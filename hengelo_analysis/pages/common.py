"""What every page shares: the gemeente's name, source lines, the claims' context and verdicts.

A page imports its own chapter module and these shared helpers, never another page's chapter
module: what two pages both need lives here (or in ``sections``, ``enquete``, ``maps``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from hengelo_analysis.analysis import claims
from hengelo_analysis.domain import CORONA_YEARS, SAFETY_REGION_NAMES
from hengelo_analysis.errors import DataError
from hengelo_analysis.pages.tables import escape_markdown
from hengelo_analysis.paths import findings_file

CRIME_SOURCE = "Politie/CBS, tabel 47018NED; inwoners: CBS Kerncijfers wijken en buurten"
CORONA_NOTE = (
    f"Let op: {CORONA_YEARS[0]} en {CORONA_YEARS[-1]} zijn coronajaren (lockdowns, minder winkel- "
    "en uitgaansverkeer). De trendtoetsen geven die jaren een eigen term, zodat ze de trend niet "
    "sturen of verbergen."
)


# A part of a bracketed list that is a test figure, not a finding ("95%-BI 1 tot 2", "p < 0,001").
_TEST_PART = re.compile(
    r"\bp\s*[=<>]|\bBI\b|t-toets|t-verdeling|vrijheidsgraden|TOST|z-toets|Kish|Poisson|Byar"
)
_BRACKETS = re.compile(r"\s*\(([^()]*)\)")
_GEMEENTE_CODE = re.compile(r"\s*\(GM\d{4}\)|\bGM\d{4}\b")
_KISH = re.compile(r"\(Kish-effectieve n (\d+) van (\d+)\)")
# Internal source names as a sentence may carry them, and what a reader calls them.
_SOURCE_NAMES = {"eigen_enquete": "eigen enquête", "veiligheidsmonitor": "Veiligheidsmonitor"}


def plain_words(text: str) -> str:
    """``text`` without its test figures: the finding stays, the method goes.

    "daalt (-7,5% per jaar, 95%-BI -8,7% tot -6,5%, 2012-2024, p < 0,001)" becomes "daalt
    (-7,5% per jaar, 2012-2024)"; a clause that is only a test ("t-toets met 7
    vrijheidsgraden") goes too. The figures belong to the evidence line and the Verantwoording.
    """

    def keep(match: re.Match) -> str:
        parts = [p for p in match.group(1).split(", ") if not _TEST_PART.search(p)]
        return f" ({', '.join(parts)})" if parts else ""

    ends = text.rstrip().endswith(".")
    text = _BRACKETS.sub(keep, text.rstrip().removesuffix("."))
    clauses = []
    for clause in text.split("; "):
        parts = [p for p in clause.split(", ") if not _TEST_PART.search(p)]
        if parts:
            clauses.append(", ".join(parts))
    text = "; ".join(clauses)
    for internal, name in _SOURCE_NAMES.items():
        text = re.sub(rf"\b{internal}\b", name, text)
    text = re.sub(r"\bvoor GM\d{4} zelf\b", "voor de gemeente zelf", text)
    return readable_codes(text) + ("." if ends and text else "")


def readable_codes(text: str) -> str:
    """Codes out of a source note: a gemeente's code goes, a safety region gets its name, and the
    survey weighting says in words what the effective sample size means."""
    text = _KISH.sub(r"(telt na weging als \1 van de \2 antwoorden)", text)
    text = _GEMEENTE_CODE.sub("", text)
    for code, name in SAFETY_REGION_NAMES.items():
        text = text.replace(f" ({code})", "").replace(f"regio {code}", f"de {name}")
        text = text.replace(code, name)
    return text


def source_line(text: str, source: str) -> str:
    """The "Bron:" text of a figure; demo data are labelled synthetic in the figure itself too."""
    return f"{text} (synthetische demodata)" if source == "demo" else text


def provisional_years(table: pd.DataFrame | None) -> list[int]:
    """The years a police/CBS table marks provisional (its ``provisional`` column), sorted.

    Empty when the table is missing or carries no status (then no year is called voorlopig).
    """
    if table is None or "provisional" not in table.columns:
        return []
    return sorted(int(y) for y in table.loc[table["provisional"].astype(bool), "year"].unique())


def year_text(year: int, provisional: Iterable[int] = ()) -> str:
    """A year in a title or caption: "2024", or "2024 (voorlopig)" when the source marks it so."""
    return (
        f"{int(year)} (voorlopig)" if int(year) in {int(p) for p in provisional} else str(int(year))
    )


def area_names(crime: pd.DataFrame | None, gemeente: str) -> dict[str, str]:
    """Area code → name for the gemeente and its wijken/buurten (from the crime table's names)."""
    if crime is None or crime.empty:
        return {}
    rows = crime[(crime["gemeente_code"] == gemeente) | (crime["area_code"] == gemeente)]
    pairs = rows[["area_code", "area_name"]].dropna().drop_duplicates("area_code")
    return {str(c): str(n) for c, n in zip(pairs["area_code"], pairs["area_name"], strict=True)}


def gemeente_name(tabellen: Mapping[str, pd.DataFrame], gemeente: str) -> str:
    """The gemeente's name from the crime table, or its code when there is no name."""
    return area_names(tabellen.get("crime"), gemeente).get(gemeente, gemeente)


def context(
    tabellen: Mapping[str, pd.DataFrame], gemeente: str, peiljaar: int, rate_unit: int = 1000
) -> claims.Context:
    """The tables and edition a page draws from, for the series helpers the claims also use."""
    return claims.Context(tabellen, gemeente, int(peiljaar), int(rate_unit))


def load_findings(
    data_dir: str | Path, source: str, gemeente: str, peiljaar: int, rate_unit: int
) -> dict:
    """The edition's ``findings.json`` as the findings stage wrote it (pages judge nothing).

    Raises
    ------
    DataError
        when the stage has not run for this edition (``hengelo-analysis findings`` writes it), or
        the document is for another edition.
    """
    processed = Path(data_dir).expanduser().resolve() / "processed" / source
    path = findings_file(processed, gemeente, peiljaar, rate_unit)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(
            path, f"no readable findings ({exc}); run `hengelo-analysis findings`"
        ) from exc
    for key, expected in (("gemeente", gemeente), ("peiljaar", peiljaar), ("rate_unit", rate_unit)):
        if str(doc.get(key)) != str(expected):
            raise DataError(path, f"findings for {key} {doc.get(key)!r}, not {expected!r}")
    return doc


def findings_by_id(document: Mapping, ids: Iterable[str]) -> dict[str, claims.Finding]:
    """Claim id → verdict for the claims a page discusses, from the findings document.

    Keyed by id so a page names the claim it shows (``bevindingen["C9"]``), never a position. A
    claim the gemeente's claim file does not hold gets ``insufficient_data`` saying so.
    """
    judged = claims.findings_from_document(document)
    missing = "het claimbestand van de gemeente bevat deze uitspraak niet"
    return {
        claim_id: judged.get(claim_id)
        or claims.Finding(
            claim_id,
            claims.INSUFFICIENT,
            {"reden": missing},
            "",
            f"Onvoldoende gegevens: {missing}.",
            "",
            "Niet te zeggen: deze uitspraak staat niet in het beleid van de gemeente.",
        )
        for claim_id in ids
    }


def findings_frame(result: Iterable[claims.Finding]) -> pd.DataFrame:
    """A small table of verdicts for a chapter page: id, statement, verdict, sentence."""
    result = list(result)
    return pd.DataFrame(
        {
            "Uitspraak": [f.claim_id for f in result],
            "Wat het beleid zegt": [f.statement for f in result],
            "Oordeel": [f.verdict_label for f in result],
            "Toelichting": [f.sentence for f in result],
        }
    )


def finding_sentence(finding: claims.Finding) -> str:
    """The verdict sentence of one claim, escaped for Markdown."""
    return escape_markdown(finding.sentence)


def claim_params(document: Mapping, claim_id: str) -> dict:
    """The parameters claim ``claim_id`` was judged with (from the findings document).

    A page draws its figure with the same years, codes and peer band as the verdict, so the two
    agree for whatever claim file the gemeente uses.
    """
    entry = document["claims"].get(claim_id)
    if entry is None or "params" not in entry:
        raise KeyError(f"the findings hold no parameters of claim {claim_id}")
    return dict(entry["params"])


def claim_parameter(document: Mapping, claim_id: str, name: str):
    """One parameter of a claim as the findings tested it (e.g. C6's base year)."""
    return claim_params(document, claim_id)[name]


def insufficient(reason: str) -> str:
    """The one way a page says a section has no figures: "Onvoldoende gegevens: …"."""
    return f"Onvoldoende gegevens: {reason}"
