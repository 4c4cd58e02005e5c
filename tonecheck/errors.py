"""Exceptions and soft-problem notes raised by tonecheck.

Every hard failure is a :class:`TonecheckError` whose message is one line
naming the file, the problem and the remedy, e.g.
``a.wav: no speech found (peak -71 dBFS); check the microphone``.
The command line turns it into ``Error: ...`` on stderr and exit code 1.
"""

from __future__ import annotations

__all__ = ["TonecheckError", "catalog_error"]


class TonecheckError(Exception):
    """A problem with the user's input that tonecheck cannot work around.

    ``message`` optionally carries the same sentence as a catalog
    :class:`~tonecheck.messages.Message`, so the command line can show it in
    the report language; ``str(error)`` stays the English line.
    """

    def __init__(self, text: str, *, message=None):
        super().__init__(text)
        self.message = message


def catalog_error(key: str, **params) -> TonecheckError:
    """A :class:`TonecheckError` written in the message catalog: ``str()`` is
    the English sentence of ``key``, and ``.message`` lets the command line
    show it in the report language."""
    from .messages import Message, render

    message = Message(key, params)
    return TonecheckError(render(message, "en"), message=message)
