"""Mel-spaced triangular filters over an FFT's bins (Slaney's mel scale).

Built here rather than with ``librosa.filters.mel`` because importing
librosa costs about half a second, which the one-voice analysis cannot
afford; the filters are the same (Slaney mel scale, area-normalised
triangles), checked against librosa in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MelBands", "hz_to_mel", "mel_to_hz", "mel_filters"]


@dataclass(frozen=True)
class MelBands:
    """A mel filter bank and which of its bands to keep (hashable, so filters can be cached).

    Attributes
    ----------
    n_mels : int
        Filters spread over ``fmin_hz``-``fmax_hz``.
    fmin_hz, fmax_hz : float
        Edges of the bank, Hz.
    first, stop : int
        Bands ``first`` to ``stop - 1`` are kept.
    """

    n_mels: int
    fmin_hz: float
    fmax_hz: float
    first: int
    stop: int

    def filters(self, *, sr: int, n_fft: int) -> np.ndarray:
        """The kept filters, shape ``(stop - first, n_fft // 2 + 1)`` (see :func:`mel_filters`)."""
        bank = mel_filters(sr=sr, n_fft=n_fft, n_mels=self.n_mels, fmin_hz=self.fmin_hz, fmax_hz=self.fmax_hz)
        return bank[self.first : self.stop]


_LINEAR_HZ_PER_MEL = 200.0 / 3.0
_BREAK_HZ = 1000.0
_BREAK_MEL = _BREAK_HZ / _LINEAR_HZ_PER_MEL
_LOG_STEP = np.log(6.4) / 27.0


def hz_to_mel(hz):
    """Slaney mel of ``hz``: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, float)
    log_part = _BREAK_MEL + np.log(np.maximum(hz, _BREAK_HZ) / _BREAK_HZ) / _LOG_STEP
    return np.where(hz >= _BREAK_HZ, log_part, hz / _LINEAR_HZ_PER_MEL)


def mel_to_hz(mel):
    """Inverse of :func:`hz_to_mel`."""
    mel = np.asarray(mel, float)
    log_part = _BREAK_HZ * np.exp(_LOG_STEP * (np.maximum(mel, _BREAK_MEL) - _BREAK_MEL))
    return np.where(mel >= _BREAK_MEL, log_part, mel * _LINEAR_HZ_PER_MEL)


def mel_filters(*, sr: int, n_fft: int, n_mels: int, fmin_hz: float, fmax_hz: float) -> np.ndarray:
    """Triangular mel filters over the ``rfft`` bins of an ``n_fft``-point FFT.

    Parameters
    ----------
    sr : int > 0
        Sample rate in Hz.
    n_fft : int > 0
        FFT length (``n_fft // 2 + 1`` bins).
    n_mels : int > 0
        Number of filters, equally spaced on the mel scale.
    fmin_hz, fmax_hz : float
        Lower edge of the first and upper edge of the last filter, Hz.

    Returns
    -------
    weights : np.ndarray [shape=(n_mels, n_fft // 2 + 1)]
        Each row a triangle normalised to unit area in Hz x 2 (Slaney), so
        a band's weighted power is a mean power density.
    """
    edges_hz = mel_to_hz(np.linspace(hz_to_mel(fmin_hz), hz_to_mel(fmax_hz), n_mels + 2))
    bins_hz = np.fft.rfftfreq(n_fft, 1.0 / sr)
    rising = (bins_hz[None, :] - edges_hz[:-2, None]) / np.diff(edges_hz)[:-1, None]
    falling = (edges_hz[2:, None] - bins_hz[None, :]) / np.diff(edges_hz)[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return weights * (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]
