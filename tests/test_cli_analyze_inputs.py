"""``tonecheck analyze`` never clobbers, never tracebacks, never leaks library warnings.

Classes of defect (issue 8): outputs that would replace an input, a device,
a FIFO or a folder (1); hostile options and file names that used to end in a
traceback (7); empty transcripts (8); numpy/matplotlib warnings on stderr (9).
Hostile files are built inside ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import warnings

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from tests.test_cli import voice_like
from tonecheck.cli import cli


@pytest.fixture
def call_wav(tmp_path):
    path = tmp_path / "call.wav"
    sf.write(path, voice_like(), 16000, subtype="PCM_16")
    return path


@pytest.fixture
def no_analysis(monkeypatch):
    """Fail the test if the analysis runs: output checks must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("analyze_file ran before the output path was checked")

    monkeypatch.setattr("tonecheck.analysis.analyze_file", refuse)


def one_error_line(result, *needles) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in result.output + result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def run(*args, env=None):
    return CliRunner().invoke(cli, ["analyze", *map(str, args)], env=env)


# --- 1: outputs never clobber what they must not ---------------------------------------------


@pytest.mark.parametrize("option", ["--report", "--plot"])
def test_output_onto_the_input_recording_is_refused_and_the_recording_kept(call_wav, option, no_analysis):
    before = call_wav.read_bytes()
    target = call_wav if option == "--report" else call_wav.with_suffix(".png")
    if option == "--plot":  # a hard link to the recording, named like a figure
        os.link(call_wav, target)
    one_error_line(run(option, target, call_wav), target.name)
    assert call_wav.read_bytes() == before


@pytest.mark.parametrize("kind", ["fifo", "folder", "socket", "device"])
def test_output_onto_a_special_file_is_refused(tmp_path, call_wav, kind, no_analysis):
    target = tmp_path / f"out_{kind}.html"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    elif kind == "socket":
        import socket

        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
    else:
        try:
            os.mknod(target, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # a copy of /dev/null's node
        except PermissionError:
            pytest.skip("creating a device node needs root")
    mode = os.lstat(target).st_mode
    one_error_line(run("--report", target, call_wav), target.name)
    assert os.lstat(target).st_mode == mode  # still the FIFO / folder / socket / device


def test_output_onto_another_recording_is_refused(tmp_path, call_wav, no_analysis):
    other = tmp_path / "other.mp3"
    other.write_bytes(b"ID3 not really")
    one_error_line(run("--report", other, call_wav), "other.mp3")
    assert other.read_bytes() == b"ID3 not really"


def test_plot_format_is_checked_before_the_analysis(tmp_path, call_wav, no_analysis):
    one_error_line(run("--plot", tmp_path / "figure.jpg", call_wav), "figure.jpg", ".png")
    assert not (tmp_path / "figure.jpg").exists()


def test_report_name_too_long_is_one_line(tmp_path, call_wav, no_analysis):
    one_error_line(run("--report", tmp_path / ("r" * 300 + ".html"), call_wav), "shorter name")


@pytest.mark.parametrize("option", ["--report", "--plot"])
def test_empty_output_name_is_an_error(call_wav, option, no_analysis):
    one_error_line(run(option, "", call_wav), option)


def test_report_and_plot_are_written(tmp_path, call_wav):
    report, plot = tmp_path / "r.html", tmp_path / "f.svg"
    result = run("--report", report, "--plot", plot, call_wav)
    assert result.exit_code == 0, result.output
    assert report.read_text("utf-8").lstrip().lower().startswith("<!doctype html")
    assert plot.read_bytes().lstrip().startswith(b"<?xml")


# --- 7: one line, not a traceback --------------------------------------------------------------


@pytest.mark.parametrize(
    "content, needle",
    [
        ('{"rate_wpm": {"low": ' + "9" * 400 + "}}", "too large"),
        ('{"rate_wpm": {"high": 1e999}}', "non-finite"),
        ('{"rate_wpm": {"low": NaN}}', "NaN"),
        ('{"rate_wpm": {"high": Infinity}}', "Infinity"),
        ('{"rate_wpm": {"low": -Infinity}}', "Infinity"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ('{"rate_wpm": {"low": true}}', "non-numeric"),
        ('{"rate_wpm": {"low": ' + "1" * 5000 + "}}", "not valid JSON"),
    ],
)
def test_hostile_targets_are_one_line(tmp_path, call_wav, content, needle, no_analysis):
    targets = tmp_path / "targets.json"
    targets.write_text(content)
    one_error_line(run("--targets", targets, call_wav), "targets.json", needle)


@pytest.mark.parametrize("channel", ["²", "0", "-1", "٣", "left right", "1.5"])
def test_a_channel_that_is_not_a_channel_is_one_line(call_wav, channel, no_analysis):
    one_error_line(run("--channel", channel, call_wav), "--channel")


def test_open_target_band_renders(tmp_path, call_wav):
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"rate_wpm": {}, "speech_level_dbfs": {"low": -40}}))
    result = run("--targets", targets, call_wav)
    assert result.exit_code == 0, result.output
    assert "no target set" in result.stdout
    assert "at least -40 dBFS" in result.stdout


def test_non_utf8_file_names_are_shown_not_crashed_on(tmp_path):
    good = os.path.join(os.fsencode(tmp_path), b"call_\xff\xfe.wav")
    sf.write(tmp_path / "plain.wav", voice_like(), 16000, subtype="PCM_16")
    os.rename(os.fsencode(tmp_path / "plain.wav"), good)
    missing = os.path.join(os.fsencode(tmp_path), b"gone_\xe9.wav")
    for args, name in (
        ([good], "call_\\xff\\xfe.wav"),
        ([b"--json", good], "call_\\xff\\xfe.wav"),
        ([missing], "gone_\\xe9.wav"),
        ([b"--lang", b"zh", missing], "gone_\\xe9.wav"),
    ):
        proc = subprocess.run(
            [os.fsencode(sys.executable), b"-m", b"tonecheck", b"analyze", *args],
            capture_output=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
        out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
        assert "Traceback" not in err, err
        if missing in args:  # one error line naming the file, undecodable bytes escaped
            assert proc.returncode == 1 and len(err.strip().splitlines()) == 1 and name in err, err
        else:
            assert proc.returncode == 0, err
            shown = json.loads(out)["file"] if b"--json" in args else out
            assert name in shown and not err


def test_memory_error_is_one_line(call_wav, monkeypatch):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("tonecheck.analysis.analyze_file", exhausted)
    one_error_line(run(call_wav), "call.wav", "memory")


# --- 8: an empty transcript is an error --------------------------------------------------------


@pytest.mark.parametrize("content", ["", "   \n\t\n", " ... -- !? ", "\ufeff"])
def test_empty_or_wordless_transcript_is_an_error(tmp_path, call_wav, content, no_analysis):
    transcript = tmp_path / "t.txt"
    transcript.write_text(content, "utf-8")
    one_error_line(run("--transcript", transcript, call_wav), "t.txt", "transcript")


def test_transcript_that_is_a_fifo_does_not_hang(tmp_path, call_wav, no_analysis):
    fifo = tmp_path / "t.txt"
    os.mkfifo(fifo)
    one_error_line(run("--transcript", fifo, call_wav), "t.txt")


# --- 9: library warnings never reach stderr ----------------------------------------------------


def test_library_warnings_become_notes_not_stderr(call_wav, monkeypatch):
    from tonecheck import analysis

    real = analysis.analyze_file

    def noisy(*args, **kwargs):
        np.log(np.zeros(3))  # RuntimeWarning: divide by zero (silenced)
        np.float64(0.0) / np.float64(0.0)  # RuntimeWarning: invalid value (silenced)
        warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=1)
        warnings.warn("something a library says", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr("tonecheck.analysis.analyze_file", noisy)
    result = run("--json", call_wav)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    notes = json.loads(result.stdout)["warnings"]
    assert any("Mean of empty slice" in n for n in notes)
    assert any("something a library says" in n for n in notes)
    assert not any("divide by zero" in n for n in notes)


def test_rendering_warnings_are_one_tonecheck_line(tmp_path, call_wav, monkeypatch):
    from tonecheck.report import html

    real = html.render_report

    def noisy(*args, **kwargs):
        warnings.warn("Glyph 35821 missing from font(s) DejaVu Sans.", UserWarning, stacklevel=1)
        warnings.warn("Glyph 35821 missing from font(s) DejaVu Sans.", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(html, "render_report", noisy)
    result = run("--report", tmp_path / "r.html", call_wav)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines() == [
        f"Warning: {call_wav}: UserWarning: Glyph 35821 missing from font(s) DejaVu Sans."
    ]
