"""Decoding phone-recorder formats (M4A, AAC, AMR, 3GP, WebM, ...) with ffmpeg.

ffprobe reads the stream facts; ffmpeg decodes to raw float32 on a pipe,
streamed in blocks without temporary files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from . import pipeline
from .pipeline import Pipeline
from .recording import Audio, Source, check_source, input_error

__all__ = ["load_ffmpeg"]


def _last_line(stderr: str, name: str) -> str:
    """Last line of ffmpeg's error output, without the file name it repeats."""
    line = (stderr.strip().splitlines() or ["unknown error"])[-1]
    return line.replace("file:" + os.path.abspath(name) + ": ", "")


def _ffprobe(name: str, ext: str) -> Source:
    """Sample rate, channels and duration of the first audio stream, via ffprobe."""
    cmd = [
        shutil.which("ffprobe") or "ffprobe",
        "-v",
        "error",
        "-select_streams",
        "a:0",
        "-show_entries",
        "stream=codec_name,sample_rate,channels,duration:format=duration",
        "-of",
        "json",
        "file:" + os.path.abspath(name),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    if res.returncode != 0:
        raise input_error(
            name,
            f"not a readable audio file (ffmpeg: {_last_line(res.stderr, name)})",
            "check that it is a recording, or convert it to WAV",
        ) from subprocess.CalledProcessError(res.returncode, cmd, stderr=res.stderr)
    info = json.loads(res.stdout or "{}")
    if not info.get("streams"):
        raise input_error(name, "contains no audio stream", "check that it is a recording")
    stream = info["streams"][0]
    duration = stream.get("duration") or info.get("format", {}).get("duration")
    rate = int(stream.get("sample_rate") or 0)
    frames = int(float(duration) * rate) if duration not in (None, "N/A") else None
    fmt = f"{ext.lstrip('.').upper()} {stream.get('codec_name', '?')} (ffmpeg)"
    return Source(name, fmt.strip(), rate, int(stream.get("channels") or 0), frames)


def _pipe_blocks(stream: BinaryIO, channels: int) -> Iterator[np.ndarray]:
    """(frames, channels) float32 blocks from raw little-endian float32 on ``stream``."""
    buf = bytearray(pipeline.BLOCK_FRAMES * channels * 4)
    view = memoryview(buf)
    while True:
        filled = 0
        while filled < len(buf):
            n = stream.readinto(view[filled:])
            if not n:
                break
            filled += n
        frames = filled // (4 * channels)
        if frames:
            yield np.frombuffer(buf, "<f4", frames * channels).reshape(frames, channels)
        if filled < len(buf):
            return


def load_ffmpeg(name: str, label: str, index: int | None, sr: int) -> Audio:
    """Decode with ffmpeg to raw float32 on a pipe and stream it."""
    ext = os.path.splitext(name)[1].lower()
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        raise input_error(
            name,
            f"{ext or 'this'} files are decoded with ffmpeg, which is not on PATH",
            "install ffmpeg (https://ffmpeg.org/download.html) or convert the file to WAV",
        )
    src = _ffprobe(name, ext)
    if src.channels < 1:
        raise input_error(name, "ffmpeg reports no audio channels", "convert the file to WAV")
    check_source(src, label, index)
    cmd = [
        shutil.which("ffmpeg") or "ffmpeg",
        "-nostdin",
        "-v",
        "error",
        "-i",
        "file:" + os.path.abspath(name),
        "-map",
        "0:a:0",
        "-ac",
        str(src.channels),
        "-ar",
        str(src.sr),
        "-f",
        "f32le",
        "-c:a",
        "pcm_f32le",
        "pipe:1",
    ]
    pipe = Pipeline(src, index, sr)
    with tempfile.TemporaryFile() as err, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err) as proc:
        try:
            for block in _pipe_blocks(proc.stdout, src.channels):
                pipe.feed(block)
        except BaseException:
            proc.kill()
            raise
        if proc.wait() != 0:
            err.seek(0)
            why = _last_line(err.read().decode(errors="replace"), name)
            raise input_error(
                name, f"ffmpeg could not decode it ({why})", "check the file, or convert it to WAV"
            ) from subprocess.CalledProcessError(proc.returncode, cmd)
    return pipe.finish(label, [])
