"""Disclosure control: hidden cells cannot be recomputed from what is shown."""

from __future__ import annotations

import itertools

import pandas as pd

from hengelo_analysis.analysis import disclosure, indicators


def wijk_table(values):
    return pd.DataFrame(
        {
            "area_code": [f"BU{i}" for i in range(len(values))],
            "parent_code": "WK1",
            "year": 2024,
            "registered": pd.array(values, dtype="Int64"),
        }
    )


def feasible_values(shown: pd.DataFrame, total: int, threshold=5, max_value=60):
    """All assignments of the hidden cells consistent with the shown cells and the group total."""
    hidden = shown[shown["status"].isin(disclosure.HIDDEN)]
    known = shown.loc[shown["status"] == disclosure.PUBLISHED, "registered"].sum()
    ranges = [
        range(0, threshold) if s == disclosure.PRIMARY else range(0, max_value)
        for s in hidden["status"]
    ]
    return [combo for combo in itertools.product(*ranges) if sum(combo) + known == total], list(
        hidden.index
    )


def test_single_small_cell_gets_a_secondary_partner_and_cannot_be_recomputed():
    values = [3, 12, 40, 25, 9]
    table = disclosure.suppress(wijk_table(values), groups=[("parent_code", "year")])
    assert list(table["status"]) == [
        "primair",
        "gepubliceerd",
        "gepubliceerd",
        "gepubliceerd",
        "secundair",
    ]
    assert list(table["shown"]) == ["<5", "12", "40", "25", "x"]
    assert table["registered"].isna().tolist() == [True, False, False, False, True]
    combos, hidden = feasible_values(table, total=sum(values))
    first = {c[hidden.index(0)] for c in combos}
    assert len(first) > 1  # the small cell is not determined by the wijk total


def test_without_secondary_suppression_the_total_would_reveal_the_cell():
    values = [3, 12, 40]
    primary_only = disclosure.suppress(wijk_table(values), groups=[])
    combos, _ = feasible_values(primary_only, total=sum(values))
    assert combos == [(3,)]  # this is the leak the secondary rule closes


def test_two_small_cells_need_no_secondary():
    table = disclosure.suppress(wijk_table([2, 4, 30, 50]), groups=[("parent_code", "year")])
    assert list(table["status"]).count("secundair") == 0
    assert list(table["shown"][:2]) == ["<5", "<5"]


def test_missing_stays_distinct_from_zero_and_from_suppressed():
    values = [None, 0, 20, 30, 15]
    table = disclosure.suppress(wijk_table(values), groups=[("parent_code", "year")])
    assert table["status"][0] == "niet_gepubliceerd" and table["shown"][0] == "n.b."
    assert table["status"][1] == "primair" and table["shown"][1] == "<5"
    # the missing cell does not protect the zero: a secondary cell is chosen among the shown ones
    assert table["status"][4] == "secundair"


def test_secondary_suppression_iterates_over_two_dimensions():
    # buurten x crime codes; totals shown per wijk-code column and per buurt row
    rows = []
    grid = {"BU1": {"a": 3, "b": 20}, "BU2": {"a": 30, "b": 40}}
    for buurt, codes in grid.items():
        for code, v in codes.items():
            rows.append(
                {"area_code": buurt, "parent_code": "WK1", "crime_code": code, "registered": v}
            )
    df = pd.DataFrame(rows).astype({"registered": "Int64"})
    table = disclosure.suppress(df, groups=[("parent_code", "crime_code"), ("area_code",)])
    hidden = table.loc[table["status"].isin(disclosure.HIDDEN), ["area_code", "crime_code"]]
    # a single small cell in a 2x2 table with both margins shown forces all four to hide
    assert len(hidden) == 4


def test_rates_hidden_for_small_population_and_suppressed_counts():
    df = pd.DataFrame(
        {
            "area_code": ["BU1", "BU2", "BU3", "BU4"],
            "inhabitants": pd.array([50, 2000, 3000, None], dtype="Int64"),
            "rate": [20.0, 1.5, 4.0, 3.0],
            "status": ["gepubliceerd", "primair", "gepubliceerd", "gepubliceerd"],
        }
    )
    out = disclosure.suppress_rates(df, min_population=100)
    assert list(out["rate_status"]) == [
        "te_weinig_inwoners",
        "aantal_afgeschermd",
        "gepubliceerd",
        "te_weinig_inwoners",
    ]
    assert out["rate"].isna().tolist() == [True, True, False, True]


def test_buurt_table_suppresses_within_wijk_and_hides_rates_of_hidden_counts():
    from hengelo_analysis.analysis import indicators

    buurten = {
        "BU01640000": 3,
        "BU01640001": 40,
        "BU01640002": 12,
        "BU01640100": 25,
        "BU01640101": None,
    }
    crime = pd.DataFrame(
        [
            {
                "area_code": b,
                "area_level": "buurt",
                "gemeente_code": "GM0164",
                "area_name": b,
                "year": 2024,
                "crime_code": "0.0.0",
                "crime_label": "Totaal",
                "registered": v,
            }
            for b, v in buurten.items()
        ]
    ).astype({"registered": "Int64"})
    population = pd.DataFrame(
        {
            "area_code": list(buurten),
            "year": 2024,
            "inhabitants": pd.array([900, 2000, 1500, 80, 700], dtype="Int64"),
        }
    )
    table = indicators.buurt_table(crime, "GM0164", 2024, population=population)
    by_code = table.set_index("area_code")
    assert by_code.loc["BU01640000", "shown"] == "<5"
    assert by_code.loc["BU01640002", "shown"] == "x"  # next-smallest in wijk WK016400
    assert by_code.loc["BU01640001", "shown"] == "40"
    assert by_code.loc["BU01640101", "shown"] == "n.b."
    assert table["wijk_code"].tolist() == ["WK016400"] * 3 + ["WK016401"] * 2
    assert by_code.loc["BU01640001", "rate"] == 20.0
    assert by_code.loc["BU01640001", "lower"] < 20.0 < by_code.loc["BU01640001", "upper"]
    assert by_code[["rate"]].isna()["rate"].tolist() == [True, False, True, True, True]
    assert by_code.loc["BU01640002", "rate_status"] == "aantal_afgeschermd"
    assert by_code.loc["BU01640100", "rate_status"] == "te_weinig_inwoners"
    # WK016401: 25 alone among published cells (the other is not published), so it stays shown
    assert by_code.loc["BU01640100", "shown"] == "25"


def test_buurt_table_of_a_gemeente_without_buurt_rows_is_empty_not_an_error():
    crime = pd.DataFrame(
        {
            "area_code": ["GM0153"],
            "area_level": ["gemeente"],
            "gemeente_code": ["GM0153"],
            "area_name": ["Enschede"],
            "year": [2024],
            "crime_code": ["0.0.0"],
            "registered": pd.array([9000], dtype="Int64"),
        }
    )
    population = pd.DataFrame({"area_code": ["GM0153"], "year": [2024], "inhabitants": [161000]})
    table = indicators.buurt_table(crime, "GM0153", 2024, "0.0.0", population=population)
    assert table.empty
    assert {"rate", "lower", "upper", "shown"} <= set(table.columns)
