"""Syllable nuclei: peaks of the vowel-band loudness contour, as in de Jong & Wempe (2009).

A syllable nucleus is a peak of the vowel-band intensity contour that is
voiced, lies in speech, stands at least ``MIN_DIP_DB`` above the dips on
either side (peak prominence), and is no more than ``MAX_BELOW_REF_DB``
below the loud-speech reference.  :mod:`tonecheck.rate` turns the count into
rates.

Reference: N. H. de Jong & T. Wempe (2009), Praat script to detect syllable
nuclei and measure speech rate automatically, Behavior Research Methods
41(2), 385-390.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

__all__ = ["syllable_nuclei", "BAND_HZ"]

BAND_HZ = (300.0, 3000.0)
"""Vowel band for the nucleus intensity contour (inside the telephone band)."""
NUCLEUS_WINDOW_S = 0.05
MIN_DIP_DB = 2.0
MAX_BELOW_REF_DB = 25.0
MIN_SPACING_S = 0.09
"""Closest two nuclei can be (about 11 syllables per second)."""


def syllable_nuclei(
    band_levels_db: np.ndarray, *, speech: np.ndarray, voiced: np.ndarray, hop_s: float = 0.01
) -> np.ndarray:
    """Frame indices of syllable nuclei.

    Parameters
    ----------
    band_levels_db : np.ndarray [shape=(n_frames,)]
        Frame levels of the vowel band (:func:`tonecheck.loudness.frame_levels_db`
        with ``band_hz=BAND_HZ``), dBFS.
    speech, voiced : np.ndarray [shape=(n_frames,)], bool
        Speech frames and voiced frames on the shared grid.
    hop_s : float
        Frame hop in seconds.

    Returns
    -------
    frames : np.ndarray [shape=(n_nuclei,)], int
    """
    if not speech.any():
        return np.zeros(0, int)
    width = max(1, int(round(NUCLEUS_WINDOW_S / hop_s)))
    kernel = np.hanning(width + 2)[1:-1]
    level = np.convolve(band_levels_db, kernel / kernel.sum(), mode="same")
    reference = float(np.percentile(level[speech], 95))
    peaks, _ = signal.find_peaks(
        level,
        prominence=MIN_DIP_DB,
        height=reference - MAX_BELOW_REF_DB,
        distance=max(1, int(round(MIN_SPACING_S / hop_s))),
    )
    # voiced at the peak or within one frame of it
    near_voiced = voiced | np.roll(voiced, 1) | np.roll(voiced, -1)
    return peaks[speech[peaks] & near_voiced[peaks]]
