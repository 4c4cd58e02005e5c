"""The two-party call builder (bench/call_synthesis.py): deterministic, truth consistent with its audio."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest
import soundfile as sf

from bench import call_synthesis as cs

needs_corpus = pytest.mark.skipif(
    cs.corpus_dir() is None or shutil.which("sox") is None, reason="../shared/corpus or the sox program is absent"
)

CALL_INDEX = 2
"""An English call (two speechocean762 speakers) with interruptions and backchannels at 40 s."""
LENGTH_S = 40.0


def _build(folder):
    pools = cs.eligible_pools(cs.speaker_clips(cs.corpus_dir()))
    spec = cs.plan_calls(pools, n_calls=CALL_INDEX + 1, seed=11)[CALL_INDEX]
    return cs.build_call(dataclasses.replace(spec, length_s=LENGTH_S), pools, folder)


@pytest.fixture(scope="module")
def call(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calls")
    truth = _build(folder)
    stereo, sr = sf.read(str(folder / truth["spec"]["call_id"] / "stereo.wav"))
    return folder / truth["spec"]["call_id"], truth, stereo, sr


def _talk_frames(own_db, other_db, crosstalk_db):
    """Frames where a channel carries its own party: above the floor and well above the bleed level."""
    return (own_db > np.percentile(own_db, 5) + 15) & (own_db - other_db > crosstalk_db + 10)


@needs_corpus
def test_same_seed_same_call(call, tmp_path):
    folder, truth, _, _ = call
    _build(tmp_path)
    for name in ("stereo.wav", "mono.wav", "agent.wav", "caller.wav", "truth.json"):
        assert (tmp_path / truth["spec"]["call_id"] / name).read_bytes() == (folder / name).read_bytes(), name


@needs_corpus
def test_files_and_lengths(call):
    folder, truth, stereo, sr = call
    assert sr == cs.TEL_SR and stereo.shape[1] == 2
    for name in ("mono", "agent", "caller"):
        info = sf.info(str(folder / f"{name}.wav"))
        assert info.channels == 1 and info.samplerate == sr and info.frames == len(stereo)
    assert abs(len(stereo) / sr - truth["duration_s"]) < 0.01
    assert json.loads((folder / "truth.json").read_text("utf-8"))["turns"] == truth["turns"]


@needs_corpus
def test_truth_is_self_consistent(call):
    _, truth, _, _ = call
    turns = truth["turns"]
    assert [t["speaker"] for t in turns[::2]] == [truth["first_speaker"]] * len(turns[::2])
    assert all(a["speaker"] != b["speaker"] for a, b in zip(turns[:-1], turns[1:]))
    assert truth["interruptions"] and truth["backchannels"]
    for i in truth["interruptions"]:
        host = next(t for t in turns if t["speaker"] != i["speaker"] and t["end_s"] == i["overlap_end_s"])
        assert host["start_s"] < i["start_s"] and 0.4 <= i["overlap_end_s"] - i["start_s"] <= 1.01
        assert not host["complete"]
    for b in truth["backchannels"]:
        assert 0.3 <= b["end_s"] - b["start_s"] <= 0.81
        assert any(
            t["speaker"] != b["speaker"] and t["start_s"] < b["start_s"] < b["end_s"] < t["end_s"] for t in turns
        )
    assert all(0.2 <= g <= 3.0 for g in truth["response_gaps_s"])
    assert sum(truth["talk_share"].values()) == pytest.approx(1.0, abs=1e-3)
    for party, figures in truth["parties"].items():
        own = [t for t in turns if t["speaker"] == party]
        turn_s = sum(t["end_s"] - t["start_s"] for t in own)
        assert figures["turn_s"] == pytest.approx(turn_s, abs=0.01)
        assert figures["wpm"] == pytest.approx(sum(t["words"] for t in own) / turn_s * 60, rel=1e-3)
    assert truth["rate_ratio"] == pytest.approx(
        truth["parties"]["agent"]["wpm"] / truth["parties"]["caller"]["wpm"], rel=1e-3
    )
    assert all(0.7 <= f <= 1.4 for f in truth["tempo"].values())


@needs_corpus
def test_turn_times_match_channel_energy(call):
    _, truth, stereo, sr = call
    left, right = cs.frame_db(stereo[:, 0], sr), cs.frame_db(stereo[:, 1], sr)
    xt = truth["spec"]["crosstalk_db"]
    onsets, offsets = [], []
    for party, own, other in (("agent", left, right), ("caller", right, left)):
        talk = _talk_frames(own, other, xt)
        active = np.zeros(len(own), bool)
        for seg in [s for s in truth["turns"] + truth["backchannels"] if s["speaker"] == party]:
            a, b = int(seg["start_s"] * 100), int(seg["end_s"] * 100)
            active[max(0, a - 10) : b + 10] = True
            if "words" in seg:
                found = np.flatnonzero(talk[max(0, a - 20) : b + 20]) + max(0, a - 20)
                onsets.append((found[0] - a) / 100)
                offsets.append((found[-1] + 1 - b) / 100)
        assert talk[~active].mean() < 0.005, party
    assert np.median(np.abs(onsets)) <= 0.05 and np.max(np.abs(onsets)) <= 0.6
    assert np.median(np.abs(offsets)) <= 0.1 and np.max(np.abs(offsets)) <= 0.6


@needs_corpus
def test_crosstalk_level_as_asked(call):
    _, truth, stereo, sr = call
    levels = {"agent": cs.frame_db(stereo[:, 0], sr), "caller": cs.frame_db(stereo[:, 1], sr)}
    for party, other in (("agent", "caller"), ("caller", "agent")):
        alone = np.zeros(len(levels[party]), bool)
        for t in (t for t in truth["turns"] if t["speaker"] == party):
            alone[int(t["start_s"] * 100) + 20 : int(t["end_s"] * 100) - 20] = True
        for s in (s for s in truth["turns"] + truth["backchannels"] if s["speaker"] == other):
            alone[max(0, int(s["start_s"] * 100) - 20) : int(s["end_s"] * 100) + 20] = False
        loud = alone & (levels[party] > levels[party].max() - 20)
        assert loud.sum() > 100
        bleed_db = np.median(levels[other][loud] - levels[party][loud])
        assert bleed_db == pytest.approx(truth["spec"]["crosstalk_db"], abs=2.5), party


def _bursts(rng, pauses_s):
    """Noise bursts of 2 s at -20 dBFS separated by the given silences, at the builder's rate."""
    parts = []
    for pause in pauses_s:
        parts += [rng.standard_normal(2 * cs.SR) * 0.1, np.zeros(int(pause * cs.SR))]
    return np.concatenate(parts + [rng.standard_normal(2 * cs.SR) * 0.1])


def test_long_clips_split_at_pauses_keep_their_words(rng):
    y = _bursts(rng, [0.1, 0.6, 0.1, 0.6, 0.1, 0.6, 0.1, 0.6])
    pieces = cs.split_at_pauses(y, 30.0)
    assert len(pieces) >= 2 and all(len(p) >= 3.0 * cs.SR for p, _ in pieces[:-1])
    assert len(pieces[-1][0]) >= 2.0 * cs.SR
    assert sum(w for _, w in pieces) == pytest.approx(30.0, rel=0.02)
    short = y[: int(9 * cs.SR)]
    assert cs.split_at_pauses(short, 12.0)[0][1] == 12.0


def test_cut_turn_counts_words_kept(rng):
    y = _bursts(rng, [0.3, 0.3, 0.3])
    n = len(y) // 2
    spans = [(0, n, 10.0, "a"), (n, len(y), 6.0, "b")]
    assert cs._kept_words(y, spans, len(y)) == 16.0
    assert cs._kept_words(y, spans, n) == 10.0
    assert 10.0 < cs._kept_words(y, spans, n + len(y) // 4) < 16.0
