"""Incremental analysis for live cues: the batch measures over a rolling window.

:class:`LiveAnalyzer` takes mono PCM blocks of any size while someone
speaks. Every :data:`UPDATE_S` of audio it runs the offline analysis
(:func:`tonecheck.analysis.analyze`, the same stages and calibrations) on
the last ``window_s`` seconds and returns :class:`LiveFigures`: intonation
level, rate, recording level and emotional intensity with their verdicts
against the target bands, and a short cue from the manual once one figure
has been off its band for :data:`CUE_AFTER_S`. :meth:`LiveAnalyzer.finish`
analyzes everything fed, so the figures at the end of a session are those
of the saved recording.

There is no second implementation of any measure here: the window is
resampled to the analysis rate once (``soxr``, as the loader does) and
handed to :func:`~tonecheck.audio.from_array` and
:func:`~tonecheck.analysis.analyze`. A window without enough speech is not
an error: the figures are NaN and ``speaking`` comes from the same
speech-activity stage the analysis uses.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import soxr

from .analysis import Analysis, Settings, analyze
from .audio import ANALYSIS_SR, MIN_SOURCE_SR, from_array
from .errors import TonecheckError
from .frames import HOP_S
from .loudness import active_speech_level_db, frame_levels_db
from .messages import Message, render
from .rate import BAND_HZ
from .scoring import band_message
from .serialize import clean
from .speech import detect_speech
from .targets import Band, Targets, default_targets

__all__ = ["CUE_AFTER_S", "UPDATE_S", "WINDOW_S", "LiveFigures", "LiveAnalyzer"]

log = logging.getLogger(__name__)

WINDOW_S = 10.0
"""Seconds of the most recent audio the live figures describe (the intonation window)."""
UPDATE_S = 0.25
"""Audio seconds between two updates (4 per second; one per :meth:`LiveAnalyzer.feed` at most)."""
CUE_AFTER_S = 4.0
"""A figure must stay on one side of its band this long (audio seconds) before a cue is shown."""
SPEAKING_S = 1.0
"""``speaking`` means speech frames within the last this many seconds."""
MIN_RATE_SPAN_S = 2.0
"""The rate is shown once the window's speaking span is this long (shorter spans hold too few syllables)."""

FIGURES = ("intonation", "rate", "volume", "intensity")
"""Live figures in the order their cues matter (the manual's first skill first)."""
CUE_KEYS = {
    ("intonation", "below"): "cue.flat",
    ("intonation", "above"): "cue.exaggerated",
    ("rate", "above"): "cue.fast",
    ("rate", "below"): "cue.slow",
    ("volume", "below"): "cue.quiet",
    ("volume", "above"): "cue.loud",
    ("intensity", "below"): "cue.calm",
    ("intensity", "above"): "cue.intense",
}


def _bands(targets: Targets) -> dict:
    return {
        "intonation": targets.intonation_level,
        "rate": targets.rate_wpm,
        "volume": targets.speech_level_dbfs,
        "intensity": targets.intensity_index,
    }


def _side(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class LiveFigures:
    """The rolling figures at one moment of a live session.

    Attributes
    ----------
    t_s : float
        Audio time of this update, seconds since the first sample fed.
    speaking : bool
        Speech within the last :data:`SPEAKING_S` seconds.
    intonation_level : float
        1-10 over the last ``window_s`` (NaN with too little voicing).
    wpm, syllables_per_s : float
        Speaking rate over the window's speaking span (NaN below
        :data:`MIN_RATE_SPAN_S`).
    speech_level_dbfs : float
        Active speech level of the window, dBFS (NaN without speech).
    intensity_index : float
        Emotional intensity 0-10 of the window (NaN if not measurable).
    verdicts : dict
        ``{"intonation"|"rate"|"volume"|"intensity": "below"|"within"|"above"|"unknown"}``.
    targets : dict
        The same keys -> ``(low, high)``; an open side is ``None``.
    cue : Message or None
        ``cue.*`` when a figure has been off its band for :data:`CUE_AFTER_S`.
    """

    t_s: float
    speaking: bool
    intonation_level: float
    wpm: float
    syllables_per_s: float
    speech_level_dbfs: float
    intensity_index: float
    verdicts: dict
    targets: dict
    cue: Message | None = field(default=None)

    def to_dict(self, *, lang: str = "en") -> dict:
        """JSON-ready dict: rounded floats, NaN -> ``None``, the cue as key, params and text in ``lang``."""
        cue = None
        if self.cue is not None:
            cue = {**self.cue.to_dict(), "text": render(self.cue, lang)}
        return {
            "t_s": clean(self.t_s, 2),
            "speaking": bool(self.speaking),
            "intonation_level": clean(self.intonation_level, 1),
            "wpm": clean(self.wpm, 0),
            "syllables_per_s": clean(self.syllables_per_s, 2),
            "speech_level_dbfs": clean(self.speech_level_dbfs, 1),
            "intensity_index": clean(self.intensity_index, 1),
            "verdicts": dict(self.verdicts),
            "targets": {k: [clean(lo, 3), clean(hi, 3)] for k, (lo, hi) in self.targets.items()},
            "cue": cue,
        }


@dataclass(frozen=True)
class _Window:
    """Figures measured on one window (before verdicts and cues)."""

    speaking: bool = False
    intonation_level: float = math.nan
    wpm: float = math.nan
    syllables_per_s: float = math.nan
    speech_level_dbfs: float = math.nan
    intensity_index: float = math.nan

    def values(self) -> dict:
        return {
            "intonation": self.intonation_level,
            "rate": self.wpm,
            "volume": self.speech_level_dbfs,
            "intensity": self.intensity_index,
        }


def _check_block(samples) -> np.ndarray:
    """The block as a 1-D float32 array, or ``ValueError`` saying what is wrong."""
    if not isinstance(samples, np.ndarray) or samples.dtype != np.float32:
        kind = f"{samples.dtype} array" if isinstance(samples, np.ndarray) else type(samples).__name__
        raise ValueError(
            f"LiveAnalyzer.feed: samples must be a float32 numpy array (got {kind}); "
            "convert int16 PCM with samples.astype(np.float32) / 32768"
        )
    if samples.ndim != 1:
        raise ValueError(
            f"LiveAnalyzer.feed: samples must be mono, shape (n,) (got shape {samples.shape}); mix or pick one channel"
        )
    if not np.isfinite(samples).all():
        bad = int(np.count_nonzero(~np.isfinite(samples)))
        raise ValueError(f"LiveAnalyzer.feed: {bad} samples are NaN or infinite; send finite PCM in -1..1")
    return samples


class LiveAnalyzer:
    """Rolling figures and cues while someone speaks; the full analysis at the end.

    Parameters
    ----------
    sr : int >= 8000
        Sample rate of the blocks fed, Hz.
    language : {"en", "zh"}
        Language spoken (selects the calibrations, as ``--language``).
    targets : Targets, optional
        Target bands; the manual's by default.
    window_s : float >= 1
        Seconds of recent audio the figures describe.
    update_s : float > 0
        Audio seconds between updates (:data:`UPDATE_S`).

    Notes
    -----
    Not thread-safe: feed one analyzer from one thread. Every sample fed is
    kept (for :meth:`finish` and :attr:`samples`): 4 bytes per sample, about
    690 MB per hour at 48 kHz.
    """

    def __init__(
        self,
        *,
        sr: int,
        language: str = "en",
        targets: Targets | None = None,
        window_s: float = WINDOW_S,
        update_s: float = UPDATE_S,
    ):
        if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr < MIN_SOURCE_SR:
            raise ValueError(f"LiveAnalyzer: sr={sr!r} must be an integer sample rate >= {MIN_SOURCE_SR} Hz")
        if not (math.isfinite(window_s) and window_s >= 1.0):
            raise ValueError(f"LiveAnalyzer: window_s={window_s!r} must be at least 1 second")
        if not (math.isfinite(update_s) and update_s > 0):
            raise ValueError(f"LiveAnalyzer: update_s={update_s!r} must be a positive number of seconds")
        self.sr = int(sr)
        self.settings = Settings(language=language)
        self.targets = targets or default_targets()
        self.window_s, self.update_s = float(window_s), float(update_s)
        self._bands = _bands(self.targets)
        self._buf = np.empty(self.sr * 60, np.float32)
        self._n = 0
        self._updated_n = 0
        self._off: dict = {}  # figure -> (verdict, audio time it went off)
        self._latest = self._figures(_Window(), t_s=0.0)

    @property
    def t_s(self) -> float:
        """Audio fed so far, seconds."""
        return self._n / self.sr

    @property
    def samples(self) -> np.ndarray:
        """Every sample fed so far (a read-only float32 view at ``sr``), for saving the recording."""
        view = self._buf[: self._n]
        view.flags.writeable = False
        return view

    def feed(self, samples: np.ndarray) -> LiveFigures | None:
        """Add a block of float32 mono samples at ``sr``; any length.

        Returns
        -------
        figures : LiveFigures or None
            New figures when at least ``update_s`` of audio came in since
            the last update (covering all audio fed, this block included),
            else ``None``.

        Raises
        ------
        ValueError
            Not a 1-D float32 array, or NaN/infinite samples.
        """
        block = _check_block(samples)
        self._append(block)
        if self._n - self._updated_n < self.update_s * self.sr:
            return None
        return self._update()

    def figures(self) -> LiveFigures:
        """The figures for all audio fed so far (updated now if audio came in since the last update)."""
        if self._n != self._updated_n:
            return self._update()
        return self._latest

    def finish(self, *, path: str = "<live>") -> Analysis:
        """The full analysis of everything fed: ``analyze(from_array(samples, sr=sr))``.

        Parameters
        ----------
        path : str
            Name used in messages and stored in the analysis.

        Raises
        ------
        TonecheckError
            Too little audio or no speech, exactly as for a file.
        """
        audio = from_array(self.samples, sr=self.sr, path=path)
        return analyze(audio, settings=self.settings, targets=self.targets)

    def _append(self, block: np.ndarray) -> None:
        end = self._n + len(block)
        if end > len(self._buf):
            grown = np.empty(max(end, 2 * len(self._buf)), np.float32)
            grown[: self._n] = self._buf[: self._n]
            self._buf = grown
        self._buf[self._n : end] = block
        self._n = end

    def _update(self) -> LiveFigures:
        self._updated_n = self._n
        self._latest = self._figures(self._measure(), t_s=self.t_s)
        return self._latest

    def _window_audio(self):
        """The last ``window_s`` at the analysis rate, as :class:`Audio` (``TonecheckError`` if unusable)."""
        y = self._buf[max(0, self._n - int(round(self.window_s * self.sr))) : self._n]
        if self.sr != ANALYSIS_SR:
            y = soxr.resample(y, self.sr, ANALYSIS_SR, quality="HQ")
        return from_array(y, sr=ANALYSIS_SR, path="<live window>")

    def _measure(self) -> _Window:
        """The analysis of the window, or what the speech stage says when it holds too little speech."""
        try:
            audio = self._window_audio()
        except TonecheckError as exc:  # too short, or digital silence
            log.debug("live window not analyzable: %s", exc)
            return _Window()
        try:
            a = analyze(audio, settings=self.settings, targets=self.targets)
        except TonecheckError as exc:  # no speech, or too little voicing
            log.debug("live window without enough speech: %s", exc)
            return _speech_only(audio)
        rate_ok = a.rate.span_s >= MIN_RATE_SPAN_S
        return _Window(
            speaking=_recent(a.speech.is_speech),
            intonation_level=a.intonation.level,
            wpm=a.rate.wpm if rate_ok else math.nan,
            syllables_per_s=a.rate.syllables_per_s if rate_ok else math.nan,
            speech_level_dbfs=a.loudness.speech_level_dbfs,
            intensity_index=a.intensity.index,
        )

    def _figures(self, w: _Window, *, t_s: float) -> LiveFigures:
        verdicts = {k: self._bands[k].verdict(v) for k, v in w.values().items()}
        return LiveFigures(
            t_s=t_s,
            speaking=w.speaking,
            intonation_level=w.intonation_level,
            wpm=w.wpm,
            syllables_per_s=w.syllables_per_s,
            speech_level_dbfs=w.speech_level_dbfs,
            intensity_index=w.intensity_index,
            verdicts=verdicts,
            targets={k: (_side(b.low), _side(b.high)) for k, b in self._bands.items()},
            cue=self._cue(verdicts, t_s=t_s),
        )

    def _cue(self, verdicts: dict, *, t_s: float) -> Message | None:
        """Track how long each figure has been off its band; the first one off for ``CUE_AFTER_S`` cues."""
        for name, verdict in verdicts.items():
            if verdict not in ("below", "above"):
                self._off.pop(name, None)
            elif self._off.get(name, (None,))[0] != verdict:
                self._off[name] = (verdict, t_s)
        for name in FIGURES:
            verdict, since_s = self._off.get(name, (None, t_s))
            if verdict is not None and t_s - since_s >= CUE_AFTER_S - 1e-9:
                return _cue_message(name, verdict, self._bands[name])
        return None


def _cue_message(name: str, verdict: str, band: Band) -> Message:
    key = CUE_KEYS[(name, verdict)]
    return Message(key, {"target": band_message(band)}) if key == "cue.exaggerated" else Message(key)


def _recent(is_speech: np.ndarray) -> bool:
    """Speech frames within the last :data:`SPEAKING_S`."""
    return bool(np.any(is_speech[-int(round(SPEAKING_S / HOP_S)) :]))


def _speech_only(audio) -> _Window:
    """``speaking`` and the speech level from the analysis's own first stages, for a window
    with too little speech to analyze (speech has only just started, or too little voicing)."""
    y = audio.samples
    speech = detect_speech(frame_levels_db(y, sr=audio.sr, hop_s=HOP_S, band_hz=BAND_HZ), hop_s=HOP_S)
    if not speech.is_speech.any():
        return _Window()
    levels = frame_levels_db(y, sr=audio.sr, hop_s=HOP_S)
    return _Window(
        speaking=_recent(speech.is_speech), speech_level_dbfs=active_speech_level_db(levels, speech.is_speech)
    )
