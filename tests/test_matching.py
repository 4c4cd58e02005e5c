"""Rate and intensity matching over exchanges."""

import math

import pytest

from tonecheck.matching import Exchange, match_intensity, match_rate, pair_exchanges
from tonecheck.rate import rate_between
from tonecheck.targets import Band
from tonecheck.turns import AGENT, CALLER, Turn

TOL = Band(0.85, 1.15)


def nuclei(start, end, per_s):
    n = int(round((end - start) * per_s))
    return [start + (i + 0.5) / per_s for i in range(n)]


def exchange(t0, caller_rate, agent_rate, caller_int=5.0, agent_int=5.0, length=6.0):
    c, a = Turn(t0, t0 + length, CALLER), Turn(t0 + length + 0.5, t0 + 2 * length + 0.5, AGENT)
    cr = rate_between(nuclei(c.start_s, c.end_s, caller_rate), c.start_s, c.end_s, language="en")
    ar = rate_between(nuclei(a.start_s, a.end_s, agent_rate), a.start_s, a.end_s, language="en")
    return Exchange(c, a, cr, ar, caller_int, agent_int)


def test_pairs_need_long_enough_turns():
    turns = [
        Turn(0, 3, AGENT),
        Turn(3.5, 8, CALLER),
        Turn(8.3, 12, AGENT),
        Turn(12.5, 13, CALLER),
        Turn(13.2, 18, AGENT),
    ]
    assert pair_exchanges(turns) == [(turns[1], turns[2])]


def test_matched_rates_and_clear_mismatch():
    same = [exchange(15 * i, 4.0, 4.1) for i in range(4)]
    rm = match_rate(4.1, 4.0, same, tolerance=TOL)
    assert rm.verdict == "within" and not rm.mismatches and rm.convergence == "steady"
    fast = [exchange(15 * i, 3.0, 5.0) for i in range(2)]
    rm = match_rate(5.0, 3.0, fast, tolerance=TOL)
    assert rm.verdict == "above" and [m.kind for m in rm.mismatches] == ["agent_faster"] * 2


def test_mismatch_within_counting_noise_is_not_flagged():
    # 1.2x on one-second-ish turns is inside the syllable-count uncertainty
    ex = [exchange(0, 3.0, 3.6, length=1.6)]
    assert not match_rate(3.6, 3.0, ex, tolerance=TOL).mismatches


def test_convergence_over_the_call():
    ex = [exchange(15 * i, 3.0, r) for i, r in enumerate([5.0, 4.8, 3.2, 3.1])]
    rm = match_rate(4.0, 3.0, ex, tolerance=TOL)
    assert rm.convergence == "converged" and rm.early_gap_pct > rm.late_gap_pct + 5


def test_intensity_flags_relative_to_each_baseline():
    ex = [
        exchange(0, 4, 4, caller_int=4.0, agent_int=6.0),
        exchange(15, 4, 4, caller_int=7.5, agent_int=5.5),  # caller raised, reply below the agent's usual: flat
        exchange(30, 4, 4, caller_int=4.0, agent_int=6.0),
        exchange(45, 4, 4, caller_int=2.5, agent_int=8.0),  # caller calm, reply over the top
    ]
    im = match_intensity(ex, agent_baseline=6.0, caller_baseline=4.0)
    assert [f.kind for f in im.flags] == ["caller_intense_reply_flat", "caller_calm_reply_over"]
    assert im.verdict == "mismatched" and im.exchanges == 4
    assert im.flags[0].caller_delta == pytest.approx(3.5)


def test_intensity_entrainment_figures():
    ex = [exchange(15 * i, 4, 4, caller_int=c, agent_int=c + 1.0) for i, c in enumerate([3.0, 5.0, 4.0, 6.0, 3.5])]
    im = match_intensity(ex, agent_baseline=5.0, caller_baseline=4.0)
    assert im.synchrony == pytest.approx(1.0) and im.proximity > 0
    assert im.verdict == "within"
    unknown = match_intensity([exchange(0, 4, 4, caller_int=math.nan)], agent_baseline=5.0, caller_baseline=4.0)
    assert unknown.verdict == "unknown" and math.isnan(unknown.synchrony)
