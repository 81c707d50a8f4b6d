"""The processed tables the claim tests build: tiny invented data in the processed-table contract.

Nothing here knows the demo's numbers (docs/data-contract.md describes the columns).
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis.claims import claim_file_for, evaluate_tables

G = "GM0164"  # a Twente gemeente (C10 needs one); the tables below are invented
YEARS = range(2012, 2025)


def series(base: float, factor: float, years=YEARS) -> dict[int, int]:
    return {y: round(base * factor ** (y - years[0])) for y in years}


def crime(spec: dict[tuple[str, str], dict[int, int | None]]) -> pd.DataFrame:
    rows = [
        {
            "area_code": area,
            "area_level": "land" if area == "NL00" else "gemeente",
            "gemeente_code": None if area == "NL00" else area,
            "area_name": area,
            "year": year,
            "crime_code": code,
            "crime_label": code,
            "registered": value,
        }
        for (area, code), values in spec.items()
        for year, value in values.items()
    ]
    return pd.DataFrame(rows).astype({"registered": "Int64"})


def population(spec: dict[str, tuple[int, int]], years=YEARS) -> pd.DataFrame:
    rows = [
        {
            "area_code": area,
            "area_level": "land" if area == "NL00" else "gemeente",
            "year": y,
            "inhabitants": inhabitants,
            "stedelijkheid": klasse,
            "kwb_table": "test",
        }
        for area, (inhabitants, klasse) in spec.items()
        for y in years
    ]
    return pd.DataFrame(rows).astype({"inhabitants": "Int64", "stedelijkheid": "Int64"})


def verdict(claim_id: str, tables: dict, peiljaar: int = 2024, rate_unit: int = 1000):
    claim = claim_file_for(G).claim(claim_id)
    return evaluate_tables(tables, G, peiljaar, rate_unit, claims=(claim,))[0]


# Findings of the known-answer cases, by (claim id, id of the case's tables): the case tables are
# module constants, and the known-answer tests and the sentence test judge the same cases.
_case_findings: dict[tuple[str, int], object] = {}


def case_verdict(claim_id: str, tables: dict):
    """``verdict(claim_id, tables)`` of a known-answer case, judged once per test session."""
    key = (claim_id, id(tables))
    if key not in _case_findings:
        _case_findings[key] = verdict(claim_id, tables)
    return _case_findings[key]


def survey(rows: list[tuple[str, int, float, float]]) -> pd.DataFrame:
    """rows: (indicator, year, value, margin)."""
    return pd.DataFrame(
        [
            {
                "area_code": G,
                "area_level": "gemeente",
                "year": y,
                "indicator": i,
                "value": v,
                "lower": v - m,
                "upper": v + m,
                "n": 1500,
                "source": "veiligheidsmonitor",
                "method_note": None,
            }
            for i, y, v, m in rows
        ]
    ).astype({"n": "Int64"})


def survey_rows(
    rows: list[tuple[str, int, float, float]],
    *,
    source: str = "veiligheidsmonitor",
    method_note: str | None = None,
) -> pd.DataFrame:
    """Like :func:`survey`, with the source and ``method_note`` (a proxy area's note) chosen."""
    frame = survey(rows)
    frame["source"] = source
    frame["method_note"] = method_note
    return frame


def incidents(values: dict[int, int], monthly: bool = False, area: str = G) -> pd.DataFrame:
    """The supplied ``incidents`` table: E33 year rows, or 12 month rows per year."""
    rows = []
    for year, v in values.items():
        months = range(1, 13) if monthly else [None]
        for m in months:
            count = v if m is None else v // 12 + (1 if m <= v % 12 else 0)
            rows.append(
                {
                    "area_code": area,
                    "year": year,
                    "month": m,
                    "incident_code": "E33",
                    "incidents": count,
                }
            )
    return pd.DataFrame(rows).astype({"month": "Int64", "incidents": "Int64"})


def nuisance(spec: dict[tuple[str, str], dict[int, int]], monthly: bool = False) -> pd.DataFrame:
    """The police ``nuisance`` table: per (area, code) year figures, or 12 months per year."""
    rows = []
    for (area, code), values in spec.items():
        level = {"GM": "gemeente", "WK": "wijk", "NL": "land"}[area[:2]]
        for year, v in values.items():
            months = range(1, 13) if monthly else [None]
            for m in months:
                count = v if m is None else v // 12 + (1 if m <= v % 12 else 0)
                rows.append(
                    {
                        "area_code": area,
                        "area_level": level,
                        "year": year,
                        "month": m,
                        "nuisance_code": code,
                        "nuisance_label": code,
                        "registered": count,
                        "provisional": False,
                    }
                )
    return pd.DataFrame(rows).astype({"month": "Int64", "registered": "Int64"})


# C5: +3 and -2.5 points with tight margins: significant in the stated direction, 90% intervals
# inside ±5 (and not inside ±3: the threshold test in test_claim_files.py)
C5_SMALL_SIGNIFICANT = survey(
    [
        ("onveilig_buurt", 2021, 24.0, 0.8),
        ("onveilig_buurt", 2023, 27.0, 0.8),
        ("tevreden_aanpak_gemeente", 2021, 30.0, 0.8),
        ("tevreden_aanpak_gemeente", 2023, 27.5, 0.8),
    ]
)


# --- builders for C7, C9-C16 (tests/test_claims_regions.py, tests/test_claims_new.py) -----------


def youth_rows(spec: dict[tuple[str, str], dict[int, int | None]]) -> pd.DataFrame:
    """The ``youth`` (or ``youth_national``) table: spec (area, measure) -> {year: count}."""
    rows = [
        {"area_code": area, "year": y, "measure": measure, "count": v}
        for (area, measure), values in spec.items()
        for y, v in values.items()
    ]
    return pd.DataFrame(rows).astype({"count": "Int64"})


def with_businesses(pop: pd.DataFrame, per_inhabitant: dict[str, float | None]) -> pd.DataFrame:
    """``population`` with ``business_establishments`` = inhabitants × rate (None: not published)."""
    out = pop.copy()
    rate = out["area_code"].map(per_inhabitant)
    values = [
        None if pd.isna(r) else round(float(n) * r)
        for n, r in zip(out["inhabitants"], rate, strict=True)
    ]
    out["business_establishments"] = pd.array(values, dtype="Int64")
    return out


def survey_area(area: str, rows: list[tuple[str, int, float, float, float]]) -> pd.DataFrame:
    """Veiligheidsmonitor rows of one area: (indicator, year, value, lower, upper)."""
    return pd.DataFrame(
        [
            {
                "area_code": area,
                "area_level": "land" if area.startswith("NL") else "gemeente",
                "year": y,
                "indicator": i,
                "value": v,
                "lower": lo,
                "upper": hi,
                "n": None,
                "source": "veiligheidsmonitor",
                "method_note": None,
            }
            for i, y, v, lo, hi in rows
        ]
    ).astype({"n": "Int64"})
