"""Terminal report of one :class:`~tonecheck.analysis.Analysis`.

Colour is the caller's business: pass ``style(text, verdict)``; the default
leaves text plain, and verdicts are spelled out so the report reads the
same without colour.
"""

from __future__ import annotations

import math

from ..messages import render, text
from ..serialize import clean

__all__ = ["render_text"]


def _plain(s: str, verdict: str) -> str:
    return s


def _num(value, digits: int = 0) -> str:
    value = clean(value, digits)
    return "–" if value is None else f"{value:.{digits}f}"


def _band(band, digits: int = 0) -> str:
    d = band.to_dict()
    if "low" in d and "high" in d:
        return f"{d['low']:.{digits}f}-{d['high']:.{digits}f}"
    return f"≥ {d['low']:.{digits}f}" if "low" in d else f"≤ {d['high']:.{digits}f}"


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _headline(label: str, value: str, verdict, lang: str, style, digits=0, detail: str = "") -> str:
    vtext = text(f"verdict.{verdict.verdict}", lang)
    target = text("text.target", lang, target=_band(verdict.band, digits))
    line = f"  {label:<14} {value:<18} {style(vtext, verdict.verdict)} ({target})"
    return line + (f"\n  {'':<14} {detail}" if detail else "")


def render_text(a, *, lang: str = "en", style=_plain) -> str:
    """The terminal report as one string.

    Parameters
    ----------
    a : Analysis
    lang : {"en", "zh"}
    style : callable(str, verdict) -> str
        Decorates verdict words (the CLI colours them).

    Returns
    -------
    report : str
    """
    au, sc, r = a.audio, a.scores, a.rate
    lines = [
        text(
            "text.file_line",
            lang,
            file=au.path,
            rate=f"{au.source_sr / 1000:g}",
            channels=text("label.channels", lang, n=au.source_channels),
            duration=_clock(au.duration_s),
            language=text(f"label.language.{a.settings.language}", lang),
        )
    ]
    lines.append(
        _headline(
            text("label.intonation", lang),
            text("text.intonation", lang, level=_num(a.intonation.level, 1)),
            sc.intonation,
            lang,
            style,
            1,
            text("text.intonation_detail", lang, spread=_num(a.intonation.spread_st, 1)),
        )
    )
    detail = text(
        "text.rate_detail",
        lang,
        articulation=_num(r.articulation_wpm),
        syllables=_num(r.syllables_per_s, 1),
        method=text(f"method.{r.method}", lang),
    )
    if r.chars_per_min is not None:
        detail = text("text.rate_detail_zh", lang, cpm=_num(r.chars_per_min)) + ", " + detail
    lines.append(
        _headline(text("label.rate", lang), text("text.rate", lang, wpm=_num(r.wpm)), sc.rate, lang, style, 0, detail)
    )
    lines.append(
        _headline(
            text("label.volume", lang),
            text("text.volume", lang, level=_num(a.loudness.speech_level_dbfs)),
            sc.loudness,
            lang,
            style,
            0,
            text("text.volume_detail", lang, variation=_num(a.loudness.variation_db, 1)),
        )
    )
    lines.append(
        _headline(
            text("label.energy", lang),
            text(f"energy.{a.energy_level}", lang) if a.energy_level != "unknown" else "–",
            sc.energy,
            lang,
            style,
            0,
            text("text.energy_detail", lang, index=_num(a.energy_index, 1)),
        )
    )
    ps, sp = a.pitch_summary, a.speech
    pauses = [e - s for s, e in sp.pauses_s]
    lines.append(
        f"  {text('label.pitch', lang):<14} "
        + text("text.pitch", lang, median=_num(ps.median_hz), range=_num(ps.range_st, 1))
    )
    lines.append(
        f"  {text('label.speech', lang):<14} "
        + text(
            "text.speech",
            lang,
            speech=_num(sp.speech_s, 1),
            pauses=len(pauses),
            longest=_num(max(pauses, default=0), 1),
        )
    )
    if len(a.intonation.windows) > 1:
        cells = [f"{_clock(w.start_s)} {w.level:.1f}" for w in a.intonation.windows if not math.isnan(w.level)]
        lines.append(f"  {text('label.over_time', lang)}: " + " | ".join(cells))
    lines.append("")
    lines.append(text("label.next", lang) + ":")
    lines += [f"  {i}. {render(m, lang)}" for i, m in enumerate(sc.advice, 1)]
    if a.notes:
        lines.append(text("label.warnings", lang) + ":")
        lines += [f"  - {render(n, lang) if not isinstance(n, str) else n}" for n in a.notes]
    return "\n".join(lines)
