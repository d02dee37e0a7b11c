"""Who may change the TM: a signed-in user (session cookie and the form's CSRF token) or a script
with an API token (`Authorization: Bearer ...`). Reading needs neither."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tm.store import TranslationMemory
from tm.web.common import csrf_token, local_path, memory, render, wants_page

router = APIRouter()
SESSION_HOURS = 12
# Failed sign-ins allowed per name from one client within the window, and per name from all
# clients together: a guesser waits out the window; the user, signing in from elsewhere, does not
# (unless the guessing comes from many machines at once).
FAILURES_ALLOWED = 5
FAILURES_ALLOWED_ANYWHERE = 50
FAILURE_WINDOW = 300.0  # seconds
FAILURES_TRACKED = 10_000  # keys (hashes of name and client) kept at most; the oldest go first
# Writes anyone may send (signing in) or that only read the TM (pre-translating a file).
OPEN_WRITES = {"/login", "/api/pretranslate", "/files/pretranslate"}
UNAUTHORIZED = "sign in first, or send an API token"


def credential_user(tm: TranslationMemory, authorization: str, session: dict) -> str | None:
    """The user of a live credential: an API token (`Bearer ...`) or a web session that has not
    ended; None without one."""
    if authorization.lower().startswith("bearer "):
        return tm.token_user(authorization[7:].strip())
    sid = session.get("sid")
    return tm.session_user(sid) if isinstance(sid, str) else None


async def writer(request: Request) -> str:
    """The user a write acts for; 401 without credentials, 403 with a session but no valid token."""
    header = request.headers.get("authorization", "")
    with memory(request) as tm:
        user = await run_in_threadpool(credential_user, tm, header, request.session)
    if user is None:
        raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    if header.lower().startswith("bearer "):
        return user
    sent = request.headers.get("x-csrf-token")
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = (await request.form()).get("csrf")
    expected = request.session.get("csrf", "")
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "the form's token is missing or stale (CSRF check); reload the page and try again")
    return user


def _unauthorized(request: Request) -> Response:
    if wants_page(request):
        return render(request, "error.html", {"status": 401, "problem": UNAUTHORIZED}, 401)
    return JSONResponse({"detail": UNAUTHORIZED}, 401, headers={"WWW-Authenticate": "Bearer"})


class CredentialsFirst:
    """Refuse a write without a live credential with 401 before its body is read: a stranger's
    upload costs the server nothing. (The route checks the credential again, with the CSRF token.)"""

    def __init__(self, app: ASGIApp, tm: TranslationMemory) -> None:
        self.app, self.tm = app, tm

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        writing = scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS")
        if writing and scope["path"] not in OPEN_WRITES:
            headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
            session = scope.get("session", {})
            user = await run_in_threadpool(credential_user, self.tm, headers.get("authorization", ""), session)
            if user is None:
                return await _unauthorized(Request(scope))(scope, receive, send)
        await self.app(scope, receive, send)


WRITER = Annotated[str, Depends(writer)]


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": local_path(next), "problem": None})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not hmac.compare_digest(csrf, csrf_token(request)):
        raise HTTPException(403, "the form's token is missing or stale (CSRF check); reload the page and try again")
    client = request.client.host if request.client else ""
    counted = [(_recent_failures(request, f"{name}\0{client}"), FAILURES_ALLOWED)]
    counted.append((_recent_failures(request, name), FAILURES_ALLOWED_ANYWHERE))
    for failures, allowed in counted:
        if len(failures) >= allowed:
            wait = round((failures[0] + FAILURE_WINDOW - time.monotonic()) / 60) or 1
            raise HTTPException(429, f"too many failed sign-ins as {name[:64]}; try again in {wait} min")
    with memory(request) as tm:
        valid = tm.signed_in(name, password)
        session = tm.start_session(name, SESSION_HOURS) if valid else None
    if session is None:
        for failures, _allowed in counted:
            failures.append(time.monotonic())
        return render(request, "login.html", {"next": local_path(next), "problem": "Wrong name or password."}, 401)
    request.session.clear()  # a new session on sign-in: a token planted before it is worth nothing
    request.session.update({"sid": session, "user": name})
    csrf_token(request)
    return RedirectResponse(local_path(next), status_code=303)


def _recent_failures(request: Request, key: str) -> deque[float]:
    """The times of the failed sign-ins under `key` within the window, kept by the application
    under a hash of the key (a name of a megabyte costs 16 bytes), for FAILURES_TRACKED keys at most."""
    known: dict[bytes, deque[float]] = request.app.state.failed_sign_ins
    digest = hashlib.sha256(key.encode("utf-8", "replace")).digest()[:16]
    if digest not in known and len(known) >= FAILURES_TRACKED:
        horizon = time.monotonic() - FAILURE_WINDOW
        for old in [k for k, times in known.items() if not times or times[-1] < horizon]:
            del known[old]
        while len(known) >= FAILURES_TRACKED:  # all recent: the longest quiet go
            del known[min(known, key=lambda k: known[k][-1] if known[k] else 0.0)]
    failures = known.setdefault(digest, deque())
    while failures and failures[0] < time.monotonic() - FAILURE_WINDOW:
        failures.popleft()
    return failures


@router.post("/logout", include_in_schema=False)
def logout(request: Request, user: WRITER) -> Response:
    """Sign out: the session ends on the server, so a copy of its cookie can write no more."""
    with memory(request) as tm:
        tm.end_session(str(request.session.get("sid", "")))
    request.session.clear()
    return RedirectResponse("/", status_code=303)
