"""Speaking rate from the audio alone: syllable nuclei, as in de Jong & Wempe.

A syllable nucleus is a peak of the vowel-band intensity contour that is
voiced, lies in speech, stands at least ``MIN_DIP_DB`` above the dips on
either side (peak prominence), and is no more than ``MAX_BELOW_REF_DB``
below the loud-speech reference.  Counting nuclei gives syllables; a
per-language syllables-per-word factor fitted on the dev corpus
(``calibration/rate.json``) turns them into words.

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

import json
import re
import string
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from scipy import signal

__all__ = [
    "RateEstimate",
    "RateCalibration",
    "rate_calibration",
    "syllable_nuclei",
    "estimate_rate",
    "count_words",
    "transcript_scripts",
    "foreign_script",
    "BAND_HZ",
]

BAND_HZ = (300.0, 3000.0)
"""Vowel band for the nucleus intensity contour (inside the telephone band)."""
NUCLEUS_WINDOW_S = 0.05
MIN_DIP_DB = 2.0
MAX_BELOW_REF_DB = 25.0
MIN_SPACING_S = 0.09
"""Closest two nuclei can be (about 11 syllables per second)."""
PUNCTUATION = string.punctuation + "\u2018\u2019\u201c\u201d\u2026"
NOISE_MARKER = re.compile(r"<[^<>]*>[.,;:!?]*")
"""Transcript markers such as <NOISE> are not words."""
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class RateCalibration:
    """Per-language syllables-per-word factor and where it came from."""

    version: str
    language: str
    syllables_per_word: float
    source: str


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


@cache
def rate_calibration(language: str) -> RateCalibration:
    """The shipped syllables-per-word calibration for ``language`` (en, zh)."""
    data = json.loads(resources.files("tonecheck.calibration").joinpath("rate.json").read_text("utf-8"))
    if language not in data["languages"]:
        raise ValueError(f"no rate calibration for language={language!r}; use one of {sorted(data['languages'])}")
    entry = data["languages"][language]
    return RateCalibration(data["version"], language, float(entry["syllables_per_word"]), entry["source"])


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


def _latin_tokens(text: str) -> list:
    """Whitespace tokens outside Chinese characters that hold a letter or digit (noise markers dropped)."""
    tokens = CJK.sub(" ", unicodedata.normalize("NFKC", text)).split()
    return [t for t in tokens if not NOISE_MARKER.fullmatch(t) and any(c.isalnum() for c in t.strip(PUNCTUATION))]


def _han_words(text: str) -> tuple:
    """Words and characters of the Chinese part of ``text`` (jieba, else characters / calibrated factor)."""
    chars = len(CJK.findall(text))
    if not chars:
        return 0.0, 0
    try:
        import jieba  # optional: the segmenter the corpus labels use
    except ImportError:
        return chars / rate_calibration("zh").syllables_per_word, chars
    jieba.setLogLevel(60)
    return float(sum(1 for tok in jieba.lcut(text) if CJK.search(tok))), chars


def transcript_scripts(text: str) -> tuple:
    """How much of a transcript is written in each script.

    Returns
    -------
    latin_words : int
        Whitespace words outside Chinese characters (English, pinyin, digits).
    han_chars : int
        Chinese characters.
    """
    return len(_latin_tokens(text)), len(CJK.findall(text))


def foreign_script(text: str, *, language: str) -> str | None:
    """``"han"`` or ``"latin"`` when a transcript is mostly in the other language's script, else None.

    English speech with mostly Chinese characters (compared as estimated
    words) gives ``"han"``; Mandarin speech with more Latin-alphabet words
    than Chinese characters gives ``"latin"``.
    """
    latin_words, han_chars = transcript_scripts(text)
    if language == "en" and han_chars / rate_calibration("zh").syllables_per_word > latin_words:
        return "han"
    if language == "zh" and latin_words > han_chars:
        return "latin"
    return None


def count_words(text: str, *, language: str) -> tuple:
    """Words and syllable-bearing units in a transcript, counted per script.

    Chinese characters are counted as Mandarin words (``jieba`` tokens that
    contain Chinese characters when jieba is installed, else characters
    divided by the calibrated characters-per-word factor); the rest as
    English-style whitespace words (surrounding punctuation stripped, inner
    apostrophes and hyphens kept). So a Chinese transcript under
    ``language="en"`` is not one long "word", and English product names in a
    Mandarin transcript count too. ``language`` decides only what ``chars``
    means.

    Returns
    -------
    words : float
    chars : int
        Chinese characters for ``language="zh"`` (the Mandarin syllable
        count), 0 for English.
    """
    han_words, chars = _han_words(text)
    words = han_words + len(_latin_tokens(text))
    return float(words), (chars if language == "zh" else 0)


def estimate_rate(
    nuclei: np.ndarray,
    *,
    span_s: float,
    speech_s: float,
    language: str,
    hop_s: float = 0.01,
    transcript: str | None = None,
) -> RateEstimate:
    """Turn nuclei (or a transcript) and the speech timing into rates.

    Parameters
    ----------
    nuclei : np.ndarray
        Nucleus frame indices from :func:`syllable_nuclei`.
    span_s, speech_s : float > 0
        Speaking span and speech time in seconds.
    language : {"en", "zh"}
    transcript : str, optional
        What was said; switches to the exact word count.

    Returns
    -------
    estimate : RateEstimate
    """
    cal = rate_calibration(language)
    syllables = int(len(nuclei))
    if transcript is not None:
        words, chars = count_words(transcript, language=language)
        method = "transcript"
        if language == "zh":
            syllables = chars
    else:
        words, method = syllables / cal.syllables_per_word, "syllable-nuclei"
    span_min, speech_min = span_s / 60.0, speech_s / 60.0
    return RateEstimate(
        words=float(words),
        syllables=syllables,
        span_s=float(span_s),
        speech_s=float(speech_s),
        wpm=words / span_min if span_min > 0 else float("nan"),
        articulation_wpm=words / speech_min if speech_min > 0 else float("nan"),
        syllables_per_s=syllables / span_s if span_s > 0 else float("nan"),
        chars_per_min=(syllables / span_min if span_min > 0 else float("nan")) if language == "zh" else None,
        method=method,
        nuclei_s=np.asarray(nuclei) * hop_s,
    )
