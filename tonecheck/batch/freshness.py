"""Whether a recording needs analysing again, and how long it may take.

A stored result is up to date when it records the recording's size, mtime
and SHA-256 (:func:`fingerprint`), the same way of analysing it
(:func:`call_side`) and the same transcript beside it, and did not run out
of a shorter time limit than :func:`time_limit_s` gives now.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..errors import TonecheckError
from ..fileio import display_path, open_regular
from .model import Recording

__all__ = [
    "fingerprint",
    "call_side",
    "transcript_stamp",
    "time_limit_s",
    "stored_result",
    "up_to_date",
    "problem_message",
    "BASE_LIMIT_S",
]

HASH_CHUNK = 1 << 20
BASE_LIMIT_S = 60.0  # s: every file's time limit starts here ...
LIMIT_PER_AUDIO_S = 1.0  # ... plus this many seconds per second of audio
MIN_BYTES_PER_S = 1000  # 8 kbit/s: the lowest bit rate assumed when the duration is unknown
HEADER_EXTENSIONS = {".wav", ".wave", ".flac", ".aif", ".aiff", ".au", ".caf", ".w64", ".rf64"}


def fingerprint(path) -> dict:
    """Size, mtime (ns) and SHA-256 of a regular file, read in chunks.

    Raises
    ------
    TonecheckError
        ``path`` is not a regular file (a FIFO or device is never read).
    """
    digest = hashlib.sha256()
    with open_regular(path) as fh:
        st = os.fstat(fh.fileno())
        for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest.hexdigest()}


def call_side(rec: Recording, call: dict | None) -> str:
    """How ``rec`` is analyzed: ``""`` for one voice, else the agent side of a two-party call."""
    if rec.agent_side:
        return rec.agent_side
    if call and (call.get("agent") or call.get("agent_voice")):
        return call.get("agent") or "first"
    return ""


def transcript_stamp(path) -> dict:
    """Size and mtime of the transcript beside a recording (empty without one), to redo a call when it changes."""
    try:
        st = os.stat(Path(path).with_suffix(".txt"))
    except OSError:
        return {}
    return {"transcript_size": st.st_size, "transcript_mtime_ns": st.st_mtime_ns}


def time_limit_s(rec: Recording, timeout_s: float | None = None) -> float:
    """Seconds ``rec`` may take: ``timeout_s``, or 60 s plus its duration.

    The duration comes from the header of uncompressed formats (never more
    than the file size allows at 8 kbit/s) or, for other formats, from the
    file size at 8 kbit/s, the lowest bit rate speech is stored at.
    """
    if timeout_s is not None:
        return float(timeout_s)
    try:
        size = os.stat(rec.path).st_size
    except OSError:
        return BASE_LIMIT_S
    duration_s = size / MIN_BYTES_PER_S
    if rec.path.suffix.lower() in HEADER_EXTENSIONS:
        import soundfile as sf

        try:
            duration_s = min(duration_s, sf.info(str(rec.path)).duration)
        except (RuntimeError, OSError, ValueError, TypeError):
            pass  # not readable: the worker reports it quickly
    return BASE_LIMIT_S + LIMIT_PER_AUDIO_S * duration_s


def stored_result(path: Path) -> dict | None:
    try:
        with open_regular(path) as fh:
            data = json.loads(fh.read().decode("utf-8"))
    except (TonecheckError, OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("batch"), dict) else None


def up_to_date(rec: Recording, calls: Path, limit_s: float, call: dict | None = None) -> bool:
    if rec.problem:
        stored = stored_result(calls / f"{rec.name}.error.json")
        return bool(stored) and stored.get("error") == problem_message(rec)
    try:
        st = os.stat(rec.path)
    except OSError:
        return False
    for suffix in (".json", ".error.json"):
        stored = stored_result(calls / f"{rec.name}{suffix}")
        block = stored["batch"] if stored else {}
        if block.get("size") != st.st_size or block.get("mtime_ns") != st.st_mtime_ns:
            continue
        if block.get("call_agent", "") != call_side(rec, call):
            return False  # analyzed as one voice before and as a call now (or the agent side changed)
        stamp = transcript_stamp(rec.path)
        if suffix == ".json" and stamp != {
            k: block[k] for k in ("transcript_size", "transcript_mtime_ns") if k in block
        }:
            return False  # a transcript beside it was added, changed or removed
        if stored.get("time_limit_s") is not None and limit_s > stored["time_limit_s"]:
            return False  # ran out of time before: retry with the longer limit
        try:
            return block.get("sha256") == fingerprint(rec.path)["sha256"]
        except TonecheckError:
            return False
    return False


def problem_message(rec: Recording) -> str:
    return f"{display_path(rec.path)}: {rec.problem}, not a recording; remove it or replace it with an audio file"
