"""Faults in the police count tables 47021NED/47022NED/47024NED and in entity sets (issue 14).

The count tables once skipped every dimension check that 47018NED has: a ``2099MM01`` without a
``Perioden`` row became the lopend jaar, ``1e400`` was an OverflowError traceback. Each case runs
the real CLI ``clean`` in a subprocess on a copy of the demo data that has already been cleaned,
breaks one thing in the real CBS format, rewrites the table's ``manifest.json`` sha256 as a fresh
fetch would (so the manifest check does not fire first), and asserts: exit code 1, exactly one
error line naming the file and row (and the value), no traceback, and every processed file
byte-for-byte unchanged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from hengelo_analysis.analysis.running_year import running_year
from hengelo_analysis.errors import DataError
from hengelo_analysis.sources.police_monthly import clean_monthly_crime_table
from tests.conftest import DEMO_RAW
from tests.test_faults_input import clean, edit, hashes

RAW = Path("data/raw/demo")
GEMEENTE = RAW / "47021NED"  # overlast per gemeente: RegioS, year and month periods
MONTHLY = RAW / "47022NED"  # misdrijven per maand: WijkenEnBuurten, months
WIJK = RAW / "47024NED"  # overlast per wijk/buurt: WijkenEnBuurten, months
CRIME = RAW / "47018NED"
OVERLAST = "GeregistreerdeOverlast_1"
MISDRIJVEN = "GeregistreerdeMisdrijven_1"
MARKER = 918_273_645_546_372_819  # a count no demo row has, replaced by a literal in the text


def fix_manifest(folder: Path) -> None:
    """Rewrite the sha256 of every page listed in ``manifest.json``, as a fetch would."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        page = folder / entry["file"]
        entry["sha256"] = hashlib.sha256(page.read_bytes()).hexdigest()
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def edit_fixed(path: Path, change) -> None:
    edit(path, change)
    fix_manifest(path.parent)


def literal_count(path: Path, row: int, column: str, literal: str) -> None:
    """Set ``column`` of 0-based ``row`` to a JSON number literal ``json.dumps`` cannot write."""
    edit(path, lambda r: r[row].update({column: MARKER}))
    text = path.read_text(encoding="utf-8")
    assert text.count(str(MARKER)) == 1
    path.write_text(text.replace(str(MARKER), literal), encoding="utf-8")
    fix_manifest(path.parent)


def append_row(path: Path, **changes) -> int:
    """Append a copy of the page's first row with ``changes``; its 1-based row number."""
    rows = json.loads(path.read_text(encoding="utf-8"))["value"]
    edit_fixed(path, lambda r: r.append({**r[0], "ID": 999_999, **changes}))
    return len(rows) + 1


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("faults_counts")
    shutil.copytree(DEMO_RAW, root / RAW)
    result = clean(root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def work(cleaned, tmp_path) -> Path:
    shutil.copytree(cleaned, tmp_path / "w")
    return tmp_path / "w"


# --- keys against their dimensions ---------------------------------------------------------------


def monthly_period_not_in_perioden(root):
    # The review's case: a month that is no Perioden row would become the lopend jaar.
    row = append_row(root / MONTHLY / "TypedDataSet-0002.json", Perioden="2099MM01")
    return [
        "47022NED/TypedDataSet-0002.json",
        f"column 'Perioden', row {row}",
        "period '2099MM01' not in the Perioden dimension",
    ]


def gemeente_period_not_in_perioden(root):
    edit_fixed(
        root / GEMEENTE / "TypedDataSet-0001.json", lambda r: r[3].update(Perioden="2099JJ00")
    )
    return [
        "47021NED/TypedDataSet-0001.json",
        "column 'Perioden', row 4",
        "period '2099JJ00' not in the Perioden dimension",
    ]


def area_not_in_regios(root):
    # Well-formed, so only the RegioS dimension can tell there is no such gemeente.
    edit_fixed(root / GEMEENTE / "TypedDataSet-0001.json", lambda r: r[5].update(RegioS="GM9999"))
    return [
        "47021NED/TypedDataSet-0001.json",
        "column 'RegioS', row 6",
        "area code 'GM9999' not in the RegioS dimension",
    ]


def dimension_key_with_two_paddings(root):
    rows = json.loads((root / GEMEENTE / "RegioS.json").read_text())["value"]
    edit_fixed(
        root / GEMEENTE / "RegioS.json",
        lambda r: r.append({"Key": "NL01", "Title": "Nederland", "Description": None}),
    )
    return [
        "47021NED/RegioS.json",
        f"column 'Key', row {len(rows) + 1}",
        "'NL01' appears with two paddings: 'NL01  ' (row 1) and 'NL01'",
    ]


def data_key_with_two_paddings(root):
    # Page 1 served "NL00      "; one row of page 2 loses the padding ("NL00" next to it).
    page = root / WIJK / "TypedDataSet-0002.json"
    rows = json.loads(page.read_text())["value"]
    first = next(i for i, r in enumerate(rows) if r["WijkenEnBuurten"] == "NL00      ")
    edit_fixed(page, lambda r: r[first].update(WijkenEnBuurten="NL00"))
    return [
        "47024NED/TypedDataSet-0002.json",
        f"column 'WijkenEnBuurten', row {first + 1}",
        "'NL00' appears with two paddings: 'NL00      ' and 'NL00'",
    ]


def category_key_twice(root):
    # Once the last title won: E33 would have printed as whatever the second row says.
    edit_fixed(
        root / GEMEENTE / "Overlast.json",
        lambda r: r.append({**r[1], "Title": "Iets anders"}),
    )
    return [
        "47021NED/Overlast.json",
        "column 'Key', row 10",
        "key 'E33' appears twice (also row 2)",
    ]


def category_row_without_key(root):
    edit_fixed(root / WIJK / "Overlast.json", lambda r: r[4].pop("Key"))
    return ["47024NED/Overlast.json", "column 'Key', row 5", "Overlast row without Key"]


# --- counts --------------------------------------------------------------------------------------


def count_1e400_monthly(root):
    # json reads 1e400 as inf: once an OverflowError traceback in the count check.
    literal_count(root / MONTHLY / "TypedDataSet-0001.json", 2, MISDRIJVEN, "1e400")
    return [
        "47022NED/TypedDataSet-0001.json",
        f"column '{MISDRIJVEN}', row 3",
        "not a number: Infinity",
    ]


def count_1e400_wijk(root):
    literal_count(root / WIJK / "TypedDataSet-0003.json", 6, OVERLAST, "1e400")
    return ["47024NED/TypedDataSet-0003.json", f"column '{OVERLAST}', row 7", "not a number"]


def count_1e20(root):
    literal_count(root / GEMEENTE / "TypedDataSet-0001.json", 8, OVERLAST, "1e20")
    return [
        "47021NED/TypedDataSet-0001.json",
        f"column '{OVERLAST}', row 9",
        "count too large for an integer: 1e+20",
    ]


def count_10_to_the_20(root):
    # A whole number, so it arrives as an int; an Int64 once wrapped it to a negative count.
    literal_count(root / GEMEENTE / "TypedDataSet-0001.json", 8, OVERLAST, str(10**20))
    return [
        "47021NED/TypedDataSet-0001.json",
        f"column '{OVERLAST}', row 9",
        f"count too large for an integer: {10**20}",
    ]


# --- entity sets ---------------------------------------------------------------------------------


def data_properties_row_not_an_object(root):
    # Once an AttributeError in police.resolve_topic_key.
    rows = json.loads((root / CRIME / "DataProperties.json").read_text())["value"]
    edit_fixed(root / CRIME / "DataProperties.json", lambda r: r.append(7))
    return [
        "47018NED/DataProperties.json",
        f"row {len(rows) + 1}",
        "DataProperties row is not a JSON object: 7",
    ]


def count_table_data_properties_row_not_an_object(root):
    # Once an AttributeError in police_counts._one.
    edit_fixed(root / WIJK / "DataProperties.json", lambda r: r.insert(0, "Overlast"))
    return [
        "47024NED/DataProperties.json",
        "row 1",
        "DataProperties row is not a JSON object: 'Overlast'",
    ]


CASES = [
    monthly_period_not_in_perioden,
    gemeente_period_not_in_perioden,
    area_not_in_regios,
    dimension_key_with_two_paddings,
    data_key_with_two_paddings,
    category_key_twice,
    category_row_without_key,
    count_1e400_monthly,
    count_1e400_wijk,
    count_1e20,
    count_10_to_the_20,
    data_properties_row_not_an_object,
    count_table_data_properties_row_not_an_object,
]


@pytest.mark.slow
@pytest.mark.parametrize("breakage", CASES, ids=[c.__name__ for c in CASES])
def test_a_bad_count_table_is_one_line_naming_file_and_row_and_changes_nothing(work, breakage):
    before = hashes(work / "data" / "processed")
    expected = breakage(work)
    result = clean(work)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    for part in expected:
        assert part in errors[0], errors[0]
    assert "Traceback" not in result.stderr
    assert hashes(work / "data" / "processed") == before


def test_running_year_never_sees_a_period_that_is_not_in_perioden(tmp_path):
    """The review's 2099MM01: the reader refuses it, so no lopend jaar of 2099 can be made."""
    folder = tmp_path / "47022NED"
    shutil.copytree(DEMO_RAW / "47022NED", folder)
    assert set(running_year(clean_monthly_crime_table(folder), "crime_code")["year"]) == {2025}
    row = append_row(folder / "TypedDataSet-0002.json", Perioden="2099MM01")
    with pytest.raises(DataError) as caught:
        clean_monthly_crime_table(folder)
    assert (caught.value.column, caught.value.row) == ("Perioden", row)
    assert "'2099MM01' not in the Perioden dimension" in caught.value.problem
