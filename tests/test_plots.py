"""House-style figures and tables on tiny synthetic data: what is drawn, not that it ran."""

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from shapely.geometry import box

from hengelo_analysis import plots, tables


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
    fig = plots.choropleth(
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
    cmap_colours = [plt.get_cmap("cividis", 2)(i) for i in range(2)]
    assert fills[0] == [(pytest.approx(cmap_colours[0]), None)]
    assert fills[4] == [(pytest.approx(cmap_colours[1]), None)]
    assert fills[3] == [(to_rgba("white"), plots.SUPPRESSED_HATCH)]
    assert fills[2] == [(to_rgba("white"), plots.NOT_PUBLISHED_HATCH)]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["0,0 – 2,5", "2,5 – 5,0", "onderdrukt (<5)", "niet gepubliceerd"]


def test_choropleth_extra_hatched_areas_get_their_own_hatch_and_legend_not_a_class():
    areas = _squares(4)
    values = [1.0, 4.0, 300.0, None]  # 300: a rate over very few inhabitants, not to be shown
    fig = plots.choropleth(
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
    assert fills[2] == [(to_rgba("white"), "...")]  # not coloured, and 300 did not break bounds
    assert fills[3] == [(to_rgba("white"), plots.NOT_PUBLISHED_HATCH)]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["0,0 – 2,5", "2,5 – 5,0", "niet gepubliceerd", "cijfer niet getoond"]


def test_choropleth_legend_uses_dutch_thousands_and_decimal_marks():
    fig = plots.choropleth(
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
        plots.choropleth(
            _squares(2), [1.0, 7.0], bounds=[0, 5], title="t", legend_title="l", source="s"
        )


def test_class_bounds_are_quantiles_of_published_values_only():
    assert plots.class_bounds(pd.Series([1, 2, 3, 4, None]), k=2) == [1.0, 2.5, 4.0]
    assert plots.class_bounds(pd.Series([None, None])) == []


def test_choropleth_rejects_misaligned_values():
    with pytest.raises(ValueError, match="values has 2 rows, areas has 3"):
        plots.choropleth(_squares(3), [1, 2], title="t", legend_title="l", source="s")


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
    fig = plots.funnel_plot(
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
        plots.show_figure(fig, alt="  ")


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
