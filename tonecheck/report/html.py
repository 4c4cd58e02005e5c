"""The call report: one self-contained HTML page per analysed recording.

``render_report(analysis, lang=...)`` returns the page as a string: headline
gauges against the manual's targets (intonation, emotional intensity, rate
and recording level, each with a sentence saying what it means), the
pitch/intensity/level/rate figure (an inline PNG, captioned), the manual's
four self-review questions answered from the measurements, what to try
next, and file facts with warnings. It opens with the one-line summary and
the notes that change how to read the figures. All text comes from the
message catalog (``tonecheck/locale``); all user-supplied
text (file names, transcripts) is escaped.

With ``audio_data_uri`` (``analyze --embed-audio``) the page also carries the
recording (:mod:`tonecheck.report.embed`) and plays it from a clicked point
of the figure, a flat stretch or a long pause: one inline script, allowed by
its hash, and ``media-src data:``. Without it the page has no script.
"""

from __future__ import annotations

import math

from .. import __version__
from ..intensity import INDEX_MAX, INTENSITY_BANDS, intensity_calibration
from ..messages import Message, render, split_notes, text
from .embed import PLAYBACK_SCRIPT, audio_element, seek_button
from .figure_files import figure_png, time_axis_px
from .page import band_text, escape, gauge_svg, png_img, render_page
from .plots import main_figure

__all__ = ["render_report", "figure_gauge", "flat_stretches", "long_pauses"]

TELEPHONE_KEYS = ("note.telephone_rate", "note.telephone_band")


def _num(value, digits: int = 0) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


UNITS = {"intonation": "", "rate": "unit.wpm", "volume": "unit.dbfs", "intensity": ""}
"""Unit catalog key per headline figure ('' = no unit)."""
LABELS = {"volume": "label.recording_level"}
"""Catalog key of a gauge's label where it is not ``label.<figure>``."""
SCALES = {"intonation": (1, 10), "intensity": (0, INDEX_MAX), "rate": (50, 250), "volume": (-60, 0)}
"""Gauge scale (low, high) per headline figure."""


def figure_gauge(what: str, value: float, value_text: str, band, lang: str, *, meaning: dict | None = None) -> str:
    """The gauge of one headline figure against its target ``band`` (a :class:`~tonecheck.targets.Band`).

    ``what`` is ``"intonation"``, ``"intensity"``, ``"rate"`` or ``"volume"``
    (label, unit and scale follow from it); with ``meaning`` (the
    parameters of ``report.meaning.<what>`` beyond the target) the gauge
    carries the sentence explaining the figure.
    """
    label = text(LABELS.get(what, f"label.{what}"), lang)
    verdict = band.verdict(value)
    target = band_text(band, lang, UNITS[what])
    verdict_word = text(f"verdict.{verdict}", lang)
    alt = text("report.gauge_alt", lang, label=label, value=value_text, target=target, verdict=verdict_word)
    lo, hi = SCALES[what]
    return gauge_svg(
        value=value,
        lo=lo,
        hi=hi,
        band=(band.low, band.high),
        label=label,
        value_text=f"{value_text} · {verdict_word}",
        verdict=verdict,
        alt=alt,
        meaning="" if meaning is None else text(f"report.meaning.{what}", lang, target=target, **meaning),
    )


def _band_word(band: str, lang: str) -> str:
    """``calm``/``engaged``/``intense`` in ``lang``; "–" when not measured."""
    return text(f"intensity.{band}", lang) if band in INTENSITY_BANDS else "–"


def _edges() -> dict:
    """Band edges of the intensity scale, for the sentences that explain it."""
    cal = intensity_calibration()
    return {"calm": f"{cal.calm_below:g}", "intense": f"{cal.intense_above:g}"}


def _intensity_gauge(a, lang: str) -> str:
    it = a.intensity
    value = text("report.value.intensity", lang, index=_num(it.index, 1), band=_band_word(it.band, lang))
    return figure_gauge("intensity", it.index, value, a.scores.intensity.band, lang, meaning=_edges())


def _gauges(a, lang: str) -> str:
    sc = a.scores
    level_text = text("text.intonation", lang, level=_num(a.intonation.level, 1))
    volume_text = text("report.value.volume", lang, level=_num(a.loudness.speech_level_dbfs))
    parts = [
        figure_gauge("intonation", a.intonation.level, level_text, sc.intonation.band, lang, meaning={}),
        _intensity_gauge(a, lang),
        figure_gauge("rate", a.rate.wpm, text("text.rate", lang, wpm=_num(a.rate.wpm)), sc.rate.band, lang, meaning={}),
        figure_gauge("volume", a.loudness.speech_level_dbfs, volume_text, sc.loudness.band, lang, meaning={}),
    ]
    return (
        f'<section aria-labelledby="h-headline"><h2 id="h-headline">{escape(text("report.headline", lang))}</h2>'
        f'<div class="gauges">{"".join(parts)}</div>'
        f'<p class="muted">{escape(text("report.gauge_caption", lang))}</p></section>'
    )


def flat_stretches(a) -> list:
    """Merged ``(start_s, end_s)`` of the 10 s windows more than one level below the intonation target."""
    limit = a.targets.intonation_level.low - 1.0
    out = []
    for w in sorted(a.intonation.windows, key=lambda w: w.start_s):
        if not w.level < limit:
            continue
        if out and w.start_s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], w.end_s))
        else:
            out.append((w.start_s, w.end_s))
    return out


def _time_attrs(fig) -> str:
    """``id`` and ``data-*`` attributes giving the figure's time axis in PNG pixels (for click-to-play)."""
    ax = time_axis_px(fig)
    values = {
        "x0-px": ax.x0_px,
        "x1-px": ax.x1_px,
        "top-px": ax.top_px,
        "bottom-px": ax.bottom_px,
        "width-px": ax.width_px,
        "height-px": ax.height_px,
        "t0-s": ax.t0_s,
        "t1-s": ax.t1_s,
    }
    return 'id="time-figure" ' + " ".join(f'data-{k}="{float(v):.3f}"' for k, v in values.items())


def long_pauses(a) -> list:
    """``(start_s, end_s)`` of the pauses longer than the target's ``long_pause_s``."""
    band = a.targets.long_pause_s
    return [(s, e) for s, e in a.speech.pauses_s if band.verdict(e - s) == "above"]


def _listen(a, lang: str, uri: str) -> str:
    """The embedded recording, and a play button per flat stretch and long pause."""
    play = text("report.play", lang)
    items = [
        seek_button(s, label=text("report.play_flat", lang, start=_clock(s), end=_clock(e)), play=play)
        for s, e in flat_stretches(a)
    ]
    items += [
        seek_button(
            s,
            label=text("report.play_pause", lang, start=_clock(s), end=_clock(e), seconds=_num(e - s, 1)),
            play=play,
        )
        for s, e in long_pauses(a)
    ]
    listed = (
        '<ul id="play-list">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
        if items
        else f'<p id="play-list">{escape(text("report.nothing_to_play", lang))}</p>'
    )
    hint = text("report.listen_hint", lang, rate=a.audio.sr)
    return (
        f'<section aria-labelledby="h-listen"><h2 id="h-listen">{escape(text("report.listen", lang))}</h2>'
        f'{audio_element(uri, label=text("report.audio_label", lang))}<p class="muted">{escape(hint)}</p>'
        f"{listed}</section>"
    )


def _figure(a, lang: str, *, seekable: bool = False) -> str:
    fig = main_figure(a, lang=lang, title=False)
    limit = a.targets.intonation_level.low - 1.0
    flat = sum(1 for w in a.intonation.windows if w.level < limit)
    rate_target = band_text(a.targets.rate_wpm, lang, UNITS["rate"])
    volume_target = band_text(a.targets.speech_level_dbfs, lang, UNITS["volume"])
    intensity_target = band_text(a.targets.intensity_index, lang)
    alt = text(
        "report.figure_alt",
        lang,
        flat=flat,
        windows=len(a.intonation.windows),
        target=rate_target,
        intensity_target=intensity_target,
    )
    flats = [f"{_clock(s)}–{_clock(e)}" for s, e in flat_stretches(a)]
    flat_line = (
        text("report.flat_windows", lang, list=", ".join(flats), threshold=f"{limit:g}")
        if flats
        else text("report.no_flat_windows", lang)
    )
    captions = [
        text("report.caption.pitch", lang),
        text("report.caption.intensity", lang, target=intensity_target, **_edges()),
        text("report.caption.loudness", lang, target=volume_target),
        text("report.caption.rate", lang, target=rate_target),
        flat_line,
    ]
    caption = "".join(f"<p>{escape(c)}</p>" for c in captions)
    return (
        f'<section aria-labelledby="h-time"><h2 id="h-time">{escape(text("report.over_time", lang))}</h2>'
        f"<figure>{_figure_img(fig, alt, seekable)}<figcaption>{caption}</figcaption></figure></section>"
    )


def _figure_img(fig, alt: str, seekable: bool) -> str:
    png = figure_png(fig)
    if not seekable:
        return png_img(png, alt=alt)
    return png_img(png, alt=alt, css_class="plot seekable", attrs=_time_attrs(fig))


def _answers(a, lang: str) -> list:
    sc = a.scores
    level = _num(a.intonation.level, 1)
    v = sc.intonation.verdict
    inflection = (
        text("report.a.unknown", lang)
        if v == "unknown"
        else text(f"report.a.inflection.{v}", lang, level=level, target=band_text(sc.intonation.band, lang))
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
    mixed = "_mixed" if any(isinstance(n, Message) and n.key == "note.two_voices" for n in a.notes) else ""
    rate = text(f"report.a.rate{mixed}", lang, wpm=_num(a.rate.wpm), verdict=text(f"verdict.{sc.rate.verdict}", lang))
    it = a.intensity
    intensity = text(f"report.a.intensity{mixed}", lang, index=_num(it.index, 1), band=_band_word(it.band, lang))
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


def _summary(a, lang: str) -> str:
    """The plain-language line, then the notes that change how to read the figures."""
    line = f'<p class="summary" id="summary">{escape(render(a.scores.summary, lang))}</p>'
    reading, _ = split_notes(a.notes)
    if not reading:
        return line
    items = "".join(f"<li>{escape(_note_text(n, lang))}</li>" for n in reading)
    return (
        f'{line}<section class="notice" id="reading-notes" aria-labelledby="h-read">'
        f'<h2 id="h-read">{escape(text("report.read_with_care", lang))}</h2><ul>{items}</ul></section>'
    )


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
    reading, rest = split_notes(a.notes)
    notes = [_note_text(n, lang) for n in rest]
    empty = "report.no_other_warnings" if reading else "report.no_warnings"
    warn = (
        ('<ul id="other-notes">' + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
        if notes
        else f'<p id="other-notes">{escape(text(empty, lang))}</p>'
    )
    return (
        f'<section aria-labelledby="h-facts"><h2 id="h-facts">{escape(text("report.facts", lang))}</h2>'
        f'<dl class="facts">{dl}</dl><h3>{escape(text("label.warnings", lang))}</h3>{warn}</section>'
    )


def render_report(a, *, lang: str = "en", audio_data_uri: str | None = None) -> str:
    """The call report of one :class:`~tonecheck.analysis.Analysis` as a complete HTML page.

    The page opens with the one-line summary and the notes that change how to
    read the figures; then the headline gauges (each with a sentence saying
    what it measures and its target), what to try next, the figure over
    time with a caption per panel, the manual's questions, and file facts
    with the remaining notes.

    Parameters
    ----------
    a : Analysis
    lang : {"en", "zh"}
        Language of every label, answer and suggestion.
    audio_data_uri : str, optional
        The recording as a ``data:`` URI (:func:`tonecheck.report.embed.audio_data_uri`):
        the page then plays it from a clicked point of the figure, a flat stretch or a
        long pause, with one inline script allowed by its hash.

    Returns
    -------
    page : str
        Self-contained HTML (no network, inline styles and images).
    """
    title = text("report.title", lang, file=a.audio.path)
    listen = _listen(a, lang, audio_data_uri) if audio_data_uri else ""
    body = (
        f"<header><h1>{escape(title)}</h1>{_summary(a, lang)}"
        f'<p class="muted">{escape(text("report.privacy", lang, version=__version__))}</p></header>'
        f"<main>{_gauges(a, lang)}{_next_steps(a, lang)}{listen}"
        f"{_figure(a, lang, seekable=bool(audio_data_uri))}{_review(a, lang)}{_facts(a, lang)}</main>"
    )
    script = PLAYBACK_SCRIPT if audio_data_uri else ""
    return render_page(title=title, body_html=body, lang=lang, script=script, media=bool(audio_data_uri))
