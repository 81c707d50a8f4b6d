"""The results table of ``run_benchmarks.py``: each figure with its goal and the ratio to it."""

from __future__ import annotations

COLD_GOAL = 0.30  # cold report ≤ this × the naive loop
EXTRA_GEMEENTE_GOAL_SECONDS = 2.0


def rows_of(results: dict) -> list[tuple[str, str, str, str]]:
    """(figure, value, goal, ratio to goal) rows; a ratio ≤ 1 meets the goal."""
    rows = []
    demo = results.get("demo")
    if demo:
        cold, warm, naive = demo["cold"], demo["warm"], demo["naive"]
        inc = demo["incremental"]
        n = len(demo["notebooks"])
        rows += [
            (f"naive loop, {n} notebooks, wall", f"{naive['seconds']:.2f} s", "reference", ""),
            (f"naive loop, {n} notebooks, CPU", f"{naive['cpu_seconds']:.2f} s", "reference", ""),
            *(
                (
                    f"cold report, {label}",
                    f"{cold[unit]:.2f} s ({cold[unit] / naive[unit]:.2f} × naive)",
                    f"≤ {COLD_GOAL} × naive = {COLD_GOAL * naive[unit]:.2f} s",
                    f"{cold[unit] / (COLD_GOAL * naive[unit]):.2f}",
                )
                for label, unit in (("wall", "seconds"), ("CPU", "cpu_seconds"))
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
            *(
                (
                    f"cost of each extra gemeente, {label}",
                    f"{tw[f'per_extra_gemeente_{unit}']:.2f} s",
                    f"≤ {EXTRA_GEMEENTE_GOAL_SECONDS} s",
                    f"{tw[f'per_extra_gemeente_{unit}'] / EXTRA_GEMEENTE_GOAL_SECONDS:.2f}",
                )
                for label, unit in (("wall", "seconds"), ("CPU", "cpu_seconds"))
            ),
            *(
                [
                    (
                        "cost of each extra gemeente, machine CPU (Chromium's renderers too)",
                        f"{tw['per_extra_gemeente_machine_cpu_seconds']:.2f} s",
                        "(no goal)",
                        "",
                    )
                ]
                if "per_extra_gemeente_machine_cpu_seconds" in tw
                else []
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
