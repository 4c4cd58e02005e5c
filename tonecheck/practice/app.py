"""The practice server's routes (Starlette, served by uvicorn; the only starlette importer).

========================  ==================================================
GET  /                    the page (static/index.html with the token and language)
GET  /static/...          app.js, worklet.js, style.css, i18n.js
POST /api/analyze         body = a recording (any format ``analyze`` reads) -> call report JSON
POST /api/ladder          body = a ladder recording -> :class:`tonecheck.ladder.Ladder` JSON
GET  /report/{id}         the full HTML call report of a recent attempt
GET  /api/playback/{id}   a recent attempt's audio as analysed, MP3 (for files the browser cannot play)
WS   /ws/live             PCM frames in -> live figures out; ``"stop"`` -> the final analysis
GET  /api/attempts        attempts, oldest first, and the targets
DELETE /api/attempts/{id} delete one attempt (row and recording)
DELETE /api/attempts      delete everything
========================  ==================================================

Uploads are the raw request body (``?name=`` gives the file name, ``?keep=1``
keeps the recording); bad audio answers 400 with ``{"error": one line}``.
Every request passes :class:`~tonecheck.practice.security.TokenGuard` first.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..errors import TonecheckError
from ..messages import LANGUAGES, text
from ..report.page import CSP as REPORT_CSP
from ..report.page import escape
from .live import LiveSession
from .security import MAX_UPLOAD_BYTES, TokenGuard
from .work import Workspace

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"


class TooLarge(Exception):
    """The body passed the upload limit."""


async def _save_body(request: Request, path: Path, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    size = 0
    with open(path, "wb") as fh:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge
            fh.write(chunk)


def _lang(request) -> str:
    """``--lang`` when given, else the page's language (``?lang=en|zh``, from the browser)."""
    asked = request.query_params.get("lang")
    return request.app.state.lang_given or (asked if asked in LANGUAGES else "en")


def _too_large(lang: str, limit_bytes: int) -> JSONResponse:
    line = text("error.prefix", lang) + text("practice.too_large", lang, mb=f"{limit_bytes / 2**20:.3g}")
    return JSONResponse({"error": line}, status_code=413)


def _upload_route(kind: str):
    async def route(request: Request) -> JSONResponse:
        work: Workspace = request.app.state.work
        name = request.query_params.get("name") or "recording.wav"
        keep = request.query_params.get("keep") == "1"
        lang = _lang(request)
        path = work.new_take(name)
        try:
            await _save_body(request, path, request.app.state.max_upload_bytes)
        except TooLarge:
            work.drop_take(path)
            return _too_large(lang, request.app.state.max_upload_bytes)
        except BaseException:  # the client went away mid-upload: leave nothing behind
            work.drop_take(path)
            raise
        method = work.analyze_call if kind == "call" else work.analyze_ladder
        try:
            result = await run_in_threadpool(method, path, name=path.name, keep=keep, lang=lang)
        except TonecheckError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(result)

    return route


async def index(request: Request) -> HTMLResponse:
    state = request.app.state
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    lang = state.lang_given or ""
    page = page.replace("{{TOKEN}}", escape(state.token)).replace("{{LANG}}", escape(lang))
    return HTMLResponse(page)


async def report(request: Request) -> Response:
    work: Workspace = request.app.state.work
    lang = _lang(request)
    html = await run_in_threadpool(work.report_html, int(request.path_params["attempt_id"]), lang=lang)
    if html is None:
        return JSONResponse({"error": text("practice.report_gone", lang)}, status_code=404)
    return HTMLResponse(html, headers={"content-security-policy": REPORT_CSP})


async def playback(request: Request) -> Response:
    work: Workspace = request.app.state.work
    audio = await run_in_threadpool(work.playback, int(request.path_params["attempt_id"]))
    if audio is None:
        return JSONResponse({"error": text("practice.playback_gone", _lang(request))}, status_code=404)
    mime, data = audio
    return Response(data, media_type=mime.split(";")[0], headers={"cache-control": "no-store"})


async def attempts(request: Request) -> JSONResponse:
    from ..targets import default_targets

    work: Workspace = request.app.state.work
    if request.method == "DELETE":
        deleted = await run_in_threadpool(work.store.delete_all)
        work.forget()
        return JSONResponse({"deleted": deleted})
    items = [a.to_dict() for a in await run_in_threadpool(work.store.list)]
    return JSONResponse({"attempts": items, "targets": default_targets().to_dict()})


async def attempt(request: Request) -> JSONResponse:
    work: Workspace = request.app.state.work
    attempt_id = int(request.path_params["attempt_id"])
    if not await run_in_threadpool(work.store.delete, attempt_id):
        return JSONResponse({"error": text("practice.no_attempt", _lang(request), id=attempt_id)}, status_code=404)
    work.forget(attempt_id)
    return JSONResponse({"deleted": 1})


async def live(ws: WebSocket) -> None:
    state = ws.app.state
    lang = _lang(ws)
    await ws.accept()
    session = LiveSession(
        sr=ws.query_params.get("sr", ""),
        sample_format=ws.query_params.get("format", "f32"),
        lang=lang,
        max_bytes=state.max_upload_bytes,
    )
    if session.error:
        await ws.send_json({"type": "error", "error": session.error})
        return await ws.close(code=1003)
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("bytes") is not None:
                reply = await run_in_threadpool(session.feed, message["bytes"])
            elif message.get("text") == "stop":
                reply = await run_in_threadpool(session.finish)
            else:
                reply = {"type": "error", "error": text("practice.bad_message", lang)}
            if reply is not None:
                await ws.send_text(json.dumps(reply, allow_nan=False))
            if reply is not None and reply["type"] in ("final", "error"):
                return await ws.close()
    except WebSocketDisconnect:
        return


def create_app(*, data_dir, lang: str | None, token: str, port: int | None = None, max_upload_bytes=MAX_UPLOAD_BYTES):
    """The practice server as an ASGI application.

    Parameters
    ----------
    data_dir : str or os.PathLike
        Where attempts, kept recordings and temporary takes live.
    lang : {"en", "zh"} or None
        Page and report language; None lets the page follow the browser
        (the server's reports and errors are then English).
    token : str
        Every request must carry it (:mod:`tonecheck.practice.security`).
    port : int, optional
        The listening port, so ``Host`` must be ``127.0.0.1:<port>`` or
        ``localhost:<port>``; None accepts any port (in-process tests).
    max_upload_bytes : int
        Upload and live-recording limit in bytes.

    Returns
    -------
    app : TokenGuard
        The Starlette app behind the token/Host/Origin guard.
    """
    routes = [
        Route("/", index),
        Route("/api/analyze", _upload_route("call"), methods=["POST"]),
        Route("/api/ladder", _upload_route("ladder"), methods=["POST"]),
        Route("/api/attempts", attempts, methods=["GET", "DELETE"]),
        Route("/api/attempts/{attempt_id:int}", attempt, methods=["DELETE"]),
        Route("/report/{attempt_id:int}", report),
        Route("/api/playback/{attempt_id:int}", playback),
        WebSocketRoute("/ws/live", live),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    work = Workspace(data_dir, lang=lang or "en")

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        work.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.work, app.state.token, app.state.lang_given = work, token, lang
    app.state.max_upload_bytes = int(max_upload_bytes)
    guarded = TokenGuard(app, token=token, port=port)
    guarded.state, guarded.work = app.state, work
    return guarded
