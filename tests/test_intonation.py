"""tonecheck.intonation: semitone spread per window and the 1-10 mapping."""

import numpy as np
import pytest

from tonecheck.intonation import (
    intonation_calibration,
    measure_intonation,
    semitones,
    summarize_pitch,
    window_spread_st,
)

HOP = 0.01


def contour(seconds, excursion_st, period_s=1.0, base_hz=120.0, drift_st_per_s=0.0):
    t = np.arange(int(seconds / HOP)) * HOP
    st = excursion_st * np.sin(2 * np.pi * t / period_s) + drift_st_per_s * t
    return base_hz * 2 ** (st / 12)


def test_semitones():
    assert semitones(np.array([220.0, 110.0, np.nan]), ref_hz=110.0)[:2] == pytest.approx([12.0, 0.0])


def test_monotone_is_level_1():
    it = measure_intonation(np.full(1000, 150.0), hop_s=HOP, language="en")
    assert it.level == 1.0 and it.spread_st == pytest.approx(0.0)


def test_spread_of_a_sine_is_its_rms():
    it = measure_intonation(contour(20, 3.0), hop_s=HOP, language="en")
    assert it.spread_st == pytest.approx(3.0 / np.sqrt(2), abs=0.05)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_level_rises_with_excursion_and_stays_in_range(language):
    levels = [measure_intonation(contour(20, e), hop_s=HOP, language=language).level for e in (0, 1, 2, 3, 5, 7, 9)]
    assert all(b > a for a, b in zip(levels, levels[1:]))
    assert levels[0] == 1.0 and levels[-1] >= 8.0


def test_octave_jumps_are_folded_back():
    clean = contour(20, 2.0)
    jumpy = clean.copy()
    jumpy[::5] /= 2  # every fifth frame an octave low (period doubling)
    a = measure_intonation(clean, hop_s=HOP, language="en")
    b = measure_intonation(jumpy, hop_s=HOP, language="en")
    assert b.spread_st == pytest.approx(a.spread_st, abs=0.15)


def test_mandarin_calibration_is_higher():
    en, zh = intonation_calibration("en"), intonation_calibration("zh")
    assert zh.spread_for(5.5) > en.spread_for(5.5)
    assert en.level_for(en.spread_for(5.5)) == pytest.approx(5.5)


def test_slow_drift_does_not_count_much():
    flat = measure_intonation(contour(60, 0.0, drift_st_per_s=0.1), hop_s=HOP, language="en")
    assert flat.level < 2.0  # 6 st of drift over a minute, but only ~0.3 st inside a 10 s window


def test_windows_over_time_find_a_flat_stretch():
    f0 = np.concatenate([contour(20, 3.0), contour(20, 0.0), contour(20, 3.0)])
    it = measure_intonation(f0, hop_s=HOP, language="en")
    levels = [w.level for w in it.windows]
    assert min(levels) == 1.0 and max(levels) > 4.0
    flat = [w for w in it.windows if w.level == 1.0]
    assert all(20.0 <= w.start_s and w.end_s <= 40.0 for w in flat)


def test_unvoiced_windows_are_not_rated():
    f0 = np.concatenate([contour(12, 2.0), np.full(2000, np.nan)])
    assert all(w.end_s <= 22.0 for w in measure_intonation(f0, hop_s=HOP, language="en").windows)
    assert np.isnan(measure_intonation(np.full(500, np.nan), hop_s=HOP, language="en").level)
    assert window_spread_st(np.full(10, 100.0), hop_s=HOP) == []


def test_pitch_summary_range_and_rise():
    st = np.linspace(0, 4, 1000)  # rising 4 st
    s = summarize_pitch(100 * 2 ** (st / 12), hop_s=HOP)
    assert s.range_st == pytest.approx(3.2, abs=0.05)
    assert s.rise_st == pytest.approx(2.67, abs=0.1)
    assert s.voiced_s == pytest.approx(10.0)


def test_float32_tracks_give_the_float64_figures(rng):
    """The pitch track is float32 now; summaries and levels must be those of the same values in float64."""
    f0 = (120 * 2 ** (rng.standard_normal(3000) / 6)).astype(np.float32)
    f0[rng.random(3000) < 0.3] = np.nan
    assert summarize_pitch(f0, hop_s=HOP) == summarize_pitch(f0.astype(np.float64), hop_s=HOP)
    a = measure_intonation(f0, hop_s=HOP, language="en")
    b = measure_intonation(f0.astype(np.float64), hop_s=HOP, language="en")
    assert (a.level, a.spread_st, a.windows) == (b.level, b.spread_st, b.windows)
