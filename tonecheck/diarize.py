"""One channel, two voices: who spoke when (two-speaker diarization).

Together with :mod:`tonecheck.speaker_model` (MFCC frames, diagonal GMM)
and :mod:`tonecheck.voice_match` (``--agent-voice``), the only code that
models speakers.  The method is classical (Reynolds
et al. 2000 GMM supervectors; spectral clustering as in Ning et al. 2006;
GMM/Viterbi resegmentation as in LIUM and Kaldi's VB resegmenter) and needs
only numpy, scipy and librosa's mel filters:

1. **Features.** 19 MFCCs (c1-c19 of 24 mel bands 100-3800 Hz, 25 ms
   Hamming window) on the shared 10 ms frame grid, normalised to zero mean
   and unit variance over the recording's speech frames.
2. **Windows.** Each speech run is cut into windows of ``WINDOW_S`` of
   speech (a leftover shorter than ``MIN_WINDOW_S`` joins the previous
   window; runs shorter than ``MIN_WINDOW_S`` are left to step 4).
3. **Two clusters.** A ``UBM_COMPONENTS``-component diagonal GMM is fitted
   on all speech frames; each window's MAP-adapted means (relevance
   ``MAP_RELEVANCE``), scaled by sqrt(weight)/std, form its supervector.
   The windows are split in two by spectral clustering (cosine affinity,
   normalised Laplacian, k-means on the first two eigenvectors).
4. **Resegmentation.** One diagonal GMM (``GMM_COMPONENTS``) per cluster is
   fitted on the cluster's frames and a two-state Viterbi pass over the
   speech frames, with a switching cost of ``SWITCH_COST`` nats, relabels
   every speech frame; fit and pass are repeated ``RESEG_ITERATIONS`` times.
5. **Turns.** Runs of one label shorter than ``MIN_TURN_S`` take the label
   around them.  Label 0 is the voice that speaks first: the one holding
   most of the first ``OPENING_S`` of speech.

Confidence and the one-voice rule
---------------------------------
``confidence = d' / (d' + CONFIDENCE_HALF_DPRIME)``, where d' is a held-out
separation: windows take their majority label, per-voice GMMs fitted on
the even windows score the odd windows (and vice versa), and d' is the
distance between the two voices' mean window log-likelihood ratios in
pooled standard deviations.  A split that only fits noise does not carry
over to held-out windows and scores low.  The recording is **not split**
(every speech frame labelled 0) when d' < ``MIN_DPRIME`` (confidence below
0.35), when the minority voice holds less than ``MIN_MINORITY_S`` of
speech, or when there is less than ``MIN_SPEECH_S`` of speech or fewer than
four windows (confidence 0 in those two cases).

Measured error, speed and known limits: docs/measures.md, "Two voices in one channel".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.vq import kmeans2

from . import frames
from .recording import Audio
from .speaker_model import (  # noqa: F401  (the feature and model constants stay importable from here)
    BLOCK_FRAMES,
    GMM_COMPONENTS,
    GMM_ITERATIONS,
    MAX_FIT_FRAMES,
    MEL_FMAX_HZ,
    MEL_FMIN_HZ,
    MIN_FIT_FRAMES,
    N_MELS,
    N_MFCC,
    WIN_S,
    DiagGMM,
    mfcc,
)
from .speech import runs
from .voice_match import match_voice, match_voice_frames, speech_mask

__all__ = ["Diarization", "diarize", "match_voice", "match_voice_frames", "speech_mask", "METHOD"]

METHOD = "mfcc-sv-spectral-gmm-viterbi-1"
"""Name and version of the method; bump the number when its output changes."""
WINDOW_S = 1.0
"""Speech per clustering window, seconds."""
MIN_WINDOW_S = 0.5
"""Speech runs shorter than this are not clustered (they are labelled in resegmentation)."""
UBM_COMPONENTS = 16
MAP_RELEVANCE = 8.0
"""Relevance factor of the MAP adaptation of the window supervectors."""
KMEANS_RESTARTS = 10
RESEG_ITERATIONS = 2
SWITCH_COST = 80.0
"""Viterbi cost of a speaker change, nats (log-likelihood summed over frames)."""
MIN_TURN_S = 0.3
OPENING_S = 2.0
"""Voice 0 is the voice holding most of the first ``OPENING_S`` of speech (robust to a mislabelled first syllable)."""
MIN_SPEECH_S = 5.0
MIN_MINORITY_S = 2.0
MIN_DPRIME = 0.8
"""Held-out d' below which the recording is not split (one voice)."""
CONFIDENCE_HALF_DPRIME = 1.5
"""The held-out d' that maps to confidence 0.5."""
MAX_CLUSTER_WINDOWS = 1000


@dataclass(frozen=True)
class Diarization:
    """Who spoke when in a one-channel recording of (at most) two voices.

    Attributes
    ----------
    labels : np.ndarray [shape=(n_frames,)], int8
        Per ``hop_s`` frame: -1 nobody (or not speech), 0 the voice that
        speaks first, 1 the other.
    confidence : float in [0, 1]
        How clearly two voices separated (see the module docstring); 0 when
        the recording was not split.
    method : str
        :data:`METHOD`.
    hop_s : float
        Frame hop in seconds.
    """

    labels: np.ndarray
    confidence: float
    method: str = METHOD
    hop_s: float = frames.HOP_S

    @property
    def n_voices(self) -> int:
        """Voices labelled: 0 (no speech), 1 (not split) or 2."""
        return int(np.unique(self.labels[self.labels >= 0]).size)


def _speech_windows(speech: np.ndarray, hop_s: float) -> tuple:
    """Speech frame indices, and windows of about ``WINDOW_S`` of speech as slices of those indices."""
    size, least = int(round(WINDOW_S / hop_s)), int(round(MIN_WINDOW_S / hop_s))
    out = []
    for a, b in runs(speech):
        if b - a < least:
            continue
        cuts = list(range(a, b, size)) + [b]
        if len(cuts) > 2 and cuts[-1] - cuts[-2] < least:
            cuts.pop(-2)
        out.extend(zip(cuts[:-1], cuts[1:]))
    idx = np.flatnonzero(speech)
    return idx, [(int(np.searchsorted(idx, a)), int(np.searchsorted(idx, b))) for a, b in out]


def _supervectors(x: np.ndarray, wins: list) -> np.ndarray:
    """GMM mean supervector per window: UBM means MAP-adapted to the window, scaled by sqrt(weight)/std."""
    ubm = DiagGMM(x, k=UBM_COMPONENTS)
    out = np.empty((len(wins), ubm.mu.size))
    for i, (a, b) in enumerate(wins):
        resp = ubm.posteriors(x[a:b])
        n = resp.sum(0)
        f = resp.T @ x[a:b]
        alpha = (n / (n + MAP_RELEVANCE))[:, None]
        mu = alpha * f / np.maximum(n, 1e-9)[:, None] + (1 - alpha) * ubm.mu
        out[i] = ((mu - ubm.mu) * np.sqrt(ubm.w)[:, None] / np.sqrt(ubm.var)).ravel()
    return out


def _cluster_windows(x: np.ndarray, wins: list) -> np.ndarray:
    """Two-cluster label (0/1) per window: spectral clustering of the windows' supervectors.

    Beyond ``MAX_CLUSTER_WINDOWS`` windows an evenly spaced subset is
    clustered and every window joins the nearer cluster centroid (cosine).
    """
    sv = _supervectors(x, wins)
    sv /= np.linalg.norm(sv, axis=1, keepdims=True) + 1e-12
    if len(sv) <= MAX_CLUSTER_WINDOWS:
        return _spectral2(sv)
    subset = np.linspace(0, len(sv) - 1, MAX_CLUSTER_WINDOWS).round().astype(int)
    lab = _spectral2(sv[subset])
    centres = np.stack([sv[subset][lab == k].mean(0) for k in (0, 1)])
    return np.argmax(sv @ centres.T, axis=1).astype(np.int8)


def _spectral2(sv: np.ndarray) -> np.ndarray:
    """Spectral clustering of unit-norm rows into two groups (best of ``KMEANS_RESTARTS`` k-means)."""
    affinity = np.clip(sv @ sv.T, 0.0, None)
    degree = affinity.sum(1) + 1e-12
    laplacian = np.eye(len(sv)) - affinity / np.sqrt(np.outer(degree, degree))
    _, vectors = np.linalg.eigh(laplacian)
    emb = vectors[:, :2] / (np.linalg.norm(vectors[:, :2], axis=1, keepdims=True) + 1e-12)
    best, best_inertia = None, np.inf
    for seed in range(KMEANS_RESTARTS):
        centres, lab = kmeans2(emb, 2, seed=seed, minit="++")
        inertia = sum(float(((emb[lab == k] - centres[k]) ** 2).sum()) for k in (0, 1))
        if inertia < best_inertia:
            best, best_inertia = lab, inertia
    return best.astype(np.int8)


def _viterbi2(llr: np.ndarray, cost: float) -> np.ndarray:
    """Best 0/1 path for per-frame ``llr = log p(x|1) - log p(x|0)`` with a switching ``cost``."""
    n = llr.size
    back = np.zeros((n, 2), bool)  # True: came from the other state
    s0, s1 = 0.0, float(llr[0]) if n else 0.0
    for i in range(1, n):
        stay0, move0 = s0, s1 - cost
        stay1, move1 = s1, s0 - cost
        back[i, 0], back[i, 1] = move0 > stay0, move1 > stay1
        s0, s1 = max(stay0, move0), max(stay1, move1) + float(llr[i])
    path = np.zeros(n, np.int8)
    if n:
        path[-1] = 1 if s1 > s0 else 0
    for i in range(n - 1, 0, -1):
        path[i - 1] = path[i] ^ back[i, path[i]]
    return path


def _resegment(x: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """Refine the labels of the speech frames ``x`` by per-voice GMMs and a two-state Viterbi pass."""
    for _ in range(RESEG_ITERATIONS):
        if min(np.sum(lab == 0), np.sum(lab == 1)) < MIN_FIT_FRAMES:
            break
        g0, g1 = DiagGMM(x[lab == 0]), DiagGMM(x[lab == 1])
        lab = _viterbi2(g1.loglik(x) - g0.loglik(x), SWITCH_COST)
    return lab


def _smooth_turns(lab: np.ndarray, min_len: int) -> np.ndarray:
    """Give runs shorter than ``min_len`` the label around them."""
    out = lab.copy()
    for value in (0, 1):
        for a, b in runs(out == value):
            if b - a < min_len and a > 0 and b < out.size:
                out[a:b] = 1 - value
    return out


def _heldout_dprime(x: np.ndarray, lab: np.ndarray, wins: list) -> float:
    """Fisher's d' of held-out window log-likelihood ratios between the two voices (0 when undefined).

    Windows take the majority label; GMMs fitted on the even windows score
    the odd ones and vice versa, so a split that only fits noise scores low.
    """
    owner = np.array([int(round(float(lab[a:b].mean()))) for a, b in wins])
    scores, truth = [], []
    for fold in (0, 1):
        train = [(w, o) for i, (w, o) in enumerate(zip(wins, owner)) if i % 2 != fold]
        parts = [[x[a:b] for (a, b), o in train if o == k] for k in (0, 1)]
        if any(sum(len(p) for p in part) < MIN_FIT_FRAMES for part in parts):
            return 0.0
        g0, g1 = (DiagGMM(np.concatenate(part)) for part in parts)
        for i, ((a, b), o) in enumerate(zip(wins, owner)):
            if i % 2 == fold:
                scores.append(float(np.mean(g1.loglik(x[a:b]) - g0.loglik(x[a:b]))))
                truth.append(o)
    scores, truth = np.array(scores), np.array(truth)
    s0, s1 = scores[truth == 0], scores[truth == 1]
    if min(s0.size, s1.size) < 2:
        return 0.0
    return float((s1.mean() - s0.mean()) / (np.sqrt(0.5 * (s0.var() + s1.var())) + 1e-9))


def diarize(audio: Audio, *, speech: np.ndarray, hop_s: float = frames.HOP_S) -> Diarization:
    """Label each frame of a one-channel recording with one of two voices.

    Parameters
    ----------
    audio : Audio
        Mono recording at its analysis rate (``audio.samples`` may be a
        :class:`~tonecheck.samplefile.SampleFile`).
    speech : np.ndarray [shape=(n_frames,)], bool
        Speech frames on the ``hop_s`` grid (``1 + n // hop`` frames), as
        :func:`tonecheck.speech.detect_speech` finds them.
    hop_s : float > 0
        Frame hop in seconds.

    Returns
    -------
    diarization : Diarization
        Not split (all speech labelled 0, low confidence) when two voices
        cannot be told apart; see the module docstring for the rule.

    Raises
    ------
    ValueError
        When ``speech`` does not have one entry per frame.
    """
    hop = frames.hop_length(audio.sr, hop_s=hop_s)
    count = frames.n_frames(len(audio.samples), hop=hop)
    speech = np.asarray(speech, bool)
    if speech.shape != (count,):
        raise ValueError(f"speech mask has {speech.size} frames; the recording has {count} at hop {hop_s} s")
    labels = np.full(count, -1, np.int8)
    labels[speech] = 0
    if speech.sum() * hop_s < MIN_SPEECH_S:
        return Diarization(labels, 0.0, METHOD, hop_s)
    x = _normalise(mfcc(audio.samples, sr=audio.sr, hop_s=hop_s, count=count), speech)[speech]
    idx, wins = _speech_windows(speech, hop_s)
    if len(wins) < 4:
        return Diarization(labels, 0.0, METHOD, hop_s)
    lab = np.zeros(idx.size, np.int8)
    for (a, b), c in zip(wins, _cluster_windows(x, wins)):
        lab[a:b] = c
    lab = _smooth_turns(_resegment(x, lab), int(round(MIN_TURN_S / hop_s)))
    if min(np.sum(lab == 0), np.sum(lab == 1)) * hop_s < MIN_MINORITY_S:
        return Diarization(labels, 0.0, METHOD, hop_s)
    dprime = max(_heldout_dprime(x, lab, wins), 0.0)
    confidence = float(dprime / (dprime + CONFIDENCE_HALF_DPRIME))
    if dprime >= MIN_DPRIME:
        opening = lab[: max(1, int(round(OPENING_S / hop_s)))]
        labels[idx] = lab if np.mean(opening) <= 0.5 else 1 - lab
    return Diarization(labels, confidence, METHOD, hop_s)


def _normalise(feats: np.ndarray, speech: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance per coefficient over the speech frames."""
    sel = feats[speech]
    return (feats - sel.mean(0)) / (sel.std(0) + 1e-6)
