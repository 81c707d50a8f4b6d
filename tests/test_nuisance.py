"""The overlast reader on small tables in the real shape: grain, padding, null, combining the two tables.

Keys and dimension rows are the real ones (tests/fixtures/real); the counts are invented for each case.
"""

from __future__ import annotations

import pandas as pd
import pytest
from real_samples import overlast_properties, police_dimension, write_table

from hengelo_analysis.errors import DataError
from hengelo_analysis.processed import schemas
from hengelo_analysis.sources import nuisance

OVERLAST = police_dimension("47021NED_Overlast")
PERIODS = [
    {"Key": "2023JJ00", "Title": "2023", "Description": None, "Status": "Definitief"},
    {"Key": "2023MM01", "Title": "2023 januari", "Description": None, "Status": "Definitief"},
    {"Key": "2024MM01", "Title": "2024 januari", "Description": None, "Status": "Voorlopig"},
    {"Key": "2024KW01", "Title": "2024 1e kwartaal", "Description": None, "Status": "Voorlopig"},
]
WIJKEN_EN_BUURTEN = [
    {"Key": k.ljust(10), "Title": t}
    for k, t in [
        ("NL00", "Nederland"),
        ("GM0164", "Hengelo"),
        ("GM0153", "Enschede"),
        ("WK016400", "Wijk 00 Binnenstad"),
        ("BU01640000", "Binnenstad-Centrum"),
        ("GM0000", "Gemeente onbekend"),
        ("WK000000", "Wijk onbekend"),
        ("BU00000000", "Buurt onbekend"),
    ]
]


def _rows(region: str, cells: list[tuple[str, str, str, object]], measure: str) -> list[dict]:
    return [
        {"ID": i, "Overlast": code, region: area, "Perioden": period, measure: value}
        for i, (code, area, period, value) in enumerate(cells)
    ]


def wijk_table(tmp_path, cells, measure="GeregistreerdeOverlast_1"):
    return write_table(
        tmp_path,
        "47024NED",
        {
            "DataProperties": overlast_properties("WijkenEnBuurten", measure),
            "Overlast": OVERLAST,
            "WijkenEnBuurten": WIJKEN_EN_BUURTEN,
            "Perioden": PERIODS,
            "TypedDataSet": _rows("WijkenEnBuurten", cells, measure),
        },
    )


def gemeente_table(tmp_path, cells):
    return write_table(
        tmp_path,
        "47021NED",
        {
            "DataProperties": overlast_properties("RegioS"),
            "Overlast": OVERLAST,
            "RegioS": police_dimension("47021NED_RegioS"),
            "Perioden": PERIODS,
            "TypedDataSet": _rows("RegioS", cells, "GeregistreerdeOverlast_1"),
        },
    )


def test_month_and_year_rows_padding_null_and_provisional(tmp_path):
    folder = wijk_table(
        tmp_path,
        [
            ("E33   ", "BU01640000", "2023MM01", 4),
            ("E33   ", "BU01640000", "2024MM01", None),  # not published
            ("E33   ", "WK016400  ", "2023JJ00", 51),
            ("E33   ", "NL00      ", "2023MM01", 11_000),
            ("E33   ", "BU01640000", "2024KW01", 9),  # a quarter: another grain
        ],
    )
    frame = nuisance.clean_nuisance_table(folder).set_index(["area_code", "year", "month"])
    assert len(frame) == 4
    jan_2024 = frame.loc[("BU01640000", 2024, 1)]
    assert pd.isna(jan_2024["registered"]) and jan_2024["provisional"]
    assert frame.loc[("BU01640000", 2023, 1), "registered"] == 4
    year_row = frame.xs(("WK016400", 2023), level=("area_code", "year"))
    assert year_row.index.isna().all() and year_row["registered"].tolist() == [51]
    assert frame.loc[("NL00", 2023, 1), "area_level"] == "land"
    assert set(frame["nuisance_code"]) == {"E33"}
    assert set(frame["nuisance_label"]) == {"Overlast door verward persoon"}


def test_onbekend_rows_are_never_part_of_the_table(tmp_path):
    folder = wijk_table(
        tmp_path,
        [
            ("E33   ", "BU01640000", "2023MM01", 4),
            ("E33   ", "BU00000000", "2023MM01", 700),
            ("E33   ", "WK000000  ", "2023MM01", 700),
            ("E33   ", "GM0000    ", "2023MM01", 700),
        ],
    )
    frame = nuisance.clean_nuisance_table(folder)
    assert frame["area_code"].tolist() == ["BU01640000"]


def test_regional_groupings_and_unplaced_regios_rows_are_left_out(tmp_path):
    folder = gemeente_table(
        tmp_path,
        [
            ("E33   ", "NL01  ", "2023JJ00", 140_000),
            ("E33   ", "RE02  ", "2023JJ00", 20_000),
            ("E33   ", "PV23  ", "2023JJ00", 9_000),
            ("E33   ", "LDG4  ", "2023JJ00", 30_000),
            ("E33   ", "GM0999", "2023JJ00", 300),
            ("E33   ", "GM0164", "2023JJ00", 690),
        ],
    )
    frame = nuisance.clean_nuisance_table(folder)
    assert sorted(frame["area_code"]) == ["GM0164", "NL00"]


def test_gemeente_rows_come_whole_from_47021ned_wijken_from_47024ned(tmp_path):
    gemeente = gemeente_table(
        tmp_path / "a",
        [("E33   ", "GM0164", "2023MM01", 60), ("E33   ", "NL01  ", "2023MM01", 11_500)],
    )
    wijk = wijk_table(
        tmp_path / "b",
        [
            ("E33   ", "GM0164    ", "2023MM01", 58),  # differs a little: not used
            ("E33   ", "GM0153    ", "2023MM01", 120),  # not in 47021NED: used
            ("E33   ", "NL00      ", "2023MM01", 11_400),
            ("E33   ", "WK016400  ", "2023MM01", 20),
        ],
    )
    tables, used, warnings = nuisance.clean_nuisance(
        tmp_path, {"47021NED": gemeente, "47024NED": wijk}
    )
    frame = schemas.validate(schemas.nuisance, tables["nuisance"], "test")
    got = frame.set_index("area_code")["registered"].to_dict()
    assert got == {"GM0153": 120, "GM0164": 60, "NL00": 11_500, "WK016400": 20}
    assert set(used) == {"47021NED", "47024NED"} and warnings == []


def test_the_count_column_is_resolved_not_assumed(tmp_path):
    folder = wijk_table(
        tmp_path, [("E38   ", "GM0164    ", "2023MM01", 7)], measure="GeregistreerdeOverlast_4"
    )
    assert nuisance.clean_nuisance_table(folder)["registered"].tolist() == [7]


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        (
            ("E33   ", "GM0164    ", "2023XX01", 1),
            "period '2023XX01' not in the Perioden dimension",
        ),
        (("E99   ", "GM0164    ", "2023MM01", 1), "code 'E99' not in the Overlast dimension"),
        (("E33   ", "GM0164    ", "2023MM01", -1), "negative count -1"),
        (("E33   ", "GM0164    ", "2023MM01", 1.5), "not a whole number: 1.5"),
        (("E33   ", "GM0164    ", "2023MM01", "12"), "not a whole number: '12'"),
        (("E33   ", "GM0164    ", "2023MM01", True), "not a whole number: True"),
        (("E33   ", None, "2023MM01", 1), "area code missing"),
        (
            ("E33   ", "XX0164    ", "2023MM01", 1),
            "area code 'XX0164' not in the WijkenEnBuurten dimension",
        ),
        (("E33   ", "GM0164    ", "2023MM01", float("inf")), "not a number: Infinity"),
        (("E33   ", "GM0164    ", "2023MM01", 10**20), "count too large for an integer"),
        (("E33   ", "GM0164", "2023MM01", 1), "'GM0164' appears with two paddings"),
    ],
)
def test_bad_cells_are_refused_with_their_row(tmp_path, cell, problem):
    good = ("E33   ", "GM0164    ", "2023JJ00", 1)
    folder = wijk_table(tmp_path, [good, cell])
    with pytest.raises(DataError, match=problem) as err:
        nuisance.clean_nuisance_table(folder)
    assert err.value.row == 2


def test_a_duplicate_row_is_refused(tmp_path):
    cell = ("E33   ", "GM0164    ", "2023MM01", 1)
    folder = wijk_table(tmp_path, [cell, cell])
    with pytest.raises(DataError, match="duplicate row for GM0164 2023/1 E33") as err:
        nuisance.clean_nuisance_table(folder)
    assert err.value.row == 2


def test_no_overlast_table_is_a_warning_not_a_crash(tmp_path):
    tables, used, warnings = nuisance.clean_nuisance(tmp_path, {})
    assert tables == {} and used == {}
    assert "nuisance will be missing" in warnings[0]
