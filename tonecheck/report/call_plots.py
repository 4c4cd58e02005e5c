"""Figure of a two-party call: turns, and each party's rate and intensity turn by turn.

Built from :mod:`tonecheck.report.figure_style` helpers (Agg canvas, no pyplot, the
CJK font fallback, the time axis in m:ss, legends above the panels), so the
figure reads like the one-voice figure and is saved with the same
:func:`tonecheck.report.figure_files.save_figure`. Readable in grayscale: the agent
is drawn solid black, the caller dashed grey, flagged moments hatched.

API
---
call_figure(conversation, *, lang, title=True, lanes=True) -> Figure
"""

from __future__ import annotations

import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..intensity import INDEX_MAX
from ..messages import text
from ..turns import AGENT, CALLER
from .figure_style import DPI, _clock, _legend_above, _short_name, _spans, cjk_font

__all__ = ["call_figure"]

PARTY_STYLE = {AGENT: {"color": "black", "ls": "-"}, CALLER: {"color": "0.45", "ls": "--"}}
LANE_Y = {AGENT: 1.0, CALLER: 0.0}
LANE_HEIGHT = 0.7


def _lanes_panel(ax, conv, lang: str) -> None:
    tt = conv.turn_taking
    for party in (AGENT, CALLER):
        y = LANE_Y[party] - LANE_HEIGHT / 2
        turns = [(t.start_s, t.duration_s) for t in tt.turns if t.speaker == party]
        bcs = [(b.start_s, b.end_s - b.start_s) for b in tt.backchannels if b.speaker == party]
        ax.broken_barh(turns, (y, LANE_HEIGHT), facecolors=PARTY_STYLE[party]["color"], lw=0)
        if bcs:
            ax.broken_barh(bcs, (y + LANE_HEIGHT / 4, LANE_HEIGHT / 2), facecolors="0.75", edgecolor="black", lw=0.5)
    cuts = tt.interruptions
    if cuts:
        ax.plot(
            [o.start_s for o in cuts],
            [LANE_Y[o.speaker] + LANE_HEIGHT / 2 + 0.1 for o in cuts],
            "v",
            color="black",
            ms=6,
            label=text("call.label.interruptions", lang),
        )
    silences = tt.gaps.long_silences
    if silences:
        _spans(ax, silences, "none", 1.0, text("call.report.long_silence", lang))
        for coll in ax.collections[-1:]:
            coll.set_hatch("..")
            coll.set_edgecolor("0.5")
    ax.set_yticks([LANE_Y[AGENT], LANE_Y[CALLER]])
    ax.set_yticklabels([text("label.party.agent", lang), text("label.party.caller", lang)])
    ax.set_ylim(-0.6, 1.8)
    ax.set_ylabel(text("call.plot.lanes", lang))
    if cuts or silences:
        _legend_above(ax, ncols=2)


def _per_turn(ax, windows, value, party: str, lang: str) -> None:
    """One horizontal segment per turn at ``value(window)``, joined by a thin line."""
    style = PARTY_STYLE[party]
    pts = [(w.start_s, w.end_s, value(w)) for w in windows if math.isfinite(value(w))]
    for i, (start, end, v) in enumerate(pts):
        label = text(f"label.party.{party}", lang) if i == 0 else None
        ax.plot([start, end], [v, v], color=style["color"], ls=style["ls"], lw=2.2, label=label)
    if len(pts) > 1:
        mids = [((s + e) / 2, v) for s, e, v in pts]
        ax.plot(*zip(*mids), color=style["color"], ls=":", lw=0.7)


def _flagged(ax, items, label: str) -> None:
    _spans(ax, [(i.start_s, i.end_s) for i in items], "0.85", 0.6, label)


def _rate_panel(ax, conv, lang: str) -> None:
    _flagged(ax, conv.rate_match.mismatches, text("call.plot.rate_flag", lang))
    for party, a in ((AGENT, conv.agent), (CALLER, conv.caller)):
        _per_turn(ax, a.rate.windows, lambda w: float(w.syllables_per_s), party, lang)
    ax.set_ylabel(text("call.plot.rate", lang))
    ax.set_ylim(bottom=0)
    _legend_above(ax, ncols=3)


def _intensity_panel(ax, conv, lang: str) -> None:
    _flagged(ax, conv.intensity_match.flags, text("call.plot.intensity_flag", lang))
    for party, a in ((AGENT, conv.agent), (CALLER, conv.caller)):
        _per_turn(ax, a.intensity.windows, lambda w: float(w.index), party, lang)
    ax.set_ylabel(text("call.plot.intensity", lang))
    ax.set_ylim(0, INDEX_MAX)
    _legend_above(ax, ncols=3)


def _title(conv, lang: str) -> str:
    rm, im = conv.rate_match, conv.intensity_match
    ratio = f"{rm.ratio:.2f}" if math.isfinite(rm.ratio) else "–"
    return text(
        "call.plot.title",
        lang,
        file=_short_name(conv.agent.audio.path),
        ratio=ratio,
        rate=text(f"call.verdict.{rm.verdict}", lang),
        intensity=text(f"call.verdict.{im.verdict}", lang),
    )


def call_figure(conv, *, lang: str = "en", title: bool = True, lanes: bool = True) -> Figure:
    """Turns, and both parties' rate and intensity per turn, on one time axis.

    Parameters
    ----------
    conv : Conversation
    lang : {"en", "zh"}
        Label language; English when ``zh`` is asked for but no CJK font is installed.
    title : bool
        File name and the two matching verdicts on top (for a figure shared on its own).
    lanes : bool
        Draw the two-lane turn panel (the HTML report draws its own as SVG).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Axes in order: (turns,) rate in syllables/s, intensity 0-10.
    """
    font = cjk_font()
    if lang == "zh" and font is None:
        lang = "en"
    n = 3 if lanes else 2
    fig = Figure(figsize=(10, 2.2 * n + (0.4 if title else 0)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = list(fig.subplots(n, 1, sharex=True, height_ratios=(0.7, 1, 1)[-n:]))
    if lanes:
        _lanes_panel(axes.pop(0), conv, lang)
    _rate_panel(axes[0], conv, lang)
    _intensity_panel(axes[1], conv, lang)
    duration = max(conv.agent.audio.duration_s, conv.caller.audio.duration_s, 1.0)
    axes[-1].set_xlim(0, duration)
    axes[-1].xaxis.set_major_formatter(FuncFormatter(_clock))
    axes[-1].set_xlabel(text("plot.time", lang))
    for ax in fig.axes:
        ax.grid(True, color="0.9", lw=0.5)
        ax.yaxis.label.set_linespacing(1.5)
    if title:
        fig.suptitle(_title(conv, lang), fontsize="medium", fontweight="bold")
    if font:
        family = [font, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", font]
        for item in fig.findobj(lambda o: hasattr(o, "set_fontfamily")):
            item.set_fontfamily(family)
    return fig
