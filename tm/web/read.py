"""The pages that read: search (lookup and concordance), the release view, and the tmserver
protocol of translate-toolkit and amaGama, so that Weblate and other clients can use the TM as a
suggestion source."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import Response

from tm.errors import TmError
from tm.langs import CODES, from_any
from tm.lookup import bridged_lookup, concordance
from tm.store import TranslationMemory
from tm.web.common import memory, render

LANGUAGE = Annotated[str, Query(pattern="^(tk|ru|en)$")]
router = APIRouter()


def _matches(
    request: Request, text: str, source: str, target: str, threshold: int, top: int, finder=bridged_lookup
) -> list[dict]:
    """`finder`'s matches (the lookup of `tm lookup`, or the concordance) as plain dicts."""
    if source == target:
        raise HTTPException(422, "from and to are the same language")
    if not text.strip():
        return []
    with memory(request) as tm:
        try:
            found = finder(tm, text, source, target, threshold, top)
        except TmError as error:
            raise HTTPException(422, error.problem) from None
    return [_match(m) for m in found]


def _search(request: Request, text: str, source: str, target: str, threshold: int, top: int) -> dict:
    return {
        "matches": _matches(request, text, source, target, threshold, top),
        "concordance": _matches(request, text, source, target, threshold, top, finder=_concordance),
    }


@router.get("/api/lookup")
def api_lookup(
    request: Request, text: str, source: LANGUAGE = "en", target: LANGUAGE = "tk", threshold: int = 50, top: int = 5
) -> dict:
    """The matches `tm lookup` gives, and the concordance of the text."""
    return _search(request, text, source, target, threshold, top)


@router.get("/", include_in_schema=False)
def page_search(
    request: Request, q: str = "", source: LANGUAGE = "en", target: LANGUAGE = "tk", threshold: int = 50
) -> Response:
    found = _search(request, q, source, target, threshold, 10) if q else {"matches": [], "concordance": []}
    return render(request, "search.html", {"q": q, "source": source, "target": target, "threshold": threshold} | found)


def _release(request: Request, collection: str, release_id: str) -> dict:
    with memory(request) as tm:
        key = tm.release_key(collection, release_id)
        if key is None:
            raise HTTPException(404, f"no release {collection}/{release_id}")
        units = [dataclasses.asdict(u) for u in tm.units(releases=[key], include_lone=True)]
    return {"release": f"{collection}/{release_id}", "units": units}


@router.get("/api/releases/{collection:path}/{release_id}")
def api_release(request: Request, collection: str, release_id: str) -> dict:
    """A release's units in document order, with their confidence and reviewer."""
    return _release(request, collection, release_id)


@router.get("/releases/{collection:path}/{release_id}", include_in_schema=False)
def page_release(request: Request, collection: str, release_id: str) -> Response:
    return render(request, "release.html", _release(request, collection, release_id))


@router.get("/tmserver/languages/")
def tmserver_languages() -> dict:
    """The languages the TM holds, as translate-toolkit's tmserver answers."""
    return {"sourceLanguages": list(CODES), "targetLanguages": list(CODES)}


@router.get("/tmserver/{source}/{target}/unit/{text:path}")
def tmserver_unit(request: Request, source: str, target: str, text: str) -> list[dict]:
    """Suggestions as tmserver and amaGama give them: source, target, quality, rank."""
    source_lang, target_lang = (_tm_language(code) for code in (source, target))
    matches = _matches(request, text, source_lang, target_lang, 50, 5)
    return [
        {"source": m["source"], "target": m["target"], "quality": m["ranked"], "rank": m["ranked"]} for m in matches
    ]


def _concordance(tm: TranslationMemory, text: str, source: str, target: str, _threshold: int, top: int) -> list:
    """`concordance` with the arguments of a lookup (it has no threshold)."""
    return concordance(tm, text, source, target, top)


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
