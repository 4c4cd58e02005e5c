"""Pitch candidates: the autocorrelation peaks of each frame (steps 1 and 3 of :mod:`tonecheck.pitch`).

The stretch of signal around a block of frames is resampled to ``WORK_SR``;
each frame's Hann-windowed autocorrelation (``PERIODS_PER_WINDOW`` periods
of the floor, batched FFTs, divided by the window's own autocorrelation)
gives its ``N_CANDIDATES`` highest peaks between the floor and ceiling lags,
with parabolic interpolation of lag and height. :mod:`tonecheck.pitch_path`
then picks one candidate (or "unvoiced") per frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft
import soxr

__all__ = ["Candidates", "candidates"]

WORK_SR = 4000
"""Analysis sample rate in Hz."""
PERIODS_PER_WINDOW = 3.0
"""Window length in periods of the floor (Praat's value)."""
N_CANDIDATES = 4
"""Voiced candidates kept per frame."""
MIN_CANDIDATE_STRENGTH = 0.3
"""Autocorrelation peaks below this never become candidates."""
FFT_BATCH = 2048
"""Frames per batched FFT."""


@dataclass(frozen=True)
class Candidates:
    """Voiced candidates of a run of frames (``nan`` = no candidate)."""

    f0_hz: np.ndarray  # float32 [m, N_CANDIDATES]
    strength: np.ndarray  # float32 [m, N_CANDIDATES], raw peak height
    best: np.ndarray  # float32 [m], highest peak (0 if none)


def _work_signal(y: np.ndarray, sr: int, hop: int, idx: np.ndarray, half_s: float) -> tuple[np.ndarray, np.ndarray]:
    """The stretch of ``y`` around frames ``idx`` at ``WORK_SR``, and the frame centres in it."""
    margin = int(np.ceil((half_s + 0.01) * sr))
    a = max(0, int(idx[0]) * hop - margin)
    b = min(len(y), int(idx[-1]) * hop + margin)
    seg = np.asarray(y[a:b], dtype=np.float32)
    x = seg if sr == WORK_SR else soxr.resample(seg, sr, WORK_SR, quality="HQ")
    centres = np.rint((idx * hop - a) * (WORK_SR / sr)).astype(np.int64)
    return x, centres


def candidates(y: np.ndarray, sr: int, hop: int, idx: np.ndarray, floor_hz: float, ceiling_hz: float) -> Candidates:
    """Autocorrelation peaks between the floor and ceiling lags of frames ``idx``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float, or SampleFile
        The whole signal (only the stretch around ``idx`` is read).
    sr : int
        Sample rate of ``y`` in Hz.
    hop : int
        Frame hop in samples of ``y``; frame ``i`` is centred at sample ``i * hop``.
    idx : np.ndarray [shape=(m,)], int
        Sorted frame indices, one block.
    floor_hz, ceiling_hz : float
        Search range in Hz; the window is ``PERIODS_PER_WINDOW`` periods of the floor.

    Returns
    -------
    candidates : Candidates
        ``N_CANDIDATES`` per frame, strongest first.
    """
    win = int(round(PERIODS_PER_WINDOW * WORK_SR / floor_hz)) | 1
    lag_lo = max(2, int(np.floor(WORK_SR / ceiling_hz)))
    lag_hi = int(np.ceil(WORK_SR / floor_hz))
    nfft = scipy.fft.next_fast_len(win + lag_hi + 2, real=True)
    x, centres = _work_signal(y, sr, hop, idx, win / WORK_SR / 2)
    x = np.pad(x, (win, win))
    starts = centres + win - win // 2
    window = np.hanning(win + 2)[1:-1].astype(np.float32)
    r_window = scipy.fft.irfft(np.abs(scipy.fft.rfft(window, nfft)) ** 2, nfft)[: lag_hi + 2]
    r_window /= r_window[0]
    view = np.lib.stride_tricks.sliding_window_view(x, win)
    out_f0 = np.full((idx.size, N_CANDIDATES), np.nan, np.float32)
    out_s = np.full((idx.size, N_CANDIDATES), np.nan, np.float32)
    best = np.zeros(idx.size, np.float32)
    for a in range(0, idx.size, FFT_BATCH):
        fr = view[starts[a : a + FFT_BATCH]]
        fr = (fr - fr.mean(axis=1, keepdims=True)) * window
        r = scipy.fft.irfft(np.abs(scipy.fft.rfft(fr, nfft, axis=1)) ** 2, nfft, axis=1)[:, : lag_hi + 2]
        energy = r[:, :1]
        r = np.where(energy > 0, r / np.maximum(energy, 1e-30), 0.0) / r_window
        f0, s = _peaks(r, lag_lo, lag_hi)
        out_f0[a : a + len(fr)], out_s[a : a + len(fr)] = f0, s
        best[a : a + len(fr)] = np.nan_to_num(np.nanmax(np.where(np.isnan(s), -1, s), axis=1).clip(0))
    return Candidates(out_f0, out_s, best)


def _peaks(r: np.ndarray, lag_lo: int, lag_hi: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``N_CANDIDATES`` highest local maxima of ``r`` in ``lag_lo..lag_hi`` (parabolic)."""
    left, mid, right = r[:, lag_lo - 1 : lag_hi], r[:, lag_lo : lag_hi + 1], r[:, lag_lo + 1 : lag_hi + 2]
    is_peak = (mid > left) & (mid >= right) & (mid > MIN_CANDIDATE_STRENGTH)
    curve = left - 2 * mid + right
    offset = np.where(curve < 0, 0.5 * (left - right) / np.where(curve < 0, curve, -1), 0.0)
    height = mid - 0.25 * (left - right) * offset
    height = np.where(is_peak, height, -np.inf)
    k = min(N_CANDIDATES, height.shape[1])
    top = np.argpartition(-height, k - 1, axis=1)[:, :k]
    rows = np.arange(r.shape[0])[:, None]
    h = height[rows, top]
    lag = lag_lo + top + offset[rows, top]
    ok = np.isfinite(h)
    f0 = np.where(ok, WORK_SR / np.where(ok, lag, 1.0), np.nan)
    s = np.where(ok, h, np.nan)
    order = np.argsort(-np.nan_to_num(s, nan=-1.0), axis=1)
    return (
        np.take_along_axis(f0, order, axis=1).astype(np.float32),
        np.take_along_axis(s, order, axis=1).astype(np.float32),
    )
