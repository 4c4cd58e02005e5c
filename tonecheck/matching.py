"""Did the agent match the caller? Rate and intensity over exchanges.

The manual's third skill: match the caller's speaking rate and emotional
intensity. An **exchange** is a caller turn and the agent turn that answers
it (both at least ``MIN_EXCHANGE_TURN_S`` long). Definitions
(docs/measures.md, "Two-party calls"):

* **rate match**: the agent's syllable rate over the caller's (syllables,
  not words: word length differs between speakers), over the call and per
  exchange, against the ``rate_match_ratio`` target band (the manual's
  "match the caller's rate"; +-15 % by default). An exchange is a clear
  mismatch only when its ratio is outside the band *and* the two turns'
  rates differ beyond their counting uncertainty
  (:func:`tonecheck.rate.rates_differ`). **Convergence** compares the mean
  absolute log ratio of the first and the second half of the exchanges.
* **intensity match**: each turn's intensity relative to its speaker's own
  baseline (the median over that speaker's turns in the call). "Caller
  intense, reply flat" flags an exchange whose caller turn is at least
  ``RAISED_DELTA`` above the caller's baseline while the reply is not above
  the agent's; "caller calm, reply over the top" the reverse. The overall
  figures follow the entrainment literature (Levitan & Hirschberg 2011):
  **synchrony** is the correlation of the caller's and the agent's
  relative intensity over exchanges, **proximity** how much closer adjacent
  turns are than non-adjacent ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .rate import WindowRate, rates_differ
from .targets import Band
from .turns import AGENT, CALLER, Turn

__all__ = [
    "Exchange",
    "RateMismatch",
    "RateMatch",
    "IntensityFlag",
    "IntensityMatch",
    "pair_exchanges",
    "match_rate",
    "match_intensity",
]

MIN_EXCHANGE_TURN_S = 1.5
"""Turns shorter than this hold too few syllables to compare rates (a few "yes"es)."""
MIN_CONVERGENCE_EXCHANGES = 4
RAISED_DELTA = 1.0
"""Intensity this far (0-10 scale) above a speaker's own baseline is raised; as far below, lowered."""
MIN_SYNCHRONY_EXCHANGES = 4
CONVERGENCE_POINTS = 5.0
"""The rate gap must shrink (grow) by this many percentage points to call it converging (diverging)."""


@dataclass(frozen=True)
class Exchange:
    """A caller turn and the agent turn that answers it, with their rates and intensities."""

    caller_turn: Turn
    agent_turn: Turn
    caller_rate: WindowRate
    agent_rate: WindowRate
    caller_intensity: float
    agent_intensity: float

    @property
    def rate_ratio(self) -> float:
        """Agent syllables/s over caller syllables/s (NaN when the caller turn has no syllables)."""
        c = self.caller_rate.syllables_per_s
        return self.agent_rate.syllables_per_s / c if c > 0 else math.nan


@dataclass(frozen=True)
class RateMismatch:
    """An exchange whose rates clearly differ: ``kind`` is ``"agent_faster"`` or ``"agent_slower"``."""

    start_s: float
    end_s: float
    kind: str
    caller_syllables_per_s: float
    agent_syllables_per_s: float
    ratio: float


@dataclass(frozen=True)
class RateMatch:
    """The agent's rate against the caller's.

    Attributes
    ----------
    agent_syllables_per_s, caller_syllables_per_s : float
        Over each party's own turns.
    ratio : float
        Agent over caller.
    tolerance : Band
        The ``rate_match_ratio`` target.
    verdict : str
        ``"within"`` (matched), ``"above"`` (agent faster), ``"below"``
        (agent slower) or ``"unknown"``.
    exchanges : int
        Exchanges long enough to compare.
    mismatches : tuple of RateMismatch
    convergence : str
        ``"converged"``, ``"diverged"``, ``"steady"`` or ``"unknown"`` (fewer
        than ``MIN_CONVERGENCE_EXCHANGES`` exchanges).
    early_gap_pct, late_gap_pct : float
        Typical rate gap (percent) in the first and second half of the exchanges.
    """

    agent_syllables_per_s: float
    caller_syllables_per_s: float
    ratio: float
    tolerance: Band
    verdict: str
    exchanges: int
    mismatches: tuple
    convergence: str
    early_gap_pct: float
    late_gap_pct: float


@dataclass(frozen=True)
class IntensityFlag:
    """A moment the agent did not meet the caller's intensity."""

    start_s: float
    end_s: float
    kind: str  # "caller_intense_reply_flat" | "caller_calm_reply_over"
    caller_delta: float
    agent_delta: float


@dataclass(frozen=True)
class IntensityMatch:
    """The agent's intensity against the caller's, each relative to its own baseline.

    ``verdict`` is ``"within"`` (no flagged moment), ``"mismatched"`` or
    ``"unknown"`` (no exchange with both intensities measured).
    """

    agent_baseline: float
    caller_baseline: float
    exchanges: int
    flags: tuple
    synchrony: float
    proximity: float
    verdict: str


def pair_exchanges(turns) -> list:
    """(caller turn, agent reply) pairs: each caller turn followed directly by an agent turn, both long enough."""
    turns = sorted(turns)
    return [
        (c, a)
        for c, a in zip(turns[:-1], turns[1:])
        if c.speaker == CALLER and a.speaker == AGENT and min(c.duration_s, a.duration_s) >= MIN_EXCHANGE_TURN_S
    ]


def _gap_pct(ratios) -> float:
    logs = np.abs(np.log([r for r in ratios if r > 0 and math.isfinite(r)]))
    return float(100.0 * (math.exp(float(np.mean(logs))) - 1.0)) if logs.size else math.nan


def _convergence(ratios: list) -> tuple:
    if len(ratios) < MIN_CONVERGENCE_EXCHANGES:
        return "unknown", math.nan, math.nan
    half = len(ratios) // 2
    early, late = _gap_pct(ratios[:half]), _gap_pct(ratios[-half:])
    if not (math.isfinite(early) and math.isfinite(late)):
        return "unknown", early, late
    change = early - late
    verdict = "converged" if change >= CONVERGENCE_POINTS else "diverged" if change <= -CONVERGENCE_POINTS else "steady"
    return verdict, early, late


def match_rate(agent_syllables_per_s: float, caller_syllables_per_s: float, exchanges, *, tolerance: Band) -> RateMatch:
    """Rate match over the call and per exchange.

    Parameters
    ----------
    agent_syllables_per_s, caller_syllables_per_s : float
        Each party's rate over its own turns.
    exchanges : sequence of Exchange
        In time order.
    tolerance : Band
        Accepted agent/caller ratio (``Targets.rate_match_ratio``).

    Returns
    -------
    rate_match : RateMatch
    """
    ok = caller_syllables_per_s > 0 and math.isfinite(agent_syllables_per_s)
    ratio = agent_syllables_per_s / caller_syllables_per_s if ok else math.nan
    mismatches = []
    for ex in exchanges:
        verdict = tolerance.verdict(ex.rate_ratio)
        if verdict in ("above", "below") and rates_differ(ex.agent_rate, ex.caller_rate):
            mismatches.append(
                RateMismatch(
                    ex.caller_turn.start_s,
                    ex.agent_turn.end_s,
                    "agent_faster" if verdict == "above" else "agent_slower",
                    round(ex.caller_rate.syllables_per_s, 2),
                    round(ex.agent_rate.syllables_per_s, 2),
                    round(ex.rate_ratio, 3),
                )
            )
    convergence, early, late = _convergence([ex.rate_ratio for ex in exchanges])
    return RateMatch(
        agent_syllables_per_s=float(agent_syllables_per_s),
        caller_syllables_per_s=float(caller_syllables_per_s),
        ratio=float(ratio),
        tolerance=tolerance,
        verdict=tolerance.verdict(ratio),
        exchanges=len(exchanges),
        mismatches=tuple(mismatches),
        convergence=convergence,
        early_gap_pct=early,
        late_gap_pct=late,
    )


def _proximity(caller: np.ndarray, agent: np.ndarray) -> float:
    """Mean |difference| of non-adjacent pairs minus that of adjacent pairs (positive: entrained)."""
    n = caller.size
    if n < 2:
        return math.nan
    adjacent = float(np.mean(np.abs(caller - agent)))
    diff = np.abs(caller[:, None] - agent[None, :])
    non_adjacent = float((diff.sum() - np.trace(diff)) / (n * n - n))
    return non_adjacent - adjacent


def match_intensity(exchanges, *, agent_baseline: float, caller_baseline: float) -> IntensityMatch:
    """Intensity match over exchanges, each speaker relative to its own baseline.

    Parameters
    ----------
    exchanges : sequence of Exchange
        With ``caller_intensity``/``agent_intensity`` per turn (NaN if not measured).
    agent_baseline, caller_baseline : float
        Each speaker's median turn intensity over the call.

    Returns
    -------
    intensity_match : IntensityMatch
    """
    rows = [
        (ex, ex.caller_intensity - caller_baseline, ex.agent_intensity - agent_baseline)
        for ex in exchanges
        if math.isfinite(ex.caller_intensity) and math.isfinite(ex.agent_intensity)
    ]
    flags = []
    for ex, c, a in rows:
        kind = None
        if c >= RAISED_DELTA and a <= 0.0:
            kind = "caller_intense_reply_flat"
        elif c <= -RAISED_DELTA and a >= RAISED_DELTA:
            kind = "caller_calm_reply_over"
        if kind:
            flags.append(IntensityFlag(ex.caller_turn.start_s, ex.agent_turn.end_s, kind, round(c, 1), round(a, 1)))
    caller = np.array([c for _, c, _ in rows])
    agent = np.array([a for _, _, a in rows])
    synchrony = math.nan
    if len(rows) >= MIN_SYNCHRONY_EXCHANGES and caller.std() > 0 and agent.std() > 0:
        synchrony = float(np.corrcoef(caller, agent)[0, 1])
    verdict = "unknown" if not rows else ("mismatched" if flags else "within")
    return IntensityMatch(
        agent_baseline=float(agent_baseline),
        caller_baseline=float(caller_baseline),
        exchanges=len(rows),
        flags=tuple(flags),
        synchrony=synchrony,
        proximity=_proximity(caller, agent),
        verdict=verdict,
    )
