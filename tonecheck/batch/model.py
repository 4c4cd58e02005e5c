"""What a batch run works on and produces: plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["CALLS_DIR", "LOCK_NAME", "Recording", "FileFailure", "BatchRecord", "BatchResult", "IgnoredFile"]

CALLS_DIR = "calls"
LOCK_NAME = ".tonecheck-batch.lock"


@dataclass(frozen=True)
class Recording:
    """One recording to review: where it is, whose it is, when it was made.

    Attributes
    ----------
    path : Path
        The path as found (may be a link; opened read-only).
    name : str
        Output key: ``calls/<name>.json``. A slug of the relative name plus a
        hash of the resolved real path, so distinct files never collide.
    agent, role : str
    recorded_at : datetime
    agent_side : str
        Two-party call: which voice is the agent (as ``analyze --agent``),
        from the manifest's ``agent_channel`` column; empty for the run's default.
    problem : str
        Non-empty when the path is not a regular file (``"is a FIFO"``,
        ``"is a broken symbolic link"``...): it is reported, never opened.
    """

    path: Path
    name: str
    agent: str
    recorded_at: datetime
    role: str = ""
    problem: str = ""
    agent_side: str = ""


@dataclass(frozen=True)
class FileFailure:
    """A recording that could not be analysed, and why (one line)."""

    path: str
    message: str
    agent: str = ""


@dataclass(frozen=True)
class BatchRecord:
    """A recording's analysis as written to ``calls/<name>.json``."""

    agent: str
    recorded_at: str
    name: str
    data: dict


@dataclass(frozen=True)
class IgnoredFile:
    """A JSON file in ``calls/`` that is not a tonecheck batch result, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class BatchResult:
    """What a batch run produced.

    Attributes
    ----------
    records : tuple of BatchRecord
    failures : tuple of FileFailure
    analyzed : int
        Recordings (re)analysed by this run, failures included.
    skipped : int
        Recordings up to date (including unchanged failures).
    interrupted : bool
        The run was stopped (Ctrl-C) before every recording was processed.
    ignored : tuple of IgnoredFile
        Foreign or unreadable JSON files in ``calls/`` that were skipped.
    """

    records: tuple
    failures: tuple
    analyzed: int = 0
    skipped: int = 0
    interrupted: bool = False
    ignored: tuple = ()
