"""Maps per buurt: the choropleth house style and the buurt frame a page draws from.

Split from ``plots`` (charts) because maps need geopandas polygons and their own rules for "no
number": a suppressed count (``xxx``), a figure not published (``///``) and a rate not shown for
too few inhabitants (``...``) are hatched and named in the legend, never coloured as a class.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd

from hengelo_analysis.analysis import disclosure
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages.plots import DPI, new_figure
from hengelo_analysis.pages.tables import Table, html_table
from hengelo_analysis.processed import reader

MIN_POPULATION = disclosure.DEFAULT_MIN_POPULATION
SMALL_HATCH = "..."
SMALL_LABEL = f"cijfer niet getoond (< {MIN_POPULATION} inwoners)"

# Hatches are the only thing that tells a missing buurt apart from a coloured one when printed
# in grey, so the two kinds of "no number" get clearly different patterns.
SUPPRESSED_HATCH = "xxx"
NOT_PUBLISHED_HATCH = "///"
SUPPRESSED_LABEL = "afgeschermd (<5)"
NOT_PUBLISHED_LABEL = "niet gepubliceerd"
# Light grey under the hatches: "no number" never looks like the palest class of the palette.
NO_NUMBER_FACE = "#E4E4E4"
# ColorBrewer YlOrRd, one hue sequence from pale to dark: darker means more, readable with the
# common colour-vision deficiencies and in grey print. The palest end (near white) is skipped.
PALETTE = "YlOrRd"
PALETTE_RANGE = (0.12, 0.95)
WIJK_EDGE = "#222222"


def class_colours(n_classes: int, cmap: str = PALETTE) -> list:
    """``n_classes`` colours of the sequential palette, pale (lowest class) to dark (highest)."""
    import numpy as np

    colormap = matplotlib.colormaps[cmap]
    lo, hi = PALETTE_RANGE
    return (
        [colormap(v) for v in np.linspace(lo, hi, n_classes)] if n_classes > 1 else [colormap(hi)]
    )


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
    cmap: str = PALETTE,
    outlines=None,
    outline_label: str = "grens van een wijk",
    labels=None,
):
    """Map per area (buurt or wijk) in classes of ``values`` (aligned with ``areas``).

    Missing values are never coloured: areas flagged ``suppressed`` are hatched ``xxx`` and
    listed as "afgeschermd (<5)"; other missing areas are hatched ``///`` as "niet gepubliceerd".
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
    outlines : geopandas.GeoDataFrame, optional
        Larger areas (the wijken) drawn as dark boundaries over the classes, with a legend entry.
    labels : sequence of str, optional
        A short label per area (its number in the buurt table), written at a point inside it.
    """
    import numpy as np
    from matplotlib.lines import Line2D
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
    # below for the legend.
    minx, miny, maxx, maxy = gdf.total_bounds
    aspect = (maxy - miny) / (maxx - minx) if maxx > minx else 1.0
    fig, ax = new_figure(figsize=(7.5, min(max(7.0 * aspect + 2.4, 4.5), 11.0)), dpi=DPI)
    handles = []
    if bounds:
        n_classes = len(bounds) - 1
        colours = class_colours(n_classes, cmap)
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
                ax=ax, facecolor=NO_NUMBER_FACE, edgecolor="#555555", hatch=hatch, linewidth=0.5
            )
            handles.append(
                Patch(facecolor=NO_NUMBER_FACE, edgecolor="#555555", hatch=hatch, label=label)
            )
    if outlines is not None and len(outlines):
        outlines.boundary.plot(ax=ax, color=WIJK_EDGE, linewidth=1.6)
        handles.append(Line2D([], [], color=WIJK_EDGE, linewidth=1.6, label=outline_label))
    if labels is not None:
        _label_areas(ax, gdf, labels)
    ax.set_axis_off()
    ax.set_aspect("equal")
    # Below the map, in two columns, never over it: beside it, the legend made the image so wide
    # that on a phone the map shrank to a stamp.
    ax.legend(
        handles=handles,
        title=legend_title,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.01),
        ncol=2,
        frameon=False,
        fontsize=9,
        title_fontsize=9,
        alignment="left",
    )
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    fig.text(0.01, 0.01, f"Bron: {source}", fontsize=8, color="#333333", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _label_areas(ax, gdf, labels) -> None:
    """Write each area's label at a point inside it, with a white halo to read on dark classes."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for geometry, label in zip(gdf.geometry, labels, strict=True):
        if geometry is None or geometry.is_empty or not str(label):
            continue
        point = geometry.representative_point()
        ax.annotate(
            str(label),
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=6.5,
            color="#000000",
            path_effects=halo,
        )


def wijk_outlines(frame):
    """The wijken as the union of their buurten (``wijk_code``), to draw their boundaries."""
    if "wijk_code" not in frame or frame["wijk_code"].isna().all():
        return None
    return frame.dropna(subset=["wijk_code"]).dissolve(by="wijk_code").reset_index()


def load_areas(data_dir: str | Path, source: str):
    """The ``areas`` GeoPackage as a GeoDataFrame, or None when it was not built."""
    return reader.load_areas(data_dir, source)


def map_frame(areas, table: pd.DataFrame, gemeente: str):
    """The gemeente's buurt polygons with value, suppressed and small flags for the map.

    Every buurt polygon is kept (left join): a buurt without crime rows is "niet gepubliceerd".
    ``nr`` numbers the buurten in code order (the key between map and table); ``wijk_code`` is the
    buurt's wijk (the areas' parent, else CBS's code structure BU gggg ww bb -> WK gggg ww).
    Returns None when the areas hold no buurten of the gemeente.
    """
    if areas is None:
        return None
    buurten = areas[
        (areas["area_level"] == "buurt") & areas["area_code"].str.startswith("BU" + gemeente[2:])
    ]
    if buurten.empty:
        return None
    cols = ["area_code", "registered", "status", "shown", "inhabitants", "rate", "rate_status"]
    present = [c for c in [*cols, "lower", "upper"] if c in table.columns]
    frame = buurten[["area_code", "area_name", "geometry"]].merge(
        table[present], on="area_code", how="left"
    )
    derived = "WK" + frame["area_code"].str[2:8]
    if "parent_code" in buurten:
        parents = buurten.set_index("area_code")["parent_code"]
        frame["wijk_code"] = frame["area_code"].map(parents).fillna(derived)
    else:
        frame["wijk_code"] = derived
    frame["suppressed"] = frame["status"].isin(disclosure.HIDDEN)
    frame["small"] = frame["rate_status"].eq("te_weinig_inwoners") & ~frame["suppressed"]
    frame["value"] = frame["rate"].astype("Float64").where(~frame["small"] & ~frame["suppressed"])
    frame = frame.sort_values("area_code", ignore_index=True)
    frame["nr"] = range(1, len(frame) + 1)
    return frame


def buurt_map(frame, *, title: str, legend_title: str, source: str, decimals: int = 1):
    """Choropleth of ``frame.value``; suppressed buurten hatched, small buurten dotted.

    ``choropleth`` draws the classes, the suppressed (``xxx``) and the not published
    (``///``) buurten, and the buurten whose rate is not shown for too few inhabitants with their
    own hatch and legend entry, so they are never read as a class or as 0.
    """
    return choropleth(
        frame,
        frame["value"],
        title=title,
        legend_title=legend_title,
        source=source,
        suppressed=frame["suppressed"],
        extra_hatched=[(frame["small"], SMALL_HATCH, SMALL_LABEL)],
        decimals=decimals,
        outlines=wijk_outlines(frame),
        labels=frame["nr"].astype(str) if "nr" in frame else None,
    )


def map_counts(frame) -> dict:
    """How many buurten are coloured, suppressed, small or not published."""
    shown = frame["value"].notna()
    return {
        "buurten": len(frame),
        "getoond": int(shown.sum()),
        "onderdrukt": int(frame["suppressed"].sum()),
        "klein": int(frame["small"].sum()),
        "niet_gepubliceerd": int((~shown & ~frame["suppressed"] & ~frame["small"]).sum()),
    }


def map_alt(frame, what: str, name: str, peiljaar: int, unit_label: str) -> str:
    """Alt text: what the map shows, the range of the coloured rates and the hatched buurten."""
    n = map_counts(frame)
    shown = frame[frame["value"].notna()]
    text = f"Kaart van de {n['buurten']} buurten van {name} met {what} {unit_label} in {peiljaar}. "
    if len(shown):
        top = shown.loc[shown["value"].astype(float).idxmax()]
        low = shown.loc[shown["value"].astype(float).idxmin()]
        text += (
            f"{n['getoond']} buurten ingekleurd, van {format_number(low['value'], 1)} "
            f"({low['area_name']}) tot {format_number(top['value'], 1)} ({top['area_name']}). "
        )
    else:
        text += "Geen buurt ingekleurd. "
    text += (
        f"Gearceerd: {n['onderdrukt']} buurten met een afgeschermd klein aantal, {n['klein']} met "
        f"minder dan {MIN_POPULATION} inwoners (cijfer niet getoond), "
        f"{n['niet_gepubliceerd']} niet gepubliceerd."
    )
    return text


def buurt_display_table(frame, rate_unit_text: str, decimals: int = 1) -> pd.DataFrame:
    """The buurten as a table, highest rate first: number on the map, count as shown, rate, margin.

    Counts as published (``<5``, ``x``, ``n.b.``); a buurt without a rate says why and comes
    after the ranked ones (never as 0 at the bottom of the ranking). ``Nr.`` is the number written
    in the buurt on the map.
    """
    reasons = {
        "te_weinig_inwoners": f"niet getoond (< {MIN_POPULATION} inwoners)",
        "aantal_afgeschermd": "afgeschermd",
        "niet_gepubliceerd": "n.b.",
    }
    value = frame["value"].astype("Float64")
    rate_text = [
        format_number(v, decimals)
        if pd.notna(v)
        else ("afgeschermd" if hidden else reasons.get(s, "n.b."))
        for v, s, hidden in zip(value, frame["rate_status"], frame["suppressed"], strict=True)
    ]
    has_ci = "lower" in frame and "upper" in frame
    margin = [
        f"{format_number(lo, decimals)} – {format_number(hi, decimals)}"
        if pd.notna(v) and has_ci and pd.notna(lo) and pd.notna(hi)
        else ""
        for v, lo, hi in zip(
            value,
            frame["lower"] if has_ci else [None] * len(frame),
            frame["upper"] if has_ci else [None] * len(frame),
            strict=True,
        )
    ]
    table = pd.DataFrame(
        {
            "Buurt": frame["area_name"].astype(str),
            "Code": frame["area_code"].astype(str),
            "Nr.": frame["nr"].astype(int) if "nr" in frame else range(1, len(frame) + 1),
            "Inwoners": frame["inhabitants"].astype("Int64"),
            "Geregistreerd": frame["shown"].fillna("n.b."),
            rate_unit_text.capitalize(): rate_text,
            "Marge (95%)": margin,
        }
    )
    order = pd.DataFrame({"missing": value.isna().to_numpy(), "value": value.fillna(0).to_numpy()})
    order["code"] = table["Code"].to_numpy()
    ranked = order.sort_values(["missing", "value", "code"], ascending=[True, False, True]).index
    return table.loc[ranked].reset_index(drop=True)


def buurt_caveat(frame) -> str:
    """Why small buurten have no rate and why the ranking of buurten is uncertain (plain Dutch)."""
    n = map_counts(frame)
    return (
        f"Hoogste cijfer eerst. {format_number(n['klein'])} buurten met minder dan "
        f"{format_number(MIN_POPULATION)} inwoners krijgen geen cijfer: bij zo weinig inwoners "
        "zegt een cijfer per inwoner weinig. Ook in kleine buurten met een cijfer is de marge "
        "groot; buurten waarvan de marges elkaar overlappen, verschillen niet duidelijk."
    )


def buurt_table(frame, rate_unit_text: str, title: str, decimals: int = 1) -> Table:
    """The page's buurt table: :func:`buurt_display_table` with a caption that says how to read it."""
    caption = (
        f"{title} (aantal; <5 = afgeschermd, x = afgeschermd om een ander aantal te beschermen; "
        f"nr. = nummer op de kaart). {buurt_caveat(frame)}"
    )
    return html_table(
        buurt_display_table(frame, rate_unit_text, decimals),
        caption,
        formats={"Code": str, "Nr.": str},
        row_headers=True,
        download_only=["Code"],  # the page names buurten; reusers get the codes in the CSV
    )
