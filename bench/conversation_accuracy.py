"""Two-party call accuracy against exact truth, and agreement of the three inputs on a real call.

Usage: python bench/conversation_accuracy.py [--calls 16] [--seed 11] [--calls-dir DIR] [--no-mono] [--no-real]

1. Builds semi-synthetic calls (bench/call_synthesis.py) in a temp folder
   (or reuses ``--calls-dir`` when it already holds them) and analyzes each
   three ways: the stereo file (``analyze_call_file(agent="left")``), the
   two party files (``analyze_call_files``: each party alone, no crosstalk)
   and the mono mix (``analyze_call_file(agent="first")``, diarized;
   ``"second"`` when the caller speaks first).
2. Scores against the truth: talk share (target within 2 percentage
   points), median response gap (within 0.1 s), interruptions and
   backchannels (F1 >= 0.9 on stereo; a detection matches a true event of
   the same party when the two overlap, each widened by 0.5 s), each
   party's wpm error (absolute percent) beside the single-speaker error on
   the same speech (the party's own turns cut from its file and joined,
   analyzed as one voice), and the rate verdict (tolerance band 0.85-1.15
   of agent/caller; scored strictly where the true ratio is beyond twice
   the tolerance, < 0.70 or > 1.30).
3. The real AWS call (corpus calls/Auto_Repairs_40_UTC_*; no transcript):
   two files, the two combined into one stereo file, and mixed to mono;
   reports how far the three agree (talk share, turns, rates).

Numbers are reported, not asserted: the exit status is non-zero only when
an analysis fails with an error.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import call_synthesis as cs  # noqa: E402
from tonecheck.analysis import Settings, analyze  # noqa: E402
from tonecheck.audio import from_array  # noqa: E402
from tonecheck.call import analyze_call_file, analyze_call_files  # noqa: E402

MATCH_TOLERANCE_S = 0.5
BAND = (0.85, 1.15)
"""The rate-match tolerance (targets.json ``rate_match_ratio``)."""
STRICT = (0.70, 1.30)
"""Twice the tolerance: the verdict must be right beyond these ratios."""
PATHS = ("stereo", "two-file", "mono")
AWS = ("calls/Auto_Repairs_40_UTC_agent.wav", "calls/Auto_Repairs_40_UTC_caller.wav")


def verdict(ratio: float) -> str:
    """``"below"``, ``"within"`` or ``"above"`` the tolerance band."""
    return "below" if ratio < BAND[0] else "above" if ratio > BAND[1] else "within"


def match_events(truth: list, found: list, *, end_key: str = "end_s") -> tuple:
    """``(tp, fp, fn, start errors)``: one-to-one matching by overlap widened by ``MATCH_TOLERANCE_S``."""
    used, errors, tp = set(), [], 0
    for t in truth:
        best, best_ov = None, 0.0
        for j, f in enumerate(found):
            if j in used or f.speaker != t["speaker"]:
                continue
            ov = min(t[end_key], f.end_s) - max(t["start_s"], f.start_s) + 2 * MATCH_TOLERANCE_S
            if ov > best_ov:
                best, best_ov = j, ov
        if best is not None:
            used.add(best)
            tp += 1
            errors.append(found[best].start_s - t["start_s"])
    return tp, len(found) - len(used), len(truth) - tp, errors


def run_paths(folder: Path, truth: dict, *, mono: bool) -> dict:
    """``{path: Conversation or error text}`` for the stereo, two-file and mono inputs."""
    settings = Settings(language=truth["spec"]["language"])
    first = "first" if truth["first_speaker"] == "agent" else "second"
    jobs = {
        "stereo": lambda: analyze_call_file(folder / "stereo.wav", agent="left", settings=settings),
        "two-file": lambda: analyze_call_files(folder / "agent.wav", folder / "caller.wav", settings=settings),
        "mono": lambda: analyze_call_file(folder / "mono.wav", agent=first, settings=settings),
    }
    out = {}
    for name, job in jobs.items():
        if name == "mono" and not mono:
            continue
        t0 = time.perf_counter()
        try:
            out[name] = job()
        except Exception:  # a benchmark reports every failure and carries on; exit status says so
            out[name] = traceback.format_exc(limit=3).strip().splitlines()[-1]
        out[name + "_s"] = time.perf_counter() - t0
    return out


def single_speaker_wpm(folder: Path, truth: dict, party: str) -> float:
    """wpm tonecheck measures on the party's own turns (from its own file) joined, as one voice."""
    y, sr = sf.read(str(folder / f"{party}.wav"), dtype="float32")
    parts = [y[int(t["start_s"] * sr) : int(t["end_s"] * sr)] for t in truth["turns"] if t["speaker"] == party]
    audio = from_array(np.concatenate(parts), sr=sr, path=f"{folder.name}/{party}-turns")
    return analyze(audio, settings=Settings(language=truth["spec"]["language"])).rate.wpm


def score(conv, truth: dict) -> dict:
    """One analysis against the truth."""
    tt = conv.turn_taking
    parties = truth["parties"]
    row = {
        "share_err_pp": 100 * abs(tt.talk_share.get("agent", math.nan) - truth["talk_share"]["agent"]),
        "gap_err_s": abs(tt.gaps.median_s - truth["response_gap_median_s"]),
        "gap_s": tt.gaps.median_s,
        "int": match_events(truth["interruptions"], list(tt.interruptions), end_key="overlap_end_s"),
        "bc": match_events(truth["backchannels"], list(tt.backchannels)),
        "ratio": conv.rate_match.ratio,
        "verdict": conv.rate_match.verdict,
        "confidence": conv.confidence,
        "turns": len(tt.turns),
    }
    for party, analysis in (("agent", conv.agent), ("caller", conv.caller)):
        row[f"{party}_wpm"] = analysis.rate.wpm
        row[f"{party}_wpm_err"] = 100 * abs(analysis.rate.wpm / parties[party]["wpm"] - 1)
    return row


def f1(rows: list, key: str) -> tuple:
    tp, fp, fn = (sum(r[key][i] for r in rows) for i in range(3))
    p = tp / (tp + fp) if tp + fp else math.nan
    r = tp / (tp + fn) if tp + fn else math.nan
    return (2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan), p, r, tp, fp, fn


def print_call(truth: dict, rows: dict, base: dict) -> None:
    s = truth["spec"]
    print(
        f"\n{s['call_id']} ({truth['duration_s']:.0f} s, {s['codec']}, crosstalk {s['crosstalk_db']} dB): "
        f"share {100 * truth['talk_share']['agent']:.1f}%, gap {truth['response_gap_median_s']:.2f} s, "
        f"{len(truth['interruptions'])} int, {len(truth['backchannels'])} bc, wpm agent "
        f"{truth['parties']['agent']['wpm']:.0f} caller {truth['parties']['caller']['wpm']:.0f}, "
        f"ratio {truth['rate_ratio']:.2f} ({verdict(truth['rate_ratio'])}); single voice: ratio "
        f"{truth['single_voice_ratio']:.2f} ({verdict(truth['single_voice_ratio'])}), wpm err "
        f"agent {base['agent']:.1f}% caller {base['caller']:.1f}%"
    )
    for name, r in rows.items():
        if isinstance(r, str):
            print(f"  {name:8s} ERROR {r}")
            continue
        print(
            f"  {name:8s} share err {r['share_err_pp']:4.1f} pp  gap {r['gap_s']:.2f} s (err {r['gap_err_s']:.2f})  "
            f"int tp/fp/fn {r['int'][0]}/{r['int'][1]}/{r['int'][2]}  bc {r['bc'][0]}/{r['bc'][1]}/{r['bc'][2]}  "
            f"wpm err agent {r['agent_wpm_err']:4.1f}% caller {r['caller_wpm_err']:4.1f}%  "
            f"ratio {r['ratio']:.2f} {r['verdict']}  conf {r['confidence']:.2f}"
        )


def summarize(results: list, base_errs: list) -> None:
    print("\nSummary (targets: share <= 2 pp, median gap <= 0.1 s, F1 >= 0.9 on stereo, wpm within single-voice)")
    base = np.array(base_errs)
    print(f"  single-voice wpm error on the same turns: mean {base.mean():.1f}%, median {np.median(base):.1f}%")
    for name in PATHS:
        rows = [(t, r[name]) for t, r in results if name in r and not isinstance(r[name], str)]
        if not rows:
            continue
        share = np.array([r["share_err_pp"] for _, r in rows])
        gap = np.array([r["gap_err_s"] for _, r in rows])
        wpm = np.array([r[f"{p}_wpm_err"] for _, r in rows for p in ("agent", "caller")])
        strict = [(t, r) for t, r in rows if not STRICT[0] <= t["rate_ratio"] <= STRICT[1]]
        near = [(t, r) for t, r in rows if BAND[0] <= t["rate_ratio"] <= BAND[1]]
        print(
            f"  {name:8s} n={len(rows)}  share err mean {share.mean():.2f} max {share.max():.2f} pp "
            f"(within 2 pp: {np.mean(share <= 2):.0%})  gap err median {np.nanmedian(gap):.3f} max {np.nanmax(gap):.3f} s "
            f"(within 0.1 s: {np.mean(gap <= 0.1):.0%})"
        )
        for key, label in (("int", "interruptions"), ("bc", "backchannels")):
            f, p, r, tp, fp, fn = f1([r for _, r in rows], key)
            starts = [e for _, row in rows for e in row[key][3]]
            med = np.median(np.abs(starts)) if starts else math.nan
            print(
                f"           {label}: F1 {f:.2f} (P {p:.2f} R {r:.2f}; tp {tp} fp {fp} fn {fn}; |start err| median {med:.2f} s)"
            )
        print(
            f"           wpm err mean {wpm.mean():.1f}% median {np.median(wpm):.1f}% max {wpm.max():.1f}%; "
            f"verdict right beyond 2x tolerance {sum(verdict(t['rate_ratio']) == r['verdict'] for t, r in strict)}/{len(strict)}, "
            f"inside the band {sum(r['verdict'] == 'within' for t, r in near)}/{len(near)}; "
            f"same verdict as the single-voice rates {sum(verdict(t['single_voice_ratio']) == r['verdict'] for t, r in rows)}/{len(rows)}"
        )


def load_calls(args) -> list:
    if args.calls_dir and any(args.calls_dir.glob("*/truth.json")):
        truths = []
        for p in sorted(args.calls_dir.glob("*/truth.json")):
            t = json.loads(p.read_text("utf-8"))
            t["folder"] = str(p.parent)
            truths.append(t)
        return truths
    return cs.build_calls(args.calls_dir, n_calls=args.calls, seed=args.seed)


def synthetic(args) -> int:
    t0 = time.perf_counter()
    truths = load_calls(args)
    print(f"{len(truths)} calls ready in {time.perf_counter() - t0:.1f} s ({args.calls_dir})")
    results, base_errs, errors = [], [], 0
    for truth in truths:
        folder = Path(truth["folder"])
        out = run_paths(folder, truth, mono=not args.no_mono)
        rows = {n: (out[n] if isinstance(out[n], str) else score(out[n], truth)) for n in PATHS if n in out}
        errors += sum(isinstance(r, str) for r in rows.values())
        base_wpm = {p: single_speaker_wpm(folder, truth, p) for p in ("agent", "caller")}
        base = {p: 100 * abs(base_wpm[p] / truth["parties"][p]["wpm"] - 1) for p in base_wpm}
        base_errs += list(base.values())
        truth["single_voice_ratio"] = base_wpm["agent"] / base_wpm["caller"]
        print_call(truth, rows, base)
        results.append((truth, rows))
    summarize(results, base_errs)
    return errors


def frame_labels(turns, n: int) -> np.ndarray:
    """Per 10 ms frame: bit 1 agent holds a turn, bit 2 the caller."""
    out = np.zeros(n, np.int8)
    for t in turns:
        out[int(t.start_s * 100) : int(t.end_s * 100)] |= 1 if t.speaker == "agent" else 2
    return out


def real_call(corpus: Path) -> int:
    """The AWS call three ways; agreement with the two-file analysis (which has no crosstalk to resolve)."""
    agent, caller = (sf.read(str(corpus / p), dtype="float32") for p in AWS)
    sr = sf.info(str(corpus / AWS[0])).samplerate
    n = min(len(agent[0]), len(caller[0]))
    a, c = agent[0][:n], caller[0][:n]
    print(f"\nReal call {AWS[0].rsplit('_', 1)[0]} ({n / sr:.0f} s, {sr} Hz), no transcript: agreement of the inputs")
    results, errors = {}, 0
    with tempfile.TemporaryDirectory() as tmp:
        stereo, mono = Path(tmp) / "stereo.wav", Path(tmp) / "mono.wav"
        sf.write(str(stereo), np.stack([a, c], axis=1), sr, subtype="PCM_16")
        sf.write(str(mono), (a + c) / 2, sr, subtype="PCM_16")
        settings = Settings(language="en")
        jobs = {
            "two-file": lambda: analyze_call_files(corpus / AWS[0], corpus / AWS[1], settings=settings),
            "stereo": lambda: analyze_call_file(stereo, agent="left", settings=settings),
            "mono": lambda: analyze_call_file(mono, agent="first", settings=settings),
        }
        for name, job in jobs.items():
            try:
                results[name] = job()
            except Exception:  # reported and counted, as for the synthetic calls
                print(f"  {name:8s} ERROR {traceback.format_exc(limit=3).strip().splitlines()[-1]}")
                errors += 1
    ref = results.get("two-file")
    frames = int(n / sr * 100) + 1
    for name, conv in results.items():
        tt = conv.turn_taking
        line = (
            f"  {name:8s} first {tt.turns[0].speaker if tt.turns else '-'}, share agent {100 * tt.talk_share.get('agent', math.nan):.1f}%, "
            f"{len(tt.turns)} turns, {len(tt.interruptions)} int, {len(tt.backchannels)} bc, gap median {tt.gaps.median_s:.2f} s, "
            f"wpm agent {conv.agent.rate.wpm:.0f} caller {conv.caller.rate.wpm:.0f}, ratio {conv.rate_match.ratio:.2f} "
            f"{conv.rate_match.verdict}, conf {conv.confidence:.2f}"
        )
        if ref is not None and name != "two-file":
            mine, theirs = frame_labels(tt.turns, frames), frame_labels(ref.turns, frames)
            busy = (mine > 0) | (theirs > 0)
            line += f"; same owner as two-file in {np.mean(mine[busy] == theirs[busy]):.1%} of talk frames"
        print(line)
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=16)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--calls-dir", type=Path, help="reuse (or build into) this folder instead of a temp folder")
    parser.add_argument("--no-mono", action="store_true", help="skip the diarized mono path")
    parser.add_argument("--no-real", action="store_true", help="skip the real AWS call")
    parser.add_argument("--no-synthetic", action="store_true", help="only the real call")
    args = parser.parse_args()
    corpus = cs.corpus_dir()
    if corpus is None:
        print(f"{cs.CORPUS}: corpus not found; nothing to measure")
        return 0
    errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        args.calls_dir = args.calls_dir or Path(tmp)
        if not args.no_synthetic:
            errors += synthetic(args)
    if not args.no_real:
        errors += real_call(corpus)
    print(f"\n{errors} analysis error(s)" if errors else "\nno analysis errors")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
