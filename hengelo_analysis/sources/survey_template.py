"""Reading and checking the analyst's own-survey microdata (eigen enquête template).

Input: one or more CSV files ``raw/<source>/supplied/eigen_enquete*.csv`` in the template of
``docs/templates.md`` (one row per respondent). A file named ``eigen_enquete_<jaar>.csv`` holds one
wave and every row must carry that ``jaar``. Every refusal is a DataError naming file, column and
line, so the analyst can fix the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hengelo_analysis.domain import SURVEY_INDICATORS
from hengelo_analysis.errors import DataError
from hengelo_analysis.sources.supplied import (
    BUURT_RE,
    WIJK_RE,
    CsvTable,
    parse_decimal,
    parse_int,
    read_csv,
)

FILE_GLOB = "eigen_enquete*.csv"
FILE_YEAR_RE = re.compile(r"eigen_enquete_(\d{4})\.csv$", re.IGNORECASE)

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
# The processed contract names the same vocabulary; a new item is added in domain.py first.
assert set(INDICATORS) == set(SURVEY_INDICATORS), "survey items and domain.SURVEY_INDICATORS differ"

ID_COLUMNS = ("respondent", "jaar", "buurtcode", "wijkcode", "leeftijd", "geslacht", "gewicht")
TEMPLATE_COLUMNS = (*ID_COLUMNS, *PROPORTION_ITEMS, *MARK_ITEMS)
REQUIRED = ("respondent", "jaar", "leeftijd", "geslacht")


# --- one column at a time ------------------------------------------------------------------------


def _code(table: CsvTable, column: str, coding: Mapping[str, int], missing: set[str]) -> pd.Series:
    """Answers → 0/1 by ``coding``; an answer in ``missing`` (or an absent column) is no answer."""
    if column not in table.frame:
        return pd.Series(np.nan, index=table.frame.index)
    values = table.frame[column].str.lower()
    # Built as a list, not set item by item into a Series: the same checks in row order at a
    # fraction of the cost (the demo's 3,764 respondents × 17 items).
    out = []
    for index, raw in values.items():
        if raw in missing:
            out.append(np.nan)
        elif raw in coding:
            out.append(coding[raw])
        else:
            allowed = ", ".join(sorted(coding))
            raise DataError(
                table.path,
                f"unknown answer {raw!r}; expected one of: {allowed} (or empty)",
                column=column,
                row=table.line(index),
            )
    return pd.Series(out, index=values.index, dtype="float64")


def _category(table: CsvTable, column: str, mapping: Mapping[str, str]) -> pd.Series:
    """Age band or sex → its population_structure group; unknown answers stay missing."""
    values = table.frame[column].str.lower()
    out = []
    for index, raw in values.items():
        if raw in UNKNOWN:
            out.append(pd.NA)
        elif raw in mapping:
            out.append(mapping[raw])
        else:
            raise DataError(
                table.path,
                f"unknown value {raw!r}; expected one of: {', '.join(mapping)}",
                column=column,
                row=table.line(index),
            )
    return pd.Series(out, index=values.index, dtype="object")


def _first_bad(
    table: CsvTable, bad: pd.Series, column: str, message: str, values: pd.Series | None = None
) -> None:
    """Refuse the file at the first row where ``bad`` holds.

    ``message`` may name ``{value}``: that row's cell as written, or of ``values`` when given.
    """
    if bad.any():
        index = bad.index[bad][0]
        value = (table.frame[column] if values is None else values)[index]
        raise DataError(
            table.path, message.format(value=value), column=column, row=table.line(index)
        )


def wave_years(table: CsvTable, waves: Iterable[int] | None) -> pd.Series:
    """``jaar`` per respondent, each one of ``waves`` (default: the year in the file name)."""
    if waves is None:
        m = FILE_YEAR_RE.search(table.path.name)
        waves = [int(m.group(1))] if m else None
    year = parse_int(table, "jaar", minimum=1990, maximum=2100)
    if waves is not None:
        allowed = sorted(set(waves))
        message = f"wave year {{value}} outside the survey's waves {allowed}"
        _first_bad(table, ~year.isin(allowed), "jaar", message, values=year)
    return year


def _wijk_of_row(
    table: CsvTable, index, buurt: str, code: str, known_wijken: set[str] | None
) -> str:
    """The wijk of one respondent: from ``buurtcode`` when given (it must lie in ``wijkcode``).

    ``buurt`` and ``code`` are the row's cells, upper-cased ("" where the column is absent).
    """
    column = "wijkcode"
    if buurt:
        if not BUURT_RE.match(buurt):
            raise DataError(
                table.path,
                f"not a buurt code: {buurt!r}",
                column="buurtcode",
                row=table.line(index),
            )
        derived = "WK" + buurt[2:8]
        if code and code != derived:
            raise DataError(
                table.path,
                f"buurt {buurt} does not lie in wijk {code}",
                column="wijkcode",
                row=table.line(index),
            )
        code, column = derived, "buurtcode"
    if not code:
        raise DataError(
            table.path,
            "no wijkcode or buurtcode for this respondent",
            column="wijkcode",
            row=table.line(index),
        )
    if not WIJK_RE.match(code):
        raise DataError(
            table.path, f"not a wijk code: {code!r}", column=column, row=table.line(index)
        )
    if known_wijken is not None and code not in known_wijken:
        raise DataError(
            table.path,
            f"unknown wijk code {code!r} (not in the area lists of this source)",
            column=column,
            row=table.line(index),
        )
    return code


def require_area_column(table: CsvTable) -> None:
    """A respondent's area is given by ``wijkcode`` or ``buurtcode``: one of them is needed."""
    if "wijkcode" not in table.frame and "buurtcode" not in table.frame:
        raise DataError(table.path, "column missing from the header", column="wijkcode", row=1)


def wijk_codes(table: CsvTable, known_wijken: set[str] | None) -> pd.Series:
    """The wijk of every respondent (see :func:`_wijk_of_row`)."""
    f = table.frame
    blank = [""] * len(f)
    buurten = f["buurtcode"].str.upper().tolist() if "buurtcode" in f else blank
    wijken = f["wijkcode"].str.upper().tolist() if "wijkcode" in f else blank
    codes = [
        _wijk_of_row(table, index, buurt, code, known_wijken)
        for index, buurt, code in zip(f.index, buurten, wijken, strict=True)
    ]
    return pd.Series(codes, index=f.index, dtype="object")


def respondent_ids(table: CsvTable, year: pd.Series) -> pd.Series:
    """Respondent ids: none empty, none repeated within a wave."""
    respondent = table.frame["respondent"]
    _first_bad(table, respondent == "", "respondent", "empty respondent id")
    dup = pd.DataFrame({"r": respondent, "y": year}).duplicated(keep="first")
    if dup.any():
        index = respondent.index[dup][0]
        raise DataError(
            table.path,
            f"duplicate respondent {respondent[index]!r} in wave {year[index]}",
            column="respondent",
            row=table.line(index),
        )
    return respondent


def weights(table: CsvTable, year: pd.Series) -> pd.Series:
    """``gewicht``: positive, and per wave given for every respondent or for none."""
    f = table.frame
    if "gewicht" not in f:
        return pd.Series(np.nan, index=f.index, dtype="float64")
    weight = parse_decimal(table, "gewicht")
    _first_bad(
        table, weight.notna() & ~(weight > 0), "gewicht", "weight must be positive: {value!r}"
    )
    for wave in year.unique():
        given = weight[year == wave].notna()
        if given.any() and not given.all():
            _first_bad(
                table,
                (year == wave) & weight.isna(),
                "gewicht",
                f"wave {wave} has weights for some respondents only; fill all or none",
            )
    return weight


def marks(table: CsvTable, column: str) -> pd.Series:
    """A 1-10 mark item; an absent column is no answer."""
    if column not in table.frame:
        return pd.Series(np.nan, index=table.frame.index)
    mark = parse_decimal(table, column)
    _first_bad(table, mark.notna() & ~mark.between(1, 10), column, "mark {value!r} outside 1-10")
    return mark


# --- files ---------------------------------------------------------------------------------------


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
    # The checks run in this order so that a file with several faults reports the same first one.
    require_area_column(table)
    year = wave_years(table, waves)
    wijk = wijk_codes(table, known_wijken)
    respondent = respondent_ids(table, year)
    weight = weights(table, year)
    out = pd.DataFrame(
        {
            "respondent": respondent.astype("string"),
            "year": year.astype("int64"),
            "wijk_code": wijk.astype("string"),
            "age": _category(table, "leeftijd", AGE_BANDS),
            "sex": _category(table, "geslacht", SEXES),
            "weight": weight,
        },
        index=table.frame.index,
    )
    for column, (_, coding) in PROPORTION_ITEMS.items():
        out[column] = _code(table, column, coding, DONT_KNOW)
    for column in MARK_ITEMS:
        out[column] = marks(table, column)
    out["_file"] = str(path)
    out["_row"] = [table.line(i) for i in table.frame.index]
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
