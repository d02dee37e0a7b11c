"""The pages that read: search (lookup and concordance), the release view, and the tmserver
protocol of translate-toolkit and amaGama, so that Weblate and other clients can use the TM as a
suggestion source."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote_to_bytes, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import FileResponse, Response

from tm.errors import TmError
from tm.langs import CODES, from_any
from tm.lookup import Filters, bridged_lookup, concordance, context, query_problem, reviewable_unit
from tm.lookup.fragments import fragments
from tm.lookup.score import diff_parts
from tm.store import TranslationMemory
from tm.terms import exact, find_terms, whole_term
from tm.web.common import memory, render

LANGUAGE = Annotated[str, Query(pattern="^(tk|ru|en)$")]
DAY = Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")]  # empty, as a form sends it: no filter
COLLECTIONS = Annotated[list[str] | None, Query()]
router = APIRouter()
STATIC = Path(__file__).with_name("static")


class _AnyText(Convertor):
    """A path parameter that may hold anything, line breaks too (Starlette's `path` stops at one)."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anytext", _AnyText())
_LOOKUPS = ThreadPoolExecutor(2, thread_name_prefix="tm-lookup")


def _filters(collection: list[str] | None, since: str, until: str) -> Filters | None:
    try:
        return Filters([name for name in collection or [] if name] or None, since or None, until or None) or None
    except TmError as error:
        raise HTTPException(422, error.problem) from None


def _matches(
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
            for match in _matches(request, text, source, target, threshold, top, filters, reviewable=True, around=1)
        ],
        "concordance": _matches(request, text, source, target, threshold, top, filters, _concordance, True),
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


@router.get("/tmserver/languages/")
async def tmserver_languages() -> dict:
    """The languages the TM holds, as translate-toolkit's tmserver answers."""
    return {"sourceLanguages": list(CODES), "targetLanguages": list(CODES)}


@router.get("/tmserver/{source}/{target}/unit/")
@router.get("/tmserver/{source}/{target}/unit/{text:anytext}")
async def tmserver_unit(
    request: Request,
    source: str,
    target: str,
    min_similarity: Annotated[
        str | None, Query(description="the lowest quality returned (default 70, at least 30)")
    ] = None,
    max_candidates: Annotated[str | None, Query(description="how many suggestions (default 5, at most 30)")] = None,
    jsoncallback: Annotated[str | None, Query(description="JSONP: the answer wrapped in this function's call")] = None,
) -> Response:
    """Suggestions as amaGama gives them: source, target, quality and rank, and where each comes
    from (context, release, date, reviewed_by, confidence, unit_id). The text is the rest of the
    path (or `?source=`); an unknown source language, or the same one twice, is 404; a target
    language the TM does not hold, no suggestions."""
    source_lang, target_lang = _tm_language(source), from_any(target.replace("_", "-"))
    if target_lang == source_lang:
        raise HTTPException(404, "the source and target languages are the same")
    callback = _callback(jsoncallback)
    text = _unit_text(request)
    suggestions = []
    if target_lang in CODES and text.strip():
        quality = max(_number(min_similarity, 70), 30)
        wanted = min(max(_number(max_candidates, 5), 1), 30)
        # Off the event loop, as every lookup and SQLite call of the server: a slow lookup (a first
        # one that loads the index, a query that meets thousands of near-identical units) must not
        # hold the loop, and with it every other request. On threads of their own, two: a lookup is
        # CPU under the GIL, and 40 threads of the shared pool contending for it answered 2.5x fewer
        # lookups a second (benchmarks/serve.py); a second thread answers while one is slow.
        work = functools.partial(_matches, request, text, source_lang, target_lang, quality, wanted, reviewable=True)
        matches = await asyncio.get_running_loop().run_in_executor(_LOOKUPS, work)
        suggestions = [_suggestion(m) for m in matches]
        term = await asyncio.get_running_loop().run_in_executor(
            _LOOKUPS, functools.partial(_whole_term, request, text, source_lang, target_lang)
        )
        if term and not any(s["target"] == term["target"] for s in suggestions):
            suggestions = [term, *suggestions][:wanted]
    body = json.dumps(suggestions, ensure_ascii=False)
    headers = {"Cache-Control": f"max-age={TMSERVER_CACHE_SECONDS}, public"}
    if callback:
        headers["X-Content-Type-Options"] = "nosniff"
        return Response(f"{callback}({body})", media_type="application/javascript", headers=headers)
    return Response(body, media_type="application/json", headers=headers)


# How long a client may keep suggestions: a correction reaches it within a minute.
TMSERVER_CACHE_SECONDS = 60
_CALLBACK = re.compile(r"[A-Za-z_$][\w$.]{0,63}")


def _unit_text(request: Request) -> str:
    """The text asked about, read from the path as sent: `+` is a space (translate-toolkit's
    client quotes with quote_plus; Weblate sends a plus as %2B), `%0A` a line break (a multi-line
    PO string), and one trailing `/` (translate-toolkit's server test adds it) is not part of it."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    _, found, quoted = raw.partition(b"/unit/")
    if not (found and quoted):
        return request.query_params.get("source", "")
    # Bytes, then UTF-8: a client that sends the text unquoted gets it back as it wrote it.
    return unquote_to_bytes(quoted.replace(b"+", b" ")).decode("utf-8", "replace").removesuffix("/")


def _number(value: str | None, default: int) -> int:
    """A client's number as amaGama reads it: anything that is not one is the default."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _callback(name: str | None) -> str | None:
    if name is None:
        return None
    if not _CALLBACK.fullmatch(name):
        raise HTTPException(400, "jsoncallback must be a JavaScript function name")
    return name


def _whole_term(request: Request, text: str, source: str, target: str) -> dict | None:
    """A short text that is a term of the termbase, as a suggestion: quality 100 as the termbase
    writes it, 90 in another inflection (its translation may need the same)."""
    with memory(request) as tm:
        match = whole_term(tm, text, source, target)
        if match is None or match.translation is None:
            return None
        quality = 100 if exact(match, source) else 90
    return {
        "source": match.term.terms[source],
        "target": match.translation,
        "quality": quality,
        "rank": quality,
        "kind": "term",
        "term_id": match.term.id,
        "status": match.term.status,
    }


def _suggestion(match: dict) -> dict:
    return {
        "source": match["source"],
        "target": match["target"],
        "quality": match["ranked"],
        "rank": match["percent"],  # the similarity before the low-confidence penalty
        "context": f"{match['collection']}/{match['release_id']}",
        "release": match["release_id"],
        "collection": match["collection"],
        "date": match["date"],
        "reviewed_by": match["reviewer"],
        "confidence": match["confidence"],
        "unit_id": match["unit_id"],
    }


def _concordance(
    tm: TranslationMemory, text: str, source: str, target: str, _threshold: int, top: int, filters: Filters | None
) -> list:
    """`concordance` with the arguments of a lookup (it has no threshold)."""
    return concordance(tm, text, source, target, top, filters)


def _tm_language(code: str) -> str:
    """A client's code (`en`, `en_US`, `ru-RU`, `tk_TM`) as one of the TM's languages."""
    lang = from_any(code.replace("_", "-"))
    if lang not in CODES:
        raise HTTPException(404, f"language {code!r} is not in the TM (tk, ru, en)")
    return lang


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
