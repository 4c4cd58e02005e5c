"""Terminal report of a two-party call (:class:`~tonecheck.conversation.Conversation`).

Layout: the call line and the notes on the call as a whole; the manual's two
matching questions answered with the numbers; a two-lane text timeline
(agent and caller turns, backchannels, interruptions and long silences
marked); talk share, response gaps, interruptions and backchannels per
party; the greeting card; the exchanges (caller turn -> reply) with their
rates and intensities and the flagged moments; then each party's usual
one-voice report (:func:`tonecheck.report.text.render_text`) under a heading.

The answer sentences (:func:`rate_answer`, :func:`intensity_answer`) are
shared with the HTML call report.
"""

from __future__ import annotations

import math

from ..messages import Message, render, text
from ..recording import display_name
from ..turns import AGENT, CALLER
from .text import INDENT, LABEL_CELLS, clock, num, pad, plain, render_text

__all__ = [
    "render_call_text",
    "rate_answer",
    "intensity_answer",
    "timeline_lanes",
    "greeting_line",
    "turn_figure_lines",
]

TIMELINE_CELLS = 60
"""Width of the text timeline in terminal cells."""
TURN, BACKCHANNEL, INTERRUPTION, SILENCE, EMPTY = "█", "▒", "!", "_", " "
MAX_TIMES = 6
"""Most moments listed by time in one sentence (the count is always given)."""
INTENSITY_STYLE = {"within": "within", "mismatched": "above", "unknown": "unknown"}
"""Colour (as a verdict) of each intensity-match verdict."""


def _times(items) -> str:
    shown = [clock(i.start_s) for i in items[:MAX_TIMES]]
    return ", ".join(shown) + (" …" if len(items) > MAX_TIMES else "")


def rate_answer(conv, lang: str, style=plain) -> list:
    """Sentences answering "did I match the caller's rate?" with the numbers.

    Parameters
    ----------
    conv : Conversation
    lang : {"en", "zh"}
    style : callable(str, verdict) -> str

    Returns
    -------
    sentences : list of str
    """
    rm = conv.rate_match
    if rm.verdict == "unknown":
        return [text("call.a.rate.unknown", lang)]
    tol = rm.tolerance
    head = text(
        f"call.a.rate.{rm.verdict}",
        lang,
        agent=num(rm.agent_syllables_per_s, 1),
        caller=num(rm.caller_syllables_per_s, 1),
        agent_wpm=num(conv.agent.rate.wpm),
        caller_wpm=num(conv.caller.rate.wpm),
        ratio=num(rm.ratio, 2),
        low=f"{tol.low:g}",
        high=f"{tol.high:g}",
    )
    out = [style(head, rm.verdict)]
    if rm.mismatches:
        faster = sum(1 for m in rm.mismatches if m.kind == "agent_faster")
        out.append(
            text(
                "call.a.rate_moments",
                lang,
                count=len(rm.mismatches),
                exchanges=rm.exchanges,
                faster=faster,
                slower=len(rm.mismatches) - faster,
                times=_times(rm.mismatches),
            )
        )
    else:
        out.append(text("call.a.rate_no_moments", lang, exchanges=rm.exchanges))
    early, late = num(rm.early_gap_pct), num(rm.late_gap_pct)
    out.append(text(f"call.a.convergence.{rm.convergence}", lang, early=early, late=late))
    return out


def intensity_answer(conv, lang: str, style=plain) -> list:
    """Sentences answering "did I match the caller's intensity?" with the numbers.

    Parameters
    ----------
    conv : Conversation
    lang : {"en", "zh"}
    style : callable(str, verdict) -> str

    Returns
    -------
    sentences : list of str
    """
    im = conv.intensity_match
    head = text(
        f"call.a.intensity.{im.verdict}",
        lang,
        agent=num(im.agent_baseline, 1),
        caller=num(im.caller_baseline, 1),
        exchanges=im.exchanges,
        count=len(im.flags),
    )
    out = [style(head, INTENSITY_STYLE.get(im.verdict, "unknown"))]
    for kind in ("caller_intense_reply_flat", "caller_calm_reply_over"):
        flags = [f for f in im.flags if f.kind == kind]
        if flags:
            out.append(text(f"call.a.{kind}", lang, count=len(flags), times=_times(flags)))
    if math.isfinite(im.synchrony):  # needs a few exchanges; the JSON keeps proximity regardless
        out.append(text("call.a.synchrony", lang, synchrony=num(im.synchrony, 2), proximity=num(im.proximity, 1)))
    return out


def _cells(spans, duration_s: float) -> set:
    """Timeline cells that ``spans`` (start_s, end_s) touch."""
    width = duration_s / TIMELINE_CELLS
    out = set()
    for start, end in spans:
        first = int(start / width)
        last = max(first, int(math.ceil(end / width)) - 1)
        out.update(range(max(first, 0), min(last, TIMELINE_CELLS - 1) + 1))
    return out


def timeline_lanes(conv) -> dict:
    """The two-lane text timeline: ``{"agent": str, "caller": str, "marks": str}``, ``TIMELINE_CELLS`` each.

    Turns are ``█``, backchannels ``▒``; the marks lane has ``!`` where an
    interruption starts and ``_`` over long silences.
    """
    tt = conv.turn_taking
    duration = max(conv.agent.audio.duration_s, conv.caller.audio.duration_s, 1e-3)
    lanes = {}
    for party in (AGENT, CALLER):
        turns = _cells([(t.start_s, t.end_s) for t in tt.turns if t.speaker == party], duration)
        bcs = _cells([(b.start_s, b.end_s) for b in tt.backchannels if b.speaker == party], duration)
        lanes[party] = "".join(
            TURN if i in turns else BACKCHANNEL if i in bcs else EMPTY for i in range(TIMELINE_CELLS)
        )
    silences = _cells(tt.gaps.long_silences, duration)
    cuts = _cells([(o.start_s, o.start_s) for o in tt.interruptions], duration)
    lanes["marks"] = "".join(
        INTERRUPTION if i in cuts else SILENCE if i in silences else EMPTY for i in range(TIMELINE_CELLS)
    )
    return lanes


def _timeline(conv, lang: str) -> list:
    duration = max(conv.agent.audio.duration_s, conv.caller.audio.duration_s)
    lanes = timeline_lanes(conv)
    head = text("call.timeline", lang, end=clock(duration), cell=f"{duration / TIMELINE_CELLS:.1f}")
    out = [head]
    for key, label in ((AGENT, "label.party.agent"), (CALLER, "label.party.caller"), ("marks", "")):
        out.append(f"{INDENT}{pad(text(label, lang) if label else '', LABEL_CELLS)}|{lanes[key]}|")
    return out + [INDENT + pad("", LABEL_CELLS) + " " + text("call.timeline_legend", lang)]


def _row(label_key: str, value: str, lang: str) -> str:
    return f"{INDENT}{pad(text(label_key, lang), LABEL_CELLS)} {value}"


def _longest(tt, lang: str) -> str:
    parts = {}
    for party in (AGENT, CALLER):
        t = tt.longest_turn.get(party)
        parts[party] = num(t.duration_s, 1) if t else "–"
        parts[f"{party}_at"] = clock(t.start_s) if t else "–"
    return text("call.longest_value", lang, **parts)


def turn_figure_lines(conv, lang: str) -> list:
    """Talk share, longest turns, response gaps, interruptions and backchannels, one line each."""
    tt = conv.turn_taking
    share = {p: num(100 * tt.talk_share[p]) if p in tt.talk_share else "–" for p in (AGENT, CALLER)}
    gaps = tt.gaps
    gap_text = text(
        "call.gaps_value", lang, median=num(gaps.median_s, 1), longest=num(gaps.longest_s, 1), count=gaps.count
    )
    if gaps.long_silences:
        spans = ", ".join(f"{clock(s)}–{clock(e)}" for s, e in gaps.long_silences)
        gap_text += text("text.list_join", lang) + text("call.long_silences", lang, list=spans)
    rows = [
        _row("call.label.talk_share", text("call.per_party_pct", lang, **share), lang),
        _row("call.label.longest_turn", _longest(tt, lang), lang),
        _row("call.label.gaps", gap_text, lang),
    ]
    for key, items in (("interruptions", tt.interruptions), ("backchannels", tt.backchannels)):
        counts = {p: sum(1 for i in items if i.speaker == p) for p in (AGENT, CALLER)}
        value = text("call.per_party", lang, **counts)
        if items:
            value += text("text.list_join", lang) + _times(items)
        rows.append(_row(f"call.label.{key}", value, lang))
    return rows


def greeting_line(conv, lang: str, style=plain) -> str:
    """The greeting card in one sentence: times, intonation, intensity and rate with their verdicts."""
    g = conv.greeting
    if g is None:
        return text("call.greeting_none", lang)
    targets = conv.agent.targets
    verdicts = {
        "level_verdict": targets.intonation_level.verdict(g.intonation_level),
        "intensity_verdict": targets.intensity_index.verdict(g.intensity_index),
        "rate_verdict": targets.rate_wpm.verdict(g.rate.wpm),
    }
    words = {k: style(text(f"verdict.{v}", lang), v) for k, v in verdicts.items()}
    return text(
        "call.greeting_value",
        lang,
        start=clock(g.turn.start_s),
        end=clock(g.turn.end_s),
        level=num(g.intonation_level, 1),
        intensity=num(g.intensity_index, 1),
        wpm=num(g.rate.wpm),
        wpm_low=num(g.rate.wpm_low),
        wpm_high=num(g.rate.wpm_high),
        syllables=num(g.rate.syllables_per_s, 1),
        **words,
    )


def exchange_marks(conv) -> dict:
    """``{(caller start_s, agent end_s): [kind, ...]}``: the flagged moments of each exchange."""
    out: dict = {}
    for item in conv.rate_match.mismatches + conv.intensity_match.flags:
        out.setdefault((item.start_s, item.end_s), []).append(item.kind)
    return out


def _exchanges(conv, lang: str) -> list:
    if not conv.exchanges:
        return []
    marks = exchange_marks(conv)
    out = [text("call.exchanges", lang)]
    for ex in conv.exchanges:
        row = text(
            "call.exchange_row",
            lang,
            at=clock(ex.caller_turn.start_s),
            caller=num(ex.caller_rate.syllables_per_s, 1),
            caller_int=num(ex.caller_intensity, 1),
            agent=num(ex.agent_rate.syllables_per_s, 1),
            agent_int=num(ex.agent_intensity, 1),
            ratio=num(ex.rate_ratio, 2),
        )
        kinds = marks.get((ex.caller_turn.start_s, ex.agent_turn.end_s), [])
        flagged = text("text.list_join", lang).join(text(f"call.kind.{k}", lang) for k in kinds)
        out.append(f"{INDENT}{row}" + (f"  ! {flagged}" if flagged else ""))
    return out


def side_text(conv) -> str:
    """Where the agent came from, short: ``left``, ``voice 1``, or the agent's file name without folders."""
    side = conv.agent_side
    return side.replace("\\", "/").rsplit("/", 1)[-1] if conv.source == "two-file" else side


def _top(conv, lang: str) -> list:
    a = conv.agent
    lines = [
        text(
            "call.file_line",
            lang,
            file=display_name(a.audio.path),
            source=text(f"call.source.{conv.source}", lang),
            duration=clock(a.audio.duration_s),
            side=side_text(conv),
        )
    ]
    notes = [render(n, lang) if isinstance(n, Message) else str(n) for n in conv.notes]
    return lines + [f"{INDENT}! {n}" for n in notes] + [""]


def render_call_text(conv, *, lang: str = "en", style=plain) -> str:
    """The terminal report of a two-party call as one string.

    Parameters
    ----------
    conv : Conversation
    lang : {"en", "zh"}
    style : callable(str, verdict) -> str
        Decorates verdict words (the CLI colours them); verdicts are also
        spelled out, so the report reads the same without colour.

    Returns
    -------
    report : str
    """
    lines = _top(conv, lang)
    for question, answer in (("report.q.rate", rate_answer), ("report.q.intensity", intensity_answer)):
        lines.append(text(question, lang))
        lines += [f"{INDENT}{s}" for s in answer(conv, lang, style)]
    lines += [""] + _timeline(conv, lang) + [""] + turn_figure_lines(conv, lang)
    lines += ["", text("call.greeting", lang), INDENT + greeting_line(conv, lang, style)]
    lines += [""] + _exchanges(conv, lang)
    for party, a in ((AGENT, conv.agent), (CALLER, conv.caller)):
        heading = text(f"call.party.{party}", lang, side=side_text(conv))
        lines += ["", f"== {heading} ==", render_text(a, lang=lang, style=style)]
    return "\n".join(lines)
