"""``tonecheck practice``: a local practice page served from the user's own machine.

Modules
-------
app
    The ASGI application (Starlette): routes only; :func:`app.create_app`.
security
    Token, ``Host`` and ``Origin`` checks, the upload limit, the page's CSP.
work
    What the routes do: save a take under the data directory, analyze it
    with the library, keep or drop the recording, store the attempt.
live
    One live recording over the WebSocket (:class:`tonecheck.stream.LiveAnalyzer`).
store
    Attempts in SQLite (``attempts.sqlite3`` in the data directory).
static/
    The page: index.html, app.js, i18n.js, worklet.js, style.css.
"""
