"""A two-party call shown everywhere one voice is: JSON, terminal report, HTML call report, figure.

One synthetic stereo call (agent on the left, caller on the right; harmonic
bursts taking turns) is analyzed once per module. Its truth: the agent
speaks 5 bursts/s, the caller 3 (so the agent is clearly faster); the
caller's second turn is 12 dB louder than its first while the agent's reply
after it is the agent's quietest; the caller says one short "mm-hm" under
the agent's last turn. The file name is hostile HTML.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from tests import synth
from tonecheck.call import analyze_call_file
from tonecheck.messages import Message, catalog, render
from tonecheck.report.call_html import render_call_report
from tonecheck.report.call_plots import call_figure
from tonecheck.report.call_text import render_call_text, timeline_lanes
from tonecheck.serialize import analysis_to_dict

SR = 16000
DURATION_S = 22.0
HOSTILE = "<b>call<i>&\"x'.wav"
PLAN = (
    # party, start_s, end_s, bursts/s, f0_hz, level_dbfs
    ("agent", 0.3, 3.3, 5.0, 200.0, -20.0),
    ("caller", 4.0, 8.0, 3.0, 120.0, -26.0),
    ("agent", 8.7, 12.0, 5.0, 200.0, -20.0),
    ("caller", 12.8, 16.8, 3.0, 120.0, -14.0),
    ("agent", 17.5, 21.0, 5.0, 200.0, -24.0),
    ("caller", 18.5, 19.0, 4.0, 120.0, -26.0),
)
CONVERSATION_KEYS = {
    "source",
    "confidence",
    "agent_side",
    "warnings",
    "warning_keys",
    "turns",
    "talk_share",
    "longest_turn",
    "gaps",
    "interruptions",
    "interruption_counts",
    "backchannels",
    "backchannel_counts",
    "rate_match",
    "intensity_match",
    "greeting",
    "exchanges",
}


@pytest.fixture(scope="module")
def conv(tmp_path_factory):
    left = np.zeros(int(DURATION_S * SR), np.float32)
    right = np.zeros_like(left)
    for party, start, end, rate, f0, level in PLAN:
        y, _ = synth.syllable_bursts(sr=SR, rate_per_s=rate, duration_s=end - start, f0_hz=f0, level_dbfs=level)
        channel = left if party == "agent" else right
        channel[int(start * SR) : int(start * SR) + y.size] += y
    path = synth.write_wav(tmp_path_factory.mktemp("call") / HOSTILE, np.stack([left, right], axis=1), SR)
    return analyze_call_file(path, agent="left")


def test_json_keeps_agent_blocks_and_adds_caller_and_conversation(conv):
    data = conv.to_dict()
    json.dumps(data, allow_nan=False)  # NaN would raise
    agent = analysis_to_dict(conv.agent)
    assert {k: data[k] for k in agent} == agent
    assert data["caller"] == analysis_to_dict(conv.caller)
    c = data["conversation"]
    assert set(c) == CONVERSATION_KEYS
    assert c["source"] == "stereo" and c["agent_side"] == "left" and c["confidence"] == 1.0
    assert [t["speaker"] for t in c["turns"]] == ["agent", "caller", "agent", "caller", "agent"]
    assert all(set(t) == {"speaker", "start_s", "end_s"} and t["end_s"] > t["start_s"] for t in c["turns"])
    assert c["talk_share"]["agent"] + c["talk_share"]["caller"] == pytest.approx(1.0, abs=1e-3)
    assert c["backchannel_counts"] == {"agent": 0, "caller": 1}
    assert c["backchannels"][0]["speaker"] == "caller" and 18.3 < c["backchannels"][0]["start_s"] < 18.8
    assert set(c["gaps"]) == {"median_s", "longest_s", "count", "long_silences"}


def test_json_matching_blocks_carry_units_and_nulls(conv):
    c = conv.to_dict()["conversation"]
    rm = c["rate_match"]
    assert rm["verdict"] == "above" and rm["ratio"] == pytest.approx(5 / 3, rel=0.1)
    assert rm["tolerance"] == {"low": 0.85, "high": 1.15}
    assert rm["agent"]["syllables_per_s"] == pytest.approx(5.0, rel=0.1) and rm["agent"]["wpm"] > 0
    assert rm["mismatches"] and {m["kind"] for m in rm["mismatches"]} == {"agent_faster"}
    assert rm["convergence"] == "unknown" and rm["early_gap_pct"] is None  # two exchanges: too few
    im = c["intensity_match"]
    assert {"agent_baseline_index", "caller_baseline_index", "synchrony_r", "proximity_index"} <= set(im)
    assert im["synchrony_r"] is None  # fewer than four exchanges
    assert [f["kind"] for f in im["flags"]] == ["caller_intense_reply_flat"]
    assert im["flags"][0]["start_s"] == pytest.approx(12.8, abs=0.2)
    g = c["greeting"]
    assert g["start_s"] == pytest.approx(0.3, abs=0.1) and g["wpm_low"] <= g["wpm"] <= g["wpm_high"]
    assert len(c["exchanges"]) == rm["exchanges"] == 2
    assert all(math.isfinite(e["rate_ratio"]) for e in c["exchanges"])


def test_text_report_answers_both_questions_with_numbers(conv):
    report = render_call_text(conv, lang="en")
    rm = conv.rate_match
    assert "Did I match the caller's rate?" in report and "Did I match the caller's intensity?" in report
    assert f"Agent {rm.agent_syllables_per_s:.1f} syll/s vs caller {rm.caller_syllables_per_s:.1f}" in report
    assert f"(x{rm.ratio:.2f}): faster than the caller" in report
    assert "caller was intense and the reply flat at 0:12" in report
    assert "Talk share" in report and "Greeting" in report
    assert report.count("Intonation ") >= 2  # both parties' own reports follow


def test_text_report_in_chinese_and_timeline_lanes(conv):
    report = render_call_text(conv, lang="zh")
    assert "我是否配合了来电者的语速？" in report and "时间线" in report
    lanes = timeline_lanes(conv)
    assert len(lanes["agent"]) == len(lanes["caller"]) == len(lanes["marks"]) == 60
    assert lanes["agent"][1] == "█" and lanes["caller"][1] == " "
    assert "▒" in lanes["caller"]  # the mm-hm under the agent's last turn


def test_catalogs_render_every_call_key(conv):
    keys = [k for k in catalog("en") if k.startswith("call.")]
    assert keys and all(k in catalog("zh") for k in keys)
    for lang in ("en", "zh"):
        assert "0.87" in render(Message("note.diarized", {"confidence": "0.87"}), lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_call_report_is_self_contained_and_escaped(conv, lang):
    page = render_call_report(conv, lang=lang)
    assert '<svg id="call-timeline"' in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"(src|href)=\"(?!data:)", page) and "http://" not in page and "https://" not in page
    assert "<b>call<i>" not in page and "&lt;b&gt;call&lt;i&gt;&amp;&quot;x&#x27;.wav" in page
    assert 'id="party-agent"' in page and 'id="party-caller"' in page
    ids = [i for i in re.findall(r' id="([^"]+)"', page) if not i.startswith("hatch")]  # gauge hatches repeat
    assert len(ids) == len(set(ids))


def test_html_answers_rate_question_with_numbers(conv):
    page = render_call_report(conv, lang="en")
    answers = page[page.index('id="call-answers"') :]
    assert f"x{conv.rate_match.ratio:.2f}" in answers[:3000]
    assert "record the call in stereo" not in page  # the one-voice answer is replaced


def test_call_figure_panels(conv):
    assert len(call_figure(conv, lang="en").axes) == 3
    assert len(call_figure(conv, lang="en", title=False, lanes=False).axes) == 2
