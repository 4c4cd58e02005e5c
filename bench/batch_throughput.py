"""Batch throughput on all cores against one core's single-file speed.

Usage: python -m bench.batch_throughput [--count 200] [--minutes 3]

Synthesizes ``count`` recordings of ``minutes`` each (speech-like phrases,
three agents) into a temp folder, times ``analyze_one`` sequentially on a
few of them in this process (single-file speed), then times
``tonecheck batch --jobs <cores>`` on all of them in a child process and
prints throughput / (cores x single-file speed) (target >= 80 %) and the
peak RSS of the largest worker (VmHWM via RUSAGE_CHILDREN of the child).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

from tests import synth
from tonecheck.analysis import Settings
from tonecheck.batch import analyze_one, find_recordings

SR = 16000
ROOT = Path(__file__).resolve().parents[1]


def make_folder(root: Path, count: int, minutes: float) -> None:
    base = {exc: synth.speechlike_phrases(sr=SR, duration_s=minutes * 60, excursion_st=exc) for exc in (2.0, 4.0, 6.0)}
    for i in range(count):
        agent = root / f"agent{i % 3}"
        agent.mkdir(exist_ok=True)
        y = base[(2.0, 4.0, 6.0)[i % 3]] * (0.5 + 0.5 * (i % 7) / 7)
        sf.write(agent / f"2026-11-20_{9 + i // 60:02d}{i % 60:02d}.wav", y, SR, subtype="PCM_16")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=3.0)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "team", Path(tmp) / "out"
        folder.mkdir()
        make_folder(folder, args.count, args.minutes)
        recs = find_recordings([folder], out_dir=out)
        single = Path(tmp) / "single" / "calls"
        single.mkdir(parents=True)
        analyze_one(recs[0], single, Settings(), None, "en")  # warm-up
        sample = recs[1:6]
        t0 = time.perf_counter()
        for rec in sample:
            analyze_one(rec, single, Settings(), None, "en")
        per_file = (time.perf_counter() - t0) / len(sample)
        t0 = time.perf_counter()
        code = (
            "import resource, sys; from tonecheck.cli import cli\n"
            "try:\n    cli(sys.argv[1:])\nexcept SystemExit: pass\n"
            "print('RSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
        )
        run = subprocess.run(
            [sys.executable, "-c", code, "batch", str(folder), "--out", str(out), "--jobs", str(cores)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
        rss = [line.split()[1] for line in run.stdout.splitlines() if line.startswith("RSS")]
        ideal = cores / per_file
        actual = len(recs) / wall
        print(f"{len(recs)} recordings x {args.minutes:g} min, {cores} cores")
        print(
            f"single file (analysis + JSON + HTML report): {per_file:.2f} s = {args.minutes * 60 / per_file:.0f}x realtime"
        )
        print(
            f"batch --jobs {cores}: {wall:.1f} s wall (incl. worker start-up) = {actual:.2f} files/s; "
            f"ideal {ideal:.2f} files/s; efficiency {100 * actual / ideal:.0f} % (target >= 80 %)"
        )
        print(f"peak RSS of the largest worker: {float(rss[0]) if rss else float('nan'):.0f} MB")


if __name__ == "__main__":
    main()
