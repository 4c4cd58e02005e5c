"""What the commands share: colours, the report language from the locale."""

from __future__ import annotations

import click

__all__ = ["VERDICT_COLOURS", "style_verdict", "locale_language"]

VERDICT_COLOURS = {"within": "green", "below": "yellow", "above": "red", "unknown": None}


def style_verdict(text: str, verdict: str) -> str:
    colour = VERDICT_COLOURS.get(verdict)
    return click.style(text, fg=colour, bold=True) if colour else text


def locale_language() -> str:
    import locale
    import os

    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    loc = (locale.getlocale()[0] or "").lower()
    return "zh" if loc.startswith("zh") else "en"
