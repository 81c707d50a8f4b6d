"""Each report notebook depends on the findings of the claims it shows, and only those.

A notebook declares them in ``metadata.hengelo.claims`` (ids, or ``"all"`` for the overview); its
cache key hashes exactly those entries of the findings document, so a changed verdict reruns
the pages that show the claim and no other page.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest

from hengelo_analysis.paths import findings_file
from hengelo_analysis.pipeline import stamps
from hengelo_analysis.pipeline.run import report_notebooks

NOTEBOOKS = report_notebooks()
CLAIM_ID_RE = re.compile(r'"(C\d+)"')
# The page helpers that take the findings document with the ids they read.
BY_ID_RE = re.compile(
    r"uitkomsten = common\.load_findings\(|"
    r"common\.(?:findings_by_id|claim_params|claim_parameter)\(uitkomsten,|"
    r"summary\.page_opening\(uitkomsten,"
)
PARAMS = {"gemeente": "GM0164", "peiljaar": 2024, "rate_unit": 1000, "source": "demo"}


def _code(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_declares_every_claim_it_shows(path):
    code = _code(path)
    claims = stamps.notebook_claims(path)
    if "load_findings" not in code:
        assert claims is None, "declares claims but reads no findings"
        return
    assert claims is not None, "reads the findings but declares no metadata.hengelo.claims"
    if claims == stamps.ALL_CLAIMS:
        return
    assert set(CLAIM_ID_RE.findall(code)) <= set(claims)
    # The document used any other way could show any claim: then the page must declare "all".
    assert "uitkomsten" not in BY_ID_RE.sub("", code)


def test_the_overview_shows_all_claims_and_the_map_page_none():
    by_page = {p.name[:2]: stamps.notebook_claims(p) for p in NOTEBOOKS}
    assert by_page["01"] == stamps.ALL_CLAIMS
    assert by_page["04"] == ["C7", "C14"]  # the youth page opens with both youth claims
    assert by_page["09"] is None


def _write(processed: Path, doc: dict) -> None:
    path = findings_file(processed, PARAMS["gemeente"], PARAMS["peiljaar"], PARAMS["rate_unit"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))


def _keys(processed: Path) -> dict[str, str]:
    return {p.name[:2]: stamps.cache_key(p, PARAMS, processed, "code") for p in NOTEBOOKS}


def test_a_changed_claim_reruns_exactly_the_pages_that_show_it(tmp_path):
    claims = {f"C{i}": {"verdict": "supported", "sentence": f"zin {i}"} for i in range(1, 20)}
    doc = {**PARAMS, "claims": claims, "config": {}, "key": "k1"}
    _write(tmp_path, doc)
    before = _keys(tmp_path)

    def changed_after(change) -> set[str]:
        new = copy.deepcopy(doc)
        change(new)
        _write(tmp_path, new)
        after = _keys(tmp_path)
        _write(tmp_path, doc)
        return {page for page in before if after[page] != before[page]}

    # The document's key changes with every processed table (a youth figure too): no page reruns.
    assert changed_after(lambda d: d.update(key="k2")) == set()
    # C7 (youth) is shown on the overview and the youth page only.
    assert changed_after(lambda d: d["claims"]["C7"].update(verdict="refuted")) == {"01", "04"}
    assert changed_after(lambda d: d["claims"]["C3"].update(sentence="anders")) == {"01", "02"}
    # C15 (wapenhandel) opens the crime page and is listed on the overview.
    assert changed_after(lambda d: d["claims"]["C15"].update(verdict="refuted")) == {"01", "02"}
    assert _keys(tmp_path) == before


def test_a_notebook_declaring_nothing_depends_on_every_claim(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps({"cells": [], "metadata": {}}))
    assert stamps.notebook_claims(path) == stamps.ALL_CLAIMS
