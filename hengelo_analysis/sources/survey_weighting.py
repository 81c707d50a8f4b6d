"""Weights and weighted estimates of the own survey (eigen enquête).

* proportions in %, with a 95% **Wilson** interval computed on the **Kish effective sample size**
  ``n_eff = (Σw)² / Σw²`` so that unequal weights widen the margins (design effect);
* means (``rapportcijfer_veiligheid``) with a normal interval on ``n_eff``;
* weights: the supplied ``gewicht`` when a wave has one for every respondent, else
  post-stratification per wijk by **raking** (iterative proportional fitting) to the age and sex
  margins of the CBS Kerncijfers (``population_structure``); without that table the wave is
  estimated unweighted and its method note says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from hengelo_analysis.sources.survey_template import AGE_BANDS

Z95 = NormalDist().inv_cdf(0.975)


def kish_effective_n(weights) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²`` (equals n for equal weights)."""
    w = np.asarray(weights, dtype=float)
    if len(w) == 0 or w.sum() <= 0:
        return 0.0
    return float(w.sum() ** 2 / (w**2).sum())


@dataclass(frozen=True)
class Estimate:
    """A weighted estimate with its 95% interval, in the unit of the indicator."""

    value: float
    lower: float
    upper: float
    n: int
    n_eff: float


def weighted_proportion(y, weights=None, z: float = Z95) -> Estimate:
    """Weighted share of ``y == 1`` in %, with a Wilson interval on the Kish effective n.

    Wilson rather than Wald: it stays inside 0-100% and does not collapse to a zero-width
    interval at 0% or 100%, which small wijk cells hit.
    """
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    n = len(y)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0, 0.0)
    p = float((w * y).sum() / w.sum())
    n_eff = kish_effective_n(w)
    denom = 1 + z**2 / n_eff
    centre = (p + z**2 / (2 * n_eff)) / denom
    half = z * math.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2)) / denom
    return Estimate(100 * p, 100 * max(0.0, centre - half), 100 * min(1.0, centre + half), n, n_eff)


def weighted_mean(x, weights=None, z: float = Z95) -> Estimate:
    """Weighted mean with a normal 95% interval: ``s_w / sqrt(n_eff)`` as its standard error."""
    x = np.asarray(x, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0, 0.0)
    mean = float((w * x).sum() / w.sum())
    n_eff = kish_effective_n(w)
    var = float((w * (x - mean) ** 2).sum() / w.sum())
    # n_eff/(n_eff-1): the usual small-sample correction of the weighted variance.
    if n_eff > 1:
        var *= n_eff / (n_eff - 1)
    half = z * math.sqrt(var / n_eff) if n_eff > 0 else math.nan
    return Estimate(mean, mean - half, mean + half, n, n_eff)


def _rake_targets(
    frame: pd.DataFrame, margins: Mapping[str, Mapping[str, float]]
) -> dict[str, pd.Series]:
    """Margins as shares over the categories respondents are in; a category without people fails."""
    targets = {}
    for var, shares in margins.items():
        s = pd.Series(shares, dtype=float)
        present = set(frame[var].dropna().unique())
        empty = [c for c in present if c not in s.index or s[c] <= 0]
        if empty:
            raise ValueError(f"respondents in {var} category {empty[0]!r} without population")
        s = s[[c for c in s.index if c in present]]  # a category nobody is in cannot be met
        targets[var] = s / s.sum()
    return targets


class RakingNotConverged(ValueError):
    """The sample cannot meet the margins together (structural zeros): no weights to trust."""


def rake(
    frame: pd.DataFrame,
    margins: Mapping[str, Mapping[str, float]],
    *,
    base_weight: pd.Series | None = None,
    total: float | None = None,
    max_iter: int = 200,
    tol: float = 1e-10,
) -> pd.Series:
    """Raking (iterative proportional fitting) of weights to population margins.

    Parameters
    ----------
    frame : one row per respondent, a column per margin variable (e.g. ``age``, ``sex``)
    margins : variable → {category: population share or count}; normalised to shares
    base_weight : starting weights (default 1)
    total : the weights' sum afterwards (default: number of respondents)
    Respondents with a missing category on a variable are not adjusted on that variable; the
    known categories are raked to the known respondents' share of the weight.

    A margin nobody has a category on is left out (the others are still met); a margin set the
    sample cannot meet (e.g. all young respondents men, against a mixed population) raises
    ``RakingNotConverged`` rather than return weights that miss a margin.

    Returns
    -------
    Series of weights whose weighted category shares equal the margins.
    """
    if frame.empty:
        return pd.Series(dtype=float, index=frame.index)
    w = np.ones(len(frame)) if base_weight is None else _base_weights(base_weight, frame.index)
    # Per margin: who has a category, and each one's position in the targets (every category a
    # respondent is in has a target: _rake_targets refuses one without). NumPy, not groupby: ten
    # wijken × a few dozen sweeps were most of the demo's clean.
    steps = []
    targets = _rake_targets(frame, margins)  # first: its errors name the category at fault
    used = raked_margins(frame, margins)
    for var, share in targets.items():
        if var not in used:
            continue
        known = frame[var].notna().to_numpy()
        position = share.index.get_indexer(frame.loc[known, var])
        # Checked once: sweeps multiply by positive factors, so only a start at 0 stays 0.
        if (np.bincount(position, weights=w[known], minlength=len(share)) <= 0).any():
            raise ValueError(f"a {var} category has respondents but no base weight")
        steps.append((var, known, position, share.to_numpy(float)))
    worst = 0.0
    for _ in range(max_iter):
        worst = 0.0
        for _var, known, position, share in steps:
            w_known = w[known]
            current = np.bincount(position, weights=w_known, minlength=len(share))
            factor = (share * w_known.sum()) / current
            worst = max(worst, float(np.abs(factor - 1).max()))
            w[known] = w_known * factor[position]
        if worst < tol:
            break
    else:
        raise RakingNotConverged(
            f"raking on {', '.join(v for v, *_ in steps)} did not converge in {max_iter} sweeps "
            f"(a margin still off by a factor {1 + worst:.3g})"
        )
    scale = (len(frame) if total is None else total) / w.sum()
    return pd.Series(w * scale, index=frame.index)


def raked_margins(frame: pd.DataFrame, margins: Mapping[str, Mapping[str, float]]) -> list[str]:
    """The margins ``rake`` rakes ``frame`` on: those at least one respondent has a category on.

    One rule for ``rake`` and for the method note that names the margins used.
    """
    return [var for var in margins if frame[var].notna().any()]


def _base_weights(base_weight: pd.Series, index: pd.Index) -> np.ndarray:
    """Starting weights matched to ``index`` by label; known and not negative, or ``ValueError``.

    A single zero is allowed (that respondent keeps weight 0); a category whose respondents all
    weigh 0 is refused by ``rake``.
    """
    if not base_weight.index.is_unique or not index.isin(base_weight.index).all():
        raise ValueError("base_weight must have one weight per respondent, matched by index")
    w = base_weight.reindex(index).to_numpy(float, copy=True)
    if np.isnan(w).any() or (w < 0).any():
        raise ValueError("base_weight has a missing or negative weight")
    return w


def _structure_for(population_structure: pd.DataFrame, area: str, year: int) -> pd.Series | None:
    """Group → inhabitants for ``area`` in the year closest to ``year`` (earlier years preferred)."""
    rows = population_structure[population_structure["area_code"] == area].dropna(
        subset=["inhabitants"]
    )
    if rows.empty:
        return None
    years = sorted(rows["year"].unique(), key=lambda y: (abs(int(y) - year), -int(y)))
    chosen = rows[rows["year"] == years[0]]
    return chosen.set_index("group")["inhabitants"].astype(float)


def _wijk_weights(group: pd.DataFrame, structure: pd.Series | None) -> tuple[pd.Series | None, str]:
    """Raked weights of one wijk's respondents, summing to its population 15+, and the margins used.

    ``(None, reason)`` when the wijk cannot be weighted.
    """
    if structure is None or structure.reindex(list(AGE_BANDS.values())).isna().any():
        return None, "geen bruikbare bevolkingsopbouw"
    age = structure.reindex(list(AGE_BANDS.values()))
    sex = structure.reindex(["sex_man", "sex_vrouw"])
    margins = {"age": age.to_dict()}
    if sex.notna().all():
        # KWB sex counts include children under 15; their share is the best margin on offer.
        margins["sex"] = sex.to_dict()
    try:
        weights = rake(group, margins, total=float(age.sum()))
    except RakingNotConverged:
        return None, "weging naar leeftijd en geslacht komt niet uit"
    except ValueError:
        return None, "geen bruikbare bevolkingsopbouw"
    # rake leaves out a margin nobody answered: say so rather than claim it.
    used = "leeftijd en geslacht" if "sex" in raked_margins(group, margins) else "leeftijd"
    return weights, used


def poststratify(
    resp: pd.DataFrame, population_structure: pd.DataFrame | None
) -> tuple[pd.Series, str]:
    """Weights for a wave without supplied weights: raking per wijk to age and sex margins.

    Weights are scaled to the wijk's population aged 15+, so gemeente estimates combine wijken in
    proportion to their population. Returns the weights and a Dutch method note.
    """
    if population_structure is None or population_structure.empty:
        return (
            pd.Series(1.0, index=resp.index),
            "ongewogen: bevolkingsopbouw (population_structure) ontbreekt",
        )
    weights = pd.Series(np.nan, index=resp.index)
    failed: dict[str, list[str]] = {}
    age_only = []
    for (year, wijk), group in resp.groupby(["year", "wijk_code"]):
        w, how = _wijk_weights(group, _structure_for(population_structure, wijk, int(year)))
        if w is None:
            failed.setdefault(how, []).append(wijk)
            continue
        if how == "leeftijd":
            age_only.append(wijk)
        weights[group.index] = w
    if failed:
        # Raked wijken carry their population as weight sum, the others would weigh ~nothing in
        # the gemeente figure: rather than mix the two, the whole wave stays unweighted.
        reasons = "; ".join(
            f"{why} voor {', '.join(sorted(set(wijken)))}" for why, wijken in sorted(failed.items())
        )
        return pd.Series(1.0, index=resp.index), "ongewogen: " + reasons
    note = "nagewogen naar leeftijd en geslacht per wijk (raking op CBS Kerncijfers)"
    if age_only:
        note += "; " + ", ".join(sorted(set(age_only))) + " alleen naar leeftijd"
    return weights, note


def assign_weights(
    resp: pd.DataFrame, population_structure: pd.DataFrame | None
) -> tuple[pd.DataFrame, dict[int, str]]:
    """Per wave: supplied weights when present, else post-stratification. Returns notes per wave."""
    resp = resp.copy()
    notes: dict[int, str] = {}
    for year, wave in resp.groupby("year"):
        if wave["weight"].notna().all():
            n_eff = kish_effective_n(wave["weight"])
            notes[int(year)] = (
                f"gewogen met aangeleverde gewichten (Kish-effectieve n {n_eff:.0f} van {len(wave)})"
            )
            continue
        w, note = poststratify(wave, population_structure)
        resp.loc[wave.index, "weight"] = w
        notes[int(year)] = note
    return resp, notes
