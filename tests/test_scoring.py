"""tonecheck.scoring: verdicts against the manual's targets and the advice they trigger."""

from dataclasses import replace

import pytest

from tonecheck.messages import LANGUAGES, catalog, render
from tonecheck.scoring import Measures, score
from tonecheck.targets import default_targets


def available_catalogs():
    out = []
    for lang in LANGUAGES:
        try:
            catalog(lang)
            out.append(lang)
        except FileNotFoundError:
            pass
    return out


ON_TARGET = Measures(
    intonation_level=5.5,
    flat_windows=(),
    wpm=130.0,
    speech_level_dbfs=-24.0,
    variation_db=2.0,
    trend_db_per_min=0.0,
    span_s=120.0,
    clipped_fraction=0.0,
    energy_index=0.5,
    median_hz=140.0,
    rise_st=0.2,
    longest_pause_s=1.0,
)


def keys(measures):
    return [m.key for m in score(measures, default_targets()).advice]


def test_on_target_call_is_praised():
    s = score(ON_TARGET, default_targets())
    assert (s.intonation.verdict, s.rate.verdict, s.loudness.verdict, s.energy.verdict) == ("within",) * 4
    assert keys(ON_TARGET) == ["advice.keep_going"]


def test_flat_intonation_gets_ladder_and_smile_first():
    k = keys(replace(ON_TARGET, intonation_level=2.1))
    assert k[:2] == ["advice.intonation_flat", "advice.smile"]


def test_exaggerated_intonation_is_toned_down():
    assert keys(replace(ON_TARGET, intonation_level=8.4))[0] == "advice.intonation_exaggerated"


def test_flat_stretch_inside_a_good_call():
    assert keys(replace(ON_TARGET, flat_windows=((65.0, 75.0),)))[0] == "advice.flat_stretch"


@pytest.mark.parametrize("wpm, key", [(185.0, "advice.rate_fast"), (80.0, "advice.rate_slow")])
def test_rate_advice(wpm, key):
    assert key in keys(replace(ON_TARGET, wpm=wpm))


def test_high_tight_pitch_asks_for_slow_breathing():
    assert "advice.pitch_high" in keys(replace(ON_TARGET, median_hz=290.0))
    assert "advice.pitch_high" in keys(replace(ON_TARGET, rise_st=3.0))


def test_volume_advice():
    assert "advice.volume_low" in keys(replace(ON_TARGET, speech_level_dbfs=-42.0))
    assert "advice.clipping" in keys(replace(ON_TARGET, clipped_fraction=0.01))
    assert "advice.volume_uneven" in keys(replace(ON_TARGET, variation_db=6.0))
    assert "advice.volume_fading" in keys(replace(ON_TARGET, trend_db_per_min=-5.0))
    assert "advice.volume_fading" not in keys(replace(ON_TARGET, trend_db_per_min=-5.0, span_s=30.0))


def test_energy_advice():
    assert "advice.energy_low" in keys(replace(ON_TARGET, energy_index=-5.0))


def test_every_advice_renders_in_every_language():
    bad = replace(
        ON_TARGET,
        intonation_level=2.0,
        wpm=190.0,
        median_hz=300.0,
        rise_st=3.0,
        speech_level_dbfs=-45.0,
        clipped_fraction=0.02,
        variation_db=7.0,
        trend_db_per_min=-6.0,
        energy_index=-6.0,
        longest_pause_s=5.0,
    )
    advice = score(bad, default_targets()).advice
    assert len(advice) == 5
    for lang in LANGUAGES:
        if lang in available_catalogs():
            for m in advice:
                text = render(m, lang)
                assert text and "{" not in text
