"""The speaker model shared by diarization and voice matching: MFCC frames and a diagonal GMM.

19 MFCCs (c1-c19 of 24 mel bands 100-3800 Hz, 25 ms Hamming window) on the
shared 10 ms frame grid, and a diagonal-covariance Gaussian mixture fitted
by EM with a fixed seed (so every result is reproducible).
:mod:`tonecheck.diarize` clusters and resegments with them;
:mod:`tonecheck.voice_match` scores a voice sample against them.
"""

from __future__ import annotations

import numpy as np
import scipy.fft

from . import frames

__all__ = ["BLOCK_FRAMES", "MIN_FIT_FRAMES", "N_MFCC", "DiagGMM", "mfcc"]

N_MFCC = 19
N_MELS = 24
MEL_FMIN_HZ = 100.0
MEL_FMAX_HZ = 3800.0
WIN_S = 0.025
"""Analysis window of one MFCC frame, seconds."""
GMM_COMPONENTS = 8
GMM_ITERATIONS = 10
MIN_FIT_FRAMES = 100
"""Fewest frames a voice's GMM is fitted on (1 s at 10 ms)."""
MAX_FIT_FRAMES = 50000
"""GMMs are fitted on at most this many (evenly strided) frames; 500 s of speech."""
BLOCK_FRAMES = 8192
"""Frames per feature block (82 s at 10 ms), bounding working memory to tens of MB."""
_RNG_SEED = 11


def mfcc(y, *, sr: int, hop_s: float, count: int) -> np.ndarray:
    """MFCC c1..c19 per frame, float32, computed in blocks of ``BLOCK_FRAMES``.

    Parameters
    ----------
    y : np.ndarray or SampleFile [shape=(n,)]
        Mono signal, full scale +-1.
    sr : int > 0
        Sample rate of ``y``, Hz.
    hop_s : float > 0
        Frame hop, seconds (the shared frame grid).
    count : int >= 0
        Frames to compute.

    Returns
    -------
    mfcc : np.ndarray [shape=(count, N_MFCC)], float32
    """
    import librosa  # deferred: librosa's import costs ~0.5 s

    hop = frames.hop_length(sr, hop_s=hop_s)
    win = int(round(WIN_S * sr))
    n_fft = 1 << (win - 1).bit_length()
    mel = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=N_MELS, fmin=MEL_FMIN_HZ, fmax=min(MEL_FMAX_HZ, sr / 2))
    window = np.hamming(win).astype(np.float32)
    out = np.empty((count, N_MFCC), np.float32)
    for start in range(0, count, BLOCK_FRAMES):
        n = min(BLOCK_FRAMES, count - start)
        fr = frames.frame_signal(y, frame_length=win, hop=hop, start=start, count=n) * window
        power = np.abs(np.fft.rfft(fr, n=n_fft, axis=1)) ** 2
        logmel = np.log(power @ mel.T.astype(np.float32) + 1e-8)
        out[start : start + n] = scipy.fft.dct(logmel, type=2, norm="ortho", axis=1)[:, 1 : N_MFCC + 1]
    return out


class DiagGMM:
    """A diagonal-covariance Gaussian mixture fitted by EM (deterministic seed)."""

    def __init__(self, x: np.ndarray, k: int | None = None, iterations: int = GMM_ITERATIONS):
        k = GMM_COMPONENTS if k is None else k
        x = x[:: -(-len(x) // MAX_FIT_FRAMES)]  # an evenly strided subset bounds time and memory
        rng = np.random.default_rng(_RNG_SEED)
        k = max(1, min(k, len(x) // 20))
        self.mu = x[rng.choice(len(x), k, replace=False)].astype(np.float64)
        self.var = np.tile(x.var(0) + 1e-3, (k, 1))
        self.w = np.full(k, 1.0 / k)
        floor = 1e-2 * x.var(0) + 1e-4
        for _ in range(iterations):
            resp = self.posteriors(x)
            nk = resp.sum(0) + 1e-9
            self.w = nk / nk.sum()
            self.mu = (resp.T @ x) / nk[:, None]
            self.var = np.maximum((resp.T @ (x * x)) / nk[:, None] - self.mu**2, floor)

    def _component_logp(self, x: np.ndarray) -> np.ndarray:
        prec = 1.0 / self.var
        quad = (x * x) @ prec.T - 2 * x @ (self.mu * prec).T + np.sum(self.mu**2 * prec, 1)
        return np.log(self.w) - 0.5 * (np.sum(np.log(2 * np.pi * self.var), 1) + quad)

    def posteriors(self, x: np.ndarray) -> np.ndarray:
        """Component responsibilities per row ``[shape=(n, k)]``."""
        logp = self._component_logp(x)
        resp = np.exp(logp - logp.max(1, keepdims=True))
        return resp / resp.sum(1, keepdims=True)

    def loglik(self, x: np.ndarray) -> np.ndarray:
        """Per-row log-likelihood, nats (computed in blocks of ``MAX_FIT_FRAMES`` rows)."""
        out = np.empty(len(x))
        for start in range(0, len(x), MAX_FIT_FRAMES):
            logp = self._component_logp(x[start : start + MAX_FIT_FRAMES])
            top = logp.max(1)
            out[start : start + len(logp)] = top + np.log(np.exp(logp - top[:, None]).sum(1))
        return out
