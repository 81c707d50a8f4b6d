"""Which claims apply to a gemeente: the claim file its configuration names, or the generic one.

See :mod:`.files` for the file format and :mod:`hengelo_analysis.gemeente_config` for the choice.
"""

from __future__ import annotations

from functools import cache

from hengelo_analysis.analysis.claims.files import ClaimFile, claim_file_path, load_claim_file
from hengelo_analysis.analysis.claims.model import Claim


@cache
def _load(path: str) -> ClaimFile:
    return load_claim_file(path)


def claim_file_for(gemeente: str) -> ClaimFile:
    """The checked claim file of ``gemeente`` (read once per process)."""
    return _load(str(claim_file_path(gemeente)))


def claims_for(gemeente: str) -> tuple[Claim, ...]:
    return claim_file_for(gemeente).claims
