"""A report figure as PNG bytes, trimmed as ``savefig(bbox_inches="tight")`` trims it, in one draw.

``savefig`` with a tight bbox draws a figure twice (once with drawing disabled, only to find the
content's extent, then for the pixels), and placing the synthetic label drew it a third time;
figures were over half the CPU a page costs. Here the extent is measured by text layout alone
(``Figure.get_tightbbox`` on an Agg renderer rasterises nothing), the figure is drawn once and
the buffer is cut to the padded extent. Drawing happens on a private Agg canvas: the kernel's
backend is never chosen or changed (see ``plots.new_figure``).
"""

from __future__ import annotations

import io
import math
from contextlib import contextmanager

import matplotlib
import matplotlib.image
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.transforms import Bbox, TransformedBbox


@contextmanager
def agg_canvas(fig, dpi: float):
    """A private Agg canvas for ``fig`` at ``dpi``; afterwards its own canvas and dpi are back.

    A pyplot figure keeps its manager so it can still be closed; a plain one keeps no Agg
    canvas that a later ``savefig`` would reuse.
    """
    canvas, old_dpi = fig.canvas, fig.dpi
    agg = FigureCanvasAgg(fig)  # becomes fig.canvas until restored below
    try:
        if fig.dpi != dpi:
            fig.dpi = dpi
        yield agg
    finally:
        if fig.dpi != old_dpi:
            fig.dpi = old_dpi
        fig.set_canvas(canvas)


def content_box(fig, dpi: float) -> Bbox:
    """The extent of everything ``fig`` draws, in inches, measured without drawing it.

    The same box ``savefig(bbox_inches="tight")`` trims to, before its padding; it may reach
    beyond the figure's edge (the synthetic label sits above a chart's title).
    """
    with agg_canvas(fig, dpi) as agg:
        return _measure(fig, agg)


def _measure(fig, agg) -> Bbox:
    return Bbox(fig.get_tightbbox(agg.get_renderer()).get_points())


def figure_png(fig, dpi: float, mark=None) -> bytes:
    """``fig`` as PNG at ``dpi``, trimmed to its content plus savefig's default padding.

    ``mark(fig, content)``, when given, is called with the content's extent in inches before the
    draw and returns the text it adds (the synthetic label); the image keeps that text too, so
    the extent is not measured twice. The pixels match ``savefig(..., bbox_inches="tight")`` up
    to a sub-pixel shift of the whole image; no timestamp or version is written, so two builds
    give the same bytes. A figure this cannot render the same way goes through savefig itself
    (see :func:`_needs_savefig`).
    """
    with agg_canvas(fig, dpi) as agg:
        box = _measure(fig, agg)
        if mark is not None:
            added = mark(fig, box).get_tightbbox(agg.get_renderer())  # pixels
            box = Bbox.union([box, TransformedBbox(added, fig.dpi_scale_trans.inverted())])
        pixels = None
        if not _needs_savefig(fig, box):
            padded = box.padded(matplotlib.rcParams["savefig.pad_inches"])
            pixels = _cut(_draw(fig, padded, dpi), padded, dpi, _background(fig))
    buffer = io.BytesIO()
    if pixels is None:
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    else:
        # matplotlib's own PNG writer (Pillow underneath, a dependency of matplotlib, not ours);
        # no Software entry, so the bytes do not change with the matplotlib version
        matplotlib.image.imsave(buffer, pixels, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _needs_savefig(fig, box: Bbox) -> bool:
    """Whether one draw and a cut could differ from what savefig writes.

    Content left of or below the figure (savefig keeps it by shifting the whole drawing; Agg
    draws nothing at negative pixels), a layout engine that moves artists while drawing, or a
    background that is not a plain opaque fill (savefig paints its padding with it).
    """
    engine = fig.get_layout_engine()  # tight_layout() leaves a placeholder that does nothing
    moves = engine is not None and not isinstance(engine, PlaceHolderLayoutEngine)
    patch = fig.patch
    plain = patch.get_visible() and patch.get_linewidth() == 0 and patch.get_alpha() in (None, 1)
    plain = plain and to_rgba(patch.get_facecolor())[3] == 1
    return box.x0 < 0 or box.y0 < 0 or moves or not plain


def _draw(fig, box: Bbox, dpi: float) -> np.ndarray:
    """One Agg draw of ``fig`` as RGBA rows (top first), reaching up and right to ``box``.

    ``box`` is the padded content: the synthetic label's own box lies beyond its text's extent.

    The renderer is the figure's own size, grown where content lies above or right of the
    figure: Agg puts display point (x, y) at column x, row height - y, so growing it keeps the
    figure's pixels and adds room above them. Outside the figure the buffer stays transparent.
    """
    width = max(_whole_pixels(fig.bbox.width), math.ceil(box.x1 * dpi))
    height = max(_whole_pixels(fig.bbox.height), math.ceil(box.y1 * dpi))
    renderer = RendererAgg(width, height, dpi)
    fig.draw(renderer)
    return np.asarray(renderer.buffer_rgba())


def _whole_pixels(size: float) -> int:
    """A canvas size in pixels as Agg's canvas takes it: truncated, but 895.99999 is 896."""
    return int(size + 1e-8)


def _background(fig) -> np.ndarray:
    return np.round(np.array(to_rgba(fig.patch.get_facecolor())) * 255).astype(np.uint8)


def _cut(rgba: np.ndarray, padded: Bbox, dpi: float, background: np.ndarray) -> np.ndarray:
    """The ``padded`` content box (inches) out of the drawn buffer, laid out as savefig does.

    Savefig's image is ``int(size * dpi)`` pixels with the padded box's lower left corner at
    its lower left. What lies beyond the drawn buffer, and the transparent room drawn above
    the figure, shows the figure's background, as in savefig's image.
    """
    width, height = _whole_pixels(padded.width * dpi), _whole_pixels(padded.height * dpi)
    drawn_height, drawn_width = rgba.shape[:2]
    top = round(drawn_height - height - padded.y0 * dpi)  # buffer row of the image's top row
    left = round(padded.x0 * dpi)
    out = np.empty((height, width, 4), dtype=np.uint8)
    out[:] = background
    rows = slice(max(top, 0), min(top + height, drawn_height))
    cols = slice(max(left, 0), min(left + width, drawn_width))
    part = out[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left]
    part[:] = rgba[rows, cols]
    # The room drawn above the figure is (partly) transparent: lay it "over" the background, as
    # savefig's image has it. The figure's own pixels are opaque and stay as drawn.
    clear = part[..., 3] != 255
    if clear.any():
        see = part[clear].astype(np.uint16)
        alpha = see[:, 3:]
        bg = background[:3].astype(np.uint16)
        part[clear, :3] = (see[:, :3] * alpha + bg * (255 - alpha) + 127) // 255
        part[clear, 3] = background[3]
    return out
