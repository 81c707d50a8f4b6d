"""Faults in the pipeline's edition side (issue 14): an edition is replaced whole or not at all.

Every case runs the real CLI on a copy of the session's shared demo build
(``chapter_report.copy_demo_edition``) and asserts the exit code, exactly one error line (no
traceback) and, where that is the promise, a byte-for-byte unchanged edition: a killed publish, a
read-only or full reports folder, a page or findings.json deleted from an edition, a run that
must leave the deployed edition alone, and names with ``$…$`` that matplotlib must draw literally.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from hengelo_analysis.pipeline import stamps
from hengelo_analysis.pipeline.site import permission_problems
from tests import chapter_report
from tests.fault_tools import (
    LEFTOVER,
    PROCESSED,
    RAW,
    TIMEOUT,
    cli,
    fill,
    hashes,
    leftovers,
    one_error,
    popen,
    read_only,
    rewrite_manifest,
    small_tmpfs,
    wait_for,
)

# --- editions ----------------------------------------------------------------------------------


@pytest.fixture
def edition_copy(tmp_path) -> tuple[Path, Path]:
    """A copy of the shared demo build. Its notebooks ran with the original ``data_dir``, so
    ``report`` here would execute them again; the edition cases call ``publish``, which reuses
    them (a ``report`` whose notebooks are current does the same)."""
    return chapter_report.copy_demo_edition(tmp_path / "e")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["04_jeugd.html", "findings.json"])
def test_a_deleted_page_or_findings_is_published_again(edition_copy, name):
    root, edition = edition_copy
    (edition / name).unlink()
    result = cli("publish", root=root)
    assert result.returncode == 0, result.stderr
    assert "report up to date" not in result.stderr
    assert (edition / name).is_file()
    stamp = json.loads((edition / stamps.PUBLISH_STAMP).read_text())
    assert name in stamp["files"] and "notebooks/01_veiligheidsbeeld.ipynb" in stamp["files"]
    assert "report up to date" in cli("publish", root=root).stderr


@pytest.mark.slow
def test_a_killed_publish_leaves_the_edition_whole_and_the_next_run_recovers(edition_copy):
    root, edition = edition_copy
    (edition / "index.html").unlink()  # forces a publish (the notebooks are current)
    before = hashes(edition)
    proc = popen("publish", root=root)
    wait_for(lambda: list(edition.parent.glob(".2024.staging-*")), what="the staged edition")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=TIMEOUT)
    kept_aside = list(edition.parent.glob(".2024.old-*"))
    assert hashes(edition) == before or kept_aside or (edition / "index.html").exists()
    assert not [p for p in edition.rglob("*") if LEFTOVER.search(p.name)]  # none inside
    # The rerun under a strict umask: leftovers cleaned, the edition whole and world-readable.
    result = cli("publish", root=root, preexec_fn=lambda: os.umask(0o077))
    assert result.returncode == 0, result.stderr
    assert "taking over the lock" in result.stderr
    assert not leftovers(root / "reports") and not leftovers(root / "data")
    assert (edition / "index.html").is_file()
    assert permission_problems(edition) == []


@pytest.mark.slow
def test_a_table_whose_source_disappeared_is_missing_on_the_pages(edition_copy):
    root, edition = edition_copy
    caption = "Halt-verwijzingen en jeugdreclasseringszaken per jaar"
    chapter_report.table_by_caption((edition / "04_jeugd.html").read_text(), caption)
    (root / RAW / "supplied" / "jeugd.csv").unlink()
    result = cli("report", root=root)
    assert result.returncode == 0, result.stderr
    assert not (root / PROCESSED / "youth.parquet").exists()
    html = (edition / "04_jeugd.html").read_text()
    assert "jeugdreclasseringscijfers van Hengelo zijn niet aangeleverd" in (
        chapter_report.visible_text(html)
    )
    captions = [t["caption"].strip() for t in chapter_report.page_tables(html)]
    assert not [c for c in captions if c.startswith(caption)]  # no table of the old numbers


@pytest.mark.slow
def test_run_leaves_the_deployed_edition_alone(edition_copy):
    """A run's notebooks wait beside the edition; the edition changes only when published."""
    root, edition = edition_copy
    before = hashes(edition)
    result = cli(
        "run", "--rate-unit", "10000", root=root, env={**os.environ, "HENGELO_WORKERS": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert hashes(edition) == before
    run_dir = stamps.run_notebooks_dir(edition)
    assert '"rate_unit": 10000' in (run_dir / "01_veiligheidsbeeld.ipynb").read_text()
    assert stamps.executed_dir(edition) == run_dir


@pytest.mark.slow
def test_a_read_only_reports_folder_is_one_line(edition_copy):
    root, edition = edition_copy
    (edition / "index.html").unlink()
    before = hashes(root / "reports")
    with read_only(root / "reports"):
        error = one_error(cli("publish", root=root))
    assert "Read-only file system" in error
    assert hashes(root / "reports") == before


@pytest.mark.slow
def test_a_full_reports_folder_is_one_line_and_keeps_the_edition(edition_copy):
    root, edition = edition_copy
    (edition / "index.html").unlink()
    size = sum(p.stat().st_size for p in (root / "reports").rglob("*") if p.is_file())
    with small_tmpfs(root / "reports", size + (4 << 20)):
        fill(root / "reports", size // 4)  # a quarter of what a new edition needs
        (root / "reports" / "filler").rename(root / "reports" / ".filler")
        before = hashes(edition)
        error = one_error(cli("publish", root=root))
        assert "No space left on device" in error
        assert hashes(edition) == before
        assert not leftovers(root / "reports")


# --- names drawn literally ---------------------------------------------------------------------


def test_names_with_dollar_signs_are_drawn_literally():
    import pandas as pd
    from matplotlib.text import Text

    from hengelo_analysis.pages import plots

    names = pd.Series(["Buurt $x^2$ centrum", "Prijs $5", "Plain"])
    values = pd.Series([1.0, 2.0, 3.0])
    fig = plots.indicator_bars(
        names,
        values,
        values - 0.5,
        values + 0.5,
        title="Aangifte in $x^2$",
        xlabel="per $1000$",
        source="test $a$",
        reference=2.0,
        reference_label="Buurt $y$",
    )
    texts = [t for t in fig.findobj(Text) if t.get_text()]
    assert any(t.get_text() == "Buurt $x^2$ centrum" for t in texts)
    assert all(not t.get_parse_math() for t in texts)
    fig.canvas.draw()  # an unbalanced "$5" would raise here as mathtext
    plots.show_figure(fig, alt="test", source="demo")


@pytest.mark.slow
def test_a_buurt_named_with_mathtext_goes_through_the_real_pages(edition_copy):
    """``$x^2$`` would be drawn as math, ``$^$`` fails to parse and broke every page drawing it."""
    root, edition = edition_copy
    names = {
        "Binnenstad-Centrum": "Buurt $x^2$ centrum",
        "Binnenstad-West": "Buurt $^$ west",
        "Wijk 01 Hengelose Es": "Wijk $_$ 01",
    }
    raw = root / RAW
    for path in raw.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        changed = text
        for old, new in names.items():
            changed = changed.replace(f'"{old}"', json.dumps(new))
        if changed != text:
            path.write_text(changed, encoding="utf-8")
    for manifest in raw.rglob("manifest.json"):
        rewrite_manifest(manifest.parent)
    result = cli("report", root=root)
    assert result.returncode == 0, result.stderr
    text = " ".join(chapter_report.visible_text(p.read_text()) for p in edition.glob("*.html"))
    for name in names.values():
        assert name in text, name


def test_a_notebook_error_spanning_lines_is_one_line():
    from hengelo_analysis.pipeline.execute import one_line

    evalue = "\n^\n ^\nParseSyntaxException: Expected {phantom | llap}, found end of text"
    assert (
        one_line(evalue) == "^ ^ ParseSyntaxException: Expected {phantom | llap}, found end of text"
    )
    assert len(one_line("x" * 1000)) == 400
