"""The pages that change the TM: the review queue, one unit with its corrections, the record of
corrections with undo. Each change goes through `tm.review`, as `tm unit ...` does."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Body, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from tm import review
from tm.errors import StoreError, TmError
from tm.langs import CODES
from tm.store import TranslationMemory, UnitRecord
from tm.web.auth import WRITER
from tm.web.common import local_path, memory, render

router = APIRouter()
PAGE = 50


def _unit(unit) -> dict:
    return dataclasses.asdict(unit)


def _queue(request: Request, offset: int) -> dict:
    with memory(request) as tm:
        units = [_unit(u) for u in tm.review_queue(PAGE, offset)]
        counts = tm.review_counts()
    return {"units": units, "offset": offset, "page": PAGE, **counts}


@router.get("/api/review")
def api_review(request: Request, offset: int = 0) -> dict:
    """Unreviewed units, the most likely wrong first (flagged releases, then lowest confidence)."""
    return _queue(request, max(offset, 0))


@router.get("/review", include_in_schema=False)
def page_review(request: Request, offset: int = 0) -> Response:
    return render(request, "review.html", _queue(request, max(offset, 0)))


def _unit_view(request: Request, unit_id: int) -> dict:
    with memory(request) as tm:
        unit = _unit_or_404(tm, unit_id)
        history = tm.corrections(20, (unit.collection, unit.release_id))
    return {"unit": _unit(unit), "corrections": [dataclasses.asdict(c) for c in history]}


@router.get("/api/units/{unit_id}")
def api_unit(request: Request, unit_id: int) -> dict:
    """One unit, and the corrections made to its release."""
    return _unit_view(request, unit_id)


@router.get("/units/{unit_id}", include_in_schema=False)
def page_unit(request: Request, unit_id: int) -> Response:
    return render(request, "unit.html", _unit_view(request, unit_id))


def _apply(request: Request, user: str, unit_id: int, action: str, options: dict) -> dict:
    """Run one correction (`options`: texts for edit, at for split, lang and to for relink); a unit
    that is not there is 404, a correction that cannot be made 422."""
    operations = {
        "edit": lambda tm: review.edit(tm, unit_id, options.get("texts") or {}, user),
        "accept": lambda tm: review.accept(tm, unit_id, user),
        "split": lambda tm: review.split(tm, unit_id, user, options.get("at") or {}),
        "merge": lambda tm: review.merge(tm, unit_id, user),
        "relink": lambda tm: review.relink(tm, unit_id, options.get("lang") or "", user, options.get("to") or "next"),
        "not-translation": lambda tm: review.not_translation(tm, unit_id, user),
        "delete": lambda tm: review.delete(tm, unit_id, user),
    }
    if action not in operations:
        raise HTTPException(404, f"no action {action!r} (one of {', '.join(operations)})")
    with memory(request) as tm:
        _unit_or_404(tm, unit_id)
        try:
            correction = operations[action](tm)
        except TmError as error:
            raise HTTPException(422, error.problem) from None
        record = tm.correction(correction)
    return dataclasses.asdict(record)


def _unit_or_404(tm: TranslationMemory, unit_id: int) -> UnitRecord:
    try:
        return tm.tri_unit(unit_id)
    except StoreError:
        raise HTTPException(404, f"no unit {unit_id}") from None


@router.put("/api/units/{unit_id}")
def api_edit(request: Request, unit_id: int, user: WRITER, texts: Annotated[dict[str, str], Body(embed=True)]) -> dict:
    """Replace texts of a unit (`{"texts": {"tk": "..."}}`); returns the correction."""
    return _apply(request, user, unit_id, "edit", {"texts": texts})


@router.delete("/api/units/{unit_id}")
def api_delete(request: Request, unit_id: int, user: WRITER) -> dict:
    """Take a unit out of lookups and exports for good; returns the correction."""
    return _apply(request, user, unit_id, "delete", {})


@router.post("/api/units/{unit_id}/{action}")
def api_action(
    request: Request,
    unit_id: int,
    action: str,
    user: WRITER,
    at: Annotated[dict[str, int] | None, Body(embed=True)] = None,
    lang: Annotated[str | None, Body(embed=True)] = None,
    to: Annotated[str | None, Body(embed=True)] = None,
) -> dict:
    """accept, split (`{"at": {"en": 1}}`: sentences per language in the first part), merge (with
    the next unit), relink (`{"lang": "ru", "to": "next"}`: move that language's sentences to the
    unit beside), not-translation or delete; returns the correction."""
    return _apply(request, user, unit_id, action, {"at": at, "lang": lang, "to": to})


@router.post("/units/{unit_id}/{action}", include_in_schema=False)
async def form_action(request: Request, unit_id: int, action: str, user: WRITER) -> Response:
    form = await request.form()
    # The correction reads and writes SQLite: off the event loop, as every request's TM work.
    return await run_in_threadpool(_form_action, request, unit_id, action, user, form)


def _form_action(request: Request, unit_id: int, action: str, user: str, form: FormData) -> Response:
    texts = {lang: str(form[lang]) for lang in CODES if form.get(lang) is not None}
    at = {lang: _count(form[f"at-{lang}"]) for lang in CODES if form.get(f"at-{lang}")}
    if action == "edit":
        with memory(request) as tm:
            current = _unit_or_404(tm, unit_id).texts
        texts = {lang: text for lang, text in texts.items() if current.get(lang) != text}
        if not texts:
            return RedirectResponse(f"/units/{unit_id}", status_code=303)
    options = {"texts": texts, "at": at, "lang": str(form.get("lang", "")), "to": str(form.get("to", "next"))}
    record = _apply(request, user, unit_id, action, options)
    shown = record["after"][0]["id"] if record["after"] else unit_id
    return RedirectResponse(local_path(str(form.get("back", "")), f"/units/{shown}"), status_code=303)


def _count(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise HTTPException(422, f"{value!r} is not a number of sentences") from None


def _corrections(request: Request) -> dict:
    with memory(request) as tm:
        return {"corrections": [dataclasses.asdict(c) for c in tm.corrections(100)]}


@router.get("/api/corrections")
def api_corrections(request: Request) -> dict:
    """The latest corrections: who, when, what, before and after."""
    return _corrections(request)


@router.get("/corrections", include_in_schema=False)
def page_corrections(request: Request) -> Response:
    return render(request, "corrections.html", _corrections(request))


def _undo(request: Request, correction: int, user: str) -> dict:
    with memory(request) as tm:
        try:
            return dataclasses.asdict(review.undo(tm, correction, user))
        except TmError as error:
            raise HTTPException(404 if "no correction" in error.problem else 409, error.problem) from None


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
