"""Shared fixtures: a seeded RNG and recordings synthesized into ``tmp_path``.

Good recordings come with a spec fixture holding their ground truth
(``glide_spec``, ``bursts_spec``); bad ones (``truncated_wav``,
``not_audio_file``, ``empty_file``) are just paths.  Tests marked
``@pytest.mark.espeak`` skip when espeak-ng is missing and tests marked
``@pytest.mark.corpus`` skip when ``../shared/corpus`` is absent; the
``requires_espeak`` and ``corpus_dir`` fixtures do the same for a single
test.  No tonecheck module is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests import synth

SR = 16000
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TRUNCATED_KEEP = 0.5
"""A truncated WAV keeps this fraction of its data chunk; the header still claims all of it."""
CLIP_GAIN_DB = 24.0
"""Speech at -20 dBFS pushed this far clips about a third of the voiced samples."""
STEREO_RIGHT_DB = -6.0


@dataclass(frozen=True)
class GlideSpec:
    """Ground truth of ``glide_wav``: an exponential F0 glide."""

    sr: int = SR
    duration_s: float = 2.0
    f0_start_hz: float = 110.0
    f0_end_hz: float = 330.0

    def f0_hz(self, times_s) -> np.ndarray:
        """True F0 in Hz at ``times_s`` (seconds)."""
        return synth.glide_f0_hz(
            times_s, duration_s=self.duration_s, f0_start_hz=self.f0_start_hz, f0_end_hz=self.f0_end_hz
        )


@dataclass(frozen=True)
class BurstsSpec:
    """Ground truth of ``bursts_wav``: syllable-like bursts at a known rate, with pauses."""

    sr: int
    duration_s: float
    rate_per_s: float
    pause_every: int
    pause_s: float
    n_bursts: int


def pytest_runtest_setup(item):
    """Skip ``espeak``/``corpus``-marked tests when their resource is missing."""
    if item.get_closest_marker("espeak") and not synth.espeak_available():
        pytest.skip("espeak-ng not on PATH; install it (apt-get install espeak-ng)")
    if item.get_closest_marker("corpus") and not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")


@pytest.fixture
def rng() -> np.random.Generator:
    """Seeded generator: the same noise on every run."""
    return np.random.default_rng(0)


@pytest.fixture
def requires_espeak() -> None:
    """Skip the requesting test when espeak-ng is missing."""
    if not synth.espeak_available():
        pytest.skip("espeak-ng not on PATH; install it (apt-get install espeak-ng)")


@pytest.fixture
def corpus_dir() -> Path:
    """``../shared/corpus``, or skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture
def glide_spec() -> GlideSpec:
    return GlideSpec()


@pytest.fixture
def glide_wav(tmp_path, glide_spec) -> Path:
    """16 kHz mono PCM_16 harmonic glide, F0 ``glide_spec.f0_hz(t)``."""
    y = synth.harmonic_glide(
        sr=glide_spec.sr,
        duration_s=glide_spec.duration_s,
        f0_start_hz=glide_spec.f0_start_hz,
        f0_end_hz=glide_spec.f0_end_hz,
    )
    return synth.write_wav(tmp_path / "glide.wav", y, glide_spec.sr)


@pytest.fixture
def bursts_spec() -> BurstsSpec:
    duration_s, rate_per_s, pause_every, pause_s = 12.0, 4.0, 8, 0.8
    _, n = synth.syllable_bursts(
        sr=SR, rate_per_s=rate_per_s, duration_s=duration_s, pause_every=pause_every, pause_s=pause_s
    )
    return BurstsSpec(SR, duration_s, rate_per_s, pause_every, pause_s, n)


@pytest.fixture
def bursts_wav(tmp_path, bursts_spec) -> Path:
    """16 kHz mono bursts: runs of ``pause_every`` at ``rate_per_s``, ``n_bursts`` in all."""
    s = bursts_spec
    y, _ = synth.syllable_bursts(
        sr=s.sr, rate_per_s=s.rate_per_s, duration_s=s.duration_s, pause_every=s.pause_every, pause_s=s.pause_s
    )
    return synth.write_wav(tmp_path / "bursts.wav", y, s.sr)


@pytest.fixture
def silence_wav(tmp_path) -> Path:
    """Three seconds of digital silence (all-zero PCM_16)."""
    return synth.write_wav(tmp_path / "silence.wav", synth.silence(sr=SR, duration_s=3.0), SR)


@pytest.fixture
def clipped_wav(tmp_path) -> Path:
    """Speech-like phrases driven ``CLIP_GAIN_DB`` into full-scale clipping."""
    y = synth.speechlike_phrases(sr=SR, duration_s=6.0, excursion_st=4.0)
    return synth.write_wav(tmp_path / "clipped.wav", synth.clip(y, gain_db=CLIP_GAIN_DB), SR)


@pytest.fixture
def stereo_int16_wav(tmp_path) -> Path:
    """Two-channel int16 WAV: phrases on the left, the same ``STEREO_RIGHT_DB`` quieter on the right."""
    left = synth.speechlike_phrases(sr=SR, duration_s=4.0, excursion_st=4.0)
    right = left * 10.0 ** (STEREO_RIGHT_DB / 20.0)
    pcm = np.round(np.stack([left, right], axis=1) * np.iinfo(np.int16).max).astype(np.int16)
    return synth.write_wav(tmp_path / "stereo.wav", pcm, SR)


@pytest.fixture
def truncated_wav(tmp_path) -> Path:
    """A WAV cut short: valid header whose data-chunk size claims twice the bytes present."""
    path = synth.write_wav(
        tmp_path / "truncated.wav", synth.speechlike_phrases(sr=SR, duration_s=2.0, excursion_st=4.0), SR
    )
    raw = path.read_bytes()
    data_start = raw.index(b"data") + 8
    kept = int((len(raw) - data_start) * TRUNCATED_KEEP) // 2 * 2  # whole 16-bit frames
    path.write_bytes(raw[: data_start + kept])
    return path


@pytest.fixture
def not_audio_file(tmp_path) -> Path:
    """Text bytes under a .wav name."""
    path = tmp_path / "notes.wav"
    path.write_text("Call notes: customer asked about order 1234.\n", encoding="utf-8")
    return path


@pytest.fixture
def empty_file(tmp_path) -> Path:
    """A zero-byte .wav."""
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    return path
