"""The training manual's targets, as data in one place.

The defaults ship in ``targets.json`` beside this module; ``--targets FILE``
(or :func:`load_targets`) overrides any subset of them with a JSON file of
the same shape.  Every figure is a band: below ``low`` is too little, above
``high`` too much; a missing side means "no limit".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path

from .errors import TonecheckError

__all__ = ["Band", "Targets", "default_targets", "load_targets"]


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
    energy_index: Band
    high_pitch_hz: Band
    pitch_rise_st: Band
    long_pause_s: Band

    def to_dict(self) -> dict:
        """JSON-ready form (the same shape ``--targets`` reads)."""
        out = {"version": self.version, "source": self.source}
        out.update(
            {f.name: getattr(self, f.name).to_dict() for f in fields(self) if isinstance(getattr(self, f.name), Band)}
        )
        return out


def _band(raw, *, where: str, name: str) -> Band:
    if not isinstance(raw, dict) or not set(raw) <= {"low", "high"}:
        raise TonecheckError(
            f"{where}: target {name!r} must be an object with 'low' and/or 'high'; see README 'Targets'"
        )
    try:
        band = Band(float(raw.get("low", -math.inf)), float(raw.get("high", math.inf)))
    except (TypeError, ValueError) as exc:
        raise TonecheckError(f"{where}: target {name!r} has a non-numeric bound; use numbers") from exc
    if band.low > band.high:
        raise TonecheckError(f"{where}: target {name!r} has low {band.low} above high {band.high}; swap them")
    return band


def _from_mapping(data: dict, *, base: Targets | None, where: str) -> Targets:
    names = {f.name for f in fields(Targets)}
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


def load_targets(path) -> Targets:
    """Defaults overridden by the JSON file at ``path``.

    Raises
    ------
    TonecheckError
        The file is missing, not JSON, or names unknown targets.
    """
    where = str(path)
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise TonecheckError(f"{where}: cannot read targets file ({exc.strerror}); check the path") from exc
    except ValueError as exc:
        raise TonecheckError(f"{where}: targets file is not valid JSON ({exc}); fix the syntax") from exc
    if not isinstance(data, dict):
        raise TonecheckError(f"{where}: targets file must hold a JSON object; see README 'Targets'")
    merged = _from_mapping(data, base=default_targets(), where=where)
    if "version" not in data:
        merged = replace(merged, version=f"{merged.version}+{Path(path).name}")
    return merged
