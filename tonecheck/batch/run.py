"""Running a batch: what is new or changed is analysed in worker processes.

Each worker writes ``calls/<name>.json`` (the ``analyze --json`` schema plus
a ``batch`` block) and ``calls/<name>.html``, or ``calls/<name>.error.json``
for a file it cannot analyse; every write goes through
:func:`tonecheck.fileio.write_atomic` with the recordings protected. A
recording is skipped when its JSON (or error JSON) records the same size,
mtime and SHA-256, so an interrupted run resumes and an unchanged bad file is
reported again without being retried (a file that ran out of time is retried
when its time limit grows). One run at a time per output folder
(:func:`output_lock`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from pathlib import Path

from ..errors import TonecheckError
from ..fileio import ProtectedFiles, display_path, write_atomic
from .discover import beside_transcript
from .freshness import (
    BASE_LIMIT_S,
    call_side,
    fingerprint,
    problem_message,
    time_limit_s,
    transcript_stamp,
    up_to_date,
)
from .model import CALLS_DIR, BatchResult, Recording
from .output_folder import clean_partials, drop_stale, make_folder, output_lock
from .pool import Task, WorkerPool
from .quiet import quiet, utf8_safe, warning_notes
from .results import load_results

__all__ = [
    "run_batch",
    "analyze_one",
    "write_failure",
    "fingerprint",
    "call_side",
    "output_lock",
    "clean_partials",
    "time_limit_s",
    "up_to_date",
    "BASE_LIMIT_S",
]

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
PRELOAD = ("tonecheck.analysis", "tonecheck.report.html", "tonecheck.call")


def _batch_block(rec: Recording, fp: dict | None = None, call: dict | None = None) -> dict:
    block = {
        "agent": rec.agent,
        "call_agent": call_side(rec, call),
        "recorded_at": rec.recorded_at.isoformat(timespec="seconds"),
        "source": display_path(rec.path),
        "real_path": display_path(os.path.realpath(rec.path)),
        "name": rec.name,
        "role": rec.role,
    }
    if fp is None and not rec.problem:
        with contextlib.suppress(TonecheckError):
            fp = fingerprint(rec.path)
    block.update(fp or {})
    return utf8_safe(block)


def _write_json(path: Path, data: dict, protect) -> None:
    write_atomic(path, json.dumps(utf8_safe(data), ensure_ascii=False, indent=1), protect=protect)


def write_failure(rec: Recording, calls: Path, message: str, protect, call: dict | None = None, **extra) -> None:
    """Record ``message`` as ``calls/<name>.error.json`` and drop a stale result."""
    data = {"file": display_path(rec.path), "error": utf8_safe(message), "batch": _batch_block(rec, call=call), **extra}
    _write_json(calls / f"{rec.name}.error.json", data, protect)
    drop_stale(calls / f"{rec.name}.json")
    drop_stale(calls / f"{rec.name}.html")


def _analyze(rec: Recording, settings, targets, lang: str, call: dict | None) -> tuple:
    """(JSON dict, HTML) of one recording: one voice, or a two-party call when ``call_side`` says so."""
    side = call_side(rec, call)
    if not side:
        from ..analysis import analyze_file
        from ..report.html import render_report

        analysis = analyze_file(rec.path, settings=settings, targets=targets)
        return analysis.to_dict(lang=lang), render_report(analysis, lang=lang)
    from ..call import analyze_call_or_voice
    from ..report.call_html import render_call_report
    from ..report.html import render_report

    settings = dataclasses.replace(settings, transcript=None, transcript_source=None, channel="mix")
    result = analyze_call_or_voice(
        rec.path, agent=side, agent_voice=(call or {}).get("agent_voice"), settings=settings, targets=targets
    )
    render = render_call_report if hasattr(result, "turn_taking") else render_report
    return result.to_dict(lang=lang), render(result, lang=lang)


def analyze_one(rec: Recording, calls, settings, targets, lang: str, protect=(), call: dict | None = None) -> dict:
    """Analyse one recording and write its JSON and report (worker entry point).

    Warnings raised during the analysis never reach stderr: numpy's floating
    point warnings are silenced and the others become ``warnings`` in the JSON.

    Returns
    -------
    outcome : dict
        ``{"name", "ok", "message"}``; a bad file writes ``<name>.error.json``.
    """
    calls = Path(calls)
    protect = (protect if isinstance(protect, ProtectedFiles) else ProtectedFiles(protect)).plus([rec.path])
    with quiet() as caught:
        try:
            fp = fingerprint(rec.path)  # a FIFO or device is refused before anything else opens it
            one_voice = not call_side(rec, call)
            text, source, ignored = (
                beside_transcript(rec.path, settings.language)
                if one_voice and not settings.transcript
                else (None, None, None)
            )
            if text is not None:
                settings = dataclasses.replace(settings, transcript=text, transcript_source=source)
            data, html = _analyze(rec, settings, targets, lang, call)
        except TonecheckError as exc:
            write_failure(rec, calls, str(exc), protect, call=call)
            return {"name": rec.name, "ok": False, "message": utf8_safe(str(exc))}
    data["file"] = display_path(rec.path)
    data["warnings"] = list(data.get("warnings", [])) + warning_notes(caught)
    data["batch"] = _batch_block(rec, fp, call) | transcript_stamp(rec.path)
    if ignored:
        data["batch"]["transcript_ignored"] = f"{display_path(Path(rec.path).with_suffix('.txt'))}: {ignored}"
    write_atomic(calls / f"{rec.name}.html", utf8_safe(html), protect=protect)
    _write_json(calls / f"{rec.name}.json", data, protect)
    drop_stale(calls / f"{rec.name}.error.json")
    return {"name": rec.name, "ok": True, "message": ""}


class _Stop(Exception):
    """Internal: --fail-fast hit a failure."""


def _failure_message(rec: Recording, status: str, detail: str) -> str:
    name = display_path(rec.path)
    if status == "timeout":
        return (
            f"{name}: took longer than {detail} s, so its analysis was stopped; "
            "check that the file plays, or give a larger --timeout"
        )
    if status == "died":
        return f"{name}: the analysis process stopped unexpectedly ({detail}); check that the file plays"
    if detail.startswith("TonecheckError: "):  # e.g. an output the gate refused
        return detail.removeprefix("TonecheckError: ")
    if detail.startswith("MemoryError"):
        return f"{name}: not enough memory to analyze this file; check that the file plays, or convert it to WAV"
    return f"{name}: analysis failed with an internal error ({detail}); please report this with the file"


class _Run:
    """The state of one :func:`run_batch` call."""

    def __init__(self, calls, settings, targets, lang, fail_fast, progress, protect, call=None):
        self.calls, self.settings, self.targets, self.lang = calls, settings, targets, lang
        self.call = call
        self.fail_fast, self.progress, self.protect = fail_fast, progress, protect
        self.analyzed = self.skipped = 0

    def tell(self, rec: Recording, status: str) -> None:
        if status == "skipped":
            self.skipped += 1
        else:
            self.analyzed += 1
        if self.progress:
            self.progress(rec, status)
        if self.fail_fast and status == "failed":
            raise _Stop

    def plan(self, recordings, force: bool, timeout_s) -> list:
        todo = []
        for rec in recordings:
            limit_s = time_limit_s(rec, timeout_s) if not rec.problem else 0.0
            if not force and up_to_date(rec, self.calls, limit_s, self.call):
                self.tell(rec, "skipped")
            elif rec.problem:
                write_failure(rec, self.calls, problem_message(rec), self.protect, call=self.call)
                self.tell(rec, "failed")
            else:
                args = (rec, self.calls, self.settings, self.targets, self.lang, self.protect, self.call)
                todo.append(Task(rec, args, limit_s))
        return todo

    def done(self, task: Task, outcome) -> None:
        rec = task.key
        if outcome.status == "ok":
            self.tell(rec, "analyzed" if outcome.value["ok"] else "failed")
            return
        extra = {"time_limit_s": task.limit_s} if outcome.status == "timeout" else {}
        message = _failure_message(rec, outcome.status, outcome.detail)
        write_failure(rec, self.calls, message, self.protect, call=self.call, **extra)
        self.tell(rec, "failed")


def _worker_env() -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:  # one process per core: keep each worker's math libraries single-threaded
        env.setdefault(var, "1")
    return env


def run_batch(
    recordings,
    *,
    out_dir,
    settings,
    targets=None,
    lang: str = "en",
    jobs: int | None = None,
    force: bool = False,
    fail_fast: bool = False,
    timeout_s: float | None = None,
    progress=None,
    lock: bool = True,
    call: dict | None = None,
) -> BatchResult:
    """Analyse new or changed recordings in worker processes; return everything in ``out_dir``.

    Parameters
    ----------
    recordings : list of Recording
        From :func:`~tonecheck.batch.find_recordings`.
    out_dir : path
    settings : Settings
    targets : Targets, optional
    lang : {"en", "zh"}
        Language of the per-call reports and JSON text.
    jobs : int >= 1, optional
        Worker processes (default: all cores).
    force : bool
        Re-analyse recordings that are up to date.
    fail_fast : bool
        Stop at the first file that fails; the rest is not analysed.
    timeout_s : float > 0, optional
        Time limit per file in seconds (default: :func:`time_limit_s`).
        A file over its limit has its worker killed and is reported failed.
    progress : callable(Recording, status), optional
        Called once per recording with ``"analyzed"``, ``"failed"`` or ``"skipped"``.
    lock : bool
        Take :func:`output_lock` for the run; pass False when the caller holds it.
    call : dict, optional
        Two-party calls: ``{"agent": ..., "agent_voice": ...}`` as ``analyze
        --agent``/``--agent-voice``; a recording's manifest ``agent_channel``
        overrides ``agent``. Without it (and without ``agent_channel``) each
        recording is one voice.

    Returns
    -------
    result : BatchResult
        ``interrupted`` is True after a KeyboardInterrupt: workers are killed
        at once and the result holds what finished.
    """
    with output_lock(out_dir) if lock else contextlib.nullcontext():
        calls = make_folder(out_dir, CALLS_DIR) / CALLS_DIR
        clean_partials(out_dir)
        protect = ProtectedFiles(r.path for r in recordings if not r.problem)
        run = _Run(calls, settings, targets, lang, fail_fast, progress, protect, call)
        interrupted = False
        try:
            todo = run.plan(recordings, force, timeout_s)
            with WorkerPool(
                "tonecheck.batch.run:analyze_one", jobs=jobs or os.cpu_count() or 1, env=_worker_env(), preload=PRELOAD
            ) as pool:
                pool.run(todo, run.done)
        except _Stop:
            pass
        except KeyboardInterrupt:
            interrupted = True
        clean_partials(out_dir)
        result = load_results(out_dir, names={r.name for r in recordings})
        return BatchResult(result.records, result.failures, run.analyzed, run.skipped, interrupted, result.ignored)
