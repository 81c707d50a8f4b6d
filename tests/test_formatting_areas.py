import pandas as pd
import pytest

from hengelo_analysis import domain as areas
from hengelo_analysis import formatting


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (1234567, 0, "1.234.567"),
        (0.5, 2, "0,50"),
        (-1234.25, 1, "-1.234,2"),
        (-0.04, 1, "0,0"),
        (None, 0, "n.b."),
        (float("nan"), 1, "n.b."),
        (pd.NA, 0, "n.b."),
        (0, 0, "0"),
    ],
)
def test_format_number(value, decimals, expected):
    assert formatting.format_number(value, decimals) == expected


def test_format_percentage_and_unit():
    assert formatting.format_percentage(5.26, signed=True) == "+5,3%"
    assert formatting.format_percentage(-5.26, signed=True) == "-5,3%"
    assert formatting.format_percentage(None) == "n.b."
    assert formatting.rate_unit_label(10000) == "per 10.000 inwoners"


@pytest.mark.parametrize(
    ("code", "level", "parent", "gemeente"),
    [
        ("NL00", "land", None, None),
        ("GM0164", "gemeente", "NL00", "GM0164"),
        ("WK016403", "wijk", "GM0164", "GM0164"),
        ("BU01640305", "buurt", "WK016403", "GM0164"),
        ("BU0363AD07", "buurt", "WK0363AD", "GM0363"),
    ],
)
def test_area_codes(code, level, parent, gemeente):
    assert areas.area_level(code) == level
    assert areas.parent_code(code) == parent
    assert areas.gemeente_of(code) == gemeente


@pytest.mark.parametrize("code", ["GM164", "gm0164", "BU0164", "XX0164", "GM0164    "])
def test_bad_area_codes(code):
    with pytest.raises(ValueError):
        areas.area_level(code)
