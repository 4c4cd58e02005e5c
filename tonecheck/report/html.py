"""The call report: one self-contained HTML page per analysed recording.

``render_report(analysis, lang=...)`` returns the page as a string: headline
gauges against the manual's targets, the pitch/loudness/rate figure (an
inline PNG), the manual's four self-review questions answered from the
measurements, what to try next, and file facts with warnings. All text
comes from the message catalog (``tonecheck/locale``); all user-supplied
text (file names, transcripts) is escaped.
"""

from __future__ import annotations

import math

from .. import __version__
from ..messages import Message, render, text
from .page import escape, gauge_svg, png_img, render_page
from .plots import figure_png, main_figure

__all__ = ["render_report"]

TELEPHONE_KEYS = ("note.telephone_rate", "note.telephone_band")


def _num(value, digits: int = 0) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _band_text(band) -> str:
    lo = "" if not math.isfinite(band.low) else f"{band.low:g}"
    hi = "" if not math.isfinite(band.high) else f"{band.high:g}"
    return f"{lo} … {hi}".strip(" …") if lo and hi else (f"≥ {lo}" if lo else f"≤ {hi}")


def _gauge(label: str, value: float, value_text: str, verdict, lo: float, hi: float, lang: str) -> str:
    band = verdict.band
    alt = text(
        "report.gauge_alt",
        lang,
        label=label,
        value=value_text,
        target=_band_text(band),
        verdict=text(f"verdict.{verdict.verdict}", lang),
    )
    return gauge_svg(
        value=value,
        lo=lo,
        hi=hi,
        band=(band.low, band.high),
        label=label,
        value_text=f"{value_text} · {text(f'verdict.{verdict.verdict}', lang)}",
        verdict=verdict.verdict,
        alt=alt,
    )


def _gauges(a, lang: str) -> str:
    sc = a.scores
    energy_word = text(f"energy.{a.energy_level}", lang) if a.energy_level != "unknown" else "–"
    parts = [
        _gauge(
            text("label.intonation", lang),
            a.intonation.level,
            text("text.intonation", lang, level=_num(a.intonation.level, 1)),
            sc.intonation,
            1,
            10,
            lang,
        ),
        _gauge(
            text("label.rate", lang), a.rate.wpm, text("text.rate", lang, wpm=_num(a.rate.wpm)), sc.rate, 50, 250, lang
        ),
        _gauge(
            text("label.volume", lang),
            a.loudness.speech_level_dbfs,
            text("text.volume", lang, level=_num(a.loudness.speech_level_dbfs)),
            sc.loudness,
            -60,
            0,
            lang,
        ),
        _gauge(
            text("label.energy", lang),
            a.energy_index,
            f"{energy_word} ({_num(a.energy_index, 1)})",
            sc.energy,
            -10,
            10,
            lang,
        ),
    ]
    return (
        f'<section aria-labelledby="h-headline"><h2 id="h-headline">{escape(text("report.headline", lang))}</h2>'
        f'<div class="gauges">{"".join(parts)}</div></section>'
    )


def _figure(a, lang: str) -> str:
    fig = main_figure(a, lang=lang)
    flat = sum(1 for w in a.intonation.windows if w.level < a.targets.intonation_level.low - 1.0)
    alt = text("report.figure_alt", lang, flat=flat, windows=len(a.intonation.windows))
    flats = [
        f"{_clock(w.start_s)}–{_clock(w.end_s)}"
        for w in a.intonation.windows
        if w.level < a.targets.intonation_level.low - 1.0
    ]
    flat_line = (
        text("report.flat_windows", lang, list=", ".join(flats)) if flats else text("report.no_flat_windows", lang)
    )
    return (
        f'<section aria-labelledby="h-time"><h2 id="h-time">{escape(text("report.over_time", lang))}</h2>'
        f'{png_img(figure_png(fig), alt=alt)}<p class="muted">{escape(flat_line)}</p></section>'
    )


def _answers(a, lang: str) -> list:
    sc = a.scores
    level = _num(a.intonation.level, 1)
    v = sc.intonation.verdict
    inflection = (
        text("report.a.unknown", lang) if v == "unknown" else text(f"report.a.inflection.{v}", lang, level=level)
    )
    lv = sc.loudness.verdict
    volume = (
        text("report.a.unknown", lang)
        if lv == "unknown"
        else text(
            f"report.a.volume.{lv}",
            lang,
            level=_num(a.loudness.speech_level_dbfs),
            variation=_num(a.loudness.variation_db, 1),
            trend=_num(a.loudness.trend_db_per_min, 1),
        )
    )
    rate = text("report.a.rate", lang, wpm=_num(a.rate.wpm), verdict=text(f"verdict.{sc.rate.verdict}", lang))
    energy_word = text(f"energy.{a.energy_level}", lang) if a.energy_level != "unknown" else "–"
    intensity = text("report.a.intensity", lang, energy=energy_word, index=_num(a.energy_index, 1))
    return [
        ("report.q.inflection", inflection),
        ("report.q.volume", volume),
        ("report.q.rate", rate),
        ("report.q.intensity", intensity),
    ]


def _review(a, lang: str) -> str:
    items = "".join(f"<dt>{escape(text(q, lang))}</dt><dd>{escape(ans)}</dd>" for q, ans in _answers(a, lang))
    return (
        f'<section aria-labelledby="h-review"><h2 id="h-review">{escape(text("report.review", lang))}</h2>'
        f'<dl class="qa">{items}</dl></section>'
    )


def _next_steps(a, lang: str) -> str:
    items = "".join(f"<li>{escape(render(m, lang))}</li>" for m in a.scores.advice)
    return (
        f'<section aria-labelledby="h-next"><h2 id="h-next">{escape(text("label.next", lang))}</h2>'
        f"<ol>{items}</ol></section>"
    )


def _note_text(note, lang: str) -> str:
    return render(note, lang) if isinstance(note, Message) else str(note)


def _facts(a, lang: str) -> str:
    au = a.audio
    telephone = any(isinstance(n, Message) and n.key in TELEPHONE_KEYS for n in a.notes)
    rows = [
        ("report.fact.file", au.path),
        ("report.fact.duration", _clock(au.duration_s)),
        ("report.fact.sample_rate", f"{au.source_sr} Hz"),
        ("report.fact.channels", f"{au.source_channels} ({au.channel})"),
        ("report.fact.format", au.format),
        ("report.fact.language", text(f"label.language.{a.settings.language}", lang)),
        (
            "report.fact.speech",
            text(
                "text.speech",
                lang,
                speech=_num(a.speech.speech_s, 1),
                pauses=len(a.speech.pauses_s),
                longest=_num(max((e - s for s, e in a.speech.pauses_s), default=0.0), 1),
            ),
        ),
        ("report.fact.clipped", f"{100 * a.loudness.clipped_fraction:.2f} %"),
        ("report.fact.band", text("report.band.telephone" if telephone else "report.band.wide", lang)),
    ]
    dl = "".join(f"<dt>{escape(text(k, lang))}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    notes = [_note_text(n, lang) for n in a.notes]
    warn = (
        ("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
        if notes
        else f"<p>{escape(text('report.no_warnings', lang))}</p>"
    )
    return (
        f'<section aria-labelledby="h-facts"><h2 id="h-facts">{escape(text("report.facts", lang))}</h2>'
        f'<dl class="facts">{dl}</dl><h3>{escape(text("label.warnings", lang))}</h3>{warn}</section>'
    )


def render_report(a, *, lang: str = "en") -> str:
    """The call report of one :class:`~tonecheck.analysis.Analysis` as a complete HTML page.

    Parameters
    ----------
    a : Analysis
    lang : {"en", "zh"}
        Language of every label, answer and suggestion.

    Returns
    -------
    page : str
        Self-contained HTML (no network, inline styles and images).
    """
    title = text("report.title", lang, file=a.audio.path)
    body = (
        f"<header><h1>{escape(title)}</h1>"
        f'<p class="muted">{escape(text("report.privacy", lang, version=__version__))}</p></header>'
        f"<main>{_gauges(a, lang)}{_next_steps(a, lang)}{_figure(a, lang)}{_review(a, lang)}"
        f"{_facts(a, lang)}</main>"
    )
    return render_page(title=title, body_html=body, lang=lang)
