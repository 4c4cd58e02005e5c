"""tonecheck.intensity: gain-independent emotional intensity (0-10). Tolerances in scale units."""

import math

import numpy as np
import pytest
import soundfile as sf

from tests import synth
from tonecheck import TonecheckError, analyze_file
from tonecheck.analysis import analyze
from tonecheck.audio import from_array
from tonecheck.bandpowers import alpha_band_energies
from tonecheck.frames import HOP_S
from tonecheck.intensity import (
    INTENSITY_BANDS,
    Intensity,
    alpha_frames,
    intensity_band,
    intensity_calibration,
    measure_intensity,
    relative_to_baseline,
)
from tonecheck.loudness import frame_levels_db
from tonecheck.rate import BAND_HZ
from tonecheck.targets import load_targets

SR = 16000


@pytest.fixture(scope="module")
def phrases():
    return synth.speechlike_phrases(sr=SR, duration_s=24.0, excursion_st=6.0, level_dbfs=-26.0)


def _intensity(y, sr=SR) -> Intensity:
    return analyze(from_array(y, sr=sr)).intensity


def test_same_speech_at_another_gain_keeps_its_intensity(phrases):
    base = _intensity(phrases)
    assert math.isfinite(base.index) and base.band in INTENSITY_BANDS
    for gain_db in (-20.0, -10.0, 6.0):
        other = _intensity(phrases * 10 ** (gain_db / 20))
        assert other.index == pytest.approx(base.index, abs=0.1)
        assert [w.index for w in other.windows] == pytest.approx([w.index for w in base.windows], abs=0.1, nan_ok=True)


def test_windows_share_the_intonation_grid(phrases):
    a = analyze(from_array(phrases, sr=SR))
    grid = [(w.start_s, w.end_s) for w in a.intensity.windows]
    assert grid[:2] == pytest.approx([(0.0, 10.0), (5.0, 15.0)])
    rated = {(round(w.start_s, 2), round(w.end_s, 2)) for w in a.intonation.windows}
    assert rated <= {(round(s, 2), round(e, 2)) for s, e in grid}


def test_bands_and_baseline():
    cal = intensity_calibration()
    assert intensity_band(cal.calm_below - 0.1) == "calm"
    assert intensity_band((cal.calm_below + cal.intense_above) / 2) == "engaged"
    assert intensity_band(cal.intense_above + 0.1) == "intense"
    assert intensity_band(float("nan")) == "unknown"
    assert relative_to_baseline(6.0, 4.5) == pytest.approx(1.5)
    assert math.isnan(relative_to_baseline(float("nan"), 4.5))


def test_alpha_frames_are_the_voiced_frames_and_a_sample_of_the_pauses():
    f0 = np.full(1000, np.nan)
    f0[100:300] = 150.0
    pauses = np.zeros(1000, bool)
    pauses[400:] = True
    frames = alpha_frames(f0, pauses, max_pause_frames=60)
    assert frames[100:300].all() and not frames[:100].any() and not frames[300:400].any()
    picked = np.flatnonzero(frames[400:])
    assert picked.size == 60 and (picked[0], picked[-1]) == (0, 599)
    assert set(np.diff(picked)) <= {10, 11}  # evenly spread over the pauses
    few = pauses & (np.arange(1000) < 410)  # 10 pause frames: the floor comes from all frames
    assert alpha_frames(f0, few).all()


def test_measuring_only_the_frames_the_cue_reads_changes_nothing(phrases, rng):
    """Voiced frames plus 50 of the pause frames give the index that all frames give."""
    noisy = phrases + 10 ** (-60 / 20) * rng.standard_normal(phrases.size)  # a noise floor to take off
    a = analyze(from_array(noisy, sr=SR))
    y, sr, speech = a.audio.samples, a.audio.sr, a.speech.is_speech
    f0 = np.where(a.pitch.voiced & speech, a.pitch.f0_hz, np.nan)
    band_levels = frame_levels_db(y, sr=sr, hop_s=HOP_S, band_hz=BAND_HZ)
    frames = alpha_frames(f0, ~speech, max_pause_frames=50)
    assert frames.sum() < np.isfinite(f0).sum() + 51
    kw = {"speech": speech, "hop_s": HOP_S}
    full = measure_intensity(f0, band_levels, alpha_band_energies(y, sr=sr, hop_s=HOP_S), **kw)
    part = measure_intensity(f0, band_levels, alpha_band_energies(y, sr=sr, hop_s=HOP_S, frames=frames), **kw)
    assert math.isfinite(full.index)
    assert part.cues["alpha_ratio_db"] == pytest.approx(full.cues["alpha_ratio_db"], abs=0.05)
    assert [w.index for w in part.windows] == pytest.approx([w.index for w in full.windows], abs=0.1, nan_ok=True)


def test_more_upper_harmonics_reads_more_intense():
    soft = synth.speechlike_phrases(sr=SR, duration_s=12.0, excursion_st=4.0, n_harmonics=8)
    bright = synth.speechlike_phrases(sr=SR, duration_s=12.0, excursion_st=4.0, n_harmonics=40)
    assert _intensity(bright).cues["alpha_ratio_db"] > _intensity(soft).cues["alpha_ratio_db"] + 3.0
    assert _intensity(bright).index > _intensity(soft).index


def test_json_has_the_intensity_section(phrases):
    d = analyze(from_array(phrases, sr=SR)).to_dict()
    it = d["intensity"]
    assert set(it) == {"index", "band", "verdict", "target", "windows", "cues", "calibration"}
    assert 0.0 <= it["index"] <= 10.0 and it["band"] in INTENSITY_BANDS
    assert it["target"] == {"low": 3.5, "high": 7.5} and it["calibration"] == intensity_calibration().version
    assert set(it["windows"][0]) == {"start_s", "end_s", "index"}
    assert set(it["cues"]) == {"alpha_ratio_db", "f0_rel_st", "loudness_peak_rel_db"}
    assert d["energy"]["index"] == it["index"] and d["energy"]["verdict"] == it["verdict"]


def test_old_targets_file_with_energy_index_is_refused_naming_the_replacement(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"energy_index": {"low": -3, "high": 3}}', encoding="utf-8")
    with pytest.raises(TonecheckError, match="replaced by 'intensity_index'"):
        load_targets(path)


@pytest.mark.corpus
@pytest.mark.parametrize(
    "calm, expressive",
    [
        ("tess/YAF_back_neutral.wav", "tess/YAF_back_angry.wav"),
        ("tess/OAF_bath_neutral.wav", "tess/OAF_bath_happy.wav"),
        ("cremad/1001_DFA_NEU_XX.wav", "cremad/1001_DFA_ANG_XX.wav"),
    ],
)
def test_expressive_reading_scores_above_the_same_speakers_neutral_one(corpus_dir, calm, expressive):
    assert analyze_file(corpus_dir / expressive).intensity.index > analyze_file(corpus_dir / calm).intensity.index + 1.0


@pytest.mark.corpus
def test_flat_but_loud_stays_below_lively_but_soft(corpus_dir):
    flat, sr = sf.read(corpus_dir / "tess/YAF_back_neutral.wav")
    lively, _ = sf.read(corpus_dir / "tess/YAF_back_angry.wav")
    loud = _intensity(np.asarray(flat) * 2.0, sr)  # +6 dB
    soft = _intensity(np.asarray(lively) * 0.1, sr)  # -20 dB
    assert soft.index > loud.index + 1.0
