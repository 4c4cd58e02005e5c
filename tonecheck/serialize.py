"""Analysis -> plain dict (the JSON schema, docs/json.md).

The only place an :class:`~tonecheck.analysis.Analysis` is turned into
plain data; ``--json``, the batch JSON files and the CSV all read it.
Floats are rounded to what is meaningful and NaN becomes ``None``.
"""

from __future__ import annotations

import math

import numpy as np

from . import __version__
from .messages import Message, render
from .recording import display_name

__all__ = ["SCHEMA_VERSION", "analysis_to_dict", "clean"]

SCHEMA_VERSION = 1
"""Version of the JSON schema (docs/json.md); bump on incompatible changes."""


def clean(value, digits: int = 3):
    """Round a float (NaN/inf -> None); pass other values through."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return round(value, digits)


def _note_text(note, lang: str) -> str:
    return render(note, lang) if isinstance(note, Message) else str(note)


def _speech(a) -> dict:
    sp = a.speech
    pauses = [b - s for s, b in sp.pauses_s]
    start, end = sp.span_s
    return {
        "speech_s": clean(sp.speech_s, 2),
        "span_start_s": clean(start, 2),
        "span_end_s": clean(end, 2),
        "pause_count": len(pauses),
        "total_pause_s": clean(sum(pauses), 2),
        "longest_pause_s": clean(max(pauses, default=0.0), 2),
        "noise_floor_dbfs": clean(sp.noise_floor_db, 1),
        "snr_db": clean(sp.snr_db, 1),
        "segments": [[clean(s, 2), clean(e, 2)] for s, e in sp.segments_s],
    }


def _intonation(a) -> dict:
    it, v = a.intonation, a.scores.intonation
    return {
        "level": clean(it.level, 1),
        "verdict": v.verdict,
        "target": v.band.to_dict(),
        "spread_st": clean(it.spread_st, 2),
        "calibration": f"{it.calibration.language}-{it.calibration.version}",
        "windows": [
            {
                "start_s": clean(w.start_s, 2),
                "end_s": clean(w.end_s, 2),
                "level": clean(w.level, 1),
                "spread_st": clean(w.spread_st, 2),
            }
            for w in it.windows
        ],
    }


def _pitch(a, contour: bool) -> dict:
    ps, tr = a.pitch_summary, a.pitch
    out = {
        "median_hz": clean(ps.median_hz, 1),
        "range_st": clean(ps.range_st, 2),
        "sd_st": clean(ps.sd_st, 2),
        "rise_st": clean(ps.rise_st, 2),
        "voiced_s": clean(ps.voiced_s, 2),
        "floor_hz": clean(tr.floor_hz, 1),
        "ceiling_hz": clean(tr.ceiling_hz, 1),
    }
    if contour:
        f0 = np.where(a.speech.is_speech & tr.voiced, tr.f0_hz, np.nan)
        out["contour"] = {"hop_s": tr.hop_s, "f0_hz": [clean(f, 1) for f in f0]}
    return out


def _rate(a) -> dict:
    r, v = a.rate, a.scores.rate
    out = {
        "wpm": clean(r.wpm, 1),
        "articulation_wpm": clean(r.articulation_wpm, 1),
        "syllables_per_s": clean(r.syllables_per_s, 2),
        "verdict": v.verdict,
        "target": v.band.to_dict(),
        "method": r.method,
        "words": clean(r.words, 1),
        "syllables": r.syllables,
        "span_s": clean(r.span_s, 2),
    }
    if r.chars_per_min is not None:
        out["chars_per_min"] = clean(r.chars_per_min, 1)
    if r.transcript_source is not None:
        out["transcript"] = r.transcript_source
    out["windows"] = [_rate_window(w) for w in r.windows]
    return out


def _rate_window(w) -> dict:
    """One ``rate.windows`` entry (docs/measures.md): rate of a stretch with its 90% interval."""
    out = {
        "start_s": clean(w.start_s, 2),
        "end_s": clean(w.end_s, 2),
        "syllables": w.syllables,
        "wpm": clean(w.wpm, 1),
        "wpm_low": clean(w.wpm_low, 1),
        "wpm_high": clean(w.wpm_high, 1),
        "syllables_per_s": clean(w.syllables_per_s, 2),
        "syllables_per_s_low": clean(w.syllables_per_s_low, 2),
        "syllables_per_s_high": clean(w.syllables_per_s_high, 2),
    }
    if w.chars_per_min is not None:
        out["chars_per_min"] = clean(w.chars_per_min, 1)
        out["chars_per_min_low"] = clean(w.chars_per_min_low, 1)
        out["chars_per_min_high"] = clean(w.chars_per_min_high, 1)
    return out


def _loudness(a) -> dict:
    lo, v = a.loudness, a.scores.loudness
    return {
        "speech_level_dbfs": clean(lo.speech_level_dbfs, 1),
        "verdict": v.verdict,
        "target": v.band.to_dict(),
        "variation_db": clean(lo.variation_db, 2),
        "trend_db_per_min": clean(lo.trend_db_per_min, 2),
        "clipped_fraction": clean(lo.clipped_fraction, 5),
        "alpha_ratio_db": clean(lo.alpha_ratio_db, 1),
    }


def _intensity(a) -> dict:
    it, v = a.intensity, a.scores.intensity
    return {
        "index": clean(it.index, 1),
        "band": it.band,
        "verdict": v.verdict,
        "target": v.band.to_dict(),
        "windows": [
            {"start_s": clean(w.start_s, 2), "end_s": clean(w.end_s, 2), "index": clean(w.index, 1)} for w in it.windows
        ],
        "cues": {name: clean(value, 2) for name, value in it.cues.items()},
        "calibration": it.calibration,
    }


def _energy(a) -> dict:
    """Compatibility section: derived from intensity (0-10), no longer from the recording level."""
    v = a.scores.intensity
    return {
        "level": a.energy_level,
        "index": clean(a.intensity.index, 1),
        "verdict": v.verdict,
        "target": v.band.to_dict(),
    }


def analysis_to_dict(a, *, contour: bool = False, lang: str = "en") -> dict:
    """The JSON-ready dict of an :class:`~tonecheck.analysis.Analysis`.

    Parameters
    ----------
    a : Analysis
    contour : bool
        Add ``pitch.contour`` (``{hop_s, f0_hz}``, ``None`` = unvoiced).
    lang : {"en", "zh"}
        Language of ``warnings`` and ``suggestions`` text.

    Returns
    -------
    data : dict
    """
    au = a.audio
    return {
        "schema_version": SCHEMA_VERSION,
        "tonecheck_version": __version__,
        "file": display_name(au.path),
        "duration_s": clean(au.duration_s, 3),
        "sample_rate": au.source_sr,
        "channels": au.source_channels,
        "channel": au.channel,
        "format": au.format,
        "language": a.settings.language,
        "summary": render(a.scores.summary, lang),
        "summary_key": a.scores.summary.key,
        "warnings": [_note_text(n, lang) for n in a.notes],
        "speech": _speech(a),
        "intonation": _intonation(a),
        "pitch": _pitch(a, contour),
        "rate": _rate(a),
        "loudness": _loudness(a),
        "intensity": _intensity(a),
        "energy": _energy(a),
        "suggestions": [render(m, lang) for m in a.scores.advice],
        "suggestion_keys": [m.key for m in a.scores.advice],
        "targets": a.targets.to_dict(),
    }
