"""Make the sample practice-call recordings and samples/README.md.

Usage: python samples/make_samples.py

Each sample is one customer-service agent's opening, spoken by espeak-ng
with a chosen SSML pitch range, ``<break>`` pauses between sentences and an
espeak speed (``-s``) found by iteration so that words / speaking span hits
the sample's target rate.  Audio is resampled to 16 kHz (polyphase) and
peak-normalized; the telephone sample then goes through an
8 kHz, 300-3400 Hz, mu-law channel.  espeak-ng is deterministic, so a re-run
rewrites identical files (atomically); README.md is regenerated with the
word counts, SSML and measured rates, the ground truth for tests.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests import synth  # noqa: E402

SR = 16000
BREAK_MS = 600
PEAK_DBFS = -10.0
"""Peak level after scaling; espeak's crest factor then puts active speech near -25 dBFS,
a typical level for a headset or phone recording."""
SPEED_ITERATIONS = 6
START_SPEED_WPM = 150

EN_SENTENCES = (
    "Thank you for calling Northwind support, my name is Alex.",
    "How can I help you today?",
    "I'm sorry your order hasn't arrived yet.",
    "Let me look up the tracking number.",
    "I'll find that for you right now.",
)
ZH_WORDS = (
    # jieba 0.42.1 segmentation (what tonecheck.rate.count_words uses); punctuation is not a word
    ("感谢您", "致电", "北风", "客服", "，", "我", "是", "小", "李", "。"),
    ("请问", "今天", "有", "什么", "可以", "帮", "您", "？"),
    ("很", "抱歉", "，", "您", "的", "订单", "还", "没有", "送到", "。"),
    ("我", "帮", "您", "查", "一下", "物流", "信息", "。"),
    ("我", "马上", "为", "您", "处理", "。"),
)
PUNCT = "，。？"
ZH_VOICE = "cmn-latn-pinyin"
"""espeak-ng 1.51's plain ``cmn`` voice reads many characters as pinyin spelled in English
("gan three" for 感): about 1.7 syllables per character, which is not Mandarin speech.
``cmn-latn-pinyin`` speaks every character as one Mandarin syllable."""


@dataclass(frozen=True)
class Sample:
    name: str
    voice: str
    range_pct: int
    target_wpm: float
    language: str
    note: str
    telephone: bool = False


SAMPLES = (
    Sample("greeting_flat.wav", "en-us", 0, 140.0, "en", "true monotone (SSML range 0), normal rate"),
    Sample(
        "greeting_lively.wav",
        "en-us",
        100,
        140.0,
        "en",
        "espeak's widest range (100; 150+ sounds the same), normal rate",
    ),
    Sample("greeting_rushed.wav", "en-us", 50, 220.0, "en", "default range, rushed"),
    Sample(
        "phone_8k_ulaw.wav",
        "en-us",
        100,
        140.0,
        "en",
        "greeting_lively through an 8 kHz 300-3400 Hz mu-law telephone channel",
        telephone=True,
    ),
    Sample(
        "greeting_zh.wav",
        ZH_VOICE,
        50,
        140.0,
        "zh",
        "Mandarin (one syllable per character), default range, normal rate",
    ),
)


ZH_CHARS = sum(len(w) for s in ZH_WORDS for w in s if w not in PUNCT)


def sentences(language: str) -> tuple:
    return EN_SENTENCES if language == "en" else tuple("".join(s) for s in ZH_WORDS)


def word_count(language: str) -> int:
    if language == "en":
        return sum(len(s.split()) for s in EN_SENTENCES)
    return sum(1 for s in ZH_WORDS for w in s if w not in PUNCT)


def check_zh_segmentation() -> None:
    """Fail loudly if jieba (when installed) no longer segments ZH_WORDS the same way."""
    try:
        import jieba
    except ImportError:
        return
    jieba.setLogLevel(60)
    for words in ZH_WORDS:
        if tuple(jieba.lcut("".join(words))) != words:
            raise SystemExit(f"jieba segments {''.join(words)!r} as {jieba.lcut(''.join(words))}; update ZH_WORDS")


def speak_at_rate(sample: Sample) -> tuple:
    """Iterate ``-s`` until words / span is the target; returns (y at SR, speed_wpm, ssml fragment)."""
    text = synth.ssml_sentences(sentences(sample.language), break_ms=BREAK_MS)
    words = word_count(sample.language)
    breaks_s = BREAK_MS / 1000 * (len(sentences(sample.language)) - 1)
    lo, hi = synth.ESPEAK_SPEED_WPM
    speed, tried = START_SPEED_WPM, {}
    for _ in range(SPEED_ITERATIONS):
        if speed in tried:
            break
        y, _ = synth.espeak_ssml(text, voice=sample.voice, range_pct=sample.range_pct, speed_wpm=speed, sr_out=SR)
        tried[speed] = y
        talk_s = synth.speech_span_s(y, sr=SR) - breaks_s
        want_s = words * 60.0 / sample.target_wpm - breaks_s
        speed = int(np.clip(round(speed * talk_s / want_s), lo, hi))
    best = min(tried, key=lambda s: abs(words * 60.0 / synth.speech_span_s(tried[s], sr=SR) - sample.target_wpm))
    return tried[best], best, text


def span_rms_dbfs(y: np.ndarray, sr: int) -> float:
    """RMS level over the speaking span (pauses included), dBFS."""
    start_s, end_s = synth.speech_bounds_s(y, sr=sr)
    return float(10 * np.log10(np.mean(y[round(start_s * sr) : round(end_s * sr)].astype(np.float64) ** 2)))


def set_level(y: np.ndarray) -> np.ndarray:
    """Peak-normalize to PEAK_DBFS."""
    return (y * (10 ** (PEAK_DBFS / 20) / np.max(np.abs(y)))).astype(np.float32)


def make(sample: Sample, cache: dict) -> dict:
    key = (sample.voice, sample.range_pct, sample.target_wpm, sample.language)
    if key not in cache:
        y, speed, text = speak_at_rate(sample)
        cache[key] = (set_level(y), speed, text)
    y, speed, text = cache[key]
    sr, subtype = SR, "PCM_16"
    if sample.telephone:
        (y, sr), subtype = synth.telephone(y, sr=SR), "ULAW"
    synth.write_wav(HERE / sample.name, y, sr, subtype=subtype)
    words, span = word_count(sample.language), synth.speech_span_s(y, sr=sr)
    chars = ZH_CHARS if sample.language == "zh" else 0
    return {
        "sample": sample,
        "speed": speed,
        "text": text,
        "words": words,
        "chars": chars,
        "duration_s": len(y) / sr,
        "span_s": span,
        "level_dbfs": span_rms_dbfs(y, sr),
        "wpm": words * 60 / span,
        "sr": sr,
        "subtype": subtype,
        "size_kb": (HERE / sample.name).stat().st_size / 1024,
        **measured(HERE / sample.name, sample.language),
    }


def measured(path: Path, language: str) -> dict:
    """What tonecheck itself reports for the file (the figures a user sees)."""
    from tonecheck.analysis import Settings, analyze_file

    a = analyze_file(path, settings=Settings(language=language))
    return {"tc_wpm": a.rate.wpm, "tc_cpm": a.rate.chars_per_min, "tc_level": a.intonation.level}


def espeak_version() -> str:
    out = subprocess.run([synth.ESPEAK, "--version"], capture_output=True, text=True, check=True).stdout
    return out.split("Data at")[0].strip()


def zh_syllables_per_word() -> float:
    from tonecheck.rate import rate_calibration

    return rate_calibration("zh").syllables_per_word


def cpm(chars: int, span_s: float) -> str:
    return f"{chars * 60 / span_s:.0f}" if chars else "-"


def readme(rows: list) -> str:
    lines = [
        "# Sample practice calls",
        "",
        "Synthetic recordings of a customer-service agent's opening, for trying tonecheck",
        "and for tests.  Generated by `python samples/make_samples.py` (deterministic;",
        "re-running rewrites identical files and this README).  Do not edit by hand.",
        "",
        f"- Synthesizer: {espeak_version()}, `espeak-ng -m -v VOICE -s SPEED -w out.wav SSML`.",
        '- SSML: `<speak><prosody range="R" rate="100%" pitch="100%">SENTENCES</prosody></speak>`,',
        f'  sentences joined by `<break time="{BREAK_MS}ms"/>`.  `range` is espeak\'s absolute pitch',
        "  range (0 = monotone, 50 = default, 100 = maximum; see `tests/synth.py: espeak_ssml`).",
        "- `-s` SPEED was iterated so that words / speaking span hits the target rate.",
        "- Post-processing: 22050 -> 16000 Hz polyphase resampling (scipy `resample_poly`);",
        f"  peak-normalized to {PEAK_DBFS:g} dBFS (the table gives the RMS over the speaking span);",
        "  16-bit PCM WAV.  `phone_8k_ulaw.wav` is `greeting_lively` then `tests.synth.telephone`:",
        "  8 kHz polyphase resampling, 4th-order Butterworth 300-3400 Hz band-pass (zero phase),",
        "  G.711 mu-law WAV (libsndfile `ULAW`).",
        "- Words: English = whitespace tokens (contractions count once); Mandarin = jieba 0.42.1",
        "  tokens without punctuation (what `tonecheck.rate.count_words` counts).",
        "- Speaking span: first to last 10 ms frame within 40 dB of the loudest (`synth.speech_span_s`);",
        "  pauses inside count.  wpm = words / span (the intended rate; chars/min likewise for Mandarin).",
        "- tonecheck columns: what `tonecheck analyze` (this version, `--language` of the sample) reports.",
        f"  Mandarin wpm is estimated from syllables with the calibrated {zh_syllables_per_word():.2f} syllables per word",
        "  (AISHELL speech, about 1.9 characters per word); this greeting has shorter words",
        f"  ({ZH_CHARS} characters in {word_count('zh')} words = {ZH_CHARS / word_count('zh'):.2f} per word), so tonecheck's",
        "  wpm reads below the word count while its characters per minute match.",
        f"- Mandarin voice: `{ZH_VOICE}`.  espeak-ng's plain `cmn` voice reads many characters as",
        '  pinyin spelled in English ("gan three" for 感), about 1.7 syllables per character; an',
        "  earlier sample made with it measured 210 wpm and 385 characters per minute.",
        "",
        "| file | voice | range | -s | words | chars | duration s | span s | wpm | chars/min "
        "| tonecheck wpm | tonecheck chars/min | tonecheck intonation | level dBFS | format | KB | what |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["sample"]
        lines.append(
            f"| `{s.name}` | {s.voice} | {s.range_pct} | {r['speed']} | {r['words']} | {r['chars'] or '-'} | "
            f"{r['duration_s']:.2f} | {r['span_s']:.2f} | {r['wpm']:.0f} | {cpm(r['chars'], r['span_s'])} | "
            f"{r['tc_wpm']:.0f} | {'-' if r['tc_cpm'] is None else format(r['tc_cpm'], '.0f')} | "
            f"{r['tc_level']:.1f} | {r['level_dbfs']:.1f} | "
            f"{r['sr']} Hz {r['subtype']} | "
            f"{r['size_kb']:.0f} | {s.note} |"
        )
    lines += ["", "## Texts (SSML fragments as spoken)", ""]
    for lang in ("en", "zh"):
        text = next(r["text"] for r in rows if r["sample"].language == lang)
        lines += [f"- {lang} ({word_count(lang)} words): `{text}`"]
    segmented = " / ".join(" ".join(w for w in s if w not in PUNCT) for s in ZH_WORDS)
    lines += ["", f"Mandarin segmentation: {segmented}", ""]
    return "\n".join(lines)


def main() -> int:
    if not synth.espeak_available():
        print("espeak-ng not found on PATH; install it (apt-get install espeak-ng)", file=sys.stderr)
        return 1
    check_zh_segmentation()
    cache: dict = {}
    rows = [make(s, cache) for s in SAMPLES]
    synth.write_text(HERE / "README.md", readme(rows))
    for r in rows:
        print(
            f"{r['sample'].name:22s} -s {r['speed']:3d}  {r['duration_s']:5.2f} s  {r['wpm']:5.0f} wpm  "
            f"{r['size_kb']:4.0f} KB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
