"""The recording, compressed, for a self-contained HTML report (``--embed-audio``).

The analysis-rate signal (:attr:`tonecheck.recording.Audio.samples`, 8 kHz
mono: telephone band, which is what the measures hear) is encoded as Ogg
Vorbis or Ogg Opus with libsndfile (through soundfile), so no ffmpeg is
needed. Measured with libsndfile 1.2.2 on real speech from the corpus
(earnings calls, a call centre call, read speech; 27-245 s each):

* Vorbis at compression level 0.9 (quality 0.1, the default here): 11-19
  kbit/s, so 10 minutes take at most about 1.4 MB (1.9 MB as base64 in the
  page); about 470x realtime to encode. Analysing the decoded audio again
  gives the same intonation level within 0.1 and F0 within 2 cents (median).
* Vorbis at libsndfile's default level (0.6): 24-26 kbit/s, over the 2 MB
  budget for 10 minutes, so not used.
* Opus at compression level 0.95: 19.5-22 kbit/s (1.5 MB per 10 minutes,
  1.95 MB as base64), but only about 85x realtime: libsndfile runs libopus at
  its highest complexity (at ~16 kbit/s, level 0.96, it drops to ~40x).

Vorbis is therefore the default; Opus is used when asked for, and either
one stands in when libsndfile lacks the other.

API
---
encode_audio(audio, *, codec="vorbis") -> (mime, bytes)
audio_data_uri(audio, *, codec="vorbis") -> str     "data:audio/ogg;base64,..."
audio_element(uri, *, label) -> str                  the page's one ``<audio id="call-audio">``
seek_button(start_s, *, label, play) -> str          a button that plays from ``start_s``
PLAYBACK_SCRIPT  ties playback to the page: ``[data-seek-s]`` elements and figures carrying a time axis
EMBED_CODECS
"""

from __future__ import annotations

import base64
import io

import numpy as np
import soundfile as sf

from ..errors import TonecheckError
from ..recording import display_name
from .page import escape

__all__ = [
    "encode_audio",
    "audio_data_uri",
    "audio_element",
    "seek_button",
    "PLAYBACK_SCRIPT",
    "EMBED_CODECS",
    "DEFAULT_CODEC",
]

EMBED_CODECS = {"vorbis": ("VORBIS", 0.9), "opus": ("OPUS", 0.95)}
"""Codec name -> (libsndfile subtype in the OGG container, libsndfile compression level 0-1)."""
DEFAULT_CODEC = "vorbis"
OPUS_RATES_HZ = (8000, 12000, 16000, 24000, 48000)
"""Sample rates the Opus encoder accepts."""
BLOCK_SAMPLES = 16384
"""Samples written per call: long recordings (a SampleFile on disk) are never read whole,
and libsndfile's Vorbis encoder is given small buffers."""


def _usable_codec(codec: str, sr: int, path: str) -> str:
    """``codec`` if this libsndfile writes it at ``sr``, else the other one."""
    if codec not in EMBED_CODECS:
        raise ValueError(f"codec must be one of {sorted(EMBED_CODECS)}, not {codec!r}")
    available = sf.available_subtypes("OGG")
    usable = [c for c in EMBED_CODECS if EMBED_CODECS[c][0] in available and (c != "opus" or sr in OPUS_RATES_HZ)]
    if not usable:
        raise TonecheckError(
            f"{display_name(path)}: cannot embed the audio: libsndfile {sf.__libsndfile_version__} "
            "writes neither Ogg Vorbis nor Ogg Opus; update soundfile or leave out --embed-audio"
        )
    return codec if codec in usable else usable[0]


def encode_audio(audio, *, codec: str = DEFAULT_CODEC) -> tuple[str, bytes]:
    """The recording as an Ogg file in memory.

    Parameters
    ----------
    audio : tonecheck.recording.Audio
        Its ``samples`` (mono, full scale +-1, at ``sr`` Hz) are encoded as they are.
    codec : {"vorbis", "opus"}
        Preferred codec; the other one is used when libsndfile lacks it (Opus
        also needs ``sr`` in 8, 12, 16, 24 or 48 kHz).

    Returns
    -------
    mime : str
        ``"audio/ogg; codecs=vorbis"`` or ``"audio/ogg; codecs=opus"``.
    data : bytes
        The Ogg file; at most about 1.4 MB per 10 minutes of speech at 8 kHz.

    Raises
    ------
    TonecheckError
        libsndfile writes neither codec.
    """
    subtype, level = EMBED_CODECS[_usable_codec(codec, audio.sr, audio.path)]
    buf = io.BytesIO()
    samples = audio.samples
    kw = {"samplerate": audio.sr, "channels": 1, "format": "OGG", "subtype": subtype, "compression_level": level}
    with sf.SoundFile(buf, "w", **kw) as out:
        for start in range(0, len(samples), BLOCK_SAMPLES):
            block = np.asarray(samples[start : start + BLOCK_SAMPLES], dtype=np.float32)
            out.write(np.clip(block, -1.0, 1.0))
    return f"audio/ogg; codecs={subtype.lower()}", buf.getvalue()


def audio_data_uri(audio, *, codec: str = DEFAULT_CODEC) -> str:
    """:func:`encode_audio` as a ``data:audio/ogg;base64,...`` URI for an ``<audio src>``."""
    _, data = encode_audio(audio, codec=codec)
    return "data:audio/ogg;base64," + base64.b64encode(data).decode("ascii")


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
