"""Seeded random draws of the demo generator, stable across Python versions and platforms.

The committed ``data/raw/demo`` must come out byte-identical on every machine, so only the
stdlib generator (documented as reproducible for a given seed) and explicit algorithms are used.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

from hengelo_analysis.demo.geography import DEMO_SEED


def cell_rng(*key) -> random.Random:
    """A generator of its own per cell: changing one rate leaves every other cell's draw unchanged.

    String seeds are hashed with SHA-512 by ``random.seed`` (version 2), stable across versions.
    """
    return random.Random("-".join(map(str, (DEMO_SEED, *key))))


def poisson(rng: random.Random, lam: float) -> int:
    """Deterministic Poisson draw from the stdlib generator (stable across Python versions)."""
    if lam <= 0:
        return 0
    if lam < 40:
        limit, k, p = math.exp(-lam), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    z = NormalDist().inv_cdf(min(max(rng.random(), 1e-12), 1 - 1e-12))
    return max(0, round(lam + math.sqrt(lam) * z))
