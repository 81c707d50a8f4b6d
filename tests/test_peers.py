"""Peer groups and reference regions."""

from __future__ import annotations

import pandas as pd
import pytest

from hengelo_analysis.analysis import peers
from hengelo_analysis.analysis.stats import InsufficientData


def population():
    rows = [
        ("GM0001", 80_000, 2),
        ("GM0002", 52_000, 2),  # 65% of 80,000 = 52,000: just inside
        ("GM0003", 51_999, 2),  # just outside
        ("GM0004", 108_000, 2),  # 135% = 108,000: inside
        ("GM0005", 90_000, 3),  # other stedelijkheid
        ("GM0006", None, 2),  # inhabitants not published
        ("NL00", 18_000_000, None),
    ]
    df = pd.DataFrame(rows, columns=["area_code", "inhabitants", "stedelijkheid"])
    df["area_level"] = ["gemeente"] * 6 + ["land"]
    df["year"] = 2024
    df = df.astype({"inhabitants": "Int64", "stedelijkheid": "Int64"})
    other_year = df.assign(year=2023, stedelijkheid=pd.array([3] * 7, dtype="Int64"))
    return pd.concat([df, other_year], ignore_index=True)


def test_peer_group_same_class_within_band_without_itself():
    assert peers.peer_group(population(), "GM0001", 2024) == ["GM0002", "GM0004"]


def test_band_is_configurable():
    assert peers.peer_group(population(), "GM0001", 2024, band=0.1) == []
    assert peers.peer_group(population(), "GM0001", 2024, band=0.4) == [
        "GM0002",
        "GM0003",
        "GM0004",
    ]


def test_year_selects_the_class():
    # in 2023 every gemeente is class 3, so GM0005 joins and GM0003 stays out on size
    assert peers.peer_group(population(), "GM0001", 2023) == ["GM0002", "GM0004", "GM0005"]


def test_unknown_gemeente_is_insufficient_data():
    with pytest.raises(InsufficientData, match="GM9999"):
        peers.peer_group(population(), "GM9999", 2024)


def test_twente_has_fourteen_and_excludes():
    assert len(peers.twente()) == 14
    rest = peers.twente(exclude="GM0164")
    assert len(rest) == 13 and "GM0164" not in rest and "GM0153" in rest


def test_peiljaar_without_kerncijfers_uses_the_latest_year_known():
    # police figures for 2025 while the Kerncijfers stop at 2024: the 2024 group is used
    assert peers.peer_group_for_peiljaar(population(), "GM0001", 2025, 0.35) == (
        2024,
        ["GM0002", "GM0004"],
    )
    # a peiljaar of 2023 never looks ahead to 2024
    assert peers.peer_group_for_peiljaar(population(), "GM0001", 2023, 0.35) == (
        2023,
        ["GM0002", "GM0004", "GM0005"],
    )
    with pytest.raises(InsufficientData, match="inwonertal van GM0001 ontbreekt"):
        peers.peer_group_for_peiljaar(population(), "GM0001", 2022, 0.35)
