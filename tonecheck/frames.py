"""The frame grid shared by every frame-level track.

All tracks (pitch, loudness, speech activity) use one grid: frame ``i`` is
centred on ``t = i * hop_s`` seconds, and a signal of ``n`` samples has
``1 + n // hop_length`` frames (librosa's ``center=True`` convention).
"""

from __future__ import annotations

import numpy as np

__all__ = ["HOP_S", "hop_length", "n_frames", "frame_times_s", "frame_signal", "frames_at"]

HOP_S = 0.01
"""Hop between analysis frames in seconds (10 ms)."""


def hop_length(sr: int, *, hop_s: float = HOP_S) -> int:
    """Hop in samples for sample rate ``sr`` (must divide evenly to 0.1 ms)."""
    hop = int(round(sr * hop_s))
    if hop < 1:
        raise ValueError(f"hop_s={hop_s} is shorter than one sample at sr={sr}")
    return hop


def n_frames(n_samples: int, *, hop: int) -> int:
    """Number of frames covering ``n_samples`` with hop ``hop`` samples."""
    return 1 + n_samples // hop


def frame_times_s(count: int, *, hop_s: float = HOP_S) -> np.ndarray:
    """Centre time in seconds of each of ``count`` frames."""
    return np.arange(count) * hop_s


def frame_signal(y: np.ndarray, *, frame_length: int, hop: int, start: int = 0, count: int | None = None) -> np.ndarray:
    """Centred frames of ``y`` as a read-only strided view.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)] or SampleFile
        Mono signal (anything ``len()`` and ``y[a:b]`` work on).
    frame_length : int > 0
        Samples per frame; frame ``i`` spans
        ``[i*hop - frame_length//2, i*hop - frame_length//2 + frame_length)``.
    hop : int > 0
        Hop in samples.
    start, count : int
        First frame index and number of frames (default: all frames).

    Returns
    -------
    frames : np.ndarray [shape=(count, frame_length)]
        Zero-padded at the edges of ``y``.
    """
    total = n_frames(len(y), hop=hop)
    if count is None:
        count = total - start
    half = frame_length // 2
    lo = start * hop - half
    hi = (start + count - 1) * hop - half + frame_length
    pad_lo = max(0, -lo)
    pad_hi = max(0, hi - len(y))
    seg = y[max(lo, 0) : min(hi, len(y))]
    if pad_lo or pad_hi:
        seg = np.pad(seg, (pad_lo, pad_hi))
    return np.lib.stride_tricks.sliding_window_view(seg, frame_length)[::hop][:count]


def frames_at(y: np.ndarray, idx: np.ndarray, *, frame_length: int, hop: int) -> np.ndarray:
    """Centred frames ``idx`` of ``y``, as :func:`frame_signal` cuts them, gathered in one array.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)] or SampleFile
        Mono signal. An array is gathered with one fancy index; anything
        else (a signal on disk) is read frame by frame.
    idx : np.ndarray [shape=(m,)], int
        Frame indices.
    frame_length, hop : int > 0
        As for :func:`frame_signal`.

    Returns
    -------
    frames : np.ndarray [shape=(m, frame_length)]
        Copies, zero-padded at the edges of ``y``.
    """
    idx = np.asarray(idx, dtype=np.int64)
    if not isinstance(y, np.ndarray) or not len(y):
        rows = [frame_signal(y, frame_length=frame_length, hop=hop, start=int(i), count=1)[0] for i in idx]
        return np.stack(rows) if rows else np.zeros((0, frame_length), getattr(y, "dtype", np.float64))
    pos = (idx * hop - frame_length // 2)[:, None] + np.arange(frame_length)
    inside = (pos >= 0) & (pos < len(y))
    return np.where(inside, y[np.clip(pos, 0, len(y) - 1)], y.dtype.type(0))
