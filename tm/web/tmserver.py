"""The tmserver protocol of translate-toolkit and amaGama, so that Weblate, Virtaal and other
clients can use the TM as a suggestion source, as they are."""

from __future__ import annotations

import asyncio
import functools
import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated
from urllib.parse import unquote_to_bytes

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from tm.langs import CODES, from_any
from tm.terms import exact, whole_term
from tm.web.common import memory
from tm.web.read import found_matches

router = APIRouter()


class _AnyText(Convertor):
    """A path parameter that may hold anything, line breaks too (Starlette's `path` stops at one)."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anytext", _AnyText())
# Lookups for tmserver clients run on two threads of their own (see `tmserver_unit`).
LOOKUPS = ThreadPoolExecutor(2, thread_name_prefix="tm-lookup")


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
        work = functools.partial(
            found_matches, request, text, source_lang, target_lang, quality, wanted, reviewable=True
        )
        matches = await asyncio.get_running_loop().run_in_executor(LOOKUPS, work)
        suggestions = [_suggestion(m) for m in matches]
        term = await asyncio.get_running_loop().run_in_executor(
            LOOKUPS, functools.partial(_whole_term, request, text, source_lang, target_lang)
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


def _tm_language(code: str) -> str:
    """A client's code (`en`, `en_US`, `ru-RU`, `tk_TM`) as one of the TM's languages."""
    lang = from_any(code.replace("_", "-"))
    if lang not in CODES:
        raise HTTPException(404, f"language {code!r} is not in the TM (tk, ru, en)")
    return lang
