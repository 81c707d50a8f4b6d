"""The findings stage: every claim of the gemeente's claim file judged once per edition.

An edition (gemeente, peiljaar, rate unit) gets one ``findings.json`` at
``paths.findings_file`` (``processed/<source>/findings/<gemeente>_<peiljaar>_<rate_unit>.json``),
written atomically. Besides the claims it holds the edition's at-a-glance ``"profile"`` (a list of
rows, :mod:`hengelo_analysis.analysis.profile`) and ``"changes"`` (each key figure against the year
before, :mod:`hengelo_analysis.analysis.profile_changes`). The notebooks read it through ``pages.common.load_findings`` and ``publish``
copies it into the edition; neither calls an evaluator, so the index, page 01 and every chapter
page show the very same verdicts.

The document carries its cache key (``stamps.findings_key``: the edition's parameters, the claim
file's sha256, the configuration's colofon and peers, the processed tables and the code), so a
change of any of them judges the claims again and nothing else does.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

from hengelo_analysis import atomic
from hengelo_analysis.analysis import claims
from hengelo_analysis.analysis.claims.files import load_claim_file
from hengelo_analysis.analysis.claims.model import Claim
from hengelo_analysis.analysis.peers import DEFAULT_BAND
from hengelo_analysis.analysis.profile import profile_rows
from hengelo_analysis.analysis.profile_changes import changes
from hengelo_analysis.analysis.table_index import IndexedTables
from hengelo_analysis.gemeente_config import GemeenteConfig
from hengelo_analysis.paths import Layout

log = logging.getLogger(__name__)

PEER_KINDS = ("below_peers",)  # the evaluator kinds whose peer group the configuration sets


def with_peers(judged: tuple[Claim, ...], peers: dict) -> tuple[Claim, ...]:
    """The claims with the configuration's peer band in place of the claim file's.

    The configuration names the gemeente's comparable gemeenten once; a claim file (often the
    generic one) cannot know them. Without a band in the configuration the claim file's stands.
    """
    if "band" not in peers:
        return judged
    reason = "de vergelijkingsgroep uit de configuratie van de gemeente"
    return tuple(
        dataclasses.replace(
            c,
            params={**c.params, "band": peers["band"]},
            reasons={**c.reasons, "band": reason},
        )
        if c.kind in PEER_KINDS
        else c
        for c in judged
    )


def judge_edition(
    layout: Layout, gemeente: str, peiljaar: int, rate_unit: int, config: GemeenteConfig
) -> dict:
    """The ``findings.json`` document of one edition: each claim of the claim file judged once."""
    claim_file = load_claim_file(config.claims_file)  # checked against its schema here
    judged = with_peers(claim_file.claims, config.peers)
    # Indexed by area once: the claims and both profiles look up the same few areas hundreds of
    # times and share the series they derive (analysis.table_index).
    tables = IndexedTables(claims.load_tables(layout.data_dir, layout.source))
    result = claims.evaluate_tables(tables, gemeente, peiljaar, rate_unit, claims=judged)
    doc = claims.findings_document(
        result, gemeente, peiljaar, layout.source, rate_unit, claim_file=claim_file, claims=judged
    )
    doc["config"] = config.as_dict()
    # The at-a-glance profile and the change since the year before, once per edition from the
    # same tables as the claims (rows documented in analysis.profile and analysis.profile_changes).
    band = float(config.peers.get("band", DEFAULT_BAND))
    doc["profile"] = profile_rows(tables, gemeente, peiljaar, rate_unit, band)
    doc["changes"] = changes(tables, gemeente, peiljaar, rate_unit, band, profile=doc["profile"])
    return doc


def write_findings(path: Path, doc: dict) -> None:
    """Write ``doc`` atomically: a reader sees the old document or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The same serialisation as publish writes into the edition, so the two files are equal.
    atomic.write_text(path, json.dumps(doc, ensure_ascii=False, indent=2))
