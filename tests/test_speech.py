"""tonecheck.speech: adaptive speech/pause detection on frame levels."""

import numpy as np
import pytest

from tonecheck.loudness import frame_levels_db
from tonecheck.speech import detect_speech, runs

SR = 8000


def bursts(rng, noise_db):
    """Three 1 s 'phrases' separated by 0.6 s and 1.2 s pauses, in noise."""
    t = np.arange(SR) / SR
    phrase = 0.1 * np.sin(2 * np.pi * 150 * t) * np.hanning(SR) ** 0.2
    gap1, gap2 = np.zeros(int(0.6 * SR)), np.zeros(int(1.2 * SR))
    y = np.concatenate([np.zeros(SR // 2), phrase, gap1, phrase, gap2, phrase, np.zeros(SR // 2)])
    y = y + rng.standard_normal(len(y)) * 10 ** (noise_db / 20)
    return y.astype(np.float32)


@pytest.mark.parametrize("noise_db", [-80, -60, -45])
def test_segments_and_pauses_found_at_any_noise_floor(rng, noise_db):
    act = detect_speech(frame_levels_db(bursts(rng, noise_db), sr=SR))
    assert len(act.segments_s) == 3
    assert act.span_s[0] == pytest.approx(0.5, abs=0.08)
    assert act.span_s[1] == pytest.approx(5.3, abs=0.08)
    assert [round(b - a, 1) for a, b in act.pauses_s] == pytest.approx([0.6, 1.2], abs=0.1)
    assert act.speech_s == pytest.approx(3.0, abs=0.2)


def test_short_gaps_are_not_pauses(rng):
    t = np.arange(SR) / SR
    phrase = 0.1 * np.sin(2 * np.pi * 150 * t)
    edge = np.zeros(SR // 2)
    y = np.concatenate([edge, phrase, np.zeros(int(0.1 * SR)), phrase, edge]).astype(np.float32)
    act = detect_speech(frame_levels_db(y, sr=SR))
    assert len(act.segments_s) == 1


def test_digital_silence_has_no_speech():
    act = detect_speech(frame_levels_db(np.zeros(SR, np.float32), sr=SR))
    assert act.segments_s == () and act.speech_s == 0.0


def test_runs():
    assert runs(np.array([0, 1, 1, 0, 1], bool)).tolist() == [[1, 3], [4, 5]]


def test_caller_levels_are_left_untouched(rng):
    """The percentiles partition copies in place (bounded memory), never the caller's array."""
    levels = (-60 + 30 * rng.random(2000)).astype(np.float32)
    levels[::7] = -120.0
    before = levels.copy()
    activity = detect_speech(levels, hop_s=0.01)
    assert np.array_equal(levels, before) and activity.is_speech.any()
