"""The benchmark's results table: the cost of each extra gemeente with its goal, and the
machine-wide CPU that counts Chromium's renderers (the process tree's CPU misses them)."""

from __future__ import annotations

import pytest

from benchmarks import run_benchmarks, table


def _twente(**extra) -> dict:
    one = {"seconds": 16.0, "cpu_seconds": 21.0, "machine_cpu_seconds": 30.0, "peak_mb": 1500}
    many = {"seconds": 68.0, "cpu_seconds": 97.0, "machine_cpu_seconds": 134.0, "peak_mb": 2500}
    return {"notebooks": ["01_a.ipynb"], "one": one, "twente": {**many, "editions": 14}, **extra}


def test_the_extra_gemeente_rows_give_value_goal_and_ratio():
    results = {
        "twente": _twente(per_extra_gemeente_seconds=4.0, per_extra_gemeente_cpu_seconds=5.84)
    }
    rows = {r[0]: r[1:] for r in table.rows_of(results)}
    assert rows["cost of each extra gemeente, wall"] == ("4.00 s", "≤ 2.0 s", "2.00")
    assert rows["cost of each extra gemeente, CPU"] == ("5.84 s", "≤ 2.0 s", "2.92")
    assert not any("machine CPU" in name for name in rows)  # not measured: no row


def test_the_machine_cpu_row_shows_when_measured():
    results = {
        "twente": _twente(
            per_extra_gemeente_seconds=4.0,
            per_extra_gemeente_cpu_seconds=5.84,
            per_extra_gemeente_machine_cpu_seconds=8.0,
        )
    }
    (row,) = [r for r in table.rows_of(results) if "machine CPU" in r[0]]
    assert row[1:] == ("8.00 s", "(no goal)", "")


@pytest.mark.skipif(run_benchmarks._machine_busy() is None, reason="no /proc/stat")
def test_machine_busy_time_counts_a_child_that_was_never_waited_for(tmp_path):
    # A grandchild reparented away from us (as Chromium's zygote children are) is in the
    # machine's busy time but not in the process tree's.
    script = "import os, time\nif os.fork() == 0:\n    t = time.process_time()\n"
    script += "    while time.process_time() - t < 0.5: pass\n    os._exit(0)\nos._exit(0)\n"
    m = run_benchmarks.measure([run_benchmarks.sys.executable, "-c", script])
    assert m["machine_cpu"] - m["cpu"] >= 0.4
