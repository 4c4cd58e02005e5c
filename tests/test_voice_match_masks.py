"""tonecheck.voice_match: a voice sample against one recording and frame mask per candidate voice."""

import numpy as np
import pytest

from tonecheck.audio import from_array
from tonecheck.diarize import Diarization, match_voice
from tonecheck.errors import TonecheckError
from tonecheck.voice_match import match_voice_frames, speech_mask

from .synth import syllable_bursts

SR = 8000
TOTAL_S = 20.0


def _voice(f0_hz: float, rate: float, start_s: float) -> np.ndarray:
    """Bursts of one synthetic voice from ``start_s`` to the end of a ``TOTAL_S`` signal."""
    y = np.zeros(int(TOTAL_S * SR), np.float32)
    seg, _ = syllable_bursts(sr=SR, rate_per_s=rate, duration_s=TOTAL_S - start_s - 0.5, f0_hz=f0_hz)
    y[int(start_s * SR) : int(start_s * SR) + seg.size] = seg
    return y


@pytest.fixture(scope="module")
def channels():
    """Two channels, each holding one voice (high and low), their speech masks and samples of each voice."""
    high, low = _voice(210.0, 5.5, 0.5), _voice(110.0, 3.5, 1.0)
    audios = tuple(from_array(y, sr=SR, path=f"{name}.wav") for y, name in ((high, "high"), (low, "low")))
    masks = tuple(speech_mask(a) for a in audios)
    samples = {
        "high": from_array(_voice(210.0, 5.5, 0.0)[: 6 * SR], sr=SR, path="me_high.wav"),
        "low": from_array(_voice(110.0, 3.5, 0.0)[: 6 * SR], sr=SR, path="me_low.wav"),
    }
    return audios, masks, samples


def test_each_channel_is_compared_with_the_sample(channels):
    audios, masks, samples = channels
    pairs = tuple(zip(audios, masks))
    assert match_voice_frames(pairs, samples["high"]) == 0
    assert match_voice_frames(pairs, samples["low"]) == 1
    assert match_voice_frames(pairs[::-1], samples["high"]) == 1  # follows the candidate, not the position


def test_one_recording_with_two_masks_is_the_diarized_case(channels):
    audios, masks, samples = channels
    mixed = from_array(np.asarray(audios[0].samples) + np.asarray(audios[1].samples), sr=SR, path="mix.wav")
    speech = speech_mask(mixed)
    labels = np.full(speech.size, -1, np.int8)
    labels[speech & masks[0]] = 0
    labels[speech & ~masks[0]] = 1
    diarization = Diarization(labels, 0.9)
    pairs = ((mixed, labels == 0), (mixed, labels == 1))
    for name in ("high", "low"):
        assert match_voice_frames(pairs, samples[name]) == match_voice(mixed, diarization, samples[name])


def test_a_candidate_without_frames_and_bad_input(channels):
    audios, masks, samples = channels
    empty = np.zeros_like(masks[1])
    assert match_voice_frames(((audios[0], masks[0]), (audios[1], empty)), samples["low"]) == 0
    with pytest.raises(ValueError, match="differ in length"):
        match_voice_frames(((audios[0], masks[0]), (audios[0], masks[1][:-5])), samples["low"])
    hiss = from_array(1e-4 * np.random.default_rng(3).standard_normal(3 * SR), sr=SR, path="hiss.wav")
    with pytest.raises(TonecheckError, match="hiss.wav"):
        match_voice_frames(tuple(zip(audios, masks)), hiss)
    with pytest.raises(ValueError, match="voice sample at 16000 Hz"):
        match_voice_frames(tuple(zip(audios, masks)), from_array(np.zeros(SR) + 0.1, sr=16000, analysis_sr=16000))


def test_split_names_stay_importable_from_diarize():
    import tonecheck.diarize as diarize
    import tonecheck.speaker_model as speaker_model
    import tonecheck.voice_match as voice_match

    for name in ("match_voice", "match_voice_frames", "speech_mask"):
        assert getattr(diarize, name) is getattr(voice_match, name)
    for name in "N_MFCC N_MELS MEL_FMIN_HZ MEL_FMAX_HZ WIN_S GMM_COMPONENTS GMM_ITERATIONS MIN_FIT_FRAMES".split():
        assert getattr(diarize, name) == getattr(speaker_model, name)
    assert diarize.MAX_FIT_FRAMES == speaker_model.MAX_FIT_FRAMES and diarize.BLOCK_FRAMES == speaker_model.BLOCK_FRAMES
