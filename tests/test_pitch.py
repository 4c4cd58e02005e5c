"""Pitch tracking: synthesized glides with exact F0, telephone band, register, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from tests import synth
from tonecheck import pitch
from tonecheck.pitch import PitchTrack, track_pitch
from tonecheck.samplefile import SampleFile

SR = 16000


def _errors_st(track: PitchTrack, *, duration_s: float, f0_start_hz: float, f0_end_hz: float):
    times = np.arange(track.f0_hz.size) * track.hop_s
    truth = synth.glide_f0_hz(times, duration_s=duration_s, f0_start_hz=f0_start_hz, f0_end_hz=f0_end_hz)
    inside = times < duration_s - 0.05
    voiced = track.voiced & inside
    return voiced.sum() / inside.sum(), np.abs(12 * np.log2(track.f0_hz[voiced] / truth[voiced]))


@pytest.mark.parametrize("f0_start_hz, f0_end_hz", [(70, 140), (110, 330), (200, 450)])
def test_glide_is_tracked_within_a_tenth_of_a_semitone(f0_start_hz, f0_end_hz):
    y = synth.harmonic_glide(sr=SR, duration_s=2.0, f0_start_hz=f0_start_hz, f0_end_hz=f0_end_hz)
    track = track_pitch(y.astype(np.float64), sr=SR)
    voiced_share, err = _errors_st(track, duration_s=2.0, f0_start_hz=f0_start_hz, f0_end_hz=f0_end_hz)
    assert voiced_share > 0.95
    assert np.median(err) < 0.1
    assert np.mean(err > 12 * np.log2(1.2)) < 0.01  # no gross (octave) errors


def test_telephone_band_without_fundamental_keeps_the_pitch():
    y = synth.harmonic_glide(sr=SR, duration_s=2.0, f0_start_hz=90, f0_end_hz=180)
    tel, sr_tel = synth.telephone(y, sr=SR)
    track = track_pitch(tel.astype(np.float64), sr=sr_tel)
    voiced_share, err = _errors_st(track, duration_s=2.0, f0_start_hz=90, f0_end_hz=180)
    assert voiced_share > 0.9
    assert np.median(err) < 0.2
    assert np.mean(err > 12 * np.log2(1.2)) < 0.03


@pytest.mark.parametrize("f0_hz", [85.0, 300.0])
def test_floor_and_ceiling_adapt_to_the_speaker(f0_hz):
    y = synth.speechlike_phrases(sr=SR, duration_s=6.0, excursion_st=4.0, f0_hz=f0_hz)
    track = track_pitch(y.astype(np.float64), sr=SR)
    assert track.floor_hz < f0_hz * 2 ** (-2 / 12) < f0_hz * 2 ** (2 / 12) < track.ceiling_hz
    assert track.ceiling_hz < 4 * f0_hz
    assert np.nanmedian(track.f0_hz) == pytest.approx(f0_hz, rel=0.04)


def test_silence_and_noise_are_unvoiced(rng):
    quiet = synth.silence(sr=SR, duration_s=1.0)
    noise = 0.05 * rng.standard_normal(SR)
    for y in (np.asarray(quiet, dtype=np.float64), noise):
        track = track_pitch(y, sr=SR)
        assert track.voiced.mean() < 0.05


def test_frames_outside_the_speech_mask_are_unvoiced():
    y = synth.harmonic_glide(sr=SR, duration_s=2.0, f0_start_hz=120, f0_end_hz=160).astype(np.float64)
    count = 1 + y.size // 160
    mask = np.zeros(count, bool)
    mask[50:100] = True
    track = track_pitch(y, sr=SR, speech=mask)
    assert not track.voiced[:40].any() and not track.voiced[110:].any()
    assert track.voiced[55:95].all()


def test_frame_grid_matches_the_shared_hop():
    y = np.zeros(SR + 37)
    track = track_pitch(y, sr=SR)
    assert track.f0_hz.shape == (1 + y.size // 160,) == track.strength.shape
    assert track.hop_s == 0.01


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"y": np.zeros((2, 800)), "sr": SR}, "1-D float"),
        ({"y": np.zeros(800, np.int16), "sr": SR}, "1-D float"),
        ({"y": np.array([0.0, np.nan] * 400), "sr": SR}, "NaN"),
        ({"y": np.zeros(800), "sr": 4000}, "sr=4000"),
        ({"y": np.zeros(800), "sr": SR, "floor_hz": 300.0, "ceiling_hz": 200.0}, "below"),
        ({"y": np.zeros(800), "sr": SR, "speech": np.ones(3, bool)}, "speech mask"),
    ],
)
def test_bad_arguments_raise_value_error_with_the_fix(kwargs, match):
    y = kwargs.pop("y")
    with pytest.raises(ValueError, match=match):
        track_pitch(y, **kwargs)


def test_block_frame_levels_equal_the_one_shot_definition(monkeypatch, rng):
    """Frame power in blocks of 7 frames equals the whole-signal 3-hop mean exactly."""
    monkeypatch.setattr(pitch, "BLOCK_FRAMES", 7)
    hop = 80
    for n in (0, 79, 80, 8_001, 12_345):
        y = (0.1 * rng.standard_normal(n) * np.exp(rng.standard_normal(n))).astype(np.float32)
        count, hops = 1 + n // hop, n // hop
        seg = y[: hops * hop].reshape(hops, hop).astype(np.float64)
        power = np.zeros(count + 3)
        power[1 : hops + 1] = np.einsum("ij,ij->i", seg, seg) / hop
        expected = np.convolve(power, np.ones(3) / 3, mode="valid")[:count]
        assert np.array_equal(pitch._frame_levels(y, hop, count), expected)


def test_samplefile_input_gives_the_same_track():
    y = synth.speechlike_phrases(sr=8000, duration_s=6.0, excursion_st=6.0)
    s = SampleFile()
    s.append(y)
    s.seal(0.0)
    a, b = track_pitch(s, sr=8000), track_pitch(y, sr=8000)
    assert a.f0_hz.dtype == np.float32 and np.array_equal(a.f0_hz, b.f0_hz, equal_nan=True)
    assert np.array_equal(a.strength, b.strength) and (a.floor_hz, a.ceiling_hz) == (b.floor_hz, b.ceiling_hz)
