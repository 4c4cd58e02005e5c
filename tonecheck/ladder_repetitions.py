"""The repetitions of a ladder recording: find them in the speech segments, rate each.

The first half of the ladder exercise (:mod:`tonecheck.ladder` judges the
climb from these): repetitions are the recording's speech segments, joined
across pauses inside a sentence (:func:`break_threshold_s`), with fragments
merged and a continuous climb cut into windows (:func:`segment_repetitions`);
each is rated with :func:`tonecheck.intonation.measure_intonation` over its
voiced frames (:func:`rate_repetitions`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .analysis import Analysis
from .intonation import measure_intonation

__all__ = ["Repetition", "break_threshold_s", "segment_repetitions", "rate_repetitions"]

GAP_RATIO = 2.0
"""Pauses between repetitions are at least this many times longer than pauses inside one."""
MAX_INNER_PAUSE_S = 0.6
"""A pause inside one short sentence is at most this long."""
FRAGMENT_SHARE = 0.5
"""A stretch shorter than this share of the median repetition is a fragment of its neighbour."""
LONG_FACTOR = 2.5
"""A stretch this many times longer than the median repetition is a continuous climb."""
DEFAULT_WINDOW_S = 2.5
"""Window length of a continuous climb when too few repetitions give a typical length."""
MIN_RUNGS = 3
"""A climb needs this many rated rungs to be judged; fewer repetitions give no typical length either."""


@dataclass(frozen=True)
class Repetition:
    """One repetition of the sentence (or one window of a continuous climb).

    Attributes
    ----------
    start_s, end_s : float
        Time span in seconds.
    level : float
        Intonation level 1.0-10.0 on the manual's scale; NaN with less than
        0.5 s of voicing.
    spread_st : float
        Pitch spread (RMS deviation from the median) in semitones.
    voiced_s : float
        Voiced speech in seconds.
    role : str
        ``"normal"``, ``"climb"``, ``"step_down"`` or ``"settle"``.
    window : bool
        True when cut from a continuous climb rather than found between pauses.
    """

    start_s: float
    end_s: float
    level: float
    spread_st: float
    voiced_s: float = 0.0
    role: str = "climb"
    window: bool = False


def _merge(spans: list, i: int, j: int) -> None:
    """Join spans ``i`` and ``j = i + 1`` in place."""
    spans[i : j + 1] = [(spans[i][0], spans[j][1])]


def break_threshold_s(gaps_s) -> float:
    """Shortest gap (seconds) that separates repetitions; 0.0 when every pause does.

    Pauses between repetitions are taken to be a separate, longer class than
    pauses inside a sentence (a comma): the largest jump of at least
    ``GAP_RATIO`` between consecutive sorted gaps, from a gap no longer than
    ``MAX_INNER_PAUSE_S``, splits them (geometric mean of the two gaps).

    Parameters
    ----------
    gaps_s : sequence of float
        Pause durations in seconds.

    Returns
    -------
    threshold_s : float
    """
    g = np.sort(np.asarray(gaps_s, dtype=float))
    if g.size < 2:
        return 0.0
    ratio = g[1:] / g[:-1]
    ratio[g[:-1] > MAX_INNER_PAUSE_S] = 0.0
    i = int(np.argmax(ratio))
    return float(np.sqrt(g[i] * g[i + 1])) if ratio[i] >= GAP_RATIO else 0.0


def segment_repetitions(segments_s, *, break_s: float | None = None) -> list:
    """Speech segments -> one ``(start_s, end_s, window)`` per repetition.

    Parameters
    ----------
    segments_s : sequence of (float, float)
        Speech segments in seconds, in time order (``SpeechActivity.segments_s``).
    break_s : float >= 0, optional
        Gaps at least this long (seconds) separate repetitions; default
        :func:`break_threshold_s` of the gaps.

    Returns
    -------
    repetitions : list of (start_s, end_s, window)
        ``window`` is True for the consecutive windows of a continuous climb.
    """
    segments_s = [(float(s), float(e)) for s, e in segments_s]
    if break_s is None:
        break_s = break_threshold_s([b[0] - a[1] for a, b in zip(segments_s[:-1], segments_s[1:])])
    spans = []
    for s, e in segments_s:
        if spans and s - spans[-1][1] < break_s:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    while len(spans) > 1:
        dur = np.array([e - s for s, e in spans])
        i = int(np.argmin(dur))
        if dur[i] >= FRAGMENT_SHARE * np.median(dur):
            break
        gap_before = spans[i][0] - spans[i - 1][1] if i > 0 else math.inf
        gap_after = spans[i + 1][0] - spans[i][1] if i + 1 < len(spans) else math.inf
        if gap_before <= gap_after:
            _merge(spans, i - 1, i)
        else:
            _merge(spans, i, i + 1)
    return _split_continuous(spans)


def _split_continuous(spans: list) -> list:
    """Cut stretches far longer than a typical repetition into consecutive windows."""
    dur = [e - s for s, e in spans]
    window_s = float(np.median(dur)) if len(spans) >= MIN_RUNGS else DEFAULT_WINDOW_S
    out = []
    for (s, e), d in zip(spans, dur):
        if d > LONG_FACTOR * window_s:
            n = int(round(d / window_s))
            edges = np.linspace(s, e, n + 1)
            out += [(float(a), float(b), True) for a, b in zip(edges[:-1], edges[1:])]
        else:
            out.append((s, e, False))
    return out


def rate_repetitions(analysis: Analysis, spans) -> list:
    """Rate each span with the intonation measure over its voiced frames.

    Parameters
    ----------
    analysis : Analysis
    spans : sequence of (start_s, end_s, window)

    Returns
    -------
    repetitions : list of Repetition
        Roles not yet assigned (all ``"climb"``).
    """
    hop = analysis.speech.hop_s
    voiced_all = analysis.pitch.voiced & analysis.speech.is_speech
    out = []
    for s, e, window in spans:
        a, b = int(round(s / hop)), int(round(e / hop))
        voiced = voiced_all[a:b]
        f0 = np.where(voiced, analysis.pitch.f0_hz[a:b], np.nan)
        it = measure_intonation(f0, hop_s=hop, language=analysis.settings.language)
        out.append(Repetition(s, e, float(it.level), float(it.spread_st), float(voiced.sum() * hop), "climb", window))
    return out
