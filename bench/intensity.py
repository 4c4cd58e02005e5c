"""Emotional intensity: calibration fit, validity, gain/telephone invariance, separation.

Usage:
    python -m bench.intensity            # validity + invariance + separation with the shipped calibration
    python -m bench.intensity --fit      # refit calibration/intensity.json (speaker-grouped CV first)

Material (read in place from ../shared/corpus; the script exits cleanly when it is absent):
- tess/ (speakers OAF, YAF; 15 words x 7 emotions) and cremad/ actor 1001 are the dev speakers
  the calibration is fitted on; cremad/ actor 1002 (holdout split) is only scored, never fitted.
- cremad_ratings/summaryTable.csv: crowd-rated voice-only intensity (VoiceLevel, 0-100).
- every dev file of dev_labels.json, for gain and telephone invariance.

Fit, in two steps:
1. Weights: class-balanced logistic regression (L2, lambda = 1 on standardized cues) of "emotional"
   (angry, happy, fearful, surprised) against "not" (neutral, sad); disgust is left out (neither).
2. Location: the bias puts the median of ordinary dev speech (every dev file of dev_labels.json
   outside cremad/: read sentences, audiobooks, an earnings call, Mandarin read speech) at index 5,
   the middle of "engaged"; the acted TESS neutral readings are far calmer than ordinary speech and
   would otherwise make every ordinary recording read "intense".
Reported first with leave-one-speaker-out (pairs ordered right in the held-out speaker), then
fitted on all dev speakers and written to tonecheck/calibration/intensity.json.  The logit is
divided by the calibration's ``scale`` (a temperature, 2: acted extremes make the fit over-confident,
and real calls should not pin at 0 or 10); it does not change any ordering.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from scipy import signal  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from tonecheck import TonecheckError  # noqa: E402
from tonecheck.analysis import analyze  # noqa: E402
from tonecheck.audio import from_array  # noqa: E402
from tonecheck.intensity import intensity_calibration  # noqa: E402

HIGH = {"angry", "happy", "fear", "pleasant_surprise"}
LOW = {"neutral", "sad"}
CREMAD = {"ANG": "angry", "DIS": "disgust", "FEA": "fear", "HAP": "happy", "NEU": "neutral", "SAD": "sad"}
HOLDOUT_SPEAKERS = {"1002"}
CUES = ("alpha_ratio_db", "f0_rel_st", "loudness_peak_rel_db")
L2 = 1.0
GAINS_DB = (-20.0, -10.0, 6.0)
CAL_PATH = ROOT / "tonecheck" / "calibration" / "intensity.json"


def expressive_rows() -> list:
    """TESS and CREMA-D files with speaker, text and emotion."""
    root = corpus.corpus_dir()
    rows = []
    with open(root / "tess" / "labels.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows.append(
                {"file": f"tess/{r['file']}", "speaker": r["speaker"], "text": r["word"], "emotion": r["emotion"]}
            )
    for path in sorted((root / "cremad").glob("*.wav")):
        actor, text, emo, _ = path.stem.split("_")
        rows.append({"file": f"cremad/{path.name}", "speaker": actor, "text": text, "emotion": CREMAD[emo]})
    return rows


def analyze_array(y: np.ndarray, sr: int, name: str):
    """Analysis of an in-memory signal (None when tonecheck refuses it)."""
    try:
        return analyze(from_array(y, sr=sr, path=name))
    except TonecheckError:
        return None


def mono(key: str) -> tuple:
    y, sr = corpus.read(key)
    return (y if y.ndim == 1 else y.mean(axis=1)).astype(np.float64), sr


def telephone(y: np.ndarray, sr: int) -> tuple:
    """8 kHz, 300-3400 Hz band-pass, 8-bit mu-law round trip."""
    import soxr

    x = soxr.resample(y, sr, 8000)
    x = signal.sosfilt(signal.butter(4, [300, 3400], btype="band", fs=8000, output="sos"), x)
    x = np.clip(x, -1, 1)
    mu = 255.0
    q = np.round((np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu) + 1) / 2 * mu)
    x = np.sign(q / mu * 2 - 1) * ((1 + mu) ** np.abs(q / mu * 2 - 1) - 1) / mu
    return x, 8000


def cue_table(rows: list) -> list:
    """Add cues, index and intonation level of each row's file (None-safe)."""
    out = []
    for r in rows:
        y, sr = mono(r["file"])
        a = analyze_array(y, sr, r["file"])
        if a is None:
            continue
        out.append({**r, **a.intensity.cues, "index": a.intensity.index, "intonation": a.intonation.level})
    return out


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple:
    """L2-penalized, class-balanced logistic regression by Newton's method; returns (weights, bias).

    Each class carries half the total weight, so the 4:2 emotion mix of the
    material does not push the index up.
    """
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    pen = np.diag([L2] * x.shape[1] + [0.0])
    cw = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(50):
        p = 1 / (1 + np.exp(-xb @ w))
        grad = xb.T @ (cw * (p - y)) + pen @ w
        hess = xb.T @ (xb * (cw * p * (1 - p))[:, None]) + pen
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def fit(rows: list) -> dict:
    """Standardization + logistic weights fitted on ``rows`` (emotional vs neutral/sad)."""
    used = [r for r in rows if r["emotion"] in HIGH | LOW and all(np.isfinite(r[c]) for c in CUES)]
    x = np.array([[r[c] for c in CUES] for r in used])
    mean, sd = x.mean(axis=0), x.std(axis=0)
    w, b = fit_logistic((x - mean) / sd, np.array([r["emotion"] in HIGH for r in used], float))
    return {"mean": dict(zip(CUES, mean)), "sd": dict(zip(CUES, sd)), "weight": dict(zip(CUES, w)), "bias": b}


def ordinary_anchor(model: dict) -> float:
    """Median weighted cue sum (no bias) over ordinary dev speech: every dev file outside cremad/."""
    sums = []
    for key in sorted(corpus.dev_labels()):
        if key.startswith("cremad/"):
            continue
        a = analyze_array(*mono(key), key)
        cues = a.intensity.cues if a is not None else {}
        if cues and all(np.isfinite(cues[c]) for c in CUES):
            sums.append(sum(model["weight"][c] * (cues[c] - model["mean"][c]) / model["sd"][c] for c in CUES))
    print(f"ordinary dev speech: {len(sums)} files, their median weighted sum becomes index 5")
    return float(np.median(sums))


def index_with(model: dict, r: dict) -> float:
    z = sum(model["weight"][c] * (r[c] - model["mean"][c]) / model["sd"][c] for c in CUES) + model["bias"]
    return float(10 / (1 + np.exp(-z / intensity_calibration().scale)))


def pair_accuracy(rows: list, key) -> tuple:
    """Share of (emotional, same speaker's neutral of the same text) pairs with emotional higher."""
    neutral = {(r["speaker"], r["text"]): r for r in rows if r["emotion"] == "neutral"}
    pairs = [
        (r, neutral[(r["speaker"], r["text"])])
        for r in rows
        if r["emotion"] in HIGH and (r["speaker"], r["text"]) in neutral
    ]
    ok = sum(key(a) > key(b) for a, b in pairs)
    return ok / max(1, len(pairs)), len(pairs)


def run_fit(table: list) -> None:
    dev = [r for r in table if r["speaker"] not in HOLDOUT_SPEAKERS]
    print("leave-one-speaker-out weights (fit on the others, pairs ordered right in the held-out speaker):")
    for speaker in sorted({r["speaker"] for r in dev}):
        model = fit([r for r in dev if r["speaker"] != speaker])
        acc, n = pair_accuracy([r for r in dev if r["speaker"] == speaker], lambda r, m=model: index_with(m, r))
        print(f"  {speaker:5s} {100 * acc:5.1f}% of {n} pairs")
    model = fit(dev)
    model["bias"] = -ordinary_anchor(model)
    data = json.loads(CAL_PATH.read_text("utf-8"))
    data.update({k: {c: round(float(v), 4) for c, v in model[k].items()} for k in ("mean", "sd", "weight")})
    data["bias"] = round(model["bias"], 4)
    CAL_PATH.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    print(f"wrote {CAL_PATH.relative_to(ROOT)}: weights {data['weight']}, bias {data['bias']}")


def crowd_ratings() -> dict:
    """Clip name -> voice-only crowd intensity (0-100)."""
    path = corpus.corpus_dir() / "cremad_ratings" / "summaryTable.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        # ties between two perceived emotions list both levels ("37.2:58.6"): take their mean
        return {
            r["FileName"]: float(np.mean([float(v) for v in r["VoiceLevel"].split(":")])) for r in csv.DictReader(fh)
        }


def validity(table: list) -> None:
    print("validity (emotional above the same speaker's neutral reading of the same text):")
    groups = {
        "tess (dev)": [r for r in table if r["file"].startswith("tess/")],
        "cremad 1001 (dev)": [r for r in table if r["speaker"] == "1001"],
        "cremad 1002 (holdout)": [r for r in table if r["speaker"] == "1002"],
    }
    for name, rows in groups.items():
        acc, n = pair_accuracy(rows, lambda r: r["index"])
        acc_int, _ = pair_accuracy(rows, lambda r: r["intonation"])
        print(f"  {name:22s} intensity {100 * acc:5.1f}%  intonation level {100 * acc_int:5.1f}%  ({n} pairs)")
    print("  mean index by emotion (share scored intense > 6.5):")
    for emo in ("neutral", "sad", "disgust", "happy", "fear", "pleasant_surprise", "angry"):
        v = np.array([r["index"] for r in table if r["emotion"] == emo])
        print(f"    {emo:18s} {np.nanmean(v):4.1f}  ({100 * np.mean(v > 6.5):4.1f}% intense, n={v.size})")
    ratings = crowd_ratings()
    rated = [(r["index"], ratings[Path(r["file"]).stem]) for r in table if Path(r["file"]).stem in ratings]
    if len(rated) >= 3:
        x, y = np.array(rated).T
        from scipy.stats import pearsonr, spearmanr

        print(
            f"  crowd voice-only intensity, {len(rated)} CREMA-D clips: Pearson r = {pearsonr(x, y)[0]:.2f}, "
            f"Spearman rho = {spearmanr(x, y)[0]:.2f}"
        )


def ordinary_speech() -> None:
    """Where ordinary (non-acted) dev speech falls on the scale and against the default target."""
    index = []
    for key in sorted(corpus.dev_labels()):
        if not key.startswith("cremad/"):
            a = analyze_array(*mono(key), key)
            if a is not None and np.isfinite(a.intensity.index):
                index.append(a.intensity.index)
    v = np.array(index)
    p10, p50, p90 = np.percentile(v, [10, 50, 90])
    print(
        f"ordinary dev speech ({v.size} files): index p10 {p10:.1f}, median {p50:.1f}, p90 {p90:.1f}; "
        f"below 3.5: {100 * np.mean(v < 3.5):.0f}%, above 7.5: {100 * np.mean(v > 7.5):.0f}%"
    )


def invariance_files() -> list:
    """Dev files of the corpus plus every 5th TESS file (short expressive speech)."""
    keys = sorted(corpus.dev_labels())
    keys += [f"tess/{name}" for name in sorted(p.name for p in (corpus.corpus_dir() / "tess").glob("*.wav"))[::5]]
    return keys


def invariance() -> None:
    print("invariance (change in scale units; the same for the intonation level):")
    changes = {f"{g:+.0f} dB": [] for g in GAINS_DB} | {"telephone": []}
    skipped = 0
    for key in invariance_files():
        y, sr = mono(key)
        base = analyze_array(y, sr, key)
        if base is None:
            continue
        for g in GAINS_DB:
            if np.abs(y).max() * 10 ** (g / 20) >= 1.0:
                skipped += 1
                continue
            a = analyze_array(y * 10 ** (g / 20), sr, key)
            changes[f"{g:+.0f} dB"].append(_deltas(base, a))
        changes["telephone"].append(_deltas(base, analyze_array(*telephone(y, sr), key)))
    for name, rows in changes.items():
        d = np.array(rows, dtype=float)
        print(
            f"  {name:10s} n={len(d):3d}  intensity max {np.nanmax(d[:, 0]):.2f} mean {np.nanmean(d[:, 0]):.2f}"
            f" | intonation max {np.nanmax(d[:, 1]):.2f} mean {np.nanmean(d[:, 1]):.2f}"
        )
    print(f"  (+6 dB skipped for {skipped} files that would clip)")


def _deltas(base, other) -> tuple:
    if other is None:
        return (np.nan, np.nan)
    return (abs(other.intensity.index - base.intensity.index), abs(other.intonation.level - base.intonation.level))


def separation(table: list) -> None:
    print("separation (intensity vs intonation level, dev material):")
    for emo in ("neutral", "sad", "happy", "angry"):
        rows = [r for r in table if r["emotion"] == emo and r["speaker"] not in HOLDOUT_SPEAKERS]
        print(
            f"  {emo:8s} intensity {np.nanmean([r['index'] for r in rows]):4.1f}"
            f"  intonation {np.nanmean([r['intonation'] for r in rows]):4.1f}"
        )
    key_flat, key_lively = "tess/YAF_back_neutral.wav", "tess/YAF_back_angry.wav"
    for key, gain, what in ((key_flat, 6.0, "flat but loud (+6 dB)"), (key_lively, -20.0, "lively but soft (-20 dB)")):
        y, sr = mono(key)
        a = analyze_array(y * 10 ** (gain / 20), sr, key)
        print(
            f"  {what:26s} {key}: level {a.loudness.speech_level_dbfs:5.1f} dBFS, intensity {a.intensity.index:.1f}"
            f" ({a.intensity.band}), intonation {a.intonation.level:.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", action="store_true", help="refit calibration/intensity.json first")
    args = parser.parse_args()
    if corpus.corpus_dir() is None:
        print("corpus not found; nothing to do")
        return
    table = cue_table(expressive_rows())
    if args.fit:
        run_fit(table)
        intensity_calibration.cache_clear()
        table = cue_table(expressive_rows())
    print(f"calibration {intensity_calibration().version}")
    validity(table)
    ordinary_speech()
    separation(table)
    invariance()


if __name__ == "__main__":
    main()
