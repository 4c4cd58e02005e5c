"""Semi-synthetic two-party calls with exact truth, built from real corpus monologues.

Usage: python bench/call_synthesis.py OUT_DIR [--calls 16] [--seed 11]

Each call takes two different speakers of one language from
../shared/corpus (read in place; only the built calls are written, to the
folder the caller gives) and places their clips as alternating turns:

* clips are trimmed to their speech (20 ms telephone-band RMS above both
  peak - 30 dB and the noise floor + 12 dB), set to the party's speech
  level and joined into 2-10 s turns with 0.15-0.45 s pauses; clips over
  10 s are first cut at pauses; a speaker with little material repeats
  clips;
* response gaps are log-uniform in 0.2-3 s; an **interruption** starts the
  newcomer 1-3 s before the other's turn would end, while the other is
  speaking, and the other stops 0.4-1 s later (a 30 ms fade);
* a **backchannel** is a 0.3-0.8 s stretch of the listener's own speech
  placed where the speaker is talking (from 0.2 s before to 0.2 s after
  it), at least 1.2 s from either party's turn ends;
* a rate difference is made with ``sox tempo`` (0.7-1.4) on the agent, and
  on the caller too when the agent's limit does not reach the planned ratio;
* crosstalk: each channel carries the other party 20-30 dB down, delayed
  0-5 ms; then telephone degradation per channel with sox: 300-3400 Hz
  band-pass, 8 kHz, mu-law or GSM, light white noise.

Per call (``OUT_DIR/<call_id>/``): ``stereo.wav`` (agent left, caller
right), ``mono.wav`` (the two parties mixed before the telephone channel,
as one phone hears a role-play), ``agent.wav`` and ``caller.wav`` (each
party alone through the telephone channel, no crosstalk: the two-file
input) and ``truth.json``.

Truth: turns (an interrupted turn ends where its speaker stops) with the
corpus clips they use, words per turn (a cut clip or a piece of a long one
counts its words in proportion to its speaking frames),
backchannels, interruptions (the newcomer's turn; ``overlap_end_s`` is
where the other stops), response gaps (caller stops -> agent starts, no
overlap), talk share (turns plus backchannels, as the issue defines it),
each party's words over its own turns and wpm = words / total turn time,
and the agent/caller rate ratio.  Backchannel words are not counted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SR = 16000
"""Working rate of the clean parties, Hz."""
TEL_SR = 8000
"""Telephone rate of every written file, Hz."""
FRAME_S = 0.01
EDGE_DB = 30.0
"""Speech edges: within this of the clip's loudest 20 ms (telephone band), dB."""
FLOOR_DB = 12.0
"""... and this far above the clip's noise floor, dB."""
SPLIT_ABOVE_S = 10.0
"""Clips longer than this are cut at pauses into turn-sized pieces."""
MIN_SPEECH_S = 15.0
"""Speakers with less material than this (seconds, untrimmed) are not used."""
RATIO_PLAN = (1.0, 1.5, 0.55, 1.08, 1.45, 0.92, 0.6, 1.2)
"""Target agent/caller rate ratios, cycled over the calls."""


@dataclass(frozen=True)
class Clip:
    path: str
    words: float
    speaker: str
    language: str


@dataclass(frozen=True)
class CallSpec:
    call_id: str
    language: str
    agent: str
    caller: str
    target_ratio: float
    first: str
    crosstalk_db: float
    crosstalk_delay_ms: float
    codec: str
    noise_dbfs: float
    length_s: float
    seed: int


def corpus_dir() -> Path | None:
    """The corpus folder, or None when it is absent."""
    return CORPUS if (CORPUS / "dev_labels.json").is_file() else None


def speaker_clips(corpus: Path) -> dict:
    """``{language: {speaker: [Clip, ...]}}`` of dev clips with word counts."""
    out: dict = {"en": {}, "zh": {}}

    def add(path: Path, words: float, speaker: str, language: str) -> None:
        if words > 0 and path.is_file():
            out[language].setdefault(speaker, []).append(Clip(str(path), float(words), speaker, language))

    labels = json.loads((corpus / "dev_labels.json").read_text("utf-8"))["files"]
    for key, lab in sorted(labels.items()):
        if lab.get("split") == "dev" and key.split("/")[0] in ("aishell", "fda", "ljspeech"):
            add(corpus / key, lab.get("word_count") or 0, lab["speaker"], lab["language"])
    with open(corpus / "en_rate" / "labels.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            add(corpus / "en_rate" / row["file"], float(row["word_count"]), row["speaker"], "en")
    with open(corpus / "zh_rate" / "labels.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["tier"] == "human" and int(row["channels"]) == 1 and "+" not in row["speaker"]:
                add(corpus / "zh_rate" / row["file"], float(row["jieba_words"]), row["speaker"], "zh")
    return out


def frame_db(y: np.ndarray, sr: int, frame_s: float = FRAME_S) -> np.ndarray:
    """RMS level of consecutive frames, dBFS."""
    hop = int(round(frame_s * sr))
    n = len(y) // hop
    rms = np.sqrt(np.mean(y[: n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1) + 1e-12)
    return 20 * np.log10(rms)


def band_db(y: np.ndarray, frame_s: float = FRAME_S) -> np.ndarray:
    """Frame levels (dBFS) of ``y`` (at ``SR``) in the telephone band, 300-3400 Hz."""
    from scipy.signal import butter, sosfiltfilt

    sos = butter(4, [300, 3400], btype="bandpass", fs=SR, output="sos")
    return frame_db(sosfiltfilt(sos, y), SR, frame_s)


def speech_threshold_db(db: np.ndarray) -> float:
    """Peak - 30 dB, or the noise floor (10th percentile, digital silence counted as -90 dB) + 12 dB if higher."""
    return max(db.max() - EDGE_DB, np.percentile(np.maximum(db, -90.0), 10) + FLOOR_DB)


def active_frames(y: np.ndarray) -> np.ndarray:
    """20 ms telephone-band frames above :func:`speech_threshold_db`."""
    db = band_db(y, 0.02)
    return db > speech_threshold_db(db)


def trim_level(y: np.ndarray, *, level_dbfs: float) -> np.ndarray:
    """``y`` cut to its speech edges, active level set to ``level_dbfs``, 5 ms fades."""
    act = active_frames(y)
    hop = int(0.02 * SR)
    idx = np.flatnonzero(act)
    y = y[idx[0] * hop : (idx[-1] + 1) * hop].astype(np.float64)
    rms_db = 10 * np.log10(np.mean(y.reshape(-1, hop)[act[idx[0] : idx[-1] + 1]] ** 2) + 1e-12)
    y = y * 10 ** ((level_dbfs - rms_db) / 20)
    fade = int(0.005 * SR)
    ramp = np.linspace(0.0, 1.0, fade)
    y[:fade] *= ramp
    y[-fade:] *= ramp[::-1]
    return y


def read_clip(clip: Clip) -> np.ndarray:
    """A clip as mono float64 at ``SR``."""
    import soxr

    y, sr = sf.read(clip.path, dtype="float32", always_2d=True)
    return soxr.resample(y.mean(axis=1), sr, SR).astype(np.float64)


def sox(y: np.ndarray, sr: int, effects: list, *, out_type: str = "f32", out_sr: int | None = None) -> bytes:
    """Run ``y`` through ``sox`` effects (repeatable, no dither); raw output bytes."""
    cmd = ["sox", "-R", "-D", "-t", "f32", "-r", str(sr), "-c", "1", "-", "-t", out_type]
    cmd += ["-r", str(out_sr or sr), "-c", "1", "-", *effects]
    return subprocess.run(cmd, input=y.astype(np.float32).tobytes(), capture_output=True, check=True).stdout


def tempo(y: np.ndarray, factor: float) -> np.ndarray:
    """``sox tempo -s``: ``factor`` times faster, pitch kept."""
    if abs(factor - 1.0) < 1e-6:
        return y
    return np.frombuffer(sox(y, SR, ["tempo", "-s", f"{factor:.4f}"]), np.float32).astype(np.float64)


def telephone(y: np.ndarray, *, codec: str, noise_dbfs: float, rng: np.random.Generator) -> np.ndarray:
    """Light noise, 300-3400 Hz band-pass, 8 kHz, mu-law or GSM encode and decode."""
    noisy = y + rng.standard_normal(len(y)) * 10 ** (noise_dbfs / 20)
    kind = {"mu-law": "ul", "gsm": "gsm"}[codec]
    coded = sox(noisy, SR, ["sinc", "300-3400", "rate", str(TEL_SR)], out_type=kind, out_sr=TEL_SR)
    cmd = ["sox", "-R", "-D", "-t", kind, "-r", str(TEL_SR), "-c", "1", "-", "-t", "f32", "-"]
    out = np.frombuffer(subprocess.run(cmd, input=coded, capture_output=True, check=True).stdout, np.float32)
    n = int(round(len(y) * TEL_SR / SR))
    return np.pad(out, (0, max(0, n - len(out))))[:n].astype(np.float64)


def plan_calls(pools: dict, *, n_calls: int, seed: int) -> list:
    """Deterministic call specs: alternating languages, two different speakers per call."""
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(n_calls):
        language = ("en", "zh")[i % 2]
        names = sorted(pools[language])
        agent, caller = (names[j] for j in rng.choice(len(names), size=2, replace=False))
        specs.append(
            CallSpec(
                call_id=f"call{i:02d}_{language}",
                language=language,
                agent=agent,
                caller=caller,
                target_ratio=RATIO_PLAN[(i // 2) % len(RATIO_PLAN)],
                first="caller" if i % 8 == 7 else "agent",
                crosstalk_db=round(float(rng.uniform(-30, -20)), 1),
                crosstalk_delay_ms=round(float(rng.uniform(0, 5)), 1),
                codec=("mu-law", "gsm")[int(rng.integers(2))],
                noise_dbfs=round(float(rng.uniform(-58, -48)), 1),
                length_s=round(float(rng.uniform(60, 110)), 1),
                seed=int(rng.integers(2**31)),
            )
        )
    return specs


def eligible_pools(clips: dict) -> dict:
    """Speakers with at least ``MIN_SPEECH_S`` of (untrimmed) material."""
    out = {}
    for language, speakers in clips.items():
        out[language] = {s: c for s, c in speakers.items() if sum(sf.info(x.path).duration for x in c) >= MIN_SPEECH_S}
    return out


def split_at_pauses(y: np.ndarray, words: float) -> list:
    """A long clip cut at pauses of >= 0.25 s into pieces of >= 3 s (the last >= 2 s): ``[(samples, words)]``.

    A piece's words are the clip's words in proportion to its speaking
    frames, so a piece's count is an estimate; a clip used whole is exact.
    """
    if len(y) < SPLIT_ABOVE_S * SR:
        return [(y, words)]
    hop, db = int(FRAME_S * SR), band_db(y)
    quiet = db <= speech_threshold_db(db)
    speaking = _speaking(y)
    cuts, start = [], 0
    for a, b in _runs(quiet):
        if b - a >= 25 and a - start >= 300 and len(quiet) - b >= 200:
            cuts.append((start, a))
            start = b
    cuts.append((start, len(quiet)))
    total = max(1, speaking.sum())
    fade = np.linspace(0.0, 1.0, int(0.005 * SR))
    out = []
    for a, b in cuts:
        piece = y[a * hop : b * hop].copy()
        piece[: len(fade)] *= fade
        piece[-len(fade) :] *= fade[::-1]
        out.append((piece, words * speaking[a:b].sum() / total))
    return out


def _runs(mask: np.ndarray) -> list:
    """``(start, end)`` index pairs of the True runs of ``mask``."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def party_material(clips: list, *, level_dbfs: float, rng: np.random.Generator) -> list:
    """Trimmed, levelled clips (long ones cut at pauses) of one party: ``[(samples, words, path)]``, seeded order."""
    out = []
    for i in rng.permutation(len(clips)):
        pieces = split_at_pauses(trim_level(read_clip(clips[i]), level_dbfs=level_dbfs), clips[i].words)
        out += [(y, w, clips[i].path) for y, w in pieces]
    return out


def choose_tempo(agent_wpm: float, caller_wpm: float, target: float) -> dict:
    """sox tempo factors ``{party: factor}`` bringing agent/caller near ``target``.

    The agent alone when 0.7-1.4 suffices; otherwise the agent at the limit
    and the caller for the rest (also within 0.7-1.4).
    """
    need = target * caller_wpm / agent_wpm
    on_agent = float(np.clip(need, 0.7, 1.4))
    return {"agent": on_agent, "caller": float(np.clip(on_agent / need, 0.7, 1.4))}


def native_wpm(material: list) -> float:
    return sum(w for _, w, _ in material) / (sum(len(y) for y, _, _ in material) / SR) * 60


def _turn(material: list, cursor: int, rng: np.random.Generator) -> tuple:
    """One turn: clips joined with short pauses up to a 2-10 s target; ``(samples, clip spans, cursor)``."""
    target = rng.uniform(2.0, 10.0) * SR
    parts, spans, pos = [], [], 0
    while not parts or pos < target:
        y, words, path = material[cursor % len(material)]
        cursor += 1
        if parts:
            parts.append(np.zeros(int(rng.uniform(0.15, 0.45) * SR)))
            pos += len(parts[-1])
        parts.append(y)
        spans.append((pos, pos + len(y), words, os.path.relpath(path, CORPUS)))
        pos += len(y)
    return np.concatenate(parts), spans, cursor


def _speaking(y: np.ndarray) -> np.ndarray:
    """10 ms frames within 20 dB of the loudest 10 ms frame of ``y``."""
    db = band_db(y)
    return db > db.max() - 20


def _cut_point(y: np.ndarray, rng: np.random.Generator) -> tuple | None:
    """``(newcomer_start, stop)`` in samples for an interruption of turn ``y``, or None."""
    act, hop = _speaking(y), int(FRAME_S * SR)
    dur = len(y) / SR
    for _ in range(8):
        d = rng.uniform(1.0, min(3.0, dur - 2.0))
        start = int((dur - d) / FRAME_S)
        if not act[max(0, start - 5) : start + 5].all():
            continue
        lo, hi = start + 40, min(start + 100, int((dur - 0.3) / FRAME_S))
        stops = [i for i in range(lo, hi) if act[i - 20 : i + 1].mean() > 0.8 and act[i]]
        if stops:
            return start * hop, (int(rng.choice(stops)) + 1) * hop
    return None


def _kept_words(y: np.ndarray, spans: list, stop: int) -> float:
    """Words said before sample ``stop``: a cut clip counts in proportion to its speaking frames kept."""
    words, act, hop = 0.0, _speaking(y), int(FRAME_S * SR)
    for a, b, w, _ in spans:
        if b <= stop:
            words += w
        elif a < stop:
            frames = act[a // hop : b // hop]
            words += w * frames[: (stop - a) // hop].sum() / max(1, frames.sum())
    return words


def _backchannel(material: list, length_s: float, rng: np.random.Generator) -> np.ndarray:
    """``length_s`` of the listener's own speech (>= 90% speaking frames), 20 ms fades."""
    n, hop = int(length_s * SR), int(FRAME_S * SR)
    m = n // hop
    best = None
    for _ in range(30):
        y = material[int(rng.integers(len(material)))][0]
        if len(y) <= n + hop:
            continue
        act = _speaking(y).astype(float)
        full = np.convolve(act, np.ones(m), "valid") / m
        ok = np.flatnonzero((full >= 0.9) & (act[: len(full)] > 0) & (act[m - 1 :] > 0))
        if len(ok):
            i = int(rng.choice(ok))
            best = y[i * hop : i * hop + n].copy()
            break
        best = y[:n].copy() if best is None else best
    fade = np.linspace(0.0, 1.0, int(0.02 * SR))
    best[: len(fade)] *= fade
    best[-len(fade) :] *= fade[::-1]
    return best


def _place_backchannel(stems: dict, listener: str, material: list, host: tuple, window: tuple, rng) -> dict | None:
    """Put a 0.3-0.8 s backchannel of ``listener`` under the host's speech inside ``window`` (s).

    ``host`` is ``(turn samples, turn start sample)``; the host speaks (pauses
    under 0.3 s bridged) from 0.2 s before to 0.2 s after the backchannel.
    Returns its truth, or None when no place fits.
    """
    length = float(rng.uniform(0.3, 0.8))
    speaking = _speaking(host[0])
    for a, b in _runs(~speaking):
        speaking[a:b] |= bool(a) and b < len(speaking) and b - a < 30
    need = int(round(length / FRAME_S)) + 40
    covered = np.convolve(speaking.astype(float), np.ones(need), "valid") >= need - 0.5
    first = host[1] / SR - 0.2
    starts = [i for i in np.flatnonzero(covered) if window[0] <= first + i * FRAME_S <= window[1] - length - 0.4]
    if not starts:
        return None
    a = int((first + int(rng.choice(starts)) * FRAME_S) * SR)
    clip = _backchannel(material, length, rng)
    stems[listener][a : a + len(clip)] += clip
    return {"speaker": listener, "start_s": round(a / SR, 3), "end_s": round((a + len(clip)) / SR, 3)}


def lay_out_call(material: dict, *, first: str, length_s: float, rng: np.random.Generator) -> tuple:
    """Alternating turns with gaps, interruptions and backchannels; ``(stems, truth)``."""
    stems = {p: np.zeros(int((length_s + 60) * SR)) for p in material}
    turns, backchannels, interruptions = [], [], []
    cursor = {p: 0 for p in material}
    speaker, start, interrupted_before, listener_end = first, int(0.5 * SR), False, 0.0
    while True:
        other = "caller" if speaker == "agent" else "agent"
        y, spans, cursor[speaker] = _turn(material[speaker], cursor[speaker], rng)
        last = (start + len(y)) / SR >= length_s
        cut = None
        if not last and not interrupted_before and len(y) / SR >= 4.0 and rng.random() < 0.3:
            cut = _cut_point(y, rng)
        stop = cut[1] if cut else len(y)
        kept = y[:stop].copy()
        if cut:
            kept[-int(0.03 * SR) :] *= np.linspace(1.0, 0.0, int(0.03 * SR))
        stems[speaker][start : start + stop] += kept
        words = _kept_words(y, spans, stop)
        turns.append({"speaker": speaker, "start_s": start / SR, "end_s": (start + stop) / SR, "words": words})
        turns[-1].update(complete=cut is None, clips=[c for a, _, _, c in spans if a < stop])
        window = (max(start / SR + 0.8, listener_end + 1.2), (start + (cut[0] if cut else stop)) / SR - 1.2)
        if stop / SR >= 4.0 and rng.random() < 0.6:
            bc = _place_backchannel(stems, other, material[other], (kept, start), window, rng)
            backchannels += [bc] if bc else []
        listener_end = (start + stop) / SR
        if last:
            break
        if cut:
            interruptions.append(
                {"speaker": other, "start_s": (start + cut[0]) / SR, "overlap_end_s": (start + stop) / SR}
            )
            start += cut[0]
        else:
            start += stop + int(np.exp(rng.uniform(np.log(0.2), np.log(3.0))) * SR)
        speaker, interrupted_before = other, cut is not None
    end = int(turns[-1]["end_s"] * SR + 0.5 * SR)
    return {p: y[:end] for p, y in stems.items()}, call_truth(turns, backchannels, interruptions)


def call_truth(turns: list, backchannels: list, interruptions: list) -> dict:
    """Talk share, response gaps and per-party rates from the placed turns."""
    for t in turns:
        t.update(start_s=round(t["start_s"], 3), end_s=round(t["end_s"], 3), words=round(t["words"], 3))
    for i in interruptions:
        own = next(t for t in turns if t["speaker"] == i["speaker"] and abs(t["start_s"] - i["start_s"]) < 1e-3)
        i.update(start_s=round(i["start_s"], 3), end_s=own["end_s"], overlap_end_s=round(i["overlap_end_s"], 3))
    gaps = [
        round(b["start_s"] - a["end_s"], 3)
        for a, b in zip(turns[:-1], turns[1:])
        if a["speaker"] == "caller" and b["speaker"] == "agent" and b["start_s"] >= a["end_s"]
    ]
    parties = {}
    for p in ("agent", "caller"):
        own = [t for t in turns if t["speaker"] == p]
        done = [t for t in own if t["complete"]]
        turn_s = sum(t["end_s"] - t["start_s"] for t in own)
        bc_s = sum(b["end_s"] - b["start_s"] for b in backchannels if b["speaker"] == p)
        parties[p] = {
            "words": round(sum(t["words"] for t in own), 2),
            "turn_s": round(turn_s, 3),
            "backchannel_s": round(bc_s, 3),
            "wpm": round(sum(t["words"] for t in own) / turn_s * 60, 2),
            "wpm_complete_turns": round(
                sum(t["words"] for t in done) / sum(t["end_s"] - t["start_s"] for t in done) * 60, 2
            ),
        }
    talk = {p: parties[p]["turn_s"] + parties[p]["backchannel_s"] for p in parties}
    floor = {p: parties[p]["turn_s"] for p in parties}
    return {
        "first_speaker": turns[0]["speaker"],
        "turns": turns,
        "backchannels": sorted(backchannels, key=lambda b: b["start_s"]),
        "interruptions": interruptions,
        "response_gaps_s": gaps,
        "response_gap_median_s": round(float(np.median(gaps)), 3) if gaps else None,
        "talk_share": {p: round(v / sum(talk.values()), 4) for p, v in talk.items()},
        "talk_share_turns_only": {p: round(v / sum(floor.values()), 4) for p, v in floor.items()},
        "parties": parties,
        "rate_ratio": round(parties["agent"]["wpm"] / parties["caller"]["wpm"], 4),
    }


def build_call(spec: CallSpec, pools: dict, out_dir: Path) -> dict:
    """Build one call into ``out_dir/<call_id>/``; returns its truth (also written as truth.json)."""
    rng = np.random.default_rng(spec.seed)
    levels = {"agent": -20.0 + float(rng.uniform(-4, 2)), "caller": -20.0 + float(rng.uniform(-4, 2))}
    material = {
        role: party_material(pools[spec.language][name], level_dbfs=levels[role], rng=rng)
        for role, name in (("agent", spec.agent), ("caller", spec.caller))
    }
    natives = {role: native_wpm(m) for role, m in material.items()}
    factors = choose_tempo(natives["agent"], natives["caller"], spec.target_ratio)
    material = {party: [(tempo(y, factors[party]), w, p) for y, w, p in material[party]] for party in material}
    stems, truth = lay_out_call(material, first=spec.first, length_s=spec.length_s, rng=rng)
    gain = 10 ** (spec.crosstalk_db / 20)
    delay = int(round(spec.crosstalk_delay_ms / 1000 * SR))

    def bleed(y: np.ndarray) -> np.ndarray:
        return gain * np.concatenate([np.zeros(delay), y[: len(y) - delay]])

    def tel(y: np.ndarray) -> np.ndarray:
        return telephone(y, codec=spec.codec, noise_dbfs=spec.noise_dbfs, rng=rng)

    agent, caller = stems["agent"], stems["caller"]
    left, right = tel(agent + bleed(caller)), tel(caller + bleed(agent))
    folder = out_dir / spec.call_id
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "stereo": (np.stack([left, right], axis=1)),
        "mono": tel(agent + caller),
        "agent": tel(agent),
        "caller": tel(caller),
    }
    for name, y in files.items():
        sf.write(str(folder / f"{name}.wav"), np.clip(y, -1, 1), TEL_SR, subtype="PCM_16")
    truth.update(
        spec=asdict(spec),
        files={name: f"{name}.wav" for name in files},
        sample_rate=TEL_SR,
        duration_s=round(len(agent) / SR, 3),
        tempo={party: round(f, 4) for party, f in factors.items()},
        native_wpm={k: round(v, 2) for k, v in natives.items()},
        level_dbfs={k: round(v, 2) for k, v in levels.items()},
        speakers={"agent": spec.agent, "caller": spec.caller},
    )
    (folder / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False), "utf-8")
    return truth


def build_calls(out_dir: Path, *, n_calls: int = 16, seed: int = 11, corpus: Path | None = None) -> list:
    """Build ``n_calls`` calls into ``out_dir``; returns the truth dicts (each with ``folder``)."""
    corpus = corpus or corpus_dir()
    if corpus is None:
        raise FileNotFoundError(f"{CORPUS}: corpus not found; the call benchmark needs ../shared/corpus")
    pools = eligible_pools(speaker_clips(corpus))
    out = []
    for spec in plan_calls(pools, n_calls=n_calls, seed=seed):
        truth = build_call(spec, pools, Path(out_dir))
        truth["folder"] = str(Path(out_dir) / spec.call_id)
        out.append(truth)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--calls", type=int, default=16)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    for t in build_calls(args.out_dir, n_calls=args.calls, seed=args.seed):
        s = t["spec"]
        print(
            f"{s['call_id']}: {t['duration_s']:.0f} s, {s['agent']} / {s['caller']}, ratio {t['rate_ratio']:.2f}, "
            f"{len(t['turns'])} turns, {len(t['interruptions'])} interruptions, "
            f"{len(t['backchannels'])} backchannels, {s['codec']}, crosstalk {s['crosstalk_db']} dB"
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
