"""What an edition records of its inputs: the lock of its environment and every raw file's sha256.

CBS revises tables in place, so the hashes of the raw files (and of their manifests) and the
environment's lock are what make an edition rebuildable and checkable.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from hengelo_analysis.pipeline import provenance
from hengelo_analysis.pipeline.context import PageContext
from hengelo_analysis.pipeline.index import render_static
from hengelo_analysis.pipeline.publish import edition_provenance
from hengelo_analysis.sources.clean import raw_inputs

LOCK = {"file": "requirements/ci.lock.txt", "sha256": "0123456789ab" + "c" * 52}


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_clean_records_the_sha256_of_every_raw_file_it_read_and_of_their_manifests(demo_cleaned):
    layout, result = demo_cleaned  # clean_source, then write_processed (run_clean), once a session
    raw = layout.raw_dir
    read = {p.relative_to(raw).as_posix() for p in raw_inputs(raw)}
    manifests = {
        p.relative_to(raw).as_posix()
        for p in raw.rglob("manifest.json")
        if any(f.parent == p.parent for f in raw_inputs(raw))
    }
    assert manifests and read
    assert set(result.inputs) == read | manifests
    assert all(result.inputs[k] == sha256(raw / k) for k in result.inputs)
    # they travel with the processed tables, in provenance.json
    written = json.loads((layout.processed_dir / "provenance.json").read_text())
    assert written["inputs"] == dict(sorted(result.inputs.items()))


def context(**fields) -> PageContext:
    return PageContext("GM0164", "Hengelo", 2024, "demo", True, **fields)


def test_the_provenance_box_shows_the_short_lock_hash_and_links_the_full_list():
    page = render_static(
        context(lock=LOCK, raw_inputs={"a/b.json": "f" * 64}), "colofon_page.html.j2"
    )
    assert "<code>0123456789ab</code> (requirements/ci.lock.txt)" in page
    assert LOCK["sha256"] not in page  # short in the box, whole in provenance.json
    assert '<a href="provenance.json">provenance.json</a>' in page
    assert "elk ruw bronbestand (1 bestand)" in page


def test_without_a_lock_the_box_says_so_instead_of_naming_one():
    page = render_static(context(), "colofon_page.html.j2")
    assert "niet uit een lockbestand geïnstalleerd" in page
    assert "<code>" not in page.split("lockbestand (sha256)")[1].split("</tr>")[0]


def test_edition_provenance_lists_lock_commit_versions_and_raw_hashes():
    inputs = {"47018NED/TableInfos.json": "a" * 64, "47018NED/manifest.json": "b" * 64}
    doc = edition_provenance(
        context(lock=LOCK, raw_inputs=inputs, git_commit="abc", versions={"pandas": "3"}), "t"
    )
    assert doc["lock"] == LOCK
    assert doc["raw_inputs"] == {"root": "data/raw/demo", "sha256": inputs}
    assert (doc["git_commit"], doc["packages"], doc["built_at"]) == ("abc", {"pandas": "3"}, "t")


@pytest.mark.slow
def test_the_demo_edition_carries_its_provenance_without_builder_paths():
    from tests.chapter_report import demo_edition

    root, edition = demo_edition()
    text = (edition / provenance.EDITION_FILE).read_text(encoding="utf-8")
    doc = json.loads(text)
    raw = root / "data" / "raw" / "demo"
    hashes = doc["raw_inputs"]["sha256"]
    assert "47018NED/manifest.json" in hashes and len(hashes) > 10
    assert all(hashes[k] == sha256(raw / k) for k in hashes)
    # the build ran in this interpreter's environment: the lock it records, or none
    assert doc["lock"] == provenance.environment_lock()
    assert str(root) not in text and "/home/" not in text and "/tmp/" not in text
    index = (edition / "index.html").read_text(encoding="utf-8")
    assert 'href="provenance.json"' in index
