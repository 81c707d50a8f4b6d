"""Say what the data show, first: the plain summaries, the samenvatting and the grouped verdicts.

The summaries are checked on every known-answer case of the claim tests (all verdicts, every
evaluator) and on the demo edition; the samenvatting and the verdict groups on a small document
(flip one verdict) and on the published index and page 01.
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from hengelo_analysis.analysis import claims
from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.pages import summary
from tests import chapter_report as cr
from tests.claims_cases import CASES
from tests.claims_cases_c17_c19 import CASES as CASES_C17_C19
from tests.claims_tables import verdict

pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)

# The words the issue names; none may reach a reader outside the small evidence line.
JARGON = (
    "95%-BI",
    "p =",
    "quasi-Poisson",
    "Kish",
    "TOST",
    "GM0164",
    "halt_verwijzingen",
    "eigen_enquete",
)
RISE_WORDS = re.compile(r"\b(steeg|stijgt|nam toe|neemt toe)\b", re.IGNORECASE)
FALL_WORDS = re.compile(r"\b(daalde|daalt|nam af|neemt af)\b", re.IGNORECASE)
ALL_CASES = {**CASES, **CASES_C17_C19}


def recorded_directions(evidence) -> set[str]:
    """Every direction a test recorded in the evidence (``richting`` and ``richtingen`` values)."""
    found: set[str] = set()
    if isinstance(evidence, dict):
        for key, value in evidence.items():
            if key == "richting" and isinstance(value, str):
                found.add(value)
            elif key == "richtingen" and isinstance(value, dict):
                found.update(v for v in value.values() if isinstance(v, str))
            else:
                found |= recorded_directions(value)
    elif isinstance(evidence, list):
        for value in evidence:
            found |= recorded_directions(value)
    return found


def check_summary(claim_id: str, verdict_code: str, text: str, evidence: dict) -> None:
    assert text, f"{claim_id}: no summary"
    assert text[0].isupper() and text.endswith("."), (claim_id, text)
    for word in JARGON:
        assert word not in text, (claim_id, word, text)
    assert not plain.JARGON_RE.search(text), (claim_id, text)
    # A direction word needs a test that showed that direction (robust against the wording: the
    # check is on the evidence the evaluator recorded, whatever the verdict).
    directions = recorded_directions(evidence)
    if RISE_WORDS.search(text):
        assert "stijgend" in directions, (claim_id, verdict_code, text, directions)
    if FALL_WORDS.search(text):
        assert "dalend" in directions, (claim_id, verdict_code, text, directions)
    if verdict_code == claims.INSUFFICIENT:
        assert text.startswith("Niet te zeggen"), (claim_id, text)


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_every_known_answer_case_has_a_plain_summary_that_says_no_more_than_its_test(name):
    claim_id, tables, expected = ALL_CASES[name]
    finding = verdict(claim_id, tables)
    assert finding.verdict == expected
    check_summary(claim_id, finding.verdict, finding.summary, finding.evidence)


def test_the_direction_check_can_fail():
    with pytest.raises(AssertionError):
        check_summary("CX", claims.NOT_SUPPORTED, "Het aantal steeg.", {"richting": "geen"})
    with pytest.raises(AssertionError):
        check_summary("CX", claims.SUPPORTED, "De cijfers gelden voor GM0164.", {})


def test_a_flat_trend_is_not_called_a_rise():
    assert plain.trend_clause("het aantal", "geen", 6.2, "2015-2024") == (
        "het aantal veranderde niet duidelijk tussen 2015 en 2024"
    )
    assert plain.moved("X", "geen", 5, 2021, 7, 2023).endswith("geen duidelijke verandering")
    assert plain.yearly("dalend", -5.8) == "daalde met gemiddeld 6% per jaar"


def test_insufficient_summaries_name_what_is_missing_in_words_never_a_table_or_code():
    assert plain.insufficient("tabel 'youth' ontbreekt") == (
        "Niet te zeggen: de jeugdcijfers (Halt en jeugdreclassering) ontbreken."
    )
    assert plain.insufficient("geen E33-cijfers voor GM0164: tabel 'incidents' ontbreekt") == (
        "Niet te zeggen: er zijn niet genoeg gegevens om dit te toetsen."
    )
    assert plain.insufficient("minder dan twee enquêtegolven") == (
        "Niet te zeggen: minder dan twee enquêtegolven."
    )
    reason = (
        "het aantal Halt-verwijzingen: te weinig jaren voor een trend (0 < 5); de uitspraak noemt "
        "beide maten, beide zijn nodig"
    )
    assert plain.insufficient(reason) == (
        "Niet te zeggen: te weinig jaren voor een trend (het aantal Halt-verwijzingen)."
    )


def test_what_is_missing_says_what_to_supply_but_no_internal_item_names():
    doc = _doc({"C6": claims.INSUFFICIENT, "C14": claims.INSUFFICIENT})
    doc["claims"]["C6"]["evidence"]["reden"] = "items ontbreken (overlast_drugsgebruik 2019)"
    doc["claims"]["C14"]["evidence"]["reden"] = "geen open data: lever ze aan als jeugd.csv"
    text = summary.samenvatting_html(doc, "Testdorp")
    assert "overlast_drugsgebruik" not in text
    assert "Samenvatting C6" in text  # the plain summary says what is missing
    # the front page says that the figures can be supplied, not the file path (that stays in the
    # claim's evidence line)
    assert "Samenvatting C14; de gemeente kan ze zelf aanleveren" in text
    assert "jeugd.csv" not in text.split('class="hv-evidence"')[0]


def test_evidence_sentences_name_the_gemeente_and_the_survey_not_internal_names():
    from tests.claims_cases_c17_c19 import c18

    finding = verdict("C18", c18((5.0, 9.0), source="eigen_enquete"))
    assert "eigen_enquete" not in finding.sentence and "GM0164" not in finding.sentence
    assert "de eigen enquête" in finding.sentence
    assert "p = " in finding.sentence or "p < " in finding.sentence  # the figures stay there


# --------------------------------------------------------------------------- samenvatting


def _doc(verdicts: dict[str, str]) -> dict:
    return {
        "gemeente": "GM0001",
        "peiljaar": 2024,
        "claims": {
            cid: {
                "verdict": v,
                "statement": f"Uitspraak {cid} <b>",
                "summary": f"Samenvatting {cid}.",
                "sentence": f"{summary.VerdictStyle.label(v)}: toets {cid} (95%-BI 1 tot 2)",
                "evidence": {"reden": f"geen open data: lever ze aan als bestand_{cid}.csv"}
                if v == claims.INSUFFICIENT
                else {},
            }
            for cid, v in verdicts.items()
        },
    }


VERDICTS = {
    "C1": claims.SUPPORTED,
    "C2": claims.SUPPORTED,
    "C3": claims.NOT_SUPPORTED,
    "C10": claims.CONTRADICTED,
    "C14": claims.INSUFFICIENT,
}


def _group_of(html: str, claim_id: str) -> str:
    """The verdict of the group section whose list holds ``claim_id``."""
    position = html.index(f'id="uitspraak-{claim_id}"')
    groups = list(re.finditer(r'id="oordeel-(\w+)"', html[:position]))
    return groups[-1].group(1)


def test_samenvatting_numbers_are_the_counts_of_the_document():
    doc = _doc(VERDICTS)
    text = " ".join(t for _, t in summary.samenvatting_paragraphs(doc, "Testdorp"))
    assert "toetst 5 uitspraken uit het veiligheidsbeeld van Testdorp" in text
    assert "ondersteunen er 2, bij 1 wijzen de cijfers de andere kant op, 1 is niet aangetoond" in (
        text
    )
    assert "voor 1 zijn er onvoldoende gegevens" in text
    assert "de gemeente kan ze zelf aanleveren" in text  # what to supply, in words
    assert "bestand_C14.csv" not in text
    assert summary.counts(doc) == {
        claims.SUPPORTED: 2,
        claims.CONTRADICTED: 1,
        claims.NOT_SUPPORTED: 1,
        claims.INSUFFICIENT: 1,
    }
    tally = summary.tally_html(doc)
    assert re.findall(r'class="hv-v-number">(\d+)<', tally) == ["2", "1", "1", "1"]


def test_flipping_one_verdict_changes_the_samenvatting_and_moves_the_claim():
    doc = _doc(VERDICTS)
    flipped = copy.deepcopy(doc)
    flipped["claims"]["C2"]["verdict"] = claims.CONTRADICTED
    before = summary.samenvatting_html(doc, "Testdorp")
    after = summary.samenvatting_html(flipped, "Testdorp")
    assert before != after
    assert "ondersteunen er 1, bij 2 wijzen" in after
    assert _group_of(summary.verdict_list_html(doc), "C2") == claims.SUPPORTED
    assert _group_of(summary.verdict_list_html(flipped), "C2") == claims.CONTRADICTED


def test_each_group_and_badge_shows_icon_and_words_not_colour_alone():
    html = summary.verdict_list_html(_doc(VERDICTS))
    heads = re.findall(r'<h3 class="hv-verdict-head">(.*?)</h3>', html)
    assert len(heads) == 4
    for head, verdict_code in zip(heads, summary.GROUPS, strict=True):
        style = summary.VERDICT_STYLES[verdict_code]
        assert f'<span class="hv-v-icon" aria-hidden="true">{style.icon}</span>' in head
        words = re.sub(r"<[^>]+>", "", head).replace(style.icon, "").strip()
        assert words.startswith(summary.VerdictStyle.label(verdict_code))
    icons = [s.icon for s in summary.VERDICT_STYLES.values()]
    assert len(set(icons)) == 4  # the icons differ too, not just the colours
    opening = summary.page_opening(_doc(VERDICTS), ["C3", "C1"])
    for verdict_code in (claims.SUPPORTED, claims.NOT_SUPPORTED):
        assert summary.verdict_badge(verdict_code) in opening


def test_claim_items_quote_the_policy_escape_it_and_put_the_test_in_the_small_line():
    html = summary.verdict_list_html(_doc(VERDICTS))
    assert "Uitspraak C1 &lt;b&gt;" in html and "<b>" not in html
    item = html[html.index('id="uitspraak-C1"') :].split("</li>")[0]
    assert item.index("hv-statement") < item.index("hv-summary") < item.index("hv-evidence")
    assert '<p class="hv-evidence">Toets (C1): toets C1 (95%-BI 1 tot 2)</p>' in item
    assert 'href="03_zorg_en_overlast.html"' in item


def test_page_opening_covers_its_claims_in_order_and_names_the_absent_ones():
    html = summary.page_opening(_doc(VERDICTS), ["C10", "C2", "C99"])
    assert re.findall(r'id="uitspraak-(C\d+)"', html) == ["C2", "C10"]
    assert "Op deze pagina staan 2 uitspraken" in html
    assert "De cijfers ondersteunen er 1 en bij 1 wijzen de cijfers de andere kant op." in html
    assert "Niet getoetst (niet in het claimbestand van de gemeente): C99." in html


# --------------------------------------------------------------------------- demo edition (slow)


@pytest.mark.slow
def test_demo_summaries_and_samenvatting_carry_no_jargon_and_the_figures_stay_in_the_evidence():
    _, out = cr.demo_edition()
    doc = json.loads((out / "findings.json").read_text())
    for claim_id, entry in doc["claims"].items():
        check_summary(claim_id, entry["verdict"], entry["summary"], entry["evidence"])
    assert "95%-BI" in doc["claims"]["C2"]["sentence"]  # the evidence line keeps its figures
    samenvatting = summary.samenvatting_html(doc, "Hengelo")
    for page in ("index.html", "01_veiligheidsbeeld.html"):
        html = (out / page).read_text()
        start = html.index('class="hv-samenvatting"')
        shown = cr.visible_text(html[start : html.index("</section>", start)])
        for word in JARGON:
            assert word not in shown, (page, word)
        assert cr.visible_text(samenvatting).split("Samenvatting", 1)[1].strip() in shown
        found = summary.counts(doc)
        tally = re.findall(r'class="hv-v-number">(\d+)<', html)
        assert [int(n) for n in tally] == [n for n in found.values() if n]
        for claim_id, entry in doc["claims"].items():
            assert _group_of(html, claim_id) == entry["verdict"], (page, claim_id)
