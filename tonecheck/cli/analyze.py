"""``tonecheck analyze``: one or more recordings -> terminal report, JSON, HTML, PNG."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import TonecheckError
from .common import locale_language, style_verdict

__all__ = ["analyze"]


def _read_transcript(path: str) -> str:
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TonecheckError(f"{path}: cannot read transcript ({exc}); give a UTF-8 plain-text file") from exc


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per file (JSON Lines) instead of the report."
)
@click.option("--contour", is_flag=True, help="With --json: include the pitch contour (pitch.contour).")
@click.option(
    "--language",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language spoken: selects the intonation and rate calibration.",
)
@click.option(
    "--lang",
    "report_lang",
    type=click.Choice(["en", "zh"]),
    default=None,
    help="Language of the report text (default: en, or zh under a Chinese locale).",
)
@click.option(
    "--channel", default="mix", show_default=True, help="Channel to analyze: mix, left, right or a number (1 = first)."
)
@click.option(
    "--transcript", type=click.Path(path_type=str), help="Plain-text transcript: count words exactly (one FILE only)."
)
@click.option(
    "--targets", "targets_path", type=click.Path(path_type=str), help="JSON file overriding the manual's targets."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=str),
    help="Write a self-contained HTML call report here (one FILE only).",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=str),
    help="Write the pitch/loudness/rate figure here as PNG (one FILE only).",
)
def analyze(files, as_json, contour, language, report_lang, channel, transcript, targets_path, report_path, plot_path):
    """Analyze recorded practice calls (WAV, FLAC, OGG, MP3; M4A/AAC/AMR/3GP/WebM with ffmpeg).

    Exit status: 0 when every file was analyzed, 1 when any failed.
    """
    from ..analysis import Settings, analyze_file
    from ..report.text import render_text
    from ..targets import load_targets

    lang = report_lang or locale_language()
    try:
        if transcript and len(files) > 1:
            raise TonecheckError("--transcript: one transcript fits one recording; give a single FILE")
        if (report_path or plot_path) and len(files) > 1:
            raise TonecheckError(
                "--report/--plot: one report per recording; give a single FILE or use tonecheck batch for many"
            )
        settings = Settings(
            language=language, channel=channel, transcript=_read_transcript(transcript) if transcript else None
        )
        targets = load_targets(targets_path) if targets_path else None
    except TonecheckError as exc:
        raise click.ClickException(str(exc)) from exc
    failed = 0
    for i, path in enumerate(files):
        try:
            result = analyze_file(path, settings=settings, targets=targets)
        except TonecheckError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed += 1
            continue
        try:
            _write_outputs(result, report_path, plot_path, lang)
        except TonecheckError as exc:
            raise click.ClickException(str(exc)) from exc
        if as_json:
            click.echo(json.dumps(result.to_dict(contour=contour, lang=lang), ensure_ascii=False))
        else:
            click.echo(("\n" if i else "") + render_text(result, lang=lang, style=style_verdict))
    if failed:
        sys.exit(1)


def _write_outputs(result, report_path, plot_path, lang: str) -> None:
    from ..fileio import write_atomic

    if report_path:
        from ..report.html import render_report

        write_atomic(report_path, render_report(result, lang=lang))
    if plot_path:
        from ..report.plots import main_figure, save_png

        save_png(main_figure(result, lang=lang), plot_path)
