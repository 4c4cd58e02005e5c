"""The ladder exercise (tonecheck.ladder, ``tonecheck ladder``) on espeak-ng SSML ladders.

Each ladder is one sentence repeated, each repetition at ``<prosody
range="R">`` (0 is a true monotone, 100 espeak's widest range), joined by
``<break/>`` pauses; the levels rise with R (docs/calibration.md).
"""

from __future__ import annotations

import dataclasses
import json
import math
from xml.sax.saxutils import escape

import numpy as np
import pytest
from click.testing import CliRunner

from tests import synth
from tonecheck.analysis import Settings
from tonecheck.audio import from_array
from tonecheck.cli.ladder import ladder as ladder_command
from tonecheck.ladder import (
    ROLES,
    analyze_ladder,
    analyze_ladder_file,
    break_threshold_s,
    climb_rho,
    segment_repetitions,
)
from tonecheck.messages import catalog, render
from tonecheck.targets import Band, default_targets

SENTENCE = "Thank you for calling, how can I help you today?"
CLIMB = tuple(range(0, 100, 11))  # 0, 11, ... 99: ten rungs
EXERCISE = (50, *CLIMB, 77, 55)  # normal, climb, down to "8", settle


def _ladder_audio(ranges, *, break_ms: int | None = 800):
    """The sentence at each range; ``break_ms=None`` runs them together with no pause (no punctuation)."""
    if not synth.espeak_available():
        pytest.skip("espeak-ng not on PATH; install it (apt-get install espeak-ng)")
    text = SENTENCE if break_ms is not None else SENTENCE.replace(",", "").rstrip("?") + " and"
    parts = [f'<prosody range="{r}">{escape(text)}</prosody>' for r in ranges]
    joint = " " if break_ms is None else f'<break time="{break_ms}ms"/>'
    return synth.espeak_ssml(joint.join(parts), voice="en-us")


@pytest.fixture(scope="module")
def exercise_wav(tmp_path_factory):
    y, sr = _ladder_audio(EXERCISE)
    return str(synth.write_wav(tmp_path_factory.mktemp("ladder") / "ladder.wav", y, sr))


@pytest.fixture(scope="module")
def exercise(exercise_wav):
    return analyze_ladder_file(exercise_wav)


def test_climb_repetitions_are_found_and_rise():
    y, sr = _ladder_audio(CLIMB)
    result = analyze_ladder(from_array(y, sr=sr, path="climb.wav"))
    levels = [r.level for r in result.repetitions]
    assert len(levels) == len(CLIMB)
    assert not any(r.window for r in result.repetitions)
    assert result.rises and result.climb_rho >= 0.95
    assert all(b > a for a, b in zip(levels, levels[1:])), levels
    assert result.low_level <= 1.5 and result.high_level - result.low_level >= 3.0
    assert result.settled_level is None and result.verdict == "no_settle"


def test_a_monotone_ladder_does_not_rise():
    y, sr = _ladder_audio((0,) * 6)
    result = analyze_ladder(from_array(y, sr=sr, path="flat.wav"))
    assert len(result.repetitions) == 6
    assert max(r.level for r in result.repetitions) <= 1.5
    assert not result.rises and result.verdict == "no_climb"
    keys = [m.key for m in result.advice]
    assert "ladder.no_rise" in keys and "ladder.top_low" in keys and keys[-1] == "ladder.repeat"


def test_exercise_steps_down_and_settles(exercise):
    reps = exercise.repetitions
    assert len(reps) == len(EXERCISE)
    roles = [r.role for r in reps]
    assert roles == ["normal"] + ["climb"] * len(CLIMB) + ["step_down", "settle"]
    assert exercise.rises
    assert exercise.settled_level == reps[-1].level
    assert reps[-1].level < reps[-2].level < exercise.high_level
    band = exercise.analysis.targets.intonation_level
    assert exercise.verdict == "settled_" + band.verdict(exercise.settled_level)
    assert f"ladder.{exercise.verdict}" in [m.key for m in exercise.advice]
    assert 1.0 <= exercise.settled_own_level <= 10.0


@pytest.mark.parametrize(("band", "verdict"), [((3.0, 5.0), "settled_within"), ((1.0, 3.0), "settled_above")])
def test_the_settled_step_is_judged_against_the_target_band(exercise_wav, exercise, band, verdict):
    targets = dataclasses.replace(default_targets(), intonation_level=Band(*band))
    result = analyze_ladder_file(exercise_wav, targets=targets)
    assert exercise.settled_level == pytest.approx(4.1, abs=0.6)  # espeak range 55 (docs/measures.md)
    assert result.settled_level == exercise.settled_level and result.verdict == verdict
    advice = [m for m in result.advice if m.key == f"ladder.{verdict}"]
    assert advice and render(advice[0], "zh") and render(advice[0], "en").startswith("You settled at level")


def test_every_ladder_key_is_in_both_catalogs():
    emitted = {f"ladder.role.{r}" for r in ROLES} | {f"ladder.settled_{v}" for v in ("within", "below", "above")}
    emitted |= {"ladder.too_few", "ladder.short_climb", "ladder.no_rise", "ladder.top_low", "ladder.no_settle"}
    en = {k for k in catalog("en") if k.startswith("ladder.")}
    assert emitted <= en and en == {k for k in catalog("zh") if k.startswith("ladder.")}


def test_a_continuous_climb_is_cut_into_windows():
    y, sr = _ladder_audio(CLIMB, break_ms=None)
    result = analyze_ladder(from_array(y, sr=sr, path="continuous.wav"))
    assert len(result.repetitions) >= 5 and all(r.window for r in result.repetitions)
    assert result.rises


def test_one_sentence_is_too_few():
    y, sr = _ladder_audio((50,))
    result = analyze_ladder(from_array(y, sr=sr, path="one.wav"), settings=Settings(language="en"))
    assert len(result.repetitions) == 1
    assert result.verdict == "too_few" and not result.rises
    assert result.advice[0].key == "ladder.too_few"


def test_segmentation_joins_fragments_and_splits_long_stretches():
    # every sentence split by a 0.3 s comma pause, 1 s between sentences: one repetition per sentence
    segs = [(0.0, 1.0), (1.3, 2.0), (3.0, 4.0), (4.3, 5.0), (6.0, 7.0), (7.3, 8.0)]
    assert break_threshold_s([0.3, 1.0, 0.3, 1.0, 0.3]) == pytest.approx(math.sqrt(0.3))
    assert segment_repetitions(segs) == [(0.0, 2.0, False), (3.0, 5.0, False), (6.0, 8.0, False)]
    # pauses of one class all separate repetitions; a stray 0.2 s fragment joins the nearer neighbour
    segs = [(0.0, 2.0), (3.0, 5.0), (5.6, 5.8), (7.0, 9.0)]
    assert break_threshold_s([1.0, 0.6, 1.2]) == 0.0
    assert segment_repetitions(segs) == [(0.0, 2.0, False), (3.0, 5.8, False), (7.0, 9.0, False)]
    # a 20 s stretch among 2 s repetitions is a continuous climb: cut into 2 s windows
    segs = [(0.0, 2.0), (3.0, 23.0), (24.0, 26.0), (27.0, 29.0)]
    reps = segment_repetitions(segs)
    assert len(reps) == 3 + 10 and sum(w for *_, w in reps) == 10
    assert reps[1][:2] == (3.0, 5.0) and reps[10][:2] == (21.0, 23.0)


def test_climb_rho():
    assert climb_rho([1, 2, 3, 4]) == pytest.approx(1.0)
    assert climb_rho([4, 3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(climb_rho([1.0, 1.0, 1.0])) and math.isnan(climb_rho([2.0]))


def test_cli_json_round_trips_and_matches_the_library(exercise_wav, exercise):
    result = CliRunner().invoke(ladder_command, [exercise_wav, "--json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == json.loads(json.dumps(exercise.to_dict(lang="en")))
    assert [r["level"] for r in data["repetitions"]] == [r.level for r in exercise.repetitions]
    assert data["rises"] is True and data["settled_level"] == exercise.settled_level
    assert data["target"] == {"low": 4.5, "high": 6.5}


def test_cli_text_report_in_english_and_chinese(exercise_wav, exercise):
    en = CliRunner().invoke(ladder_command, [exercise_wav, "--lang", "en"])
    assert en.exit_code == 0, en.output
    assert "Climb rises: yes" in en.output and f"{exercise.settled_level:.1f}" in en.output
    assert en.output.count("[#") == len(EXERCISE)
    zh = CliRunner().invoke(ladder_command, [exercise_wav, "--lang", "zh", "--language", "en"])
    assert zh.exit_code == 0, zh.output
    assert "阶梯练习" in zh.output and "逐级上升：是" in zh.output and "Climb" not in zh.output
    assert json.loads(CliRunner().invoke(ladder_command, [exercise_wav, "--json", "--lang", "zh"]).output)["advice"]


@pytest.mark.parametrize("kind", ["missing", "not audio", "digital silence"])
def test_cli_bad_input_is_one_error_line(tmp_path, kind):
    path = tmp_path / f"{kind.replace(' ', '_')}.wav"
    if kind == "not audio":
        path.write_bytes(b"this is not a recording\n" * 20)
    elif kind == "digital silence":
        synth.write_wav(path, np.zeros(16000 * 3, np.float32), 16000)
    for lang in ("en", "zh"):
        result = CliRunner().invoke(ladder_command, [str(path), "--lang", lang])
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and path.name in lines[0], result.output
        assert lines[0].startswith("Error:" if lang == "en" else "错误：")


def test_levels_match_the_recording_measure_on_one_repetition():
    # identical repetitions rate alike, and near the level of the whole recording
    y, sr = _ladder_audio((66,) * 3)
    result = analyze_ladder(from_array(y, sr=sr, path="same.wav"))
    levels = np.array([r.level for r in result.repetitions])
    assert np.ptp(levels) <= 0.3
    assert abs(float(np.mean(levels)) - result.analysis.intonation.level) <= 0.5
