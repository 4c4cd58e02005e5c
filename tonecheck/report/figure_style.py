"""What every tonecheck figure shares: fonts, resolution, time ticks, legends, shaded spans, title name.

The one-voice figure (:mod:`tonecheck.report.plots`) and the two-party
figure (:mod:`tonecheck.report.call_plots`) are drawn with these helpers, so
they read alike: the CJK font fallback, the time axis in m:ss, one legend
row above each panel, shaded time spans as one collection, and a file name
in the title that is short and never starts matplotlib mathtext. The
underscored helpers are for those two modules only.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager

__all__ = ["cjk_font", "DPI"]

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
)
DPI = 100
"""Resolution of the figures (dots per inch) and of the PNGs written from them."""
TITLE_CHARS = 60
"""Longest file name shown in the figure title (longer ones keep both ends)."""


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed CJK font, or ``None``."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _clock(seconds: float, _pos=None) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _legend_above(ax, *, ncols: int) -> None:
    """One legend row on top of the panel, so it never hides the data."""
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=ncols,
        fontsize="small",
        frameon=False,
        borderaxespad=0.1,
        handlelength=1.6,
        columnspacing=1.2,
    )


def _spans(ax, spans_s, colors, alpha: float, label: str) -> None:
    """Full-height shaded time spans as one collection (hundreds of ``axvspan`` calls are slow)."""
    spans = [(start, end - start) for start, end in spans_s]
    if spans:
        ax.broken_barh(
            spans, (0, 1), facecolors=colors, alpha=alpha, lw=0, label=label, transform=ax.get_xaxis_transform()
        )


def _short_name(path) -> str:
    """The file name for a figure title: no folders, printable, at most ``TITLE_CHARS``, no mathtext."""
    name = Path(str(path)).name.encode("utf-8", "replace").decode("utf-8")
    if len(name) > TITLE_CHARS:
        half = TITLE_CHARS // 2 - 1
        name = f"{name[:half]}…{name[-half:]}"
    return name.replace("$", r"\$")
