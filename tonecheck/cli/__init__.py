"""Command line: parse, call the library, render, map errors to exit codes.

The only package that imports click: this module holds the ``tonecheck``
group and what its commands share; each command lives in its own module
(:mod:`.analyze`, :mod:`.batch`, :mod:`.ladder`, :mod:`.practice`). Library errors (:class:`TonecheckError`)
become one ``Error: ...`` line on stderr and exit code 1; anything else is
a bug and keeps its traceback.
"""

from __future__ import annotations

import click

from .. import __version__
from .analyze import analyze
from .batch import batch
from .ladder import ladder
from .practice import practice

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tonecheck")
def cli():
    """tonecheck: how your voice comes across on the phone.

    Measures intonation (the manual's 1-10 scale, 5-6 is best), speaking rate
    (100-150 words per minute), volume and energy of recorded practice calls,
    offline. Recordings never leave this machine.
    """


cli.add_command(analyze)
cli.add_command(batch)
cli.add_command(ladder)
cli.add_command(practice)


def main():
    """Console-script entry point."""
    cli()
