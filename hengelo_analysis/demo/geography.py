"""The synthetic demo's areas and inhabitants.

Area codes and names are facts (Hengelo's real wijken and buurten, real gemeente codes); every number
here is invented. Hengelo's demo inhabitants add up to about 81,000.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hengelo_analysis.reference import hengelo_wijken_buurten

YEARS = tuple(range(2012, 2025))
DEMO_SEED = 164


@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str
    inhabitants_2024: int
    stedelijkheid: int  # CBS mate van stedelijkheid, 1 (zeer sterk) .. 5 (niet)
    in_twente: bool


# Twente (real codes, shared/data/twente_gemeenten.csv) and a peer group of similar-size, similarly
# urban gemeenten elsewhere. Inhabitants and stedelijkheid are rounded, demo-only figures.
GEMEENTEN: tuple[Gemeente, ...] = (
    Gemeente("GM0141", "Almelo", 73_800, 2, True),
    Gemeente("GM0147", "Borne", 24_300, 3, True),
    Gemeente("GM1774", "Dinkelland", 26_600, 5, True),
    Gemeente("GM0153", "Enschede", 161_000, 2, True),
    Gemeente("GM0158", "Haaksbergen", 24_500, 4, True),
    Gemeente("GM0163", "Hellendoorn", 36_400, 4, True),
    Gemeente("GM0164", "Hengelo", 81_000, 2, True),
    Gemeente("GM1735", "Hof van Twente", 35_200, 5, True),
    Gemeente("GM0168", "Losser", 22_800, 4, True),
    Gemeente("GM0173", "Oldenzaal", 32_200, 3, True),
    Gemeente("GM1742", "Rijssen-Holten", 38_600, 4, True),
    Gemeente("GM0183", "Tubbergen", 21_600, 5, True),
    Gemeente("GM1700", "Twenterand", 34_000, 4, True),
    Gemeente("GM0189", "Wierden", 25_000, 4, True),
    Gemeente("GM0794", "Helmond", 93_700, 2, False),
    Gemeente("GM0398", "Hoorn", 74_500, 2, False),
    Gemeente("GM0345", "Veenendaal", 68_800, 2, False),
    Gemeente("GM1674", "Roosendaal", 78_600, 2, False),
    Gemeente("GM0439", "Purmerend", 93_400, 2, False),
    Gemeente("GM0150", "Deventer", 101_900, 2, False),
    Gemeente("GM0400", "Den Helder", 56_300, 2, False),
    Gemeente("GM0748", "Bergen op Zoom", 68_900, 2, False),
    Gemeente("GM0402", "Hilversum", 92_900, 2, False),
    Gemeente("GM0995", "Lelystad", 81_500, 3, False),
    Gemeente("GM0828", "Oss", 93_900, 3, False),
    Gemeente("GM0222", "Doetinchem", 58_900, 3, False),
)
NL_INHABITANTS_2024 = 17_950_000
NL_INHABITANTS_2012 = 16_730_000


@dataclass(frozen=True)
class Buurt:
    code: str
    name: str
    wijk_code: str
    wijk_name: str
    inhabitants_2024: int
    activity: int  # visitors/business weight: shops, offices, industry (not residents)


def _buurt_size(name: str, rng: random.Random) -> tuple[int, int]:
    lowered = name.lower()
    if lowered.startswith(("bedrijventerrein", "bedrijvenpark")):
        return rng.randint(5, 60), rng.randint(500, 1100)
    if lowered.startswith("stadspark"):
        return rng.randint(20, 120), rng.randint(50, 150)
    if lowered.startswith("verspreide huizen"):
        return rng.randint(150, 700), rng.randint(0, 40)
    if lowered == "binnenstad-centrum":
        return rng.randint(1800, 2400), 4000
    if lowered.startswith("binnenstad"):
        return rng.randint(1500, 2500), rng.randint(800, 1400)
    return rng.randint(900, 2600), rng.randint(20, 200)


def hengelo_buurten() -> tuple[Buurt, ...]:
    """Hengelo's buurten with invented inhabitants scaled to about 81,000 in 2024."""
    rng = random.Random(DEMO_SEED)
    ref = hengelo_wijken_buurten().sort_values("buurtcode")
    raw = []
    for row in ref.itertuples(index=False):
        inhabitants, activity = _buurt_size(row.buurtnaam, rng)
        raw.append((row, inhabitants, activity))
    target = next(g.inhabitants_2024 for g in GEMEENTEN if g.code == "GM0164")
    residential = sum(i for _, i, _ in raw if i > 100)
    small = sum(i for _, i, _ in raw if i <= 100)
    scale = (target - small) / residential
    buurten = []
    for row, inhabitants, activity in raw:
        scaled = round(inhabitants * scale) if inhabitants > 100 else inhabitants
        buurten.append(
            Buurt(row.buurtcode, row.buurtnaam, row.wijkcode, row.wijknaam, scaled, activity)
        )
    # Make the total exact so the demo's documented figure holds.
    diff = target - sum(b.inhabitants_2024 for b in buurten)
    largest = max(range(len(buurten)), key=lambda i: buurten[i].inhabitants_2024)
    b = buurten[largest]
    buurten[largest] = Buurt(
        b.code, b.name, b.wijk_code, b.wijk_name, b.inhabitants_2024 + diff, b.activity
    )
    return tuple(buurten)


def growth_factor(year: int, per_year: float = 0.004) -> float:
    """Inhabitants relative to 2024 (slow growth, as most Dutch gemeenten had)."""
    return (1 + per_year) ** (year - 2024)
