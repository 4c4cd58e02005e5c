"""The one orchestrator: audio -> measurements -> scores -> :class:`Analysis`.

Every renderer (terminal text, JSON, HTML, CSV, batch dashboard) takes the
:class:`Analysis` this module returns, and serialization happens only in
:meth:`Analysis.to_dict`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from .audio import Audio, load_audio
from .bandpowers import frame_band_powers
from .errors import TonecheckError, catalog_error
from .frames import HOP_S
from .intensity import Intensity, alpha_frames, measure_intensity
from .intonation import Intonation, PitchSummary, measure_intonation, summarize_pitch
from .loudness import LoudnessSummary, alpha_ratio_db, frame_levels_db, summarize_loudness
from .messages import Message
from .pitch import PitchTrack, track_pitch
from .rate import (
    BAND_HZ,
    MODULATION_BANDS,
    RateEstimate,
    count_words,
    estimate_rate,
    foreign_script,
    rate_calibration,
    syllable_nuclei,
)
from .recording import display_name
from .scoring import Measures, Scores, flat_stretches, recording_level_notes, score
from .serialize import analysis_to_dict
from .speech import PartyTalk, SpeechActivity, detect_speech, own_speech
from .targets import Targets, default_targets

__all__ = ["Settings", "Analysis", "analyze", "analyze_file"]

log = logging.getLogger(__name__)

LANGUAGES = ("en", "zh")
MIN_SPEECH_S = 0.5
"""Less detected speech than this is "no speech"."""
MIN_VOICED_S = 0.2
NOISY_SNR_DB = 20.0
"""Loud speech less than this far above the noise floor is noisy."""
RELIABLE_SPEECH_S = 30.0


@dataclass(frozen=True)
class Settings:
    """How to analyze: language calibration, channel, optional transcript.

    Attributes
    ----------
    language : {"en", "zh"}
        Language spoken in the recording (selects the calibrations).
    channel : str
        ``"mix"``, ``"left"``, ``"right"`` or a channel number counted from 1.
    transcript : str, optional
        What was said; must hold at least one word.
    transcript_source : str, optional
        Where the transcript came from (shown as ``rate.transcript`` in the JSON).

    Raises
    ------
    TonecheckError
        Unknown language, a channel that is not a channel, an empty transcript.
    """

    language: str = "en"
    channel: str = "mix"
    transcript: str | None = None
    transcript_source: str | None = None

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise TonecheckError(f"language {self.language!r} is not supported; use one of {', '.join(LANGUAGES)}")
        name = str(self.channel).strip().lower()
        if name not in ("mix", "left", "right") and not (name.isascii() and name.isdigit() and int(name) >= 1):
            shown = display_name(str(self.channel))
            raise TonecheckError(
                f"--channel {shown}: not a channel; use mix, left, right or a channel number counted from 1",
                message=Message("error.channel", {"channel": shown}),
            )
        if self.transcript is not None and not count_words(self.transcript, language=self.language)[0]:
            raise TonecheckError(
                "transcript: holds no words; give the text that was spoken",
                message=Message("error.transcript_no_words", {"file": "transcript"}),
            )


@dataclass(frozen=True)
class Analysis:
    """Everything tonecheck measured about one recording.

    Attributes
    ----------
    audio : Audio
        The loaded recording (analysis-rate samples and file facts).
    settings : Settings
    targets : Targets
    levels_db : np.ndarray
        Full-band frame levels in dBFS (10 ms hop).
    speech : SpeechActivity
    pitch : PitchTrack
    pitch_summary : PitchSummary
    intonation : Intonation
    rate : RateEstimate
    loudness : LoudnessSummary
    scores : Scores
    intensity : Intensity
        Emotional intensity 0-10, gain-independent
        (:func:`tonecheck.intensity.measure_intensity`).
    notes : tuple of str or Message
        Soft problems (warnings) worth showing the user.
    """

    audio: Audio
    settings: Settings
    targets: Targets
    levels_db: np.ndarray = field(repr=False)
    speech: SpeechActivity = field(repr=False)
    pitch: PitchTrack = field(repr=False)
    pitch_summary: PitchSummary
    intonation: Intonation
    rate: RateEstimate
    loudness: LoudnessSummary
    scores: Scores
    notes: tuple
    intensity: Intensity

    @property
    def energy_index(self) -> float:
        """Compatibility alias of ``intensity.index`` (0-10; no longer level-based)."""
        return self.intensity.index

    @property
    def energy_level(self) -> str:
        """``"low"``, ``"normal"`` or ``"high"`` from the intensity verdict (``"unknown"`` if not measured)."""
        return {"below": "low", "within": "normal", "above": "high"}.get(self.scores.intensity.verdict, "unknown")

    def to_dict(self, *, contour: bool = False, lang: str = "en") -> dict:
        """JSON-ready dict (schema in docs/json.md); ``contour`` adds the F0 track."""
        return analysis_to_dict(self, contour=contour, lang=lang)


def analyze_file(path, *, settings: Settings = Settings(), targets: Targets | None = None) -> Analysis:
    """Load ``path`` and analyze it.

    Parameters
    ----------
    path : str or os.PathLike
        A recording in any supported format.
    settings : Settings
        Language, channel and optional transcript.
    targets : Targets, optional
        Defaults to the manual's targets.

    Returns
    -------
    analysis : Analysis

    Raises
    ------
    TonecheckError
        The file cannot be read or holds no speech.
    """
    audio = load_audio(path, channel=settings.channel)
    return analyze(audio, settings=settings, targets=targets)


def analyze(
    audio: Audio, *, settings: Settings = Settings(), targets: Targets | None = None, talk: PartyTalk | None = None
) -> Analysis:
    """Measure pitch, intonation, rate, loudness and emotional intensity of ``audio``.

    Parameters
    ----------
    audio : Audio
        From :func:`tonecheck.audio.load_audio` or :func:`tonecheck.audio.from_array`.
    settings : Settings
    targets : Targets, optional
    talk : PartyTalk, optional
        One party of a two-party call (:mod:`tonecheck.call`): only its
        frames count as speech, its rate is over its own turns, and its
        pauses are the gaps inside its turns.

    Returns
    -------
    analysis : Analysis
    """
    targets = targets or default_targets()
    y, sr = audio.samples, audio.sr
    levels = frame_levels_db(y, sr=sr, hop_s=HOP_S)
    band_levels, speech = (talk.band_levels_db, talk.channel_speech) if talk is not None else (None, None)
    if band_levels is None:
        band_levels, speech = frame_levels_db(y, sr=sr, hop_s=HOP_S, band_hz=BAND_HZ), None
    if speech is None:
        speech = detect_speech(band_levels, hop_s=HOP_S)
    channel_speech = speech.is_speech
    if talk is not None:
        speech = own_speech(speech, talk.frames, turns_s=talk.turns_s)
    _require_speech(audio, speech, min_s=MIN_SPEECH_S)
    pitch = track_pitch(y, sr=sr, hop_s=HOP_S, speech=speech.is_speech)
    voiced = pitch.voiced & speech.is_speech
    if voiced.sum() * HOP_S < MIN_VOICED_S:
        raise catalog_error("error.no_voiced_speech", file=display_name(audio.path))
    f0 = np.where(voiced, pitch.f0_hz, np.nan)
    intonation = measure_intonation(f0, hop_s=HOP_S, language=settings.language)
    pitch_summary = summarize_pitch(f0, hop_s=HOP_S)
    pauses = ~speech.is_speech if talk is None else ~channel_speech
    # the alpha bands feed both the syllable detector (every speech frame) and the intensity cues;
    # the same spectra give the mel bands of the modulation detector where the calibration uses it
    calibration = rate_calibration(settings.language)
    bands = frame_band_powers(
        y,
        sr=sr,
        hop_s=HOP_S,
        frames=alpha_frames(f0, pauses) | speech.is_speech,
        mel_bands=MODULATION_BANDS if calibration.uses_modulation else None,
    )
    nuclei = syllable_nuclei(
        band_levels,
        speech=speech.is_speech,
        voiced=voiced,
        hop_s=HOP_S,
        sub_band_powers=(bands.alpha_high, bands.alpha_low),
        modulation_band_powers=bands.mel,
    )
    start_s = speech.span_s[0]
    rate = estimate_rate(
        nuclei,
        span_s=speech.talk_s,
        speech_s=speech.speech_s,
        language=settings.language,
        hop_s=HOP_S,
        transcript=settings.transcript,
        start_s=start_s,
        transcript_source=settings.transcript_source,
        turns_s=speech.turns_s,
    )
    alpha = alpha_ratio_db(y, sr=sr, frames_mask=voiced, hop_s=HOP_S)
    loudness = summarize_loudness(
        levels,
        speech=speech.is_speech,
        segments_s=speech.segments_s,
        hop_s=HOP_S,
        clipped_fraction=audio.clipped_fraction,
        alpha_db=alpha,
    )
    intensity = measure_intensity(
        f0,
        band_levels,
        (bands.alpha_high, bands.alpha_low),
        speech=speech.is_speech,
        hop_s=HOP_S,
        spans_s=speech.turns_s,
        pauses=pauses,
    )
    measures = _measures(intonation, rate, loudness, intensity.index, pitch_summary, speech, targets)
    scores = score(measures, targets)
    notes = tuple(audio.notes) + _analysis_notes(speech, pitch_summary, settings)
    notes += recording_level_notes(measures, targets)
    return Analysis(
        audio,
        settings,
        targets,
        levels,
        speech,
        pitch,
        pitch_summary,
        intonation,
        rate,
        loudness,
        scores,
        notes,
        intensity,
    )


def _require_speech(audio: Audio, speech: SpeechActivity, *, min_s: float) -> None:
    if speech.speech_s < min_s:
        raise catalog_error(
            "error.no_speech",
            file=display_name(audio.path),
            peak=f"{audio.peak_dbfs:.0f}",
            seconds=f"{speech.speech_s:.1f}",
        )


def _measures(
    intonation: Intonation,
    rate: RateEstimate,
    loudness: LoudnessSummary,
    intensity_index: float,
    pitch: PitchSummary,
    speech: SpeechActivity,
    targets: Targets,
) -> Measures:
    flat = flat_stretches(intonation.windows, targets.intonation_level)
    pauses = [b - a for a, b in speech.pauses_s]
    return Measures(
        intonation_level=intonation.level,
        flat_windows=flat,
        wpm=rate.wpm,
        speech_level_dbfs=loudness.speech_level_dbfs,
        variation_db=loudness.variation_db,
        trend_db_per_min=loudness.trend_db_per_min,
        span_s=rate.span_s,
        clipped_fraction=loudness.clipped_fraction,
        intensity_index=intensity_index,
        median_hz=pitch.median_hz,
        rise_st=pitch.rise_st,
        longest_pause_s=max(pauses, default=0.0),
        snr_db=speech.snr_db,
    )


def _analysis_notes(speech: SpeechActivity, pitch: PitchSummary, settings: Settings) -> tuple:
    notes = []
    script = foreign_script(settings.transcript, language=settings.language) if settings.transcript else None
    if script:
        language = Message(f"label.language.{settings.language}")
        notes.append(
            Message("note.transcript_script", {"script": Message(f"label.script.{script}"), "language": language})
        )
    if math.isfinite(speech.snr_db) and speech.snr_db < NOISY_SNR_DB:
        notes.append(Message("note.noisy", {"snr": f"{speech.snr_db:.0f}"}))
    if speech.speech_s < RELIABLE_SPEECH_S:
        notes.append(Message("note.short_speech", {"seconds": f"{speech.speech_s:.1f}"}))
    if pitch.voiced_s < 2.0:
        notes.append(Message("note.little_voicing", {"seconds": f"{pitch.voiced_s:.1f}"}))
    return tuple(notes)
