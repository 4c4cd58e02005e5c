"""Two-party calls: stereo and two-file input, crosstalk, who is the agent, bad input."""

import pickle

import numpy as np
import pytest
import soundfile as sf

from tonecheck.audio import load_audio
from tonecheck.call import IdenticalChannelsError, analyze_call_file, analyze_call_files, parse_agent
from tonecheck.crosstalk import channels_identical, coupling_db, resolve_crosstalk
from tonecheck.errors import TonecheckError
from tonecheck.turns import AGENT, CALLER

from .synth import party_track

SR = 16000
AGENT_TURNS = [(0.5, 5.0), (12.0, 17.5), (24.5, 30.0), (37.0, 42.0)]
CALLER_TURNS = [(5.8, 11.2), (18.0, 24.0), (31.0, 36.2)]
BACKCHANNEL = (20.0, 20.5)  # the agent's "mm-hm" under the caller's second turn
BLEED_DB = -25.0
TOTAL_S = 43.0


def party(turns, *, rate, f0):
    return party_track(turns, sr=SR, total_s=TOTAL_S, rate_per_s=rate, f0_hz=f0)


@pytest.fixture(scope="module")
def call_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("call")
    agent = party(AGENT_TURNS + [BACKCHANNEL], rate=5.5, f0=210.0)  # fast agent
    caller = party(CALLER_TURNS, rate=3.5, f0=110.0)
    g = 10 ** (BLEED_DB / 20)
    left, right = agent + g * caller, caller + g * agent
    paths = {
        "stereo": folder / "call.wav",
        "agent": folder / "agent.wav",
        "caller": folder / "caller.wav",
        "same": folder / "same.wav",
        "mono": folder / "mono.wav",
        "caller8k": folder / "caller8k.wav",
        "short": folder / "short.wav",
    }
    sf.write(paths["stereo"], np.stack([left, right], 1), SR)
    sf.write(paths["agent"], left, SR)
    sf.write(paths["caller"], right, SR)
    sf.write(paths["same"], np.stack([left, left], 1), SR)
    sf.write(paths["mono"], left, SR)
    sf.write(paths["caller8k"], right[::2], SR // 2)
    sf.write(paths["short"], right[: int(30 * SR)], SR)
    return paths


@pytest.fixture(scope="module")
def stereo(call_files):
    return analyze_call_file(call_files["stereo"], agent="left")


def _overlap(a, b):
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def test_turns_follow_the_parties_not_the_bleed(stereo):
    turns = stereo.turn_taking.turns
    assert [t.speaker for t in turns] == [AGENT, CALLER, AGENT, CALLER, AGENT, CALLER, AGENT]
    for t, truth in zip([t for t in turns if t.speaker == AGENT], AGENT_TURNS):
        assert t.start_s == pytest.approx(truth[0], abs=0.15) and t.end_s == pytest.approx(truth[1], abs=0.35)
    # bleed of the caller on the agent's channel never counts as agent speech
    hop = stereo.agent.speech.hop_s
    agent_speech = stereo.agent.speech.is_speech
    for a, b in CALLER_TURNS:
        inside = agent_speech[int((a + 0.3) / hop) : int((b - 0.3) / hop)]
        bc = slice(int(BACKCHANNEL[0] / hop) - int((a + 0.3) / hop), int(BACKCHANNEL[1] / hop) - int((a + 0.3) / hop))
        if a < BACKCHANNEL[0] < b:
            inside = np.delete(inside, np.arange(inside.size)[bc])
        assert inside.mean() < 0.02


def test_talk_share_gaps_and_backchannel(stereo):
    tt = stereo.turn_taking
    agent_s = sum(b - a for a, b in AGENT_TURNS) + BACKCHANNEL[1] - BACKCHANNEL[0]
    caller_s = sum(b - a for a, b in CALLER_TURNS)
    assert tt.talk_share[AGENT] == pytest.approx(agent_s / (agent_s + caller_s), abs=0.03)
    truth_gaps = [12.0 - 11.2, 24.5 - 24.0, 37.0 - 36.2]
    assert tt.gaps.median_s == pytest.approx(np.median(truth_gaps), abs=0.15)
    assert [(b.speaker, round(b.start_s)) for b in tt.backchannels] == [(AGENT, 20)]
    assert not tt.interruptions


def test_rate_mismatch_and_greeting(stereo):
    rm = stereo.rate_match
    assert rm.ratio == pytest.approx(5.5 / 3.5, rel=0.15)
    assert rm.verdict == "above" and rm.mismatches
    assert stereo.greeting.turn.start_s == pytest.approx(0.5, abs=0.15)
    assert stereo.greeting.rate.syllables_per_s == pytest.approx(5.5, rel=0.2)
    assert stereo.source == "stereo" and stereo.agent_side == "left" and stereo.confidence == 1.0


def test_agent_side_choices(call_files, stereo):
    right = analyze_call_file(call_files["stereo"], agent="right")
    assert right.agent_side == "right"
    assert right.turn_taking.talk_share[AGENT] == pytest.approx(stereo.turn_taking.talk_share[CALLER], abs=1e-3)
    assert analyze_call_file(call_files["stereo"], agent="first").agent_side == "left"
    assert analyze_call_file(call_files["stereo"], agent="second").agent_side == "right"


def test_two_files_equal_stereo(call_files, stereo):
    two = analyze_call_files(call_files["agent"], call_files["caller"])
    assert two.source == "two-file"
    assert two.turn_taking.turns == stereo.turn_taking.turns
    assert two.rate_match.ratio == pytest.approx(stereo.rate_match.ratio)


@pytest.mark.parametrize(
    "kind, agent, match",
    [
        ("mono", "right", "has one channel, so --agent right cannot pick a side"),
        ("same", "left", "both channels carry the same signal"),
        ("stereo", "3", "has 2 channels, so --agent 3 does not exist"),
    ],
)
def test_bad_call_files(call_files, kind, agent, match):
    with pytest.raises(TonecheckError, match=match):
        analyze_call_file(call_files[kind], agent=agent)


def test_identical_channels_error_carries_the_left_channel_but_pickles_light(call_files):
    with pytest.raises(IdenticalChannelsError) as caught:
        analyze_call_file(call_files["same"], agent="right")
    left = load_audio(call_files["same"], channel="left")
    assert caught.value.left.channel == "left"
    assert np.array_equal(np.asarray(caught.value.left.samples), np.asarray(left.samples))
    copy = pickle.loads(pickle.dumps(caught.value))  # a batch worker's error crosses processes
    assert type(copy) is TonecheckError and str(copy) == str(caught.value)
    assert copy.message.key == "error.call_identical" and not hasattr(copy, "left")


def test_bad_caller_files(call_files):
    with pytest.raises(TonecheckError, match="recorded at 8000 Hz but the agent's file at 16000 Hz"):
        analyze_call_files(call_files["agent"], call_files["caller8k"])
    with pytest.raises(TonecheckError, match="lasts 30.0 s but the agent's file 43.0 s"):
        analyze_call_files(call_files["agent"], call_files["short"])


def test_silent_party(tmp_path, call_files):
    y, sr = sf.read(call_files["agent"])
    path = tmp_path / "one_side.wav"
    sf.write(path, np.stack([y, np.zeros_like(y)], 1), sr)
    with pytest.raises(TonecheckError, match="the right channel is digital silence, so one party never speaks"):
        analyze_call_file(path, agent="left")
    quiet = tmp_path / "hiss.wav"
    rng = np.random.default_rng(1)
    sf.write(quiet, np.stack([y, 1e-4 * rng.standard_normal(y.size)], 1), sr)
    with pytest.raises(TonecheckError, match="the caller never speaks"):
        analyze_call_file(quiet, agent="left")


@pytest.mark.parametrize("fmt, agent", [("wav", "left"), ("wav", "right"), ("flac", "left"), ("wav", "3")])
def test_all_silent_call_says_the_recording_is_silent(tmp_path, fmt, agent):
    """A silent multi-channel file gets the whole-recording error, as an M4A does, not "the left channel is silent"."""
    path = tmp_path / f"silent.{fmt}"
    sf.write(path, np.zeros((SR * 6, 3), np.float32), SR)
    with pytest.raises(TonecheckError, match="the recording is digital silence"):
        analyze_call_file(path, agent=agent)


def test_parse_agent():
    assert parse_agent(" Left ") == "left" and parse_agent("02") == "2"
    with pytest.raises(TonecheckError, match="--agent middle: not a party"):
        parse_agent("middle")


def test_crosstalk_coupling_and_overlap():
    n = 1000
    a_talks = np.zeros(n, bool)
    a_talks[100:500] = True
    b_talks = np.zeros(n, bool)
    b_talks[450:900] = True  # 50 frames of true overlap
    la = np.where(a_talks, -20.0, -90.0)
    lb = np.where(b_talks, -22.0, -90.0)
    la_mix = 10 * np.log10(10 ** (la / 10) + 10 ** ((lb - 25) / 10))
    lb_mix = 10 * np.log10(10 ** (lb / 10) + 10 ** ((la - 25) / 10))
    speech = (la_mix > -60, lb_mix > -60)  # the detector hears the bleed as speech
    own = resolve_crosstalk((la_mix, lb_mix), speech)
    assert own.coupling_db[0] == pytest.approx(-25, abs=1.5)
    assert np.array_equal(own.first, a_talks) and np.array_equal(own.second, b_talks)
    assert coupling_db(la, lb, np.zeros(n, bool)) == -60.0
    assert channels_identical((la_mix, la_mix), (speech[0], speech[0]))
    assert not channels_identical((la_mix, lb_mix), speech)


def test_one_decoding_pass_gives_each_channel(call_files):
    from tonecheck.audio import channel_count, load_audio, load_channels

    assert channel_count(call_files["stereo"]) == 2 and channel_count(call_files["mono"]) == 1
    both = load_channels(call_files["stereo"], ("2", "1"))
    for audio, ch in zip(both, ("2", "1")):
        alone = load_audio(call_files["stereo"], channel=ch)
        assert np.array_equal(np.asarray(audio.samples), np.asarray(alone.samples))
        assert audio.channel == alone.channel and audio.notes == alone.notes


def _cli(*args):
    from click.testing import CliRunner

    from tonecheck.cli import cli

    return CliRunner().invoke(cli, ["analyze", *map(str, args), "--lang", "en"])


def test_cli_call_json_and_outputs(call_files, tmp_path):
    import json

    result = _cli(call_files["stereo"], "--agent", "left", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["conversation"]["source"] == "stereo" and data["caller"]["rate"]["wpm"] > 0
    assert data["conversation"]["rate_match"]["verdict"] == "above"
    two = json.loads(_cli(call_files["agent"], "--caller", call_files["caller"], "--json").output)
    assert two["conversation"]["source"] == "two-file"
    report, plot = tmp_path / "call.html", tmp_path / "call.png"
    result = _cli(call_files["stereo"], "--agent", "right", "--report", report, "--plot", plot)
    assert result.exit_code == 0 and "Did I match the caller's rate?" in result.output
    assert report.stat().st_size > 1000 and plot.stat().st_size > 1000


@pytest.mark.parametrize(
    "args, line",
    [
        (("mono", "--agent", "right"), "has one channel, so --agent right cannot pick a side"),
        (("stereo", "stereo", "--caller", "caller"), "--caller: the caller's file belongs to one call"),
        (("stereo", "--agent", "left", "--transcript", "caller"), "--transcript counts one voice"),
        (("stereo", "--agent", "left", "--channel", "right"), "--channel picks one voice"),
        (("stereo", "--agent", "sideways"), "--agent sideways: not a party"),
        (("agent", "--caller", "agent"), "given both as the recording and as --caller"),
    ],
)
def test_cli_call_errors_are_one_line(call_files, args, line):
    result = _cli(*(call_files.get(a, a) for a in args))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and line in lines[0] and lines[0].startswith("Error: ")


def test_batch_manifest_makes_one_file_a_call(call_files, tmp_path):
    import csv
    import json
    import shutil

    from click.testing import CliRunner

    from tonecheck.cli import cli

    rec = tmp_path / "rec"
    rec.mkdir()
    shutil.copy(call_files["stereo"], rec / "call.wav")
    shutil.copy(call_files["mono"], rec / "solo.wav")
    manifest = tmp_path / "list.csv"
    manifest.write_text("file,agent,agent_channel\ncall.wav,ana,right\nsolo.wav,ana,\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["batch", str(rec), "--out", str(out), "--jobs", "1", "--lang", "en"]
    result = CliRunner().invoke(cli, [*args, "--manifest", str(manifest)])
    assert result.exit_code == 0, result.output
    by_file = {}
    for path in (out / "calls").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        by_file[data["batch"]["source"].rsplit("/", 1)[-1]] = data
    assert by_file["call.wav"]["conversation"]["agent_side"] == "right"
    assert by_file["call.wav"]["batch"]["call_agent"] == "right"
    assert "conversation" not in by_file["solo.wav"]
    rows = {r["file"].rsplit("/", 1)[-1]: r for r in csv.DictReader(open(out / "summary.csv", encoding="utf-8-sig"))}
    assert rows["call.wav"]["rate_match_verdict"] == "below" and rows["solo.wav"]["rate_match_verdict"] == ""
    # without the manifest the call is one voice again: redone, not skipped
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    again = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "calls").glob("*.json")]
    assert not any("conversation" in d for d in again)


def test_cli_identical_channels_fall_back_to_one_voice(call_files):
    import json

    result = _cli(call_files["same"], "--agent", "left", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "conversation" not in data
    assert "no caller to compare with: analyzed as one voice" in " ".join(data["warnings"])


def test_agent_voice_picks_the_matching_channel(call_files, tmp_path):
    voice = tmp_path / "me.wav"
    y, sr = sf.read(call_files["caller"])
    sf.write(voice, y[int(18.0 * sr) : int(24.0 * sr)], sr)  # the right channel's voice
    conv = analyze_call_file(call_files["stereo"], agent_voice=voice)
    assert conv.agent_side == "right"


def test_one_channel_two_voices_are_told_apart(tmp_path):
    agent = party(AGENT_TURNS, rate=5.5, f0=210.0)
    caller = party(CALLER_TURNS, rate=3.5, f0=110.0)
    path = tmp_path / "roleplay.wav"
    sf.write(path, agent + caller, SR)
    conv = analyze_call_file(path)
    assert conv.source == "diarized" and 0 < conv.confidence <= 1
    assert [t.speaker for t in conv.turn_taking.turns][:3] == [AGENT, CALLER, AGENT]
    truth = sum(b - a for a, b in AGENT_TURNS) / (
        sum(b - a for a, b in AGENT_TURNS) + sum(b - a for a, b in CALLER_TURNS)
    )
    assert conv.turn_taking.talk_share[AGENT] == pytest.approx(truth, abs=0.05)
    assert conv.rate_match.verdict == "above"
    second = analyze_call_file(path, agent="second")
    assert second.turn_taking.talk_share[AGENT] == pytest.approx(conv.turn_taking.talk_share[CALLER], abs=1e-3)


def test_split_names_stay_importable_from_call():
    import tonecheck.call as call
    import tonecheck.call_inputs as call_inputs

    for name in ("AGENT_CHOICES", "MAX_LENGTH_DIFF_S", "parse_agent"):
        assert getattr(call, name) is getattr(call_inputs, name)
