"""Faults in the raw tree (issue 14): keys against dimensions, overflow, NaN, pipes, symlink loops.

Every case runs the real CLI ``clean`` in a subprocess (with a timeout, so a hang fails the test)
on a copy of the demo data that has already been cleaned once, breaks one thing in the raw tree
in the real CBS format (padded keys, ``Perioden`` rows with Status), and asserts: exit code 1,
exactly one error line naming the file and row (and the value where there is one), no traceback,
and every processed file byte-for-byte unchanged (sha256).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.fault_tools import cli, hashes

pytestmark = pytest.mark.slow

TIMEOUT = 180  # a clean of the demo takes seconds; a FIFO read would block forever
RAW = Path("data/raw/demo")
CRIME = RAW / "47018NED"
KWB = RAW / "85984NED"  # the 2024 Kerncijfers table
KWB_PERIODS = RAW / "70904NED"  # the only KWB table with a Perioden dimension
VM = RAW / "85146NED"
SUPPLIED = RAW / "supplied"
MEASURE = "GeregistreerdeMisdrijven_1"


def clean(root: Path) -> subprocess.CompletedProcess:
    return cli("clean", root=root, timeout=TIMEOUT)


def edit(path: Path, change) -> None:
    """Apply ``change`` to the ``value`` list of an OData document, keeping the compact format."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc["value"])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def edit_csv(path: Path, line: int, column: str, value: str) -> None:
    """Set ``column`` on 1-based ``line`` (header = 1) of a supplied CSV file."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    sep = ";" if ";" in lines[0] else ","
    header = lines[0].split(sep)
    cells = lines[line - 1].split(sep)
    cells[header.index(column)] = value
    lines[line - 1] = sep.join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- keys against their dimensions ---------------------------------------------------------------


def period_not_in_perioden(root):
    # The 2099 row that once made 2099 the default peiljaar: a year row, but no Perioden row.
    def add(rows):
        rows.append({**rows[0], "ID": 99_999, "Perioden": "2099JJ00"})

    edit(root / CRIME / "TypedDataSet-0002.json", add)
    return ["TypedDataSet-0002.json", "column 'Perioden'", "row 10001", "'2099JJ00'", "Perioden"]


def kwb_period_not_in_perioden(root):
    edit(root / KWB_PERIODS / "TypedDataSet-0001.json", lambda r: r[3].update(Perioden="2099JJ00"))
    return ["70904NED", "TypedDataSet-0001.json", "row 4", "period '2099JJ00' not in the Perioden"]


def vm_period_not_in_perioden(root):
    edit(root / VM / "TypedDataSet-0001.json", lambda r: r[5].update(Perioden="2099JJ00"))
    return ["85146NED", "TypedDataSet-0001.json", "row 6", "period '2099JJ00' not in the Perioden"]


def area_not_in_wijken_en_buurten(root):
    # Well-formed, so only the dimension can tell it is not a buurt of this table.
    edit(
        root / CRIME / "TypedDataSet-0003.json", lambda r: r[9].update(WijkenEnBuurten="BU01649999")
    )
    return [
        "TypedDataSet-0003.json",
        "column 'WijkenEnBuurten', row 10",
        "area code 'BU01649999' not in the WijkenEnBuurten dimension",
    ]


def kwb_area_not_in_dimension(root):
    edit(root / KWB / "TypedDataSet-0001.json", lambda r: r[2].update(WijkenEnBuurten="BU01649999"))
    return [
        "85984NED",
        "column 'WijkenEnBuurten', row 3",
        "'BU01649999' not in the WijkenEnBuurten",
    ]


def dimension_row_without_key(root):
    edit(root / CRIME / "Perioden.json", lambda rows: rows[2].pop("Key"))
    return ["47018NED/Perioden.json", "column 'Key', row 3", "Perioden row without Key"]


def dimension_key_with_two_paddings(root):
    def add(rows):
        rows.append({"Key": "GM0164", "Title": "Hengelo (O.)", "Description": None})

    edit(root / CRIME / "WijkenEnBuurten.json", add)
    return [
        "47018NED/WijkenEnBuurten.json",
        "column 'Key', row 100",
        "'GM0164' appears with two paddings: 'GM0164    '",
    ]


def data_key_with_two_paddings(root):
    # The last page's last Hengelo row loses its padding; earlier rows served "GM0164    ".
    page = root / CRIME / "TypedDataSet-0008.json"
    rows = json.loads(page.read_text())["value"]
    last = max(i for i, r in enumerate(rows) if r["WijkenEnBuurten"] == "GM0164    ")
    edit(page, lambda r: r[last].update(WijkenEnBuurten="GM0164"))
    return [
        "TypedDataSet-0008.json",
        f"column 'WijkenEnBuurten', row {last + 1}",
        "'GM0164' appears with two paddings: 'GM0164    ' and 'GM0164'",
    ]


# --- numbers: overflow and NaN in every reader ---------------------------------------------------


def police_count_1e20(root):
    edit(root / CRIME / "TypedDataSet-0002.json", lambda r: r[4].update({MEASURE: 1e20}))
    return ["TypedDataSet-0002.json", f"column '{MEASURE}', row 5", "too large", "1e+20"]


def police_count_beyond_int64(root):
    # Fits orjson's unsigned 64 bits, so it arrives as an int, but an Int64 would wrap it.
    edit(root / CRIME / "TypedDataSet-0002.json", lambda r: r[4].update({MEASURE: 2**63 + 5}))
    return ["TypedDataSet-0002.json", "row 5", "too large", str(2**63 + 5)]


def police_nan(root):
    edit(root / CRIME / "TypedDataSet-0004.json", lambda r: r[7].update({MEASURE: float("nan")}))
    return ["TypedDataSet-0004.json", f"column '{MEASURE}', row 8", "not a number: NaN"]


def kwb_inhabitants_1e20(root):
    edit(root / KWB / "TypedDataSet-0001.json", lambda r: r[2].update(AantalInwoners_5=1e20))
    return ["85984NED", "column 'AantalInwoners_5', row 3", "too large", "1e+20"]


def kwb_nan(root):
    edit(
        root / KWB / "TypedDataSet-0001.json", lambda r: r[2].update(AantalInwoners_5=float("nan"))
    )
    return ["85984NED", "column 'AantalInwoners_5', row 3", "not a number: NaN"]


def vm_nan(root):
    key = "VoeltZichWeleensOnveiligInBuurt_50"
    edit(root / VM / "TypedDataSet-0001.json", lambda r: r[1].update({key: float("nan")}))
    return ["85146NED", f"column '{key}', row 2", "not a number: NaN"]


def vm_infinity(root):
    key = "RapportcijferVeiligheidInBuurt_60"
    edit(root / VM / "TypedDataSet-0001.json", lambda r: r[0].update({key: float("inf")}))
    return ["85146NED", f"column '{key}', row 1", "not a number: Infinity"]


def e33_count_overflow(root):
    edit_csv(root / SUPPLIED / "e33_incidenten.csv", 3, "aantal", "100000000000000000000")
    return ["e33_incidenten.csv", "column 'aantal', row 3", "too large", "100000000000000000000"]


def e33_nan(root):
    edit_csv(root / SUPPLIED / "e33_incidenten.csv", 4, "aantal", "NaN")
    return ["e33_incidenten.csv", "column 'aantal', row 4", "not a number: 'NaN'"]


def youth_nan(root):
    edit_csv(root / SUPPLIED / "jeugd.csv", 2, "halt_verwijzingen", "nan")
    return ["jeugd.csv", "column 'halt_verwijzingen', row 2", "not a number: 'nan'"]


def bron_overflow(root):
    path = next((root / SUPPLIED / "bron").rglob("ongevallen.txt"))
    edit_csv(path, 2, "GME_ID", "100000000000000000000")
    return ["ongevallen.txt", "column 'GME_ID', row 2", "too large", "100000000000000000000"]


# --- the raw tree itself --------------------------------------------------------------------------


def symlink_loop_as_page(root):
    page = root / CRIME / "TypedDataSet-0009.json"
    page.symlink_to(page.name)  # points at itself
    return ["TypedDataSet-0009.json", "symbolic link loop"]


def symlink_loop_elsewhere(root):
    (root / SUPPLIED / "bron" / "loop").symlink_to("loop")
    return ["supplied/bron/loop", "symbolic link loop"]


CASES = [
    period_not_in_perioden,
    kwb_period_not_in_perioden,
    vm_period_not_in_perioden,
    area_not_in_wijken_en_buurten,
    kwb_area_not_in_dimension,
    dimension_row_without_key,
    dimension_key_with_two_paddings,
    data_key_with_two_paddings,
    police_count_1e20,
    police_count_beyond_int64,
    police_nan,
    kwb_inhabitants_1e20,
    kwb_nan,
    vm_nan,
    vm_infinity,
    e33_count_overflow,
    e33_nan,
    youth_nan,
    bron_overflow,
    symlink_loop_as_page,
    symlink_loop_elsewhere,
]


@pytest.mark.parametrize("breakage", CASES, ids=[c.__name__ for c in CASES])
def test_bad_raw_input_is_one_line_naming_file_and_row_and_changes_nothing(work, breakage):
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


def fifos(root: Path) -> list[Path]:
    """Named pipes where a reader would pick them up: a police page and a BRON file."""
    bron = next((root / SUPPLIED / "bron").iterdir()) / "extra"
    bron.mkdir()
    pipes = [root / CRIME / "TypedDataSet-0009.json", bron / "ongevallen.txt"]
    for pipe in pipes:
        os.mkfifo(pipe)
    return pipes


@pytest.mark.parametrize("stamp", ["kept", "removed"])
def test_a_named_pipe_in_the_raw_tree_is_skipped_with_a_warning_never_opened(work, stamp):
    """With the clean stamp the raw tree is only hashed; without it every reader walks it."""
    processed = work / "data" / "processed" / "demo"
    before = hashes(processed)
    if stamp == "removed":
        (processed / ".clean_stamp.json").unlink()
    pipes = fifos(work)
    result = clean(work)  # a read of a pipe would block until the timeout fails the test
    assert result.returncode == 0, result.stderr
    assert "error:" not in result.stderr
    for pipe in pipes:
        warning = [line for line in result.stderr.splitlines() if str(pipe) in line]
        assert warning and "named pipe" in warning[0] and "skipped" in warning[0], result.stderr
    if stamp == "kept":
        assert "nothing to clean" in result.stderr
    else:
        assert "crime: 75933 rows" in result.stderr  # the readers really ran
    # The pipes hold no data: the very tables of the clean without them. (Without the stamp the
    # readers ran again, and provenance.json records the skipped pipes among its warnings.)
    tables = {n for n in before if n.endswith((".parquet", ".gpkg"))}
    after = hashes(processed)
    assert {n: after[n] for n in tables} == {n: before[n] for n in tables}
    if stamp == "kept":
        assert after == before
