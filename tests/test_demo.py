"""The demo generator: deterministic, in the committed form, and built to show the chapter-2 picture."""

import filecmp

import pandas as pd

from hengelo_analysis import demo
from hengelo_analysis.sources.police import clean_crime_table
from tests.conftest import DEMO_RAW


def test_demo_regenerates_byte_identically(tmp_path):
    demo.generate(tmp_path)
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(DEMO_RAW) for p in DEMO_RAW.rglob("*") if p.is_file())
    assert generated == committed
    mismatch = [
        str(p) for p in generated if not filecmp.cmp(tmp_path / p, DEMO_RAW / p, shallow=False)
    ]
    assert mismatch == [], "data/raw/demo is stale: run `make demo-data` and commit"


def test_demo_is_labelled_synthetic():
    assert "SYNTHETISCHE DEMODATA" in (DEMO_RAW / "SYNTHETIC.txt").read_text()
    assert '"synthetic": true' in (DEMO_RAW / "47018NED" / "manifest.json").read_text()


def test_demo_shows_the_crime_picture():
    crime = clean_crime_table(DEMO_RAW / "47018NED")
    gm = crime[crime.area_code == "GM0164"].pivot(
        index="year", columns="crime_code", values="registered"
    )
    total = gm["0.0.0"]
    assert total[2024] < total[2012] * 0.9  # common crime falls
    rise_2022 = total[2022] - total[2021]
    bikes_2022 = gm["1.2.3"][2022] - gm["1.2.3"][2021]
    assert rise_2022 > 0 and bikes_2022 > 0.5 * rise_2022  # most of the 2022 rise is bicycle theft
    assert gm["2.5.1"][2024] < gm["2.5.1"][2012]  # business theft falls
    assert gm["3.7.4"][2024] > 2 * gm["3.7.4"][2012]  # cybercrime rises
    # inhabitants ~81,000 and small buurt counts plus unpublished cells exist
    buurt = crime[crime.area_level == "buurt"]
    assert buurt["registered"].isna().any()
    assert ((buurt["registered"] > 0) & (buurt["registered"] < 5)).sum() > 100
    # zeden (1.4.1) are not published below gemeente level
    assert (
        crime[
            (crime.crime_code == "1.4.1")
            & (crime.area_level != "gemeente")
            & (crime.area_level != "land")
        ]["registered"]
        .isna()
        .all()
    )
    assert pd.notna(gm["1.4.1"]).all()


def test_importing_the_demo_command_writes_nothing(tmp_path, monkeypatch):
    # pkgutil-style tools import every module of the package; the command must not run then
    # (it once wrote a demo tree into a folder named after the first command-line argument).
    import importlib
    import sys

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["tool", "stray-out"])
    sys.modules.pop("hengelo_analysis.demo.__main__", None)
    importlib.import_module("hengelo_analysis.demo.__main__")
    assert list(tmp_path.iterdir()) == []
