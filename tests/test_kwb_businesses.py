"""KWB business establishments (C13): resolved by prefix like the other KWB columns, end to end."""

import json

from hengelo_analysis.sources.fetch import KWB_TOPIC_PREFIXES
from hengelo_analysis.sources.kwb import BUSINESSES, clean_population, topic_key
from hengelo_analysis.sources.odata import discover_tables
from tests.real_samples import REAL


def test_the_real_85984ned_key_is_found_by_prefix():
    path = REAL / "85984NED" / "niquedegraaff_DataProperties_85984NED_2025-03.json"
    props = json.loads(path.read_text(encoding="utf-8"))
    assert topic_key(props, BUSINESSES, path) == "BedrijfsvestigingenTotaal_102"
    title = next(p["Title"] for p in props if p.get("Key") == "BedrijfsvestigingenTotaal_102")
    assert title == "Bedrijfsvestigingen totaal"
    assert BUSINESSES in KWB_TOPIC_PREFIXES  # the fetch selects the column


def test_demo_business_establishments_through_the_real_cleaner():
    from hengelo_analysis.demo import kwb as demo_kwb
    from tests.conftest import DEMO_RAW

    tables, _, _ = clean_population(DEMO_RAW, discover_tables(DEMO_RAW))
    pop = tables["population"]
    assert str(pop["business_establishments"].dtype) == "Int64"
    keys = {demo_kwb.topic_keys(y)[BUSINESSES] for y in demo_kwb.YEARS}
    assert len(keys) > 1  # its suffix changes between years too
    gm = pop[(pop["area_level"] == "gemeente")]
    assert gm["business_establishments"].notna().all()
    per_1000 = gm["business_establishments"] / gm["inhabitants"] * 1000
    assert per_1000.between(60, 200).all()  # plausible vestigingen per 1,000 inhabitants
    hengelo = pop[(pop["year"] == 2024)].set_index("area_code")["business_establishments"]
    buurten = [c for c in hengelo.index if c.startswith("BU0164")]
    assert hengelo[buurten].sum() == hengelo["GM0164"]  # the gemeente is the sum of its buurten


def test_a_kwb_table_without_the_topic_gives_missing_not_zero(tmp_path):
    import shutil

    from tests.conftest import DEMO_RAW

    src = DEMO_RAW / "85984NED"
    dst = tmp_path / "85984NED"
    shutil.copytree(src, dst)
    props_path = dst / "DataProperties.json"
    doc = json.loads(props_path.read_text(encoding="utf-8"))
    doc["value"] = [p for p in doc["value"] if not p.get("Key", "").startswith(BUSINESSES)]
    props_path.write_text(json.dumps(doc), encoding="utf-8")
    tables, _, _ = clean_population(tmp_path, discover_tables(tmp_path))
    assert tables["population"]["business_establishments"].isna().all()
