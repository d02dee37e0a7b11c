"""Import and export through the browser: upload a TMX/PO/CSV/XLSX file into the TM (signed in),
download the TM in any of those formats with the filters of `tm export`, pre-translate an uploaded
PO, XLIFF or text file, and download the files of the export folder (never a file outside it)."""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.responses import Response

from tm import formats, review
from tm.errors import TmError
from tm.langs import CODES
from tm.pretranslate import pretranslate
from tm.web.auth import WRITER
from tm.web.common import memory, render

router = APIRouter()
UPLOAD_SUFFIXES = (".tmx", ".po", ".csv", ".xlsx")
PRETRANSLATE_SUFFIXES = (".po", ".pot", ".xlf", ".xliff", ".txt")


def _exports(request: Request) -> list[dict]:
    folder: Path = request.app.state.exports
    if not folder.is_dir():
        return []
    return [
        {"name": path.name, "bytes": path.stat().st_size}
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith(".")
    ]


@router.get("/api/exports")
def api_exports(request: Request) -> dict:
    """The files of the export folder, to download from /exports/NAME."""
    return {"files": _exports(request)}


@router.get("/files", include_in_schema=False)
def page_files(request: Request) -> Response:
    return _files_page(request, None)


def _files_page(request: Request, report: dict | None) -> Response:
    """The import and export page, with what an import just did (`report`), if any."""
    with memory(request) as tm:
        collections = tm.collections()
    context = {"files": _exports(request), "collections": collections, "report": report, "limit": _limit(request)}
    return render(request, "files.html", context)


@router.get("/exports/{name}")
def download(request: Request, name: str) -> FileResponse:
    """A file of the export folder; any name that would leave the folder is 404."""
    folder = request.app.state.exports.resolve()
    path = None if "\x00" in name else (folder / name).resolve()  # a NUL names no file (and would raise)
    if path is None or path.parent != folder or not path.is_file() or name.startswith("."):
        raise HTTPException(404, f"no file {name!r} in the export folder")
    return FileResponse(path, filename=path.name)


@router.get("/api/export")
def api_export(
    request: Request,
    format: Annotated[str, Query(pattern="^(tmx|po|csv|xlsx)$")] = "tmx",
    source: Annotated[str, Query(pattern="^(tk|ru|en)$")] = "en",
    target: Annotated[str, Query(pattern="^(tk|ru|en|all)$")] = "tk",
    min_confidence: Annotated[float, Query(ge=0, le=1)] = 0.0,
    collection: Annotated[list[str] | None, Query()] = None,
    since: Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = "",
    until: Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = "",
) -> FileResponse:
    """The TM as a file, with the filters of `tm export`; `target=all` gives the three languages
    (TMX, CSV, XLSX). An empty filter (as a form sends it) is no filter."""
    if target == source or (target == "all" and format == "po"):
        raise HTTPException(422, "choose two different languages (a PO file holds one pair)")
    langs = CODES if target == "all" else (source, target)
    folder = Path(tempfile.mkdtemp(prefix="tm-export-"))
    path = folder / f"{'-'.join(langs)}.{format}"  # as the README's tm export names it
    try:
        with memory(request) as tm:
            options = formats.ExportOptions(langs=langs)
            collections = [name for name in collection or [] if name] or None
            formats.export_tm(tm, path, options, format, min_confidence, collections, since or None, until or None)
    except TmError as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(422, error.problem) from None
    return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))


# Segments one pre-translation request may hold: a lookup each, on the server's cores.
PRETRANSLATE_LIMIT = 5_000


def _limit(request: Request) -> int:
    return request.app.state.upload_limit


PRETRANSLATED = Annotated[str, Form(pattern="^(tk|ru|en)$")]
LOWEST_MATCH = Annotated[int, Form(ge=1, le=100, description="the lowest match % that fills a target")]


def _pretranslated(request: Request, upload: UploadFile, source: str, target: str, threshold: int):
    """The upload pre-translated in a private folder: (folder, output path, analysis); the
    caller removes the folder."""
    name = Path(upload.filename or "").name
    if not name.lower().endswith(PRETRANSLATE_SUFFIXES):
        raise HTTPException(422, f"{name or 'the upload'}: not a PO, XLIFF or text file")
    folder = Path(tempfile.mkdtemp(prefix="tm-pretranslate-"))
    path, output = folder / ("in" + Path(name).suffix.lower()), folder / name
    try:
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        with memory(request) as tm:
            analysis = pretranslate(tm, path, source, target, output, threshold, PRETRANSLATE_LIMIT)
    except TmError as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(422, f"{name}: {error.problem}") from None
    return folder, output, analysis


@router.post("/api/pretranslate")
def api_pretranslate(
    request: Request,
    file: UploadFile,
    source: PRETRANSLATED = "en",
    target: PRETRANSLATED = "tk",
    threshold: LOWEST_MATCH = 75,
) -> FileResponse:
    """The uploaded PO, XLIFF or text file with its empty targets filled from the TM (exact
    matches as translations, fuzzy ones marked for review, as `tm pretranslate` does); the
    analysis comes in the X-TM-Analysis header as JSON. The TM is only read."""
    folder, output, analysis = _pretranslated(request, file, source, target, threshold)
    headers = {"X-TM-Analysis": json.dumps(analysis.as_json())}
    background = BackgroundTask(shutil.rmtree, folder, True)
    return FileResponse(output, filename=output.name, headers=headers, background=background)


@router.post("/files/pretranslate", include_in_schema=False)
def form_pretranslate(
    request: Request,
    file: UploadFile,
    source: PRETRANSLATED = "en",
    target: PRETRANSLATED = "tk",
    threshold: LOWEST_MATCH = 75,
) -> Response:
    """The analysis as a page, as CAT tools show it before a job is quoted, with the file to
    download in the page itself (nothing is kept on the server)."""
    folder, output, analysis = _pretranslated(request, file, source, target, threshold)
    try:
        data = base64.b64encode(output.read_bytes()).decode()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    context = {"name": output.name, "analysis": analysis, "text": analysis.as_text(), "data": data}
    return render(request, "pretranslated.html", context)


def _imported(request: Request, upload: UploadFile, user: str, corrections: bool) -> dict:
    """Copy the upload to a private folder and import it under its file name: uploading the same
    name again replaces the earlier upload; with `corrections`, edit the units of this TM that the
    file (an export of it, corrected) names instead. (The application refuses a body past the
    upload limit before it reaches here.)"""
    name = Path(upload.filename or "").name
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise HTTPException(422, f"{name or 'the upload'}: not a TMX, PO, CSV or XLSX file")
    folder = Path(tempfile.mkdtemp(prefix="tm-upload-"))
    try:
        path = folder / ("upload" + Path(name).suffix.lower())
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        with memory(request) as tm:
            if corrections:
                fixed = review.corrections_from_file(tm, path, user)
                return {
                    "file": name,
                    "user": user,
                    "corrected": fixed.corrected,
                    "unchanged": fixed.unchanged,
                    "left": dict(fixed.left),
                }
            report = formats.import_file(tm, path, name=f"upload/{name}")
    except TmError as error:
        raise HTTPException(422, f"{name}: {error.problem}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    found = {"imported": report.imported, "replaced": report.replaced, "same_as": report.same_as}
    return {"file": name, "user": user, **found, "skipped": dict(report.skipped)}


@router.post("/api/import")
def api_import(request: Request, file: UploadFile, user: WRITER, corrections: Annotated[bool, Form()] = False) -> dict:
    """Import a TMX, PO, CSV or XLSX file (multipart field `file`); with `corrections`, the file
    is an export of this TM, corrected: the units it names are edited and nothing is added. What
    it did."""
    return _imported(request, file, user, corrections)


@router.post("/files/import", include_in_schema=False)
def form_import(
    request: Request, file: UploadFile, user: WRITER, corrections: Annotated[bool, Form()] = False
) -> Response:
    return _files_page(request, _imported(request, file, user, corrections))
