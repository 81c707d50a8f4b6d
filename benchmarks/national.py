"""National-size synthetic data for benchmarking ``clean`` and a report for every gemeente.

- ``write_national``: a 47018NED in the real page format: about 13,000 areas (gemeenten, wijken,
  buurten) × 59 codes × 13 years ≈ 10 million rows, written as ODataFeed pages of 10,000 rows,
  with padded keys and some nulls, like the real table (``run_benchmarks.py`` cleans it).
- ``python benchmarks/national.py [--gemeenten N]``: the demo tree with the demo gemeenten plus
  synthetic ones up to 342 gemeenten at gemeente level (47018NED, KWB, boundaries), then one
  ``report`` for every gemeente in one run. Prints wall and CPU seconds (the CLI and its kernels,
  ``resource.getrusage``), the peak resident memory of the largest process, the seconds per
  gemeente and the edition size per gemeente.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import pkgutil
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hengelo_analysis import demo  # noqa: E402
from hengelo_analysis.demo import crime as demo_crime  # noqa: E402
from hengelo_analysis.demo import geography  # noqa: E402
from hengelo_analysis.sources.odata import dump_document, envelope  # noqa: E402

YEARS = range(2012, 2025)


def national_areas(n_gemeenten: int = 342, target_areas: int = 13_150) -> list[str]:
    rng = random.Random(1)
    codes = ["NL00"]
    per_gemeente = (target_areas - n_gemeenten) // n_gemeenten
    for g in range(n_gemeenten):
        gm = f"{g + 1:04d}"
        codes.append(f"GM{gm}")
        n_wijken = max(1, per_gemeente // 5)
        n_buurten = per_gemeente - n_wijken
        for w in range(n_wijken):
            codes.append(f"WK{gm}{w:02d}")
        for b in range(n_buurten):
            codes.append(f"BU{gm}{b // 10 % 100:02d}{b % 100:02d}")
    rng.shuffle(codes)
    return sorted(set(codes))


def write_national(out: Path, page_size: int = 10_000) -> int:
    """Write the table folder; return the number of data rows."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    sets = demo_crime.entity_sets()
    areas = national_areas()
    sets["WijkenEnBuurten"] = [{"Key": a.ljust(10), "Title": a, "Description": None} for a in areas]
    for name in ("TableInfos", "DataProperties", "SoortMisdrijf", "WijkenEnBuurten", "Perioden"):
        (out / f"{name}.json").write_bytes(
            dump_document(envelope(f"{demo_crime.FEED}/$metadata#{name}", sets[name]))
        )
    codes = [r["Key"] for r in sets["SoortMisdrijf"]]
    rng = random.Random(2)
    feed = demo_crime.FEED + "/TypedDataSet?$format=json"
    meta = json.dumps(f"{demo_crime.FEED}/$metadata#Cbs.OData.WebAPI.TypedDataSet")
    rows, page, n = [], 0, 0
    for code in codes:
        for area in areas:
            key = area.ljust(10)
            kind = {"NL": "", "GM": "Gemeente  ", "WK": "Wijk      ", "BU": "Buurt     "}[area[:2]]
            for year in YEARS:
                value = "null" if rng.random() < 0.01 else str(int(rng.expovariate(0.2)))
                rows.append(
                    f'{{"ID":{n},"SoortMisdrijf":"{code}","WijkenEnBuurten":"{key}",'
                    f'"Perioden":"{year}JJ00","GeregistreerdeMisdrijven_1":{value},'
                    f'"Gemeentenaam_2":"Gemeente {area[2:6]}","SoortRegio_3":"{kind}"}}'
                )
                n += 1
                if len(rows) == page_size:
                    page += 1
                    _flush(out, page, rows, meta, feed, page_size, last=False)
                    rows = []
    if rows:
        page += 1
        _flush(out, page, rows, meta, feed, page_size, last=True)
    return n


def _flush(out, page, rows, meta, feed, page_size, last):
    nxt = "" if last else f',"odata.nextLink":"{feed}&$skip={page * page_size}"'
    text = f'{{"odata.metadata":{meta},"value":[{",".join(rows)}]{nxt}}}'
    (out / f"TypedDataSet-{page:04d}.json").write_text(text, encoding="utf-8")


# --- a report for every gemeente ----------------------------------------------------------------

N_GEMEENTEN = 342


def national_gemeenten(n: int = N_GEMEENTEN) -> tuple[geography.Gemeente, ...]:
    """The demo gemeenten plus synthetic ones (codes GM3000 and up, outside the real range)."""
    rng = random.Random(3)
    extra = [
        geography.Gemeente(
            code=f"GM{3000 + i:04d}",
            name=f"Synthetische gemeente {i + 1}",
            inhabitants_2024=int(rng.lognormvariate(10.4, 0.7)) + 1_000,
            stedelijkheid=rng.randint(1, 5),
            in_twente=False,
        )
        for i in range(max(0, n - len(geography.GEMEENTEN)))
    ]
    return (*geography.GEMEENTEN, *extra)[:n]


def write_national_demo(out: Path, gemeenten: tuple[geography.Gemeente, ...]) -> None:
    """The demo raw tree under ``out`` with ``gemeenten`` in place of the demo's own list."""
    with contextlib.ExitStack() as stack:
        # Every demo module that imported the list gets the national one: a list patched in
        # geography alone leaves the nuisance and count tables on the demo's 14 gemeenten.
        for module in demo_modules():
            if hasattr(module, "GEMEENTEN"):
                stack.enter_context(mock.patch.object(module, "GEMEENTEN", gemeenten))
        demo.generate(out)


def demo_modules() -> list:
    """Every module of the demo package, imported."""
    return [
        importlib.import_module(f"{demo.__name__}.{info.name}")
        for info in pkgutil.iter_modules(demo.__path__)
    ]


def _children() -> resource.struct_rusage:
    return resource.getrusage(resource.RUSAGE_CHILDREN)


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def report_every_gemeente(work: Path, n: int = N_GEMEENTEN) -> dict:
    """Build the national demo tree, then one ``report`` for ``n`` of its gemeenten (Hengelo first).

    A smaller ``n`` times a sample on the same national data (the figures per gemeente scale).
    """
    gemeenten = national_gemeenten()
    data = work / "data"
    print(f"writing the demo tree with {len(gemeenten)} gemeenten ...", flush=True)
    write_national_demo(data / "raw" / "demo", gemeenten)
    codes = ["GM0164", *(g.code for g in reversed(gemeenten) if g.code != "GM0164")][:n]
    print(f"report for {len(codes)} gemeenten in one run ...", flush=True)
    before = _children()
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "hengelo_analysis", "report", "--gemeente", ",".join(codes)]
        + ["--data-dir", str(data), "--reports-dir", str(work / "reports")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    after = _children()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    editions = sorted((work / "reports" / "demo").glob("GM*/[0-9][0-9][0-9][0-9]"))
    sizes = [_size(e) for e in editions if (e / "index.html").exists()]
    out = {
        "gemeenten_in_data": len(gemeenten),
        "gemeenten": len(codes),
        "editions": len(sizes),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "seconds_per_gemeente": round(seconds / len(codes), 2),
        "cpu_seconds_per_gemeente": round(cpu / len(codes), 2),
        # ru_maxrss of the children: the largest single process (CLI or a kernel), in kB on Linux.
        "peak_process_mb": round(after.ru_maxrss / 1000, 1),
        "edition_mb_mean": round(sum(sizes) / max(len(sizes), 1) / 1e6, 2),
        "edition_mb_max": round(max(sizes, default=0) / 1e6, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if result.returncode != 0:
        out["error"] = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "?"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="report for every gemeente in one run")
    parser.add_argument(
        "--gemeenten", type=int, default=N_GEMEENTEN, help="report for how many (default all 342)"
    )
    parser.add_argument("--out", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hengelo-national-") as tmp:
        figures = report_every_gemeente(Path(tmp), args.gemeenten)
    print(json.dumps(figures, indent=1))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 1 if "error" in figures else 0


if __name__ == "__main__":
    raise SystemExit(main())
