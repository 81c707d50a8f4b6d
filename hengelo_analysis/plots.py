"""House style for figures: title with units, source line, colour-blind-safe colours, alt text.

Functions return a matplotlib Figure and never save or show it; ``show_figure`` embeds it in the
notebook output as PNG with its alt text in the output metadata (the HTML template puts it in
``<img alt>``).
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")  # headless kernels and CI have no display

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from hengelo_analysis.formatting import format_number  # noqa: E402

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MISSING_COLOUR = "#BBBBBB"
DPI = 100


def _tick_label(value: float, decimals: int | None = None) -> str:
    """Dutch tick label; without ``decimals`` as many as the tick needs (22,5 but 25, not 25,0)."""
    if decimals is not None:
        return format_number(value, decimals)
    text = format_number(value, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _dutch_axis(ax, decimals: int | None = None) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick_label(v, decimals)))


def _finish(fig, ax, title: str, source: str) -> None:
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
):
    """Bars per year; missing (not published) years are drawn as a grey hatched stub, never as 0."""
    fig, ax = plt.subplots(figsize=(8, 3.8), dpi=DPI)
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
    ax.set_xticks(years.astype(int))
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_ylabel(ylabel)
    _dutch_axis(ax)
    _finish(fig, ax, title, source)
    return fig


def _dutch_xaxis(ax, decimals: int | None = None) -> None:
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
):
    """Lines over ``x`` (one per ``group``), with a shaded band between ``lower`` and ``upper``.

    Missing values break the line instead of being drawn as 0, so an unpublished year is a gap.
    """
    fig, ax = plt.subplots(figsize=(8, 3.8), dpi=DPI)
    groups = [(None, data)] if group is None else list(data.groupby(group, sort=False))
    for i, (name, part) in enumerate(groups):
        part = part.sort_values(x)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        xs = part[x].astype(float).to_numpy()
        ys = part[y].astype("Float64").astype(float).to_numpy()
        ax.plot(xs, ys, marker="o", color=colour, label=None if name is None else str(name))
        if lower is not None and upper is not None:
            lo = part[lower].astype("Float64").astype(float).to_numpy()
            hi = part[upper].astype("Float64").astype(float).to_numpy()
            ax.fill_between(xs, lo, hi, color=colour, alpha=0.2, linewidth=0)
    if x.lower() in ("year", "jaar", "peiljaar"):
        ax.set_xticks(sorted(data[x].dropna().astype(int).unique()))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: str(int(v))))
    ax.set_ylabel(ylabel)
    _dutch_axis(ax, decimals)
    if group is not None:
        ax.legend(frameon=False)
    if lower is not None and upper is not None:
        ax.text(
            0.99,
            0.98,
            "band: 95%-betrouwbaarheidsinterval",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
            color="#333333",
        )
    _finish(fig, ax, title, source)
    return fig


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
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.45 * len(labels) + 1.2)), dpi=DPI)
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
        ax.legend(frameon=False, fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 1.0))
    ax.set_yticks(ypos, labels)
    ax.set_xlabel(xlabel)
    _dutch_xaxis(ax)
    ax.text(
        0.99,
        0.01,
        "lijn: 95%-marge",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=8,
        color="#333333",
    )
    _finish(fig, ax, title, source)
    return fig


def funnel_plot(
    expected,
    rates,
    labels,
    *,
    limits_x,
    centre: float,
    lower_95,
    upper_95,
    lower_998,
    upper_998,
    highlight: str,
    title: str,
    xlabel: str,
    ylabel: str,
    source: str,
    decimals: int = 1,
):
    """Funnel plot: ``rates`` against ``expected`` (inhabitants or expected count) per area.

    The control limits are computed elsewhere (statistics module) and passed in as arrays over
    ``limits_x``; this function only draws. The area named ``highlight`` is marked and labelled.
    """
    import numpy as np

    xs = np.asarray(expected, dtype=float)
    ys = np.asarray(pd.Series(rates).astype("Float64").astype(float), dtype=float)
    names = [str(n) for n in labels]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=DPI)
    lx = np.asarray(limits_x, dtype=float)
    ax.plot(
        lx,
        np.asarray(upper_998, float),
        color="#555555",
        linestyle="--",
        linewidth=1,
        label="99,8%-grens",
    )
    ax.plot(lx, np.asarray(lower_998, float), color="#555555", linestyle="--", linewidth=1)
    ax.plot(
        lx,
        np.asarray(upper_95, float),
        color="#555555",
        linestyle=":",
        linewidth=1.2,
        label="95%-grens",
    )
    ax.plot(lx, np.asarray(lower_95, float), color="#555555", linestyle=":", linewidth=1.2)
    ax.axhline(
        centre,
        color="#000000",
        linewidth=1,
        label=f"gemiddelde ({format_number(centre, decimals)})",
    )
    others = np.array([n != highlight for n in names])
    ax.scatter(
        xs[others], ys[others], color=OKABE_ITO[0], s=25, label="vergelijkbare gemeenten", zorder=3
    )
    if (~others).any():
        ax.scatter(
            xs[~others],
            ys[~others],
            color=OKABE_ITO[5],
            marker="D",
            s=60,
            zorder=4,
            edgecolor="#000000",
            label=highlight,
        )
        for x, y in zip(xs[~others], ys[~others], strict=True):
            ax.annotate(
                highlight,
                (x, y),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=9,
                fontweight="bold",
            )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _dutch_axis(ax)
    _dutch_xaxis(ax)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    _finish(fig, ax, title, source)
    return fig


# Hatches are the only thing that tells a missing buurt apart from a coloured one when printed
# in grey, so the two kinds of "no number" get clearly different patterns.
SUPPRESSED_HATCH = "xxx"
NOT_PUBLISHED_HATCH = "///"
SUPPRESSED_LABEL = "onderdrukt (<5)"
NOT_PUBLISHED_LABEL = "niet gepubliceerd"


def class_bounds(values: pd.Series, k: int = 5) -> list[float]:
    """Class bounds (k+1 edges) by quantiles of the published values, duplicates removed."""
    import numpy as np

    vals = pd.Series(values).astype("Float64").dropna().astype(float)
    if vals.empty:
        return []
    edges = np.unique(np.quantile(vals, np.linspace(0, 1, k + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0] + 1])
    return [float(e) for e in edges]


def class_labels(bounds: list[float], decimals: int = 1) -> list[str]:
    """Legend texts of the classes, Dutch format: ``"12,5 – 25,0"``."""
    return [
        f"{format_number(lo, decimals)} – {format_number(hi, decimals)}"
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    ]


def choropleth(
    areas,
    values,
    *,
    title: str,
    legend_title: str,
    source: str,
    suppressed=None,
    extra_hatched=(),
    bounds: list[float] | None = None,
    k: int = 5,
    decimals: int = 1,
    cmap: str = "cividis",
):
    """Map per area (buurt or wijk) in classes of ``values`` (aligned with ``areas``).

    Missing values are never coloured: areas flagged ``suppressed`` are hatched ``xxx`` and
    listed as "onderdrukt (<5)"; other missing areas are hatched ``///`` as "niet gepubliceerd".
    A flagged area is drawn as suppressed even if a value is present (suppress before you show).

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        One row per area, in a projected CRS (EPSG:28992).
    values : array-like
        The value per area, same order as ``areas``; missing = not published.
    suppressed : array-like of bool, optional
        True where a small count was suppressed.
    extra_hatched : sequence of (mask, hatch, label), optional
        Further areas whose value is not shown for a stated reason (e.g. too few inhabitants):
        each drawn with its own hatch and legend entry, never coloured as a class.
    bounds : list of float, optional
        Class edges (k+1 values); default: quantiles of the published values.
    """
    import numpy as np
    from matplotlib.patches import Patch

    gdf = areas.reset_index(drop=True).copy()
    vals = pd.Series(values).astype("Float64").astype(float).reset_index(drop=True)
    if len(vals) != len(gdf):
        raise ValueError(f"values has {len(vals)} rows, areas has {len(gdf)}")
    flags = (
        pd.Series(False, index=gdf.index)
        if suppressed is None
        else pd.Series(suppressed).fillna(False).astype(bool).reset_index(drop=True)
    )
    is_suppressed = flags
    extra = [
        (pd.Series(mask).fillna(False).astype(bool).reset_index(drop=True), hatch, label)
        for mask, hatch, label in extra_hatched
    ]
    is_extra = pd.Series(False, index=gdf.index)
    for mask, _, _ in extra:
        is_extra |= mask
    is_suppressed = is_suppressed & ~is_extra
    is_missing = vals.isna() & ~flags & ~is_extra
    shown = ~is_suppressed & ~is_missing & ~is_extra
    bounds = list(bounds) if bounds is not None else class_bounds(vals[shown], k)
    outside = vals[shown][(vals[shown] < bounds[0]) | (vals[shown] > bounds[-1])] if bounds else []
    if len(outside):
        # A value outside the classes would silently be coloured as the nearest class.
        raise ValueError(
            f"values {sorted(outside.tolist())} lie outside the class bounds "
            f"{bounds[0]}..{bounds[-1]}"
        )
    # Size the figure to the map (a gemeente can be wide and flat or tall and narrow), plus room
    # on the right for the legend.
    minx, miny, maxx, maxy = gdf.total_bounds
    aspect = (maxy - miny) / (maxx - minx) if maxx > minx else 1.0
    fig, ax = plt.subplots(figsize=(9.5, min(max(6.0 * aspect + 1.2, 3.5), 9.0)), dpi=DPI)
    handles = []
    if bounds:
        n_classes = len(bounds) - 1
        colormap = plt.get_cmap(cmap, n_classes)
        colours = [colormap(i) for i in range(n_classes)]
        classes = np.clip(np.digitize(vals[shown], bounds[1:-1], right=True), 0, n_classes - 1)
        shown_gdf = gdf[shown]
        for i, colour in enumerate(colours):
            part = shown_gdf[classes == i]
            if len(part):
                part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.5)
        handles += [
            Patch(facecolor=c, edgecolor="#777777", label=label)
            for c, label in zip(colours, class_labels(bounds, decimals), strict=True)
        ]
    for mask, hatch, label in (
        (is_suppressed, SUPPRESSED_HATCH, SUPPRESSED_LABEL),
        (is_missing, NOT_PUBLISHED_HATCH, NOT_PUBLISHED_LABEL),
        *extra,
    ):
        if mask.any():
            gdf[mask].plot(
                ax=ax, facecolor="white", edgecolor="#555555", hatch=hatch, linewidth=0.5
            )
            handles.append(Patch(facecolor="white", edgecolor="#555555", hatch=hatch, label=label))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.legend(
        handles=handles,
        title=legend_title,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        fontsize=9,
        title_fontsize=9,
    )
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    fig.text(0.01, 0.01, f"Bron: {source}", fontsize=8, color="#333333", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def show_figure(fig, alt: str) -> None:
    """Display ``fig`` as an embedded PNG with alt text, then close it."""
    from IPython.display import display

    if not alt or not alt.strip():
        raise ValueError("every figure needs alt text")
    buffer = io.BytesIO()
    # bbox_inches="tight" trims the empty margins a fixed figure size leaves around maps and charts.
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    display({"image/png": data}, raw=True, metadata={"image/png": {"alt": alt}})
