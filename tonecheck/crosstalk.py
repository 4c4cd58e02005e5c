"""Which party owns each frame of a two-channel call (crosstalk resolved).

Telephone stereo often carries an attenuated echo of the other party on each
channel (bleed, sidetone), loud enough for the speech detector. The bleed is
a fixed coupling: on frames where only party B talks, channel A's level sits
a steady ``coupling`` dB below channel B's. A frame is A's own speech when it
is speech on A's channel *and* A's channel is at least ``MARGIN_DB`` louder
than B's bleed would make it (``level_a > level_b + coupling_ab +
MARGIN_DB``). Both parties own a frame when both pass (they talk at once);
with no bleed at all the rule reduces to each channel's own speech.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .frames import HOP_S
from .speech import MIN_PAUSE_S, MIN_SPEECH_S, close_gaps, drop_short

__all__ = ["Ownership", "coupling_db", "resolve_crosstalk", "channels_identical"]

MARGIN_DB = 6.0
"""A channel must carry this much more than the other party's bleed to count as its own speech."""
NO_COUPLING_DB = -60.0
"""Coupling assumed when the other channel has no loud speech to measure it on."""
LOUD_SHARE = 0.5
"""Coupling is measured on the louder half of the other party's speech frames."""
MIN_FRAMES = 50
IDENTICAL_DB = 1.0
"""Channels whose speech frames differ by less than this (median |dB|) are one signal saved twice."""


@dataclass(frozen=True, eq=False)
class Ownership:
    """Frames each party owns and the bleed measured in each direction.

    Attributes
    ----------
    first, second : np.ndarray [shape=(n_frames,)], bool
        Own speech frames of the first and the second channel.
    coupling_db : (float, float)
        Level of the second party's bleed on the first channel relative to
        the second channel, and the reverse (dB; ``NO_COUPLING_DB`` when
        there was nothing to measure).
    """

    first: np.ndarray
    second: np.ndarray
    coupling_db: tuple


def coupling_db(levels_self: np.ndarray, levels_other: np.ndarray, other_speech: np.ndarray) -> float:
    """How loud the other party's speech comes through on this channel, relative to its own channel (dB).

    Parameters
    ----------
    levels_self, levels_other : np.ndarray [shape=(n_frames,)]
        Speech-band frame levels of the two channels, dBFS.
    other_speech : np.ndarray [shape=(n_frames,)], bool
        The other channel's speech frames.

    Returns
    -------
    coupling : float
        Median of ``levels_self - levels_other`` over the louder half of the
        other party's speech frames (where bleed stands clear of noise);
        ``NO_COUPLING_DB`` with fewer than ``MIN_FRAMES`` frames.
    """
    idx = np.flatnonzero(other_speech)
    if idx.size < MIN_FRAMES:
        return NO_COUPLING_DB
    loud = idx[levels_other[idx] >= np.quantile(levels_other[idx], 1.0 - LOUD_SHARE)]
    return float(max(np.median(levels_self[loud] - levels_other[loud]), NO_COUPLING_DB))


def _own(speech: np.ndarray, level: np.ndarray, other: np.ndarray, coupling: float, threshold: float) -> np.ndarray:
    """Own frames: audible, not explained by the other party's bleed, bridged like the speech detector."""
    decided = speech & (level >= threshold) & (level > other + coupling + MARGIN_DB)
    bridged = close_gaps(decided, int(round(MIN_PAUSE_S / HOP_S))) & speech
    return drop_short(bridged, int(round(MIN_SPEECH_S / HOP_S)))


def resolve_crosstalk(levels: tuple, speech: tuple, thresholds: tuple = (-math.inf, -math.inf)) -> Ownership:
    """Own speech frames of each channel, with the other party's bleed removed.

    Parameters
    ----------
    levels : (np.ndarray, np.ndarray)
        Speech-band frame levels (dBFS) of the first and the second channel,
        same frame grid (the shorter is padded with silence).
    speech : (np.ndarray, np.ndarray), bool
        Speech frames found on each channel by :func:`tonecheck.speech.detect_speech`.
    thresholds : (float, float)
        Each channel's speech threshold (``SpeechActivity.threshold_db``):
        frames below it (gaps the detector bridged) are decided by their
        neighbours, never by comparing two near-silent channels.

    Returns
    -------
    ownership : Ownership
    """
    n = max(len(levels[0]), len(levels[1]))
    la, lb = (_pad(np.asarray(x, np.float64), n, -120.0) for x in levels)
    sa, sb = (_pad(np.asarray(x, bool), n, False) for x in speech)
    c_ab = coupling_db(la, lb, sb & ~_clearly_louder(la, lb))
    c_ba = coupling_db(lb, la, sa & ~_clearly_louder(lb, la))
    own_a = _own(sa, la, lb, c_ab, thresholds[0])
    own_b = _own(sb, lb, la, c_ba, thresholds[1])
    return Ownership(own_a, own_b, (round(c_ab, 1), round(c_ba, 1)))


def _clearly_louder(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Frames where channel ``a`` is not plausibly bleed of ``b`` (within 3 dB or louder)."""
    return a >= b - 3.0


def _pad(x: np.ndarray, n: int, value) -> np.ndarray:
    if x.size >= n:
        return x[:n]
    return np.concatenate([x, np.full(n - x.size, value, dtype=x.dtype)])


def channels_identical(levels: tuple, speech: tuple) -> bool:
    """True when the two channels carry the same signal (a mono recording saved as stereo).

    Compares the channels' levels on frames that are speech on either: a
    median absolute difference under ``IDENTICAL_DB`` means one signal.
    """
    n = min(len(levels[0]), len(levels[1]))
    both = (np.asarray(speech[0][:n], bool) | np.asarray(speech[1][:n], bool)).nonzero()[0]
    if both.size < MIN_FRAMES:
        return False
    diff = np.abs(np.asarray(levels[0][:n], float)[both] - np.asarray(levels[1][:n], float)[both])
    return bool(math.isfinite(float(np.median(diff))) and np.median(diff) < IDENTICAL_DB)
