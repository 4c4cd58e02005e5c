"""The inputs of a two-party call: which side is whose, each side loaded, checked and measured.

:mod:`tonecheck.call` orchestrates; this module turns ``--agent``, a stereo
file or two files into two measured channels (:class:`Channel`: the
analysis-rate signal, its speech-band levels and speech frames), refusing
what cannot be a call with one clear line each: a channel that does not
exist, a silent channel, both channels the same signal, two files of
different rates or lengths. A stereo file is decoded once (both channels in
one pass); its channel count comes from the header.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .audio import Audio, load_audio, load_channels
from .crosstalk import channels_identical
from .errors import TonecheckError
from .frames import HOP_S
from .loudness import frame_levels_db
from .messages import Message
from .rate import BAND_HZ
from .recording import display_name, input_error
from .speech import SpeechActivity, detect_speech

__all__ = [
    "AGENT_CHOICES",
    "MAX_LENGTH_DIFF_S",
    "Channel",
    "IdenticalChannelsError",
    "band_levels",
    "measure_channel",
    "parse_agent",
    "stereo_channels",
    "two_files",
]

AGENT_CHOICES = ("first", "second", "left", "right")
MAX_LENGTH_DIFF_S = 3.0
"""Two files of one call may differ this much in length (recorders stop at slightly different times)."""


class IdenticalChannelsError(TonecheckError):
    """Both channels of a call carry one signal (``error.call_identical``).

    ``left`` is the left channel, already decoded and equal to
    ``load_audio(path, channel="left")``, so a caller that falls back to one
    voice does not decode the file again.
    """

    left: Audio | None = None

    def __reduce__(self):
        """Across processes it travels as a plain :class:`TonecheckError`, without the decoded audio."""
        return TonecheckError, (str(self),), {"message": self.message}


def parse_agent(agent: str | int) -> str:
    """Normalize ``--agent``: ``first``, ``second``, ``left``, ``right`` or a channel number (as text).

    Raises
    ------
    TonecheckError
        Anything else.
    """
    text = str(agent).strip().lower()
    if text in AGENT_CHOICES:
        return text
    if text.isascii() and text.isdigit() and int(text) >= 1:
        return str(int(text))
    shown = display_name(str(agent))
    raise TonecheckError(
        f"--agent {shown}: not a party; use first, second, left, right or a channel number",
        message=Message("error.agent_choice", {"agent": shown}),
    )


def band_levels(audio: Audio) -> np.ndarray:
    """Speech-band level per ``HOP_S`` frame of ``audio``, dB (the rate's band, ``BAND_HZ``)."""
    return frame_levels_db(audio.samples, sr=audio.sr, hop_s=HOP_S, band_hz=BAND_HZ)


@dataclass(frozen=True, eq=False)
class Channel:
    """One channel of a call with its speech-band levels (dB per frame) and speech frames."""

    audio: Audio
    levels: np.ndarray
    activity: SpeechActivity
    name: str

    @property
    def speech(self) -> np.ndarray:
        """Speech frames, bool per ``HOP_S`` frame."""
        return self.activity.is_speech


def measure_channel(audio: Audio, name: str) -> Channel:
    """``audio`` with its speech-band levels and speech activity; ``name`` is the side shown in reports."""
    levels = band_levels(audio)
    return Channel(audio, levels, detect_speech(levels, hop_s=HOP_S), name)


def two_files(agent_path, caller_path, *, channel: str) -> tuple:
    """The agent's and the caller's files of one call as two measured channels.

    Raises
    ------
    TonecheckError
        Either file unreadable; different source sample rates; lengths
        differing by more than ``MAX_LENGTH_DIFF_S``.
    """
    agent_audio = load_audio(agent_path, channel=channel)
    caller_audio = load_audio(caller_path, channel=channel)
    if agent_audio.source_sr != caller_audio.source_sr:
        raise input_error(
            caller_path,
            f"recorded at {caller_audio.source_sr} Hz but the agent's file at {agent_audio.source_sr} Hz",
            "give the two sides of the same call (one recorder writes both at one rate)",
            key="error.call_rates",
            caller_sr=caller_audio.source_sr,
            agent_sr=agent_audio.source_sr,
        )
    if abs(agent_audio.duration_s - caller_audio.duration_s) > MAX_LENGTH_DIFF_S:
        raise input_error(
            caller_path,
            f"lasts {caller_audio.duration_s:.1f} s but the agent's file {agent_audio.duration_s:.1f} s",
            "give two time-aligned sides of the same call (they may differ by a few seconds at most)",
            key="error.call_lengths",
            caller_s=f"{caller_audio.duration_s:.1f}",
            agent_s=f"{agent_audio.duration_s:.1f}",
        )
    return measure_channel(agent_audio, display_name(agent_path)), measure_channel(
        caller_audio, display_name(caller_path)
    )


def _side_name(channel: int) -> str:
    return {1: "left", 2: "right"}.get(channel, f"channel {channel}")


def _load_sides(path, numbers: tuple) -> tuple:
    """Two channels of a call in one decoding pass; a silent one means a party never speaks."""
    try:
        return load_channels(path, tuple(str(n) for n in numbers))
    except TonecheckError as exc:
        if getattr(exc.message, "key", None) != "error.silence":
            raise
    load_audio(path)  # an all-silent recording says so, in every container, before blaming one side
    for number in numbers:  # which one is silent?
        try:
            load_audio(path, channel=str(number))
        except TonecheckError as exc:
            if getattr(exc.message, "key", None) != "error.silence":
                raise
            name = _side_name(number)
            raise input_error(
                path,
                f"the {name} channel is digital silence, so one party never speaks",
                "analyze it as one voice without --agent, or give the caller's side with --caller",
                key="error.call_silent_channel",
                channel=name,
            ) from exc
    raise AssertionError("a channel was silent together but not alone")


def stereo_channels(path, n: int, agent: str) -> tuple:
    """The two measured channels of an ``n``-channel call, the agent's named one first when ``agent`` names one.

    Raises
    ------
    TonecheckError
        ``agent`` names a channel the file lacks; a silent channel; both
        channels the same signal (``error.call_identical``).
    """
    chosen = {"left": 1, "right": 2, "first": 1, "second": 1}.get(agent) or int(agent)
    if chosen > n:
        raise input_error(
            path,
            f"has {n} channels, so --agent {agent} does not exist",
            "use --agent left, right, first or second",
            key="error.call_no_channel",
            channels=n,
            agent=agent,
        )
    numbers = (chosen, 2 if chosen == 1 else 1)
    channels = tuple(measure_channel(a, _side_name(ch)) for a, ch in zip(_load_sides(path, numbers), numbers))
    if channels_identical((channels[0].levels, channels[1].levels), (channels[0].speech, channels[1].speech)):
        error = input_error(
            path,
            "both channels carry the same signal (a one-voice recording saved as stereo)",
            "analyze it as one voice without --agent, or give the caller's side with --caller",
            kind=IdenticalChannelsError,
            key="error.call_identical",
        )
        error.left = replace(channels[numbers.index(1)].audio, channel="left")
        raise error
    return channels
