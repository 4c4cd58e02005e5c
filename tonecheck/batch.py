"""Batch review: a folder of role-play recordings -> per-call JSON and reports.

Library only (no click, no printing); progress goes through a callback.

* :func:`find_recordings` walks the paths, skips hidden files and the output
  folder, and gives every recording an agent (first folder level under the
  path, ``agent_pattern`` on the file name, or a manifest) and a recording
  time (manifest, a date in the file name, else the file's mtime).
* :func:`run_batch` analyses what is new or changed in worker processes.
  Each worker writes ``calls/<name>.json`` (the ``analyze --json`` schema plus
  a ``batch`` block) and ``calls/<name>.html`` atomically, or
  ``calls/<name>.error.json`` for a file it cannot analyse. A recording is
  skipped when its JSON (or error JSON) records the same size, mtime and
  SHA-256; so an interrupted run resumes, and an unchanged bad file is
  reported again without being retried.
* :func:`load_results` reads the per-call JSON back (``--summary-only``).

Recordings are only ever opened for reading.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from .audio import SUPPORTED_EXTENSIONS
from .errors import TonecheckError
from .fileio import write_atomic

__all__ = [
    "Recording",
    "FileFailure",
    "BatchRecord",
    "BatchResult",
    "find_recordings",
    "run_batch",
    "load_results",
    "CALLS_DIR",
]

CALLS_DIR = "calls"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
HASH_CHUNK = 1 << 20
DATE_IN_NAME = re.compile(
    r"(20\d\d)[-_.]?([01]\d)[-_.]?([0-3]\d)(?:[T_ -]?([0-2]\d)[-_:.h]?([0-5]\d)(?:[-_:.]?([0-5]\d))?)?"
)


@dataclass(frozen=True)
class Recording:
    """One recording to review: where it is, whose it is, when it was made."""

    path: Path
    name: str
    agent: str
    recorded_at: datetime
    role: str = ""


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
class BatchResult:
    """What a batch run produced: records, failures, and how many were (re)analysed."""

    records: tuple
    failures: tuple
    analyzed: int = 0
    skipped: int = 0


def _safe_name(rel: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", rel.replace(os.sep, "__"))[:80].strip("._") or "call"
    return f"{slug}-{hashlib.sha1(rel.encode('utf-8')).hexdigest()[:8]}"


def _date_from_name(name: str) -> datetime | None:
    m = DATE_IN_NAME.search(name)
    if not m:
        return None
    parts = [int(p) if p else 0 for p in m.groups()]
    try:
        return datetime(*parts)
    except ValueError:
        return None


def _read_manifest(path) -> dict:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TonecheckError(
            f"{path}: cannot read manifest ({exc}); give a UTF-8 CSV with columns file,agent[,date,role]"
        ) from exc
    if rows and not {"file", "agent"} <= set(rows[0]):
        raise TonecheckError(f"{path}: manifest needs the columns file and agent; found {', '.join(rows[0])}")
    return {row["file"].strip(): row for row in rows}


def _manifest_row(manifest: dict, path: Path, rel: str) -> dict | None:
    return manifest.get(rel) or manifest.get(path.name) or manifest.get(str(path))


def _agent_for(path: Path, rel_parts: tuple, root: Path, pattern) -> str:
    if pattern is not None:
        m = pattern.search(path.name)
        if m:
            return m.groupdict().get("agent") or (m.group(1) if m.groups() else m.group(0))
    return rel_parts[0] if len(rel_parts) > 1 else (root.name or "unknown")


def _walk(root: Path, out_dir: Path):
    if root.is_file():
        yield root, root.parent
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (here / d).resolve() != out_dir)
        for name in sorted(filenames):
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUPPORTED_EXTENSIONS:
                yield here / name, root


def find_recordings(paths, *, out_dir, agent_pattern: str | None = None, manifest=None) -> list:
    """Recordings under ``paths`` with agent and time.

    Parameters
    ----------
    paths : list of path
        Folders (searched recursively) or files.
    out_dir : path
        Output folder, never searched.
    agent_pattern : str, optional
        Regular expression on the file name; group ``agent`` (or group 1) is the agent.
    manifest : path, optional
        CSV with columns file, agent and optionally date (ISO), role.

    Returns
    -------
    recordings : list of Recording
    """
    out_dir = Path(out_dir).resolve()
    try:
        pattern = re.compile(agent_pattern) if agent_pattern else None
    except re.error as exc:
        raise TonecheckError(f"--agent-pattern {agent_pattern!r}: not a regular expression ({exc})") from exc
    rows = _read_manifest(manifest) if manifest else {}
    found = []
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise TonecheckError(f"{root}: no such file or folder; check the path")
        for path, base in _walk(root, out_dir):
            rel = str(path.relative_to(base))
            row = _manifest_row(rows, path, rel) or {}
            agent = (row.get("agent") or "").strip() or _agent_for(path, Path(rel).parts, base, pattern)
            when = (
                _parse_date(row.get("date"))
                or _date_from_name(path.name)
                or datetime.fromtimestamp(path.stat().st_mtime)
            )
            found.append(Recording(path, _safe_name(rel), agent, when, (row.get("role") or "").strip()))
    return found


def _parse_date(value) -> datetime | None:
    if not value or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return _date_from_name(value)


def fingerprint(path: Path) -> dict:
    """Size, mtime (ns) and SHA-256 of a file, read in chunks."""
    st = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest.hexdigest()}


def _stored_batch(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text("utf-8")).get("batch")
    except (OSError, ValueError, AttributeError):
        return None


def _up_to_date(rec: Recording, calls: Path) -> bool:
    st = rec.path.stat()
    for suffix in (".json", ".error.json"):
        stored = _stored_batch(calls / f"{rec.name}{suffix}")
        if stored and stored.get("size") == st.st_size and stored.get("mtime_ns") == st.st_mtime_ns:
            if stored.get("sha256") == fingerprint(rec.path)["sha256"]:
                return True  # analysed, or failed and unchanged since
    return False


def _batch_block(rec: Recording) -> dict:
    return {
        "agent": rec.agent,
        "recorded_at": rec.recorded_at.isoformat(timespec="seconds"),
        "source": str(rec.path),
        "name": rec.name,
        "role": rec.role,
        **fingerprint(rec.path),
    }


def analyze_one(rec: Recording, calls: Path, settings, targets, lang: str) -> dict:
    """Analyse one recording and write its JSON and report (worker entry point).

    Returns ``{"name", "ok", "message"}``; a bad file writes ``<name>.error.json``.
    """
    from .analysis import analyze_file
    from .report.html import render_report

    block = _batch_block(rec)
    try:
        a = analyze_file(rec.path, settings=settings, targets=targets)
    except TonecheckError as exc:
        write_atomic(
            calls / f"{rec.name}.error.json",
            json.dumps({"file": str(rec.path), "error": str(exc), "batch": block}, ensure_ascii=False),
        )
        (calls / f"{rec.name}.json").unlink(missing_ok=True)
        return {"name": rec.name, "ok": False, "message": str(exc)}
    data = a.to_dict(lang=lang)
    data["batch"] = block
    write_atomic(calls / f"{rec.name}.html", render_report(a, lang=lang))
    write_atomic(calls / f"{rec.name}.json", json.dumps(data, ensure_ascii=False, indent=1))
    (calls / f"{rec.name}.error.json").unlink(missing_ok=True)
    return {"name": rec.name, "ok": True, "message": ""}


def _clean_partials(calls: Path) -> None:
    for leftover in calls.glob(".*.part"):
        leftover.unlink(missing_ok=True)


def _prepare(out_dir) -> Path:
    calls = Path(out_dir) / CALLS_DIR
    try:
        calls.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TonecheckError(
            f"{out_dir}: cannot create the output folder ({exc.strerror}); choose a writable --out"
        ) from exc
    if not os.access(calls, os.W_OK):
        raise TonecheckError(f"{out_dir}: output folder is not writable; choose a writable --out")
    _clean_partials(calls)
    return calls


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
    progress=None,
) -> BatchResult:
    """Analyse new or changed recordings in parallel; return everything in ``out_dir``.

    Parameters
    ----------
    recordings : list of Recording
    out_dir : path
    settings : Settings
    targets : Targets, optional
    lang : {"en", "zh"}
        Language of the per-call reports and JSON text.
    jobs : int >= 1, optional
        Worker processes (default: all cores). 1 runs in this process.
    force : bool
        Re-analyse recordings that are up to date.
    fail_fast : bool
        Stop at the first file that fails; the rest is not analysed.
    progress : callable(Recording, status), optional
        Called once per recording with ``"analyzed"``, ``"failed"`` or ``"skipped"``.

    Returns
    -------
    result : BatchResult
    """
    calls = _prepare(out_dir)
    todo, skipped = [], 0
    for rec in recordings:
        if not force and _up_to_date(rec, calls):
            skipped += 1
            if progress:
                progress(rec, "skipped")
        else:
            todo.append(rec)
    analyzed = _run_jobs(todo, calls, settings, targets, lang, jobs or os.cpu_count() or 1, fail_fast, progress)
    result = load_results(out_dir, names={r.name for r in recordings})
    return BatchResult(result.records, result.failures, analyzed, skipped)


def _run_jobs(todo, calls, settings, targets, lang, jobs, fail_fast, progress) -> int:
    done = 0
    if jobs == 1 or len(todo) <= 1:
        for rec in todo:
            out = analyze_one(rec, calls, settings, targets, lang)
            done += 1
            if progress:
                progress(rec, "analyzed" if out["ok"] else "failed")
            if fail_fast and not out["ok"]:
                break
        return done
    for var in THREAD_VARS:  # one process per core: keep each worker's math libraries single-threaded
        os.environ.setdefault(var, "1")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        pending = {pool.submit(analyze_one, rec, calls, settings, targets, lang): rec for rec in todo}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    rec = pending.pop(fut)
                    out = fut.result()
                    done += 1
                    if progress:
                        progress(rec, "analyzed" if out["ok"] else "failed")
                    if fail_fast and not out["ok"]:
                        raise _Stop
        except _Stop:
            pool.shutdown(wait=True, cancel_futures=True)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return done


class _Stop(Exception):
    """Internal: --fail-fast hit a failure."""


def load_results(out_dir, *, names=None) -> BatchResult:
    """Records and failures stored in ``out_dir/calls`` (only ``names`` if given)."""
    calls = Path(out_dir) / CALLS_DIR
    if not calls.is_dir():
        raise TonecheckError(
            f"{out_dir}: no {CALLS_DIR}/ folder with results; run tonecheck batch PATH --out {out_dir} first"
        )
    records, failures = [], []
    for path in sorted(calls.glob("*.json")):
        name = path.name[: -len(".error.json")] if path.name.endswith(".error.json") else path.stem
        if names is not None and name not in names:
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        block = data.get("batch", {})
        if path.name.endswith(".error.json"):
            failures.append(FileFailure(data.get("file", name), data.get("error", ""), block.get("agent", "")))
        else:
            records.append(BatchRecord(block.get("agent", ""), block.get("recorded_at", ""), name, data))
    records.sort(key=lambda r: (r.agent, r.recorded_at, r.name))
    return BatchResult(tuple(records), tuple(failures))
