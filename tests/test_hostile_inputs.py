"""Hostile inputs to the loader (issue 8): hangs, memory bombs, odd names, decoder chatter,
truncated compressed files and a stereo call mixed from two voices.

Every hostile file is built byte by byte (or with ffmpeg) inside ``tmp_path``;
nothing outside it is touched.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import stat
import struct
import subprocess
import sys
import threading

import numpy as np
import pytest
import soundfile as sf

from tests import synth
from tonecheck import audio as audio_module
from tonecheck.audio import load_audio
from tonecheck.errors import TonecheckError
from tonecheck.recording import display_name
from tonecheck.sfreader import _Fd2Capture

HAS_FFMPEG = bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))
needs_ffmpeg = pytest.mark.skipif(not HAS_FFMPEG, reason="ffmpeg/ffprobe not on PATH")
SR = 8000


def _tone(sr: int = SR, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    return 0.5 * np.sin(2 * np.pi * 200 * t)


def _within(fn, seconds: float = 20.0):
    """Run ``fn()`` in a thread; fail (instead of hanging the suite) if it blocks."""
    result = {}

    def run():
        try:
            result["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still blocked after {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["value"]


def _one_line_error(path, match: str, **kwargs) -> str:
    with pytest.raises(TonecheckError, match=match) as info:
        _within(lambda: load_audio(path, **kwargs))
    text = str(info.value)
    assert "\n" not in text and "\r" not in text
    text.encode("utf-8")  # printable whatever the name held
    return text


# --- 5: only regular files are read ---------------------------------------------


def _fifo(tmp_path, name):
    path = tmp_path / name
    os.mkfifo(path)
    return path


def _device(kind):
    def make(tmp_path, name):
        path = tmp_path / name
        try:  # a copy of /dev/zero (char) or /dev/loop0 (block) made here, never the system's
            os.mknod(path, kind | 0o600, os.makedev(1, 5) if kind == stat.S_IFCHR else os.makedev(7, 0))
        except PermissionError:
            pytest.skip("creating device nodes needs root")
        return path

    return make


def _socket(tmp_path, name):
    path = tmp_path / name
    if len(os.fsencode(path)) > 100:
        pytest.skip("temporary path too long for a Unix socket")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(os.fspath(path))
    sock.close()
    return path


@pytest.mark.parametrize(
    "make,what",
    [
        (_fifo, "is a FIFO"),
        (_device(stat.S_IFCHR), "is a character device"),
        (_device(stat.S_IFBLK), "is a block device"),
        (_socket, "is a socket"),
    ],
    ids=["fifo", "char-device", "block-device", "socket"],
)
@pytest.mark.parametrize("ext", [".wav", ".m4a"])  # the soundfile and the ffmpeg route
def test_non_regular_files_refused_without_opening(tmp_path, make, what, ext):
    path = make(tmp_path, "x" + ext)
    _one_line_error(path, f"^{path}: {what}, not a recording; pass an audio file$")
    link = tmp_path / ("link" + ext)
    link.symlink_to(path)  # checked after resolving links
    _one_line_error(link, f"^{link}: {what}, not a recording; pass an audio file$")


def test_broken_and_looping_links(tmp_path):
    dangling = tmp_path / "gone.wav"
    dangling.symlink_to(tmp_path / "never-there.wav")
    _one_line_error(dangling, r"gone\.wav: is a broken link \(its target does not exist\); check the path$")
    loop = tmp_path / "loop.wav"
    loop.symlink_to(loop)
    _one_line_error(loop, r"loop\.wav: is a link that loops back on itself; check the path$")
    folder = tmp_path / "calls.wav"
    folder.mkdir()
    link = tmp_path / "to-folder.wav"
    link.symlink_to(folder)
    _one_line_error(link, r"to-folder\.wav: is a folder, not a recording; pass one audio file$")


def test_link_to_a_recording_is_read(tmp_path):
    real = tmp_path / "real.wav"
    sf.write(real, _tone(), SR)
    link = tmp_path / "link.wav"
    link.symlink_to(real)
    assert load_audio(link).duration_s == pytest.approx(2.0)


# --- 7: channel values and file names --------------------------------------------


@pytest.mark.parametrize("channel", ["²", "١", "１", "2\u0662"])  # superscript, Arabic-Indic, fullwidth
def test_unicode_digits_are_not_channels(tmp_path, channel):
    path = tmp_path / "st.wav"
    sf.write(path, np.stack([_tone(), _tone()], 1), SR)
    text = _one_line_error(path, r"unknown channel '.*'; use mix, left, right or a channel number", channel=channel)
    assert text.isascii()  # shown as an escape, not as a digit-looking character


def test_non_utf8_file_names(tmp_path):
    folder = os.fsencode(tmp_path)
    good = os.path.join(folder, b"call-\xff\xfe.wav")
    sf.write(good, _tone(), SR)
    assert load_audio(good).duration_s == pytest.approx(2.0)  # bytes path
    assert load_audio(os.fsdecode(good)).duration_s == pytest.approx(2.0)  # str with surrogates
    missing = os.path.join(folder, b"gone-\xff.wav")
    for path in (missing, os.fsdecode(missing)):
        text = _one_line_error(path, r"gone-\\xff\.wav: no such file; check the path$")
        assert "\udcff" not in text
    bad = os.path.join(folder, b"short-\xe9.wav")
    sf.write(bad, _tone(seconds=0.1), SR)
    _one_line_error(bad, r"short-\\xe9\.wav: recording is only 0\.10 s long")


@needs_ffmpeg
def test_non_utf8_name_through_ffmpeg(tmp_path):
    path = os.path.join(os.fsencode(tmp_path), b"call-\xff.m4a")
    with open(path, "wb") as fh:
        fh.write(b"not an m4a at all\n" * 50)
    _one_line_error(path, r"call-\\xff\.m4a: not a readable audio file \(ffmpeg: .+\); check that it is a recording")


def test_display_name():
    assert display_name(b"a-\xff.wav") == "a-\\xff.wav"
    assert display_name("caf\udce9.wav") == "caf\\xe9.wav"
    assert display_name("été.wav") == "été.wav"
    assert display_name("a\nb\x1b[31m.wav") == "a\\nb\\x1b[31m.wav"  # no line break, no terminal escape
    assert display_name("x\ud800.wav") == "x\\ud800.wav"


# --- 4: no header field sizes an allocation ---------------------------------------


def _riff(fmt_chunk: bytes, data: bytes, *, tag: bytes = b"RIFF", extra: bytes = b"") -> bytes:
    body = b"WAVE" + extra + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk
    size = 0xFFFFFFFF if tag == b"RF64" else 4 + len(extra) + 8 + len(fmt_chunk) + 8 + len(data)
    data_size = 0xFFFFFFFF if tag == b"RF64" else len(data)
    return tag + struct.pack("<I", size) + body + b"data" + struct.pack("<I", data_size) + data


def _many_channels(tmp_path, channels: int, tag: int) -> os.PathLike:
    # fmt: format tag, channels, rate (Hz), byte rate, block align (bytes), bits per sample
    fmt = struct.pack("<HHIIHH", tag, channels, SR, SR * 2 * channels % 2**32, 2 * channels % 2**16, 16)
    path = tmp_path / f"ch{channels}.wav"
    path.write_bytes(_riff(fmt, bytes(48000)))
    return path


@needs_ffmpeg
def test_65535_channel_bomb_refused_before_any_buffer(tmp_path):
    """Format tag 0xFF01: libsndfile refuses it, ffmpeg accepts it (it reserved 16.5 GB)."""
    path = _many_channels(tmp_path, 65535, 0xFF01)
    _one_line_error(path, r"ch65535\.wav: has 65535 channels; tonecheck reads at most 64; save the speaker's channel")


def test_too_many_pcm_channels_refused(tmp_path):
    path = _many_channels(tmp_path, 65, 1)  # plain PCM: libsndfile opens it
    _one_line_error(path, r"ch65\.wav: has 65 channels; tonecheck reads at most 64")
    ok = tmp_path / "ch64.wav"
    sf.write(ok, np.repeat(_tone(seconds=1.0)[:, None], 64, 1), SR, subtype="PCM_16")
    assert load_audio(ok).source_channels == 64


def _rf64_claiming_2_50(path) -> os.PathLike:
    """RF64 whose ds64 chunk claims 2**50 bytes of data; 2 s of PCM follow."""
    data = (_tone() * 32767).astype("<i2").tobytes()
    ds64 = struct.pack("<QQQI", 2**50 + 100, 2**50, 2**49, 0)  # RIFF size, data size, sample count, table
    fmt = struct.pack("<HHIIHH", 1, 1, SR, SR * 2, 2, 16)
    path.write_bytes(_riff(fmt, data, tag=b"RF64", extra=b"ds64" + struct.pack("<I", len(ds64)) + ds64))
    return path


def test_rf64_claiming_2_50_bytes(tmp_path):
    a = load_audio(_rf64_claiming_2_50(tmp_path / "huge.wav"))
    assert a.format == "RF64 PCM_16" and a.duration_s == pytest.approx(2.0)


@needs_ffmpeg
def test_rf64_claiming_2_50_bytes_through_ffmpeg(tmp_path):
    """Named like a phone recording: ffprobe announces 2**50 bytes; only the 2 s that decode count."""
    a = load_audio(_rf64_claiming_2_50(tmp_path / "huge.m4a"))
    assert a.format.endswith("(ffmpeg)") and a.duration_s == pytest.approx(2.0)
    assert [n.key for n in a.notes if n.key.startswith("note.header")] == ["note.header_duration"]


def _ffmpeg(*args) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *map(str, args)], check=True)


def _encoded(tmp_path, name: str, codec_args: list, seconds: float = 8.0, sr: int = 16000) -> bytes:
    """A sine plus noise encoded by ffmpeg; returns the file's bytes."""
    src = tmp_path / "src.wav"
    y = _tone(sr, seconds) + 0.02 * np.random.default_rng(0).standard_normal(int(sr * seconds))
    sf.write(src, y, sr, subtype="PCM_16")
    out = tmp_path / name
    try:
        _ffmpeg("-i", src, *codec_args, out)
    except subprocess.CalledProcessError:
        pytest.skip(f"this ffmpeg cannot encode {codec_args}")
    src.unlink()
    return out.read_bytes()


@needs_ffmpeg
@pytest.mark.parametrize(
    "offset,value",
    [(8, 0xFF), (10, 0x01)],  # frame count's high byte (~4e9 frames), third byte (~4x the length: plausible)
    ids=["absurd", "plausible"],
)
def test_mp3_with_one_corrupted_info_byte(tmp_path, offset, value):
    """A damaged frame count in a complete MP3 is a damaged header, not a truncated file."""
    data = bytearray(_encoded(tmp_path, "ok.mp3", ["-c:a", "libmp3lame", "-b:a", "32k"], seconds=3.0))
    info = data.find(b"Info")
    if info < 0 or data[info + 7] & 3 != 3 or data[info + 8 : info + 11] != bytes(3):
        pytest.skip("this encoder wrote no Info frame with a short frame count and a byte count")
    data[info + offset] = value
    path = tmp_path / "bad.mp3"
    path.write_bytes(bytes(data))
    a = load_audio(path)
    assert a.duration_s == pytest.approx(3.0, abs=0.2)
    assert "note.header_duration" in [n.key for n in a.notes]


def test_memory_error_becomes_one_line(tmp_path, monkeypatch):
    path = tmp_path / "ok.wav"
    sf.write(path, _tone(), SR)

    def exhausted(*args):
        raise MemoryError

    monkeypatch.setattr(audio_module, "load_soundfile", exhausted)
    _one_line_error(path, r"ok\.wav: decoding it needs more memory than is available .*; convert the file to WAV$")


# --- 9: decoder chatter on file descriptor 2 --------------------------------------


@needs_ffmpeg
def test_decoder_chatter_becomes_a_note(tmp_path, capfd):
    clean = _encoded(tmp_path, "clean.mp3", ["-c:a", "libmp3lame", "-b:a", "32k"], seconds=4.0)
    path = tmp_path / "glitch.mp3"
    for seed in range(40):  # find a corruption this libmpg123 complains about on fd 2
        data = bytearray(clean)
        for pos in np.random.default_rng(seed).integers(len(data) // 4, len(data) - 200, 8):
            data[pos] ^= 0xFF
        path.write_bytes(bytes(data))
        capfd.readouterr()
        sf.read(path)
        if capfd.readouterr().err.strip():
            break
    else:
        pytest.skip("no corruption made libmpg123 print anything")
    a = load_audio(path)
    assert capfd.readouterr().err == ""
    notes = [n for n in a.notes if n.key == "note.decoder_messages"]
    assert len(notes) == 1 and notes[0].params["count"] >= 1 and notes[0].params["first"]
    assert not notes[0].params["first"].startswith("[")  # source location stripped


def test_fd2_capture_restores_the_descriptor(capfd, monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a real descriptor: fd 2 is captured regardless
    capture = _Fd2Capture()
    with capture:
        os.write(2, b"[src/libmpg123/layer3.c:1] error: noise\n")
    os.write(2, b"after\n")
    with capture:
        os.write(2, b"second\n")
    capture.close()
    assert capture.text == "[src/libmpg123/layer3.c:1] error: noise\nsecond\n"
    assert capfd.readouterr().err == "after\n"


def test_clean_file_gets_no_decoder_note(tmp_path, capfd):
    path = tmp_path / "ok.flac"
    sf.write(path, _tone(), SR, format="FLAC")
    assert not [n for n in load_audio(path).notes if n.key == "note.decoder_messages"]
    assert capfd.readouterr().err == ""


# --- 12: truncated compressed files -------------------------------------------------


def _cut(tmp_path, data: bytes, keep: float, name: str) -> os.PathLike:
    path = tmp_path / name
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def _keys(a) -> list:
    return [n.key for n in a.notes]


COMPRESSED = {
    "m4a": ["-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart"],
    "ogg": ["-c:a", "libvorbis"],
    "opus": ["-c:a", "libopus", "-b:a", "24k"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "32k"],
}


@needs_ffmpeg
@pytest.mark.parametrize("ext", sorted(COMPRESSED))
def test_compressed_file_cut_in_half_is_flagged(tmp_path, ext):
    data = _encoded(tmp_path, f"full.{ext}", COMPRESSED[ext])
    full = load_audio(tmp_path / f"full.{ext}")
    assert "note.truncated" not in _keys(full)
    half = load_audio(_cut(tmp_path, data, 0.6, f"half.{ext}"))
    assert half.duration_s < 0.75 * full.duration_s
    assert "note.truncated" in _keys(half)
    assert "truncated" in str(next(n for n in half.notes if n.key == "note.truncated"))


@needs_ffmpeg
@pytest.mark.parametrize("ext", ["m4a", "mp3"])  # containers that announce their length
def test_compressed_file_mostly_missing_is_refused(tmp_path, ext):
    data = _encoded(tmp_path, f"full.{ext}", COMPRESSED[ext])
    path = _cut(tmp_path, data, 0.3, f"stub.{ext}")
    _one_line_error(path, rf"stub\.{ext}: truncated .*: decoded \d+\.\d s of the 8\.\d s the container announces")


@needs_ffmpeg
@pytest.mark.parametrize(
    "name,codec_args",
    [
        ("vbr-no-tag.mp3", ["-c:a", "libmp3lame", "-q:a", "7", "-write_xing", "0"]),  # length guessed by mpg123
        ("raw.aac", ["-c:a", "aac", "-q:a", "0.5"]),  # ADTS: ffprobe guesses the length from the bit rate
    ],
)
def test_guessed_lengths_are_not_called_truncation(tmp_path, name, codec_args):
    data = _encoded(tmp_path, name, codec_args)
    a = load_audio(tmp_path / name)
    assert a.duration_s == pytest.approx(8.0, abs=0.15)
    assert not {"note.truncated", "note.header_duration"} & set(_keys(a))
    assert load_audio(_cut(tmp_path, data, 0.6, "cut-" + name)).duration_s < 6.0  # read, not refused


# --- 18: a stereo call mixed from two voices ----------------------------------------


def _turns(sr: int):
    """Agent and caller lines from two different espeak voices, as (agent, caller) signals taking turns."""
    agent_lines = ["Thank you for calling, my name is Anna.", "Let me check that for you right now."]
    caller_lines = ["Hi, my internet has been down since yesterday.", "Nobody called me back about it."]
    agent = [synth.espeak_words(t, voice="en-us+f3", sr_out=sr)[0] for t in agent_lines]
    caller = [synth.espeak_words(t, voice="en-gb", sr_out=sr)[0] for t in caller_lines]
    gap = np.zeros(int(0.4 * sr))
    left, right = [], []
    for a, c in zip(agent, caller):
        left += [a, gap, np.zeros(len(c)), gap]
        right += [np.zeros(len(a)), gap, c, gap]
    return np.concatenate(left), np.concatenate(right)


@pytest.mark.espeak
def test_two_voices_on_two_channels_are_noted(tmp_path):
    sr = 16000
    left, right = _turns(sr)
    noise = 10 ** (-60 / 20) * np.random.default_rng(0).standard_normal((len(left), 2))
    cases = {
        "two": (np.stack([left, 0.5 * right + 0.03 * left], 1) + noise, True),  # caller quieter, a little echo
        "dual": (np.stack([left + right, left + right], 1), False),
        "delayed": (np.stack([left + right, 0.6 * np.roll(left + right, 12)], 1) + noise, False),
        "panned": (np.stack([left + right, 0.1 * (left + right)], 1) + noise, False),
    }
    for name, (y, two) in cases.items():
        path = tmp_path / f"{name}.wav"
        sf.write(path, 0.5 * y, sr, subtype="PCM_16")
        keys = _keys(load_audio(path))
        assert ("note.two_voices" in keys) is two, name
        assert ("note.channels_mixed" in keys) is not two, name  # one note pointing to --channel, not two
        if two:
            assert not {"note.two_voices", "note.channels_mixed"} & set(_keys(load_audio(path, channel="left")))


@pytest.mark.corpus
def test_real_two_party_call_split_in_stereo(tmp_path, corpus_dir):
    calls = corpus_dir / "calls"
    agent, sr = sf.read(calls / "Auto_Repairs_40_UTC_agent.wav")
    caller, _ = sf.read(calls / "Auto_Repairs_40_UTC_caller.wav")
    split = tmp_path / "split.wav"
    sf.write(split, np.stack([agent, caller], 1), sr, subtype="PCM_16")
    assert "note.two_voices" in _keys(load_audio(split))
    mixed = tmp_path / "mixed.wav"
    sf.write(mixed, np.repeat(((agent + caller) / 2)[:, None], 2, 1), sr, subtype="PCM_16")
    assert "note.two_voices" not in _keys(load_audio(mixed))
