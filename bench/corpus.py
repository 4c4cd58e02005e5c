"""Reading ../shared/corpus in place for the evaluation scripts.

Nothing is copied: audio is read from the corpus folder, resampled in
memory, and only numbers leave.  ``corpus_dir()`` returns None when the
corpus is absent so scripts can skip cleanly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import soundfile as sf

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MONOLOGUE_S = 30.0
EDGE_THRESHOLD_DB = 35.0
"""Independent edge-silence estimate: 20 ms RMS within this of the file's loudest frame."""


def corpus_dir() -> Path | None:
    """The corpus folder, or None when it is absent."""
    return CORPUS if (CORPUS / "dev_labels.json").is_file() else None


def dev_labels() -> dict:
    """``files`` of dev_labels.json (dev split only)."""
    data = json.loads((CORPUS / "dev_labels.json").read_text("utf-8"))
    return {k: v for k, v in data["files"].items() if v.get("split") == "dev"}


def read(key: str) -> tuple:
    """``(samples float32, sr)`` of a corpus file; channels are kept."""
    y, sr = sf.read(str(CORPUS / key), dtype="float32", always_2d=False)
    return y, sr


def edge_silence_s(y: np.ndarray, sr: int) -> tuple:
    """Leading and trailing silence (s) by a simple energy threshold."""
    mono = y if y.ndim == 1 else y.mean(axis=1)
    hop = int(0.02 * sr)
    n = len(mono) // hop
    rms = np.sqrt(np.mean(mono[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms)
    loud = np.flatnonzero(db > db.max() - EDGE_THRESHOLD_DB)
    return loud[0] * hop / sr, (n - 1 - loud[-1]) * hop / sr


def speech_bounds_s(key: str, label: dict, y: np.ndarray, sr: int) -> tuple:
    """``(lead_s, trail_s)`` silence before/after speech: labels first, then energy."""
    start = label.get("speech_start_s")
    end = label.get("speech_end_s")
    if start is None or end is None:
        lead, trail = edge_silence_s(y, sr)
        return lead, trail
    return start, label["duration_s"] - end


def monologues(labels: dict, *, min_s: float = MONOLOGUE_S) -> list:
    """Join each mono speaker's dev utterances into monologues of >= ``min_s``.

    Returns
    -------
    groups : list of dict
        ``{"name", "language", "keys", "words", "syllables", "chars"}`` per
        monologue; a speaker's remainder shorter than ``min_s`` joins the
        last monologue, and speakers with less than ``min_s`` in all are
        returned with ``"short": True``.
    """
    by_speaker = defaultdict(list)
    for key, lab in sorted(labels.items()):
        if lab["channels"] == 1:
            by_speaker[(lab["language"], lab["speaker"])].append(key)
    out = []
    for (lang, speaker), keys in by_speaker.items():
        chunks, cur, dur = [], [], 0.0
        for key in keys:
            cur.append(key)
            dur += labels[key]["duration_s"]
            if dur >= min_s:
                chunks.append(cur)
                cur, dur = [], 0.0
        if cur:
            if chunks:
                chunks[-1].extend(cur)
            else:
                chunks.append(cur)
        for i, chunk in enumerate(chunks):
            total = sum(labels[k]["duration_s"] for k in chunk)
            out.append(
                {
                    "name": f"{speaker} #{i + 1}",
                    "language": lang,
                    "keys": chunk,
                    "words": sum(labels[k]["word_count"] for k in chunk),
                    "syllables": sum(labels[k]["syllable_count"] for k in chunk),
                    "chars": sum(labels[k].get("char_count", 0) for k in chunk),
                    "duration_s": total,
                    "short": total < min_s,
                }
            )
    return out


def join(keys: list, labels: dict, *, sr_out: int) -> tuple:
    """Concatenate corpus files (mono mix, resampled to ``sr_out``).

    Returns
    -------
    y : np.ndarray
    span_s : float
        Ground-truth speaking span: joined duration minus the first file's
        leading and the last file's trailing silence.
    """
    import soxr

    parts, lead, trail = [], 0.0, 0.0
    for i, key in enumerate(keys):
        y, sr = read(key)
        y = y if y.ndim == 1 else y.mean(axis=1)
        lo, hi = speech_bounds_s(key, labels[key], y, sr)
        if i == 0:
            lead = lo
        trail = hi
        parts.append(soxr.resample(y, sr, sr_out).astype(np.float32))
    y = np.concatenate(parts)
    return y, len(y) / sr_out - lead - trail
