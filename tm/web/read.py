"""The pages that read: search (lookup and concordance) and the release view, with their JSON twins
(the tmserver protocol is `tm.web.tmserver`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import FileResponse, Response

from tm.errors import TmError
from tm.langs import CODES
from tm.lookup import Filters, bridged_lookup, concordance, context, query_problem, reviewable_unit
from tm.lookup.fragments import fragments
from tm.lookup.score import diff_parts
from tm.store import TranslationMemory
from tm.terms import find_terms
from tm.web.common import memory, render

LANGUAGE = Annotated[str, Query(pattern="^(tk|ru|en)$")]
DAY = Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")]  # empty, as a form sends it: no filter
COLLECTIONS = Annotated[list[str] | None, Query()]
router = APIRouter()
STATIC = Path(__file__).with_name("static")


def _filters(collection: list[str] | None, since: str, until: str) -> Filters | None:
    try:
        return Filters([name for name in collection or [] if name] or None, since or None, until or None) or None
    except TmError as error:
        raise HTTPException(422, error.problem) from None


def found_matches(
    request: Request,
    text: str,
    source: str,
    target: str,
    threshold: int,
    top: int,
    filters: Filters | None = None,
    finder=bridged_lookup,
    reviewable: bool = False,
    around: int = 0,
) -> list[dict]:
    """`finder`'s matches (the lookup of `tm lookup`, or the concordance) as plain dicts; with
    `reviewable`, each with the id of the unit its page and /api/units take (`unit_id`); with
    `around`, each with that many units of its release before and after it (`context`)."""
    if source == target:
        raise HTTPException(422, "from and to are the same language")
    if not text.strip():
        return []
    with memory(request) as tm:
        try:
            found = finder(tm, text, source, target, threshold, top, filters)
        except TmError as error:
            raise HTTPException(422, error.problem) from None
        ids = [reviewable_unit(tm, m) if reviewable else None for m in found]
        contexts = [_context(tm, m, source, target, around) for m in found] if around else []
    shown = [_match(m) | ({"unit_id": unit_id} if reviewable else {}) for m, unit_id in zip(found, ids, strict=True)]
    for match, units in zip(shown, contexts, strict=False):
        match["context"] = units
    return shown


def _context(tm: TranslationMemory, match, source: str, target: str, around: int) -> list[dict]:
    """The units around a match in its release, the match itself marked (none for a sentence of
    a page stored with no counterpart, or a release replaced since the lookup)."""
    try:
        units = context(tm, match.unit, source, target, around)
    except TmError:
        return []
    return [{"source": u.texts[source], "target": u.texts[target], "match": u.id == match.unit.id} for u in units]


def _search(
    request: Request, text: str, source: str, target: str, threshold: int, top: int, filters: Filters | None
) -> dict:
    found = {
        "matches": [
            match | {"diff_parts": diff_parts(text, match["source"])}
            for match in found_matches(
                request, text, source, target, threshold, top, filters, reviewable=True, around=1
            )
        ],
        "concordance": found_matches(request, text, source, target, threshold, top, filters, _concordance, True),
        "terms": _terms(request, text, source, target),
    }
    if not found["matches"] and text.strip() and source != target:
        with memory(request) as tm:
            found["fragments"] = [
                {"piece": f.piece, "source": f.match.diff, "target": f.match.target}
                for f in fragments(tm, text, source, target, filters)
            ]
    return found


def _terms(request: Request, text: str, source: str, target: str) -> list[dict]:
    """The termbase's terms in `text`, with their translations."""
    if source == target or not text.strip():
        return []
    with memory(request) as tm:
        return [match.as_json() for match in find_terms(tm, text, source, target)]


@router.get("/api/lookup")
def api_lookup(
    request: Request,
    text: str,
    source: LANGUAGE = "en",
    target: LANGUAGE = "tk",
    threshold: int = 50,
    top: int = 5,
    collection: COLLECTIONS = None,
    since: DAY = "",
    until: DAY = "",
) -> dict:
    """The matches `tm lookup` gives, and the concordance of the text; only releases of these
    collections and dates (inclusive) when given."""
    return _search(request, text, source, target, threshold, top, _filters(collection, since, until))


@router.get("/", include_in_schema=False)
def page_search(
    request: Request,
    q: str = "",
    source: LANGUAGE = "en",
    target: LANGUAGE = "tk",
    threshold: int = 50,
    collection: COLLECTIONS = None,
    since: DAY = "",
    until: DAY = "",
) -> Response:
    filters = _filters(collection, since, until)
    shown = {"q": q, "source": source, "target": target, "threshold": threshold, "since": since, "until": until}
    with memory(request) as tm:
        chosen = {"collections": tm.collections(), "chosen": collection or []}
    if q and (problem := query_problem(q, source)):
        # The query kept, and each language it can be looked up in offered as a switch.
        switches = [_switched(request, lang, source, target) for lang in CODES if not query_problem(q, lang)]
        page = (
            shown | chosen | {"matches": [], "concordance": [], "terms": [], "problem": problem, "switches": switches}
        )
        return render(request, "search.html", page, 422)
    found = _search(request, q, source, target, threshold, 10, filters) if q else {"matches": [], "concordance": []}
    found.setdefault("terms", [])
    return render(request, "search.html", shown | chosen | found)


def _switched(request: Request, lang: str, source: str, target: str) -> dict:
    """The search with `lang` as the source language (the old source as the target if `lang` was it)."""
    new_target = source if lang == target else target
    params = {**request.query_params, "source": lang, "target": new_target}
    return {"source": lang, "target": new_target, "href": "/?" + urlencode(params)}


def _release(request: Request, name: str) -> dict:
    with memory(request) as tm:
        found = tm.release_named(name)
        if found is None:
            raise HTTPException(404, f"no release {name}")
        collection, release_id = found
        key = tm.release_key(collection, release_id)
        info = tm.release_info(collection, release_id)
        units = [dataclasses.asdict(u) for u in tm.release_view(key)]
    return {"release": f"{collection}/{release_id}", **info, "units": units}


RELEASES_PAGE = 100


def _releases(request: Request, collection: str, flagged: bool, offset: int, order: str) -> dict:
    """A page of the stored releases, with the offsets of the pages before and after it."""
    offset = max(offset, 0)
    with memory(request) as tm:
        try:
            found = tm.releases(collection or None, None, flagged, RELEASES_PAGE + 1, offset, order)
        except TmError as error:
            raise HTTPException(422, error.problem) from None
        collections = tm.collections()
    more = len(found) > RELEASES_PAGE
    return {
        "releases": found[:RELEASES_PAGE],
        "collections": collections,
        "filters": {"collection": collection, "flagged": flagged, "order": order},
        "previous": max(offset - RELEASES_PAGE, 0) if offset else None,
        "next": offset + RELEASES_PAGE if more else None,
    }


@router.get("/api/releases")
def api_releases(
    request: Request, collection: str = "", flagged: bool = False, offset: int = 0, order: str = "name"
) -> dict:
    """The stored releases (name, date, languages, units, mean confidence, flag), a page at a time
    by name, date (newest first) or confidence (lowest first): `previous` and `next` are the
    offsets of the pages beside."""
    return _releases(request, collection, flagged, offset, order)


@router.get("/releases", include_in_schema=False)
def page_releases(
    request: Request, collection: str = "", flagged: bool = False, offset: int = 0, order: str = "name"
) -> Response:
    return render(request, "releases.html", _releases(request, collection, flagged, offset, order))


@router.get("/api/releases/{name:path}")
def api_release(request: Request, name: str) -> dict:
    """A release's units in document order, with their confidence and reviewer; `name` is
    `collection/release_id`, URL-encoded (either may hold slashes)."""
    return _release(request, name)


@router.get("/releases/{name:path}", include_in_schema=False)
def page_release(request: Request, name: str) -> Response:
    return render(request, "release.html", _release(request, name))


@router.get("/static/keys.js", include_in_schema=False)
def keyboard_shortcuts() -> FileResponse:
    """The pages' keyboard shortcuts: a small script of ours, served from here (no CDN)."""
    return FileResponse(STATIC / "keys.js", media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})


@router.get("/api", include_in_schema=False)
def page_api(request: Request) -> Response:
    """The API as a page: every operation of the OpenAPI description, with its parameters."""
    schema = request.app.openapi()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "parameters": [p["name"] for p in operation.get("parameters", [])],
        }
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    return render(request, "api.html", {"operations": operations})


def _concordance(
    tm: TranslationMemory, text: str, source: str, target: str, _threshold: int, top: int, filters: Filters | None
) -> list:
    """`concordance` with the arguments of a lookup (it has no threshold)."""
    return concordance(tm, text, source, target, top, filters)


def _match(match) -> dict:
    unit = match.unit
    return {
        "percent": match.percent,
        "ranked": match.ranked,
        "penalty": match.penalty,
        "source": match.source,
        "target": match.target,
        "diff": match.diff,
        "flags": list(match.flags),
        "via": match.via,
        "kind": match.kind,
        "confidence": round(unit.confidence, 2),
        "collection": unit.collection,
        "release_id": unit.release_id,
        "date": unit.date,
        "reviewer": unit.reviewer,
    }
