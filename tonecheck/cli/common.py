"""What the commands share: languages, colours, errors in the report language, quiet numerics.

* :func:`resolve_languages`: ``--language`` (spoken) and ``--lang`` (report
  text); the report language implies the spoken one unless it is given.
* :func:`style_verdict`: verdict colours, off when ``NO_COLOR`` is set
  (https://no-color.org).
* :class:`CliError` / :func:`cli_error`: a :class:`TonecheckError` as one
  ``Error: ...`` line in the report language.
* :func:`captured_warnings`: Python warnings from the libraries never reach
  stderr; the caller turns them into notes or tonecheck lines.
"""

from __future__ import annotations

import contextlib
import os
import warnings

import click

from ..errors import TonecheckError, catalog_error
from ..messages import Message, render, text
from ..recording import display_name

__all__ = [
    "LANGUAGE_HELP",
    "REPORT_LANG_HELP",
    "VERDICT_COLOURS",
    "CliError",
    "captured_warnings",
    "cli_error",
    "colour_enabled",
    "error_line",
    "message_error",
    "locale_language",
    "resolve_languages",
    "style_verdict",
    "warning_line",
    "warning_texts",
]

VERDICT_COLOURS = {"within": "green", "below": "yellow", "above": "red", "unknown": None}

LANGUAGE_HELP = (
    "Language SPOKEN in the recording: selects the intonation and rate calibration "
    "[default: follows --lang, so a Chinese report measures Mandarin]."
)
REPORT_LANG_HELP = (
    "Language of the report TEXT (not of the speech) [default: en, or zh under a Chinese locale]; "
    "also sets --language unless that is given."
)


def colour_enabled() -> bool:
    """False when the ``NO_COLOR`` environment variable is set to anything but the empty string."""
    return not os.environ.get("NO_COLOR")


def style_verdict(text_: str, verdict: str) -> str:
    """``text_`` in the verdict's colour (bold), or plain under ``NO_COLOR``."""
    colour = VERDICT_COLOURS.get(verdict)
    return click.style(text_, fg=colour, bold=True) if colour and colour_enabled() else text_


def locale_language() -> str:
    """``"zh"`` under a Chinese locale (LC_ALL, LC_MESSAGES, LANG, LANGUAGE, then the C library's), else ``"en"``."""
    import locale

    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    loc = (locale.getlocale()[0] or "").lower()
    return "zh" if loc.startswith("zh") else "en"


def resolve_languages(language: str | None, report_lang: str | None) -> tuple[str, str]:
    """(spoken language, report language) from ``--language`` and ``--lang``.

    The report language is ``--lang``, else the locale's; the spoken language
    is ``--language``, else the report language (a Chinese report of a
    Mandarin call is measured with the Mandarin calibration).
    """
    report = report_lang or locale_language()
    return (language or report), report


def _one_line(line: str) -> str:
    return display_name(" ".join(line.split()))


def error_line(exc: TonecheckError, lang: str) -> str:
    """The error as one printable line in ``lang`` (English when no translation is known)."""
    message = exc.message if lang != "en" else None
    body = render(message, lang) if isinstance(message, Message) else str(exc)
    return _one_line(text("error.prefix", lang) + body)


def warning_line(body: str, lang: str) -> str:
    """One printable ``Warning: ...`` line in ``lang``."""
    return _one_line(text("warning.prefix", lang) + body)


class CliError(click.ClickException):
    """A :class:`click.ClickException` whose line is already rendered (prefix included); exit code 1."""

    def __init__(self, line: str):
        super().__init__(line)
        self.line = line

    def show(self, file=None) -> None:
        click.echo(self.line, err=True)


def cli_error(exc: TonecheckError, lang: str) -> CliError:
    """``raise cli_error(exc, lang) from exc``: one ``Error: ...`` line in the report language, exit 1."""
    return CliError(error_line(exc, lang))


def message_error(message: Message) -> TonecheckError:
    """A :class:`TonecheckError` whose English text and catalog message are the same sentence."""
    return catalog_error(message.key, **message.params)


@contextlib.contextmanager
def captured_warnings():
    """Keep library warnings off stderr; yields the list the warnings land in.

    Floating-point warnings from numpy (``invalid value``, ``divide by
    zero``) are silenced: the measures treat NaN and infinities on purpose.
    Every other warning (``warnings.warn`` from numpy, scipy, matplotlib,
    soundfile) is recorded, once per distinct text, for the caller to report
    as a note or a tonecheck ``Warning:`` line.
    """
    import numpy as np

    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        yield caught


def warning_texts(caught) -> list[str]:
    """Distinct one-line texts of recorded warnings, in order, at most 160 characters each."""
    out: list[str] = []
    for w in caught:
        line = " ".join(f"{w.category.__name__}: {w.message}".split())[:160]
        if line not in out:
            out.append(line)
    return out
