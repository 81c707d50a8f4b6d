"""The indexed tables of an edition (analysis.table_index): the same rows and figures as a scan.

The findings stage judges on :class:`IndexedTables` for speed; pages and many tests pass plain
dicts. Every helper must give exactly what the boolean mask over the whole table gave, so the
verdicts cannot depend on which of the two a caller handed in.
"""

from __future__ import annotations

import pandas as pd
import pytest

from hengelo_analysis.analysis.claims import InsufficientData
from hengelo_analysis.analysis.claims.model import Context
from hengelo_analysis.analysis.claims.regions import yearly_series
from hengelo_analysis.analysis.claims.series import calendar_rows, crime_series, population_series
from hengelo_analysis.analysis.running_year import calendar_years
from hengelo_analysis.analysis.table_index import (
    IndexedTables,
    area_codes,
    area_rows,
    as_indexed,
    cell_rows,
)

G, OTHER, NL = "GM0001", "GM0002", "NL01"


def crime(categorical: bool) -> pd.DataFrame:
    rows = []
    for area in (G, OTHER, NL, None):
        for code in ("0.0.0", "1.1.1"):
            for year in (2020, 2021, 2022):
                value = None if (area, code, year) == (OTHER, "1.1.1", 2021) else year - 2000
                rows.append((area, code, year, value))
    rows.append((G, "1.1.1", 2019, 5))  # a year with one code only: incomplete for both codes
    df = pd.DataFrame(rows, columns=["area_code", "crime_code", "year", "registered"])
    df["registered"] = df["registered"].astype("Int64")
    if categorical:
        df["area_code"] = df["area_code"].astype("category")
        df["crime_code"] = df["crime_code"].astype("category")
    return df.sample(frac=1, random_state=1)  # rows in no particular order, index shuffled


def nuisance() -> pd.DataFrame:
    """Year rows, complete and incomplete months, a year row beside its months, a null month."""
    rows = []
    for area in (G, OTHER):
        for code in ("0.0.0", "E33"):
            rows.append((area, code, 2020, None, 100, False))  # a published year row
            for month in range(1, 13):
                rows.append((area, code, 2021, month, 10, False))  # 12 months: 120
                rows.append((area, code, 2020, month, 9, False))  # months beside the year row
                if month <= 5:
                    rows.append((area, code, 2022, month, 11, True))  # only 5 months
    rows.append((OTHER, "E33", 2023, None, None, True))  # a year row not published
    df = pd.DataFrame(
        rows,
        columns=["area_code", "nuisance_code", "year", "month", "registered", "provisional"],
    )
    df["month"] = df["month"].astype("Int64")
    df["registered"] = df["registered"].astype("Int64")
    return df.sample(frac=1, random_state=2)


def population() -> pd.DataFrame:
    rows = [(a, y, 1000 + y) for a in (G, OTHER, NL) for y in (2019, 2020, 2021)]
    rows.append((OTHER, 2022, None))
    df = pd.DataFrame(rows, columns=["area_code", "year", "inhabitants"])
    df["inhabitants"] = df["inhabitants"].astype("Int64")
    return df


@pytest.fixture(params=[False, True], ids=["text codes", "categorical codes"])
def tables(request) -> dict[str, pd.DataFrame]:
    return {
        "crime": crime(request.param),
        "nuisance": nuisance(),
        "population": population(),
    }


AREA_SETS = [[G], [OTHER, G], [G, G], [NL, OTHER, G], ["GM9999"], []]


@pytest.mark.parametrize("areas", AREA_SETS)
def test_area_rows_are_the_rows_of_the_mask(tables, areas):
    df = tables["crime"]
    expected = df[df["area_code"].isin(areas)]
    indexed = IndexedTables(tables)
    pd.testing.assert_frame_equal(area_rows(indexed, "crime", areas), expected)
    pd.testing.assert_frame_equal(area_rows(tables, "crime", areas), expected)
    pd.testing.assert_frame_equal(
        area_rows(indexed, "crime", areas, ["year", "registered"]),
        expected[["year", "registered"]],
    )


@pytest.mark.parametrize("areas", AREA_SETS)
@pytest.mark.parametrize("codes", [["1.1.1"], ["0.0.0", "1.1.1"], ["9.9.9"]])
def test_cell_rows_are_the_rows_of_the_mask(tables, areas, codes):
    df = tables["crime"]
    expected = df[df["area_code"].isin(areas) & df["crime_code"].isin(codes)]
    for given in (tables, IndexedTables(tables)):
        got = cell_rows(given, "crime", "crime_code", areas, codes)
        pd.testing.assert_frame_equal(got, expected)


def test_area_codes_are_those_of_the_table(tables):
    expected = frozenset(tables["crime"]["area_code"].unique())
    assert area_codes(tables, "crime") == area_codes(IndexedTables(tables), "crime") == expected


def both(tables, peiljaar: int) -> tuple[Context, Context]:
    """A plain context and an indexed one, on the same frames."""
    return Context(tables, G, peiljaar), Context(IndexedTables(tables), G, peiljaar)


SERIES = {
    "crime_series": lambda ctx, areas, codes: crime_series(ctx, areas, codes),
    "yearly crime": lambda ctx, areas, codes: yearly_series(ctx, "crime", areas, codes),
    "yearly E33": lambda ctx, areas, codes: yearly_series(ctx, "nuisance", areas, ["E33"]),
    "yearly nuisance": lambda ctx, areas, codes: yearly_series(
        ctx, "nuisance", areas, ["0.0.0", "E33"]
    ),
    "inhabitants": lambda ctx, areas, codes: population_series(ctx, areas),
}


def outcome(compute, ctx: Context, areas: list[str], codes: list[str]):
    """The series, or the reason there is none (the same reason either way)."""
    try:
        return compute(ctx, areas, codes)
    except InsufficientData as exc:
        return f"InsufficientData: {exc}"


@pytest.mark.parametrize("peiljaar", [2018, 2020, 2022])
@pytest.mark.parametrize("areas", [[G], [NL, OTHER, G, G], ["GM9999"]])
def test_series_are_the_same_from_indexed_tables_at_every_peiljaar(tables, peiljaar, areas):
    shared = IndexedTables(tables)
    for name, compute in SERIES.items():
        for codes in (["1.1.1"], ["0.0.0", "1.1.1"]):
            # asked at another peiljaar first: the remembered totals must serve this one too
            outcome(compute, Context(shared, G, 2024), areas, codes)
            plain = outcome(compute, Context(tables, G, peiljaar), areas, codes)
            indexed = outcome(compute, Context(shared, G, peiljaar), areas, codes)
            if isinstance(plain, pd.Series):
                pd.testing.assert_series_equal(indexed, plain, obj=f"{name} {codes}")
            else:
                assert indexed == plain, (name, codes)


def scanned_yearly_series(df, code_col, areas, codes, peiljaar) -> pd.Series:
    """The series as it was computed before the index: one mask over the whole table."""
    rows = df[df["area_code"].isin(areas) & df[code_col].isin(codes) & (df["year"] <= peiljaar)]
    if "month" in rows.columns:
        rows = calendar_years(rows, code_col)
    if rows.empty:
        raise InsufficientData("no rows")
    expected = len(set(areas)) * len(set(codes))
    grouped = rows.groupby("year")["registered"]
    complete = (grouped.count() == expected) & (grouped.size() == expected)
    return grouped.sum(min_count=1)[complete].astype(float).sort_index()


@pytest.mark.parametrize("peiljaar", [2018, 2019, 2020, 2021, 2022, 2024])
def test_series_are_those_of_a_scan_of_the_whole_table(tables, peiljaar):
    shared = IndexedTables(tables)
    for table, code_col, code_sets in (
        ("crime", "crime_code", (["1.1.1"], ["0.0.0", "1.1.1"])),
        ("nuisance", "nuisance_code", (["E33"], ["0.0.0", "E33"])),
    ):
        for areas in ([G], [NL, OTHER, G, G], ["GM9999"]):
            for codes in code_sets:
                ctx = Context(shared, G, peiljaar)
                try:
                    expected = scanned_yearly_series(
                        tables[table], code_col, areas, codes, peiljaar
                    )
                except InsufficientData:
                    with pytest.raises(InsufficientData):
                        yearly_series(ctx, table, areas, codes)
                    if table == "crime":
                        with pytest.raises(InsufficientData):
                            crime_series(ctx, areas, codes)
                    continue
                got = yearly_series(ctx, table, areas, codes)
                pd.testing.assert_series_equal(got, expected, obj=f"{table} {areas} {codes}")
                if table == "crime":
                    got = crime_series(ctx, areas, codes)
                    pd.testing.assert_series_equal(got, expected, obj=f"crime_series {areas}")


def test_the_nuisance_years_count_the_year_row_else_twelve_months(tables):
    _, indexed = both(tables, 2024)
    series = yearly_series(indexed, "nuisance", [G], ["E33"])
    # 2020: the year row (not the 108 of its months); 2021: 12 months; 2022: 5 months, no total
    assert series.to_dict() == {2020: 100.0, 2021: 120.0}


@pytest.mark.parametrize("areas", [None, [G], [OTHER], [G, OTHER, NL]])
def test_calendar_rows_are_calendar_years_of_the_subset(tables, areas):
    plain, indexed = both(tables, 2024)
    for codes in (["E33"], ["0.0.0", "E33"]):
        pd.testing.assert_frame_equal(
            calendar_rows(indexed, "nuisance", "nuisance_code", codes, areas),
            calendar_rows(plain, "nuisance", "nuisance_code", codes, areas),
        )


def test_a_remembered_series_is_handed_out_as_a_copy(tables):
    _, indexed = both(tables, 2024)
    first = population_series(indexed, [G])
    first.iloc[0] = -1.0  # a caller changing its series in place
    assert population_series(indexed, [G]).iloc[0] == 1000.0 + 2019


def test_indexed_tables_are_read_only_and_indexed_once(tables):
    indexed = as_indexed(tables)
    assert as_indexed(indexed) is indexed
    assert dict(indexed) == tables and len(indexed) == len(tables)
    with pytest.raises(TypeError):
        indexed["crime"] = tables["crime"]  # type: ignore[index]
