"""What a recording is, before and after reading: :class:`Source` and :class:`Audio`.

Shared by the readers (``sfreader``, ``ffmpegreader``), the block pipeline
and the public loader in :mod:`tonecheck.audio`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import TonecheckError

__all__ = ["ANALYSIS_SR", "MIN_SOURCE_SR", "Audio", "Source", "input_error", "check_source"]

ANALYSIS_SR = 8000  # Hz; every recording is analysed at this rate
MIN_SOURCE_SR = 8000  # Hz; lower source rates are rejected


@dataclass(frozen=True, eq=False)  # eq=False: identity semantics, arrays do not compare
class Audio:
    """A recording reduced to one channel at the analysis rate.

    Attributes
    ----------
    samples : np.ndarray [shape=(n,), dtype=float32]
        Read-only mono signal at ``sr``, full scale +-1, DC offset removed.
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


def input_error(name: str, problem: str, fix: str) -> TonecheckError:
    """One-line ``"<file>: <problem>; <fix>"`` error."""
    text = f"{name}: {problem}; {fix}"
    return TonecheckError(text.replace("\r", " ").replace("\n", " "))


def check_source(src: Source, label: str, index: int | None) -> None:
    """Reject sample rates below 8 kHz and channels the file does not have."""
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
