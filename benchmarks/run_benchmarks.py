"""Benchmark the build: cold, warm and incremental ``report``, the naive loop, and runs at scale.

Usage (``make benchmark`` runs the first)::

    .venv/bin/python benchmarks/run_benchmarks.py [--quick] [--out results.json] [--notebooks DIR]

Every figure is measured on a fresh copy of the demo data in a temporary directory, by running the
CLI as a subprocess: wall seconds, and CPU seconds (user + system) of the process and all its
descendants (the notebook kernels; ``resource.getrusage(RUSAGE_CHILDREN)``), which depend less on
what else the machine runs. Peak memory is the largest sum of resident memory over the CLI process
and its descendants, sampled every 50 ms with psutil. At the end a table gives each figure with its
goal and the ratio figure/goal (≤ 1 meets the goal).

- cold ``report`` (fresh data/processed and reports) — goal ≤ 0.30 × the naive loop, wall and CPU
  (our side also cleans, evaluates the claims and writes the index: the naive loop does not);
- warm rerun, nothing changed — goal ≤ 0.05 × cold;
- rerun after one value of a 47018NED page changed — only the notebooks whose inputs changed run;
- the naive loop: the ``papermill`` CLI then ``jupyter nbconvert --to html`` per notebook, one
  after another, same parameters, on the processed tables of the cold run;
- at scale (skipped with ``--quick``): ``clean`` of a synthetic national 47018NED (~10M rows,
  written once under /tmp by ``benchmarks/national.py``) — goal ≤ 60 s and ≤ 4 GB; ``report`` for
  1 and for the 14 Twente gemeenten in one run — goal: each extra gemeente ≤ 2 s.

Times depend on the machine and its load: the load average is printed with the results. This
script asserts nothing; tests never time anything.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
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

from benchmarks.table import print_table, rows_of  # noqa: E402
from hengelo_analysis.pipeline import stamps  # noqa: E402
from hengelo_analysis.pipeline.run import report_notebooks  # noqa: E402
from hengelo_analysis.pipeline.stamps import cached_key_of, notebook_inputs  # noqa: E402

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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(cmd: list[str], env: dict | None = None, check: bool = True) -> dict:
    """Run ``cmd``; return wall and CPU seconds, peak tree RSS in bytes, and its stderr.

    CPU counts the process and every descendant it waited for (kernels are shut down and reaped
    by the CLI), so it is the work done, whatever the load of the machine. It misses Chromium's
    zygote children (renderers, which Chromium reaps itself: about half of a print's CPU), so
    ``machine_cpu`` is also given: every core's busy time while the command ran (``/proc/stat``),
    which counts them but also whatever else the machine did meanwhile (None off Linux).
    """
    machine_before = _machine_busy()
    cpu_before = _children_cpu()
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
    cpu = _children_cpu() - cpu_before
    machine_after = _machine_busy()
    machine = None if machine_before is None else machine_after - machine_before
    done.set()
    sampler.join()
    if check and proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "machine_cpu": machine,
        "peak_bytes": peak,
        "stderr": err,
        "stdout": out,
    }


def _machine_busy() -> float | None:
    """Busy CPU seconds of every core since boot, or None.

    Busy is user, nice, system, irq and softirq time: not idle, not iowait, and not steal (time
    the hypervisor gave to other machines, which is no work of ours).
    """
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


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


def shown_findings(processed: Path, notebooks: list[Path]) -> dict[str, str | None]:
    """Per notebook, the hash of the findings it shows for the cold run's edition (its cache key
    part; None when it shows none). The edition is the newest findings file of GM0164."""
    files = sorted((processed / "findings").glob("GM0164_*.json"))
    if not files:
        return dict.fromkeys((nb.name for nb in notebooks), None)
    doc = json.loads(files[-1].read_text(encoding="utf-8"))
    parameters = {k: doc[k] for k in ("gemeente", "peiljaar", "rate_unit")}
    return {
        nb.name: None
        if (claims := stamps.notebook_claims(nb)) is None
        else stamps.shown_findings_hash(processed, parameters, claims)
        for nb in notebooks
    }


def naive_loop(notebooks: list[Path], data: Path, out: Path, peiljaar: int) -> dict:
    """papermill CLI then nbconvert CLI per notebook, one after another."""
    out.mkdir(parents=True, exist_ok=True)
    total, cpu, peak = 0.0, 0.0, 0
    machine: float | None = 0.0
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
                # as the cold report: Hengelo's configuration publishes per 10,000, and the pages
                # read the findings stage's file of that rate unit
                "10000",
            ],
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)],
        ]
        for cmd in steps:
            m = measure(cmd)
            total += m["seconds"]
            cpu += m["cpu"]
            machine = (
                None if machine is None or m["machine_cpu"] is None else machine + m["machine_cpu"]
            )
            peak = max(peak, m["peak_bytes"])
    return {"seconds": total, "cpu": cpu, "machine_cpu": machine, "peak_bytes": peak}


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
    findings_before = shown_findings(processed, notebooks)
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
    # Expected: the notebooks that declare a changed table as input (or declare nothing: all),
    # and those showing a finding the change altered (a youth file judges C7 again: page 04 and
    # the overview show it, although page 01 reads no youth table).
    findings_after = shown_findings(processed, notebooks)
    expected = sorted(
        nb.name
        for nb in notebooks
        if (inputs := notebook_inputs(nb)) is None
        or set(inputs) & set(changed_tables)
        or findings_before[nb.name] != findings_after[nb.name]
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
    return {
        "seconds": round(m["seconds"], 3),
        "cpu_seconds": round(m["cpu"], 3),
        "machine_cpu_seconds": None if m["machine_cpu"] is None else round(m["machine_cpu"], 3),
        "peak_mb": round(m["peak_bytes"] / 1e6, 1),
    }


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
    for unit in ("seconds", "cpu_seconds", "machine_cpu_seconds"):
        if out["twente"][unit] is None:
            continue
        extra = (out["twente"][unit] - out["one"][unit]) / max(n - 1, 1)
        out[f"per_extra_gemeente_{unit}"] = round(extra, 3)
    return out


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
