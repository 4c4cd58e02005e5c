"""A call in a format only ffmpeg reads (M4A) is decoded once per analysis, with the old errors kept."""

import os
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from tonecheck import ffmpegreader
from tonecheck.audio import channel_count, load_audio, load_channels
from tonecheck.call import analyze_call_file, analyze_call_or_voice
from tonecheck.errors import TonecheckError

from .synth import party_track

SR = 16000
TOTAL_S = 16.0
AGENT_TURNS = [(0.5, 4.0), (8.5, 12.0)]
CALLER_TURNS = [(4.6, 8.0), (12.6, 15.5)]

pytestmark = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("ffprobe")), reason="ffmpeg not on PATH; install ffmpeg"
)


def _party(turns, *, rate, f0):
    return party_track(turns, sr=SR, total_s=TOTAL_S, rate_per_s=rate, f0_hz=f0)


def _m4a(folder, name, samples):
    wav, m4a = folder / f"{name}.wav", folder / f"{name}.m4a"
    sf.write(wav, samples, SR)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-c:a", "aac", "-b:a", "64k", str(m4a)], check=True)
    return m4a


@pytest.fixture(scope="module")
def calls(tmp_path_factory):
    folder = tmp_path_factory.mktemp("m4a_call")
    agent = _party(AGENT_TURNS, rate=5.5, f0=210.0)
    caller = _party(CALLER_TURNS, rate=3.5, f0=110.0)
    silent = np.zeros_like(agent)
    return {
        "stereo": _m4a(folder, "stereo", np.stack([agent, caller], 1)),
        "mono": _m4a(folder, "mono", agent + caller),
        "one_silent": _m4a(folder, "one_silent", np.stack([agent, silent], 1)),
        "all_silent": _m4a(folder, "all_silent", np.stack([silent, silent], 1)),
        "identical": _m4a(folder, "identical", np.stack([agent, agent], 1)),
    }


@pytest.fixture
def decodes(monkeypatch):
    """The ffmpeg decoding runs (ffprobe, which reads headers only, is not counted)."""
    runs = []
    popen = subprocess.Popen

    def counting(cmd, *args, **kwargs):
        if os.path.basename(cmd[0]) == "ffmpeg":
            runs.append(cmd)
        return popen(cmd, *args, **kwargs)

    monkeypatch.setattr(ffmpegreader.subprocess, "Popen", counting)
    return runs


def test_stereo_m4a_call_decodes_once(calls, decodes):
    conv = analyze_call_file(calls["stereo"], agent="first")
    assert conv.source == "stereo" and conv.agent_side == "left"
    assert len(decodes) == 1


def test_mono_m4a_call_decodes_once(calls, decodes):
    conv = analyze_call_file(calls["mono"], agent="first")
    assert conv.source == "diarized"
    assert len(decodes) == 1


def test_identical_channels_m4a_falls_back_to_one_voice_without_decoding_again(calls, decodes):
    one = analyze_call_or_voice(calls["identical"], agent="right")
    assert len(decodes) == 1
    assert one.notes[0].key == "note.call_identical"
    assert one.audio.channel == "left"  # as when the left channel was loaded on its own


def test_channel_count_reads_the_header_only(calls, decodes):
    assert channel_count(calls["stereo"]) == 2 and channel_count(calls["mono"]) == 1
    assert not decodes


def test_one_pass_channels_equal_each_channel_alone(calls, decodes):
    both = load_channels(calls["stereo"], ("2", "1"))
    assert len(decodes) == 1
    for audio, ch in zip(both, ("2", "1")):
        alone = load_audio(calls["stereo"], channel=ch)
        assert np.array_equal(np.asarray(audio.samples), np.asarray(alone.samples))
        assert audio.channel == alone.channel and audio.notes == alone.notes


@pytest.mark.parametrize(
    "kind, line",
    [
        ("one_silent", "the right channel is digital silence, so one party never speaks"),
        ("all_silent", "the recording is digital silence"),  # as when the whole file was decoded first
    ],
)
def test_silent_m4a_calls_keep_their_errors(calls, kind, line):
    with pytest.raises(TonecheckError, match=line):
        analyze_call_file(calls[kind], agent="left")


def test_missing_channel_is_refused_before_decoding(calls, decodes):
    with pytest.raises(TonecheckError, match="has 2 channels, so --agent 3 does not exist"):
        analyze_call_file(calls["stereo"], agent="3")
    assert not decodes
