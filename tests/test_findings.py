"""Claims C7, C9-C11: for each a tiny data set where the verdict is ``supported`` and a changed one
where it is not, plus missing data → ``insufficient_data`` (C1-C6 and C8: tests/test_claims_*.py). Data are built in the processed-table
contract (docs/data-contract.md); nothing here knows the demo's numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from hengelo_analysis.analysis import claims
from tests.claims_tables import YEARS, G, crime, population, series, verdict

pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)

# --------------------------------------------------------------------------- C7 youth


def youth(halt: dict, jr: dict) -> pd.DataFrame:
    rows = [
        {"area_code": G, "year": y, "measure": "halt_verwijzingen", "count": v}
        for y, v in halt.items()
    ]
    rows += [
        {"area_code": G, "year": y, "measure": "jeugdreclassering", "count": v}
        for y, v in jr.items()
    ]
    return pd.DataFrame(rows).astype({"count": "Int64"})


def test_c7_falling_youth_supported_rising_contradicted():
    yrs = range(2016, 2025)
    falling = youth(series(200, 0.9, yrs), series(80, 0.9, yrs))
    assert verdict("C7", {"youth": falling}).verdict == "supported"
    rising = youth(series(200, 0.9, yrs), series(40, 1.15, yrs))
    assert verdict("C7", {"youth": rising}).verdict == "contradicted"
    assert verdict("C7", {}).verdict == "insufficient_data"


# --------------------------------------------------------------------------- C9 peers

# ten peers: with fewer their dispersion cannot be estimated and C9 is at most not_supported
PEERS = ["GM0794", "GM0398", "GM0345", "GM1674", *(f"GM0{800 + i}" for i in range(6))]


def c9_tables(own_rate_factor: float) -> dict:
    pop = population(
        {
            G: (80_000, 2),
            **{p: (75_000, 2) for p in PEERS},
            "GM0005": (300_000, 2),
            "NL00": (17_000_000, 1),
        }
    )
    spec = {(p, "2.5.2"): dict.fromkeys(YEARS, 375) for p in PEERS}  # 5 per 1,000
    spec[(G, "2.5.2")] = dict.fromkeys(YEARS, round(400 * own_rate_factor))
    spec[("GM0005", "2.5.2")] = dict.fromkeys(YEARS, 3000)  # too big: not a peer
    return {"crime": crime(spec), "population": pop}


def test_c9_below_peers_every_year_supported():
    result = verdict("C9", c9_tables(0.78))
    assert result.verdict == "supported"
    assert result.evidence["peers"] == sorted(PEERS)
    assert result.evidence["per_jaar"]["2024"]["peers"] == pytest.approx(5.0)


def test_c9_at_peer_level_not_supported_above_contradicted():
    assert verdict("C9", c9_tables(1.0)).verdict == "not_supported"
    assert verdict("C9", c9_tables(1.3)).verdict == "contradicted"
    tables = c9_tables(0.78)
    del tables["population"]
    assert verdict("C9", tables).verdict == "insufficient_data"


def test_c9_rate_unit_changes_figures_not_verdict():
    per_10k = verdict("C9", c9_tables(0.78), rate_unit=10_000)
    assert per_10k.verdict == "supported"
    assert per_10k.evidence["per_jaar"]["2024"]["peers"] == pytest.approx(50.0)
    assert "per 10.000 inwoners" in per_10k.sentence


# C10 (joint model over crime, nuisance and E33): tests/test_claims_regions.py


# --------------------------------------------------------------------------- C11 digital


def c11_tables(traditional_factor: float, fraud_zeros_before_2016: bool = True) -> dict:
    fraud = series(300, 1.06)
    if fraud_zeros_before_2016:
        fraud = {y: (0 if y < 2016 else v) for y, v in fraud.items()}
    spec = {
        (G, "3.7.4"): series(20, 1.12),
        (G, "3.9.1"): fraud,
        (G, "3.9.2"): dict.fromkeys(YEARS, 8),
        (G, "3.9.3"): series(60, 1.05),
    }
    for code in claims.claim_file_for(G).claim("C11").params["traditional"]:
        spec[(G, code)] = series(150, traditional_factor)
    return {"crime": crime(spec)}


def test_c11_digital_up_traditional_down_supported_and_break_respected():
    result = verdict("C11", c11_tables(0.95))
    assert result.verdict == "supported"
    assert result.evidence["digitaal"]["jaren"] == "2016-2024"


def test_c11_both_rising_not_supported_reverse_shift_contradicted():
    assert verdict("C11", c11_tables(1.04)).verdict == "not_supported"
    reverse = c11_tables(1.04)
    df = reverse["crime"]
    digital = df["crime_code"].isin(["3.7.4", "3.9.1", "3.9.2", "3.9.3"])
    df.loc[digital, "registered"] = df.loc[digital, "year"].map(series(400, 0.9)).astype("Int64")
    assert verdict("C11", reverse).verdict == "contradicted"


# --------------------------------------------------------------------------- document
