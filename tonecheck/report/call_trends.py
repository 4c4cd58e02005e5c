"""An agent's two-party calls through a batch session: matching the caller, and the greeting.

Pure functions on the batch records (the ``analyze --json`` dicts plus a
``batch`` block), used by the coach dashboard's "Matching the caller" section
(:mod:`tonecheck.report.call_dashboard`). Only records with a ``conversation``
block (docs/json.md) count; one-voice recordings of the same batch are left out.

Figures per agent
-----------------
* **Talk share**: median over the calls of ``conversation.talk_share.agent`` (fraction 0-1).
* **Response gap**: median over the calls of each call's median gap (s).
* **Interruptions**: the agent's interruptions, added up over the calls.
* **Rate matched**: calls whose ``rate_match.verdict`` is ``"within"`` out of the
  calls with a verdict (``"within"``, ``"above"``, ``"below"``); ``"unknown"`` is left
  out. **Clear mismatches**: ``rate_match.mismatches`` added up over the calls.
* **Intensity matched**: calls whose ``intensity_match.verdict`` is ``"within"`` out of
  the calls with a verdict (``"within"``, ``"mismatched"``); **flagged moments**:
  ``intensity_match.flags`` added up.
* **Greeting liveliness**: the greeting's intonation level and intensity per call in
  recording order, and whether they fade, by the same rule as the agent's calls
  (:func:`tonecheck.report.trends.fall`: the last third of the calls at least
  :data:`~tonecheck.report.trends.FADE_LEVELS` levels or
  :data:`~tonecheck.report.trends.FADE_INTENSITY` points below the first third, and
  below the agent's own median greeting).

API
---
CallTrend(agent, records)   .talk_share_median, .gap_median_s, .interruptions, .rate, .intensity, ...
call_trends(result) -> list of CallTrend, sorted by agent name (agents with two-party calls only)
has_calls(result) -> bool
number_at(data, *path) -> float
MatchShare(matched, judged)  .share
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ..targets import Band
from .trends import FADE_INTENSITY, FADE_LEVELS, AgentTrend, Fall, fall, nanmedian, record_band

__all__ = [
    "CallTrend",
    "MatchShare",
    "call_trends",
    "conversation_of",
    "count_at",
    "has_calls",
    "match_share",
    "number_at",
    "RATE_VERDICTS",
    "INTENSITY_VERDICTS",
]

RATE_VERDICTS = ("within", "above", "below")
"""``rate_match.verdict`` values that judge the call (``"unknown"`` does not)."""
INTENSITY_VERDICTS = ("within", "mismatched")
"""``intensity_match.verdict`` values that judge the call (``"unknown"`` does not)."""
GREETING_FADES = (("intonation", "intonation_level", FADE_LEVELS), ("intensity", "intensity_index", FADE_INTENSITY))
"""(measure, ``greeting`` key, drop that counts as fading): the same thresholds as the agent's calls."""


def conversation_of(record) -> dict | None:
    """The record's ``conversation`` block, or None for a one-voice recording (or a malformed block)."""
    data = record.data if isinstance(record.data, dict) else {}
    conv = data.get("conversation")
    return conv if isinstance(conv, dict) else None


def has_calls(result) -> bool:
    """Whether any record of the batch is a two-party call (has a ``conversation`` block)."""
    return any(conversation_of(r) is not None for r in result.records)


def _at(data, path: tuple):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def number_at(data: dict, *path: str) -> float:
    """``data[path[0]][path[1]]...`` as a float; NaN when missing, None, a bool or not a number.

    Examples
    --------
    >>> number_at({"talk_share": {"agent": 0.6}}, "talk_share", "agent")
    0.6
    >>> number_at({"gaps": {"median_s": None}}, "gaps", "median_s")
    nan
    """
    value = _at(data, path)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return float("nan")
    return float(value)


def count_at(data: dict, *path: str) -> int:
    """How many items the list at ``path`` holds (0 when missing or not a list)."""
    value = _at(data, path)
    return len(value) if isinstance(value, list) else 0


def _finite_sum(values) -> int:
    """Sum of the finite counts (missing ones add nothing)."""
    v = np.asarray(values, dtype=float)
    return int(v[np.isfinite(v)].sum())


@dataclass(frozen=True)
class MatchShare:
    """Calls judged as matched out of those that could be judged.

    Attributes
    ----------
    matched : int
        Calls with verdict ``"within"``.
    judged : int
        Calls with a verdict other than ``"unknown"``.
    """

    matched: int
    judged: int

    @property
    def share(self) -> float:
        """``matched / judged`` (fraction 0-1); NaN when no call could be judged."""
        return self.matched / self.judged if self.judged else float("nan")


def match_share(conversations, block: str, judged_verdicts: tuple) -> MatchShare:
    """How many of ``conversations`` have ``block.verdict == "within"`` among those judged.

    Parameters
    ----------
    conversations : sequence of dict
        ``conversation`` blocks.
    block : {"rate_match", "intensity_match"}
    judged_verdicts : tuple of str
        The verdicts that count as judged (:data:`RATE_VERDICTS`, :data:`INTENSITY_VERDICTS`).
    """
    verdicts = [_at(c, (block, "verdict")) for c in conversations]
    judged = [v for v in verdicts if v in judged_verdicts]
    return MatchShare(sum(v == "within" for v in judged), len(judged))


class CallTrend:
    """An agent's two-party calls in recording order: matching the caller and the greeting.

    Parameters
    ----------
    agent : str
    records : sequence of BatchRecord
        The agent's records; those without a ``conversation`` block are left out.
        At least one must have one.
    """

    def __init__(self, agent: str, records):
        self.agent = agent
        calls = [r for r in records if conversation_of(r) is not None]
        if not calls:
            raise ValueError(f"{agent}: no two-party call among {len(records)} records")
        self.records = sorted(calls, key=lambda r: (r.recorded_at, r.name))
        self.conversations = [conversation_of(r) for r in self.records]
        last = self.records[-1]
        self.bands: dict[str, Band | None] = {
            "intonation": record_band(last, "intonation", "intonation_level"),
            "intensity": record_band(last, "intensity", "intensity_index"),
        }

    def values(self, *path: str) -> np.ndarray:
        """One value per call in recording order (NaN where missing), e.g. ``values("gaps", "median_s")``."""
        return np.array([number_at(c, *path) for c in self.conversations], dtype=float)

    def span(self) -> str:
        """Part of the day the calls cover, as :meth:`AgentTrend.span` (``"afternoon"``, ``"session"``...)."""
        return AgentTrend(self.agent, self.records).span()

    @property
    def talk_share_median(self) -> float:
        """Median over the calls of the agent's share of the talk time (fraction 0-1; NaN when none)."""
        return nanmedian(self.values("talk_share", "agent"))

    @property
    def gap_median_s(self) -> float:
        """Median over the calls of each call's median response gap, in seconds (NaN when none)."""
        return nanmedian(self.values("gaps", "median_s"))

    @property
    def interruptions(self) -> int:
        """Interruptions started by the agent, added up over the calls."""
        return _finite_sum(self.values("interruption_counts", "agent"))

    @property
    def rate(self) -> MatchShare:
        """Calls whose rate matched the caller's (``rate_match.verdict == "within"``) among those judged."""
        return match_share(self.conversations, "rate_match", RATE_VERDICTS)

    @property
    def rate_mismatches(self) -> int:
        """Replies clearly off the caller's pace (``rate_match.mismatches``), added up over the calls."""
        return sum(count_at(c, "rate_match", "mismatches") for c in self.conversations)

    @property
    def intensity(self) -> MatchShare:
        """Calls with no reply missing the caller's intensity (``intensity_match.verdict == "within"``)."""
        return match_share(self.conversations, "intensity_match", INTENSITY_VERDICTS)

    @property
    def intensity_flags(self) -> int:
        """Flagged intensity moments (``intensity_match.flags``), added up over the calls."""
        return sum(count_at(c, "intensity_match", "flags") for c in self.conversations)

    @property
    def greeting_levels(self) -> np.ndarray:
        """The greeting's intonation level (1-10) per call in recording order (NaN where missing)."""
        return self.values("greeting", "intonation_level")

    @property
    def greeting_intensity(self) -> np.ndarray:
        """The greeting's intensity (0-10) per call in recording order (NaN where missing)."""
        return self.values("greeting", "intensity_index")

    @property
    def greeting_falls(self) -> tuple[Fall, Fall]:
        """A :class:`~tonecheck.report.trends.Fall` of the greeting's intonation and of its intensity."""
        return tuple(fall(measure, self.values("greeting", key), drop) for measure, key, drop in GREETING_FADES)

    @property
    def greeting_fading(self) -> tuple:
        """Which of ``"intonation"``, ``"intensity"`` of the greeting fade through the session."""
        return tuple(f.measure for f in self.greeting_falls if f.fading)

    @property
    def greeting_status(self) -> str:
        """``"fading"``, ``"steady"`` (measured in 2 calls or more, not fading), ``"single"`` or ``"unknown"``."""
        if self.greeting_fading:
            return "fading"
        measured = max(int(np.isfinite(v).sum()) for v in (self.greeting_levels, self.greeting_intensity))
        return "steady" if measured >= 2 else "single" if measured == 1 else "unknown"


def call_trends(result) -> list:
    """One :class:`CallTrend` per agent with at least one two-party call, sorted by agent name."""
    groups = defaultdict(list)
    for r in result.records:
        if conversation_of(r) is not None:
            groups[r.agent].append(r)
    return [CallTrend(agent, recs) for agent, recs in sorted(groups.items())]
