"""One live recording over the WebSocket: PCM bytes in, JSON-ready replies out.

The measuring is :class:`tonecheck.stream.LiveAnalyzer`'s (the library's
incremental path); this class only decodes the frames the page sends
(float32 or int16 little-endian mono at the page's sample rate), enforces
the size limit and shapes the replies:

* ``{"type": "figures", ...LiveFigures.to_dict(lang)}`` at most every update;
* ``{"type": "final", "analysis": Analysis.to_dict(lang), "figures": ...}`` on stop;
* ``{"type": "error", "error": one line}`` for bad input.
"""

from __future__ import annotations

import numpy as np

from ..errors import TonecheckError
from ..messages import text
from .work import call_figures, error_text

__all__ = ["LiveSession", "FORMATS", "MIN_SR_HZ", "MAX_SR_HZ"]

FORMATS = {"f32": np.dtype("<f4"), "i16": np.dtype("<i2")}
MIN_SR_HZ, MAX_SR_HZ = 8000, 192000


class LiveSession:
    """Decode, limit and analyze one live take.

    Parameters
    ----------
    sr : str or int
        Sample rate of the frames in Hz (8000-192000).
    sample_format : {"f32", "i16"}
    lang : {"en", "zh"}
    max_bytes : int
        Total PCM bytes accepted.

    Attributes
    ----------
    error : str or None
        Set (one line) when the parameters are unusable; nothing else works then.
    """

    def __init__(self, *, sr, sample_format: str, lang: str, max_bytes: int):
        self.lang, self.max_bytes, self.received = lang, int(max_bytes), 0
        self.error, self.analyzer, self._rest = None, None, b""
        sr_text = str(sr)
        if sample_format not in FORMATS or not sr_text.isdigit() or not MIN_SR_HZ <= int(sr_text) <= MAX_SR_HZ:
            self.error = text("error.prefix", lang) + text(
                "practice.bad_stream", lang, sr=sr_text[:12], format=str(sample_format)[:8]
            )
            return
        from ..stream import LiveAnalyzer

        self.dtype = FORMATS[sample_format]
        self.sr = int(sr_text)
        self.analyzer = LiveAnalyzer(sr=self.sr, language=lang)

    def _decode(self, data: bytes) -> np.ndarray:
        data = self._rest + data
        usable = len(data) - len(data) % self.dtype.itemsize
        self._rest = data[usable:]
        x = np.frombuffer(data[:usable], dtype=self.dtype)
        if self.dtype.kind == "i":
            return x.astype(np.float32) / 32768.0
        return np.nan_to_num(x.astype(np.float32), nan=0.0, posinf=1.0, neginf=-1.0).clip(-1.0, 1.0)

    def feed(self, data: bytes) -> dict | None:
        """Take one binary frame; the new figures when an update is due, an error past the limit, else None."""
        self.received += len(data)
        if self.received > self.max_bytes:
            mb = f"{self.max_bytes / 2**20:.3g}"
            return {
                "type": "error",
                "error": text("error.prefix", self.lang) + text("practice.too_large", self.lang, mb=mb),
            }
        figures = self.analyzer.feed(self._decode(data))
        return None if figures is None else {"type": "figures", **figures.to_dict(lang=self.lang)}

    def finish(self) -> dict:
        """The full analysis of everything received (or the one-line error, e.g. no speech)."""
        try:
            a = self.analyzer.finish(path="live")
        except TonecheckError as exc:
            return {"type": "error", "error": error_text(exc, self.lang)}
        return {"type": "final", "analysis": a.to_dict(lang=self.lang), "figures": call_figures(a)}
