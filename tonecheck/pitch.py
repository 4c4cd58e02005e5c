"""Pitch (F0) tracking on the shared 10 ms frame grid.

Method
------
A Praat-style autocorrelation tracker (Boersma 1993), vectorised:

1. The signal is resampled to ``WORK_SR`` (4 kHz) block by block; the
   harmonics below 2 kHz carry the periodicity, also when a telephone
   channel has removed the fundamental below 300 Hz.
2. Frames quieter than ``ANALYSIS_RANGE_DB`` below the loud-speech level
   (or outside the ``speech`` mask) are not analysed.
3. For each analysed frame a Hann-windowed autocorrelation of
   ``PERIODS_PER_WINDOW`` periods of the floor is computed with batched
   FFTs and divided by the window's own autocorrelation.  Its
   ``N_CANDIDATES`` highest peaks between the floor and ceiling lags are
   the voiced candidates (parabolic interpolation of lag and height).
4. A Viterbi pass picks one candidate (or "unvoiced") per frame, with
   Praat's costs: an octave cost favouring the higher of equal peaks, an
   octave-jump cost proportional to the F0 change in octaves, and a
   voiced/unvoiced switching cost.  Stretches of frames without any
   candidate are forced unvoiced, which splits the recording into
   independent segments; all segments advance together, one frame per
   step, so the Python loop runs only as long as the longest segment.
5. Speaker adaptation (De Looze & Hirst 2008, tuned on the FDA dev set):
   a first pass over every ``REGISTER_STEP``-th frame with a wide range
   (``WIDE_FLOOR_HZ``-``WIDE_CEILING_HZ``) finds the register; the final
   pass uses ``floor = FLOOR_FACTOR * q15`` and
   ``ceiling = CEILING_FACTOR * q85`` of those F0 values.

Steps 1 and 3 live in :mod:`tonecheck.pitch_candidates`, step 4's path
search in :mod:`tonecheck.pitch_path`; this module checks the input,
chooses the frames, scores the candidates and adapts the range (steps 2
and 5).  Their constants are re-exported here.

Only numpy/scipy/soxr are used in the hot path (numba would save a few ms
in the Viterbi loop but costs 0.6 s to import).  Working memory is bounded
by processing ``BLOCK_FRAMES`` frames at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import frames
from .pitch_candidates import (  # noqa: F401 (its constants stay importable from here; patch them there)
    FFT_BATCH,
    MIN_CANDIDATE_STRENGTH,
    N_CANDIDATES,
    PERIODS_PER_WINDOW,
    WORK_SR,
    candidates,
)
from .pitch_path import MAX_RUN_FRAMES, OCTAVE_JUMP_COST, VOICED_UNVOICED_COST, viterbi  # noqa: F401 (as above)
from .samplefile import SampleFile

__all__ = ["PitchTrack", "track_pitch"]

WIDE_FLOOR_HZ = 50.0
WIDE_CEILING_HZ = 700.0
"""Search range of the register-finding first pass, Hz."""
FALLBACK_FLOOR_HZ = 75.0
FALLBACK_CEILING_HZ = 600.0
"""Range used when too little voicing is found to adapt, Hz."""
MIN_FLOOR_HZ = 40.0
MAX_CEILING_HZ = 1000.0
"""Limits for caller-supplied floor and ceiling, Hz."""
MIN_SR = 8000
"""Lowest accepted input sample rate, Hz."""
FLOOR_QUANTILE, FLOOR_FACTOR = 0.15, 0.75
CEILING_QUANTILE, CEILING_FACTOR = 0.85, 1.5
"""Speaker-adapted range: factor times quantile of first-pass F0."""
MIN_REGISTER_FRAMES = 20
"""First-pass voiced frames needed before the range is adapted."""
REGISTER_STEP = 3
"""The first pass analyses every this-many-th active frame."""
VOICING_THRESHOLD = 0.45
"""Strength of the unvoiced candidate (Praat's voicing threshold)."""
SILENCE_THRESHOLD = 0.03
"""Amplitude, relative to loud speech, below which unvoiced is favoured."""
OCTAVE_COST = 0.01
"""Bonus per octave for higher-F0 candidates."""
ANALYSIS_RANGE_DB = 45.0
"""Frames this far below the loud-speech level are not analysed."""
LOUD_PERCENTILE = 95.0
"""Percentile of frame levels taken as the loud-speech level."""
LEVEL_WINDOW_HOPS = 3
"""Frame level is the mean power over this many hops."""
DIGITAL_SILENCE = 1e-10
"""Mean-square power below which a frame is digital silence."""
SPEECH_MARGIN_FRAMES = 3
"""Frames analysed on each side of the caller's speech mask."""
BLOCK_FRAMES = 30000
"""Frames per processing block (bounded memory for long recordings)."""
_IMPOSSIBLE = -1e9


@dataclass(frozen=True)
class PitchTrack:
    """F0 contour on the shared frame grid.

    Attributes
    ----------
    hop_s : float
        Frame hop in seconds; frame ``i`` is centred at ``i * hop_s``.
    f0_hz : np.ndarray [shape=(n_frames,)], float32
        Fundamental frequency in Hz, ``np.nan`` where unvoiced (float32:
        4 bytes a frame, 14 MB for ten hours; the tracker's candidates are
        float32, so no precision is lost).
    strength : np.ndarray [shape=(n_frames,)], float32
        Periodicity (normalised autocorrelation) in 0..1; 0 where the
        frame was not analysed.
    floor_hz, ceiling_hz : float
        Search range actually used, Hz.
    """

    hop_s: float
    f0_hz: np.ndarray
    strength: np.ndarray
    floor_hz: float
    ceiling_hz: float

    @property
    def voiced(self) -> np.ndarray:
        """Boolean mask of voiced frames, shape ``(n_frames,)``."""
        return ~np.isnan(self.f0_hz)


def track_pitch(
    y: np.ndarray,
    *,
    sr: int,
    hop_s: float = frames.HOP_S,
    speech: np.ndarray | None = None,
    floor_hz: float | None = None,
    ceiling_hz: float | None = None,
) -> PitchTrack:
    """Track F0 every ``hop_s`` seconds with a voiced/unvoiced decision.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float, or SampleFile
        Mono signal, finite values; a :class:`~tonecheck.samplefile.SampleFile`
        (a long recording kept on disk) is read in blocks.
    sr : int >= 8000
        Sample rate of ``y`` in Hz.
    hop_s : float > 0
        Frame hop in seconds; frame ``i`` is centred at ``i * hop_s`` and
        there are ``1 + n // round(sr * hop_s)`` frames.
    speech : np.ndarray [shape=(n_frames,)], bool, optional
        Analyse only these frames (plus ``SPEECH_MARGIN_FRAMES`` on each
        side); all other frames are unvoiced.
    floor_hz, ceiling_hz : float, optional
        Search range in Hz, ``MIN_FLOOR_HZ <= floor_hz < ceiling_hz <=
        MAX_CEILING_HZ``.  ``None`` adapts the bound to the speaker.

    Returns
    -------
    track : PitchTrack

    Raises
    ------
    ValueError
        For a bad signal, sample rate, hop, mask or range.
    """
    y = _check_signal(y, sr)
    hop = frames.hop_length(sr, hop_s=hop_s)
    count = frames.n_frames(len(y), hop=hop)
    _check_range(floor_hz, ceiling_hz)
    levels = _frame_levels(y, hop, count)
    active, rel_amp = _active_frames(levels, speech, count)
    if floor_hz is None or ceiling_hz is None:
        floor_hz, ceiling_hz = _register(y, sr, hop, active, rel_amp, floor_hz, ceiling_hz)
    f0 = np.full(count, np.nan, np.float32)
    strength = np.zeros(count, np.float32)
    for start in range(0, count, BLOCK_FRAMES):
        idx = np.flatnonzero(active[start : start + BLOCK_FRAMES]) + start
        if idx.size:
            f0[idx], strength[idx] = _track_frames(y, sr, hop, idx, rel_amp[idx], floor_hz, ceiling_hz)
    return PitchTrack(hop_s, f0, strength, float(floor_hz), float(ceiling_hz))


def _check_signal(y: np.ndarray, sr: int) -> np.ndarray:
    if not isinstance(sr, (int, np.integer)) or sr < MIN_SR:
        raise ValueError(f"sr={sr!r} is not supported; pass an integer sample rate >= {MIN_SR} Hz")
    if isinstance(y, SampleFile):  # finite by construction: the pipeline rejects NaN and inf
        return y
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.floating):
        raise ValueError(f"y has shape {y.shape} and dtype {y.dtype}; pass a 1-D float array (mix stereo down first)")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinite samples; clean the signal first")
    return y


def _check_range(floor_hz: float | None, ceiling_hz: float | None) -> None:
    if floor_hz is not None and not MIN_FLOOR_HZ <= floor_hz < MAX_CEILING_HZ:
        raise ValueError(
            f"floor_hz={floor_hz} is out of range; use {MIN_FLOOR_HZ} <= floor_hz < {MAX_CEILING_HZ} or None"
        )
    if ceiling_hz is not None and not MIN_FLOOR_HZ < ceiling_hz <= MAX_CEILING_HZ:
        raise ValueError(
            f"ceiling_hz={ceiling_hz} is out of range; use {MIN_FLOOR_HZ} < ceiling_hz <= {MAX_CEILING_HZ} or None"
        )
    if floor_hz is not None and ceiling_hz is not None and floor_hz >= ceiling_hz:
        raise ValueError(f"floor_hz={floor_hz} must be below ceiling_hz={ceiling_hz}; swap them or pass None to adapt")


def _frame_levels(y: np.ndarray, hop: int, count: int) -> np.ndarray:
    """Mean-square power of ``LEVEL_WINDOW_HOPS`` hops centred on each frame, float64, block by block."""
    n_hops = len(y) // hop
    half = LEVEL_WINDOW_HOPS // 2
    window = np.ones(LEVEL_WINDOW_HOPS) / LEVEL_WINDOW_HOPS
    out = np.empty(count)
    for a in range(0, count, BLOCK_FRAMES):
        b = min(a + BLOCK_FRAMES, count)
        # hop k covers [k*hop, (k+1)*hop); frame i averages hops i-half .. i+half (zero outside the signal)
        power = np.zeros(b - a + LEVEL_WINDOW_HOPS - 1)
        h0, h1 = max(0, a - half), min(n_hops, b - 1 + LEVEL_WINDOW_HOPS - half)
        if h1 > h0:
            seg = y[h0 * hop : h1 * hop].astype(np.float64).reshape(h1 - h0, hop)
            power[h0 + half - a : h1 + half - a] = np.einsum("ij,ij->i", seg, seg) / hop
        out[a:b] = np.convolve(power, window, mode="valid")
    return out


def _active_frames(levels: np.ndarray, speech: np.ndarray | None, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Frames worth analysing, and each frame's amplitude relative to loud speech.

    ``levels`` is overwritten with the relative amplitude (saves a frame-length float64 array).
    """
    if speech is not None:
        speech = np.asarray(speech)
        if speech.shape != (count,) or speech.dtype != bool:
            raise ValueError(
                f"speech mask has shape {speech.shape} and dtype {speech.dtype}; "
                f"pass a bool array of shape ({count},) on the frame grid"
            )
    audible = levels > DIGITAL_SILENCE
    if not audible.any():
        return audible, np.zeros(count)
    loud = np.percentile(levels[audible], LOUD_PERCENTILE, overwrite_input=True)
    rel_amp = np.sqrt(np.divide(levels, loud, out=levels), out=levels)
    active = audible & (rel_amp > 10.0 ** (-ANALYSIS_RANGE_DB / 20.0))
    if speech is not None:
        width = 2 * SPEECH_MARGIN_FRAMES + 1
        active &= np.convolve(speech.view(np.int8), np.ones(width, np.int8), mode="same") > 0
    return active, rel_amp


def _register(
    y: np.ndarray,
    sr: int,
    hop: int,
    active: np.ndarray,
    rel_amp: np.ndarray,
    floor_hz: float | None,
    ceiling_hz: float | None,
) -> tuple[float, float]:
    """Speaker-adapted floor and ceiling from a coarse wide-range first pass."""
    found = []
    for start in range(0, active.size, BLOCK_FRAMES):
        idx = np.flatnonzero(active[start : start + BLOCK_FRAMES]) + start
        idx = idx[::REGISTER_STEP]
        if idx.size:
            f0, _ = _track_frames(y, sr, hop, idx, rel_amp[idx], WIDE_FLOOR_HZ, WIDE_CEILING_HZ, step=REGISTER_STEP)
            found.append(f0[~np.isnan(f0)].astype(np.float64))  # quantiles as before: in float64
    f0 = np.concatenate(found) if found else np.zeros(0)
    if f0.size < MIN_REGISTER_FRAMES:
        low, high = FALLBACK_FLOOR_HZ, FALLBACK_CEILING_HZ
    else:
        low = FLOOR_FACTOR * np.quantile(f0, FLOOR_QUANTILE)
        high = CEILING_FACTOR * np.quantile(f0, CEILING_QUANTILE)
    low = float(np.clip(low, WIDE_FLOOR_HZ, WIDE_CEILING_HZ / 2)) if floor_hz is None else floor_hz
    high = float(np.clip(high, 2 * low, WIDE_CEILING_HZ)) if ceiling_hz is None else ceiling_hz
    return min(low, high / 2), high


def _track_frames(
    y: np.ndarray,
    sr: int,
    hop: int,
    idx: np.ndarray,
    rel_amp: np.ndarray,
    floor_hz: float,
    ceiling_hz: float,
    *,
    step: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """F0 (nan = unvoiced) and strength of frames ``idx`` (sorted, one block)."""
    cands = candidates(y, sr, hop, idx, floor_hz, ceiling_hz)
    score = cands.strength + OCTAVE_COST * np.log2(cands.f0_hz / floor_hz)
    uv = VOICING_THRESHOLD + np.maximum(0.0, 2.0 - rel_amp * (1.0 + VOICING_THRESHOLD) / SILENCE_THRESHOLD)
    score = np.concatenate([uv[:, None], np.nan_to_num(score, nan=_IMPOSSIBLE)], axis=1)
    has = ~np.isnan(cands.f0_hz[:, 0])
    breaks = np.concatenate(([True], np.diff(idx) > step))
    state = viterbi(np.log2(cands.f0_hz), score.astype(np.float32), has, breaks, jump_scale=1.0 / step)
    rows = np.arange(idx.size)
    voiced = state > 0
    pick = np.maximum(state - 1, 0)
    f0 = np.where(voiced, cands.f0_hz[rows, pick], np.float32(np.nan))
    strength = np.where(voiced, cands.strength[rows, pick], cands.best)
    return f0, np.clip(strength, 0.0, 1.0).astype(np.float32)
