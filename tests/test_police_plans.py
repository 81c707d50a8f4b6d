"""The fetch filters of 47021NED, 47024NED and 47022NED: keys as served, no overlap, months enumerated."""

from __future__ import annotations

import pytest
from real_samples import overlast_properties, police_47018, police_dimension

from hengelo_analysis.demo import police_shape
from hengelo_analysis.sources.police_plans import (
    gemeente_nuisance_filters,
    monthly_crime_filters,
    wijk_nuisance_filters,
)


def test_47021ned_asks_the_gemeente_and_nl_whole_and_the_rest_per_year():
    meta = {
        "DataProperties": overlast_properties("RegioS"),
        "RegioS": police_dimension("47021NED_RegioS"),  # real keys: 'NL01  ' padded, 'GM0164' not
        "Perioden": police_47018("Perioden") + police_shape.perioden(["2023MM01"]),
    }
    filters = gemeente_nuisance_filters(meta, "GM0164")
    assert filters[0] == "(RegioS eq 'GM0164' or RegioS eq 'NL01  ')"
    assert filters[1] == "Perioden eq '2012JJ00' and RegioS ne 'GM0164' and RegioS ne 'NL01  '"
    assert len(filters) == 1 + 12  # one per year 2012-2023; no month query for the others


def test_47024ned_asks_the_gemeente_its_wijken_buurten_and_nl():
    meta = {
        "DataProperties": overlast_properties("WijkenEnBuurten"),
        "WijkenEnBuurten": police_dimension("47024NED_WijkenEnBuurten_GM0164_subset"),
    }
    assert wijk_nuisance_filters(meta, "GM0164") == [
        "startswith(WijkenEnBuurten,'WK0164')",
        "startswith(WijkenEnBuurten,'NL')",
        "WijkenEnBuurten eq 'GM0164    '",
        "startswith(WijkenEnBuurten,'BU0164')",
    ]


def test_47022ned_enumerates_the_months_of_the_latest_two_years():
    keys = [police_shape.month_key(y, m) for y, m in police_shape.months(2022)] + ["2024JJ00"]
    meta = {
        "DataProperties": police_47018("DataProperties"),
        "WijkenEnBuurten": police_47018("WijkenEnBuurten_GM0164_subset"),
        "Perioden": police_shape.perioden(keys),
    }
    filters = monthly_crime_filters(meta, "GM0164")
    assert len(filters) == 3
    assert filters[2].startswith("WijkenEnBuurten eq 'GM0164    ' and (Perioden eq '2024MM01' or")
    assert "2025MM02" in filters[0] and "2023MM12" not in filters[0] and "JJ00" not in filters[0]
    with pytest.raises(ValueError, match="no month periods"):
        monthly_crime_filters({**meta, "Perioden": police_47018("Perioden")}, "GM0164")
