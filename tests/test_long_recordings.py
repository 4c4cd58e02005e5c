"""Long recordings: the analysis of a spilled signal reads it in bounded blocks and changes no result."""

from __future__ import annotations

import numpy as np

from tests import synth
from tonecheck import pipeline
from tonecheck.analysis import analyze
from tonecheck.audio import from_array
from tonecheck.samplefile import SampleFile


def _speech(duration_s: float, *, sr: int, tile_s: float = 30.0) -> np.ndarray:
    """Speech-like phrases, ``tile_s`` generated and tiled to ``duration_s``."""
    parts = [
        synth.speechlike_phrases(sr=sr, duration_s=tile_s / 2, excursion_st=st, f0_hz=f0)
        for st, f0 in ((4.0, 120.0), (8.0, 190.0))
    ]
    return np.resize(np.concatenate(parts), int(duration_s * sr))


def _assert_same_analysis(a, b) -> None:
    assert a.to_dict(contour=True) == b.to_dict(contour=True)
    assert np.array_equal(a.levels_db, b.levels_db)
    assert np.array_equal(a.pitch.f0_hz, b.pitch.f0_hz, equal_nan=True)
    assert np.array_equal(a.pitch.strength, b.pitch.strength)
    assert np.array_equal(a.speech.is_speech, b.speech.is_speech)


def test_spilled_stereo_analysis_equals_the_in_memory_one(monkeypatch):
    y = _speech(40.0, sr=16000)
    stereo = np.stack([y + 0.01, 0.5 * y], axis=1).astype(np.float32)
    in_memory = analyze(from_array(stereo, sr=16000, path="call.wav"))
    monkeypatch.setattr(pipeline, "MEMORY_SAMPLES", 50_000)
    audio = from_array(stereo, sr=16000, path="call.wav")
    assert isinstance(audio.samples, SampleFile)
    _assert_same_analysis(analyze(audio), in_memory)


def test_long_signal_is_read_in_bounded_blocks_only(monkeypatch):
    """12 minutes spilled: no stage may read more than a block (whole-signal reads break the memory bound)."""
    y = _speech(12 * 60.0, sr=8000)
    in_memory = analyze(from_array(y, sr=8000))  # several pitch and level blocks
    monkeypatch.setattr(pipeline, "MEMORY_SAMPLES", 2**20)
    audio = from_array(y, sr=8000)
    assert isinstance(audio.samples, SampleFile)
    longest = []
    read = SampleFile.__getitem__

    def counting(self, key):
        out = read(self, key)
        longest.append(len(out))
        return out

    monkeypatch.setattr(SampleFile, "__getitem__", counting)
    result = analyze(audio)
    assert longest and max(longest) <= 2_500_000 < len(audio.samples) / 2
    _assert_same_analysis(result, in_memory)


def test_per_frame_arrays_are_compact():
    a = analyze(from_array(_speech(20.0, sr=8000), sr=8000))
    n = 1 + len(a.audio.samples) // 80
    assert a.levels_db.dtype == np.float32 and a.levels_db.shape == (n,)
    assert a.pitch.f0_hz.dtype == np.float32 and a.pitch.strength.dtype == np.float32
    assert a.speech.is_speech.dtype == bool and a.pitch.voiced.dtype == bool
