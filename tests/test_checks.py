"""The shared reader checks (sources/checks.py) and the raw-tree walk (sources/rawfiles.py)."""

from __future__ import annotations

import json
import logging
import os

import numpy as np
import pytest

from hengelo_analysis.domain import AREA_CODE_RE
from hengelo_analysis.errors import DataError
from hengelo_analysis.sources import checks, rawfiles
from hengelo_analysis.sources.odata import NonFinite, read_document
from tests.conftest import odata_doc

PAGE = "TypedDataSet-0001.json"


def test_numbers_keeps_null_missing_and_whole_counts_exact():
    got = checks.numbers(PAGE, [3, None, 0, checks.MAX_COUNT], "n", whole=True)
    assert got[0] == 3 and np.isnan(got[1]) and got[2] == 0 and got[3] == checks.MAX_COUNT
    assert checks.numbers(PAGE, [1.5, None, 2], "pct").tolist()[::2] == [1.5, 2.0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "not a number: NaN"),
        (NonFinite("NaN"), "not a number: NaN"),
        (float("inf"), "not a number: Infinity"),
        (NonFinite("-Infinity"), "not a number: -Infinity"),
        (1e20, "count too large for an integer: 1e+20"),
        (2**63 + 5, f"count too large for an integer: {2**63 + 5}"),
        (10**400, "count too large for an integer"),  # beyond float64: the row loop finds it
        (2.5, "not a whole number: 2.5"),
        ("twaalf", "not a whole number: 'twaalf'"),
        (True, "not a whole number: True"),
    ],
)
def test_numbers_refuse_what_is_not_a_count_naming_row_and_value(value, message):
    with pytest.raises(DataError) as err:
        checks.numbers(PAGE, [1, None, 7, value, 2], "AantalInwoners_5", whole=True)
    assert message in str(err.value)
    assert (err.value.column, err.value.row) == ("AantalInwoners_5", 4)


def test_numbers_name_the_given_row_numbers_and_allow_fractions_unless_whole():
    with pytest.raises(DataError) as err:
        checks.numbers(PAGE, [1.25, float("nan")], "x", row_numbers=[10, 11])
    assert err.value.row == 11
    assert checks.number_problem(1e20) is None  # not a count: no integer limit
    assert checks.number_problem(None, whole=True) is None


def test_dimension_keys_trims_and_refuses_unknown_unpadded_twice_and_non_text():
    dim = {"GM0164", "BU01640000"}
    got = checks.dimension_keys(PAGE, ["GM0164    ", "BU01640000", "GM0164    "], dim, "W")
    assert got.tolist() == ["GM0164", "BU01640000", "GM0164"]
    cases = [
        (["GM0164    ", "BU01649999"], "key 'BU01649999' not in the W dimension", 2),
        (["GM0164    ", "BU01640000", "GM0164"], "'GM0164' appears with two paddings", 3),
        (["GM0164    ", None], "key missing", 2),
        (["GM0164    ", 164], "key not text: 164", 2),
        (["XX0164    "], "unknown key 'XX0164'", 1),
    ]
    for values, message, row in cases:
        with pytest.raises(DataError) as err:
            checks.dimension_keys(PAGE, values, dim, "W", pattern=AREA_CODE_RE)
        assert message in str(err.value) and err.value.row == row


def write_dimension(folder, name, rows):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(odata_doc("47018NED", name, rows)))
    return folder


def test_read_dimension_trims_and_names_file_and_row_of_a_bad_dimension(tmp_path):
    good = [{"Key": "GM0164    ", "Title": " Hengelo (O.) "}, {"Key": "NL00      ", "Title": None}]
    folder = write_dimension(tmp_path / "t", "WijkenEnBuurten", good)
    assert checks.read_dimension(folder, "WijkenEnBuurten") == {
        "GM0164": "Hengelo (O.)",
        "NL00": "",
    }
    assert checks.read_dimension(folder, "Perioden", required=False) == {}
    cases = [
        ([{"Key": "2023JJ00"}, {"Title": "2024", "Status": "Voorlopig"}], "row without Key", 2),
        ([{"Key": "GM0164    "}, {"Key": "GM0164"}], "two paddings: 'GM0164    ' (row 1)", 2),
        ([{"Key": "GM0164"}, {"Key": "NL00"}, {"Key": "GM0164"}], "appears twice (also row 1)", 3),
    ]
    for rows, message, row in cases:
        write_dimension(folder, "Perioden", rows)
        with pytest.raises(DataError) as err:
            checks.read_dimension(folder, "Perioden")
        assert message in str(err.value)
        assert (err.value.path.name, err.value.column, err.value.row) == (
            "Perioden.json",
            "Key",
            row,
        )


def test_non_number_texts_of_a_csv_are_named():
    assert "not a number: 'NaN'" in checks.non_number_text("NaN")
    assert checks.non_number_text("#DEEL/0!") is not None
    assert checks.non_number_text("12") is None


def test_read_document_turns_nan_into_a_marker_not_a_float(tmp_path):
    page = tmp_path / PAGE
    page.write_text('{"value": [{"n": NaN, "m": -Infinity, "k": null}]}')
    row = read_document(page)["value"][0]
    assert isinstance(row["n"], NonFinite) and repr(row["m"]) == "-Infinity" and row["k"] is None


def test_a_fifo_is_skipped_with_one_warning_and_never_opened(tmp_path, caplog):
    (tmp_path / "a.json").write_text("{}")
    os.mkfifo(tmp_path / "b.json")
    with caplog.at_level(logging.WARNING):
        assert rawfiles.files_in(tmp_path) == [tmp_path / "a.json"]
        assert rawfiles.walk_files(tmp_path) == [tmp_path / "a.json"]
    assert [r.getMessage() for r in caplog.records] == [
        f"{tmp_path / 'b.json'}: a named pipe (FIFO), not a regular file; skipped"
    ]
    with pytest.raises(DataError, match="named pipe.*refusing to read it"):
        rawfiles.read_bytes(tmp_path / "b.json")  # returns at once: the pipe is never opened


def test_a_symlink_loop_is_a_data_error_and_a_parent_link_does_not_loop_the_walk(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("x")
    (tmp_path / "sub" / "up").symlink_to("..")  # a directory loop: not descended into
    (tmp_path / ".hidden").write_text("h")
    assert rawfiles.walk_files(tmp_path, hidden=False) == [tmp_path / "sub" / "x.txt"]
    (tmp_path / "loop").symlink_to("loop")
    for call in (rawfiles.regular_file, rawfiles.directory, rawfiles.read_bytes):
        with pytest.raises(DataError, match="loop: symbolic link loop"):
            call(tmp_path / "loop")
    with pytest.raises(DataError, match="symbolic link loop"):
        rawfiles.walk_files(tmp_path)
