"""Rendered figures: bytes and files in PNG, SVG or PDF, and where the time axis lies in the PNG.

Works on any :class:`matplotlib.figure.Figure` of :mod:`tonecheck.report`
(the one-voice :func:`~tonecheck.report.plots.main_figure` and the two-party
:func:`~tonecheck.report.call_plots.call_figure`). Files are written
atomically and carry no creation date, so the same figure gives the same
bytes.

API
---
figure_png(fig, *, dpi) -> bytes
time_axis_px(fig) -> TimeAxis           where the shared time axis lies in the PNG (after figure_png)
figure_bytes(fig, fmt, *, dpi) -> bytes
figure_format(path) -> str              "png", "svg" or "pdf" from the extension
save_figure(fig, path, *, protect=())   format from the extension: .png, .svg, .pdf
save_png(fig, path)                     kept for old callers: same as save_figure
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from ..errors import TonecheckError
from ..fileio import write_atomic
from .figure_style import DPI

__all__ = [
    "FORMATS",
    "TimeAxis",
    "time_axis_px",
    "figure_png",
    "figure_bytes",
    "figure_format",
    "save_figure",
    "save_png",
]

FORMATS = ("png", "svg", "pdf")
"""Figure formats ``save_figure`` writes, chosen by the file's extension."""


def figure_bytes(fig: Figure, fmt: str = "png", *, dpi: int = DPI) -> bytes:
    """The figure as ``fmt`` (one of :data:`FORMATS`) bytes, without a creation date."""
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"CreationDate": None} if fmt == "pdf" else None
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    return buf.getvalue()


def figure_png(fig: Figure, *, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes."""
    return figure_bytes(fig, "png", dpi=dpi)


@dataclass(frozen=True)
class TimeAxis:
    """Where the shared time axis lies in a figure's PNG (pixels from the top-left corner):
    ``x0_px`` is ``t0_s`` and ``x1_px`` is ``t1_s``; ``top_px``..``bottom_px`` spans the panels."""

    x0_px: float
    x1_px: float
    top_px: float
    bottom_px: float
    width_px: int
    height_px: int
    t0_s: float
    t1_s: float


def time_axis_px(fig: Figure, *, dpi: int = DPI) -> TimeAxis:
    """The data-to-pixel mapping of the time axis of :func:`~tonecheck.report.plots.main_figure`, for a PNG written at ``dpi``.

    Call it after :func:`figure_png`: the constrained layout places the axes when the figure is drawn.
    """
    first = fig.axes[0]
    boxes = [ax.get_position() for ax in fig.axes if ax is first or first in ax.get_shared_x_axes().get_siblings(ax)]
    width_px, height_px = (float(v) * dpi for v in fig.get_size_inches())
    t0, t1 = first.get_xlim()
    return TimeAxis(
        x0_px=float(boxes[0].x0 * width_px),
        x1_px=float(boxes[0].x1 * width_px),
        top_px=float((1.0 - max(b.y1 for b in boxes)) * height_px),
        bottom_px=float((1.0 - min(b.y0 for b in boxes)) * height_px),
        width_px=round(width_px),
        height_px=round(height_px),
        t0_s=float(t0),
        t1_s=float(t1),
    )


def figure_format(path) -> str:
    """The format :func:`save_figure` writes to ``path``, from its extension.

    Raises
    ------
    TonecheckError
        The extension is not ``.png``, ``.svg`` or ``.pdf``.
    """
    ext = Path(str(path)).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        what = f"a .{ext} file" if ext else "a file without an extension"
        raise TonecheckError(f"{path}: cannot write the figure as {what}; name it .png, .svg or .pdf")
    return ext


def save_figure(fig: Figure, path, *, protect=()) -> None:
    """Write the figure to ``path`` atomically, as PNG, SVG or PDF by the extension.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
        Ends in ``.png``, ``.svg`` or ``.pdf`` (any case).
    protect : iterable of paths
        Inputs the output must not replace (passed to :func:`tonecheck.fileio.write_atomic`).

    Raises
    ------
    TonecheckError
        Another extension, or the output path cannot be written.
    """
    write_atomic(path, figure_bytes(fig, figure_format(path)), protect=protect)


def save_png(fig: Figure, path, *, protect=()) -> None:
    """Same as :func:`save_figure` (the old name; the format follows the extension)."""
    save_figure(fig, path, protect=protect)
