"""Judge the claims against the processed tables, and write the ``findings.json`` document.

:func:`evaluate` turns a claim into a :class:`Finding` for one gemeente and peiljaar through the
evaluator its ``kind`` names. Nothing here knows the demo: the same code judges real data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.catalogue import claims_for
from hengelo_analysis.analysis.claims.files import ClaimFile
from hengelo_analysis.analysis.claims.model import (
    INSUFFICIENT,
    VERDICT_LABELS,
    Claim,
    Context,
    Finding,
    verdict_sentence,
)
from hengelo_analysis.analysis.claims.registry import EVALUATORS
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.analysis.table_index import as_indexed
from hengelo_analysis.errors import DataError, ParameterError
from hengelo_analysis.processed import reader

log = logging.getLogger(__name__)

TABLES = (
    "crime",
    "population",
    "survey",
    "incidents",
    "youth",
    "accidents",
    "nuisance",
    "youth_national",
    # no claim reads it; the at-a-glance profile takes the provisional status of a crime year from it
    "crime_monthly",
)


def evaluate(claim: Claim, ctx: Context) -> Finding:
    """Judge one claim; missing or too little data give ``insufficient_data`` with the reason."""
    try:
        verdict, evidence, detail, test, summary = EVALUATORS[claim.kind](claim, ctx)
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError) as exc:
        # The schema checks a claim file's shape, not every value a test needs (a threshold of 0,
        # a text where a number belongs, a missing param): one line naming the claim, never a
        # traceback; --debug shows the cause.
        raise ParameterError(
            f"claim {claim.id} ({claim.kind}) cannot be judged with the parameters of its claim "
            f"file: {type(exc).__name__}: {exc}; check its params and thresholds"
        ) from exc
    except InsufficientData as exc:
        return Finding(
            claim.id,
            INSUFFICIENT,
            {"reden": str(exc)},
            claim.test,
            verdict_sentence(INSUFFICIENT, str(exc)),
            claim.statement,
            # the reader's name for the own gemeente (a code would make the summary give up)
            plain.insufficient(str(exc).replace(ctx.gemeente, ctx.area_name())),
        )
    return Finding(
        claim.id,
        verdict,
        evidence,
        test,
        verdict_sentence(verdict, detail),
        claim.statement,
        summary,
    )


def load_tables(data_dir: str | Path, source: str) -> dict[str, pd.DataFrame]:
    """The processed tables that exist; absent ones are simply not in the dict.

    An absent table is not an error here: the claims that need it get ``insufficient_data``. No
    processed data at all is: the notebooks call this first, so one opened before ``clean`` ran
    stops at once saying so (:func:`~hengelo_analysis.processed.reader.require_processed`).
    """
    reader.require_processed(data_dir, source)
    tables = {}
    for name in TABLES:
        try:
            tables[name] = reader.load_table(data_dir, source, name)
        except DataError:
            log.info("table %s absent: its claims get insufficient_data", name)
    return tables


def evaluate_tables(
    tables: Mapping[str, pd.DataFrame],
    gemeente: str,
    peiljaar: int,
    rate_unit: int = 1000,
    claims: tuple[Claim, ...] | None = None,
) -> list[Finding]:
    """Judge ``claims`` (default: the gemeente's claim file) against ``tables``."""
    # indexed once for all claims: they ask the same tables for the same few areas
    ctx = Context(as_indexed(tables), gemeente, int(peiljaar), int(rate_unit))
    return [
        evaluate(claim, ctx) for claim in (claims if claims is not None else claims_for(gemeente))
    ]


def evaluate_all(
    data_dir: str | Path, source: str, gemeente: str, peiljaar: int, rate_unit: int = 1000
) -> list[Finding]:
    """Evaluate the gemeente's claims against the processed tables of ``source`` under ``data_dir``."""
    return evaluate_tables(load_tables(data_dir, source), gemeente, peiljaar, rate_unit)


def findings_document(
    findings: list[Finding],
    gemeente: str,
    peiljaar: int,
    source: str,
    rate_unit: int = 1000,
    claim_file: ClaimFile | None = None,
    claims: tuple[Claim, ...] | None = None,
) -> dict:
    """The ``findings.json`` document: the edition, the claim file judged, and per claim the verdict.

    Per claim: the policy statement and its section, the verdict (code and Dutch label), the
    sentence, the test line, the evidence, the claim's parameters as judged (the pages draw their
    figures with the same ones), the area the figures describe and the source used. ``area`` and
    ``data_source`` come from the evidence keys ``gebied`` and ``bron`` where an evaluator sets
    them (a proxy area such as Twente, the survey chosen); otherwise the area is the gemeente.
    """
    judged = {c.id: c for c in (claims or (claim_file.claims if claim_file else ()))}
    doc = {
        "gemeente": gemeente,
        "peiljaar": int(peiljaar),
        "source": source,
        "rate_unit": int(rate_unit),
    }
    if claim_file is not None:
        doc["claim_file"] = {
            "name": claim_file.path.name,
            "sha256": claim_file.sha256,
            "title": claim_file.document.get("title", ""),
            "generic": bool(claim_file.document.get("generic", False)),
        }
    doc["claims"] = {
        f.claim_id: _jsonable(_claim_entry(f, judged.get(f.claim_id), gemeente)) for f in findings
    }
    return doc


def _claim_entry(finding: Finding, claim: Claim | None, gemeente: str) -> dict:
    entry = finding.as_dict()
    area = finding.evidence.get("gebied")
    used = finding.evidence.get("bron")
    entry["area"] = area if isinstance(area, str) else gemeente
    entry["data_source"] = used if isinstance(used, str) else None
    if claim is not None:
        entry["section"] = claim.section
        entry["indicator"] = claim.indicator
        entry["params"] = dict(claim.params)
    return entry


def findings_from_document(doc: Mapping) -> dict[str, Finding]:
    """Claim id → :class:`Finding`, rebuilt from a ``findings.json`` document (no evaluation)."""
    return {
        claim_id: Finding(
            claim_id,
            entry["verdict"],
            dict(entry.get("evidence", {})),
            entry.get("test", ""),
            entry.get("sentence", ""),
            entry.get("statement", ""),
            entry.get("summary", ""),
        )
        for claim_id, entry in doc["claims"].items()
    }


def _jsonable(value):
    """Plain Python types for json (numpy/pandas scalars can slip into evidence)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item"):
        return value.item()
    if pd.isna(value):
        return None
    return str(value)


def claim_order(claim_id: str) -> tuple:
    """Sort key for claim ids: C2 before C10 (letters, then the number)."""
    match = re.fullmatch(r"([A-Za-z]*)(\d+)", claim_id)
    return (match.group(1), int(match.group(2))) if match else (claim_id, 0)


def claims_for_index(findings: dict | None) -> list[dict]:
    """The claims of a ``findings.json`` document as table rows, in claim order."""
    if not findings:
        return []
    rows = []
    for claim_id in sorted(findings["claims"], key=claim_order):
        claim = findings["claims"][claim_id]
        verdict = str(claim.get("verdict", ""))
        rows.append(
            {
                "id": claim_id,
                "statement": claim.get("statement", ""),
                "verdict": verdict,
                "verdict_label": VERDICT_LABELS.get(verdict, verdict),
                "sentence": claim.get("sentence", ""),
                "summary": claim.get("summary", ""),
                # which area the figures describe (a proxy such as Twente says so) and where the
                # policy says it; absent in documents written before the findings stage
                "area": claim.get("area", findings.get("gemeente", "")),
                "section": claim.get("section", ""),
            }
        )
    return rows
