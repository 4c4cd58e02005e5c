"""Pitch accuracy against laryngograph references and against Praat.

Run: ``python -m bench.pitch_accuracy [--telephone-only]``

* FDA dev files (``fda/*.f0ref``, one value per 15 ms, 0 = unvoiced):
  gross pitch error (GPE: more than 20 % off, frames voiced in both) and
  median fine error (semitones, non-gross frames), for tonecheck and for
  Praat's autocorrelation pitch (parselmouth, 75-600 Hz defaults) on the
  same audio, clean and after telephone degradation (sox: 8 kHz, mu-law,
  300-3400 Hz band).
* Other dev recordings: the same figures with Praat's track as reference.

Targets (issue 2): GPE <= 2 %, fine error <= 0.3 st clean; GPE <= 5 %
after telephone degradation.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from bench.corpus import CORPUS, corpus_dir, dev_labels
from tonecheck.audio import load_audio
from tonecheck.pitch import track_pitch

REF_HOP_S = 0.015
GROSS = 0.2


def praat_track(path: Path, hop_s: float) -> np.ndarray:
    import parselmouth

    pitch = parselmouth.Sound(str(path)).to_pitch_ac(time_step=hop_s)
    times = np.arange(int(pitch.xmax / hop_s) + 1) * hop_s
    f0 = np.array([pitch.get_value_at_time(t) for t in times], dtype=float)
    return np.where(f0 > 0, f0, np.nan)


def ours(path: Path) -> tuple[np.ndarray, float]:
    audio = load_audio(path)
    track = track_pitch(audio.samples, sr=audio.sr)
    return track.f0_hz, track.hop_s


def on_grid(f0: np.ndarray, hop_s: float, times: np.ndarray) -> np.ndarray:
    """Nearest-frame value of a track at ``times`` (nan outside)."""
    i = np.rint(times / hop_s).astype(int)
    out = np.full(times.size, np.nan)
    ok = (i >= 0) & (i < f0.size)
    out[ok] = f0[i[ok]]
    return out


def compare(est: np.ndarray, ref: np.ndarray) -> tuple[int, int, list]:
    both = ~np.isnan(est) & ~np.isnan(ref) & (ref > 0)
    ratio = est[both] / ref[both]
    gross = np.abs(ratio - 1) > GROSS
    fine = np.abs(12 * np.log2(ratio[~gross]))
    return int(both.sum()), int(gross.sum()), list(fine)


def telephone(path: Path, tmp: Path) -> Path:
    out = tmp / (path.stem + "_tel.wav")
    subprocess.run(
        ["sox", str(path), "-r", "8000", "-e", "u-law", str(out), "sinc", "300-3400"], check=True, capture_output=True
    )
    return out


class Tally:
    def __init__(self):
        self.n = self.gross = 0
        self.fine: list = []

    def add(self, result):
        n, g, f = result
        self.n += n
        self.gross += g
        self.fine += f

    def line(self, name: str) -> str:
        gpe = 100.0 * self.gross / max(self.n, 1)
        fine = float(np.median(self.fine)) if self.fine else float("nan")
        return f"  {name:<28} GPE {gpe:5.2f} %   median fine error {fine:.3f} st   ({self.n} frames)"


def fda(labels: dict, tmp: Path, use_sox: bool) -> None:
    rows = {k: Tally() for k in ("tonecheck", "praat", "tonecheck telephone", "praat telephone")}
    for key, label in labels.items():
        ref_path = label.get("pitch_reference")
        if not ref_path:
            continue
        ref = np.loadtxt(CORPUS / ref_path)
        ref = np.where(ref > 0, ref, np.nan)
        times = np.arange(ref.size) * REF_HOP_S
        path = CORPUS / key
        variants = [("", path)] + ([(" telephone", telephone(path, tmp))] if use_sox else [])
        for suffix, p in variants:
            f0, hop = ours(p)
            rows["tonecheck" + suffix].add(compare(on_grid(f0, hop, times), ref))
            rows["praat" + suffix].add(compare(on_grid(praat_track(p, 0.01), 0.01, times), ref))
    print("FDA dev files vs laryngograph reference (targets: GPE <= 2 %, fine <= 0.3 st; telephone GPE <= 5 %)")
    for name, tally in rows.items():
        if tally.n:
            print(tally.line(name))


def others(labels: dict, tmp: Path, use_sox: bool) -> None:
    rows = {k: Tally() for k in ("tonecheck vs praat", "tonecheck telephone vs praat")}
    for key, label in labels.items():
        if label.get("pitch_reference"):
            continue
        path = CORPUS / key
        ref = praat_track(path, 0.01)
        times = np.arange(ref.size) * 0.01
        variants = [("", path)] + ([(" telephone", telephone(path, tmp))] if use_sox else [])
        for suffix, p in variants:
            f0, hop = ours(p)
            rows[f"tonecheck{suffix} vs praat"].add(compare(on_grid(f0, hop, times), ref))
    print("Other dev recordings vs Praat's autocorrelation pitch on the clean file")
    for name, tally in rows.items():
        if tally.n:
            print(tally.line(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fda-only", action="store_true")
    args = parser.parse_args()
    if corpus_dir() is None:
        print("../shared/corpus not found; nothing to measure")
        return
    labels = dev_labels()
    use_sox = shutil.which("sox") is not None
    if not use_sox:
        print("sox not on PATH: skipping the telephone degradation")
    with tempfile.TemporaryDirectory() as tmp:
        fda(labels, Path(tmp), use_sox)
        if not args.fda_only:
            others(labels, Path(tmp), use_sox)


if __name__ == "__main__":
    main()
