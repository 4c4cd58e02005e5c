"""The coach dashboard (``index.html``) of a batch: team at a glance.

Self-contained like the call report (:mod:`tonecheck.report.page`): a
per-agent summary with a consistency trend through the session (does
intonation or energy fade from the first calls to the last?), the team's
distribution of intonation levels against the 5-6 band, a sortable table of
all recordings linking to each call report, and the files that failed.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from ..messages import text
from .page import VERDICT_CLASS, escape, render_page

__all__ = ["render_dashboard", "agent_trends", "AgentTrend", "FADE_LEVELS", "FADE_ENERGY"]

FADE_LEVELS = 0.75
"""Intonation drop (levels, last third vs first third of the calls) that counts as fading."""
FADE_ENERGY = 1.0
"""Energy-index drop that counts as fading."""

SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, col) {
  th.addEventListener('click', function() {
    var body = th.closest('table').tBodies[0];
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    th.closest('tr').querySelectorAll('th').forEach(function(h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function(a, b) {
      var x = a.cells[col].getAttribute('data-sort'), y = b.cells[col].getAttribute('data-sort');
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
      return asc ? c : -c;
    });
    rows.forEach(function(r) { body.appendChild(r); });
  });
});
"""


class AgentTrend:
    """An agent's calls in recording order and how they change."""

    def __init__(self, agent: str, records: list):
        self.agent = agent
        self.records = sorted(records, key=lambda r: (r.recorded_at, r.name))
        self.levels = np.array([_f(r.data["intonation"]["level"]) for r in self.records])
        self.energy = np.array([_f(r.data["energy"]["index"]) for r in self.records])

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


def _f(value) -> float:
    return float("nan") if value is None else float(value)


def agent_trends(result) -> list:
    """One :class:`AgentTrend` per agent, sorted by agent name."""
    groups = defaultdict(list)
    for r in result.records:
        groups[r.agent].append(r)
    return [AgentTrend(agent, recs) for agent, recs in sorted(groups.items())]


def _num(value, digits: int = 1) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _sparkline(t: AgentTrend, lang: str) -> str:
    levels = t.levels
    n = len(levels)
    pts = [(6 + 108 * (i / max(n - 1, 1)), 34 - 30 * (lv - 1) / 9) for i, lv in enumerate(levels) if math.isfinite(lv)]
    alt = text("dashboard.trend_alt", lang, agent=t.agent, levels=", ".join(_num(v) for v in levels))
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    band = f'<rect x="0" y="{34 - 30 * 5.5 / 9:.1f}" width="120" height="{30 * 2 / 9:.1f}" fill="#e3e3e3"/>'
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2"/>' for x, y in pts)
    return (
        f'<svg viewBox="0 0 120 38" width="120" height="38" role="img" aria-label="{escape(alt)}">'
        f'<title>{escape(alt)}</title>{band}<polyline points="{line}" fill="none" stroke="#1b1b1b" '
        f'stroke-width="1.5"/>{dots}</svg>'
    )


def _on_target(r) -> bool:
    d = r.data
    return all(d[k]["verdict"] == "within" for k in ("intonation", "rate", "loudness"))


def _agents_table(trends: list, lang: str) -> str:
    head = "".join(
        f"<th>{escape(text(k, lang))}</th>"
        for k in (
            "dashboard.col.agent",
            "dashboard.col.calls",
            "dashboard.col.level",
            "dashboard.col.rate",
            "dashboard.col.energy",
            "dashboard.col.on_target",
            "dashboard.col.first_last",
            "dashboard.col.trend",
        )
    )
    rows = []
    for t in trends:
        rates = [_f(r.data["rate"]["wpm"]) for r in t.records]
        share = sum(_on_target(r) for r in t.records) / len(t.records)
        k = max(1, len(t.records) // 3)
        first, last = np.nanmean(t.levels[:k]), np.nanmean(t.levels[-k:])
        fading = t.fading
        status = (
            text("dashboard.fading", lang, what=", ".join(text(f"dashboard.what.{w}", lang) for w in fading))
            if fading
            else text("dashboard.steady", lang)
        )
        cls = "below" if fading else "within"
        rows.append(
            f'<tr><td data-sort="{escape(t.agent)}">{escape(t.agent)}</td><td data-sort="{len(t.records)}">{len(t.records)}</td>'
            f'<td data-sort="{_num(np.nanmedian(t.levels))}">{_num(np.nanmedian(t.levels))}</td>'
            f'<td data-sort="{_num(np.nanmedian(rates), 0)}">{_num(np.nanmedian(rates), 0)}</td>'
            f'<td data-sort="{_num(np.nanmedian(t.energy))}">{_num(np.nanmedian(t.energy))}</td>'
            f'<td data-sort="{share:.3f}">{100 * share:.0f} %</td>'
            f'<td data-sort="{_num(last - first)}">{_num(first)} → {_num(last)}</td>'
            f'<td data-sort="{len(fading)}" class="agent-trend {cls}" data-fading="{" ".join(fading)}">'
            f"{_sparkline(t, lang)}<div>{escape(status)}</div></td></tr>"
        )
    return (
        f'<div class="scroll"><table class="sortable" id="agents"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="muted">{escape(text("dashboard.on_target_note", lang))}</p>'
    )


def _histogram(result, lang: str, targets_band=(4.5, 6.5)) -> str:
    levels = np.array([_f(r.data["intonation"]["level"]) for r in result.records])
    levels = levels[np.isfinite(levels)]
    counts, edges = np.histogram(levels, bins=18, range=(1, 10))
    top = max(int(counts.max()) if counts.size else 1, 1)
    x = lambda v: 30 + 360 * (v - 1) / 9  # noqa: E731
    within = int(((levels >= targets_band[0]) & (levels <= targets_band[1])).sum())
    alt = text("dashboard.distribution_alt", lang, calls=levels.size, within=within)
    bars = "".join(
        f'<rect x="{x(a) + 1:.1f}" y="{130 - 110 * c / top:.1f}" width="{x(b) - x(a) - 2:.1f}" '
        f'height="{110 * c / top:.1f}" fill="#3b3b3b"/>'
        for a, b, c in zip(edges, edges[1:], counts)
    )
    ticks = "".join(
        f'<text x="{x(v):.1f}" y="146" font-size="11" text-anchor="middle">{v}</text>' for v in range(1, 11)
    )
    return (
        f'<svg viewBox="0 0 400 150" role="img" aria-label="{escape(alt)}" style="max-width:640px;width:100%">'
        f'<title>{escape(alt)}</title><defs><pattern id="band" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#9c9c9c" stroke-width="2"/></pattern></defs>'
        f'<rect x="{x(targets_band[0]):.1f}" y="15" width="{x(targets_band[1]) - x(targets_band[0]):.1f}" height="115" '
        f'fill="url(#band)"/>{bars}<line x1="30" y1="130" x2="390" y2="130" stroke="#1b1b1b"/>{ticks}</svg>'
    )


def _cell(value, verdict: str | None = None, digits: int = 1) -> str:
    shown = _num(_f(value), digits) if isinstance(value, (int, float)) or value is None else str(value)
    cls = f' class="{VERDICT_CLASS.get(verdict, "unknown")}"' if verdict else ""
    return f'<td data-sort="{escape(shown)}"{cls}>{escape(shown)}</td>'


def _recordings_table(result, lang: str) -> str:
    keys = (
        "dashboard.col.agent",
        "dashboard.col.date",
        "dashboard.col.file",
        "label.intonation",
        "dashboard.col.rate",
        "dashboard.col.volume",
        "label.energy",
        "dashboard.col.report",
    )
    head = "".join(f"<th>{escape(text(k, lang))}</th>" for k in keys)
    rows = []
    for r in result.records:
        d = r.data
        verdict_word = lambda v: text(f"verdict.{v}", lang)  # noqa: E731
        rows.append(
            f'<tr><td data-sort="{escape(r.agent)}">{escape(r.agent)}</td><td data-sort="{escape(r.recorded_at)}">'
            f'{escape(r.recorded_at.replace("T", " "))}</td><td data-sort="{escape(d["file"])}">{escape(d["file"])}</td>'
            + _cell(d["intonation"]["level"], d["intonation"]["verdict"])
            + _cell(d["rate"]["wpm"], d["rate"]["verdict"], 0)
            + _cell(d["loudness"]["speech_level_dbfs"], d["loudness"]["verdict"], 0)
            + f'<td data-sort="{_num(_f(d["energy"]["index"]))}" class="{VERDICT_CLASS.get(d["energy"]["verdict"], "unknown")}">'
            f"{escape(text('energy.' + d['energy']['level'], lang) if d['energy']['level'] != 'unknown' else '–')}</td>"
            f'<td data-sort=""><a href="calls/{escape(r.name)}.html" title="{escape(verdict_word(d["intonation"]["verdict"]))}">'
            f"{escape(text('dashboard.open', lang))}</a></td></tr>"
        )
    return (
        f'<p class="muted">{escape(text("dashboard.sort_hint", lang))}</p><div class="scroll">'
        f'<table class="sortable" id="recordings"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


def _failures(result, lang: str) -> str:
    if not result.failures:
        return f'<p id="failures">{escape(text("dashboard.no_failures", lang))}</p>'
    items = "".join(f"<li>{escape(f.message)}</li>" for f in result.failures)
    return f'<ul id="failures">{items}</ul>'


def render_dashboard(result, *, lang: str = "en") -> str:
    """The dashboard page of a :class:`~tonecheck.batch.BatchResult` as self-contained HTML."""
    trends = agent_trends(result)
    title = text("dashboard.title", lang)
    summary = text(
        "dashboard.summary", lang, calls=len(result.records), agents=len(trends), failed=len(result.failures)
    )
    body = (
        f"<header><h1>{escape(title)}</h1><p>{escape(summary)}</p></header><main>"
        f"<section><h2>{escape(text('dashboard.agents', lang))}</h2>{_agents_table(trends, lang)}</section>"
        f"<section><h2>{escape(text('dashboard.distribution', lang))}</h2>{_histogram(result, lang)}</section>"
        f"<section><h2>{escape(text('dashboard.recordings', lang))}</h2>{_recordings_table(result, lang)}</section>"
        f"<section><h2>{escape(text('dashboard.failures', lang))}</h2>{_failures(result, lang)}</section></main>"
    )
    return render_page(title=title, body_html=body, lang=lang, script=SORT_JS)
