"""Call-report cost beyond the analysis, and the page size of a long call.

Usage: python -m bench.report_speed [--minutes 10] [--hours 1]

Targets (issue 3): rendering the report of a 10-minute call takes under
2 s beyond the analysis itself; the HTML of a 1-hour call stays under 5 MB.
"""

from __future__ import annotations

import argparse
import time

from tests import synth
from tonecheck.analysis import analyze
from tonecheck.audio import from_array
from tonecheck.report.html import render_report

SR = 8000


def measure(seconds: float, lang: str) -> tuple[float, float, int]:
    y = synth.speechlike_phrases(sr=SR, duration_s=seconds, excursion_st=4.0)
    audio = from_array(y, sr=SR, path=f"synthetic_{seconds / 60:.0f}min.wav")
    t0 = time.perf_counter()
    a = analyze(audio)
    t1 = time.perf_counter()
    page = render_report(a, lang=lang)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, len(page.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--hours", type=float, default=1.0)
    args = parser.parse_args()
    render_report(
        analyze(from_array(synth.speechlike_phrases(sr=SR, duration_s=20.0, excursion_st=4.0), sr=SR, path="warm-up"))
    )  # imports, font cache
    for seconds, label in ((args.minutes * 60, f"{args.minutes:g} min"), (args.hours * 3600, f"{args.hours:g} h")):
        for lang in ("en", "zh"):
            t_an, t_rep, size = measure(seconds, lang)
            print(
                f"{label:>7} [{lang}]  analysis {t_an:6.2f} s   report {t_rep:5.2f} s (target < 2 s for 10 min)   "
                f"HTML {size / 1e6:5.2f} MB (target < 5 MB for 1 h)"
            )


if __name__ == "__main__":
    main()
