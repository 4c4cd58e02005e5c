"""Per-language speaking-rate calibrations (``calibration/rate.json``).

Each language's calibration names the syllable-nucleus detector it was
fitted for and turns nuclei into words and (Mandarin) characters, with the
held-out error model of a stretch's rate (docs/calibration.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["RateCalibration", "rate_calibration"]


@dataclass(frozen=True)
class RateCalibration:
    """Per-language calibration of nucleus counts and where it came from.

    Attributes
    ----------
    syllables_per_word : float
        Detected nuclei per word (words = nuclei / this).
    chars_per_nucleus : float
        Mandarin characters per detected nucleus (1.0 for English: unused).
    count_var_per_nucleus, rel_sd_floor : float
        Held-out error model of a rate from ``n`` nuclei: log-scale standard
        deviation ``sqrt(count_var_per_nucleus / n + rel_sd_floor**2)``.
    detector : str
        The nucleus detector the factors are fitted for: ``"three-band"``
        (:func:`syllable_nuclei` with the alpha-band powers) or
        ``"three-band+modulation"`` (also with the ``MODULATION_BANDS``
        powers: the consensus of both detectors).
    """

    version: str
    language: str
    syllables_per_word: float
    source: str
    chars_per_nucleus: float = 1.0
    count_var_per_nucleus: float = 1.0
    rel_sd_floor: float = 0.0
    detector: str = "three-band"

    @property
    def uses_modulation(self) -> bool:
        """Whether the detector needs the ``MODULATION_BANDS`` powers."""
        return self.detector == "three-band+modulation"


@cache
def rate_calibration(language: str) -> RateCalibration:
    """The shipped syllables-per-word calibration for ``language`` (en, zh)."""
    data = json.loads(resources.files("tonecheck.calibration").joinpath("rate.json").read_text("utf-8"))
    if language not in data["languages"]:
        raise ValueError(f"no rate calibration for language={language!r}; use one of {sorted(data['languages'])}")
    entry = data["languages"][language]
    return RateCalibration(
        data["version"],
        language,
        float(entry["syllables_per_word"]),
        entry["source"],
        chars_per_nucleus=float(entry.get("chars_per_nucleus", 1.0)),
        count_var_per_nucleus=float(data["uncertainty"]["count_var_per_nucleus"]),
        rel_sd_floor=float(entry["rel_sd_floor"]),
        detector=entry.get("detector", "three-band"),
    )
