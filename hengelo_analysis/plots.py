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


def _dutch_axis(ax, decimals: int = 0) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, decimals)))


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


def show_figure(fig, alt: str) -> None:
    """Display ``fig`` as an embedded PNG with alt text, then close it."""
    from IPython.display import display

    if not alt or not alt.strip():
        raise ValueError("every figure needs alt text")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    display({"image/png": data}, raw=True, metadata={"image/png": {"alt": alt}})
