"""tonecheck.diarize: two voices in one channel -> who spoke when.

Ground truth is synthesized: espeak-ng sentences in two clearly different
voices (``en+m3``, a low male voice, and ``en+f4``, a female one) placed in
alternating turns at known times.  A corpus test checks the diarization
error on the real two-party call ``calls/pyannote_call.wav``.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests import synth
from tonecheck.audio import from_array
from tonecheck.diarize import METHOD, Diarization, diarize, match_voice, speech_mask

SR = 8000
HOP_S = 0.01
GAP_S = 0.6
SENTENCES = (
    "Good morning, thank you for calling, how can I help you today?",
    "Hello, I ordered a parcel last week and it still has not arrived.",
    "I am sorry to hear that, could you give me the order number please?",
    "Yes of course, it is four seven two nine, and I paid for express delivery.",
    "Thank you, I can see the parcel is waiting at the local depot.",
    "That is strange, nobody told me anything about a depot at all.",
)
VOICES = ("en+m3", "en+f4")
MIN_FRAME_ACCURACY = 0.9
"""Share of speech frames (inside the true turns) given the right voice."""
LOW_CONFIDENCE = 0.35
"""Below this the two voices did not separate (MIN_DPRIME 0.8 -> 0.8 / (0.8 + 1.5))."""
PYANNOTE_CALL_MAX_DER = 0.15
"""Measured 0.075 (collar 0.25 s each side, overlap scored); the issue's target is 0.15."""


def _turns(voices) -> tuple:
    """Concatenated espeak turns (gap ``GAP_S`` between them) and the true voice index per frame (-1 between)."""
    pieces, truth = [], []
    for text, voice in zip(SENTENCES, voices):
        y, _ = synth.espeak_words(text, voice=voice, sr_out=SR)
        gap = np.zeros(int(GAP_S * SR), np.float32)
        pieces += [y, gap]
        truth += [np.full(y.size, VOICES.index(voice), np.int8), np.full(gap.size, -1, np.int8)]
    y, who = np.concatenate(pieces), np.concatenate(truth)
    hop = int(HOP_S * SR)
    return from_array(y, sr=SR, path="turns.wav"), who[::hop][: 1 + y.size // hop]


@pytest.fixture(scope="module")
def two_voices():
    """``(audio, true voice per frame, diarization)`` of the alternating two-voice turns."""
    if not synth.espeak_available():
        pytest.skip("espeak-ng not on PATH; install it (apt-get install espeak-ng)")
    audio, truth = _turns([VOICES[i % 2] for i in range(len(SENTENCES))])
    return audio, truth, diarize(audio, speech=speech_mask(audio))


@pytest.mark.espeak
def test_two_voices_frame_accuracy(two_voices):
    audio, truth, result = two_voices
    assert isinstance(result, Diarization) and result.method == METHOD
    assert result.labels.dtype == np.int8 and result.labels.shape == truth.shape
    assert result.n_voices == 2 and result.confidence > LOW_CONFIDENCE
    scored = (truth >= 0) & (result.labels >= 0)
    assert scored.sum() > 0.8 * (truth >= 0).sum()  # the speech mask covers the turns
    accuracy = np.mean(result.labels[scored] == truth[scored])  # voice 0 (en+m3) speaks first
    assert accuracy >= MIN_FRAME_ACCURACY


@pytest.mark.espeak
def test_one_voice_is_not_split():
    audio, truth = _turns([VOICES[0]] * len(SENTENCES))
    result = diarize(audio, speech=speech_mask(audio))
    assert result.n_voices == 1
    assert result.confidence < LOW_CONFIDENCE
    assert set(np.unique(result.labels)) <= {-1, 0}


@pytest.mark.espeak
def test_match_voice_picks_the_sample_speaker(two_voices):
    audio, _, result = two_voices
    for label, voice in enumerate(VOICES):
        y, _ = synth.espeak_words("Please hold the line while I check the account for you.", voice=voice, sr_out=SR)
        assert match_voice(audio, result, from_array(y, sr=SR, path=f"{voice}.wav")) == label


def test_too_little_speech_is_one_voice():
    t = np.arange(int(2.0 * SR)) / SR
    y = (0.3 * np.sin(2 * np.pi * 150 * t) * (np.sin(2 * np.pi * 2 * t) > 0)).astype(np.float32)
    audio = from_array(y, sr=SR)
    result = diarize(audio, speech=speech_mask(audio))
    assert result.confidence == 0.0 and result.n_voices <= 1


def test_mask_length_must_match():
    audio = from_array(np.random.default_rng(0).normal(0, 0.01, SR).astype(np.float32), sr=SR)
    with pytest.raises(ValueError, match="speech mask"):
        diarize(audio, speech=np.zeros(10, bool))


@pytest.mark.corpus
def test_pyannote_call_der(corpus_dir):
    metrics = pytest.importorskip("pyannote.metrics.diarization")
    from pyannote.core import Annotation, Segment, Timeline

    from tonecheck.audio import load_audio
    from tonecheck.speech import runs

    calls = corpus_dir / "calls"
    audio = load_audio(calls / "pyannote_call.wav")
    result = diarize(audio, speech=speech_mask(audio))
    ref, hyp = Annotation(), Annotation()
    for i, line in enumerate((calls / "pyannote_call.rttm").read_text("utf-8").splitlines()):
        f = line.split()
        ref[Segment(float(f[3]), float(f[3]) + float(f[4])), i] = f[7]
    for k in (0, 1):
        for a, b in runs(result.labels == k):
            hyp[Segment(a * HOP_S, b * HOP_S), f"{k}-{a}"] = k
    scored = Timeline([Segment(0.0, audio.duration_s)])
    der = metrics.DiarizationErrorRate(collar=0.5, skip_overlap=False)(ref, hyp, uem=scored)  # 0.25 s each side
    assert der < PYANNOTE_CALL_MAX_DER


@pytest.mark.espeak
def test_match_voice_without_speech_is_one_line_error(two_voices):
    from tonecheck.errors import TonecheckError

    audio, _, result = two_voices
    hiss = from_array(np.random.default_rng(0).normal(0, 1e-3, 3 * SR).astype(np.float32), sr=SR, path="hiss.wav")
    with pytest.raises(TonecheckError, match=r"^hiss\.wav: .+; .+"):
        match_voice(audio, result, hiss)
