"""tests/synth.py: the ground truth itself is checked (tolerances in cents, semitones, dB)."""

import struct

import numpy as np
import pytest
import soundfile as sf

from tests import synth

SR = 16000
FRAME_S = 0.04
HOP_S = 0.02
RUN_FRAME_S = 0.005
F0_RANGE_HZ = (60.0, 500.0)
VOICING_MIN = 0.6
"""Normalized autocorrelation peak below which a frame counts as unvoiced."""
FIRST_PEAK_RATIO = 0.9
"""Take the shortest lag whose peak is this close to the best one (avoids octave-low errors)."""


def autocorr_f0_hz(y, *, sr):
    """Per-frame F0 by normalized autocorrelation with parabolic peak interpolation; NaN when unvoiced."""
    n, hop = int(FRAME_S * sr), int(HOP_S * sr)
    lag_min, lag_max = int(sr / F0_RANGE_HZ[1]), int(sr / F0_RANGE_HZ[0])
    times, f0 = [], []
    for start in range(0, len(y) - n, hop):
        x = y[start : start + n].astype(np.float64)
        times.append((start + n / 2) / sr)
        if not np.any(x):
            f0.append(np.nan)
            continue
        ac = np.correlate(x, x, "full")[n - 1 :]
        ac /= ac[0] * (n - np.arange(n)) / n  # unbiased, normalized
        seg = ac[lag_min:lag_max]
        peaks = np.nonzero((seg[1:-1] >= seg[:-2]) & (seg[1:-1] > seg[2:]))[0] + 1
        if peaks.size == 0:
            f0.append(np.nan)
            continue
        k = lag_min + int(peaks[np.argmax(seg[peaks] >= FIRST_PEAK_RATIO * seg[peaks].max())])
        a, b, c = ac[k - 1], ac[k], ac[k + 1]
        if b < VOICING_MIN:
            f0.append(np.nan)
            continue
        f0.append(sr / (k + 0.5 * (a - c) / (a - 2 * b + c)))
    return np.array(times), np.array(f0)


def sounding_runs(y, *, sr):
    """Runs of 5 ms frames with any non-zero sample (bursts are separated by digital silence)."""
    hop = int(RUN_FRAME_S * sr)
    frames = np.abs(y[: len(y) // hop * hop]).reshape(-1, hop).max(axis=1) > 0
    return int(np.count_nonzero(frames[1:] & ~frames[:-1]) + frames[0])


def cents(a, b):
    return 1200 * np.log2(a / b)


def test_glide_f0_matches_its_truth():
    y = synth.harmonic_glide(sr=SR, duration_s=2.0, f0_start_hz=100.0, f0_end_hz=300.0)
    t, f0 = autocorr_f0_hz(y, sr=SR)
    truth = synth.glide_f0_hz(t, duration_s=2.0, f0_start_hz=100.0, f0_end_hz=300.0)
    assert y.dtype == np.float32 and len(y) == 2 * SR
    assert np.max(np.abs(cents(f0, truth))) < 10.0
    assert 20 * np.log10(np.sqrt(np.mean(y.astype(np.float64) ** 2))) == pytest.approx(-20.0, abs=0.01)


@pytest.mark.parametrize("contour", synth.CONTOURS)
@pytest.mark.parametrize("excursion_st", [0.0, 3.0, 8.0])
def test_phrases_follow_their_contour(contour, excursion_st):
    y = synth.speechlike_phrases(sr=SR, duration_s=6.2, excursion_st=excursion_st, contour=contour)
    t, f0 = autocorr_f0_hz(y, sr=SR)
    truth = synth.phrases_f0_hz(t, excursion_st=excursion_st, contour=contour)
    inside = ~np.isnan(truth) & ~np.isnan(f0)
    assert np.percentile(np.abs(cents(f0[inside], truth[inside])), 95) < 25.0
    st = 12 * np.log2(f0[inside] / 120.0)
    assert np.ptp(st) == pytest.approx(excursion_st, abs=0.5)


def test_phrases_are_silent_in_the_pauses():
    y = synth.speechlike_phrases(sr=SR, duration_s=6.2, excursion_st=4.0)
    gap = y[int(2.55 * SR) : int(3.05 * SR)]  # phrase 2.5 s, pause 0.6 s
    assert not np.any(gap)


@pytest.mark.parametrize("rate_per_s", [2.0, 4.0, 6.0])
@pytest.mark.parametrize("pause_every", [0, 5])
def test_burst_count_is_the_number_of_sounding_runs(rate_per_s, pause_every):
    y, n = synth.syllable_bursts(sr=SR, rate_per_s=rate_per_s, duration_s=10.0, pause_every=pause_every)
    assert sounding_runs(y, sr=SR) == n
    if pause_every == 0:
        assert n == int(10.0 * rate_per_s)


def test_bursts_sit_at_their_f0():
    y, _ = synth.syllable_bursts(sr=SR, rate_per_s=3.0, duration_s=4.0, f0_hz=150.0)
    _, f0 = autocorr_f0_hz(y, sr=SR)
    assert np.nanmedian(np.abs(cents(f0, 150.0))) < 60.0  # within the 1-semitone fall


def test_noise_hits_the_requested_snr(rng):
    y = synth.harmonic_glide(sr=SR, duration_s=2.0, f0_start_hz=120.0, f0_end_hz=120.0)
    noisy = synth.add_noise(y, snr_db=10.0, rng=rng)
    snr = 10 * np.log10(np.mean(y.astype(np.float64) ** 2) / np.mean((noisy - y).astype(np.float64) ** 2))
    assert snr == pytest.approx(10.0, abs=0.1)
    with pytest.raises(ValueError, match="silent"):
        synth.add_noise(np.zeros(100), snr_db=10.0, rng=rng)


def test_clip_and_silence():
    y = synth.clip(synth.harmonic_glide(sr=SR, duration_s=1.0, f0_start_hz=200.0, f0_end_hz=200.0), gain_db=30.0)
    assert np.max(np.abs(y)) == 1.0 and np.mean(np.abs(y) == 1.0) > 0.3
    assert not np.any(synth.silence(sr=SR, duration_s=1.0))
    noise = synth.silence(sr=SR, duration_s=1.0, noise_dbfs=-60.0, rng=np.random.default_rng(0))
    assert 20 * np.log10(np.std(noise)) == pytest.approx(-60.0, abs=0.2)


def band_db(y, sr, lo_hz, hi_hz):
    spec = np.abs(np.fft.rfft(y)) ** 2
    f = np.fft.rfftfreq(len(y), 1 / sr)
    return 10 * np.log10(np.sum(spec[(f >= lo_hz) & (f < hi_hz)]) + 1e-20)


def test_telephone_is_8k_band_limited_mu_law(rng):
    wide = synth.add_noise(synth.silence(sr=SR, duration_s=2.0, noise_dbfs=-20.0, rng=rng), snr_db=0.0, rng=rng)
    y, sr = synth.telephone(wide, sr=SR)
    assert sr == 8000 and len(y) == 2 * sr
    passband = band_db(y, sr, 500, 3000) - 10 * np.log10(2500)
    assert band_db(y, sr, 20, 150) - 10 * np.log10(130) < passband - 20  # per-Hz level, dB
    assert len(np.unique(y)) <= 256  # 8-bit codes


def test_write_wav_is_atomic_and_round_trips(tmp_path):
    y = synth.harmonic_glide(sr=SR, duration_s=0.5, f0_start_hz=200.0, f0_end_hz=200.0)
    path = synth.write_wav(tmp_path / "x.wav", y, SR)
    back, sr = sf.read(path, dtype="float32")
    assert sr == SR and sf.info(path).subtype == "PCM_16"
    assert np.max(np.abs(back - y)) < 1e-4
    assert [p.name for p in tmp_path.iterdir()] == ["x.wav"]


def test_speech_span_ignores_edge_silence():
    tone = synth.harmonic_glide(sr=SR, duration_s=1.0, f0_start_hz=150.0, f0_end_hz=150.0)
    gap = synth.silence(sr=SR, duration_s=0.5)
    y = np.concatenate([gap, tone, gap, tone, gap])
    assert synth.speech_span_s(y, sr=SR) == pytest.approx(2.5, abs=0.02)


def test_bad_input_fixtures_are_what_they_claim(
    truncated_wav, not_audio_file, empty_file, stereo_int16_wav, silence_wav, clipped_wav
):
    raw = truncated_wav.read_bytes()
    data = raw.index(b"data")
    (claimed,) = struct.unpack("<I", raw[data + 4 : data + 8])
    assert claimed == 2 * (len(raw) - data - 8)
    assert not_audio_file.read_bytes().startswith(b"Call notes")
    assert empty_file.stat().st_size == 0
    info = sf.info(stereo_int16_wav)
    assert (info.channels, info.subtype) == (2, "PCM_16")
    assert not np.any(sf.read(silence_wav)[0])
    clipped, _ = sf.read(clipped_wav)
    assert np.mean(np.abs(clipped) >= 0.999) > 0.1


def test_spec_fixtures_match_their_files(glide_wav, glide_spec, bursts_wav, bursts_spec):
    assert sf.info(glide_wav).duration == pytest.approx(glide_spec.duration_s)
    y, sr = sf.read(bursts_wav)
    assert sounding_runs(y, sr=sr) == bursts_spec.n_bursts
    assert bursts_spec.n_bursts < bursts_spec.rate_per_s * bursts_spec.duration_s  # the pauses cost bursts


@pytest.mark.espeak
def test_espeak_range_zero_is_monotone_and_100_is_not():
    text = synth.ssml_sentences(["Thank you for calling Northwind support.", "How can I help you today?"])
    spreads = []
    for range_pct in (0, 100):
        y, sr = synth.espeak_ssml(text, range_pct=range_pct, sr_out=SR)
        assert sr == SR
        _, f0 = autocorr_f0_hz(y, sr=sr)
        st = 12 * np.log2(f0[~np.isnan(f0)])
        spreads.append(np.percentile(st, 90) - np.percentile(st, 10))
    assert spreads[0] < 1.0 < 4.0 < spreads[1]
    with pytest.raises(ValueError, match="0-100"):
        synth.espeak_ssml(text, range_pct=150)


@pytest.mark.espeak
def test_espeak_speed_scales_duration():
    text = "Thank you for calling Northwind support, how can I help you today?"
    spans = []
    for speed_wpm in (100, 200):
        y, sr = synth.espeak_words(text, speed_wpm=speed_wpm)
        spans.append(synth.speech_span_s(y, sr=sr))
    assert spans[0] / spans[1] == pytest.approx(2.0, rel=0.1)
    with pytest.raises(RuntimeError, match="does not exist"):
        synth.espeak_words(text, voice="xx-no-such-voice")
