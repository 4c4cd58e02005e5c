"""The block pipeline: measure, reduce to one channel, resample, store.

Readers feed (frames, channels) float32 blocks of at most
:data:`BLOCK_FRAMES` frames; :meth:`Pipeline.finish` checks the result and
builds the :class:`~tonecheck.recording.Audio`.

Memory is bounded whatever the header claims: the analysis signal is held
in an array that grows as samples arrive, up to :data:`MEMORY_SAMPLES`;
longer signals are spilled to an unlinked temporary file
(:class:`~tonecheck.samplefile.SampleFile`) that the measurements read back
in blocks. Spilled or not, every sample is bit for bit the same.
"""

from __future__ import annotations

import math
import tempfile

import numpy as np
import soxr

from .errors import TonecheckError
from .messages import Message
from .meter import TELEPHONE_EDGE_HZ, SourceMeter
from .recording import Audio, Source, input_error
from .samplefile import SampleFile

__all__ = ["BLOCK_FRAMES", "MEMORY_SAMPLES", "MIN_DURATION_S", "LONG_RECORDING_S", "Pipeline"]

BLOCK_FRAMES = 2**16  # frames read, measured and resampled at a time
MEMORY_SAMPLES = 2**24  # analysis samples kept in memory (64 MB, 35 min at 8 kHz); longer ones spill to disk
INITIAL_S = 60.0  # s; first buffer size when the header gives no length
MIN_DURATION_S = 0.5  # s; shorter recordings are rejected
CLIP_NOTE_FRACTION = 0.001  # clipped share of samples that earns a note
DC_NOTE_LEVEL = 0.01  # DC offset (fraction of full scale, -40 dBFS) that earns a note
LONG_RECORDING_S = 3600.0  # s; longer recordings get a note
_SILENCE_PEAK = 2.0**-24  # below one 24-bit step: digital silence


class _Float64Sum:
    """Sum of float32 pieces, equal to the bits to ``np.sum(whole, dtype=np.float64)``.

    numpy casts a float32 array to float64 in buffers of ``np.getbufsize()``
    elements and adds each buffer's pairwise sum in turn; doing the same on
    the pieces makes a spilled recording's DC offset, hence every sample,
    identical to those of the same recording held in memory.
    """

    def __init__(self):
        self.size = np.getbufsize()
        self.acc = 0.0
        self.carry = np.empty(self.size, np.float32)
        self.n_carry = 0

    def add(self, y: np.ndarray) -> None:
        """Add float32 samples ``y``."""
        take = min(len(y), self.size - self.n_carry)
        self.carry[self.n_carry : self.n_carry + take] = y[:take]
        self.n_carry += take
        if self.n_carry < self.size:
            return
        self.acc += float(np.add.reduce(self.carry, dtype=np.float64))
        full = take + (len(y) - take) // self.size * self.size
        for a in range(take, full, self.size):
            self.acc += float(np.add.reduce(y[a : a + self.size], dtype=np.float64))
        self.n_carry = len(y) - full
        self.carry[: self.n_carry] = y[full:]

    def total(self) -> float:
        """The sum of everything added."""
        return self.acc + float(np.add.reduce(self.carry[: self.n_carry], dtype=np.float64))


class Pipeline:
    """Measure, reduce to one channel, resample and store blocks of a recording.

    The analysis signal is kept in memory up to ``memory_samples`` samples
    (grown geometrically: the header's length is only a hint, capped at
    that size) and spilled to a :class:`~tonecheck.samplefile.SampleFile`
    beyond, so peak memory does not grow with the recording's length.
    """

    def __init__(self, src: Source, index: int | None, sr: int, *, memory_samples: int | None = None):
        self.src, self.index, self.sr = src, index, sr
        n_blocks = None if src.frames is None else -(-src.frames // BLOCK_FRAMES)
        self.meter = SourceMeter(src, n_blocks)
        self.resampler = None if src.sr == sr else soxr.ResampleStream(src.sr, sr, 1, dtype="float32", quality="HQ")
        self.memory_samples = max(1, int(MEMORY_SAMPLES if memory_samples is None else memory_samples))
        hint = src.frames if src.frames is not None else int(INITIAL_S * src.sr)
        expected = max(0, math.ceil(hint * sr / src.sr)) + 64  # a hint only: it may lie
        self.out = np.empty(min(expected, self.memory_samples), np.float32)
        self.n_out = 0
        self.frames = 0
        self.spill: SampleFile | None = None
        self.spill_sum = _Float64Sum()  # sum of the spilled samples, for the DC offset
        if expected > self.memory_samples:  # announced as long: straight to disk (same samples either way)
            self._start_spill()

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
        if self.spill is None and end > self.memory_samples:
            self._start_spill()
        if self.spill is not None:
            self._write(y)
            return
        if end > len(self.out):  # the header's length was too short (or absent)
            grown = np.empty(min(max(end, int(len(self.out) * 1.5)), self.memory_samples), np.float32)
            grown[: self.n_out] = self.out[: self.n_out]
            self.out = grown
        self.out[self.n_out : end] = y
        self.n_out = end

    def _start_spill(self) -> None:
        """Move the samples held so far to a temporary file; later blocks go there too."""
        try:
            self.spill = SampleFile()
        except OSError as exc:
            raise self._disk_error(exc) from exc
        held, self.out, self.n_out = self.out[: self.n_out], np.empty(0, np.float32), 0
        self._write(held)

    def _write(self, y: np.ndarray) -> None:
        try:
            self.spill.append(y)
        except OSError as exc:
            raise self._disk_error(exc) from exc
        self.spill_sum.add(y)
        self.n_out += len(y)

    def _disk_error(self, exc: OSError) -> TonecheckError:
        return input_error(
            self.src.path,
            f"cannot keep the analysis signal of this long recording in a temporary file in "
            f"{tempfile.gettempdir()} ({exc.strerror or exc})",
            f"free disk space there or point TMPDIR to a folder with room ({self.sr * 4 * 3600 / 1e6:.0f} MB per hour)",
        )

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
                key="error.silence",
                peak=f"{peak_dbfs:.0f}",
            )
        samples, dc = self._samples()
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

    def _samples(self) -> tuple[np.ndarray | SampleFile, float]:
        """The stored signal with its DC offset removed, and that offset."""
        if self.spill is not None:
            dc = self.spill_sum.total() / self.n_out
            self.spill.seal(dc)
            return self.spill, dc
        samples = self.out[: self.n_out]
        dc = float(samples.mean(dtype=np.float64))
        samples -= dc
        samples.flags.writeable = False
        return samples, dc


def source_notes(src: Source, index: int | None, meter: SourceMeter, dc: float, duration_s: float) -> list[Message]:
    """Soft problems worth telling the user about (catalog messages)."""
    notes = []
    if meter.telephone_band():
        if src.sr < 2 * 1.1 * TELEPHONE_EDGE_HZ:
            notes.append(Message("note.telephone_rate", {"sr": src.sr}))
        else:
            notes.append(Message("note.telephone_band", {"sr": src.sr, "edge_khz": f"{TELEPHONE_EDGE_HZ / 1000:g}"}))
    if src.channels > 1 and index is None:
        two = meter.two_voices()  # the message already points to --channel
        notes.append(Message("note.two_voices") if two else Message("note.channels_mixed", {"channels": src.channels}))
    clipped = meter.clipped_fraction()
    if clipped > CLIP_NOTE_FRACTION:
        notes.append(Message("note.clipping", {"percent": f"{clipped:.1%}"}))
    if abs(dc) >= DC_NOTE_LEVEL:
        notes.append(Message("note.dc_offset", {"percent": f"{dc:+.1%}"}))
    if duration_s > LONG_RECORDING_S:
        notes.append(Message("note.long_recording", {"hours": f"{duration_s / 3600:.1f}"}))
    return notes
