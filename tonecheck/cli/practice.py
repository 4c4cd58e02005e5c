"""``tonecheck practice``: the local practice page, served from this machine.

Binds 127.0.0.1 only (``--port 0``, the default, picks a free port), prints
the URL carrying the one-time token, opens the browser unless
``--no-browser``, and serves with uvicorn (one worker) until Ctrl-C.
"""

from __future__ import annotations

import socket
import sqlite3
import webbrowser

import click

from ..errors import TonecheckError
from .common import cli_error, locale_language

__all__ = ["practice", "bind_socket"]

HOST = "127.0.0.1"


def bind_socket(port: int) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:``port`` (0 = a free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="Port (0 = pick a free one).")
@click.option("--no-browser", is_flag=True, help="Only print the URL; do not open the browser.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Where attempts and kept recordings live [default: the user data folder].",
)
@click.option(
    "--lang",
    "report_lang",
    type=click.Choice(["en", "zh"]),
    default=None,
    help="Page and report language [default: the browser's language].",
)
def practice(port, no_browser, data_dir, report_lang):
    """Practise at the microphone in your browser: live cues, the ladder exercise, progress.

    The page is served from this machine only (127.0.0.1) and needs the
    token in the printed URL; recordings never leave the machine.
    """
    try:
        import uvicorn

        from ..practice.app import create_app
    except ImportError as exc:
        raise click.ClickException(
            f"tonecheck practice needs {exc.name}; install it: pip install starlette uvicorn websockets platformdirs"
        ) from exc
    from ..practice.security import new_token
    from ..practice.store import default_data_dir

    try:
        sock = bind_socket(port)
    except OSError as exc:
        raise click.ClickException(f"port {port}: {exc.strerror}; choose another with --port or use --port 0") from exc
    bound = sock.getsockname()[1]
    token = new_token()
    folder = data_dir or str(default_data_dir())
    try:
        app = create_app(data_dir=folder, lang=report_lang, token=token, port=bound)
    except (TonecheckError, OSError, sqlite3.Error) as exc:
        sock.close()
        if isinstance(exc, TonecheckError):
            raise cli_error(exc, report_lang or locale_language()) from exc
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise click.ClickException(f"{folder}: {reason}; choose another folder with --data-dir") from exc
    url = f"http://{HOST}:{bound}/?token={token}"
    click.echo(f"tonecheck practice: {url}")
    click.echo("Press Ctrl-C to stop.")
    if not no_browser:
        webbrowser.open(url)
    config = uvicorn.Config(app, workers=1, log_level="warning", lifespan="on", ws="auto")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    click.echo("tonecheck practice: stopped.")
