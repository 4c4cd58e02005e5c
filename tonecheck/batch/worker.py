"""A batch worker process: runs one task at a time for :mod:`.pool`.

Started by the pool as ``python -c ...`` in its own session, so a Ctrl-C in
the terminal never reaches it (it also ignores SIGINT); it dies with its
parent (``PR_SET_PDEATHSIG`` on Linux). Tasks and results travel as
length-prefixed pickles over the worker's stdin/stdout; everything else the
process or its libraries print (decoder chatter, stray output) goes to
``/dev/null`` once the worker is ready.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import struct

__all__ = ["main", "read_frame", "write_frame"]

HEADER = struct.Struct(">Q")
PR_SET_PDEATHSIG = 1


def _read_exact(fh, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = fh.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fh):
    """The next pickled object from ``fh``, or None at end of stream."""
    header = _read_exact(fh, HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    body = _read_exact(fh, size)
    return pickle.loads(body) if len(body) == size else None


def write_frame(fh, obj) -> None:
    """Write ``obj`` to ``fh`` as one length-prefixed pickle and flush."""
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(HEADER.pack(len(body)) + body)
    fh.flush()


def resolve(spec: str):
    """``"package.module:function"`` -> the function."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _die_with_parent(parent_pid: int) -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the worker still exits when its task pipe closes
    if os.getppid() != parent_pid:
        os._exit(1)


def main(spec: str, parent_pid: int, preload=()) -> None:
    """Serve tasks: read ``args`` tuples, answer ``("ok", value)`` or ``("error", text)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    tasks = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    func = resolve(spec)
    for module in preload:
        importlib.import_module(module)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    write_frame(answers, ("ready", os.getpid()))
    while (args := read_frame(tasks)) is not None:
        try:
            answer = ("ok", func(*args))
        except Exception as exc:  # noqa: BLE001 - reported to the parent as this file's failure
            answer = ("error", f"{type(exc).__name__}: {exc}")
        write_frame(answers, answer)
