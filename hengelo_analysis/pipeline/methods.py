"""The facts the Verantwoording page explains, taken from where the analysis keeps them.

The page is a template; every year, threshold and code name it states comes from here, so the
page says what the code does (a changed threshold changes the page, not a copy of it).
"""

from __future__ import annotations

from collections.abc import Mapping

from hengelo_analysis import domain
from hengelo_analysis.analysis import disclosure, peers


def method_facts(findings: Mapping) -> dict:
    """What the Verantwoording page needs: method breaks, disclosure rules, code names, claims."""
    claims = findings.get("claims", {})
    return {
        "corona_years": domain.CORONA_YEARS,
        "vm_break_year": domain.VM_METHOD_BREAK_YEAR,
        "bron_break_last_year": domain.BRON_BREAK_LAST_YEAR,
        "registration_breaks": [
            (code, domain.POLICE_CODE_NAMES.get(code, ""), year)
            for code, year in sorted(domain.REGISTRATION_BREAKS.items())
        ],
        "threshold": disclosure.DEFAULT_THRESHOLD,
        "min_population": disclosure.DEFAULT_MIN_POPULATION,
        "secondary_label": disclosure.SECONDARY_LABEL,
        "peer_band_pct": round(peers.DEFAULT_BAND * 100),
        "common_crime": [(c, domain.POLICE_CODE_NAMES.get(c, "")) for c in domain.COMMON_CRIME],
        "codes": sorted(domain.POLICE_CODE_NAMES.items()),
        "regions": sorted(domain.SAFETY_REGION_NAMES.items()),
        "police_table": domain.POLICE_TABLE,
        "survey_table": domain.VEILIGHEIDSMONITOR_TABLE,
        "claims": [
            {"id": cid, "statement": c.get("statement", ""), "test": c.get("test", "")}
            for cid, c in sorted(claims.items(), key=lambda kv: _claim_order(kv[0]))
        ],
    }


def _claim_order(claim_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in claim_id if ch.isdigit())
    return (int(digits) if digits else 0, claim_id)
