"""Which voice of a call is the one heard in a short sample (``--agent-voice``).

Each candidate voice is given as a recording and its frames: one channel of
a stereo call with that party's own frames, or one diarized recording with
one voice's frames (:func:`match_voice`). One GMM per candidate is fitted on
its frames' MFCCs (:mod:`tonecheck.speaker_model`), normalised with the
statistics of all candidates' frames together; the sample's speech frames,
normalised the same way, are scored against each and the best average
log-likelihood wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import frames
from .errors import catalog_error
from .loudness import frame_levels_db
from .recording import Audio, display_name
from .speaker_model import MIN_FIT_FRAMES, DiagGMM, mfcc
from .speech import detect_speech

if TYPE_CHECKING:
    from .diarize import Diarization

__all__ = ["match_voice", "match_voice_frames", "speech_mask"]


def speech_mask(audio: Audio, *, hop_s: float = frames.HOP_S) -> np.ndarray:
    """The frame speech mask the analysis uses, for callers without one.

    Parameters
    ----------
    audio : Audio
    hop_s : float > 0

    Returns
    -------
    speech : np.ndarray [shape=(n_frames,)], bool
    """
    from .rate import BAND_HZ

    levels = frame_levels_db(audio.samples, sr=audio.sr, hop_s=hop_s, band_hz=BAND_HZ)
    return detect_speech(levels, hop_s=hop_s).is_speech


def _recording_features(candidates: list, hop_s: float) -> tuple:
    """MFCCs once per distinct recording (by identity), and the mean and std over every candidate's frames."""
    recordings, sizes, unions = [], [], []
    for audio, mask in candidates:
        k = next((i for i, r in enumerate(recordings) if r is audio), None)
        if k is None:
            recordings.append(audio)
            sizes.append(mask.size)
            unions.append(mask.copy())
        elif mask.size != sizes[k]:
            raise ValueError(f"frame masks of one recording differ in length ({mask.size} and {sizes[k]})")
        else:
            unions[k] |= mask
    feats = [mfcc(a.samples, sr=a.sr, hop_s=hop_s, count=n) for a, n in zip(recordings, sizes)]
    sel = np.concatenate([f[u] for f, u in zip(feats, unions)])
    by_audio = [feats[next(i for i, r in enumerate(recordings) if r is audio)] for audio, _ in candidates]
    return by_audio, sel.mean(0), sel.std(0) + 1e-6


def match_voice_frames(candidates: Sequence, voice: Audio, *, hop_s: float = frames.HOP_S) -> int:
    """Which candidate voice, each a recording and its frames, is the voice heard in ``voice``.

    Parameters
    ----------
    candidates : sequence of (Audio, np.ndarray [shape=(n_frames,)] bool)
        Each candidate's recording at the analysis rate and its own frames on
        the ``hop_s`` grid (frame ``k`` centred at ``k * hop_s`` seconds): e.g.
        one channel of a stereo call per party, or one diarized recording
        twice with each voice's frames. A recording shared by candidates is
        featurised once; its masks must have one length.
    voice : Audio
        A few seconds of one voice (e.g. the agent's), at the recordings' rate.
    hop_s : float > 0
        Frame hop, seconds.

    Returns
    -------
    index : int
        Index into ``candidates``; 0 when any candidate has no frames.

    Raises
    ------
    TonecheckError
        When ``voice`` holds less than 0.5 s of speech (``error.voice_sample``).
    ValueError
        When the sample rates differ, or one recording's masks differ in length.
    """
    candidates = [(audio, np.asarray(mask, bool)) for audio, mask in candidates]
    for audio, _ in candidates:
        if voice.sr != audio.sr:
            raise ValueError(f"voice sample at {voice.sr} Hz, recording at {audio.sr} Hz")
    if not all(mask.any() for _, mask in candidates):
        return 0
    feats, mean, std = _recording_features(candidates, hop_s)
    vmask = speech_mask(voice, hop_s=hop_s)
    if vmask.sum() < MIN_FIT_FRAMES // 2:
        raise catalog_error("error.voice_sample", file=display_name(voice.path))
    vx = (mfcc(voice.samples, sr=voice.sr, hop_s=hop_s, count=vmask.size)[vmask] - mean) / std
    scores = [DiagGMM((f[mask] - mean) / std).loglik(vx).mean() for f, (_, mask) in zip(feats, candidates)]
    return int(np.argmax(scores))


def match_voice(audio: Audio, diarization: Diarization, voice: Audio) -> int:
    """Which label (0 or 1) of ``diarization`` is the voice heard in ``voice``.

    :func:`match_voice_frames` with the recording's frames of each label as
    the two candidates.

    Parameters
    ----------
    audio : Audio
        The diarized recording.
    diarization : Diarization
        Its :func:`~tonecheck.diarize.diarize` result.
    voice : Audio
        A few seconds of one voice (e.g. the agent's), at ``audio.sr``.

    Returns
    -------
    label : int
        0 or 1; 0 when the recording was not split.

    Raises
    ------
    TonecheckError
        When ``voice`` holds less than 0.5 s of speech (``error.voice_sample``).
    ValueError
        When the sample rates differ.
    """
    if voice.sr != audio.sr:
        raise ValueError(f"voice sample at {voice.sr} Hz, recording at {audio.sr} Hz")
    if diarization.n_voices < 2:
        return 0
    lab = diarization.labels
    return match_voice_frames(((audio, lab == 0), (audio, lab == 1)), voice, hop_s=diarization.hop_s)
