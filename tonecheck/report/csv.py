"""``summary.csv``: one row per recording of a batch (failures included).

Written as UTF-8 with a byte-order mark (``utf-8-sig``) so spreadsheet
programs open Chinese names correctly.
"""

from __future__ import annotations

import csv
import io

__all__ = ["COLUMNS", "summary_rows", "render_csv"]

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
    "energy_level",
    "energy_index",
    "energy_verdict",
    "pitch_median_hz",
    "pause_count",
    "warnings",
    "report",
    "error",
)


def _row(record) -> dict:
    d = record.data
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
        "energy_level": d["energy"]["level"],
        "energy_index": d["energy"]["index"],
        "energy_verdict": d["energy"]["verdict"],
        "pitch_median_hz": d["pitch"]["median_hz"],
        "pause_count": d["speech"]["pause_count"],
        "warnings": len(d.get("warnings", [])),
        "report": f"calls/{record.name}.html",
        "error": "",
    }


def summary_rows(result) -> list:
    """Dicts keyed by :data:`COLUMNS`: recordings first, then failures."""
    rows = [_row(r) for r in result.records]
    rows += [
        {**dict.fromkeys(COLUMNS, ""), "agent": f.agent, "file": f.path, "error": f.message} for f in result.failures
    ]
    return rows


def render_csv(result) -> str:
    """The CSV text (write it with ``encoding="utf-8-sig"``)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in summary_rows(result))
    return buf.getvalue()
