"""The manual's ladder exercise: segment the repetitions, rate each, give the verdict.

The exercise: say a short sentence normally; say it again climbing from
level 1 to level 10 (one repetition per level, or one continuous climb);
step down to 8; settle at 5-6; repeat the ladder whenever the inflection
fades.

Method (docs/measures.md, "The ladder exercise"): one
:func:`tonecheck.analysis.analyze`; repetitions are its speech segments,
joined across pauses inside a sentence (:func:`break_threshold_s`), with
fragments merged and a continuous climb cut into windows
(:func:`segment_repetitions`); each is rated with
:func:`tonecheck.intonation.measure_intonation` over its voiced frames; the
climb runs from the lowest repetition before the first highest one up to it,
and rises when its rank correlation with order, its length and its height
are enough; the last repetition after the peak is where the agent settled,
judged against the intonation target band (the manual's 5-6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .analysis import Analysis, Settings, analyze
from .audio import Audio, load_audio
from .intonation import measure_intonation
from .messages import Message
from .scoring import band_message
from .targets import Targets

__all__ = [
    "Repetition",
    "Ladder",
    "break_threshold_s",
    "segment_repetitions",
    "rate_repetitions",
    "climb_rho",
    "analyze_ladder",
    "analyze_ladder_file",
]

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
"""A climb needs this many rated rungs to be judged."""
MIN_RHO = 0.8
"""Spearman rank correlation of level with order that counts as rising."""
MIN_RISE_LEVELS = 1.5
"""The top rung must be this many levels above the bottom rung."""
TOP_LEVEL = 8.0
"""A top rung below this level did not exaggerate enough (the manual's 10 is a radio DJ)."""
ROLES = ("normal", "climb", "step_down", "settle")


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


@dataclass(frozen=True)
class Ladder:
    """The ladder exercise of one recording.

    Attributes
    ----------
    analysis : Analysis
        The whole recording.
    repetitions : tuple of Repetition
        In time order.
    rises : bool
        The climb rises (see the module docstring).
    low_level, high_level : float
        Levels of the bottom and top rung of the climb: the agent's own 1 and
        10 (NaN when nothing was rated).
    settled_level : float or None
        Level of the last repetition after the peak (the "5-6" step); None
        when the recording ends at the top.
    verdict : str
        ``"settled_within"``, ``"settled_below"``, ``"settled_above"``,
        ``"no_settle"`` (rises, but ends at the top), ``"no_climb"`` or
        ``"too_few"`` (fewer than ``MIN_RUNGS`` rated repetitions).
    advice : tuple of Message
        ``ladder.*`` catalog messages.
    climb_rho : float
        Spearman rank correlation of level with order over the climb (NaN
        with fewer than two rungs or constant levels).
    """

    analysis: Analysis
    repetitions: tuple
    rises: bool
    low_level: float
    high_level: float
    settled_level: float | None
    verdict: str
    advice: tuple
    climb_rho: float = math.nan

    @property
    def settled_own_level(self) -> float | None:
        """Where the settled level sits on the agent's own ladder (low = 1, high = 10), or None."""
        if self.settled_level is None or not self.rises:
            return None
        own = 1.0 + 9.0 * (self.settled_level - self.low_level) / (self.high_level - self.low_level)
        return round(float(np.clip(own, 1.0, 10.0)), 1)

    def to_dict(self, *, lang: str = "en") -> dict:
        """JSON-ready dict (keys carry units; NaN becomes None); advice rendered in ``lang``."""
        from .messages import render
        from .recording import display_name
        from .serialize import SCHEMA_VERSION, clean

        a = self.analysis
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "ladder",
            "file": display_name(a.audio.path),
            "language": a.settings.language,
            "repetitions": [
                {
                    "index": i + 1,
                    "start_s": clean(r.start_s, 2),
                    "end_s": clean(r.end_s, 2),
                    "level": clean(r.level, 1),
                    "spread_st": clean(r.spread_st, 2),
                    "voiced_s": clean(r.voiced_s, 2),
                    "role": r.role,
                    "window": r.window,
                }
                for i, r in enumerate(self.repetitions)
            ],
            "rises": self.rises,
            "climb_rho": clean(self.climb_rho, 3),
            "low_level": clean(self.low_level, 1),
            "high_level": clean(self.high_level, 1),
            "settled_level": clean(self.settled_level, 1),
            "settled_own_level": clean(self.settled_own_level, 1),
            "target": a.targets.intonation_level.to_dict(),
            "verdict": self.verdict,
            "advice": [render(m, lang) for m in self.advice],
            "advice_keys": [m.key for m in self.advice],
            "analysis": a.to_dict(lang=lang),
        }


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


def climb_rho(levels) -> float:
    """Spearman rank correlation of ``levels`` with their order (NaN if < 2 values or constant)."""
    from scipy.stats import rankdata

    y = np.asarray(levels, dtype=float)
    if y.size < 2 or np.ptp(y) == 0:
        return math.nan
    return float(np.corrcoef(rankdata(y), np.arange(y.size))[0, 1])


def _climb(levels: np.ndarray) -> tuple:
    """(first, peak) indices of the climb among finite ``levels``, or None if nothing is rated."""
    rated = np.flatnonzero(np.isfinite(levels))
    if rated.size == 0:
        return None
    peak = int(rated[np.argmax(levels[rated])])
    before = rated[rated <= peak]
    return int(before[np.argmin(levels[before])]), peak


def _roles(reps: list, first: int, peak: int, settle: int | None) -> list:
    def role(i: int) -> str:
        if i < first:
            return "normal"
        if i <= peak:
            return "climb"
        return "settle" if i == settle else "step_down"

    return [replace(r, role=role(i)) for i, r in enumerate(reps)]


def _verdict(rises: bool, n_rated: int, settled: float | None, targets: Targets) -> str:
    if n_rated < MIN_RUNGS:
        return "too_few"
    if not rises:
        return "no_climb"
    if settled is None:
        return "no_settle"
    return "settled_" + targets.intonation_level.verdict(settled)


def _advice(verdict: str, rungs: np.ndarray, settled, n_rated: int, targets: Targets) -> tuple:
    target = band_message(targets.intonation_level)
    low, high = (float(rungs[0]), float(rungs[-1])) if rungs.size else (math.nan, math.nan)
    out = []
    if verdict == "too_few":
        out.append(Message("ladder.too_few", {"count": n_rated, "rungs": MIN_RUNGS}))
    elif verdict == "no_climb" and rungs.size < MIN_RUNGS:
        out.append(Message("ladder.short_climb", {"count": int(rungs.size), "rungs": MIN_RUNGS}))
    elif verdict == "no_climb":
        out.append(Message("ladder.no_rise", {"low": f"{low:.1f}", "high": f"{high:.1f}"}))
    if math.isfinite(high) and high < TOP_LEVEL:
        out.append(Message("ladder.top_low", {"level": f"{high:.1f}", "top": f"{TOP_LEVEL:g}"}))
    if verdict == "no_settle":
        out.append(Message("ladder.no_settle", {"target": target}))
    elif verdict.startswith("settled_"):
        out.append(Message(f"ladder.{verdict}", {"level": f"{settled:.1f}", "target": target}))
    out.append(Message("ladder.repeat"))
    return tuple(out)


def analyze_ladder(audio: Audio, *, settings: Settings | None = None, targets: Targets | None = None) -> Ladder:
    """Analyze a recording of the ladder exercise.

    Parameters
    ----------
    audio : Audio
        From :func:`tonecheck.audio.load_audio` or :func:`tonecheck.audio.from_array`.
    settings : Settings, optional
        Language (selects the intonation calibration) and channel.
    targets : Targets, optional
        ``intonation_level`` is the band the settled repetition is judged against.

    Returns
    -------
    ladder : Ladder

    Raises
    ------
    TonecheckError
        No speech or no voiced speech (as :func:`tonecheck.analysis.analyze`).
    """
    analysis = analyze(audio, settings=settings or Settings(), targets=targets)
    reps = rate_repetitions(analysis, segment_repetitions(analysis.speech.segments_s))
    levels = np.array([r.level for r in reps], dtype=float)
    n_rated = int(np.isfinite(levels).sum())
    bounds = _climb(levels)
    if bounds is None:
        advice = _advice("too_few", np.array([]), None, 0, analysis.targets)
        return Ladder(analysis, tuple(reps), False, math.nan, math.nan, None, "too_few", advice)
    first, peak = bounds
    after = [i for i in range(peak + 1, len(reps)) if math.isfinite(levels[i])]
    settle = after[-1] if after else None
    reps = _roles(reps, first, peak, settle)
    rungs = levels[first : peak + 1]
    rungs = rungs[np.isfinite(rungs)]
    rho = climb_rho(rungs)
    low, high = float(levels[first]), float(levels[peak])
    rises = rungs.size >= MIN_RUNGS and rho >= MIN_RHO and high - low >= MIN_RISE_LEVELS
    settled = None if settle is None else float(levels[settle])
    verdict = _verdict(rises, n_rated, settled, analysis.targets)
    advice = _advice(verdict, rungs, settled, n_rated, analysis.targets)
    return Ladder(analysis, tuple(reps), bool(rises), low, high, settled, verdict, advice, rho)


def analyze_ladder_file(path, *, settings: Settings | None = None, targets: Targets | None = None) -> Ladder:
    """Load ``path`` and analyze it as a ladder exercise (:func:`analyze_ladder`).

    Parameters
    ----------
    path : str or os.PathLike
        A recording in any format :func:`tonecheck.audio.load_audio` reads.
    settings : Settings, optional
    targets : Targets, optional

    Returns
    -------
    ladder : Ladder

    Raises
    ------
    TonecheckError
        The file cannot be read or holds no speech.
    """
    settings = settings or Settings()
    return analyze_ladder(load_audio(path, channel=settings.channel), settings=settings, targets=targets)
