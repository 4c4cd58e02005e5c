"""Self-contained HTML pages: skeleton, styles, escaping and SVG gauges.

Shared by the call report (:mod:`tonecheck.report.html`) and the coach
dashboard (:mod:`tonecheck.report.dashboard`). Pages load nothing from the
network: styles are inline, images are ``data:`` URIs, and the
Content-Security-Policy forbids every other source. Every piece of text
that comes from a user (file names, transcripts, agent names) goes through
:func:`escape`.

API
---
escape(value) -> str
render_page(*, title, body_html, lang, script="", media=False) -> str
csp(*, script="", media=False) -> str   the policy: the one inline script by its sha256 hash
gauge_svg(*, value, lo, hi, band, label, value_text, verdict, alt, meaning="") -> str
png_img(png, *, alt, css_class="") -> str
sparkline_svg(values, *, lo, hi, band, alt) -> str
histogram_svg(values, *, lo, hi, bins, band, labels, svg_id) -> str
band_text(band, lang, unit_key="") -> str   "-36 to -10 dBFS"
SORT_SCRIPT     makes every ``table.sortable`` sort by a clicked heading
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import zlib

import numpy as np

from ..messages import render
from ..scoring import band_message

__all__ = [
    "band_text",
    "escape",
    "render_page",
    "csp",
    "script_hash",
    "gauge_svg",
    "png_img",
    "sparkline_svg",
    "histogram_svg",
    "VERDICT_CLASS",
    "SORT_SCRIPT",
    "number_text",
    "sort_key",
]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
"""Every page's policy; :func:`csp` adds the one inline script by its hash and ``data:`` media."""
HTML_LANG = {"en": "en", "zh": "zh-CN"}
VERDICT_CLASS = {"below": "below", "within": "within", "above": "above", "unknown": "unknown"}
VERDICT_MARK = {"below": "▼", "within": "●", "above": "▲", "unknown": "–"}
"""Shape cues, so verdicts read without colour."""

STYLE = """
:root{--ink:#1b1b1b;--muted:#595959;--line:#d0d0d0;--ok:#1a7f37;--low:#9a6700;--high:#b42318;--band:#e3e3e3}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:16px;font:16px/1.5 system-ui,-apple-system,"Segoe UI",
"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:var(--ink);background:#fff}
h1{font-size:1.45rem;margin:.2rem 0;overflow-wrap:anywhere}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;
border-bottom:1px solid var(--line)}
.muted{color:var(--muted);font-size:.9rem}
.gauges{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:12px}
.gauge{border:1px solid var(--line);border-radius:8px;padding:8px 10px}
.gauge svg{width:100%;height:auto;display:block}
.verdict{font-weight:600}.within{color:var(--ok)}.below{color:var(--low)}.above{color:var(--high)}
.unknown{color:var(--muted)}
img.plot{width:100%;height:auto;border:1px solid var(--line);border-radius:6px}
ol li,ul li{margin:.25rem 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.qa dt{font-weight:600;margin-top:.6rem}.qa dd{margin:.1rem 0 0 0}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid var(--line);padding:.3rem .4rem;text-align:left;vertical-align:top}
th{background:#f6f6f6;min-width:3.2em}td.n{white-space:nowrap}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[aria-sort=ascending]::after{content:" \\25B2"}
table.sortable th[aria-sort=descending]::after{content:" \\25BC"}
.summary{font-size:1.2rem;font-weight:600;margin:.6rem 0}
.notice{border:2px solid var(--low);border-radius:8px;padding:.2rem .9rem;margin:.6rem 0;background:#fff8e6}
.notice h2{border:0;margin:.4rem 0 .2rem;font-size:1.05rem}
.meaning{color:var(--muted);font-size:.88rem;margin:.3rem 0 0}
figure{margin:0}figcaption p{color:var(--muted);font-size:.9rem;margin:.3rem 0}
td.warn{font-size:.85rem;color:var(--low);min-width:16em}td.file{overflow-wrap:anywhere;min-width:12em}
.scroll{overflow-x:auto}
img.seekable,.seekable [data-seek-s]{cursor:pointer}audio{width:100%;margin:.3rem 0}
button.seek{font:inherit;font-size:.85rem;padding:.05rem .5rem;margin:.15rem .3rem .15rem 0;cursor:pointer}
.spark{display:flex;align-items:center;gap:.3rem}.spark span{font-size:.75rem;min-width:4.5em}
@media (max-width:600px){body{padding:10px;font-size:15px}dl.facts{grid-template-columns:1fr}}
@media print{.scroll{overflow:visible}}
"""


SORT_SCRIPT = """
(function () {
  function key(cell) {
    if (!cell) return '';
    var v = cell.getAttribute('data-sort');
    return (v === null ? cell.textContent : v).trim();
  }
  function sortBy(table, th) {
    var col = th.cellIndex, body = table.tBodies[0];
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = rows.every(function (r) { var k = key(r.cells[col]); return k === '' || isFinite(Number(k)); });
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      if (x === '' || y === '') return (x === '') - (y === '');
      var c = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, {numeric: true});
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(table, th); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th); }
      });
    });
  });
})();
"""
"""Sorting for every ``table.sortable`` by its own columns: a cell's
``data-sort`` (else its text) is the key; a column whose keys are all numbers
sorts numerically; blank keys go last in both directions; each click toggles
ascending/descending and sets ``aria-sort`` on the heading."""


def band_text(band, lang: str, unit_key: str = "") -> str:
    """A target band in words, ``"-36 to -10 dBFS"``, ``"at least 170 words/min"``
    (:func:`tonecheck.scoring.band_message` rendered in ``lang``).

    Parameters
    ----------
    band : tonecheck.targets.Band
    lang : {"en", "zh"}
    unit_key : str
        Catalog key of the unit after the numbers (``"unit.dbfs"``), '' for none.
    """
    return render(band_message(band, unit_key), lang)


def number_text(value, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals, or "–" when missing (None or NaN)."""
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def sort_key(value, digits: int = 3) -> str:
    """A table's ``data-sort`` key: the number, or blank when missing (sorted last)."""
    return "" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def escape(value) -> str:
    """HTML-escape any value for text and quoted attributes."""
    return html.escape(str(value), quote=True)


def script_hash(script: str) -> str:
    """The CSP source allowing exactly this inline script: ``'sha256-<base64 of the UTF-8 text's digest>'``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def csp(*, script: str = "", media: bool = False) -> str:
    """The Content-Security-Policy of a page: nothing external; ``script`` (if any) only by its hash.

    Parameters
    ----------
    script : str
        The page's one inline script ('' = none: ``script-src 'none'``).
    media : bool
        Allow ``<audio>``/``<video>`` from ``data:`` URIs (``media-src data:``).
    """
    script_src = script_hash(script) if script else "'none'"
    return f"{CSP}; script-src {script_src}" + ("; media-src data:" if media else "")


def render_page(*, title: str, body_html: str, lang: str, script: str = "", media: bool = False) -> str:
    """A complete, self-contained HTML document.

    Parameters
    ----------
    title : str
        Plain text; escaped here.
    body_html : str
        Trusted markup built by the renderers (user text already escaped).
    lang : {"en", "zh"}
    script : str
        Optional inline JavaScript (trusted, no user data), allowed by its hash alone.
    media : bool
        The body embeds audio as a ``data:`` URI (see :func:`csp`).
    """
    js = f"<script>{script}</script>" if script else ""
    return (
        "<!doctype html>\n"
        f'<html lang="{HTML_LANG.get(lang, "en")}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp(script=script, media=media)}">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body_html}{js}</body></html>\n"
    )


def _x(value: float, lo: float, hi: float, left: float, width: float) -> float:
    return left + width * (min(max(value, lo), hi) - lo) / (hi - lo)


def gauge_svg(
    *,
    value: float,
    lo: float,
    hi: float,
    band: tuple,
    label: str,
    value_text: str,
    verdict: str,
    alt: str,
    meaning: str = "",
) -> str:
    """A horizontal gauge: scale ``lo..hi``, hatched target ``band``, a marker at ``value``.

    Parameters
    ----------
    value : float
        NaN draws no marker.
    lo, hi : float
        Ends of the scale.
    band : (float, float)
        Target band; open sides (``±inf``) are drawn to the scale's end.
    label, value_text, alt : str
        Plain text (escaped here).
    meaning : str
        Plain text under the gauge: what the figure measures and its target.
    verdict : {"below", "within", "above", "unknown"}
    """
    left, width = 10.0, 280.0
    b0 = _x(band[0] if math.isfinite(band[0]) else lo, lo, hi, left, width)
    b1 = _x(band[1] if math.isfinite(band[1]) else hi, lo, hi, left, width)
    marker = ""
    if value is not None and math.isfinite(value):
        x = _x(value, lo, hi, left, width)
        marker = (
            f'<polygon points="{x - 7:.1f},30 {x + 7:.1f},30 {x:.1f},44" class="{VERDICT_CLASS[verdict]}" '
            f'fill="currentColor"/><line x1="{x:.1f}" y1="44" x2="{x:.1f}" y2="62" stroke="#1b1b1b" stroke-width="2"/>'
        )
    cls = VERDICT_CLASS.get(verdict, "unknown")
    meaning_html = f'<p class="meaning">{escape(meaning)}</p>' if meaning else ""
    hatch = f"hatch{zlib.crc32(label.encode('utf-8')):x}"
    return (
        f'<div class="gauge"><div>{escape(label)}</div>'
        f'<div class="verdict {cls}">{escape(value_text)} <span aria-hidden="true">{VERDICT_MARK[cls]}</span></div>'
        f'<svg viewBox="0 0 300 80" role="img" aria-label="{escape(alt)}"><title>{escape(alt)}</title>'
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#e3e3e3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="2"/>'
        "</pattern></defs>"
        f'<rect x="{left}" y="46" width="{width}" height="14" fill="#f3f3f3" stroke="#8c8c8c"/>'
        f'<rect x="{b0:.1f}" y="46" width="{max(b1 - b0, 1):.1f}" height="14" fill="url(#{hatch})" stroke="#595959"/>'
        f'{marker}<text x="{left}" y="76" font-size="11">{escape(_num(lo))}</text>'
        f'<text x="{left + width}" y="76" font-size="11" text-anchor="end">{escape(_num(hi))}</text>'
        f"</svg>{meaning_html}</div>"
    )


def _num(v: float) -> str:
    return f"{v:g}"


def png_img(png: bytes, *, alt: str, css_class: str = "plot", attrs: str = "") -> str:
    """An ``<img>`` with the PNG inlined as a data URI; ``attrs``: trusted extra attributes."""
    data = base64.b64encode(png).decode("ascii")
    extra = f" {attrs}" if attrs else ""
    return f'<img class="{css_class}" alt="{escape(alt)}"{extra} src="data:image/png;base64,{data}">'


def _finite_or(value: float, default: float) -> float:
    return value if math.isfinite(value) else default


def sparkline_svg(values, *, lo: float, hi: float, band: tuple, alt: str) -> str:
    """A 120x38 trend line of ``values`` (NaN skipped) on a ``lo..hi`` scale, ``band`` as a grey strip.

    Parameters
    ----------
    values : sequence of float
        In order (e.g. one intonation level per call).
    lo, hi : float
        Scale; values outside are drawn at the edge.
    band : (float, float)
        Target band; open sides reach the scale's end.
    alt : str
        Plain-text description (escaped here).
    """
    n = len(values)
    y = lambda v: 34 - 30 * (min(max(v, lo), hi) - lo) / (hi - lo)  # noqa: E731
    pts = [(6 + 108 * (i / max(n - 1, 1)), y(v)) for i, v in enumerate(values) if math.isfinite(v)]
    top, bottom = y(_finite_or(band[1], hi)), y(_finite_or(band[0], lo))
    line = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
    dots = "".join(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.2"/>' for px, py in pts)
    return (
        f'<svg viewBox="0 0 120 38" width="120" height="38" role="img" aria-label="{escape(alt)}">'
        f'<title>{escape(alt)}</title><rect x="0" y="{top:.1f}" width="120" height="{bottom - top:.1f}" '
        f'fill="#e3e3e3"/><polyline points="{line}" fill="none" stroke="#1b1b1b" stroke-width="1.5"/>{dots}</svg>'
    )


def _count_ticks(top: int) -> tuple:
    """Step and rounded top of a count axis with at most about five ticks."""
    step = max(1, math.ceil(top / 4))
    return step, step * math.ceil(top / step)


def histogram_svg(values, *, lo: float, hi: float, bins: int, band: tuple, labels: dict, svg_id: str) -> str:
    """A histogram with title, legend, count axis and a hatched target ``band``.

    Parameters
    ----------
    values : numpy.ndarray
        Finite values to count.
    lo, hi : float
        Range of the bins and of the integer ticks under them.
    bins : int
    band : (float, float)
        Hatched target band; open sides reach the range's end.
    labels : dict
        Plain text for ``title``, ``x``, ``y`` (axis titles), ``band``, ``bars`` (legend) and ``alt``.
    svg_id : str
        ``id`` of the ``<svg>`` (also prefixes the hatch pattern's id).
    """
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    step, top = _count_ticks(max(int(counts.max()) if counts.size else 1, 1))
    x = lambda v: 44 + 350 * (min(max(v, lo), hi) - lo) / (hi - lo)  # noqa: E731
    y = lambda c: 150 - 105 * c / top  # noqa: E731
    b0, b1 = x(_finite_or(band[0], lo)), x(_finite_or(band[1], hi))
    pattern = f"{svg_id}-band"
    bars = "".join(
        f'<rect x="{x(a) + 1:.1f}" y="{y(c):.1f}" width="{x(b) - x(a) - 2:.1f}" height="{150 - y(c):.1f}" '
        'fill="#3b3b3b"/>'
        for a, b, c in zip(edges, edges[1:], counts)
    )
    xt = "".join(
        f'<text x="{x(v):.1f}" y="164" font-size="10" text-anchor="middle">{v}</text>'
        for v in range(math.ceil(lo), math.floor(hi) + 1)
    )
    yt = "".join(
        f'<line x1="40" y1="{y(c):.1f}" x2="44" y2="{y(c):.1f}" stroke="#1b1b1b"/>'
        f'<text x="37" y="{y(c) + 3.5:.1f}" font-size="10" text-anchor="end">{c}</text>'
        for c in range(0, top + 1, step)
    )
    return (
        f'<svg id="{svg_id}" viewBox="0 0 410 192" role="img" aria-label="{escape(labels["alt"])}" '
        f'style="max-width:680px;width:100%"><title>{escape(labels["alt"])}</title>'
        f'<defs><pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#9c9c9c" stroke-width="2"/>'
        "</pattern></defs>"
        f'<text x="44" y="12" font-size="12" font-weight="600">{escape(labels["title"])}</text>'
        f'<rect x="44" y="21" width="12" height="9" fill="url(#{pattern})" stroke="#9c9c9c"/>'
        f'<text x="60" y="29" font-size="10">{escape(labels["band"])}</text>'
        f'<rect x="230" y="21" width="12" height="9" fill="#3b3b3b"/>'
        f'<text x="246" y="29" font-size="10">{escape(labels["bars"])}</text>'
        f'<rect x="{b0:.1f}" y="40" width="{b1 - b0:.1f}" height="110" fill="url(#{pattern})"/>{bars}'
        '<line x1="44" y1="150" x2="396" y2="150" stroke="#1b1b1b"/>'
        f'<line x1="44" y1="40" x2="44" y2="150" stroke="#1b1b1b"/>{xt}{yt}'
        f'<text x="220" y="184" font-size="10" text-anchor="middle">{escape(labels["x"])}</text>'
        f'<text x="10" y="95" font-size="10" text-anchor="middle" transform="rotate(-90 10 95)">'
        f"{escape(labels['y'])}</text></svg>"
    )
