"""show_figure's PNG: what savefig(bbox_inches="tight") would write, in one draw of the figure."""

import base64
import io

import geopandas as gpd
import IPython.display
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image
from shapely.geometry import box

from hengelo_analysis.pages import maps, plots, render

LABEL_RGB = (0x8B, 0x1A, 0x1A)  # the synthetic label's box


@pytest.fixture
def shown(monkeypatch):
    """The PNGs show_figure displays, as bytes, with the metadata of each."""
    out = []

    def display(data, raw, metadata):
        out.append((base64.b64decode(data["image/png"]), metadata))

    monkeypatch.setattr(IPython.display, "display", display)
    return out


def _chart():
    return plots.yearly_bars(
        pd.Series([2021, 2022, 2023, 2024]),
        pd.Series([12.0, None, 15.0, 14.0]),
        title="Misdrijven per 1.000 inwoners",
        ylabel="per 1.000",
        source="Politie",
        provisional=[2024],
    )


def _map():
    areas = gpd.GeoDataFrame(
        {"area_code": [f"BU{i:08d}" for i in range(6)]},
        geometry=[box(i * 10, 0, i * 10 + 9, 30) for i in range(6)],
        crs="EPSG:28992",
    )
    return maps.choropleth(
        areas,
        [1.0, 2.0, None, 4.0, 5.0, 3.0],
        suppressed=[False, False, False, True, False, False],
        bounds=[0, 2.5, 5],
        title="Woninginbraak per 1.000 inwoners",
        legend_title="per 1.000",
        source="Politie",
    )


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def _savefig(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=plots.DPI, bbox_inches="tight")
    return buffer.getvalue()


@pytest.mark.parametrize("build", [_chart, _map], ids=["chart", "map"])
@pytest.mark.parametrize("source", ["demo", "real"])
def test_the_png_is_savefigs_tight_image(build, source, shown):
    plots.show_figure(build(), alt="een figuur", source=source)
    reference = build()
    plots.literal_text()
    if source == "demo":
        plots.mark_synthetic(reference)
    old = _pixels(_savefig(reference))
    new = _pixels(shown[0][0])
    assert abs(new.shape[0] - old.shape[0]) <= 2 and abs(new.shape[1] - old.shape[1]) <= 2
    assert new.shape == old.shape  # in practice: the same size to the pixel
    if build is _chart:  # a map's hatching starts at another pixel, so only the chart is compared
        assert np.abs(new - old).mean() < 3, "not the same picture"
    assert shown[0][1] == {"image/png": {"alt": "een figuur"}}


def test_the_synthetic_label_lies_inside_the_image_just_above_the_content(shown):
    plots.show_figure(_chart(), alt="a", source="demo")
    image = _pixels(shown[0][0])
    label = np.all(np.abs(image[..., :3] - LABEL_RGB) <= 2, axis=2)
    rows, cols = np.nonzero(label)
    assert label.sum() > 1000  # the whole box, not a sliver at a cut edge
    assert rows.min() > 0 and cols.max() < image.shape[1] - 1  # not cut at the top or right
    title = image[..., :3].max(axis=2) < 60  # the black title, left of the label
    title[:, cols.min() - 5 :] = False
    title_top = np.nonzero(title.any(axis=1))[0].min()
    # Clear of the title: placed in inches, the label sank 6 px onto it in savefig's crop.
    assert title_top - rows.max() >= 5
    assert cols.max() > image.shape[1] * 0.9  # at the top right


def test_one_draw_per_figure(shown, monkeypatch):
    draws = []
    original = Figure.draw

    def counted(self, renderer):
        draws.append(self)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    for build in (_chart, _map):
        plots.show_figure(build(), alt="a", source="demo")
    assert len(draws) == 2  # savefig drew twice, placing the label a third time


def test_content_beyond_the_left_edge_goes_through_savefig_unclipped(shown):
    def build():
        fig, ax = plots.new_figure(figsize=(3, 2), dpi=plots.DPI)
        ax.plot([0, 1], [1, 0])
        fig.text(-0.3, 0.5, "links buiten de figuur", fontsize=10)
        return fig

    plots.show_figure(build(), alt="a", source="real")
    image = _pixels(shown[0][0])
    assert image.shape == _pixels(_savefig(build())).shape
    assert image.shape[1] > 3 * plots.DPI  # savefig grew the canvas to keep the text
    dark = image[..., :3].max(axis=2) < 100
    assert dark[:, :20].any()  # the text's first letters, at the far left


def test_content_above_and_right_of_the_figure_is_kept_without_savefig(shown, monkeypatch):
    def build():
        fig, ax = plots.new_figure(figsize=(3, 2), dpi=plots.DPI)
        ax.plot([0, 1], [1, 0])
        fig.tight_layout()  # everything else inside the figure, as in the report's figures
        fig.text(0.9, 1.02, "rechtsboven", fontsize=10)
        return fig

    reference = _pixels(_savefig(build()))
    monkeypatch.setattr(Figure, "savefig", None)  # this one needs no savefig
    plots.show_figure(build(), alt="a", source="real")
    image = _pixels(shown[0][0])
    # The same size up to one pixel: matplotlib 3.9's savefig truncates a padded height of
    # 219.99999999999997 px to 219, where newer ones (and figure_png) take 220.
    assert np.abs(np.subtract(image.shape, reference.shape)).max() <= 1
    assert image.shape[0] > 2 * plots.DPI and image.shape[1] > 3 * plots.DPI
    height, width = min(image.shape[0], reference.shape[0]), min(image.shape[1], reference.shape[1])
    # both images put the padded content's lower left corner at their lower left
    assert np.abs(image[-height:, :width] - reference[-height:, :width]).mean() < 3
    assert image[..., 3].min() == 255  # the room above the figure is the white background


def test_two_builds_give_the_same_bytes_without_timestamp_or_version(shown):
    plots.show_figure(_chart(), alt="a", source="demo")
    plots.show_figure(_chart(), alt="a", source="demo")
    assert shown[0][0] == shown[1][0]
    assert b"tIME" not in shown[0][0] and b"Matplotlib" not in shown[0][0]


def test_a_pyplot_figure_is_closed_and_a_plain_one_keeps_its_canvas_and_dpi(shown):
    fig = plt.figure(figsize=(3, 2))
    fig.add_subplot().plot([0, 1])
    plots.show_figure(fig, alt="a", source="demo")
    assert not plt.fignum_exists(fig.number)
    plain = Figure(figsize=(3, 2), dpi=72)
    plain.add_subplot().plot([0, 1])
    canvas = plain.canvas
    plots.show_figure(plain, alt="a", source="real")
    assert plain.canvas is canvas and plain.dpi == 72
    reference = Figure(figsize=(3, 2), dpi=72)
    reference.add_subplot().plot([0, 1])
    assert _pixels(shown[1][0]).shape == _pixels(_savefig(reference)).shape  # drawn at DPI


def test_content_box_is_the_extent_savefig_trims_to():
    fig = _chart()
    measured = render.content_box(fig, plots.DPI)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    drawn = fig.get_tightbbox(canvas.get_renderer())
    assert np.allclose(measured.get_points(), drawn.get_points())
