"""Terminal report of one :class:`~tonecheck.analysis.Analysis`.

Layout: the file line, the plain-language summary, the notes that change
how to read the figures, each headline figure with its verdict, target and
a one-sentence meaning, the details, the advice, then the other notes.

Colour is the caller's business: pass ``style(text, verdict)``; the default
leaves text plain, and verdicts are spelled out so the report reads the
same without colour. Columns are padded by display width, so Chinese
labels (two terminal cells per character) line up too.
"""

from __future__ import annotations

import math
import unicodedata

from ..messages import Message, render, split_notes, text
from ..recording import display_name
from ..scoring import band_message, flat_level, flat_stretches
from ..serialize import clean

__all__ = ["render_text", "display_width", "pad"]

LABEL_CELLS = 16
VALUE_CELLS = 20
INDENT = "  "


def plain(s: str, verdict: str) -> str:
    """The no-colour ``style`` of the text renderers: the sentence unchanged."""
    return s


def display_width(s: str) -> int:
    """Terminal cells ``s`` takes: East Asian wide and full-width characters count 2, combining marks 0."""
    cells = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        cells += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return cells


def pad(s: str, cells: int) -> str:
    """``s`` followed by spaces up to ``cells`` terminal cells (never cut)."""
    return s + " " * max(0, cells - display_width(s))


def _colon(key: str, lang: str) -> str:
    return text("text.label_colon", lang, label=text(key, lang))


def _labelled(key: str, value: str, lang: str) -> str:
    return text("text.label_value", lang, label=text(key, lang), value=value)


def num(value, digits: int = 0) -> str:
    """``value`` rounded to ``digits`` decimals, or "–" when missing (None or NaN)."""
    value = clean(value, digits)
    return "–" if value is None else f"{value:.{digits}f}"


def clock(seconds: float) -> str:
    """``m:ss`` of a time in seconds ("–" for NaN)."""
    if seconds is None or not math.isfinite(seconds):
        return "–"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _detail_line(body: str) -> str:
    return INDENT + pad("", LABEL_CELLS) + " " + body


def _headline(label: str, value: str, verdict, lang: str, style, unit: str, lines: tuple) -> list:
    """The figure's line (label, value, verdict, target) and the lines under it."""
    vtext = text(f"verdict.{verdict.verdict}", lang)
    if verdict.band.to_dict():
        target = text("text.target", lang, target=render(band_message(verdict.band, unit), lang))
        judged = text("text.verdict_target", lang, verdict=style(vtext, verdict.verdict), target=target)
    elif verdict.verdict == "unknown":
        judged = vtext
    else:  # an open band judges nothing
        judged = text("text.no_target", lang)
    head = f"{INDENT}{pad(label, LABEL_CELLS)} {pad(value, VALUE_CELLS)} {judged}"
    return [head] + [_detail_line(line) for line in lines if line]


def _note(note, lang: str) -> str:
    return render(note, lang) if isinstance(note, Message) else str(note)


def _top(a, lang: str) -> list:
    au = a.audio
    lines = [
        text(
            "text.file_line",
            lang,
            file=display_name(au.path),
            rate=f"{au.source_sr / 1000:g}",
            channels=text("label.channels", lang, n=au.source_channels),
            duration=clock(au.duration_s),
            language=text(f"label.language.{a.settings.language}", lang),
        ),
        render(a.scores.summary, lang),
    ]
    first, _ = split_notes(a.notes)
    if first:
        lines += ["", _colon("label.read_first", lang)] + [f"{INDENT}! {_note(n, lang)}" for n in first]
    return lines + [""]


def _rate_detail(r, lang: str) -> str:
    detail = text(
        "text.rate_detail",
        lang,
        articulation=num(r.articulation_wpm),
        syllables=num(r.syllables_per_s, 1),
        method=text(f"method.{r.method}", lang),
    )
    if r.chars_per_min is None:
        return detail
    return text("text.rate_detail_zh", lang, cpm=num(r.chars_per_min)) + text("text.list_join", lang) + detail


def _intensity_value(a, lang: str) -> str:
    """``5.2 (engaged)``: the 0-10 index and its band in plain words."""
    it = a.intensity
    if it.band == "unknown":
        return "–"
    return text("text.intensity", lang, index=num(it.index, 1), band=text(f"intensity.{it.band}", lang))


def _figures(a, lang: str, style) -> list:
    sc, r = a.scores, a.rate
    it_target = render(band_message(sc.intonation.band), lang)
    rate_detail = _rate_detail(r, lang)
    rows = [
        (
            "label.intonation",
            text("text.intonation", lang, level=num(a.intonation.level, 1)),
            sc.intonation,
            "",
            (
                text("meaning.intonation", lang, target=it_target)
                if sc.intonation.band.to_dict()
                else text("meaning.intonation_open", lang),
                text("text.intonation_detail", lang, spread=num(a.intonation.spread_st, 1)),
            ),
        ),
        (
            "label.rate",
            text("text.rate", lang, wpm=num(r.wpm)),
            sc.rate,
            "unit.wpm",
            (text("meaning.rate", lang), rate_detail),
        ),
        (
            "label.recording_level",
            text("text.volume", lang, level=num(a.loudness.speech_level_dbfs)),
            sc.loudness,
            "unit.dbfs",
            (
                text("meaning.recording_level", lang),
                text("text.volume_detail", lang, variation=num(a.loudness.variation_db, 1)),
            ),
        ),
        (
            "label.intensity",
            _intensity_value(a, lang),
            sc.intensity,
            "",
            (text("meaning.intensity", lang), text("text.intensity_detail", lang)),
        ),
    ]
    out = []
    for key, value, verdict, unit, lines in rows:
        out += _headline(text(key, lang), value, verdict, lang, style, unit, lines)
    return out


def _details(a, lang: str) -> list:
    ps, sp = a.pitch_summary, a.speech
    pauses = [e - s for s, e in sp.pauses_s]
    out = [
        f"{INDENT}{pad(text('label.pitch', lang), LABEL_CELLS)} "
        + text("text.pitch", lang, median=num(ps.median_hz), range=num(ps.range_st, 1)),
        f"{INDENT}{pad(text('label.speech', lang), LABEL_CELLS)} "
        + text(
            "text.speech",
            lang,
            speech=num(sp.speech_s, 1),
            pauses=len(pauses),
            longest=num(max(pauses, default=0), 1),
        ),
    ]
    windows = [w for w in a.intonation.windows if not math.isnan(w.level)]
    if len(windows) > 1:
        cells = [f"{clock(w.start_s)} {w.level:.1f}" for w in windows]
        out.append(INDENT + _labelled("label.over_time", " | ".join(cells), lang))
    rated = [w for w in a.intensity.windows if not math.isnan(w.index)]
    if len(rated) > 1:
        cells = [f"{clock(w.start_s)} {w.index:.1f}" for w in rated]
        out.append(INDENT + _labelled("label.intensity_over_time", " | ".join(cells), lang))
    band = a.scores.intonation.band
    stretches = flat_stretches(windows, band)
    if stretches:
        spans = ", ".join(f"{clock(s)}-{clock(e)}" for s, e in stretches)
        level = f"{flat_level(band):g}"
        value = text("text.flat_stretches", lang, level=level, list=spans)
        out.append(INDENT + _labelled("label.flat_stretches", value, lang))
    return out


def render_text(a, *, lang: str = "en", style=plain) -> str:
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
    lines = _top(a, lang) + _figures(a, lang, style) + _details(a, lang)
    lines += ["", _colon("label.next", lang)]
    lines += [f"{INDENT}{i}. {render(m, lang)}" for i, m in enumerate(a.scores.advice, 1)]
    _, rest = split_notes(a.notes)
    if rest:
        lines.append(_colon("label.warnings", lang))
        lines += [f"{INDENT}- {_note(n, lang)}" for n in rest]
    return "\n".join(lines)
