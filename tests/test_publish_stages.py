"""``stages.publish_stages``: several editions published on threads, failures as with one thread."""

from __future__ import annotations

import os
import threading

import pytest

from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.paths import Layout
from hengelo_analysis.pipeline import export, pdf, stages


@pytest.fixture
def published(monkeypatch):
    """Replace ``publish_stage`` by a recorder; ``behaviour[(gemeente, peiljaar)]`` may act first."""
    calls: list[tuple[str, int, str]] = []
    behaviour: dict = {}

    def fake(layout, gemeente, peiljaar):
        action = behaviour.get((gemeente, peiljaar))
        if action is not None:
            action()
        calls.append((gemeente, peiljaar, threading.current_thread().name))
        return False

    monkeypatch.setattr(stages, "publish_stage", fake)
    return calls, behaviour


def _layout(tmp_path) -> Layout:
    return Layout(data_dir=tmp_path / "data", reports_dir=tmp_path / "reports", source="demo")


@pytest.mark.parametrize("workers", ["1", "2", "3"])
def test_every_edition_is_published_once_and_a_gemeentes_years_in_order_on_one_thread(
    tmp_path, monkeypatch, published, workers
):
    monkeypatch.setenv("HENGELO_WORKERS", workers)
    calls, _ = published
    targets = [("GM0164", 2024), ("GM0153", 2024), ("GM0164", 2023), ("GM0141", 2024)]
    stages.publish_stages(_layout(tmp_path), targets)
    assert sorted((g, p) for g, p, _ in calls) == sorted(targets)
    hengelo = [(p, thread) for g, p, thread in calls if g == "GM0164"]
    assert [p for p, _ in hengelo] == [2024, 2023]  # the order given, one after another
    assert len({thread for _, thread in hengelo}) == 1  # they share the gemeente's editions index
    threads = {thread for _, _, thread in calls}
    if workers == "1":
        assert threads == {threading.current_thread().name}
    else:
        assert all(t.startswith("publish") for t in threads)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_after_a_failure_no_edition_is_begun_and_the_failure_is_raised(
    tmp_path, monkeypatch, published, workers
):
    monkeypatch.setenv("HENGELO_WORKERS", workers)
    calls, behaviour = published
    started, failed = threading.Event(), threading.Event()

    def fail():
        if workers == "2":
            assert started.wait(10)
        failed.set()
        raise AnalysisError("GM0164 2024: broken notebook")

    def slow():
        started.set()
        assert failed.wait(10)

    # With two threads GM0153's first edition is under way when GM0164 fails: it finishes,
    # its next edition is not begun.
    behaviour[("GM0164", 2024)] = fail
    behaviour[("GM0153", 2024)] = slow
    targets = [("GM0164", 2024), ("GM0153", 2024), ("GM0153", 2023), ("GM0141", 2024)]
    with pytest.raises(AnalysisError, match="GM0164 2024: broken notebook"):
        stages.publish_stages(_layout(tmp_path), targets)
    published_editions = [(g, p) for g, p, _ in calls]
    assert ("GM0153", 2023) not in published_editions
    assert ("GM0141", 2024) not in published_editions
    assert published_editions == ([("GM0153", 2024)] if workers == "2" else [])


def test_an_interrupt_in_an_edition_reaches_the_caller(tmp_path, monkeypatch, published):
    monkeypatch.setenv("HENGELO_WORKERS", "2")
    calls, behaviour = published

    def interrupt():
        raise KeyboardInterrupt

    behaviour[("GM0153", 2024)] = interrupt
    with pytest.raises(KeyboardInterrupt):
        stages.publish_stages(_layout(tmp_path), [("GM0164", 2024), ("GM0153", 2024)])
    assert ("GM0153", 2024) not in [(g, p) for g, p, _ in calls]
    # the stop is for the prints of that publish only: a later publish in this process prints
    assert not pdf.stopping.is_set()


def test_each_thread_has_its_own_exporter():
    mine = export.shared_exporter()
    assert export.shared_exporter() is mine  # made once per thread: the templates load once
    other = []
    thread = threading.Thread(target=lambda: other.append(export.shared_exporter()))
    thread.start()
    thread.join()
    assert other[0] is not mine and type(other[0]) is type(mine)


def test_reading_the_umask_never_changes_it_for_other_threads(tmp_path):
    # os.umask can only be read by setting it; a file another thread made in that moment got
    # mode 0666 (7,414 of 20,000 in a review), whatever the umask the user set
    from hengelo_analysis import atomic

    old = os.umask(0o027)
    stop = threading.Event()

    def read_umask():
        while not stop.is_set():
            assert atomic._umask() == 0o027

    reader = threading.Thread(target=read_umask)
    reader.start()
    try:
        modes = set()
        for i in range(3000):
            path = tmp_path / f"f{i % 20}"
            path.unlink(missing_ok=True)
            path.write_text("")
            modes.add(path.stat().st_mode & 0o777)
    finally:
        stop.set()
        reader.join()
        os.umask(old)
    assert modes == {0o640}
