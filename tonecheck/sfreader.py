"""Reading files libsndfile understands (WAV, FLAC, OGG, MP3, AIFF, ...) in blocks.

Falls back to ffmpeg (:mod:`tonecheck.ffmpegreader`) for files libsndfile
cannot open. Files are opened read-only. What libsndfile's decoders (e.g.
libmpg123) write straight to file descriptor 2 is captured and becomes a
note instead of reaching the terminal.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator

import numpy as np
import soundfile as sf

from . import pipeline
from .containers import mp3_bit_rate_varies, mp3_length_tag, ogg_end_missing, riff_truncation
from .ffmpegreader import NotDecodable, decoder_note, load_ffmpeg_channels
from .messages import Message
from .pipeline import Pipeline
from .recording import (
    MAX_CHANNELS,
    TRUNCATED_NOTE_FRACTION,
    Audio,
    Source,
    check_source,
    input_error,
    truncation_notes,
)

__all__ = ["load_soundfile", "load_soundfile_channels"]

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
_CAPTURE_READ = 65536  # bytes of captured decoder output kept per call
_FD2_LOCK = threading.Lock()


class _Fd2Capture:
    """Redirects file descriptor 2 into a temporary file while decoding; reusable.

    Works on the descriptor itself, so it also captures C libraries and does
    not depend on ``sys.stderr`` (which may be replaced, e.g. by pytest). If
    descriptor 2 cannot be duplicated, nothing is redirected.
    """

    def __init__(self):
        self.text = ""
        try:
            self._tmp = tempfile.TemporaryFile()
        except OSError:  # no writable temporary folder: leave descriptor 2 alone
            self._tmp = None
        self._saved = -1

    def __enter__(self) -> _Fd2Capture:
        if self._tmp is None:
            return self
        _FD2_LOCK.acquire()  # descriptor 2 is process-wide: one redirection at a time
        try:
            self._saved = os.dup(2)
            os.dup2(self._tmp.fileno(), 2)
        except OSError:
            if self._saved >= 0:
                os.close(self._saved)
            self._saved = -1
            _FD2_LOCK.release()
        return self

    def __exit__(self, *exc) -> None:
        if self._saved < 0:
            return
        try:
            os.dup2(self._saved, 2)
        finally:
            os.close(self._saved)
            self._saved = -1
            _FD2_LOCK.release()
        fd = self._tmp.fileno()  # unbuffered calls: descriptor 2 shared this file offset
        if os.lseek(fd, 0, os.SEEK_CUR):
            os.lseek(fd, 0, os.SEEK_SET)
            if len(self.text) < _CAPTURE_READ:
                self.text += os.read(fd, _CAPTURE_READ).decode("utf-8", "replace")
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.close()


def _sf_blocks(f: sf.SoundFile, capture: _Fd2Capture) -> Iterator[np.ndarray]:
    """(frames, channels) float32 blocks, reusing one buffer; decoder output goes to ``capture``."""
    if not 1 <= f.channels <= MAX_CHANNELS:  # check_source refuses these first
        raise ValueError(f"channels={f.channels} outside 1-{MAX_CHANNELS}")
    buf = np.empty((pipeline.BLOCK_FRAMES, min(f.channels, MAX_CHANNELS)), np.float32)
    while True:
        with capture:
            block = f.read(pipeline.BLOCK_FRAMES, dtype="float32", always_2d=True, out=buf)
        if not len(block):
            return
        yield block


def _open(name: str, picks: list, sr: int, capture: _Fd2Capture) -> sf.SoundFile | list:
    """Open with libsndfile, or decode ``picks`` with ffmpeg (one pass) when libsndfile cannot."""
    try:
        with capture:
            f = sf.SoundFile(os.fsencode(name))  # bytes: soundfile cannot encode undecodable names
    except sf.LibsndfileError as exc:
        if _has_ffmpeg():
            try:
                return load_ffmpeg_channels(name, picks, sr)
            except NotDecodable:  # ffmpeg finds no audio either: libsndfile's reason is the clearer one
                pass
        detail = exc.error_string.rstrip(".")
        raise input_error(
            name,
            f"not a readable audio file ({detail})",
            "check that it is a recording, or convert it to WAV",
            key="error.not_audio",
            detail=detail,
        ) from exc
    if f.format == "MP3" and _has_ffmpeg() and not mp3_length_tag(name)[0] and mp3_bit_rate_varies(name):
        f.close()  # VBR without a length tag: libmpg123 would stop at a length guessed from the first frame
        return load_ffmpeg_channels(name, picks, sr)
    return f


def _has_ffmpeg() -> bool:
    return bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))


def _source(name: str, f: sf.SoundFile) -> Source:
    fmt = "MP3" if f.format == "MP3" else f"{f.format} {f.subtype}"
    frames = f.frames if 0 <= f.frames < 2**62 else None  # compared with what decodes, never sizes a buffer
    full_scale = _FULL_SCALE.get(f.subtype, 1.0)
    return Source(name, fmt, f.samplerate, f.channels, frames, full_scale, f.subtype in _PLATEAU_SUBTYPES)


def _decode(name: str, f: sf.SoundFile, src: Source, pipes: list, capture: _Fd2Capture) -> None:
    """Feed every block of ``f`` to each of ``pipes``; damaged data -> :class:`TonecheckError`."""
    try:
        for block in _sf_blocks(f, capture):
            for pipe in pipes:
                pipe.feed(block)
    except sf.LibsndfileError as exc:
        raise input_error(
            name,
            f"truncated or damaged {f.format} data ({exc.error_string.rstrip('.')})",
            "copy or export the recording again",
        ) from exc


def load_soundfile(name: str, label: str, index: int | None, sr: int) -> Audio:
    """Stream a file libsndfile can read (falls back to ffmpeg if it cannot)."""
    return load_soundfile_channels(name, [(label, index)], sr)[0]


def load_soundfile_channels(name: str, picks: list, sr: int) -> list:
    """Several channels of one file in one decoding pass: ``picks`` is ``[(label, index), ...]``.

    Each pick gets its own :class:`~tonecheck.pipeline.Pipeline` (meter,
    resampler, spill), so every :class:`Audio` equals what
    :func:`load_soundfile` gives for that channel alone. A file libsndfile
    cannot read is decoded by ffmpeg, also in one pass.
    """
    capture = _Fd2Capture()
    try:
        opened = _open(name, picks, sr, capture)
        if isinstance(opened, list):
            return opened
        with opened as f:
            src = _source(name, f)
            for label, index in picks:
                check_source(src, label, index)
            cut = riff_truncation(name) if f.format in ("WAV", "WAVEX") else None
            if cut:
                raise input_error(
                    name,
                    f"truncated WAV: the header promises {cut[0]:.2f} s but the file holds {cut[1]:.2f} s",
                    "copy or export the recording again",
                )
            pipes = [Pipeline(src, index, sr) for _, index in picks]
            _decode(name, f, src, pipes, capture)
    finally:
        capture.close()
    notes = _length_notes(name, src, pipes[0].frames) + decoder_note(capture.text)
    return [pipe.finish(label, list(notes)) for pipe, (label, _) in zip(pipes, picks)]


def _length_notes(name: str, src: Source, decoded_frames: int) -> list[Message]:
    """Lossless: the header is exact, a shortfall is an error; lossy: see :func:`truncation_notes`."""
    lossy = src.format.split()[0] in _LOSSY_FORMATS
    if not lossy and src.frames and decoded_frames < 0.99 * src.frames:
        raise input_error(
            name,
            f"truncated {src.format}: decoded {decoded_frames / src.sr:.2f} s of {src.frames / src.sr:.2f} s",
            "copy or export the recording again",
        )
    if src.format == "MP3" and src.frames and decoded_frames < (1 - TRUNCATED_NOTE_FRACTION) * src.frames:
        announced, complete = mp3_length_tag(name)
        if not announced:  # the length was estimated from the first frame: nothing to compare
            return []
        if complete:
            promised = {"promised": f"{src.frames / src.sr:.0f}", "decoded": f"{decoded_frames / src.sr:.1f}"}
            return [Message("note.header_duration", promised)]
    notes = truncation_notes(src, decoded_frames, os.path.getsize(name)) if lossy else []
    if not notes and src.format.startswith("OGG") and ogg_end_missing(name):
        notes.append(Message("note.truncated", {"detail": Message("note.truncated_end")}))
    return notes
