"""`tm fetch`: the ministry's and embassies' sites into a folder `tm build` reads as it is.

From the addresses given (news listings with their pagination, sitemaps and sitemap indexes,
release pages) the crawler follows links within the allowed hosts, takes each release page and
its other language versions (hreflang alternates, the language switcher, the same address under
another language prefix), and writes each release as `OUT/<host>/<release>/<lang>.html` with a
`meta.json` (its address, language, date and title per page, when fetched, its ETag and
Last-Modified, and `complete: false` for a page cut at the size limit). See `client` for what
makes it polite and `state` for what makes it resumable and incremental.

Built on httpx and the standard library's robots.txt parser rather than Scrapy: the crawl is one
polite request at a time per host, so a small frontier in SQLite gives resumption and conditional
GET without Scrapy's Twisted reactor, its settings and its JOBDIR pickles.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tm.errors import InputError, TmError
from tm.fetch import links
from tm.fetch.client import Failed, PoliteClient, Refused, host_of
from tm.fetch.state import CrawlState, Known, now
from tm.files import replacing
from tm.langs import CODES

STATE = ".tm-fetch"
MAX_LISTING_DEPTH = 2  # listings reached from listings of other paths; pagination does not count
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class FetchReport:
    """What a run did, for its summary and `tm runs`."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)  # {"url", "problem", "kind"}
    releases: int = 0
    waiting: int = 0  # pages of releases with no other language version yet, not written
    requests: int = 0
    resumed: bool = False

    def as_text(self) -> str:
        c = self.counts
        waits = f"{self.waiting} page waits" if self.waiting == 1 else f"{self.waiting} pages wait"
        lines = [
            f"pages: {c.get('fetched', 0)} fetched, {c.get('unchanged', 0)} unchanged; {c.get('listings', 0)} listings"
            f" and sitemaps read; {c.get('refused', 0)} refused, {c.get('failed', 0)} failed, {c.get('skipped', 0)}"
            f" skipped; {self.requests} requests",
            f"releases: {self.releases} written; {waits} for another language version"
            + (" (a run taken up where it stopped)" if self.resumed else ""),
        ]
        lines += [f"{p['kind']}: {p['url']}: {p['problem']}" for p in self.problems]
        return "\n".join(lines)


@dataclass
class _Crawl:
    state: CrawlState
    client: PoliteClient
    out: Path
    langs: tuple[str, ...]
    since: date | None
    max_pages: int | None
    stored: int = 0


def fetch(
    seeds: Iterable[str],
    out: Path,
    allow: Iterable[str] = (),
    rate: float = 1.0,
    max_pages: int | None = None,
    since: date | None = None,
    langs: Iterable[str] = CODES,
    timeout: float = 20.0,
    max_bytes: int = 5_000_000,
    progress: Callable[[int, str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchReport:
    """Crawl from `seeds` into `out`; `allow` adds hosts to those of the seeds."""
    given = list(seeds)
    seeds = [url for url in (links.clean(s) for s in given) if url]
    out = Path(out)
    if not seeds:
        raise TmError(f"no http(s) address to start from in {' '.join(given) or 'nothing'}")
    if out.exists() and not out.is_dir():
        raise InputError("not a folder to write pages into", out)
    hosts = {host_of(url) for url in seeds} | {h.lower() for h in allow}
    state = CrawlState(out / STATE)
    client = PoliteClient(hosts, rate, timeout, max_bytes, sleep=sleep)
    crawl = _Crawl(state, client, out, tuple(langs), since, max_pages)
    try:
        report = FetchReport(resumed=state.resumed)
        for seed in seeds:
            state.add(seed, _kind_of(seed), 0)
            for sitemap in _robots_sitemaps(client, seed):
                state.add(sitemap, "sitemap", 0)
        done = 0
        while (known := state.next()) is not None:
            _visit(crawl, known)
            done += 1
            if progress:
                progress(done, known.url)
        report.releases, report.waiting = publish(state, out, min(2, len(crawl.langs)))
        report.counts, report.requests = state.counts(), client.requests
        report.problems = [
            {"url": url, "problem": reason, "kind": status}
            for status in ("refused", "failed", "skipped")
            for url, reason in state.reasons(status)
        ]
        state.finish()
        return report
    finally:
        client.close()
        state.close()


def _kind_of(url: str) -> str:
    if url.lower().endswith(".xml") or "sitemap" in url.lower():
        return "sitemap"
    return "page" if links.is_release(url) else "listing"


def _robots_sitemaps(client: PoliteClient, url: str) -> list[str]:
    try:
        client.check(url)
    except Refused:
        return []
    return [clean for clean in (links.clean(s) for s in client.sitemaps(url)) if clean]


def _visit(crawl: _Crawl, known: Known) -> None:
    state = crawl.state
    if known.kind == "page" and crawl.max_pages is not None and crawl.stored >= crawl.max_pages:
        state.done(known.url, "skipped", f"past --max-pages {crawl.max_pages}")
        return
    try:
        answer = crawl.client.get(known.url, known.etag, known.last_modified)
    except Refused as refused:
        state.done(known.url, "refused", str(refused))
        return
    except Failed as failed:
        state.done(known.url, "failed", str(failed))
        return
    if answer.status == 304:
        state.done(known.url, "unchanged")
        crawl.stored += known.kind == "page"
        return
    if answer.status in (404, 410):  # a version a page did not name may not exist: not a failure
        state.done(known.url, "skipped", f"no such page (HTTP {answer.status})")
        return
    if answer.status >= 400:
        state.done(known.url, "failed", f"HTTP {answer.status}")
        return
    if known.kind == "sitemap":
        _read_sitemap(crawl, known, answer.body)
        return
    kind = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in _HTML_TYPES:
        state.done(known.url, "skipped", f"not an HTML page ({kind or 'no content type'})")
        return
    text = _decoded(answer.body, answer.headers.get("content-type", ""))
    root = links.parse(text)
    if root is None:
        state.done(known.url, "failed", "not readable as HTML")
        return
    validators = {"etag": answer.headers.get("etag"), "last_modified": answer.headers.get("last-modified")}
    if known.kind == "listing":
        _read_listing(crawl, known, root)
        state.done(known.url, "fetched", **validators)
    else:
        _store_page(crawl, known, root, text, answer.complete, validators)


def _read_sitemap(crawl: _Crawl, known: Known, body: bytes) -> None:
    kind, locations = links.sitemap(body)
    if not kind:
        crawl.state.done(known.url, "failed", "not a sitemap")
        return
    for location in filter(None, map(links.clean, locations)):
        child = "sitemap" if kind == "index" else ("page" if links.is_release(location) else "listing")
        if host_of(location) in crawl.client.allow:
            crawl.state.add(location, child, known.depth + 1)
    crawl.state.done(known.url, "fetched")


def _read_listing(crawl: _Crawl, known: Known, root) -> None:
    """Queue the listing's release pages and its pagination; with --since, a listing whose
    newest item is older than the day is the end of the archive that is wanted."""
    shown = links.dates(root)
    if crawl.since and shown and max(shown) < crawl.since:
        return
    here = known.url.split("?")[0]
    for target in links.links(known.url, root):
        if host_of(target) not in crawl.client.allow:
            continue
        if links.is_release(target):
            crawl.state.add(target, "page", known.depth + 1)
        elif target.split("?")[0] == here:
            crawl.state.add(target, "listing", known.depth)  # the next page of the same listing
        elif known.depth < MAX_LISTING_DEPTH:
            crawl.state.add(target, "listing", known.depth + 1)


def _store_page(crawl: _Crawl, known: Known, root, text: str, complete: bool, validators: dict) -> None:
    state = crawl.state
    lang = links.language(known.url, root)
    others = links.alternates(known.url, root) or links.guessed_versions(known.url)
    if lang not in crawl.langs:
        state.done(known.url, "skipped", f"in {lang or 'an unknown language'}, not one asked for")
        return
    state.link(known.url, list(others.values()))
    for other_lang, other in others.items():
        if other_lang in crawl.langs and host_of(other) in crawl.client.allow:
            state.add(other, "page", known.depth)
    content = text.encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    if known.hash and known.hash != digest:
        state.keep_version(known.url, known.hash, now())
    staged = crawl.out / STATE / "pages" / f"{digest}.page"
    if not staged.exists():
        staged.parent.mkdir(parents=True, exist_ok=True)
        with replacing(staged) as temporary:
            temporary.write_bytes(content)
    shown = links.dates(root)
    state.done(
        known.url,
        "fetched",
        hash=digest,
        lang=lang,
        title=links.title(root),
        date=shown[0].isoformat() if shown else None,
        complete=int(complete),
        fetched_at=now(),
        **validators,
    )
    crawl.stored += 1


def _decoded(body: bytes, content_type: str) -> str:
    """The page's text: in the charset its header or its <meta> names, else UTF-8, else cp1251."""
    charset = None
    if "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=")[1].split(";")[0].strip(" \"'")
    if charset is None:
        head = body[:2048].decode("ascii", "replace").lower()
        if "charset=" in head:
            charset = head.split("charset=")[1].split('"')[0].split("'")[0].split(";")[0].strip(" \"'/>")
    for candidate in (charset, "utf-8", "cp1251"):
        if candidate:
            try:
                return body.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    return body.decode("utf-8", "replace")


def publish(state: CrawlState, out: Path, fewest: int = 2) -> tuple[int, int]:
    """Write every release the state holds in `fewest` languages or more as
    `<host>/<release>/<lang>.html` + meta.json; returns how many, and how many pages wait: a
    release in fewer languages waits in the
    state for its other versions (`tm build` reads a folder of releases of one language as pages
    to group, not as releases). A page identical to another of the same release and language is
    written once."""
    pages = {row[0]: row for row in state.pages()}
    published = waiting = 0
    for members in _releases(pages, state.alternates()):
        if len({pages[url][2] for url in members}) < fewest:
            waiting += len(members)
            continue
        _write_release(out, members, pages)
        published += 1
    return published, waiting


def _releases(pages: dict[str, tuple], alternates: list[tuple[str, str]]) -> list[list[str]]:
    """Pages grouped into releases: by the address with its language taken out, and by the
    alternates the pages name (union-find)."""
    parent = {url: url for url in pages}

    def root(url: str) -> str:
        while parent[url] != url:
            parent[url] = parent[parent[url]]
            url = parent[url]
        return url

    by_key: dict[str, str] = {}
    for url in sorted(pages):
        key = links.release_key(url)
        if key in by_key:
            parent[root(url)] = root(by_key[key])
        else:
            by_key[key] = url
    for url, other in alternates:
        if url in pages and other in pages:
            parent[root(other)] = root(url)
    groups: dict[str, list[str]] = {}
    for url in sorted(pages):
        groups.setdefault(root(url), []).append(url)
    return list(groups.values())


def _write_release(out: Path, members: list[str], pages: dict[str, tuple]) -> None:
    first = min(members, key=lambda url: (links.url_language(url) != "en", url))
    host = host_of(first).replace(":", "_")
    name = links.release_key(first).partition("/")[2] or "index"
    folder = out / host / "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")
    chosen: dict[str, tuple] = {}
    for url in sorted(members):
        row = pages[url]
        chosen.setdefault(row[2], row)
    folder.mkdir(parents=True, exist_ok=True)
    meta_pages = {}
    for lang, (url, digest, _, title, day, complete, fetched_at, etag, modified) in chosen.items():
        staged = out / STATE / "pages" / f"{digest}.page"
        target = folder / f"{lang}.html"
        if not target.exists() or target.read_bytes() != staged.read_bytes():
            with replacing(target) as temporary:
                temporary.write_bytes(staged.read_bytes())
        meta_pages[lang] = {
            "url": url,
            "title": title,
            "date": day,
            "fetched_at": fetched_at,
            "etag": etag,
            "last_modified": modified,
            "complete": bool(complete),
        }
    days = sorted(p["date"] for p in meta_pages.values() if p["date"])
    meta = {
        "url": pages[first][0],
        "date": days[0] if days else None,
        "title": meta_pages.get("en", next(iter(meta_pages.values())))["title"],
        "pages": meta_pages,
    }
    with replacing(folder / "meta.json") as temporary:
        temporary.write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
