"""Speaking-rate accuracy on the dev corpus and on espeak-ng rate ladders.

Usage: python bench/rate_accuracy.py [--fit]

* Corpus: each speaker's dev utterances joined into monologues of 30 s or
  more; ground truth = labelled word count / speaking span.  Prints MAPE of
  words per minute per language and Pearson r across monologues.
* espeak-ng ladders: the same text at -s 90..220 for several voices;
  ground truth = words / span of the synthesized audio.  Prints r.
* ``--fit`` prints the syllables-per-word factor per language that makes
  the summed estimate match the summed truth (what calibration/rate.json
  holds), from nucleus counts on the dev monologues.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import corpus  # noqa: E402
from tonecheck.analysis import Settings, analyze  # noqa: E402
from tonecheck.audio import ANALYSIS_SR, from_array  # noqa: E402

LADDER_SPEEDS = (90, 110, 130, 150, 170, 190, 220)
LADDER_VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-x-rp")
LADDER_TEXT = (
    "Thank you for calling Northwind support, my name is Alex. I can see your order here, "
    "and I will find the missing parcel for you right now. It left our warehouse on Monday, "
    "so it should reach you within two working days. Is there anything else I can help you with today?"
)


def evaluate_corpus(fit: bool) -> dict:
    labels = corpus.dev_labels()
    rows = []
    for group in corpus.monologues(labels):
        y, span_s = corpus.join(group["keys"], labels, sr_out=ANALYSIS_SR)
        a = analyze(from_array(y, sr=ANALYSIS_SR, path=group["name"]), settings=Settings(language=group["language"]))
        truth = group["words"] / span_s * 60
        rows.append(
            {
                **group,
                "truth_wpm": truth,
                "est_wpm": a.rate.wpm,
                "nuclei": a.rate.syllables,
                "span_true": span_s,
                "span_est": a.rate.span_s,
            }
        )
    print(f"{'monologue':38s} lang  dur_s  words  truth_wpm  est_wpm   err%  span_true span_est")
    for r in rows:
        err = 100 * (r["est_wpm"] - r["truth_wpm"]) / r["truth_wpm"]
        tag = " (short)" if r["short"] else ""
        print(
            f"{r['name'][:38]:38s} {r['language']:4s} {r['duration_s']:6.1f} {r['words']:6d} {r['truth_wpm']:9.1f} "
            f"{r['est_wpm']:8.1f} {err:6.1f}  {r['span_true']:8.1f} {r['span_est']:8.1f}{tag}"
        )
    for lang in ("en", "zh"):
        sel = [r for r in rows if r["language"] == lang and not r["short"]]
        if not sel:
            continue
        t = np.array([r["truth_wpm"] for r in sel])
        e = np.array([r["est_wpm"] for r in sel])
        mape = 100 * np.mean(np.abs(e - t) / t)
        rr = np.corrcoef(t, e)[0, 1] if len(sel) > 2 else float("nan")
        print(f"[{lang}] monologues >= 30 s: n={len(sel)}  MAPE {mape:.1f}%  r={rr:.3f}")
        if fit:
            # factor that matches summed truth: words_true * span... per monologue words = nuclei / f
            nuclei = np.array([r["nuclei"] for r in sel], float)
            words = np.array([r["words"] for r in sel], float)
            spans_ratio = np.array([r["span_true"] / r["span_est"] for r in sel])
            f = np.sum(nuclei * spans_ratio) / np.sum(words)
            grid = np.linspace(0.6 * f, 1.6 * f, 201)
            mapes = [np.mean(np.abs(nuclei * spans_ratio / g - words) / words) for g in grid]
            print(f"[{lang}] fitted syllables per word: pooled {f:.3f}; MAPE-optimal {grid[int(np.argmin(mapes))]:.3f}")
    return {"rows": rows}


def evaluate_ladders() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests import synth

    if not synth.espeak_available():
        print("espeak-ng not found: ladder skipped")
        return
    n_words = len(LADDER_TEXT.split())
    truth, est = [], []
    for voice in LADDER_VOICES:
        row = []
        for speed in LADDER_SPEEDS:
            y, sr = synth.espeak_words(LADDER_TEXT, voice=voice, speed_wpm=speed)
            lead, trail = corpus.edge_silence_s(y, sr)
            span = len(y) / sr - lead - trail
            a = analyze(from_array(y, sr=sr, path=f"{voice}@{speed}"))
            truth.append(n_words / span * 60)
            est.append(a.rate.wpm)
            row.append(f"{speed}:{truth[-1]:.0f}/{est[-1]:.0f}")
        print(f"ladder {voice:12s} -s:true/est wpm  " + "  ".join(row))
    r = np.corrcoef(truth, est)[0, 1]
    t, e = np.array(truth), np.array(est)
    print(f"[ladders] n={len(truth)}  r={r:.3f}  MAPE {100 * np.mean(np.abs(e - t) / t):.1f}%")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="print the fitted syllables-per-word factors")
    parser.add_argument("--no-ladders", action="store_true")
    args = parser.parse_args()
    if corpus.corpus_dir() is None:
        print(f"corpus not found at {corpus.CORPUS}: corpus evaluation skipped")
    else:
        evaluate_corpus(args.fit)
    if not args.no_ladders:
        evaluate_ladders()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
