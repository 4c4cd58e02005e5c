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

__all__ = ["PartyTalk", "SpeechActivity", "close_gaps", "detect_speech", "drop_short", "own_speech", "runs"]

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
    turns_s : tuple of (float, float) or None
        One party of a call: the stretches it holds the floor
        (:func:`own_speech`). Pauses are then only the gaps inside a turn,
        never the other party's talk. None for a one-voice recording.
    """

    hop_s: float
    is_speech: np.ndarray
    segments_s: tuple
    noise_floor_db: float
    threshold_db: float
    reference_db: float
    turns_s: tuple | None = None

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
        """Pauses ``(start_s, end_s)`` inside the speaking span (inside a turn, for one party of a call)."""
        segs = self.segments_s
        gaps = tuple((a[1], b[0]) for a, b in zip(segs[:-1], segs[1:]))
        if self.turns_s is None:
            return gaps
        return tuple(g for g in gaps if any(t0 <= g[0] and g[1] <= t1 for t0, t1 in self.turns_s))

    @property
    def talk_s(self) -> float:
        """Time the speaker holds the floor: the speaking span, or the sum of the turns (seconds)."""
        if self.turns_s is None:
            start, end = self.span_s
            return end - start
        return float(sum(e - s for s, e in self.turns_s))


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


def close_gaps(mask: np.ndarray, max_gap: int) -> np.ndarray:
    """``mask`` with inner runs of False shorter than ``max_gap`` frames filled."""
    out = mask.copy()
    gaps = runs(~mask)
    for a, b in gaps:
        if a > 0 and b < mask.size and b - a < max_gap:
            out[a:b] = True
    return out


def drop_short(mask: np.ndarray, min_len: int) -> np.ndarray:
    """``mask`` with runs of True shorter than ``min_len`` frames removed."""
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
    mask = close_gaps(mask, int(round(MIN_PAUSE_S / hop_s)))
    mask = drop_short(mask, int(round(MIN_SPEECH_S / hop_s)))
    segments = tuple((float(a * hop_s), float(b * hop_s)) for a, b in runs(mask))
    return SpeechActivity(hop_s, mask, segments, floor, low, loud)


@dataclass(frozen=True, eq=False)
class PartyTalk:
    """Which part of a recording is one party's in a two-party call.

    Attributes
    ----------
    frames : np.ndarray [shape=(n_frames,)], bool
        Frames (``hop_s`` apart) that belong to the party.
    turns_s : tuple of (float, float)
        The party's turns in seconds, backchannels excluded.
    band_levels_db : np.ndarray or None
        The channel's speech-band frame levels when the caller already
        measured them (they are not measured twice).
    channel_speech : SpeechActivity or None
        The speech found in those levels, likewise (needs ``band_levels_db``).
    """

    frames: np.ndarray
    turns_s: tuple
    band_levels_db: np.ndarray | None = None
    channel_speech: SpeechActivity | None = None


def own_speech(activity: SpeechActivity, frames: np.ndarray, *, turns_s: tuple) -> SpeechActivity:
    """One party's speech in a call: ``activity`` limited to the frames the party owns.

    Parameters
    ----------
    activity : SpeechActivity
        Speech found on the party's channel (it may hold the other party's
        bleed, or, on one shared channel, the other voice).
    frames : np.ndarray [shape=(n_frames,)], bool
        Frames that belong to this party (crosstalk resolved or diarized).
    turns_s : tuple of (float, float)
        The party's turns in seconds (pauses are counted inside them only).

    Returns
    -------
    activity : SpeechActivity
        Same noise floor and thresholds (they describe the channel); speech
        frames and segments are the party's own, bursts shorter than
        ``MIN_SPEECH_S`` dropped.
    """
    n = activity.is_speech.size
    own = np.zeros(n, bool)
    own[: min(n, frames.size)] = np.asarray(frames, bool)[:n]
    mask = drop_short(activity.is_speech & own, int(round(MIN_SPEECH_S / activity.hop_s)))
    hop = activity.hop_s
    segments = tuple((float(a * hop), float(b * hop)) for a, b in runs(mask))
    return SpeechActivity(
        hop,
        mask,
        segments,
        activity.noise_floor_db,
        activity.threshold_db,
        activity.reference_db,
        tuple((float(a), float(b)) for a, b in turns_s),
    )
