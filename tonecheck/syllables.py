"""Syllable nuclei: peaks of a vowel-band loudness contour, after de Jong & Wempe (2009).

A syllable nucleus is a peak of the nucleus contour that is voiced, lies in
speech, stands at least ``MIN_DIP_DB`` above the dips on either side (peak
prominence), and is no more than ``MAX_BELOW_REF_DB`` below the loud-speech
reference.  :mod:`tonecheck.rate` turns the count into rates.

The nucleus contour (calibration rate-3) is the mean, in dB, of three level
contours the analysis already has: the 300-3000 Hz band (``BAND_HZ``) and the
two alpha-ratio bands of :func:`tonecheck.bandpowers.alpha_band_energies`
(400-1000 and 1000-3400 Hz).  A mean of dB levels is high only where every
band is loud at once, as in a vowel; a consonant or a formant move between
two merged syllables lowers one band and so leaves a dip that the single
broad band does not show.  Without the alpha-band powers the v2 detector
runs unchanged: the 300-3000 Hz band alone, 50 ms smoothing, 2 dB
prominence (docs/calibration.md compares the two).

For Mandarin (calibration rate-4) a second detector votes: the
**modulation detector** (:func:`modulation_nuclei`) band-passes the dB level
of the six loudest of 16 mel bands (420-3300 Hz) around syllable rates
(1.5-15 Hz, zero phase) and takes the peaks of their mean.  The band-pass
removes the slow loudness trend, so the small dips between the fast,
merged syllables of spontaneous speech stand out.  The two detectors'
nuclei are joined by :func:`consensus_nuclei`: a nucleus both detectors
find counts once, and of the nuclei only one detector finds every second
one counts, so the count is the mean of the two counts (docs/calibration.md).

Since calibration rate-5 both Mandarin prominences follow the recording's
**modulation depth** (:func:`modulation_depth_db`: the RMS over speech of
the band-passed contour).  Reverberation fills the dips between syllables,
so a far-field recording's syllables are shallower than the fixed
prominences; below ``MODULATION_DEPTH_REF_DB`` (modulation detector) and
``NUCLEUS_DEPTH_REF_DB`` (three-band detector) each prominence shrinks in
proportion, to no less than ``MIN_PROMINENCE_SCALE`` of its fixed value.  Close,
clean speech is deeper than both references (5th percentile of the
Mandarin dev clips: 6.1 dB) and keeps the fixed prominences.

References: N. H. de Jong & T. Wempe (2009), Praat script to detect syllable
nuclei and measure speech rate automatically, Behavior Research Methods
41(2), 385-390; O. Räsänen, G. Doyle & M. C. Frank (2018), Pre-linguistic
segmentation of speech into syllable-like units, Cognition 171, 130-150
(sub-band envelopes filtered around the syllable rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from .filterbank import MelBands

__all__ = [
    "syllable_nuclei",
    "nucleus_contour_db",
    "modulation_nuclei",
    "consensus_nuclei",
    "modulation_depth_db",
    "BAND_HZ",
    "MODULATION_BANDS",
]

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
MODULATION_BANDS = MelBands(n_mels=20, fmin_hz=100.0, fmax_hz=3800.0, first=2, stop=18)
"""Mel bands of the modulation detector: 16 of 20 bands over 100-3800 Hz, centres about 420-3300 Hz (telephone band)."""
MODULATION_LOUDEST_BANDS = 6
"""The modulation contour averages this many bands, the loudest in speech (vowel formant regions)."""
MODULATION_PASS_HZ = (1.5, 15.0)
"""Band-pass of each band's dB level: syllable-rate modulation (1st-order Butterworth design, run forward and back)."""
MODULATION_MIN_DIP_DB = 3.5
"""Peak prominence on the modulation contour."""
MODULATION_FILL_BELOW_DB = 10.0
"""Frames outside speech read as each band's 5th percentile in speech minus this (a quiet, flat floor)."""
MODULATION_VALLEY_DB = 1.0
"""Two modulation nuclei stay apart only if the unfiltered level dips this much between them (else the louder stays)."""
CONSENSUS_TOLERANCE_S = 0.06
"""Two detectors' nuclei closer than this are the same nucleus."""
MODULATION_DEPTH_REF_DB = 6.0
"""Modulation depth below which the modulation prominence shrinks in proportion (rate-5)."""
NUCLEUS_DEPTH_REF_DB = 7.0
"""Modulation depth below which the three-band prominence of the Mandarin consensus shrinks in proportion (rate-5)."""
MIN_PROMINENCE_SCALE = 0.5
"""A depth-scaled prominence keeps at least this share of its fixed value (1.75 and 1.5 dB)."""


def nucleus_contour_db(band_levels_db: np.ndarray, sub_band_powers: tuple, *, speech: np.ndarray) -> np.ndarray:
    """Mean dB level of the vowel band and the sub-bands, frame by frame.

    Parameters
    ----------
    band_levels_db : np.ndarray [shape=(n_frames,)]
        ``BAND_HZ`` frame levels in dBFS.
    sub_band_powers : tuple of np.ndarray [shape=(n_frames,)]
        Linear mean-square powers of the sub-bands (full scale = 1), e.g. the
        ``(high, low)`` pair of :func:`tonecheck.bandpowers.alpha_band_energies`.
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
    modulation_band_powers: np.ndarray | None = None,
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
        The ``(high, low)`` powers of :func:`tonecheck.bandpowers.alpha_band_energies`
        on the same grid, measured at least on every speech frame.  Given,
        the nucleus contour is :func:`nucleus_contour_db` (the rate-3
        detector, which ``calibration/rate.json`` is fitted for); omitted,
        the v2 single-band detector runs.
    modulation_band_powers : np.ndarray [shape=(n_bands, n_frames)], optional
        The ``MODULATION_BANDS`` powers on the same grid.  Given (with
        ``sub_band_powers``), the nuclei are the :func:`consensus_nuclei` of
        the three-band and the :func:`modulation_nuclei` detectors (the
        Mandarin detector of calibration rate-4).

    Returns
    -------
    frames : np.ndarray [shape=(n_nuclei,)], int
    """
    if not speech.any():
        return np.zeros(0, int)
    modulation = None
    if sub_band_powers is None:
        level, window_s, min_dip_db = band_levels_db, SINGLE_BAND_WINDOW_S, SINGLE_BAND_MIN_DIP_DB
    else:
        level = nucleus_contour_db(band_levels_db, sub_band_powers, speech=speech)
        window_s, min_dip_db = NUCLEUS_WINDOW_S, MIN_DIP_DB
        if modulation_band_powers is not None:
            modulation = _modulation_contour(modulation_band_powers, speech=speech, hop_s=hop_s)
            if modulation is not None:
                min_dip_db *= _prominence_scale(modulation.depth_db, NUCLEUS_DEPTH_REF_DB)
    level = _smoothed(level, window_s / hop_s)
    reference = float(np.percentile(level[speech], 95))
    peaks, _ = signal.find_peaks(
        level,
        prominence=min_dip_db,
        height=reference - MAX_BELOW_REF_DB,
        distance=max(1, int(round(MIN_SPACING_S / hop_s))),
    )
    peaks = _in_voiced_speech(peaks, speech=speech, voiced=voiced)
    if modulation_band_powers is None or sub_band_powers is None:
        return peaks
    second = np.zeros(0, int) if modulation is None else _modulation_peaks(modulation, speech, voiced, hop_s)
    return consensus_nuclei(peaks, second, hop_s=hop_s)


def modulation_nuclei(
    band_powers: np.ndarray,
    *,
    speech: np.ndarray,
    voiced: np.ndarray,
    hop_s: float = 0.01,
) -> np.ndarray:
    """Frame indices of nuclei found in the syllable-rate modulation of the loudest mel bands.

    Parameters
    ----------
    band_powers : np.ndarray [shape=(n_bands, n_frames)]
        Linear powers of the ``MODULATION_BANDS`` (e.g.
        :attr:`tonecheck.bandpowers.FrameBandPowers.mel`), measured at least
        on every speech frame; NaN elsewhere is allowed.
    speech, voiced : np.ndarray [shape=(n_frames,)], bool
        Speech frames and voiced frames on the same grid.
    hop_s : float > 0
        Frame hop in seconds.

    Returns
    -------
    frames : np.ndarray [shape=(n_nuclei,)], int
        Peaks of the mean band-passed level with ``MODULATION_MIN_DIP_DB``
        prominence (scaled down in proportion below ``MODULATION_DEPTH_REF_DB``
        of :func:`modulation_depth_db`), at least ``MIN_SPACING_S`` apart, in speech, voiced
        within one frame, and no more than ``MAX_BELOW_REF_DB`` below the
        loud-speech level of the bands.
    """
    modulation = _modulation_contour(band_powers, speech=speech, hop_s=hop_s)
    if modulation is None:
        return np.zeros(0, int)
    return _modulation_peaks(modulation, speech, voiced, hop_s)


def modulation_depth_db(band_powers: np.ndarray, *, speech: np.ndarray, hop_s: float = 0.01) -> float:
    """RMS over speech frames of the modulation contour, dB (NaN with too little speech).

    Close, clean Mandarin reads 6-10 dB (dev clips: median 7.7, 5th
    percentile 6.1); the simulated far field (0.6 s T60) about 5, with
    0.9 s about 4.
    """
    modulation = _modulation_contour(band_powers, speech=speech, hop_s=hop_s)
    return float("nan") if modulation is None else modulation.depth_db


@dataclass(frozen=True)
class _Modulation:
    contour: np.ndarray  # band-passed mean dB level of the loudest bands, every frame
    mean_level: np.ndarray  # the same level unfiltered
    overall_db: np.ndarray  # mean dB level of all bands, speech frames in order
    depth_db: float  # RMS of ``contour`` over speech


def _modulation_contour(band_powers: np.ndarray, *, speech: np.ndarray, hop_s: float) -> _Modulation | None:
    b, a = signal.butter(1, MODULATION_PASS_HZ, btype="band", fs=1.0 / hop_s)
    if speech.sum() < 2 or len(speech) <= 3 * max(len(a), len(b)):
        return None
    # dB levels are needed in speech only: outside it the contour reads a flat floor
    speech_db = np.float32(10.0) * np.log10(np.fmax(band_powers[:, speech], np.float32(_FLOOR_POWER)))  # NaN: floor
    band_mean_db = speech_db.mean(axis=1)
    loudest = np.argsort(band_mean_db)[-MODULATION_LOUDEST_BANDS:]
    level = np.empty((len(loudest), len(speech)), np.float32)
    level[:, speech] = speech_db[loudest]
    level[:, ~speech] = (np.percentile(speech_db[loudest], 5, axis=1) - MODULATION_FILL_BELOW_DB)[:, None]
    mean_level = level.mean(axis=0)
    contour = signal.filtfilt(b, a, mean_level - band_mean_db[loudest].mean())  # linear: the mean of filtered bands
    depth = float(np.sqrt(np.mean(np.square(contour[speech] - contour[speech].mean()))))
    return _Modulation(contour, mean_level, speech_db.mean(axis=0), depth)


def _prominence_scale(depth_db: float, reference_db: float) -> float:
    """1 at or above ``reference_db`` of modulation depth, in proportion below it, never under ``MIN_PROMINENCE_SCALE``."""
    return float(np.clip(depth_db / reference_db, MIN_PROMINENCE_SCALE, 1.0))


def _modulation_peaks(modulation: _Modulation, speech: np.ndarray, voiced: np.ndarray, hop_s: float) -> np.ndarray:
    prominence = MODULATION_MIN_DIP_DB * _prominence_scale(modulation.depth_db, MODULATION_DEPTH_REF_DB)
    peaks, _ = signal.find_peaks(
        modulation.contour, prominence=prominence, distance=max(1, int(round(MIN_SPACING_S / hop_s)))
    )
    peaks = _in_voiced_speech(peaks, speech=speech, voiced=voiced)
    overall_db = modulation.overall_db
    loud_enough = overall_db[np.cumsum(speech)[peaks] - 1] > np.percentile(overall_db, 95) - MAX_BELOW_REF_DB
    return _with_valleys(peaks[loud_enough], _smoothed(modulation.mean_level, NUCLEUS_WINDOW_S / hop_s))


def _in_voiced_speech(peaks: np.ndarray, *, speech: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """The peaks that lie in speech and are voiced at the peak or within one frame of it."""
    near_voiced = voiced | np.roll(voiced, 1) | np.roll(voiced, -1)
    return peaks[speech[peaks] & near_voiced[peaks]]


def _smoothed(level: np.ndarray, width_frames: float) -> np.ndarray:
    """``level`` smoothed by a Hann window of about ``width_frames`` frames."""
    kernel = np.hanning(max(1, int(round(width_frames))) + 2)[1:-1]
    return np.convolve(level, kernel / kernel.sum(), mode="same")


def _with_valleys(peaks: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Keep consecutive peaks apart only where ``level`` dips ``MODULATION_VALLEY_DB`` below the lower of the two.

    The band-pass that exposes merged syllables also splits one long,
    steady vowel (slow speech) into an onset and an offset peak; with no
    dip between them in the unfiltered level, they are one nucleus (the
    louder frame).
    """
    if len(peaks) < 2:
        return peaks
    between = np.minimum.reduceat(level, peaks)[:-1].tolist()  # min of level over [peak i, peak i + 1)
    height = level[peaks].tolist()
    kept, low = [0], np.inf  # low: min of level from the last kept peak up to the current one
    for i in range(1, len(peaks)):
        low = min(low, between[i - 1])
        if low <= min(height[kept[-1]], height[i]) - MODULATION_VALLEY_DB:
            kept.append(i)
            low = np.inf
        elif height[i] > height[kept[-1]]:
            kept[-1], low = i, np.inf
    return peaks[kept]


def consensus_nuclei(first: np.ndarray, second: np.ndarray, *, hop_s: float = 0.01) -> np.ndarray:
    """Join two detectors' nuclei so that the count is the mean of their counts.

    A nucleus of ``first`` with a nucleus of ``second`` within
    ``CONSENSUS_TOLERANCE_S`` is one nucleus (at ``first``'s frame); of the
    nuclei only one detector found, taken in time order, every second one
    is kept (the first of them included).  The result has
    ``ceil((len(first) + len(second)) / 2)`` nuclei whatever the pairing, and
    locally about half the unshared nuclei.

    Parameters
    ----------
    first, second : np.ndarray [shape=(n,)], int
        Sorted frame indices of each detector's nuclei.
    hop_s : float > 0
        Frame hop in seconds.

    Returns
    -------
    frames : np.ndarray, int
        Sorted frame indices.
    """
    first, second = np.asarray(first, int), np.asarray(second, int)
    tolerance = int(round(CONSENSUS_TOLERANCE_S / hop_s))
    shared_first = np.zeros(len(first), bool)
    shared_second = np.zeros(len(second), bool)
    j = 0
    for i, frame in enumerate(first):
        while j < len(second) and second[j] < frame - tolerance:
            j += 1
        if j < len(second) and abs(int(second[j]) - int(frame)) <= tolerance:
            shared_first[i] = shared_second[j] = True
            j += 1
    unshared = np.sort(np.concatenate([first[~shared_first], second[~shared_second]]))
    return np.sort(np.concatenate([first[shared_first], unshared[::2]]))
