"""Reading a batch's per-call JSON back (``--summary-only`` and after a run).

Only regular files are read (a FIFO named ``x.json`` never blocks), and only
JSON shaped like a tonecheck batch result or error record is used; anything
else in ``calls/`` is listed in :attr:`BatchResult.ignored`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import TonecheckError
from ..fileio import display_path, open_regular
from .model import CALLS_DIR, BatchRecord, BatchResult, FileFailure, IgnoredFile

__all__ = ["load_results", "calls_folder", "MAX_JSON_BYTES"]

MAX_JSON_BYTES = 64 << 20
# The fields the CSV and the dashboard read, and whether each must be a number.
REQUIRED = {
    "intonation": ("level", "verdict"),
    "rate": ("wpm", "verdict"),
    "loudness": ("speech_level_dbfs", "verdict"),
    "energy": ("level", "index", "verdict"),
    "pitch": ("median_hz",),
    "speech": ("pause_count",),
}
NUMERIC = {
    ("intonation", "level"),
    ("rate", "wpm"),
    ("loudness", "speech_level_dbfs"),
    ("energy", "index"),
    ("pitch", "median_hz"),
    ("speech", "pause_count"),
}


def _is_number(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _shape_problem(data) -> str | None:
    """Why ``data`` is not a tonecheck batch result, or None."""
    if not isinstance(data, dict) or not isinstance(data.get("batch"), dict):
        return "not a tonecheck batch result (no batch block)"
    for section, keys in REQUIRED.items():
        block = data.get(section)
        if not isinstance(block, dict) or any(k not in block for k in keys):
            return f"not a tonecheck batch result (no {section} figures)"
        for key in keys:
            if (section, key) in NUMERIC and not _is_number(block[key]):
                return f"not a tonecheck batch result ({section}.{key} is not a number)"
    if not isinstance(data.get("warnings", []), list):
        return "not a tonecheck batch result (warnings is not a list)"
    return None


def _read_json(path: Path):
    with open_regular(path, what="a JSON file", fix="remove it from the calls folder") as fh:
        if os.fstat(fh.fileno()).st_size > MAX_JSON_BYTES:
            raise ValueError(f"larger than {MAX_JSON_BYTES >> 20} MB")
        return json.loads(fh.read().decode("utf-8"))


def _entry(path: Path, name: str, data):
    if path.name.endswith(".error.json"):
        if isinstance(data, dict) and isinstance(data.get("error"), str) and isinstance(data.get("batch"), dict):
            block = data["batch"]
            return FileFailure(str(data.get("file", name)), data["error"], str(block.get("agent", "")))
        return IgnoredFile(display_path(path), "not a tonecheck error record")
    problem = _shape_problem(data)
    if problem:
        return IgnoredFile(display_path(path), problem)
    block = data["batch"]
    return BatchRecord(str(block.get("agent", "")), str(block.get("recorded_at", "")), name, data)


def calls_folder(out_dir) -> Path:
    """``out_dir/calls``, or a one-line error when ``out_dir`` holds no results."""
    calls = Path(out_dir) / CALLS_DIR
    if not calls.is_dir():
        where = display_path(out_dir)
        raise TonecheckError(
            f"{where}: no {CALLS_DIR}/ folder with results; run tonecheck batch PATH --out {where} first"
        )
    return calls


def load_results(out_dir, *, names=None) -> BatchResult:
    """Records and failures stored in ``out_dir/calls``.

    Parameters
    ----------
    out_dir : path
        A batch output folder (holding ``calls/``).
    names : set of str, optional
        Only these output names (``calls/<name>.json``).

    Returns
    -------
    result : BatchResult
        ``ignored`` lists JSON files that are not tonecheck results.
    """
    calls = calls_folder(out_dir)
    records, failures, ignored = [], [], []
    for path in sorted(calls.glob("*.json")):
        name = path.name[: -len(".error.json")] if path.name.endswith(".error.json") else path.stem
        if names is not None and name not in names:
            continue
        try:
            data = _read_json(path)
        except TonecheckError as exc:
            ignored.append(IgnoredFile(display_path(path), str(exc).split(": ", 1)[-1]))
            continue
        except (OSError, ValueError) as exc:
            ignored.append(IgnoredFile(display_path(path), f"not readable JSON ({exc})"))
            continue
        entry = _entry(path, name, data)
        {BatchRecord: records, FileFailure: failures, IgnoredFile: ignored}[type(entry)].append(entry)
    records.sort(key=lambda r: (r.agent, r.recorded_at, r.name))
    return BatchResult(tuple(records), tuple(failures), ignored=tuple(ignored))
