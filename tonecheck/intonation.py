"""Intonation level on the manual's 1-10 scale.

Measure
-------
Pitch is converted to semitones and its spread is measured *inside* short
windows (``WINDOW_S`` = 10 s, hopping ``STEP_S`` = 5 s, after Hincks' pitch
variation quotient per 10 s window): each window's standard deviation of
semitones around its own median.  Slow drift across a call and the
speaker's natural register therefore do not count; only the rise and fall
the listener hears does.  The recording's figure is the voiced-time
weighted mean of the window figures.  Recordings shorter than a window are
one window.

Scale
-----
The spread in semitones maps to the 1-10 scale through a piecewise-linear,
per-language calibration (``calibration/intonation.json``, versioned).
Anchor 1 is a true monotone; Mandarin anchors sit higher because lexical
tones move F0 on every syllable.  docs/calibration.md says how the anchors
were chosen and what data supports them.

Reference: R. Hincks (2005), Measures and perceptions of liveliness in
student oral presentation speech, Proc. Interspeech.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

__all__ = [
    "IntonationCalibration",
    "IntonationWindow",
    "Intonation",
    "intonation_calibration",
    "semitones",
    "window_spread_st",
    "measure_intonation",
    "PitchSummary",
    "summarize_pitch",
]

WINDOW_S = 10.0
STEP_S = 5.0
MIN_VOICED_S = 0.5
"""A window needs this much voiced speech to be rated."""
FOLD_ST = 9.0
"""Frames further than this from the window median are octave jumps
(period doubling in creaky voice, or tracker errors) and are moved by an
octave toward the median: listeners do not hear them as an octave leap."""
CLIP_ST = 12.0
"""Excursions beyond an octave from the window median count as one octave."""
LEVEL_MIN, LEVEL_MAX = 1.0, 10.0


@dataclass(frozen=True)
class IntonationCalibration:
    """Piecewise-linear map from semitone spread to level, per language."""

    version: str
    language: str
    spread_st: tuple
    level: tuple

    def level_for(self, spread_st: float) -> float:
        """Level 1.0-10.0 for a spread in semitones (clamped at the ends)."""
        return float(np.clip(np.interp(spread_st, self.spread_st, self.level), LEVEL_MIN, LEVEL_MAX))

    def spread_for(self, level: float) -> float:
        """Semitone spread that maps to ``level`` (inverse of :meth:`level_for`)."""
        return float(np.interp(level, self.level, self.spread_st))


@dataclass(frozen=True)
class IntonationWindow:
    """One rated window: times in seconds, spread in semitones, level 1-10."""

    start_s: float
    end_s: float
    spread_st: float
    voiced_s: float
    level: float


@dataclass(frozen=True)
class Intonation:
    """Intonation of a recording.

    Attributes
    ----------
    level : float
        1.0-10.0, one decimal is meaningful; ``nan`` without voiced speech.
    spread_st : float
        Weighted mean window spread (SD) in semitones.
    windows : tuple of IntonationWindow
        Rated windows over time (unrated windows are left out).
    calibration : IntonationCalibration
    """

    level: float
    spread_st: float
    windows: tuple
    calibration: IntonationCalibration


@cache
def intonation_calibration(language: str) -> IntonationCalibration:
    """The shipped calibration for ``language`` (en, zh)."""
    text = resources.files("tonecheck.calibration").joinpath("intonation.json").read_text("utf-8")
    data = json.loads(text)
    if language not in data["languages"]:
        raise ValueError(f"no intonation calibration for language={language!r}; use one of {sorted(data['languages'])}")
    anchors = data["languages"][language]["anchors"]
    return IntonationCalibration(data["version"], language, tuple(a[0] for a in anchors), tuple(a[1] for a in anchors))


def semitones(f0_hz: np.ndarray, *, ref_hz: float) -> np.ndarray:
    """``12 log2(f0 / ref)``; NaN stays NaN."""
    return 12.0 * np.log2(np.asarray(f0_hz, dtype=float) / ref_hz)


def window_spread_st(f0_hz: np.ndarray, *, hop_s: float) -> list:
    """Semitone spread in each window.

    Parameters
    ----------
    f0_hz : np.ndarray [shape=(n_frames,)]
        F0 with NaN for unvoiced frames.
    hop_s : float
        Frame hop in seconds.

    Returns
    -------
    windows : list of (start_s, end_s, spread_st, voiced_s)
        Windows with at least ``MIN_VOICED_S`` of voicing.
    """
    n = len(f0_hz)
    win, step = int(round(WINDOW_S / hop_s)), int(round(STEP_S / hop_s))
    starts = [0] if n <= win else list(range(0, n - win + step, step))
    out = []
    for a in starts:
        b = min(n, a + win)
        st = semitones(f0_hz[a:b], ref_hz=1.0)
        st = st[np.isfinite(st)]
        voiced_s = st.size * hop_s
        if voiced_s < MIN_VOICED_S:
            continue
        dev = st - np.median(st)
        dev = np.where(np.abs(dev) > FOLD_ST, dev - 12.0 * np.sign(dev), dev)
        dev = np.clip(dev - np.median(dev), -CLIP_ST, CLIP_ST)  # re-centre after folding
        out.append((a * hop_s, b * hop_s, float(np.sqrt(np.mean(dev**2))), voiced_s))
    return out


def measure_intonation(f0_hz: np.ndarray, *, hop_s: float, language: str) -> Intonation:
    """Intonation level and per-window levels from an F0 track.

    Parameters
    ----------
    f0_hz : np.ndarray [shape=(n_frames,)]
        F0 in Hz, NaN where unvoiced.
    hop_s : float
        Frame hop in seconds.
    language : {"en", "zh"}
        Selects the calibration.

    Returns
    -------
    intonation : Intonation
    """
    cal = intonation_calibration(language)
    rows = window_spread_st(f0_hz, hop_s=hop_s)
    windows = tuple(IntonationWindow(a, b, s, v, round(cal.level_for(s), 1)) for a, b, s, v in rows)
    if not windows:
        return Intonation(float("nan"), float("nan"), (), cal)
    weights = np.array([w.voiced_s for w in windows])
    spread = float(np.average([w.spread_st for w in windows], weights=weights))
    return Intonation(round(cal.level_for(spread), 1), spread, windows, cal)


@dataclass(frozen=True)
class PitchSummary:
    """Register and spread of the voiced pitch.

    Attributes
    ----------
    median_hz : float
        Median F0 of voiced frames.
    range_st : float
        10th to 90th percentile range in semitones.
    sd_st : float
        Standard deviation in semitones over the whole recording.
    rise_st : float
        Median pitch of the last third of voiced speech minus that of the
        first third, semitones (a voice tightening under stress rises).
    voiced_s : float
        Voiced time in seconds.
    """

    median_hz: float
    range_st: float
    sd_st: float
    rise_st: float
    voiced_s: float


def summarize_pitch(f0_hz: np.ndarray, *, hop_s: float) -> PitchSummary:
    """Register and spread of an F0 track (NaN = unvoiced)."""
    f0 = np.asarray(f0_hz)
    f0 = f0[np.isfinite(f0)].astype(float)  # voiced frames only: no frame-length float64 copy
    if f0.size == 0:
        nan = float("nan")
        return PitchSummary(nan, nan, nan, nan, 0.0)
    median = float(np.median(f0))
    st = semitones(f0, ref_hz=median)
    p10, p90 = np.percentile(st, [10, 90])
    third = max(1, f0.size // 3)
    rise = float(np.median(st[-third:]) - np.median(st[:third]))
    return PitchSummary(median, float(p90 - p10), float(np.std(st)), rise, f0.size * hop_s)
