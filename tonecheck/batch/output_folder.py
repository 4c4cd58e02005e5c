"""The batch output folder: created and writable, locked for one run, cleaned of a killed run's leftovers."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path

from ..errors import TonecheckError
from ..fileio import check_output_path, display_path
from .model import CALLS_DIR, LOCK_NAME

__all__ = ["output_lock", "make_folder", "clean_partials", "drop_stale"]


@contextlib.contextmanager
def output_lock(out_dir):
    """Hold an exclusive lock on ``out_dir`` (created if needed) for one run.

    Raises
    ------
    TonecheckError
        Another run holds the lock, or the folder cannot be created.
    """
    out = make_folder(out_dir)
    lock = check_output_path(out / LOCK_NAME)
    flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(lock, flags, 0o644)
    except OSError as exc:
        raise TonecheckError(
            f"{display_path(lock)}: cannot create the lock file ({exc.strerror}); check --out"
        ) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise TonecheckError(f"{display_path(lock)}: cannot lock ({exc.strerror}); check --out") from exc
            raise TonecheckError(
                f"{display_path(out)}: another tonecheck batch is writing to this folder; "
                "wait for it to finish or choose another --out"
            ) from exc
        yield out
    finally:
        os.close(fd)


def make_folder(out_dir, sub: str = "") -> Path:
    """Create ``out_dir`` (and ``out_dir/sub``); return ``out_dir``."""
    if out_dir is None or not os.fsdecode(os.fspath(out_dir)).strip():
        raise TonecheckError("--out is empty; give an output folder")
    out = Path(out_dir)
    try:
        (out / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TonecheckError(
            f"{display_path(out)}: cannot create the output folder ({exc.strerror}); choose a writable --out"
        ) from exc
    if not os.access(out / sub, os.W_OK):
        raise TonecheckError(f"{display_path(out)}: output folder is not writable; choose a writable --out")
    return out


def clean_partials(out_dir) -> None:
    """Remove temporary ``.*.part`` files a killed run left in ``out_dir`` and ``calls/``."""
    for folder in (Path(out_dir), Path(out_dir) / CALLS_DIR):
        for leftover in folder.glob(".*.part"):
            drop_stale(leftover)


def drop_stale(path: Path) -> None:
    """Remove an earlier output (a regular file or a link, never a device or FIFO)."""
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            path.unlink()
    except FileNotFoundError:
        pass
