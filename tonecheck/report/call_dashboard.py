"""The coach dashboard's "Matching the caller" section, for batches with two-party calls.

Rendered from :mod:`tonecheck.report.call_trends` and called by
:func:`tonecheck.report.dashboard.render_dashboard`; it is empty when no record
of the batch has a ``conversation`` block, so one-voice dashboards do not change.
One row per agent with two-party calls: median talk share, median response gap,
the agent's interruptions, how many calls matched the caller's rate and
intensity (with the clear mismatches and flagged moments), and the greeting's
intonation and intensity through the session with a fading flag. All text from
records goes through :func:`~tonecheck.report.page.escape`; nothing is loaded
from outside the page.
"""

from __future__ import annotations

import math

import numpy as np

from ..messages import text
from ..targets import default_targets
from .call_trends import CallTrend, MatchShare, call_trends
from .page import band_text, escape, number_text, sort_key, sparkline_svg
from .trends import FADE_INTENSITY, FADE_LEVELS, fall_sentence

__all__ = ["render_call_section", "COLUMNS"]

COLUMNS = (
    "dashboard.col.agent",
    "dashboard.call.col.calls",
    "dashboard.call.col.talk_share",
    "dashboard.call.col.gap",
    "dashboard.call.col.interruptions",
    "dashboard.call.col.rate_matched",
    "dashboard.call.col.rate_mismatches",
    "dashboard.call.col.intensity_matched",
    "dashboard.call.col.intensity_flags",
    "dashboard.call.col.greeting",
)
STATUS_CLASS = {"fading": " below", "steady": "", "single": " unknown", "unknown": " unknown"}
"""Amber when the greeting fades; plain when steady (the figures say whether on target); grey otherwise."""


def _share(m: MatchShare, lang: str) -> tuple:
    """(sort key, ``"67 % (2 of 3)"``) of a :class:`MatchShare`; "–" when no call was judged."""
    if not m.judged:
        return "", "–"
    return f"{m.share:.3f}", text(
        "dashboard.call.share", lang, pct=f"{100 * m.share:.0f}", count=m.matched, calls=m.judged
    )


def _sparklines(t: CallTrend, lang: str) -> str:
    """The greeting's intonation on the upper line, its intensity on the lower one (where measured)."""
    lines = []
    for label, values, lo, band, alt_key in (
        ("label.intonation", t.greeting_levels, 1.0, t.bands["intonation"], "dashboard.call.greeting_alt"),
        ("label.intensity", t.greeting_intensity, 0.0, t.bands["intensity"], "dashboard.call.greeting_alt_intensity"),
    ):
        if not np.isfinite(values).any() or band is None:
            continue
        alt = text(alt_key, lang, agent=t.agent, values=", ".join(number_text(v) for v in values))
        svg = sparkline_svg(values, lo=lo, hi=10.0, band=(band.low, band.high), alt=alt)
        lines.append(
            f'<div class="spark"><span class="muted" aria-hidden="true">{escape(text(label, lang))}</span>{svg}</div>'
        )
    return "".join(lines)


def _greeting_words(t: CallTrend, lang: str) -> str:
    status = t.greeting_status
    if status == "fading":
        span = t.span()
        what = "; ".join(fall_sentence(f, span, lang) for f in t.greeting_falls if f.fading)
        return text("dashboard.call.greeting_fading", lang, what=what)
    if status == "steady":
        level, index = (f.baseline for f in t.greeting_falls)
        return text("dashboard.call.greeting_steady", lang, level=number_text(level), index=number_text(index))
    return text(f"dashboard.status.{status}", lang)


def _row(t: CallTrend, lang: str) -> str:
    talk = t.talk_share_median
    gap = t.gap_median_s
    cells = [
        (escape(t.agent), escape(t.agent)),
        (str(len(t.records)), str(len(t.records))),
        (sort_key(talk), "–" if not math.isfinite(talk) else f"{100 * talk:.0f} %"),
        (sort_key(gap), number_text(gap, 2)),
        (str(t.interruptions), str(t.interruptions)),
        _share(t.rate, lang),
        (str(t.rate_mismatches), str(t.rate_mismatches)),
        _share(t.intensity, lang),
        (str(t.intensity_flags), str(t.intensity_flags)),
    ]
    nowrap = ' class="n"'  # numbers do not wrap; the agent's name does
    tds = "".join(
        f'<td data-sort="{key}"{"" if i == 0 else nowrap}>{shown}</td>' for i, (key, shown) in enumerate(cells)
    )
    status = t.greeting_status
    cls = STATUS_CLASS.get(status, " unknown")
    return (
        f'<tr data-agent="{escape(t.agent)}">{tds}<td data-sort="{len(t.greeting_fading)}" '
        f'class="greeting-trend{cls}" data-fading="{" ".join(t.greeting_fading)}" data-status="{status}">'
        f"{_sparklines(t, lang)}<div>{escape(_greeting_words(t, lang))}</div></td></tr>"
    )


def _notes(trends: list, lang: str) -> str:
    tolerance = default_targets().rate_match_ratio
    bands = trends[0].bands
    intensity = band_text(bands["intensity"], lang) if bands["intensity"] is not None else "–"
    notes = (
        text("dashboard.call.note", lang, low=f"{tolerance.low:g}", high=f"{tolerance.high:g}"),
        text(
            "dashboard.call.greeting_note",
            lang,
            target=band_text(bands["intonation"], lang),
            intensity_target=intensity,
            levels=f"{FADE_LEVELS:g}",
            points=f"{FADE_INTENSITY:.1f}",
        ),
    )
    return "".join(f'<p class="muted">{escape(n)}</p>' for n in notes)


def render_call_section(result, *, lang: str = "en") -> str:
    """The "Matching the caller" section of the dashboard, or ``""`` when the batch has no two-party call.

    Parameters
    ----------
    result : BatchResult
        Records are the ``analyze --json`` dicts plus a ``batch`` block; two-party
        calls carry a ``conversation`` block (docs/json.md).
    lang : {"en", "zh"}

    Returns
    -------
    html : str
        A ``<section id="matching">`` with a sortable table (``id="matching-table"``).
    """
    trends = call_trends(result)
    if not trends:
        return ""
    head = "".join(f'<th scope="col">{escape(text(k, lang))}</th>' for k in COLUMNS)
    rows = "".join(_row(t, lang) for t in trends)
    return (
        f'<section id="matching"><h2>{escape(text("dashboard.call.title", lang))}</h2>'
        f'<div class="scroll"><table class="sortable" id="matching-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>{_notes(trends, lang)}</section>"
    )
