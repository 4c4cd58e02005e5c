"""Finding the recordings of a batch: walk, deduplicate, name, attribute.

Every recording gets an agent (first folder level under the path given,
``agent_pattern`` on the file name, or a manifest) and a recording time
(manifest, a date in the file name, else the file's mtime). Distinct files
never share an output name, and one file reached twice (overlapping paths,
symbolic or hard links) is listed once. Paths that are not regular files are
listed with a ``problem`` and never opened. A transcript beside a recording
(``call.wav`` + ``call.txt``) is found by :func:`beside_transcript` and used
for the exact word count.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import stat
from datetime import datetime
from pathlib import Path

from ..audio import SUPPORTED_EXTENSIONS
from ..errors import TonecheckError
from ..fileio import display_path, regular_file_problem
from .model import Recording

__all__ = ["find_recordings", "output_name", "beside_transcript", "UNKNOWN_AGENT"]

UNKNOWN_AGENT = "unknown"
DATE_IN_NAME = re.compile(
    r"(20\d\d)[-_.]?([01]\d)[-_.]?([0-3]\d)(?:[T_ -]?([0-2]\d)[-_:.h]?([0-5]\d)(?:[-_:.]?([0-5]\d))?)?"
)
MANIFEST_FIX = "give a UTF-8 CSV with columns file,agent[,date,role,agent_channel]"


def output_name(rel: str, real_path: str) -> str:
    """Output key: a slug of ``rel`` plus a hash of the resolved real path."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", rel.replace(os.sep, "__"))[:80].strip("._") or "call"
    return f"{slug}-{hashlib.sha1(os.fsencode(real_path)).hexdigest()[:12]}"


def _date_from_name(name: str) -> datetime | None:
    m = DATE_IN_NAME.search(name)
    if not m:
        return None
    parts = [int(p) if p else 0 for p in m.groups()]
    try:
        return datetime(*parts)
    except ValueError:
        return None


def _parse_date(value) -> datetime | None:
    if not value or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return _date_from_name(value)


def _read_manifest(path) -> dict:
    name = display_path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = []
            for row in reader:
                have = sum(v is not None for k, v in row.items() if k is not None) + len(row.get(None) or ())
                if have != len(reader.fieldnames):
                    raise TonecheckError(
                        f"{name}: line {reader.line_num} has {have} fields but the header has "
                        f"{len(reader.fieldnames)}; give every row the header's columns"
                    )
                rows.append(row)
            fields = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TonecheckError(f"{name}: cannot read manifest ({exc}); {MANIFEST_FIX}") from exc
    if not {"file", "agent"} <= set(fields):
        raise TonecheckError(f"{name}: manifest needs the columns file and agent; found {', '.join(fields) or 'none'}")
    return {row["file"].strip(): row for row in rows}


def _manifest_row(manifest: dict, path: Path, rel: str) -> dict:
    return manifest.get(rel) or manifest.get(path.name) or manifest.get(str(path)) or {}


def _agent_for(path: Path, rel_parts: tuple, root: Path, pattern) -> str:
    if pattern is not None:
        m = pattern.search(path.name)
        if m:
            if "agent" in pattern.groupindex:
                agent = m.group("agent")
            else:
                agent = m.group(1) if pattern.groups else m.group(0)
            return agent.strip() if agent and agent.strip() else UNKNOWN_AGENT
    return rel_parts[0] if len(rel_parts) > 1 else (root.name or UNKNOWN_AGENT)


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _walk(root: Path, out_dir: Path):
    if not _is_dir(root):
        yield root, root.parent  # a file given by name: taken whatever its extension
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and Path(os.path.realpath(here / d)) != out_dir
        )
        for name in sorted(filenames):
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUPPORTED_EXTENSIONS:
                yield here / name, root


def _identity(path: Path):
    """(dev, inode) of a regular file, else its resolved path: one entry per file."""
    try:
        st = os.stat(path)
        return (st.st_dev, st.st_ino)
    except (OSError, ValueError):
        return os.path.realpath(path)


def _when(row: dict, path: Path) -> datetime:
    found = _parse_date(row.get("date")) or _date_from_name(path.name)
    if found:
        return found
    try:
        return datetime.fromtimestamp(os.lstat(path).st_mtime)
    except OSError:
        return datetime.now()


def find_recordings(paths, *, out_dir, agent_pattern: str | None = None, manifest=None) -> list:
    """Recordings under ``paths`` with agent and time, each file once.

    Parameters
    ----------
    paths : list of path
        Folders (searched recursively, hidden entries skipped) or files.
    out_dir : path
        Output folder, never searched.
    agent_pattern : str, optional
        Regular expression on the file name; group ``agent`` (or group 1) is
        the agent, ``"unknown"`` when that group took no part in the match.
    manifest : path, optional
        CSV with columns file, agent and optionally date (ISO), role,
        agent_channel (a two-party call's agent side, as ``analyze --agent``).

    Returns
    -------
    recordings : list of Recording
        In the order found; a file reached again (overlapping paths, links)
        keeps its first entry. Non-regular files carry a ``problem``.
    """
    out_dir = Path(os.path.realpath(out_dir))
    try:
        pattern = re.compile(agent_pattern) if agent_pattern else None
    except re.error as exc:
        raise TonecheckError(f"--agent-pattern {agent_pattern!r}: not a regular expression ({exc})") from exc
    rows = _read_manifest(manifest) if manifest else {}
    found, seen = [], set()
    for raw in paths:
        root = Path(raw)
        if not os.path.lexists(root):
            raise TonecheckError(f"{display_path(root)}: no such file or folder; check the path")
        for path, base in _walk(root, out_dir):
            key = _identity(path)
            if key in seen:
                continue
            seen.add(key)
            found.append(_recording(path, base, rows, pattern))
    return found


def _recording(path: Path, base: Path, rows: dict, pattern) -> Recording:
    rel = os.path.relpath(path, base)
    row = _manifest_row(rows, path, rel)
    agent = display_path((row.get("agent") or "").strip() or _agent_for(path, Path(rel).parts, base, pattern))
    name = output_name(rel, os.path.realpath(path))
    return Recording(
        path,
        name,
        agent,
        _when(row, path),
        (row.get("role") or "").strip(),
        regular_file_problem(path) or "",
        _agent_side(row, rel),
    )


def _agent_side(row: dict, rel: str) -> str:
    """The manifest's ``agent_channel`` for a two-party call (checked here, so a typo fails before the run)."""
    side = (row.get("agent_channel") or "").strip()
    if not side:
        return ""
    from ..call import parse_agent

    try:
        return parse_agent(side)
    except TonecheckError as exc:
        raise TonecheckError(f"manifest row {display_path(rel)}: {exc}") from exc


MAX_TRANSCRIPT_BYTES = 10 * 1024 * 1024  # same limit as analyze --transcript


def beside_transcript(path, language: str) -> tuple:
    """The transcript beside a recording (``call.wav`` -> ``call.txt``), if usable.

    Returns
    -------
    text, source, problem : str or None
        ``text`` and its ``source`` (display path) when the file is a regular
        UTF-8 file with at least one word; otherwise both None and
        ``problem`` says why it was ignored (None when there is no file).
    """
    from ..rate import count_words

    txt = Path(path).with_suffix(".txt")
    try:
        if not stat.S_ISREG(os.stat(txt).st_mode):
            return None, None, "not a regular file"
    except OSError:
        return None, None, None
    try:
        with open(txt, "rb") as fh:
            raw = fh.read(MAX_TRANSCRIPT_BYTES + 1)
        if len(raw) > MAX_TRANSCRIPT_BYTES:
            return None, None, "larger than 10 MB"
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None, None, "unreadable or not UTF-8 text"
    if not count_words(text, language=language)[0]:
        return None, None, "holds no words"
    return text, display_path(txt), None
