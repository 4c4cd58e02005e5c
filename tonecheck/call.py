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

import numpy as np

from .analysis import Settings, analyze
from .audio import Audio, channel_count, load_audio
from .call_inputs import (  # noqa: F401  (importable from here as before)
    AGENT_CHOICES,
    MAX_LENGTH_DIFF_S,
    Channel,
    IdenticalChannelsError,
    band_levels,
    parse_agent,
    stereo_channels,
    two_files,
)
from .conversation import Conversation, build_conversation
from .crosstalk import resolve_crosstalk
from .errors import TonecheckError
from .frames import HOP_S
from .messages import Message
from .recording import input_error
from .speech import MIN_PAUSE_S, PartyTalk, close_gaps, detect_speech
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

MIN_PARTY_SPEECH_S = 1.0
"""A party with less own speech than this "never speaks"."""


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


def _own_frames(first: Channel, second: Channel) -> tuple:
    """Each channel's own speech frames, crosstalk resolved, on a common length."""
    own = resolve_crosstalk(
        (first.levels, second.levels),
        (first.speech, second.speech),
        (first.activity.threshold_db, second.activity.threshold_db),
    )
    n = min(len(first.audio.samples), len(second.audio.samples)) // int(round(first.audio.sr * HOP_S))
    return own.first[:n], own.second[:n]


def _two_channels(first: Channel, second: Channel, *, pick: int | None, order: str, **kw) -> Conversation:
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
    agent, caller = two_files(agent_path, caller_path, channel=settings.channel)
    return _two_channels(
        agent,
        caller,
        pick=0,
        order="first",
        source="two-file",
        settings=settings,
        targets=targets,
    )


def _voice_pick(candidates: tuple, voice_path) -> int:
    """Index of the candidate (recording, own frames) that sounds like the sample in ``voice_path``."""
    from .voice_match import match_voice_frames

    voice = load_audio(voice_path)
    try:
        return match_voice_frames(candidates, voice, hop_s=HOP_S)
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
        channels = stereo_channels(path, n, agent)
        pick = 0 if agent not in ("first", "second") else None
        if agent_voice is not None:
            masks = _own_frames(*channels)
            pick = _voice_pick(tuple(zip((c.audio for c in channels), masks)), agent_voice)
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

    levels = band_levels(audio)
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
        pick = _voice_pick(((audio, result.labels == 0), (audio, result.labels == 1)), agent_voice)
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
    except IdenticalChannelsError as exc:
        left = exc.left  # decoded once, for the call: not read again
    one = analyze(left, settings=dataclasses.replace(settings or Settings(), channel="left"), targets=targets)
    return dataclasses.replace(one, notes=(Message("note.call_identical"),) + one.notes)
