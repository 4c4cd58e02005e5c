"""The training manual's targets, as data in one place.

The defaults ship in ``targets.json`` beside this module; ``--targets FILE``
(or :func:`load_targets`) overrides any subset of them with a JSON file of
the same shape.  Every figure is a band: below ``low`` is too little, above
``high`` too much; a missing side means "no limit".
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path

from .errors import TonecheckError
from .messages import Message
from .recording import display_name

__all__ = ["Band", "Targets", "default_targets", "load_targets"]

MAX_TARGETS_BYTES = 64 * 1024
"""A targets file is a few hundred bytes; anything this large is a mistake."""


@dataclass(frozen=True)
class Band:
    """A target band; ``low``/``high`` are ``-inf``/``inf`` when open."""

    low: float = -math.inf
    high: float = math.inf

    def verdict(self, value: float) -> str:
        """``"below"``, ``"within"``, ``"above"``, or ``"unknown"`` for NaN."""
        if value is None or math.isnan(value):
            return "unknown"
        if value < self.low:
            return "below"
        if value > self.high:
            return "above"
        return "within"

    def to_dict(self) -> dict:
        """JSON-ready form with open sides left out."""
        return {k: v for k, v in (("low", self.low), ("high", self.high)) if math.isfinite(v)}


@dataclass(frozen=True)
class Targets:
    """All targets tonecheck scores against (units in the names)."""

    version: str
    source: str
    intonation_level: Band
    rate_wpm: Band
    speech_level_dbfs: Band
    loudness_variation_db: Band
    loudness_fade_db_per_min: Band
    intensity_index: Band
    high_pitch_hz: Band
    pitch_rise_st: Band
    long_pause_s: Band
    rate_match_ratio: Band
    """Two-party calls: the agent's syllable rate over the caller's (the manual: match the caller's rate)."""

    def to_dict(self) -> dict:
        """JSON-ready form (the same shape ``--targets`` reads)."""
        out = {"version": self.version, "source": self.source}
        out.update(
            {f.name: getattr(self, f.name).to_dict() for f in fields(self) if isinstance(getattr(self, f.name), Band)}
        )
        return out


def _bound(value, *, where: str, name: str, default: float) -> float:
    """One band side: a finite JSON number (``true``, strings, NaN, huge values rejected)."""
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TonecheckError(f"{where}: target {name!r} has a non-numeric bound ({value!r:.40}); use numbers")
    try:
        bound = float(value)
    except OverflowError as exc:
        raise TonecheckError(f"{where}: target {name!r} has a bound too large to use; use a realistic number") from exc
    if not math.isfinite(bound):
        raise TonecheckError(f"{where}: target {name!r} has a non-finite bound; leave the side out for no limit")
    return bound


def _band(raw, *, where: str, name: str) -> Band:
    if not isinstance(raw, dict) or not set(raw) <= {"low", "high"}:
        raise TonecheckError(
            f"{where}: target {name!r} must be an object with 'low' and/or 'high'; see README 'Targets'"
        )
    low = _bound(raw["low"], where=where, name=name, default=None) if "low" in raw else -math.inf
    high = _bound(raw["high"], where=where, name=name, default=None) if "high" in raw else math.inf
    band = Band(low, high)
    if band.low > band.high:
        raise TonecheckError(f"{where}: target {name!r} has low {band.low:g} above high {band.high:g}; swap them")
    return band


RETIRED = {"energy_index": "intensity_index"}
"""Targets that no longer exist -> their replacement (refused with a message naming it)."""


def _from_mapping(data: dict, *, base: Targets | None, where: str) -> Targets:
    names = {f.name for f in fields(Targets)}
    for old, new in RETIRED.items():
        if old in data:
            raise TonecheckError(
                f"{where}: target {old!r} was replaced by {new!r} (emotional intensity 0-10, independent of "
                f'recording gain); rename it and give a 0-10 band, e.g. {{"low": 3.5, "high": 7.5}}'
            )
    unknown = set(data) - names
    if unknown:
        raise TonecheckError(
            f"{where}: unknown target(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(names))}"
        )
    values = {k: (str(v) if k in ("version", "source") else _band(v, where=where, name=k)) for k, v in data.items()}
    if base is None:
        return Targets(**values)
    return replace(base, **values)


def default_targets() -> Targets:
    """The manual's targets shipped with tonecheck."""
    text = resources.files("tonecheck").joinpath("targets.json").read_text("utf-8")
    return _from_mapping(json.loads(text), base=None, where="targets.json")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _read(path, where: str) -> bytes:
    """The file's first bytes; only regular files are read (a FIFO or device would hang or never end)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore the flag
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise TonecheckError(
            f"{where}: cannot read targets file ({exc.strerror}); check the path",
            message=Message("error.targets_unreadable", {"file": where, "reason": exc.strerror}),
        ) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise TonecheckError(
                f"{where}: targets file is not a regular file; give a JSON file",
                message=Message("error.targets_unreadable", {"file": where, "reason": "not a regular file"}),
            )
        fh = os.fdopen(fd, "rb")  # owns fd from here on
    except BaseException:
        os.close(fd)
        raise
    with fh:
        raw = fh.read(MAX_TARGETS_BYTES + 1)
    if len(raw) > MAX_TARGETS_BYTES:
        raise TonecheckError(
            f"{where}: targets file is larger than {MAX_TARGETS_BYTES // 1024} KB; give a small JSON file"
        )
    return raw


def _parse(raw: bytes, where: str) -> dict:
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise TonecheckError(f"{where}: targets file is not UTF-8 text; save it as UTF-8 JSON") from exc
    except RecursionError as exc:
        raise TonecheckError(f"{where}: targets file is nested too deeply; see README 'Targets' for the shape") from exc
    except ValueError as exc:
        raise TonecheckError(f"{where}: targets file is not valid JSON ({exc}); fix the syntax") from exc
    if not isinstance(data, dict):
        raise TonecheckError(f"{where}: targets file must hold a JSON object; see README 'Targets'")
    return data


def load_targets(path) -> Targets:
    """Defaults overridden by the JSON file at ``path``.

    Raises
    ------
    TonecheckError
        The file is missing, not a regular file, larger than 64 KB, not
        JSON, nested too deeply, holds NaN/Infinity or numbers too large,
        or names unknown targets. The error carries a catalog message
        (``error.targets_*``) for the report language.
    """
    where = display_name(path)
    try:
        data = _parse(_read(path, where), where)
        merged = _from_mapping(data, base=default_targets(), where=where)
    except TonecheckError as exc:
        if exc.message is None:
            detail = str(exc).removeprefix(f"{where}: ").split("; ")[0]
            exc.message = Message("error.targets_invalid", {"file": where, "detail": detail})
        raise
    if "version" not in data:
        merged = replace(merged, version=f"{merged.version}+{display_name(Path(path).name)}")
    return merged
