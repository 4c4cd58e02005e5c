"""Read recordings into analysis-rate mono :class:`Audio`, in bounded memory.

Every recording is analysed at :data:`ANALYSIS_SR` (8 kHz) mono, so wideband
and telephone audio are measured alike. Files are streamed in blocks of
:data:`BLOCK_FRAMES` frames: each block is measured (peak, clipping) on its
original samples, reduced to the requested channel and resampled with
``soxr.ResampleStream`` into a float32 array that grows as needed (headers
never size it); beyond ``pipeline.MEMORY_SAMPLES`` (35 min at 8 kHz) the
signal spills to an unlinked temporary file that the measurements read back
in blocks, so peak memory stays bounded (``bench/memory.py``).

WAV (PCM, float, mu-law, A-law), FLAC, OGG and MP3 are read with soundfile;
phone-recorder formats (M4A, AAC, AMR, 3GP, WebM, ...) are decoded by
``ffmpeg`` through a pipe, without temporary files. Inputs are never opened
for writing, and only regular files are opened at all (checked after
following links), so a FIFO or a device can never block the loader. No
header field sizes a buffer: channels are capped at 64 and block buffers
hold :data:`~tonecheck.pipeline.BLOCK_FRAMES` frames of at most that many channels.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import stat
import time

import numpy as np
import soundfile as sf

from . import pipeline
from .ffmpegreader import NotDecodable, load_ffmpeg, load_ffmpeg_channels, probe_ffmpeg
from .pipeline import Pipeline
from .recording import ANALYSIS_SR, MIN_SOURCE_SR, Audio, Source, check_source, display_name, input_error
from .sfreader import load_soundfile, load_soundfile_channels

__all__ = [
    "ANALYSIS_SR",
    "MIN_SOURCE_SR",
    "SUPPORTED_EXTENSIONS",
    "Audio",
    "load_audio",
    "load_channels",
    "channel_count",
    "reads_with_ffmpeg",
    "from_array",
]

logger = logging.getLogger(__name__)

_SOUNDFILE_EXTENSIONS = {
    ".wav",
    ".wave",
    ".flac",
    ".ogg",
    ".oga",
    ".opus",
    ".mp3",
    ".aif",
    ".aiff",
    ".au",
    ".caf",
    ".w64",
    ".rf64",
}
_FFMPEG_EXTENSIONS = {".m4a", ".mp4", ".aac", ".amr", ".3gp", ".3ga", ".webm", ".mka", ".wma"}
SUPPORTED_EXTENSIONS = frozenset(_SOUNDFILE_EXTENSIONS | _FFMPEG_EXTENSIONS)
"""Lowercase extensions, with the dot, that :func:`load_audio` reads (compare
with ``os.path.splitext(p)[1].lower()``). The ffmpeg ones need ffmpeg on PATH."""
_CHANNEL_NAMES = {"mix": None, "left": 0, "right": 1}


def _check_rate(sr: int, what: str) -> None:
    """A requested output rate must be a positive whole number of Hz (caller bug otherwise)."""
    if not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ValueError(f"{what}={sr!r} must be a positive integer number of Hz")


def _parse_channel(channel: str | int, name: str) -> tuple[str, int | None]:
    """``channel`` -> (label, 0-based index or None for the mix); only ASCII digits count as numbers."""
    text = str(channel).strip().lower()
    if text in _CHANNEL_NAMES:
        return text, _CHANNEL_NAMES[text]
    if text.isascii() and text.isdigit() and int(text) >= 1:
        return str(int(text)), int(text) - 1
    raise input_error(
        name, f"unknown channel {ascii(channel)}", "use mix, left, right or a channel number counted from 1"
    )


_NOT_REGULAR = (
    (stat.S_ISFIFO, "is a FIFO", "error.fifo"),
    (stat.S_ISCHR, "is a character device", "error.char_device"),
    (stat.S_ISBLK, "is a block device", "error.block_device"),
    (stat.S_ISSOCK, "is a socket", "error.socket"),
)


def _check_file(name: str) -> None:
    """Accept only an existing, readable, non-empty regular file (after following links).

    Nothing that is not a regular file is ever opened: a FIFO or a device
    would block or never end.
    """
    try:
        info = os.stat(name)  # follows symbolic links
    except FileNotFoundError as exc:
        if os.path.islink(name):
            raise input_error(
                name, "is a broken link (its target does not exist)", "check the path", key="error.broken_link"
            ) from exc
        raise input_error(name, "no such file", "check the path", key="error.no_such_file") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise input_error(
                name, "is a link that loops back on itself", "check the path", key="error.link_loop"
            ) from exc
        raise input_error(name, f"cannot be read ({exc.strerror})", "check the path and the file permissions") from exc
    if stat.S_ISDIR(info.st_mode):
        raise input_error(name, "is a folder, not a recording", "pass one audio file", key="error.folder")
    if not stat.S_ISREG(info.st_mode):
        what, key = next(
            ((text, key) for test, text, key in _NOT_REGULAR if test(info.st_mode)),
            ("is not a regular file", "error.not_regular"),
        )
        raise input_error(name, f"{what}, not a recording", "pass an audio file", key=key)
    try:  # read-only probe for a precise OS error; O_NONBLOCK: never wait if it was swapped for a FIFO
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        os.close(fd)
    except OSError as exc:
        raise input_error(name, f"cannot be read ({exc.strerror})", "check the path and the file permissions") from exc
    if info.st_size == 0:
        raise input_error(name, "the file is empty (0 bytes)", "record or copy it again", key="error.empty_file")


def load_audio(path: str | os.PathLike, *, channel: str | int = "mix", sr: int = ANALYSIS_SR) -> Audio:
    """Read a recording into mono :class:`Audio` at ``sr``, in bounded memory.

    Parameters
    ----------
    path : str or os.PathLike
        Audio file; see :data:`SUPPORTED_EXTENSIONS`. Opened read-only.
    channel : {"mix", "left", "right"} or int >= 1 or its string
        ``"mix"`` averages all channels; ``"left"``/``"right"`` are channels
        1 and 2; a number selects that channel, counted from 1.
    sr : int > 0
        Output sample rate in Hz; leave at :data:`ANALYSIS_SR` for analysis.

    Returns
    -------
    audio : Audio
        Read-only float32 samples plus source metadata, levels and notes.

    Raises
    ------
    TonecheckError
        Missing, empty, non-audio, truncated or undecodable file; a folder,
        FIFO, device or socket (never opened), a broken or looping link;
        more than :data:`~tonecheck.recording.MAX_CHANNELS` channels; source
        rate below 8 kHz; channel out of range; ffmpeg needed but missing;
        shorter than 0.5 s; digital silence; a compressed file with more
        than half of its announced length missing; not enough memory.

    Notes
    -----
    Soft problems become :attr:`Audio.notes`, among them ``note.truncated``
    (a compressed file shorter than its container announces),
    ``note.two_voices`` (a mixed stereo file whose channels hold different
    voices) and ``note.decoder_messages`` (what the decoder wrote to stderr,
    which is captured instead of printed).
    """
    name = os.fsdecode(path)  # bytes names keep undecodable bytes as surrogates
    _check_rate(sr, "sr")
    label, index = _parse_channel(channel, name)
    _check_file(name)
    start = time.perf_counter()
    try:
        if os.path.splitext(name)[1].lower() in _FFMPEG_EXTENSIONS:
            audio = load_ffmpeg(name, label, index, sr)
        else:
            audio = load_soundfile(name, label, index, sr)
    except MemoryError as exc:  # a header or stream field asked for more than the machine has
        raise input_error(
            name, "decoding it needs more memory than is available (a damaged header?)", "convert the file to WAV"
        ) from exc
    logger.debug(
        "%s: %s, %d ch at %d Hz, %.1f s, loaded in %.2f s",
        display_name(name),
        audio.format,
        audio.source_channels,
        audio.source_sr,
        audio.duration_s,
        time.perf_counter() - start,
    )
    return audio


def channel_count(path: str | os.PathLike) -> int:
    """Channels of a recording, from its header (libsndfile's, else ffprobe's), without decoding it.

    Parameters
    ----------
    path : str or os.PathLike
        As for :func:`load_audio`.

    Returns
    -------
    channels : int
        As the header states; files ffmpeg reads are also checked as
        :func:`load_audio` checks them before decoding (1 to
        :data:`~tonecheck.recording.MAX_CHANNELS` channels, rate >= 8 kHz).

    Raises
    ------
    TonecheckError
        What :func:`load_audio` finds before decoding: the file checks, ffmpeg
        missing, no audio stream, a refused channel count or rate. Damage
        found while decoding is left to loading.
    """
    name = os.fsdecode(path)
    _check_file(name)
    ffmpeg_only = os.path.splitext(name)[1].lower() in _FFMPEG_EXTENSIONS
    if not ffmpeg_only:
        try:
            return int(sf.info(os.fsencode(name)).channels)
        except (sf.LibsndfileError, RuntimeError, OSError):
            pass  # load_audio gives the one-line reason or decodes with ffmpeg
        if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
            return load_audio(name).source_channels  # raises libsndfile's reason
    try:
        return probe_ffmpeg(name).channels
    except NotDecodable:
        if ffmpeg_only:
            raise
    return load_audio(name).source_channels  # ffmpeg finds no audio either: raises libsndfile's reason


def reads_with_ffmpeg(path: str | os.PathLike) -> bool:
    """Whether :func:`load_audio` decodes ``path`` with ffmpeg by its extension (M4A, AAC, AMR, ...)."""
    return os.path.splitext(os.fsdecode(path))[1].lower() in _FFMPEG_EXTENSIONS


def load_channels(path: str | os.PathLike, channels: tuple, *, sr: int = ANALYSIS_SR) -> tuple:
    """Several channels of one recording as separate :class:`Audio`, decoding the file once.

    Parameters
    ----------
    path : str or os.PathLike
        As for :func:`load_audio`.
    channels : tuple of str or int
        Each as the ``channel`` of :func:`load_audio` (e.g. ``("1", "2")``).
    sr : int > 0

    Returns
    -------
    audios : tuple of Audio
        One per channel, each equal to ``load_audio(path, channel=c)``.

    Raises
    ------
    TonecheckError
        As :func:`load_audio`, for any of the channels.
    """
    name = os.fsdecode(path)
    _check_rate(sr, "sr")
    picks = [_parse_channel(c, name) for c in channels]
    _check_file(name)
    try:
        if reads_with_ffmpeg(name):
            return tuple(load_ffmpeg_channels(name, picks, sr))
        return tuple(load_soundfile_channels(name, picks, sr))
    except MemoryError as exc:
        raise input_error(
            name, "decoding it needs more memory than is available (a damaged header?)", "convert the file to WAV"
        ) from exc


def from_array(
    samples: np.ndarray, *, sr: int, path: str = "<array>", channel: str | int = "mix", analysis_sr: int = ANALYSIS_SR
) -> Audio:
    """Build :class:`Audio` from an in-memory signal, exactly as a file would be.

    Parameters
    ----------
    samples : np.ndarray [shape=(n,) or (n, channels)]
        Float samples (full scale +-1) or integer PCM (scaled by its dtype);
        channels last, as ``soundfile.read`` returns them.
    sr : int >= 8000
        Sample rate of ``samples`` in Hz.
    path : str
        Name used in messages and stored in :attr:`Audio.path`.
    channel : {"mix", "left", "right"} or int >= 1
        As for :func:`load_audio`.
    analysis_sr : int > 0
        Output sample rate in Hz.

    Returns
    -------
    audio : Audio
    """
    _check_rate(analysis_sr, "analysis_sr")
    x = np.asarray(samples)
    x = x[:, None] if x.ndim == 1 else x
    if (
        x.ndim != 2
        or x.shape[1] > x.shape[0]
        or not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.signedinteger))
    ):
        raise input_error(
            path,
            f"samples of shape {np.shape(samples)} and dtype {x.dtype}",
            "pass a float or signed-integer array shaped (n,) or (n, channels)",
        )
    label, index = _parse_channel(channel, path)
    integer = np.issubdtype(x.dtype, np.integer)
    scale = float(2 ** (8 * x.dtype.itemsize - 1)) if integer else 1.0
    src = Source(
        path,
        f"array ({x.dtype})",
        int(sr),
        x.shape[1],
        len(x),
        (scale - 1) / scale if integer else 1.0,
        integer and x.dtype.itemsize >= 2,
    )
    check_source(src, label, index)
    pipe = Pipeline(src, index, analysis_sr)
    for start in range(0, len(x), pipeline.BLOCK_FRAMES):
        pipe.feed(np.asarray(x[start : start + pipeline.BLOCK_FRAMES], np.float32) / np.float32(scale))
    return pipe.finish(label, [])
