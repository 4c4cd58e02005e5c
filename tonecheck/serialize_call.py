"""Conversation -> plain dict (the JSON of a two-party call, docs/json.md).

The agent's per-recording blocks stay at the top level, exactly as
:func:`tonecheck.serialize.analysis_to_dict` writes them for one voice, so
existing consumers keep working; ``caller`` holds the same blocks for the
caller and ``conversation`` the figures of the exchange. Floats are rounded
to what is meaningful and NaN becomes ``None`` (:func:`tonecheck.serialize.clean`).
"""

from __future__ import annotations

from .messages import Message, render
from .serialize import _rate_window, analysis_to_dict, clean
from .turns import AGENT, CALLER

__all__ = ["conversation_to_dict", "conversation_block"]


def _span(item) -> dict:
    return {"start_s": clean(item.start_s, 2), "end_s": clean(item.end_s, 2)}


def _spoken(item) -> dict:
    return {"speaker": item.speaker, **_span(item)}


def _counts(items) -> dict:
    return {party: sum(1 for i in items if i.speaker == party) for party in (AGENT, CALLER)}


def _longest(turn_taking) -> dict:
    out = {}
    for party, t in turn_taking.longest_turn.items():
        out[party] = {**_span(t), "duration_s": clean(t.duration_s, 2)}
    return out


def _gaps(gaps) -> dict:
    return {
        "median_s": clean(gaps.median_s, 2),
        "longest_s": clean(gaps.longest_s, 2),
        "count": gaps.count,
        "long_silences": [{"start_s": clean(s, 2), "end_s": clean(e, 2)} for s, e in gaps.long_silences],
    }


def _party_rate(a) -> dict:
    return {"syllables_per_s": clean(a.rate.syllables_per_s, 2), "wpm": clean(a.rate.wpm, 1)}


def _rate_match(conv) -> dict:
    rm = conv.rate_match
    return {
        "ratio": clean(rm.ratio, 3),
        "tolerance": rm.tolerance.to_dict(),
        "verdict": rm.verdict,
        "agent": _party_rate(conv.agent),
        "caller": _party_rate(conv.caller),
        "exchanges": rm.exchanges,
        "mismatches": [
            {
                **_span(m),
                "kind": m.kind,
                "caller_syllables_per_s": clean(m.caller_syllables_per_s, 2),
                "agent_syllables_per_s": clean(m.agent_syllables_per_s, 2),
                "ratio": clean(m.ratio, 3),
            }
            for m in rm.mismatches
        ],
        "convergence": rm.convergence,
        "early_gap_pct": clean(rm.early_gap_pct, 1),
        "late_gap_pct": clean(rm.late_gap_pct, 1),
    }


def _intensity_match(im) -> dict:
    return {
        "agent_baseline_index": clean(im.agent_baseline, 1),
        "caller_baseline_index": clean(im.caller_baseline, 1),
        "exchanges": im.exchanges,
        "flags": [
            {
                **_span(f),
                "kind": f.kind,
                "caller_delta_index": clean(f.caller_delta, 1),
                "agent_delta_index": clean(f.agent_delta, 1),
            }
            for f in im.flags
        ],
        "synchrony_r": clean(im.synchrony, 3),
        "proximity_index": clean(im.proximity, 2),
        "verdict": im.verdict,
    }


def _greeting(g) -> dict | None:
    if g is None:
        return None
    rate = _rate_window(g.rate)
    rate.pop("start_s")
    rate.pop("end_s")
    return {
        **_span(g.turn),
        "intonation_level": clean(g.intonation_level, 1),
        "intensity_index": clean(g.intensity_index, 1),
        **rate,
    }


def _exchange(ex) -> dict:
    return {
        "caller_start_s": clean(ex.caller_turn.start_s, 2),
        "caller_end_s": clean(ex.caller_turn.end_s, 2),
        "agent_start_s": clean(ex.agent_turn.start_s, 2),
        "agent_end_s": clean(ex.agent_turn.end_s, 2),
        "caller_syllables_per_s": clean(ex.caller_rate.syllables_per_s, 2),
        "agent_syllables_per_s": clean(ex.agent_rate.syllables_per_s, 2),
        "rate_ratio": clean(ex.rate_ratio, 3),
        "caller_intensity_index": clean(ex.caller_intensity, 1),
        "agent_intensity_index": clean(ex.agent_intensity, 1),
    }


def conversation_block(conv, *, lang: str = "en") -> dict:
    """The ``conversation`` block alone: turns, gaps, overlaps, matching, greeting, exchanges.

    Parameters
    ----------
    conv : Conversation
    lang : {"en", "zh"}
        Language of ``warnings``.

    Returns
    -------
    block : dict
        Times in seconds from the start of the call; NaN as ``None``.
    """
    tt = conv.turn_taking
    return {
        "source": conv.source,
        "confidence": clean(conv.confidence, 2),
        "agent_side": conv.agent_side,
        "warnings": [render(n, lang) if isinstance(n, Message) else str(n) for n in conv.notes],
        "warning_keys": [n.key for n in conv.notes if isinstance(n, Message)],
        "turns": [_spoken(t) for t in tt.turns],
        "talk_share": {party: clean(share, 4) for party, share in tt.talk_share.items()},
        "longest_turn": _longest(tt),
        "gaps": _gaps(tt.gaps),
        "interruptions": [_spoken(o) for o in tt.interruptions],
        "interruption_counts": _counts(tt.interruptions),
        "backchannels": [_spoken(o) for o in tt.backchannels],
        "backchannel_counts": _counts(tt.backchannels),
        "rate_match": _rate_match(conv),
        "intensity_match": _intensity_match(conv.intensity_match),
        "greeting": _greeting(conv.greeting),
        "exchanges": [_exchange(ex) for ex in conv.exchanges],
    }


def conversation_to_dict(conv, *, contour: bool = False, lang: str = "en") -> dict:
    """The JSON-ready dict of a :class:`~tonecheck.conversation.Conversation`.

    Parameters
    ----------
    conv : Conversation
    contour : bool
        Add each party's ``pitch.contour`` (see :func:`tonecheck.serialize.analysis_to_dict`).
    lang : {"en", "zh"}
        Language of ``warnings``, ``summary`` and ``suggestions`` text.

    Returns
    -------
    data : dict
        The agent's blocks at the top level (as for one voice), ``caller``
        (the caller's blocks) and ``conversation`` (:func:`conversation_block`).
    """
    out = analysis_to_dict(conv.agent, contour=contour, lang=lang)
    out["caller"] = analysis_to_dict(conv.caller, contour=contour, lang=lang)
    out["conversation"] = conversation_block(conv, lang=lang)
    return out
