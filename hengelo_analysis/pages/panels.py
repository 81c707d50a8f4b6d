"""Small multiples: one panel per series, where one chart would hide the series in each other.

Two cases in the report: five survey items with their 95% bands (overlapping bands in one chart
are a smear), and accidents by severity (a handful of fatal accidents lies flat on the axis of
hundreds of damage-only ones). Panels share the x-axis; ``sharey`` says whether the values are
comparable in size (survey percentages) or not (accident severities, each on its own scale).
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from hengelo_analysis.pages import plots


def small_multiples(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    group: str,
    title: str,
    ylabel: str,
    source: str,
    lower: str | None = None,
    upper: str | None = None,
    sharey: bool = True,
    decimals: int | None = None,
    ncols: int | None = None,
):
    """One panel per ``group`` (titled with its name): its line, band and, in light grey, the others.

    With ``sharey=False`` each panel gets its own y-axis, so a small series is not drawn flat; the
    other series are then left out of the panel (on another scale they would be off the chart)
    and each y-axis starts at 0.
    """
    groups = list(data.groupby(group, sort=False))
    ncols = ncols or (2 if len(groups) == 4 else min(len(groups), 3))  # 4: two by two
    nrows = max(1, math.ceil(len(groups) / ncols))
    fig, axes = plots.new_figure(
        nrows,
        ncols,
        figsize=(9, 2.6 * nrows + 0.9),
        dpi=plots.DPI,
        sharex=True,
        sharey=sharey,
        squeeze=False,
    )
    flat = list(axes.flat)
    for i, (ax, (name, part)) in enumerate(zip(flat, groups, strict=False)):
        if sharey:
            for other_name, other in groups:
                if other_name != name:
                    plots.draw_series(
                        ax, other, x, y, "#CCCCCC", marker=None, linewidth=1, zorder=1
                    )
        plots.draw_series(
            ax, part, x, y, plots.OKABE_ITO[i % len(plots.OKABE_ITO)], None, lower, upper
        )
        ax.set_title(str(name), loc="left", fontsize=9)
        ax.spines[["top", "right"]].set_visible(False)
        # every panel its years: with an empty panel below, a shared axis would hide them
        ax.tick_params(labelsize=8, labelbottom=True)
        # a narrow panel has room for a few years, not for every one of them
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: str(int(v))))
        plots.dutch_axis(ax, decimals)
        if not sharey:
            ax.set_ylim(bottom=0)  # counts on their own scale: from 0, so a dip is not a crash
        if i % ncols == 0 or not sharey:
            ax.set_ylabel(ylabel, fontsize=8)
    for ax in flat[len(groups) :]:
        ax.set_axis_off()
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    notes = []
    if lower is not None and upper is not None:
        notes.append("band: 95%-betrouwbaarheidsinterval")
    if sharey:
        notes.append("grijs: de andere reeksen")
    else:
        notes.append("elk paneel heeft een eigen schaal")
    fig.text(
        0.01,
        0.01,
        f"Bron: {source}. " + "; ".join(notes).capitalize() + ".",
        fontsize=8,
        color="#333333",
        ha="left",
        va="bottom",
    )
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    return fig
