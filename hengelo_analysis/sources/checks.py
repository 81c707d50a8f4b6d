"""Checks every raw reader shares: keys against their dimension, numbers that are numbers.

Each check refuses bad input with a :class:`DataError` naming the file, column and row, so the CLI
prints one line. The checks run once per distinct key or vectorised over a page, because the police
table has 76k rows for the demo and about 10 million nationally.

- a dimension (``Perioden``, ``WijkenEnBuurten``, ``RegioS``, ...) whose row has no ``Key``, or
  serves one key twice or with two paddings (``"GM0164    "`` and ``"GM0164"``), is refused;
- a data key not in its dimension is refused: a stray ``2099JJ00`` without a ``Perioden`` row once
  made 2099 the default peiljaar and published a 2099 edition;
- a count too large for an integer is refused (``1e20`` wrapped to a negative ``Int64``), and so
  are ``NaN`` and ``Infinity``: a float NaN would pass for ``null`` (not published) everywhere after.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hengelo_analysis.errors import DataError
from hengelo_analysis.sources.odata import NonFinite, entity_set_files, read_document

# Counts pass through float64 (null = NaN) on their way to Int64; above 2**53 a float64 no longer
# holds every whole number, so a larger "count" is refused rather than silently rounded or wrapped.
MAX_COUNT = 2**53 - 1
NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
# What Excel or a script writes in a text file for a computation that went wrong: never a figure.
NON_NUMBER_TEXTS = {"nan", "inf", "-inf", "infinity", "-infinity", "#getal!", "#num!", "#deel/0!"}


def read_dimension(table_dir: Path, name: str, *, required: bool = True) -> dict[str, str]:
    """Dimension ``name`` of an OData table folder as trimmed Key → trimmed Title.

    A row without a text ``Key``, a key served twice, or one key served with two paddings is a
    :class:`DataError` naming the file and row. A missing dimension is one too when ``required``,
    else an empty dict.
    """
    files = entity_set_files(table_dir, name)
    if not files:
        if required:
            raise DataError(table_dir / f"{name}.json", "entity set missing from the table folder")
        return {}
    titles: dict[str, str] = {}
    first: dict[str, tuple[Path, int, str]] = {}
    for path in files:
        for number, row in enumerate(read_document(path)["value"], start=1):
            key = row.get("Key") if isinstance(row, dict) else None
            if not isinstance(key, str) or not key.strip():
                raise DataError(path, f"{name} row without Key", column="Key", row=number)
            trimmed = key.strip()
            if trimmed in first:
                where, at, raw = first[trimmed]
                seen = f"row {at}" if where == path else f"{where.name} row {at}"
                problem = (
                    f"key {trimmed!r} appears twice (also {seen})"
                    if raw == key
                    else f"key {trimmed!r} appears with two paddings: {raw!r} ({seen}) and {key!r}"
                )
                raise DataError(path, problem, column="Key", row=number)
            first[trimmed] = (path, number, key)
            title = row.get("Title")
            titles[trimmed] = str(title).strip() if title is not None else ""
    return titles


def key_problem(
    key,
    dimension: Collection[str] | None,
    column: str,
    *,
    what: str = "key",
    pattern: re.Pattern | None = None,
) -> str | None:
    """Why a raw data key is unusable, or ``None``: not text, not matching ``pattern``, or its
    trimmed form absent from ``dimension`` (``None``: no dimension to check against)."""
    if key is None or (isinstance(key, float) and math.isnan(key)):  # a DataFrame's None is NaN
        return f"{what} missing"
    if not isinstance(key, str):
        return f"{what} not text: {key!r}"
    trimmed = key.strip()
    if pattern is not None and not pattern.match(trimmed):
        return f"unknown {what} {trimmed!r}"
    if dimension is not None and trimmed not in dimension:
        return f"{what} {trimmed!r} not in the {column} dimension"
    return None


def padding_problem(seen: dict[str, str], key: str) -> str | None:
    """Record raw ``key`` under its trimmed form in ``seen``; a second padding is a problem.

    Two paddings of one key would become two categories that print the same.
    """
    trimmed = key.strip()
    first = seen.setdefault(trimmed, key)
    if first != key:
        return f"key {trimmed!r} appears with two paddings: {first!r} and {key!r}"
    return None


def dimension_keys(
    path: Path,
    values: Sequence,
    dimension: Collection[str] | None,
    column: str,
    *,
    what: str = "key",
    pattern: re.Pattern | None = None,
    row_numbers: Sequence[int] | None = None,
) -> np.ndarray:
    """Trimmed keys of one data column, each distinct raw key checked once (:func:`key_problem`,
    :func:`padding_problem`). ``row_numbers`` gives the row to name per value (default 1-based
    position). Returns an object array aligned with ``values``."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))  # None/NaN → -1
    if (codes < 0).any():
        index = int(np.flatnonzero(codes < 0)[0])
        row = int(row_numbers[index]) if row_numbers is not None else index + 1
        raise DataError(path, key_problem(None, None, column, what=what), column=column, row=row)
    seen: dict[str, str] = {}
    trimmed = np.empty(len(uniques), dtype=object)
    for i, key in enumerate(uniques):
        problem = key_problem(key, dimension, column, what=what, pattern=pattern)
        if problem is None:
            problem = padding_problem(seen, key)
        if problem is not None:
            index = int(np.flatnonzero(codes == i)[0])
            row = int(row_numbers[index]) if row_numbers is not None else index + 1
            raise DataError(path, problem, column=column, row=row)
        trimmed[i] = key.strip()
    return trimmed[codes]


def _shown(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return NON_FINITE[str(value)]
    return repr(value)


def number_problem(value, *, whole: bool = False) -> str | None:
    """Why a JSON value is not a usable number (``None``, i.e. null, is fine), or ``None``.

    Text, booleans, ``NaN`` and ``Infinity`` are refused; with ``whole``, fractions and counts
    above :data:`MAX_COUNT` too.
    """
    if value is None:
        return None
    kind = "whole number" if whole else "number"
    if isinstance(value, NonFinite) or (isinstance(value, float) and not math.isfinite(value)):
        return f"not a number: {_shown(value)} (a figure that is not published is null)"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"not a {kind}: {value!r}"
    if whole and value != int(value):
        return f"not a whole number: {value!r}"
    if whole and abs(value) > MAX_COUNT:
        return f"count too large for an integer: {value!r}"
    return None


def numbers(
    path: Path,
    values: Sequence,
    column: str,
    *,
    whole: bool = False,
    row_numbers: Sequence[int] | None = None,
) -> np.ndarray:
    """JSON values of one column as float64, ``null`` → NaN; anything :func:`number_problem`
    refuses is a :class:`DataError` naming the file, column, row and value.

    Vectorised: a page of plain ints (the police table) costs one conversion and one comparison.
    """
    values = values if isinstance(values, list) else list(values)
    kinds = set(map(type, values))
    bad = None
    if kinds <= {int, float, type(None)}:
        try:
            array = np.array(values, dtype=np.float64)  # None becomes NaN
        except OverflowError:  # an int beyond float64: found by the row loop below
            array = None
        if array is not None:
            bad = np.zeros(len(array), dtype=bool)
            if float in kinds:
                null = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
                bad |= ~np.isfinite(array) & ~null
                if whole:
                    with np.errstate(invalid="ignore"):
                        bad |= np.isfinite(array) & (array % 1 != 0)
            if whole:
                bad |= np.abs(array) > MAX_COUNT
            if not bad.any():
                return array
    index = (
        int(np.flatnonzero(bad)[0])
        if bad is not None
        else next(i for i, v in enumerate(values) if number_problem(v, whole=whole))
    )
    row = int(row_numbers[index]) if row_numbers is not None else index + 1
    problem = number_problem(values[index], whole=whole)
    raise DataError(path, problem or "not a number", column=column, row=row)


def non_number_text(raw: str) -> str | None:
    """The problem with a CSV cell holding ``NaN``, ``Infinity`` or an Excel error, or ``None``."""
    if raw.strip().lower() in NON_NUMBER_TEXTS:
        return f"not a number: {raw!r} (leave the cell empty when there is no figure)"
    return None
