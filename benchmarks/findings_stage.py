"""CPU seconds per edition of the findings stage (judge every claim, the profile, the changes).

Usage::

    .venv/bin/python benchmarks/findings_stage.py [--data-dir DIR] [--runs N] [GMxxxx ...]

Without ``--data-dir`` the demo is cleaned once into a temporary folder. Each edition (default
GM0164 and GM0153, peiljaar 2024) is judged ``--runs`` times in this one warm process, with the
processed tables kept in memory as the stage keeps them; the first call (lazy imports, first
reads) is reported apart. Prints min and median CPU seconds (``time.process_time``) per edition.
Times depend on the machine and its load (printed); nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hengelo_analysis.gemeente_config import config_for  # noqa: E402
from hengelo_analysis.paths import Layout  # noqa: E402
from hengelo_analysis.pipeline.findings import judge_edition  # noqa: E402
from hengelo_analysis.processed import reader  # noqa: E402


def cleaned_demo(work: Path) -> Layout:
    from hengelo_analysis.sources.clean import run_clean

    shutil.copytree(ROOT / "data" / "raw" / "demo", work / "data" / "raw" / "demo")
    layout = Layout(work / "data", work / "reports", "demo")
    run_clean(layout)
    return layout


def cpu_seconds(layout: Layout, gemeente: str, peiljaar: int, runs: int) -> list[float]:
    config = config_for(gemeente)
    seconds = []
    for _ in range(runs):
        start = time.process_time()
        judge_edition(layout, gemeente, peiljaar, config.rate_unit, config)
        seconds.append(time.process_time() - start)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CPU seconds per edition of the findings stage")
    parser.add_argument("gemeenten", nargs="*", default=["GM0164", "GM0153"])
    parser.add_argument("--data-dir", type=Path, help="a data folder with processed/demo")
    parser.add_argument("--peiljaar", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.data_dir:
            layout = Layout(args.data_dir, Path(tmp) / "reports", "demo")
        else:
            layout = cleaned_demo(Path(tmp))
        reader.keep_tables_in_memory()  # as pipeline.stages.findings_stage does
        start = time.process_time()
        first = config_for(args.gemeenten[0])
        judge_edition(layout, args.gemeenten[0], args.peiljaar, first.rate_unit, first)
        print(f"first call (lazy imports, first reads): {time.process_time() - start:.2f} CPU-s")
        for gemeente in args.gemeenten:
            seconds = cpu_seconds(layout, gemeente, args.peiljaar, args.runs)
            print(
                f"{gemeente} {args.peiljaar}: min {min(seconds):.3f}, "
                f"median {statistics.median(seconds):.3f} CPU-s per edition ({args.runs} runs)"
            )
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
