"""Figures of a call: pitch, loudness and speaking rate over time.

The only module that imports matplotlib. It uses the object-oriented API
(``matplotlib.figure.Figure`` with the Agg canvas), never pyplot, so no
global state or display is touched and figures are safe in worker processes.

Figures are readable in grayscale: intonation windows use viridis, whose
luminance rises with the level (darker = flatter), target bands are hatched
and every axis names its unit. Long calls are decimated to at most
``MAX_POINTS`` points per line (pitch: mean per bin; loudness: min/max
envelope), so a one-hour call renders as fast and as small as a short one.

Chinese labels need a CJK font: Debian/Ubuntu ``fonts-noto-cjk`` (Noto Sans
CJK). When none is installed the plots fall back to English labels rather
than drawing empty boxes.

API
---
main_figure(analysis, *, lang) -> Figure
figure_png(fig, *, dpi) -> bytes
save_png(fig, path)
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from matplotlib import colormaps, font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..fileio import write_atomic
from ..messages import text
from ..rate import rate_calibration

__all__ = ["main_figure", "figure_png", "save_png", "MAX_POINTS", "cjk_font"]

MAX_POINTS = 2000
"""Most points drawn per line."""
RATE_WINDOW_S = 10.0
RATE_STEP_S = 2.5
"""Speaking rate over time: nuclei in a sliding window."""
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
)
LEVEL_CMAP = "viridis"
DPI = 100


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed CJK font, or ``None``."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _clock(seconds: float, _pos=None) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _bins(n: int) -> int:
    return max(1, int(np.ceil(n / MAX_POINTS)))


def _decimate_mean(values: np.ndarray, k: int) -> np.ndarray:
    """Mean of the finite values in each run of ``k`` (NaN where none)."""
    if k == 1:
        return values
    m = len(values) // k * k
    blocks = values[:m].reshape(-1, k)
    ok = np.isfinite(blocks)
    count = ok.sum(axis=1)
    total = np.where(ok, blocks, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _envelope(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    m = len(values) // k * k
    blocks = values[:m].reshape(-1, k)
    return blocks.min(axis=1), blocks.max(axis=1)


def _pitch_panel(ax, a, lang: str, hop_s: float) -> None:
    f0 = np.where(a.speech.is_speech, a.pitch.f0_hz, np.nan)
    median = np.nanmedian(f0) if np.isfinite(f0).any() else np.nan
    st = 12.0 * np.log2(f0 / median)
    k = _bins(st.size)
    y = _decimate_mean(st, k)
    t = (np.arange(y.size) * k + k / 2) * hop_s
    cmap, norm = colormaps[LEVEL_CMAP], Normalize(1.0, 10.0)
    for w in a.intonation.windows:
        ax.axvspan(w.start_s, w.end_s, color=cmap(norm(w.level)), alpha=0.18, lw=0)
    ax.plot(t, y, color="black", lw=1.0)
    ax.axhline(0.0, color="0.5", lw=0.6, ls="--")
    ax.set_ylabel(text("plot.pitch", lang))
    ax.set_ylim(-12, 12)
    sm = ax.figure.colorbar(_scalar_mappable(cmap, norm), ax=ax, pad=0.01, fraction=0.03)
    sm.set_label(text("plot.level", lang))


def _scalar_mappable(cmap, norm):
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=norm, cmap=cmap)


def _loudness_panel(ax, a, lang: str, hop_s: float) -> None:
    levels = np.maximum(np.asarray(a.levels_db, dtype=float), -90.0)
    k = _bins(levels.size)
    lo, hi = _envelope(levels, k)
    t = (np.arange(lo.size) * k + k / 2) * hop_s
    for start, end in a.speech.segments_s:
        ax.axvspan(start, end, color="0.85", lw=0)
    ax.fill_between(t, lo, hi, color="0.25", lw=0.4, step="mid", label=text("plot.speech", lang))
    ax.axhline(a.loudness.speech_level_dbfs, color="black", lw=0.8, ls="--")
    ax.set_ylabel(text("plot.loudness", lang))
    floor = np.nanpercentile(levels, 5) if levels.size else -90.0
    ax.set_ylim(max(floor - 5, -90.0), 0)


def rate_over_time(a) -> tuple[np.ndarray, np.ndarray]:
    """Centre times (s) and words/min of sliding ``RATE_WINDOW_S`` windows over the speaking span."""
    start, end = a.speech.span_s
    nuclei = np.asarray(a.rate.nuclei_s, dtype=float)
    factor = rate_calibration(a.settings.language).syllables_per_word
    width = min(RATE_WINDOW_S, max(end - start, 1e-3))
    centres = np.arange(start + width / 2, max(end - width / 2, start + width / 2) + 1e-9, RATE_STEP_S)
    counts = np.searchsorted(nuclei, centres + width / 2) - np.searchsorted(nuclei, centres - width / 2)
    return centres, counts / factor * 60.0 / width


def _rate_panel(ax, a, lang: str, band) -> None:
    t, wpm = rate_over_time(a)
    ax.axhspan(
        band.low, band.high, facecolor="none", edgecolor="0.4", hatch="//", lw=0, label=text("plot.target", lang)
    )
    ax.plot(t, wpm, color="black", marker="o", ms=2.5, lw=1.0)
    ax.set_ylabel(text("plot.rate", lang))
    ax.set_ylim(0, max(250.0, float(np.nanmax(wpm)) * 1.1 if wpm.size else 250.0))
    ax.legend(loc="upper right", fontsize="small", frameon=False)


def main_figure(a, *, lang: str = "en") -> Figure:
    """Pitch, loudness and speaking rate of a call, stacked on one time axis.

    Parameters
    ----------
    a : Analysis
    lang : {"en", "zh"}
        Label language; English when ``zh`` is asked for but no CJK font is installed.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    font = cjk_font() if lang == "zh" else None
    if lang == "zh" and font is None:
        lang = "en"
    fig = Figure(figsize=(10, 7.2), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    if font:
        fig.set_gid("cjk")
    axes = fig.subplots(3, 1, sharex=True)
    hop_s = a.pitch.hop_s
    _pitch_panel(axes[0], a, lang, hop_s)
    _loudness_panel(axes[1], a, lang, hop_s)
    _rate_panel(axes[2], a, lang, a.targets.rate_wpm)
    axes[2].set_xlim(0, max(a.audio.duration_s, hop_s))
    axes[2].xaxis.set_major_formatter(FuncFormatter(_clock))
    axes[2].set_xlabel(text("plot.time", lang))
    for ax in axes:
        ax.grid(True, color="0.9", lw=0.5)
    if font:
        for item in fig.findobj(lambda o: hasattr(o, "set_fontfamily")):
            item.set_fontfamily([font, "DejaVu Sans"])
    return fig


def figure_png(fig: Figure, *, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def save_png(fig: Figure, path) -> None:
    """Write the figure to ``path`` as PNG, atomically."""
    write_atomic(path, figure_png(fig))
