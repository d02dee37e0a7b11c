"""The pages that read: search (lookup and concordance), the release view, and the tmserver
protocol of translate-toolkit and amaGama, so that Weblate and other clients can use the TM as a
suggestion source."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import JSONResponse, Response

from tm.errors import TmError
from tm.langs import CODES, from_any
from tm.lookup import Filters, bridged_lookup, concordance, reviewable_unit
from tm.lookup.score import diff_parts
from tm.store import TranslationMemory
from tm.web.common import memory, render

LANGUAGE = Annotated[str, Query(pattern="^(tk|ru|en)$")]
DAY = Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")]  # empty, as a form sends it: no filter
COLLECTIONS = Annotated[list[str] | None, Query()]
router = APIRouter()
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
) -> list[dict]:
    """`finder`'s matches (the lookup of `tm lookup`, or the concordance) as plain dicts; with
    `reviewable`, each with the id of the unit its page and /api/units take (`unit_id`)."""
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
    return [_match(m) | ({"unit_id": unit_id} if reviewable else {}) for m, unit_id in zip(found, ids, strict=True)]


def _search(
    request: Request, text: str, source: str, target: str, threshold: int, top: int, filters: Filters | None
) -> dict:
    return {
        "matches": [
            match | {"diff_parts": diff_parts(text, match["source"])}
            for match in _matches(request, text, source, target, threshold, top, filters, reviewable=True)
        ],
        "concordance": _matches(request, text, source, target, threshold, top, filters, _concordance, True),
    }


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
    found = _search(request, q, source, target, threshold, 10, filters) if q else {"matches": [], "concordance": []}
    with memory(request) as tm:
        collections = tm.collections()
    shown = {"q": q, "source": source, "target": target, "threshold": threshold, "since": since, "until": until}
    chosen = {"collections": collections, "chosen": collection or []}
    return render(request, "search.html", shown | chosen | found)


def _release(request: Request, name: str) -> dict:
    with memory(request) as tm:
        found = tm.release_named(name)
        if found is None:
            raise HTTPException(404, f"no release {name}")
        collection, release_id = found
        key = tm.release_key(collection, release_id)
        info = tm.release_info(collection, release_id)
        units = [dataclasses.asdict(u) for u in tm.units(releases=[key], include_lone=True)]
    return {"release": f"{collection}/{release_id}", **info, "units": units}


@router.get("/api/releases/{name:path}")
def api_release(request: Request, name: str) -> dict:
    """A release's units in document order, with their confidence and reviewer; `name` is
    `collection/release_id`, URL-encoded (either may hold slashes)."""
    return _release(request, name)


@router.get("/releases/{name:path}", include_in_schema=False)
def page_release(request: Request, name: str) -> Response:
    return render(request, "release.html", _release(request, name))


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


@router.get("/tmserver/{source}/{target}/unit/{text:path}")
async def tmserver_unit(request: Request, source: str, target: str, text: str) -> JSONResponse:
    """Suggestions as tmserver and amaGama give them: source, target, quality, rank."""
    # Off the event loop, as every lookup and SQLite call of the server: a slow lookup (a first
    # one that loads the index, a query that meets thousands of near-identical units) must not
    # hold the loop, and with it every other request. On threads of their own, two: a lookup is
    # CPU under the GIL, and 40 threads of the shared pool contending for it answered 2.5x fewer
    # lookups a second (benchmarks/serve.py); a second thread answers while one is slow.
    source_lang, target_lang = (_tm_language(code) for code in (source, target))
    work = functools.partial(_matches, request, text, source_lang, target_lang, 50, 5)
    matches = await asyncio.get_running_loop().run_in_executor(_LOOKUPS, work)
    # A plain JSONResponse: the list needs no validation on its way out.
    return JSONResponse(
        [{"source": m["source"], "target": m["target"], "quality": m["ranked"], "rank": m["ranked"]} for m in matches]
    )


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
