"""Benchmark the build: cold, warm and incremental ``report``, the naive loop, and runs at scale.

Usage (``make benchmark`` runs the first)::

    .venv/bin/python benchmarks/run_benchmarks.py [--quick] [--out results.json] [--notebooks DIR]

Every figure is measured on a fresh copy of the demo data in a temporary directory, by running the
CLI as a subprocess; peak memory is the largest sum of resident memory over the CLI process and
all its descendants (the notebook kernels), sampled every 50 ms with psutil. At the end a table
gives each figure with its goal (issue 8) and the ratio figure/goal (≤ 1 meets the goal).

- cold ``report`` (fresh data/processed and reports) — goal ≤ 0.5 × the naive loop;
- warm rerun, nothing changed — goal ≤ 0.05 × cold;
- rerun after one value of a 47018NED page changed — only the notebooks whose inputs changed run;
- the naive loop: the ``papermill`` CLI then ``jupyter nbconvert --to html`` per notebook, one
  after another, same parameters, on the processed tables of the cold run;
- at scale (skipped with ``--quick``): ``clean`` of a synthetic national 47018NED (~10M rows,
  written once under /tmp by ``benchmarks/national.py``) — goal ≤ 60 s and ≤ 4 GB; ``report`` for
  1 and for the 14 Twente gemeenten in one run — goal: each extra gemeente ≤ 30% of the first.

Times depend on the machine and its load: the load average is printed with the results. This
script asserts nothing; tests never time anything.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hengelo_analysis import stamps  # noqa: E402
from hengelo_analysis.run import cached_key_of, notebook_inputs, report_notebooks  # noqa: E402

DEMO_RAW = ROOT / "data" / "raw" / "demo"
BIN = Path(sys.executable).parent
NATIONAL_DIR = Path(tempfile.gettempdir()) / "hengelo-benchmark-national"
TWENTE = "twente"


# --- measuring --------------------------------------------------------------------------------


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def measure(cmd: list[str], env: dict | None = None, check: bool = True) -> dict:
    """Run ``cmd``; return wall seconds, peak tree RSS in bytes, and its stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    ps = psutil.Process(proc.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(ps))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if check and proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    return {"seconds": seconds, "peak_bytes": peak, "stderr": err, "stdout": out}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "hengelo_analysis", *args]


def fresh_tree(root: Path, raw: Path = DEMO_RAW, source: str = "demo") -> Path:
    data = root / "data"
    shutil.copytree(raw, data / "raw" / source)
    return data


# --- the demo figures -------------------------------------------------------------------------


def executed_keys(reports: Path, gemeente: str = "GM0164") -> dict[str, str | None]:
    editions = sorted((reports / "demo" / gemeente).glob("[0-9][0-9][0-9][0-9]"))
    folder = editions[-1] / "notebooks"
    return {p.name: cached_key_of(p) for p in sorted(folder.glob("*.ipynb"))}


def change_one_value(raw: Path, table: str) -> str:
    """Change one published number of a raw table; return what changed.

    ``jeugd`` (default): the first Halt count in ``supplied/jeugd.csv``; only the notebooks reading
    ``youth`` should run again. ``47018NED``: the first count of the last crime page, read by
    every notebook of the suite.
    """
    if table == "jeugd":
        path = raw / "supplied" / "jeugd.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        fields = lines[1].split(";")
        old = fields[2]
        fields[2] = str(int(old) + 1)
        path.write_text(
            "\n".join([lines[0], ";".join(fields), *lines[2:]]) + "\n", encoding="utf-8"
        )
        return f"supplied/jeugd.csv: halt_verwijzingen {fields[0]} {fields[1]} {old} → {fields[2]}"
    page = sorted((raw / table).glob("TypedDataSet-*.json"))[-1]
    doc = json.loads(page.read_text(encoding="utf-8"))
    for row in doc["value"]:
        if row.get("GeregistreerdeMisdrijven_1") is not None:
            old = row["GeregistreerdeMisdrijven_1"]
            row["GeregistreerdeMisdrijven_1"] = old + 1
            page.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            where = (
                f"{row['WijkenEnBuurten'].strip()} {row['Perioden']} {row['SoortMisdrijf'].strip()}"
            )
            return f"{table}/{page.name}: {where} {old} → {old + 1}"
    raise SystemExit(f"{page}: no published count to change")


def naive_loop(notebooks: list[Path], data: Path, out: Path, peiljaar: int) -> dict:
    """papermill CLI then nbconvert CLI per notebook, one after another."""
    out.mkdir(parents=True, exist_ok=True)
    total, peak = 0.0, 0
    for nb in notebooks:
        executed = out / nb.name
        steps = [
            [
                str(BIN / "papermill"),
                str(nb),
                str(executed),
                "-k",
                "hengelo-analysis",
                "--cwd",
                str(nb.parent),
                "-p",
                "gemeente",
                "GM0164",
                "-p",
                "peiljaar",
                str(peiljaar),
                "-p",
                "source",
                "demo",
                "-p",
                "data_dir",
                str(data),
                "-p",
                "rate_unit",
                "1000",
            ],
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)],
        ]
        for cmd in steps:
            m = measure(cmd)
            total += m["seconds"]
            peak = max(peak, m["peak_bytes"])
    return {"seconds": total, "peak_bytes": peak}


def demo_figures(work: Path, notebooks: list[Path], table: str) -> dict:
    data = fresh_tree(work / "demo")
    reports = work / "demo" / "reports"
    args = ("report", "--data-dir", str(data), "--reports-dir", str(reports))
    print("cold report ...", flush=True)
    cold = measure(cli(*args))
    before = executed_keys(reports)
    print("warm report ...", flush=True)
    warm = measure(cli(*args))
    warm_executed = [n for n, k in executed_keys(reports).items() if k != before[n]]
    processed = data / "processed" / "demo"
    tables_before = stamps.processed_hashes(processed)
    changed = change_one_value(data / "raw" / "demo", table)
    print(f"report after one raw value changed ({changed}) ...", flush=True)
    incremental = measure(cli(*args))
    after = executed_keys(reports)
    rerun = sorted(n for n in after if after[n] != before.get(n))
    tables_after = stamps.processed_hashes(processed)
    changed_tables = sorted(
        name.split(".")[0]
        for name in tables_before.keys() | tables_after.keys()
        if tables_before.get(name) != tables_after.get(name)
    )
    # Expected: the notebooks that declare a changed table as input (or declare nothing: all).
    expected = sorted(
        nb.name
        for nb in notebooks
        if (inputs := notebook_inputs(nb)) is None or set(inputs) & set(changed_tables)
    )
    peiljaar = int(sorted((reports / "demo" / "GM0164").glob("[0-9]" * 4))[-1].name)
    print(f"naive loop ({len(notebooks)} notebooks) ...", flush=True)
    naive = naive_loop(notebooks, data, work / "demo" / "naive", peiljaar)
    return {
        "notebooks": [nb.name for nb in notebooks],
        "cold": _fig(cold),
        "warm": {**_fig(warm), "executed": warm_executed},
        "incremental": {
            **_fig(incremental),
            "changed": changed,
            "changed_tables": changed_tables,
            "executed": rerun,
            "expected": expected,
            "skipped_clean": "nothing to clean" in incremental["stderr"],
        },
        "naive": _fig(naive),
    }


def _fig(m: dict) -> dict:
    return {"seconds": round(m["seconds"], 3), "peak_mb": round(m["peak_bytes"] / 1e6, 1)}


# --- at scale ---------------------------------------------------------------------------------


def national_figures(work: Path) -> dict:
    table = NATIONAL_DIR / "47018NED"
    marker = NATIONAL_DIR / "rows.txt"
    if not marker.exists():
        from benchmarks.national import write_national

        print(f"writing the synthetic national 47018NED to {table} (once) ...", flush=True)
        rows = write_national(table)
        marker.write_text(str(rows))
    rows = int(marker.read_text())
    data = work / "national" / "data"
    (data / "raw" / "real").mkdir(parents=True)
    # A symlink: the 1.7 GB table is read, never copied (clean reads the folder it finds).
    (data / "raw" / "real" / "47018NED").symlink_to(table)
    size = sum(p.stat().st_size for p in table.iterdir())
    print(f"clean of the national table ({rows:,} rows, {size / 1e9:.2f} GB) ...", flush=True)
    m = measure(cli("clean", "--source", "real", "--data-dir", str(data)))
    return {"rows": rows, "raw_gb": round(size / 1e9, 2), **_fig(m)}


def twente_figures(work: Path, notebooks: Path | None) -> dict:
    out: dict = {"notebooks": [nb.name for nb in report_notebooks(notebooks)]}
    env = {**os.environ, "HENGELO_NOTEBOOK_DIR": str(notebooks)} if notebooks else None
    for label, gemeente in (("one", "GM0164"), ("twente", TWENTE)):
        root = work / f"twente-{label}"
        data = fresh_tree(root)
        print(f"cold report --gemeente {gemeente} ...", flush=True)
        args = ("--data-dir", str(data), "--reports-dir", str(root / "reports"))
        m = measure(cli("report", "--gemeente", gemeente, *args), env=env, check=False)
        editions = list((root / "reports" / "demo").glob("GM*/[0-9][0-9][0-9][0-9]/index.html"))
        out[label] = {**_fig(m), "editions": len(editions)}
        if "error:" in m["stderr"]:
            # A notebook failing for some gemeente is a finding to report, not a reason to stop.
            out[label]["error"] = m["stderr"].strip().splitlines()[-1]
            print(f"  FAILED: {out[label]['error']}", flush=True)
    if "error" in out["one"] or "error" in out["twente"]:
        return out
    n = out["twente"]["editions"]
    extra = (out["twente"]["seconds"] - out["one"]["seconds"]) / max(n - 1, 1)
    out["per_extra_gemeente_seconds"] = round(extra, 3)
    return out


# --- the table --------------------------------------------------------------------------------


def rows_of(results: dict) -> list[tuple[str, str, str, str]]:
    """(figure, value, goal, ratio to goal) rows; a ratio ≤ 1 meets the goal."""
    rows = []
    demo = results.get("demo")
    if demo:
        cold, warm, naive = demo["cold"], demo["warm"], demo["naive"]
        inc = demo["incremental"]
        n = len(demo["notebooks"])
        rows += [
            (f"naive loop, {n} notebooks", f"{naive['seconds']:.2f} s", "reference", ""),
            (
                "cold report",
                f"{cold['seconds']:.2f} s",
                f"≤ 0.5 × naive = {0.5 * naive['seconds']:.2f} s",
                f"{cold['seconds'] / (0.5 * naive['seconds']):.2f}",
            ),
            (
                "warm rerun, nothing changed",
                f"{warm['seconds']:.3f} s ({len(warm['executed'])} executed)",
                f"≤ 0.05 × cold = {0.05 * cold['seconds']:.2f} s",
                f"{warm['seconds'] / (0.05 * cold['seconds']):.2f}",
            ),
            (
                f"rerun, one value of {inc['changed'].split(':')[0]} changed",
                f"{inc['seconds']:.2f} s; ran {len(inc['executed'])} of {n}",
                f"only readers of {'+'.join(inc['changed_tables'])} ({len(inc['expected'])})",
                "met" if inc["executed"] == inc["expected"] else "NOT met",
            ),
            ("peak memory, cold report", f"{cold['peak_mb']:.0f} MB", "(no goal)", ""),
            ("peak memory, naive loop", f"{naive['peak_mb']:.0f} MB", "(no goal)", ""),
        ]
    nat = results.get("national")
    if nat:
        rows += [
            (
                f"clean national 47018NED ({nat['rows'] / 1e6:.1f}M rows)",
                f"{nat['seconds']:.1f} s",
                "≤ 60 s",
                f"{nat['seconds'] / 60:.2f}",
            ),
            (
                "peak memory, national clean",
                f"{nat['peak_mb'] / 1000:.2f} GB",
                "≤ 4 GB",
                f"{nat['peak_mb'] / 4000:.2f}",
            ),
        ]
    tw = results.get("twente")
    if tw and "per_extra_gemeente_seconds" not in tw:
        for label in ("one", "twente"):
            if "error" in tw[label]:
                rows.append((f"report, {label} (FAILED)", tw[label]["error"][:60], "", ""))
    elif tw:
        first = tw["one"]["seconds"]
        rows += [
            ("report, 1 gemeente (cold)", f"{first:.2f} s", "reference", ""),
            (
                f"report, {tw['twente']['editions']} Twente gemeenten in one run "
                f"({len(tw['notebooks'])} notebooks)",
                f"{tw['twente']['seconds']:.2f} s",
                "",
                "",
            ),
            (
                "cost of each extra gemeente",
                f"{tw['per_extra_gemeente_seconds']:.2f} s",
                f"≤ 0.30 × first = {0.3 * first:.2f} s",
                f"{tw['per_extra_gemeente_seconds'] / (0.3 * first):.2f}",
            ),
            ("peak memory, Twente run", f"{tw['twente']['peak_mb']:.0f} MB", "(no goal)", ""),
        ]
    return rows


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("figure", "value", "goal", "ratio to goal")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(line)
    for r in [header, None, *rows]:
        if r is None:
            print(line)
            continue
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="demo figures only (no national/Twente)"
    )
    parser.add_argument("--out", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument(
        "--notebooks",
        type=Path,
        help="time this folder of NN_*.ipynb notebooks instead of notebooks/ (HENGELO_NOTEBOOK_DIR)",
    )
    parser.add_argument(
        "--twente-notebooks",
        type=Path,
        help="time the 1-vs-14-gemeenten runs on this folder of notebooks instead",
    )
    parser.add_argument(
        "--change",
        default="jeugd",
        choices=("jeugd", "47018NED"),
        help="raw table of which one value is changed for the incremental rerun: supplied/jeugd.csv "
        "(default) or a 47018NED page",
    )
    args = parser.parse_args(argv)
    if args.notebooks:
        os.environ["HENGELO_NOTEBOOK_DIR"] = str(args.notebooks.resolve())
    notebooks = report_notebooks()
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "workers": os.environ.get("HENGELO_WORKERS", "cores"),
        }
    }
    with tempfile.TemporaryDirectory(prefix="hengelo-benchmark-") as tmp:
        work = Path(tmp)
        results["demo"] = demo_figures(work, notebooks, args.change)
        if not args.quick:
            results["twente"] = twente_figures(work, args.twente_notebooks)
            results["national"] = national_figures(work)
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    rows = rows_of(results)
    results["table"] = [
        dict(zip(("figure", "value", "goal", "ratio"), r, strict=True)) for r in rows
    ]
    m = results["machine"]
    print(
        f"\n{m['cpus']} cores; load average before {m['load_average_before']}, "
        f"after {m['load_average_after']}; ratio ≤ 1 meets the goal"
    )
    print_table(rows)
    inc = results["demo"]["incremental"]
    print(f"changed: {inc['changed']} (processed: {', '.join(inc['changed_tables'])})")
    print(f"re-executed: {', '.join(inc['executed']) or 'none'}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
