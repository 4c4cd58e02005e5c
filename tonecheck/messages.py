"""The message catalog: every user-facing sentence, per language.

Library code never builds sentences; it emits a :class:`Message` (a catalog
key plus parameters) and the renderers turn it into text in the reader's
language with :func:`render`.  Catalogs live in ``locale/<lang>.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

__all__ = ["Message", "LANGUAGES", "READING_NOTE_KEYS", "catalog", "render", "split_notes", "text"]

LANGUAGES = ("en", "zh")
"""Report languages with a catalog."""

READING_NOTE_KEYS = frozenset(
    {
        "note.two_voices",
        "note.short_speech",
        "note.noisy",
        "note.little_voicing",
        "note.truncated",
        "note.transcript_script",
        "note.clipping",
    }
)
"""Notes that change how the figures should be read; renderers show them
at the top, before the figures, and the rest at the bottom."""


@dataclass(frozen=True)
class Message:
    """A catalog key and the values that fill its placeholders."""

    key: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self, "en")

    def to_dict(self) -> dict:
        """JSON-ready form: ``{"key": ..., "params": {...}}``."""
        return {"key": self.key, "params": {k: _plain(v) for k, v in self.params.items()}}


def _plain(value):
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@cache
def catalog(lang: str) -> dict:
    """The catalog for ``lang``; raises ``ValueError`` for unknown languages."""
    if lang not in LANGUAGES:
        raise ValueError(f"no message catalog for lang={lang!r}; use one of {', '.join(LANGUAGES)}")
    return json.loads(resources.files("tonecheck.locale").joinpath(f"{lang}.json").read_text("utf-8"))


def text(key: str, lang: str = "en", **params) -> str:
    """The sentence for ``key`` in ``lang``, falling back to English."""
    template = catalog(lang).get(key) or catalog("en")[key]
    return template.format(**params)


LIST_SEPARATOR = {"en": "; ", "zh": "；"}


def _param(value, lang: str):
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR[lang].join(str(_param(v, lang)) for v in value)
    return value


def render(message: Message, lang: str = "en") -> str:
    """Render a :class:`Message` in ``lang``; parameters that are messages
    (or lists of them) are rendered first."""
    return text(message.key, lang, **{k: _param(v, lang) for k, v in message.params.items()})


def split_notes(notes) -> tuple[tuple, tuple]:
    """``notes`` -> (those that change how to read the figures, the rest), order kept."""
    first = tuple(n for n in notes if isinstance(n, Message) and n.key in READING_NOTE_KEYS)
    return first, tuple(n for n in notes if not (isinstance(n, Message) and n.key in READING_NOTE_KEYS))
