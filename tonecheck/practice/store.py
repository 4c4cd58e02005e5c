"""Practice attempts kept in a SQLite database inside the data directory.

One table, ``attempts``: when, what kind (``"call"`` or ``"ladder"``), the
headline figures as JSON and, only when the user asked to keep it, the
recording (a file under ``<data_dir>/recordings``). Deleting an attempt
deletes its row and its file; deleting everything also empties the
recordings folder; both ``VACUUM`` so the deleted figures are gone from the
database file too (``secure_delete`` overwrites freed pages as well).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["Attempt", "AttemptStore", "default_data_dir", "KINDS"]

KINDS = ("call", "ladder")
SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'ladder')),
    figures TEXT NOT NULL,
    recording TEXT
)
"""


def default_data_dir() -> Path:
    """``platformdirs.user_data_dir("tonecheck")``: where attempts live unless ``--data-dir`` moves them."""
    import platformdirs

    return Path(platformdirs.user_data_dir("tonecheck"))


@dataclass(frozen=True)
class Attempt:
    """One stored practice attempt.

    Attributes
    ----------
    id : int
    created_at : str
        UTC time, ISO 8601 with seconds (``2026-11-23T13:40:00+00:00``).
    kind : {"call", "ladder"}
    figures : dict
        Headline figures (JSON-ready).
    recording : str or None
        File name inside ``<data_dir>/recordings``, when the recording was kept.
    """

    id: int
    created_at: str
    kind: str
    figures: dict
    recording: str | None

    def to_dict(self) -> dict:
        """JSON-ready dict; the recording is reported as kept or not, never by path."""
        return {
            "id": self.id,
            "created_at": self.created_at,
            "kind": self.kind,
            "figures": self.figures,
            "has_recording": self.recording is not None,
        }


class AttemptStore:
    """The attempts database in ``data_dir`` (created with the folder if missing).

    Parameters
    ----------
    data_dir : str or os.PathLike
        Folder holding ``attempts.sqlite3`` and ``recordings/``.
    """

    def __init__(self, data_dir):
        self.data_dir = Path(data_dir).resolve()
        self.recordings_dir = self.data_dir / "recordings"
        self.recordings_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.data_dir / "attempts.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute(SCHEMA)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def recording_path(self, name: str) -> Path:
        """Absolute path of a kept recording; refuses names that leave the recordings folder."""
        path = (self.recordings_dir / name).resolve()
        if path.parent != self.recordings_dir:
            raise ValueError(f"{name!r} is not a file name inside the recordings folder")
        return path

    def add(self, kind: str, figures: dict, *, recording: str | None = None) -> Attempt:
        """Store an attempt and return it.

        Parameters
        ----------
        kind : {"call", "ladder"}
        figures : dict
            JSON-serializable headline figures.
        recording : str, optional
            Name of a file already moved into ``recordings/``.
        """
        if kind not in KINDS:
            raise ValueError(f"kind {kind!r}: use one of {', '.join(KINDS)}")
        if recording is not None:
            self.recording_path(recording)
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO attempts (created_at, kind, figures, recording) VALUES (?, ?, ?, ?)",
                (created, kind, json.dumps(figures, allow_nan=False), recording),
            )
        return Attempt(int(cur.lastrowid), created, kind, figures, recording)

    def list(self) -> list:
        """All attempts, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, created_at, kind, figures, recording FROM attempts ORDER BY id"
            ).fetchall()
        return [Attempt(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def get(self, attempt_id: int) -> Attempt | None:
        """One attempt, or None."""
        with self._lock:
            r = self._db.execute(
                "SELECT id, created_at, kind, figures, recording FROM attempts WHERE id = ?", (attempt_id,)
            ).fetchone()
        return None if r is None else Attempt(r[0], r[1], r[2], json.loads(r[3]), r[4])

    def delete(self, attempt_id: int) -> bool:
        """Delete one attempt and its recording; False when there is no such attempt."""
        attempt = self.get(attempt_id)
        if attempt is None:
            return False
        if attempt.recording is not None:
            self.recording_path(attempt.recording).unlink(missing_ok=True)
        with self._lock:
            self._db.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
            self._db.execute("VACUUM")
        return True

    def delete_all(self) -> int:
        """Delete every attempt and every file in ``recordings/``; returns the number of attempts deleted."""
        with self._lock:
            count = self._db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
            self._db.execute("DELETE FROM attempts")
            self._db.execute("DELETE FROM sqlite_sequence WHERE name = 'attempts'")
            self._db.execute("VACUUM")
        for entry in os.scandir(self.recordings_dir):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
        return int(count)
