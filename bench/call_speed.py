"""Speed and memory of two-party call analysis, one voice in the same run for comparison.

Usage: python bench/call_speed.py [--minutes 10] [--hours 1] [--skip-memory]

1. Builds a 10-minute semi-synthetic call (bench/call_synthesis.py: two
   corpus speakers, crosstalk, telephone channel, 8 kHz) in a temp folder:
   the stereo file and its mono mix.
2. Times, in this process after a warm-up on a short call (imports and
   first-call costs excluded), pinned to one core (CPU affinity and thread
   pools): ``analyze_call_file(stereo, agent="left")`` (target >= 500x
   realtime), ``analyze_call_file(mono, agent="first")`` with diarization
   (target >= 100x) and ``analyze_file`` on the mono file as one voice (the
   1000x figure of bench/speed.py on this audio).
3. Peak memory: a fresh child process per input analyzes an ``--hours``
   long call (the 10-minute call repeated) and reports its peak RSS
   (``VmHWM``, as bench/speed.py), beside one voice on the same mono file.

The machine's other load slows everything alike: compare the ratios of
one run, or run two checkouts back to back.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import soundfile as sf  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import call_synthesis as cs  # noqa: E402
from bench.speed import peak_rss_child, time_call  # noqa: E402

CALL_INDEX = 2
"""Which planned call (seed 11) is stretched to the benchmark length: English, two speechocean762 speakers."""


def build(folder: Path, length_s: float) -> Path:
    """One planned call stretched to ``length_s``; returns its folder."""
    pools = cs.eligible_pools(cs.speaker_clips(cs.corpus_dir()))
    spec = cs.plan_calls(pools, n_calls=CALL_INDEX + 1, seed=11)[CALL_INDEX]
    spec = dataclasses.replace(spec, length_s=length_s, call_id=f"call_{length_s:.0f}s")
    cs.build_call(spec, pools, folder)
    return folder / spec.call_id


def repeat_file(src: Path, dst: Path, times: int) -> None:
    """``dst`` = ``src`` played ``times`` times in a row (written in blocks)."""
    y, sr = sf.read(str(src), dtype="int16")
    with sf.SoundFile(str(dst), "w", sr, 1 if y.ndim == 1 else y.shape[1], "PCM_16") as fh:
        for _ in range(times):
            fh.write(y)


def memory(folder: Path, tmp: Path, hours: float, minutes: float) -> None:
    times = max(1, round(hours * 60 / minutes))
    long = {"stereo": tmp / "long_stereo.wav", "mono": tmp / "long_mono.wav"}
    repeat_file(folder / "stereo.wav", long["stereo"], times)
    repeat_file(folder / "mono.wav", long["mono"], times)
    seconds = sf.info(str(long["mono"])).duration
    jobs = {
        "stereo call": f"from tonecheck.call import analyze_call_file; analyze_call_file({str(long['stereo'])!r}, agent='left')",
        "mono call (diarized)": f"from tonecheck.call import analyze_call_file; analyze_call_file({str(long['mono'])!r}, agent='first')",
        "one voice (mono file)": f"from tonecheck.analysis import analyze_file; analyze_file({str(long['mono'])!r})",
    }
    for name, code in jobs.items():
        rss, took = peak_rss_child(code)
        print(
            f"{seconds / 3600:.2f} h {name}: peak RSS {rss:.0f} MB, {took:.1f} s including start-up "
            f"= {seconds / took:.0f}x realtime"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if cs.corpus_dir() is None:
        print(f"{cs.CORPUS}: corpus not found; the call benchmark builds its calls from it")
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from tonecheck.analysis import analyze_file
    from tonecheck.call import analyze_call_file

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        folder = build(tmp, args.minutes * 60)
        warm = build(tmp, 40.0)
        seconds = sf.info(str(folder / "stereo.wav")).duration
        print(f"built a {seconds:.0f} s call in {time.perf_counter() - t0:.0f} s")
        analyze_call_file(warm / "stereo.wav", agent="left")
        analyze_call_file(warm / "mono.wav", agent="first")
        analyze_file(str(warm / "mono.wav"))
        runs = {
            "stereo call, analyze_call_file(agent='left')": (
                lambda: analyze_call_file(folder / "stereo.wav", agent="left"),
                500,
            ),
            "mono call, diarized, analyze_call_file(agent='first')": (
                lambda: analyze_call_file(folder / "mono.wav", agent="first"),
                100,
            ),
            "one voice, analyze_file on the mono mix": (lambda: analyze_file(str(folder / "mono.wav")), 1000),
        }
        took = {}
        for name, (fn, target) in runs.items():
            took[name] = time_call(fn, 3)
            print(
                f"{name}: {seconds:.0f} s in {took[name]:.3f} s = {seconds / took[name]:.0f}x realtime (target {target}x)"
            )
        one = took["one voice, analyze_file on the mono mix"]
        print(
            "ratios to one voice in this run: "
            + ", ".join(f"{n.split(',')[0]} {took[n] / one:.2f}x the time" for n in list(runs)[:2])
        )
        if not args.skip_memory:
            memory(folder, tmp, args.hours, args.minutes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
