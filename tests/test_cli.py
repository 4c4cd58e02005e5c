"""The command line: every command documented, bad inputs are one 'Error:' line and exit 1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from tonecheck.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def voice_like(sr=16000, seconds=6.0, excursion_st=3.0, seed=0):
    """Harmonic 'phrases' with a moving F0 and syllable-rate amplitude bursts."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    f0 = 140 * 2 ** (excursion_st * np.sin(2 * np.pi * 0.4 * t) / 12)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    y = sum(np.sin(k * phase) / k for k in range(1, 15))
    envelope = 0.5 * (1 - np.cos(2 * np.pi * 4.0 * t))  # 4 syllables per second
    envelope *= np.sin(2 * np.pi * t / 3.0) > -0.6  # pauses
    return (0.1 * y * envelope + 1e-4 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.fixture
def call_wav(tmp_path):
    path = tmp_path / "call.wav"
    sf.write(path, voice_like(), 16000, subtype="PCM_16")
    return path


def bad_inputs(tmp_path: Path) -> dict:
    tone = 0.5 * np.sin(2 * np.pi * 200 * np.arange(32000) / 8000)
    cut = tmp_path / "cut.wav"
    sf.write(cut, tone, 8000)
    cut.write_bytes(cut.read_bytes()[:20000])
    text = tmp_path / "notes.wav"
    text.write_text("not a recording\n" * 50)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    silence = tmp_path / "silence.wav"
    sf.write(silence, np.zeros(32000), 16000, subtype="PCM_16")
    short = tmp_path / "short.wav"
    sf.write(short, tone[:1600], 8000)
    folder = tmp_path / "folder.wav"
    folder.mkdir()
    noise = tmp_path / "noise.wav"
    sf.write(noise, 0.1 * np.random.default_rng(1).standard_normal(48000), 16000)
    return {
        "not audio": text,
        "truncated": cut,
        "zero-length": empty,
        "digital silence": silence,
        "0.2 s clip": short,
        "directory": folder,
        "missing": tmp_path / "missing.wav",
        "noise only": noise,
    }


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text("utf-8")
    for name, command in cli.commands.items():
        assert command.help, name
        assert f"tonecheck {name}" in readme, name


@pytest.mark.parametrize(
    "kind",
    ["not audio", "truncated", "zero-length", "digital silence", "0.2 s clip", "directory", "missing", "noise only"],
)
def test_bad_input_is_one_error_line_and_exit_1(tmp_path, kind):
    path = bad_inputs(tmp_path)[kind]
    result = CliRunner().invoke(cli, ["analyze", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and path.name in lines[0]
    assert "Traceback" not in result.output + result.stderr


def test_bad_inputs_in_a_real_process_have_no_traceback(tmp_path):
    paths = [str(p) for p in bad_inputs(tmp_path).values()]
    proc = subprocess.run(
        [sys.executable, "-m", "tonecheck", "analyze", *paths], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == len(paths)


def test_json_has_the_documented_keys(call_wav):
    result = CliRunner().invoke(cli, ["analyze", "--json", "--contour", str(call_wav)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("file", "duration_s", "sample_rate", "channels", "language", "warnings", "suggestions"):
        assert key in data
    for group, keys in {
        "speech": ["speech_s", "pause_count", "longest_pause_s"],
        "intonation": ["level", "verdict", "windows"],
        "pitch": ["median_hz", "range_st", "sd_st", "contour"],
        "rate": ["wpm", "articulation_wpm", "syllables_per_s", "verdict", "method"],
        "loudness": ["speech_level_dbfs", "variation_db", "clipped_fraction"],
        "energy": ["level"],
    }.items():
        for key in keys:
            assert key in data[group], f"{group}.{key}"
    assert 1.0 <= data["intonation"]["level"] <= 10.0
    contour = data["pitch"]["contour"]
    assert contour["hop_s"] == 0.01
    assert len(contour["f0_hz"]) == 1 + int(data["duration_s"] * 8000) // 80
    f0 = np.array([np.nan if f is None else f for f in contour["f0_hz"]])
    voiced = ~np.isnan(f0)
    times = np.arange(f0.size) * contour["hop_s"]
    truth = 140 * 2 ** (3 * np.sin(2 * np.pi * 0.4 * times) / 12)  # voice_like's contour
    assert voiced.mean() > 0.5
    assert np.median(np.abs(12 * np.log2(f0[voiced] / truth[voiced]))) < 0.1


def test_good_and_bad_file_together_exit_1_but_report_the_good_one(call_wav, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("nope")
    result = CliRunner().invoke(cli, ["analyze", "--json", str(call_wav), str(bad)])
    assert result.exit_code == 1
    assert json.loads(result.stdout.splitlines()[0])["file"] == str(call_wav)
    assert "bad.wav" in result.stderr


def test_text_report_names_the_verdicts_without_colour(call_wav):
    result = CliRunner().invoke(cli, ["analyze", str(call_wav)])
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.stdout
    assert re.search(r"Intonation\s+level \d+\.\d of 10", result.stdout)
    assert "What to try next" in result.stdout


def test_transcript_and_targets_options(call_wav, tmp_path):
    transcript = tmp_path / "t.txt"
    transcript.write_text("thank you for calling how can I help you today")
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"rate_wpm": {"low": 10, "high": 20}}))
    result = CliRunner().invoke(
        cli, ["analyze", "--json", "--transcript", str(transcript), "--targets", str(targets), str(call_wav)]
    )
    data = json.loads(result.stdout)
    assert data["rate"]["method"] == "transcript" and data["rate"]["words"] == 10
    assert data["rate"]["target"] == {"low": 10, "high": 20} and data["rate"]["verdict"] == "above"


def test_bad_targets_file_is_an_error_line(call_wav, tmp_path):
    targets = tmp_path / "targets.json"
    targets.write_text("{oops")
    result = CliRunner().invoke(cli, ["analyze", "--targets", str(targets), str(call_wav)])
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")


def test_bundled_samples_analyze():
    wavs = sorted(SAMPLES.glob("*.wav"))
    assert wavs, "samples/ should hold generated practice calls"
    result = CliRunner().invoke(cli, ["analyze", "--json", *map(str, wavs)])
    assert result.exit_code == 0, result.output
