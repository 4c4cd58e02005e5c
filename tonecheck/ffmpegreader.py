"""Decoding phone-recorder formats (M4A, AAC, AMR, 3GP, WebM, ...) with ffmpeg.

ffprobe reads the stream facts; ffmpeg decodes to raw float32 on a pipe,
streamed in blocks without temporary files.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from . import pipeline
from .errors import TonecheckError
from .messages import Message
from .pipeline import Pipeline
from .recording import MAX_CHANNELS, Audio, Source, check_source, input_error, truncation_notes

__all__ = ["load_ffmpeg", "load_ffmpeg_channels", "probe_ffmpeg", "NotDecodable", "decoder_note"]

_PROBE_TIMEOUT_S = 120  # s; ffprobe reads headers only
_ESTIMATED = b"Estimating duration from bitrate"  # ffprobe's warning for a length it guessed


class NotDecodable(TonecheckError):
    """ffmpeg found no audio it can decode in the file (the soundfile reader then reports its own reason)."""


def _last_line(stderr: bytes, name: str) -> str:
    """Last line of ffmpeg's error output, without the file name it repeats."""
    text = os.fsdecode(stderr)  # undecodable bytes kept as surrogates; input_error escapes them
    line = (text.strip().splitlines() or ["unknown error"])[-1]
    return line.replace("file:" + os.path.abspath(name) + ": ", "")


def decoder_note(text: str) -> list[Message]:
    """``note.decoder_messages`` for what a decoder wrote while decoding successfully, if anything.

    Parameters
    ----------
    text : str
        The decoder's error output; blank lines are ignored.

    Returns
    -------
    notes : list of Message
        Empty, or one note with the line count and the first line (source
        location prefixes such as ``[src/libmpg123/layer3.c:...]`` removed).
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    first = lines[0].split("] ", 1)[-1] if lines[0].startswith("[") else lines[0]
    return [Message("note.decoder_messages", {"count": len(lines), "first": first[:160]})]


def _seconds(value) -> float | None:
    """A finite, non-negative duration in seconds from ffprobe's text, else None."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _ffprobe(name: str, ext: str) -> Source:
    """Sample rate, channels and duration of the first audio stream, via ffprobe."""
    cmd = [
        shutil.which("ffprobe") or "ffprobe",
        "-v",
        "warning",  # also says when a duration is only estimated
        "-select_streams",
        "a:0",
        "-show_entries",
        "stream=codec_name,sample_rate,channels,duration:format=duration",
        "-of",
        "json",
        "file:" + os.path.abspath(name),
    ]
    try:
        res = subprocess.run(cmd, capture_output=True, check=False, timeout=_PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise input_error(
            name, f"ffprobe did not answer within {_PROBE_TIMEOUT_S} s", "convert the file to WAV", kind=NotDecodable
        ) from exc
    if res.returncode != 0:
        detail = f"ffmpeg: {_last_line(res.stderr, name)}"
        raise input_error(
            name,
            f"not a readable audio file ({detail})",
            "check that it is a recording, or convert it to WAV",
            kind=NotDecodable,
            key="error.not_audio",
            detail=detail,
        ) from subprocess.CalledProcessError(res.returncode, cmd, stderr=res.stderr)
    info = json.loads(res.stdout.decode("utf-8", "replace") or "{}")
    if not info.get("streams"):
        raise input_error(name, "contains no audio stream", "check that it is a recording", kind=NotDecodable)
    stream = info["streams"][0]
    # the announced length is only compared with what decodes; it never sizes a buffer
    duration_s = _seconds(stream.get("duration"))
    duration_s = duration_s if duration_s is not None else _seconds(info.get("format", {}).get("duration"))
    if _ESTIMATED in res.stderr:  # raw AAC/AMR: guessed from the bit rate, proves nothing about truncation
        duration_s = None
    rate = int(stream.get("sample_rate") or 0)
    frames = round(duration_s * rate) if duration_s is not None and duration_s * rate < 2**62 else None
    fmt = f"{ext.lstrip('.').upper()} {stream.get('codec_name', '?')} (ffmpeg)"
    return Source(name, fmt.strip(), rate, int(stream.get("channels") or 0), frames)


def _pipe_blocks(stream: BinaryIO, channels: int) -> Iterator[np.ndarray]:
    """(frames, channels) float32 blocks from raw little-endian float32 on ``stream``."""
    if not 1 <= channels <= MAX_CHANNELS:  # check_source refuses these first
        raise ValueError(f"channels={channels} outside 1-{MAX_CHANNELS}")
    buf = bytearray(pipeline.BLOCK_FRAMES * min(channels, MAX_CHANNELS) * 4)
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


def probe_ffmpeg(name: str) -> Source:
    """What ffprobe reads from the stream header of a file ffmpeg decodes, checked, without decoding it.

    Parameters
    ----------
    name : str
        The file (already checked to be a readable regular file).

    Returns
    -------
    source : Source
        Rate, channel count (1 to :data:`~tonecheck.recording.MAX_CHANNELS`)
        and announced length; no header field sizes anything here.

    Raises
    ------
    TonecheckError
        ffmpeg or ffprobe missing; no decodable audio stream
        (:class:`NotDecodable`); a channel count or rate
        :func:`~tonecheck.recording.check_source` refuses.
    """
    ext = os.path.splitext(name)[1].lower()
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        raise input_error(
            name,
            f"{ext or 'this'} files are decoded with ffmpeg, which is not on PATH",
            "install ffmpeg (https://ffmpeg.org/download.html) or convert the file to WAV",
        )
    src = _ffprobe(name, ext)
    check_source(src, "mix", None)
    return src


def load_ffmpeg(name: str, label: str, index: int | None, sr: int) -> Audio:
    """Decode with ffmpeg to raw float32 on a pipe and stream it."""
    return load_ffmpeg_channels(name, [(label, index)], sr)[0]


def load_ffmpeg_channels(name: str, picks: list, sr: int) -> list:
    """Several channels of one file in one ffmpeg decoding pass: ``picks`` is ``[(label, index), ...]``.

    Each pick gets its own :class:`~tonecheck.pipeline.Pipeline`, so every
    :class:`Audio` equals what :func:`load_ffmpeg` gives for that channel alone.
    """
    src = probe_ffmpeg(name)
    for label, index in picks:
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
    pipes = [Pipeline(src, index, sr) for _, index in picks]
    with tempfile.TemporaryFile() as err, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err) as proc:
        try:
            for block in _pipe_blocks(proc.stdout, src.channels):
                for pipe in pipes:
                    pipe.feed(block)
        except BaseException:
            proc.kill()
            raise
        returncode = proc.wait()
        err.seek(0)
        chatter = err.read(65536)
        if returncode != 0:
            why = _last_line(chatter, name)
            raise input_error(
                name, f"ffmpeg could not decode it ({why})", "check the file, or convert it to WAV", kind=NotDecodable
            ) from subprocess.CalledProcessError(proc.returncode, cmd)
    notes = truncation_notes(src, pipes[0].frames, os.path.getsize(name))
    notes += decoder_note(chatter.decode("utf-8", "replace"))
    return [pipe.finish(label, list(notes)) for pipe, (label, _) in zip(pipes, picks)]
