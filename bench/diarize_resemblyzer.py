"""Resemblyzer (GE2E voice encoder, weights in its wheel; needs torch) as a diarizer, for comparison only.

Used by ``python bench/diarization.py --method resemblyzer`` in an environment
where resemblyzer is installed.  Same input and output as
:func:`tonecheck.diarize.diarize`: the speech frames are joined, resampled to
16 kHz, embedded as 1.6 s partials every 1/``RATE_HZ`` s, the partial
embeddings split in two by agglomerative clustering on cosine distance,
and each speech frame takes the label of the partial centred nearest to it;
turns shorter than ``tonecheck.diarize.MIN_TURN_S`` are absorbed.
"""

from __future__ import annotations

import numpy as np
import soxr
from scipy.cluster.hierarchy import fcluster, linkage

from tonecheck import diarize as dz
from tonecheck import frames

RATE_HZ = 4.0
ENCODER_SR = 16000
_encoder = None


def diarize_resemblyzer(audio, *, speech: np.ndarray, hop_s: float = frames.HOP_S) -> dz.Diarization:
    """Two-voice labels per frame from resemblyzer partial embeddings (see the module docstring)."""
    global _encoder
    from resemblyzer import VoiceEncoder

    if _encoder is None:
        _encoder = VoiceEncoder("cpu", verbose=False)
    hop = frames.hop_length(audio.sr, hop_s=hop_s)
    y = np.asarray(audio.samples, np.float32)
    idx = np.flatnonzero(speech)
    labels = np.full(speech.size, -1, np.int8)
    if idx.size * hop_s < dz.MIN_SPEECH_S:
        labels[idx] = 0
        return dz.Diarization(labels, 0.0, "resemblyzer-ahc-2", hop_s)
    joined = np.concatenate([y[a * hop : b * hop] for a, b in dz.runs(speech)])
    wav16 = soxr.resample(joined, audio.sr, ENCODER_SR)
    _, partials, slices = _encoder.embed_utterance(wav16, return_partials=True, rate=RATE_HZ)
    centres_s = np.array([(s.start + s.stop) / 2 / ENCODER_SR for s in slices])
    part_lab = fcluster(linkage(partials, method="average", metric="cosine"), 2, criterion="maxclust") - 1
    frame_t = np.arange(idx.size) * hop_s
    nearest = np.clip(np.searchsorted(centres_s, frame_t), 0, len(centres_s) - 1)
    lab = part_lab[nearest].astype(np.int8)
    lab = dz._smooth_turns(lab, int(round(dz.MIN_TURN_S / hop_s)))
    labels[idx] = lab if lab[0] == 0 else 1 - lab
    c0, c1 = partials[part_lab == 0].mean(0), partials[part_lab == 1].mean(0) if np.any(part_lab == 1) else None
    sim = float(c0 @ c1 / np.linalg.norm(c0) / np.linalg.norm(c1)) if c1 is not None else 1.0
    return dz.Diarization(labels, float(np.clip(1 - sim, 0, 1)), "resemblyzer-ahc-2", hop_s)
