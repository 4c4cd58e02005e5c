"""Who may talk to the practice server: the token, the Host and the Origin.

The server listens on 127.0.0.1 only, but any web page the user opens can
make the browser send requests to 127.0.0.1, and DNS rebinding can make a
foreign name resolve there. So every HTTP request and WebSocket must:

* carry the random token printed in the URL (query ``token=`` or header
  ``X-Tonecheck-Token``), compared in constant time;
* name the server itself in ``Host``: ``127.0.0.1:<port>`` or
  ``localhost:<port>`` (a rebinding attack arrives with its own name);
* when ``Origin`` is sent (browsers send it on cross-site requests and every
  WebSocket), come from that same origin.

Refusals are plain-text 403 (or 400 for a bad Host) responses, and a
WebSocket is closed before it is accepted. :data:`CSP` is the page's
Content-Security-Policy: nothing from the network, scripts only from this
server, connections only back to it.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

__all__ = [
    "CSP",
    "MAX_UPLOAD_BYTES",
    "TOKEN_HEADER",
    "TokenGuard",
    "allowed_hosts",
    "new_token",
    "refusal",
]

TOKEN_HEADER = "x-tonecheck-token"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Largest upload or live recording accepted (bytes): about an hour of 16-bit stereo at 44.1 kHz."""
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)


def new_token() -> str:
    """A fresh random token (32 bytes, URL-safe base64)."""
    return secrets.token_urlsafe(32)


def allowed_hosts(port: int | None) -> frozenset:
    """``Host`` values naming this server; with ``port=None`` any port of 127.0.0.1/localhost (tests)."""
    if port is None:
        return frozenset()
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


def _host_ok(host: str, hosts: frozenset) -> bool:
    if hosts:
        return host in hosts
    name, _, port = host.rpartition(":")
    return name in ("127.0.0.1", "localhost") and port.isdigit()


def refusal(scope: dict, headers: dict, *, token: str, hosts: frozenset) -> tuple | None:
    """Why a request must be refused, as ``(status, reason)``, or None when it may pass.

    Parameters
    ----------
    scope : dict
        The ASGI scope (``query_string`` is read).
    headers : dict
        Lower-case header names to values (str).
    token : str
        The server's token.
    hosts : frozenset
        From :func:`allowed_hosts`.
    """
    host = headers.get("host", "")
    if not _host_ok(host, hosts):
        return 400, "foreign Host: open the page at the URL tonecheck practice printed"
    origin = headers.get("origin")
    if origin is not None and origin not in (f"http://{host}",):
        return 403, "foreign Origin: only the practice page itself may use this server"
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    given = headers.get(TOKEN_HEADER) or (query.get("token") or [""])[0]
    if not secrets.compare_digest(given.encode("utf-8", "replace"), token.encode()):
        return 403, "missing or wrong token: open the page at the URL tonecheck practice printed"
    return None


class TokenGuard:
    """ASGI middleware refusing requests per :func:`refusal` and adding :data:`SECURITY_HEADERS`.

    Parameters
    ----------
    app : ASGI application
    token : str
    port : int or None
        The listening port; None accepts any port on 127.0.0.1/localhost
        (the in-process test client).
    """

    def __init__(self, app, *, token: str, port: int | None = None):
        self.app, self.token, self.hosts = app, token, allowed_hosts(port)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refused = refusal(scope, headers, token=self.token, hosts=self.hosts)
        if refused is not None:
            return await _refuse(scope, receive, send, *refused)
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)

        async def send_secure(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return await self.app(scope, receive, send_secure)


async def _refuse(scope, receive, send, status: int, reason: str) -> None:
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 1008, "reason": reason})
        return
    body = (reason + "\n").encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})
