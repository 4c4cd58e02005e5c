"""Words and characters in a transcript, counted per script (the exact rate when text exists)."""

from __future__ import annotations

import re
import string
import unicodedata

from .rate_calibrations import rate_calibration

__all__ = ["count_words", "transcript_scripts", "foreign_script", "CJK", "PUNCTUATION", "NOISE_MARKER"]

PUNCTUATION = string.punctuation + "\u2018\u2019\u201c\u201d\u2026"
NOISE_MARKER = re.compile(r"<[^<>]*>[.,;:!?]*")
"""Transcript markers such as <NOISE> are not words."""
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


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
