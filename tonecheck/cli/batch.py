"""``tonecheck batch``: a folder of role-plays -> per-call reports, CSV, dashboard."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import TonecheckError
from .common import locale_language

__all__ = ["batch"]


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=str),
    help="Output folder: calls/*.json and *.html, summary.csv, index.html.",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: all cores].")
@click.option("--force", is_flag=True, help="Re-analyze recordings that are already up to date.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first file that cannot be analyzed.")
@click.option(
    "--summary-only", is_flag=True, help="Rebuild summary.csv and index.html from the JSON in PATH (an --out folder)."
)
@click.option("--agent-pattern", help="Regular expression on file names; group 'agent' (or group 1) names the agent.")
@click.option("--manifest", type=click.Path(path_type=str), help="CSV with columns file,agent[,date,role].")
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
    help="Language of the reports and dashboard (default: en, or zh under a Chinese locale).",
)
@click.option("--channel", default="mix", show_default=True, help="Channel to analyze: mix, left, right or a number.")
@click.option(
    "--targets", "targets_path", type=click.Path(path_type=str), help="JSON file overriding the manual's targets."
)
def batch(
    paths,
    out_dir,
    jobs,
    force,
    fail_fast,
    summary_only,
    agent_pattern,
    manifest,
    language,
    report_lang,
    channel,
    targets_path,
):
    """Review a folder of role-play recordings: per-call reports and a team dashboard.

    The agent is the first folder level under PATH (or --agent-pattern, or
    --manifest); the recording time comes from the manifest, a date in the
    file name, or the file's modification time. Re-running skips recordings
    whose size, mtime and SHA-256 are unchanged.

    Exit status: 0 when every file was analyzed (or was up to date), 2 when
    some could not be analyzed, 1 for a usage error.
    """
    from .. import batch as batchlib
    from ..analysis import Settings
    from ..targets import load_targets

    lang = report_lang or locale_language()
    try:
        if summary_only:
            result = batchlib.load_results(out_dir)
        else:
            settings = Settings(language=language, channel=channel)
            targets = load_targets(targets_path) if targets_path else None
            recordings = batchlib.find_recordings(
                paths, out_dir=out_dir, agent_pattern=agent_pattern, manifest=manifest
            )
            if not recordings:
                raise TonecheckError(
                    f"{', '.join(paths)}: no recordings found ({', '.join(sorted(_extensions()))}); check the folder"
                )
            result = _run_with_progress(batchlib, recordings, out_dir, settings, targets, lang, jobs, force, fail_fast)
        _write_summary(result, out_dir, lang)
    except TonecheckError as exc:
        raise click.ClickException(str(exc)) from exc
    for failure in result.failures:
        click.echo(f"Error: {failure.message}", err=True)
    click.echo(
        f"{len(result.records)} recordings analyzed ({result.analyzed} processed now, {result.skipped} up to date), "
        f"{len(result.failures)} failed; dashboard: {Path(out_dir) / 'index.html'}",
        err=True,
    )
    if result.failures:
        sys.exit(2)


def _extensions():
    from ..audio import SUPPORTED_EXTENSIONS

    return SUPPORTED_EXTENSIONS


def _run_with_progress(batchlib, recordings, out_dir, settings, targets, lang, jobs, force, fail_fast):
    with click.progressbar(
        length=len(recordings), label="Analyzing", show_eta=True, show_pos=True, file=sys.stderr
    ) as bar:

        def progress(_rec, _status):
            bar.update(1)

        try:
            return batchlib.run_batch(
                recordings,
                out_dir=out_dir,
                settings=settings,
                targets=targets,
                lang=lang,
                jobs=jobs,
                force=force,
                fail_fast=fail_fast,
                progress=progress,
            )
        except KeyboardInterrupt as exc:
            raise click.ClickException(
                "interrupted; finished calls are saved, run the same command again to resume"
            ) from exc


def _write_summary(result, out_dir, lang: str) -> None:
    from ..fileio import write_atomic
    from ..report.csv import render_csv
    from ..report.dashboard import render_dashboard

    write_atomic(Path(out_dir) / "summary.csv", render_csv(result).encode("utf-8-sig"))
    write_atomic(Path(out_dir) / "index.html", render_dashboard(result, lang=lang))
