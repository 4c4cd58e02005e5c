"""An agent's calls through a batch session: medians, distance from the targets, fading.

Pure functions on the batch records (the ``analyze --json`` dicts plus a
``batch`` block), used by the coach dashboard (:mod:`tonecheck.report.dashboard`).

Baseline and fading
-------------------
The agent's **baseline** is the agent's median over the session (all of the
agent's calls in the batch). A measure **fades** when the mean of the last
third of the agent's calls (in recording order) lies at least a threshold
below the mean of the first third *and* below the baseline, so an agent who
merely returns to the usual level after an unusually lively start is not
flagged. Two measures can fade: intonation (levels) and emotional intensity
(0-10). The recording level (dBFS) never counts: a quieter microphone is not
a tired voice.

API
---
AgentTrend(agent, records)      .distance, .fading, .status, .falls, .advice(lang), .span()
agent_trends(result) -> list of AgentTrend, sorted by agent name
band_distance(value, band, *, scale) -> float
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..intensity import relative_to_baseline
from ..messages import render, text
from ..scoring import Verdict, summary_message
from ..targets import Band, default_targets
from .page import number_text

__all__ = [
    "AgentTrend",
    "Fall",
    "fall_sentence",
    "agent_trends",
    "band_distance",
    "value_at",
    "FADE_LEVELS",
    "FADE_INTENSITY",
    "MEASURES",
    "SUMMARY_MEASURES",
]

FADE_LEVELS = 0.75
"""Intonation drop (levels, last third vs first third of the calls) that counts as fading."""
FADE_INTENSITY = 1.0
"""Intensity drop (points on the 0-10 scale, last third vs first third) that counts as fading."""
SUMMARY_MEASURES = (
    ("intonation", "level", "intonation_level"),
    ("rate", "wpm", "rate_wpm"),
    ("loudness", "speech_level_dbfs", "speech_level_dbfs"),
)
"""(JSON block, value key, :class:`~tonecheck.targets.Targets` field) of the call summary's verdicts."""
MEASURES = (*SUMMARY_MEASURES, ("intensity", "index", "intensity_index"))
"""The figures the distance adds up: the summary's three, plus intensity where a target band exists."""
FADES = (("intonation", "level", FADE_LEVELS), ("intensity", "index", FADE_INTENSITY))
"""(JSON block, value key, drop that counts as fading) of the measures the fading flag reads."""


def band_distance(value: float, band: Band | None, *, scale: float) -> float:
    """How far ``value`` lies outside ``band``, in band widths (0 inside; NaN or no band counts as 0).

    Parameters
    ----------
    value : float
        The agent's median, in the band's unit.
    band : Band or None
    scale : float > 0
        Width used when a side of ``band`` is open (the default band's width).
    """
    if band is None or value is None or not math.isfinite(value):
        return 0.0
    outside = max(band.low - value, value - band.high, 0.0)
    width = band.high - band.low
    return outside / (width if math.isfinite(width) and width > 0 else scale)


def value_at(data: dict, block: str, key: str) -> float:
    """``data[block][key]`` as a float; NaN when missing or not a number (old results have no intensity)."""
    section = data.get(block)
    value = section.get(key) if isinstance(section, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return float("nan")
    return float(value)


def _default_band(field: str) -> Band | None:
    return getattr(default_targets(), field, None)


def record_band(record, block: str, field: str) -> Band | None:
    """The target band stored with a call, else the default one (None when neither exists)."""
    section = record.data.get(block)
    raw = section.get("target") if isinstance(section, dict) else None
    if not isinstance(raw, dict):
        return _default_band(field)
    return Band(float(raw.get("low", -math.inf)), float(raw.get("high", math.inf)))


def _default_width(field: str) -> float:
    band = _default_band(field)
    return band.high - band.low if band is not None else 1.0


def _advice_of(record, lang: str) -> str:
    """The call's one-line summary in ``lang``, rebuilt from its verdicts and targets; else the
    stored ``summary`` text, else its first suggestion (both in the language the batch ran in)."""
    d = record.data
    try:
        verdicts = [
            Verdict(value_at(d, b, k), record_band(record, b, f), d[b]["verdict"]) for b, k, f in SUMMARY_MEASURES
        ]
        return render(summary_message(*verdicts), lang)
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    summary = d.get("summary")
    if isinstance(summary, str) and summary.strip():
        return summary.strip()
    suggestions = d.get("suggestions") or []
    return str(suggestions[0]) if suggestions else ""


def nanmedian(values) -> float:
    """Median of the finite values (NaN when none)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


@dataclass(frozen=True)
class Fall:
    """How one measure moved through an agent's session.

    Attributes
    ----------
    measure : {"intonation", "intensity"}
    first, last : float
        Mean of the first and of the last third of the calls (NaN with fewer than 2 measured calls).
    baseline : float
        The agent's median over the session.
    fading : bool
        ``last`` at least the threshold below ``first``, and below ``baseline``.
    """

    measure: str
    first: float
    last: float
    baseline: float
    fading: bool

    @property
    def drop(self) -> float:
        """``first - last`` (positive = fell)."""
        return self.first - self.last


def fall_sentence(f: Fall, span: str, lang: str) -> str:
    """``"intonation fell 1.5 levels through the afternoon (6.0 → 4.5; the agent's median 5.5)"``."""
    return text(
        f"dashboard.fell.{f.measure}",
        lang,
        drop=number_text(f.drop),
        span=text(f"dashboard.span.{span}", lang),
        first=number_text(f.first),
        last=number_text(f.last),
        baseline=number_text(f.baseline),
    )


def fall(measure: str, values: np.ndarray, threshold: float) -> Fall:
    """The :class:`Fall` of one measure from its per-call values in recording order."""
    v = values[np.isfinite(values)]
    baseline = nanmedian(v)
    if v.size < 2:
        return Fall(measure, float("nan"), float("nan"), baseline, False)
    k = max(1, v.size // 3)
    first = relative_to_baseline(float(v[:k].mean()), baseline)
    last = relative_to_baseline(float(v[-k:].mean()), baseline)
    fading = bool(first - last >= threshold and last < 0)
    return Fall(measure, first + baseline, last + baseline, baseline, fading)


class AgentTrend:
    """An agent's calls in recording order, how far they are from the targets and how they change."""

    def __init__(self, agent: str, records: list):
        self.agent = agent
        self.records = sorted(records, key=lambda r: (r.recorded_at, r.name))
        self.levels = self.values("intonation", "level")
        self.intensity = self.values("intensity", "index")
        last = self.records[-1]
        self.bands = {block: record_band(last, block, field) for block, _, field in MEASURES}
        self.medians = {block: nanmedian(self.values(block, key)) for block, key, _ in MEASURES}

    def values(self, block: str, key: str) -> np.ndarray:
        """One value per call in recording order (NaN where missing)."""
        return np.array([value_at(r.data, block, key) for r in self.records])

    @property
    def falls(self) -> tuple:
        """A :class:`Fall` for intonation and for intensity (never for the recording level)."""
        return tuple(fall(block, self.values(block, key), threshold) for block, key, threshold in FADES)

    @property
    def level_change(self) -> float:
        """Intonation: mean of the last third minus the first third of the calls (NaN with fewer than 2)."""
        f = self.falls[0]
        return f.last - f.first

    @property
    def fading(self) -> tuple:
        """Which of ``"intonation"``, ``"intensity"`` fade through the session."""
        return tuple(f.measure for f in self.falls if f.fading)

    @property
    def distance(self) -> float:
        """Sum over intonation, rate, recording level and intensity of how far the agent's median lies
        outside the target band, in band widths (0 = all medians on target; missing figures count 0)."""
        return sum(
            band_distance(self.medians[block], self.bands[block], scale=_default_width(field))
            for block, _, field in MEASURES
        )

    @property
    def status(self) -> str:
        """``"fading"``, ``"steady"`` (on target), ``"steady_flat"``, ``"steady_high"``,
        ``"single"`` (one call) or ``"unknown"``: the intonation trend in one word."""
        if self.fading:
            return "fading"
        if np.isfinite(self.levels).sum() < 2:
            return "single" if np.isfinite(self.levels).any() else "unknown"
        verdict = self.bands["intonation"].verdict(self.medians["intonation"])
        return {"within": "steady", "below": "steady_flat", "above": "steady_high"}.get(verdict, "unknown")

    def span(self) -> str:
        """``"morning"``, ``"afternoon"``, ``"evening"`` (all calls that part of one day), ``"day"``
        (one day) or ``"session"`` (several days or unreadable times)."""
        try:
            times = [datetime.fromisoformat(r.recorded_at) for r in self.records]
        except (TypeError, ValueError):
            return "session"
        if len({t.date() for t in times}) != 1:
            return "session"
        hours = [t.hour for t in times]
        for name, lo, hi in (("morning", 0, 12), ("afternoon", 12, 18), ("evening", 18, 24)):
            if all(lo <= h < hi for h in hours):
                return name
        return "day"

    def call_distance(self, record) -> float:
        """:func:`band_distance` summed over :data:`MEASURES` for one of the agent's calls."""
        return sum(
            band_distance(
                value_at(record.data, block, key), record_band(record, block, field), scale=_default_width(field)
            )
            for block, key, field in MEASURES
        )

    def advice(self, lang: str = "en") -> str:
        """The one-line advice of the call farthest from the targets (the latest wins a tie)."""
        ranked = [(self.call_distance(r), i, _advice_of(r, lang)) for i, r in enumerate(self.records)]
        ranked = [item for item in ranked if item[2]]
        return max(ranked)[2] if ranked else ""


def agent_trends(result) -> list:
    """One :class:`AgentTrend` per agent, sorted by agent name."""
    groups = defaultdict(list)
    for r in result.records:
        groups[r.agent].append(r)
    return [AgentTrend(agent, recs) for agent, recs in sorted(groups.items())]
