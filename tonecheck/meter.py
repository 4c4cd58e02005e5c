"""Measurements on a recording's original samples: peak, clipping, telephone band, two voices.

:class:`SourceMeter` sees every block before it is mixed and resampled, so
levels are those of the file, not of the analysis copy.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .recording import Source, input_error

__all__ = ["SourceMeter", "CLIP_LEVEL", "TELEPHONE_EDGE_HZ", "TELEPHONE_RATIO_DB", "two_voices"]

CLIP_LEVEL = 0.999  # clipped at/above this fraction of the format's full scale
TELEPHONE_EDGE_HZ = 4000.0  # band edge of audio that passed through an 8 kHz phone line
TELEPHONE_RATIO_DB = -40.0  # energy above 1.05 x edge vs total: below = telephone band
_SPECTRUM_BLOCKS = 32  # blocks sampled (evenly) for the telephone-band test
ENVELOPE_S = 0.05  # s; energy envelope step of channels 1 and 2, for the two-voices test
ACTIVE_RANGE_DB = 25.0  # a channel is active within this many dB of its own loud level
SILENT_CHANNEL_DBFS = -70.0  # a channel whose loud level is below this carries no voice
TWO_VOICES_EXCLUSIVE = 0.5  # share of active time with only one channel active: two voices above
TWO_VOICES_EACH = 0.05  # ... and each channel active alone at least this share


class SourceMeter:
    """Peak, clipping and high-band energy of the original samples, block by block."""

    def __init__(self, src: Source, n_blocks: int | None):
        self.src = src
        self.clip_level = CLIP_LEVEL * src.full_scale
        self.peak = 0.0
        self.count = 0
        self.clipped = 0
        self.plateaus: dict[float, int] = {}  # |value| -> samples in runs of >= 4
        self.stride = max(1, (n_blocks or 1) // _SPECTRUM_BLOCKS)
        self.band = np.zeros(2)  # energy above TELEPHONE_EDGE_HZ, total energy
        self.blocks = 0
        self.env_step = max(1, round(ENVELOPE_S * src.sr))  # frames per envelope value
        self.envelopes: list[np.ndarray] = []  # (steps, 2) float32 mean square of channels 1 and 2
        self.selector: np.ndarray | None = None

    def add(self, block: np.ndarray) -> None:
        """Measure a (frames, channels) block of the analysed channels."""
        a = np.abs(block)
        peak = float(a.max(initial=0.0))
        if not math.isfinite(peak):
            raise input_error(self.src.path, "contains NaN or infinite samples", "re-export the recording as PCM WAV")
        self.peak = max(self.peak, peak)
        clip = a >= self.clip_level
        self.clipped += int(np.count_nonzero(clip))
        self.count += a.size
        if self.src.flat_tops and len(block) >= 4:
            self._plateaus(block, a, clip)
        if block.shape[1] >= 2:
            self._envelope(block)

    def _envelope(self, block: np.ndarray) -> None:
        """Mean square of channels 1 and 2 per :data:`ENVELOPE_S` (the block's tail, < 50 ms, is skipped)."""
        steps = len(block) // self.env_step
        if not steps:
            return
        if self.selector is None:  # sums every other value of a row: (step * 2, 2), 1 / step on the diagonals
            self.selector = np.tile(np.eye(2, dtype=np.float32), (self.env_step, 1)) / np.float32(self.env_step)
        square = np.square(block[: steps * self.env_step, :2])  # (frames, 2), contiguous; a strided subset is slower
        self.envelopes.append(square.reshape(steps, 2 * self.env_step) @ self.selector)  # ~8x faster than einsum

    def two_voices(self) -> bool:
        """True when channels 1 and 2 carry different voices (see :func:`two_voices`)."""
        if not self.envelopes:
            return False
        return two_voices(np.concatenate(self.envelopes))

    def _plateaus(self, block: np.ndarray, a: np.ndarray, clip: np.ndarray) -> None:
        # runs of >= 4 equal samples: a clean tone's peak rounds to at most 3
        same = (block[1:] == block[:-1]) & (a[1:] >= 0.5 * self.peak) & ~clip[1:]
        start = same[:-2] & same[1:-1] & same[2:]  # block[i] == ... == block[i + 3]
        if not start.any():
            return
        mask = np.zeros(a.shape, bool)
        for k in range(4):
            mask[k : len(mask) - 3 + k] |= start
        values, counts = np.unique(a[mask], return_counts=True)
        for v, c in zip(values.tolist(), counts.tolist()):
            self.plateaus[v] = self.plateaus.get(v, 0) + c
        if len(self.plateaus) > 4096:
            self.plateaus = {v: c for v, c in self.plateaus.items() if v >= 0.99 * self.peak}

    def add_mono(self, mono: np.ndarray) -> None:
        """Accumulate high-band energy of every ``stride``-th mono block."""
        self.blocks += 1
        if (self.blocks - 1) % self.stride or len(mono) < 256:
            return
        power = np.abs(np.fft.rfft(mono * _hann(len(mono)))) ** 2
        freqs = np.fft.rfftfreq(len(mono), 1.0 / self.src.sr)
        self.band += (power[freqs >= 1.05 * TELEPHONE_EDGE_HZ].sum(), power[1:].sum())

    def clipped_fraction(self) -> float:
        """Share of measured samples that are clipped."""
        runs = sum(c for v, c in self.plateaus.items() if v >= 0.99 * self.peak)
        return (self.clipped + runs) / self.count if self.count else 0.0

    def telephone_band(self) -> bool:
        """True when the source rate or the spectrum says 8 kHz telephone audio."""
        if self.src.sr < 2 * 1.1 * TELEPHONE_EDGE_HZ:
            return True
        high, total = self.band
        return total > 0 and 10 * math.log10(max(high, 1e-300) / total) < TELEPHONE_RATIO_DB


def two_voices(power: np.ndarray) -> bool:
    """Whether two channels' energy envelopes come from two different voices.

    One voice, however it reaches the two channels (duplicated, panned, a
    stereo microphone's delay and level difference), makes both channels
    active together. Two voices on separate channels (a call recorded
    agent left, caller right) make one channel active while the other is
    quiet. Each channel is judged against its own loud level, so a gain
    difference between the channels does not matter.

    Parameters
    ----------
    power : np.ndarray [shape=(steps, 2)]
        Mean-square amplitude (full scale 1) of each channel per
        :data:`ENVELOPE_S`.

    Returns
    -------
    bool
        True when more than :data:`TWO_VOICES_EXCLUSIVE` of the active time
        has only one channel active and each channel is active alone for at
        least :data:`TWO_VOICES_EACH` of it.
    """
    if len(power) < round(1.0 / ENVELOPE_S):
        return False
    level_db = 10 * np.log10(np.maximum(power, 1e-12))
    loud_db = np.percentile(level_db, 99, axis=0)
    floor_db = np.percentile(level_db, 10, axis=0)
    threshold_db = np.maximum(loud_db - ACTIVE_RANGE_DB, floor_db + 6.0)
    active = (level_db > threshold_db) & (loud_db > SILENT_CHANNEL_DBFS)
    either = np.count_nonzero(active.any(axis=1))
    if not either:
        return False
    alone = np.count_nonzero(active & ~active[:, ::-1], axis=0) / either  # share active without the other
    return bool(alone.sum() > TWO_VOICES_EXCLUSIVE and alone.min() >= TWO_VOICES_EACH)


@functools.lru_cache(maxsize=8)
def _hann(n: int) -> np.ndarray:
    """The Hann window of ``n`` points (blocks repeat one length; computing it each time cost 10 % of a load)."""
    window = np.hanning(n)
    window.flags.writeable = False
    return window
