"""``summary.csv``: one row per recording of a batch (failures included).

Written as UTF-8 with a byte-order mark (``utf-8-sig``) so spreadsheet
programs open Chinese names correctly. Every text cell that a spreadsheet
would read as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading single quote (the OWASP rule); numbers stay
numbers, negative ones included. Lines end in CRLF (RFC 4180), so a cell
holding a line break is quoted. Use :func:`write_rows` for any CSV.
"""

from __future__ import annotations

import csv
import io

__all__ = ["COLUMNS", "CALL_COLUMNS", "WARNING_SEPARATOR", "summary_rows", "render_csv", "neutralize", "write_rows"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WARNING_SEPARATOR = " | "

COLUMNS = (
    "agent",
    "file",
    "date",
    "duration_s",
    "intonation_level",
    "intonation_verdict",
    "wpm",
    "rate_verdict",
    "speech_level_dbfs",
    "volume_verdict",
    "intensity_index",
    "intensity_band",
    "intensity_verdict",
    "pitch_median_hz",
    "pause_count",
    "talk_share_agent",
    "response_gap_median_s",
    "interruptions_agent",
    "rate_match_ratio",
    "rate_match_verdict",
    "rate_mismatches",
    "intensity_match_verdict",
    "intensity_flags",
    "greeting_intonation_level",
    "greeting_intensity_index",
    "warning_count",
    "warnings",
    "report",
    "error",
)


def _row(record) -> dict:
    d = record.data
    intensity = d.get("intensity") if isinstance(d.get("intensity"), dict) else {}
    return {
        "agent": record.agent,
        "file": d.get("file", ""),
        "date": record.recorded_at,
        "duration_s": d.get("duration_s"),
        "intonation_level": d["intonation"]["level"],
        "intonation_verdict": d["intonation"]["verdict"],
        "wpm": d["rate"]["wpm"],
        "rate_verdict": d["rate"]["verdict"],
        "speech_level_dbfs": d["loudness"]["speech_level_dbfs"],
        "volume_verdict": d["loudness"]["verdict"],
        # results written before intensity existed leave these empty: their level-based energy is not intensity
        "intensity_index": intensity.get("index"),
        "intensity_band": intensity.get("band", ""),
        "intensity_verdict": intensity.get("verdict", ""),
        "pitch_median_hz": d["pitch"]["median_hz"],
        "pause_count": d["speech"]["pause_count"],
        **_call_cells(d.get("conversation")),
        "warning_count": len(d.get("warnings") or []),
        "warnings": WARNING_SEPARATOR.join(str(w) for w in d.get("warnings") or []),
        "report": f"calls/{record.name}.html",
        "error": "",
    }


CALL_COLUMNS = COLUMNS[COLUMNS.index("talk_share_agent") : COLUMNS.index("warning_count")]


def _call_cells(conv) -> dict:
    """The two-party columns of one call; empty for a one-voice recording."""
    if not isinstance(conv, dict):
        return dict.fromkeys(CALL_COLUMNS, "")
    rate, intensity = conv.get("rate_match") or {}, conv.get("intensity_match") or {}
    greeting = conv.get("greeting") or {}
    return {
        "talk_share_agent": (conv.get("talk_share") or {}).get("agent"),
        "response_gap_median_s": (conv.get("gaps") or {}).get("median_s"),
        "interruptions_agent": (conv.get("interruption_counts") or {}).get("agent"),
        "rate_match_ratio": rate.get("ratio"),
        "rate_match_verdict": rate.get("verdict", ""),
        "rate_mismatches": len(rate.get("mismatches") or []),
        "intensity_match_verdict": intensity.get("verdict", ""),
        "intensity_flags": len(intensity.get("flags") or []),
        "greeting_intonation_level": greeting.get("intonation_level"),
        "greeting_intensity_index": greeting.get("intensity_index"),
    }


def summary_rows(result) -> list:
    """Dicts keyed by :data:`COLUMNS`: recordings first, then failures."""
    rows = [_row(r) for r in result.records]
    rows += [
        {**dict.fromkeys(COLUMNS, ""), "agent": f.agent, "file": f.path, "error": f.message} for f in result.failures
    ]
    return rows


def neutralize(value):
    """A cell safe to open in a spreadsheet: text that starts a formula gets a leading ``'``.

    Numbers (int, float) pass unchanged, so ``-24.5`` stays a number; None
    becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_rows(rows, columns) -> str:
    """CSV text of ``rows`` (dicts keyed by ``columns``), every cell through :func:`neutralize`."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\r\n")  # RFC 4180: CR in a cell is quoted
    writer.writeheader()
    writer.writerows({k: neutralize(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def render_csv(result) -> str:
    """The CSV text (write it with ``encoding="utf-8-sig"``)."""
    return write_rows(summary_rows(result), COLUMNS)
