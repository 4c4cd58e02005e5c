"""The orchestrator for two-party calls: recordings -> :class:`Conversation`.

Three inputs (docs/measures.md, "Two-party calls"):

* **stereo**, one party per channel: :func:`analyze_call_file` with
  ``agent="left"``, ``"right"`` or a channel number;
* **two time-aligned files**: :func:`analyze_call_files`;
* **one channel, two voices**: :func:`analyze_call_file` on a mono file
  separates the voices with :mod:`tonecheck.diarize`.

``agent="first"`` (the default: the agent greets) or ``"second"`` picks the
agent by who speaks first, on stereo and mono alike; ``agent_voice`` picks
the voice that sounds like a sample of the agent. Crosstalk between two
channels is resolved frame by frame (:mod:`tonecheck.crosstalk`), so bleed
never counts as the wrong party's talk, pitch or rate.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .analysis import Settings, analyze
from .audio import Audio, channel_count, load_audio, load_channels
from .conversation import Conversation, build_conversation
from .crosstalk import channels_identical, resolve_crosstalk
from .errors import TonecheckError
from .frames import HOP_S
from .loudness import frame_levels_db
from .messages import Message
from .rate import BAND_HZ
from .recording import display_name, input_error
from .speech import MIN_PAUSE_S, PartyTalk, SpeechActivity, close_gaps, detect_speech
from .targets import Targets, default_targets
from .turns import AGENT, CALLER, take_turns

__all__ = [
    "AGENT_CHOICES",
    "analyze_call",
    "analyze_call_file",
    "analyze_call_files",
    "analyze_call_or_voice",
    "parse_agent",
]

AGENT_CHOICES = ("first", "second", "left", "right")
MAX_LENGTH_DIFF_S = 3.0
"""Two files of one call may differ this much in length (recorders stop at slightly different times)."""
MIN_PARTY_SPEECH_S = 1.0
"""A party with less own speech than this "never speaks"."""


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


def _frame_len(audio: Audio) -> int:
    return int(round(audio.sr * HOP_S))


def _band_levels(audio: Audio) -> np.ndarray:
    return frame_levels_db(audio.samples, sr=audio.sr, hop_s=HOP_S, band_hz=BAND_HZ)


def _first_speaker(first: np.ndarray, second: np.ndarray) -> int:
    """0 if the first mask's speech starts no later than the second's, else 1."""
    a, b = np.flatnonzero(first), np.flatnonzero(second)
    if not a.size or not b.size:
        return 0 if a.size else 1
    return 0 if a[0] <= b[0] else 1


def _party_talk(own: np.ndarray, turn_taking, speaker: str, measured: tuple | None) -> PartyTalk:
    """The party's own frames minus its backchannels, its turns, and its channel's levels and speech."""
    frames = own.copy()
    for b in turn_taking.backchannels:
        if b.speaker == speaker:
            frames[int(round(b.start_s / HOP_S)) : int(round(b.end_s / HOP_S))] = False
    turns = tuple((t.start_s, t.end_s) for t in turn_taking.turns if t.speaker == speaker)
    return PartyTalk(frames, turns, *(measured or ()))


def _never_speaks(name: str, side: str) -> TonecheckError:
    return input_error(
        name,
        f"the {side} never speaks",
        "check which side is the agent (--agent), or analyze it as one voice without --agent/--caller",
        key="error.call_never_speaks",
        side=Message(f"label.party.{side}"),
    )


def _check_both_speak(name: str, own: tuple, sides: tuple) -> None:
    for frames, side in zip(own, sides):
        if np.count_nonzero(frames) * HOP_S < MIN_PARTY_SPEECH_S:
            raise _never_speaks(name, side)


def analyze_call(
    agent_audio: Audio,
    caller_audio: Audio,
    *,
    agent_frames: np.ndarray,
    caller_frames: np.ndarray,
    source: str,
    agent_side: str,
    confidence: float = 1.0,
    settings: Settings | None = None,
    targets: Targets | None = None,
    notes: tuple = (),
    measured: tuple = (None, None),
) -> Conversation:
    """Analyze both parties of a call whose own speech frames are known.

    Parameters
    ----------
    agent_audio, caller_audio : Audio
        Each party's signal (the same :class:`Audio` twice for one channel).
    agent_frames, caller_frames : np.ndarray [shape=(n_frames,)], bool
        Each party's own speech frames at ``HOP_S`` (crosstalk resolved).
    source : {"stereo", "two-file", "diarized"}
    agent_side : str
        Where the agent came from, for the report.
    confidence : float in [0, 1]
    settings : Settings
        Language (both parties); a transcript is ignored (it counts one voice).
    targets : Targets, optional
    notes : tuple of Message
    measured : (tuple or None, tuple or None)
        The agent's and the caller's channel, if already measured:
        ``(speech-band levels in dB, SpeechActivity)``.

    Returns
    -------
    conversation : Conversation
    """
    targets = targets or default_targets()
    settings = settings or Settings()
    name = agent_audio.path
    _check_both_speak(name, (agent_frames, caller_frames), ("agent", "caller"))
    turn_taking = take_turns(agent_frames, caller_frames, hop_s=HOP_S)
    settings = dataclasses.replace(settings, transcript=None, transcript_source=None)
    parties = []
    for audio, frames, speaker, channel in (
        (agent_audio, agent_frames, AGENT, measured[0]),
        (caller_audio, caller_frames, CALLER, measured[1]),
    ):
        talk = _party_talk(frames, turn_taking, speaker, channel)
        try:
            parties.append(analyze(audio, settings=settings, targets=targets, talk=talk))
        except TonecheckError as exc:
            if getattr(exc.message, "key", None) not in ("error.no_speech", "error.no_voiced_speech"):
                raise
            raise _never_speaks(name, speaker) from exc
    agent, caller = parties
    return build_conversation(
        agent, caller, turn_taking, source=source, confidence=confidence, agent_side=agent_side, notes=notes
    )


@dataclass(frozen=True, eq=False)
class _Channel:
    """One channel of a call with its speech-band levels and speech frames."""

    audio: Audio
    levels: np.ndarray
    activity: SpeechActivity
    name: str

    @property
    def speech(self) -> np.ndarray:
        return self.activity.is_speech


def _channel(audio: Audio, name: str) -> _Channel:
    levels = _band_levels(audio)
    activity = detect_speech(levels, hop_s=HOP_S)
    return _Channel(audio, levels, activity, name)


def _own_frames(first: _Channel, second: _Channel) -> tuple:
    """Each channel's own speech frames, crosstalk resolved, on a common length."""
    own = resolve_crosstalk(
        (first.levels, second.levels),
        (first.speech, second.speech),
        (first.activity.threshold_db, second.activity.threshold_db),
    )
    n = min(len(first.audio.samples), len(second.audio.samples)) // _frame_len(first.audio)
    return own.first[:n], own.second[:n]


def _two_channels(first: _Channel, second: _Channel, *, pick: int | None, order: str, **kw) -> Conversation:
    """Crosstalk-resolved analysis of two channels; the agent is channel ``pick``, or chosen by ``order``."""
    masks = _own_frames(first, second)
    if pick is None:
        pick = _first_speaker(*masks) ^ (order == "second")
    a, c = (first, second) if pick == 0 else (second, first)
    return analyze_call(
        a.audio,
        c.audio,
        agent_frames=masks[pick],
        caller_frames=masks[1 - pick],
        agent_side=a.name,
        measured=((a.levels, a.activity), (c.levels, c.activity)),
        **kw,
    )


def analyze_call_files(
    agent_path, caller_path, *, settings: Settings | None = None, targets: Targets | None = None
) -> Conversation:
    """A call recorded as two time-aligned files, one per party.

    Raises
    ------
    TonecheckError
        Either file unreadable; different source sample rates; lengths
        differing by more than ``MAX_LENGTH_DIFF_S``; a party that never speaks.
    """
    settings = settings or Settings()
    agent_audio = load_audio(agent_path, channel=settings.channel)
    caller_audio = load_audio(caller_path, channel=settings.channel)
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
    return _two_channels(
        _channel(agent_audio, display_name(agent_path)),
        _channel(caller_audio, display_name(caller_path)),
        pick=0,
        order="first",
        source="two-file",
        settings=settings,
        targets=targets,
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


def _stereo_channels(path, n: int, agent: str) -> tuple:
    """The two channels of a stereo call, the agent's named one first when ``agent`` names one."""
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
    channels = tuple(_channel(a, _side_name(ch)) for a, ch in zip(_load_sides(path, numbers), numbers))
    if channels_identical((channels[0].levels, channels[1].levels), (channels[0].speech, channels[1].speech)):
        raise input_error(
            path,
            "both channels carry the same signal (a one-voice recording saved as stereo)",
            "analyze it as one voice without --agent, or give the caller's side with --caller",
            key="error.call_identical",
        )
    return channels


def _voice_pick(channels: tuple, masks: tuple, voice_path) -> int:
    """0 or 1: which of two channels (own frames ``masks``) sounds like the sample in ``voice_path``."""
    from .diarize import Diarization

    joined = dataclasses.replace(
        channels[0].audio,
        samples=np.concatenate(
            [np.asarray(c.audio.samples[: m.size * _frame_len(c.audio)]) for c, m in zip(channels, masks)]
        ),
    )
    labels = np.concatenate([np.where(m, np.int8(k), np.int8(-1)) for k, m in enumerate(masks)])
    return _match(joined, Diarization(labels, 1.0), voice_path)


def _match(audio: Audio, diarization, voice_path) -> int:
    from .diarize import match_voice

    voice = load_audio(voice_path)
    try:
        return match_voice(audio, diarization, voice)
    except ValueError as exc:
        raise input_error(
            voice_path, "holds no speech to match", "give a few seconds of the agent speaking", key="error.voice_sample"
        ) from exc


def analyze_call_file(
    path,
    *,
    agent: str = "first",
    agent_voice=None,
    settings: Settings | None = None,
    targets: Targets | None = None,
) -> Conversation:
    """A call in one file: stereo (one party per channel) or mono (two voices, diarized).

    Parameters
    ----------
    path : str or os.PathLike
    agent : str
        ``"first"`` (who speaks first; the greeting), ``"second"``, or on
        stereo ``"left"``, ``"right"`` or a channel number.
    agent_voice : str or os.PathLike, optional
        A few seconds of the agent's own voice; the matching voice is the agent.
    settings : Settings
    targets : Targets, optional

    Returns
    -------
    conversation : Conversation

    Raises
    ------
    TonecheckError
        ``left``/``right``/a number on a mono file; identical channels; a
        party that never speaks; two voices that cannot be told apart.
    """
    agent = parse_agent(agent)
    settings = settings or Settings()
    n = channel_count(path)
    kw = {"settings": settings, "targets": targets}
    if n >= 2:
        channels = _stereo_channels(path, n, agent)
        pick = 0 if agent not in ("first", "second") else None
        if agent_voice is not None:
            pick = _voice_pick(channels, _own_frames(*channels), agent_voice)
        return _two_channels(*channels, pick=pick, order=agent, source="stereo", **kw)
    if agent not in ("first", "second"):
        raise input_error(
            path,
            f"has one channel, so --agent {agent} cannot pick a side",
            "use --agent first or second (the two voices are told apart), or give the caller with --caller",
            key="error.call_mono_side",
            agent=agent,
        )
    return _diarized(load_audio(path), agent=agent, agent_voice=agent_voice, **kw)


def _voices(labels: np.ndarray, speech: np.ndarray, audible: np.ndarray) -> tuple:
    """Each voice's frames from diarization labels, bridged within a voice only.

    The speech mask bridges short silences whatever the speaker, so a change
    of voice inside one bridged run would leave no gap at all; each voice's
    audible frames are bridged on their own instead, and the silence between
    two voices stays a response gap.
    """
    n = min(labels.size, speech.size)
    bridge = int(round(MIN_PAUSE_S / HOP_S))
    return tuple(close_gaps(audible[:n] & speech[:n] & (labels[:n] == k), bridge) & speech[:n] for k in (0, 1))


def _diarized(audio: Audio, *, agent: str, agent_voice, settings: Settings, targets) -> Conversation:
    from .diarize import diarize

    levels = _band_levels(audio)
    activity = detect_speech(levels, hop_s=HOP_S)
    speech = activity.is_speech
    result = diarize(audio, speech=speech, hop_s=HOP_S)
    voices = _voices(result.labels, speech, levels >= activity.threshold_db)
    if min(np.count_nonzero(v) for v in voices) * HOP_S < MIN_PARTY_SPEECH_S:
        raise input_error(
            audio.path,
            "only one voice was found",
            "analyze it as one voice without --agent, or record the caller on a second channel",
            key="error.call_one_voice",
        )
    if agent_voice is not None:
        pick = _match(audio, result, agent_voice)
    else:
        pick = _first_speaker(*voices) ^ (agent == "second")
    notes = (Message("note.diarized", {"confidence": f"{result.confidence:.2f}"}),)
    return analyze_call(
        audio,
        audio,
        agent_frames=voices[pick],
        caller_frames=voices[1 - pick],
        source="diarized",
        agent_side=f"voice {pick + 1}",
        confidence=result.confidence,
        settings=settings,
        targets=targets,
        notes=notes,
        measured=((levels, activity), (levels, activity)),
    )


def analyze_call_or_voice(
    path,
    *,
    agent: str = "first",
    agent_voice=None,
    settings: Settings | None = None,
    targets: Targets | None = None,
):
    """:func:`analyze_call_file`, or one voice when the stereo file holds one voice twice.

    A mono recording saved as stereo (both channels the same signal) has no
    second party: it is analyzed as one voice with the note
    ``note.call_identical`` instead of failing.

    Returns
    -------
    result : Conversation or Analysis
    """
    try:
        return analyze_call_file(path, agent=agent, agent_voice=agent_voice, settings=settings, targets=targets)
    except TonecheckError as exc:
        if getattr(exc.message, "key", None) != "error.call_identical":
            raise
    from .analysis import analyze_file

    one = analyze_file(path, settings=dataclasses.replace(settings or Settings(), channel="left"), targets=targets)
    return dataclasses.replace(one, notes=(Message("note.call_identical"),) + one.notes)
