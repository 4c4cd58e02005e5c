"""The block pipeline in bounded memory: headers never size buffers, long signals spill to a SampleFile."""

from __future__ import annotations

import errno
import shutil

import numpy as np
import pytest

from tests import synth
from tonecheck import pipeline
from tonecheck.audio import from_array, load_audio
from tonecheck.errors import TonecheckError
from tonecheck.pipeline import Pipeline
from tonecheck.recording import Source
from tonecheck.samplefile import SampleFile

SR = 8000


def _signal(n: int, *, seed: int = 0, dc: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.1 * rng.standard_normal(n) * np.exp(rng.standard_normal(n)) + dc).astype(np.float32)


def _minus_dc(y: np.ndarray) -> np.ndarray:
    """``y`` less its mean, in float32 as the pipeline does it."""
    return y - float(y.mean(dtype=np.float64))


def _feed(pipe: Pipeline, y: np.ndarray, block: int = 5000) -> None:
    for a in range(0, len(y), block):
        part = y[a : a + block]
        pipe.feed(part if part.ndim == 2 else part[:, None])


@pytest.mark.parametrize("claimed", [2**50, 2**40 + 7, 10**12])
def test_header_length_never_sizes_the_buffer(claimed):
    src = Source("bomb.wav", "RF64 PCM_16", SR, 1, claimed)
    pipe = Pipeline(src, None, SR)
    assert pipe.out.nbytes <= 4 * pipeline.MEMORY_SAMPLES
    y = _signal(3 * SR)
    _feed(pipe, y)
    audio = pipe.finish("mix", [])
    assert len(audio.samples) == len(y)
    assert np.array_equal(np.asarray(audio.samples), _minus_dc(y))


def test_missing_or_short_header_length_grows_the_buffer():
    for frames in (None, 0, 10):
        pipe = Pipeline(Source("x.wav", "WAV", SR, 1, frames), None, SR)
        y = _signal(int(2.5 * SR), seed=1)
        _feed(pipe, y, block=777)
        assert np.array_equal(pipe.finish("mix", []).samples, _minus_dc(y))


def test_ffmpeg_duration_bomb_is_read_as_what_is_there(tmp_path):
    """An RF64 header claiming 2**50 bytes, decoded by ffmpeg (ffprobe believes it), reserved 2 PiB."""
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        pytest.skip("ffmpeg is not installed")
    import struct

    pcm = (synth.harmonic_glide(sr=SR, duration_s=2.0, f0_start_hz=120, f0_end_hz=180) * 16000).astype("<i2")
    claim = 2**50
    ds64 = struct.pack("<QQQI", claim + 72, claim, claim // 2, 0)
    fmt = struct.pack("<HHIIHH", 1, 1, SR, 2 * SR, 2, 16)
    body = b"WAVE" + b"ds64" + struct.pack("<I", len(ds64)) + ds64 + b"fmt " + struct.pack("<I", 16) + fmt
    body += b"data" + struct.pack("<I", 0xFFFFFFFF) + pcm.tobytes()
    path = tmp_path / "bomb.m4a"  # the extension routes it to ffmpeg
    path.write_bytes(b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body)
    try:
        audio = load_audio(path)
    except TonecheckError as exc:  # refusing the damaged header is fine too; a MemoryError is not
        assert "\n" not in str(exc)
    else:
        assert audio.duration_s == pytest.approx(2.0, abs=0.05)


def test_spilled_signal_is_bit_identical_to_the_in_memory_one(monkeypatch):
    """48 kHz stereo with a DC offset: resampled, mixed; the spill must not change one bit (DC included)."""
    y = np.stack([_signal(6 * 48000, seed=2, dc=0.02), _signal(6 * 48000, seed=3)], axis=1)
    in_memory = from_array(y, sr=48000)
    monkeypatch.setattr(pipeline, "MEMORY_SAMPLES", 10_000)
    spilled = from_array(y, sr=48000)
    assert isinstance(spilled.samples, SampleFile) and isinstance(in_memory.samples, np.ndarray)
    assert len(spilled.samples) == len(in_memory.samples)
    assert np.array_equal(np.asarray(spilled.samples), in_memory.samples)
    assert [str(n) for n in spilled.notes] == [str(n) for n in in_memory.notes]


def test_full_temporary_disk_is_a_one_line_error(monkeypatch):
    def full(self, y):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline, "MEMORY_SAMPLES", 1000)
    monkeypatch.setattr(SampleFile, "append", full)
    with pytest.raises(TonecheckError, match=r"^calls\.wav: cannot keep .* \(No space left on device\); .*TMPDIR"):
        from_array(_signal(SR), sr=SR, path="calls.wav")


def test_samplefile_reads_like_a_read_only_array():
    y = _signal(10_000, seed=4)
    s = SampleFile()
    s.append(y[:3000])
    s.append(y[3000:])
    with pytest.raises(ValueError, match="seal"):
        s[0:10]
    s.seal(0.25)
    ref = y - np.float32(0.25)
    assert len(s) == 10_000 and s.shape == (10_000,) and s.dtype == np.float32
    for key in (slice(0, 10), slice(9_990, 20_000), slice(-50, None), slice(5, 5), slice(None)):
        assert np.array_equal(s[key], ref[key])
    assert np.array_equal(np.asarray(s), ref) and np.asarray(s, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="step 1"):
        s[::2]
    with pytest.raises(TypeError, match="slices only"):
        s[3]
    with pytest.raises(ValueError, match="sealed"):
        s.append(y)
    s.close()
    with pytest.raises(ValueError):
        s[0:10]
