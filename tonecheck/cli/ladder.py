"""``tonecheck ladder``: one recording of the manual's ladder exercise -> levels, verdict, advice.

Prints each repetition's intonation level with a small bar, whether the
climb rises, the range reached (the agent's own 1 and 10), where the
"5-6" step settled and the advice; ``--json`` prints
:meth:`tonecheck.ladder.Ladder.to_dict` instead. Errors are one line in the
report language, exit code 1.
"""

from __future__ import annotations

import json
import math

import click

from ..errors import TonecheckError
from ..messages import Message, render, split_notes, text
from ..recording import display_name
from .common import (
    LANGUAGE_HELP,
    REPORT_LANG_HELP,
    captured_warnings,
    cli_error,
    message_error,
    resolve_languages,
    style_verdict,
    warning_line,
    warning_texts,
)

__all__ = ["ladder", "render_ladder_text"]

BAR_WIDTH = 10
"""One bar cell per level of the manual's 1-10 scale."""
QUIET_NOTES = frozenset({"note.short_speech"})
"""Notes not shown: a ladder recording is short on purpose."""


def _bar(level: float) -> str:
    """``[######----]`` for level 6 (rounded to whole levels); blanks when unrated."""
    if not math.isfinite(level):
        return "[" + " " * BAR_WIDTH + "]"
    n = int(min(BAR_WIDTH, max(0, round(level))))
    return "[" + "#" * n + "-" * (BAR_WIDTH - n) + "]"


def _level(value) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.1f}"


def _repetition_lines(result, lang: str) -> list:
    lines = [text("ladder.repetitions", lang)]
    for i, r in enumerate(result.repetitions, 1):
        role = text(f"ladder.role.{r.role}", lang)
        mark = "*" if r.window else " "
        span = f"{r.start_s:.1f}-{r.end_s:.1f} s".rjust(14)
        lines.append(f"  {i:2d}{mark} {span}  {_bar(r.level)} {_level(r.level):>4}  {role}")
    if any(r.window for r in result.repetitions):
        lines.append("  " + text("ladder.window_note", lang))
    return lines


def _verdict_lines(result, lang: str, style) -> list:
    from ..scoring import band_message

    answer = text("ladder.yes" if result.rises else "ladder.no", lang)
    rungs = sum(1 for r in result.repetitions if r.role == "climb" and math.isfinite(r.level))
    rho = "-" if not math.isfinite(result.climb_rho) else f"{result.climb_rho:.2f}"
    lines = [
        text("ladder.rises", lang, answer=style(answer, "within" if result.rises else "below"), rho=rho, rungs=rungs)
    ]
    lines.append(text("ladder.range", lang, low=_level(result.low_level), high=_level(result.high_level)))
    if result.settled_level is None:
        lines.append(text("ladder.settled_none", lang))
    else:
        target = render(band_message(result.analysis.targets.intonation_level), lang)
        verdict = result.analysis.targets.intonation_level.verdict(result.settled_level)
        lines.append(text("ladder.settled", lang, level=style(_level(result.settled_level), verdict), target=target))
    if result.settled_own_level is not None:
        lines.append(text("ladder.settled_own", lang, own=_level(result.settled_own_level)))
    return lines


def render_ladder_text(result, *, lang: str = "en", style=lambda s, verdict: s) -> str:
    """The terminal report of a :class:`~tonecheck.ladder.Ladder` in ``lang``.

    Parameters
    ----------
    result : Ladder
    lang : {"en", "zh"}
        Report language.
    style : callable (text, verdict) -> str
        Colours a figure by its verdict (identity by default).

    Returns
    -------
    report : str
        Lines joined by newlines, no trailing newline.
    """
    lines = [text("ladder.title", lang, file=display_name(result.analysis.audio.path)), ""]
    lines += _repetition_lines(result, lang) + [""]
    lines += _verdict_lines(result, lang, style) + ["", text("label.next", lang)]
    lines += [f"  - {render(m, lang)}" for m in result.advice]
    notes = [n for n in split_notes(result.analysis.notes)[0] if n.key not in QUIET_NOTES]
    if notes:
        lines += ["", text("label.warnings", lang)] + [f"  - {render(n, lang)}" for n in notes]
    return "\n".join(lines)


@click.command()
@click.argument("file", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the ladder as one JSON object instead of the report.")
@click.option("--language", type=click.Choice(["en", "zh"]), default=None, help=LANGUAGE_HELP)
@click.option("--lang", "report_lang", type=click.Choice(["en", "zh"]), default=None, help=REPORT_LANG_HELP)
def ladder(file, as_json, language, report_lang):
    """Rate a recording of the manual's ladder exercise.

    Say a short sentence normally; say it again climbing from level 1 to
    level 10 (one repetition per level with a short pause between them, or
    one continuous climb); step down to 8; settle at 5-6. tonecheck rates
    each repetition on the 1-10 scale, checks the climb rises, shows your own
    1 and 10 and where your "5-6" landed.

    Exit status: 0 when the recording was analyzed, 1 on an error.
    """
    from ..analysis import Settings
    from ..ladder import analyze_ladder_file

    speech_lang, lang = resolve_languages(language, report_lang)
    try:
        with captured_warnings() as caught:
            result = analyze_ladder_file(file, settings=Settings(language=speech_lang))
    except TonecheckError as exc:
        raise cli_error(exc, lang) from exc
    except MemoryError as exc:
        raise cli_error(message_error(Message("error.memory", {"file": display_name(file)})), lang) from exc
    with captured_warnings() as caught_render:
        if as_json:
            out = json.dumps(result.to_dict(lang=lang), ensure_ascii=False)
        else:
            out = render_ladder_text(result, lang=lang, style=style_verdict)
    click.echo(out)
    for line in warning_texts(list(caught) + list(caught_render)):
        click.echo(warning_line(f"{display_name(file)}: {line}", lang), err=True)
