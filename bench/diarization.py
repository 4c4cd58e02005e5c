"""Diarization error of the one-channel path (tonecheck.diarize) on the dev calls, and its speed.

Usage: python bench/diarization.py [--collar-s 0.25] [--method classical|resemblyzer] [--speed] [--synthetic]

DER is pyannote.metrics' ``DiarizationErrorRate`` (missed speech + false
alarm + speaker confusion, over reference speech time), with a forgiveness
collar of ``--collar-s`` on each side of every reference boundary
(pyannote's ``collar`` is the total width, so 0.25 s each side is
``collar=0.5``) and overlapped speech scored (``skip_overlap=False``).
The hypothesis is :func:`tonecheck.diarize.diarize` run on the analysis's own
speech mask, so the DER includes the speech detector's misses and false
alarms as well as the speaker confusion; the components are printed apart.

Truth per file (../shared/corpus/calls, SOURCES.md "Added 2026-11-23"):

- ``pyannote_call.wav``: ``pyannote_call.rttm``.
- ``ami_dev00``, ``ami_dev01``: ``debug.development.rttm``; ``ami_trn03``: ``debug.train.rttm``.
- ``aws_mono``: ``Auto_Repairs_40_UTC_agent.wav`` + ``_caller.wav`` mixed to mono;
  truth is each file's own speech activity (tonecheck's detector on each
  clean side: the sides carry no crosstalk).
- ``google_commercial.wav``: the vendor's 9 turns carry text and order but no
  times.  The reference aligns them to the speech runs of the file by order
  (``GOOGLE_TURNS`` below, written by hand from the word counts and timing);
  four short runs that the vendor transcript does not account for are left
  out of the scored region (UEM).  This truth is weaker than the others.

``--synthetic`` joins clips of two en_rate speakers (24 random pairs, turns
alternating with 0.2-1.0 s gaps) and reports the frame accuracy, and joins
each speaker's own clips to check that one voice is not split.

``--speed`` times ``diarize`` alone on a 10-minute mono signal that
alternates speech of the two AWS call sides (one core, after a warm-up).
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tonecheck.audio import from_array, load_audio  # noqa: E402
from tonecheck.diarize import diarize, speech_mask  # noqa: E402
from tonecheck.speech import runs  # noqa: E402

CALLS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "calls"
HOP_S = 0.01
RTTM_FILES = {
    "pyannote_call": ("pyannote_call.wav", "pyannote_call.rttm", "sample"),
    "ami_dev00": ("ami_dev00.wav", "debug.development.rttm", "dev00"),
    "ami_dev01": ("ami_dev01.wav", "debug.development.rttm", "dev01"),
    "ami_trn03": ("ami_trn03.wav", "debug.train.rttm", "trn03"),
}
GOOGLE_TURNS = (
    # (start_s, end_s, speaker): vendor turns 1-9 on the speech runs of google_commercial.wav
    (4.64, 8.70, "customer"),  # 1 hi I'd like to buy a Chromecast ... help me with that
    (10.45, 13.83, "agent"),  # 2 certainly which color would you like ...
    (15.49, 16.59, "customer"),  # 3 uh let's go with the black one
    (19.41, 23.16, "agent"),  # 4 would you like the new Chromecast Ultra model ...
    (24.78, 26.96, "customer"),  # 5 regular Chromecast is fine thank you
    (28.89, 32.26, "agent"),  # 6 okay sure would you like to ship it regular or Express
    (33.93, 34.68, "customer"),  # 7 Express please
    (36.61, 39.11, "agent"),  # 8 terrific it's on the way thank you
    (40.49, 41.07, "customer"),  # 9 thank you very much bye
)
GOOGLE_UNSCORED = ((2.2, 3.0), (18.3, 19.1), (39.7, 40.25), (42.3, 42.8))
"""Short runs the vendor turns do not account for (or that may belong to either neighbour)."""


def _annotation(segments):
    from pyannote.core import Annotation, Segment

    ann = Annotation()
    for i, (start, end, who) in enumerate(segments):
        ann[Segment(start, end), f"t{i}"] = who
    return ann


def _read_rttm(path: Path, file_id: str) -> list:
    out = []
    for line in path.read_text("utf-8").splitlines():
        f = line.split()
        if len(f) > 7 and f[0] == "SPEAKER" and f[1] == file_id:
            out.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return out


def _label_segments(labels: np.ndarray) -> list:
    return [(a * HOP_S, b * HOP_S, f"spk{k}") for k in (0, 1) for a, b in runs(labels == k)]


def _mask_segments(mask: np.ndarray, who: str) -> list:
    return [(a * HOP_S, b * HOP_S, who) for a, b in runs(mask)]


def dev_calls() -> list:
    """``(name, Audio, reference segments, scored regions)`` for each dev call (whole file unless noted)."""
    out = []
    for name, (wav, rttm, file_id) in RTTM_FILES.items():
        audio = load_audio(CALLS / wav)
        out.append((name, audio, _read_rttm(CALLS / rttm, file_id), [(0.0, audio.duration_s)]))
    agent = load_audio(CALLS / "Auto_Repairs_40_UTC_agent.wav")
    caller = load_audio(CALLS / "Auto_Repairs_40_UTC_caller.wav")
    ref = _mask_segments(speech_mask(agent), "agent") + _mask_segments(speech_mask(caller), "caller")
    mono = 0.5 * (np.asarray(agent.samples) + np.asarray(caller.samples))
    out.append(("aws_mono", from_array(mono, sr=agent.sr, path="aws_mono"), ref, [(0.0, agent.duration_s)]))
    google = load_audio(CALLS / "google_commercial.wav")
    uem = _uem_without(google.duration_s, GOOGLE_UNSCORED)
    out.append(("google_commercial", google, list(GOOGLE_TURNS), uem))
    return out


def _uem_without(duration_s: float, holes) -> list:
    edges = [0.0] + [t for hole in holes for t in hole] + [duration_s]
    return list(zip(edges[::2], edges[1::2]))


def _hypothesis(audio, method: str):
    speech = speech_mask(audio)
    if method == "resemblyzer":
        from bench.diarize_resemblyzer import diarize_resemblyzer

        return diarize_resemblyzer(audio, speech=speech)
    return diarize(audio, speech=speech)


def evaluate(method: str, collar_s: float) -> None:
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    total = DiarizationErrorRate(collar=2 * collar_s, skip_overlap=False)
    print(f"method={method} collar={collar_s} s each side, overlap scored")
    print(
        f"{'file':<18} {'DER%':>6} {'miss%':>6} {'FA%':>6} {'conf%':>6} {'ref_s':>6} {'voices':>6} {'confidence':>10}"
    )
    for name, audio, ref_segments, uem_segments in dev_calls():
        result = _hypothesis(audio, method)
        ref, hyp = _annotation(ref_segments), _annotation(_label_segments(result.labels))
        uem = Timeline([Segment(a, b) for a, b in uem_segments])
        one = DiarizationErrorRate(collar=2 * collar_s, skip_overlap=False)
        c = one(ref, hyp, uem=uem, detailed=True)
        total(ref, hyp, uem=uem)
        t = c["total"]
        first = one.optimal_mapping(ref, hyp).get("spk0") == min(ref_segments)[2]  # voice 0 = who truly speaks first
        print(
            f"{name:<18} {100 * c['diarization error rate']:6.1f} {100 * c['missed detection'] / t:6.1f} "
            f"{100 * c['false alarm'] / t:6.1f} {100 * c['confusion'] / t:6.1f} {t:6.1f} {result.n_voices:>6} "
            f"{result.confidence:10.2f} {'yes' if first else 'no'}"
        )
    d = total[:]
    print(f"{'overall':<18} {100 * abs(total):6.1f}  (pooled over {d['total']:.0f} s of reference speech)")


def ten_minute_call() -> tuple:
    """10 min of mono speech alternating stretches of the two AWS call sides, and the side per frame.

    Returns ``(Audio, side)``: ``side`` is 0 (agent) or 1 (caller) on the
    frames of each stretch and -1 in the 0.2-1.0 s gaps between them.
    """
    sides = [load_audio(CALLS / f"Auto_Repairs_40_UTC_{who}.wav") for who in ("agent", "caller")]
    sr = sides[0].sr
    hop = int(round(HOP_S * sr))
    pieces = []
    for audio in sides:
        y, mask = np.asarray(audio.samples), speech_mask(audio)
        pieces.append([y[a * hop : b * hop] for a, b in runs(mask) if b - a > 50])
    rng = np.random.default_rng(0)
    out, who, n, turn = [], [], 0, 0
    while n < 600 * sr:
        chunk = pieces[turn % 2][rng.integers(len(pieces[turn % 2]))]
        gap = np.zeros(int(rng.uniform(0.2, 1.0) * sr), np.float32)
        out += [chunk, gap]
        who += [np.full(chunk.size, turn % 2, np.int8), np.full(gap.size, -1, np.int8)]
        n += chunk.size + gap.size
        turn += 1
    y, side = np.concatenate(out)[: 600 * sr], np.concatenate(who)[: 600 * sr]
    frames = np.full(1 + y.size // hop, -1, np.int8)
    frames[: side[::hop].size] = side[::hop]
    return from_array(y, sr=sr, path="ten_minutes"), frames


def speed(method: str) -> None:
    """CPU time of the diarizer alone on :func:`ten_minute_call`, and its frame accuracy there."""
    audio, side = ten_minute_call()
    speech = speech_mask(audio)
    _hypothesis(from_array(np.asarray(audio.samples)[: 30 * audio.sr], sr=audio.sr), method)  # warm-up
    t0 = time.process_time()
    if method == "resemblyzer":
        from bench.diarize_resemblyzer import diarize_resemblyzer

        result = diarize_resemblyzer(audio, speech=speech)
    else:
        result = diarize(audio, speech=speech)
    cpu_s = time.process_time() - t0
    from tonecheck.analysis import analyze

    analyze(from_array(np.asarray(audio.samples)[: 30 * audio.sr], sr=audio.sr))  # warm-up
    t0 = time.process_time()
    analyze(audio)
    analysis_s = time.process_time() - t0
    scored = (side >= 0) & (result.labels >= 0)
    agree = np.mean(result.labels[scored] == side[scored])
    print(
        f"{method}: diarize() on {audio.duration_s:.0f} s mono: {cpu_s:.2f} s CPU "
        f"({audio.duration_s / cpu_s:.0f}x realtime), voices={result.n_voices}, confidence={result.confidence:.2f}, "
        f"frame accuracy {100 * max(agree, 1 - agree):.1f}% on {scored.sum() * HOP_S:.0f} s"
    )
    total_s = cpu_s + analysis_s
    print(
        f"with the one-voice analysis of the same signal ({analysis_s:.2f} s CPU): {total_s:.2f} s "
        f"({audio.duration_s / total_s:.0f}x realtime)"
    )


def _speaker_clips(n_clips: int = 8) -> dict:
    """Up to ``n_clips`` trimmed clips (8 kHz, peak 0.3) per en_rate speaker with at least 6 clips."""
    import csv

    import soundfile as sf
    import soxr

    root = CALLS.parent / "en_rate"
    files: dict = {}
    with open(root / "labels.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            files.setdefault(row["speaker"], []).append(row["file"])
    out = {}
    for speaker, names in sorted(files.items()):
        if len(names) < 6:
            continue
        clips = []
        for name in names[:n_clips]:
            y, sr = sf.read(str(root / name), dtype="float32", always_2d=True)
            y = soxr.resample(y.mean(1), sr, 8000)
            loud = np.flatnonzero(np.abs(y) > 0.02 * np.abs(y).max())
            clips.append(0.3 * y[max(loud[0] - 400, 0) : loud[-1] + 400] / np.abs(y).max())
        out[speaker] = clips
    return out


def _alternate(seq, rng) -> tuple:
    """Clips ``(voice, samples)`` joined with 0.2-1.0 s gaps, and the voice per 10 ms frame (-1 in gaps)."""
    ys, who = [], []
    for k, y in seq:
        gap = np.zeros(int(rng.uniform(0.2, 1.0) * 8000), np.float32)
        ys += [y, gap]
        who += [np.full(y.size, k, np.int8), np.full(gap.size, -1, np.int8)]
    y, w = np.concatenate(ys), np.concatenate(who)
    frames = np.full(1 + y.size // 80, -1, np.int8)
    frames[: w[::80].size] = w[::80]
    return from_array(y, sr=8000, path="synthetic"), frames


def synthetic(n_pairs: int = 24) -> None:
    """Frame accuracy on two-speaker calls joined from en_rate clips, and the one-voice rule on one speaker's clips."""
    clips = _speaker_clips()
    names = sorted(clips)
    rng = np.random.default_rng(1)
    accuracy, split, first = [], 0, 0
    for _ in range(n_pairs):
        i, j = rng.choice(len(names), 2, replace=False)
        a, b = clips[names[i]], clips[names[j]]
        seq = [(t % 2, (a, b)[t % 2][t // 2]) for t in range(2 * min(len(a), len(b)))]
        audio, truth = _alternate(seq, rng)
        result = diarize(audio, speech=speech_mask(audio))
        scored = (truth >= 0) & (result.labels >= 0)
        agree = np.mean(result.labels[scored] == truth[scored])
        accuracy.append(max(agree, 1 - agree))
        split += result.n_voices == 2
        first += agree > 0.5  # voice 0 is the speaker of the first clip
    kept = sum(
        diarize(audio, speech=speech_mask(audio)).n_voices == 1
        for audio, _ in (_alternate([(0, y) for y in clips[n]], rng) for n in names)
    )
    acc = 100 * np.array(accuracy)
    print(
        f"synthetic two-speaker calls ({n_pairs} en_rate pairs): frame accuracy mean {acc.mean():.1f}%, "
        f"min {acc.min():.0f}%, {np.sum(acc < 90)} below 90%; split {split}/{n_pairs}; voice 0 speaks first {first}/{n_pairs}"
    )
    print(f"one speaker's clips joined: kept as one voice {kept}/{len(names)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collar-s", type=float, default=0.25)
    parser.add_argument("--method", choices=("classical", "resemblyzer"), default="classical")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--synthetic", action="store_true", help="also two-speaker calls joined from en_rate clips")
    args = parser.parse_args()
    if not CALLS.is_dir():
        print(f"corpus not found at {CALLS}; nothing to measure")
        return
    evaluate(args.method, args.collar_s)
    if args.speed:
        speed(args.method)
    if args.synthetic:
        synthetic()


if __name__ == "__main__":
    main()
