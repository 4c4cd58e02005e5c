"""Live figures (tonecheck.stream): onset, silence, cues, block-size independence, finish() == the file."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests import synth
from tonecheck.analysis import analyze_file
from tonecheck.messages import render
from tonecheck.stream import CUE_AFTER_S, CUE_KEYS, LiveAnalyzer

SR = 16000
ONSET_S = 1.0
"""Every test signal starts with this much silence, then speech."""
LIVELY_ST = 8.0
"""Peak-to-peak excursion of the lively phrases (level ~5.4, inside the 4.5-6.5 band)."""


def _speech(duration_s: float, excursion_st: float) -> np.ndarray:
    lead = synth.silence(sr=SR, duration_s=ONSET_S)
    return np.concatenate([lead, synth.speechlike_phrases(sr=SR, duration_s=duration_s, excursion_st=excursion_st)])


def _run(y: np.ndarray, block: int, **kwargs) -> tuple[LiveAnalyzer, list]:
    live = LiveAnalyzer(sr=SR, **kwargs)
    updates = [f for start in range(0, len(y), block) if (f := live.feed(y[start : start + block])) is not None]
    return live, updates


@pytest.fixture(scope="module")
def lively() -> np.ndarray:
    return _speech(7.0, LIVELY_ST)


def test_figures_appear_within_half_a_second_of_speech():
    live, updates = _run(_speech(1.0, LIVELY_ST), SR // 10)
    first = next(f for f in updates if f.speaking)
    assert first.t_s <= ONSET_S + 0.5
    assert math.isfinite(first.speech_level_dbfs)
    assert all(not f.speaking for f in updates if f.t_s <= ONSET_S)
    assert json.dumps(first.to_dict(), allow_nan=False)  # JSON-ready: NaN figures become null


@pytest.mark.parametrize("noise_dbfs", [None, -60.0])
def test_silence_is_not_speaking_and_does_not_raise(noise_dbfs):
    y = synth.silence(sr=SR, duration_s=3.0, noise_dbfs=noise_dbfs, rng=np.random.default_rng(0))
    _, updates = _run(y, SR // 10)
    assert updates and not any(f.speaking for f in updates)
    assert all(math.isnan(f.intonation_level) and f.cue is None for f in updates)
    assert set(updates[-1].verdicts.values()) == {"unknown"}


def test_speaking_stops_after_speech_ends(lively):
    y = np.concatenate([lively[: 5 * SR], synth.silence(sr=SR, duration_s=2.0)])
    live, _ = _run(y, SR // 2, update_s=1.0)
    end = live.figures()
    assert not end.speaking
    assert math.isfinite(end.intonation_level)  # the window still holds the speech


def test_a_monotone_gets_the_flat_cue_after_cue_after_s():
    _, updates = _run(_speech(7.0, 0.0), SR // 10, update_s=0.5)
    flat = [f for f in updates if f.cue is not None and f.cue.key == "cue.flat"]
    assert flat, [(f.t_s, f.intonation_level) for f in updates]
    first_low = next(f.t_s for f in updates if f.verdicts["intonation"] == "below")
    assert flat[0].t_s >= first_low + CUE_AFTER_S - 1e-6
    assert flat[0].t_s <= first_low + CUE_AFTER_S + 0.5
    assert updates[-1].intonation_level < 2.0


def test_lively_speech_gets_no_flat_cue(lively):
    _, updates = _run(lively, SR // 10, update_s=0.5)
    levels = [f.intonation_level for f in updates if math.isfinite(f.intonation_level)]
    assert levels and min(levels) >= 4.5
    assert not any(f.cue is not None and f.cue.key in ("cue.flat", "cue.exaggerated") for f in updates)


def _headline(a) -> tuple:
    return (a.intonation.level, a.rate.wpm, a.loudness.speech_level_dbfs, a.intensity.index)


def test_block_size_does_not_change_the_figures(lively):
    results = []
    for block in (SR // 10, 4096, 997):
        live, _ = _run(lively, block, update_s=30.0)
        assert np.array_equal(live.samples, lively)
        results.append((live.figures().to_dict(), _headline(live.finish())))
    assert results[0] == results[1] == results[2]


def test_a_session_shorter_than_the_window_shows_the_whole_analysis(lively):
    live, _ = _run(lively, SR, update_s=30.0)
    figures, final = live.figures(), live.finish()  # 8 s < WINDOW_S: the window is the whole session
    assert abs(figures.intonation_level - final.intonation.level) <= 0.1
    assert figures.wpm == pytest.approx(final.rate.wpm, rel=0.03)
    assert abs(figures.speech_level_dbfs - final.loudness.speech_level_dbfs) <= 0.1
    assert abs(figures.intensity_index - final.intensity.index) <= 0.1


def test_finish_equals_analyzing_the_saved_recording(lively, tmp_path):
    live, _ = _run(lively, SR, update_s=30.0)
    final = live.finish()
    exact = analyze_file(synth.write_wav(tmp_path / "live.wav", live.samples, SR, subtype="FLOAT"))
    assert _headline(final) == _headline(exact)
    saved = analyze_file(synth.write_wav(tmp_path / "live16.wav", live.samples, SR))  # as the page saves it
    assert abs(final.intonation.level - saved.intonation.level) <= 0.1
    assert final.rate.wpm == pytest.approx(saved.rate.wpm, rel=0.03)


@pytest.mark.parametrize(
    "block, match",
    [
        (np.zeros(160, np.int16), "float32"),
        (np.zeros(160, np.float64), "float32"),
        ([0.0] * 160, "float32"),
        (np.zeros((160, 2), np.float32), "mono"),
        (np.array([0.0, np.nan, 0.1], np.float32), "NaN or infinite"),
        (np.array([0.0, np.inf], np.float32), "NaN or infinite"),
    ],
)
def test_bad_blocks_raise_value_error(block, match):
    live = LiveAnalyzer(sr=SR)
    with pytest.raises(ValueError, match=match):
        live.feed(block)
    assert live.t_s == 0.0


@pytest.mark.parametrize(
    "kwargs", [{"sr": 4000}, {"sr": 16000.5}, {"sr": SR, "window_s": 0.5}, {"sr": SR, "update_s": 0}]
)
def test_bad_settings_raise_value_error(kwargs):
    with pytest.raises(ValueError, match="LiveAnalyzer"):
        LiveAnalyzer(**kwargs)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_cue_renders_in_both_languages(lang):
    from tonecheck.stream import _cue_message
    from tonecheck.targets import default_targets

    band = default_targets().intonation_level
    for name, verdict in CUE_KEYS:
        text = render(_cue_message(name, verdict, band), lang)
        assert text and "{" not in text
