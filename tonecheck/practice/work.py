"""What the practice routes do, without the web: analyze a saved take, keep or drop it, store the attempt.

:class:`Workspace` owns the data directory: temporary audio lives in
``<data_dir>/tmp`` (one private folder per take, removed after analysis),
kept recordings in ``<data_dir>/recordings``, attempts in the SQLite store.
The analyses themselves are the library's (:func:`tonecheck.analysis.analyze`,
:func:`tonecheck.ladder.analyze_ladder`, :class:`tonecheck.stream.LiveAnalyzer`);
nothing here measures anything.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import secrets
import shutil
import threading
from collections import OrderedDict
from pathlib import Path

from ..errors import TonecheckError
from ..messages import Message, render, text
from .store import AttemptStore

__all__ = ["Workspace", "error_text", "safe_name", "call_figures", "call_result", "REPORT_CACHE"]

REPORT_CACHE = 16
"""Analyses kept in memory for their full report page (the most recent ones)."""


def error_text(exc: TonecheckError, lang: str, *, hide: str = "", name: str = "") -> str:
    """The error as the one line ``tonecheck analyze`` prints, in ``lang``.

    ``hide`` (the temporary path) is replaced by ``name`` (what the user uploaded).
    """
    message = exc.message if lang != "en" else None
    body = render(message, lang) if isinstance(message, Message) else str(exc)
    line = " ".join((text("error.prefix", lang) + body).split())
    return line.replace(hide, name) if hide else line


def safe_name(name: str) -> str:
    """The last component of an uploaded file name, reduced to safe characters (never empty)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")[:120]
    return base or "recording.wav"


def _num(value, digits: int = 2):
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def call_figures(a) -> dict:
    """Headline figures of one :class:`~tonecheck.analysis.Analysis` for the progress view."""
    return {
        "file": a.audio.path,
        "duration_s": _num(a.audio.duration_s),
        "intonation_level": _num(a.intonation.level, 1),
        "rate_wpm": _num(a.rate.wpm, 1),
        "speech_level_dbfs": _num(a.loudness.speech_level_dbfs, 1),
        "intensity_index": _num(a.intensity.index, 1),
        "verdicts": {
            "intonation": a.scores.intonation.verdict,
            "rate": a.scores.rate.verdict,
            "volume": a.scores.loudness.verdict,
            "intensity": a.scores.intensity.verdict,
        },
    }


def call_result(a, *, lang: str) -> dict:
    """The page's view of a call: ``Analysis.to_dict`` (with contour), flat stretches and pauses."""
    from ..report.html import flat_stretches

    return {
        "analysis": a.to_dict(contour=True, lang=lang),
        "flat_s": [[round(s, 2), round(e, 2)] for s, e in flat_stretches(a)],
        "pauses_s": [[round(s, 2), round(e, 2)] for s, e in a.speech.pauses_s],
        "figures": call_figures(a),
    }


class Workspace:
    """The data directory, the attempts and the recent analyses of one practice server.

    Parameters
    ----------
    data_dir : str or os.PathLike
    lang : {"en", "zh"}
        Report language; also the spoken language assumed for calibrations.
    """

    def __init__(self, data_dir, *, lang: str = "en"):
        self.data_dir = Path(data_dir).resolve()
        self.lang = lang
        self.tmp_dir = self.data_dir / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.store = AttemptStore(self.data_dir)
        self._reports: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        for stale in self.tmp_dir.iterdir():  # takes left by a server that was killed
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)

    def close(self) -> None:
        """Close the attempts database."""
        self.store.close()

    def new_take(self, name: str) -> Path:
        """A fresh path ``<data_dir>/tmp/<random>/<name>`` for an upload (its folder is private)."""
        folder = self.tmp_dir / secrets.token_hex(8)
        folder.mkdir(mode=0o700)
        return folder / safe_name(name)

    def drop_take(self, path: Path) -> None:
        """Remove a take's private folder (after analysis, when the recording is not kept)."""
        if path.parent.parent == self.tmp_dir:
            shutil.rmtree(path.parent, ignore_errors=True)

    def _keep(self, path: Path) -> str:
        name = f"{secrets.token_hex(6)}-{path.name}"
        os.replace(path, self.store.recording_path(name))
        self.drop_take(path)
        return name

    def _load(self, path: Path, name: str, lang: str):
        from ..audio import load_audio

        try:
            audio = load_audio(str(path))
        except TonecheckError as exc:
            raise TonecheckError(error_text(exc, lang, hide=str(path), name=name)) from exc
        return dataclasses.replace(audio, path=name)

    def _measure(self, path: Path, *, name: str, keep: bool, lang: str, how):
        """``how(audio, settings=...)`` on the take; the take is removed (or kept) whatever happens."""
        from ..analysis import Settings

        try:
            audio = self._load(path, name, lang)
            try:
                result = how(audio, settings=Settings(language=lang))
            except TonecheckError as exc:
                raise TonecheckError(error_text(exc, lang)) from exc
            recording = self._keep(path) if keep else None
        finally:
            self.drop_take(path)
        return result, recording

    def analyze_call(self, path: Path, *, name: str, keep: bool = False, lang: str | None = None) -> dict:
        """Analyze a take saved at ``path`` (shown as ``name``), store the attempt, drop the file unless kept.

        ``lang`` (default: the workspace's) is the report language and the
        spoken language, as ``--lang`` is for ``tonecheck analyze``.

        Raises
        ------
        TonecheckError
            Bad audio; the message is already the page's one line (prefix included).
        """
        from ..analysis import analyze

        lang = lang or self.lang
        a, recording = self._measure(path, name=name, keep=keep, lang=lang, how=analyze)
        attempt = self.store.add("call", call_figures(a), recording=recording)
        self._remember(attempt.id, a)
        return {"id": attempt.id, **call_result(a, lang=lang)}

    def analyze_ladder(self, path: Path, *, name: str, keep: bool = False, lang: str | None = None) -> dict:
        """As :meth:`analyze_call` for the ladder exercise (:func:`tonecheck.ladder.analyze_ladder`)."""
        from ..ladder import analyze_ladder

        lang = lang or self.lang
        ladder, recording = self._measure(path, name=name, keep=keep, lang=lang, how=analyze_ladder)
        figures = {**call_figures(ladder.analysis), **_ladder_figures(ladder)}
        attempt = self.store.add("ladder", figures, recording=recording)
        self._remember(attempt.id, ladder.analysis)
        return {"id": attempt.id, "ladder": ladder.to_dict(lang=lang), "figures": figures}

    def _remember(self, attempt_id: int, analysis) -> None:
        with self._lock:
            self._reports[attempt_id] = analysis
            while len(self._reports) > REPORT_CACHE:
                self._reports.popitem(last=False)

    def report_html(self, attempt_id: int, *, lang: str | None = None) -> str | None:
        """The full call report page of a recent attempt (None when it is no longer in memory)."""
        from ..report.html import render_report

        with self._lock:
            a = self._reports.get(attempt_id)
        return None if a is None else render_report(a, lang=lang or self.lang)

    def playback(self, attempt_id: int) -> tuple[str, bytes] | None:
        """``(mime, bytes)``: a recent attempt's audio as analysed, in a format every browser plays (MP3).

        For a dropped file the browser cannot play itself (AMR, 3GP, Ogg in
        Safari, ...); None when the attempt is no longer in memory.
        """
        from ..report.embed import encode_audio

        with self._lock:
            a = self._reports.get(attempt_id)
        return None if a is None else encode_audio(a.audio)

    def forget(self, attempt_id: int | None = None) -> None:
        """Drop one (or every) remembered analysis, after its attempt was deleted."""
        with self._lock:
            if attempt_id is None:
                self._reports.clear()
            else:
                self._reports.pop(attempt_id, None)


def _ladder_figures(ladder) -> dict:
    return {
        "ladder": {
            "levels": [_num(r.level, 1) for r in ladder.repetitions],
            "rises": bool(ladder.rises),
            "low_level": _num(ladder.low_level, 1),
            "high_level": _num(ladder.high_level, 1),
            "settled_level": _num(ladder.settled_level, 1),
            "verdict": ladder.verdict,
        }
    }
