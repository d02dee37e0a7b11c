"""`tm serve`: the TM as web pages for the translation team, over the same library as the CLI.

Server-rendered pages (Jinja2, autoescaped) with a JSON twin under /api/ for each, and the
tmserver protocol of translate-toolkit and amaGama so that Weblate and other clients can use
the TM as a suggestion source. This first part reads only: search, release view, tmserver.
Corrections, review and sign-in are the next part of the workbench.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tm.errors import TmError
from tm.langs import CODES, from_any
from tm.lookup import bridged_lookup, concordance
from tm.store import TranslationMemory

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
LANGUAGE = Annotated[str, Query(pattern="^(tk|ru|en)$")]


def create_app(db: Path) -> FastAPI:
    """The application over the TM file `db` (opened per request, read only)."""
    app = FastAPI(title="tm", description="A trilingual translation memory: lookup, releases, tmserver.")

    def memory() -> TranslationMemory:
        try:
            return TranslationMemory(db, create=False)
        except TmError as error:
            raise HTTPException(503, str(error)) from None

    def matches(text: str, source: str, target: str, threshold: int, top: int, finder=bridged_lookup) -> list[dict]:
        """`finder`'s matches (the lookup of `tm lookup`, or the concordance) as plain dicts."""
        if source == target:
            raise HTTPException(422, "from and to are the same language")
        if not text.strip():
            return []
        with memory() as tm:
            try:
                found = finder(tm, text, source, target, threshold, top)
            except TmError as error:
                raise HTTPException(422, error.problem) from None
        return [_match(m) for m in found]

    def search(text: str, source: str, target: str, threshold: int, top: int) -> dict:
        return {
            "matches": matches(text, source, target, threshold, top),
            "concordance": matches(text, source, target, threshold, top, finder=_concordance),
        }

    @app.get("/api/lookup")
    def api_lookup(
        text: str, source: LANGUAGE = "en", target: LANGUAGE = "tk", threshold: int = 50, top: int = 5
    ) -> dict:
        """The matches `tm lookup` gives, and the concordance of the text."""
        return search(text, source, target, threshold, top)

    @app.get("/", response_class=HTMLResponse)
    def page_search(
        request: Request, q: str = "", source: LANGUAGE = "en", target: LANGUAGE = "tk", threshold: int = 50
    ) -> HTMLResponse:
        found = search(q, source, target, threshold, 10) if q else {"matches": [], "concordance": []}
        context = {"q": q, "source": source, "target": target, "threshold": threshold, "codes": CODES, **found}
        return TEMPLATES.TemplateResponse(request, "search.html", context)

    def release(collection: str, release_id: str) -> dict:
        with memory() as tm:
            key = tm.release_key(collection, release_id)
            if key is None:
                raise HTTPException(404, f"no release {collection}/{release_id}")
            units = [dataclasses.asdict(u) for u in tm.units(releases=[key], include_lone=True)]
        return {"release": f"{collection}/{release_id}", "units": units}

    @app.get("/api/releases/{collection:path}/{release_id}")
    def api_release(collection: str, release_id: str) -> dict:
        """A release's units in document order, with their confidence."""
        return release(collection, release_id)

    @app.get("/releases/{collection:path}/{release_id}", response_class=HTMLResponse)
    def page_release(request: Request, collection: str, release_id: str) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, "release.html", release(collection, release_id) | {"codes": CODES})

    @app.get("/tmserver/languages/")
    def tmserver_languages() -> dict:
        """The languages the TM holds, as translate-toolkit's tmserver answers."""
        return {"sourceLanguages": list(CODES), "targetLanguages": list(CODES)}

    @app.get("/tmserver/{source}/{target}/unit/{text:path}")
    def tmserver_unit(source: str, target: str, text: str) -> list[dict]:
        """Suggestions as tmserver and amaGama give them: source, target, quality, rank."""
        source_lang, target_lang = (_tm_language(code) for code in (source, target))
        matches = search(text, source_lang, target_lang, 50, 5)["matches"]
        return [
            {"source": m["source"], "target": m["target"], "quality": m["ranked"], "rank": m["ranked"]} for m in matches
        ]

    return app


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
    }
