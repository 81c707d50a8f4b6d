"""House-style figures and tables on tiny synthetic data: what is drawn, not that it ran."""

import os
import subprocess
import sys

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from shapely.geometry import box

from hengelo_analysis.pages import maps, plots, tables
from hengelo_analysis.pages.chapters import bedrijven


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _squares(n):
    return gpd.GeoDataFrame(
        {"area_code": [f"BU{i:08d}" for i in range(n)]},
        geometry=[box(i * 10, 0, i * 10 + 9, 9) for i in range(n)],
        crs="EPSG:28992",
    )


def _fills_by_area(ax, n):
    """For every square (by its x position), the (facecolour, hatch) of the collections drawing it."""
    found = {i: [] for i in range(n)}
    for coll in ax.collections:
        faces = coll.get_facecolors()
        for j, path in enumerate(coll.get_paths()):
            i = int(round(path.vertices[:, 0].min() / 10))
            face = tuple(faces[j % len(faces)]) if len(faces) else None
            found[i].append((face, coll.get_hatch()))
    return found


def test_choropleth_hatches_suppressed_and_unpublished_buurten_without_colormap_colour():
    areas = _squares(5)
    values = [1.0, 2.0, None, 4.0, 5.0]
    suppressed = [False, False, False, True, False]  # value present but flagged: never shown
    fig = maps.choropleth(
        areas,
        values,
        suppressed=suppressed,
        bounds=[0, 2.5, 5],
        title="t",
        legend_title="l",
        source="s",
    )
    ax = fig.axes[0]
    fills = _fills_by_area(ax, 5)
    cmap_colours = maps.class_colours(2)
    assert fills[0] == [(pytest.approx(cmap_colours[0]), None)]
    assert fills[4] == [(pytest.approx(cmap_colours[1]), None)]
    assert fills[3] == [(to_rgba(maps.NO_NUMBER_FACE), maps.SUPPRESSED_HATCH)]
    assert fills[2] == [(to_rgba(maps.NO_NUMBER_FACE), maps.NOT_PUBLISHED_HATCH)]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["0,0 – 2,5", "2,5 – 5,0", "afgeschermd (<5)", "niet gepubliceerd"]


def test_choropleth_extra_hatched_areas_get_their_own_hatch_and_legend_not_a_class():
    areas = _squares(4)
    values = [1.0, 4.0, 300.0, None]  # 300: a rate over very few inhabitants, not to be shown
    fig = maps.choropleth(
        areas,
        values,
        extra_hatched=[([False, False, True, False], "...", "cijfer niet getoond")],
        bounds=[0, 2.5, 5],
        title="t",
        legend_title="l",
        source="s",
    )
    ax = fig.axes[0]
    fills = _fills_by_area(ax, 4)
    assert fills[2] == [
        (to_rgba(maps.NO_NUMBER_FACE), "...")
    ]  # not coloured, and 300 did not break bounds
    assert fills[3] == [(to_rgba(maps.NO_NUMBER_FACE), maps.NOT_PUBLISHED_HATCH)]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["0,0 – 2,5", "2,5 – 5,0", "niet gepubliceerd", "cijfer niet getoond"]


def test_choropleth_legend_uses_dutch_thousands_and_decimal_marks():
    fig = maps.choropleth(
        _squares(3),
        [1200.0, 2500.5, 3400.0],
        bounds=[1000, 2000.25, 4000],
        title="t",
        legend_title="per 10.000 inwoners",
        source="s",
        decimals=2,
    )
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts == ["1.000,00 – 2.000,25", "2.000,25 – 4.000,00"]


def test_choropleth_refuses_values_outside_the_given_classes():
    with pytest.raises(ValueError, match=r"values \[7\.0\] lie outside the class bounds 0\.\.5"):
        maps.choropleth(
            _squares(2), [1.0, 7.0], bounds=[0, 5], title="t", legend_title="l", source="s"
        )


def test_class_bounds_are_quantiles_of_published_values_only():
    assert maps.class_bounds(pd.Series([1, 2, 3, 4, None]), k=2) == [1.0, 2.5, 4.0]
    assert maps.class_bounds(pd.Series([None, None])) == []


def test_choropleth_rejects_misaligned_values():
    with pytest.raises(ValueError, match="values has 2 rows, areas has 3"):
        maps.choropleth(_squares(3), [1, 2], title="t", legend_title="l", source="s")


def test_figures_carry_a_source_line_and_title():
    fig = plots.line_chart(
        pd.DataFrame(
            {
                "year": [2020, 2021, 2022],
                "v": [1.0, None, 3.0],
                "lo": [0.5, None, 2],
                "hi": [1.5, None, 4],
            }
        ),
        x="year",
        y="v",
        lower="lo",
        upper="hi",
        title="Aandeel (%)",
        ylabel="%",
        source="CBS",
    )
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Aandeel (%)"
    assert "Bron: CBS" in [t.get_text() for t in fig.texts]
    line = ax.get_lines()[0]
    assert np.isnan(line.get_ydata()[1])  # a gap, not 0
    assert len(ax.collections) == 1  # the CI band


def test_indicator_bars_draw_margins_and_mark_suppressed_wijken():
    fig = plots.indicator_bars(
        pd.Series(["Noord", "Zuid", "Oost"]),
        pd.Series([20.0, None, 30.0]),
        pd.Series([15.0, None, 26.0]),
        pd.Series([25.0, None, 34.0]),
        title="Voelt zich onveilig (%)",
        xlabel="%",
        source="enquête",
        reference=24.0,
    )
    ax = fig.axes[0]
    bars = [p for p in ax.patches]
    assert [b.get_hatch() for b in bars] == [None, "///", None]
    assert bars[0].get_width() == 20.0 and bars[2].get_width() == 30.0
    segs = [s for c in ax.collections for s in c.get_segments()]
    spans = sorted((round(s[0][0], 6), round(s[1][0], 6)) for s in segs)
    assert (15.0, 25.0) in spans and (26.0, 34.0) in spans
    assert any("onderdrukt" in t.get_text() for t in ax.texts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["gemeente: 24,0"]


def test_funnel_plot_highlights_the_gemeente_and_draws_given_limits():
    x = np.array([10_000, 50_000, 80_000])
    lim_x = np.array([5_000, 100_000])
    fig = bedrijven.funnel_plot(
        x,
        [3.0, 2.0, 2.5],
        ["A", "Hengelo", "B"],
        limits_x=lim_x,
        centre=2.4,
        lower_95=[1, 2],
        upper_95=[4, 3],
        lower_998=[0.5, 1.5],
        upper_998=[5, 3.5],
        highlight="Hengelo",
        title="Winkeldiefstal per 1.000 inwoners",
        xlabel="inwoners",
        ylabel="per 1.000",
        source="CBS",
    )
    ax = fig.axes[0]
    ys = sorted(
        tuple(line.get_ydata())
        for line in ax.get_lines()
        if len(line.get_xdata()) == 2 and tuple(line.get_xdata()) == (5_000.0, 100_000.0)
    )
    assert ys == [(0.5, 1.5), (1.0, 2.0), (4.0, 3.0), (5.0, 3.5)]
    highlighted = [c for c in ax.collections if c.get_label() == "Hengelo"]
    assert highlighted and highlighted[0].get_offsets().tolist() == [[50_000.0, 2.0]]
    assert [a.get_text() for a in ax.texts if a.get_text() == "Hengelo"]


def test_axis_ticks_are_dutch_with_only_the_decimals_they_need():
    assert plots._tick_label(22.5) == "22,5"
    assert plots._tick_label(25.0) == "25"
    assert plots._tick_label(1000.0) == "1.000"
    assert plots._tick_label(0.25) == "0,25"
    assert plots._tick_label(3.0, 1) == "3,0"


def test_show_figure_refuses_missing_alt_text():
    fig = plots.yearly_bars(pd.Series([2020]), pd.Series([1]), title="t", ylabel="y", source="s")
    with pytest.raises(ValueError, match="alt text"):
        plots.show_figure(fig, alt="  ", source="real")


def test_html_table_has_caption_scoped_headers_dutch_numbers_and_no_index():
    df = pd.DataFrame(
        {
            "Jaar": [2023, 2024],
            "Buurt": ["<script>alert(1)</script>", "Noord"],
            "Aantal": pd.array([1234, None], dtype="Int64"),
            "Per 1.000": [12.345, 3.0],
        },
        index=[7, 8],
    )
    out = tables.html_table(df, "Misdrijven per buurt (aantal)")._repr_html_()
    assert "<caption>Misdrijven per buurt (aantal)</caption>" in out
    assert out.count('<th scope="col"') == 4
    assert "<td>2024</td>" in out and "1.234" in out and "12,3" in out
    assert "n.b." in out  # missing is never 0
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert ">7<" not in out and ">8<" not in out  # no index column


def test_html_table_requires_a_caption_and_honours_formats():
    with pytest.raises(ValueError, match="caption"):
        tables.html_table(pd.DataFrame({"a": [1]}), "")
    t = tables.html_table(pd.DataFrame({"a": [0.12345]}), "c", formats={"a": 3})
    assert t.cells() == [["0,123"]]


def test_escape_markdown_neutralises_markup():
    assert tables.escape_markdown("<b>*x*</b>") == "&lt;b&gt;\\*x\\*&lt;/b&gt;"


BACKEND_PROBE = """
import matplotlib, sys
if sys.argv[1] != "auto":
    matplotlib.use(sys.argv[1])  # the backend an analyst's kernel chose before the import
import hengelo_analysis.pages.maps, hengelo_analysis.pages.plots
from hengelo_analysis.pages import plots
fig, ax = plots.new_figure(figsize=(3, 2))
ax.plot([0, 1], [1, 0])
plots.show_figure(fig, "een lijn", source="real")
pyplot = "matplotlib.pyplot" in sys.modules  # before get_backend(), which may import it
print(matplotlib.get_backend(), pyplot)
"""


@pytest.mark.parametrize("backend", ["svg", "auto"])
def test_importing_and_drawing_leave_the_kernels_matplotlib_backend_alone(backend):
    # A fresh interpreter without MPLBACKEND: what a JupyterLab kernel's own backend choice meets.
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = (
        subprocess.run(
            [sys.executable, "-c", BACKEND_PROBE, backend],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        .stdout.splitlines()[-1]
        .split()
    )
    if backend == "auto":  # the backend matplotlib picks there by itself
        backend = subprocess.run(
            [sys.executable, "-c", "import matplotlib; print(matplotlib.get_backend())"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout.split()[0]
    assert out[0] == backend
    assert out[1] == "False"  # no pyplot: its figure registry and backend switch stay unused


def _rapportcijfers():
    return pd.DataFrame(
        {
            "year": [2019, 2021, 2023, 2021, 2023],
            "value": [7.21, 7.25, 7.29, 7.3, 7.33],
            "lower": [7.15, 7.2, 7.22, 7.26, 7.3],
            "upper": [7.27, 7.3, 7.36, 7.34, 7.36],
            "bron": ["eigen"] * 3 + ["VM"] * 2,
        }
    )


def test_rapportcijfer_axis_has_no_repeated_tick_labels():
    # a 0,2-wide axis gets ticks every 0,025 by default: with one decimal "7,2 7,2 7,3 7,3"
    fig = plots.line_chart(
        _rapportcijfers(), x="year", y="value", group="bron", lower="lower", upper="upper",
        title="t", ylabel="rapportcijfer", source="s", decimals=1,
    )  # fmt: skip
    ax = fig.axes[0]
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) >= 2
    assert len(labels) == len(set(labels)), labels


def test_line_chart_legend_lies_outside_the_axes():
    fig = plots.line_chart(
        _rapportcijfers(), x="year", y="value", group="bron", title="t", ylabel="y", source="s"
    )
    fig.canvas.draw()
    ax = fig.axes[0]
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.y1 <= ax.get_window_extent().y0  # below the plotting area, over no data


def test_many_bands_become_small_multiples():
    data = pd.concat(
        [_rapportcijfers().assign(bron=f"item {i}") for i in range(5)], ignore_index=True
    )
    fig = plots.line_chart(
        data, x="year", y="value", group="bron", lower="lower", upper="upper",
        title="t", ylabel="y", source="s",
    )  # fmt: skip
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == 5
    assert [ax.get_title(loc="left") for ax in panels] == [f"item {i}" for i in range(5)]


def test_demo_figure_image_says_synthetic_and_a_real_one_does_not():
    shown = []
    for source in ("demo", "real"):
        fig = plots.yearly_bars(
            pd.Series([2023, 2024]), pd.Series([1, 2]), title="t", ylabel="y", source="s"
        )
        plots.show_figure(fig, alt="a", source=source)
        shown.append(fig)  # a plain Figure (no pyplot registry): it keeps its texts after showing
    marks = [[t for t in fig.texts if t.get_gid() == plots.SYNTHETIC_GID] for fig in shown]
    assert [m.get_text().lower() for m in marks[0]] == ["synthetische demodata"]
    assert marks[1] == []


def test_a_provisional_year_is_marked_voorlopig_in_table_and_figure():
    data = pd.DataFrame({"Jaar": [2023, 2024], "Aantal": pd.array([10, 12], dtype="Int64")})
    table = tables.html_table(data, "c", provisional=[2024])
    assert list(table.data.columns) == ["Jaar", "Status", "Aantal"]
    assert [row[1] for row in table.cells()] == ["definitief", "voorlopig"]
    assert [row[0] for row in table.cells()] == ["2023", "2024"]  # the year stays a year
    # a table of final years only gets no status column
    assert "Status" not in tables.html_table(data, "c", provisional=[2020]).data.columns
    fig = plots.yearly_bars(
        data["Jaar"], data["Aantal"], title="t", ylabel="y", source="s", provisional=[2024]
    )
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["2023", "2024\nvoorlopig"]


def test_provisional_years_come_from_the_tables_status_column():
    from hengelo_analysis.pages import common

    crime = pd.DataFrame({"year": [2023, 2024, 2024], "provisional": [False, True, True]})
    assert common.provisional_years(crime) == [2024]
    assert common.provisional_years(crime.drop(columns="provisional")) == []  # no status: none
    assert common.year_text(2024, [2024]) == "2024 (voorlopig)"
    assert common.year_text(2023, [2024]) == "2023"
