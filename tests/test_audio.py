"""Tests for tonecheck.audio: formats, rates, channels, levels and notes.

Every recording is synthesized into ``tmp_path``; levels are checked in dB.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf
import soxr

from tonecheck import pipeline
from tonecheck.audio import ANALYSIS_SR, SUPPORTED_EXTENSIONS, Audio, from_array, load_audio
from tonecheck.errors import TonecheckError

HAS_FFMPEG = bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))
needs_ffmpeg = pytest.mark.skipif(not HAS_FFMPEG, reason="ffmpeg/ffprobe not on PATH")

PEAK_DB = -6.0
"""Peak level of the test tone in dBFS; its RMS is 3.01 dB lower."""


def tone(
    sr: int,
    seconds: float = 2.0,
    *,
    freq_hz: float = 200.0,
    peak_db: float = PEAK_DB,
    noise_db: float | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Sine at ``peak_db`` dBFS, optionally plus white noise at ``noise_db`` dBFS RMS."""
    t = np.arange(int(sr * seconds)) / sr
    y = 10 ** (peak_db / 20) * np.sin(2 * np.pi * freq_hz * t)
    if noise_db is not None:
        y += 10 ** (noise_db / 20) * np.random.default_rng(seed).standard_normal(len(t))
    return y


def rms_db(y: np.ndarray) -> float:
    """RMS level in dBFS of a (trimmed) signal."""
    core = y[len(y) // 10 : -len(y) // 10]  # skip resampler edges
    return 10 * np.log10(np.mean(np.square(core, dtype=np.float64)))


def write(tmp_path, name: str, y: np.ndarray, sr: int, **kwargs) -> str:
    path = str(tmp_path / name)
    sf.write(path, y, sr, **kwargs)
    return path


# --- formats -----------------------------------------------------------------

# subtype -> tolerance in dB for peak and RMS (companded formats quantize coarsely)
WAV_SUBTYPES = {"PCM_U8": 0.15, "PCM_16": 0.02, "PCM_24": 0.02, "PCM_32": 0.02, "FLOAT": 0.02, "ULAW": 0.3, "ALAW": 0.3}


@pytest.mark.parametrize("subtype", sorted(WAV_SUBTYPES))
def test_wav_subtypes_at_8k(tmp_path, subtype):
    path = write(tmp_path, f"t_{subtype}.wav", tone(8000), 8000, subtype=subtype)
    a = load_audio(path)
    tol = WAV_SUBTYPES[subtype]
    assert (a.sr, a.source_sr, a.source_channels, a.channel) == (8000, 8000, 1, "mix")
    assert a.format == f"WAV {subtype}"
    assert a.path == path
    assert a.duration_s == pytest.approx(2.0)
    assert len(a.samples) == 16000 and a.samples.dtype == np.float32
    assert a.peak_dbfs == pytest.approx(PEAK_DB, abs=tol)
    assert rms_db(a.samples) == pytest.approx(PEAK_DB - 3.01, abs=max(tol, 0.05))
    assert a.clipped_fraction == 0.0
    assert any(str(n).startswith("telephone-band audio (8 kHz)") for n in a.notes)


@pytest.mark.parametrize("sr", [11025, 16000, 44100, 96000])
def test_wideband_rates_resampled_to_8k(tmp_path, sr):
    path = write(tmp_path, f"t{sr}.wav", tone(sr, noise_db=-35), sr, subtype="PCM_24")
    a = load_audio(path)
    assert (a.sr, a.source_sr) == (ANALYSIS_SR, sr)
    assert a.duration_s == pytest.approx(2.0)
    assert len(a.samples) == pytest.approx(16000, abs=2)
    # noise above 4 kHz is removed by the resampler: compare against the tone alone
    assert rms_db(a.samples) == pytest.approx(PEAK_DB - 3.01, abs=0.2)
    assert a.notes == ()


def test_output_rate_can_be_chosen(tmp_path):
    path = write(tmp_path, "t.wav", tone(44100), 44100)
    a = load_audio(path, sr=16000)
    assert a.sr == 16000 and len(a.samples) == pytest.approx(32000, abs=2)
    assert rms_db(a.samples) == pytest.approx(PEAK_DB - 3.01, abs=0.2)


@pytest.mark.parametrize(
    "fmt,ext,subtype,expected,tol_db",
    [
        ("FLAC", "flac", "PCM_16", "FLAC PCM_16", 0.05),
        ("OGG", "ogg", "VORBIS", "OGG VORBIS", 0.5),
        ("OGG", "opus", "OPUS", "OGG OPUS", 0.5),
        ("MP3", "mp3", "MPEG_LAYER_III", "MP3", 0.5),
    ],
)
def test_compressed_formats(tmp_path, fmt, ext, subtype, expected, tol_db):
    if fmt not in sf.available_formats() or subtype not in sf.available_subtypes(fmt):
        pytest.skip(f"libsndfile cannot write {fmt}/{subtype}")
    sr = 48000 if subtype == "OPUS" else 16000
    path = write(tmp_path, f"t.{ext}", tone(sr, 3.0), sr, format=fmt, subtype=subtype)
    a = load_audio(path)
    assert a.format == expected and a.source_sr == sr and a.sr == ANALYSIS_SR
    assert a.duration_s == pytest.approx(3.0, abs=0.1)
    assert rms_db(a.samples) == pytest.approx(PEAK_DB - 3.01, abs=tol_db)


# --- channels ----------------------------------------------------------------


@pytest.fixture
def stereo_path(tmp_path):
    """int16 stereo: left 200 Hz at -6 dBFS, right 500 Hz at -20 dBFS."""
    y = np.stack([tone(16000), tone(16000, freq_hz=500, peak_db=-20)], axis=1)
    return write(tmp_path, "stereo.wav", y, 16000, subtype="PCM_16")


@pytest.mark.parametrize(
    "channel,label,peak_db",
    [
        ("left", "left", -6.0),
        ("right", "right", -20.0),
        ("1", "1", -6.0),
        (2, "2", -20.0),
        ("RIGHT", "right", -20.0),
    ],
)
def test_channel_selection(stereo_path, channel, label, peak_db):
    a = load_audio(stereo_path, channel=channel)
    assert a.channel == label and a.source_channels == 2
    assert a.peak_dbfs == pytest.approx(peak_db, abs=0.02)
    assert rms_db(a.samples) == pytest.approx(peak_db - 3.01, abs=0.2)
    assert not any("mixed" in str(n) for n in a.notes)


def test_mix_averages_channels(stereo_path):
    a = load_audio(stereo_path)
    assert a.channel == "mix"
    expected = 10 * np.log10((10 ** (-6 / 10) + 10 ** (-20 / 10)) / 2 / 4)  # mean of 2
    assert rms_db(a.samples) == pytest.approx(expected, abs=0.2)
    assert any(str(n).startswith("2 channels mixed to mono") for n in a.notes)


def test_six_channels(tmp_path):
    y = np.zeros((16000, 6))
    y[:, 4] = tone(8000)
    path = write(tmp_path, "six.wav", y, 8000, subtype="PCM_16")
    picked = load_audio(path, channel="5")
    assert picked.channel == "5" and picked.peak_dbfs == pytest.approx(PEAK_DB, abs=0.02)
    mixed = load_audio(path)
    assert mixed.peak_dbfs == pytest.approx(PEAK_DB, abs=0.02)  # of the original samples
    assert rms_db(mixed.samples) == pytest.approx(PEAK_DB - 3.01 - 20 * np.log10(6), abs=0.2)
    assert any(str(n).startswith("6 channels mixed to mono") for n in mixed.notes)


def test_clipping_measured_on_selected_channel_only(tmp_path):
    left = tone(16000)
    right = np.clip(tone(16000, peak_db=6.0), -1, 1)  # 2x overdriven, hard-clipped
    path = write(tmp_path, "clip.wav", np.stack([left, right], 1), 16000, subtype="PCM_16")
    assert load_audio(path, channel="left").clipped_fraction == 0.0
    r = load_audio(path, channel="right")
    # |2 sin| >= 1 two thirds of the time
    assert r.clipped_fraction == pytest.approx(2 / 3, abs=0.02)
    assert r.peak_dbfs == pytest.approx(0.0, abs=0.01)
    assert any(re.match(r"clipping: 6\d\.\d% of samples at full scale", str(n)) for n in r.notes)
    assert load_audio(path).clipped_fraction == pytest.approx(1 / 3, abs=0.02)


def test_clipping_then_attenuated_plateaus_found(tmp_path):
    """A clipped recording turned down afterwards: flat tops below full scale."""
    y = 0.5 * np.clip(tone(16000, peak_db=0.0) * 1.1, -1, 1)
    a = load_audio(write(tmp_path, "soft.wav", y, 16000, subtype="PCM_16"))
    assert a.peak_dbfs == pytest.approx(-6.02, abs=0.01)
    assert 0.2 < a.clipped_fraction < 0.4
    clean = load_audio(write(tmp_path, "clean.wav", tone(48000), 48000, subtype="PCM_16"))
    assert clean.clipped_fraction < 1e-3


# --- notes, streaming, in-memory ---------------------------------------------


def test_telephone_band_detected_from_spectrum(tmp_path):
    noise = np.random.default_rng(1).standard_normal(32000) * 0.1
    narrow = soxr.resample(soxr.resample(noise, 16000, 8000), 8000, 16000)
    a = load_audio(write(tmp_path, "phone16k.wav", narrow, 16000, subtype="PCM_16"))
    assert a.notes and str(a.notes[0]).startswith("telephone-band audio (8 kHz)")
    wide = load_audio(write(tmp_path, "wide16k.wav", noise, 16000, subtype="PCM_16"))
    assert wide.notes == ()


def test_dc_offset_removed_and_noted():
    a = from_array(tone(16000) + 0.05, sr=16000)
    assert abs(float(np.mean(a.samples))) < 1e-4
    assert any(str(n).startswith("DC offset of +5.0%") for n in a.notes)


def test_long_recording_note(monkeypatch):
    monkeypatch.setattr(pipeline, "LONG_RECORDING_S", 1.5)
    assert any(str(n).startswith("very long recording") for n in from_array(tone(8000), sr=8000).notes)


def test_block_streaming_matches_one_shot_resampling(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "BLOCK_FRAMES", 4096)  # many blocks, some partial
    y = tone(44100, 3.0, noise_db=-30).astype(np.float32)
    a = load_audio(write(tmp_path, "long.wav", y, 44100, subtype="FLOAT"))
    ref = soxr.resample(y, 44100, ANALYSIS_SR, quality="HQ")
    assert len(a.samples) == len(ref)
    assert np.max(np.abs(a.samples - (ref - ref.mean()))) < 1e-4


def test_from_array_matches_file(tmp_path):
    y = np.stack([tone(16000), tone(16000, freq_hz=500)], 1)
    path = write(tmp_path, "f.wav", y, 16000, subtype="FLOAT")
    from_file = load_audio(path, channel="right")
    mem = from_array(y.astype(np.float32), sr=16000, path="mem", channel="right")
    assert np.allclose(mem.samples, from_file.samples, atol=1e-6)
    assert (mem.path, mem.channel, mem.source_channels) == ("mem", "right", 2)
    ints = from_array((tone(8000) * 32767).astype(np.int16), sr=8000)
    assert ints.peak_dbfs == pytest.approx(PEAK_DB, abs=0.02) and ints.format == "array (int16)"


def test_audio_is_immutable_and_input_untouched(tmp_path):
    path = write(tmp_path, "t.wav", tone(16000), 16000)
    before = hashlib.sha256(open(path, "rb").read()).hexdigest()
    a = load_audio(path)
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.wav"]
    with pytest.raises(ValueError):
        a.samples[0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.sr = 16000  # type: ignore[misc]
    assert isinstance(a, Audio)


def test_supported_extensions():
    expected = {".wav", ".flac", ".ogg", ".mp3", ".m4a", ".amr", ".3gp", ".webm"}
    assert expected <= SUPPORTED_EXTENSIONS
    assert all(e == e.lower() and e.startswith(".") for e in SUPPORTED_EXTENSIONS)


# --- ffmpeg ------------------------------------------------------------------


def ffmpeg_encode(tmp_path, y: np.ndarray, sr: int, name: str) -> str:
    src = write(tmp_path, "src.wav", y, sr, subtype="PCM_16")
    out = str(tmp_path / name)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", src, "-c:a", "aac", "-b:a", "128k", out], check=True)
    return out


@needs_ffmpeg
def test_m4a_via_ffmpeg(tmp_path):
    y = np.stack([tone(44100), tone(44100, freq_hz=500, peak_db=-20)], 1)
    path = ffmpeg_encode(tmp_path, y, 44100, "call.m4a")
    a = load_audio(path, channel="right")
    assert a.format == "M4A aac (ffmpeg)"
    assert (a.sr, a.source_sr, a.source_channels, a.channel) == (8000, 44100, 2, "right")
    assert a.duration_s == pytest.approx(2.0, abs=0.1)
    assert rms_db(a.samples) == pytest.approx(-23.01, abs=0.3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call.m4a", "src.wav"]


def test_ffmpeg_missing(tmp_path, monkeypatch):
    path = tmp_path / "call.m4a"
    path.write_bytes(b"\0\0\0\x20ftypM4A " + bytes(200))
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(TonecheckError, match=r"call\.m4a: .*ffmpeg.* not on PATH; install ffmpeg"):
        load_audio(path)


@needs_ffmpeg
def test_misnamed_file_falls_back_to_ffmpeg(tmp_path):
    path = ffmpeg_encode(tmp_path, tone(16000), 16000, "call.m4a")
    renamed = tmp_path / "call.wav"  # phone apps sometimes save AAC as .wav
    shutil.move(path, renamed)
    a = load_audio(renamed)
    assert a.format == "WAV aac (ffmpeg)" and a.duration_s == pytest.approx(2.0, abs=0.1)
