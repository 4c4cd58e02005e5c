"""tonecheck.scoring: verdicts against the manual's targets and the advice they trigger."""

from dataclasses import replace

import pytest

from tonecheck.messages import LANGUAGES, catalog, render
from tonecheck.scoring import Measures, band_message, flat_stretches, recording_level_notes, score
from tonecheck.targets import Band, default_targets


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
    intensity_index=5.0,
    snr_db=25.0,
    median_hz=140.0,
    rise_st=0.2,
    longest_pause_s=1.0,
)


def keys(measures):
    return [m.key for m in score(measures, default_targets()).advice]


def test_on_target_call_is_praised():
    s = score(ON_TARGET, default_targets())
    assert (s.intonation.verdict, s.rate.verdict, s.loudness.verdict, s.intensity.verdict) == ("within",) * 4
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


@pytest.mark.parametrize("index, key", [(2.0, "advice.intensity_low"), (8.5, "advice.intensity_high")])
def test_intensity_advice(index, key):
    assert key in keys(replace(ON_TARGET, intensity_index=index))
    assert not any(k.startswith("advice.intensity") for k in keys(replace(ON_TARGET, intensity_index=5.0)))


def test_intensity_verdict_ignores_the_recording_level():
    quiet = score(replace(ON_TARGET, speech_level_dbfs=-45.0), default_targets())
    loud = score(replace(ON_TARGET, speech_level_dbfs=-12.0), default_targets())
    assert quiet.intensity == loud.intensity and quiet.intensity.verdict == "within"


def test_recording_level_notes_point_at_the_microphone_gain():
    t = default_targets()
    assert [n.key for n in recording_level_notes(replace(ON_TARGET, speech_level_dbfs=-45.0, snr_db=40.0), t)] == [
        "note.gain_low"
    ]
    assert recording_level_notes(replace(ON_TARGET, speech_level_dbfs=-45.0, snr_db=15.0), t) == ()  # a quiet voice
    assert [n.key for n in recording_level_notes(replace(ON_TARGET, clipped_fraction=0.01), t)] == ["note.gain_high"]
    assert recording_level_notes(ON_TARGET, t) == ()


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
        intensity_index=1.0,
        longest_pause_s=5.0,
    )
    advice = score(bad, default_targets()).advice
    assert len(advice) == 5
    for lang in LANGUAGES:
        if lang in available_catalogs():
            for m in advice:
                text = render(m, lang)
                assert text and "{" not in text


@pytest.mark.parametrize(
    "band, unit, en, zh",
    [
        (Band(-36.0, -10.0), "unit.dbfs", "-36 to -10 dBFS", "-36 至 -10 dBFS"),
        (Band(-3.0, 3.0), "", "-3 to 3", "-3 至 3"),
        (Band(4.5, 6.5), "", "4.5 to 6.5", "4.5 至 6.5"),
        (Band(low=170.0), "unit.wpm", "at least 170 words/min", "至少 170 词/分钟"),
        (Band(high=3.0), "unit.s", "at most 3 s", "至多 3 秒"),
        (Band(), "unit.wpm", "no limit", "不限"),
    ],
)
def test_band_message_spells_out_open_sides_and_negative_numbers(band, unit, en, zh):
    m = band_message(band, unit)
    assert (render(m, "en"), render(m, "zh")) == (en, zh)


def test_advice_numbers_come_from_the_targets_in_force():
    t = replace(
        default_targets(),
        rate_wpm=Band(low=170.0),
        intonation_level=Band(6.0, 8.0),
        speech_level_dbfs=Band(-20.0, -12.0),
        loudness_variation_db=Band(high=1.5),
        loudness_fade_db_per_min=Band(low=-1.0),
        long_pause_s=Band(high=0.5),
    )
    m = replace(ON_TARGET, wpm=163.0, intonation_level=3.0, variation_db=2.0, trend_db_per_min=-2.0)
    advice = score(m, t).advice
    texts = {k.key: (render(k, "en"), render(k, "zh")) for k in advice}
    assert "at least 170 words/min" in texts["advice.rate_slow"][0]
    assert "至少 170 词/分钟" in texts["advice.rate_slow"][1]
    assert "aim for 6 to 8" in texts["advice.intonation_flat"][0] and "6 至 8" in texts["advice.intonation_flat"][1]
    assert "-20 to -12 dBFS" in texts["advice.volume_low"][0]
    everything = " ".join(en + zh for en, zh in texts.values())
    assert "100-150" not in everything and "5-6" not in everything and "4.5" not in everything
    more = score(replace(m, intonation_level=5.0 + 2.0, longest_pause_s=1.0, speech_level_dbfs=-15.0), t).advice
    more_texts = {k.key: render(k, "en") for k in more}
    assert "at most 1.5 dB" in more_texts["advice.volume_uneven"]
    assert "at least -1 dB/min" in more_texts["advice.volume_fading"]
    assert "at most 0.5 s" in more_texts["advice.long_pause"]


def test_flat_windows_overlapping_or_touching_merge_into_stretches():
    from tonecheck.intonation import IntonationWindow

    def w(start, end, level):
        return IntonationWindow(start, end, 1.0, 5.0, level)

    windows = (w(0, 10, 5.0), w(15, 25, 2.0), w(20, 30, 2.5), w(25, 35, 3.0), w(35, 45, 2.0), w(50, 60, 1.0))
    assert flat_stretches(windows, Band(4.5, 6.5)) == ((15, 45), (50, 60))
    assert flat_stretches(windows, Band(2.5, 6.5)) == ((50, 60),)
    assert flat_stretches((), Band(4.5, 6.5)) == ()


def test_summary_with_an_open_intonation_band_does_not_call_a_monotone_lively():
    t = replace(default_targets(), intonation_level=Band())
    s = score(replace(ON_TARGET, intonation_level=1.0), t).summary
    assert s.key == "summary.untargeted.none"
    assert "No intonation target" in render(s, "en") and "未设语调目标" in render(s, "zh")
