"""The call report of a two-party call: one self-contained HTML page.

``render_call_report(conversation, lang=...)`` opens with the call line and
the notes on the call, answers the manual's four self-review questions
(inflection and volume from the agent's own turns; rate and intensity
matching with the numbers), draws who spoke when (an SVG timeline: agent and
caller turns, backchannels, overlaps and long silences), both parties' rate
and intensity turn by turn with the flagged replies (a figure from
:func:`tonecheck.report.call_plots.call_figure`), the greeting card, talk
share and gaps, then each party's headline gauges and file facts, reused
from the one-voice report (:mod:`tonecheck.report.html`). The page uses the
same skeleton, styles, escaping and Content-Security-Policy
(:mod:`tonecheck.report.page`). With ``audio_data_uri`` the call (both sides
summed, :func:`call_audio`) is embedded and a click on a timeline shape plays
it from there.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import __version__
from ..messages import Message, render, text
from ..turns import AGENT, CALLER
from . import html as one_voice
from .call_plots import call_figure
from .call_text import greeting_line, intensity_answer, rate_answer, side_text, turn_figure_lines
from .embed import PLAYBACK_SCRIPT, audio_element
from .figure_files import figure_png
from .html import _num
from .page import escape, png_img, render_page
from .text import clock

__all__ = ["render_call_report", "timeline_svg", "overlaps_s", "call_audio"]

SVG_W, LEFT, RIGHT = 1000.0, 90.0, 10.0
LANE_Y = {AGENT: 22.0, CALLER: 62.0}
LANE_H = 26.0
FILL = {AGENT: "#1b1b1b", CALLER: "#8c8c8c"}
TICK_STEPS_S = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_TICKS = 12


def overlaps_s(conv) -> list:
    """``(start_s, end_s)`` where both parties talk at once (turns and backchannels)."""
    tt = conv.turn_taking
    spans = {p: [(t.start_s, t.end_s) for t in tt.turns + tt.backchannels if t.speaker == p] for p in (AGENT, CALLER)}
    out = []
    for a0, a1 in spans[AGENT]:
        for c0, c1 in spans[CALLER]:
            start, end = max(a0, c0), min(a1, c1)
            if end > start:
                out.append((start, end))
    return sorted(out)


def _x(t: float, duration: float) -> float:
    return LEFT + (SVG_W - LEFT - RIGHT) * min(max(t / duration, 0.0), 1.0)


def _rect(start: float, end: float, duration: float, y: float, h: float, attrs: str, tip: str, seek: bool) -> str:
    x0, x1 = _x(start, duration), _x(end, duration)
    if seek:
        attrs += f' data-seek-s="{start:.2f}"'
    return (
        f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0, 1.0):.1f}" height="{h:.1f}" {attrs}>'
        f"<title>{escape(tip)}</title></rect>"
    )


def _ticks(duration: float) -> str:
    step = next((s for s in TICK_STEPS_S if duration / s <= MAX_TICKS), TICK_STEPS_S[-1])
    out = []
    for k in range(int(duration // step) + 1):
        x = _x(k * step, duration)
        out.append(
            f'<line x1="{x:.1f}" y1="94" x2="{x:.1f}" y2="99" stroke="#1b1b1b"/>'
            f'<text x="{x:.1f}" y="111" font-size="11" text-anchor="middle">{clock(k * step)}</text>'
        )
    return "".join(out)


def _legend(lang: str) -> str:
    items = [
        (f'<rect width="12" height="10" fill="{FILL[AGENT]}"/>', text("label.party.agent", lang)),
        (f'<rect width="12" height="10" fill="{FILL[CALLER]}"/>', text("label.party.caller", lang)),
        ('<rect width="12" height="10" fill="#d0d0d0" stroke="#1b1b1b"/>', text("call.label.backchannels", lang)),
        ('<rect width="12" height="10" fill="#b42318" fill-opacity=".45"/>', text("call.report.overlap", lang)),
        ('<rect width="12" height="10" fill="url(#tl-gap)" stroke="#595959"/>', text("call.report.long_silence", lang)),
    ]
    out = []
    for i, (swatch, label) in enumerate(items):
        x = LEFT + 170 * i
        out.append(
            f'<g transform="translate({x:.0f},122)">{swatch}<text x="16" y="9" font-size="11">{escape(label)}</text></g>'
        )
    return "".join(out)


def _shapes(conv, lang: str, duration: float, seek: bool = False) -> list:
    """The timeline's shapes: long silences, turns, backchannels, overlaps, interruption marks.

    ``seek``: rectangles carry ``data-seek-s`` (their start, s), so a click plays from there.
    """
    tt = conv.turn_taking
    shapes = []
    for s, e in tt.gaps.long_silences:
        tip = f"{text('call.report.long_silence', lang)} {clock(s)}–{clock(e)}"
        shapes.append(_rect(s, e, duration, 14, 80, 'fill="url(#tl-gap)" stroke="#595959"', tip, seek))
    for t in tt.turns:
        tip = f"{text(f'label.party.{t.speaker}', lang)} {clock(t.start_s)}–{clock(t.end_s)}"
        shapes.append(
            _rect(t.start_s, t.end_s, duration, LANE_Y[t.speaker], LANE_H, f'fill="{FILL[t.speaker]}"', tip, seek)
        )
    for b in tt.backchannels:
        tip = f"{text('call.label.backchannels', lang)}: {text(f'label.party.{b.speaker}', lang)} {clock(b.start_s)}"
        y = LANE_Y[b.speaker] + LANE_H / 4
        shapes.append(_rect(b.start_s, b.end_s, duration, y, LANE_H / 2, 'fill="#d0d0d0" stroke="#1b1b1b"', tip, seek))
    for s, e in overlaps_s(conv):
        tip = f"{text('call.report.overlap', lang)} {clock(s)}"
        shapes.append(_rect(s, e, duration, 14, 80, 'fill="#b42318" fill-opacity=".45"', tip, seek))
    for o in tt.interruptions:
        x, y = _x(o.start_s, duration), LANE_Y[o.speaker] - 2
        shapes.append(
            f'<polygon points="{x - 5:.1f},{y - 8:.1f} {x + 5:.1f},{y - 8:.1f} {x:.1f},{y:.1f}" fill="#b42318">'
            f"<title>{escape(text('call.label.interruptions', lang))} {clock(o.start_s)}</title></polygon>"
        )
    return shapes


def timeline_svg(conv, lang: str, *, seekable: bool = False) -> str:
    """Who spoke when: agent and caller lanes, backchannels, overlaps and long silences, as inline SVG.

    Parameters
    ----------
    conv : Conversation
    lang : {"en", "zh"}
    seekable : bool
        Rectangles carry ``data-seek-s`` for the embedded recording's playback.

    Returns
    -------
    svg : str
        ``<svg id="call-timeline">``; every shape carries a ``<title>`` with its times.
    """
    tt = conv.turn_taking
    duration = max(conv.agent.audio.duration_s, conv.caller.audio.duration_s, 1e-3)
    shapes = _shapes(conv, lang, duration, seekable)
    labels = "".join(
        f'<text x="{LEFT - 8:.0f}" y="{LANE_Y[p] + 17:.0f}" font-size="13" text-anchor="end">'
        f"{escape(text(f'label.party.{p}', lang))}</text>"
        for p in (AGENT, CALLER)
    )
    alt = text(
        "call.report.timeline_alt",
        lang,
        agent=sum(1 for t in tt.turns if t.speaker == AGENT),
        caller=sum(1 for t in tt.turns if t.speaker == CALLER),
        overlaps=len(overlaps_s(conv)),
        silences=len(tt.gaps.long_silences),
    )
    cls = ' class="seekable"' if seekable else ""
    return (
        f'<svg id="call-timeline"{cls} viewBox="0 0 {SVG_W:.0f} 140" '
        f'role="img" aria-label="{escape(alt)}" '
        f'style="width:100%;height:auto"><title>{escape(alt)}</title>'
        '<defs><pattern id="tl-gap" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#9c9c9c" stroke-width="2"/></pattern></defs>'
        f'{labels}<line x1="{LEFT}" y1="94" x2="{SVG_W - RIGHT}" y2="94" stroke="#1b1b1b"/>'
        f"{''.join(shapes)}{_ticks(duration)}{_legend(lang)}</svg>"
    )


def _section(sid: str, title: str, inner: str) -> str:
    return f'<section aria-labelledby="{sid}"><h2 id="{sid}">{escape(title)}</h2>{inner}</section>'


def _review(conv, lang: str) -> str:
    own = one_voice._answers(conv.agent, lang)[:2]  # inflection, volume: the agent's own turns
    matching = [
        ("report.q.rate", " ".join(rate_answer(conv, lang))),
        ("report.q.intensity", " ".join(intensity_answer(conv, lang))),
    ]
    items = "".join(f"<dt>{escape(text(q, lang))}</dt><dd>{escape(a)}</dd>" for q, a in matching + own)
    return _section(
        "h-call-review", text("call.report.matching", lang), f'<dl class="qa" id="call-answers">{items}</dl>'
    )


def _turn_facts(conv, lang: str) -> str:
    rows = [line.strip() for line in turn_figure_lines(conv, lang)]
    items = "".join(f"<li>{escape(r)}</li>" for r in rows)
    return f'<h3>{escape(text("call.report.turns", lang))}</h3><ul id="call-turns">{items}</ul>'


def _figure(conv, lang: str) -> str:
    fig = call_figure(conv, lang=lang, title=False, lanes=False)
    alt = text(
        "call.report.figure_alt",
        lang,
        mismatches=len(conv.rate_match.mismatches),
        flags=len(conv.intensity_match.flags),
    )
    caption = f"<figcaption><p>{escape(text('call.report.figure_caption', lang))}</p></figcaption>"
    return _section(
        "h-call-time",
        text("call.report.over_time", lang),
        f"<figure>{png_img(figure_png(fig), alt=alt)}{caption}</figure>",
    )


def _greeting(conv, lang: str) -> str:
    g, targets = conv.greeting, conv.agent.targets
    line = f'<p id="call-greeting">{escape(greeting_line(conv, lang))}</p>'
    if g is None:
        return _section("h-call-greeting", text("call.report.greeting", lang), line)
    level = text("text.intonation", lang, level=_num(g.intonation_level, 1))
    wpm = text("text.rate", lang, wpm=_num(g.rate.wpm))
    gauges = [
        one_voice.figure_gauge("intonation", g.intonation_level, level, targets.intonation_level, lang),
        one_voice.figure_gauge(
            "intensity", g.intensity_index, _num(g.intensity_index, 1), targets.intensity_index, lang
        ),
        one_voice.figure_gauge("rate", g.rate.wpm, wpm, targets.rate_wpm, lang),
    ]
    inner = f'{line}<div class="gauges">{"".join(gauges)}</div>'
    return _section("h-call-greeting", text("call.report.greeting", lang), inner)


def _party(conv, party: str, lang: str) -> str:
    """One party's summary, headline gauges (and for the agent, what to try next) and file facts."""
    a = conv.agent if party == AGENT else conv.caller
    name = text(f"call.party.{party}", lang, side=side_text(conv))
    parts = [
        f'<p class="summary">{escape(render(a.scores.summary, lang))}</p>',
        one_voice._gauges(a, lang),
        one_voice._next_steps(a, lang) if party == AGENT else "",
        one_voice._facts(a, lang),
    ]
    inner = "".join(parts)
    for attr in ('id="', 'aria-labelledby="'):  # each party's copy gets its own ids
        inner = inner.replace(f"{attr}h-", f"{attr}{party}-h-").replace(
            f"{attr}other-notes", f"{attr}{party}-other-notes"
        )
    inner = inner.replace('id="hatch', f'id="{party}-hatch').replace("url(#hatch", f"url(#{party}-hatch")
    return f'<section class="party" id="party-{party}"><h2>{escape(name)}</h2>{inner}</section>'


def _notes(conv, lang: str) -> str:
    notes = [render(n, lang) if isinstance(n, Message) else str(n) for n in conv.notes]
    if not notes:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return (
        f'<section class="notice" id="call-notes" aria-labelledby="h-call-read">'
        f'<h2 id="h-call-read">{escape(text("report.read_with_care", lang))}</h2><ul>{items}</ul></section>'
    )


def call_audio(conv):
    """The recording to embed: the one channel both voices came from, else both sides summed.

    Parameters
    ----------
    conv : Conversation

    Returns
    -------
    tonecheck.recording.Audio
        The agent's audio, with the caller's side added sample by sample (clipped
        at full scale when encoded) when the parties came from separate channels or files.
    """
    agent, caller = conv.agent.audio, conv.caller.audio
    if agent is caller or agent.samples is caller.samples:
        return agent
    n = min(len(agent.samples), len(caller.samples))
    mixed = np.asarray(agent.samples[:n], dtype=np.float32) + np.asarray(caller.samples[:n], dtype=np.float32)
    return dataclasses.replace(agent, samples=mixed)


def _listen(conv, lang: str, uri: str) -> str:
    hint = text("call.report.listen_hint", lang, rate=conv.agent.audio.sr)
    return _section(
        "h-listen",
        text("report.listen", lang),
        f'{audio_element(uri, label=text("report.audio_label", lang))}<p class="muted">{escape(hint)}</p>',
    )


def render_call_report(conv, *, lang: str = "en", audio_data_uri: str | None = None) -> str:
    """The call report of a :class:`~tonecheck.conversation.Conversation` as a complete HTML page.

    Parameters
    ----------
    conv : Conversation
    lang : {"en", "zh"}
        Language of every label, answer and suggestion.
    audio_data_uri : str, optional
        The call as a ``data:`` URI (:func:`call_audio`, then
        :func:`tonecheck.report.embed.audio_data_uri`): a click on a turn, overlap
        or long silence in the timeline plays it from there.

    Returns
    -------
    page : str
        Self-contained HTML (no network; inline styles, SVG and PNG); user
        text (file names) escaped.
    """
    seek = bool(audio_data_uri)
    timeline = timeline_svg(conv, lang, seekable=seek) + _turn_facts(conv, lang)
    listen = _listen(conv, lang, audio_data_uri) if seek else ""
    a = conv.agent
    title = text("report.title", lang, file=a.audio.path)
    line = text(
        "call.file_line",
        lang,
        file=a.audio.path,
        source=text(f"call.source.{conv.source}", lang),
        duration=clock(a.audio.duration_s),
        side=side_text(conv),
    )
    body = (
        f'<header><h1>{escape(title)}</h1><p class="summary" id="call-line">{escape(line)}</p>{_notes(conv, lang)}'
        f'<p class="muted">{escape(text("report.privacy", lang, version=__version__))}</p></header><main>'
        f"{_review(conv, lang)}"
        f"{listen}{_section('h-call-timeline', text('call.report.timeline', lang), timeline)}"
        f"{_figure(conv, lang)}{_greeting(conv, lang)}"
        f"{_party(conv, AGENT, lang)}{_party(conv, CALLER, lang)}</main>"
    )
    script = PLAYBACK_SCRIPT if seek else ""
    return render_page(title=title, body_html=body, lang=lang, script=script, media=seek)
