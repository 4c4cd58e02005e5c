"""Peak memory and speed of ``tonecheck analyze`` on long recordings.

Usage, from the repository root::

    python -m bench.memory                 # 10 min, 2 h, 10 h (8 kHz mono) and 3 h (48 kHz stereo)
    python -m bench.memory --quick         # only the 10-minute file: a few seconds
    python -m bench.memory --cases 10min,2h
    python -m bench.memory --root /tmp/base-checkout   # measure another checkout (e.g. a git worktree of HEAD)
    python -m bench.memory --no-report     # skip the runs with --report

For each case a synthetic speech-like recording (``tests.synth.speechlike_phrases``:
voiced phrases with syllabic amplitude dips, a moving pitch and pauses) is
generated once for two minutes and tiled to length, written block by block
as a 16-bit WAV in a temporary folder (so this script stays small: its own
memory would otherwise leak into the child's ``ru_maxrss``).  ``tonecheck
analyze --json FILE`` then runs in a fresh process, once without and once
with ``--report`` to a temporary HTML file, on one core (thread pools
pinned to 1).  Printed per run: peak resident memory (``/usr/bin/time -v``
"Maximum resident set size", or ``os.wait4``'s ``ru_maxrss`` when
``/usr/bin/time`` is missing), wall seconds including interpreter start-up
and x realtime.  Each WAV is deleted after its runs.

Disk: the 10 h 8 kHz file takes 576 MB and the analysis spills its 1.15 GB
float32 signal to an unlinked temporary file; the 3 h 48 kHz stereo file
takes 2.1 GB.  Cases that do not fit in the free space of ``--tmp`` (or of
the system temp folder the analysis spills to) are skipped with a message.

The goal (issue 8, item 14): under 500 MB for 10 h, with or without the report.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 500.0
TILE_S = 120.0
"""Length of the generated material that is tiled to the recording length, s."""
WRITE_BLOCK_S = 60.0
ANALYSIS_SR = 8000
SINGLE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


@dataclass(frozen=True)
class Case:
    name: str
    seconds: float
    sr: int
    channels: int

    def wav_bytes(self) -> int:
        return int(self.seconds * self.sr * self.channels * 2)

    def spill_bytes(self) -> int:
        return int(self.seconds * ANALYSIS_SR * 4)


CASES = {
    "10min": Case("10 min 8 kHz mono", 600.0, 8000, 1),
    "2h": Case("2 h 8 kHz mono", 7200.0, 8000, 1),
    "10h": Case("10 h 8 kHz mono", 36000.0, 8000, 1),
    "3h48k": Case("3 h 48 kHz stereo", 10800.0, 48000, 2),
}


def material(sr: int, channels: int) -> np.ndarray:
    """``TILE_S`` seconds of speech-like phrases, (frames, channels) float32."""
    sys.path.insert(0, str(ROOT))
    from tests import synth

    parts = [
        synth.speechlike_phrases(sr=sr, duration_s=TILE_S / 3, excursion_st=st, f0_hz=f0)
        for st, f0 in ((3.0, 110.0), (6.0, 190.0), (9.0, 140.0))
    ]
    y = np.concatenate(parts)
    if channels == 1:
        return y[:, None]
    return np.stack([y * (0.9**k) for k in range(channels)], axis=1).astype(np.float32)


def write_recording(path: Path, case: Case) -> None:
    """Tile :func:`material` to ``case.seconds``, writing one block at a time."""
    tile = material(case.sr, case.channels)
    total = int(case.seconds * case.sr)
    block = int(WRITE_BLOCK_S * case.sr)
    with sf.SoundFile(str(path), "w", case.sr, case.channels, "PCM_16", format="WAV") as fh:
        done = 0
        while done < total:
            n = min(block, total - done)
            idx = (np.arange(done, done + n) % len(tile)).astype(np.int64)
            fh.write(tile[idx])
            done += n


def run_analyze(root: Path, wav: Path, report: Path | None) -> tuple[float, float]:
    """Peak RSS (MB) and wall seconds of one ``tonecheck analyze --json`` child."""
    env = dict(os.environ, PYTHONPATH=str(root))
    env.update({var: "1" for var in SINGLE_THREAD})
    cmd = [sys.executable, "-m", "tonecheck", "analyze", "--json", str(wav)]
    if report is not None:
        cmd += ["--report", str(report)]
    timer = Path("/usr/bin/time").exists()
    start = time.perf_counter()
    if timer:
        res = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, cwd=root, capture_output=True, text=True)
        took = time.perf_counter() - start
        if res.returncode != 0:
            raise RuntimeError(f"tonecheck failed on {wav.name}: {res.stderr.strip().splitlines()[-3:]}")
        kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", res.stderr)
        return int(kb.group(1)) / 1024, took
    proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"tonecheck failed on {wav.name}: {proc.stderr.read().decode()[-300:]}")
    return usage.ru_maxrss / 1024, took


def fits(case: Case, folder: Path) -> str | None:
    """Why ``case`` does not fit on disk, or None."""
    need = {folder: case.wav_bytes(), Path(tempfile.gettempdir()): case.spill_bytes()}
    free = {}
    for where, size in need.items():
        dev = os.stat(where).st_dev
        free.setdefault(dev, [shutil.disk_usage(where).free, 0])[1] += size
    for space, size in free.values():
        if size * 1.1 > space:
            return f"needs {size / 1e9:.1f} GB of disk, {space / 1e9:.1f} GB free"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="10min,2h,10h,3h48k", help=f"comma-separated, from {', '.join(CASES)}")
    parser.add_argument("--quick", action="store_true", help="only the 10-minute case")
    parser.add_argument("--no-report", action="store_true", help="skip the runs with --report")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose tonecheck is measured")
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the generated WAVs")
    args = parser.parse_args()
    names = ["10min"] if args.quick else [n.strip() for n in args.cases.split(",") if n.strip()]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    print(f"tonecheck at {args.root}; peak RSS target < {TARGET_MB:.0f} MB; seconds include start-up")
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="tonecheck-memory-") as tmp:
        folder = Path(tmp)
        for name in names:
            case = CASES[name]
            why = fits(case, folder)
            if why:
                print(f"{case.name}: skipped ({why})")
                continue
            wav = folder / f"{name}.wav"
            write_recording(wav, case)
            try:
                for report in [None] if args.no_report else [None, folder / f"{name}.html"]:
                    rss_mb, took = run_analyze(args.root, wav, report)
                    label = "with --report" if report else "analysis only"
                    verdict = "ok" if rss_mb < TARGET_MB else "OVER"
                    print(
                        f"{case.name:20s} {label:14s} peak RSS {rss_mb:7.0f} MB {verdict:4s} "
                        f"{took:7.1f} s = {case.seconds / took:6.0f}x realtime",
                        flush=True,
                    )
            finally:
                wav.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
