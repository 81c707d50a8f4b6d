"""The tables of one edition, looked up by area code instead of scanned whole for every lookup.

The findings stage asks the same processed tables a few hundred times for a handful of areas (the
gemeente, the rest of Twente, Nederland, the peers) and for the same derived figures (a yearly
series, the inhabitants of a group, the area names), for the peiljaar and again for the year before.
A boolean mask over the whole national table per lookup was most of its time.

:class:`IndexedTables` is a read-only mapping of the frames that finds an area's rows through a
position index built once per table (:class:`AreaLookup`), and remembers derived results computed
from the frames. The helpers here take any mapping of frames: with a plain dict (pages, tests) they
compute what they always did, only without remembering, so the figures are the same either way.

The frames must not be changed while they are indexed (the analysis functions never change a
frame): the index and the remembered results describe the frames as they were handed in.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


class AreaLookup:
    """The rows of one frame by ``area_code`` (and a code column), through the positions of each
    area (or area and code) built once."""

    def __init__(self, frame: pd.DataFrame, code_col: str | None = None):
        self.frame = frame
        self.code_col = code_col
        keys = frame["area_code"] if code_col is None else [frame["area_code"], frame[code_col]]
        # groupby leaves out a null key, as isin never matches one
        self._positions = dict(frame.groupby(keys, observed=True, sort=False).indices)

    def rows(
        self, areas: Iterable, codes: Iterable | None = None, columns: list[str] | None = None
    ) -> pd.DataFrame:
        """Exactly ``frame[frame["area_code"].isin(areas)]`` (and ``frame[code_col].isin(codes)``)
        with rows in frame order, ``columns`` only (default all)."""
        if (codes is None) != (self.code_col is None):
            raise ValueError("codes are asked for exactly when the lookup is by area and code")
        keys = set(areas) if codes is None else {(a, c) for a in set(areas) for c in set(codes)}
        parts = [self._positions[k] for k in keys if k in self._positions]
        positions = np.sort(np.concatenate(parts)) if parts else np.array([], dtype=np.intp)
        return (self.frame if columns is None else self.frame[columns]).take(positions)


class IndexedTables(Mapping[str, pd.DataFrame]):
    """A read-only mapping name → frame that finds rows by area code and remembers results."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]):
        self._tables = dict(tables)
        self._lookups: dict[tuple[str, str | None], AreaLookup] = {}
        self._remembered: dict[Hashable, object] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def lookup(self, name: str, code_col: str | None = None) -> AreaLookup:
        key = (name, code_col)
        if key not in self._lookups:
            self._lookups[key] = AreaLookup(self._tables[name], code_col)
        return self._lookups[key]

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key not in self._remembered:
            self._remembered[key] = compute()
        return self._remembered[key]  # type: ignore[return-value]


def as_indexed(tables: Mapping[str, pd.DataFrame]) -> IndexedTables:
    """``tables`` indexed (itself when it already is), for one computation that asks much of it."""
    return tables if isinstance(tables, IndexedTables) else IndexedTables(tables)


def area_rows(
    tables: Mapping[str, pd.DataFrame],
    name: str,
    areas: Iterable,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """The rows of ``tables[name]`` whose ``area_code`` is one of ``areas``, in table order.

    Exactly ``df[df["area_code"].isin(areas)]`` (same rows, order, index and dtypes), only the
    ``columns`` asked for (default all); through the position index when ``tables`` is
    :class:`IndexedTables`. Taking only the columns a caller reads saves copying the text columns.
    """
    if isinstance(tables, IndexedTables):
        return tables.lookup(name).rows(areas, columns=columns)
    df = tables[name]
    rows = df[df["area_code"].isin(list(areas))]
    return rows if columns is None else rows[columns]


def cell_rows(
    tables: Mapping[str, pd.DataFrame],
    name: str,
    code_col: str,
    areas: Iterable,
    codes: Iterable,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Exactly ``df[df["area_code"].isin(areas) & df[code_col].isin(codes)]`` (``columns`` only).

    Through a position index by area and code when ``tables`` is :class:`IndexedTables`: a few
    codes of a few areas are a handful of rows of the national table.
    """
    if isinstance(tables, IndexedTables):
        return tables.lookup(name, code_col).rows(areas, codes, columns)
    df = tables[name]
    rows = df[df["area_code"].isin(list(areas)) & df[code_col].isin(list(codes))]
    return rows if columns is None else rows[columns]


def area_codes(tables: Mapping[str, pd.DataFrame], name: str) -> frozenset:
    """The area codes that occur in table ``name``."""
    return remembered(
        tables, ("area_codes", name), lambda: frozenset(tables[name]["area_code"].unique())
    )


def indexed(tables: Mapping[str, pd.DataFrame]) -> bool:
    """Whether results computed from ``tables`` are remembered (worth computing for all areas)."""
    return isinstance(tables, IndexedTables)


def remembered(tables: Mapping[str, pd.DataFrame], key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, remembered under ``key`` when ``tables`` is :class:`IndexedTables`.

    The result is shared by every later caller: remember only what nobody changes in place (a
    frozenset, a tuple, a frame or series the caller copies or only reads).
    """
    if isinstance(tables, IndexedTables):
        return tables.remember(key, compute)
    return compute()
