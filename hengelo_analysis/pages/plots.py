"""House style for figures: title with units, source line, colour-blind-safe colours, alt text.

Functions return a matplotlib Figure and never save or show it; ``show_figure`` embeds it in the
notebook output as PNG with its alt text in the output metadata (the HTML template puts it in
``<img alt>``). Maps per buurt are in :mod:`hengelo_analysis.pages.maps`.
"""

from __future__ import annotations

import base64

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import render

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MISSING_COLOUR = "#BBBBBB"
DPI = 100
SYNTHETIC_TEXT = "synthetische demodata"
SYNTHETIC_GID = "synthetic-mark"  # the mark's artist id, so a test can find it in any figure
MAX_BANDS = 3  # more confidence bands than this in one chart overlap into a smear


def literal_text() -> None:
    """Make matplotlib draw every text literally: never parse ``$…$`` as mathtext.

    Titles, labels, ticks and legends show names from the data (a buurt called
    ``Buurt $x^2$ centrum``); parsed as mathtext they are garbled, or fail to draw at all. Set on
    every new figure, since a reused kernel restores the default rcParams between notebooks.
    """
    matplotlib.rcParams["text.parse_math"] = False


# The arguments of ``plt.subplots`` that shape the grid of axes; the others describe the figure.
GRID_ARGUMENTS = ("sharex", "sharey", "squeeze", "width_ratios", "height_ratios")
GRID_ARGUMENTS += ("subplot_kw", "gridspec_kw")


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """``(figure, axes)`` as ``plt.subplots`` gives them, with :func:`literal_text`: every figure
    of the report starts here.

    A plain :class:`~matplotlib.figure.Figure`, not one of pyplot's: pyplot would choose (and so
    fix) the kernel's backend, and keep every figure open in its registry. The report needs no
    backend at all (``show_figure`` renders the PNG itself), and an analyst's own ``plt.plot`` in
    JupyterLab keeps the inline backend the kernel started with.
    """
    literal_text()
    grid = {k: kwargs.pop(k) for k in GRID_ARGUMENTS if k in kwargs}
    fig = Figure(**kwargs)
    return fig, fig.subplots(nrows, ncols, **grid)


def _tick_label(value: float, decimals: int | None = None) -> str:
    """Dutch tick label; without ``decimals`` as many as the tick needs (22,5 but 25, not 25,0)."""
    if decimals is not None:
        return format_number(value, decimals)
    text = format_number(value, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


class _DistinctTicks(MaxNLocator):
    """Matplotlib's tick choice, but never closer than one unit of the last decimal shown.

    A rapportcijfer axis from 7,0 to 7,2 gets ticks every 0,025 by default; shown with one decimal
    they read "7,0 7,0 7,1 7,1 7,2". Steps below ``min_step`` are replaced by multiples of it.
    """

    def __init__(self, min_step: float):
        super().__init__(nbins="auto", steps=[1, 2, 2.5, 5, 10])
        self.min_step = min_step

    def tick_values(self, vmin, vmax):
        ticks = super().tick_values(vmin, vmax)
        if len(ticks) > 1 and (ticks[1] - ticks[0]) < self.min_step * (1 - 1e-9):
            return MultipleLocator(self.min_step).tick_values(vmin, vmax)
        return ticks


def dutch_axis(ax, decimals: int | None = None) -> None:
    ax.yaxis.set_major_locator(_DistinctTicks(10.0 ** -(2 if decimals is None else decimals)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick_label(v, decimals)))


def finish(fig, ax, title: str, source: str) -> None:
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    fig.text(0.01, 0.01, f"Bron: {source}", fontsize=8, color="#333333", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))


def yearly_bars(
    years: pd.Series,
    values: pd.Series,
    *,
    title: str,
    ylabel: str,
    source: str,
    highlight_year: int | None = None,
    provisional=(),
):
    """Bars per year; missing (not published) years are drawn as a grey hatched stub, never as 0.

    Years in ``provisional`` are labelled *voorlopig* under their bar.
    """
    fig, ax = new_figure(figsize=(8, 3.8), dpi=DPI)
    missing = values.isna()
    heights = values.astype("Float64").fillna(0).astype(float)
    colours = [
        OKABE_ITO[1] if (highlight_year is not None and int(y) == highlight_year) else OKABE_ITO[0]
        for y in years
    ]
    bars = ax.bar(years.astype(int), heights, color=colours)
    top = float(heights.max()) if len(heights) else 1.0
    for bar, is_missing in zip(bars, missing, strict=True):
        if is_missing:
            bar.set_height(top * 0.03)
            bar.set_color("white")
            bar.set_edgecolor(MISSING_COLOUR)
            bar.set_hatch("///")
    ax.set_xticks(years.astype(int), [year_label(y, provisional) for y in years.astype(int)])
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_ylabel(ylabel)
    dutch_axis(ax)
    finish(fig, ax, title, source)
    return fig


def dutch_xaxis(ax, decimals: int | None = None) -> None:
    ax.xaxis.set_major_locator(_DistinctTicks(10.0 ** -(2 if decimals is None else decimals)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick_label(v, decimals)))


def line_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    ylabel: str,
    source: str,
    group: str | None = None,
    lower: str | None = None,
    upper: str | None = None,
    decimals: int | None = None,
    provisional=(),
):
    """Lines over ``x`` (one per ``group``), with a shaded band between ``lower`` and ``upper``.

    Missing values break the line instead of being drawn as 0, so an unpublished year is a gap.
    More than :data:`MAX_BANDS` groups with bands are drawn as small multiples
    (:func:`hengelo_analysis.pages.panels.small_multiples`): five overlapping bands cannot be read.
    The legend sits below the axes, never over the lines; years in ``provisional`` are labelled
    *voorlopig*.
    """
    groups = [(None, data)] if group is None else list(data.groupby(group, sort=False))
    banded = lower is not None and upper is not None
    if banded and len(groups) > MAX_BANDS:
        from hengelo_analysis.pages import panels

        return panels.small_multiples(
            data, x=x, y=y, group=group, lower=lower, upper=upper, title=title, ylabel=ylabel,
            source=source, decimals=decimals,
        )  # fmt: skip
    fig, ax = new_figure(figsize=(8, 3.8), dpi=DPI)
    for i, (name, part) in enumerate(groups):
        draw_series(ax, part, x, y, OKABE_ITO[i % len(OKABE_ITO)], name, lower, upper)
    year_axis(ax, data, x, provisional)
    ax.set_ylabel(ylabel)
    dutch_axis(ax, decimals)
    if group is not None:
        marked = set(data[x].dropna().astype(int)) & {int(p) for p in provisional}
        legend_below(ax, len(groups), tick_lines=2 if marked else 1)
    if banded:
        corner_note(ax, "band: 95%-betrouwbaarheidsinterval", top=True)
    finish(fig, ax, title, source)
    return fig


def draw_series(ax, part, x, y, colour, name=None, lower=None, upper=None, **line) -> None:
    """One line (sorted by ``x``; a missing value is a gap) with its band when given."""
    part = part.sort_values(x)
    xs = part[x].astype(float).to_numpy()
    ys = part[y].astype("Float64").astype(float).to_numpy()
    style = {"marker": "o", "color": colour} | line
    ax.plot(xs, ys, label=None if name is None else str(name), **style)
    if lower is not None and upper is not None:
        lo = part[lower].astype("Float64").astype(float).to_numpy()
        hi = part[upper].astype("Float64").astype(float).to_numpy()
        ax.fill_between(xs, lo, hi, color=colour, alpha=0.2, linewidth=0)


def year_label(year: int, provisional=()) -> str:
    """A year's tick label: "2024", or "2024\nvoorlopig" for a provisional year of the source."""
    return (
        f"{int(year)}\nvoorlopig" if int(year) in {int(p) for p in provisional} else str(int(year))
    )


def year_axis(ax, data, x: str, provisional=()) -> None:
    """Whole years as ticks (never 2.020,5) when ``x`` is a year column; provisional ones marked."""
    if x.lower() in ("year", "jaar", "peiljaar"):
        ax.set_xticks(sorted(data[x].dropna().astype(int).unique()))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: year_label(v, provisional)))


def legend_below(ax, n: int, tick_lines: int = 1, **kwargs) -> None:
    """The legend under the axes (below the tick labels and axis label), in up to three columns.

    Inside the axes a legend covers data whenever the lines run through its corner (page 02's
    2020 edition, page 07); tight_layout makes room for it above the source line. The gap is in
    points, so it clears the tick labels whatever the height of the axes.
    """
    from matplotlib.transforms import offset_copy

    gap = (34 if ax.get_xlabel() else 20) + 11 * (tick_lines - 1)  # "2024\nvoorlopig": 2 lines
    ax.legend(
        frameon=False,
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, y=-gap, units="points"),
        ncol=min(max(n, 1), 3),
        **kwargs,
    )


def corner_note(ax, text: str, *, top: bool) -> None:
    """A small note in the right-hand corner of the axes (what a band or line means)."""
    ax.text(
        0.99,
        0.98 if top else 0.01,
        text,
        transform=ax.transAxes,
        ha="right",
        va="top" if top else "bottom",
        fontsize=8,
        color="#333333",
    )


def indicator_bars(
    labels: pd.Series,
    values: pd.Series,
    lower: pd.Series,
    upper: pd.Series,
    *,
    title: str,
    xlabel: str,
    source: str,
    reference: float | None = None,
    reference_label: str = "gemeente",
    decimals: int = 1,
):
    """Horizontal bars per area (e.g. a survey indicator per wijk) with 95% margins as error bars.

    Suppressed or unpublished values (missing) get no bar but a hatched stub and the text
    "onderdrukt / n.b.", so they can never be read as 0.
    """
    labels = pd.Series(labels).astype(str).reset_index(drop=True)
    vals = pd.Series(values).astype("Float64").astype(float).reset_index(drop=True)
    lo = pd.Series(lower).astype("Float64").astype(float).reset_index(drop=True)
    hi = pd.Series(upper).astype("Float64").astype(float).reset_index(drop=True)
    fig, ax = new_figure(figsize=(8, max(2.5, 0.45 * len(labels) + 1.2)), dpi=DPI)
    ypos = list(range(len(labels)))[::-1]
    missing = vals.isna()
    heights = vals.fillna(0)
    bars = ax.barh(ypos, heights, color=OKABE_ITO[0], height=0.6)
    err = [
        (heights - lo).where(~missing & lo.notna(), 0).clip(lower=0),
        (hi - heights).where(~missing & hi.notna(), 0).clip(lower=0),
    ]
    ax.errorbar(heights, ypos, xerr=err, fmt="none", ecolor="#000000", capsize=3, linewidth=1)
    top = float(pd.concat([hi, vals]).max()) if vals.notna().any() else 1.0
    for bar, y, is_missing in zip(bars, ypos, missing, strict=True):
        if is_missing:
            bar.set_width(top * 0.02)
            bar.set_facecolor("white")
            bar.set_edgecolor(MISSING_COLOUR)
            bar.set_hatch("///")
            ax.text(top * 0.03, y, "onderdrukt / n.b.", va="center", fontsize=8, color="#333333")
    if reference is not None and not pd.isna(reference):
        ax.axvline(
            reference,
            color=OKABE_ITO[5],
            linestyle="--",
            linewidth=1.2,
            label=f"{reference_label}: {format_number(reference, decimals)}",
        )
    ax.set_yticks(ypos, labels)
    ax.set_xlabel(xlabel)
    if reference is not None and not pd.isna(reference):
        # below the axes: above them it ran into the title (page 09)
        legend_below(ax, 1)
    dutch_xaxis(ax)
    corner_note(ax, "lijn: 95%-marge", top=False)
    finish(fig, ax, title, source)
    return fig


def paired_bars(
    labels: pd.Series,
    before: pd.Series,
    after: pd.Series,
    *,
    legend: tuple[str, str],
    title: str,
    xlabel: str,
    source: str,
):
    """Two horizontal bars per label (e.g. the same months of two years); missing = hatched stub.

    A missing value (not published, or a month of the window absent) is never drawn as 0.
    """
    labels = pd.Series(labels).astype(str).reset_index(drop=True)
    pairs = [
        pd.Series(v).astype("Float64").astype(float).reset_index(drop=True) for v in (before, after)
    ]
    fig, ax = new_figure(figsize=(8, max(2.5, 0.7 * len(labels) + 1.2)), dpi=DPI)
    ypos = [float(y) for y in range(len(labels))][::-1]
    top = max((float(v.max()) for v in pairs if v.notna().any()), default=1.0)
    for i, (values, name) in enumerate(zip(pairs, legend, strict=True)):
        offsets = [y + (0.2 if i == 0 else -0.2) for y in ypos]
        bars = ax.barh(offsets, values.fillna(0), height=0.38, color=OKABE_ITO[i], label=name)
        for bar, is_missing in zip(bars, values.isna(), strict=True):
            if is_missing:
                bar.set_width(top * 0.02)
                bar.set_facecolor("white")
                bar.set_edgecolor(MISSING_COLOUR)
                bar.set_hatch("///")
    ax.set_yticks(ypos, labels)
    ax.set_xlabel(xlabel)
    dutch_xaxis(ax)
    # beside the axes: inside, it would cover the longest bar
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    finish(fig, ax, title, source)
    return fig


def mark_synthetic(fig, content=None) -> Text:
    """Write "synthetische demodata" on ``fig``: an image taken out of the page still says so.

    A dark label just above the top right corner: it covers no data and no title, and costs a few
    hundred bytes (a diagonal watermark added ~13 KB per PNG). Its text carries SYNTHETIC_GID.
    ``content`` is the drawn content's extent in inches, when the caller measured it already.
    """
    # Just above the drawn content (not the figure's edge: a map's figure has empty room above
    # its title, which the saved image trims; a label at the edge would float far above).
    if content is None:
        content = render.content_box(fig, DPI)  # text layout only, nothing drawn
    width, height = fig.get_size_inches()
    # In figure fractions, not inches: savefig's tight crop moves what is placed in fractions of
    # the figure but not what is placed in inches, which put the label lower than meant by as
    # far as the crop reaches below the figure (6 px on a chart, touching the title).
    return fig.text(
        content.x1 / width,
        (content.y1 + 0.1) / height,  # clear of the title, with the label box's own padding
        SYNTHETIC_TEXT.upper(),
        ha="right",
        va="bottom",
        fontsize=9,
        fontweight="bold",
        color="#FFFFFF",
        bbox={"facecolor": "#8B1A1A", "edgecolor": "none", "pad": 3},
        gid=SYNTHETIC_GID,
    )


def show_figure(fig, alt: str, *, source: str) -> None:
    """Display ``fig`` as an embedded PNG with alt text, then close it.

    ``source`` is the notebook's data source: on ``"demo"`` the image itself is marked synthetic
    (:func:`mark_synthetic`), whatever its source line says.
    """
    from IPython.display import display

    if not alt or not alt.strip():
        raise ValueError("every figure needs alt text")
    # A text added straight with matplotlib (not through new_figure) is made literal too.
    literal_text()
    for text in fig.findobj(Text):
        text.set_parse_math(False)
    # Trimmed as bbox_inches="tight" trims the empty margins a fixed figure size leaves around
    # maps and charts, in one draw (savefig drew twice, placing the label a third time).
    png = render.figure_png(fig, DPI, mark=mark_synthetic if source == "demo" else None)
    if fig.canvas.manager is not None:
        import matplotlib.pyplot as plt  # a figure made with pyplot is left open in its registry

        plt.close(fig)
    data = base64.b64encode(png).decode("ascii")
    display({"image/png": data}, raw=True, metadata={"image/png": {"alt": alt}})
