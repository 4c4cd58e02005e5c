"""The dashboard's "Matching the caller" section: figures per agent, greeting fading, shown only for calls."""

from __future__ import annotations

import csv
import html
import json
import math
import re

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from tonecheck.batch import BatchRecord, BatchResult
from tonecheck.cli import cli
from tonecheck.report.call_dashboard import render_call_section
from tonecheck.report.call_trends import CallTrend, MatchShare, call_trends, has_calls, number_at
from tonecheck.report.csv import CALL_COLUMNS
from tonecheck.report.dashboard import render_dashboard

from .synth import party_track

AFTERNOON = tuple(f"2026-11-20T{h}:00:00" for h in (12, 13, 14, 15, 16, 17))


def _verdict(value, low, high):
    return "unknown" if value is None else "below" if value < low else "above" if value > high else "within"


def _conversation(
    *,
    talk=0.55,
    gap=0.5,
    interruptions=0,
    rate="within",
    mismatches=0,
    intensity="within",
    flags=0,
    greeting=(5.5, 5.0),
):
    """A ``conversation`` block shaped like serialize_call's (only the keys the dashboard reads, plus a few)."""
    mismatch = {"start_s": 5.6, "end_s": 15.4, "kind": "agent_faster", "ratio": 1.53}
    flag = {"start_s": 8.0, "end_s": 20.0, "kind": "caller_intense_reply_flat"}
    return {
        "source": "stereo",
        "talk_share": {} if talk is None else {"agent": talk, "caller": 1 - talk},
        "gaps": {"median_s": gap, "longest_s": gap, "count": 2, "long_silences": []},
        "interruption_counts": {"agent": interruptions, "caller": 0},
        "rate_match": {"ratio": 1.0, "verdict": rate, "mismatches": [mismatch] * mismatches, "convergence": "unknown"},
        "intensity_match": {"verdict": intensity, "flags": [flag] * flags, "synchrony_r": None},
        "greeting": None
        if greeting is None
        else {
            "start_s": 0.5,
            "end_s": 4.8,
            "intonation_level": greeting[0],
            "intensity_index": greeting[1],
            "wpm": 150.0,
        },
    }


def _record(agent, when, *, level=5.5, conversation=None):
    """One batch record: the agent's one-voice blocks, plus ``conversation`` for a two-party call."""
    name = f"{agent}-{when}"
    data = {
        "file": f"/calls/{agent}/{when}.wav",
        "warnings": [],
        "intonation": {"level": level, "verdict": _verdict(level, 4.5, 6.5), "target": {"low": 4.5, "high": 6.5}},
        "rate": {"wpm": 130.0, "verdict": "within", "target": {"low": 100.0, "high": 150.0}},
        "loudness": {"speech_level_dbfs": -22.0, "verdict": "within", "target": {"low": -36.0, "high": -10.0}},
        "intensity": {"index": 5.0, "band": "engaged", "verdict": "within", "target": {"low": 3.5, "high": 7.5}},
        "suggestions": ["Keep going."],
        "batch": {"agent": agent, "recorded_at": when, "name": name},
    }
    if conversation is not None:
        data["caller"] = {k: data[k] for k in ("intonation", "rate", "loudness", "intensity")}
        data["conversation"] = conversation
    return BatchRecord(agent, when, name, data)


def _greetings(agent, levels, indices):
    return [
        _record(agent, when, conversation=_conversation(greeting=(lv, ix)))
        for when, lv, ix in zip(AFTERNOON, levels, indices)
    ]


def _team() -> BatchResult:
    ana = [
        _record("ana", AFTERNOON[0], conversation=_conversation(talk=0.5, gap=0.4, interruptions=1)),
        _record("ana", AFTERNOON[1], conversation=_conversation(talk=0.7, gap=None, rate="above", mismatches=2)),
        _record("ana", AFTERNOON[2], conversation=_conversation(talk=0.6, gap=0.6, interruptions=2, rate="unknown")),
        _record("ana", AFTERNOON[3]),  # a one-voice recording of the same agent: not a call
    ]
    ana[1].data["conversation"]["intensity_match"] = {"verdict": "mismatched", "flags": [{"kind": "x"}]}
    cy = _greetings("cy", (6.5, 6.3, 6.0, 5.6, 4.8, 4.6), (5.0,) * 6)  # greeting intonation fades
    dee = [
        _record(
            "dee",
            AFTERNOON[0],
            conversation=_conversation(talk=None, gap=None, rate="unknown", intensity="unknown", greeting=None),
        ),
        _record("dee", AFTERNOON[1], conversation=_conversation(talk=float("nan"), greeting=(None, 4.0))),
    ]
    dee[1].data["conversation"]["rate_match"]["mismatches"] = None
    del dee[1].data["conversation"]["interruption_counts"]
    solo = [_record("sol", when) for when in AFTERNOON[:3]]  # one voice only: not in the section
    return BatchResult((*ana, *cy, *dee, *solo), ())


def test_number_at_reads_numbers_only():
    d = {"a": {"b": 0.25, "c": None, "d": True, "e": "1.0", "f": [1]}}
    assert number_at(d, "a", "b") == 0.25
    assert all(math.isnan(number_at(d, "a", k)) for k in ("c", "d", "e", "f", "missing"))
    assert math.isnan(number_at({"a": None}, "a", "b"))


def test_figures_per_agent_leave_one_voice_recordings_out():
    trends = {t.agent: t for t in call_trends(_team())}
    assert sorted(trends) == ["ana", "cy", "dee"]  # "sol" has no two-party call
    ana = trends["ana"]
    assert len(ana.records) == 3
    assert ana.talk_share_median == pytest.approx(0.6)
    assert ana.gap_median_s == pytest.approx(0.5)  # the call without a gap is left out
    assert ana.interruptions == 3
    assert ana.rate == MatchShare(1, 2) and ana.rate.share == pytest.approx(0.5)  # "unknown" is not judged
    assert ana.rate_mismatches == 2
    assert ana.intensity == MatchShare(2, 3) and ana.intensity_flags == 1


def test_missing_and_nan_values_give_blanks_not_errors():
    dee = {t.agent: t for t in call_trends(_team())}["dee"]
    assert math.isnan(dee.talk_share_median)
    assert dee.gap_median_s == pytest.approx(0.5)  # only the second call has one
    assert dee.interruptions == 0 and dee.rate_mismatches == 0
    assert dee.rate == MatchShare(1, 1) and dee.intensity == MatchShare(1, 1)
    assert np.isnan(dee.greeting_levels).all() and dee.greeting_status == "single"  # one greeting intensity
    with pytest.raises(ValueError, match="no two-party call"):
        CallTrend("sol", [_record("sol", AFTERNOON[0])])


def test_greeting_fading_uses_the_same_rule_as_the_calls():
    cy = {t.agent: t for t in call_trends(_team())}["cy"]
    f = cy.greeting_falls[0]
    assert (f.first, f.last, f.baseline) == pytest.approx((6.4, 4.7, 5.8))  # thirds of 6 calls: two each
    assert cy.greeting_fading == ("intonation",) and cy.greeting_status == "fading"
    back = CallTrend("hal", _greetings("hal", (8.0, 5.0, 5.0, 5.0, 5.0, 5.0), (5.0,) * 6))
    assert back.greeting_falls[0].drop == pytest.approx(1.5) and back.greeting_fading == ()  # back to the usual level
    assert back.greeting_status == "steady"
    quiet = CallTrend("ivy", _greetings("ivy", (5.5,) * 6, (7.0, 7.0, 6.0, 6.0, 5.0, 5.0)))
    assert quiet.greeting_fading == ("intensity",)  # 2 points down, below the median 6


def _section(page: str) -> str:
    return re.search(r'<section id="matching">.*?</section>', page).group(0)


def _row(section: str, agent: str) -> str:
    return re.search(rf'<tr data-agent="{agent}">.*?</tr>', section).group(0)


def test_section_shows_the_figures_in_english():
    page = render_dashboard(_team(), lang="en")
    section = _section(page)
    assert "<h2>Matching the caller</h2>" in section
    assert re.findall(r'<tr data-agent="([^"]+)"', section) == ["ana", "cy", "dee"]
    ana = html.unescape(re.sub(r"<[^>]+>", "|", _row(section, "ana")))
    assert "|3|" in ana and "|60 %|" in ana and "|0.50|" in ana  # calls, talk share, median gap
    assert "|50 % (1 of 2)|" in ana and "|67 % (2 of 3)|" in ana  # rate and intensity matched
    cy = html.unescape(_row(section, "cy"))
    assert 'data-fading="intonation"' in cy and 'class="greeting-trend below"' in cy
    assert "greeting fading: intonation fell 1.7 levels through the afternoon (6.4 → 4.7; the agent's median 5.8)" in cy
    assert "Greeting intonation level per two-party call in recording order for cy: 6.5, 6.3, 6.0, 5.6, 4.8, 4.6" in cy
    dee = html.unescape(re.sub(r"<[^>]+>", "|", _row(section, "dee")))
    assert "|–|" in dee and "one call: no trend yet" in dee
    assert "x0.85 to x1.15" in html.unescape(section)
    assert 'id="agents"' in page and 'data-agent="sol"' in page  # the agents table still lists everyone


def test_section_in_chinese_has_no_english_left():
    english = json.loads((_locale("en")).read_text("utf-8"))
    chinese = json.loads((_locale("zh")).read_text("utf-8"))
    section = html.unescape(_section(render_dashboard(_team(), lang="zh")))
    assert "<h2>迎合客户</h2>" in section and "50%（2 通中 1 通）" in section
    assert "开场白逐渐减弱：下午，语调下降了 1.7 级" in section
    for key in ("dashboard.call.title", "dashboard.call.col.rate_matched", "dashboard.call.note"):
        assert english[key] not in section and chinese[key].split("{")[0] in section


def _locale(lang):
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "tonecheck" / "locale" / f"{lang}.json"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_voice_batches_have_no_section(lang):
    one_voice = BatchResult(tuple(_record(a, w) for a in ("ana", "bo") for w in AFTERNOON[:3]), ())
    assert not has_calls(one_voice) and render_call_section(one_voice, lang=lang) == ""
    page = render_dashboard(one_voice, lang=lang)
    assert 'id="matching"' not in page and "Matching the caller" not in page and "迎合客户" not in page
    assert has_calls(_team()) and 'id="matching"' in render_dashboard(_team(), lang=lang)


def test_hostile_names_are_escaped_and_nothing_is_loaded():
    evil = "<img src=x onerror=alert(1)>"
    result = BatchResult((*_team().records, _record(evil, AFTERNOON[0], conversation=_conversation())), ())
    page = render_dashboard(result, lang="en")
    assert evil not in page and html.escape(evil, quote=True) in _section(page)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)


SR = 16000
AGENT_TURNS = [(0.3, 3.8), (8.0, 12.0)]
CALLER_TURNS = [(4.4, 7.6), (12.6, 16.0)]


def _party(turns, *, rate, f0, total_s=16.5):
    return party_track(turns, sr=SR, total_s=total_s, rate_per_s=rate, f0_hz=f0)


def test_batch_of_a_stereo_call_end_to_end(tmp_path):
    folder = tmp_path / "in" / "ana"
    folder.mkdir(parents=True)
    agent, caller = _party(AGENT_TURNS, rate=5.5, f0=210.0), _party(CALLER_TURNS, rate=3.5, f0=110.0)
    bleed = 10 ** (-25 / 20)
    sf.write(folder / "call.wav", np.stack([agent + bleed * caller, caller + bleed * agent], 1), SR)
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["batch", str(tmp_path / "in"), "--out", str(out), "--agent", "left", "--jobs", "1"])
    assert run.exit_code == 0, run.output
    (path,) = (out / "calls").glob("*.json")
    conv = json.loads(path.read_text("utf-8"))["conversation"]
    assert conv["source"] == "stereo" and 0 < conv["talk_share"]["agent"] < 1
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as f:
        (row,) = csv.DictReader(f)
    assert all(row[c] != "" for c in CALL_COLUMNS), row
    assert row["rate_match_verdict"] == conv["rate_match"]["verdict"]
    section = html.unescape(_section((out / "index.html").read_text("utf-8")))
    judged = conv["rate_match"]["verdict"] in ("within", "above", "below")
    matched = int(conv["rate_match"]["verdict"] == "within")
    assert (f"{100 * matched} % ({matched} of 1)" if judged else "–") in section
    assert f"{100 * conv['talk_share']['agent']:.0f} %" in section
    levels = f"for ana: {conv['greeting']['intonation_level']:.1f}"  # the greeting's sparkline
    assert levels in section and "one call: no trend yet" in section
