"""``tonecheck batch``: a folder of role-plays -> per-call reports, CSV, dashboard."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from ..errors import TonecheckError
from ..fileio import display_path
from ..messages import text
from .common import LANGUAGE_HELP, REPORT_LANG_HELP, cli_error, error_line, resolve_languages, warning_line

__all__ = ["batch"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=str),
    help="Output folder: calls/*.json and *.html, summary.csv, index.html. "
    "Required, except with --summary-only (default: PATH itself).",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: all cores].")
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds one file may take before its worker is stopped and the file reported as failed "
    "[default: 60 s plus the recording's duration].",
)
@click.option("--force", is_flag=True, help="Re-analyze recordings that are already up to date.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first file that cannot be analyzed.")
@click.option(
    "--summary-only",
    is_flag=True,
    help="Rebuild summary.csv and index.html from the calls/*.json in PATH (one earlier --out folder), "
    "without analyzing; written to --out, or to PATH when --out is not given.",
)
@click.option("--agent-pattern", help="Regular expression on file names; group 'agent' (or group 1) names the agent.")
@click.option(
    "--manifest",
    type=click.Path(path_type=str),
    help="CSV with columns file,agent[,date,role,agent_channel]; agent_channel makes that file a two-party call.",
)
@click.option(
    "--agent",
    "call_agent",
    default=None,
    help="Analyze every recording as a two-party call; the agent is: first (who greets), second, left, right "
    "or a channel number.",
)
@click.option(
    "--agent-voice",
    type=click.Path(path_type=str),
    help="Two-party calls: a few seconds of the agent's own voice; the matching voice is the agent.",
)
@click.option("--language", type=click.Choice(["en", "zh"]), default=None, help=LANGUAGE_HELP)
@click.option("--lang", "report_lang", type=click.Choice(["en", "zh"]), default=None, help=REPORT_LANG_HELP)
@click.option("--channel", default="mix", show_default=True, help="Channel to analyze: mix, left, right or a number.")
@click.option(
    "--targets", "targets_path", type=click.Path(path_type=str), help="JSON file overriding the manual's targets."
)
def batch(paths, out_dir, summary_only, report_lang, language, **options):
    """Review a folder of role-play recordings: per-call reports and a team dashboard.

    The agent is the first folder level under PATH (or --agent-pattern, or
    --manifest); the recording time comes from the manifest, a date in the
    file name, or the file's modification time. Each file is analyzed once,
    however many PATHs or links reach it. Re-running skips recordings whose
    size, mtime and SHA-256 are unchanged. Only one batch at a time may
    write to an output folder. Ctrl-C stops the run and keeps what finished.

    Exit status: 0 when every file was analyzed (or was up to date), 2 when
    some could not be analyzed, 1 for a usage error, 130 when interrupted.
    """
    language, lang = resolve_languages(language, report_lang)
    on_interrupt = signal.getsignal(signal.SIGINT)
    try:
        out_dir = _out_folder(paths, out_dir, summary_only)
        result = (
            _summary_only(paths, out_dir, lang) if summary_only else _analyze(paths, out_dir, language, lang, options)
        )
        _report(result, out_dir, lang)
    except TonecheckError as exc:
        raise cli_error(exc, lang) from exc
    except KeyboardInterrupt:
        _leave(EXIT_INTERRUPTED, text("batch.interrupted", lang))
    finally:
        signal.signal(signal.SIGINT, on_interrupt)


def _out_folder(paths, out_dir, summary_only: bool) -> str:
    if summary_only and len(paths) != 1:
        raise TonecheckError("--summary-only: give exactly one PATH, an earlier --out folder")
    if out_dir is None:
        if not summary_only:
            raise TonecheckError("--out: missing; give an output folder, e.g. --out review")
        out_dir = paths[0]
    if not out_dir.strip():
        raise TonecheckError("--out is empty; give an output folder")
    return out_dir


def _summary_only(paths, out_dir, lang: str):
    from .. import batch as batchlib
    from ..batch.results import calls_folder

    calls_folder(paths[0])  # before the lock, which would create the output folder
    with batchlib.output_lock(out_dir):
        result = batchlib.load_results(paths[0])
        _write_summary(result, out_dir, lang)
    return result


def _analyze(paths, out_dir, language: str, lang: str, options: dict):
    from .. import batch as batchlib
    from ..analysis import Settings
    from ..targets import load_targets

    settings = Settings(language=language, channel=options["channel"])
    call = _call_options(options)
    targets = load_targets(options["targets_path"]) if options["targets_path"] else None
    recordings = batchlib.find_recordings(
        paths, out_dir=out_dir, agent_pattern=options["agent_pattern"], manifest=options["manifest"]
    )
    if not recordings:
        raise TonecheckError(
            f"{', '.join(map(display_path, paths))}: no recordings found "
            f"({', '.join(sorted(_extensions()))}); check the folder"
        )
    with batchlib.output_lock(out_dir):
        with click.progressbar(
            length=len(recordings), label=text("batch.progress", lang), show_eta=True, show_pos=True, file=sys.stderr
        ) as bar:
            result = batchlib.run_batch(
                recordings,
                out_dir=out_dir,
                settings=settings,
                targets=targets,
                lang=lang,
                jobs=options["jobs"],
                force=options["force"],
                fail_fast=options["fail_fast"],
                timeout_s=options["timeout_s"],
                progress=lambda _rec, _status: bar.update(1),
                lock=False,
                call=call,
            )
        if result.interrupted:  # a second Ctrl-C from here on leaves at once
            signal.signal(signal.SIGINT, lambda *_: os._exit(EXIT_INTERRUPTED))
        _write_summary(result, out_dir, lang, protect=[r.path for r in recordings if not r.problem])
    return result


def _call_options(options: dict) -> dict | None:
    """``--agent``/``--agent-voice`` checked before any analysis (None: one voice per recording)."""
    from ..call import parse_agent

    agent, voice = options["call_agent"], options["agent_voice"]
    if agent is None and voice is None:
        return None
    if options["channel"] != "mix":
        raise TonecheckError("--channel picks one voice; for two-party calls use --agent left, right or a number")
    if voice is not None and not os.path.isfile(voice):
        raise TonecheckError(f"--agent-voice {display_path(voice)}: no such file; give a recording of the agent")
    return {"agent": parse_agent(agent) if agent is not None else None, "agent_voice": voice}


def _extensions():
    from ..audio import SUPPORTED_EXTENSIONS

    return SUPPORTED_EXTENSIONS


def _write_summary(result, out_dir, lang: str, protect=()) -> None:
    from ..batch.quiet import quiet, warning_notes
    from ..fileio import ProtectedFiles, write_atomic
    from ..report.csv import render_csv
    from ..report.dashboard import render_dashboard

    protect = ProtectedFiles(protect)
    with quiet() as caught:  # library warnings become tonecheck lines, not raw stderr
        page = render_dashboard(result, lang=lang)
    for note in warning_notes(caught):
        click.echo(warning_line(f"{display_path(Path(out_dir) / 'index.html')}: {note}", lang), err=True)
    write_atomic(Path(out_dir) / "summary.csv", render_csv(result).encode("utf-8-sig"), protect=protect)
    write_atomic(Path(out_dir) / "index.html", page, protect=protect)


def _report(result, out_dir, lang: str) -> None:
    for ignored in result.ignored:
        click.echo(
            warning_line(text("batch.skipped_json", lang, file=ignored.path, reason=ignored.reason), lang), err=True
        )
    for failure in result.failures:
        click.echo(error_line(TonecheckError(failure.message), lang), err=True)
    summary = text(
        "batch.summary",
        lang,
        records=len(result.records),
        processed=result.analyzed,
        skipped=result.skipped,
        failed=len(result.failures),
        dashboard=display_path(Path(out_dir) / "index.html"),
    )
    click.echo(summary, err=True)
    if result.interrupted:
        _leave(EXIT_INTERRUPTED, text("batch.interrupted", lang))
    if result.failures:
        sys.exit(2)


def _leave(code: int, line: str) -> None:
    click.echo(line, err=True)
    sys.exit(code)
