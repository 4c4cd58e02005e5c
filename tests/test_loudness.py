"""tonecheck.loudness and .bandpowers: frame levels, P.56-style active level, phrases, alpha bands. Tolerances in dB."""

import numpy as np
import pytest
from scipy import signal

from tonecheck import bandpowers, loudness
from tonecheck.bandpowers import alpha_band_energies
from tonecheck.frames import frame_signal, frames_at
from tonecheck.loudness import (
    active_speech_level_db,
    alpha_ratio_db,
    frame_levels_db,
    phrase_levels_db,
    summarize_loudness,
)
from tonecheck.samplefile import SampleFile

SR = 8000


def tone(freq_hz, seconds, amp):
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def test_full_scale_sine_reads_0_dbfs_and_grid():
    y = tone(200, 1.0, 1.0)
    lev = frame_levels_db(y, sr=SR)
    assert lev.shape == (1 + len(y) // 80,)
    assert np.median(lev) == pytest.approx(0.0, abs=0.05)


def test_half_amplitude_is_minus_6_db_and_silence_floor():
    y = np.concatenate([tone(300, 1.0, 0.5), np.zeros(SR, np.float32)])
    lev = frame_levels_db(y, sr=SR)
    assert lev[50] == pytest.approx(-6.02, abs=0.05)
    assert lev[-10] == -120.0


def test_band_levels_reject_out_of_band_hum():
    hum = tone(50, 1.0, 0.5)
    voice = tone(1000, 1.0, 0.05)
    assert np.median(frame_levels_db(hum, sr=SR, band_hz=(300, 3000))) < -45
    assert np.median(frame_levels_db(voice, sr=SR, band_hz=(300, 3000))) == pytest.approx(-26.0, abs=1.0)


def test_active_level_ignores_pauses():
    y = np.concatenate([tone(200, 1.0, 0.1), np.zeros(3 * SR, np.float32), tone(200, 1.0, 0.1)])
    lev = frame_levels_db(y, sr=SR)
    speech = lev > -60
    assert active_speech_level_db(lev, speech) == pytest.approx(-20.0, abs=0.3)
    assert np.isnan(active_speech_level_db(lev, np.zeros_like(speech)))


def test_phrase_variation_and_fading_trend():
    parts, segments, t = [], [], 0.0
    for amp_db in [-20, -22, -24, -26, -28, -30]:
        parts += [tone(200, 2.0, 10 ** (amp_db / 20)), np.zeros(int(8 * SR), np.float32)]
        segments.append((t, t + 2.0))
        t += 10.0
    y = np.concatenate(parts)
    lev = frame_levels_db(y, sr=SR)
    phrases = phrase_levels_db(lev, segments, hop_s=0.01)
    assert phrases[:, 1] == pytest.approx([-20, -22, -24, -26, -28, -30], abs=0.3)
    summary = summarize_loudness(
        lev, speech=lev > -60, segments_s=segments, hop_s=0.01, clipped_fraction=0.0, alpha_db=-9.0
    )
    assert summary.variation_db == pytest.approx(np.std([-20, -22, -24, -26, -28, -30]), abs=0.2)
    assert summary.trend_db_per_min == pytest.approx(-12.0, abs=0.5)  # -2 dB per 10 s


def test_alpha_ratio_rises_with_high_frequency_energy():
    low = tone(200, 1.0, 0.3) + tone(2000, 1.0, 0.03)
    high = tone(200, 1.0, 0.3) + tone(2000, 1.0, 0.3)
    mask = np.ones(1 + len(low) // 80, bool)
    a_low = alpha_ratio_db(low, sr=SR, frames_mask=mask)
    a_high = alpha_ratio_db(high, sr=SR, frames_mask=mask)
    assert a_low == pytest.approx(-20.0, abs=1.0)
    assert a_high == pytest.approx(0.0, abs=1.0)


def test_alpha_band_energies_ratio_follows_the_spectrum_not_the_gain():
    def ratio_db(y):
        high, low = alpha_band_energies(y, sr=SR)
        mid = slice(10, len(high) - 10)
        return 10 * np.log10(high[mid].sum() / low[mid].sum())

    dull = tone(550, 1.0, 0.3) + tone(1850, 1.0, 0.01)
    bright = tone(550, 1.0, 0.3) + tone(1850, 1.0, 0.3)
    assert ratio_db(bright) > ratio_db(dull) + 10.0  # 2nd-order bands leak, so less than the 30 dB put in
    for gain_db in (-20.0, 6.0):
        assert ratio_db(dull * 10 ** (gain_db / 20)) == pytest.approx(ratio_db(dull), abs=0.01)


def _one_shot_levels_db(y: np.ndarray, *, sr: int, band_hz=None) -> np.ndarray:
    """The definition in one piece: all segment energies, one running sum (the blocks must match it bit for bit)."""
    seg = 40 * sr // 8000
    x = np.asarray(y, dtype=np.float64)
    if band_hz is not None and len(x):
        sos = signal.butter(4, [band_hz[0], min(band_hz[1], 0.45 * sr)], btype="band", fs=sr, output="sos")
        x = signal.sosfilt(sos, x, zi=np.zeros((sos.shape[0], 2)))[0]
    n_seg = -(-len(x) // seg)
    energy = np.zeros(n_seg + 1)
    energy[:n_seg] = (np.pad(x, (0, n_seg * seg - len(x))) ** 2).reshape(-1, seg).sum(axis=1)
    half = int(round(0.03 * sr / seg)) // 2
    csum = np.concatenate(([0.0], np.cumsum(energy)))
    centre = 2 * np.arange(1 + len(x) // (2 * seg))
    lo, hi = np.clip(centre - half, 0, energy.size), np.clip(centre + half, 0, energy.size)
    with np.errstate(divide="ignore"):
        level = 10.0 * np.log10(np.maximum((csum[hi] - csum[lo]) / (2 * half * seg), 0.0)) + 3.0103
    return np.maximum(level, -120.0).astype(np.float32)


@pytest.mark.parametrize("n", [0, 1, 39, 40, 81, 12_345, 40_001])
@pytest.mark.parametrize("band_hz", [None, (300.0, 2500.0)])
def test_block_levels_equal_the_one_shot_definition(monkeypatch, rng, n, band_hz):
    """Blocks of 7 segments (hundreds of block edges) reproduce the whole-signal levels exactly."""
    monkeypatch.setattr(loudness, "BLOCK_SEGMENTS", 7)
    y = (0.1 * rng.standard_normal(n) * np.exp(rng.standard_normal(n))).astype(np.float32)
    y[n // 3 : n // 2] = 0.0
    assert np.array_equal(frame_levels_db(y, sr=SR, band_hz=band_hz), _one_shot_levels_db(y, sr=SR, band_hz=band_hz))


def test_levels_of_a_samplefile_equal_those_of_the_array(rng):
    y = (0.1 * rng.standard_normal(50_000)).astype(np.float32)
    s = SampleFile()
    s.append(y)
    s.seal(0.0)
    assert np.array_equal(
        frame_levels_db(s, sr=SR, band_hz=(300.0, 2500.0)), frame_levels_db(y, sr=SR, band_hz=(300.0, 2500.0))
    )


def test_gathered_frames_equal_frame_by_frame_cuts(rng):
    y = rng.standard_normal(5_000).astype(np.float32)
    idx = np.array([0, 1, 3, 30, 61, 62])  # both edges zero-padded
    s = SampleFile()
    s.append(y)
    s.seal(0.0)
    expected = np.stack([frame_signal(y, frame_length=256, hop=80, start=int(i), count=1)[0] for i in idx])
    for signal_ in (y, s):
        got = frames_at(signal_, idx, frame_length=256, hop=80)
        assert got.dtype == np.float32 and np.array_equal(got, expected)
    mask = np.zeros(1 + len(y) // 80, bool)
    mask[::3] = True
    assert alpha_ratio_db(s, sr=SR, frames_mask=mask) == alpha_ratio_db(y, sr=SR, frames_mask=mask)


def _filtered_band_power(y: np.ndarray, band_hz) -> np.ndarray:
    """The first definition of the alpha bands: 2nd-order Butterworth band-pass, then each frame's 30 ms mean square."""
    lev = frame_levels_db(y, sr=SR, band_hz=band_hz, order=bandpowers.INTENSITY_BAND_ORDER)
    return np.where(lev <= -120.0, 0.0, 10 ** ((lev - loudness.FULL_SCALE_DB) / 10))


def test_alpha_band_powers_equal_filtering_then_framing(rng):
    """One FFT per frame, weighted by each band's response, gives the power the band-pass filter gives."""
    t = np.arange(3 * SR) / SR
    amps = {250.0: 0.3, 700.0: 0.1, 2000.0: 0.05, 3000.0: 0.02}  # below, low band, high band, high band
    y = sum(a * np.sin(2 * np.pi * f * t + f) for f, a in amps.items())
    y = (y * (1 + 0.5 * np.sin(2 * np.pi * 3 * t)) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
    mid = slice(20, -20)
    for power, band in zip(alpha_band_energies(y, sr=SR), (bandpowers.INTENSITY_HIGH_HZ, bandpowers.INTENSITY_LOW_HZ)):
        filtered = _filtered_band_power(y, band)
        # the Hann window's main lobe smooths the skirt where the strong 250 Hz tone sits: +0.08 dB in the low band
        assert 10 * np.log10(power[mid].sum() / filtered[mid].sum()) == pytest.approx(0.0, abs=0.1)
        assert np.percentile(np.abs(10 * np.log10(power[mid] / filtered[mid])), 90) < 0.3


@pytest.mark.parametrize("freq_hz", [300.0, 700.0, 1500.0, 3000.0])
def test_a_tone_reads_its_mean_square_through_each_band_response(freq_hz):
    """Within 0.05 dB where the response is within 3 dB of the pass band, 0.3 dB on the skirts (main-lobe smoothing)."""
    amp = 0.2
    high, low = alpha_band_energies(tone(freq_hz, 1.0, amp), sr=SR)
    for power, band in ((high, bandpowers.INTENSITY_HIGH_HZ), (low, bandpowers.INTENSITY_LOW_HZ)):
        sos = signal.butter(2, band, btype="band", fs=SR, output="sos")
        gain = np.abs(signal.sosfreqz(sos, worN=[freq_hz], fs=SR)[1][0]) ** 2
        tol_db = 0.05 if gain > 0.5 else 0.3
        assert 10 * np.log10(np.median(power[5:-5]) / (amp**2 / 2 * gain)) == pytest.approx(0.0, abs=tol_db)


def test_alpha_band_powers_of_chosen_frames_equal_those_of_all_frames(monkeypatch, rng):
    """Only the frames asked for are measured (others NaN), in stretches of 7 frames, from arrays or files."""
    monkeypatch.setattr(bandpowers, "SPAN_FRAMES", 7)
    y = (0.1 * rng.standard_normal(30_001)).astype(np.float32)
    frames = rng.random(1 + len(y) // 80) < 0.3
    frames[[0, -1]] = True  # both edges zero-padded
    full = alpha_band_energies(y, sr=SR)
    s = SampleFile()
    s.append(y)
    s.seal(0.0)
    for signal_ in (y, s):
        for part, whole in zip(alpha_band_energies(signal_, sr=SR, frames=frames), full):
            assert part.dtype == np.float32 and part.shape == whole.shape
            np.testing.assert_allclose(part[frames], whole[frames], rtol=1e-5)
            assert np.isnan(part[~frames]).all()
    with pytest.raises(ValueError, match="one flag per frame"):
        alpha_band_energies(y, sr=SR, frames=frames[:-1])


@pytest.mark.parametrize("n", [0, 1, 100, 241])
def test_alpha_band_powers_of_tiny_signals(n):
    high, low = alpha_band_energies(np.full(n, 0.1, np.float32), sr=SR)
    assert high.shape == low.shape == (1 + n // 80,)
    assert np.isfinite(high).all() and (high >= 0).all() and (low >= 0).all()


def test_levels_leave_the_callers_samples_alone(rng):
    """Segments are squared in place: a float64 signal (no conversion copy) must come back unchanged."""
    y = 0.1 * rng.standard_normal(12_345)
    before = y.copy()
    frame_levels_db(y, sr=SR)
    frame_levels_db(y, sr=SR, band_hz=(300.0, 2500.0))
    alpha_band_energies(y, sr=SR)
    assert np.array_equal(y, before)
