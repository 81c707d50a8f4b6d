"""Small tables with known verdicts for the claims C1-C6 and C8 (issue 12).

Each case is ``(claim id, tables, expected verdict)``; the per-claim tests check the verdicts and
tests/test_verdict_sentences.py scans every sentence the cases produce. Nothing here knows the
demo's numbers.
"""

from __future__ import annotations

from hengelo_analysis.domain import COMMON_CRIME
from tests.claims_tables import (
    C5_SMALL_SIGNIFICANT,
    YEARS,
    G,
    crime,
    incidents,
    nuisance,
    population,
    series,
    survey_rows,
)

C1_YEARS = range(2015, 2025)
WIJK = "WK016401"


def rising_then(last_two: tuple[float, float]) -> dict[int, int]:
    """12%/yr up to 2022, then 2023 and 2024 as fractions of 2022."""
    values = series(400, 1.12, range(2015, 2023))
    values[2023] = round(values[2022] * last_two[0])
    values[2024] = round(values[2022] * last_two[1])
    return values


def c1_open(values: dict[int, int]) -> dict:
    """Only the open police table: the gemeente by month (47024NED-like) and one wijk."""
    half = {y: v // 2 for y, v in values.items()}
    return {"nuisance": nuisance({(G, "E33"): values, (WIJK, "E33"): half}, monthly=True)}


NOISY = [200, 230, 190, 215, 205, 180, 225, 210, 195, 220, 200, 185, 215]


def common_crime(area: str, total: float, factor: float, noise=None) -> dict:
    """Veelvoorkomende criminaliteit of ``area`` spread evenly over the COMMON_CRIME codes."""
    spec = {}
    for code in COMMON_CRIME:
        values = series(total / len(COMMON_CRIME), factor)
        if noise is not None:
            values = {y: round(v * n) for (y, v), n in zip(values.items(), noise, strict=True)}
        spec[(area, code)] = values
    return spec


def c2(own_factor: float, nl_factor: float | None = 0.98, own_total: float = 6000, noise=None):
    spec = common_crime(G, own_total, own_factor, noise)
    if nl_factor is not None:
        spec.update(common_crime("NL00", 900_000, nl_factor))
    return {
        "crime": crime(spec),
        "population": population({G: (80_000, 2), "NL00": (17_000_000, 1)}),
    }


def c3(bikes: tuple[int, int], others: list[tuple[int, int]], rest: int = 368) -> dict:
    """Total = bikes + the other codes + ``rest`` (codes not listed)."""
    spec = {(G, "1.2.3"): {2021: bikes[0], 2022: bikes[1]}}
    for n, (a, b) in enumerate(others):
        spec[(G, f"1.1.{n + 1}")] = {2021: a, 2022: b}
    total = {
        y: spec[(G, "1.2.3")][y] + sum(v[y] for k, v in spec.items() if k[1] != "1.2.3") + rest
        for y in (2021, 2022)
    }
    spec[(G, "0.0.0")] = total
    return {"crime": crime(spec)}


def c4(accidents_per_year: int, drugs_factor: float = 1.06, bron: bool = False) -> dict:
    tables = {
        "crime": crime(
            {
                (G, "1.3.1"): dict.fromkeys(YEARS, accidents_per_year),  # 160 = 2 per 1,000
                ("NL00", "1.3.1"): dict.fromkeys(YEARS, 17_000),  # 1 per 1,000
                (G, "3.5.2"): series(100, drugs_factor),
            }
        ),
        "population": population({G: (80_000, 2), "NL00": (17_000_000, 1)}),
    }
    if bron:
        import pandas as pd

        tables["accidents"] = pd.DataFrame(
            [
                {"area_code": G, "year": y, "severity": s, "accidents": n}
                for y, v in series(120, 0.95, range(2013, 2025)).items()
                for s, n in (("LET", v), ("DOD", 2), ("UMS", 5 * v))
            ]
        ).astype({"accidents": "Int64"})
    return tables


def c5(onveilig, tevreden, years=(2021, 2023), **kwargs):
    """(value1, value2, margin) per indicator."""
    rows = [
        ("onveilig_buurt", years[0], onveilig[0], onveilig[2]),
        ("onveilig_buurt", years[1], onveilig[1], onveilig[2]),
        ("tevreden_aanpak_gemeente", years[0], tevreden[0], tevreden[2]),
        ("tevreden_aanpak_gemeente", years[1], tevreden[1], tevreden[2]),
    ]
    return {"survey": survey_rows(rows, **kwargs)}


C6_ITEMS = [
    "overlast_drugsgebruik",
    "overlast_drugshandel",
    "overlast_dronken_mensen",
    "overlast_rondhangende_jongeren",
]
PROXY_NOTE = (
    "regio VR05: Hengelo (GM0164) staat niet in de Veiligheidsmonitor-tabel 85146NED; "
    "de cijfers gelden voor Twente (VR05)"
)


def c6(
    rise: float,
    police_factor: float,
    *,
    source: str = "eigen_enquete",
    other_item: float = 5.0,
    drop_base_item: str | None = None,
    method_note: str | None = None,
) -> dict:
    rows = [(i, 2019, 10.0, 1.0) for i in C6_ITEMS if i != drop_base_item]
    rows += [(i, 2023, 10.0 + rise, 1.0) for i in C6_ITEMS]
    rows += [
        ("overlast_verwarde_personen", 2019, 5.0, 1.0),
        ("overlast_verwarde_personen", 2023, other_item, 1.0),
    ]
    years = range(2016, 2025)
    return {
        "survey": survey_rows(rows, source=source, method_note=method_note),
        "crime": crime({(G, "2.1.1"): series(80, police_factor, years)}),
        "nuisance": nuisance({(G, "E38"): series(400, police_factor, years)}),
    }


def c8_six_points() -> dict:
    """A fall with z = 2.3 on 6 points: significant by z (p 0.02), not by t on 4 df (p 0.08)."""
    values = series(200, 0.962, range(2014, 2020))
    return {"crime": crime({(G, "2.5.1"): values})}


SUPPORTED, NOT_SUPPORTED = "supported", "not_supported"
CONTRADICTED, INSUFFICIENT = "contradicted", "insufficient_data"

CASES: dict[str, tuple[str, dict, str]] = {
    # C1 "blijft toenemen"
    "c1_rising_supplied": ("C1", {"incidents": incidents(series(400, 1.12, C1_YEARS))}, SUPPORTED),
    "c1_rising_open_table": ("C1", c1_open(series(400, 1.12, C1_YEARS)), SUPPORTED),
    "c1_falling_last_two_years": (
        "C1",
        {"incidents": incidents(rising_then((0.9, 0.8)))},
        CONTRADICTED,
    ),
    "c1_last_year_dips": ("C1", {"incidents": incidents(rising_then((1.05, 0.98)))}, NOT_SUPPORTED),
    "c1_flat": ("C1", {"incidents": incidents(dict.fromkeys(C1_YEARS, 500))}, NOT_SUPPORTED),
    "c1_falling": ("C1", {"incidents": incidents(series(700, 0.9, C1_YEARS))}, CONTRADICTED),
    "c1_short": (
        "C1",
        {"incidents": incidents(series(400, 1.12, range(2021, 2025)))},
        INSUFFICIENT,
    ),
    "c1_no_tables": ("C1", {}, INSUFFICIENT),
    # C2 direction of veelvoorkomende criminaliteit, gemeente and NL
    "c2_both_fall": ("C2", c2(0.97), SUPPORTED),
    "c2_minus1_vs_minus5": ("C2", c2(0.99, 0.95, own_total=60_000), SUPPORTED),
    "c2_noisy_flat": ("C2", c2(1.0, noise=[n / 205 for n in NOISY]), NOT_SUPPORTED),
    "c2_own_rises": ("C2", c2(1.03), CONTRADICTED),
    "c2_nl_rises": ("C2", c2(0.97, 1.02), NOT_SUPPORTED),
    "c2_no_nl": ("C2", c2(0.97, None), INSUFFICIENT),
    # C3 a light rise in 2022, at least half of it bicycle theft
    "c3_bikes_drive_small_rise": ("C3", c3((342, 516), [(3000, 3016)]), SUPPORTED),
    "c3_bikes_flat": ("C3", c3((342, 342), [(3000, 3190)]), NOT_SUPPORTED),
    "c3_rise_spread_over_types": (
        "C3",
        c3((342, 402), [(300, 325)] * 10),
        NOT_SUPPORTED,
    ),
    "c3_large_rise": ("C3", c3((342, 900), [(3000, 3300)]), NOT_SUPPORTED),
    "c3_fall": ("C3", c3((342, 300), [(3000, 2700)]), CONTRADICTED),
    # C4 many accidents; "onder invloed van drugs" cannot be supported by 3.5.2
    "c4_many_accidents_more_3_5_2": ("C4", c4(160), NOT_SUPPORTED),
    "c4_with_bron": ("C4", c4(160, bron=True), NOT_SUPPORTED),
    "c4_few_accidents": ("C4", c4(40, 0.94), CONTRADICTED),
    "c4_level_accidents": ("C4", c4(80), NOT_SUPPORTED),
    # C5 direction and no large shift (TOST)
    "c5_small_significant": ("C5", {"survey": C5_SMALL_SIGNIFICANT}, SUPPORTED),
    "c5_issue_4_4_points": ("C5", c5((20.0, 24.4, 9.6), (30.0, 27.5, 0.8)), NOT_SUPPORTED),
    "c5_opposite_direction": ("C5", c5((24.0, 21.0, 0.8), (30.0, 27.5, 0.8)), CONTRADICTED),
    "c5_not_significant": ("C5", c5((24.0, 24.5, 2.0), (30.0, 29.5, 2.0)), NOT_SUPPORTED),
    "c5_large_shift": ("C5", c5((24.0, 34.0, 1.0), (30.0, 27.5, 0.8)), CONTRADICTED),
    "c5_proxy_area": (
        "C5",
        c5((24.0, 27.0, 0.8), (30.0, 27.5, 0.8), method_note=PROXY_NOTE),
        NOT_SUPPORTED,
    ),
    "c5_across_method_break": (
        "C5",
        c5((24.0, 27.0, 0.8), (30.0, 27.5, 0.8), years=(2019, 2021)),
        INSUFFICIENT,
    ),
    # C6 named items up since 2019, named most, police up
    "c6_all_hold": ("C6", c6(6.0, 1.15), SUPPORTED),
    "c6_vm_across_break": ("C6", c6(6.0, 1.15, source="veiligheidsmonitor"), INSUFFICIENT),
    "c6_item_missing_in_base": (
        "C6",
        c6(6.0, 1.15, drop_base_item="overlast_drugshandel"),
        INSUFFICIENT,
    ),
    "c6_not_named_most": ("C6", c6(6.0, 1.15, other_item=25.0), NOT_SUPPORTED),
    "c6_police_falls": ("C6", c6(6.0, 0.85), NOT_SUPPORTED),
    "c6_everything_falls": ("C6", c6(-6.0, 0.85), CONTRADICTED),
    "c6_flat_survey": ("C6", c6(0.5, 1.15), NOT_SUPPORTED),
    "c6_proxy_area": ("C6", c6(6.0, 1.15, method_note=PROXY_NOTE), NOT_SUPPORTED),
    # C8 business theft falls
    "c8_falls": ("C8", {"crime": crime({(G, "2.5.1"): series(250, 0.93)})}, SUPPORTED),
    "c8_rises": ("C8", {"crime": crime({(G, "2.5.1"): series(150, 1.05)})}, CONTRADICTED),
    "c8_noisy_flat": (
        "C8",
        {"crime": crime({(G, "2.5.1"): dict(zip(YEARS, NOISY, strict=True))})},
        NOT_SUPPORTED,
    ),
    "c8_six_points_t_not_z": ("C8", c8_six_points(), NOT_SUPPORTED),
    "c8_too_short": (
        "C8",
        {"crime": crime({(G, "2.5.1"): series(250, 0.9, range(2021, 2025))})},
        INSUFFICIENT,
    ),
}
