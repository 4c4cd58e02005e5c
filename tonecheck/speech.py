"""Speech activity: separate speech from silence and background noise.

The threshold adapts to each recording: the noise floor is a low percentile
of the frame levels, the speech reference a high percentile, and a frame is
speech when it rises ``MIN_SNR_DB`` above the floor *and* lies within
``MAX_BELOW_PEAK_DB`` of the speech reference.  A hysteresis pair of
thresholds, a minimum speech run and a minimum pause then turn frames into
speech segments; gaps of at least ``MIN_PAUSE_S`` inside the speaking span
are pauses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SpeechActivity", "detect_speech", "runs"]

QUIETEST_DB = -100.0
"""Digital silence counts as this level, so silent edges set a low noise floor."""
NOISE_PERCENTILE = 10.0
SPEECH_PERCENTILE = 95.0
MIN_SNR_DB = 6.0
"""Speech must rise this far above the noise floor."""
MAX_BELOW_PEAK_DB = 28.0
"""Frames further below the loud-speech reference are background."""
HYSTERESIS_DB = 4.0
"""Onset threshold sits this far above the offset threshold."""
MIN_SPEECH_S = 0.06
"""Shorter bursts are clicks, not speech."""
MIN_PAUSE_S = 0.25
"""Shorter gaps are stop closures and breaths within speech, not pauses."""


@dataclass(frozen=True)
class SpeechActivity:
    """Which frames are speech, and the pauses between them.

    Attributes
    ----------
    hop_s : float
        Frame hop in seconds.
    is_speech : np.ndarray [shape=(n_frames,)], bool
        Speech frames (pauses shorter than ``MIN_PAUSE_S`` are filled).
    segments_s : tuple of (float, float)
        Speech segments ``(start_s, end_s)`` in time order.
    noise_floor_db, threshold_db, reference_db : float
        Estimated background level, the offset threshold used, and the
        loud-speech reference level, dBFS.
    """

    hop_s: float
    is_speech: np.ndarray
    segments_s: tuple
    noise_floor_db: float
    threshold_db: float
    reference_db: float

    @property
    def snr_db(self) -> float:
        """Loud speech above the noise floor, dB."""
        return self.reference_db - self.noise_floor_db

    @property
    def speech_s(self) -> float:
        """Total speech time in seconds."""
        return float(sum(e - s for s, e in self.segments_s))

    @property
    def span_s(self) -> tuple:
        """``(first speech start, last speech end)`` in seconds, or ``(0, 0)``."""
        if not self.segments_s:
            return (0.0, 0.0)
        return (self.segments_s[0][0], self.segments_s[-1][1])

    @property
    def pauses_s(self) -> tuple:
        """Pauses ``(start_s, end_s)`` inside the speaking span."""
        segs = self.segments_s
        return tuple((a[1], b[0]) for a, b in zip(segs[:-1], segs[1:]))


def runs(mask: np.ndarray) -> np.ndarray:
    """Start and end (exclusive) frame index of each run of True.

    Parameters
    ----------
    mask : np.ndarray [shape=(n,)], bool

    Returns
    -------
    runs : np.ndarray [shape=(n_runs, 2)], int
    """
    padded = np.concatenate(([False], np.asarray(mask, bool), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return edges.reshape(-1, 2)


def _hysteresis(levels_db: np.ndarray, low_db: float, high_db: float) -> np.ndarray:
    """Frames above ``low_db`` in runs that reach ``high_db`` somewhere."""
    mask = levels_db > low_db
    out = np.zeros_like(mask)
    for a, b in runs(mask):
        if np.any(levels_db[a:b] > high_db):
            out[a:b] = True
    return out


def _close_gaps(mask: np.ndarray, max_gap: int) -> np.ndarray:
    out = mask.copy()
    gaps = runs(~mask)
    for a, b in gaps:
        if a > 0 and b < mask.size and b - a < max_gap:
            out[a:b] = True
    return out


def _drop_short(mask: np.ndarray, min_len: int) -> np.ndarray:
    out = mask.copy()
    for a, b in runs(mask):
        if b - a < min_len:
            out[a:b] = False
    return out


def detect_speech(levels_db: np.ndarray, *, hop_s: float = 0.01) -> SpeechActivity:
    """Find speech frames from frame levels with a noise-adaptive threshold.

    Parameters
    ----------
    levels_db : np.ndarray [shape=(n_frames,)]
        Frame levels in dBFS (:func:`tonecheck.loudness.frame_levels_db`).
    hop_s : float > 0
        Frame hop in seconds.

    Returns
    -------
    activity : SpeechActivity
    """
    lev = np.maximum(np.asarray(levels_db, dtype=np.float64), QUIETEST_DB)
    if not np.any(lev > QUIETEST_DB):
        empty = np.zeros(lev.size, bool)
        return SpeechActivity(hop_s, empty, (), float("nan"), float("nan"), float("nan"))
    floor = float(np.percentile(lev, NOISE_PERCENTILE))
    loud = float(np.percentile(lev[lev > QUIETEST_DB], SPEECH_PERCENTILE, overwrite_input=True))  # on the copy
    low = max(floor + MIN_SNR_DB, loud - MAX_BELOW_PEAK_DB)
    mask = _hysteresis(lev, low, low + HYSTERESIS_DB)
    mask = _close_gaps(mask, int(round(MIN_PAUSE_S / hop_s)))
    mask = _drop_short(mask, int(round(MIN_SPEECH_S / hop_s)))
    segments = tuple((float(a * hop_s), float(b * hop_s)) for a, b in runs(mask))
    return SpeechActivity(hop_s, mask, segments, floor, low, loud)
