"""Bad inputs: each raises TonecheckError with a one-line "<file>: <problem>; <fix>"."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess

import numpy as np
import pytest
import soundfile as sf

from tonecheck.audio import from_array, load_audio
from tonecheck.errors import TonecheckError

HAS_FFMPEG = bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))


def _tone(sr: int, seconds: float, channels: int = 1) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    y = 0.5 * np.sin(2 * np.pi * 200 * t)
    return y if channels == 1 else np.repeat(y[:, None], channels, axis=1)


def _wav(tmp_path, name, y, sr, subtype="PCM_16"):
    path = tmp_path / name
    sf.write(path, y, sr, subtype=subtype)
    return path


def _truncated_wav(tmp_path):
    path = _wav(tmp_path, "cut.wav", _tone(8000, 4.0), 8000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # header still promises 4 s
    return path


def _truncated_flac(tmp_path):
    path = tmp_path / "cut.flac"
    sf.write(path, _tone(16000, 4.0) + 0.01 * np.random.default_rng(0).standard_normal(64000), 16000, format="FLAC")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _text_as(name):
    def make(tmp_path):
        path = tmp_path / name
        path.write_text("this is a transcript, not a recording\n" * 20)
        return path

    return make


def _empty(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    return path


def _folder(tmp_path):
    path = tmp_path / "calls.wav"
    path.mkdir()
    return path


def _nan_float(tmp_path):
    y = _tone(8000, 2.0)
    y[100] = np.nan
    return _wav(tmp_path, "nan.wav", y, 8000, subtype="FLOAT")


def _garbage(name):
    def make(tmp_path):
        path = tmp_path / name
        path.write_bytes(np.random.default_rng(2).integers(0, 256, 5000, np.uint8).tobytes())
        return path

    return make


def _riff_without_data(tmp_path):
    """A RIFF/WAVE header whose fmt chunk claims an impossible format."""
    fmt = struct.pack("<HHIIHH", 0x7777, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", 8)
    path = tmp_path / "odd.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body) + 8) + body + bytes(8))
    return path


def _silent_right(tmp_path):
    return _wav(tmp_path, "half.wav", np.stack([_tone(8000, 2.0), np.zeros(16000)], 1), 8000)


def _video_only(tmp_path):
    path = tmp_path / "screen.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=d=1:s=64x64", "-c:v", "mpeg4", str(path)],
        check=True,
    )
    return path


# id, make(tmp_path) -> path, load_audio kwargs, regex after "<file>: "
CASES = [
    ("missing", lambda p: p / "nope.wav", {}, r"no such file; check the path"),
    ("folder", _folder, {}, r"is a folder, not a recording; pass one audio file"),
    ("empty", _empty, {}, r"the file is empty \(0 bytes\); record or copy it again"),
    ("text-as-wav", _text_as("notes.wav"), {}, r"not a readable audio file \(.+\); check that it is a recording"),
    ("garbage-ext", _garbage("blob.xyz"), {}, r"not a readable audio file \(.+\)"),
    ("bad-riff", _riff_without_data, {}, r"not a readable audio file \(.+\)"),
    (
        "truncated-wav",
        _truncated_wav,
        {},
        r"truncated WAV: the header promises 4\.00 s but the file holds 2\.00 s; copy or export",
    ),
    ("truncated-flac", _truncated_flac, {}, r"truncated .*FLAC.*; copy or export the recording"),
    (
        "low-rate",
        lambda p: _wav(p, "slow.wav", _tone(6000, 2.0), 6000),
        {},
        r"sample rate 6000 Hz is below the 8000 Hz tonecheck needs; use a recording made at 8 kHz",
    ),
    (
        "channel-3-of-2",
        lambda p: _wav(p, "st.wav", _tone(8000, 2.0, 2), 8000),
        {"channel": "3"},
        r"channel 3 requested but the file has 2 channels; choose mix, left, right or 1-2",
    ),
    (
        "right-of-mono",
        lambda p: _wav(p, "mono.wav", _tone(8000, 2.0), 8000),
        {"channel": "right"},
        r"channel right requested but the file has 1 channel; choose mix or 1",
    ),
    (
        "channel-name",
        lambda p: _wav(p, "mono.wav", _tone(8000, 2.0), 8000),
        {"channel": "centre"},
        r"unknown channel 'centre'; use mix, left, right or a channel number",
    ),
    ("channel-zero", lambda p: _wav(p, "mono.wav", _tone(8000, 2.0), 8000), {"channel": 0}, r"unknown channel 0;"),
    (
        "too-short",
        lambda p: _wav(p, "x.wav", _tone(8000, 0.2), 8000),
        {},
        r"recording is only 0\.20 s long; tonecheck needs at least 1 s of speech",
    ),
    (
        "silence",
        lambda p: _wav(p, "quiet.wav", np.zeros(16000), 8000),
        {},
        r"the recording is digital silence \(peak -inf dBFS\); check the microphone or the channel",
    ),
    ("silent-channel", _silent_right, {"channel": "right"}, r"the recording is digital silence"),
    ("nan", _nan_float, {}, r"contains NaN or infinite samples; re-export"),
]
if HAS_FFMPEG:
    CASES += [
        ("text-as-m4a", _text_as("call.m4a"), {}, r"not a readable audio file \(ffmpeg: .+\)"),
        ("garbage-amr", _garbage("call.amr"), {}, r"not a readable audio file \(ffmpeg: .+\)"),
        ("video-only", _video_only, {}, r"contains no audio stream; check that it is a recording"),
    ]


@pytest.mark.parametrize("make,kwargs,problem", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, make, kwargs, problem):
    path = make(tmp_path)
    before = sorted(tmp_path.iterdir())
    with pytest.raises(TonecheckError, match="^" + re.escape(f"{path}: ") + problem) as info:
        load_audio(path, **kwargs)
    assert "\n" not in str(info.value)
    assert sorted(tmp_path.iterdir()) == before  # nothing written next to the input


@pytest.mark.parametrize("case", ["missing", "text-as-wav", "truncated-flac"] + (["text-as-m4a"] if HAS_FFMPEG else []))
def test_error_chains_underlying_exception(tmp_path, case):
    make, kwargs = {c[0]: c[1:3] for c in CASES}[case]
    with pytest.raises(TonecheckError) as info:
        load_audio(make(tmp_path), **kwargs)
    assert info.value.__cause__ is not None


def test_path_with_newline_still_one_line(tmp_path):
    with pytest.raises(TonecheckError) as info:
        load_audio(tmp_path / "a\nb.wav")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "samples,sr,problem",
    [
        (np.zeros((2, 16000)), 16000, r"<array>: samples of shape \(2, 16000\)"),
        (np.array(["a"] * 9000), 8000, r"<array>: samples of shape"),
        (np.zeros(16000), 4000, r"<array>: sample rate 4000 Hz is below"),
        (np.full(16000, 0.1)[:1000], 8000, r"<array>: recording is only 0\.12 s long"),
    ],
)
def test_from_array_bad_input(samples, sr, problem):
    with pytest.raises(TonecheckError, match=problem):
        from_array(samples, sr=sr)


def test_bad_output_rate_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="sr=0"):
        load_audio(_wav(tmp_path, "ok.wav", _tone(8000, 2.0), 8000), sr=0)
