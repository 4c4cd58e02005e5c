"""Intonation level along espeak-ng SSML range ladders and on CREMA-D emotions.

Usage: python bench/intonation_ladder.py

* Ladders: the same sentence at ``<prosody range="R">`` for R in
  LADDER_RANGES, for several English voices and a Mandarin voice; the level
  must rise strictly along each ladder, and range 0 (a true monotone) must
  score 1.5 or below.
* CREMA-D dev clips: angry and happy readings should score above the
  neutral reading of the same sentence by the same actor.
* Dev corpus overview: level per source, for the calibration notes.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import corpus  # noqa: E402
from tonecheck.analysis import Settings, analyze  # noqa: E402
from tonecheck.audio import from_array  # noqa: E402

LADDER_RANGES = (0, 10, 25, 50, 75, 100)
EN_VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-x-rp")
ZH_VOICE = "cmn"
EN_TEXT = (
    "Thank you for calling Northwind support, my name is Alex. How can I help you today? "
    "I can see your order here, and I will find the missing parcel for you right now."
)
ZH_TEXT = "感谢您致电北风客服，我是小李。请问有什么可以帮您？我看到您的订单了，我马上为您查找这个包裹。"


def ladder(voice: str, text: str, language: str) -> list:
    from tests import synth

    levels = []
    for rng in LADDER_RANGES:
        y, sr = synth.espeak_ssml(text, voice=voice, range_pct=rng)
        a = analyze(from_array(y, sr=sr, path=f"{voice}@{rng}"), settings=Settings(language=language))
        levels.append((a.intonation.level, a.intonation.spread_st))
    return levels


def run_ladders() -> bool:
    from tests import synth

    if not synth.espeak_available():
        print("espeak-ng not found: ladders skipped")
        return True
    ok = True
    for voice, text, lang in [(v, EN_TEXT, "en") for v in EN_VOICES] + [(ZH_VOICE, ZH_TEXT, "zh")]:
        levels = ladder(voice, text, lang)
        rising = all(b[0] > a[0] for a, b in zip(levels, levels[1:]))
        flat_ok = levels[0][0] <= 1.5
        ok &= rising and flat_ok
        cells = "  ".join(f"{r}:{lv:.1f}({st:.2f}st)" for r, (lv, st) in zip(LADDER_RANGES, levels))
        print(f"ladder {voice:11s} [{lang}] {cells}  strictly rising={rising} range0<=1.5={flat_ok}")
    return ok


def run_cremad() -> bool:
    labels = corpus.dev_labels()
    by_actor = defaultdict(dict)
    for key, lab in labels.items():
        if lab["source"] == "cremad":
            y, sr = corpus.read(key)
            a = analyze(from_array(y, sr=sr, path=key))
            by_actor[lab["speaker"]][lab["emotion"]] = a.intonation.level
    ok = True
    for actor, levels in by_actor.items():
        cells = "  ".join(f"{e}:{lv:.1f}" for e, lv in sorted(levels.items()))
        good = levels["anger"] > levels["neutral"] and levels["happy"] > levels["neutral"]
        ok &= good
        print(f"CREMA-D {actor:28s} {cells}  angry&happy>neutral={good}")
    return ok


def run_overview() -> None:
    labels = corpus.dev_labels()
    by_source = defaultdict(list)
    for group in corpus.monologues(labels, min_s=20.0):
        y, span = corpus.join(group["keys"], labels, sr_out=8000)
        a = analyze(from_array(y, sr=8000, path=group["name"]), settings=Settings(language=group["language"]))
        by_source[group["language"]].append((group["name"], a.intonation.level, a.intonation.spread_st))
    for lang, rows in by_source.items():
        for name, lv, st in rows:
            print(f"overview [{lang}] {name[:40]:40s} level {lv:4.1f}  spread {st:.2f} st")


def main() -> int:
    ok = run_ladders()
    if corpus.corpus_dir() is None:
        print(f"corpus not found at {corpus.CORPUS}: CREMA-D and overview skipped")
    else:
        ok &= run_cremad()
        run_overview()
    print("ALL CHECKS PASSED" if ok else "SOME CHECKS FAILED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
