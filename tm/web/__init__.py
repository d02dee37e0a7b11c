"""`tm serve`: the TM as web pages for the translation team, over the same library as the CLI.

Server-rendered pages (Jinja2, autoescaped) with a JSON twin under /api/ for each, described by
OpenAPI (/openapi.json, listed as a page at /api). `read` holds search and the release view;
`tmserver` the protocol of tmserver and amaGama clients; `review` the queue, units and
corrections; `files` import and export; `overview` the charts; `auth` sign-in and the rule for
writes: reading is open, every change needs a signed-in user (session cookie and CSRF token) or
an API token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tm.store import TranslationMemory
from tm.web import auth, files, overview, read, review, tmserver
from tm.web.common import render, wants_page

__all__ = ["UPLOAD_LIMIT", "create_app"]

UPLOAD_LIMIT = 100 << 20  # bytes: the largest request body (an uploaded TMX) taken in


def create_app(db: Path, exports: Path = Path("exports"), upload_limit: int = UPLOAD_LIMIT) -> FastAPI:
    """The application over the TM file `db` (opened once, each request thread on its own
    connection); downloads come from the folder `exports`."""
    tm = TranslationMemory(db, create=False)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        tm.close()

    # No Swagger UI or ReDoc: they load their scripts from a CDN, and the pages must work offline.
    app = FastAPI(
        title="tm",
        description="A trilingual translation memory: lookup, releases, review, tmserver.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.tm, app.state.exports, app.state.upload_limit = tm, Path(exports), upload_limit
    app.state.failed_sign_ins = {}
    secret = tm.web_secret()
    app.add_middleware(auth.CredentialsFirst, tm=tm)  # inside the session middleware: it reads the session
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="tm_session",
        max_age=auth.SESSION_HOURS * 3600,
        same_site="lax",
    )
    app.add_middleware(BodyLimit, limit=upload_limit)
    for module in (read, tmserver, review, files, overview, auth):
        app.include_router(module.router)
    app.add_exception_handler(HTTPException, _error_page)
    return app


async def _error_page(request: Request, error: HTTPException) -> Response:
    """An error as a page for a browser, as JSON for a script (the API, or no HTML wanted)."""
    if not wants_page(request):
        return await http_exception_handler(request, error)
    return render(request, "error.html", {"status": error.status_code, "problem": error.detail}, error.status_code)


class BodyLimit:
    """Refuse a request body over `limit` bytes with 413, before it is read whole: at once when its
    Content-Length says so, else as soon as the bytes received pass the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send)
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413, f"the request is larger than the limit ({self.limit >> 20} MiB)")
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse({"detail": f"the request is larger than the limit ({self.limit >> 20} MiB)"}, 413)
        await response({"type": "http"}, None, send)
