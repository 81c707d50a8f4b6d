"""The municipality's own survey (eigen enquête): respondent microdata → weighted indicators.

Input: one or more CSV files ``raw/<source>/supplied/eigen_enquete*.csv`` in the template of
``docs/templates.md`` (one row per respondent). A file named ``eigen_enquete_<jaar>.csv`` holds one
wave and every row must carry that ``jaar``.

Output: the ``survey`` table (docs/data-contract.md) per wijk and gemeente per wave, with
``source = "eigen_enquete"``:

* proportions in %, with a 95% **Wilson** interval computed on the **Kish effective sample size**
  ``n_eff = (Σw)² / Σw²`` so that unequal weights widen the margins (design effect);
* ``rapportcijfer_veiligheid`` as a weighted mean with a normal interval on ``n_eff``;
* ``n`` = unweighted respondents who answered the item; cells with ``n < min_n`` (default 50) are
  suppressed (value and bounds missing, ``n`` kept).

Weights: the supplied ``gewicht`` column when a wave has one for every respondent. When a wave has
no weights, respondents are post-stratified per wijk by **raking** (iterative proportional fitting)
to the age and sex margins of the CBS Kerncijfers (``population_structure``); without that table the
wave is estimated unweighted and ``method_note`` says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from hengelo_analysis.errors import DataError
from hengelo_analysis.supplied import (
    BUURT_RE,
    WIJK_RE,
    CsvTable,
    parse_decimal,
    parse_int,
    read_csv,
)

SOURCE = "eigen_enquete"
FILE_GLOB = "eigen_enquete*.csv"
FILE_YEAR_RE = re.compile(r"eigen_enquete_(\d{4})\.csv$", re.IGNORECASE)
MIN_N = 50
Z95 = NormalDist().inv_cdf(0.975)

# Template age bands → population_structure groups (the survey asks people aged 15 and over).
AGE_BANDS = {
    "15-24": "age_15_25",
    "25-44": "age_25_45",
    "45-64": "age_45_65",
    "65+": "age_65_plus",
}
SEXES = {"man": "sex_man", "m": "sex_man", "vrouw": "sex_vrouw", "v": "sex_vrouw"}
UNKNOWN = {"", "onbekend", "anders", "zeg ik liever niet"}

FREQUENCY = {"vaak": 1, "soms": 0, "zelden": 0, "nooit": 0, "(bijna) nooit": 0, "bijna nooit": 0}
UNSAFE = {"vaak": 1, "soms": 1, "zelden": 0, "nooit": 0}
SATISFIED = {
    "zeer tevreden": 1,
    "tevreden": 1,
    "neutraal": 0,
    "niet tevreden, niet ontevreden": 0,
    "ontevreden": 0,
    "zeer ontevreden": 0,
}
YES_NO = {"ja": 1, "nee": 0}
DONT_KNOW = {"", "weet niet", "geen antwoord", "n.v.t."}

# item column → (indicator, coding); the indicator is the % coded 1 among valid answers.
PROPORTION_ITEMS: dict[str, tuple[str, dict[str, int]]] = {
    "onveilig_buurt": ("onveilig_buurt", UNSAFE),
    "overlast_drugsgebruik": ("overlast_drugsgebruik", FREQUENCY),
    "overlast_drugshandel": ("overlast_drugshandel", FREQUENCY),
    "overlast_dronken_mensen": ("overlast_dronken_mensen", FREQUENCY),
    "overlast_rondhangende_jongeren": ("overlast_rondhangende_jongeren", FREQUENCY),
    "overlast_verwarde_personen": ("overlast_verwarde_personen", FREQUENCY),
    "tevreden_aanpak_gemeente": ("tevreden_aanpak_gemeente", SATISFIED),
    "slachtoffer_totaal": ("slachtoffer_totaal", YES_NO),
    "slachtoffer_online": ("slachtoffer_online", YES_NO),
}
MARK_ITEMS = {"rapportcijfer_veiligheid": "rapportcijfer_veiligheid"}
INDICATORS = (*[v[0] for v in PROPORTION_ITEMS.values()], *MARK_ITEMS.values())

ID_COLUMNS = ("respondent", "jaar", "buurtcode", "wijkcode", "leeftijd", "geslacht", "gewicht")
TEMPLATE_COLUMNS = (*ID_COLUMNS, *PROPORTION_ITEMS, *MARK_ITEMS)
REQUIRED = ("respondent", "jaar", "leeftijd", "geslacht")

SURVEY_COLUMNS = [
    "area_code",
    "area_level",
    "year",
    "indicator",
    "value",
    "lower",
    "upper",
    "n",
    "source",
    "method_note",
]


# --- statistics ----------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Change:
    """The change between two waves and whether it is significant (two-sided test)."""

    difference: float
    z: float
    p_value: float
    significant: bool
    direction: str  # "hoger", "lager" or "gelijk" (only when significant)


def standard_error_from_margins(lower: float, upper: float, z: float = Z95) -> float:
    """The standard error implied by a published 95% interval: half its width over 1.96."""
    return (upper - lower) / (2 * z)


def change_significance(
    value_1: float,
    se_1: float,
    value_2: float,
    se_2: float,
    alpha: float = 0.05,
) -> Change:
    """Is wave 2 different from wave 1? z = (v2 − v1) / √(se1² + se2²), independent samples.

    This is how the Veiligheidsmonitor marks "significant hoger/lager" between years. Use
    :func:`standard_error_from_margins` when only the 95% bounds are known.
    """
    diff = value_2 - value_1
    se = math.sqrt(se_1**2 + se_2**2)
    if not se > 0 or any(map(math.isnan, (value_1, value_2, se))):
        return Change(diff, math.nan, math.nan, False, "gelijk")
    z = diff / se
    p = 2 * (1 - NormalDist().cdf(abs(z)))
    significant = p < alpha
    direction = ("hoger" if diff > 0 else "lager") if significant else "gelijk"
    return Change(diff, z, p, significant, direction)


def change_from_margins(
    value_1: float,
    lower_1: float,
    upper_1: float,
    value_2: float,
    lower_2: float,
    upper_2: float,
    alpha: float = 0.05,
) -> Change:
    """:func:`change_significance` from two estimates and their 95% bounds (as published)."""
    return change_significance(
        value_1,
        standard_error_from_margins(lower_1, upper_1),
        value_2,
        standard_error_from_margins(lower_2, upper_2),
        alpha,
    )


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

    Returns
    -------
    Series of weights whose weighted category shares equal the margins.
    """
    w = (
        pd.Series(1.0, index=frame.index)
        if base_weight is None
        else base_weight.astype(float).copy()
    )
    targets = {}
    for var, shares in margins.items():
        s = pd.Series(shares, dtype=float)
        present = set(frame[var].dropna().unique())
        empty = [c for c in present if c not in s.index or s[c] <= 0]
        if empty:
            raise ValueError(f"respondents in {var} category {empty[0]!r} without population")
        s = s[[c for c in s.index if c in present]]  # a category nobody is in cannot be met
        targets[var] = s / s.sum()
    for _ in range(max_iter):
        worst = 0.0
        for var, share in targets.items():
            known = frame[var].notna()
            known_total = w[known].sum()
            current = w[known].groupby(frame.loc[known, var]).sum()
            factor = (share * known_total) / current
            worst = max(worst, float((factor - 1).abs().max()))
            w.loc[known] = w[known] * frame.loc[known, var].map(factor).astype(float)
        if worst < tol:
            break
    scale = (len(frame) if total is None else total) / w.sum()
    return w * scale


# --- reading the template ------------------------------------------------------------------------


def _code(table: CsvTable, column: str, coding: Mapping[str, int], missing: set[str]) -> pd.Series:
    values = table.frame[column].str.lower() if column in table.frame else None
    if values is None:
        return pd.Series(np.nan, index=table.frame.index)
    out = pd.Series(np.nan, index=values.index)
    for index, raw in values.items():
        if raw in missing:
            continue
        if raw not in coding:
            allowed = ", ".join(sorted(coding))
            raise DataError(
                table.path,
                f"unknown answer {raw!r}; expected one of: {allowed} (or empty)",
                column=column,
                row=table.line(index),
            )
        out[index] = coding[raw]
    return out


def _category(table, column, mapping) -> pd.Series:
    out = pd.Series(pd.NA, index=table.frame.index, dtype="object")
    for index, raw in table.frame[column].str.lower().items():
        if raw in UNKNOWN:
            continue
        if raw not in mapping:
            raise DataError(
                table.path,
                f"unknown value {raw!r}; expected one of: {', '.join(mapping)}",
                column=column,
                row=table.line(index),
            )
        out[index] = mapping[raw]
    return out


def read_survey_file(
    path: str | Path,
    known_wijken: set[str] | None = None,
    waves: Iterable[int] | None = None,
) -> pd.DataFrame:
    """One template file → respondents (year, wijk_code, age, sex, weight, item columns 0/1/mark).

    Parameters
    ----------
    path : ``eigen_enquete*.csv``
    known_wijken : the wijk codes of this source; an unknown code is a DataError (``None`` skips
        the check, e.g. when no area list was cleaned)
    waves : the wave years of the survey; a ``jaar`` outside them is a DataError. Default: the
        year in the file name (``eigen_enquete_2023.csv``), else any year 1990-2100.
    """
    path = Path(path)
    table = read_csv(path, TEMPLATE_COLUMNS, REQUIRED)
    f = table.frame
    if "wijkcode" not in f and "buurtcode" not in f:
        raise DataError(path, "column missing from the header", column="wijkcode", row=1)
    if waves is None:
        m = FILE_YEAR_RE.search(path.name)
        waves = [int(m.group(1))] if m else None
    year = parse_int(table, "jaar", minimum=1990, maximum=2100)
    if waves is not None:
        allowed = sorted(set(waves))
        outside = ~year.isin(allowed)
        if outside.any():
            index = year.index[outside][0]
            raise DataError(
                path,
                f"wave year {year[index]} outside the survey's waves {allowed}",
                column="jaar",
                row=table.line(index),
            )

    wijk = pd.Series(pd.NA, index=f.index, dtype="object")
    for index in f.index:
        buurt = f.at[index, "buurtcode"].upper() if "buurtcode" in f else ""
        code = f.at[index, "wijkcode"].upper() if "wijkcode" in f else ""
        column = "wijkcode"
        if buurt:
            if not BUURT_RE.match(buurt):
                raise DataError(
                    path, f"not a buurt code: {buurt!r}", column="buurtcode", row=table.line(index)
                )
            derived = "WK" + buurt[2:8]
            if code and code != derived:
                raise DataError(
                    path,
                    f"buurt {buurt} does not lie in wijk {code}",
                    column="wijkcode",
                    row=table.line(index),
                )
            code, column = derived, "buurtcode"
        if not code:
            raise DataError(
                path,
                "no wijkcode or buurtcode for this respondent",
                column="wijkcode",
                row=table.line(index),
            )
        if not WIJK_RE.match(code):
            raise DataError(
                path, f"not a wijk code: {code!r}", column=column, row=table.line(index)
            )
        if known_wijken is not None and code not in known_wijken:
            raise DataError(
                path,
                f"unknown wijk code {code!r} (not in the area lists of this source)",
                column=column,
                row=table.line(index),
            )
        wijk[index] = code

    respondent = f["respondent"]
    for index, value in respondent.items():
        if value == "":
            raise DataError(path, "empty respondent id", column="respondent", row=table.line(index))
    dup = pd.DataFrame({"r": respondent, "y": year}).duplicated(keep="first")
    if dup.any():
        index = f.index[dup][0]
        raise DataError(
            path,
            f"duplicate respondent {respondent[index]!r} in wave {year[index]}",
            column="respondent",
            row=table.line(index),
        )

    weight = (
        parse_decimal(table, "gewicht")
        if "gewicht" in f
        else pd.Series(np.nan, index=f.index, dtype="float64")
    )
    bad = weight.notna() & ~(weight > 0)
    if bad.any():
        index = weight.index[bad][0]
        raise DataError(
            path,
            f"weight must be positive: {f.at[index, 'gewicht']!r}",
            column="gewicht",
            row=table.line(index),
        )
    for wave in year.unique():
        in_wave = year == wave
        given = weight[in_wave].notna()
        if given.any() and not given.all():
            index = weight[in_wave].index[~given][0]
            raise DataError(
                path,
                f"wave {wave} has weights for some respondents only; fill all or none",
                column="gewicht",
                row=table.line(index),
            )

    out = pd.DataFrame(
        {
            "respondent": respondent.astype("string"),
            "year": year.astype("int64"),
            "wijk_code": wijk.astype("string"),
            "age": _category(table, "leeftijd", AGE_BANDS),
            "sex": _category(table, "geslacht", SEXES),
            "weight": weight,
        },
        index=f.index,
    )
    for column, (_, coding) in PROPORTION_ITEMS.items():
        out[column] = _code(table, column, coding, DONT_KNOW)
    for column in MARK_ITEMS:
        if column in f:
            mark = parse_decimal(table, column)
            bad = mark.notna() & ~mark.between(1, 10)
            if bad.any():
                index = mark.index[bad][0]
                raise DataError(
                    path,
                    f"mark {f.at[index, column]!r} outside 1-10",
                    column=column,
                    row=table.line(index),
                )
            out[column] = mark
        else:
            out[column] = np.nan
    out["_file"] = str(path)
    out["_row"] = [table.line(i) for i in f.index]
    return out.reset_index(drop=True)


def read_survey(paths: Iterable[str | Path], known_wijken: set[str] | None = None) -> pd.DataFrame:
    """All template files; a respondent id repeated within a wave across files is refused too."""
    frames = [read_survey_file(p, known_wijken) for p in sorted(Path(p) for p in paths)]
    if not frames:
        return pd.DataFrame()
    resp = pd.concat(frames, ignore_index=True)
    dup = resp.duplicated(["year", "respondent"], keep="first")
    if dup.any():
        r = resp[dup].iloc[0]
        raise DataError(
            r["_file"],
            f"duplicate respondent {r['respondent']!r} in wave {r['year']} (also in another file)",
            column="respondent",
            row=int(r["_row"]),
        )
    return resp


# --- weighting -----------------------------------------------------------------------------------


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
    missing = []
    for (year, wijk), group in resp.groupby(["year", "wijk_code"]):
        structure = _structure_for(population_structure, wijk, int(year))
        if structure is None or structure.reindex(list(AGE_BANDS.values())).isna().any():
            missing.append(wijk)
            weights[group.index] = 1.0
            continue
        age = structure.reindex(list(AGE_BANDS.values()))
        sex = structure.reindex(["sex_man", "sex_vrouw"])
        margins = {"age": age.to_dict()}
        if sex.notna().all():
            # KWB sex counts include children under 15; their share is the best margin on offer.
            margins["sex"] = sex.to_dict()
        try:
            w = rake(group, margins, total=float(age.sum()))
        except ValueError:
            missing.append(wijk)
            w = pd.Series(1.0, index=group.index)
        weights[group.index] = w
    if missing:
        # Raked wijken carry their population as weight sum, the others would weigh ~nothing in
        # the gemeente figure: rather than mix the two, the whole wave stays unweighted.
        return (
            pd.Series(1.0, index=resp.index),
            "ongewogen: geen bruikbare bevolkingsopbouw voor " + ", ".join(sorted(set(missing))),
        )
    return weights, "nagewogen naar leeftijd en geslacht per wijk (raking op CBS Kerncijfers)"


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


# --- estimation ----------------------------------------------------------------------------------


def estimate(resp: pd.DataFrame, notes: Mapping[int, str], min_n: int = MIN_N) -> pd.DataFrame:
    """Weighted indicators per wijk and gemeente per wave, suppressed below ``min_n``."""
    rows = []
    resp = resp.assign(gemeente_code="GM" + resp["wijk_code"].str[2:6])
    for year, wave in resp.groupby("year"):
        groups = [("wijk", code, g) for code, g in wave.groupby("wijk_code")]
        groups += [("gemeente", code, g) for code, g in wave.groupby("gemeente_code")]
        for level, code, group in groups:
            for column, (indicator, _) in [
                *PROPORTION_ITEMS.items(),
                *((c, (c, None)) for c in MARK_ITEMS),
            ]:
                valid = group[column].notna()
                if not valid.any():
                    continue  # the item is not in this wave's file, or nobody answered it
                y, w = group.loc[valid, column], group.loc[valid, "weight"]
                if column in MARK_ITEMS:
                    est = weighted_mean(y, w)
                else:
                    est = weighted_proportion(y, w)
                suppressed = est.n < min_n
                note = notes.get(int(year), "")
                if suppressed:
                    note = f"onderdrukt: n < {min_n}; " + note
                rows.append(
                    {
                        "area_code": code,
                        "area_level": level,
                        "year": int(year),
                        "indicator": indicator,
                        "value": np.nan if suppressed else round(est.value, 4),
                        "lower": np.nan if suppressed else round(est.lower, 4),
                        "upper": np.nan if suppressed else round(est.upper, 4),
                        "n": est.n,
                        "source": SOURCE,
                        "method_note": note,
                    }
                )
    out = pd.DataFrame(rows, columns=SURVEY_COLUMNS)
    out["n"] = out["n"].astype("Int64")
    for c in ("area_code", "area_level", "indicator", "source", "method_note"):
        out[c] = out[c].astype("string")
    return out.sort_values(["area_code", "indicator", "year"], ignore_index=True)


def clean_survey(
    paths: Iterable[str | Path],
    population_structure: pd.DataFrame | None = None,
    known_wijken: set[str] | None = None,
    min_n: int = MIN_N,
) -> pd.DataFrame:
    """Template files → ``survey`` rows (source ``eigen_enquete``) per wijk and gemeente per wave."""
    resp = read_survey(paths, known_wijken)
    if resp.empty:
        return pd.DataFrame(columns=SURVEY_COLUMNS)
    resp, notes = assign_weights(resp, population_structure)
    return estimate(resp, notes, min_n)
