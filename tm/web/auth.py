"""Who may change the TM: a signed-in user (session cookie and the form's CSRF token) or a script
with an API token (`Authorization: Bearer ...`). Reading needs neither."""

from __future__ import annotations

import hmac
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from tm.web.common import csrf_token, local_path, memory, render

router = APIRouter()
# Failed sign-ins allowed per name within the window; then that name waits out the window.
FAILURES_ALLOWED = 5
FAILURE_WINDOW = 300.0  # seconds


async def writer(request: Request) -> str:
    """The user a write acts for; 401 without credentials, 403 with a session but no valid token."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = await run_in_threadpool(_token_user, request, header[7:].strip())
        if user is None:
            raise HTTPException(401, "the API token is not valid", headers={"WWW-Authenticate": "Bearer"})
        return user
    user = request.session.get("user")
    if not user:
        raise HTTPException(401, "sign in first, or send an API token", headers={"WWW-Authenticate": "Bearer"})
    sent = request.headers.get("x-csrf-token")
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = (await request.form()).get("csrf")
    expected = request.session.get("csrf", "")
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "the form's token is missing or stale (CSRF check); reload the page and try again")
    return user


def _token_user(request: Request, token: str) -> str | None:
    with memory(request) as tm:
        return tm.token_user(token)


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
    failures = _recent_failures(request, name)
    if len(failures) >= FAILURES_ALLOWED:
        wait = round((failures[0] + FAILURE_WINDOW - time.monotonic()) / 60) or 1
        raise HTTPException(429, f"too many failed sign-ins as {name}; try again in {wait} min")
    with memory(request) as tm:
        valid = tm.signed_in(name, password)
    if not valid:
        failures.append(time.monotonic())
        return render(request, "login.html", {"next": local_path(next), "problem": "Wrong name or password."}, 401)
    request.session.clear()  # a new session on sign-in: a token planted before it is worth nothing
    request.session["user"] = name
    csrf_token(request)
    return RedirectResponse(local_path(next), status_code=303)


def _recent_failures(request: Request, name: str) -> deque[float]:
    """The times of this name's failed sign-ins within the window (kept by the application): a
    password guessed at is guessed slowly, whichever machine the guesses come from."""
    known = request.app.state.failed_sign_ins
    if len(known) > 10_000:  # names tried once and long ago are forgotten, not kept forever
        known = request.app.state.failed_sign_ins = {
            n: f for n, f in known.items() if f[-1] > time.monotonic() - FAILURE_WINDOW
        }
    failures = known.setdefault(name, deque())
    while failures and failures[0] < time.monotonic() - FAILURE_WINDOW:
        failures.popleft()
    return failures


@router.post("/logout", include_in_schema=False)
def logout(request: Request, user: WRITER) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)
