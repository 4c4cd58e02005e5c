"""Writing outputs safely: temp file in the same directory, then ``os.replace``.

An interrupted run never leaves a half-written output, and nothing here
ever opens a user's recording for writing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import TonecheckError

__all__ = ["write_atomic"]


def write_atomic(path, data) -> None:
    """Write ``data`` (str as UTF-8, or bytes) to ``path`` atomically.

    Raises
    ------
    TonecheckError
        The directory does not exist or is not writable.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if path.is_dir():
        raise TonecheckError(f"{path}: is a directory; give a file name for the output")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    except OSError as exc:
        raise TonecheckError(
            f"{path}: cannot write output ({exc.strerror}); choose a writable folder that exists"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise TonecheckError(f"{path}: cannot write output ({exc.strerror}); choose a writable location") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
