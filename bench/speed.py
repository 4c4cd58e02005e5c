"""Speed and memory of the full analysis, with librosa.pyin and Praat in the same run.

Usage: python bench/speed.py [--minutes 10] [--hours 2]

1. Builds a 10-minute 16 kHz mono WAV from corpus speech (or espeak-ng /
   synthetic phrases when the corpus is absent) in a temp folder.
2. Times ``analyze_file`` on it in this process after a warm-up (imports and
   first-call costs excluded), on one core (thread pools pinned to 1).
3. Times Praat's autocorrelation pitch (parselmouth) on the same audio and
   librosa.pyin on a 30 s excerpt (extrapolated), and prints the ratios.
4. Peak memory for a 2-hour recording: a child process analyzes a 2-hour
   WAV and reports its peak RSS (``VmHWM``). ``python -m bench.memory``
   measures 10 min to 10 h, with and without the HTML report.

The machine's other load slows everything alike: compare tonecheck with
the Praat figure of the same run, or run two checkouts back to back.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402

SR = 16000


def speech_material(seconds: float) -> np.ndarray:
    """Real speech from the corpus (dev + holdout audio), tiled to ``seconds``."""
    import soxr

    if corpus.corpus_dir() is None:
        from tests import synth

        y = synth.speechlike_phrases(sr=SR, duration_s=60.0, excursion_st=4.0)
        return np.resize(y, int(seconds * SR)).astype(np.float32)
    parts, total = [], 0
    for path in sorted(corpus.CORPUS.rglob("*.wav")):
        y, sr = sf.read(str(path), dtype="float32", always_2d=True)
        y = soxr.resample(y.mean(axis=1), sr, SR)
        parts.append(y)
        total += len(y)
        if total >= seconds * SR:
            break
    return np.resize(np.concatenate(parts), int(seconds * SR)).astype(np.float32)


def time_call(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def peak_rss_child(code: str) -> tuple:
    """``(peak RSS in MB, seconds)`` of a fresh Python process running ``code``.

    Read from ``VmHWM`` in /proc/self/status, which belongs to the new
    program image: ``ru_maxrss`` would also count the pages this (large)
    parent process had when it forked.
    """
    code += "; print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1]) / 1024, time.perf_counter() - t0


def peak_memory_child(wav: Path) -> float:
    """Peak RSS (MB) of a fresh process analyzing ``wav``."""
    return peak_rss_child(f"from tonecheck.analysis import analyze_file; a=analyze_file({str(wav)!r})")[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    from tonecheck.analysis import analyze_file

    seconds = args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "ten_minutes.wav"
        y = speech_material(seconds)
        sf.write(str(wav), y, SR, subtype="PCM_16")
        analyze_file(str(wav))  # warm-up
        t_ours = time_call(lambda: analyze_file(str(wav)))
        print(f"tonecheck full analysis: {seconds:.0f} s audio in {t_ours:.3f} s = {seconds / t_ours:.0f}x realtime")

        import parselmouth

        snd = parselmouth.Sound(str(wav))
        t_praat = time_call(lambda: snd.to_pitch_ac(time_step=0.01, pitch_floor=75, pitch_ceiling=600), repeats=1)
        print(f"Praat to_pitch_ac (pitch only): {t_praat:.3f} s = {seconds / t_praat:.0f}x realtime")

        import librosa

        excerpt = y[: 30 * SR]
        librosa.pyin(excerpt[:SR], fmin=60, fmax=500, sr=SR)  # warm-up (numba)
        t_pyin = (
            time_call(
                lambda: librosa.pyin(excerpt, fmin=60, fmax=500, sr=SR, frame_length=1024, hop_length=160), repeats=1
            )
            * seconds
            / 30
        )
        print(
            f"librosa.pyin (pitch only, 30 s excerpt extrapolated): {t_pyin:.1f} s = {seconds / t_pyin:.1f}x realtime"
        )
        print(
            f"ratios: tonecheck full analysis is {t_praat / t_ours:.1f}x faster than Praat's pitch alone, "
            f"{t_pyin / t_ours:.0f}x faster than librosa.pyin"
        )

        if not args.skip_memory:
            long_wav = Path(tmp) / "two_hours.wav"
            with sf.SoundFile(str(long_wav), "w", SR, 1, "PCM_16") as fh:
                for _ in range(int(args.hours * 3600 / seconds)):
                    fh.write(y)
            t0 = time.perf_counter()
            rss = peak_memory_child(long_wav)
            took = time.perf_counter() - t0
            print(
                f"{args.hours:g} h recording: peak RSS {rss:.0f} MB (target < 500 MB), "
                f"{took:.1f} s including start-up = {args.hours * 3600 / took:.0f}x realtime"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
