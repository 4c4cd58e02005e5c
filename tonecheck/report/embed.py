"""The recording, compressed, for a self-contained HTML report (``--embed-audio``).

The analysis-rate signal (:attr:`tonecheck.recording.Audio.samples`, 8 kHz
mono: telephone band, which is what the measures hear) is encoded with
libsndfile (through soundfile), so no ffmpeg is needed.

* **MP3** (the default): every browser plays it, Safari included, which
  plays no Ogg Vorbis. The signal is resampled to 16 kHz (MPEG-2 Layer
  III; 8 kHz MP3 is the non-standard MPEG-2.5) and encoded at a constant
  16 kbit/s (libsndfile compression level 0.95), so 10 minutes take
  1.2 MB (1.6 MB as base64 in the page), on any content; about 116x
  realtime on a real 245 s call. A constant bit rate keeps seeking exact
  in every browser (time maps linearly to bytes). Constant-rate files carry
  no gapless tag, so the decoder plays the encoder's lead-in (1105 samples
  at 16 kHz) first; that many samples are cut from the start of the
  signal, so the decoded audio lines up with the report's time axis (only
  the first 69 ms of the recording are lost). The lead-in is measured once
  per process and codec (zero for the Ogg codecs, whose files say where
  the signal starts).
* **Ogg Vorbis** at compression level 0.9 (quality 0.1): 11-19 kbit/s on
  real speech, at most about 1.4 MB per 10 minutes; Chrome, Edge and
  Firefox play it, older Safari does not.
* **Ogg Opus** at compression level 0.95: 19.5-22 kbit/s, but only about 85x
  realtime (libsndfile runs libopus at its highest complexity).

A codec this libsndfile lacks is replaced by the next one in that order.

API
---
encode_audio(audio, *, codec="mp3") -> (mime, bytes)
audio_data_uri(audio, *, codec="mp3") -> str        "data:audio/mpeg;base64,..."
audio_element(uri, *, label) -> str                  the page's one ``<audio id="call-audio">``
seek_button(start_s, *, label, play) -> str          a button that plays from ``start_s``
PLAYBACK_SCRIPT  ties playback to the page: ``[data-seek-s]`` elements and figures carrying a time axis
EMBED_CODECS
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass

import numpy as np
import soundfile as sf
import soxr

from ..errors import TonecheckError
from ..recording import display_name
from .page import escape

__all__ = [
    "Codec",
    "encode_audio",
    "audio_data_uri",
    "audio_element",
    "seek_button",
    "PLAYBACK_SCRIPT",
    "EMBED_CODECS",
    "DEFAULT_CODEC",
]


@dataclass(frozen=True)
class Codec:
    """How libsndfile writes one embedded format."""

    container: str
    """libsndfile major format (``"MP3"``, ``"OGG"``)."""
    subtype: str
    """libsndfile subtype."""
    level: float
    """libsndfile compression level, 0-1."""
    mime: str
    """MIME type of the encoded file."""
    rate_hz: int | None = None
    """Encode at this sample rate (``None``: the recording's)."""
    bitrate_mode: str | None = None
    """libsndfile bit-rate mode (``"CONSTANT"``), or ``None`` for its default."""


EMBED_CODECS = {
    "mp3": Codec("MP3", "MPEG_LAYER_III", 0.95, "audio/mpeg", rate_hz=16000, bitrate_mode="CONSTANT"),
    "vorbis": Codec("OGG", "VORBIS", 0.9, "audio/ogg; codecs=vorbis"),
    "opus": Codec("OGG", "OPUS", 0.95, "audio/ogg; codecs=opus"),
}
"""Codec name -> :class:`Codec`, in the order tried when the preferred one is missing."""
DEFAULT_CODEC = "mp3"
OPUS_RATES_HZ = (8000, 12000, 16000, 24000, 48000)
"""Sample rates the Opus encoder accepts."""
BLOCK_SAMPLES = 16384
"""Samples written per call: long recordings (a SampleFile on disk) are never read whole,
and libsndfile's encoders are given small buffers."""


def _usable_codec(codec: str, sr: int, path: str) -> Codec:
    """``codec`` if this libsndfile writes it at ``sr``, else the first of the others that it writes."""
    if codec not in EMBED_CODECS:
        raise ValueError(f"codec must be one of {sorted(EMBED_CODECS)}, not {codec!r}")

    def usable(name: str) -> bool:
        c = EMBED_CODECS[name]
        rate = c.rate_hz or sr
        return c.subtype in sf.available_subtypes(c.container) and (name != "opus" or rate in OPUS_RATES_HZ)

    for name in (codec, *EMBED_CODECS):
        if usable(name):
            return EMBED_CODECS[name]
    raise TonecheckError(
        f"{display_name(path)}: cannot embed the audio: libsndfile {sf.__libsndfile_version__} "
        "writes none of MP3, Ogg Vorbis and Ogg Opus; update soundfile or leave out --embed-audio"
    )


def _blocks(samples, sr: int, rate_hz: int | None):
    """``samples`` in float32 blocks clipped to +-1, resampled to ``rate_hz`` on the way (never read whole)."""
    stream = soxr.ResampleStream(sr, rate_hz, 1, dtype="float32") if rate_hz and rate_hz != sr else None
    n = len(samples)
    for start in range(0, max(n, 1), BLOCK_SAMPLES):
        block = np.clip(np.asarray(samples[start : start + BLOCK_SAMPLES], dtype=np.float32), -1.0, 1.0)
        yield block if stream is None else stream.resample_chunk(block, last=start + BLOCK_SAMPLES >= n)


def _write(codec: Codec, rate: int, blocks, skip: int = 0) -> bytes:
    """The encoded file of ``blocks`` (at ``rate``), without their first ``skip`` samples."""
    buf = io.BytesIO()
    kw = {"samplerate": rate, "channels": 1, "format": codec.container, "subtype": codec.subtype}
    with sf.SoundFile(buf, "w", compression_level=codec.level, bitrate_mode=codec.bitrate_mode, **kw) as out:
        for block in blocks:
            if skip:
                cut = min(skip, block.size)
                block, skip = block[cut:], skip - cut
            if block.size:
                out.write(block)
    return buf.getvalue()


@functools.cache
def _lead_in_samples(codec: Codec, rate: int) -> int:
    """Samples of silence the encoder and decoder put before the signal (0 when the file says so).

    Measured once per process on a probe (a 50 ms noise burst at 0.5 s),
    decoded by libsndfile's decoder, which honours a gapless tag as
    browsers do.
    """
    rng = np.random.default_rng(0)
    probe = np.zeros(rate, np.float32)
    at, width = rate // 2, rate // 20
    probe[at : at + width] = 0.5 * rng.standard_normal(width).astype(np.float32)
    decoded, _ = sf.read(io.BytesIO(_write(codec, rate, [probe])), dtype="float32")
    decoded = decoded if decoded.ndim == 1 else decoded[:, 0]
    corr = np.correlate(decoded[: 2 * at], probe[at : at + width], mode="valid")
    return max(0, int(np.argmax(corr)) - at)


def encode_audio(audio, *, codec: str = DEFAULT_CODEC) -> tuple[str, bytes]:
    """The recording as an audio file in memory.

    Parameters
    ----------
    audio : tonecheck.recording.Audio
        Its ``samples`` (mono, full scale +-1, at ``sr`` Hz) are encoded.
    codec : {"mp3", "vorbis", "opus"}
        Preferred codec; the next of :data:`EMBED_CODECS` is used when
        libsndfile lacks it (Opus also needs ``sr`` in 8, 12, 16, 24 or 48 kHz).

    Returns
    -------
    mime : str
        ``"audio/mpeg"``, ``"audio/ogg; codecs=vorbis"`` or ``"audio/ogg; codecs=opus"``.
    data : bytes
        The file: 16 kbit/s for MP3 (1.2 MB per 10 minutes), at most about
        1.4 MB per 10 minutes of speech for Vorbis.

    Raises
    ------
    TonecheckError
        libsndfile writes none of the codecs.
    """
    chosen = _usable_codec(codec, audio.sr, audio.path)
    rate = chosen.rate_hz or audio.sr
    skip = _lead_in_samples(chosen, rate)
    return chosen.mime, _write(chosen, rate, _blocks(audio.samples, audio.sr, rate), skip=skip)


def audio_data_uri(audio, *, codec: str = DEFAULT_CODEC) -> str:
    """:func:`encode_audio` as a ``data:<mime>;base64,...`` URI for an ``<audio src>``."""
    mime, data = encode_audio(audio, codec=codec)
    return f"data:{mime.split(';')[0]};base64," + base64.b64encode(data).decode("ascii")


def audio_element(uri: str, *, label: str) -> str:
    """The page's one ``<audio id="call-audio" controls>`` playing ``uri`` (a ``data:`` URI)."""
    return f'<audio id="call-audio" controls preload="auto" aria-label="{escape(label)}" src="{escape(uri)}"></audio>'


def seek_button(start_s: float, *, label: str, play: str) -> str:
    """``[▶ Play] label``: a button that plays the embedded recording from ``start_s`` seconds."""
    return (
        f'<button type="button" class="seek" data-seek-s="{start_s:.2f}" aria-label="{escape(play)}: '
        f'{escape(label)}"><span aria-hidden="true">▶</span> {escape(play)}</button> {escape(label)}'
    )


PLAYBACK_SCRIPT = """
(function () {
  var audio = document.getElementById('call-audio');
  if (!audio) return;
  function seek(t) {
    audio.currentTime = Math.max(0, t);
    var p = audio.play();
    if (p && p.catch) p.catch(function () {});
  }
  document.querySelectorAll('[data-seek-s]').forEach(function (el) {
    el.addEventListener('click', function () { seek(Number(el.getAttribute('data-seek-s'))); });
  });
  document.querySelectorAll('img[data-t1-s]').forEach(function (img) {
    img.addEventListener('click', function (e) {
      var r = img.getBoundingClientRect(), d = img.dataset;
      var x = (e.clientX - r.left) * Number(d.widthPx) / r.width;
      var y = (e.clientY - r.top) * Number(d.heightPx) / r.height;
      var x0 = Number(d.x0Px), x1 = Number(d.x1Px);
      if (x < x0 || x > x1 || y < Number(d.topPx) || y > Number(d.bottomPx)) return;
      seek(Number(d.t0S) + (x - x0) / (x1 - x0) * (Number(d.t1S) - Number(d.t0S)));
    });
  });
})();
"""
"""Playback tied to the page: a click on any ``[data-seek-s]`` element (play buttons,
timeline shapes) plays ``#call-audio`` from that second; a click inside the plotting
area of an ``<img>`` carrying a time axis (``data-x0-px``, ``data-x1-px``,
``data-top-px``, ``data-bottom-px``, ``data-width-px``, ``data-height-px``,
``data-t0-s``, ``data-t1-s``: see :func:`tonecheck.report.figure_files.time_axis_px`)
plays from the time under the pointer. Autoplay refusals are swallowed quietly."""
