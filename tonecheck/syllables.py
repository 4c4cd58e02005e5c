"""Syllable nuclei: peaks of a vowel-band loudness contour, after de Jong & Wempe (2009).

A syllable nucleus is a peak of the nucleus contour that is voiced, lies in
speech, stands at least ``MIN_DIP_DB`` above the dips on either side (peak
prominence), and is no more than ``MAX_BELOW_REF_DB`` below the loud-speech
reference.  :mod:`tonecheck.rate` turns the count into rates.

The nucleus contour (calibration rate-3) is the mean, in dB, of three level
contours the analysis already has: the 300-3000 Hz band (``BAND_HZ``) and the
two alpha-ratio bands of :func:`tonecheck.loudness.alpha_band_energies`
(400-1000 and 1000-3400 Hz).  A mean of dB levels is high only where every
band is loud at once, as in a vowel; a consonant or a formant move between
two merged syllables lowers one band and so leaves a dip that the single
broad band does not show.  Without the alpha-band powers the v2 detector
runs unchanged: the 300-3000 Hz band alone, 50 ms smoothing, 2 dB
prominence (docs/calibration.md compares the two).

Reference: N. H. de Jong & T. Wempe (2009), Praat script to detect syllable
nuclei and measure speech rate automatically, Behavior Research Methods
41(2), 385-390.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

__all__ = ["syllable_nuclei", "nucleus_contour_db", "BAND_HZ"]

BAND_HZ = (300.0, 3000.0)
"""Vowel band for the nucleus intensity contour (inside the telephone band)."""
NUCLEUS_WINDOW_S = 0.04
"""Hann smoothing of the three-band contour (rate-3)."""
MIN_DIP_DB = 3.0
"""Peak prominence on the three-band contour (rate-3)."""
SINGLE_BAND_WINDOW_S = 0.05
"""Hann smoothing of the single-band contour (the v2 detector, used without sub-band powers)."""
SINGLE_BAND_MIN_DIP_DB = 2.0
"""Peak prominence on the single-band contour (v2)."""
MAX_BELOW_REF_DB = 25.0
MIN_SPACING_S = 0.09
"""Closest two nuclei can be (about 11 syllables per second)."""
_FLOOR_POWER = 1e-12
"""Power floor (-120 dB) before taking logs of sub-band powers."""


def nucleus_contour_db(band_levels_db: np.ndarray, sub_band_powers: tuple, *, speech: np.ndarray) -> np.ndarray:
    """Mean dB level of the vowel band and the sub-bands, frame by frame.

    Parameters
    ----------
    band_levels_db : np.ndarray [shape=(n_frames,)]
        ``BAND_HZ`` frame levels in dBFS.
    sub_band_powers : tuple of np.ndarray [shape=(n_frames,)]
        Linear mean-square powers of the sub-bands (full scale = 1), e.g. the
        ``(high, low)`` pair of :func:`tonecheck.loudness.alpha_band_energies`.
        NaN marks a frame that was not measured.
    speech : np.ndarray [shape=(n_frames,)], bool
        Speech frames (where the offset for unmeasured frames is taken).

    Returns
    -------
    contour_db : np.ndarray [shape=(n_frames,)], float32
        Where a sub-band frame is NaN, the band level plus the median
        difference between the contour and the band level over measured
        speech frames stands in for it.
    """
    band = np.asarray(band_levels_db, np.float32)
    contour = band.copy()
    for power in sub_band_powers:
        contour += np.float32(10.0) * np.log10(np.maximum(np.asarray(power, np.float32), np.float32(_FLOOR_POWER)))
    contour /= np.float32(1 + len(sub_band_powers))
    measured = np.isfinite(contour)
    if measured.all():
        return contour
    ref = measured & speech
    offset = np.float32(np.median(contour[ref] - band[ref])) if ref.any() else np.float32(0.0)
    return np.where(measured, contour, band + offset)


def syllable_nuclei(
    band_levels_db: np.ndarray,
    *,
    speech: np.ndarray,
    voiced: np.ndarray,
    hop_s: float = 0.01,
    sub_band_powers: tuple | None = None,
) -> np.ndarray:
    """Frame indices of syllable nuclei.

    Parameters
    ----------
    band_levels_db : np.ndarray [shape=(n_frames,)]
        Frame levels of the vowel band (:func:`tonecheck.loudness.frame_levels_db`
        with ``band_hz=BAND_HZ``), dBFS.
    speech, voiced : np.ndarray [shape=(n_frames,)], bool
        Speech frames and voiced frames on the shared grid.
    hop_s : float > 0
        Frame hop in seconds.
    sub_band_powers : (np.ndarray, np.ndarray), optional
        The ``(high, low)`` powers of :func:`tonecheck.loudness.alpha_band_energies`
        on the same grid, measured at least on every speech frame.  Given,
        the nucleus contour is :func:`nucleus_contour_db` (the rate-3
        detector, which ``calibration/rate.json`` is fitted for); omitted,
        the v2 single-band detector runs.

    Returns
    -------
    frames : np.ndarray [shape=(n_nuclei,)], int
    """
    if not speech.any():
        return np.zeros(0, int)
    if sub_band_powers is None:
        level, window_s, min_dip_db = band_levels_db, SINGLE_BAND_WINDOW_S, SINGLE_BAND_MIN_DIP_DB
    else:
        level = nucleus_contour_db(band_levels_db, sub_band_powers, speech=speech)
        window_s, min_dip_db = NUCLEUS_WINDOW_S, MIN_DIP_DB
    width = max(1, int(round(window_s / hop_s)))
    kernel = np.hanning(width + 2)[1:-1]
    level = np.convolve(level, kernel / kernel.sum(), mode="same")
    reference = float(np.percentile(level[speech], 95))
    peaks, _ = signal.find_peaks(
        level,
        prominence=min_dip_db,
        height=reference - MAX_BELOW_REF_DB,
        distance=max(1, int(round(MIN_SPACING_S / hop_s))),
    )
    # voiced at the peak or within one frame of it
    near_voiced = voiced | np.roll(voiced, 1) | np.roll(voiced, -1)
    return peaks[speech[peaks] & near_voiced[peaks]]
