"""Accuracy on real speech (../shared/corpus, read in place) and espeak-ng ladders.

Skipped when the corpus or espeak-ng is absent. The benchmark scripts in
bench/ print the full tables; these tests pin the headline figures.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests import synth
from tonecheck.analysis import Settings, analyze, analyze_file
from tonecheck.audio import ANALYSIS_SR, from_array, load_audio
from tonecheck.pitch import track_pitch

GREETING = (
    "Thank you for calling Northwind support, my name is Alex. How can I help you today? "
    "I can see your order here, and I will find the missing parcel for you right now."
)


def _fda_errors(corpus_dir, labels, limit=None):
    n = gross = 0
    fine = []
    keys = [k for k, v in labels.items() if v.get("pitch_reference")][:limit]
    for key in keys:
        ref = np.loadtxt(corpus_dir / labels[key]["pitch_reference"])
        audio = load_audio(corpus_dir / key)
        f0 = track_pitch(audio.samples, sr=audio.sr).f0_hz
        idx = np.rint(np.arange(ref.size) * 0.015 / 0.01).astype(int)
        est = np.where(idx < f0.size, f0[np.minimum(idx, f0.size - 1)], np.nan)
        both = (ref > 0) & ~np.isnan(est)
        ratio = est[both] / ref[both]
        bad = np.abs(ratio - 1) > 0.2
        n, gross = n + both.sum(), gross + bad.sum()
        fine.extend(np.abs(12 * np.log2(ratio[~bad])))
    return gross / n, float(np.median(fine))


@pytest.fixture
def labels(corpus_dir):
    import json

    return json.loads((corpus_dir / "dev_labels.json").read_text())["files"]


@pytest.mark.corpus
def test_pitch_matches_the_laryngograph_on_fda(corpus_dir, labels):
    gpe, fine = _fda_errors(corpus_dir, labels)
    assert gpe <= 0.02
    assert fine <= 0.3


@pytest.mark.corpus
@pytest.mark.parametrize("language, max_mape", [("zh", 0.12), ("en", 0.18)])
def test_rate_on_dev_monologues(corpus_dir, labels, language, max_mape):
    """Mandarin meets the 12 % target; English is pinned at its measured 17.0 % under rate-3.

    These six native English dev monologues (FDA, earnings call) are where rate-3 is worse than rate-2
    (17.0 % against 14.4 %): rate-2's factor was fitted on exactly these six; held out by speaker they go
    from 20.0 % to 17.5 % (docs/calibration.md).
    """
    from bench import corpus

    groups = [g for g in corpus.monologues(labels) if g["language"] == language and not g["short"]]
    errors = []
    for group in groups:
        y, span_s = corpus.join(group["keys"], labels, sr_out=ANALYSIS_SR)
        result = analyze(from_array(y, sr=ANALYSIS_SR, path=group["name"]), settings=Settings(language=language))
        errors.append(abs(result.rate.wpm / (group["words"] / span_s * 60) - 1))
    assert groups and np.mean(errors) <= max_mape


@pytest.mark.corpus
def test_crema_d_angry_is_livelier_and_more_energetic_than_neutral(corpus_dir):
    angry = analyze_file(corpus_dir / "cremad/1001_DFA_ANG_XX.wav")
    neutral = analyze_file(corpus_dir / "cremad/1001_DFA_NEU_XX.wav")
    assert angry.intonation.level > neutral.intonation.level
    assert angry.energy_index > neutral.energy_index


@pytest.mark.espeak
@pytest.mark.parametrize("voice, language", [("en-us", "en"), ("en-gb", "en"), ("cmn", "zh")])
def test_espeak_range_ladder_rises_strictly_from_a_monotone(voice, language):
    text = (
        GREETING if language == "en" else "感谢您致电北风客服，我是小李。请问有什么可以帮您？我马上为您查找这个包裹。"
    )
    levels = []
    for range_pct in (0, 25, 50, 100):
        y, sr = synth.espeak_ssml(text, voice=voice, range_pct=range_pct)
        levels.append(
            analyze(
                from_array(y, sr=sr, path=f"{voice}@{range_pct}"), settings=Settings(language=language)
            ).intonation.level
        )
    assert levels[0] <= 1.5
    assert all(b > a for a, b in zip(levels, levels[1:])), levels


@pytest.mark.espeak
def test_espeak_rate_ladder_tracks_words_per_minute():
    truth, est = [], []
    for speed in (90, 150, 220):
        y, sr = synth.espeak_words(GREETING, voice="en-us", speed_wpm=speed)
        truth.append(len(GREETING.split()) / synth.speech_span_s(y, sr=sr) * 60)
        est.append(analyze(from_array(y, sr=sr, path=f"s{speed}")).rate.wpm)
    assert np.corrcoef(truth, est)[0, 1] > 0.95
    assert np.all(np.abs(np.array(est) / np.array(truth) - 1) < 0.15)
