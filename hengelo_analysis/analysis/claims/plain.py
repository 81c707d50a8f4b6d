"""The plain (B1) summary of a finding: what came out, in one sentence, without test jargon.

Every evaluator returns, next to its technical ``detail`` (the small evidence line with intervals
and p-values), a ``summary`` for a council member. The words here follow the tested direction
only: "steeg"/"daalde" for a significant trend, "veranderde niet duidelijk" otherwise, so a
summary never says more than the test (``tests/test_summaries.py`` checks this on every claim).
"""

from __future__ import annotations

import re

from hengelo_analysis.formatting import format_number

# The survey sources by their internal names (processed ``survey.source``) → what a reader reads.
SOURCE_NAMES = {
    "eigen_enquete": "de eigen enquête van de gemeente",
    "veiligheidsmonitor": "de Veiligheidsmonitor",
}
# What a missing processed table holds, for "Niet te zeggen: ..." (never the table's own name).
TABLE_NAMES = {
    "crime": "de misdrijfcijfers van de politie",
    "population": "de inwonertallen",
    "survey": "de enquêtecijfers",
    "incidents": "het incidentenbestand van de politie",
    "youth": "de jeugdcijfers (Halt en jeugdreclassering)",
    "youth_national": "de landelijke jeugdcijfers",
    "accidents": "de ongevallencijfers (BRON)",
    "nuisance": "de overlastcijfers van de politie",
}
# Police incident codes by name: a code reaches the reader only with its name.
INCIDENT_NAMES = {
    "E33": "overlast door verwarde personen",
    "E38": "overlast door alcohol en drugs",
}
# Reasons evaluators give in analysts' words → the same in a reader's words, applied before
# :func:`insufficient` shortens a reason (C6 words the method break this way itself).
REASON_WORDS = (
    (
        re.compile(
            r"de golven (\d{4}) en (\d{4}) liggen aan weerszijden van de methodebreuk[^:;]*"
        ),
        r"de enquêtes van \1 en \2 zijn op een andere manier gehouden en niet te vergelijken",
    ),
    (
        re.compile(r"enquêtecijfer of marge niet gepubliceerd \(onderdrukt\?\)"),
        "een enquêtecijfer of de onzekerheid ervan is niet gepubliceerd",
    ),
    (re.compile(r"\b1 gemeente\(n\)"), "1 gemeente"),
    (re.compile(r"\bgemeente\(n\)"), "gemeenten"),
)
PAST = {"stijgend": "steeg", "dalend": "daalde", "geen": "veranderde niet duidelijk"}
# Words no summary may carry: test names, interval notation and internal codes.
JARGON_RE = re.compile(
    r"95%-BI|90%-BI|\bp [=<]|quasi-Poisson|Kish|TOST|t-toets|Holm|vrijheidsgraden|GM\d{4}|"
    r"\b[a-z]+_[a-z_]+\b"
)


def source_name(source: str) -> str:
    """A survey source by the name a reader knows (``eigen_enquete`` → "de eigen enquête …")."""
    return SOURCE_NAMES.get(source, source.replace("_", " "))


def incident_name(code: str) -> str:
    """ "overlast door verwarde personen (E33)": the name first, the code in brackets."""
    name = INCIDENT_NAMES.get(code)
    return f"{name} ({code})" if name else f"meldingen met politiecode {code}"


def sentence(*parts: str) -> str:
    """The parts joined into one sentence: a capital first letter and one full stop."""
    text = ""
    for part in (p.strip().rstrip(".") for p in parts if p and p.strip()):
        # a part that opens with a punctuation mark continues the one before it
        text += part if not text or part[0] in ";,:)" else f" {part}"
    text = text.strip(" ;,")
    return f"{text[0].upper()}{text[1:]}." if text else ""


def pct(value: float, decimals: int | None = None) -> str:
    """A yearly change without sign: whole percents ("7%"), under 1 with one decimal.

    ``decimals=1`` where two rates stand side by side: rounding each to whole percents can make a
    gap of 0,2 read as 1 (4,5 and 4,7 → "4%" and "5%").
    """
    size = abs(float(value))
    places = decimals if decimals is not None else (0 if size >= 1 else 1)
    if 0 < size < 0.5 * 10**-places:
        # a significant trend too small for the decimals: "daalde met 0,0%" contradicts itself
        return f"minder dan {format_number(10**-places, places)}%"
    return f"{format_number(size, places)}%"


def margin_text(value: float) -> str:
    """A claim file's margin as written: "15", "2", or "2,5" (never rounded to a whole number)."""
    value = float(value)
    return format_number(value, 0 if value.is_integer() else 1)


def yearly(direction: str, pct_per_year: float, decimals: int | None = None) -> str:
    """ "steeg met gemiddeld 7% per jaar" / "daalde …" / "veranderde niet duidelijk"."""
    if direction == "geen":
        return PAST["geen"]
    return f"{PAST[direction]} met gemiddeld {pct(pct_per_year, decimals)} per jaar"


def trend_clause(
    subject: str, direction: str, pct_per_year: float, years: str, decimals: int | None = None
) -> str:
    """ "het aantal X daalde tussen 2015 en 2024 met gemiddeld 6% per jaar" (tested words only)."""
    first, _, last = str(years).partition("-")
    span = f"tussen {first} en {last}" if last else f"in {first}"
    return f"{subject} {PAST[direction]} {span}" + (
        "" if direction == "geen" else f" met gemiddeld {pct(pct_per_year, decimals)} per jaar"
    )


def moved(subject: str, direction: str, value1, year1, value2, year2, decimals: int = 0) -> str:
    """ "X steeg van 441 in 2015 naar 791 in 2024"; without a tested change it says so.

    The direction is the test's, which may be a trend over every year: when the two endpoints
    happen to go the other way (an odd first or last year) "steeg van 900 naar 850" would contradict
    itself, so the trend and the endpoints are then said apart.
    """
    a, b = format_number(value1, decimals), format_number(value2, decimals)
    if direction == "geen":
        return f"{subject} ging van {a} in {year1} naar {b} in {year2}: geen duidelijke verandering"
    change = float(value2) - float(value1)
    against = change < 0 if direction == "stijgend" else change > 0
    if against:
        return (
            f"{subject} {PAST[direction]} over de jaren {year1} tot en met {year2} gemeten, al was "
            f"het {b} in {year2} tegen {a} in {year1}"
        )
    return f"{subject} {PAST[direction]} van {a} in {year1} naar {b} in {year2}"


def insufficient(reason: str) -> str:
    """ "Niet te zeggen: …" from the reason an evaluator gave, with no internal names in it.

    The reason's first clause usually says what is missing in words ("te weinig jaren voor een
    trend"); what to supply (": lever … aan") and test notation ("(4 < 5)") are left to the
    evidence. Where the clause names a table or a code the summary says only that the data are not
    enough (the evidence line keeps the reason).
    """
    table = re.fullmatch(r"tabel '(\w+)' ontbreekt", reason.strip())
    if table:
        return sentence(
            f"Niet te zeggen: {TABLE_NAMES.get(table.group(1), 'de benodigde cijfers')} ontbreken"
        )
    for pattern, words in REASON_WORDS:
        reason = pattern.sub(words, reason)
    # a table named inside a reason ("telt in tabel 'crime' maar ...") by what it holds
    reason = re.sub(
        r"\btabel '(\w+)'",
        lambda m: TABLE_NAMES.get(m.group(1), "de benodigde cijfers"),
        reason,
    )
    clause = reason.split(": lever", 1)[0].split("; ", 1)[0]
    clause = re.sub(r"\s*\([^()]*[<>][^()]*\)", "", clause).strip()
    subject, colon, rest = clause.partition(": ")
    if colon:
        # "het aantal Halt-verwijzingen: te weinig jaren" → the reason first, its subject after
        short = len(subject.split()) <= 4
        clause = f"{rest.split(': ', 1)[0]} ({subject})" if short else subject
    if not clause or JARGON_RE.search(clause) or re.search(r"\b[A-Z]{1,2}\d{2,}\b", clause):
        return "Niet te zeggen: er zijn niet genoeg gegevens om dit te toetsen."
    return sentence(f"Niet te zeggen: {clause}")


def what_to_supply(reason: str) -> str:
    """What an analyst can supply, in words for the front page (or "").

    The reason names the file and its template ("lever ze aan als supplied/x.csv (sjabloon …)");
    a council member needs to know that the figures can be supplied, not the file path, which
    stays in the claim's evidence line.
    """
    match = re.search(r"\blever (\w+) aan\b", reason)
    if not match:
        return ""
    return (
        f"de gemeente kan {match.group(1)} zelf aanleveren (de kleine regel bij de uitspraak "
        "zegt hoe)"
    )
