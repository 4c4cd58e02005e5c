"""Pitch path: one candidate (or "unvoiced") per frame by Viterbi (step 4 of :mod:`tonecheck.pitch`).

Praat's path costs: an octave-jump cost proportional to the F0 change in
octaves and a voiced/unvoiced switching cost (the octave cost and the
unvoiced candidate's strength are in the scores the caller passes).
Stretches of frames without any candidate are forced unvoiced, which splits
the recording into independent runs (at most ``MAX_RUN_FRAMES`` long); all
runs advance together, one frame per step, so the Python loop runs only as
long as the longest run.
"""

from __future__ import annotations

import numpy as np

__all__ = ["viterbi"]

OCTAVE_JUMP_COST = 0.35
"""Cost per octave of F0 change between consecutive frames."""
VOICED_UNVOICED_COST = 0.14
"""Cost of a voiced/unvoiced transition."""
MAX_RUN_FRAMES = 1000
"""Longer candidate runs are cut for the Viterbi pass."""


def _segments(has: np.ndarray, breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and lengths of runs of frames with candidates, cut at breaks and ``MAX_RUN_FRAMES``."""
    new = has & (breaks | ~np.concatenate(([False], has[:-1])))
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], has.size)
    ends = (
        np.array([s + np.argmin(np.append(has[s:e], False)) for s, e in zip(starts, ends)], dtype=np.int64)
        if starts.size
        else starts
    )
    pieces = [
        (s, min(MAX_RUN_FRAMES, e - p)) for s, e in zip(starts, ends) for p in range(s, e, MAX_RUN_FRAMES) for s in [p]
    ]
    if not pieces:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    arr = np.array(pieces, dtype=np.int64)
    order = np.argsort(-arr[:, 1], kind="stable")
    return arr[order, 0], arr[order, 1]


def viterbi(
    log_f0: np.ndarray, score: np.ndarray, has: np.ndarray, breaks: np.ndarray, *, jump_scale: float
) -> np.ndarray:
    """Best state per frame (0 = unvoiced, k = candidate k-1), Praat's path costs.

    Frames without candidates are unvoiced, which makes the runs between
    them independent; the runs advance together, one frame per step.

    Parameters
    ----------
    log_f0 : np.ndarray [shape=(m, n_states - 1)]
        log2 of each candidate's F0 in Hz (NaN = no candidate).
    score : np.ndarray [shape=(m, n_states)], float32
        Strength of the unvoiced state (column 0) and of each candidate.
    has : np.ndarray [shape=(m,)], bool
        Frames with at least one candidate.
    breaks : np.ndarray [shape=(m,)], bool
        Frames not adjacent to the previous one: a new, independent run starts.
    jump_scale : float > 0
        Multiplies ``OCTAVE_JUMP_COST`` (1 / frame step of a decimated pass).

    Returns
    -------
    state : np.ndarray [shape=(m,)], int64
    """
    m, n_states = score.shape
    state = np.zeros(m, np.int64)
    starts, lengths = _segments(has, breaks)
    if not starts.size:
        return state
    log_f0 = np.nan_to_num(log_f0, nan=0.0).astype(np.float32)
    log_f0 = np.concatenate([np.zeros((m, 1), np.float32), log_f0], axis=1)
    voiced_cost = np.full(n_states, VOICED_UNVOICED_COST, np.float32)
    voiced_cost[0] = 0.0
    switch = np.abs(voiced_cost[:, None] - voiced_cost[None, :])  # [from, to]
    both = (voiced_cost[:, None] > 0) & (voiced_cost[None, :] > 0)
    jump = OCTAVE_JUMP_COST * jump_scale
    back = np.zeros((m, n_states), np.int8)
    delta = score[starts] - voiced_cost
    for t in range(1, int(lengths[0])):
        k = int(np.count_nonzero(lengths > t))  # lengths are sorted, longest first
        cur = starts[:k] + t
        octaves = np.abs(log_f0[cur - 1][:, :, None] - log_f0[cur][:, None, :])
        total = delta[:k, :, None] - np.where(both, jump * octaves, switch)
        back[cur] = np.argmax(total, axis=1)
        delta[:k] = np.max(total, axis=1) + score[cur]
    pick = np.argmax(delta - voiced_cost, axis=1)
    for t in range(int(lengths[0]) - 1, -1, -1):
        k = int(np.count_nonzero(lengths > t))
        ends_here = lengths[:k] - 1 == t
        cur = starts[:k] + t
        if t < int(lengths[0]) - 1:
            later = ~ends_here
            pick_k = pick[:k].copy()
            pick_k[later] = back[cur[later] + 1, pick[:k][later]]
            pick[:k] = pick_k
        state[cur] = pick[:k]
    return state
