"""The single gate for every file tonecheck writes, and safe reading of inputs.

* :func:`write_atomic` writes a temporary file in the same folder, then
  ``os.replace``-s it over the output: an interrupted run never leaves a
  half-written output.
* :func:`check_output_path` refuses, with a one-line :class:`TonecheckError`,
  an output path that is a directory, a device, a FIFO, a socket or any other
  non-regular file (checked on the link itself and on what it points to), an
  input recording (same file, hard links included), or an existing file with a
  recording's extension. Atomic replace therefore only ever replaces a regular
  file or creates a new one. Call it before a slow analysis to fail early.
* :func:`open_regular` opens an input for reading only if it is a regular file
  (after resolving links), without ever blocking on a FIFO or a device.

Nothing here ever opens a user's recording for writing.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import TonecheckError

__all__ = [
    "write_atomic",
    "check_output_path",
    "ProtectedFiles",
    "display_path",
    "file_kind",
    "regular_file_problem",
    "open_regular",
]

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISREG, "a regular file"),
)
DEFAULT_NAME_MAX = 255  # bytes, when the file system does not say
_TMP_NAME_CHARS = 40  # of the output name kept in the temporary name (4 bytes each at most)


def display_path(path) -> str:
    """``path`` as printable one-line text (:func:`tonecheck.recording.display_name`).

    Undecodable bytes of a non-UTF-8 file name show as ``\\xNN`` and control
    characters as escapes, so the text can be printed, written as UTF-8 and
    kept on one line.
    """
    from .recording import display_name

    return display_name(os.fspath(path))


def file_kind(mode: int) -> str:
    """What a ``st_mode`` is, with an article: ``"a FIFO"``, ``"a directory"``, ..."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def regular_file_problem(path) -> str | None:
    """Why ``path`` is not a regular file (after resolving links), or None if it is.

    Returns text such as ``"is a FIFO"``, ``"is a broken symbolic link"`` or
    ``"is a symbolic link loop"``; never opens the path.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "is a broken symbolic link" if os.path.islink(path) else "does not exist"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop"
        return f"cannot be read ({exc.strerror})"
    return None if stat.S_ISREG(st.st_mode) else f"is {file_kind(st.st_mode)}"


def open_regular(path, *, what: str = "a recording", fix: str = "give a regular audio file"):
    """Open ``path`` for binary reading if it is a regular file.

    The file is opened non-blocking (a FIFO never blocks) and checked with
    ``fstat`` on the open descriptor, so a swapped path cannot slip through.

    Raises
    ------
    TonecheckError
        ``"<path>: is a FIFO, not a recording; give a regular audio file"`` etc.
    """
    problem = regular_file_problem(path)
    if problem:
        raise TonecheckError(f"{display_path(path)}: {problem}, not {what}; {fix}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise TonecheckError(f"{display_path(path)}: cannot be read ({exc.strerror}); {fix}") from exc
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise TonecheckError(f"{display_path(path)}: is {file_kind(st.st_mode)}, not {what}; {fix}")
    return os.fdopen(fd, "rb")


class ProtectedFiles:
    """Files an output must never replace (the input recordings), by device and inode.

    Hard links and symbolic links to a protected file are the same file.
    Paths that cannot be looked up are ignored.
    """

    def __init__(self, paths=()):
        ids = set()
        for p in paths:
            try:
                st = os.stat(p)
            except (OSError, ValueError):
                continue
            ids.add((st.st_dev, st.st_ino))
        self._ids = frozenset(ids)

    def plus(self, paths) -> ProtectedFiles:
        """These files and ``paths``."""
        more = ProtectedFiles(paths)
        more._ids = self._ids | more._ids
        return more

    def __contains__(self, st: os.stat_result) -> bool:
        return (st.st_dev, st.st_ino) in self._ids

    def __len__(self) -> int:
        return len(self._ids)


def _as_protected(protect) -> ProtectedFiles:
    return protect if isinstance(protect, ProtectedFiles) else ProtectedFiles(protect)


def _os_error(name: str, exc: OSError) -> TonecheckError:
    if exc.errno == errno.ENAMETOOLONG:
        return TonecheckError(f"{name}: file name is longer than the file system allows; choose a shorter name")
    if exc.errno == errno.ELOOP:
        return TonecheckError(f"{name}: is a symbolic link loop, not an output file; give another file name")
    if exc.errno == errno.ENOTDIR:
        return TonecheckError(f"{name}: a folder in this path is a file; choose an output in an existing folder")
    return TonecheckError(f"{name}: cannot write output ({exc.strerror}); choose a writable location")


def _check_new(path: Path, name: str) -> None:
    parent = path.parent
    try:
        st = os.stat(parent)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise TonecheckError(
                f"{name}: folder {display_path(parent)} does not exist; create it or choose another location"
            ) from exc
        raise _os_error(name, exc) from exc
    if not stat.S_ISDIR(st.st_mode):
        raise TonecheckError(f"{name}: {display_path(parent)} is not a folder; choose an output in an existing folder")
    try:
        max_name = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        max_name = DEFAULT_NAME_MAX
    if len(os.fsencode(path.name)) > max_name:
        raise _os_error(name, OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)))


def _check_existing(path: Path, name: str, lst: os.stat_result, protect: ProtectedFiles) -> None:
    st = lst
    if stat.S_ISLNK(lst.st_mode):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return  # a dangling link: replacing the link itself touches nothing else
        except OSError as exc:
            raise _os_error(name, exc) from exc
    if not stat.S_ISREG(st.st_mode):
        raise TonecheckError(f"{name}: is {file_kind(st.st_mode)}, not an output file; give a file name for the output")
    if st in protect:
        raise TonecheckError(f"{name}: is an input recording; give the output another file name")
    from .audio import SUPPORTED_EXTENSIONS

    for candidate in (path, Path(os.path.realpath(path))):
        ext = candidate.suffix.lower()
        if ext in SUPPORTED_EXTENSIONS:
            raise TonecheckError(
                f"{name}: is an existing recording ({ext} file), not an output file; give the output another name"
            )


def check_output_path(path, *, protect=()) -> Path:
    """Refuse an output path that must not be written; return it as a Path.

    Parameters
    ----------
    path : str or os.PathLike
        The output file to create or replace.
    protect : iterable of path, or ProtectedFiles
        Input recordings; the output may not be any of them (hard and
        symbolic links included).

    Returns
    -------
    path : Path

    Raises
    ------
    TonecheckError
        One line naming the path: empty name, name too long, missing folder,
        a directory/device/FIFO/socket/link loop, an input recording, or an
        existing file with a recording's extension.
    """
    if path is None or not os.fsdecode(os.fspath(path)).strip():
        raise TonecheckError("output file name is empty; give a file name for the output")
    path = Path(path)
    name = display_path(path)
    try:
        lst = os.lstat(path)
    except FileNotFoundError:
        _check_new(path, name)
        return path
    except OSError as exc:
        raise _os_error(name, exc) from exc
    _check_existing(path, name, lst, _as_protected(protect))
    return path


def write_atomic(path, data, *, protect=()) -> None:
    """Write ``data`` (str as UTF-8, or bytes) to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Checked with :func:`check_output_path` first.
    data : str or bytes
    protect : iterable of path, or ProtectedFiles
        Input recordings that must never be replaced.

    Raises
    ------
    TonecheckError
        The path is refused (see :func:`check_output_path`), or the folder
        does not exist or is not writable.
    """
    protect = _as_protected(protect)
    path = check_output_path(path, protect=protect)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    name = display_path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:_TMP_NAME_CHARS]}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise _os_error(name, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)
        check_output_path(path, protect=protect)  # again, just before the replace
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _os_error(name, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
