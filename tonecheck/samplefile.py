"""A long analysis signal kept on disk: :class:`SampleFile`.

Ten hours at 8 kHz is 1.15 GB of float32, more than tonecheck may hold in
memory. The block pipeline therefore writes long signals to an unlinked
temporary file (``tempfile.TemporaryFile``: no name on disk, removed when
closed or when the process ends) and every measurement reads it back in
bounded blocks by slicing, exactly as it slices an in-memory array. Pages of
the file live in the kernel's page cache, which is not the process's
resident memory.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

__all__ = ["SampleFile"]


class SampleFile:
    """Read-only mono float32 signal in an unlinked temporary file, sliced like an array.

    Build it with :meth:`append` (one block at a time) and :meth:`seal`;
    afterwards ``len(s)`` and ``s[a:b]`` behave like a 1-D float32 array:
    each slice is a new array read from the file, with the DC offset given
    to :meth:`seal` removed. ``np.asarray(s)`` reads the whole signal (only
    for short signals or tests).

    The temporary file goes in ``tempfile.gettempdir()`` (``$TMPDIR``).
    """

    dtype = np.dtype(np.float32)
    ndim = 1

    def __init__(self):
        self._fh = tempfile.TemporaryFile(prefix="tonecheck-signal-")
        self._n = 0
        self._offset = None

    def append(self, y: np.ndarray) -> None:
        """Write float32 samples ``y`` at the end; raises ``OSError`` when the disk is full."""
        if self._offset is not None:
            raise ValueError("SampleFile is sealed; append before seal()")
        data = np.ascontiguousarray(y, dtype=np.float32)
        self._fh.seek(0, os.SEEK_END)
        self._fh.write(memoryview(data).cast("B"))
        self._n += data.size

    def seal(self, offset: float) -> None:
        """End writing; every read subtracts ``offset`` (the DC offset, full scale 1) in float32."""
        self._fh.flush()
        self._offset = float(offset)

    def close(self) -> None:
        """Delete the temporary file now (it also goes when the object is collected)."""
        self._fh.close()

    def __len__(self) -> int:
        return self._n

    @property
    def shape(self) -> tuple:
        return (self._n,)

    def __getitem__(self, key) -> np.ndarray:
        if not isinstance(key, slice):
            raise TypeError(f"SampleFile supports slices only, not {type(key).__name__}; use s[a:b]")
        if self._offset is None:
            raise ValueError("SampleFile is being written; seal() it before reading")
        start, stop, step = key.indices(self._n)
        if step != 1:
            raise ValueError(f"SampleFile slices need step 1, not {step}")
        out = np.empty(max(0, stop - start), np.float32)
        view = memoryview(out).cast("B")
        self._fh.seek(start * out.itemsize)
        done = 0
        while done < len(view):
            got = self._fh.readinto(view[done:])
            if not got:
                raise OSError(f"temporary signal file ended early ({done} of {len(view)} bytes)")
            done += got
        out -= self._offset
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = self[:]
        return out if dtype is None else out.astype(dtype)

    def __repr__(self) -> str:
        return f"SampleFile({self._n} samples, float32, in a temporary file)"
