"""Loudness: frame levels, active speech level, phrase variation and alpha-ratio bands.

Definitions (also in docs/measures.md)
--------------------------------------
frame level
    RMS level of a 30 ms rectangular window every 10 ms, in dBFS as AES17
    defines it: a full-scale sine reads 0 dBFS (RMS in dB plus 3.01 dB).
active speech level
    In the spirit of ITU-T P.56: the mean power of the frames whose level is
    within ``P56_MARGIN_DB`` (15.9 dB) of the active level itself, found by
    fixed-point iteration over the speech frames.  Pauses and background
    do not dilute it.
variation across phrases
    Standard deviation in dB of the active level of each phrase (speech
    stretch between pauses, at least ``MIN_PHRASE_S`` long).
alpha ratio
    Spectral balance of voiced speech: energy 1-4 kHz over 50 Hz-1 kHz, in
    dB (louder, more effortful voices put relatively more energy into the
    upper harmonics, independent of microphone gain).  Emotional intensity
    (:mod:`tonecheck.intensity`) uses per-frame powers in telephone-safe
    bands, :func:`tonecheck.bandpowers.alpha_band_energies`.  The level-based ``energy_index``
    was retired: it moved with microphone gain.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import signal

from .frames import frames_at, hop_length

__all__ = [
    "LoudnessSummary",
    "frame_levels_db",
    "active_speech_level_db",
    "phrase_levels_db",
    "alpha_ratio_db",
    "summarize_loudness",
]

WINDOW_S = 0.03
"""Frame window for levels (30 ms)."""
SILENCE_DB = -120.0
"""Level reported for digital silence."""
P56_MARGIN_DB = 15.9
"""ITU-T P.56 margin between the active level and the activity threshold."""
MIN_PHRASE_S = 0.4
"""Shortest phrase that counts towards level variation."""
ALPHA_SPLIT_HZ = 1000.0
ALPHA_LOW_HZ = 50.0
ALPHA_HIGH_HZ = 4000.0
BAND_ORDER = 4
"""Band-pass order per edge: 24 dB per octave rejects mains hum and rumble."""
BLOCK_SEGMENTS = 1 << 14
"""Segments filtered per block (bounded memory for hours-long audio: 5 MB of float64 a block at 8 kHz)."""
FULL_SCALE_DB = 3.0103
"""AES17: RMS in dB plus this offset, so a full-scale sine reads 0 dBFS."""


@dataclass(frozen=True)
class LoudnessSummary:
    """Per-file loudness figures.

    Attributes
    ----------
    speech_level_dbfs : float
        Active speech level (P.56 style) in dBFS.
    variation_db : float
        SD of phrase levels in dB (0 when there is only one phrase).
    trend_db_per_min : float
        Slope of phrase levels over time (negative = fading).
    clipped_fraction : float
        Share of source samples at full scale.
    alpha_ratio_db : float
        Energy 1-4 kHz relative to 50 Hz-1 kHz in voiced speech, dB.
    """

    speech_level_dbfs: float
    variation_db: float
    trend_db_per_min: float
    clipped_fraction: float
    alpha_ratio_db: float


def frame_levels_db(
    y: np.ndarray, *, sr: int, hop_s: float = 0.01, band_hz: tuple | None = None, order: int = BAND_ORDER
) -> np.ndarray:
    """Frame RMS level in dBFS on the shared frame grid, in bounded memory.

    The signal is cut into half-hop segments whose energies are summed
    block by block (an optional band-pass filter runs with its state
    carried across blocks), and each frame adds up the ``WINDOW_S`` worth
    of segments centred on it, from a running sum carried across blocks.
    Working memory is a few blocks of ``BLOCK_SEGMENTS`` segments; only
    the float32 result grows with the length.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)] or SampleFile
        Mono float signal, full scale = 1.0 (anything ``len()`` and
        ``y[a:b]`` work on, such as a :class:`~tonecheck.samplefile.SampleFile`).
    sr : int > 0
        Sample rate in Hz; ``hop_s * sr`` must be an even number of samples.
    hop_s : float > 0
        Hop between frames in seconds.
    band_hz : (float, float), optional
        Band-pass the signal to this band (Hz) first.
    order : int > 0
        Butterworth order per band edge (``BAND_ORDER``; 2 is 12 dB per octave at a third of the cost).

    Returns
    -------
    level_db : np.ndarray [shape=(1 + n // hop,)], float32
        ``SILENCE_DB`` where the frame is digitally silent.
    """
    hop = hop_length(sr, hop_s=hop_s)
    if hop % 2:
        raise ValueError(f"hop of {hop} samples at sr={sr} is odd; choose hop_s so that hop_s*sr is even")
    seg = hop // 2
    half = int(round(WINDOW_S * sr / seg)) // 2  # segments each side of a frame centre
    count = 1 + len(y) // hop
    last = -(-len(y) // seg) + 1  # running-sum index after the last (empty) segment
    level = np.empty(count, np.float32)
    csum, base, done = np.zeros(1), 0, 0  # running sums of segment energies from index `base` on
    for energy in _segment_energies(y, sr=sr, seg=seg, band_hz=band_hz, order=order):
        csum = np.concatenate((csum[:-1], np.cumsum(np.concatenate((csum[-1:], energy)))))
        top = base + csum.size - 1
        stop = count if top >= last else min(count, (top - half) // 2 + 1)
        if stop > done:
            centre = 2 * np.arange(done, stop)
            lo = np.clip(centre - half, 0, last) - base
            hi = np.clip(centre + half, 0, last) - base
            level[done:stop] = _level_db((csum[hi] - csum[lo]) / (2 * half * seg))
            done = stop
        keep = min(max(0, 2 * done - half), top)
        csum, base = csum[keep - base :], keep
    return level


def _level_db(power: np.ndarray) -> np.ndarray:
    """dBFS (AES17) of mean-square power, floored at ``SILENCE_DB``, float32."""
    with np.errstate(divide="ignore"):
        level = 10.0 * np.log10(np.maximum(power, 0.0)) + FULL_SCALE_DB
    return np.maximum(level, SILENCE_DB).astype(np.float32)


def _segment_energies(y: np.ndarray, *, sr: int, seg: int, band_hz, order: int = BAND_ORDER) -> Iterator[np.ndarray]:
    """Sum of squares of each ``seg``-sample segment (last one zero-padded), in blocks.

    The last block ends with one extra empty (zero) segment.
    """
    sos = zi = None
    if band_hz is not None:
        sos = signal.butter(order, [band_hz[0], min(band_hz[1], 0.45 * sr)], btype="band", fs=sr, output="sos")
        zi = np.zeros((sos.shape[0], 2))
    block = seg * BLOCK_SEGMENTS
    for start in range(0, len(y), block):
        part = y[start : start + block]
        chunk = np.asarray(part, dtype=np.float64)
        if sos is not None:
            chunk, zi = signal.sosfilt(sos, chunk, zi=zi)
        elif np.may_share_memory(chunk, part):
            chunk = chunk.copy()  # squared in place below: never the caller's samples
        pad = (-len(chunk)) % seg
        if pad:
            chunk = np.pad(chunk, (0, pad))
        energy = np.square(chunk, out=chunk).reshape(-1, seg).sum(axis=1)
        yield energy if start + block < len(y) else np.append(energy, 0.0)
    if not len(y):
        yield np.zeros(1)


def _power_mean_db(levels_db: np.ndarray) -> float:
    return float(10.0 * np.log10(np.mean(10.0 ** (levels_db / 10.0))))


def active_speech_level_db(levels_db: np.ndarray, speech: np.ndarray) -> float:
    """Active speech level in dBFS (ITU-T P.56 style fixed point).

    Parameters
    ----------
    levels_db : np.ndarray [shape=(n_frames,)]
        Frame levels from :func:`frame_levels_db`.
    speech : np.ndarray [shape=(n_frames,)], bool
        Speech frames.

    Returns
    -------
    level_dbfs : float
        ``nan`` if there are no speech frames.
    """
    lev = levels_db[speech]
    if lev.size == 0:
        return float("nan")
    active = _power_mean_db(lev)
    for _ in range(20):
        kept = lev[lev >= active - P56_MARGIN_DB]
        new = _power_mean_db(kept)
        if abs(new - active) < 0.01:
            break
        active = new
    return float(active)


def phrase_levels_db(levels_db: np.ndarray, segments_s, *, hop_s: float) -> np.ndarray:
    """Active level of each phrase at least ``MIN_PHRASE_S`` long.

    Parameters
    ----------
    levels_db : np.ndarray
        Frame levels.
    segments_s : sequence of (start_s, end_s)
        Speech stretches between pauses.
    hop_s : float
        Frame hop in seconds.

    Returns
    -------
    levels : np.ndarray [shape=(n_phrases, 2)]
        Columns: phrase centre time in s, phrase active level in dBFS.
    """
    rows = []
    for start_s, end_s in segments_s:
        if end_s - start_s < MIN_PHRASE_S:
            continue
        a, b = int(round(start_s / hop_s)), int(round(end_s / hop_s))
        seg = levels_db[a : b + 1]
        rows.append(((start_s + end_s) / 2, active_speech_level_db(seg, np.ones(seg.size, bool))))
    return np.array(rows, dtype=float).reshape(-1, 2)


def alpha_ratio_db(
    y: np.ndarray, *, sr: int, frames_mask: np.ndarray, hop_s: float = 0.01, max_frames: int = 3000
) -> float:
    """Alpha ratio in dB over the masked (voiced) frames.

    Parameters
    ----------
    y : np.ndarray or SampleFile
        Mono signal.
    sr : int
        Sample rate in Hz (the upper band stops at ``min(4000, sr/2)``).
    frames_mask : np.ndarray, bool
        Frames to use (typically voiced speech).
    max_frames : int
        At most this many evenly spaced frames are used (bounded cost).

    Returns
    -------
    ratio_db : float
        ``10 log10(E[1k-4k] / E[50-1k])``; ``nan`` without usable frames.
    """
    idx = np.flatnonzero(frames_mask)
    if idx.size == 0:
        return float("nan")
    if idx.size > max_frames:
        idx = idx[np.linspace(0, idx.size - 1, max_frames).astype(int)]
    hop = hop_length(sr, hop_s=hop_s)
    n_fft = 1 << int(np.ceil(np.log2(WINDOW_S * sr)))
    frames = frames_at(y, idx, frame_length=n_fft, hop=hop)
    spec = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    low = spec[:, (freqs >= ALPHA_LOW_HZ) & (freqs < ALPHA_SPLIT_HZ)].sum()
    high = spec[:, (freqs >= ALPHA_SPLIT_HZ) & (freqs <= min(ALPHA_HIGH_HZ, sr / 2))].sum()
    if low <= 0 or high <= 0:
        return float("nan")
    return float(10.0 * np.log10(high / low))


def summarize_loudness(
    levels_db: np.ndarray, *, speech: np.ndarray, segments_s, hop_s: float, clipped_fraction: float, alpha_db: float
) -> LoudnessSummary:
    """Combine frame levels and phrase structure into a :class:`LoudnessSummary`."""
    phrases = phrase_levels_db(levels_db, segments_s, hop_s=hop_s)
    variation = float(np.std(phrases[:, 1])) if len(phrases) >= 2 else 0.0
    trend = 0.0
    if len(phrases) >= 3 and np.ptp(phrases[:, 0]) > 0:
        trend = float(np.polyfit(phrases[:, 0] / 60.0, phrases[:, 1], 1)[0])
    return LoudnessSummary(
        speech_level_dbfs=active_speech_level_db(levels_db, speech),
        variation_db=variation,
        trend_db_per_min=trend,
        clipped_fraction=float(clipped_fraction),
        alpha_ratio_db=alpha_db,
    )
