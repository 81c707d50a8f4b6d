"""Synthetic analyst-supplied files: E33 incidents, Halt/jeugdreclassering, BRON road accidents.

Built so the chapter-2 picture holds: E33 incidents (confused behaviour) rise 2015-2024, Halt
referrals and jeugdreclassering fall, and there are many road accidents every year since 2012.
Counts are Poisson draws around invented trends; every figure is made up.
"""

from __future__ import annotations

import random

from hengelo_analysis.demo.draws import poisson
from hengelo_analysis.demo.geography import DEMO_SEED, hengelo_buurten

E33_YEARS = tuple(range(2015, 2025))
E33_WIJK_FROM = 2019
YOUTH_YEARS = tuple(range(2015, 2025))
BRON_YEARS = tuple(range(2012, 2025))
BRON_COLUMNS = [
    "VKL_NUMMER",
    "REGNUMMER",
    "PVOPGEM",
    "DATUM_VKL",
    "DAG_CODE",
    "MND_NUMMER",
    "JAAR_VKL",
    "AP3_CODE",
    "ANTL_PTJ",
    "BEBKOM",
    "MAXSNELHD",
    "WVK_ID",
    "FK_VELD5",
    "GME_ID",
    "GME_NAAM",
    "PVE_CODE",
    "PVE_NAAM",
]
DAYS = ("MA", "DI", "WO", "DO", "VR", "ZA", "ZO")


def _wijk_shares() -> dict[str, float]:
    shares: dict[str, float] = {}
    for b in hengelo_buurten():
        shares[b.wijk_code] = shares.get(b.wijk_code, 0) + b.inhabitants_2024
    total = sum(shares.values())
    return {w: v / total for w, v in sorted(shares.items())}


def e33_csv() -> bytes:
    """``e33_incidenten.csv``: gemeente per year 2015-2024, wijken per year from 2019 (rising)."""
    rng = random.Random(DEMO_SEED * 1000 + 33)
    lines = ["gebiedscode;jaar;maand;incidentcode;aantal"]
    shares = _wijk_shares()
    for year in E33_YEARS:
        expected = 430 * 1.07 ** (year - 2015)
        total = poisson(rng, expected)
        lines.append(f"GM0164;{year};;E33;{total}")
        if year >= E33_WIJK_FROM:
            for wijk, share in shares.items():
                boost = 1.8 if wijk.endswith("00") else 1.0
                lines.append(f"{wijk};{year};;E33;{poisson(rng, expected * share * boost * 0.8)}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def youth_csv() -> bytes:
    """``jeugd.csv``: Halt referrals and jeugdreclassering per year (falling); 2015 jr not supplied."""
    rng = random.Random(DEMO_SEED * 1000 + 77)
    lines = ["gebiedscode;jaar;halt_verwijzingen;jeugdreclassering"]
    for year in YOUTH_YEARS:
        halt = poisson(rng, 170 * 0.94 ** (year - 2015))
        jr = "" if year == 2015 else str(poisson(rng, 62 * 0.93 ** (year - 2015)))
        lines.append(f"GM0164;{year};{halt};{jr}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def bron_files() -> dict[str, bytes]:
    """Relative path → ``ongevallen.txt`` per year, comma-separated as in the BRON zip files."""
    rng = random.Random(DEMO_SEED * 1000 + 99)
    files = {}
    number = 100_000_000
    for year in BRON_YEARS:
        lines = [",".join(BRON_COLUMNS)]
        # Police registered fewer material-damage accidents from 2013 on (a known BRON break).
        counts = {
            "DOD": poisson(rng, 2.5),
            "LET": poisson(rng, 55 * 0.985 ** (year - 2012)),
            "UMS": poisson(rng, (190 if year == 2012 else 130) * 0.99 ** (year - 2012)),
        }
        for severity, count in counts.items():
            for _ in range(count):
                number += rng.randint(1, 40)
                month = rng.randint(1, 12)
                day = rng.randint(1, 28)
                lines.append(
                    ",".join(
                        [
                            str(number),
                            f"PL0600-{year}{rng.randint(10000, 99999)}",
                            "J",
                            f"{year}{month:02d}{day:02d}",
                            rng.choice(DAYS),
                            str(month),
                            str(year),
                            severity,
                            str(rng.randint(1, 3)),
                            rng.choice(("J", "J", "N")),
                            rng.choice(("30", "50", "50", "80")),
                            str(rng.randint(100000000, 999999999)),
                            str(rng.randint(100000000, 999999999)),
                            "164",
                            "Hengelo",
                            "OV",
                            "Overijssel",
                        ]
                    )
                )
        name = f"bron/01-01-{year}_31-12-{year}/Ongevallengegevens/ongevallen.txt"
        files[name] = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    return files
