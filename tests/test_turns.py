"""Turn taking from two parties' speech frames: turns, gaps, interruptions, backchannels."""

import math

import numpy as np
import pytest

from tonecheck.turns import (
    AGENT,
    CALLER,
    LONG_SILENCE_S,
    Turn,
    response_gaps,
    spurts,
    take_turns,
    talk_share,
)

HOP = 0.01


def frames(spans, total_s=60.0):
    mask = np.zeros(int(round(total_s / HOP)), bool)
    for a, b in spans:
        mask[int(round(a / HOP)) : int(round(b / HOP))] = True
    return mask


def test_spurts_bridge_short_pauses_and_drop_clicks():
    mask = frames([(1.0, 2.0), (2.3, 3.0), (5.0, 5.05), (8.0, 9.0)])
    assert spurts(mask, hop_s=HOP) == [(1.0, 3.0), (8.0, 9.0)]


def test_alternating_turns_gaps_and_share():
    agent = frames([(0.5, 4.0), (10.7, 15.0)])
    caller = frames([(4.8, 10.0), (16.0, 20.0)])
    tt = take_turns(agent, caller, hop_s=HOP)
    assert [t.speaker for t in tt.turns] == [AGENT, CALLER, AGENT, CALLER]
    assert tt.gaps.count == 1 and tt.gaps.median_s == pytest.approx(0.7)
    assert tt.talk_share[AGENT] == pytest.approx(7.8 / 17.0, abs=1e-3)
    assert not tt.interruptions and not tt.backchannels
    assert tt.longest_turn[CALLER] == Turn(4.8, 10.0, CALLER)


def test_backchannel_under_the_other_is_not_a_turn():
    caller = frames([(1.0, 12.0)])
    agent = frames([(0.0, 0.8), (5.0, 5.5), (13.0, 16.0)])
    tt = take_turns(agent, caller, hop_s=HOP)
    assert [(b.speaker, b.start_s, b.end_s) for b in tt.backchannels] == [(AGENT, 5.0, 5.5)]
    assert all(t.start_s != 5.0 for t in tt.turns)
    assert [t.speaker for t in tt.turns] == [AGENT, CALLER, AGENT]


def test_interruption_needs_the_other_to_stop():
    caller = frames([(1.0, 10.0)])
    agent = frames([(8.5, 14.0)])  # starts under the caller, goes on, caller stops
    tt = take_turns(agent, caller, hop_s=HOP)
    assert [(o.speaker, o.kind) for o in tt.interruptions] == [(AGENT, "interruption")]
    assert tt.gaps.count == 0  # an overlapping reply is not a response gap
    # a long overlap where the other goes on talking is neither
    tt = take_turns(frames([(3.0, 5.0)]), frames([(1.0, 10.0)]), hop_s=HOP)
    assert not tt.interruptions and not tt.backchannels


def test_long_silence_and_same_speaker_turns_join():
    agent = frames([(0.0, 2.0), (3.0, 5.0), (12.0, 14.0)])
    caller = frames([(15.0, 18.0)])
    tt = take_turns(agent, caller, hop_s=HOP)
    assert tt.turns[0] == Turn(0.0, 5.0, AGENT)  # 1 s pause, nobody else: one turn
    assert tt.gaps.long_silences == ((5.0, 12.0),)
    assert 12.0 - 5.0 >= LONG_SILENCE_S


def test_response_gaps_only_caller_to_agent_without_overlap():
    turns = [Turn(0, 2, AGENT), Turn(2.5, 5, CALLER), Turn(5.2, 8, AGENT), Turn(7.5, 9, CALLER), Turn(8.8, 10, AGENT)]
    assert response_gaps(turns) == [pytest.approx(0.2)]


def test_nobody_speaks():
    tt = take_turns(frames([]), frames([]), hop_s=HOP)
    assert tt.turns == () and tt.talk_share == {} and math.isnan(tt.gaps.median_s)
    assert talk_share(()) == {}


def test_resuming_after_the_others_backchannel_is_no_interruption():
    # the agent pauses 2.3-2.9 s; the caller says "mm-hm" (2.75-3.30) and the agent goes on under it at 2.9:
    # the agent's new spurt starts during the caller's backchannel, which is no interruption
    agent = frames([(0.5, 2.3), (2.9, 5.0)])
    caller = frames([(2.75, 3.3), (6.0, 9.0)])
    assert spurts(agent, hop_s=HOP) == [(0.5, 2.3), (2.9, 5.0)]
    tt = take_turns(agent, caller, hop_s=HOP)
    assert not tt.interruptions
    assert [(b.speaker, b.start_s) for b in tt.backchannels] == [(CALLER, 2.75)]


def test_one_channel_backchannel_squeezed_between_the_hosts_speech():
    # diarization gives overlap one label: the caller's "mm-hm" sits between two pieces of the agent's turn
    agent = frames([(0.5, 2.3), (2.85, 5.0)])  # 0.55 s apart: two spurts
    caller = frames([(2.35, 2.75), (6.0, 9.0)])
    assert spurts(agent, hop_s=HOP) == [(0.5, 2.3), (2.85, 5.0)]
    tt = take_turns(agent, caller, hop_s=HOP)
    assert [(b.speaker, b.start_s) for b in tt.backchannels] == [(CALLER, 2.35)]
    assert tt.turns[0] == Turn(0.5, 5.0, AGENT) and tt.gaps.count == 0
