"""The one-voice figure: pitch, emotional intensity, recording level and speaking rate over time.

Drawn with the object-oriented API (``matplotlib.figure.Figure`` with the
Agg canvas), never pyplot, so no global state or display is touched and
figures are safe in worker processes. Only :mod:`tonecheck.report` figure
modules import matplotlib: this one, :mod:`~tonecheck.report.call_plots`
(the two-party figure), :mod:`~tonecheck.report.figure_style` (the look
both share) and :mod:`~tonecheck.report.figure_files` (bytes, files and the
time axis in the PNG, re-exported here).

Figures are readable in grayscale: intonation windows use viridis, whose
luminance rises with the level (darker = flatter), target bands are hatched
and every axis names its unit. Long calls are decimated to at most
``MAX_POINTS`` points per line (pitch: mean per bin; loudness: min/max
envelope), so a one-hour call renders as fast and as small as a short one.

Chinese labels need a CJK font: Debian/Ubuntu ``fonts-noto-cjk`` (Noto Sans
CJK). When none is installed the plots fall back to English labels rather
than drawing empty boxes.

Every shading and dashed line has a legend entry, and the figure carries a
title with the file name and the headline verdicts, so a saved PNG stands
alone when shared.

API
---
main_figure(analysis, *, lang, title=True) -> Figure
headline(analysis, *, lang) -> str      the figure's title line
rate_over_time(analysis) -> (times_s, wpm)
figure_png, time_axis_px, figure_bytes, save_figure, save_png: see tonecheck.report.figure_files
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..intensity import INDEX_MAX as INTENSITY_MAX
from ..intensity import INTENSITY_BANDS, intensity_calibration
from ..messages import render, text
from ..rate import rate_calibration
from ..scoring import band_message

# Re-exported: the figure files and the shared look were defined here first (patch them in their modules).
from .figure_files import (  # noqa: F401
    FORMATS,
    TimeAxis,
    figure_bytes,
    figure_format,
    figure_png,
    save_figure,
    save_png,
    time_axis_px,
)
from .figure_style import CJK_FONTS, DPI, TITLE_CHARS, _clock, _legend_above, _short_name, _spans, cjk_font  # noqa: F401

__all__ = [
    "main_figure",
    "TimeAxis",
    "time_axis_px",
    "headline",
    "figure_png",
    "figure_bytes",
    "save_figure",
    "save_png",
    "FORMATS",
    "MAX_POINTS",
    "cjk_font",
]

MAX_POINTS = 2000
"""Most points drawn per line."""
RATE_WINDOW_S = 10.0
RATE_STEP_S = 2.5
"""Speaking rate over time: nuclei in a sliding window."""
LEVEL_CMAP = "viridis"


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


def _band_label(band, unit_key: str, lang: str) -> str:
    """``"target 100 to 150 words/min"`` in ``lang``; open sides as "at least"/"at most"."""
    return text("plot.target", lang, target=render(band_message(band, unit_key), lang))


def _target_span(ax, band, label: str, lo: float, hi: float) -> None:
    """Hatch ``band`` (open sides drawn to ``lo``/``hi``) across the panel."""
    low = band.low if math.isfinite(band.low) else lo
    high = band.high if math.isfinite(band.high) else hi
    ax.axhspan(low, high, facecolor="none", edgecolor="0.55", hatch="//", lw=0, label=label)


def _pitch_panel(ax, a, lang: str, hop_s: float) -> None:
    f0 = np.where(a.speech.is_speech, a.pitch.f0_hz, np.nan)
    median = np.nanmedian(f0) if np.isfinite(f0).any() else np.nan
    st = 12.0 * np.log2(f0 / median)
    k = _bins(st.size)
    y = _decimate_mean(st, k)
    t = (np.arange(y.size) * k + k / 2) * hop_s
    cmap, norm = colormaps[LEVEL_CMAP], Normalize(1.0, 10.0)
    windows = a.intonation.windows
    _spans(
        ax,
        [(w.start_s, w.end_s) for w in windows],
        [cmap(norm(w.level)) for w in windows],
        0.18,
        text("plot.windows", lang),
    )
    ax.plot(t, y, color="black", lw=1.0, label=text("plot.pitch_line", lang))
    ax.axhline(0.0, color="0.5", lw=0.8, ls="--", label=text("plot.median", lang))
    ax.set_ylabel(text("plot.pitch", lang))
    ax.set_ylim(-12, 12)
    bar = ax.figure.colorbar(_scalar_mappable(cmap, norm), ax=ax, pad=0.01, fraction=0.03)
    band = a.targets.intonation_level
    bar.ax.axhspan(max(band.low, 1.0), min(band.high, 10.0), facecolor="none", edgecolor="white", hatch="//", lw=0)
    bar.set_label(text("plot.level", lang))
    _legend_above(ax, ncols=3)


def _intensity_panel(ax, a, lang: str) -> None:
    """Intensity 0-10 per 10 s window (points at window centres; gaps = too little voicing)."""
    it, band, cal = a.intensity, a.targets.intensity_index, intensity_calibration()
    t = np.array([(w.start_s + w.end_s) / 2 for w in it.windows], dtype=float)
    _target_span(ax, band, _band_label(band, "", lang), 0.0, INTENSITY_MAX)
    edges = (0.0, cal.calm_below, cal.intense_above, INTENSITY_MAX)
    for i, name in enumerate(INTENSITY_BANDS):  # band words on the right, dotted lines between them
        style = {"transform": ax.get_yaxis_transform(), "fontsize": "small", "va": "center", "color": "0.3"}
        ax.text(1.005, (edges[i] + edges[i + 1]) / 2, text(f"intensity.{name}", lang), **style)
        if i:
            label = text("plot.intensity_edges", lang) if i == 1 else None
            ax.axhline(edges[i], color="0.45", lw=0.7, ls=":", label=label)
    index = [w.index for w in it.windows]
    ax.plot(t, index, color="black", marker="s", ms=3.0, lw=1.0, label=text("plot.intensity_line", lang))
    if math.isfinite(it.index):
        word = text(f"intensity.{it.band}", lang)
        label = text("plot.intensity_call", lang, index=f"{it.index:.1f}", band=word)
        ax.axhline(it.index, color="black", lw=0.8, ls="--", label=label)
    ax.set_ylabel(text("plot.intensity", lang))
    ax.set_ylim(0, INTENSITY_MAX)
    _legend_above(ax, ncols=4)


def _scalar_mappable(cmap, norm):
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=norm, cmap=cmap)


def _loudness_panel(ax, a, lang: str, hop_s: float) -> None:
    levels = np.maximum(np.asarray(a.levels_db, dtype=float), -90.0)
    k = _bins(levels.size)
    lo, hi = _envelope(levels, k)
    t = (np.arange(lo.size) * k + k / 2) * hop_s
    _spans(ax, a.speech.segments_s, "0.88", 1.0, text("plot.speech", lang))
    floor = np.nanpercentile(levels, 5) if levels.size else -90.0
    bottom = max(floor - 5, -90.0)
    _target_span(
        ax, a.targets.speech_level_dbfs, _band_label(a.targets.speech_level_dbfs, "unit.dbfs", lang), bottom, 0.0
    )
    ax.fill_between(t, lo, hi, color="0.25", lw=0.4, step="mid", label=text("plot.loudness_line", lang))
    level = a.loudness.speech_level_dbfs
    if math.isfinite(level):
        ax.axhline(level, color="black", lw=0.8, ls="--", label=text("plot.speech_level", lang, level=f"{level:.0f}"))
    ax.set_ylabel(text("plot.loudness", lang))
    ax.set_ylim(bottom, 0)
    _legend_above(ax, ncols=4)


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
    top = max(250.0, float(np.nanmax(wpm)) * 1.1 if wpm.size else 250.0)
    _target_span(ax, band, _band_label(band, "unit.wpm", lang), 0.0, top)
    ax.plot(t, wpm, color="black", marker="o", ms=2.5, lw=1.0, label=text("plot.rate_line", lang))
    ax.set_ylabel(text("plot.rate", lang))
    ax.set_ylim(0, top)
    _legend_above(ax, ncols=2)


def _fmt(value, digits: int) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def headline(a, *, lang: str = "en") -> str:
    """``"call.wav — intonation 5.4 on target · intensity 4.1 on target · 162 words/min above target ·
    level -24 dBFS on target"``."""
    sc = a.scores
    return text(
        "plot.headline",
        lang,
        file=_short_name(a.audio.path),
        intonation=text(
            "plot.head.intonation",
            lang,
            level=_fmt(a.intonation.level, 1),
            verdict=text(f"verdict.{sc.intonation.verdict}", lang),
        ),
        rate=text("plot.head.rate", lang, wpm=_fmt(a.rate.wpm, 0), verdict=text(f"verdict.{sc.rate.verdict}", lang)),
        volume=text(
            "plot.head.volume",
            lang,
            level=_fmt(a.loudness.speech_level_dbfs, 0),
            verdict=text(f"verdict.{sc.loudness.verdict}", lang),
        ),
        intensity=text(
            "plot.head.intensity",
            lang,
            index=_fmt(a.intensity.index, 1),
            verdict=text(f"verdict.{sc.intensity.verdict}", lang),
        ),
    )


def main_figure(a, *, lang: str = "en", title: bool = True) -> Figure:
    """Pitch, emotional intensity, recording level and speaking rate of a call, stacked on one time axis.

    Parameters
    ----------
    a : Analysis
    lang : {"en", "zh"}
        Label language; English when ``zh`` is asked for but no CJK font is installed.
    title : bool
        Put the file name and the headline verdicts on top (for a figure shared on
        its own); the HTML report, which says both already, leaves it off.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Axes in order: pitch, intensity, loudness, rate, then the intonation colour bar.
    """
    font = cjk_font()
    if lang == "zh" and font is None:
        lang = "en"
    fig = Figure(figsize=(10, 9.4 if title else 9.0), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(4, 1, sharex=True, height_ratios=(1.15, 0.8, 1.0, 0.9))
    hop_s = a.pitch.hop_s
    _pitch_panel(axes[0], a, lang, hop_s)
    _intensity_panel(axes[1], a, lang)
    _loudness_panel(axes[2], a, lang, hop_s)
    _rate_panel(axes[3], a, lang, a.targets.rate_wpm)
    axes[-1].set_xlim(0, max(a.audio.duration_s, hop_s))
    axes[-1].xaxis.set_major_formatter(FuncFormatter(_clock))
    axes[-1].set_xlabel(text("plot.time", lang))
    for ax in axes:
        ax.grid(True, color="0.9", lw=0.5)
    if title:
        fig.suptitle(headline(a, lang=lang), fontsize="medium", fontweight="bold")
    if font:  # CJK labels, and CJK characters in file names under English labels
        family = [font, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", font]
        for item in fig.findobj(lambda o: hasattr(o, "set_fontfamily")):
            item.set_fontfamily(family)
    for ax in fig.axes:  # two-line axis titles: room for CJK glyphs
        ax.yaxis.label.set_linespacing(1.5)
    return fig
