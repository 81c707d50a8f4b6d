"""The "lopend jaar" view: months so far against the same months a year earlier."""

from __future__ import annotations

import pandas as pd
import pytest

from hengelo_analysis.analysis.running_year import calendar_years, running_year, window_label


def monthly(cells: list[tuple[str, int, int | None, object, bool]]) -> pd.DataFrame:
    """Rows (area_code, year, month, registered, provisional) of crime code 0.0.0."""
    frame = pd.DataFrame(cells, columns=["area_code", "year", "month", "registered", "provisional"])
    frame["month"] = frame["month"].astype("Int64")
    frame["registered"] = frame["registered"].astype("Int64")
    frame["crime_code"] = "0.0.0"
    return frame


def full_year(area: str, year: int, value: int) -> list[tuple]:
    return [(area, year, m, value, False) for m in range(1, 13)]


def test_months_so_far_against_the_same_months_a_year_earlier():
    frame = monthly(
        full_year("GM0164", 2024, 300)
        + [("GM0164", 2025, 1, 280, True), ("GM0164", 2025, 2, 290, True)]
    )
    row = running_year(frame, "crime_code").iloc[0]
    assert (row["year"], row["through_month"]) == (2025, 2)
    assert (row["registered"], row["registered_previous"], row["change"]) == (570, 600, -30)
    assert row["change_pct"] == pytest.approx(-5.0)
    assert bool(row["provisional"])


def test_a_month_not_published_leaves_the_window_without_a_total():
    frame = monthly(
        full_year("GM0164", 2024, 300)
        + [("GM0164", 2025, 1, 280, False), ("GM0164", 2025, 2, None, False)]
    )
    row = running_year(frame, "crime_code").iloc[0]
    assert pd.isna(row["registered"]) and pd.isna(row["change"])  # not a fall to 280
    assert row["registered_previous"] == 600


def test_an_area_lacking_the_latest_month_has_no_total():
    """The window closes at the latest month of the table, not of each area."""
    frame = monthly(
        full_year("GM0164", 2024, 10)
        + full_year("WK016400", 2024, 5)
        + [
            ("GM0164", 2025, 1, 10, False),
            ("GM0164", 2025, 2, 10, False),
            ("WK016400", 2025, 1, 5, False),
        ]
    )
    result = running_year(frame, "crime_code").set_index("area_code")
    assert result.loc["GM0164", "registered"] == 20
    assert pd.isna(result.loc["WK016400", "registered"])


def test_year_rows_are_not_added_to_the_months_and_zero_before_gives_no_percentage():
    frame = monthly(
        [
            ("BU01640000", 2024, 1, 0, False),
            ("BU01640000", 2024, None, 40, False),  # a year figure
            ("BU01640000", 2025, 1, 3, False),
        ]
    )
    row = running_year(frame, "crime_code").iloc[0]
    assert (row["registered"], row["registered_previous"], row["change"]) == (3, 0, 3)
    assert pd.isna(row["change_pct"])
    assert not bool(row["provisional"])


def test_an_earlier_year_can_be_chosen():
    frame = monthly(full_year("GM0164", 2023, 1) + full_year("GM0164", 2024, 2))
    row = running_year(frame, "crime_code", year=2024).iloc[0]
    assert (row["through_month"], row["registered"], row["registered_previous"]) == (12, 24, 12)
    with pytest.raises(ValueError, match="no month rows for 2026"):
        running_year(frame, "crime_code", year=2026)


def test_window_labels_are_dutch():
    assert window_label(1) == "januari"
    assert window_label(5) == "januari t/m mei"
    assert window_label(12) == "januari t/m december"


def test_calendar_years_sum_complete_years_only_and_prefer_the_year_row():
    frame = monthly(
        full_year("WK016400", 2023, 3)
        + [(m[0], 2024, m[2], m[3], m[4]) for m in full_year("WK016400", 2024, 4)][:11]
        + [("WK016400", 2024, 12, None, True)]  # December not published
        + full_year("GM0164", 2023, 10)
        + [("GM0164", 2023, None, 118, False)]  # the published year figure
    )
    years = calendar_years(frame, "crime_code").set_index(["area_code", "year"])
    assert years.loc[("WK016400", 2023), "registered"] == 36
    assert bool(years.loc[("WK016400", 2023), "from_months"])
    assert pd.isna(years.loc[("WK016400", 2024), "registered"])  # not 44: a month is missing
    assert bool(years.loc[("WK016400", 2024), "provisional"])
    gm = years.loc[("GM0164", 2023)]
    assert (gm["registered"], bool(gm["from_months"])) == (118, False)
    assert len(years) == 3
