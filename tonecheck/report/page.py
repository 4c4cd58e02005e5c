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
render_page(*, title, body_html, lang, script="") -> str
gauge_svg(*, value, lo, hi, band, label, value_text, verdict, alt) -> str
png_img(png, *, alt, css_class="") -> str
"""

from __future__ import annotations

import base64
import html
import math
import zlib

__all__ = ["escape", "render_page", "gauge_svg", "png_img", "VERDICT_CLASS"]

CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
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
th{cursor:pointer;user-select:none;background:#f6f6f6}
.scroll{overflow-x:auto}
@media (max-width:600px){body{padding:10px;font-size:15px}dl.facts{grid-template-columns:1fr}}
@media print{.scroll{overflow:visible}}
"""


def escape(value) -> str:
    """HTML-escape any value for text and quoted attributes."""
    return html.escape(str(value), quote=True)


def render_page(*, title: str, body_html: str, lang: str, script: str = "") -> str:
    """A complete, self-contained HTML document.

    Parameters
    ----------
    title : str
        Plain text; escaped here.
    body_html : str
        Trusted markup built by the renderers (user text already escaped).
    lang : {"en", "zh"}
    script : str
        Optional inline JavaScript (trusted, no user data).
    """
    js = f"<script>{script}</script>" if script else ""
    return (
        "<!doctype html>\n"
        f'<html lang="{HTML_LANG.get(lang, "en")}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body_html}{js}</body></html>\n"
    )


def _x(value: float, lo: float, hi: float, left: float, width: float) -> float:
    return left + width * (min(max(value, lo), hi) - lo) / (hi - lo)


def gauge_svg(
    *, value: float, lo: float, hi: float, band: tuple, label: str, value_text: str, verdict: str, alt: str
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
        "</svg></div>"
    )


def _num(v: float) -> str:
    return f"{v:g}"


def png_img(png: bytes, *, alt: str, css_class: str = "plot") -> str:
    """An ``<img>`` with the PNG inlined as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="{css_class}" alt="{escape(alt)}" src="data:image/png;base64,{data}">'
