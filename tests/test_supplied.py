"""Analyst-supplied files: Excel dialects accepted, every bad file refused by name, nothing written."""

import shutil

import pandas as pd
import pytest

from hengelo_analysis.errors import DataError
from hengelo_analysis.paths import PROJECT_ROOT, Layout
from hengelo_analysis.sources import supplied
from hengelo_analysis.sources.clean import run_clean
from tests.conftest import row, write_crime_table

TEMPLATES = PROJECT_ROOT / "docs" / "templates"
WIJKEN = [f"WK0164{i:02d}" for i in range(10)]


def write_mini(root):
    """A small raw tree under ``root``: a tiny 47018NED (area lists) and the documented examples."""
    raw = root / "data" / "raw" / "demo"
    rows = [
        row("0.0.0 ", f"{c:<10}", "2023JJ00", 5, i=i)
        for i, c in enumerate(["GM0164", *WIJKEN, "BU01640001", "BU01640100"])
    ]
    write_crime_table(raw / "47018NED", [rows])
    sup = raw / "supplied"
    sup.mkdir()
    for name in ("eigen_enquete_2023.csv", "e33_incidenten.csv", "jeugd.csv"):
        shutil.copy(TEMPLATES / name, sup / name)
    (sup / "bron" / "2023").mkdir(parents=True)
    shutil.copy(TEMPLATES / "ongevallen.txt", sup / "bron" / "2023" / "ongevallen.txt")
    return Layout(root / "data", root / "reports", "demo")


@pytest.fixture
def mini(tmp_path):
    """The small raw tree, not cleaned."""
    return write_mini(tmp_path)


@pytest.fixture(scope="module")
def mini_cleaned_tree(tmp_path_factory):
    """The small raw tree cleaned once for the module (read only: ``mini_cleaned`` copies it)."""
    layout = write_mini(tmp_path_factory.mktemp("mini"))
    run_clean(layout)
    return layout


@pytest.fixture
def mini_cleaned(mini_cleaned_tree, tmp_path):
    """A private copy of the cleaned small tree."""
    shutil.copytree(mini_cleaned_tree.data_dir, tmp_path / "data")
    return Layout(tmp_path / "data", tmp_path / "reports", "demo")


def test_examples_clean_into_the_contract_tables(mini):
    result = run_clean(mini)
    t = result.tables
    inc = t["incidents"]
    assert len(inc) == 4
    yearly = inc[(inc.area_code == "GM0164") & (inc.year == 2023)].iloc[0]
    assert (
        pd.isna(yearly["month"]) and yearly["incidents"] == 702 and yearly["incident_code"] == "E33"
    )
    youth = t["youth"].set_index(["year", "measure"])["count"]
    assert youth[(2022, "halt_verwijzingen")] == 104
    assert pd.isna(youth[(2023, "jeugdreclassering")])  # empty cell: not supplied, not 0
    acc = t["accidents"].set_index("severity")["accidents"]
    assert acc.to_dict() == {"DOD": 1, "LET": 2, "UMS": 1}
    assert set(t["survey"]["source"]) == {"eigen_enquete"}
    for name in ("incidents", "youth", "accidents", "survey"):
        assert (mini.processed_dir / f"{name}.parquet").exists()
    assert any("85146NED not found" in w for w in result.warnings)


def test_missing_supplied_files_are_warnings(mini):
    shutil.rmtree(mini.raw_dir / "supplied")
    result = run_clean(mini)
    assert "incidents" not in result.tables and "crime" in result.tables
    for name in ("survey", "incidents", "youth", "accidents"):
        assert any(f"no supplied files for {name}" in w for w in result.warnings)


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_CASES = {
    "text in a number column": (
        "e33_incidenten.csv",
        lambda p: _replace(p, ";702", ";veel"),
        "aantal",
        2,
        "not a whole number: 'veel'",
    ),
    "missing column": (
        "jeugd.csv",
        lambda p: _replace(p, "gebiedscode;", "gebied;"),
        "gebiedscode",
        1,
        "column missing",
    ),
    "unknown wijk code": (
        "e33_incidenten.csv",
        lambda p: _replace(p, "WK016400;", "WK016477;"),
        "gebiedscode",
        5,
        "unknown wijk/buurt code 'WK016477'",
    ),
    "wave year outside the survey": (
        "eigen_enquete_2023.csv",
        lambda p: _replace(p, "R0003;2023", "R0003;2019"),
        "jaar",
        4,
        "outside the survey's waves [2023]",
    ),
    "duplicate respondents": (
        "eigen_enquete_2023.csv",
        lambda p: _replace(p, "R0002;", "R0001;"),
        "respondent",
        3,
        "duplicate respondent 'R0001'",
    ),
    "wrong delimiter": (
        "jeugd.csv",
        lambda p: p.write_text(p.read_text().replace(";", "\t")),
        None,
        1,
        "wrong separator: tab-separated",
    ),
    "wrong encoding": (
        "e33_incidenten.csv",
        lambda p: p.write_bytes(p.read_bytes() + "GM0164;2025;;E33;5 (één)\r\n".encode("cp1252")),
        None,
        6,
        "not UTF-8 text",
    ),
    "empty file": (
        "jeugd.csv",
        lambda p: p.write_bytes(b"\xef\xbb\xbf\r\n"),
        None,
        None,
        "empty file",
    ),
    "duplicate accident": (
        "bron/2023/ongevallen.txt",
        lambda p: _replace(p, "100000002,", "100000001,"),
        "VKL_NUMMER",
        3,
        "duplicate accident '100000001'",
    ),
    "unknown severity": (
        "bron/2023/ongevallen.txt",
        lambda p: _replace(p, ",DOD,", ",ZWAAR,"),
        "AP3_CODE",
        4,
        "unknown severity 'ZWAAR'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_file_is_refused_and_processed_data_stay(mini_cleaned, case):
    mini = mini_cleaned  # cleaned from the good files
    before = {p.name: p.read_bytes() for p in mini.processed_dir.iterdir()}
    name, corrupt, column, line, words = BAD_CASES[case]
    path = mini.raw_dir / "supplied" / name
    corrupt(path)
    with pytest.raises(DataError) as info:
        run_clean(mini)
    err = info.value
    assert err.path == path
    assert (err.column, err.row) == (column, line)
    assert words in str(err)
    after = {p.name: p.read_bytes() for p in mini.processed_dir.iterdir()}
    assert after == before


def test_bad_file_via_cli_is_one_line_naming_file_column_row(mini):
    # main in this process (test_cli shows the one line through a real process)
    from tests.fault_tools import cli_in_process, one_error

    _replace(mini.raw_dir / "supplied" / "e33_incidenten.csv", ";702", ";7,5")
    result = cli_in_process("clean", "--data-dir", str(mini.data_dir))
    last = one_error(result)  # exit 1, one error line, no traceback
    assert last == result.stderr.strip().splitlines()[-1]
    assert last.endswith("e33_incidenten.csv, column 'aantal', row 2: not a whole number: '7,5'")
    assert not mini.processed_dir.exists()


def test_comma_separator_bom_and_decimal_point_are_accepted(tmp_path):
    path = tmp_path / "e33_incidenten.csv"
    path.write_bytes(b"\xef\xbb\xbfGebiedscode,Jaar,Aantal\r\nGM0164,2023,12\r\n")
    out = supplied.clean_incidents(path)
    assert out[["area_code", "year", "incidents"]].values.tolist() == [["GM0164", 2023, 12]]
    table = supplied.read_csv(path, ["gebiedscode", "jaar", "aantal"], ["gebiedscode"])
    assert table.separator == ","


def test_ambiguous_header_and_mixed_decimals_are_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("gebiedscode;jaar,aantal\nGM0164;2023,1\n")
    with pytest.raises(DataError, match="ambiguous separator"):
        supplied.read_csv(path, ["gebiedscode", "jaar", "aantal"], ["gebiedscode"])
    path.write_text("respondent;gewicht\nA;1,5\nB;1.5\n")
    table = supplied.read_csv(path, ["respondent", "gewicht"], ["respondent"])
    with pytest.raises(DataError, match="mixes decimal comma and decimal point") as info:
        supplied.parse_decimal(table, "gewicht")
    assert info.value.row == 3


def test_zero_fatal_accidents_is_zero_not_missing(tmp_path):
    path = tmp_path / "ongevallen.txt"
    path.write_text(
        "VKL_NUMMER,JAAR_VKL,AP3_CODE,GME_ID,GME_NAAM\n1,2020,UMS,164,Hengelo\n2,2021,LET,164,Hengelo\n"
    )
    out = supplied.clean_accidents([path])
    assert len(out) == 6
    assert out.set_index(["year", "severity"])["accidents"][(2020, "DOD")] == 0


def test_blank_and_separator_only_rows_keep_line_numbers(tmp_path):
    path = tmp_path / "e33_incidenten.csv"
    path.write_text("gebiedscode;jaar;aantal\nGM0164;2022;5\n\nGM0164;2023;x\n;;\n")
    with pytest.raises(DataError) as info:
        supplied.clean_incidents(path)
    assert (info.value.column, info.value.row) == ("aantal", 4)
    path.write_text("gebiedscode;jaar;aantal\nGM0164;2022;5\n;;\n;;\n")
    assert len(supplied.clean_incidents(path)) == 1


def test_bron_in_windows_1252_is_read(tmp_path):
    path = tmp_path / "ongevallen.txt"
    path.write_bytes(
        "VKL_NUMMER,JAAR_VKL,AP3_CODE,GME_ID,GME_NAAM\n7,2020,LET,1900,Súdwest-Fryslân\n".encode(
            "cp1252"
        )
    )
    out = supplied.clean_accidents([path])
    assert out.set_index("severity")["accidents"].to_dict() == {"DOD": 0, "LET": 1, "UMS": 0}
    assert set(out["area_code"]) == {"GM1900"}


def test_focus_gemeenten_ignore_nationwide_tables():
    from hengelo_analysis.sources.cleaners import CleanResult, focus_gemeenten

    result = CleanResult()
    result.tables["crime"] = pd.DataFrame({"area_code": ["GM0164", "WK016400", "NL00"]})
    result.tables["population"] = pd.DataFrame({"area_code": ["WK036300", "WK016400"]})
    assert focus_gemeenten(result) == {"GM0164"}


def test_raw_inputs_lists_what_clean_reads_and_no_hidden_files(mini):
    from hengelo_analysis.sources.clean import raw_inputs

    raw = mini.raw_dir
    (raw / "supplied" / "notes.docx").write_text("not read by clean")
    hidden_bron = raw / "supplied" / "bron" / ".unzip" / "ongevallen.txt"
    hidden_bron.parent.mkdir()
    hidden_bron.write_text("not a BRON file")  # read, it would fail the clean
    (raw / "47018NED" / ".DS_Store").write_text("x")
    inputs = {p.relative_to(raw).as_posix() for p in raw_inputs(raw)}
    assert {
        "supplied/eigen_enquete_2023.csv",
        "supplied/e33_incidenten.csv",
        "supplied/jeugd.csv",
        "supplied/bron/2023/ongevallen.txt",
    } <= inputs
    assert {p.relative_to(raw).as_posix() for p in (raw / "47018NED").iterdir()} - inputs == {
        "47018NED/.DS_Store"
    }
    assert not {"supplied/notes.docx", "supplied/bron/.unzip/ongevallen.txt"} & inputs
    result = run_clean(mini)  # the hidden BRON copy is not read either
    assert result.tables["accidents"]["accidents"].sum() == 4
    supplied_read = {k for k in result.provenance if k.startswith("supplied/")}
    assert supplied_read <= inputs
