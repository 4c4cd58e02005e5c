"""The coach dashboard (``index.html``) of a batch: who needs the coach first.

Self-contained like the call report (:mod:`tonecheck.report.page`). Agents
are listed farthest from the targets first (:attr:`AgentTrend.distance`),
each with the most important advice in one line and the consistency trend
through the session (does intonation or emotional intensity fade from the
first calls to the last, against the agent's own median, or stay steadily off
target? The recording level never counts: see :mod:`tonecheck.report.trends`).
The distance is the sum over intonation, intensity, rate and recording level
of how far the agent's median lies outside the target band, in band widths. Below: the team's distribution of
intonation levels against the target band, a sortable table of all
recordings with their warnings, linking to each call report, and the files
that failed. Every shading is explained by a legend or a caption. Batches with
two-party calls also get a "Matching the caller" section after the agents
(:mod:`tonecheck.report.call_dashboard`); one-voice batches do not.
"""

from __future__ import annotations

import math

import numpy as np

from ..intensity import INTENSITY_BANDS
from ..messages import text
from ..targets import Band, default_targets
from .call_dashboard import render_call_section
from .page import (
    SORT_SCRIPT,
    VERDICT_CLASS,
    band_text,
    escape,
    histogram_svg,
    number_text,
    render_page,
    sort_key,
    sparkline_svg,
)
from .trends import (
    FADE_INTENSITY,
    FADE_LEVELS,
    MEASURES,
    AgentTrend,
    agent_trends,
    band_distance,
    fall_sentence,
    value_at,
)

__all__ = [
    "render_dashboard",
    "agent_trends",
    "AgentTrend",
    "band_distance",
    "FADE_LEVELS",
    "FADE_INTENSITY",
    "MEASURES",
]


def _f(value) -> float:
    return float("nan") if value is None else float(value)


def _sparklines(t: AgentTrend, lang: str) -> str:
    """Intonation per call on the upper line; intensity on the lower one where it was measured."""
    b = t.bands["intonation"]
    alt = text("dashboard.trend_alt", lang, agent=t.agent, levels=", ".join(number_text(v) for v in t.levels))
    lines = [("label.intonation", sparkline_svg(t.levels, lo=1.0, hi=10.0, band=(b.low, b.high), alt=alt))]
    b = t.bands["intensity"]
    if np.isfinite(t.intensity).any() and b is not None:
        values = ", ".join(number_text(v) for v in t.intensity)
        alt = text("dashboard.trend_alt_intensity", lang, agent=t.agent, values=values)
        lines.append(("label.intensity", sparkline_svg(t.intensity, lo=0.0, hi=10.0, band=(b.low, b.high), alt=alt)))
    return "".join(
        f'<div class="spark"><span class="muted" aria-hidden="true">{escape(text(key, lang))}</span>{svg}</div>'
        for key, svg in lines
    )


def _on_target(r) -> bool:
    """Intonation, rate and recording level within their targets, and intensity where measured."""
    d = r.data
    blocks = ["intonation", "rate", "loudness"]
    if math.isfinite(value_at(d, "intensity", "index")):
        blocks.append("intensity")
    return all(d[k].get("verdict") == "within" for k in blocks)


STATUS_CLASS = {"fading": "below", "steady": "within", "steady_flat": "below", "steady_high": "below"}
"""Green only when steady on target; amber when fading or steadily off target; grey otherwise."""


def _status(t: AgentTrend, lang: str) -> tuple:
    status = t.status
    if status == "fading":
        span = t.span()
        words = text(
            "dashboard.fading", lang, what="; ".join(fall_sentence(f, span, lang) for f in t.falls if f.fading)
        )
    else:
        words = text(f"dashboard.status.{status}", lang)
    return status, words, STATUS_CLASS.get(status, "unknown")


def _agent_row(t: AgentTrend, lang: str) -> str:
    share = sum(_on_target(r) for r in t.records) / len(t.records)
    intonation = t.falls[0]
    status, words, cls = _status(t, lang)
    med = t.medians
    cells = [
        (escape(t.agent), escape(t.agent)),
        (f"{t.distance:.3f}", f"{t.distance:.1f}"),
        (escape(t.advice(lang)), escape(t.advice(lang))),
        (str(len(t.records)), str(len(t.records))),
        (sort_key(med["intonation"]), number_text(med["intonation"])),
        (sort_key(med["intensity"]), number_text(med["intensity"])),
        (sort_key(med["rate"]), number_text(med["rate"], 0)),
        (sort_key(med["loudness"]), number_text(med["loudness"], 0)),
        (f"{share:.3f}", f"{100 * share:.0f} %"),
        (sort_key(-intonation.drop), f"{number_text(intonation.first)} → {number_text(intonation.last)}"),
    ]
    wrap = (0, 2)  # agent and advice wrap; numbers do not
    nowrap = ' class="n"'
    tds = "".join(
        f'<td data-sort="{key}"{"" if i in wrap else nowrap}>{shown}</td>' for i, (key, shown) in enumerate(cells)
    )
    return (
        f'<tr data-agent="{escape(t.agent)}">{tds}<td data-sort="{len(t.fading)}" class="agent-trend {cls}" '
        f'data-fading="{" ".join(t.fading)}" data-status="{status}">'
        f"{_sparklines(t, lang)}<div>{escape(words)}</div></td></tr>"
    )


AGENT_COLUMNS = (
    "dashboard.col.agent",
    "dashboard.col.distance",
    "dashboard.col.advice",
    "dashboard.col.calls",
    "dashboard.col.level",
    "dashboard.col.intensity",
    "dashboard.col.rate",
    "dashboard.col.volume_median",
    "dashboard.col.on_target",
    "dashboard.col.first_last",
    "dashboard.col.trend",
)


def _agents_table(trends: list, lang: str) -> str:
    head = "".join(f'<th scope="col">{escape(text(k, lang))}</th>' for k in AGENT_COLUMNS)
    ordered = sorted(trends, key=lambda t: (-t.distance, t.agent))
    rows = "".join(_agent_row(t, lang) for t in ordered)
    bands = trends[0].bands if trends else {}
    band = band_text(bands["intonation"], lang) if trends else ""
    intensity_band = band_text(bands["intensity"], lang) if trends and bands["intensity"] is not None else "–"
    notes = (
        text("dashboard.distance_note", lang),
        text(
            "dashboard.trend_note",
            lang,
            target=band,
            intensity_target=intensity_band,
            levels=f"{FADE_LEVELS:g}",
            points=f"{FADE_INTENSITY:.1f}",
        ),
        text("dashboard.on_target_note", lang),
    )
    return (
        f'<div class="scroll"><table class="sortable" id="agents"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>" + "".join(f'<p class="muted">{escape(n)}</p>' for n in notes)
    )


def _first_need(trends: list, lang: str) -> str:
    """One line naming the agent farthest from the targets, or saying everyone is on target."""
    if not trends:
        return ""
    worst = min(trends, key=lambda t: (-t.distance, t.agent))
    if worst.distance <= 0:
        return f'<p class="summary" id="first">{escape(text("dashboard.all_on_target", lang))}</p>'
    line = text("dashboard.first", lang, agent=worst.agent, advice=worst.advice(lang) or "–")
    return f'<p class="summary" id="first">{escape(line)}</p>'


def _histogram(result, band: Band, lang: str) -> str:
    levels = np.array([_f(r.data["intonation"]["level"]) for r in result.records])
    levels = levels[np.isfinite(levels)]
    within = int(((levels >= band.low) & (levels <= band.high)).sum())
    target = band_text(band, lang)
    return histogram_svg(
        levels,
        lo=1,
        hi=10,
        bins=18,
        band=(band.low, band.high),
        labels={
            "title": text("dashboard.hist_title", lang),
            "x": text("dashboard.hist_x", lang),
            "y": text("dashboard.hist_y", lang),
            "band": text("dashboard.legend_target", lang, target=target),
            "bars": text("dashboard.legend_calls", lang),
            "alt": text("dashboard.distribution_alt", lang, calls=levels.size, within=within, target=target),
        },
        svg_id="histogram",
    )


def _cell(value, verdict: str | None = None, digits: int = 1) -> str:
    v = _f(value) if isinstance(value, (int, float)) or value is None else float("nan")
    cls = VERDICT_CLASS.get(verdict, "unknown") if verdict else ""
    return f'<td data-sort="{sort_key(v)}" class="n {cls}">{escape(number_text(v, digits))}</td>'


RECORDING_COLUMNS = (
    "dashboard.col.agent",
    "dashboard.col.date",
    "dashboard.col.file",
    "label.intonation",
    "label.intensity",
    "dashboard.col.call_rate",
    "dashboard.col.volume",
    "label.warnings",
    "dashboard.col.report",
)


def _intensity_cell(d: dict, lang: str) -> str:
    """``6.2 engaged`` coloured by its verdict; "–" for old results without intensity."""
    index = value_at(d, "intensity", "index")
    section = d.get("intensity") if isinstance(d.get("intensity"), dict) else {}
    band = section.get("band")
    shown = (
        number_text(index) if band not in INTENSITY_BANDS else f"{number_text(index)} {text(f'intensity.{band}', lang)}"
    )
    cls = VERDICT_CLASS.get(section.get("verdict"), "unknown")
    return f'<td data-sort="{sort_key(index)}" class="n {cls}">{escape(shown)}</td>'


def _verdict_word(d: dict, block: str, lang: str) -> str:
    section = d.get(block)
    verdict = section.get("verdict") if isinstance(section, dict) else None
    return text(f"verdict.{verdict if verdict in VERDICT_CLASS else 'unknown'}", lang)


def _recording_row(r, lang: str) -> str:
    d = r.data
    words = {k: _verdict_word(d, b, lang) for k, b in (("intonation",) * 2, ("intensity",) * 2, ("rate",) * 2)}
    tip = text("dashboard.open_title", lang, volume=_verdict_word(d, "loudness", lang), **words)
    warnings = "; ".join(str(w) for w in d.get("warnings") or [])
    return (
        f'<tr><td data-sort="{escape(r.agent)}">{escape(r.agent)}</td><td data-sort="{escape(r.recorded_at)}" class="n">'
        f'{escape(r.recorded_at.replace("T", " ")[:16])}</td><td data-sort="{escape(d["file"])}" class="file">{escape(d["file"])}</td>'
        + _cell(d["intonation"]["level"], d["intonation"]["verdict"])
        + _intensity_cell(d, lang)
        + _cell(d["rate"]["wpm"], d["rate"]["verdict"], 0)
        + _cell(d["loudness"]["speech_level_dbfs"], d["loudness"]["verdict"], 0)
        + f'<td data-sort="{escape(warnings)}" class="warn">{escape(warnings)}</td>'
        f'<td data-sort="" class="n"><a href="calls/{escape(r.name)}.html" title="{escape(tip)}">'
        f"{escape(text('dashboard.open', lang))}</a></td></tr>"
    )


def _recordings_table(result, lang: str) -> str:
    head = "".join(f'<th scope="col">{escape(text(k, lang))}</th>' for k in RECORDING_COLUMNS)
    rows = "".join(_recording_row(r, lang) for r in result.records)
    return (
        f'<p class="muted">{escape(text("dashboard.sort_hint", lang))} {escape(text("dashboard.colour_note", lang))}</p>'
        '<div class="scroll">'
        f'<table class="sortable" id="recordings"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
    )


def _failures(result, lang: str) -> str:
    if not result.failures:
        return f'<p id="failures">{escape(text("dashboard.no_failures", lang))}</p>'
    items = "".join(f"<li>{escape(f.message)}</li>" for f in result.failures)
    return f'<ul id="failures">{items}</ul>'


def _header(result, trends: list, lang: str) -> str:
    lines = [
        text("dashboard.summary", lang, calls=len(result.records), agents=len(trends), failed=len(result.failures))
    ]
    dates = sorted(r.recorded_at for r in result.records if r.recorded_at)
    if dates:
        first, last = (d.replace("T", " ")[:16] for d in (dates[0], dates[-1]))
        lines.append(text("dashboard.date_range", lang, first=first, last=last))
    warned = sum(1 for r in result.records if r.data.get("warnings"))
    if warned:
        lines.append(text("dashboard.warned", lang, calls=warned))
    return "".join(f'<p id="session-{i}">{escape(line)}</p>' for i, line in enumerate(lines))


def render_dashboard(result, *, lang: str = "en") -> str:
    """The dashboard page of a :class:`~tonecheck.batch.BatchResult` as self-contained HTML.

    Parameters
    ----------
    result : BatchResult
        Records are the ``analyze --json`` dicts plus a ``batch`` block.
    lang : {"en", "zh"}

    Returns
    -------
    page : str
        Self-contained HTML; the only script sorts the tables.
    """
    trends = agent_trends(result)
    band = trends[0].bands["intonation"] if trends else default_targets().intonation_level
    title = text("dashboard.title", lang)
    body = (
        f"<header><h1>{escape(title)}</h1>{_header(result, trends, lang)}{_first_need(trends, lang)}</header><main>"
        f"<section><h2>{escape(text('dashboard.agents', lang))}</h2>{_agents_table(trends, lang)}</section>"
        f"{render_call_section(result, lang=lang)}"  # two-party calls only; "" for one-voice batches
        f"<section><h2>{escape(text('dashboard.distribution', lang))}</h2>{_histogram(result, band, lang)}</section>"
        f"<section><h2>{escape(text('dashboard.recordings', lang))}</h2>{_recordings_table(result, lang)}</section>"
        f"<section><h2>{escape(text('dashboard.failures', lang))}</h2>{_failures(result, lang)}</section></main>"
    )
    return render_page(title=title, body_html=body, lang=lang, script=SORT_SCRIPT)
