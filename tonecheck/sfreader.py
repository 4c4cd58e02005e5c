"""Reading files libsndfile understands (WAV, FLAC, OGG, MP3, AIFF, ...) in blocks.

Falls back to ffmpeg (:mod:`tonecheck.ffmpegreader`) for files libsndfile
cannot open. Files are opened read-only.
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator

import numpy as np
import soundfile as sf

from . import pipeline
from .errors import TonecheckError
from .ffmpegreader import load_ffmpeg
from .pipeline import Pipeline
from .recording import Audio, Source, check_source, input_error

__all__ = ["load_soundfile"]

_FULL_SCALE = {
    "PCM_S8": 127 / 128,
    "PCM_U8": 127 / 128,
    "PCM_16": 32767 / 32768,
    "PCM_24": 1 - 2**-23,
    "ULAW": 32124 / 32768,
    "ALAW": 32256 / 32768,
}
# flat-top (plateau) clipping is looked for only where quantization is fine enough
_PLATEAU_SUBTYPES = {"PCM_16", "PCM_24", "PCM_32"}
_LOSSY_FORMATS = {"MP3", "OGG"}


def _riff_truncation(name: str) -> tuple[float, float] | None:
    """(promised, present) seconds if a RIFF WAV's data chunk is cut short."""
    size = os.path.getsize(name)
    rate, align = 0, 0
    with open(name, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            cid, csize = struct.unpack("<4sI", fh.read(8))
            if cid == b"fmt " and csize >= 16:
                _, _, rate, _, align = struct.unpack("<HHIIH", fh.read(14))
            if cid == b"data":
                present = size - pos - 8
                if csize <= present or csize == 0xFFFFFFFF or not rate or not align:
                    return None  # complete, or a streaming placeholder size
                return csize / align / rate, present // align / rate
            pos += 8 + csize + (csize & 1)
    return None


def _sf_blocks(f: sf.SoundFile) -> Iterator[np.ndarray]:
    """(frames, channels) float32 blocks, reusing one buffer."""
    buf = np.empty((pipeline.BLOCK_FRAMES, f.channels), np.float32)
    while True:
        block = f.read(pipeline.BLOCK_FRAMES, dtype="float32", always_2d=True, out=buf)
        if not len(block):
            return
        yield block


def load_soundfile(name: str, label: str, index: int | None, sr: int) -> Audio:
    """Stream a file libsndfile can read (falls back to ffmpeg if it cannot)."""
    try:
        f = sf.SoundFile(name)
    except sf.LibsndfileError as exc:
        if shutil.which("ffmpeg") and shutil.which("ffprobe"):
            try:
                return load_ffmpeg(name, label, index, sr)
            except TonecheckError:
                pass
        raise input_error(
            name,
            f"not a readable audio file ({exc.error_string.rstrip('.')})",
            "check that it is a recording, or convert it to WAV",
        ) from exc
    with f:
        fmt = "MP3" if f.format == "MP3" else f"{f.format} {f.subtype}"
        src = Source(
            name,
            fmt,
            f.samplerate,
            f.channels,
            f.frames,
            _FULL_SCALE.get(f.subtype, 1.0),
            f.subtype in _PLATEAU_SUBTYPES,
        )
        check_source(src, label, index)
        cut = _riff_truncation(name) if f.format in ("WAV", "WAVEX") else None
        if cut:
            raise input_error(
                name,
                f"truncated WAV: the header promises {cut[0]:.2f} s but the file holds {cut[1]:.2f} s",
                "copy or export the recording again",
            )
        pipe = Pipeline(src, index, sr)
        try:
            for block in _sf_blocks(f):
                pipe.feed(block)
        except sf.LibsndfileError as exc:
            raise input_error(
                name,
                f"truncated or damaged {f.format} data ({exc.error_string.rstrip('.')})",
                "copy or export the recording again",
            ) from exc
    got_s, promised_s = pipe.frames / src.sr, (src.frames or 0) / src.sr
    if got_s >= 0.99 * promised_s:
        return pipe.finish(label, [])
    if src.format.split()[0] not in _LOSSY_FORMATS:  # lossless: the header is exact
        raise input_error(
            name,
            f"truncated {src.format}: decoded {got_s:.2f} s of {promised_s:.2f} s",
            "copy or export the recording again",
        )
    return pipe.finish(
        label, [f"possibly truncated: decoded {got_s:.1f} s of the {promised_s:.1f} s the header announces"]
    )
