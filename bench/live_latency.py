"""Live-cue latency: a 3-minute recording fed to LiveAnalyzer in 100 ms chunks.

Usage: python -m bench.live_latency [--minutes 3] [--chunk-ms 100] [--fast] [--sr 16000]

1. Builds the recording from corpus speech (``bench.speed.speech_material``),
   or espeak-ng sentences when the corpus is absent (synthetic phrases when
   neither is there), at ``--sr`` Hz.
2. Feeds it to :class:`tonecheck.stream.LiveAnalyzer` chunk by chunk, at
   real-time pace (default: chunk k is fed when its last sample would have
   been captured) or as fast as possible (``--fast``).
3. Prints the compute time of each update (median, 95th percentile, max),
   the latency from a chunk being due to the figures that reflect it, the
   share of one core the updates take at real-time pace, and the time of
   :meth:`LiveAnalyzer.finish` (the full analysis) on the whole recording.

Latency of a chunk = the moment the update that first covers it returns,
minus the moment the chunk was due (real-time mode: measured on the wall
clock, so any lag behind real time counts; ``--fast``: modelled as the
audio waited for the update plus that update's compute time). The newest
chunk of an update waits only for the compute; the oldest also for the
chunks after it. Network, browser and rendering time are not included.
One run, no assertions: the machine is shared, so the load average is printed.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from bench.speed import speech_material  # noqa: E402

ESPEAK_TEXT = (
    "Thank you for calling, this is Sam speaking. How can I help you today? "
    "I am sorry to hear that your card was lost. Let me check that for you right away. "
    "Could you give me the last four digits of the card, please? "
    "Thank you. I have blocked the card, and a new one will reach you within five working days."
)


def material(seconds: float, sr: int) -> tuple[np.ndarray, str]:
    """Speech for the run and where it came from."""
    import soxr

    from tests import synth

    if corpus.corpus_dir() is None and synth.espeak_available():
        y, sr_in = synth.espeak_words(ESPEAK_TEXT, speed_wpm=150)
        y = np.concatenate([y, np.zeros(int(0.8 * sr_in), np.float32)])
        y = soxr.resample(y, sr_in, sr).astype(np.float32)
        return np.resize(y, int(seconds * sr)).astype(np.float32), "espeak-ng sentences"
    y = speech_material(seconds)  # 16 kHz
    if sr != 16000:
        y = soxr.resample(y, 16000, sr).astype(np.float32)
    source = "corpus speech" if corpus.corpus_dir() is not None else "synthetic phrases"
    return y, source


def _due_chunks(ends: list, i: int, t0: float, sr: int) -> int:
    """Real time: wait for chunk ``i``; return the end index of the chunks due by then (a late wake-up
    feeds every chunk already due in one block, as a server draining its queue would)."""
    delay = t0 + ends[i] / sr - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
    now = time.perf_counter() - t0
    j = i + 1
    while j < len(ends) and ends[j] / sr <= now:
        j += 1
    return j


def run(y: np.ndarray, *, sr: int, chunk: int, fast: bool) -> dict:
    """Feed ``y`` in chunks; per update the compute time and the latency of each chunk it covers."""
    from tonecheck.stream import LiveAnalyzer

    live = LiveAnalyzer(sr=sr)
    rec: dict = {"computes": [], "latencies": [], "newest": [], "late": [], "figures": [], "coalesced": 0}
    ends = [*range(chunk, len(y), chunk), len(y)]  # end sample of each chunk
    pending: list = []  # due times (audio s from the start) of chunks not yet covered by an update
    t0, i, fed = time.perf_counter(), 0, 0
    while i < len(ends):
        j = i + 1 if fast else _due_chunks(ends, i, t0, sr)
        rec["coalesced"] += j - i > 1
        pending += [ends[k] / sr for k in range(i, j)]
        tick = time.perf_counter()
        if not fast:
            rec["late"].append(tick - t0 - ends[j - 1] / sr)
        figures = live.feed(y[fed : ends[j - 1]])
        done = time.perf_counter()
        fed, i = ends[j - 1], j
        if figures is None:
            continue
        compute = done - tick
        if fast:  # as if in real time: each chunk waited for the update's audio, then the compute
            lat = [figures.t_s - due + compute for due in pending]
        else:
            lat = [done - t0 - due for due in pending]
        rec["computes"].append(compute)
        rec["latencies"] += lat
        rec["newest"].append(lat[-1])
        rec["figures"].append(figures)
        pending = []
    return {
        "live": live,
        **{k: np.array(v) if k in ("computes", "latencies", "newest", "late") else v for k, v in rec.items()},
    }


def window_spread(figures: list, final) -> None:
    """How far the 10 s figures wander around the whole recording's (once the window is full)."""
    from tonecheck.stream import WINDOW_S

    full = [f for f in figures if f.t_s >= WINDOW_S]
    for name, whole in (("intonation_level", final.intonation.level), ("wpm", final.rate.wpm)):
        x = np.array([getattr(f, name) for f in full], float)
        x = x[np.isfinite(x)]
        if x.size:
            p10, p50, p90 = np.percentile(x, [10, 50, 90])
            print(f"live {name} over full windows: median {p50:.1f}, 10-90% {p10:.1f}-{p90:.1f} (whole: {whole:.1f})")
    batch = {round(w.end_s, 1): w.level for w in final.intonation.windows}
    d = np.array([f.intonation_level - batch[round(f.t_s, 1)] for f in full if round(f.t_s, 1) in batch])
    d = d[np.isfinite(d)]
    if d.size:
        print(
            f"live level - batch window level for the same 10 s ({d.size} windows): "
            f"mean {d.mean():+.2f}, SD {d.std():.2f}, max |diff| {np.abs(d).max():.2f}"
        )
    cues = {}
    for f in figures:
        if f.cue is not None:
            cues[f.cue.key] = cues.get(f.cue.key, 0) + 1
    print(f"updates showing a cue: {sum(cues.values())} of {len(figures)} {cues}")


def compare_with_file(final, live, seconds: float) -> None:
    """Analyze the session saved as a 16-bit WAV, as the page saves it, and compare the headline figures."""
    import tempfile

    from tests import synth
    from tonecheck.analysis import analyze_file

    with tempfile.TemporaryDirectory() as tmp:
        wav = synth.write_wav(Path(tmp) / "live.wav", live.samples, live.sr)
        tick = time.perf_counter()
        saved = analyze_file(wav)
        took = time.perf_counter() - tick
    d_level = abs(final.intonation.level - saved.intonation.level)
    d_rate = abs(final.rate.wpm / saved.rate.wpm - 1)
    print(
        f"analyze_file of the saved 16-bit WAV: {took:.3f} s = {seconds / took:.0f}x realtime; "
        f"level {saved.intonation.level:.1f} (diff {d_level:.2f}), {saved.rate.wpm:.0f} wpm (diff {d_rate:.2%})"
    )


def _stats(x: np.ndarray) -> str:
    return f"median {np.median(x):.3f} s, p95 {np.percentile(x, 95):.3f} s, max {x.max():.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--chunk-ms", type=float, default=100.0)
    parser.add_argument("--sr", type=int, default=16000)
    parser.add_argument("--fast", action="store_true", help="feed as fast as possible (latency modelled)")
    args = parser.parse_args()
    from tonecheck.analysis import analyze
    from tonecheck.audio import from_array

    seconds = args.minutes * 60
    y, source = material(seconds, args.sr)
    analyze(from_array(y[: 10 * args.sr], sr=args.sr))  # warm-up: imports, calibrations, first-call costs
    chunk = int(round(args.chunk_ms / 1000 * args.sr))
    mode = "as fast as possible (latency modelled)" if args.fast else "real-time pace (latency on the wall clock)"
    print(f"{seconds:.0f} s of {source} at {args.sr} Hz, {args.chunk_ms:g} ms chunks, {mode}")
    print(f"load average before: {' '.join(f'{v:.1f}' for v in os.getloadavg())} (2 cores shared)")
    out = run(y, sr=args.sr, chunk=chunk, fast=args.fast)
    computes, lat = out["computes"], out["latencies"]
    from tonecheck.stream import UPDATE_S, WINDOW_S

    print(f"updates: {len(computes)} ({len(computes) / seconds:.1f} per audio second; update_s {UPDATE_S} s)")
    print(f"compute per update ({WINDOW_S:g} s window): {_stats(computes)}")
    print(f"  = {computes.sum() / seconds:.0%} of one core at real-time pace")
    print(f"latency chunk -> figures, every chunk: {_stats(lat)}; {np.mean(lat < 0.5):.1%} under 0.5 s")
    print(f"latency chunk -> figures, newest chunk of each update: {_stats(out['newest'])}")
    if len(out["late"]):
        print(
            f"feed started after its newest chunk was due (scheduling on the loaded machine): {_stats(out['late'])}; "
            f"{out['coalesced']} feeds coalesced chunks that were already due"
        )
    tick = time.perf_counter()
    final = out["live"].finish()
    took = time.perf_counter() - tick
    print(
        f"finish() full analysis of {seconds:.0f} s: {took:.3f} s = {seconds / took:.0f}x realtime "
        f"(level {final.intonation.level:.1f}, {final.rate.wpm:.0f} wpm)"
    )
    window_spread(out["figures"], final)
    compare_with_file(final, out["live"], seconds)
    print(f"load average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
