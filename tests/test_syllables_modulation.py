"""The Mandarin syllable detector (calibration rate-4, depth-scaled prominences since rate-5): mel bands, modulation nuclei and their consensus."""

import numpy as np
import pytest

from tonecheck import syllables
from tonecheck.analysis import Settings, analyze
from tonecheck.audio import from_array
from tonecheck.bandpowers import alpha_band_energies, frame_band_powers
from tonecheck.filterbank import mel_filters
from tonecheck.rate import rate_calibration
from tonecheck.syllables import (
    MODULATION_BANDS,
    consensus_nuclei,
    modulation_depth_db,
    modulation_nuclei,
    syllable_nuclei,
)

HOP = 0.01


def falling_phrases(rate_per_s, depth_db, slope_db_per_s, seconds=6.0):
    """dB levels of syllables (raised cosines) riding on phrases that fall by ``slope_db_per_s``, 1.5 s each."""
    t = np.arange(int(seconds / HOP)) * HOP
    return (-20 - slope_db_per_s * (t % 1.5) + depth_db * 0.5 * (1 + np.cos(2 * np.pi * rate_per_s * t))).astype(
        np.float32
    )


def counts(levels_db):
    """(three-band nuclei, modulation nuclei, rate-4 Mandarin nuclei) when every band follows ``levels_db``."""
    on = np.ones(levels_db.size, bool)
    power = 10.0 ** (levels_db.astype(np.float64) / 10.0)
    mel = np.tile(power, (MODULATION_BANDS.stop - MODULATION_BANDS.first, 1))
    three = syllable_nuclei(levels_db, speech=on, voiced=on, hop_s=HOP, sub_band_powers=(power, power))
    modulation = modulation_nuclei(mel, speech=on, voiced=on, hop_s=HOP)
    both = syllable_nuclei(
        levels_db, speech=on, voiced=on, hop_s=HOP, sub_band_powers=(power, power), modulation_band_powers=mel
    )
    return len(three), len(modulation), len(both)


def test_mel_filters_are_librosas():
    import librosa

    ours = mel_filters(sr=8000, n_fft=240, n_mels=20, fmin_hz=100.0, fmax_hz=3800.0)
    theirs = librosa.filters.mel(sr=8000, n_fft=240, n_mels=20, fmin=100.0, fmax=3800.0)
    np.testing.assert_allclose(ours, theirs, atol=1e-7)


def test_mel_bands_come_from_the_same_spectra_as_the_alpha_bands():
    rng = np.random.default_rng(0)
    y = (0.1 * rng.standard_normal(8000 * 2)).astype(np.float32)
    high, low = alpha_band_energies(y, sr=8000, hop_s=HOP)
    powers = frame_band_powers(y, sr=8000, hop_s=HOP, mel_bands=MODULATION_BANDS)
    np.testing.assert_allclose(powers.alpha_high, high, rtol=1e-5)
    np.testing.assert_allclose(powers.alpha_low, low, rtol=1e-5)
    assert powers.mel.shape == (MODULATION_BANDS.stop - MODULATION_BANDS.first, high.size)
    # white noise: a band's power density is about the same in every band
    density = np.median(powers.mel, axis=1)
    assert density.max() / density.min() < 1.5


@pytest.mark.parametrize("rate_per_s", [1.5, 2.0, 3.0, 5.0, 7.0])
def test_one_modulation_nucleus_per_syllable(rate_per_s):
    _, modulation, both = counts(falling_phrases(rate_per_s, depth_db=8.0, slope_db_per_s=0.0))
    assert modulation == pytest.approx(rate_per_s * 6, abs=1)
    assert both == pytest.approx(rate_per_s * 6, abs=1)


def test_syllables_on_a_falling_phrase_are_not_merged():
    """The class of defect rate-4 addresses: syllables on a steep loudness slope lose their prominence.

    On phrases falling 20 dB/s, a 5 dB syllable modulation has dips that the
    three-band detector's prominence cannot see; band-passing at syllable
    rates removes the slope.
    """
    three, modulation, both = counts(falling_phrases(5.0, depth_db=5.0, slope_db_per_s=20.0))
    assert three < 0.2 * 30
    assert modulation >= 0.8 * 30
    assert both >= 0.8 * 30  # the consensus too (its three-band vote is depth-scaled here: 5 dB syllables)


def test_long_steady_vowels_are_not_split():
    """Slow speech: a 0.4 s steady vowel must not become an onset and an offset nucleus.

    The band-pass that removes the loudness trend makes two bumps of a long
    plateau; without a dip between them in the unfiltered level they are
    one nucleus (before this rule espeak-ng Mandarin at 94 characters per
    minute read 23 % fast).
    """
    t = np.arange(int(6.0 / HOP)) * HOP
    phase = t % 0.6
    levels = np.where(phase < 0.4, -20.0, -35.0).astype(np.float32)  # 10 vowels of 0.4 s, 0.2 s gaps
    kernel = np.hanning(7)[1:-1]
    levels = np.convolve(levels, kernel / kernel.sum(), mode="same").astype(np.float32)
    three, modulation, both = counts(levels)
    assert modulation <= 10
    assert both == pytest.approx(10, abs=1)


def test_ripples_below_the_smallest_prominence_are_no_nuclei():
    _, modulation, both = counts(falling_phrases(5.0, depth_db=1.2, slope_db_per_s=0.0))
    assert modulation <= 1 and both <= 1  # of 30 ripples; at most an edge effect of the band-pass


def test_shallow_ripples_in_normally_modulated_speech_are_no_nuclei():
    """The prominences follow the recording's depth: 3 dB ripples after 25 dB syllables stay ripples.

    Close, clean speech is that deep (modulation depth 6-10 dB RMS; with the
    ripples this recording reads 7), so the fixed prominences apply.
    """
    syllables_db = falling_phrases(4.0, depth_db=25.0, slope_db_per_s=0.0, seconds=8.0)
    ripples_db = falling_phrases(5.0, depth_db=3.0, slope_db_per_s=0.0, seconds=4.0) - 3.5
    levels = np.concatenate([syllables_db, ripples_db])
    on = np.ones(levels.size, bool)
    power = 10.0 ** (levels.astype(np.float64) / 10.0)
    mel = np.tile(power, (MODULATION_BANDS.stop - MODULATION_BANDS.first, 1))
    both = syllable_nuclei(
        levels, speech=on, voiced=on, hop_s=HOP, sub_band_powers=(power, power), modulation_band_powers=mel
    )
    assert np.sum(both < syllables_db.size) == pytest.approx(32, abs=1)
    assert np.sum(both > syllables_db.size + 10) <= 1  # of 20 ripples


def reverberant_syllables(t60_s, *, rate_per_s=5.0, seconds=8.0, seed=0):
    """dB levels of syllables of unequal loudness (+-4 dB, 90 ms wide) in a room: each one's power decays over ``t60_s``."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds / HOP)) * HOP
    n = int(seconds * rate_per_s)
    power = np.full(t.size, 10**-4.5)
    for i, peak_db in enumerate(-20 + rng.uniform(-4, 4, n)):
        power += 10 ** (peak_db / 10) * np.exp(-0.5 * ((t - (i + 0.5) / rate_per_s) / 0.045) ** 2)
    if t60_s:
        tail = np.exp(-6.9 * np.arange(int(t60_s / HOP)) * HOP / t60_s)
        power = power + np.convolve(power, tail / tail.sum())[: power.size]  # reverberant as loud as direct
    return (10 * np.log10(power)).astype(np.float32), n


@pytest.mark.parametrize("t60_s", [0.6, 0.9])
def test_syllables_whose_dips_reverberation_filled_are_found(t60_s, monkeypatch):
    """The class of defect rate-5 addresses: a room fills the dips between syllables.

    With fixed prominences (rate-4) about half of these syllables are lost;
    prominences scaled by the recording's modulation depth keep them, and
    dry syllables of the same speech are counted as before.
    """
    dry, n = reverberant_syllables(0.0)
    wet, _ = reverberant_syllables(t60_s)
    on = np.ones(wet.size, bool)
    mel = np.tile(10.0 ** (wet.astype(np.float64) / 10.0), (MODULATION_BANDS.stop - MODULATION_BANDS.first, 1))
    assert modulation_depth_db(mel, speech=on, hop_s=HOP) < syllables.MODULATION_DEPTH_REF_DB
    assert counts(dry)[2] == n
    assert counts(wet)[2] >= 0.85 * n
    monkeypatch.setattr(syllables, "MIN_PROMINENCE_SCALE", 1.0)  # rate-4: fixed prominences
    assert counts(wet)[2] < 0.6 * n


def test_consensus_counts_shared_nuclei_once_and_every_second_unshared_one():
    first = np.array([10, 30, 50, 70, 90])
    second = np.array([11, 29, 60, 80, 95])  # 10/11, 30/29, 90/95 shared within 60 ms
    joined = consensus_nuclei(first, second, hop_s=HOP)
    assert list(joined) == [10, 30, 50, 70, 90]  # shared at first's frames; unshared 50, 60, 70, 80 -> 50, 70
    rng = np.random.default_rng(1)
    for _ in range(50):
        a = np.sort(rng.choice(1000, rng.integers(0, 40), replace=False))
        b = np.sort(rng.choice(1000, rng.integers(0, 40), replace=False))
        assert len(consensus_nuclei(a, b, hop_s=HOP)) == -(-(len(a) + len(b)) // 2)


def test_only_mandarin_uses_the_modulation_detector():
    assert rate_calibration("zh").uses_modulation
    assert not rate_calibration("en").uses_modulation


def test_mandarin_analysis_counts_the_consensus_nuclei():
    """Harmonic 'syllables' on falling phrases: the Mandarin analysis counts more of them than the English one."""
    sr, rate_per_s, seconds = 8000, 5.0, 6.0
    t = np.arange(int(sr * seconds)) / sr
    envelope_db = np.interp(t, np.arange(int(seconds / HOP)) * HOP, falling_phrases(rate_per_s, 5.0, 20.0, seconds))
    tone = sum(np.sin(2 * np.pi * k * 180.0 * t) / k for k in range(1, 15))
    y = (tone * 10 ** (envelope_db / 20.0) * 0.5).astype(np.float32)
    zh = analyze(from_array(y, sr=sr, path="phrases.wav"), settings=Settings(language="zh"))
    en = analyze(from_array(y, sr=sr, path="phrases.wav"), settings=Settings(language="en"))
    assert zh.rate.syllables > en.rate.syllables + 5
