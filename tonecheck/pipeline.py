"""The block pipeline: measure, reduce to one channel, resample, store.

Readers feed (frames, channels) float32 blocks of at most
:data:`BLOCK_FRAMES` frames; :meth:`Pipeline.finish` checks the result and
builds the :class:`~tonecheck.recording.Audio`.
"""

from __future__ import annotations

import math

import numpy as np
import soxr

from .messages import Message
from .meter import TELEPHONE_EDGE_HZ, SourceMeter
from .recording import Audio, Source, input_error

__all__ = ["BLOCK_FRAMES", "MIN_DURATION_S", "LONG_RECORDING_S", "Pipeline"]

BLOCK_FRAMES = 2**16  # frames read, measured and resampled at a time
MIN_DURATION_S = 0.5  # s; shorter recordings are rejected
CLIP_NOTE_FRACTION = 0.001  # clipped share of samples that earns a note
DC_NOTE_LEVEL = 0.01  # DC offset (fraction of full scale, -40 dBFS) that earns a note
LONG_RECORDING_S = 3600.0  # s; longer recordings get a note
_SILENCE_PEAK = 2.0**-24  # below one 24-bit step: digital silence


class Pipeline:
    """Measure, reduce to one channel, resample and store blocks of a recording."""

    def __init__(self, src: Source, index: int | None, sr: int):
        self.src, self.index, self.sr = src, index, sr
        n_blocks = None if src.frames is None else -(-src.frames // BLOCK_FRAMES)
        self.meter = SourceMeter(src, n_blocks)
        self.resampler = None if src.sr == sr else soxr.ResampleStream(src.sr, sr, 1, dtype="float32", quality="HQ")
        expected = src.frames if src.frames is not None else 60 * src.sr
        self.out = np.empty(math.ceil(expected * sr / src.sr) + 64, np.float32)
        self.n_out = 0
        self.frames = 0

    def feed(self, block: np.ndarray) -> None:
        """Process one (frames, channels) float32 block of the source."""
        sel = block if self.index is None else block[:, self.index : self.index + 1]
        self.meter.add(sel)
        if sel.shape[1] == 1:
            mono = np.ascontiguousarray(sel[:, 0])
        else:  # a matrix-vector product: ~30x faster than mean(axis=1) on (n, 2)
            mono = sel @ np.full(sel.shape[1], 1 / sel.shape[1], np.float32)
        self.meter.add_mono(mono)
        self.frames += len(block)
        self._store(mono if self.resampler is None else self.resampler.resample_chunk(mono))

    def _store(self, y: np.ndarray) -> None:
        end = self.n_out + len(y)
        if end > len(self.out):  # only when the expected length was too short
            grown = np.empty(max(end, int(len(self.out) * 1.25)), np.float32)
            grown[: self.n_out] = self.out[: self.n_out]
            self.out = grown
        self.out[self.n_out : end] = y
        self.n_out = end

    def finish(self, label: str, notes: list) -> Audio:
        """Flush the resampler, check the result and build the :class:`Audio`."""
        if self.resampler is not None:
            self._store(self.resampler.resample_chunk(np.zeros(0, np.float32), last=True))
        src, meter = self.src, self.meter
        duration_s = self.frames / src.sr
        if duration_s < MIN_DURATION_S:
            raise input_error(
                src.path, f"recording is only {duration_s:.2f} s long", "tonecheck needs at least 1 s of speech"
            )
        peak_dbfs = 20 * math.log10(meter.peak) if meter.peak > 0 else -math.inf
        if meter.peak < _SILENCE_PEAK:
            raise input_error(
                src.path,
                f"the recording is digital silence (peak {peak_dbfs:.0f} dBFS)",
                "check the microphone or the channel",
            )
        samples = self.out[: self.n_out]
        dc = float(samples.mean(dtype=np.float64))
        samples -= dc
        samples.flags.writeable = False
        notes = notes + source_notes(src, self.index, meter, dc, duration_s)
        return Audio(
            samples=samples,
            sr=self.sr,
            path=src.path,
            source_sr=src.sr,
            source_channels=src.channels,
            channel=label,
            duration_s=duration_s,
            format=src.format,
            clipped_fraction=meter.clipped_fraction(),
            peak_dbfs=peak_dbfs,
            notes=tuple(notes),
        )


def source_notes(src: Source, index: int | None, meter: SourceMeter, dc: float, duration_s: float) -> list[Message]:
    """Soft problems worth telling the user about (catalog messages)."""
    notes = []
    if meter.telephone_band():
        if src.sr < 2 * 1.1 * TELEPHONE_EDGE_HZ:
            notes.append(Message("note.telephone_rate", {"sr": src.sr}))
        else:
            notes.append(Message("note.telephone_band", {"sr": src.sr, "edge_khz": f"{TELEPHONE_EDGE_HZ / 1000:g}"}))
    if src.channels > 1 and index is None:
        notes.append(Message("note.channels_mixed", {"channels": src.channels}))
    clipped = meter.clipped_fraction()
    if clipped > CLIP_NOTE_FRACTION:
        notes.append(Message("note.clipping", {"percent": f"{clipped:.1%}"}))
    if abs(dc) >= DC_NOTE_LEVEL:
        notes.append(Message("note.dc_offset", {"percent": f"{dc:+.1%}"}))
    if duration_s > LONG_RECORDING_S:
        notes.append(Message("note.long_recording", {"hours": f"{duration_s / 3600:.1f}"}))
    return notes
