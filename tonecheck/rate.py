"""Speaking rate from the audio alone: syllable nuclei, as in de Jong & Wempe.

Counting syllable nuclei (:mod:`tonecheck.syllables`) gives syllables; a
per-language calibration fitted on the dev corpus with speaker-grouped
cross-validation (``calibration/rate.json``) turns them into words and, for
Mandarin, characters, and gives every stretch's rate a 90% interval
(``windows``, :func:`rate_between`, :func:`rates_differ`).

Rates (docs/measures.md):

* ``wpm``: words per minute over the speaking span, first speech to last
  speech (pauses inside count, leading and trailing silence do not) - the
  unit of the manual's 100-150 words per minute;
* ``articulation_wpm``: words per minute of speech time (pauses excluded);
* ``syllables_per_s``: syllables per second over the speaking span.

Reference: N. H. de Jong & T. Wempe (2009), Praat script to detect syllable
nuclei and measure speech rate automatically, Behavior Research Methods
41(2), 385-390.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rate_calibrations import RateCalibration, rate_calibration
from .syllables import BAND_HZ, MODULATION_BANDS, syllable_nuclei
from .word_count import CJK, count_words, foreign_script, transcript_scripts

__all__ = [
    "RateEstimate",
    "RateCalibration",
    "rate_calibration",
    "syllable_nuclei",
    "estimate_rate",
    "count_words",
    "CJK",
    "transcript_scripts",
    "foreign_script",
    "BAND_HZ",
    "MODULATION_BANDS",
    "WINDOW_S",
    "WindowRate",
    "rate_between",
    "rate_windows",
    "rates_differ",
]

WINDOW_S = 5.0
"""Length of the ``rate.windows`` stretches (a turn of a few seconds), seconds."""
Z_90 = 1.645
"""Two-sided 90% normal quantile for the rate intervals."""


@dataclass(frozen=True)
class RateEstimate:
    """Speaking rate of one recording.

    Attributes
    ----------
    words : float
        Words spoken (estimated unless ``method == "transcript"``).
    syllables : int
        Syllable nuclei counted (or syllables implied by the transcript).
    span_s, speech_s : float
        Speaking span (first to last speech) and speech time, seconds.
    wpm, articulation_wpm : float
        Words per minute over the span and over speech time.
    syllables_per_s : float
        Syllables per second over the span.
    chars_per_min : float or None
        Mandarin only: characters (= syllables) per minute over the span.
    method : str
        ``"syllable-nuclei"`` or ``"transcript"``.
    nuclei_s : np.ndarray
        Time of each syllable nucleus in seconds (for rate-over-time plots).
    windows : tuple of WindowRate
        Rate over consecutive ``WINDOW_S`` stretches of the speaking span,
        each with a 90% interval (empty with a transcript).
    transcript_source : str or None
        Where the transcript came from (a path, or ``"--transcript"``).
    """

    words: float
    syllables: int
    span_s: float
    speech_s: float
    wpm: float
    articulation_wpm: float
    syllables_per_s: float
    chars_per_min: float | None
    method: str
    nuclei_s: np.ndarray
    windows: tuple = ()
    transcript_source: str | None = None


@dataclass(frozen=True)
class WindowRate:
    """Rate over one stretch ``[start_s, end_s)`` with a 90% interval.

    ``wpm`` counts words per minute of the whole stretch (pauses inside
    count); ``wpm_low``/``wpm_high`` and ``syllables_per_s_low``/``_high``
    bound it with the held-out error model of :class:`RateCalibration`
    (``rel_sd`` is the log-scale standard deviation of the syllable count;
    the wpm and characters intervals also hold the per-language floor).
    The ``chars_per_min`` fields are set for Mandarin only.
    """

    start_s: float
    end_s: float
    syllables: int
    syllables_per_s: float
    syllables_per_s_low: float
    syllables_per_s_high: float
    wpm: float
    wpm_low: float
    wpm_high: float
    chars_per_min: float | None
    chars_per_min_low: float | None
    chars_per_min_high: float | None
    rel_sd: float


def estimate_rate(
    nuclei: np.ndarray,
    *,
    span_s: float,
    speech_s: float,
    language: str,
    hop_s: float = 0.01,
    transcript: str | None = None,
    start_s: float = 0.0,
    transcript_source: str | None = None,
    turns_s: tuple | None = None,
) -> RateEstimate:
    """Turn nuclei (or a transcript) and the speech timing into rates.

    Parameters
    ----------
    nuclei : np.ndarray
        Nucleus frame indices from :func:`syllable_nuclei`.
    span_s, speech_s : float > 0
        Speaking span and speech time in seconds.
    language : {"en", "zh"}
    hop_s : float
        Frame hop in seconds.
    transcript : str, optional
        What was said; switches to the exact word count.
    start_s : float
        Start of the speaking span in seconds (where ``windows`` begin).
    transcript_source : str, optional
        Where the transcript came from, recorded in the estimate.
    turns_s : tuple of (float, float), optional
        One party of a call: its turns in seconds. ``span_s`` is then their
        total length, and ``windows`` are cut turn by turn, so the other
        party's talk never counts as this party's pause.

    Returns
    -------
    estimate : RateEstimate
    """
    cal = rate_calibration(language)
    syllables = int(len(nuclei))
    nuclei_s = np.asarray(nuclei) * hop_s
    chars = syllables * cal.chars_per_nucleus
    if transcript is not None:
        words, chars = count_words(transcript, language=language)
        method, windows = "transcript", ()
        if language == "zh":
            syllables = chars
    else:
        words, method = syllables / cal.syllables_per_word, "syllable-nuclei"
        stretches = turns_s if turns_s is not None else ((start_s, start_s + span_s),)
        windows = tuple(w for a, b in stretches for w in rate_windows(nuclei_s, start_s=a, end_s=b, language=language))
    span_min, speech_min = span_s / 60.0, speech_s / 60.0
    return RateEstimate(
        words=float(words),
        syllables=syllables,
        span_s=float(span_s),
        speech_s=float(speech_s),
        wpm=words / span_min if span_min > 0 else float("nan"),
        articulation_wpm=words / speech_min if speech_min > 0 else float("nan"),
        syllables_per_s=syllables / span_s if span_s > 0 else float("nan"),
        chars_per_min=(chars / span_min if span_min > 0 else float("nan")) if language == "zh" else None,
        method=method,
        nuclei_s=nuclei_s,
        windows=windows,
        transcript_source=transcript_source if transcript is not None else None,
    )


def rate_between(nuclei_s, start_s: float, end_s: float, *, language: str) -> WindowRate:
    """Rate of one stretch (e.g. a turn) from nucleus times, with a 90% interval.

    Parameters
    ----------
    nuclei_s : np.ndarray or RateEstimate or Analysis
        Nucleus times in seconds, or an object holding them (``.nuclei_s``
        or ``.rate.nuclei_s``).
    start_s, end_s : float, end_s > start_s
        The stretch in seconds; nuclei in ``[start_s, end_s)`` count.
    language : {"en", "zh"}

    Returns
    -------
    window : WindowRate
        The syllable-rate interval is ``rate * exp(+-1.645 * rel_sd)`` with
        ``rel_sd = sqrt(count_var_per_nucleus / max(n, 1))``, the held-out
        count error of ``n``-nucleus stretches; the wpm interval adds the
        language's ``rel_sd_floor`` (syllables per word differ between
        speakers and texts) in quadrature (docs/calibration.md).
    """
    if end_s <= start_s:
        raise ValueError(f"end_s={end_s} must be after start_s={start_s}; pass a stretch of positive length")
    times = getattr(getattr(nuclei_s, "rate", nuclei_s), "nuclei_s", nuclei_s)
    times = np.asarray(times, float)
    n = int(np.count_nonzero((times >= start_s) & (times < end_s)))
    cal = rate_calibration(language)
    duration_s = end_s - start_s
    rel_sd = float(np.sqrt(cal.count_var_per_nucleus / max(n, 1)))
    words_sd = float(np.hypot(rel_sd, cal.rel_sd_floor))
    syl_s = n / duration_s
    wpm = n / cal.syllables_per_word / duration_s * 60.0
    cpm = n * cal.chars_per_nucleus / duration_s * 60.0 if language == "zh" else None
    return WindowRate(
        start_s=float(start_s),
        end_s=float(end_s),
        syllables=n,
        syllables_per_s=syl_s,
        syllables_per_s_low=syl_s * np.exp(-Z_90 * rel_sd),
        syllables_per_s_high=max(syl_s, 1.0 / duration_s) * np.exp(Z_90 * rel_sd),
        wpm=wpm,
        wpm_low=wpm * np.exp(-Z_90 * words_sd),
        wpm_high=max(wpm, 60.0 / cal.syllables_per_word / duration_s) * np.exp(Z_90 * words_sd),
        chars_per_min=cpm,
        chars_per_min_low=None if cpm is None else cpm * np.exp(-Z_90 * words_sd),
        chars_per_min_high=None if cpm is None else max(cpm, 60.0 / duration_s) * np.exp(Z_90 * words_sd),
        rel_sd=rel_sd,
    )


def rate_windows(nuclei_s: np.ndarray, *, start_s: float, end_s: float, language: str) -> tuple:
    """Consecutive ``WINDOW_S`` stretches of ``[start_s, end_s)``, each a :class:`WindowRate`.

    A remainder shorter than half a window joins the last window; a span
    shorter than a window is one window.

    Parameters
    ----------
    nuclei_s : np.ndarray
        Nucleus times in seconds.
    start_s, end_s : float
        The speaking span in seconds.
    language : {"en", "zh"}

    Returns
    -------
    windows : tuple of WindowRate
        Empty when the span is empty.
    """
    span_s = end_s - start_s
    if span_s <= 0:
        return ()
    n_windows = max(1, int(round(span_s / WINDOW_S)))
    edges = start_s + np.minimum(np.arange(n_windows + 1) * WINDOW_S, span_s)
    edges[-1] = end_s
    return tuple(rate_between(nuclei_s, a, b, language=language) for a, b in zip(edges[:-1], edges[1:]))


def rates_differ(a: WindowRate, b: WindowRate, *, z: float = Z_90) -> bool:
    """True only when two stretches' rates differ by more than their uncertainty.

    Compares the syllable rates (what rate matching is about; word length
    differs between speakers) on the log scale:
    ``|log(a / b)| > z * sqrt(a.rel_sd**2 + b.rel_sd**2)``. A stretch with no
    nuclei never differs.

    Parameters
    ----------
    a, b : WindowRate
        Two stretches, e.g. from :func:`rate_between`.
    z : float > 0
        Normal quantile of the test (1.645: 90 % two-sided).

    Returns
    -------
    differ : bool
    """
    if a.syllables_per_s <= 0 or b.syllables_per_s <= 0:
        return False
    gap = abs(np.log(a.syllables_per_s / b.syllables_per_s))
    return bool(gap > z * np.hypot(a.rel_sd, b.rel_sd))
