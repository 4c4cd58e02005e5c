"""The terminal report and its languages: what a new user reads (issue 8, items 15, 17, 20, 23)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
import soundfile as sf
from click.testing import CliRunner

from tests.test_cli import bad_inputs, voice_like
from tonecheck.analysis import Settings, analyze
from tonecheck.audio import from_array
from tonecheck.cli import cli
from tonecheck.cli.common import resolve_languages
from tonecheck.messages import Message
from tonecheck.report.text import display_width, render_text
from tonecheck.targets import Band, default_targets

ROOT = Path(__file__).resolve().parents[1]
ZH_TEXT = "感谢您致电北风客服，我是小李。请问今天有什么可以帮您？很抱歉，您的订单还没有送到。"


@pytest.fixture(scope="module")
def audio():
    return from_array(voice_like(seconds=8.0), sr=16000, path="call.wav")


@pytest.fixture
def call_wav(tmp_path):
    path = tmp_path / "call.wav"
    sf.write(path, voice_like(), 16000, subtype="PCM_16")
    return path


def run(*args, env=None, color=False):
    return CliRunner().invoke(cli, ["analyze", *map(str, args)], env=env, color=color)


# --- 15: the report language implies the spoken language ---------------------------------------


@pytest.mark.parametrize(
    "language, report_lang, locale, expected",
    [
        (None, None, "en_US.UTF-8", ("en", "en")),
        (None, "zh", "en_US.UTF-8", ("zh", "zh")),
        (None, None, "zh_CN.UTF-8", ("zh", "zh")),
        ("en", "zh", "en_US.UTF-8", ("en", "zh")),
        ("zh", None, "en_US.UTF-8", ("zh", "en")),
        (None, "en", "zh_CN.UTF-8", ("en", "en")),
    ],
)
def test_resolve_languages(monkeypatch, language, report_lang, locale, expected):
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", locale)
    assert resolve_languages(language, report_lang) == expected


@pytest.mark.parametrize(
    "args, env, spoken",
    [
        (["--lang", "zh"], {}, "zh"),
        ([], {"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}, "zh"),
        (["--lang", "zh", "--language", "en"], {}, "en"),
    ],
)
def test_chinese_report_measures_mandarin_unless_told(call_wav, args, env, spoken):
    result = run("--json", *args, call_wav, env={"LANG": "en_US.UTF-8", "LC_ALL": None, **env})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["language"] == spoken
    assert data["intonation"]["calibration"].startswith(spoken)


def test_helps_say_which_language_is_which():
    help_text = " ".join(run("--help").output.split())
    assert "Language SPOKEN in the recording" in help_text
    assert "Language of the report TEXT" in help_text


@pytest.mark.parametrize("language, script", [("en", "Chinese characters"), ("zh", "Latin-alphabet words")])
def test_transcript_in_the_other_script_is_counted_and_flagged(tmp_path, call_wav, language, script):
    transcript = tmp_path / "t.txt"
    transcript.write_text(ZH_TEXT if language == "en" else "thank you for calling how can I help you", "utf-8")
    result = run("--json", "--language", language, "--transcript", transcript, call_wav)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rate"]["words"] >= 9  # not one "word" for a whole Chinese sentence
    assert any(script in w and "--language" in w for w in data["warnings"])
    text = run("--language", language, "--transcript", transcript, call_wav).stdout
    top, bottom = text.split("Intonation ", 1)
    assert script in top and script not in bottom  # a reading note: shown before the figures


def test_matching_transcript_is_not_flagged(tmp_path, call_wav):
    transcript = tmp_path / "t.txt"
    transcript.write_text(ZH_TEXT, "utf-8")
    data = json.loads(run("--json", "--language", "zh", "--transcript", transcript, call_wav).stdout)
    assert not any("transcript" in w for w in data["warnings"])


# --- 17: advice quotes the targets in force -----------------------------------------------------


def test_advice_quotes_overridden_rate_target(tmp_path, call_wav):
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"rate_wpm": {"low": 170}}))
    en = run("--targets", targets, call_wav).stdout
    assert "below target (target at least 170 words/min)" in en
    assert "slower than your target of at least 170 words/min" in en
    assert "100-150" not in en and "100 to 150" not in en
    zh = run("--lang", "zh", "--language", "en", "--targets", targets, call_wav).stdout
    assert "至少 170 词/分钟" in zh and "100-150" not in zh


def test_every_advice_with_a_number_follows_the_targets(audio):
    targets = replace(
        default_targets(),
        intonation_level=Band(7.0, 9.0),
        speech_level_dbfs=Band(-12.0, -5.0),
        loudness_variation_db=Band(high=0.05),
        long_pause_s=Band(high=0.2),
        rate_wpm=Band(300.0, 400.0),
    )
    a = analyze(audio, targets=targets)
    keys = [m.key for m in a.scores.advice]
    assert {"advice.intonation_flat", "advice.rate_slow", "advice.volume_low"} <= set(keys), keys
    for lang, words in (("en", ("7 to 9", "300 to 400 words/min", "-12 to -5 dBFS")), ("zh", ("7 至 9", "300 至 400"))):
        report = render_text(a, lang=lang)
        advice = report.split("What to try next:" if lang == "en" else "下一步可以尝试：")[1]
        for w in words:
            assert w in advice, (lang, w, advice)
        assert "5-6" not in advice and "4.5" not in advice and "100-150" not in advice


# --- 20: bands, flat stretches, --contour, NO_COLOR, Chinese columns and errors --------------------


def test_bands_are_written_with_words_and_units(audio):
    report = render_text(analyze(audio), lang="en")
    assert "target -36 to -10 dBFS" in report and "target 3.5 to 7.5" in report
    assert "target 100 to 150 words/min" in report
    assert not re.search(r"\d--\d|-\d+-\d", report)
    zh = render_text(analyze(audio), lang="zh")
    assert "目标 -36 至 -10 dBFS" in zh


def test_overlapping_flat_windows_are_one_stretch():
    audio = from_array(voice_like(seconds=22.0), sr=16000, path="long.wav")
    a = analyze(audio, targets=replace(default_targets(), intonation_level=Band(9.5, 10.0)))
    assert len(a.intonation.windows) >= 2  # 10 s windows every 5 s: they overlap
    report = render_text(a, lang="en")
    (line,) = [ln for ln in report.splitlines() if "Flat stretches" in ln]
    assert line.strip().startswith("Flat stretches: 0:00-0:22 (intonation below level 8.5)")
    assert "faded" not in report  # the whole call is flat: ladder advice, not a stretch


def test_contour_without_json_is_an_error(call_wav):
    result = run("--contour", call_wav)
    assert result.exit_code == 1 and result.stderr.startswith("Error: --contour") and "--json" in result.stderr


@pytest.mark.parametrize("no_color, coloured", [(None, True), ("1", False), ("", True)])
def test_no_color_is_honoured(call_wav, no_color, coloured):
    result = run(call_wav, env={"NO_COLOR": no_color}, color=True)
    assert result.exit_code == 0, result.output
    assert ("\x1b[" in result.stdout) == coloured


def test_chinese_columns_line_up_by_display_width(audio):
    report = render_text(analyze(audio), lang="zh")
    rows = [ln for ln in report.splitlines() if "目标（" in ln and not ln.strip()[0].isdigit()]
    assert len(rows) == 4
    columns = {display_width(ln[: ln.index(v)]) for ln in rows for v in ("低于目标", "达到目标", "高于目标") if v in ln}
    assert len(columns) == 1, rows


@pytest.mark.parametrize(
    "kind, needle",
    [
        ("missing", "文件不存在"),
        ("directory", "这是文件夹"),
        ("zero-length", "文件是空的"),
        ("not audio", "不是可读取的音频文件"),
        ("digital silence", "数字静音"),
        ("noise only", "没有检测到语音"),
    ],
)
def test_common_loader_errors_follow_the_report_language(tmp_path, kind, needle):
    path = bad_inputs(tmp_path)[kind]
    result = run("--lang", "zh", path)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"错误：{path}：") and needle in line, line
    english = run("--lang", "en", path)
    assert english.stderr.startswith(f"Error: {path}: ")


def test_own_errors_follow_the_report_language(tmp_path, call_wav):
    transcript = tmp_path / "t.txt"
    transcript.write_text("  ")
    result = run("--lang", "zh", "--transcript", transcript, call_wav)
    assert result.stderr.startswith("错误：") and "文字稿是空的" in result.stderr


# --- 23: a report for an agent --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_opens_with_the_summary_and_reading_notes(audio, lang):
    a = analyze(audio)
    short = Message("note.short_speech", {"seconds": "8.0"})
    other = Message("note.dc_offset", {"percent": "1%"})
    a = replace(a, notes=(other, short))
    from tonecheck.messages import render

    lines = render_text(a, lang=lang).splitlines()
    assert lines[1] == render(a.scores.summary, lang)
    figures = next(i for i, ln in enumerate(lines) if ln.startswith(("  Intonation", "  语调")))
    advice = next(i for i, ln in enumerate(lines) if ln.startswith(("What to try next", "下一步")))
    text = "\n".join(lines)
    short_at, other_at = text.index(render(short, lang)), text.index(render(other, lang))
    assert short_at < text.index(lines[figures]) and other_at > text.index(lines[advice])


@pytest.mark.parametrize(
    "lang, meanings",
    [
        (
            "en",
            (
                "How much your pitch rises and falls",
                "How fast you talk",
                "How loud the recording is",
                "emotional intensity",
            ),
        ),
        ("zh", ("声音起伏的程度", "说话的快慢", "录音有多响", "情绪强度")),
    ],
)
def test_every_figure_has_a_meaning_and_units_have_words(audio, lang, meanings):
    report = render_text(analyze(audio), lang=lang)
    for meaning in meanings:
        assert meaning in report
    plain = {"semitones": "musical half steps", "dB (": "decibels", "半音": "音乐上的半音"}
    for unit, words in plain.items():
        if unit in report:
            assert words in report


def test_json_adds_the_summary(call_wav):
    data = json.loads(run("--json", call_wav).stdout)
    assert data["summary_key"].startswith("summary.") and data["summary"]
    assert data["schema_version"] == 1


def test_summary_quotes_the_intonation_target(audio):
    targets = replace(default_targets(), intonation_level=Band(7.0, 9.0))
    s = analyze(audio, targets=targets).scores.summary
    assert s.key.startswith("summary.flat.")
    assert render_text(analyze(audio, targets=targets)).splitlines()[1] != ""
    if s.key == "summary.flat.none":
        from tonecheck.messages import render

        assert "7 to 9" in render(s, "en")


def test_settings_reject_wordless_transcripts():
    from tonecheck.errors import TonecheckError

    with pytest.raises(TonecheckError, match="no words"):
        Settings(transcript=" \n ")
