"""What the crawler reads off a page: its language, its other language versions (hreflang
alternates, a language switcher, the same path under another language prefix), the links to
follow, the dates a listing shows, and the addresses a sitemap lists."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from tm.langs import CODES, LANGUAGE_PARAMETERS, from_any, url_key

_SWITCHER_WORDS = {
    "tk": "tk",
    "ru": "ru",
    "en": "en",
    "türkmen": "tk",
    "türkmençe": "tk",
    "русский": "ru",
    "english": "en",
}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse(body: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(body)
    except (lxml.etree.ParserError, ValueError):
        return None


def clean(url: str) -> str | None:
    """An address to crawl: http(s), no fragment; None for anything else (mailto:, javascript:)."""
    url, _ = urldefrag(url.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def url_language(url: str) -> str | None:
    """The language an address names: a first path segment (/tk/news/5) or a lang= parameter."""
    parts = urlsplit(url)
    first = parts.path.strip("/").split("/")[0]
    if first.lower() in CODES:
        return first.lower()
    for key, value in parse_qsl(parts.query):
        if key.lower() in LANGUAGE_PARAMETERS and from_any(value):
            return from_any(value)
    return None


def release_key(url: str) -> str:
    """An address with its language taken out (`tm.langs.url_key`): the versions of one release
    share it; a site's front page is its host."""
    return url_key(url) or urlsplit(url).netloc.lower().removeprefix("www.")


def is_release(url: str) -> bool:
    """Whether an address is a release's page (its last path segment holds a number: /news/1094)
    rather than a listing (/news, /news?page=2)."""
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    paged = any(key.lower() in ("page", "p", "start", "offset") for key, _ in parse_qsl(parts.query))
    return bool(re.search(r"\d", last)) and not paged


def language(url: str, root: lxml.html.HtmlElement) -> str | None:
    """The page's language: its address, else `<html lang>`."""
    return url_language(url) or from_any(root.get("lang") or "")


def alternates(url: str, root: lxml.html.HtmlElement) -> dict[str, str]:
    """The page's other language versions: hreflang alternates, else its language switcher (links
    marked by hreflang/lang or named by a language, to the same release under another language)."""
    found: dict[str, str] = {}
    for link in root.xpath('//link[@rel="alternate"][@hreflang][@href]'):
        lang, target = from_any(link.get("hreflang")), clean(urljoin(url, link.get("href")))
        if lang and target:
            found.setdefault(lang, target)
    if found:
        return found
    for anchor in root.xpath("//a[@href]"):
        target = clean(urljoin(url, anchor.get("href")))
        label = (anchor.get("hreflang") or anchor.get("lang") or anchor.text_content() or "").strip().lower()
        lang = _SWITCHER_WORDS.get(label) or from_any(anchor.get("hreflang") or anchor.get("lang") or "")
        if lang and target and release_key(target) == release_key(url) and lang not in found:
            found[lang] = target
    return found


def links(url: str, root: lxml.html.HtmlElement) -> list[str]:
    """Every address the page links to, in order, once."""
    found: dict[str, None] = {}
    for href in root.xpath("//a/@href"):
        target = clean(urljoin(url, str(href)))
        if target:
            found.setdefault(target)
    return list(found)


def dates(root: lxml.html.HtmlElement) -> list[date]:
    """The dates a page shows in `<time>` elements (a listing's items)."""
    found = []
    for element in root.xpath("//time"):
        match = _DATE.search(element.get("datetime") or element.text_content() or "")
        if match:
            try:
                found.append(date(*map(int, match.groups())))
            except ValueError:
                continue
    return found


def title(root: lxml.html.HtmlElement) -> str | None:
    heading = root.xpath("(//h1)[1]")
    text = heading[0].text_content() if heading else root.findtext(".//title")
    return " ".join(text.split()) or None if text else None


def sitemap(body: bytes) -> tuple[str, list[str]]:
    """('index', sitemap addresses) or ('urlset', page addresses) of a sitemap; ('', []) if it is not one."""
    if b"<!ENTITY" in body[:4096]:
        return "", []
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError:
        return "", []
    kind = lxml.etree.QName(root).localname
    locations = [" ".join(loc.text.split()) for loc in root.iter("{*}loc") if loc.text]
    return ("index" if kind == "sitemapindex" else "urlset" if kind == "urlset" else ""), locations


def guessed_versions(url: str) -> dict[str, str]:
    """The same address under each other language prefix (/en/news/5 -> /tk/news/5, /ru/news/5),
    for a page that names no other version."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    if len(segments) < 2 or segments[1].lower() not in CODES:
        return {}
    return {
        lang: urlunsplit((parts.scheme, parts.netloc, "/".join(["", lang, *segments[2:]]), parts.query, ""))
        for lang in CODES
        if lang != segments[1].lower()
    }
