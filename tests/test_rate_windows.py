"""Rate over short stretches: rate.windows, rate_between, rates_differ (rates in syllables/s, wpm)."""

import json
from datetime import datetime

import numpy as np
import pytest
import soundfile as sf

from tests import synth
from tonecheck.analysis import Settings, analyze
from tonecheck.audio import from_array
from tonecheck.batch import analyze_one
from tonecheck.batch.discover import beside_transcript
from tonecheck.batch.model import Recording
from tonecheck.rate import WINDOW_S, estimate_rate, rate_between, rate_calibration, rates_differ

SR = 16000


def test_rate_between_counts_the_stretch_and_brackets_it():
    times = np.arange(0.0, 10.0, 0.25)  # 4 nuclei per second
    w = rate_between(times, 2.0, 6.0, language="en")
    cal = rate_calibration("en")
    assert w.syllables == 16
    assert w.syllables_per_s == pytest.approx(4.0)
    assert w.wpm == pytest.approx(4.0 * 60 / cal.syllables_per_word)
    assert w.syllables_per_s_low < 4.0 < w.syllables_per_s_high
    assert w.wpm_low < w.wpm < w.wpm_high
    assert w.rel_sd == pytest.approx(np.sqrt(cal.count_var_per_nucleus / 16))
    words_sd = np.hypot(w.rel_sd, cal.rel_sd_floor)
    assert w.wpm_high / w.wpm == pytest.approx(np.exp(1.645 * words_sd))
    assert w.syllables_per_s_high / 4.0 == pytest.approx(np.exp(1.645 * w.rel_sd))
    assert w.chars_per_min is None
    zh = rate_between(times, 2.0, 6.0, language="zh")
    assert zh.chars_per_min == pytest.approx(16 / 4.0 * 60 * rate_calibration("zh").chars_per_nucleus)
    assert zh.chars_per_min_low < zh.chars_per_min < zh.chars_per_min_high
    assert zh.chars_per_min_high / zh.chars_per_min == pytest.approx(
        np.exp(1.645 * np.hypot(zh.rel_sd, rate_calibration("zh").rel_sd_floor))
    )


def test_longer_stretches_have_narrower_intervals():
    times = np.arange(0.0, 30.0, 0.2)
    short, long_ = rate_between(times, 0.0, 3.0, language="zh"), rate_between(times, 0.0, 30.0, language="zh")
    assert long_.rel_sd < short.rel_sd
    assert (long_.wpm_high - long_.wpm_low) / long_.wpm < (short.wpm_high - short.wpm_low) / short.wpm


def test_rate_between_rejects_an_empty_stretch():
    with pytest.raises(ValueError, match="end_s"):
        rate_between(np.zeros(3), 2.0, 2.0, language="en")


def test_windows_cover_the_speaking_span():
    nuclei = np.arange(0, 1200, 25)  # frames: 4 per second over 12 s
    r = estimate_rate(nuclei, span_s=12.0, speech_s=10.0, language="en", start_s=0.0)
    assert [(w.start_s, w.end_s) for w in r.windows] == [(0.0, WINDOW_S), (WINDOW_S, 12.0)]
    assert sum(w.syllables for w in r.windows) == len(nuclei)
    assert len(estimate_rate(nuclei[:10], span_s=3.0, speech_s=3.0, language="en").windows) == 1
    with_text = estimate_rate(nuclei, span_s=12.0, speech_s=10.0, language="en", transcript="one two three")
    assert with_text.windows == ()


def test_rates_differ_only_beyond_the_uncertainty():
    slow = rate_between(np.arange(0.0, 4.0, 1 / 3.0), 0.0, 4.0, language="zh")
    a_bit_faster = rate_between(np.arange(0.0, 4.0, 1 / 3.3), 0.0, 4.0, language="zh")
    fast = rate_between(np.arange(0.0, 4.0, 1 / 7.0), 0.0, 4.0, language="zh")
    assert not rates_differ(slow, a_bit_faster)
    assert rates_differ(slow, fast) and rates_differ(fast, slow)


def _bursts(rate_per_s: float, duration_s: float, *, with_count: bool = False):
    y, n = synth.syllable_bursts(sr=SR, rate_per_s=rate_per_s, duration_s=duration_s, pause_every=8, pause_s=0.5)
    return (y, n) if with_count else y


def test_turns_at_different_rates_differ_and_equal_turns_do_not():
    fast, n_fast = _bursts(6.0, 8.0, with_count=True)
    y = np.concatenate([_bursts(3.0, 8.0), _bursts(3.0, 8.0), fast])
    a = analyze(from_array(y, sr=SR, path="turns.wav"), settings=Settings(language="zh"))
    first, second, third = (rate_between(a, s, s + 8.0, language="zh") for s in (0.0, 8.0, 16.0))
    assert third.syllables == pytest.approx(n_fast, abs=2)  # pauses inside the turn count, as in wpm
    assert not rates_differ(first, second)
    assert rates_differ(first, third)
    out = a.to_dict()["rate"]["windows"]
    assert out and {"start_s", "end_s", "wpm", "wpm_low", "wpm_high", "chars_per_min", "chars_per_min_high"} <= set(
        out[0]
    )


def _recording(path):
    return Recording(path, path.stem, "agent", datetime(2026, 11, 23))


def test_batch_uses_a_transcript_beside_the_recording(tmp_path):
    sf.write(tmp_path / "call.wav", _bursts(4.0, 8.0), SR)
    sf.write(tmp_path / "other.wav", _bursts(4.0, 8.0), SR)
    (tmp_path / "call.txt").write_text("thank you for calling how can I help you today", "utf-8")
    calls = tmp_path / "calls"
    calls.mkdir()
    for name in ("call", "other"):
        assert analyze_one(_recording(tmp_path / f"{name}.wav"), calls, Settings(), None, "en")["ok"]
    with_text = json.loads((calls / "call.json").read_text("utf-8"))["rate"]
    without = json.loads((calls / "other.json").read_text("utf-8"))["rate"]
    assert with_text["method"] == "transcript" and with_text["words"] == 10
    assert with_text["transcript"].endswith("call.txt")
    assert without["method"] == "syllable-nuclei" and "transcript" not in without


def test_unusable_transcripts_are_ignored_with_a_reason(tmp_path):
    wav = tmp_path / "a.wav"
    assert beside_transcript(wav, "en") == (None, None, None)
    (tmp_path / "a.txt").write_text("  ...  ", "utf-8")
    assert beside_transcript(wav, "en")[2] == "holds no words"
    (tmp_path / "a.txt").write_bytes(b"\xff\xfe\x00bad")
    assert beside_transcript(wav, "en")[2] == "unreadable or not UTF-8 text"


@pytest.mark.parametrize(
    "name", ["sppas_cmn_f1_P8.wav", "sppas_cmn_f2_P7.wav", "sppas_cmn_f5_P9.wav", "sppas_cmn_p8.wav"]
)
def test_read_mandarin_passages_count_characters_within_15_percent(corpus_dir, name):
    import csv

    from tonecheck.analysis import analyze_file

    row = next(
        r for r in csv.DictReader((corpus_dir / "zh_rate" / "labels.csv").open(encoding="utf-8")) if r["file"] == name
    )
    r = analyze_file(corpus_dir / "zh_rate" / name, settings=Settings(language="zh")).rate
    chars = r.chars_per_min * r.span_s / 60.0
    # read passages: 0.87-1.01 nuclei per character (docs/calibration.md)
    assert chars == pytest.approx(float(row["characters_spoken_est"]), rel=0.15)
    assert len(r.windows) >= 4 and sum(w.syllables for w in r.windows) == r.syllables


def test_a_new_transcript_makes_the_batch_redo_the_call(tmp_path):
    from tonecheck.batch.freshness import up_to_date

    sf.write(tmp_path / "call.wav", _bursts(4.0, 8.0), SR)
    calls = tmp_path / "calls"
    calls.mkdir()
    rec = _recording(tmp_path / "call.wav")
    assert analyze_one(rec, calls, Settings(), None, "en")["ok"]
    assert up_to_date(rec, calls, 60.0)
    (tmp_path / "call.txt").write_text("hello there", "utf-8")
    assert not up_to_date(rec, calls, 60.0)
    assert analyze_one(rec, calls, Settings(), None, "en")["ok"]
    assert up_to_date(rec, calls, 60.0)
    (tmp_path / "call.txt").unlink()
    assert not up_to_date(rec, calls, 60.0)
