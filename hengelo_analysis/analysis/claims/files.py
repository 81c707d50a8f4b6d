"""Claim files: the claims of one policy document as reviewable data, checked against a schema.

A claim file (TOML, in ``files/``) quotes each sentence of the policy verbatim with its section,
indicator, test and evaluator kind, its parameters, and every threshold or margin with the reason
for its value. Changing a threshold in the file alone changes the verdict: the evaluators read
their thresholds from the claim, never from their own defaults.

The file is checked at start against ``files/claim_file.schema.json`` (jsonschema) and against
what the code knows (the evaluator kinds, unique ids, a claim id for every checked sentence); any
fault is one :class:`~hengelo_analysis.errors.DataError` naming the file and the claim.

A gemeente whose configuration (``hengelo_analysis/gemeenten/<GMxxxx>.toml``) names a claim file
gets those claims; every other gemeente gets ``files/generic.toml``, whose statements name no
gemeente.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from hengelo_analysis.analysis.claims.model import Claim
from hengelo_analysis.analysis.claims.registry import EVALUATORS
from hengelo_analysis.errors import DataError
from hengelo_analysis.gemeente_config import config_for
from hengelo_analysis.paths import CLAIM_FILES_DIR, GENERIC_CLAIM_FILE

FILES_DIR = CLAIM_FILES_DIR
SCHEMA_FILE = FILES_DIR / "claim_file.schema.json"
GENERIC_FILE = GENERIC_CLAIM_FILE


@dataclass(frozen=True)
class Sentence:
    """One sentence of the policy chapter: the claim that checks it, or why it cannot be checked."""

    section: str
    text: str
    claim: str | None = None
    not_checkable: str | None = None


@dataclass(frozen=True)
class ClaimFile:
    path: Path
    sha256: str  # part of the findings cache key: a changed file is a new evaluation
    document: dict
    claims: tuple[Claim, ...]
    sentences: tuple[Sentence, ...]

    def claim(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise KeyError(f"{self.path.name} has no claim {claim_id}")


@functools.lru_cache(maxsize=2)
def _validator(schema_text: str):
    """The validator of the schema (checked itself once per text: a run loads a file per edition)."""
    schema = json.loads(schema_text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _claim(entry: dict) -> Claim:
    thresholds = entry.get("thresholds", {})
    params = {**entry.get("params", {}), **{k: t["value"] for k, t in thresholds.items()}}
    return Claim(
        entry["id"],
        entry["statement"],
        entry["indicator"],
        entry["test"],
        entry["kind"],
        params,
        section=entry["section"],
        reasons={k: t["reason"] for k, t in thresholds.items()},
    )


def threshold_fault(value) -> str | None:
    """Why a threshold's value is unusable, or None: a number must be finite and >= 0.

    Every threshold is a non-negative quantity (a share, a number of years, a count, a margin);
    nan, inf or a negative one would only give nonsense sentences ("de jaren nan-2024").
    Booleans and texts are the evaluators' business (they refuse a wrong kind in one line).
    """
    if isinstance(value, list):
        return next((f for f in map(threshold_fault, value) if f), None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return f"is {value!r}: not a finite number"
    if value < 0:
        return f"is {value!r}: must be 0 or more"
    return None


def _check_against_code(path: Path, doc: dict, kinds: Iterable[str]) -> None:
    known = set(kinds)
    ids = [c["id"] for c in doc["claims"]]
    for claim in doc["claims"]:
        if claim["kind"] not in known:
            raise DataError(path, f"claim {claim['id']}: unknown kind {claim['kind']!r}")
        for name, threshold in claim.get("thresholds", {}).items():
            fault = threshold_fault(threshold.get("value"))
            if fault:
                raise DataError(path, f"claim {claim['id']}: threshold {name} {fault}")
        clash = set(claim.get("params", {})) & set(claim.get("thresholds", {}))
        if clash:
            raise DataError(
                path, f"claim {claim['id']}: {sorted(clash)} both a param and a threshold"
            )
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DataError(path, f"claim ids used twice: {', '.join(duplicates)}")
    for sentence in doc.get("sentences", []):
        if sentence.get("claim") and sentence["claim"] not in ids:
            raise DataError(
                path, f"sentence {sentence['text'][:40]!r} names unknown claim {sentence['claim']}"
            )


def load_claim_file(path: str | Path, kinds: Iterable[str] | None = None) -> ClaimFile:
    """Read and check one claim file; ``kinds`` are the evaluator kinds the code knows."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        doc = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(path, f"not a readable claim file ({exc})") from exc
    # what jsonschema.validate does, without checking the schema itself again each time
    exc = jsonschema.exceptions.best_match(
        _validator(SCHEMA_FILE.read_text(encoding="utf-8")).iter_errors(doc)
    )
    if exc is not None:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise DataError(path, f"{where}: {exc.message}") from None
    _check_against_code(path, doc, EVALUATORS if kinds is None else kinds)
    return ClaimFile(
        path,
        hashlib.sha256(raw).hexdigest(),
        doc["document"],
        tuple(_claim(c) for c in doc["claims"]),
        tuple(Sentence(**s) for s in doc.get("sentences", [])),
    )


def claim_file_path(gemeente: str) -> Path:
    """The claim file the gemeente's shipped configuration names, else the generic one."""
    return config_for(gemeente).claims_file
