"""What came out, first: the *samenvatting* and the verdicts grouped, from ``findings.json``.

Pure functions from the findings document to HTML (escaped; the index template and the notebooks
show it as is). The index and page 01 open with :func:`samenvatting_html` and
:func:`verdict_list_html`; every other page opens with :func:`page_opening` for its own claims, in
the same visual grammar: a verdict is an icon (hidden from screen readers) *and* its text *and* a
colour, never colour alone; the policy sentence is quoted; the plain ``summary`` follows, and the
evidence line with the test figures comes last in a smaller, muted line (``hv-evidence``).

Every number in the text comes from the document: the counts per verdict, and the summaries the
evaluators wrote.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hengelo_analysis.analysis import claims
from hengelo_analysis.analysis.claims import plain

# Reading order of the groups: what holds, what points the other way, what is not shown, what
# could not be judged.
GROUPS = (claims.SUPPORTED, claims.CONTRADICTED, claims.NOT_SUPPORTED, claims.INSUFFICIENT)
# How many summaries of one verdict the samenvatting repeats; the grouped list has them all.
EXAMPLES = 1


@dataclass(frozen=True)
class VerdictStyle:
    icon: str  # decorative (aria-hidden): the text is the label
    css: str  # colour class in hv.css

    @staticmethod
    def label(verdict: str) -> str:
        """The verdict's words as the whole report writes them (``claims.VERDICT_LABELS``)."""
        text = claims.VERDICT_LABELS[verdict]
        return text[0].upper() + text[1:]


VERDICT_STYLES = {
    claims.SUPPORTED: VerdictStyle("✔", "hv-v-supported"),
    claims.CONTRADICTED: VerdictStyle("✘", "hv-v-contradicted"),
    claims.NOT_SUPPORTED: VerdictStyle("–", "hv-v-not-supported"),
    claims.INSUFFICIENT: VerdictStyle("?", "hv-v-insufficient"),
}

# The page that works each claim out (notebook file name without .html, and its title). The
# claim ids are fixed across claim files: the pages read them by id.
CLAIM_PAGES = {
    "C1": ("03_zorg_en_overlast", "Zorg en overlast"),
    "C2": ("02_criminaliteit", "Criminaliteit"),
    "C3": ("02_criminaliteit", "Criminaliteit"),
    "C4": ("07_verkeer", "Verkeer"),
    "C5": ("06_veiligheidsbeleving", "Veiligheidsbeleving"),
    "C6": ("03_zorg_en_overlast", "Zorg en overlast"),
    "C7": ("04_jeugd", "Jeugd"),
    "C8": ("05_bedrijven", "Bedrijven"),
    "C9": ("05_bedrijven", "Bedrijven"),
    "C10": ("02_criminaliteit", "Criminaliteit"),
    "C11": ("08_digitale_veiligheid", "Digitale veiligheid"),
    "C12": ("07_verkeer", "Verkeer"),
    "C13": ("05_bedrijven", "Bedrijven"),
    "C14": ("04_jeugd", "Jeugd"),
    "C15": ("02_criminaliteit", "Criminaliteit"),
    "C16": ("08_digitale_veiligheid", "Digitale veiligheid"),
    "C17": ("03_zorg_en_overlast", "Zorg en overlast"),
    "C18": ("03_zorg_en_overlast", "Zorg en overlast"),
    "C19": ("02_criminaliteit", "Criminaliteit"),
}


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def ordered_ids(findings: Mapping, claim_ids: Sequence[str] | None = None) -> list[str]:
    """The claim ids of the document (or ``claim_ids`` that it holds), in claim order."""
    ids = (
        findings["claims"]
        if claim_ids is None
        else [c for c in claim_ids if c in findings["claims"]]
    )
    return sorted(ids, key=claims.claim_order)


def grouped(findings: Mapping, claim_ids: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Verdict → claim ids with that verdict, in :data:`GROUPS` order (every verdict present)."""
    groups: dict[str, list[str]] = {v: [] for v in GROUPS}
    for claim_id in ordered_ids(findings, claim_ids):
        groups[findings["claims"][claim_id]["verdict"]].append(claim_id)
    return groups


def counts(findings: Mapping, claim_ids: Sequence[str] | None = None) -> dict[str, int]:
    """How many claims got each verdict (zeros included)."""
    return {v: len(ids) for v, ids in grouped(findings, claim_ids).items()}


def _number(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def count_sentence(found: Mapping[str, int]) -> str:
    """ "De cijfers ondersteunen er 8, 3 wijzen de andere kant op, …" (zero groups left out)."""
    parts = []
    if found[claims.SUPPORTED]:
        parts.append(f"de cijfers ondersteunen er {found[claims.SUPPORTED]}")
    if found[claims.CONTRADICTED]:
        n = found[claims.CONTRADICTED]
        parts.append(f"bij {n} wijzen de cijfers de andere kant op")
    if found[claims.NOT_SUPPORTED]:
        n = found[claims.NOT_SUPPORTED]
        parts.append(f"{n} {'is' if n == 1 else 'zijn'} niet aangetoond")
    if found[claims.INSUFFICIENT]:
        parts.append(f"voor {found[claims.INSUFFICIENT]} zijn er onvoldoende gegevens")
    if not parts:
        return ""
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
    return text[0].upper() + text[1:] + "."


def _summaries(findings: Mapping, ids: list[str]) -> str:
    # each example after the policy sentence it answers: a summary alone under "Wat de andere kant
    # op wijst" ("Hengelo had 1,35 keer zoveel ongevallen") reads as if the part that holds were
    # the part contradicted
    entries = [findings["claims"][c] for c in ids[:EXAMPLES]]
    shown = [
        f"“{e.get('statement', '').rstrip('.')}”: {e['summary']}"
        if e.get("statement")
        else e["summary"]
        for e in entries
        if e.get("summary")
    ]
    text = " ".join(shown)
    rest = len(ids) - len(shown)
    if rest > 0:
        text += f" En nog {_number(rest, 'uitspraak', 'uitspraken')}: zie hieronder."
    return text


def samenvatting_paragraphs(findings: Mapping, gemeente_name: str) -> list[tuple[str, str]]:
    """The samenvatting as (lead, text) paragraphs in plain Dutch; leads may be empty.

    What the data support, what they do not show (and what points the other way), what is
    missing with what to supply. Every number comes from the document.
    """
    groups = grouped(findings)
    found = {v: len(ids) for v, ids in groups.items()}
    total = sum(found.values())
    if total == 0:
        return [("", "Er zijn voor deze editie geen uitspraken getoetst.")]
    paragraphs = [
        (
            "",
            f"Dit rapport toetst {_number(total, 'uitspraak', 'uitspraken')} uit het "
            f"veiligheidsbeeld van {gemeente_name} aan de cijfers tot en met {findings['peiljaar']}. "
            + count_sentence(found),
        )
    ]
    if groups[claims.SUPPORTED]:
        paragraphs.append(
            ("Wat de cijfers laten zien.", _summaries(findings, groups[claims.SUPPORTED]))
        )
    if groups[claims.CONTRADICTED]:
        paragraphs.append(
            ("Wat de andere kant op wijst.", _summaries(findings, groups[claims.CONTRADICTED]))
        )
    if groups[claims.NOT_SUPPORTED]:
        n = found[claims.NOT_SUPPORTED]
        paragraphs.append(
            (
                "Wat de cijfers niet laten zien.",
                f"{_number(n, 'uitspraak is', 'uitspraken zijn')} met de cijfers niet "
                "aangetoond. Dat betekent niet dat ze onjuist "
                f"{'is' if n == 1 else 'zijn'}: de cijfers zijn te wisselend, de periode te kort, "
                "of de cijfers meten iets anders dan de uitspraak zegt.",
            )
        )
    if groups[claims.INSUFFICIENT]:
        missing = [
            f"“{findings['claims'][c].get('statement', '').rstrip('.')}”: "
            f"{_reason(findings['claims'][c])}."
            for c in groups[claims.INSUFFICIENT]
        ]
        n = found[claims.INSUFFICIENT]
        paragraphs.append(
            (
                "Wat ontbreekt.",
                f"Voor {_number(n, 'uitspraak', 'uitspraken')} zijn er onvoldoende gegevens. "
                + " ".join(missing),
            )
        )
    return paragraphs


def _reason(entry: Mapping) -> str:
    """What is missing in words (the summary) and what to supply (from the evidence's reason)."""
    text = str(entry.get("summary", "")).removeprefix("Niet te zeggen: ").rstrip(".")
    reason = entry.get("evidence", {}).get("reden")
    supply = plain.what_to_supply(reason) if isinstance(reason, str) else ""
    return f"{text}; {supply}" if supply else text


def tally_html(findings: Mapping) -> str:
    """The counts per verdict as a row of badges (icon + words + count), each a link to its group."""
    items = "".join(
        f'<li><a href="#oordeel-{verdict}">{verdict_badge(verdict, n)}</a></li>'
        for verdict, n in counts(findings).items()
        if n
    )
    return f'<ul class="hv-tally" aria-label="Aantal uitspraken per oordeel">{items}</ul>'


def samenvatting_html(findings: Mapping, gemeente_name: str) -> str:
    """The samenvatting as HTML: ``<h2>Samenvatting</h2>``, the counts, its short paragraphs."""
    paragraphs = [
        f"<p>{f'<strong>{_e(lead)}</strong> ' if lead else ''}{_e(text)}</p>"
        for lead, text in samenvatting_paragraphs(findings, gemeente_name)
    ]
    if findings["claims"]:
        paragraphs.insert(1, tally_html(findings))
    body = "\n".join(paragraphs)
    return f'<section class="hv-samenvatting" aria-labelledby="samenvatting">\n<h2 id="samenvatting">Samenvatting</h2>\n{body}\n</section>'


def evidence_html(text: str) -> str:
    """A test line of a page (intervals, p-values) in the small muted style of the verdicts."""
    return f'<p class="hv-evidence">{_e(text)}</p>' if text else ""


def evidence_line(entry: Mapping) -> str:
    """The technical sentence without its verdict label (the item shows the label already)."""
    sentence = str(entry.get("sentence", ""))
    label = VerdictStyle.label(entry["verdict"])
    return sentence[len(label) + 2 :] if sentence.startswith(label + ": ") else sentence


def verdict_badge(verdict: str, count: int | None = None) -> str:
    """Icon (aria-hidden) + the verdict's words (+ a count), in the verdict's colour."""
    style = VERDICT_STYLES[verdict]
    number = "" if count is None else f'<span class="hv-v-number">{count}</span> '
    return (
        f'<span class="hv-verdict-badge {style.css}"><span class="hv-v-icon" aria-hidden="true">'
        f"{style.icon}</span> {number}{_e(VerdictStyle.label(verdict))}</span>"
    )


def claim_item(claim_id: str, entry: Mapping, link: bool = True, badge: bool = True) -> str:
    """One claim: verdict badge, the policy sentence quoted, the summary, the evidence line.

    In a group under its verdict's heading the badge is left out (``badge=False``): the heading
    says it once, the item keeps the colour of its border.
    """
    page = CLAIM_PAGES.get(claim_id)
    link_html = (
        f'<p class="hv-claim-page"><a href="{_e(page[0])}.html">Uitgewerkt op de pagina '
        f"{_e(page[1])}</a></p>"
        if link and page
        else ""
    )
    verdict_line = (
        f'<p class="hv-claim-verdict">{verdict_badge(entry["verdict"])}</p>' if badge else ""
    )
    return (
        f'<li class="hv-claim {VERDICT_STYLES[entry["verdict"]].css}" id="uitspraak-{_e(claim_id)}">'
        f"{verdict_line}"
        f'<blockquote class="hv-statement"><p>{_e(entry.get("statement", ""))}</p></blockquote>'
        f'<p class="hv-summary">{_e(entry.get("summary", ""))}</p>'
        f'<p class="hv-evidence">Toets ({_e(claim_id)}): {_e(evidence_line(entry))}</p>'
        f"{link_html}</li>"
    )


def verdict_list_html(
    findings: Mapping,
    claim_ids: Sequence[str] | None = None,
    *,
    links: bool = True,
    heading_level: int = 3,
) -> str:
    """The claims grouped by verdict: a heading per group (icon + words + count), then the items."""
    parts = []
    for verdict, ids in grouped(findings, claim_ids).items():
        if not ids:
            continue
        style = VERDICT_STYLES[verdict]
        items = "\n".join(claim_item(c, findings["claims"][c], links, badge=False) for c in ids)
        parts.append(
            f'<section class="hv-verdict-group {style.css}" id="oordeel-{verdict}">'
            f'<h{heading_level} class="hv-verdict-head"><span class="hv-v-icon" aria-hidden="true">'
            f"{style.icon}</span> {_e(VerdictStyle.label(verdict))} "
            f'<span class="hv-v-count">({_number(len(ids), "uitspraak", "uitspraken")})</span>'
            f"</h{heading_level}>\n"
            f'<ul class="hv-claims">\n{items}\n</ul></section>'
        )
    return '<div class="hv-verdicts">\n' + "\n".join(parts) + "\n</div>"


def page_opening(findings: dict, claim_ids: Sequence[str]) -> str:
    """The opening of a chapter page (HTML): what came out for ``claim_ids``, then the claims.

    A lead sentence with the counts for these claims, then each claim with its verdict (icon,
    words, colour), the policy sentence quoted, the plain summary and the evidence line. Claims
    the document does not hold are named as not judged. Show it with
    ``display(HTML(summary.page_opening(uitkomsten, ["C2", "C3"])))``.
    """
    held = ordered_ids(findings, claim_ids)
    absent = [c for c in claim_ids if c not in findings["claims"]]
    found = counts(findings, held)
    lead = (
        f"Op deze pagina {'staat' if len(held) == 1 else 'staan'} "
        f"{_number(len(held), 'uitspraak', 'uitspraken')} uit het veiligheidsbeeld. "
        + count_sentence(found)
        if held
        else "Op deze pagina staan geen getoetste uitspraken."
    )
    if absent:
        lead += f" Niet getoetst (niet in het claimbestand van de gemeente): {', '.join(absent)}."
    items = "\n".join(claim_item(c, findings["claims"][c], link=False) for c in held)
    return (
        '<section class="hv-opening" aria-label="Wat de cijfers zeggen">'
        f'<p class="hv-lead">{_e(lead)}</p>\n'
        f'<ul class="hv-claims">\n{items}\n</ul></section>'
    )
