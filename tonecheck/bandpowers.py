"""Per-frame band powers, all bands of a frame from one FFT.

The alpha-ratio bands of emotional intensity (:mod:`tonecheck.intensity`,
also two of the syllable detector's three contours) and, for Mandarin, the
mel bands of the syllable-rate modulation detector
(:mod:`tonecheck.syllables`): one Hann-windowed spectrum per frame, read
only for the frames asked for, weighted into every band at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import fft as sfft
from scipy import signal

from .filterbank import MelBands
from .frames import frame_signal, hop_length
from .loudness import WINDOW_S

__all__ = ["FrameBandPowers", "frame_band_powers", "alpha_band_energies", "INTENSITY_LOW_HZ", "INTENSITY_HIGH_HZ"]

INTENSITY_LOW_HZ = (400.0, 1000.0)
INTENSITY_HIGH_HZ = (1000.0, 3400.0)
"""Alpha-ratio bands for intensity: both inside the telephone band (300-3400 Hz)."""
INTENSITY_BAND_ORDER = 2
"""12 dB per octave per edge: the shape of each band's power response (2nd-order Butterworth band-pass)."""
SPAN_FRAMES = 4096
"""Frames per stretch read at once by :func:`frame_band_powers` (about 1.3 MB of float32 at 8 kHz)."""


def alpha_band_energies(y: np.ndarray, *, sr: int, hop_s: float = 0.01, frames: np.ndarray | None = None) -> tuple:
    """Per-frame power in the upper and lower alpha bands (:func:`frame_band_powers` without mel bands).

    Returns
    -------
    high, low : np.ndarray [shape=(n_frames,)], float32
        As :attr:`FrameBandPowers.alpha_high` and ``alpha_low``.
    """
    powers = frame_band_powers(y, sr=sr, hop_s=hop_s, frames=frames)
    return powers.alpha_high, powers.alpha_low


@dataclass(frozen=True)
class FrameBandPowers:
    """Band powers of each frame, all from one spectrum per frame.

    Attributes
    ----------
    alpha_high, alpha_low : np.ndarray [shape=(n_frames,)], float32
        Linear mean-square power (relative to full scale) in
        ``INTENSITY_HIGH_HZ`` and ``INTENSITY_LOW_HZ``; their ratio does not
        depend on gain.
    mel : np.ndarray [shape=(n_bands, n_frames)], float32, or None
        Power in each kept band of the requested :class:`~tonecheck.filterbank.MelBands`
        (mean power density, arbitrary but common scale), None when none
        was asked for.

    NaN marks a frame that was not measured.
    """

    alpha_high: np.ndarray
    alpha_low: np.ndarray
    mel: np.ndarray | None = None


def frame_band_powers(
    y: np.ndarray,
    *,
    sr: int,
    hop_s: float = 0.01,
    frames: np.ndarray | None = None,
    mel_bands: MelBands | None = None,
) -> FrameBandPowers:
    """Alpha-band powers (and optionally mel-band powers) of each frame, from one FFT per frame.

    Each frame (``WINDOW_S`` centred on the frame time, Hann window) gets
    one FFT; each alpha band's power is the spectrum weighted by the squared
    magnitude response of a 2nd-order Butterworth band-pass
    (``INTENSITY_BAND_ORDER``) over ``INTENSITY_HIGH_HZ`` or
    ``INTENSITY_LOW_HZ``, scaled by Parseval so a sine in the pass band
    reads its mean-square power.  This is the power that filtering the
    signal with that band-pass and taking the frame's mean square gives
    (to within the window shape), at the cost of one FFT for all bands,
    and only for the frames asked for.  Mel bands (for the syllable
    detector, :mod:`tonecheck.syllables`) are further columns of the same
    weighting.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)] or SampleFile
        Mono signal, full scale = 1.0.
    sr : int > 0
        Sample rate in Hz (the upper band stops at ``0.45 * sr`` at most).
    hop_s : float > 0
        Frame hop in seconds.
    frames : np.ndarray [shape=(n_frames,)], bool, optional
        Frames to measure (default: all), e.g.
        :func:`tonecheck.intensity.alpha_frames`.
    mel_bands : MelBands, optional
        Mel bands to measure as well.

    Returns
    -------
    powers : FrameBandPowers
    """
    hop = hop_length(sr, hop_s=hop_s)
    count = 1 + len(y) // hop
    if frames is not None and len(frames) != count:
        raise ValueError(f"frames has {len(frames)} entries for {count} frames; pass one flag per frame")
    n_win = int(round(WINDOW_S * sr))
    n_fft = sfft.next_fast_len(n_win, real=True)
    window, weights = _band_weights(sr, n_win, n_fft, mel_bands)
    out = np.full((weights.shape[1], count), np.nan, np.float32)
    for first in range(0, count, SPAN_FRAMES):
        sel = np.arange(first, min(count, first + SPAN_FRAMES))
        if frames is not None:
            sel = sel[np.asarray(frames[first : first + SPAN_FRAMES], bool)]
        if sel.size:
            stretch = frame_signal(y, frame_length=n_win, hop=hop, start=int(sel[0]), count=int(sel[-1] - sel[0] + 1))
            cut = stretch[sel - sel[0]].astype(np.float32, copy=False)
            cut *= window
            parts = sfft.rfft(cut, n=n_fft, axis=1, overwrite_x=True).view(np.float32)
            out[:, sel] = (np.square(parts, out=parts) @ weights).T
    return FrameBandPowers(out[0], out[1], out[2:] if mel_bands is not None else None)


@cache
def _band_weights(sr: int, n_win: int, n_fft: int, mel_bands: MelBands | None = None) -> tuple:
    """Hann window and per-bin weights turning its spectrum into band powers (pure, so cached).

    The weights have shape ``(n_fft + 2, 2 + n_mel)``: the (high, low) alpha
    bands, then the kept mel bands; each bin's weight twice, for the real
    and imaginary parts of ``rfft`` viewed as float32 pairs.
    """
    window = signal.get_window("hann", n_win).astype(np.float32)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    parseval = np.full(freqs.size, 2.0)
    parseval[0] = 1.0
    if n_fft % 2 == 0:
        parseval[-1] = 1.0
    cols = []
    for lo_hz, hi_hz in (INTENSITY_HIGH_HZ, INTENSITY_LOW_HZ):
        sos = signal.butter(INTENSITY_BAND_ORDER, [lo_hz, min(hi_hz, 0.45 * sr)], btype="band", fs=sr, output="sos")
        response = np.abs(signal.sosfreqz(sos, worN=freqs, fs=sr)[1]) ** 2
        cols.append(response * parseval / (n_fft * float(np.sum(window.astype(np.float64) ** 2))))
    if mel_bands is not None:
        cols.extend(mel_bands.filters(sr=sr, n_fft=n_fft))
    weights = np.repeat(np.stack(cols, axis=1).astype(np.float32), 2, axis=0)
    window.flags.writeable = weights.flags.writeable = False
    return window, weights
