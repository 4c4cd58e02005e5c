"""Keeping a worker's stderr clean: warnings captured, text made UTF-8 safe."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

__all__ = ["quiet", "warning_notes", "utf8_safe", "MAX_NOTES"]

MAX_NOTES = 3
NOISE = (RuntimeWarning, DeprecationWarning, PendingDeprecationWarning, FutureWarning, ResourceWarning, ImportWarning)
"""Warning classes about tonecheck's own numerics or its libraries' versions: not the user's business."""


@contextlib.contextmanager
def quiet():
    """Capture every warning (yielding the list) and silence numpy floating-point warnings."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        yield caught


def warning_notes(caught) -> list:
    """The warnings worth showing the user, as at most :data:`MAX_NOTES` distinct lines."""
    notes = []
    for w in caught:
        if issubclass(w.category, NOISE):
            continue
        line = str(w.message).strip().splitlines()[0][:200] if str(w.message).strip() else w.category.__name__
        note = utf8_safe(f"{w.category.__name__}: {line}")
        if note not in notes:
            notes.append(note)
    if len(notes) > MAX_NOTES:
        notes = notes[:MAX_NOTES] + [f"... and {len(notes) - MAX_NOTES} more warnings"]
    return notes


def utf8_safe(value):
    """``value`` with every string made encodable as UTF-8 (lone surrogates -> U+FFFD), recursively."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            try:
                return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            except UnicodeEncodeError:
                return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {utf8_safe(k): utf8_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [utf8_safe(v) for v in value]
    return value
