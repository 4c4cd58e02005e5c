"""Ground-truth signals for tests and benchmarks.

Every generator here knows the truth it plants: the F0 of each sample, the
number of syllable-like bursts, the semitone excursion of the intonation.
Only numpy, scipy, soundfile and the standard library are imported, so
``bench/`` scripts can use the module without pytest.

Tones
-----
harmonic_glide, glide_f0_hz
    Harmonic tone on an exponential F0 glide, and its true F0.
syllable_bursts
    Voiced, vowel-like bursts at a known rate -> (signal, burst count).
speechlike_phrases, phrases_f0_hz
    Voiced phrases with a controlled pitch movement in semitones, and their
    true F0 (NaN in the pauses).
silence
    Digital silence or a noise floor.

Degradations
------------
add_noise, clip, telephone

espeak-ng
---------
espeak_available, ssml_sentences, espeak_ssml, espeak_words
    Synthetic speech with a controlled pitch range or speed; see
    :func:`espeak_ssml` and :func:`espeak_words` for what espeak-ng 1.51
    measurably does with each setting.

Files and measures
------------------
write_wav, write_text
    Atomic writers.
speech_bounds_s, speech_span_s
    First to last sound of a clean synthetic signal (rate ground truth).

Levels are RMS dBFS: 0 dBFS is the RMS of a full-scale square wave (1.0),
so a full-scale sine is -3 dBFS.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import soundfile as sf
from scipy import signal

__all__ = [
    "party_track",
    "harmonic_glide",
    "glide_f0_hz",
    "syllable_bursts",
    "speechlike_phrases",
    "phrases_f0_hz",
    "silence",
    "add_noise",
    "clip",
    "telephone",
    "espeak_available",
    "ssml_sentences",
    "espeak_ssml",
    "espeak_words",
    "write_wav",
    "write_text",
    "speech_bounds_s",
    "speech_span_s",
]

DEFAULT_LEVEL_DBFS = -20.0
DEFAULT_HARMONICS = 20
NYQUIST_GUARD = 0.45
"""Harmonics fade out between ``NYQUIST_GUARD - HARMONIC_TAPER`` and this fraction of sr (no aliasing)."""
HARMONIC_TAPER = 0.05
VOWEL_FORMANTS_HZ = (
    (730.0, 1090.0, 2440.0),  # /a/
    (530.0, 1840.0, 2480.0),  # /e/
    (390.0, 1990.0, 2550.0),  # /i/ (F1 raised a little so it stays voiced-sounding on phones)
    (570.0, 840.0, 2410.0),  # /o/
    (440.0, 1020.0, 2240.0),  # /u/
)
"""Peterson & Barney (1952) adult male vowel formants, cycled burst by burst."""
FORMANT_BANDWIDTHS_HZ = (90.0, 110.0, 170.0)
BURST_S = 0.15
"""Raised-cosine burst length: a typical stressed syllable nucleus (120-180 ms)."""
MAX_BURST_DUTY = 0.8
"""A burst fills at most this fraction of the burst period, so bursts never merge."""
BURST_F0_FALL_ST = 1.0
"""Each burst's F0 falls this many semitones from onset to offset."""
PHRASE_S = 2.5
PHRASE_PAUSE_S = 0.6
CONTOUR_PERIOD_S = 1.0
SYLLABLE_RATE_PER_S = 4.0
SYLLABLE_DEPTH = 0.7
"""Syllabic amplitude modulation depth inside a phrase (voicing never stops)."""
EDGE_FADE_S = 0.03
CONTOURS = ("sine", "declining", "rising")

TELEPHONE_SR_HZ = 8000
TELEPHONE_BAND_HZ = (300.0, 3400.0)
TELEPHONE_FILTER_ORDER = 4

ESPEAK = "espeak-ng"
ESPEAK_RANGE_MAX = 100
"""espeak-ng's pitch-range parameter tops out at 100 (= SSML range="200%")."""
ESPEAK_SPEED_WPM = (80, 450)
"""espeak-ng's -s limits without the sonic speed-up."""

FILE_MODE = 0o666
"""Permissions of written files before the umask (mkstemp alone would leave 0600)."""
SPAN_FRAME_S = 0.01
SPAN_FLOOR_DB = -40.0


# --------------------------------------------------------------------- tones
def _db_to_gain(db: float) -> float:
    return 10.0 ** (db / 20.0)


def _scale_rms(y: np.ndarray, level_dbfs: float, *, active: np.ndarray | None = None) -> np.ndarray:
    """Scale ``y`` so the RMS of ``y[active]`` (default: all of it) is ``level_dbfs``."""
    part = y if active is None else y[active]
    rms = float(np.sqrt(np.mean(part**2))) if part.size else 0.0
    return y if rms == 0.0 else y * (_db_to_gain(level_dbfs) / rms)


def _formant_gain(freq_hz: np.ndarray, formants_hz: np.ndarray) -> np.ndarray:
    """Sum of resonance magnitudes at ``freq_hz``; ``formants_hz`` has shape (3,) or (3, n)."""
    gain = np.zeros_like(freq_hz)
    for fc, bw in zip(formants_hz, FORMANT_BANDWIDTHS_HZ):
        gain += 1.0 / np.sqrt(1.0 + ((freq_hz - fc) / (bw / 2.0)) ** 2)
    return gain


def _voice(f0_hz: np.ndarray, *, sr: int, n_harmonics: int, formants_hz=None) -> np.ndarray:
    """Harmonic source following ``f0_hz`` (one value per sample, 0 = silent), 1/k amplitudes.

    The phase is the running sum of ``f0_hz``, so the instantaneous frequency
    of sample n is exactly ``f0_hz[n]``.  With ``formants_hz`` each harmonic
    is further weighted by a vowel envelope.  Memory stays O(n).
    """
    phase = 2.0 * np.pi * np.cumsum(f0_hz) / sr
    limit_hz, taper_hz = NYQUIST_GUARD * sr, HARMONIC_TAPER * sr
    y = np.zeros_like(phase)
    for k in range(1, n_harmonics + 1):
        fk = k * f0_hz
        amp = np.clip((limit_hz - fk) / taper_hz, 0.0, 1.0) / k
        if formants_hz is not None:
            amp = amp * _formant_gain(fk, formants_hz)
        y += amp * np.sin(k * phase)
    return y


def glide_f0_hz(times_s, *, duration_s: float, f0_start_hz: float, f0_end_hz: float) -> np.ndarray:
    """True F0 of :func:`harmonic_glide` at ``times_s``.

    Parameters
    ----------
    times_s : array_like
        Times in seconds from the start of the glide.
    duration_s, f0_start_hz, f0_end_hz : float
        As given to :func:`harmonic_glide`.

    Returns
    -------
    np.ndarray
        F0 in Hz, ``f0_start_hz * (f0_end_hz / f0_start_hz) ** (t / duration_s)``.
    """
    t = np.asarray(times_s, dtype=np.float64)
    return f0_start_hz * (f0_end_hz / f0_start_hz) ** (t / duration_s)


def harmonic_glide(
    *,
    sr: int,
    duration_s: float,
    f0_start_hz: float,
    f0_end_hz: float,
    n_harmonics: int = DEFAULT_HARMONICS,
    level_dbfs: float = DEFAULT_LEVEL_DBFS,
) -> np.ndarray:
    """Harmonic tone whose F0 glides exponentially (linearly in semitones).

    Parameters
    ----------
    sr : int > 0
        Sample rate, Hz.
    duration_s : float > 0
        Length, seconds.
    f0_start_hz, f0_end_hz : float > 0
        F0 at the first sample and at ``duration_s``, Hz.
    n_harmonics : int >= 1
        Harmonics with amplitude 1/k; those near Nyquist fade out.
    level_dbfs : float
        RMS level, dBFS.

    Returns
    -------
    np.ndarray [shape=(round(sr * duration_s),), dtype=float32]
        The tone; sample n has F0 ``glide_f0_hz(n / sr, ...)``.
    """
    if min(sr, duration_s, f0_start_hz, f0_end_hz) <= 0:
        raise ValueError("sr, duration_s and both F0s must be positive")
    t = np.arange(round(sr * duration_s)) / sr
    f0 = glide_f0_hz(t, duration_s=duration_s, f0_start_hz=f0_start_hz, f0_end_hz=f0_end_hz)
    return _scale_rms(_voice(f0, sr=sr, n_harmonics=n_harmonics), level_dbfs).astype(np.float32)


def _raised_cosine(n: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * (np.arange(n) + 0.5) / n)


def syllable_bursts(
    *,
    sr: int,
    rate_per_s: float,
    duration_s: float,
    f0_hz: float = 120.0,
    burst_s: float = BURST_S,
    f0_fall_st: float = BURST_F0_FALL_ST,
    pause_every: int = 0,
    pause_s: float = PHRASE_PAUSE_S,
    n_harmonics: int = DEFAULT_HARMONICS,
    level_dbfs: float = DEFAULT_LEVEL_DBFS,
) -> tuple[np.ndarray, int]:
    """Voiced syllable-like bursts at a known rate.

    Each burst is a raised-cosine envelope of ``burst_s`` over a harmonic
    source shaped by a vowel's formants (cycling /a e i o u/), its F0
    falling ``f0_fall_st`` semitones through the burst around ``f0_hz``.
    Bursts start every ``1 / rate_per_s`` seconds; after every
    ``pause_every`` bursts a ``pause_s`` gap is added.  Only bursts that end
    inside ``duration_s`` are made.

    Parameters
    ----------
    sr : int > 0
        Sample rate, Hz.
    rate_per_s : float > 0
        Bursts per second within a run (pauses excluded).
    duration_s : float > 0
        Length of the returned signal, seconds.
    f0_hz : float > 0
        Mid-burst F0, Hz.
    burst_s : float > 0
        Envelope length, seconds; shortened to ``MAX_BURST_DUTY`` of the
        burst period when the rate is too high for it.
    f0_fall_st : float
        F0 fall through each burst, semitones (negative: a rise).
    pause_every : int >= 0
        Bursts per run between pauses; 0 means no pauses.
    pause_s : float >= 0
        Extra silence after each run, seconds.
    n_harmonics : int >= 1
    level_dbfs : float
        RMS level of the sounding parts (envelope > 0), dBFS.

    Returns
    -------
    y : np.ndarray [shape=(round(sr * duration_s),), dtype=float32]
    n_bursts : int
        Bursts actually in ``y``.
    """
    if rate_per_s <= 0 or duration_s <= 0 or pause_every < 0:
        raise ValueError("rate_per_s and duration_s must be positive, pause_every >= 0")
    period_s = 1.0 / rate_per_s
    n_burst = max(1, round(min(burst_s, MAX_BURST_DUTY * period_s) * sr))
    env = _raised_cosine(n_burst)
    f0 = f0_hz * 2.0 ** (f0_fall_st * (0.5 - np.arange(n_burst) / n_burst) / 12.0)
    y = np.zeros(round(sr * duration_s))
    onset_s, count = 0.0, 0
    while (start := round(onset_s * sr)) + n_burst <= y.size:
        formants = np.asarray(VOWEL_FORMANTS_HZ[count % len(VOWEL_FORMANTS_HZ)])
        y[start : start + n_burst] = env * _voice(f0, sr=sr, n_harmonics=n_harmonics, formants_hz=formants)
        count += 1
        onset_s += period_s + (pause_s if pause_every and count % pause_every == 0 else 0.0)
    return _scale_rms(y, level_dbfs, active=y != 0).astype(np.float32), count


def party_track(turns_s, *, sr: int, total_s: float, rate_per_s: float, f0_hz: float) -> np.ndarray:
    """One party of a call: :func:`syllable_bursts` during each ``(start_s, end_s)`` turn, silence elsewhere.

    Parameters
    ----------
    turns_s : iterable of (float, float)
        The party's turns, seconds.
    sr : int > 0
        Sample rate, Hz.
    total_s : float > 0
        Length of the track, seconds (a turn running past it is cut).
    rate_per_s, f0_hz : float > 0
        Syllable rate and F0 of the voice.

    Returns
    -------
    y : np.ndarray [shape=(round(total_s * sr),)], float32
    """
    y = np.zeros(int(total_s * sr), np.float32)
    for start_s, end_s in turns_s:
        seg, _ = syllable_bursts(sr=sr, rate_per_s=rate_per_s, duration_s=end_s - start_s, f0_hz=f0_hz)
        i = int(start_s * sr)
        y[i : i + seg.size] += seg[: y.size - i]
    return y


def _contour_st(
    t_in_phrase_s: np.ndarray, *, contour: str, excursion_st: float, phrase_s: float, period_s: float
) -> np.ndarray:
    """Semitones around the base F0; peak-to-peak ``excursion_st`` for every contour."""
    half = excursion_st / 2.0
    if contour == "sine":
        return half * np.sin(2.0 * np.pi * t_in_phrase_s / period_s)
    if contour == "declining":
        return half - excursion_st * t_in_phrase_s / phrase_s
    if contour == "rising":
        return -half + excursion_st * t_in_phrase_s / phrase_s
    raise ValueError(f"contour={contour!r}; use one of {CONTOURS}")


def phrases_f0_hz(
    times_s,
    *,
    excursion_st: float,
    f0_hz: float = 120.0,
    contour: str = "sine",
    phrase_s: float = PHRASE_S,
    pause_s: float = PHRASE_PAUSE_S,
    contour_period_s: float = CONTOUR_PERIOD_S,
) -> np.ndarray:
    """True F0 of :func:`speechlike_phrases` at ``times_s`` (NaN in pauses).

    Parameters
    ----------
    times_s : array_like
        Times in seconds from the start of the signal.
    excursion_st, f0_hz, contour, phrase_s, pause_s, contour_period_s
        As given to :func:`speechlike_phrases`.

    Returns
    -------
    np.ndarray
        F0 in Hz, ``f0_hz * 2 ** (st / 12)`` inside phrases, NaN between them.
    """
    t = np.asarray(times_s, dtype=np.float64)
    local = np.mod(t, phrase_s + pause_s)
    st = _contour_st(
        np.minimum(local, phrase_s),
        contour=contour,
        excursion_st=excursion_st,
        phrase_s=phrase_s,
        period_s=contour_period_s,
    )
    return np.where(local < phrase_s, f0_hz * 2.0 ** (st / 12.0), np.nan)


def speechlike_phrases(
    *,
    sr: int,
    duration_s: float,
    excursion_st: float,
    f0_hz: float = 120.0,
    contour: str = "sine",
    phrase_s: float = PHRASE_S,
    pause_s: float = PHRASE_PAUSE_S,
    contour_period_s: float = CONTOUR_PERIOD_S,
    syllable_rate_per_s: float = SYLLABLE_RATE_PER_S,
    n_harmonics: int = DEFAULT_HARMONICS,
    level_dbfs: float = DEFAULT_LEVEL_DBFS,
) -> np.ndarray:
    """Phrases of continuous voicing with a controlled pitch movement.

    Phrases of ``phrase_s`` alternate with ``pause_s`` of silence.  Inside a
    phrase the F0 follows ``contour`` with a peak-to-peak excursion of
    ``excursion_st`` semitones around ``f0_hz`` (0 = monotone), the
    amplitude dips at ``syllable_rate_per_s`` (voicing never stops, so the
    F0 is defined throughout) and the vowel glides /a e i o u/ syllable by
    syllable.  The standard deviation of the F0 in semitones is
    ``excursion_st / (2 * sqrt(2))`` for "sine" (whole periods) and
    ``excursion_st / sqrt(12)`` for "declining" and "rising".

    Parameters
    ----------
    sr : int > 0
        Sample rate, Hz.
    duration_s : float > 0
        Length, seconds.
    excursion_st : float >= 0
        Peak-to-peak pitch movement, semitones.
    f0_hz : float > 0
        Centre F0, Hz.
    contour : {"sine", "declining", "rising"}
        "sine": ``contour_period_s`` oscillation restarting at each phrase;
        "declining"/"rising": a straight line in semitones across each phrase.
    phrase_s, pause_s : float
        Phrase and pause lengths, seconds.
    contour_period_s : float > 0
        Period of the "sine" contour, seconds.
    syllable_rate_per_s : float > 0
        Amplitude-dip (syllable) rate, per second.
    n_harmonics : int >= 1
    level_dbfs : float
        RMS level of the phrases, dBFS.

    Returns
    -------
    np.ndarray [shape=(round(sr * duration_s),), dtype=float32]
        Sample n has F0 ``phrases_f0_hz(n / sr, ...)``.

    See Also
    --------
    phrases_f0_hz
    """
    if excursion_st < 0 or min(sr, duration_s, f0_hz, phrase_s, contour_period_s, syllable_rate_per_s) <= 0:
        raise ValueError("excursion_st must be >= 0 and sr, durations, rates and f0_hz positive")
    t = np.arange(round(sr * duration_s)) / sr
    f0 = phrases_f0_hz(
        t,
        excursion_st=excursion_st,
        f0_hz=f0_hz,
        contour=contour,
        phrase_s=phrase_s,
        pause_s=pause_s,
        contour_period_s=contour_period_s,
    )
    voiced = ~np.isnan(f0)
    local = np.mod(t, phrase_s + pause_s)
    syllable = syllable_rate_per_s * local
    env = (1.0 - SYLLABLE_DEPTH) + SYLLABLE_DEPTH * (0.5 - 0.5 * np.cos(2.0 * np.pi * syllable))
    env *= np.clip(np.minimum(local, phrase_s - local) / EDGE_FADE_S, 0.0, 1.0)
    table = np.asarray(VOWEL_FORMANTS_HZ).T
    idx = np.arange(len(VOWEL_FORMANTS_HZ) + 1)
    formants = np.stack(
        [np.interp(np.mod(syllable, len(VOWEL_FORMANTS_HZ)), idx, np.append(row, row[0])) for row in table]
    )
    y = env * _voice(np.where(voiced, f0, 0.0), sr=sr, n_harmonics=n_harmonics, formants_hz=formants)
    y[~voiced] = 0.0
    return _scale_rms(y, level_dbfs, active=voiced).astype(np.float32)


def silence(
    *, sr: int, duration_s: float, noise_dbfs: float | None = None, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Digital silence, or white noise at ``noise_dbfs`` RMS (needs ``rng``).

    Returns
    -------
    np.ndarray [shape=(round(sr * duration_s),), dtype=float32]
    """
    n = round(sr * duration_s)
    if noise_dbfs is None:
        return np.zeros(n, dtype=np.float32)
    if rng is None:
        raise ValueError("noise_dbfs needs an rng, e.g. np.random.default_rng(0)")
    return (_db_to_gain(noise_dbfs) * rng.standard_normal(n)).astype(np.float32)


# -------------------------------------------------------------- degradations
def add_noise(y: np.ndarray, *, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Add white Gaussian noise at ``snr_db`` relative to the mean power of all of ``y``.

    Returns
    -------
    np.ndarray [shape=y.shape, dtype=float32]
    """
    power = float(np.mean(np.asarray(y, dtype=np.float64) ** 2))
    if power == 0.0:
        raise ValueError("add_noise: y is silent, so an SNR is undefined; use silence(noise_dbfs=...)")
    noise = rng.standard_normal(np.shape(y)) * math.sqrt(power / 10.0 ** (snr_db / 10.0))
    return (y + noise).astype(np.float32)


def clip(y: np.ndarray, *, gain_db: float, ceiling: float = 1.0) -> np.ndarray:
    """Amplify by ``gain_db`` and hard-clip at +/-``ceiling`` (full scale by default).

    Returns
    -------
    np.ndarray [shape=y.shape, dtype=float32]
    """
    return np.clip(np.asarray(y, dtype=np.float64) * _db_to_gain(gain_db), -ceiling, ceiling).astype(np.float32)


def _resample(y: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    if sr_in == sr_out:
        return y
    g = math.gcd(int(sr_in), int(sr_out))
    return signal.resample_poly(y, sr_out // g, sr_in // g)


def telephone(y: np.ndarray, *, sr: int) -> tuple[np.ndarray, int]:
    """Narrowband telephone channel: 8 kHz, 300-3400 Hz, G.711 mu-law.

    Resamples to 8 kHz (polyphase, anti-aliased), band-passes 300-3400 Hz
    (Butterworth, zero phase, so time alignment is kept), then encodes and
    decodes 8-bit mu-law through libsndfile's G.711 codec (``ULAW`` WAV in
    memory), i.e. exactly what a mu-law WAV file holds.

    Returns
    -------
    y_tel : np.ndarray [dtype=float32]
    sr_tel : int
        ``TELEPHONE_SR_HZ`` (8000).
    """
    narrow = _resample(np.asarray(y, dtype=np.float64), sr, TELEPHONE_SR_HZ)
    sos = signal.butter(TELEPHONE_FILTER_ORDER, TELEPHONE_BAND_HZ, btype="bandpass", fs=TELEPHONE_SR_HZ, output="sos")
    band = np.clip(signal.sosfiltfilt(sos, narrow), -1.0, 1.0)
    buf = io.BytesIO()
    sf.write(buf, band, TELEPHONE_SR_HZ, subtype="ULAW", format="WAV")
    buf.seek(0)
    out, _ = sf.read(buf, dtype="float32")
    return out, TELEPHONE_SR_HZ


# ------------------------------------------------------------------ espeak-ng
def espeak_available() -> bool:
    """True when ``espeak-ng`` is on PATH."""
    return shutil.which(ESPEAK) is not None


def ssml_sentences(sentences, *, break_ms: int = 600) -> str:
    """SSML fragment: the sentences, XML-escaped, joined by ``<break time="..ms"/>``."""
    return f'<break time="{int(break_ms)}ms"/>'.join(escape(s) for s in sentences)


def _run_espeak(options: list, text: str, *, sr_out: int | None) -> tuple[np.ndarray, int]:
    """Run espeak-ng with ``options``, text on stdin (so a leading "-" is not an option)."""
    with tempfile.TemporaryDirectory(prefix="tonecheck-espeak-") as tmp:
        wav = os.path.join(tmp, "out.wav")
        done = subprocess.run(
            [ESPEAK, *options, "--stdin", "-w", wav], input=text.encode("utf-8"), capture_output=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"espeak-ng {' '.join(options)} failed: {done.stderr.decode(errors='replace').strip()}")
        y, sr = sf.read(wav, dtype="float64")
    if sr_out is not None:
        y, sr = _resample(y, sr, sr_out), sr_out
    return y.astype(np.float32), sr


def _check_speed(speed_wpm) -> None:
    lo, hi = ESPEAK_SPEED_WPM
    if speed_wpm is not None and not lo <= speed_wpm <= hi:
        raise ValueError(f"speed_wpm={speed_wpm} is outside espeak-ng's {lo}-{hi}")


def espeak_ssml(
    text: str,
    *,
    voice: str = "en-us",
    range_pct: float = 50,
    rate_pct: float = 100,
    pitch_pct: float = 100,
    speed_wpm: int | None = None,
    sr_out: int | None = None,
) -> tuple[np.ndarray, int]:
    """Speak an SSML fragment with a chosen pitch range: ``espeak-ng -m -v VOICE``.

    The fragment goes inside
    ``<speak><prosody range="R" rate="P%" pitch="Q%">text</prosody></speak>``.

    Parameters
    ----------
    text : str
        SSML fragment: escape ``& < >`` yourself, or build it with
        :func:`ssml_sentences` (which adds ``<break/>`` pauses).
    voice : str
        espeak-ng voice, e.g. "en-us", "en-gb-x-rp", "en-us+f3", "cmn".
    range_pct : float, 0-100
        espeak-ng's pitch range, written as a bare number (``range="50"``):
        0 is a true monotone, 50 the voice's default, 100 the maximum.
    rate_pct : float > 0
        SSML rate, percent of the speed (``-s``, default 175).
    pitch_pct : float > 0
        SSML base pitch, percent of the voice's default.
    speed_wpm : int, 80-450, optional
        ``-s`` speed.
    sr_out : int, optional
        Resample to this rate (polyphase); default: espeak's own 22050 Hz.

    Returns
    -------
    y : np.ndarray [dtype=float32]
    sr : int

    Notes
    -----
    Measured with espeak-ng 1.51 and Praat autocorrelation pitch on a
    three-sentence customer-service text (F0 spread = 5-95 percentile span,
    standard deviation in brackets, semitones):

    * en-us range 0 / 10 / 25 / 50 / 75 / 100: 0.5 (0.14) / 1.3 (0.40) /
      3.2 (0.91) / 6.0 (1.73) / 8.2 (2.35) / 9.4 (2.77); 150, 200 and 400
      give exactly the 100 audio.  en-gb, en-gb-x-rp, en-us-nyc, en-029,
      en-gb-scotland and en-us+m3 agree within about 1.5 st; en-us+f3 (about
      180-250 Hz) reaches 12.0 (3.59).  cmn with Chinese text: 0.5 (0.14) /
      1.2 / 2.5 / 4.7 (1.96) / 7.5 / 9.5 (4.07); range 0 flattens the
      lexical tones too.
    * A bare number is espeak's absolute range (default 50); a percentage is
      relative to the default: "0%" = 0, "50%" = 25, "100%" = 50,
      "200%" = 100 (the cap).  Keywords: x-low, low and medium give exactly
      the 10, 25 and 50 audio; high and x-high land near 70 and 90.
    * Raising the range also raises the median F0 (89 Hz at 0 to 116 Hz at
      100 for en-us): espeak widens the range upwards from a fixed floor.
    * Even range 100 is a moderately lively reader, not a radio DJ: espeak
      cannot make the top inflection levels (8-10).
    * ``rate="P%"`` multiplies ``-s``; bare rate numbers are not a speed
      (``rate="140"`` comes out at about 900 wpm); ``<break time="600ms"/>``
      adds exactly 600 ms.  ``pitch="+50%"`` raised the median F0 by a
      factor of about 1.3, not 1.5.
    * Variants: ``en-gb+f2`` silently ignores the variant (same audio as
      en-gb); use ``en-us+f3``, ``en+f2`` or ``en-gb-x-rp+f4``.  The MBROLA
      voices (mb-us1 ...) are listed but not installed.
    """
    if not 0 <= range_pct <= ESPEAK_RANGE_MAX:
        raise ValueError(
            f"range_pct={range_pct}: espeak-ng honours 0-{ESPEAK_RANGE_MAX} (higher is the same as {ESPEAK_RANGE_MAX})"
        )
    _check_speed(speed_wpm)
    ssml = f'<speak><prosody range="{range_pct:g}" rate="{rate_pct:g}%" pitch="{pitch_pct:g}%">{text}</prosody></speak>'
    speed = [] if speed_wpm is None else ["-s", str(int(speed_wpm))]
    return _run_espeak(["-m", "-v", voice, *speed], ssml, sr_out=sr_out)


def espeak_words(
    text: str, *, voice: str = "en-us", speed_wpm: int = 175, sr_out: int | None = None
) -> tuple[np.ndarray, int]:
    """Speak plain text at espeak-ng speed ``-s speed_wpm``, for rate ladders.

    Parameters
    ----------
    text : str
        Plain text (no markup).
    voice : str
        espeak-ng voice.
    speed_wpm : int, 80-450
        espeak-ng's nominal words per minute.
    sr_out : int, optional
        Resample to this rate; default espeak's 22050 Hz.

    Returns
    -------
    y : np.ndarray [dtype=float32]
    sr : int

    Notes
    -----
    ``-s`` is not a faithful words-per-minute figure: measure the truth as
    words / :func:`speech_span_s`.  With espeak-ng 1.51 the duration scales
    as 1/speed (the measured/nominal ratio stays within about +/-3 % from
    -s 90 to 500; -s 80 is the floor), but the ratio depends on the text:
    a 68-word customer-service passage of short words came out at 1.22x the
    nominal speed (-s 140 -> 171 wpm over the speaking span, 191 wpm
    excluding pauses), a text of monosyllables at 1.7x and one of long
    Latinate words at 0.5x.  en-gb is within 2 % of en-us.
    """
    _check_speed(speed_wpm)
    return _run_espeak(["-v", voice, "-s", str(int(speed_wpm))], text, sr_out=sr_out)


# -------------------------------------------------------- files and measures
def _write_atomic(path, write) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then ``os.replace`` it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, FILE_MODE & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def write_wav(path, y: np.ndarray, sr: int, subtype: str = "PCM_16") -> Path:
    """Write a WAV atomically: a temporary file in the same folder, then ``os.replace``.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; its folder must exist.
    y : np.ndarray [shape=(n,) or (n, channels)]
        Samples; floats in [-1, 1] or integers for PCM subtypes.
    sr : int > 0
        Sample rate, Hz.
    subtype : str
        libsndfile subtype, e.g. "PCM_16", "FLOAT", "ULAW".

    Returns
    -------
    Path
        ``path``.
    """
    return _write_atomic(path, lambda tmp: sf.write(tmp, y, sr, subtype=subtype, format="WAV"))


def write_text(path, text: str) -> Path:
    """Write UTF-8 text atomically, like :func:`write_wav`."""
    return _write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def speech_bounds_s(y: np.ndarray, *, sr: int, floor_db: float = SPAN_FLOOR_DB) -> tuple[float, float]:
    """Start and end, seconds, of the 10 ms frames within ``floor_db`` of the loudest frame.

    Ground truth for clean synthetic speech only (no noise floor to adapt
    to).  A silent signal gives ``(0.0, 0.0)``.
    """
    hop = max(1, round(SPAN_FRAME_S * sr))
    n = len(y) // hop
    rms = np.sqrt(np.mean(np.asarray(y[: n * hop], dtype=np.float64).reshape(n, hop) ** 2, axis=1))
    if n == 0 or rms.max() == 0.0:
        return 0.0, 0.0
    on = np.nonzero(rms > rms.max() * _db_to_gain(floor_db))[0]
    return on[0] * hop / sr, (on[-1] + 1) * hop / sr


def speech_span_s(y: np.ndarray, *, sr: int, floor_db: float = SPAN_FLOOR_DB) -> float:
    """Speaking span, seconds: pauses inside count, leading and trailing silence do not.

    See Also
    --------
    speech_bounds_s
    """
    start_s, end_s = speech_bounds_s(y, sr=sr, floor_db=floor_db)
    return end_s - start_s
