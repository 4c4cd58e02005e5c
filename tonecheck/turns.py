"""Who spoke when in a two-party call: turns, gaps and overlaps from speech frames.

Pure functions on the two parties' own speech frames and on turns (times in
seconds); deciding who owns which frame is :mod:`tonecheck.crosstalk` (two
channels) or :mod:`tonecheck.diarize` (one channel). Definitions
(docs/measures.md, "Two-party calls"):

* a **spurt** is a run of one party's speech frames, bridged over pauses
  shorter than ``SPURT_PAUSE_S``;
* a **backchannel** is a spurt of at most ``BACKCHANNEL_MAX_S`` mostly
  under the other party's speech, with the other still talking after it,
  or squeezed between two pieces of the other's speech (within
  ``FLANK_S`` on both sides: how a backchannel looks on one channel);
* an **interruption** is a spurt that starts while the other is speaking
  (not during the other's backchannel),
  goes on for more than ``INTERRUPTION_MIN_S``, and outlasts the other's;
* **turns** are the remaining spurts, with a party's consecutive spurts
  joined when nobody else takes the floor in between and the pause is
  shorter than ``TURN_PAUSE_S``;
* a **response gap** runs from the end of a caller turn to the start of the
  agent turn that follows it without overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .speech import runs

__all__ = [
    "AGENT",
    "CALLER",
    "Turn",
    "Overlap",
    "Gaps",
    "TurnTaking",
    "take_turns",
    "spurts",
    "response_gaps",
    "talk_share",
    "longest_turns",
]

AGENT, CALLER = "agent", "caller"
SPURT_PAUSE_S = 0.5
"""Shorter silences inside one party's speech do not end a spurt."""
MIN_SPURT_S = 0.15
"""Shorter bursts (clicks, breath, leftover bleed) are not talk."""
BACKCHANNEL_MAX_S = 1.0
"""A spurt under the other's speech up to this long is a backchannel ("mm-hm")."""
UNDER_FRACTION = 0.5
"""A backchannel lies at least this share under the other party's spurt."""
FLANK_S = 0.5
"""One channel, two voices: a short spurt with the other voice this close on both sides is a backchannel
(the diarization gives overlapping speech one label, so a backchannel shows up between two pieces of the host's turn)."""
INTERRUPTION_MIN_S = 1.0
"""An overlapping start must go on this long (and outlast the other) to be an interruption."""
TURN_PAUSE_S = 2.0
"""A party's consecutive spurts with a shorter pause and nobody else in between are one turn."""
LONG_SILENCE_S = 3.0
"""Nobody speaking this long, inside the call, is a long silence."""


@dataclass(frozen=True, order=True)
class Turn:
    """One party holding the floor from ``start_s`` to ``end_s`` (seconds)."""

    start_s: float
    end_s: float
    speaker: str

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, order=True)
class Overlap:
    """Talk over the other party: an interruption or a backchannel.

    ``start_s``/``end_s`` span the newcomer's spurt; ``kind`` is
    ``"interruption"`` or ``"backchannel"``; ``speaker`` started it.
    """

    start_s: float
    end_s: float
    speaker: str
    kind: str


@dataclass(frozen=True)
class Gaps:
    """Response gaps (caller stops -> agent starts) and long silences.

    Attributes
    ----------
    median_s, longest_s : float
        Over the response gaps (NaN when there is none).
    count : int
        Response gaps measured (agent replies that did not overlap).
    long_silences : tuple of (float, float)
        Stretches of at least ``LONG_SILENCE_S`` where nobody speaks.
    """

    median_s: float
    longest_s: float
    count: int
    long_silences: tuple = ()


@dataclass(frozen=True)
class TurnTaking:
    """Who spoke when, from the two parties' speech frames."""

    turns: tuple
    interruptions: tuple
    backchannels: tuple
    gaps: Gaps
    talk_share: dict = field(default_factory=dict)
    longest_turn: dict = field(default_factory=dict)


def spurts(frames: np.ndarray, *, hop_s: float) -> list:
    """Runs of speech frames as ``(start_s, end_s)``, bridged and cleaned.

    Parameters
    ----------
    frames : np.ndarray [shape=(n_frames,)], bool
        One party's speech frames.
    hop_s : float > 0
        Frame hop in seconds.

    Returns
    -------
    spurts : list of (float, float)
        Pauses shorter than ``SPURT_PAUSE_S`` bridged; spurts shorter than
        ``MIN_SPURT_S`` dropped.
    """
    out: list = []
    for a, b in runs(np.asarray(frames, bool)):
        start, end = a * hop_s, b * hop_s
        if out and start - out[-1][1] < SPURT_PAUSE_S:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return [(round(float(s), 3), round(float(e), 3)) for s, e in out if e - s >= MIN_SPURT_S]


def _overlap_s(a: tuple, b: tuple) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _is_backchannel(sp: tuple, theirs: list) -> bool:
    """A short spurt under the other's speech (or, on one channel, squeezed between it) with the other going on."""
    duration = sp[1] - sp[0]
    if duration > BACKCHANNEL_MAX_S:
        return False
    host = max(theirs, key=lambda o: _overlap_s(sp, o), default=None)
    if host and _overlap_s(sp, host) >= UNDER_FRACTION * duration and host[1] > sp[1]:
        return True
    before = any(0.0 <= sp[0] - o[1] < FLANK_S for o in theirs)
    after = any(0.0 <= o[0] - sp[1] < FLANK_S for o in theirs)
    return before and after


def _classify(mine: list, theirs: list, speaker: str) -> tuple:
    """Split one party's spurts into (floor spurts, interruptions, backchannels)."""
    floor, interruptions, backchannels = [], [], []
    their_floor = [o for o in theirs if not _is_backchannel(o, mine)]
    for sp in mine:
        if _is_backchannel(sp, theirs):
            backchannels.append(Overlap(sp[0], sp[1], speaker, "backchannel"))
            continue
        cut_in = next((o for o in their_floor if o[0] < sp[0] < o[1]), None)
        if cut_in and sp[1] - sp[0] > INTERRUPTION_MIN_S and cut_in[1] < sp[1]:
            interruptions.append(Overlap(sp[0], sp[1], speaker, "interruption"))
        floor.append(Turn(sp[0], sp[1], speaker))
    return floor, interruptions, backchannels


def _join_turns(turns: list) -> tuple:
    """Join a party's consecutive turns when nobody else took the floor and the pause is short."""
    out: list = []
    last: dict = {}  # speaker -> index in out of that speaker's latest turn
    for t in sorted(turns):
        i = last.get(t.speaker)
        if i is not None and t.start_s - out[i].end_s < TURN_PAUSE_S:
            if not any(o.speaker != t.speaker and o.start_s >= out[i].end_s for o in out[i + 1 :]):
                out[i] = Turn(out[i].start_s, max(out[i].end_s, t.end_s), t.speaker)
                continue
        last[t.speaker] = len(out)
        out.append(t)
    return tuple(sorted(out))


def response_gaps(turns, *, to: str = AGENT) -> list:
    """Gaps in seconds from the end of each other-party turn to the reply of ``to`` (no overlap).

    Parameters
    ----------
    turns : sequence of Turn
        In time order (as :func:`take_turns` returns them).
    to : str
        The replying party.

    Returns
    -------
    gaps : list of float
        One per reply that starts after the other party's turn has ended.
    """
    turns = sorted(turns)
    out = []
    for prev, nxt in zip(turns[:-1], turns[1:]):
        if prev.speaker != to and nxt.speaker == to and nxt.start_s >= prev.end_s:
            out.append(round(nxt.start_s - prev.end_s, 3))
    return out


def _long_silences(turns, backchannels) -> tuple:
    spans = sorted([(t.start_s, t.end_s) for t in turns] + [(b.start_s, b.end_s) for b in backchannels])
    out, reach = [], None
    for start, end in spans:
        if reach is not None and start - reach >= LONG_SILENCE_S:
            out.append((float(reach), float(start)))
        reach = end if reach is None else max(reach, end)
    return tuple(out)


def talk_share(turns, backchannels=()) -> dict:
    """Each party's share of the talk time (turns plus backchannels), 0-1; empty when nobody spoke."""
    talk = {AGENT: 0.0, CALLER: 0.0}
    for t in turns:
        talk[t.speaker] += t.duration_s
    for b in backchannels:
        talk[b.speaker] += b.end_s - b.start_s
    total = sum(talk.values())
    return {k: round(float(v / total), 4) for k, v in talk.items()} if total > 0 else {}


def longest_turns(turns) -> dict:
    """The longest turn of each party that spoke (its longest monologue)."""
    out: dict = {}
    for t in turns:
        if t.speaker not in out or t.duration_s > out[t.speaker].duration_s:
            out[t.speaker] = t
    return out


def take_turns(agent_frames: np.ndarray, caller_frames: np.ndarray, *, hop_s: float) -> TurnTaking:
    """Turns, interruptions, backchannels, gaps and talk share of a two-party call.

    Parameters
    ----------
    agent_frames, caller_frames : np.ndarray [shape=(n_frames,)], bool
        Each party's own speech frames (crosstalk resolved); both may be
        True in a frame where the two talk at once.
    hop_s : float > 0
        Frame hop in seconds.

    Returns
    -------
    turn_taking : TurnTaking
    """
    agent, caller = spurts(agent_frames, hop_s=hop_s), spurts(caller_frames, hop_s=hop_s)
    a_floor, a_int, a_bc = _classify(agent, caller, AGENT)
    c_floor, c_int, c_bc = _classify(caller, agent, CALLER)
    turns = _join_turns(a_floor + c_floor)
    backchannels = tuple(sorted(a_bc + c_bc))
    gaps = response_gaps(turns, to=AGENT)
    return TurnTaking(
        turns=turns,
        interruptions=tuple(sorted(a_int + c_int)),
        backchannels=backchannels,
        gaps=Gaps(
            median_s=float(np.median(gaps)) if gaps else math.nan,
            longest_s=float(max(gaps)) if gaps else math.nan,
            count=len(gaps),
            long_silences=_long_silences(turns, backchannels),
        ),
        talk_share=talk_share(turns, backchannels),
        longest_turn=longest_turns(turns),
    )
