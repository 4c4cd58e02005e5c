"""The coach dashboard (``index.html``) of a batch: who needs the coach first.

Self-contained like the call report (:mod:`tonecheck.report.page`). Agents
are listed farthest from the targets first (:attr:`AgentTrend.distance`),
each with the most important advice in one line and the consistency trend
through the session (does intonation or energy fade from the first calls to
the last, or stay steadily off target?). The distance is the sum over
intonation, rate and volume of how far the agent's median lies outside the
target band, in band widths. Below: the team's distribution of
intonation levels against the target band, a sortable table of all
recordings with their warnings, linking to each call report, and the files
that failed. Every shading is explained by a legend or a caption.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from ..messages import render, text
from ..scoring import Verdict, summary_message
from ..targets import Band, default_targets
from .page import SORT_SCRIPT, VERDICT_CLASS, band_text, escape, histogram_svg, render_page, sparkline_svg

__all__ = [
    "render_dashboard",
    "agent_trends",
    "AgentTrend",
    "band_distance",
    "FADE_LEVELS",
    "FADE_ENERGY",
    "MEASURES",
]

FADE_LEVELS = 0.75
"""Intonation drop (levels, last third vs first third of the calls) that counts as fading."""
FADE_ENERGY = 1.0
"""Energy-index drop that counts as fading."""
MEASURES = (
    ("intonation", "level", "intonation_level"),
    ("rate", "wpm", "rate_wpm"),
    ("loudness", "speech_level_dbfs", "speech_level_dbfs"),
)
"""(JSON block, value key, :class:`~tonecheck.targets.Targets` field) of the figures the distance adds up."""


def band_distance(value: float, band: Band, *, scale: float) -> float:
    """How far ``value`` lies outside ``band``, in band widths (0 inside; NaN counts as 0).

    Parameters
    ----------
    value : float
        The agent's median, in the band's unit.
    band : Band
    scale : float > 0
        Width used when a side of ``band`` is open (the default band's width).
    """
    if value is None or not math.isfinite(value):
        return 0.0
    outside = max(band.low - value, value - band.high, 0.0)
    width = band.high - band.low
    return outside / (width if math.isfinite(width) and width > 0 else scale)


def _f(value) -> float:
    return float("nan") if value is None else float(value)


def _record_band(record, block: str, field: str) -> Band:
    raw = record.data.get(block, {}).get("target")
    if not isinstance(raw, dict):
        return getattr(default_targets(), field)
    return Band(float(raw.get("low", -math.inf)), float(raw.get("high", math.inf)))


def _default_width(field: str) -> float:
    band = getattr(default_targets(), field)
    return band.high - band.low


def _advice_of(record, lang: str) -> str:
    """The call's one-line summary in ``lang``, rebuilt from its verdicts and targets; else the
    stored ``summary`` text, else its first suggestion (both in the language the batch ran in)."""
    d = record.data
    try:
        verdicts = [Verdict(_f(d[b][k]), _record_band(record, b, f), d[b]["verdict"]) for b, k, f in MEASURES]
        return render(summary_message(*verdicts), lang)
    except (KeyError, TypeError, ValueError):
        pass
    summary = d.get("summary")
    if isinstance(summary, str) and summary.strip():
        return summary.strip()
    suggestions = d.get("suggestions") or []
    return str(suggestions[0]) if suggestions else ""


class AgentTrend:
    """An agent's calls in recording order, how far they are from the targets and how they change."""

    def __init__(self, agent: str, records: list):
        self.agent = agent
        self.records = sorted(records, key=lambda r: (r.recorded_at, r.name))
        self.levels = np.array([_f(r.data["intonation"]["level"]) for r in self.records])
        self.energy = np.array([_f(r.data["energy"]["index"]) for r in self.records])
        last = self.records[-1]
        self.bands = {block: _record_band(last, block, field) for block, _, field in MEASURES}
        self.medians = {block: _nanmedian([_f(r.data[block][key]) for r in self.records]) for block, key, _ in MEASURES}

    def _change(self, values: np.ndarray) -> float:
        """Mean of the last third minus the first third (NaN with fewer than 2 calls)."""
        v = values[np.isfinite(values)]
        if v.size < 2:
            return float("nan")
        k = max(1, v.size // 3)
        return float(v[-k:].mean() - v[:k].mean())

    @property
    def level_change(self) -> float:
        return self._change(self.levels)

    @property
    def energy_change(self) -> float:
        return self._change(self.energy)

    @property
    def fading(self) -> tuple:
        """Which of ``"intonation"``, ``"energy"`` fade through the session."""
        out = []
        if self.level_change <= -FADE_LEVELS:
            out.append("intonation")
        if self.energy_change <= -FADE_ENERGY:
            out.append("energy")
        return tuple(out)

    @property
    def distance(self) -> float:
        """Sum over intonation, rate and volume of how far the agent's median lies outside
        the target band, in band widths (0 = all three medians on target)."""
        return sum(
            band_distance(self.medians[block], self.bands[block], scale=_default_width(field))
            for block, _, field in MEASURES
        )

    @property
    def status(self) -> str:
        """``"fading"``, ``"steady"`` (on target), ``"steady_flat"``, ``"steady_high"``,
        ``"single"`` (one call) or ``"unknown"``: the intonation trend in one word."""
        if self.fading:
            return "fading"
        if np.isfinite(self.levels).sum() < 2:
            return "single" if np.isfinite(self.levels).any() else "unknown"
        verdict = self.bands["intonation"].verdict(self.medians["intonation"])
        return {"within": "steady", "below": "steady_flat", "above": "steady_high"}.get(verdict, "unknown")

    def call_distance(self, record) -> float:
        """:func:`band_distance` summed over intonation, rate and volume for one of the agent's calls."""
        return sum(
            band_distance(_f(record.data[block][key]), _record_band(record, block, field), scale=_default_width(field))
            for block, key, field in MEASURES
        )

    def advice(self, lang: str = "en") -> str:
        """The one-line advice of the call farthest from the targets (the latest wins a tie)."""
        ranked = [(self.call_distance(r), i, _advice_of(r, lang)) for i, r in enumerate(self.records)]
        ranked = [item for item in ranked if item[2]]
        return max(ranked)[2] if ranked else ""


def _nanmedian(values) -> float:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def agent_trends(result) -> list:
    """One :class:`AgentTrend` per agent, sorted by agent name."""
    groups = defaultdict(list)
    for r in result.records:
        groups[r.agent].append(r)
    return [AgentTrend(agent, recs) for agent, recs in sorted(groups.items())]


def _num(value, digits: int = 1) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _key(value, digits: int = 3) -> str:
    """A ``data-sort`` key: the number, or blank when missing (sorted last)."""
    return "" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _sparkline(t: AgentTrend, lang: str) -> str:
    alt = text("dashboard.trend_alt", lang, agent=t.agent, levels=", ".join(_num(v) for v in t.levels))
    b = t.bands["intonation"]
    return sparkline_svg(t.levels, lo=1.0, hi=10.0, band=(b.low, b.high), alt=alt)


def _on_target(r) -> bool:
    d = r.data
    return all(d[k]["verdict"] == "within" for k in ("intonation", "rate", "loudness"))


STATUS_CLASS = {"fading": "below", "steady": "within", "steady_flat": "below", "steady_high": "below"}
"""Green only when steady on target; amber when fading or steadily off target; grey otherwise."""


def _status(t: AgentTrend, lang: str) -> tuple:
    status = t.status
    if status == "fading":
        words = text("dashboard.fading", lang, what=", ".join(text(f"dashboard.what.{w}", lang) for w in t.fading))
    else:
        words = text(f"dashboard.status.{status}", lang)
    return status, words, STATUS_CLASS.get(status, "unknown")


def _agent_row(t: AgentTrend, lang: str) -> str:
    share = sum(_on_target(r) for r in t.records) / len(t.records)
    k = max(1, len(t.records) // 3)
    first, last = _nanmedian(t.levels[:k]), _nanmedian(t.levels[-k:])
    status, words, cls = _status(t, lang)
    med = t.medians
    cells = [
        (escape(t.agent), escape(t.agent)),
        (f"{t.distance:.3f}", f"{t.distance:.1f}"),
        (escape(t.advice(lang)), escape(t.advice(lang))),
        (str(len(t.records)), str(len(t.records))),
        (_key(med["intonation"]), _num(med["intonation"])),
        (_key(med["rate"]), _num(med["rate"], 0)),
        (_key(med["loudness"]), _num(med["loudness"], 0)),
        (_key(_nanmedian(t.energy)), _num(_nanmedian(t.energy))),
        (f"{share:.3f}", f"{100 * share:.0f} %"),
        (_key(last - first), f"{_num(first)} → {_num(last)}"),
    ]
    wrap = (0, 2)  # agent and advice wrap; numbers do not
    nowrap = ' class="n"'
    tds = "".join(
        f'<td data-sort="{key}"{"" if i in wrap else nowrap}>{shown}</td>' for i, (key, shown) in enumerate(cells)
    )
    return (
        f'<tr data-agent="{escape(t.agent)}">{tds}<td data-sort="{len(t.fading)}" class="agent-trend {cls}" '
        f'data-fading="{" ".join(t.fading)}" data-status="{status}">'
        f"{_sparkline(t, lang)}<div>{escape(words)}</div></td></tr>"
    )


AGENT_COLUMNS = (
    "dashboard.col.agent",
    "dashboard.col.distance",
    "dashboard.col.advice",
    "dashboard.col.calls",
    "dashboard.col.level",
    "dashboard.col.rate",
    "dashboard.col.volume_median",
    "dashboard.col.energy",
    "dashboard.col.on_target",
    "dashboard.col.first_last",
    "dashboard.col.trend",
)


def _agents_table(trends: list, lang: str) -> str:
    head = "".join(f'<th scope="col">{escape(text(k, lang))}</th>' for k in AGENT_COLUMNS)
    ordered = sorted(trends, key=lambda t: (-t.distance, t.agent))
    rows = "".join(_agent_row(t, lang) for t in ordered)
    band = band_text(trends[0].bands["intonation"], lang) if trends else ""
    notes = (
        text("dashboard.distance_note", lang),
        text("dashboard.trend_note", lang, target=band),
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
    return f'<td data-sort="{_key(v)}" class="n {cls}">{escape(_num(v, digits))}</td>'


RECORDING_COLUMNS = (
    "dashboard.col.agent",
    "dashboard.col.date",
    "dashboard.col.file",
    "label.intonation",
    "dashboard.col.call_rate",
    "dashboard.col.volume",
    "label.energy",
    "label.warnings",
    "dashboard.col.report",
)


def _recording_row(r, lang: str) -> str:
    d = r.data
    word = lambda block: text(f"verdict.{d[block]['verdict']}", lang)  # noqa: E731
    tip = text("dashboard.open_title", lang, intonation=word("intonation"), rate=word("rate"), volume=word("loudness"))
    energy = d["energy"]
    energy_word = text("energy." + energy["level"], lang) if energy["level"] != "unknown" else "–"
    warnings = "; ".join(str(w) for w in d.get("warnings") or [])
    return (
        f'<tr><td data-sort="{escape(r.agent)}">{escape(r.agent)}</td><td data-sort="{escape(r.recorded_at)}" class="n">'
        f'{escape(r.recorded_at.replace("T", " ")[:16])}</td><td data-sort="{escape(d["file"])}" class="file">{escape(d["file"])}</td>'
        + _cell(d["intonation"]["level"], d["intonation"]["verdict"])
        + _cell(d["rate"]["wpm"], d["rate"]["verdict"], 0)
        + _cell(d["loudness"]["speech_level_dbfs"], d["loudness"]["verdict"], 0)
        + f'<td data-sort="{_key(_f(energy["index"]))}" class="n {VERDICT_CLASS.get(energy["verdict"], "unknown")}">'
        f"{escape(energy_word)}</td>"
        f'<td data-sort="{escape(warnings)}" class="warn">{escape(warnings)}</td>'
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
        f"<section><h2>{escape(text('dashboard.distribution', lang))}</h2>{_histogram(result, band, lang)}</section>"
        f"<section><h2>{escape(text('dashboard.recordings', lang))}</h2>{_recordings_table(result, lang)}</section>"
        f"<section><h2>{escape(text('dashboard.failures', lang))}</h2>{_failures(result, lang)}</section></main>"
    )
    return render_page(title=title, body_html=body, lang=lang, script=SORT_SCRIPT)
