"""Live-cue latency through the practice server, and the final analysis time of a 3-minute take.

Usage: python bench/practice_latency.py [PACED_SECONDS]

Starts the practice app on a real uvicorn server on 127.0.0.1 (the test
suite's ``_Server``), streams 3 minutes of the bundled samples at 48 kHz in
the page's 2048-sample blocks over the WebSocket (the first PACED_SECONDS,
default 30, at real-time pace, the rest as fast as possible), and prints the
latency from a block sent to the figures covering it (median, 95th
percentile, max) and the time from "stop" to the final analysis. One run,
figures printed, nothing asserted.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_practice import TOKEN, _Server  # noqa: E402

SR = 48000
CHUNK = 2048  # the page's worklet block (43 ms at 48 kHz)
TAKE_S = 180


def take() -> np.ndarray:
    names = ("greeting_lively", "greeting_flat", "greeting_rushed")
    y = np.concatenate([sf.read(ROOT / "samples" / f"{n}.wav", dtype="float32")[0] for n in names])
    y = resample_poly(y, SR, sf.info(ROOT / "samples" / "greeting_lively.wav").samplerate).astype(np.float32)
    return np.tile(y, int(np.ceil(TAKE_S * SR / len(y))))[: TAKE_S * SR]


async def stream(port: int, y: np.ndarray, paced_s: float) -> None:
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/live?token={TOKEN}&sr={SR}&format=f32"
    sent, got, final = {}, [], {}
    async with websockets.connect(url, origin=f"http://127.0.0.1:{port}", max_size=None) as ws:

        async def reader():
            while True:
                msg = json.loads(await ws.recv())
                if msg["type"] != "figures":
                    final.update(msg, at=time.perf_counter())
                    return
                got.append((time.perf_counter(), msg["t_s"]))

        task = asyncio.create_task(reader())
        start = time.perf_counter()
        for i in range(0, len(y), CHUNK):
            if i < paced_s * SR:
                await asyncio.sleep(max(0, start + i / SR - time.perf_counter()))
            await ws.send(y[i : i + CHUNK].tobytes())
            sent[round(min(i + CHUNK, len(y)) / SR, 2)] = time.perf_counter()
        stop = time.perf_counter()
        await ws.send("stop")
        await task
    lat = np.array([at - sent[t] for at, t in got if t <= paced_s and t in sent])
    print(
        f"paced updates: {len(lat)}; latency median {1000 * np.median(lat):.0f} ms, "
        f"p95 {1000 * np.percentile(lat, 95):.0f} ms, max {1000 * lat.max():.0f} ms"
    )
    print(
        f"final analysis of {len(y) / SR:.0f} s at {SR} Hz (stop -> final received, after the server works off the unpaced backlog): {final['at'] - stop:.2f} s"
    )


def main() -> int:
    paced_s = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    with tempfile.TemporaryDirectory() as tmp:
        server = _Server(Path(tmp))
        try:
            asyncio.run(stream(server.port, take(), paced_s))
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
