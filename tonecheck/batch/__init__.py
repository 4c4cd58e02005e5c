"""Batch review: a folder of role-play recordings -> per-call JSON and reports.

Library only (no click, no printing); progress goes through a callback.

Finding
    :func:`find_recordings` -- walk the paths; one entry per real file, keyed
    so distinct files never share an output; non-regular files flagged.
Running
    :func:`run_batch` -- analyse what is new or changed in worker processes
    with a time limit per file; Ctrl-C kills the workers and keeps what
    finished; :func:`output_lock` -- one run per output folder;
    :func:`analyze_one` -- the worker's job for one recording.
Reading back
    :func:`load_results` -- the per-call JSON of an output folder
    (``--summary-only``); foreign JSON is skipped and listed.
Types
    :class:`Recording`, :class:`BatchRecord`, :class:`FileFailure`,
    :class:`IgnoredFile`, :class:`BatchResult`.

Recordings are only ever opened for reading, and only when they are regular files.
"""

from __future__ import annotations

from .discover import find_recordings, output_name
from .model import CALLS_DIR, LOCK_NAME, BatchRecord, BatchResult, FileFailure, IgnoredFile, Recording
from .results import load_results
from .run import analyze_one, fingerprint, output_lock, run_batch, time_limit_s

__all__ = [
    "Recording",
    "FileFailure",
    "BatchRecord",
    "BatchResult",
    "IgnoredFile",
    "find_recordings",
    "output_name",
    "run_batch",
    "analyze_one",
    "fingerprint",
    "output_lock",
    "time_limit_s",
    "load_results",
    "CALLS_DIR",
    "LOCK_NAME",
]
