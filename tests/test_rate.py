"""tonecheck.rate: syllable nuclei, word counting and rate arithmetic (tolerances in wpm)."""

import numpy as np
import pytest

from tonecheck.rate import (
    CJK,
    count_words,
    estimate_rate,
    foreign_script,
    rate_calibration,
    syllable_nuclei,
    transcript_scripts,
)
from tonecheck.syllables import nucleus_contour_db

HOP = 0.01


def nucleus_levels(rate_per_s, seconds, depth_db=12.0):
    """Band levels with one smooth peak per syllable."""
    t = np.arange(int(seconds / HOP)) * HOP
    return (-30 + depth_db * 0.5 * (1 + np.cos(2 * np.pi * rate_per_s * t))).astype(np.float32)


@pytest.mark.parametrize("rate_per_s", [2.0, 3.5, 5.0, 7.0])
def test_one_nucleus_per_syllable_peak(rate_per_s):
    lev = nucleus_levels(rate_per_s, 10.0)
    on = np.ones(lev.size, bool)
    nuclei = syllable_nuclei(lev, speech=on, voiced=on, hop_s=HOP)
    assert len(nuclei) == pytest.approx(rate_per_s * 10, abs=1)


def test_unvoiced_and_non_speech_peaks_do_not_count():
    lev = nucleus_levels(4.0, 10.0)
    on = np.ones(lev.size, bool)
    half = on.copy()
    half[lev.size // 2 :] = False
    assert len(syllable_nuclei(lev, speech=on, voiced=half, hop_s=HOP)) == pytest.approx(20, abs=1)
    assert len(syllable_nuclei(lev, speech=half, voiced=on, hop_s=HOP)) == pytest.approx(20, abs=1)
    assert len(syllable_nuclei(lev, speech=~on, voiced=on, hop_s=HOP)) == 0


def test_shallow_ripples_are_not_syllables():
    lev = nucleus_levels(4.0, 10.0, depth_db=1.0)
    on = np.ones(lev.size, bool)
    assert len(syllable_nuclei(lev, speech=on, voiced=on, hop_s=HOP)) == 0


def powers(levels_db):
    """Linear mean-square power of dB levels (what alpha_band_energies returns)."""
    return 10.0 ** (np.asarray(levels_db, np.float64) / 10.0)


@pytest.mark.parametrize("rate_per_s", [2.0, 3.5, 5.0, 7.0])
def test_three_band_contour_counts_one_nucleus_per_syllable_peak(rate_per_s):
    lev = nucleus_levels(rate_per_s, 10.0)
    on = np.ones(lev.size, bool)
    sub = (powers(lev - 6.0), powers(lev - 3.0))
    nuclei = syllable_nuclei(lev, speech=on, voiced=on, hop_s=HOP, sub_band_powers=sub)
    assert len(nuclei) == pytest.approx(rate_per_s * 10, abs=1)


def merged_pair(n_pairs=10, pair_s=0.5):
    """Two syllables per stretch: the broad band dips 1.5 dB between them, the upper band 15 dB (a closure)."""
    t = np.arange(int(n_pairs * pair_s / HOP)) * HOP
    phase = (t % pair_s) / pair_s
    bump = np.exp(-0.5 * ((phase - 0.5) / 0.3) ** 2)  # one broad loudness bump per pair
    dip = np.exp(-0.5 * ((phase - 0.5) / 0.05) ** 2)  # the consonant between the two vowels
    band = -30.0 + 10.0 * bump * (1.05 - 0.1 * phase) - 1.5 * dip  # the second vowel a little weaker
    return band, (powers(band - 4.0 - 13.5 * dip), powers(band - 2.0))


def test_a_dip_in_one_sub_band_splits_syllables_the_broad_band_merges():
    band, sub = merged_pair()
    on = np.ones(band.size, bool)
    assert len(syllable_nuclei(band, speech=on, voiced=on, hop_s=HOP)) == pytest.approx(10, abs=1)
    assert len(syllable_nuclei(band, speech=on, voiced=on, hop_s=HOP, sub_band_powers=sub)) == pytest.approx(20, abs=1)


def test_unmeasured_sub_band_frames_fall_back_to_the_band_level():
    lev = nucleus_levels(4.0, 10.0)
    on = np.ones(lev.size, bool)
    high, low = powers(lev - 6.0), powers(lev - 3.0)
    gaps = np.zeros(lev.size, bool)
    gaps[::7] = True  # frames alpha_band_energies was not asked for
    high[gaps], low[gaps] = np.nan, np.nan
    contour = nucleus_contour_db(lev, (high, low), speech=on)
    assert np.all(np.isfinite(contour))
    assert np.allclose(contour, lev - 3.0, atol=1e-3)
    measured = (powers(lev - 6.0), powers(lev - 3.0))
    expected = syllable_nuclei(lev, speech=on, voiced=on, hop_s=HOP, sub_band_powers=measured)
    got = syllable_nuclei(lev, speech=on, voiced=on, hop_s=HOP, sub_band_powers=(high, low))
    assert len(expected) == pytest.approx(40, abs=1) and len(got) == len(expected)
    assert np.max(np.abs(got - expected)) <= 1  # frames


def test_rate_arithmetic_over_span_and_speech_time():
    cal = rate_calibration("en").syllables_per_word
    nuclei = np.arange(120)
    r = estimate_rate(nuclei, span_s=60.0, speech_s=40.0, language="en")
    assert r.wpm == pytest.approx(120 / cal)
    assert r.articulation_wpm == pytest.approx(120 / cal * 1.5)
    assert r.syllables_per_s == pytest.approx(2.0)
    assert r.method == "syllable-nuclei" and r.chars_per_min is None


def test_transcript_gives_exact_words():
    r = estimate_rate(
        np.arange(10),
        span_s=30.0,
        speech_s=25.0,
        language="en",
        transcript="Hello, I'm Alex -- how can I help you today?",
    )
    assert r.words == 9 and r.wpm == pytest.approx(18.0) and r.method == "transcript"


def test_english_word_count_rules():
    assert count_words("It's a well-known fact, uh, <NOISE> isn't it?", language="en")[0] == 7


def test_mandarin_counts_characters_and_words():
    words, chars = count_words("我马上为您查找这个包裹。", language="zh")
    assert chars == 11
    assert 3 <= words <= 8
    r = estimate_rate(np.arange(30), span_s=10.0, speech_s=8.0, language="zh")
    assert r.chars_per_min == pytest.approx(180.0 * rate_calibration("zh").chars_per_nucleus)
    assert r.wpm == pytest.approx(180.0 / rate_calibration("zh").syllables_per_word)


@pytest.mark.parametrize(
    "text, words",
    [
        ("感谢您致电北风客服，我是小李。", (7, 10)),  # not one "word" under English settings
        ("thank you for calling", (4, 4)),
        ("我的iPhone坏了", (4, 6)),  # the product name counts in Mandarin too
        ("... -- !?", (0, 0)),
    ],
)
def test_words_are_counted_per_script_whatever_the_language(text, words):
    for language in ("en", "zh"):
        n, chars = count_words(text, language=language)
        assert words[0] <= n <= words[1], (language, n)
        assert chars == (len(CJK.findall(text)) if language == "zh" else 0)


def test_transcript_scripts():
    assert transcript_scripts("Thank you, 小李, for calling") == (4, 2)
    assert transcript_scripts("<NOISE> 你好") == (0, 2)


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("感谢您致电北风客服，我是小李。", "en", "han"),
        ("感谢您致电北风客服，我是小李。", "zh", None),
        ("thank you for calling", "zh", "latin"),
        ("thank you for calling", "en", None),
        ("Thank you for calling Northwind, my name is 李明.", "en", None),  # a Chinese name in English
        ("我的iPhone坏了", "zh", None),  # an English product name in Mandarin
    ],
)
def test_foreign_script(text, language, expected):
    assert foreign_script(text, language=language) == expected
