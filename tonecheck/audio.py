"""Read recordings into analysis-rate mono :class:`Audio`, in bounded memory.

Every recording is analysed at :data:`ANALYSIS_SR` (8 kHz) mono, so wideband
and telephone audio are measured alike. Files are streamed in blocks of
:data:`BLOCK_FRAMES` frames: each block is measured (peak, clipping) on its
original samples, reduced to the requested channel and resampled with
``soxr.ResampleStream`` into one preallocated float32 array. Peak memory is
that array (about 230 MB for two hours at 8 kHz) plus a few blocks.

WAV (PCM, float, mu-law, A-law), FLAC, OGG and MP3 are read with soundfile;
phone-recorder formats (M4A, AAC, AMR, 3GP, WebM, ...) are decoded by
``ffmpeg`` through a pipe, without temporary files. Inputs are never opened
for writing.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Union

import numpy as np
import soundfile as sf
import soxr

from .errors import TonecheckError
from .messages import Message

__all__ = ["ANALYSIS_SR", "SUPPORTED_EXTENSIONS", "Audio", "load_audio", "from_array"]

logger = logging.getLogger(__name__)

ANALYSIS_SR = 8000  # Hz; every recording is analysed at this rate
MIN_SOURCE_SR = 8000  # Hz; lower source rates are rejected
MIN_DURATION_S = 0.5  # s; shorter recordings are rejected
BLOCK_FRAMES = 2**16  # frames read, measured and resampled at a time
CLIP_LEVEL = 0.999  # clipped at/above this fraction of the format's full scale
CLIP_NOTE_FRACTION = 0.001  # clipped share of samples that earns a note
DC_NOTE_LEVEL = 0.01  # DC offset (fraction of full scale, -40 dBFS) that earns a note
TELEPHONE_EDGE_HZ = 4000.0  # band edge of audio that passed through an 8 kHz phone line
TELEPHONE_RATIO_DB = -40.0  # energy above 1.05 x edge vs total: below = telephone band
LONG_RECORDING_S = 3600.0  # s; longer recordings get a note

_SOUNDFILE_EXTENSIONS = {".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3",
                         ".aif", ".aiff", ".au", ".caf", ".w64", ".rf64"}
_FFMPEG_EXTENSIONS = {".m4a", ".mp4", ".aac", ".amr", ".3gp", ".3ga", ".webm", ".mka", ".wma"}
SUPPORTED_EXTENSIONS = frozenset(_SOUNDFILE_EXTENSIONS | _FFMPEG_EXTENSIONS)
"""Lowercase extensions, with the dot, that :func:`load_audio` reads (compare
with ``os.path.splitext(p)[1].lower()``). The ffmpeg ones need ffmpeg on PATH."""

_FULL_SCALE = {"PCM_S8": 127 / 128, "PCM_U8": 127 / 128, "PCM_16": 32767 / 32768,
               "PCM_24": 1 - 2**-23, "ULAW": 32124 / 32768, "ALAW": 32256 / 32768}
# flat-top (plateau) clipping is looked for only where quantization is fine enough
_PLATEAU_SUBTYPES = {"PCM_16", "PCM_24", "PCM_32"}
_LOSSY_FORMATS = {"MP3", "OGG"}
_SILENCE_PEAK = 2.0**-24  # below one 24-bit step: digital silence
_SPECTRUM_BLOCKS = 32  # blocks sampled (evenly) for the telephone-band test
_CHANNEL_NAMES = {"mix": None, "left": 0, "right": 1}


@dataclass(frozen=True, eq=False)  # eq=False: identity semantics, arrays do not compare
class Audio:
    """A recording reduced to one channel at the analysis rate.

    Attributes
    ----------
    samples : np.ndarray [shape=(n,), dtype=float32]
        Read-only mono signal at ``sr``, full scale +-1, DC offset removed.
    sr : int
        Sample rate of ``samples`` in Hz (:data:`ANALYSIS_SR` by default).
    path : str
        The path as given by the caller, for messages.
    source_sr, source_channels : int
        The file's own sample rate (Hz) and channel count.
    channel : str
        What was analysed: ``"mix"`` (mean of all channels), ``"left"``,
        ``"right"`` or a 1-based channel number such as ``"3"``.
    duration_s : float
        Duration of the file in seconds (frames decoded / ``source_sr``).
    format : str
        Container and encoding, e.g. ``"WAV PCM_16"``, ``"MP3"``, ``"M4A aac (ffmpeg)"``.
    clipped_fraction : float in [0, 1]
        Share of the analysed channels' original samples at full scale
        (``>= 0.999`` of the format's maximum) or, for 16-32 bit PCM, in runs
        of four or more identical values within 1 % of the file's peak.
    peak_dbfs : float
        Peak of the analysed channels' original samples in dBFS
        (``-inf`` for digital silence, above 0 for overloaded float files).
    notes : tuple of Message
        Soft problems as short English sentences.
    """

    samples: np.ndarray
    sr: int
    path: str
    source_sr: int
    source_channels: int
    channel: str
    duration_s: float
    format: str
    clipped_fraction: float
    peak_dbfs: float
    notes: tuple


@dataclass(frozen=True)
class _Source:
    """What is known about an input before its samples are read."""

    path: str
    format: str
    sr: int
    channels: int
    frames: int | None  # expected frames; None when unknown
    full_scale: float = 1.0
    flat_tops: bool = False  # look for plateau clipping (16-32 bit PCM)


def _error(name: str, problem: str, fix: str) -> TonecheckError:
    """One-line ``"<file>: <problem>; <fix>"`` error."""
    text = f"{name}: {problem}; {fix}"
    return TonecheckError(text.replace("\r", " ").replace("\n", " "))


class _Meter:
    """Peak, clipping and high-band energy of the original samples, block by block."""

    def __init__(self, src: _Source, n_blocks: int | None):
        self.src = src
        self.clip_level = CLIP_LEVEL * src.full_scale
        self.peak = 0.0
        self.count = 0
        self.clipped = 0
        self.plateaus: dict[float, int] = {}  # |value| -> samples in runs of >= 4
        self.stride = max(1, (n_blocks or 1) // _SPECTRUM_BLOCKS)
        self.band = np.zeros(2)  # energy above TELEPHONE_EDGE_HZ, total energy
        self.blocks = 0

    def add(self, block: np.ndarray) -> None:
        """Measure a (frames, channels) block of the analysed channels."""
        a = np.abs(block)
        peak = float(a.max(initial=0.0))
        if not math.isfinite(peak):
            raise _error(self.src.path, "contains NaN or infinite samples",
                         "re-export the recording as PCM WAV")
        self.peak = max(self.peak, peak)
        clip = a >= self.clip_level
        self.clipped += int(np.count_nonzero(clip))
        self.count += a.size
        if self.src.flat_tops and len(block) >= 4:
            self._plateaus(block, a, clip)

    def _plateaus(self, block: np.ndarray, a: np.ndarray, clip: np.ndarray) -> None:
        # runs of >= 4 equal samples: a clean tone's peak rounds to at most 3
        same = (block[1:] == block[:-1]) & (a[1:] >= 0.5 * self.peak) & ~clip[1:]
        start = same[:-2] & same[1:-1] & same[2:]  # block[i] == ... == block[i + 3]
        if not start.any():
            return
        mask = np.zeros(a.shape, bool)
        for k in range(4):
            mask[k:len(mask) - 3 + k] |= start
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
        power = np.abs(np.fft.rfft(mono * np.hanning(len(mono)))) ** 2
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


class _Pipeline:
    """Measure, reduce to one channel, resample and store blocks of a recording."""

    def __init__(self, src: _Source, index: int | None, sr: int):
        self.src, self.index, self.sr = src, index, sr
        n_blocks = None if src.frames is None else -(-src.frames // BLOCK_FRAMES)
        self.meter = _Meter(src, n_blocks)
        self.resampler = (None if src.sr == sr
                          else soxr.ResampleStream(src.sr, sr, 1, dtype="float32", quality="HQ"))
        expected = src.frames if src.frames is not None else 60 * src.sr
        self.out = np.empty(math.ceil(expected * sr / src.sr) + 64, np.float32)
        self.n_out = 0
        self.frames = 0

    def feed(self, block: np.ndarray) -> None:
        """Process one (frames, channels) float32 block of the source."""
        sel = block if self.index is None else block[:, self.index:self.index + 1]
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
            grown[:self.n_out] = self.out[:self.n_out]
            self.out = grown
        self.out[self.n_out:end] = y
        self.n_out = end

    def finish(self, label: str, notes: list) -> Audio:
        """Flush the resampler, check the result and build the :class:`Audio`."""
        if self.resampler is not None:
            self._store(self.resampler.resample_chunk(np.zeros(0, np.float32), last=True))
        src, meter = self.src, self.meter
        duration_s = self.frames / src.sr
        if duration_s < MIN_DURATION_S:
            raise _error(src.path, f"recording is only {duration_s:.2f} s long",
                         "tonecheck needs at least 1 s of speech")
        peak_dbfs = 20 * math.log10(meter.peak) if meter.peak > 0 else -math.inf
        if meter.peak < _SILENCE_PEAK:
            raise _error(src.path, f"the recording is digital silence (peak {peak_dbfs:.0f} dBFS)",
                         "check the microphone or the channel")
        samples = self.out[:self.n_out]
        dc = float(samples.mean(dtype=np.float64))
        samples -= dc
        samples.flags.writeable = False
        notes = notes + _notes(src, self.index, meter, dc, duration_s)
        return Audio(samples=samples, sr=self.sr, path=src.path, source_sr=src.sr,
                     source_channels=src.channels, channel=label, duration_s=duration_s,
                     format=src.format, clipped_fraction=meter.clipped_fraction(),
                     peak_dbfs=peak_dbfs, notes=tuple(notes))


def _notes(src: _Source, index: int | None, meter: _Meter, dc: float,
           duration_s: float) -> list[Message]:
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


def _check_rate(sr: int, what: str) -> None:
    """A requested output rate must be a positive whole number of Hz (caller bug otherwise)."""
    if not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ValueError(f"{what}={sr!r} must be a positive integer number of Hz")


def _parse_channel(channel: Union[str, int], name: str) -> tuple[str, int | None]:
    """``channel`` -> (label, 0-based index or None for the mix)."""
    text = str(channel).strip().lower()
    if text in _CHANNEL_NAMES:
        return text, _CHANNEL_NAMES[text]
    if text.isdigit() and int(text) >= 1:
        return str(int(text)), int(text) - 1
    raise _error(name, f"unknown channel {channel!r}",
                 "use mix, left, right or a channel number counted from 1")


def _check_source(src: _Source, label: str, index: int | None) -> None:
    """Reject sample rates below 8 kHz and channels the file does not have."""
    if src.sr < MIN_SOURCE_SR:
        raise _error(src.path, f"sample rate {src.sr} Hz is below the {MIN_SOURCE_SR} Hz "
                     "tonecheck needs", "use a recording made at 8 kHz or more")
    if index is not None and index >= src.channels:
        names = "mix or 1" if src.channels == 1 else f"mix, left, right or 1-{src.channels}"
        plural = "" if src.channels == 1 else "s"
        raise _error(src.path, f"channel {label} requested but the file has "
                     f"{src.channels} channel{plural}", f"choose {names}")


def _check_file(name: str) -> None:
    """Missing, unreadable, folder or empty -> :class:`TonecheckError`."""
    if os.path.isdir(name):
        raise _error(name, "is a folder, not a recording", "pass one audio file")
    try:
        with open(name, "rb"):  # read-only probe for a precise OS error
            pass
        size = os.path.getsize(name)
    except FileNotFoundError as exc:
        raise _error(name, "no such file", "check the path") from exc
    except OSError as exc:
        raise _error(name, f"cannot be read ({exc.strerror})",
                     "check the path and the file permissions") from exc
    if size == 0:
        raise _error(name, "the file is empty (0 bytes)", "record or copy it again")


def _riff_truncation(name: str) -> tuple[float, float] | None:
    """(promised, present) seconds if a RIFF WAV's data chunk is cut short."""
    size = os.path.getsize(name)
    rate, align = 0, 0
    with open(name, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            cid, csize = struct.unpack("<4sI", fh.read(8))
            if cid == b"fmt " and csize >= 16:
                _, _, rate, _, align = struct.unpack("<HHIIH", fh.read(14))
            if cid == b"data":
                present = size - pos - 8
                if csize <= present or csize == 0xFFFFFFFF or not rate or not align:
                    return None  # complete, or a streaming placeholder size
                return csize / align / rate, present // align / rate
            pos += 8 + csize + (csize & 1)
    return None


def _sf_blocks(f: sf.SoundFile) -> Iterator[np.ndarray]:
    """(frames, channels) float32 blocks, reusing one buffer."""
    buf = np.empty((BLOCK_FRAMES, f.channels), np.float32)
    while True:
        block = f.read(BLOCK_FRAMES, dtype="float32", always_2d=True, out=buf)
        if not len(block):
            return
        yield block


def _load_soundfile(name: str, label: str, index: int | None, sr: int) -> Audio:
    """Stream a file libsndfile can read (falls back to ffmpeg if it cannot)."""
    try:
        f = sf.SoundFile(name)
    except sf.LibsndfileError as exc:
        if shutil.which("ffmpeg") and shutil.which("ffprobe"):
            try:
                return _load_ffmpeg(name, label, index, sr)
            except TonecheckError:
                pass
        raise _error(name, f"not a readable audio file ({exc.error_string.rstrip('.')})",
                     "check that it is a recording, or convert it to WAV") from exc
    with f:
        fmt = "MP3" if f.format == "MP3" else f"{f.format} {f.subtype}"
        src = _Source(name, fmt, f.samplerate, f.channels, f.frames,
                      _FULL_SCALE.get(f.subtype, 1.0), f.subtype in _PLATEAU_SUBTYPES)
        _check_source(src, label, index)
        cut = _riff_truncation(name) if f.format in ("WAV", "WAVEX") else None
        if cut:
            raise _error(name, f"truncated WAV: the header promises {cut[0]:.2f} s but the "
                         f"file holds {cut[1]:.2f} s", "copy or export the recording again")
        pipe = _Pipeline(src, index, sr)
        try:
            for block in _sf_blocks(f):
                pipe.feed(block)
        except sf.LibsndfileError as exc:
            raise _error(name, f"truncated or damaged {f.format} data "
                         f"({exc.error_string.rstrip('.')})",
                         "copy or export the recording again") from exc
    got_s, promised_s = pipe.frames / src.sr, (src.frames or 0) / src.sr
    if got_s >= 0.99 * promised_s:
        return pipe.finish(label, [])
    if src.format.split()[0] not in _LOSSY_FORMATS:  # lossless: the header is exact
        raise _error(name, f"truncated {src.format}: decoded {got_s:.2f} s of {promised_s:.2f} s",
                     "copy or export the recording again")
    return pipe.finish(label, [f"possibly truncated: decoded {got_s:.1f} s of the "
                              f"{promised_s:.1f} s the header announces"])


def _last_line(stderr: str, name: str) -> str:
    """Last line of ffmpeg's error output, without the file name it repeats."""
    line = (stderr.strip().splitlines() or ["unknown error"])[-1]
    return line.replace("file:" + os.path.abspath(name) + ": ", "")


def _ffprobe(name: str, ext: str) -> _Source:
    """Sample rate, channels and duration of the first audio stream, via ffprobe."""
    cmd = [shutil.which("ffprobe") or "ffprobe", "-v", "error", "-select_streams", "a:0",
           "-show_entries", "stream=codec_name,sample_rate,channels,duration:format=duration",
           "-of", "json", "file:" + os.path.abspath(name)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    if res.returncode != 0:
        raise _error(name, f"not a readable audio file (ffmpeg: {_last_line(res.stderr, name)})",
                     "check that it is a recording, or convert it to WAV") from \
            subprocess.CalledProcessError(res.returncode, cmd, stderr=res.stderr)
    info = json.loads(res.stdout or "{}")
    if not info.get("streams"):
        raise _error(name, "contains no audio stream", "check that it is a recording")
    stream = info["streams"][0]
    duration = stream.get("duration") or info.get("format", {}).get("duration")
    rate = int(stream.get("sample_rate") or 0)
    frames = int(float(duration) * rate) if duration not in (None, "N/A") else None
    fmt = f"{ext.lstrip('.').upper()} {stream.get('codec_name', '?')} (ffmpeg)"
    return _Source(name, fmt.strip(), rate, int(stream.get("channels") or 0), frames)


def _pipe_blocks(stream: BinaryIO, channels: int) -> Iterator[np.ndarray]:
    """(frames, channels) float32 blocks from raw little-endian float32 on ``stream``."""
    buf = bytearray(BLOCK_FRAMES * channels * 4)
    view = memoryview(buf)
    while True:
        filled = 0
        while filled < len(buf):
            n = stream.readinto(view[filled:])
            if not n:
                break
            filled += n
        frames = filled // (4 * channels)
        if frames:
            yield np.frombuffer(buf, "<f4", frames * channels).reshape(frames, channels)
        if filled < len(buf):
            return


def _load_ffmpeg(name: str, label: str, index: int | None, sr: int) -> Audio:
    """Decode with ffmpeg to raw float32 on a pipe and stream it."""
    ext = os.path.splitext(name)[1].lower()
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        raise _error(name, f"{ext or 'this'} files are decoded with ffmpeg, which is not on PATH",
                     "install ffmpeg (https://ffmpeg.org/download.html) or convert the file to WAV")
    src = _ffprobe(name, ext)
    if src.channels < 1:
        raise _error(name, "ffmpeg reports no audio channels", "convert the file to WAV")
    _check_source(src, label, index)
    cmd = [shutil.which("ffmpeg") or "ffmpeg", "-nostdin", "-v", "error",
           "-i", "file:" + os.path.abspath(name), "-map", "0:a:0", "-ac", str(src.channels),
           "-ar", str(src.sr), "-f", "f32le", "-c:a", "pcm_f32le", "pipe:1"]
    pipe = _Pipeline(src, index, sr)
    with tempfile.TemporaryFile() as err, \
            subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err) as proc:
        try:
            for block in _pipe_blocks(proc.stdout, src.channels):
                pipe.feed(block)
        except BaseException:
            proc.kill()
            raise
        if proc.wait() != 0:
            err.seek(0)
            why = _last_line(err.read().decode(errors="replace"), name)
            raise _error(name, f"ffmpeg could not decode it ({why})",
                         "check the file, or convert it to WAV") from \
                subprocess.CalledProcessError(proc.returncode, cmd)
    return pipe.finish(label, [])


def load_audio(path: Union[str, os.PathLike], *, channel: Union[str, int] = "mix",
               sr: int = ANALYSIS_SR) -> Audio:
    """Read a recording into mono :class:`Audio` at ``sr``, in bounded memory.

    Parameters
    ----------
    path : str or os.PathLike
        Audio file; see :data:`SUPPORTED_EXTENSIONS`. Opened read-only.
    channel : {"mix", "left", "right"} or int >= 1 or its string
        ``"mix"`` averages all channels; ``"left"``/``"right"`` are channels
        1 and 2; a number selects that channel, counted from 1.
    sr : int > 0
        Output sample rate in Hz; leave at :data:`ANALYSIS_SR` for analysis.

    Returns
    -------
    audio : Audio
        Read-only float32 samples plus source metadata, levels and notes.

    Raises
    ------
    TonecheckError
        Missing, empty, non-audio, truncated or undecodable file; a folder;
        source rate below 8 kHz; channel out of range; ffmpeg needed but
        missing; shorter than 0.5 s; digital silence.
    """
    name = os.fspath(path)
    _check_rate(sr, "sr")
    label, index = _parse_channel(channel, name)
    _check_file(name)
    start = time.perf_counter()
    if os.path.splitext(name)[1].lower() in _FFMPEG_EXTENSIONS:
        audio = _load_ffmpeg(name, label, index, sr)
    else:
        audio = _load_soundfile(name, label, index, sr)
    logger.debug("%s: %s, %d ch at %d Hz, %.1f s, loaded in %.2f s", name, audio.format,
                audio.source_channels, audio.source_sr, audio.duration_s,
                time.perf_counter() - start)
    return audio


def from_array(samples: np.ndarray, *, sr: int, path: str = "<array>",
               channel: Union[str, int] = "mix", analysis_sr: int = ANALYSIS_SR) -> Audio:
    """Build :class:`Audio` from an in-memory signal, exactly as a file would be.

    Parameters
    ----------
    samples : np.ndarray [shape=(n,) or (n, channels)]
        Float samples (full scale +-1) or integer PCM (scaled by its dtype);
        channels last, as ``soundfile.read`` returns them.
    sr : int >= 8000
        Sample rate of ``samples`` in Hz.
    path : str
        Name used in messages and stored in :attr:`Audio.path`.
    channel : {"mix", "left", "right"} or int >= 1
        As for :func:`load_audio`.
    analysis_sr : int > 0
        Output sample rate in Hz.

    Returns
    -------
    audio : Audio
    """
    _check_rate(analysis_sr, "analysis_sr")
    x = np.asarray(samples)
    x = x[:, None] if x.ndim == 1 else x
    if x.ndim != 2 or x.shape[1] > x.shape[0] or not (
            np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.signedinteger)):
        raise _error(path, f"samples of shape {np.shape(samples)} and dtype {x.dtype}",
                     "pass a float or signed-integer array shaped (n,) or (n, channels)")
    label, index = _parse_channel(channel, path)
    integer = np.issubdtype(x.dtype, np.integer)
    scale = float(2 ** (8 * x.dtype.itemsize - 1)) if integer else 1.0
    src = _Source(path, f"array ({x.dtype})", int(sr), x.shape[1], len(x),
                  (scale - 1) / scale if integer else 1.0, integer and x.dtype.itemsize >= 2)
    _check_source(src, label, index)
    pipe = _Pipeline(src, index, analysis_sr)
    for start in range(0, len(x), BLOCK_FRAMES):
        pipe.feed(np.asarray(x[start:start + BLOCK_FRAMES], np.float32) / np.float32(scale))
    return pipe.finish(label, [])
