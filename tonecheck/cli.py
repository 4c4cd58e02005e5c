"""Command line: parse, call the library, render, map errors to exit codes.

The only module that imports click.  Library errors (:class:`TonecheckError`)
become one ``Error: ...`` line on stderr and exit code 1; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import TonecheckError

VERDICT_COLOURS = {"within": "green", "below": "yellow", "above": "red", "unknown": None}


def _style(text: str, verdict: str) -> str:
    colour = VERDICT_COLOURS.get(verdict)
    return click.style(text, fg=colour, bold=True) if colour else text


def _read_transcript(path: str) -> str:
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TonecheckError(f"{path}: cannot read transcript ({exc}); give a UTF-8 plain-text file") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tonecheck")
def cli():
    """tonecheck: how your voice comes across on the phone.

    Measures intonation (the manual's 1-10 scale, 5-6 is best), speaking rate
    (100-150 words per minute), volume and energy of recorded practice calls,
    offline. Recordings never leave this machine.
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file (JSON Lines) instead of the report.")
@click.option("--contour", is_flag=True, help="With --json: include the pitch contour (pitch.contour).")
@click.option("--language", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language spoken: selects the intonation and rate calibration.")
@click.option("--lang", "report_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the report text (default: en, or zh under a Chinese locale).")
@click.option("--channel", default="mix", show_default=True, help="Channel to analyze: mix, left, right or a number (1 = first).")
@click.option("--transcript", type=click.Path(path_type=str), help="Plain-text transcript: count words exactly (one FILE only).")
@click.option("--targets", "targets_path", type=click.Path(path_type=str), help="JSON file overriding the manual's targets.")
@click.option("--report", "report_path", type=click.Path(path_type=str),
              help="Write a self-contained HTML call report here (one FILE only).")
@click.option("--plot", "plot_path", type=click.Path(path_type=str),
              help="Write the pitch/loudness/rate figure here as PNG (one FILE only).")
def analyze(files, as_json, contour, language, report_lang, channel, transcript, targets_path, report_path, plot_path):
    """Analyze recorded practice calls (WAV, FLAC, OGG, MP3; M4A/AAC/AMR/3GP/WebM with ffmpeg).

    Exit status: 0 when every file was analyzed, 1 when any failed.
    """
    from .analysis import Settings, analyze_file
    from .report.text import render_text
    from .targets import load_targets

    lang = report_lang or _locale_language()
    try:
        if transcript and len(files) > 1:
            raise TonecheckError("--transcript: one transcript fits one recording; give a single FILE")
        if (report_path or plot_path) and len(files) > 1:
            raise TonecheckError("--report/--plot: one report per recording; give a single FILE "
                                 "or use tonecheck batch for many")
        settings = Settings(language=language, channel=channel,
                            transcript=_read_transcript(transcript) if transcript else None)
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
            click.echo(("\n" if i else "") + render_text(result, lang=lang, style=_style))
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=str),
              help="Output folder: calls/*.json and *.html, summary.csv, index.html.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: all cores].")
@click.option("--force", is_flag=True, help="Re-analyze recordings that are already up to date.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first file that cannot be analyzed.")
@click.option("--summary-only", is_flag=True, help="Rebuild summary.csv and index.html from the JSON in PATH (an --out folder).")
@click.option("--agent-pattern", help="Regular expression on file names; group 'agent' (or group 1) names the agent.")
@click.option("--manifest", type=click.Path(path_type=str), help="CSV with columns file,agent[,date,role].")
@click.option("--language", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language spoken: selects the intonation and rate calibration.")
@click.option("--lang", "report_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the reports and dashboard (default: en, or zh under a Chinese locale).")
@click.option("--channel", default="mix", show_default=True, help="Channel to analyze: mix, left, right or a number.")
@click.option("--targets", "targets_path", type=click.Path(path_type=str), help="JSON file overriding the manual's targets.")
def batch(paths, out_dir, jobs, force, fail_fast, summary_only, agent_pattern, manifest, language, report_lang,
          channel, targets_path):
    """Review a folder of role-play recordings: per-call reports and a team dashboard.

    The agent is the first folder level under PATH (or --agent-pattern, or
    --manifest); the recording time comes from the manifest, a date in the
    file name, or the file's modification time. Re-running skips recordings
    whose size, mtime and SHA-256 are unchanged.

    Exit status: 0 when every file was analyzed (or was up to date), 2 when
    some could not be analyzed, 1 for a usage error.
    """
    from . import batch as batchlib
    from .analysis import Settings
    from .targets import load_targets

    lang = report_lang or _locale_language()
    try:
        if summary_only:
            result = batchlib.load_results(out_dir)
        else:
            settings = Settings(language=language, channel=channel)
            targets = load_targets(targets_path) if targets_path else None
            recordings = batchlib.find_recordings(paths, out_dir=out_dir, agent_pattern=agent_pattern,
                                                  manifest=manifest)
            if not recordings:
                raise TonecheckError(f"{', '.join(paths)}: no recordings found "
                                     f"({', '.join(sorted(_extensions()))}); check the folder")
            result = _run_with_progress(batchlib, recordings, out_dir, settings, targets, lang, jobs, force, fail_fast)
        _write_summary(result, out_dir, lang)
    except TonecheckError as exc:
        raise click.ClickException(str(exc)) from exc
    for failure in result.failures:
        click.echo(f"Error: {failure.message}", err=True)
    click.echo(f"{len(result.records)} recordings analyzed ({result.analyzed} processed now, {result.skipped} up to date), "
               f"{len(result.failures)} failed; dashboard: {Path(out_dir) / 'index.html'}", err=True)
    if result.failures:
        sys.exit(2)


def _extensions():
    from .audio import SUPPORTED_EXTENSIONS

    return SUPPORTED_EXTENSIONS


def _run_with_progress(batchlib, recordings, out_dir, settings, targets, lang, jobs, force, fail_fast):
    with click.progressbar(length=len(recordings), label="Analyzing", show_eta=True, show_pos=True,
                           file=sys.stderr) as bar:
        def progress(_rec, _status):
            bar.update(1)

        try:
            return batchlib.run_batch(recordings, out_dir=out_dir, settings=settings, targets=targets, lang=lang,
                                      jobs=jobs, force=force, fail_fast=fail_fast, progress=progress)
        except KeyboardInterrupt:
            raise click.ClickException("interrupted; finished calls are saved, run the same command again to resume")


def _write_summary(result, out_dir, lang: str) -> None:
    from .fileio import write_atomic
    from .report.csv import render_csv
    from .report.dashboard import render_dashboard

    write_atomic(Path(out_dir) / "summary.csv", render_csv(result).encode("utf-8-sig"))
    write_atomic(Path(out_dir) / "index.html", render_dashboard(result, lang=lang))


def _write_outputs(result, report_path, plot_path, lang: str) -> None:
    from .fileio import write_atomic

    if report_path:
        from .report.html import render_report

        write_atomic(report_path, render_report(result, lang=lang))
    if plot_path:
        from .report.plots import main_figure, save_png

        save_png(main_figure(result, lang=lang), plot_path)


def _locale_language() -> str:
    import locale
    import os

    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    loc = (locale.getlocale()[0] or "").lower()
    return "zh" if loc.startswith("zh") else "en"


def main():
    """Console-script entry point."""
    cli()
