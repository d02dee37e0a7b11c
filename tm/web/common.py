"""What the pages of `tm serve` share: templates, the TM of the request, the signed-in user."""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from tm.langs import CODES
from tm.store import TranslationMemory

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))


def release_path(collection: str, release_id: str) -> str:
    """The page of a release, its name URL-encoded (an id may hold `?`, `#` or spaces)."""
    return "/releases/" + quote(f"{collection}/{release_id}", safe="/")


TEMPLATES.env.globals["release_path"] = release_path


def memory(request: Request) -> AbstractContextManager[TranslationMemory]:
    """The TM the application serves (`with memory(request) as tm:`). One TM object serves every
    request, each thread on its own connection, so the lookup index it loaded stays loaded."""
    return nullcontext(request.app.state.tm)


def csrf_token(request: Request) -> str:
    """The token every form of this session carries back (a site that is not ours cannot read it)."""
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(24)
    return request.session["csrf"]


def signed_in_user(request: Request) -> str | None:
    """The user of this browser's session while the TM keeps it (signing out elsewhere, a new
    password or removing the user ends it): the pages show no editing to a session that has ended."""
    session = request.session.get("sid")
    if not isinstance(session, str):
        return None
    with memory(request) as tm:
        return tm.session_user(session)


def render(request: Request, template: str, context: dict, status: int = 200) -> Response:
    """A page, with what every page shows: the user signed in, the form token, the languages."""
    extra = {"user": signed_in_user(request), "csrf": csrf_token(request), "codes": CODES}
    return TEMPLATES.TemplateResponse(request, template, extra | context, status_code=status)


def local_path(target: str, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no redirect to another site)."""
    on_site = target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc
    return target if on_site and "\\" not in target else default


def wants_page(request: Request) -> bool:
    """A browser asking for a page (an error then comes as a page), not a script (JSON)."""
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api/")
