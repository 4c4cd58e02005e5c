"""Two parties -> :class:`Conversation`: turns, matching and the greeting.

A two-party call is a :class:`Conversation`: the agent's and the caller's
:class:`~tonecheck.analysis.Analysis` (each measured on its own speech only,
:class:`~tonecheck.speech.PartyTalk`) plus the figures of the exchange.
:func:`build_conversation` is pure: it takes the two analyses and the turn
taking and computes exchanges, rate and intensity matching and the greeting.
Reading audio and deciding who owns which frame is :mod:`tonecheck.call`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .intonation import measure_intonation
from .matching import Exchange, IntensityMatch, RateMatch, match_intensity, match_rate, pair_exchanges
from .rate import WindowRate, rate_between
from .turns import AGENT, CALLER, Turn, TurnTaking

if TYPE_CHECKING:
    from .analysis import Analysis

__all__ = ["SOURCES", "Greeting", "Conversation", "build_conversation", "turn_intensities"]

SOURCES = ("stereo", "two-file", "diarized")


@dataclass(frozen=True)
class Greeting:
    """The agent's first turn, scored on its own (the thousandth greeting must sound like the first).

    Attributes
    ----------
    turn : Turn
    intonation_level : float
        1-10 over the greeting (NaN with too little voicing).
    intensity_index : float
        0-10 over the greeting.
    rate : WindowRate
        Syllables/s and wpm over the greeting, with a 90% interval.
    """

    turn: Turn
    intonation_level: float
    intensity_index: float
    rate: WindowRate


@dataclass(frozen=True)
class Conversation:
    """Everything tonecheck measured about a two-party call.

    Attributes
    ----------
    agent, caller : Analysis
        Each party measured on its own speech only (turns as the speaking
        span; the other's talk is never a pause).
    source : str
        ``"stereo"``, ``"two-file"`` or ``"diarized"``.
    confidence : float
        0-1: how surely the two voices were told apart (1.0 on separate
        channels; the diarization's own figure on one channel).
    agent_side : str
        Where the agent was taken from, e.g. ``"left"``, ``"agent.wav"``,
        ``"voice 1"``.
    turn_taking : TurnTaking
    exchanges : tuple of Exchange
    rate_match : RateMatch
    intensity_match : IntensityMatch
    greeting : Greeting or None
    notes : tuple of Message
        Soft problems of the call as a whole (each party's own notes stay
        in its analysis).
    """

    agent: Analysis
    caller: Analysis
    source: str
    confidence: float
    agent_side: str
    turn_taking: TurnTaking
    exchanges: tuple
    rate_match: RateMatch
    intensity_match: IntensityMatch
    greeting: Greeting | None
    notes: tuple = ()

    @property
    def turns(self) -> tuple:
        return self.turn_taking.turns

    def to_dict(self, *, contour: bool = False, lang: str = "en") -> dict:
        """JSON-ready dict: the agent's blocks at the top, ``caller`` and ``conversation`` (docs/json.md)."""
        from .serialize_call import conversation_to_dict

        return conversation_to_dict(self, contour=contour, lang=lang)


def turn_intensities(analysis: Analysis) -> list:
    """One intensity index per turn of a party's analysis (its windows are its turns)."""
    return [w.index for w in analysis.intensity.windows]


def _baseline(values) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.median(finite)) if finite else math.nan


def _greeting(agent: Analysis, turns, intensity_by_turn: dict) -> Greeting | None:
    first = next((t for t in turns if t.speaker == AGENT), None)
    if first is None:
        return None
    hop = agent.speech.hop_s
    a, b = int(round(first.start_s / hop)), int(round(first.end_s / hop))
    voiced = agent.pitch.voiced[a:b] & agent.speech.is_speech[a:b]
    f0 = np.where(voiced, agent.pitch.f0_hz[a:b], np.nan)
    level = measure_intonation(f0, hop_s=hop, language=agent.settings.language).level
    rate = rate_between(agent.rate.nuclei_s, first.start_s, first.end_s, language=agent.settings.language)
    return Greeting(first, float(level), float(intensity_by_turn.get(first, math.nan)), rate)


def build_conversation(
    agent: Analysis,
    caller: Analysis,
    turn_taking: TurnTaking,
    *,
    source: str,
    confidence: float,
    agent_side: str,
    notes: tuple = (),
) -> Conversation:
    """Exchanges, rate and intensity matching and the greeting of a call.

    Parameters
    ----------
    agent, caller : Analysis
        Each analyzed with its :class:`~tonecheck.speech.PartyTalk`, so its
        intensity windows are its turns, in order.
    turn_taking : TurnTaking
        From :func:`tonecheck.turns.take_turns`.
    source : {"stereo", "two-file", "diarized"}
    confidence : float in [0, 1]
    agent_side : str
    notes : tuple of Message

    Returns
    -------
    conversation : Conversation
    """
    if source not in SOURCES:
        raise ValueError(f"source={source!r}; use one of {', '.join(SOURCES)}")
    by_turn = {}
    for party, speaker in ((agent, AGENT), (caller, CALLER)):
        own = [t for t in turn_taking.turns if t.speaker == speaker]
        by_turn.update(zip(own, turn_intensities(party)))
    exchanges = tuple(
        Exchange(
            c,
            a,
            rate_between(caller.rate.nuclei_s, c.start_s, c.end_s, language=caller.settings.language),
            rate_between(agent.rate.nuclei_s, a.start_s, a.end_s, language=agent.settings.language),
            float(by_turn.get(c, math.nan)),
            float(by_turn.get(a, math.nan)),
        )
        for c, a in pair_exchanges(turn_taking.turns)
    )
    rate_match = match_rate(
        agent.rate.syllables_per_s, caller.rate.syllables_per_s, exchanges, tolerance=agent.targets.rate_match_ratio
    )
    intensity_match = match_intensity(
        exchanges,
        agent_baseline=_baseline(v for t, v in by_turn.items() if t.speaker == AGENT),
        caller_baseline=_baseline(v for t, v in by_turn.items() if t.speaker == CALLER),
    )
    return Conversation(
        agent=agent,
        caller=caller,
        source=source,
        confidence=float(confidence),
        agent_side=agent_side,
        turn_taking=turn_taking,
        exchanges=exchanges,
        rate_match=rate_match,
        intensity_match=intensity_match,
        greeting=_greeting(agent, turn_taking.turns, by_turn),
        notes=tuple(notes),
    )
