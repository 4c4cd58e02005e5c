"""Emotional intensity on a 0-10 scale, from cues that do not move with gain.

Cues (per 10 s window, 5 s hop: the intonation grid)
----------------------------------------------------
alpha_ratio_db
    Vocal effort: energy 1-3.4 kHz over 400 Hz-1 kHz in voiced frames, in
    dB, each band's noise floor (median over pauses) taken off.  A ratio of
    two bands of the same signal, so microphone gain cancels; both bands
    sit inside the telephone band.
f0_rel_st
    F0 height: median F0 of the window in semitones above the speaker's
    own floor (the 10th percentile of the recording's voiced F0).
loudness_peak_rel_db
    Loudness dynamics: 95th percentile of the window's speech frame
    levels minus the recording's active speech level, in dB, both in the
    speech band (``tonecheck.rate.BAND_HZ``) so a telephone channel moves
    it little.  A level difference inside one recording, so gain cancels.

Each cue is standardized with the shipped means and SDs and combined
linearly (``calibration/intensity.json``, versioned; weights fitted on
emotional vs neutral readings), and the sum maps to 0-10 through a
logistic whose middle, 5, is the median of ordinary dev speech.

Relative to whom: F0 height and loudness peaks are relative to the
speaker's own floor and active level in the recording; windows use the
whole recording's floor and level, so they read against the speaker's own
reference in that call.  The alpha ratio has no reference inside one file
and also carries the channel.  Across calls, compare with the agent's
session median (:func:`relative_to_baseline`).  See docs/measures.md.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from .loudness import active_speech_level_db

__all__ = [
    "INTENSITY_BANDS",
    "IntensityWindow",
    "Intensity",
    "IntensityCalibration",
    "intensity_calibration",
    "intensity_band",
    "measure_intensity",
    "relative_to_baseline",
    "alpha_frames",
]

INTENSITY_BANDS = ("calm", "engaged", "intense")
WINDOW_S = 10.0
STEP_S = 5.0
MIN_VOICED_S = 0.5
"""A window needs this much voiced speech to be rated."""
MIN_RECORDING_VOICED_S = 0.25
"""The recording as a whole is rated from this much voicing (one short sentence)."""
FOLD_ST = 9.0
"""F0 frames further than this from the recording median are octave errors and move an octave back."""
INDEX_MAX = 10.0
F0_REL_MAX_ST = 8.0
"""A median this far above the speaker's floor is a tracking error (octave jumps), not height."""
NOISE_MIN_FRAMES = 20
"""Pause frames needed (0.2 s) to take the noise floor from pauses."""
NOISE_FRAMES_MAX = 1000
"""Pause frames measured at most for each band's noise floor (evenly spaced; :func:`alpha_frames`)."""


@dataclass(frozen=True)
class IntensityWindow:
    """One window: times in seconds, index 0-10 (NaN with too little voicing)."""

    start_s: float
    end_s: float
    index: float


@dataclass(frozen=True)
class Intensity:
    """Emotional intensity of a recording.

    Attributes
    ----------
    index : float
        0-10 for the recording (NaN if not measurable).
    band : str
        ``"calm"``, ``"engaged"``, ``"intense"`` or ``"unknown"``.
    windows : tuple of IntensityWindow
        One per 10 s window, 5 s hop (the intonation grid).
    cues : dict
        Cue name -> recording value used (units in the name).
    calibration : str
        Calibration version, e.g. ``"intensity-1"``.
    """

    index: float
    band: str
    windows: tuple
    cues: dict
    calibration: str


@dataclass(frozen=True)
class IntensityCalibration:
    """Standardization, weights, logistic scale and band edges (see docs/calibration.md)."""

    version: str
    cues: tuple
    mean: tuple
    sd: tuple
    weight: tuple
    bias: float
    scale: float
    calm_below: float
    intense_above: float

    def index_for(self, cues: dict) -> float:
        """0-10 index for a dict of cue values (NaN if any cue is NaN)."""
        values = np.array([cues[name] for name in self.cues], dtype=float)
        if not np.all(np.isfinite(values)):
            return float("nan")
        z = (values - np.array(self.mean)) / np.array(self.sd)
        score = float(np.dot(self.weight, z) + self.bias)
        return float(INDEX_MAX / (1.0 + math.exp(-score / self.scale)))


@cache
def intensity_calibration() -> IntensityCalibration:
    """The shipped calibration (``calibration/intensity.json``)."""
    text = resources.files("tonecheck.calibration").joinpath("intensity.json").read_text("utf-8")
    data = json.loads(text)
    cues = tuple(data["cues"])
    return IntensityCalibration(
        version=data["version"],
        cues=cues,
        mean=tuple(data["mean"][c] for c in cues),
        sd=tuple(data["sd"][c] for c in cues),
        weight=tuple(data["weight"][c] for c in cues),
        bias=float(data["bias"]),
        scale=float(data["scale"]),
        calm_below=float(data["bands"]["calm_below"]),
        intense_above=float(data["bands"]["intense_above"]),
    )


def intensity_band(index: float, cal: IntensityCalibration | None = None) -> str:
    """Plain band name for a 0-10 index (``"unknown"`` for NaN)."""
    cal = cal or intensity_calibration()
    if not math.isfinite(index):
        return "unknown"
    if index < cal.calm_below:
        return "calm"
    return "intense" if index > cal.intense_above else "engaged"


def relative_to_baseline(index: float, baseline: float) -> float:
    """Index minus a speaker baseline (e.g. the agent's session median), in scale units.

    Parameters
    ----------
    index : float
        0-10 intensity of one recording or window.
    baseline : float
        The same speaker's reference index (median over a call or a session).

    Returns
    -------
    delta : float
        Positive = more intense than usual; NaN if either is NaN.
    """
    return float(index - baseline)


def folded_semitones(f0_hz: np.ndarray) -> np.ndarray:
    """F0 in semitones re 1 Hz with octave errors folded toward the recording median.

    Frames more than ``FOLD_ST`` from the median of the voiced frames (period
    doubling or halving by the tracker) move one octave toward it, as the
    intonation measure does per window.  NaN (unvoiced) stays NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        st = 12.0 * np.log2(np.asarray(f0_hz, dtype=np.float32))
    dev = st - np.nanmedian(st)
    return np.where(np.abs(dev) > FOLD_ST, st - 12.0 * np.sign(dev), st)


def _minus_noise(band_energy: tuple, speech: np.ndarray) -> tuple:
    """Band powers with each band's noise floor (median over pauses) taken off, floored at 0.

    Background noise fills the upper band more than the lower one in quiet
    recordings, which would read as vocal effort.  Without pauses the 5th
    percentile of all frames stands in for the floor.  Frames left
    unmeasured (NaN, see :func:`alpha_frames`) are ignored and stay NaN.
    """
    out = []
    for power in band_energy:
        pauses = power[~speech]
        pauses = pauses[np.isfinite(pauses)]
        floor = np.median(pauses) if pauses.size >= NOISE_MIN_FRAMES else np.nanpercentile(power, 5)
        out.append(np.maximum(power - np.float32(floor), np.float32(0.0)))
    return tuple(out)


def alpha_frames(f0_hz: np.ndarray, pauses: np.ndarray, *, max_pause_frames: int = NOISE_FRAMES_MAX) -> np.ndarray:
    """Frames whose alpha-band powers :func:`measure_intensity` reads.

    The alpha cue sums voiced frames, and each band's noise floor is the
    median over pauses: every voiced frame and up to ``max_pause_frames``
    evenly spaced pause frames.  With fewer than ``NOISE_MIN_FRAMES``
    pauses the floor comes from all frames, so all are asked for.

    Parameters
    ----------
    f0_hz : np.ndarray [shape=(n_frames,)]
        F0 in Hz, NaN where unvoiced (as passed to :func:`measure_intensity`).
    pauses : np.ndarray [shape=(n_frames,)], bool
        Frames without speech (``~speech``, or the channel's pauses in a call).
    max_pause_frames : int > 0
        Pause frames to measure at most (the median of this many is exact
        to a small fraction of the spread of pause powers).

    Returns
    -------
    frames : np.ndarray [shape=(n_frames,)], bool
        For :func:`tonecheck.bandpowers.alpha_band_energies` ``frames=``.
    """
    pause_idx = np.flatnonzero(pauses)
    if pause_idx.size < NOISE_MIN_FRAMES:
        return np.ones(len(f0_hz), bool)
    frames = np.isfinite(f0_hz)
    if pause_idx.size > max_pause_frames:
        pause_idx = pause_idx[np.linspace(0, pause_idx.size - 1, max_pause_frames).round().astype(int)]
    frames[pause_idx] = True
    return frames


def _rounded(index: float) -> float:
    """One decimal is meaningful on the 0-10 scale; NaN stays NaN."""
    return round(index, 1) if math.isfinite(index) else index


def _window_grid(n_frames: int, *, hop_s: float) -> list:
    win, step = int(round(WINDOW_S / hop_s)), int(round(STEP_S / hop_s))
    starts = [0] if n_frames <= win else list(range(0, n_frames - win + step, step))
    return [(a, min(n_frames, a + win)) for a in starts]


def _span_frames(spans_s, n_frames: int, hop_s: float) -> list:
    return [(min(n_frames, int(round(a / hop_s))), min(n_frames, int(round(b / hop_s)))) for a, b in spans_s]


def _cues(f0_st, levels_db, frame_alpha, voiced, speech, *, floor_st: float, active_db: float) -> dict:
    """Cue values over one span of frames (arrays already cut to the span)."""
    nan = float("nan")
    st = f0_st[voiced]
    sp = levels_db[speech]
    hi, lo = frame_alpha[0][voiced].sum(), frame_alpha[1][voiced].sum()
    return {
        "alpha_ratio_db": float(10.0 * np.log10(hi / lo)) if hi > 0 and lo > 0 else nan,
        "f0_rel_st": float(min(np.median(st) - floor_st, F0_REL_MAX_ST)) if st.size else nan,
        "loudness_peak_rel_db": float(np.percentile(sp, 95) - active_db) if sp.size else nan,
    }


def measure_intensity(
    f0_hz: np.ndarray,
    levels_db: np.ndarray,
    band_energy: tuple,
    *,
    speech: np.ndarray,
    hop_s: float,
    spans_s: tuple | None = None,
    pauses: np.ndarray | None = None,
) -> Intensity:
    """Emotional intensity of a recording and of each window.

    Parameters
    ----------
    f0_hz : np.ndarray [shape=(n_frames,)]
        F0 in Hz, NaN where unvoiced (or not speech).
    levels_db : np.ndarray [shape=(n_frames,)]
        Speech-band frame levels in dBFS (the speech detector's input).
    band_energy : (np.ndarray, np.ndarray)
        Per-frame energy in the upper and lower alpha bands (linear, any
        common scale), from :func:`tonecheck.bandpowers.alpha_band_energies`;
        NaN where not measured (the frames of :func:`alpha_frames` must be).
    speech : np.ndarray [shape=(n_frames,)], bool
        Speech frames.
    hop_s : float
        Frame hop in seconds.
    spans_s : tuple of (float, float), optional
        Rate these stretches (e.g. one party's turns in a call) as the
        windows instead of the 10 s grid.
    pauses : np.ndarray [shape=(n_frames,)], bool, optional
        Frames that hold no speech at all, for the noise floor (default:
        the frames that are not ``speech``). One party of a call passes
        the channel's pauses, so the other party's talk is not "noise".

    Returns
    -------
    intensity : Intensity
    """
    cal = intensity_calibration()
    voiced = np.isfinite(f0_hz)
    if voiced.sum() * hop_s < MIN_RECORDING_VOICED_S:
        return Intensity(float("nan"), "unknown", (), dict.fromkeys(cal.cues, float("nan")), cal.version)
    band_energy = _minus_noise(band_energy, speech if pauses is None else ~pauses)
    f0_st = folded_semitones(f0_hz)
    floor_st = float(np.percentile(f0_st[voiced], 10))
    kw = {"floor_st": floor_st, "active_db": active_speech_level_db(levels_db, speech)}
    windows = []
    grid = _window_grid(len(f0_hz), hop_s=hop_s) if spans_s is None else _span_frames(spans_s, len(f0_hz), hop_s)
    for a, b in grid:
        index = float("nan")
        if voiced[a:b].sum() * hop_s >= MIN_VOICED_S:
            span = (band_energy[0][a:b], band_energy[1][a:b])
            index = _rounded(cal.index_for(_cues(f0_st[a:b], levels_db[a:b], span, voiced[a:b], speech[a:b], **kw)))
        windows.append(IntensityWindow(round(a * hop_s, 2), round(b * hop_s, 2), index))
    cues = _cues(f0_st, levels_db, band_energy, voiced, speech, **kw)
    index = _rounded(cal.index_for(cues))
    return Intensity(index, intensity_band(index, cal), tuple(windows), cues, cal.version)
