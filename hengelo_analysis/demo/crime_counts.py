"""The invented numbers of the demo 47018NED: registered crimes per area, crime code and year.

Built so that the chapter-2 picture of Hengelo's policy holds: common crime falls, 2022 rises a
little because of bicycle theft (1.2.3), business theft (2.5.1) falls, shoplifting (2.5.2) stays
below the peer gemeenten, cybercrime (3.7.4) and drug/alcohol nuisance (2.1.1, since 2019) rise.
Counts are Poisson draws, so there is real noise, small buurt counts and suppressed (null) cells
for the analysis to handle. The OData shape around them is :mod:`hengelo_analysis.demo.crime`.

Draw order matters: one shared generator serves the peers and the random suppression, so the
steps below run, and fill :data:`Counts`, in a fixed order to keep the demo byte-identical.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from hengelo_analysis.demo.draws import cell_rng, poisson
from hengelo_analysis.demo.geography import (
    DEMO_SEED,
    GEMEENTEN,
    NL_INHABITANTS_2012,
    NL_INHABITANTS_2024,
    YEARS,
    Buurt,
    growth_factor,
)
from hengelo_analysis.domain import NL_CODE, REGISTRATION_BREAKS, TOTAL_CRIME

HENGELO = "GM0164"
# area code → {(crime code, year): count, or None when not published}
Counts = dict[str, dict[tuple[str, int], int | None]]

# Registered crimes per 1,000 inhabitants in 2012 and the yearly trend factor (invented, of the
# order of the national figures).
RATES: dict[str, tuple[float, float]] = {
    "1.1.1": (5.0, 0.92),
    "1.1.2": (1.5, 0.95),
    "1.2.1": (6.0, 0.93),
    "1.2.2": (0.9, 0.96),
    "1.2.3": (6.5, 0.96),
    "1.2.4": (1.6, 0.93),
    "1.2.5": (0.5, 0.97),
    "1.3.1": (1.5, 0.995),
    "1.4.1": (0.4, 1.03),
    "1.4.2": (0.05, 1.0),
    "1.4.3": (0.3, 0.98),
    "1.4.4": (1.6, 1.0),
    "1.4.5": (2.9, 0.98),
    "1.4.6": (0.4, 0.93),
    "1.4.7": (0.1, 0.9),
    "1.5.2": (0.15, 0.97),
    "1.6.1": (0.5, 0.99),
    "1.6.2": (3.5, 0.98),
    "1.6.3": (0.02, 1.0),
    "2.1.1": (0.35, 0.98),
    "2.2.1": (7.5, 0.95),
    "2.4.1": (0.3, 0.97),
    "2.4.2": (0.4, 0.98),
    "2.5.1": (3.5, 0.93),
    "2.5.2": (4.5, 0.98),
    "2.6.1": (0.03, 1.0),
    "2.6.2": (0.01, 1.0),
    "2.6.3": (0.01, 1.0),
    "2.6.4": (0.08, 1.0),
    "2.6.5": (0.005, 1.0),
    "2.6.7": (0.01, 1.0),
    "2.6.8": (0.005, 1.0),
    "2.6.9": (0.1, 1.0),
    "2.6.10": (0.003, 1.0),
    "2.6.11": (0.03, 1.0),
    "2.6.12": (0.01, 1.0),
    "2.6.13": (0.05, 1.0),
    "2.6.14": (0.005, 1.0),
    "2.7.2": (0.3, 0.99),
    "2.7.3": (0.2, 0.99),
    "3.1.1": (0.8, 0.99),
    "3.1.2": (0.02, 1.0),
    "3.1.3": (0.3, 1.02),
    "3.2.1": (0.1, 1.05),
    "3.2.2": (0.005, 1.0),
    "3.3.2": (0.001, 1.0),
    "3.3.5": (0.002, 1.0),
    "3.4.2": (0.005, 1.0),
    "3.5.2": (1.4, 1.03),
    "3.5.5": (1.0, 0.98),
    "3.6.4": (1.2, 0.99),
    "3.7.1": (0.05, 1.0),
    "3.7.2": (0.1, 0.98),
    "3.7.3": (0.3, 0.99),
    "3.7.4": (0.15, 1.15),
    "3.9.1": (3.0, 1.06),
    "3.9.2": (0.1, 1.0),
    "3.9.3": (0.8, 1.05),
}
# Codes that follow visitors, shops and businesses rather than residents.
ACTIVITY_CODES = {"1.2.1", "1.2.4", "1.3.1", "2.1.1", "2.2.1", "2.5.1", "2.5.2", "3.6.4", "3.1.1"}
# Corona years: street and shop crime down, online crime up.
CORONA = {
    2020: {"1.2.4": 0.6, "2.5.2": 0.85, "1.1.1": 0.8, "3.7.4": 1.3, "3.9.1": 1.2, "1.4.6": 0.8},
    2021: {"1.2.4": 0.7, "2.5.2": 0.9, "1.1.1": 0.85, "3.7.4": 1.2, "3.9.1": 1.15, "1.4.6": 0.85},
}
# "3.9.1 not registered before 2016" (data provider): no counts before the registration break.
HORIZONTAL_FRAUD_FIRST_YEAR = REGISTRATION_BREAKS["3.9.1"]
# Hengelo-specific shape of the chapter-2 picture.
# Shoplifting below the peers (C9); many road accidents, above the national rate (C4).
HENGELO_FACTORS = {"2.5.2": 0.78, "1.3.1": 1.45}
HENGELO_EXTRA = {("1.2.3", 2022): 1.8, ("1.2.3", 2023): 1.3}
NULL_CODES_BELOW_GEMEENTE = {"1.4.1"}  # zeden: not published per wijk/buurt
RANDOM_NULL_SHARE = 0.004
UNLOCATED_SHARE = 0.02  # crimes the police could not place in a buurt count for the gemeente only


def _year_factor(code: str, year: int) -> float:
    base, trend = RATES[code]
    factor = base * trend ** (year - 2012)
    if code == "2.1.1" and year > 2019:
        factor = base * trend ** (2019 - 2012) * 1.16 ** (year - 2019)
    factor *= CORONA.get(year, {}).get(code, 1.0)
    return factor


def _year_factor(code: str, year: int) -> float:
    base, trend = RATES[code]
    factor = base * trend ** (year - 2012)
    if code == "2.1.1" and year > 2019:
        factor = base * trend ** (2019 - 2012) * 1.16 ** (year - 2019)
    factor *= CORONA.get(year, {}).get(code, 1.0)
    return factor


def _not_registered(code: str, year: int) -> bool:
    return code == "3.9.1" and year < HORIZONTAL_FRAUD_FIRST_YEAR


def _buurt_counts(codes: list[str], buurten: Sequence[Buurt]) -> tuple[dict, dict]:
    """Hengelo per buurt, and the crimes the police could not place (``unlocated``, per code/year)."""
    hengelo = next(g for g in GEMEENTEN if g.code == HENGELO)
    activity_total = sum(b.activity for b in buurten)
    counts: dict[tuple[str, str, int], int | None] = {}
    unlocated: dict[tuple[str, int], int] = {}
    for year in YEARS:
        g = growth_factor(year)
        for code in codes:
            if _not_registered(code, year):
                for b in buurten:
                    counts[(b.code, code, year)] = None
                continue
            per_1000 = _year_factor(code, year) * HENGELO_FACTORS.get(code, 1.0)
            per_1000 *= HENGELO_EXTRA.get((code, year), 1.0)
            expected_total = per_1000 * hengelo.inhabitants_2024 * g / 1000
            for b in buurten:
                if code in ACTIVITY_CODES:
                    share = 0.5 * b.inhabitants_2024 / hengelo.inhabitants_2024
                    share += 0.5 * b.activity / activity_total
                else:
                    share = b.inhabitants_2024 / hengelo.inhabitants_2024
                lam = expected_total * (1 - UNLOCATED_SHARE) * share
                counts[(b.code, code, year)] = poisson(cell_rng(b.code, code, year), lam)
            unlocated[(code, year)] = poisson(
                cell_rng(f"{HENGELO}-unlocated", code, year), expected_total * UNLOCATED_SHARE
            )
    return counts, unlocated


def _hengelo_areas(
    counts: dict, unlocated: dict, codes: list[str], buurten: Sequence[Buurt], wijken: list[str]
) -> Counts:
    """Buurt, wijk and gemeente rows of Hengelo; wijken sum their buurten, the gemeente adds the
    unlocated crimes."""
    areas: Counts = {}
    for year in YEARS:
        for code in codes:
            wijk_sum = {w: 0 for w in wijken}
            any_value = False
            for b in buurten:
                v = counts[(b.code, code, year)]
                if v is not None:
                    wijk_sum[b.wijk_code] += v
                    any_value = True
                areas.setdefault(b.code, {})[(code, year)] = v
            for w in wijken:
                areas.setdefault(w, {})[(code, year)] = wijk_sum[w] if any_value else None
            gm = unlocated[(code, year)] if any_value else None
            areas.setdefault(HENGELO, {})[(code, year)] = (
                None if gm is None else gm + sum(wijk_sum.values())
            )
    return areas


def _add_peers(areas: Counts, codes: list[str], rng: random.Random) -> None:
    """Other gemeenten: gemeente-level figures only, each with a level of its own."""
    for gem in GEMEENTEN:
        if gem.code == HENGELO:
            continue
        level = math.exp(rng.gauss(0, 0.15)) * (1 + 0.15 * (3 - gem.stedelijkheid))
        shop = 1.0 + 0.35 * rng.random()  # peers shoplift more than demo Hengelo (0.78)
        for year in YEARS:
            for code in codes:
                if _not_registered(code, year):
                    areas.setdefault(gem.code, {})[(code, year)] = None
                    continue
                lam = _year_factor(code, year) * level * gem.inhabitants_2024 / 1000
                lam *= growth_factor(year) * (shop if code == "2.5.2" else 1.0)
                areas.setdefault(gem.code, {})[(code, year)] = poisson(
                    cell_rng(gem.code, code, year), lam
                )


def _add_nederland(areas: Counts, codes: list[str]) -> None:
    for year in YEARS:
        nl = NL_INHABITANTS_2012 + (NL_INHABITANTS_2024 - NL_INHABITANTS_2012) * (year - 2012) / 12
        for code in codes:
            if _not_registered(code, year):
                areas.setdefault(NL_CODE, {})[(code, year)] = None
                continue
            lam = _year_factor(code, year) * 1.1 * nl / 1000
            areas.setdefault(NL_CODE, {})[(code, year)] = poisson(
                cell_rng(NL_CODE, code, year), lam
            )


def _suppress(areas: Counts, rng: random.Random) -> None:
    """Not published below gemeente level, and a few random buurt cells not published."""
    for area, cells in areas.items():
        if area.startswith(("BU", "WK")):
            for code, year in cells:
                if code in NULL_CODES_BELOW_GEMEENTE:
                    cells[(code, year)] = None
                elif area.startswith("BU") and rng.random() < RANDOM_NULL_SHARE:
                    cells[(code, year)] = None


def _add_totals(
    areas: Counts, counts: dict, unlocated: dict, codes: list[str], buurten: Sequence[Buurt]
) -> None:
    """Total 0.0.0 = every registered crime, published even where parts are not."""
    wijk_of = {b.code: b.wijk_code for b in buurten}
    totals: dict[tuple[str, int], int] = {}
    for b in buurten:
        for year in YEARS:
            t = sum(counts[(b.code, c, year)] or 0 for c in codes)
            totals[(b.code, year)] = t
            totals[(wijk_of[b.code], year)] = totals.get((wijk_of[b.code], year), 0) + t
            totals[(HENGELO, year)] = totals.get((HENGELO, year), 0) + t
    for year in YEARS:
        totals[(HENGELO, year)] += sum(unlocated.get((c, year), 0) for c in codes)
    for area, cells in areas.items():
        for year in YEARS:
            if (area, year) not in totals:
                totals[(area, year)] = sum(v or 0 for (_, y), v in cells.items() if y == year)
        for year in YEARS:
            cells[(TOTAL_CRIME, year)] = totals[(area, year)]


def crime_counts(codes: list[str], buurten: Sequence[Buurt], wijken: list[str]) -> Counts:
    """Registered crimes for Hengelo's buurten and wijken, every demo gemeente and Nederland."""
    rng = random.Random(DEMO_SEED * 1000 + 18)
    counts, unlocated = _buurt_counts(codes, buurten)
    areas = _hengelo_areas(counts, unlocated, codes, buurten, wijken)
    _add_peers(areas, codes, rng)
    _add_nederland(areas, codes)
    _suppress(areas, rng)
    _add_totals(areas, counts, unlocated, codes, buurten)
    return areas
