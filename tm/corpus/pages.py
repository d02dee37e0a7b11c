"""The saved pages below a folder: found at any depth, read, cleaned, dated, copies folded.

Links out of the folder are reported and not read (unless asked); a release folder's
`meta.json` and a `manifest.json` at the top give URLs and dates; byte-identical files are one
page, listed with its copies.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from tm.corpus.model import Document, Skipped
from tm.corpus.read import (
    FLAT_NAME,
    SUFFIXES,
    link_outside,
    looks_binary,
    outside,
    read_document,
    read_json_object,
)
from tm.errors import InputError
from tm.langs import CODES


@dataclass(frozen=True)
class Page:
    """One saved page file, read and cleaned."""

    path: str  # relative to the folder grouped
    document: Document
    url: str | None
    date: date | None
    copies: tuple[str, ...] = ()

    @property
    def lang(self) -> str:
        return self.document.lang


def page_files(root: Path, skipped: list[Skipped], follow_links: bool = False) -> Iterator[Path]:
    """Every page file below `root`, at any depth, in name order; unreadable folders reported,
    and links to files or folders outside `root` unless `follow_links`."""

    seen: set[Path] = set()

    def walk(folder: Path) -> Iterator[Path]:
        real = folder.resolve()
        if real in seen:  # a link back into a folder already read: a loop, or the same pages twice
            skipped.append(Skipped(str(folder), "a link to a folder already read; not read again"))
            return
        seen.add(real)
        try:
            entries = sorted(folder.iterdir())
        except OSError as error:
            skipped.append(Skipped(str(folder), f"cannot read folder: {error.strerror}"))
            return
        for entry in entries:
            if not follow_links and entry.is_symlink() and outside(entry, root):
                skipped.append(link_outside(entry))
            elif entry.is_dir():
                yield from walk(entry)
            elif entry.suffix.lower() in SUFFIXES:
                if entry.is_file():
                    yield entry
                else:
                    skipped.append(Skipped(str(entry), "not a file that can be read (a broken link?)"))

    yield from walk(root)


def _manifest(root: Path, skipped: list[Skipped]) -> dict[str, str]:
    """URLs by file path relative to `root`, from a `manifest.json` ({"path": "url"}) at its top."""
    return {str(k): str(v) for k, v in read_json_object(root / "manifest.json", skipped).items()}


def _meta_for(path: Path, folders: dict[Path, dict], skipped: list[Skipped]) -> dict:
    """What a release folder's meta.json says about this file (its URL and dates), if anything;
    each folder's meta.json is read once (`folders`), and a broken one reported once."""
    if path.parent not in folders:
        folders[path.parent] = read_json_object(path.parent / "meta.json", skipped)
    meta = folders[path.parent]
    pages, urls = meta.get("pages"), meta.get("urls")
    page = pages.get(path.stem) if isinstance(pages, dict) else None
    found = dict(page) if isinstance(page, dict) else {}
    found.setdefault("url", urls.get(path.stem) if isinstance(urls, dict) else None)
    found.setdefault("date", meta.get("date"))
    return found


def _meta_date(meta: dict) -> date | None:
    for key in ("date", "date_on_page", "date_in_text"):
        value = meta.get(key)
        if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def read_pages(root: Path, skipped: list[Skipped], follow_links: bool = False) -> dict[str, Page]:
    """Every readable page below `root` by relative path; byte-identical copies folded into the
    first; binary, empty and unreadable files reported in `skipped`, one line each."""
    manifest = _manifest(root, skipped)
    pages: dict[str, Page] = {}
    first_by_digest: dict[str, str] = {}
    folders: dict[Path, dict] = {}
    for path in page_files(root, skipped, follow_links):
        relative = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError as error:
            skipped.append(Skipped(str(path), f"cannot read: {error.strerror}"))
            continue
        if looks_binary(data):
            skipped.append(Skipped(str(path), "a binary file, not a saved page"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in first_by_digest:
            original = pages[first_by_digest[digest]]
            pages[original.path] = replace(original, copies=(*original.copies, relative))
            continue
        meta = _meta_for(path, folders, skipped)
        try:
            document = read_document(path, url=manifest.get(relative) or meta.get("url"), data=data)
            document = replace(document, complete=meta.get("complete") is not False)
        except InputError as error:
            skipped.append(Skipped(error.path or str(path), error.problem))
            continue
        first_by_digest[digest] = relative
        pages[relative] = Page(relative, document, document.url, _meta_date(meta) or document.date)
    return pages


def in_release_layout(root: Path) -> bool:
    """Whether every page below `root` is named by its language, in a release folder
    (`<release>/tk.txt`) or a flat collection (`<release>.tk.txt`), with at least two languages
    per release: the corpus layout, read as it is. Anything else is grouped by `group_pages`."""
    releases: dict[tuple[str, str], set[str]] = {}
    for path in page_files(Path(root), []):
        flat = FLAT_NAME.match(path.name)
        if path.stem in CODES:
            releases.setdefault((str(path.parent), ""), set()).add(path.stem)
        elif flat:
            releases.setdefault((str(path.parent), flat["release"]), set()).add(flat["lang"])
        else:
            return False
    return all(len(langs) >= 2 for langs in releases.values())
