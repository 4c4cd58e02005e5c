"""The manual's ladder exercise on espeak-ng ladders: are the repetitions found, does the climb rise?

Usage: python bench/ladder.py

Each ladder is one sentence said at ``<prosody range="R">`` for the manual's
steps: normal (50), the climb 0, 11, ... 99, then down to 77 and 55, with
800 ms breaks, no break (one continuous recording of sentences) or no
punctuation at all (one continuous climb). Prints, per voice and break, the
repetitions found (13 expected), how many were cut as windows, whether the
climb rises with its rank correlation, the agent's own 1 and 10, the settled
level and the verdict, and the level of every repetition.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import synth  # noqa: E402
from tonecheck.analysis import Settings  # noqa: E402
from tonecheck.audio import from_array  # noqa: E402
from tonecheck.ladder import analyze_ladder  # noqa: E402

STEPS = (50, *range(0, 100, 11), 77, 55)
EN = "Thank you for calling, how can I help you today?"
LADDERS = (
    ("en-us", EN, "en"),
    ("en-gb", EN, "en"),
    ("en-us+f3", EN, "en"),
    ("cmn", "感谢您致电北风客服，我是小李。", "zh"),
)


def ladder_ssml(sentence: str, break_ms: int | None) -> str:
    """The ladder as SSML; ``break_ms=None`` drops punctuation and breaks (one continuous climb)."""
    text = sentence if break_ms is not None else sentence.translate(str.maketrans("", "", ",?.，。"))
    joint = " " if break_ms is None else f'<break time="{break_ms}ms"/>'
    return joint.join(f'<prosody range="{r}">{escape(text)}</prosody>' for r in STEPS)


def main() -> int:
    if not synth.espeak_available():
        print("espeak-ng not found: nothing to measure")
        return 0
    print(f"{len(STEPS)} repetitions expected per ladder (steps {STEPS})")
    for voice, sentence, language in LADDERS:
        for break_ms in (800, 0, None):
            y, sr = synth.espeak_ssml(ladder_ssml(sentence, break_ms), voice=voice)
            result = analyze_ladder(from_array(y, sr=sr, path=voice), settings=Settings(language=language))
            levels = " ".join(f"{r.level:.1f}" for r in result.repetitions)
            print(
                f"{voice:9s} break={break_ms!s:4s} found={len(result.repetitions):2d} "
                f"windows={sum(r.window for r in result.repetitions):2d} rises={result.rises!s:5s} "
                f"rho={result.climb_rho:.2f} own 1-10={result.low_level}-{result.high_level} "
                f"settled={result.settled_level} {result.verdict} | {levels}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
