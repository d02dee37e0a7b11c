"""The pages that change the TM: the review queue, one unit with its corrections, the record of
corrections with undo. Each change goes through `tm.review`, as `tm unit ...` does."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Body, Form, Header, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from tm import review
from tm.errors import Conflict, NotFound, TmError
from tm.langs import CODES
from tm.lookup.score import diff_parts
from tm.store import TranslationMemory, UnitRecord
from tm.web.auth import WRITER
from tm.web.common import local_path, memory, render

router = APIRouter()
PAGE = 50


def _unit(unit) -> dict:
    return dataclasses.asdict(unit)


def _queue(request: Request, offset: int, collection: str, flagged: bool, below: float | None) -> dict:
    offset = max(offset, 0)
    with memory(request) as tm:
        units = [_unit(u) for u in tm.review_queue(PAGE, offset, collection or None, flagged, below)]
        counts = tm.review_counts()
        collections = tm.collections()
    filters = {"collection": collection, "flagged": flagged, "below": below}
    return {"units": units, "offset": offset, "page": PAGE, "filters": filters, "collections": collections, **counts}


BELOW = Annotated[float | None, Query(ge=0, le=1, description="only units under this confidence")]


@router.get("/api/review")
def api_review(
    request: Request, offset: int = 0, collection: str = "", flagged: bool = False, below: BELOW = None
) -> dict:
    """Unreviewed units, the most likely wrong first (flagged releases, then lowest confidence);
    only one collection's, flagged releases', or those under a confidence, if asked."""
    return _queue(request, offset, collection, flagged, below)


@router.get("/review", include_in_schema=False)
def page_review(
    request: Request, offset: int = 0, collection: str = "", flagged: bool = False, below: BELOW = None
) -> Response:
    return render(request, "review.html", _queue(request, offset, collection, flagged, below))


def _unit_view(request: Request, unit_id: int) -> dict:
    """A unit, the corrections that made or changed it (`history`), and the latest of its release."""
    with memory(request) as tm:
        unit = _unit_or_404(tm, unit_id)
        history = tm.corrections(100, (unit.collection, unit.release_id))
    own = [c for c in history if unit_id in {u["id"] for u in c.before + c.after}]
    return {
        "unit": _unit(unit),
        "history": [_shown(c) for c in own],
        "corrections": [_shown(c) for c in history[:20]],
    }


def _etag(version: int) -> str:
    return f'"{version}"'


@router.get("/api/units/{unit_id}")
def api_unit(request: Request, response: Response, unit_id: int) -> dict:
    """One unit, and the corrections made to its release. Its ETag is its version: send it back
    as `If-Match` with a change, and a unit changed meanwhile by someone else answers 409."""
    view = _unit_view(request, unit_id)
    response.headers["ETag"] = _etag(view["unit"]["version"])
    return view


@router.get("/units/{unit_id}", include_in_schema=False)
def page_unit(request: Request, unit_id: int) -> Response:
    return render(request, "unit.html", _unit_view(request, unit_id))


def _apply(request: Request, user: str, unit_id: int, action: str, options: dict) -> dict:
    """Run one correction through `review.apply`: a unit that is not there is 404, one changed
    since the version sent is 409 with the unit as it is now, a correction that cannot be made 422."""
    if action not in review.ACTIONS:
        raise HTTPException(404, f"no action {action!r} (one of {', '.join(review.ACTIONS)})")
    with memory(request) as tm:
        try:
            correction = review.apply(tm, unit_id, action, user, **options)
        except TmError as error:
            raise _http_error(error) from None
        record = tm.correction(correction)
    return dataclasses.asdict(record)


def _http_error(error: TmError) -> HTTPException:
    if isinstance(error, NotFound):
        return HTTPException(404, error.problem)
    if isinstance(error, Conflict):
        current = error.current
        if isinstance(current, UnitRecord):
            detail = {"problem": error.problem, "unit": _unit(current)}
            return HTTPException(409, detail, headers={"ETag": _etag(current.version)})
        return HTTPException(409, error.problem)
    return HTTPException(422, error.problem)


def _unit_or_404(tm: TranslationMemory, unit_id: int) -> UnitRecord:
    try:
        return tm.tri_unit(unit_id)
    except NotFound as error:
        raise _http_error(error) from None


def _expected(if_match: str | None, version: int | None) -> int | None:
    """The version a change was made from: the `If-Match` header (an ETag of `GET /api/units/ID`;
    `*`: any) or the body's `version`."""
    if if_match is None or if_match.strip() == "*":
        return version
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise HTTPException(400, f"If-Match {if_match!r} is not an ETag of this unit (a version, quoted)")
    return int(tag)


IF_MATCH = Annotated[str | None, Header(description="the unit's ETag when it was read: a stale change is 409")]
VERSION = Annotated[int | None, Body(embed=True, description="the unit's version when it was read (as If-Match)")]


@router.put("/api/units/{unit_id}")
def api_edit(
    request: Request,
    unit_id: int,
    user: WRITER,
    texts: Annotated[dict[str, str], Body(embed=True)],
    if_match: IF_MATCH = None,
    version: VERSION = None,
) -> dict:
    """Replace texts of a unit (`{"texts": {"tk": "..."}}`); returns the correction."""
    return _apply(request, user, unit_id, "edit", {"texts": texts, "expect": _expected(if_match, version)})


@router.delete("/api/units/{unit_id}")
def api_delete(request: Request, unit_id: int, user: WRITER, if_match: IF_MATCH = None) -> dict:
    """Take a unit out of lookups and exports for good; returns the correction."""
    return _apply(request, user, unit_id, "delete", {"expect": _expected(if_match, None)})


@router.post("/api/units/{unit_id}/{action}")
def api_action(
    request: Request,
    unit_id: int,
    action: str,
    user: WRITER,
    at: Annotated[dict[str, int] | None, Body(embed=True)] = None,
    lang: Annotated[str | None, Body(embed=True)] = None,
    to: Annotated[str | None, Body(embed=True)] = None,
    texts: Annotated[dict[str, str] | None, Body(embed=True)] = None,
    if_match: IF_MATCH = None,
    version: VERSION = None,
) -> dict:
    """accept, add-language (`{"texts": {"ru": "..."}}`: a translation in a language the unit
    lacks), split (`{"at": {"en": 1}}`: sentences per language in the first part), merge (with
    the next unit), relink (`{"lang": "ru", "to": "next"}`: move that language's sentences to the
    unit beside), not-translation or delete; returns the correction."""
    options = {"at": at, "lang": lang or "", "to": to or "next", "expect": _expected(if_match, version)}
    options["texts"] = texts
    return _apply(request, user, unit_id, action, options)


@router.get("/units/{unit_id}/delete", include_in_schema=False)
def page_confirm_delete(request: Request, unit_id: int) -> Response:
    """A deletion is asked twice: this page shows what goes, and its button deletes."""
    return render(request, "confirm_delete.html", _unit_view(request, unit_id))


@router.post("/units/{unit_id}/{action}", include_in_schema=False)
async def form_action(request: Request, unit_id: int, action: str, user: WRITER) -> Response:
    form = await request.form()
    # The correction reads and writes SQLite: off the event loop, as every request's TM work.
    return await run_in_threadpool(_form_action, request, unit_id, action, user, form)


def _form_action(request: Request, unit_id: int, action: str, user: str, form: FormData) -> Response:
    texts = {lang: str(form[lang]) for lang in CODES if form.get(lang) is not None}
    at = {lang: _count(form[f"at-{lang}"]) for lang in CODES if form.get(f"at-{lang}")}
    expect = _count(form["version"]) if form.get("version") else None
    if action == "edit":
        with memory(request) as tm:
            current = _unit_or_404(tm, unit_id).texts
        texts = {lang: text for lang, text in texts.items() if current.get(lang) != text}
        if not texts:
            return RedirectResponse(f"/units/{unit_id}", status_code=303)
    if action == "add-language":
        texts = {lang: text for lang, text in texts.items() if text.strip()}
    options = {"texts": texts, "at": at, "lang": str(form.get("lang", "")), "to": str(form.get("to", "next"))}
    try:
        record = _apply(request, user, unit_id, action, options | {"expect": expect})
    except HTTPException as error:
        if error.status_code != 409 or not isinstance(error.detail, dict):
            raise
        return _changed_meanwhile(request, unit_id, error.detail["problem"], texts)
    shown = record["after"][0]["id"] if record["after"] else unit_id
    return RedirectResponse(local_path(str(form.get("back", "")), f"/units/{shown}"), status_code=303)


def _changed_meanwhile(request: Request, unit_id: int, problem: str, yours: dict[str, str]) -> Response:
    """The unit page as the unit is now, with what the person tried and why it was not written."""
    view = _unit_view(request, unit_id) | {"conflict": problem, "yours": yours}
    return render(request, "unit.html", view, 409)


def _count(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise HTTPException(422, f"{value!r} is not a number of sentences") from None


def _corrections(request: Request, user: str | None, action: str | None, before: int | None) -> dict:
    """A page of corrections, newest first, filtered; each edit with its word diff per language."""
    wanted = {"user": user or None, "action": action or None, "before": before}
    with memory(request) as tm:
        found = tm.corrections(PAGE, **wanted)
    older = found[-1].id if len(found) == PAGE else None
    filters = {"user": user or "", "action": action or ""}
    return {"corrections": [_shown(c) for c in found], "filters": filters, "older": older}


def _shown(correction) -> dict:
    """A correction as the pages and the API show it: its record, and for an edit its word diff."""
    return dataclasses.asdict(correction) | {"changes": _changes(correction)}


def _changes(correction) -> dict[str, list[tuple[str, str]]]:
    """What an edit changed, per language, as a word diff from the text before to the text after."""
    if correction.action != "edit" and not correction.action.startswith("edit ("):
        return {}
    [before], [after] = correction.before, correction.after
    return {
        lang: diff_parts(text, before["texts"][lang])
        for lang, text in after["texts"].items()
        if before["texts"].get(lang) not in (None, text)
    }


@router.get("/api/corrections")
def api_corrections(
    request: Request, user: str | None = None, action: str | None = None, before: int | None = None
) -> dict:
    """The latest corrections: who, when, what, before and after (for an edit, `changes`: a word
    diff per language); filtered by user and action; `before` (the `older` id) gives the next page."""
    return _corrections(request, user, action, before)


@router.get("/corrections", include_in_schema=False)
def page_corrections(
    request: Request, user: str | None = None, action: str | None = None, before: int | None = None
) -> Response:
    return render(request, "corrections.html", _corrections(request, user, action, before))


def _undo(request: Request, correction: int, user: str) -> dict:
    with memory(request) as tm:
        try:
            return dataclasses.asdict(review.undo(tm, correction, user))
        except TmError as error:
            raise _http_error(error) from None


@router.post("/api/corrections/{correction}/undo")
def api_undo(request: Request, correction: int, user: WRITER) -> dict:
    """Put the release back as it was before the correction (the latest of its release)."""
    return _undo(request, correction, user)


@router.post("/corrections/{correction}/undo", include_in_schema=False)
def form_undo(
    request: Request, correction: int, user: WRITER, back: Annotated[str, Form()] = "/corrections"
) -> Response:
    _undo(request, correction, user)
    return RedirectResponse(local_path(back, "/corrections"), status_code=303)
