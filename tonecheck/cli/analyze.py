"""``tonecheck analyze``: one or more recordings -> terminal report, JSON, HTML, figure.

Everything that can be checked before the (slow) analysis is checked first:
option combinations, the transcript, the targets, and that ``--report`` and
``--plot`` may be written (never an input recording, a device, a FIFO, a
socket or a folder). Errors are one line in the report language.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import sys

import click

from ..errors import TonecheckError
from ..messages import Message
from ..recording import display_name
from .common import (
    LANGUAGE_HELP,
    REPORT_LANG_HELP,
    captured_warnings,
    cli_error,
    error_line,
    message_error,
    resolve_languages,
    style_verdict,
    warning_line,
    warning_texts,
)

__all__ = ["analyze"]

MAX_TRANSCRIPT_BYTES = 10 * 1024 * 1024
"""A transcript of a long call is a few hundred KB; more than this is not a transcript."""


def _read_transcript(path: str, language: str) -> str:
    """The transcript's text; refuses non-files, non-UTF-8, empty and wordless transcripts."""
    from ..rate import count_words

    name = display_name(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_TRANSCRIPT_BYTES + 1)
        if len(raw) > MAX_TRANSCRIPT_BYTES:
            raise OSError(0, f"larger than {MAX_TRANSCRIPT_BYTES // 2**20} MB")
        transcript = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise message_error(Message("error.transcript_unreadable", {"file": name, "reason": reason})) from exc
    if not transcript.strip():
        raise message_error(Message("error.transcript_empty", {"file": name}))
    if not count_words(transcript, language=language)[0]:
        raise message_error(Message("error.transcript_no_words", {"file": name}))
    return transcript


def _check_outputs(files, report_path, plot_path) -> None:
    """Refuse outputs that may not be written, before any analysis."""
    from ..fileio import check_output_path

    for option, path in (("report", report_path), ("plot", plot_path)):
        if path is not None and not path.strip():
            raise message_error(Message("error.output_empty", {"option": option}))
    if report_path is not None:
        check_output_path(report_path, protect=files)
    if plot_path is not None:
        from ..report.figure_files import figure_format

        figure_format(plot_path)
        check_output_path(plot_path, protect=files)


def _prepare(files, as_json, contour, language, channel, transcript, targets_path, report_path, plot_path):
    """Settings and targets, after every check that needs no analysis."""
    from ..analysis import Settings
    from ..targets import load_targets

    if contour and not as_json:
        raise message_error(Message("error.contour_needs_json"))
    if transcript is not None and len(files) > 1:
        raise message_error(Message("error.transcript_one_file"))
    if (report_path is not None or plot_path is not None) and len(files) > 1:
        raise message_error(Message("error.outputs_one_file"))
    text = _read_transcript(transcript, language) if transcript is not None else None
    settings = Settings(language=language, channel=channel, transcript=text, transcript_source=transcript)
    _check_outputs(files, report_path, plot_path)
    return settings, (load_targets(targets_path) if targets_path else None)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per file (JSON Lines) instead of the report."
)
@click.option("--contour", is_flag=True, help="With --json: include the pitch contour (pitch.contour).")
@click.option("--language", type=click.Choice(["en", "zh"]), default=None, help=LANGUAGE_HELP)
@click.option("--lang", "report_lang", type=click.Choice(["en", "zh"]), default=None, help=REPORT_LANG_HELP)
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
    help="Write a self-contained HTML call report here (one FILE only; never replaces a recording).",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=str),
    help="Write the pitch/loudness/rate figure here: .png, .svg or .pdf by the extension (one FILE only).",
)
@click.option(
    "--embed-audio",
    "embed_audio",
    is_flag=True,
    help="With --report: embed the recording (MP3, plays in every browser; about 1.6 MB per 10 min); click the figure to play from there.",
)
@click.option(
    "--agent",
    default=None,
    help="Two-party call: which voice is the agent: first (who greets), second, left, right or a channel number.",
)
@click.option(
    "--caller",
    "caller_path",
    type=click.Path(path_type=str),
    help="Two-party call: the caller's side as a second, time-aligned file (FILE is the agent's side).",
)
@click.option(
    "--agent-voice",
    "agent_voice",
    type=click.Path(path_type=str),
    help="Two-party call: a few seconds of the agent's own voice; the voice that matches it is the agent.",
)
def analyze(
    files,
    as_json,
    contour,
    language,
    report_lang,
    channel,
    transcript,
    targets_path,
    report_path,
    plot_path,
    embed_audio,
    agent,
    caller_path,
    agent_voice,
):
    """Analyze recorded practice calls (WAV, FLAC, OGG, MP3; M4A/AAC/AMR/3GP/WebM with ffmpeg).

    The report opens with a one-line summary; --lang zh writes it in Chinese
    and, unless --language says otherwise, measures the speech as Mandarin.
    Verdicts are coloured on a terminal; set NO_COLOR=1 for plain text.

    Two-party calls: --agent left|right (stereo, one party per channel),
    --caller FILE (the caller's side in a second file) or --agent first|second
    (one channel with two voices, told apart automatically) analyze both
    voices and answer "did I match the caller's rate and intensity?".

    Exit status: 0 when every file was analyzed, 1 when any failed.
    """
    speech_lang, lang = resolve_languages(language, report_lang)
    call = _call_options(agent, caller_path, agent_voice)
    try:
        if embed_audio and report_path is None:
            raise message_error(Message("error.embed_needs_report"))
        if call is not None:
            _check_call(files, transcript, channel, call)
        settings, targets = _prepare(
            files, as_json, contour, speech_lang, channel, transcript, targets_path, report_path, plot_path
        )
        if call is not None:
            _check_call_inputs(files, call)
    except TonecheckError as exc:
        raise cli_error(exc, lang) from exc
    failed = 0
    for i, path in enumerate(files):
        result = _analyze_one(path, settings, targets, lang, call)
        if result is None:
            failed += 1
            continue
        _emit(
            result,
            path,
            i,
            files,
            as_json=as_json,
            contour=contour,
            lang=lang,
            outputs=(report_path, plot_path, embed_audio),
        )
    if failed:
        sys.exit(1)


def _call_options(agent, caller_path, agent_voice) -> dict | None:
    """The two-party options given, or None for a one-voice analysis."""
    if agent is None and caller_path is None and agent_voice is None:
        return None
    return {"agent": agent, "caller": caller_path, "agent_voice": agent_voice}


def _check_call(files, transcript, channel, call: dict) -> None:
    """Option combinations a two-party analysis refuses, before any analysis."""
    from ..call import parse_agent

    if call["caller"] is not None and len(files) > 1:
        raise message_error(Message("error.caller_one_file"))
    if transcript is not None:
        raise message_error(Message("error.call_transcript"))
    if channel != "mix" and call["caller"] is None:
        raise message_error(Message("error.call_channel"))
    if call["caller"] is not None and call["agent"] not in (None, "left"):
        raise message_error(Message("error.caller_with_agent"))
    if call["agent"] is not None:
        parse_agent(call["agent"])


def _check_call_inputs(files, call: dict) -> None:
    """The caller file and the voice sample must not be outputs and must exist as files (checked when read)."""
    for extra in (call["caller"], call["agent_voice"]):
        if extra is not None and extra in files:
            raise message_error(Message("error.call_same_file", {"file": display_name(extra)}))


def _run_analysis(path, settings, targets, call: dict | None):
    if call is None:
        from ..analysis import analyze_file

        return analyze_file(path, settings=settings, targets=targets)
    from ..call import analyze_call_files, analyze_call_or_voice

    if call["caller"] is not None:
        return analyze_call_files(path, call["caller"], settings=settings, targets=targets)
    return analyze_call_or_voice(
        path, agent=call["agent"] or "first", agent_voice=call["agent_voice"], settings=settings, targets=targets
    )


def _with_notes(result, notes: tuple):
    """``result`` (an Analysis or a Conversation) with extra notes."""
    return dataclasses.replace(result, notes=result.notes + notes) if notes else result


def _analyze_one(path, settings, targets, lang: str, call: dict | None = None):
    """The :class:`Analysis` (or :class:`Conversation`) of ``path``, or None after printing its one error line."""
    try:
        with captured_warnings() as caught:
            result = _run_analysis(path, settings, targets, call)
    except TonecheckError as exc:
        click.echo(error_line(exc, lang), err=True)
        return None
    except MemoryError:
        exc = message_error(Message("error.memory", {"file": display_name(path)}))
        click.echo(error_line(exc, lang), err=True)
        return None
    notes = tuple(Message("note.computation", {"detail": t}) for t in warning_texts(caught))
    return _with_notes(result, notes)


def _emit(result, path, index: int, files, *, as_json: bool, contour: bool, lang: str, outputs) -> None:
    """Write the requested files, then print the report or the JSON line."""
    with captured_warnings() as caught:
        try:
            _write_outputs(result, *outputs, lang, files)
        except TonecheckError as exc:
            raise cli_error(exc, lang) from exc
        if as_json:
            out = json.dumps(result.to_dict(contour=contour, lang=lang), ensure_ascii=False)
        else:
            out = ("\n" if index else "") + _render_text(result, lang)
    click.echo(out)
    for line in warning_texts(caught):
        click.echo(warning_line(f"{display_name(path)}: {line}", lang), err=True)


def _render_text(result, lang: str) -> str:
    if hasattr(result, "turn_taking"):
        from ..report.call_text import render_call_text

        return render_call_text(result, lang=lang, style=style_verdict)
    from ..report.text import render_text

    return render_text(result, lang=lang, style=style_verdict)


def _write_outputs(result, report_path, plot_path, embed_audio: bool, lang: str, protect) -> None:
    from ..fileio import write_atomic

    call = hasattr(result, "turn_taking")
    if report_path is not None:
        from ..report.embed import audio_data_uri

        if call:
            from ..report.call_html import call_audio
            from ..report.call_html import render_call_report as render
        else:
            from ..report.html import render_report as render

        uri = audio_data_uri(call_audio(result) if call else result.audio) if embed_audio else None
        write_atomic(report_path, render(result, lang=lang, audio_data_uri=uri), protect=protect)
    if plot_path is not None:
        from ..report.figure_files import save_figure

        if call:
            from ..report.call_plots import call_figure as figure
        else:
            from ..report.plots import main_figure as figure

        save_figure(figure(result, lang=lang), plot_path, protect=protect)
