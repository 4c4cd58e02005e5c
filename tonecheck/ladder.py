"""The manual's ladder exercise: segment the repetitions, rate each, give the verdict.

The exercise: say a short sentence normally; say it again climbing from
level 1 to level 10 (one repetition per level, or one continuous climb);
step down to 8; settle at 5-6; repeat the ladder whenever the inflection
fades.

Method (docs/measures.md, "The ladder exercise"): one
:func:`tonecheck.analysis.analyze`; :mod:`tonecheck.ladder_repetitions`
finds the repetitions in its speech segments and rates each; this module
judges the climb and gives the advice (the segmentation names are
re-exported here, where they were first defined). The
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
from .ladder_repetitions import (  # noqa: F401 (its constants stay importable from here; patch them there)
    DEFAULT_WINDOW_S,
    FRAGMENT_SHARE,
    GAP_RATIO,
    LONG_FACTOR,
    MAX_INNER_PAUSE_S,
    MIN_RUNGS,
    Repetition,
    break_threshold_s,
    rate_repetitions,
    segment_repetitions,
)
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

MIN_RHO = 0.8
"""Spearman rank correlation of level with order that counts as rising."""
MIN_RISE_LEVELS = 1.5
"""The top rung must be this many levels above the bottom rung."""
TOP_LEVEL = 8.0
"""A top rung below this level did not exaggerate enough (the manual's 10 is a radio DJ)."""
ROLES = ("normal", "climb", "step_down", "settle")


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
