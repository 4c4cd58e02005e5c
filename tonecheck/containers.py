"""Facts read from a file's container bytes: MP3 length tags and frame headers, Ogg pages, RIFF sizes.

Each reader looks at a few kilobytes at the start or end of the file (never
the whole file) and tells the loader whether the length a decoder reports
can be trusted.
"""

from __future__ import annotations

import os
import struct

__all__ = ["mp3_length_tag", "mp3_bit_rate_varies", "ogg_end_missing", "riff_truncation"]

OGG_MAX_PAGE = 27 + 255 + 255 * 255  # bytes: header, segment table, payload
_MP3_SCAN_BYTES = 65536  # bytes read from the start of an MP3 to walk its frame headers
_MP3_SCAN_FRAMES = 64  # frame headers compared
# kbit/s by bitrate index for Layer III: MPEG-1, then MPEG-2/2.5
_KBPS = (
    (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
)
_RATES_HZ = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by version bits


def _id3_end(head: bytes) -> int:
    """Offset of the first byte after an ID3v2 tag (0 without one)."""
    if head[:3] != b"ID3" or len(head) < 10:
        return 0
    size = sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))  # 4 bytes of 7 bits
    return 10 + size + (10 if head[5] & 0x10 else 0)  # header, tag, footer


def _layer3_frame(header: int) -> tuple[int, int] | None:
    """(bit rate in bit/s, frame length in bytes) of an MPEG Layer III frame header, or None."""
    version, layer, index = (header >> 19) & 3, (header >> 17) & 3, (header >> 12) & 15
    rate_index, padding = (header >> 10) & 3, (header >> 9) & 1
    if (header >> 21) != 0x7FF or version == 1 or layer != 1 or index in (0, 15) or rate_index == 3:
        return None
    mpeg1 = version == 3
    bit_rate = _KBPS[0 if mpeg1 else 1][index] * 1000
    return bit_rate, (144 if mpeg1 else 72) * bit_rate // _RATES_HZ[version][rate_index] + padding


def mp3_bit_rate_varies(name: str) -> bool:
    """True if the first frames of an MP3 use different bit rates (VBR).

    libmpg123 then guesses the length from the first frame and stops
    decoding there unless a length tag says otherwise.
    """
    with open(name, "rb") as fh:
        head = fh.read(_MP3_SCAN_BYTES)
    pos, rates = _id3_end(head), set()
    found = 0
    while pos + 4 <= len(head) and found < _MP3_SCAN_FRAMES:
        frame = _layer3_frame(int.from_bytes(head[pos : pos + 4], "big"))
        if frame is None:
            if found:  # the chain of frames broke: judge what was seen
                break
            pos += 1  # still looking for the first frame
            continue
        rates.add(frame[0])
        found += 1
        pos += frame[1]
    return len(rates) > 1


def mp3_length_tag(name: str) -> tuple[bool, bool]:
    """(announces a frame count, holds every byte it announces) from an MP3's Xing/Info or VBRI tag.

    Without such a tag the decoder's length is only an estimate from the
    first frame's bit rate (wrong for VBR files) and proves nothing; with one
    whose byte count the file fully holds, a shortfall of decoded frames means
    a damaged frame count, not a truncated file.
    """
    with open(name, "rb") as fh:
        start = _id3_end(fh.read(10))
        fh.seek(start)
        head = fh.read(4096)
    held = os.path.getsize(name) - start
    vbri = head.find(b"VBRI", 0, 200)
    if vbri >= 0 and len(head) >= vbri + 18:  # id, version, delay, quality, bytes, frames
        return True, 0 < struct.unpack(">I", head[vbri + 10 : vbri + 14])[0] <= held
    at = max(head.find(b"Xing", 0, 200), head.find(b"Info", 0, 200))
    if at < 0 or len(head) < at + 16:
        return False, False
    flags = struct.unpack(">I", head[at + 4 : at + 8])[0]
    if not flags & 1:  # no frame count
        return False, False
    return True, bool(flags & 2) and 0 < struct.unpack(">I", head[at + 12 : at + 16])[0] <= held


def ogg_end_missing(name: str) -> bool:
    """True if an Ogg file does not end with a complete end-of-stream page (it was cut short)."""
    size = os.path.getsize(name)
    with open(name, "rb") as fh:
        fh.seek(max(0, size - 2 * OGG_MAX_PAGE))
        tail = fh.read()
    at = tail.rfind(b"OggS")
    while at >= 0:
        head = tail[at : at + 27]
        if len(head) == 27 and head[4] == 0 and len(tail) >= at + 27 + head[26]:
            end = at + 27 + head[26] + sum(tail[at + 27 : at + 27 + head[26]])
            if end <= len(tail):  # the last complete page: is it the end of the stream?
                return end != len(tail) or not head[5] & 0x04
        at = tail.rfind(b"OggS", 0, at)
    return False  # no page found near the end: nothing to judge


def riff_truncation(name: str) -> tuple[float, float] | None:
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
