"""What a recording is, before and after reading: :class:`Source` and :class:`Audio`.

Shared by the readers (``sfreader``, ``ffmpegreader``), the block pipeline
and the public loader in :mod:`tonecheck.audio`.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import numpy as np

from .errors import TonecheckError
from .messages import Message

__all__ = [
    "ANALYSIS_SR",
    "MIN_SOURCE_SR",
    "MAX_CHANNELS",
    "Audio",
    "Source",
    "display_name",
    "input_error",
    "check_source",
    "truncation_notes",
]

ANALYSIS_SR = 8000  # Hz; every recording is analysed at this rate
MIN_SOURCE_SR = 8000  # Hz; lower source rates are rejected
MAX_CHANNELS = 64  # files with more channels are refused before any buffer is sized
TRUNCATED_NOTE_FRACTION = 0.02  # missing share of a compressed file that earns note.truncated
TRUNCATED_ERROR_FRACTION = 0.5  # missing share above which the file is refused
MIN_PLAUSIBLE_BPS = 2000  # bit/s; a header promising a duration this sparse for the file size is damaged
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True, eq=False)  # eq=False: identity semantics, arrays do not compare
class Audio:
    """A recording reduced to one channel at the analysis rate.

    Attributes
    ----------
    samples : np.ndarray or SampleFile [shape=(n,), dtype=float32]
        Read-only mono signal at ``sr``, full scale +-1, DC offset removed.
        Longer than ``pipeline.MEMORY_SAMPLES`` (35 min at 8 kHz) it is a
        :class:`~tonecheck.samplefile.SampleFile` on disk: ``len()`` and
        ``samples[a:b]`` work alike, ``np.asarray`` reads it all.
    sr : int
        Sample rate of ``samples`` in Hz (:data:`ANALYSIS_SR` by default).
    path : str
        The path as given by the caller, for messages.
    source_sr, source_channels : int
        The file's own sample rate (Hz) and channel count.
    channel : str
        What was analysed: ``"mix"`` (mean of all channels), ``"left"``,
        ``"right"`` or a 1-based channel number such as ``"3"``.
    duration_s : float
        Duration of the file in seconds (frames decoded / ``source_sr``).
    format : str
        Container and encoding, e.g. ``"WAV PCM_16"``, ``"MP3"``, ``"M4A aac (ffmpeg)"``.
    clipped_fraction : float in [0, 1]
        Share of the analysed channels' original samples at full scale
        (``>= 0.999`` of the format's maximum) or, for 16-32 bit PCM, in runs
        of four or more identical values within 1 % of the file's peak.
    peak_dbfs : float
        Peak of the analysed channels' original samples in dBFS
        (``-inf`` for digital silence, above 0 for overloaded float files).
    notes : tuple of Message
        Soft problems as short English sentences.
    """

    samples: np.ndarray
    sr: int
    path: str
    source_sr: int
    source_channels: int
    channel: str
    duration_s: float
    format: str
    clipped_fraction: float
    peak_dbfs: float
    notes: tuple


@dataclass(frozen=True)
class Source:
    """What is known about an input before its samples are read."""

    path: str
    format: str
    sr: int
    channels: int
    frames: int | None  # expected frames; None when unknown
    full_scale: float = 1.0
    flat_tops: bool = False  # look for plateau clipping (16-32 bit PCM)


def _printable(text: str) -> str:
    """``text`` safe to print on one line: undecodable bytes as ``\\xNN``, control characters escaped."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # lone surrogates that do not stand for bytes
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def display_name(path: str | bytes | os.PathLike) -> str:
    """A file name as printable one-line text, for messages.

    Parameters
    ----------
    path : str, bytes or os.PathLike
        As given by the user; a ``str`` may hold undecodable bytes as
        surrogates (``os.fsdecode``'s ``surrogateescape``).

    Returns
    -------
    name : str
        The name with bytes that are not UTF-8 shown as ``\\xNN`` and
        control characters (newline, escape, ...) as escapes, so printing it
        can neither fail nor break the line.
    """
    return _printable(os.fsdecode(path))


def input_error(
    name: str | bytes | os.PathLike,
    problem: str,
    fix: str,
    *,
    kind: type[TonecheckError] = TonecheckError,
    key: str | None = None,
    **params,
) -> TonecheckError:
    """One-line ``"<file>: <problem>; <fix>"`` error (of class ``kind``), printable whatever the name holds.

    With ``key``, the error also carries that catalog message (``{file}``
    plus ``params``), so the command line can show it in the report
    language; the English line stays ``problem`` and ``fix``.
    """
    message = Message(key, {"file": display_name(name), **params}) if key else None
    return kind(_printable(f"{display_name(name)}: {problem}; {fix}"), message=message)


def check_source(src: Source, label: str, index: int | None) -> None:
    """Reject channel counts outside 1-:data:`MAX_CHANNELS`, rates below 8 kHz and channels the file lacks.

    Every reader calls this before sizing any buffer from ``src.channels``.
    """
    if src.channels > MAX_CHANNELS:
        raise input_error(
            src.path,
            f"has {src.channels} channels; tonecheck reads at most {MAX_CHANNELS}",
            "save the speaker's channel as its own file (e.g. ffmpeg -i IN -af pan=mono|c0=c0 OUT.wav)",
        )
    if src.channels < 1:
        raise input_error(src.path, "the file declares no audio channels", "check the file, or convert it to WAV")
    if src.sr < MIN_SOURCE_SR:
        raise input_error(
            src.path,
            f"sample rate {src.sr} Hz is below the {MIN_SOURCE_SR} Hz tonecheck needs",
            "use a recording made at 8 kHz or more",
        )
    if index is not None and index >= src.channels:
        names = "mix or 1" if src.channels == 1 else f"mix, left, right or 1-{src.channels}"
        plural = "" if src.channels == 1 else "s"
        raise input_error(
            src.path, f"channel {label} requested but the file has {src.channels} channel{plural}", f"choose {names}"
        )


def truncation_notes(src: Source, decoded_frames: int, size_bytes: int) -> list[Message]:
    """Compare what a compressed file decoded to with what its container announces.

    Parameters
    ----------
    src : Source
        ``src.frames`` is the container's (header's) length in frames; None
        when it announces none.
    decoded_frames : int
        Frames actually decoded.
    size_bytes : int
        File size, to tell a truncated file from a damaged duration field: a
        promise implying less than :data:`MIN_PLAUSIBLE_BPS` is not believed.

    Returns
    -------
    notes : list of Message
        ``note.truncated`` when more than :data:`TRUNCATED_NOTE_FRACTION` is
        missing, ``note.header_duration`` when the promise is implausible.

    Raises
    ------
    TonecheckError
        More than :data:`TRUNCATED_ERROR_FRACTION` of the announced length is missing.
    """
    if not src.frames or decoded_frames >= (1 - TRUNCATED_NOTE_FRACTION) * src.frames:
        return []
    decoded_s, promised_s = decoded_frames / src.sr, src.frames / src.sr
    if not math.isfinite(promised_s) or size_bytes * 8 / promised_s < MIN_PLAUSIBLE_BPS:
        return [Message("note.header_duration", {"promised": f"{promised_s:.0f}", "decoded": f"{decoded_s:.1f}"})]
    if decoded_frames < (1 - TRUNCATED_ERROR_FRACTION) * src.frames:
        raise input_error(
            src.path,
            f"truncated {src.format}: decoded {decoded_s:.1f} s of the {promised_s:.1f} s the container announces",
            "copy or export the recording again",
        )
    detail = Message("note.truncated_duration", {"decoded": f"{decoded_s:.1f}", "promised": f"{promised_s:.1f}"})
    return [Message("note.truncated", {"detail": detail})]
