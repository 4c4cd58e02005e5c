"""Measurements + targets -> verdicts and the manual's advice.

Each headline figure gets a verdict against its target band, and the advice
list is ordered by how much it matters for this call: intonation first
(the manual's first skill), then rate, then recording level and emotional
intensity.  Only the recording-level verdict (``loudness``) depends on the
recording's level in dBFS; intensity is gain-independent
(:mod:`tonecheck.intensity`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .messages import Message
from .targets import Band, Targets

__all__ = [
    "Verdict",
    "Scores",
    "Measures",
    "score",
    "band_message",
    "summary_message",
    "flat_stretches",
    "recording_level_notes",
]

MAX_ADVICE = 5
CLIP_ADVICE_FRACTION = 0.001
"""Clipping worth mentioning: 0.1 % of samples."""
MIN_TREND_SPAN_S = 60.0
"""Fading is judged only over a minute of speech or more."""
FLAT_MARGIN_LEVELS = 1.0
"""A window is a flat stretch when its level is this far below the target band."""
GAIN_SNR_DB = 30.0
"""A recording level below target with speech this far above the noise is a gain setting, not a quiet voice."""


@dataclass(frozen=True)
class Verdict:
    """One headline figure against its target band."""

    value: float
    band: Band
    verdict: str


@dataclass(frozen=True)
class Measures:
    """The figures scoring looks at (all from the measurement stages)."""

    intonation_level: float
    flat_windows: tuple
    wpm: float
    speech_level_dbfs: float
    variation_db: float
    trend_db_per_min: float
    span_s: float
    clipped_fraction: float
    intensity_index: float
    median_hz: float
    rise_st: float
    longest_pause_s: float
    snr_db: float = float("nan")
    """Speech above the noise floor in dB (tells a low gain from a quiet voice)."""


@dataclass(frozen=True)
class Scores:
    """Verdicts per headline figure and advice, most important first."""

    intonation: Verdict
    rate: Verdict
    loudness: Verdict
    intensity: Verdict
    advice: tuple
    summary: Message
    """One plain-language line for the top of every report."""

    @property
    def energy(self) -> Verdict:
        """Deprecated alias of :attr:`intensity` (energy is now the gain-independent intensity)."""
        return self.intensity


def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:.{digits}f}"


def _bound(value: float) -> str:
    """A band side as written by the user: ``150``, ``4.5``, ``-36``."""
    return f"{value:.6g}"


def band_message(band: Band, unit: str = "") -> Message:
    """A target band as words: "100 to 150 words/min", "at least 170", "no limit".

    Parameters
    ----------
    band : Band
        Either side may be open (infinite).
    unit : str
        Catalog key of the unit shown after the numbers (``"unit.wpm"``), or ``""``.

    Returns
    -------
    message : Message
        ``band.range``, ``band.at_least``, ``band.at_most`` or ``band.open``.
    """
    params = {"unit": Message(unit) if unit else Message("unit.none")}
    d = band.to_dict()
    if "low" in d and "high" in d:
        return Message("band.range", {"low": _bound(d["low"]), "high": _bound(d["high"]), **params})
    if "low" in d:
        return Message("band.at_least", {"low": _bound(d["low"]), **params})
    if "high" in d:
        return Message("band.at_most", {"high": _bound(d["high"]), **params})
    return Message("band.open")


def _intonation_advice(m: Measures, v: Verdict) -> list:
    out = []
    level, target = _fmt(m.intonation_level, 1), band_message(v.band)
    if v.verdict == "below":
        out += [Message("advice.intonation_flat", {"level": level, "target": target}), Message("advice.smile")]
    elif v.verdict == "above":
        out.append(Message("advice.intonation_exaggerated", {"level": level, "target": target}))
    elif m.flat_windows:
        start, end = m.flat_windows[0]
        out.append(Message("advice.flat_stretch", {"start": _clock(start), "end": _clock(end), "target": target}))
    return out


def flat_level(band: Band) -> float:
    """Intonation level below which a window counts as a flat stretch."""
    return band.low - FLAT_MARGIN_LEVELS


def flat_stretches(windows, band: Band) -> tuple:
    """Flat windows merged into stretches.

    Parameters
    ----------
    windows : sequence of IntonationWindow
        Rated windows (``start_s``, ``end_s``, ``level``); they overlap
        (10 s windows every 5 s).
    band : Band
        The intonation target band; a window is flat below ``low - 1``.

    Returns
    -------
    stretches : tuple of (start_s, end_s)
        Overlapping or touching flat windows merged, in time order.
    """
    below = flat_level(band)
    out: list = []
    for start, end in sorted((w.start_s, w.end_s) for w in windows if w.level < below):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _rate_advice(m: Measures, v: Verdict) -> list:
    target = band_message(v.band, "unit.wpm")
    if v.verdict == "above":
        return [Message("advice.rate_fast", {"wpm": _fmt(m.wpm), "target": target})]
    if v.verdict == "below":
        return [Message("advice.rate_slow", {"wpm": _fmt(m.wpm), "target": target})]
    return []


def _pitch_advice(m: Measures, t: Targets) -> list:
    details = []
    if t.high_pitch_hz.verdict(m.median_hz) == "above":
        details.append(Message("detail.median_hz", {"hz": _fmt(m.median_hz)}))
    if t.pitch_rise_st.verdict(m.rise_st) == "above":
        details.append(Message("detail.rise_st", {"st": _fmt(m.rise_st, 1)}))
    if not details:
        return []
    return [Message("advice.pitch_high", {"detail": details})]


def _volume_advice(m: Measures, v: Verdict, t: Targets) -> list:
    out = []
    if m.clipped_fraction >= CLIP_ADVICE_FRACTION:
        out.append(Message("advice.clipping", {"percent": _fmt(100 * m.clipped_fraction, 1)}))
    level, target = _fmt(m.speech_level_dbfs), band_message(v.band, "unit.dbfs")
    if v.verdict == "below":
        out.append(Message("advice.volume_low", {"level": level, "target": target}))
    elif v.verdict == "above":
        out.append(Message("advice.volume_high", {"level": level, "target": target}))
    if t.loudness_variation_db.verdict(m.variation_db) == "above":
        out.append(
            Message(
                "advice.volume_uneven",
                {"db": _fmt(m.variation_db, 1), "target": band_message(t.loudness_variation_db, "unit.db")},
            )
        )
    if m.span_s >= MIN_TREND_SPAN_S and t.loudness_fade_db_per_min.verdict(m.trend_db_per_min) == "below":
        target = band_message(t.loudness_fade_db_per_min, "unit.db_per_min")
        out.append(Message("advice.volume_fading", {"db": _fmt(m.trend_db_per_min, 1), "target": target}))
    return out


def recording_level_notes(m: Measures, targets: Targets) -> tuple:
    """Notes when the recording level points at the microphone set-up rather than the voice.

    Parameters
    ----------
    m : Measures
    targets : Targets

    Returns
    -------
    notes : tuple of Message
        ``note.gain_low`` when the level is below target although the speech
        stands ``GAIN_SNR_DB`` or more above the noise (a low input gain, not
        a quiet voice); ``note.gain_high`` when it is above target or clips.
    """
    verdict = targets.speech_level_dbfs.verdict(m.speech_level_dbfs)
    level = _fmt(m.speech_level_dbfs)
    if verdict == "below" and m.snr_db >= GAIN_SNR_DB:
        return (Message("note.gain_low", {"level": level, "snr": _fmt(m.snr_db)}),)
    if verdict == "above" or m.clipped_fraction >= CLIP_ADVICE_FRACTION:
        return (Message("note.gain_high", {"level": level}),)
    return ()


def score(m: Measures, targets: Targets) -> Scores:
    """Verdicts and ordered advice for one recording.

    Parameters
    ----------
    m : Measures
        The recording's figures.
    targets : Targets
        Target bands (the manual's defaults or the user's overrides).

    Returns
    -------
    scores : Scores
    """
    v_int = Verdict(m.intonation_level, targets.intonation_level, targets.intonation_level.verdict(m.intonation_level))
    v_rate = Verdict(m.wpm, targets.rate_wpm, targets.rate_wpm.verdict(m.wpm))
    v_loud = Verdict(
        m.speech_level_dbfs, targets.speech_level_dbfs, targets.speech_level_dbfs.verdict(m.speech_level_dbfs)
    )
    v_intensity = Verdict(
        m.intensity_index, targets.intensity_index, targets.intensity_index.verdict(m.intensity_index)
    )
    advice = _intonation_advice(m, v_int) + _rate_advice(m, v_rate) + _pitch_advice(m, targets)
    advice += _volume_advice(m, v_loud, targets)
    index, target = _fmt(m.intensity_index, 1), band_message(v_intensity.band)
    if v_intensity.verdict == "below":
        advice.append(Message("advice.intensity_low", {"index": index, "target": target}))
    elif v_intensity.verdict == "above":
        advice.append(Message("advice.intensity_high", {"index": index, "target": target}))
    if targets.long_pause_s.verdict(m.longest_pause_s) == "above":
        target = band_message(targets.long_pause_s, "unit.s")
        advice.append(Message("advice.long_pause", {"seconds": _fmt(m.longest_pause_s, 1), "target": target}))
    if not advice:
        advice.append(Message("advice.keep_going"))
    summary = summary_message(v_int, v_rate, v_loud)
    return Scores(v_int, v_rate, v_loud, v_intensity, tuple(advice[:MAX_ADVICE]), summary)


def summary_message(intonation: Verdict, rate: Verdict, volume: Verdict) -> Message:
    """The one-line verdict: how lively, then the most useful fix (rate, then volume).

    Keys are ``summary.<lively|flat|exaggerated|unknown|untargeted>.<none|fast|slow|quiet|loud>``
    (``untargeted``: the intonation band is open, so its verdict says nothing).

    Every summary takes ``target`` (the intonation band in force) so the
    lines that name a level quote the user's targets, not the manual's.
    """
    lively = {"below": "flat", "within": "lively", "above": "exaggerated"}.get(intonation.verdict, "unknown")
    if lively == "lively" and not intonation.band.to_dict():
        lively = "untargeted"  # an open band: "within" says nothing about liveliness
    fix = {"above": "fast", "below": "slow"}.get(rate.verdict) or {"below": "quiet", "above": "loud"}.get(
        volume.verdict, "none"
    )
    return Message(f"summary.{lively}.{fix}", {"target": band_message(intonation.band)})
